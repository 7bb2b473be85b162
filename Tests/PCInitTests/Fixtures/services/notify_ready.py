"""sd_notify stand-in: `notify_ready.py DELAY [STAMP]`: after DELAY seconds writes the time to STAMP (if
given), sends READY=1 to $NOTIFY_SOCKET and writes `sent` to stdout, then runs until SIGTERM."""
import os
import signal
import socket
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
time.sleep(float(sys.argv[1]))
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as stamp:
        stamp.write(f"{time.time():.6f}\n")
path = os.environ["NOTIFY_SOCKET"]
address = "\0" + path[1:] if path.startswith("@") else path
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
    s.sendto(b"READY=1", address)
print("sent", flush=True)
while True:
    time.sleep(1)
