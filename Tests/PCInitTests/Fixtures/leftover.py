#!/usr/bin/env python3
"""A process left behind when pcinit's command exits.

usage: leftover.py MODE DIR [detach]
MODE cleanup: on SIGTERM write DIR/term, spend 0.3 s "cleaning up", write DIR/done, exit 0.
MODE ignore:  survive SIGTERM (only SIGKILL ends it), appending the time of each one (seconds since the
              epoch) to DIR/ignored.
With `detach`, it first double-forks and calls setsid, so it is an orphan outside the command's process
group. When it is set up it writes its pid to DIR/pid.tmp and renames it to DIR/pid.
"""
import os
import signal
import sys
import time

mode, directory = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3 and sys.argv[3] == "detach":
    if os.fork() != 0:
        os._exit(0)
    os.setsid()
    if os.fork() != 0:
        os._exit(0)


def on_term(signum, frame):
    with open(os.path.join(directory, "term"), "w") as f:
        f.write("SIGTERM\n")
    time.sleep(0.3)
    with open(os.path.join(directory, "done"), "w") as f:
        f.write("cleaned up\n")
    os._exit(0)


def on_term_ignored(signum, frame):
    with open(os.path.join(directory, "ignored"), "a") as f:
        f.write("%.6f\n" % time.time())


if mode == "cleanup":
    signal.signal(signal.SIGTERM, on_term)
else:
    signal.signal(signal.SIGTERM, on_term_ignored)
with open(os.path.join(directory, "pid.tmp"), "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(os.path.join(directory, "pid.tmp"), os.path.join(directory, "pid"))
while True:
    time.sleep(10)
