"""`redis_ping.py PORT OUT`: sends one PING to redis on 127.0.0.1:PORT, writes the reply line to OUT, then
runs until SIGTERM."""
import os
import signal
import socket
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as conn:
        conn.sendall(b"PING\r\n")
        reply = conn.recv(64).decode().strip()
except OSError as error:
    reply = f"error: {error}"
with open(sys.argv[2], "w") as out:
    out.write(reply + "\n")
while True:
    time.sleep(1)
