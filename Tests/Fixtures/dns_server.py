#!/usr/bin/env python3
"""A tiny authoritative-looking DNS server for the resolver's system tests (needs dnslib).

usage: dns_server.py ZONE_JSON PORT_FILE QUERY_LOG

Listens on UDP 127.0.0.1 (port chosen by the kernel), writes the port to PORT_FILE once it is ready
(written to a temporary name, then renamed, so a reader never sees half a number), and appends one
line "NAME TYPE" per query to QUERY_LOG. Runs until killed.

ZONE_JSON maps lowercase names without the trailing dot to what the server does for them:
  {"a": ["10.0.0.5"], "aaaa": ["fd00::5"]}   address records (either may be missing: NODATA)
  {"cname": "target.test"}                   a CNAME, followed by target's records of the asked type
  {"rcode": "SERVFAIL"}                      any RCODE name dnslib knows (NXDOMAIN, REFUSED, ...)
  {"silent": true}                           never answer
  {"wrong_id_first": true, ...}              first send a reply with another id and a bogus address
  {"truncate": true, ...}                    set the TC bit
  {"ttl": 30}                                TTL of the records (default 60)
Names not in the zone get NXDOMAIN.
"""
import json
import os
import socket
import sys

from dnslib import AAAA, CNAME, QTYPE, RCODE, RR, A, DNSRecord


def answer(zone, request):
    question = request.q
    name = str(question.qname).rstrip(".").lower()
    qtype = QTYPE[question.qtype]
    entry = zone.get(name)
    reply = request.reply()
    if entry is None:
        reply.header.rcode = RCODE.NXDOMAIN
        return entry, reply
    if "rcode" in entry:
        reply.header.rcode = getattr(RCODE, entry["rcode"])
        return entry, reply
    owner, current = name, entry
    for _ in range(8):
        if "cname" not in current:
            break
        target = current["cname"]
        reply.add_answer(RR(owner + ".", QTYPE.CNAME, rdata=CNAME(target + "."), ttl=current.get("ttl", 60)))
        owner, current = target, zone.get(target, {})
    for address in current.get(qtype.lower(), []):
        rdata = A(address) if qtype == "A" else AAAA(address)
        reply.add_answer(RR(owner + ".", question.qtype, rdata=rdata, ttl=current.get("ttl", 60)))
    if entry.get("truncate"):
        reply.header.tc = 1
    return entry, reply


def main():
    zone_text, port_file, log_path = sys.argv[1:4]
    zone = json.loads(zone_text)
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(server.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    log = open(log_path, "a", buffering=1)
    while True:
        data, peer = server.recvfrom(4096)
        try:
            request = DNSRecord.parse(data)
        except Exception:
            continue
        log.write("%s %s\n" % (str(request.q.qname).rstrip(".").lower(), QTYPE[request.q.qtype]))
        entry, reply = answer(zone, request)
        if entry and entry.get("silent"):
            continue
        if entry and entry.get("wrong_id_first"):
            decoy = request.reply()
            decoy.header.id = (request.header.id + 1) % 65536
            bogus = A("192.0.2.66") if request.q.qtype == QTYPE.A else AAAA("2001:db8::66")
            decoy.add_answer(RR(request.q.qname, request.q.qtype, rdata=bogus, ttl=60))
            server.sendto(decoy.pack(), peer)
        server.sendto(reply.pack(), peer)


if __name__ == "__main__":
    main()
