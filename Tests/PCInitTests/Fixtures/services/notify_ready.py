"""sd_notify stand-in: `notify_ready.py DELAY`: after DELAY seconds sends READY=1 to $NOTIFY_SOCKET (and
writes `sent` to stdout), then runs until SIGTERM."""
import os
import signal
import socket
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
time.sleep(float(sys.argv[1]))
path = os.environ["NOTIFY_SOCKET"]
address = "\0" + path[1:] if path.startswith("@") else path
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(b"READY=1", address)
print("sent", flush=True)
while True:
    time.sleep(1)
