#!/usr/bin/env python3
"""Records every catchable signal it receives, in a child and a grandchild of the same process group.

usage: signal_recorder.py DIR
Forks once. Each of the two processes installs a handler for every signal except KILL, STOP and CHLD,
appends each received signal number as a line to DIR/<role>.log (role: child, grandchild), then creates
DIR/<role>.ready. Both run until DIR/stop exists, then exit 0 (the child after reaping the grandchild).
"""
import os
import signal
import sys
import time

directory = sys.argv[1]
not_handled = {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}


def record(role):
    log = os.open(os.path.join(directory, role + ".log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def handler(signum, frame):
        os.write(log, b"%d\n" % signum)

    for number in range(1, signal.SIGRTMAX + 1):
        if number in not_handled:
            continue
        try:
            signal.signal(number, handler)
        except (OSError, ValueError):
            pass  # 32 and 33 belong to glibc
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    open(os.path.join(directory, role + ".ready"), "w").close()
    stop = os.path.join(directory, "stop")
    while not os.path.exists(stop):
        time.sleep(0.02)


grandchild = os.fork()
if grandchild == 0:
    record("grandchild")
    os._exit(0)
record("child")
os.waitpid(grandchild, 0)
