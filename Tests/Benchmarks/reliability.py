#!/usr/bin/env python3
"""Reliability benchmark for pcinit's config mode. Not a test: prints figures and PASS/FAIL per criterion.

usage: python3 Tests/Benchmarks/reliability.py [path/to/pcinit] [--quick] [--crash-seconds N]
       (default .build/release/pcinit; run as root: pcinit is PID 1 under `unshare --pid --fork --mount-proc`)

1. Leaks. One pcinit supervises three small services, with a private control socket (WORK/pcinit.sock) and
   a health listener on a free 127.0.0.1 port (never the defaults). Three phases:
   - restarts: 10,000 `restart web` over the control socket, each waited for (status shows a new pid running);
   - health: 100,000 GETs of /livez, /readyz, /status, /metrics, half one at a time, half in batches of
     concurrent connections;
   - control: 10,000 requests: status, logs -n 10, an unknown method, a malformed line, a logs follow
     opened and closed; half on one kept connection, half on a fresh connection each.
   Each phase starts with a warm-up (2 % of its count, at least 100; not counted) so that buffers that
   fill once (log rings, allocator arenas) are full before the baseline. Before and after each phase (after a settle),
   pcinit's open fds (/proc/PID/fd) and VmRSS are recorded. Criteria: fds unchanged, RSS growth ≤ 1024 kB.
2. Crash loop at the backoff cap: a second pcinit runs a service that exits 1 at once, restart always,
   backoff 1 s capped at 2 s. Over --crash-seconds (default 600) it measures pcinit's own CPU time
   (utime+stime); criterion < 0.1 % of one core, plus fds unchanged and RSS growth ≤ 1024 kB.
--quick: 1/10 of every count and a 60 s crash loop (a smoke run). Exit status 1 if any criterion fails.
Progress and raw samples go to stderr, the markdown report to stdout.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HZ = os.sysconf("SC_CLK_TCK")
RSS_GROWTH_LIMIT_KB = 1024
CPU_LIMIT_PERCENT = 0.1


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- /proc readings (same style as bench.py / services_bench.py) ---------------------------------------


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def status_fields(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def rss_kb(pid):
    return int(status_fields(pid)["VmRSS"].split()[0])


def smaps_rollup(pid):
    """Pss and Private (clean + dirty) in kB, None where the file is unreadable."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                    values[parts[0][:-1]] = int(parts[1])
    except OSError:
        return {"pss": None, "private": None}
    return {"pss": values.get("Pss"),
            "private": values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)}


