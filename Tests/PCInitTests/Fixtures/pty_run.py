#!/usr/bin/env python3
"""Runs a command on a fresh pseudo-terminal (as session leader with a controlling tty, like a shell
would in `docker run -t`) and reports what happened as JSON on stdout: {"output": ..., "status": N}.

usage: pty_run.py [--send-on TEXT BYTES] [--timeout SECONDS] -- COMMAND [ARG...]
--send-on: once TEXT has appeared in the output, write BYTES (Python escapes, e.g. '\\x03' for ^C).
status is the exit code, or 128+N if the command died of signal N; -1 if it timed out (then it is killed).
"""
import json
import os
import pty
import select
import signal
import sys
import time

args = sys.argv[1:]
trigger = None
to_send = b""
timeout = 20.0
while args and args[0] != "--":
    if args[0] == "--send-on":
        trigger = args[1].encode()
        to_send = args[2].encode().decode("unicode_escape").encode("latin-1")
        args = args[3:]
    elif args[0] == "--timeout":
        timeout = float(args[1])
        args = args[2:]
    else:
        sys.exit("unknown option " + args[0])
command = args[1:]

pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)

output = b""
deadline = time.monotonic() + timeout
timed_out = False
while True:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        timed_out = True
        os.kill(pid, signal.SIGKILL)
        break
    ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break  # EIO: every process with the slave open is gone
    if not chunk:
        break
    output += chunk
    if trigger is not None and trigger in output:
        os.write(fd, to_send)
        trigger = None
_, status = os.waitpid(pid, 0)
if timed_out:
    code = -1
elif os.WIFEXITED(status):
    code = os.WEXITSTATUS(status)
else:
    code = 128 + os.WTERMSIG(status)
print(json.dumps({"output": output.decode("utf-8", "replace"), "status": code}))
