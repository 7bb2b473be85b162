#!/usr/bin/env python3
"""A service that takes its time to stop, and says what it saw.

usage: drain.py NAME SECONDS DIR [PORT]
Writes its pid to DIR/NAME.pid, binds 127.0.0.1:PORT if given (SO_REUSEADDR off: a second copy cannot bind
while this one holds it; a failure is written to DIR/NAME.bind-failed), installs a SIGTERM handler, then
creates DIR/NAME.up. Each SIGTERM appends a timestamp line to DIR/NAME.terms; the first starts a drain of
SECONDS, after which it appends a timestamp to DIR/NAME.exit and exits 0.
"""
import os
import signal
import socket
import sys
import time

name, seconds, directory = sys.argv[1], float(sys.argv[2]), sys.argv[3]
port = int(sys.argv[4]) if len(sys.argv) > 4 else None


def path(suffix):
    return os.path.join(directory, name + suffix)


def append(suffix, text):
    with open(path(suffix), "a") as f:
        f.write(text + "\n")


listener = None
if port:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(8)
    except OSError as error:
        append(".bind-failed", str(error))
        sys.exit(1)

draining = False


def on_term(signum, frame):
    global draining
    append(".terms", "%.6f" % time.time())
    draining = True


signal.signal(signal.SIGTERM, on_term)
append(".pid", str(os.getpid()))
open(path(".up"), "a").close()
while not draining:
    time.sleep(0.05)
time.sleep(seconds)
append(".exit", "%.6f" % time.time())
sys.exit(0)