def fd_table(pid):
    """fd number → what it points at (socket:[inode], pipe:[inode], anon_inode:[eventpoll], …)."""
    table = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            table[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            pass
    return table


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ  # utime + stime (own, not children)


def runtime_ns(pid):
    """CPU time of the main thread in ns (schedstat's sum_exec_runtime): finer than clock ticks."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


class Sample:
    def __init__(self, pid):
        self.fds = fd_table(pid)
        self.rss = rss_kb(pid)
        rollup = smaps_rollup(pid)
        self.pss, self.private = rollup["pss"], rollup["private"]
        self.threads = int(status_fields(pid)["Threads"])

    def __str__(self):
        return f"fds {len(self.fds)}, VmRSS {self.rss} kB, Pss {self.pss} kB, Private {self.private} kB"


def fd_diff(before, after):
    gone = {fd: what for fd, what in before.fds.items() if after.fds.get(fd) != what}
    new = {fd: what for fd, what in after.fds.items() if before.fds.get(fd) != what}
    return gone, new


# --- pcinit under a private pid namespace --------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pcinit:
    """pcinit as PID 1 of its own pid namespace, with its own control socket and health port."""

    def __init__(self, binary, work, name, config_text):
        self.work = work
        self.socket_path = os.path.join(work, f"{name}.sock")
        self.port = free_port()
        config = os.path.join(work, f"{name}.yml")
        with open(config, "w") as f:
            f.write(config_text)
        self.stdout = open(os.path.join(work, f"{name}.stdout"), "wb")
        self.stderr = open(os.path.join(work, f"{name}.stderr"), "wb")
        argv = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", binary, "-f", config,
                "--socket", self.socket_path, "--health-addr", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.stdout, stderr=self.stderr,
                                        env=dict(os.environ, PCINIT_LOG_LEVEL="info"), start_new_session=True)
        self.pid = self._find(os.path.realpath(binary))
        self._wait_listening()

    def _find(self, target, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in children(self.process.pid):
                try:
                    if os.readlink(f"/proc/{child}/exe") == target:
                        return child
                except OSError:
                    pass
            time.sleep(0.01)
        self.process.kill()
        raise RuntimeError("pcinit did not start under unshare")

    def _wait_listening(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if http_get(self.port, "/livez")[0] == 200 and os.path.exists(self.socket_path):
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("pcinit's health listener or control socket did not come up")

    def stop(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.stdout.close()
        self.stderr.close()


# --- clients: HTTP (Connection: close) and newline-delimited JSON-RPC 2.0 ---------------------------------


def http_request_bytes(path):
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def read_http_status(sock):
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/1."):
        return 0
    return int(response.split(b" ", 2)[1])


def http_get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(http_request_bytes(path))
        return read_http_status(sock), None


class ControlConnection:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buffer = b""
        self.next_id = 1
        self.notifications = 0

    def close(self):
        self.sock.close()

    def send_line(self, raw):
        self.sock.sendall(raw)

    def read_message(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("pcinit closed the control connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def read_reply(self, request_id):
        """The response for request_id (null for errors about unreadable lines); notifications skipped."""
        while True:
            message = self.read_message()
            if "method" in message:
                self.notifications += 1
                continue
            if message.get("id") == request_id:
                return message

    def call(self, method, params=None):
        request_id = self.next_id
        self.next_id += 1
        request = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}
        self.send_line(json.dumps(request).encode() + b"\n")
        return self.read_reply(request_id)

    def result(self, method, params=None):
        reply = self.call(method, params)
        if "result" not in reply:
            raise RuntimeError(f"{method}: {reply}")
        return reply["result"]

    def service(self, name):
        for row in self.result("status")["services"]:
            if row["name"] == name:
                return row
        raise RuntimeError(f"no service {name} in status")


# --- phase 1: leaks ---------------------------------------------------------------------------------------

# Small rings (log_length 50) that fill before the first baseline: the ticker's within 10 s, web's (one
# line per start) during the restarts' warm-up. Ring contents are bounded, not leaked, so they must not
# count as growth.
LOG_LENGTH = 50
LEAK_CONFIG = f"""\
log_length: {LOG_LENGTH}
processes:
  web:
    command: "echo web up; exec sleep 1000000"
  worker:
    command: "exec sleep 1000000"
  ticker:
    command: "while true; do echo tick; sleep 0.2; done"
"""


def wait_ring_full(pcinit, service, timeout=60.0):
    control = ControlConnection(pcinit.socket_path)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = control.result("logs", {"services": [service], "follow": False})["lines"]
            if len(lines) >= LOG_LENGTH:
                return
            time.sleep(0.5)
        raise RuntimeError(f"{service}'s log ring did not fill")
    finally:
        control.close()


def restart_and_wait(control, name, deadline_seconds=10.0):
    old = control.service(name)["pid"]
    outcome = control.result("restart", {"services": [name]})["results"][0]
    if not outcome["ok"]:
        raise RuntimeError(f"restart {name}: {outcome['message']}")
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        row = control.service(name)
        if row["state"] == "running" and row["pid"] is not None and row["pid"] != old:
            return
        time.sleep(0.0005)
    raise RuntimeError(f"{name} did not come back after restart (last status {row})")


def restarts_phase(pcinit, count):
    control = ControlConnection(pcinit.socket_path)
    try:
        for _ in range(count):
            restart_and_wait(control, "web")
    finally:
        control.close()


HEALTH_PATHS = ["/livez", "/readyz", "/status", "/metrics"]
HEALTH_BATCH = 32


def health_phase(pcinit, count):
    """First half one at a time, second half in batches of HEALTH_BATCH connections open at once."""
    statuses = {}
    sequential = count // 2
    for i in range(sequential):
        code, _ = http_get(pcinit.port, HEALTH_PATHS[i % len(HEALTH_PATHS)])
        statuses[code] = statuses.get(code, 0) + 1
    done = sequential
    while done < count:
        size = min(HEALTH_BATCH, count - done)
        socks = [socket.create_connection(("127.0.0.1", pcinit.port), timeout=10) for _ in range(size)]
        try:
            for j, sock in enumerate(socks):
                sock.sendall(http_request_bytes(HEALTH_PATHS[(done + j) % len(HEALTH_PATHS)]))
            for sock in socks:
                code = read_http_status(sock)
                statuses[code] = statuses.get(code, 0) + 1
        finally:
            for sock in socks:
                sock.close()
        done += size
    if set(statuses) != {200}:
        raise RuntimeError(f"health answers other than 200: {statuses}")


CONTROL_KINDS = ["status", "logs", "unknown", "malformed", "follow"]


def control_request(connection, kind):
    if kind == "status":
        assert "services" in connection.result("status")
    elif kind == "logs":
        lines = connection.result("logs", {"services": [], "lines": 10, "follow": False})["lines"]
        assert 0 < len(lines) <= 30, len(lines)  # 10 per service
    elif kind == "unknown":
        assert connection.call("frobnicate")["error"]["code"] == -32601
    elif kind == "malformed":
        connection.send_line(b"{this is not json\n")
        assert connection.read_reply(None)["error"]["code"] == -32700


def control_phase(pcinit, count):
    """Kinds in rotation; even requests on one kept connection, odd ones on a fresh connection each.
    A follow always opens its own connection, reads the first reply and closes (every 200th waits for a
    pushed line first, so a follower that got notifications is closed too)."""
    kept = ControlConnection(pcinit.socket_path)
    pushed = 0
    try:
        for i in range(count):
            kind = CONTROL_KINDS[i % len(CONTROL_KINDS)]
            if kind == "follow":
                follower = ControlConnection(pcinit.socket_path)
                try:
                    follower.result("logs", {"services": [], "lines": 10, "follow": True})
                    if i % 200 == 4:
                        message = follower.read_message()
                        assert message.get("method") == "log", message
                        pushed += 1
                finally:
                    follower.close()
            elif i % 2 == 0:
                control_request(kept, kind)
            else:
                fresh = ControlConnection(pcinit.socket_path)
                try:
                    control_request(fresh, kind)
                finally:
                    fresh.close()
    finally:
        kept.close()
    log(f"  control: {pushed} followers received a pushed log line before closing")


def settle(pcinit, seconds):
    """Waits `seconds`, then until pcinit's fd count stops changing (closed peers are noticed at once)."""
    time.sleep(seconds)
    previous = len(fd_table(pcinit.pid))
    for _ in range(50):
        time.sleep(0.1)
        current = len(fd_table(pcinit.pid))
        if current == previous:
            return
        previous = current


def run_phase(pcinit, name, operations, body, settle_seconds, min_warm_up):
    warm_up = max(min_warm_up, operations // 50)
    log(f"{name}: warm-up {warm_up}, then {operations} operations")
    body(pcinit, warm_up)
    settle(pcinit, settle_seconds)
    before = Sample(pcinit.pid)
    log(f"  before: {before}")
    start = time.perf_counter()
    body(pcinit, operations)
    duration = time.perf_counter() - start
    settle(pcinit, settle_seconds)
    after = Sample(pcinit.pid)
    log(f"  after:  {after} ({duration:.1f} s, {operations / duration:.0f} ops/s)")
    gone, new = fd_diff(before, after)
    if gone or new:
        log(f"  fds gone: {gone}\n  fds new: {new}")
    return {"phase": name, "operations": operations, "duration": duration, "before": before, "after": after}


# --- phase 2: crash loop at the backoff cap ---------------------------------------------------------------

CRASH_CONFIG = """\
processes:
  crash:
    command: "exit 1"
    availability:
      restart: always
      backoff_seconds: 1
x-pcinit:
  max_backoff_seconds: 2
"""


def crash_loop(binary, work, seconds):
    log(f"crash loop: `exit 1`, restart always, backoff 1 s capped at 2 s, {seconds:g} s")
    pcinit = Pcinit(binary, work, "crash", CRASH_CONFIG)
    try:
        control = ControlConnection(pcinit.socket_path)
        # Two backoffs (1 s, then 2 s) reach the cap; measure from there.
        deadline = time.monotonic() + 30
        while control.service("crash")["restarts"] < 2:
            if time.monotonic() > deadline:
                raise RuntimeError("the crash service is not restarting")
            time.sleep(0.1)
        control.close()  # not kept open during the measurement: an idle connection is not the point here
        restarts0 = http_status_restarts(pcinit)
        start = between_spawns_sample(pcinit)
        cpu0, ns0, t0 = cpu_seconds(pcinit.pid), runtime_ns(pcinit.pid), time.monotonic()
        log(f"  start: {start}, restarts {restarts0}")
        next_report = t0 + 60
        while time.monotonic() - t0 < seconds:
            time.sleep(min(1.0, max(0.0, seconds - (time.monotonic() - t0))))
            if time.monotonic() >= next_report:
                next_report += 60
                log(f"  {time.monotonic() - t0:.0f} s: cpu {cpu_seconds(pcinit.pid) - cpu0:.2f} s, "
                    f"VmRSS {rss_kb(pcinit.pid)} kB, fds {len(fd_table(pcinit.pid))}")
        cpu1, ns1, t1 = cpu_seconds(pcinit.pid), runtime_ns(pcinit.pid), time.monotonic()
        restarts1 = http_status_restarts(pcinit)
        end = between_spawns_sample(pcinit)
        log(f"  end:   {end}, restarts {restarts1}")
        gone, new = fd_diff(start, end)
        if gone or new:
            log(f"  fds gone: {gone}\n  fds new: {new}")
        elapsed = t1 - t0
        return {"seconds": elapsed, "cpu": cpu1 - cpu0, "cpu_percent": 100 * (cpu1 - cpu0) / elapsed,
                "runtime_percent": 100 * (ns1 - ns0) / 1e9 / elapsed, "restarts": restarts1 - restarts0,
                "start": start, "end": end}
    finally:
        pcinit.stop()


def between_spawns_sample(pcinit):
    """A sample taken while the crash service is in its backoff (pcinit has no child, so none of the
    service's pipes is open), after the /status connection that read the counter is closed on both sides."""
    settle(pcinit, 0.5)
    while True:
        if not children(pcinit.pid):
            sample = Sample(pcinit.pid)
            if not children(pcinit.pid):
                return sample
        time.sleep(0.05)


def http_status_restarts(pcinit):
    """The restart counter from GET /status (the health side, so no control connection stays open)."""
    with socket.create_connection(("127.0.0.1", pcinit.port), timeout=10) as sock:
        sock.sendall(http_request_bytes("/status"))
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    body = b"".join(chunks).split(b"\r\n\r\n", 1)[1]
    document = json.loads(body)
    rows = document["services"] if isinstance(document, dict) else document
    return next(row["restarts"] for row in rows if row["name"] == "crash")


# --- report -----------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description="pcinit reliability figures (leaks, crash loop CPU)")
    parser.add_argument("pcinit", nargs="?", default=".build/release/pcinit")
    parser.add_argument("--quick", action="store_true", help="1/10 of every count and a 60 s crash loop")
    parser.add_argument("--crash-seconds", type=float, help="crash loop duration (default 600, --quick 60)")
    args = parser.parse_args()
    binary = os.path.realpath(args.pcinit)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary}: not an executable (build it: swift build -c release --product pcinit)")
    if os.geteuid() != 0:
        sys.exit("run as root: pcinit runs as PID 1 under `unshare --pid --fork --mount-proc`")
    scale = 10 if args.quick else 1
    crash_seconds = args.crash_seconds if args.crash_seconds is not None else (60 if args.quick else 600)
    work = tempfile.mkdtemp(prefix="pcinit-reliability-")
    log(f"work directory {work}")

    pcinit = Pcinit(binary, work, "leaks", LEAK_CONFIG)
    try:
        wait_ring_full(pcinit, "ticker")
        settle(pcinit, 0.5)
        first = Sample(pcinit.pid)
        log(f"pcinit pid {pcinit.pid} (host), health 127.0.0.1:{pcinit.port}, socket {pcinit.socket_path}")
        log(f"  fds at start: {first.fds}")
        phases = [
            run_phase(pcinit, "restarts (control socket)", 10_000 // scale, restarts_phase, 1.0, 2 * LOG_LENGTH),
            run_phase(pcinit, "health requests", 100_000 // scale, health_phase, 1.0, 100),
            run_phase(pcinit, "control requests", 10_000 // scale, control_phase, 1.0, 100),
        ]
        last = Sample(pcinit.pid)
    finally:
        pcinit.stop()
    crash = crash_loop(binary, work, crash_seconds)

    load = os.getloadavg()[0]
    print(f"pcinit reliability, {time.strftime('%Y-%m-%d')}, {binary} ({os.path.getsize(binary):,} bytes); "
          f"machine: {os.cpu_count()} CPUs, kernel {os.uname().release}, load average {load:.1f} at the end"
          f"{'; --quick' if args.quick else ''}.")
    print()
    print("| phase | operations | duration (s) | ops/s | fds before → after | VmRSS before → after (kB) "
          "| Pss before → after (kB) | Private before → after (kB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for p in phases:
        b, a = p["before"], p["after"]
        print(f"| {p['phase']} | {p['operations']:,} | {p['duration']:.1f} | {p['operations'] / p['duration']:,.0f} "
              f"| {len(b.fds)} → {len(a.fds)} | {b.rss:,} → {a.rss:,} ({a.rss - b.rss:+,}) "
              f"| {b.pss} → {a.pss} | {b.private} → {a.private} |")
    print(f"| whole run (start → end of the three phases) | | | | {len(first.fds)} → {len(last.fds)} "
          f"| {first.rss:,} → {last.rss:,} ({last.rss - first.rss:+,}) | {first.pss} → {last.pss} "
          f"| {first.private} → {last.private} |")
    print()
    s, e = crash["start"], crash["end"]
    interval = crash["seconds"] / crash["restarts"] if crash["restarts"] else float("inf")
    print("| crash loop at the backoff cap (2 s) | value |")
    print("|---|---:|")
    print(f"| duration | {crash['seconds']:.0f} s |")
    print(f"| restarts seen | {crash['restarts']} (one every {interval:.2f} s) |")
    print(f"| pcinit CPU (utime+stime) | {crash['cpu']:.2f} s = {crash['cpu_percent']:.4f} % of one core |")
    print(f"| pcinit CPU (schedstat, main thread) | {crash['runtime_percent']:.4f} % of one core |")
    print(f"| fds start → end | {len(s.fds)} → {len(e.fds)} |")
    print(f"| VmRSS start → end | {s.rss:,} → {e.rss:,} kB ({e.rss - s.rss:+,}) |")
    print(f"| threads | {e.threads} |")
    print()

    checks = []
    for p in phases:
        b, a = p["before"], p["after"]
        checks.append((f"{p['phase']}: fds unchanged", len(a.fds) == len(b.fds), f"{len(b.fds)} → {len(a.fds)}"))
        checks.append((f"{p['phase']}: RSS growth ≤ {RSS_GROWTH_LIMIT_KB} kB", a.rss - b.rss <= RSS_GROWTH_LIMIT_KB,
                       f"{a.rss - b.rss:+} kB"))
    checks.append((f"crash loop: CPU < {CPU_LIMIT_PERCENT} % of one core", crash["cpu_percent"] < CPU_LIMIT_PERCENT,
                   f"{crash['cpu_percent']:.4f} %"))
    checks.append(("crash loop: restarts at the cap (one per 2–3 s)", 2.0 <= interval <= 3.0, f"{interval:.2f} s"))
    checks.append(("crash loop: fds unchanged", len(e.fds) == len(s.fds), f"{len(s.fds)} → {len(e.fds)}"))
    checks.append((f"crash loop: RSS growth ≤ {RSS_GROWTH_LIMIT_KB} kB", e.rss - s.rss <= RSS_GROWTH_LIMIT_KB,
                   f"{e.rss - s.rss:+} kB"))
    print("| criterion | result | figure |")
    print("|---|---|---:|")
    for what, ok, figure in checks:
        print(f"| {what} | {'PASS' if ok else 'FAIL'} | {figure} |")
    failed = [what for what, ok, _ in checks if not ok]
    print()
    print("FAIL: " + "; ".join(failed) if failed else "PASS: every criterion")
    shutil.rmtree(work, ignore_errors=True) if not failed else log(f"logs kept in {work}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
