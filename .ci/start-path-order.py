#!/usr/bin/env python3
"""The start path's symbol order: which functions a pcinit touches from exec until it idles.

An idle init's resident memory is mostly pages of its own text, faulted in (64 KiB at a time) by the functions
it ran to get there. Scattered through a 2 MB binary, a few hundred such functions touch most of it; placed
next to each other (lld's --symbol-ordering-file) they fill a few windows. This script finds them by running
the release binary under callgrind in the scenarios that matter, as PID 1 of a new pid namespace:

  - single-command mode: `pcinit -- sleep`, to the command's end;
  - config mode: two services (one writes a marker file, one a plain `sleep`), the health listener and the
    control socket, idle, GET /livez, GET /readyz and one `pcinit status` (what a platform's health checks
    and an operator do first), then SIGTERM.

and writes the mangled names of every function that ran (Sources/pcinit/start-path.order): first those of
single-command mode, then those only config mode adds, each group sorted, so a `pcinit -- CMD` touches only
the head of the text. The linker reads that file for the release build (Package.swift). Functions LLVM gives
no symbol (closure-context destroyers, merged-function thunks) cannot be named there: Sources/pcinit/
start-path.ld puts all of them, a few kB, at the front of the text instead.

  .ci/start-path-order.py [--binary B] write     regenerate the file from B (default .build/release/pcinit),
                                                 then relink and add what still faults natively (perf)
  .ci/start-path-order.py [--binary B] check     exit 1 if the file is stale: a name in it no longer exists
                                                 in B, or the start path now runs functions it lacks (more
                                                 than 3 %: which rare branch runs can vary by timing)

Needs root (unshare), valgrind, perf (for `write`) and an unstripped binary. CI runs `check` after the release
build.
"""
import argparse
import bisect
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER_FILE = os.path.join(ROOT, "Sources", "pcinit", "start-path.order")
# `check` tolerates this share of the start path missing from the file: branches that run in one profile and
# not the next (an EINTR, a timer firing before or after a read, an accept that finds the queue empty) are not
# a stale file. A code change that renames or adds start-path functions is: it moves past this at once, or
# leaves names the binary no longer has.
TOLERATED_MISSING_SHARE = 0.03


def run(wrapper, binary, args, workdir, interact=None, timeout=120):
    """Runs `binary args` as PID 1 of a new pid namespace under `wrapper` (callgrind, or perf around unshare);
    `interact(proc)` runs meanwhile."""
    proc = subprocess.Popen(
        wrapper(["unshare", "--pid", "--fork", "--mount-proc"], [binary] + args), cwd=workdir,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        if interact:
            interact(proc)
        _, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return err.decode(errors="replace")


def functions_ran(profile):
    """Every function with cost or called in a callgrind profile (names are given once, then ids): symbol
    names, or "0x…" addresses where valgrind found none (glibc's start-up code)."""
    names = {}
    ran = set()
    pattern = re.compile(r"^c?fn=\((\d+)\)(?: (.*))?$")
    with open(profile, errors="replace") as f:
        for line in f:
            match = pattern.match(line.rstrip("\n"))
            if not match:
                continue
            number, name = match.groups()
            if name:
                names[number] = name
            ran.add(names.get(number, ""))
    ran.discard("")
    return {name for name in ran if "'" not in name}


def functions_faulted(data, binary):
    """Addresses at which pcinit's text (or data) faulted, from perf's page-fault samples: run natively, this
    sees what callgrind cannot, such as glibc's IFUNC resolvers and the string functions it picks for this CPU
    (valgrind's CPU gets others). With the order in effect, a fault outside the head names a function the
    order lacks."""
    script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,addr"], capture_output=True, text=True)
    comm = os.path.basename(binary)[:15]
    return {"0x" + fields[1] for fields in map(str.split, script.stdout.splitlines())
            if len(fields) == 2 and fields[0] == comm}


def pid1_of(root):
    """The pid (outside) of the process unshare started, below `root` (perf, or unshare itself): pcinit, or
    valgrind running it."""
    def children(pid):
        return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()

    def program(pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return os.path.basename(f.read().split(b"\0")[0].decode())
        except OSError:
            return ""

    for _ in range(400):
        pending = [root]
        while pending:
            parent = pending.pop()
            for child in children(parent):
                if program(parent) == "unshare":
                    return int(child)
                pending.append(child)
        time.sleep(0.05)
    raise SystemExit("start-path-order: pcinit did not start")


def wait_for(path, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return
        time.sleep(0.05)
    raise SystemExit(f"start-path-order: {path} did not appear")


def wait_for_children(pid, count, seconds=60):
    """Until `pid` has `count` children that have exec'd (their command line is no longer pcinit's own, as it
    is between fork and exec)."""
    def cmdline(process):
        try:
            with open(f"/proc/{process}/cmdline", "rb") as f:
                return f.read()
        except OSError:
            return b""

    own = cmdline(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        if sum(cmdline(child) not in (b"", own) for child in children) >= count:
            return
        time.sleep(0.05)
    raise SystemExit(f"start-path-order: pcinit did not start {count} services")


def scenarios(binary, wrapper_for):
    """Runs both scenarios; `wrapper_for(name)` gives each its wrapper and where its profile goes."""
    with tempfile.TemporaryDirectory(prefix="pcinit-order-") as work:
        wrapper, single = wrapper_for("single", work)
        run(wrapper, binary, ["--", "sleep", "1"], work)

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        # A service that writes a marker once running and one plain command (seen as pcinit's child), as the
        # benchmark's are.
        marker = os.path.join(work, "ready-1")
        with open(os.path.join(work, "process-compose.yml"), "w") as f:
            f.write("version: '0.5'\nprocesses:\n")
            f.write(f"  app1:\n    command: touch {marker} && exec sleep 1000\n")
            f.write("  app2:\n    command: sleep 1000\n")
        control = os.path.join(work, "pcinit.sock")

        def operate(proc):
            outer = pid1_of(proc.pid)
            wait_for(marker)
            wait_for_children(outer, 2)
            time.sleep(1)  # the loop has gone back to epoll_wait: this is the idle state
            # What a platform's health checks and an operator do first.
            for path in ("/livez", "/readyz"):
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
            subprocess.run([binary, "status", "--socket", control], capture_output=True, timeout=60)
            os.kill(outer, signal.SIGTERM)

        wrapper, config = wrapper_for("config", work)
        run(wrapper, binary, ["-f", "process-compose.yml", "--health-addr", f"127.0.0.1:{port}", "--socket", control],
            work, interact=operate)
        return single(), config()


def callgrind_profile(binary):
    """The functions each scenario runs, under callgrind: (single-command mode, config mode)."""
    def wrapper_for(name, work):
        out = os.path.join(work, name + ".callgrind")
        wrap = lambda unshare, command: unshare + [
            "valgrind", "--tool=callgrind", "--demangle=no", "--callgrind-out-file=" + out] + command
        return wrap, lambda: functions_ran(out)
    return scenarios(binary, wrapper_for)


def native_faults(binary):
    """The addresses each scenario faults in, run natively under perf: (single-command mode, config mode)."""
    def wrapper_for(name, work):
        out = os.path.join(work, name + ".perf")
        wrap = lambda unshare, command: [
            "perf", "record", "-q", "-e", "page-faults", "-c", "1", "-d", "-o", out, "--"] + unshare + command
        return wrap, lambda: functions_faulted(out, binary)
    return scenarios(binary, wrapper_for)


def build(binary):
    """Links the release binary again, with the order file as it is now."""
    if os.path.exists(binary):
        os.remove(binary)  # SwiftPM does not know the linker reads the order file
    subprocess.run(["swift", "build", "-c", "release", "--product", "pcinit"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


class Symbols:
    """The binary's functions: names by address (identical-code folding gives one address several names, and
    the linker orders whichever of them it kept) and the function that contains an address."""

    def __init__(self, binary):
        nm = subprocess.run(["nm", "-n", "-S", binary], capture_output=True, text=True, check=True).stdout
        self.names_at = {}
        self.address_of = {}
        self.size_at = {}
        for line in nm.splitlines():
            fields = line.split()
            if len(fields) == 3:  # no size: an assembler label
                fields.insert(1, "0")
            # i: a glibc IFUNC resolver, which start-up runs for every one linked in.
            if len(fields) == 4 and fields[2] in "tTwWi":
                address = int(fields[0], 16)
                self.names_at.setdefault(address, []).append(fields[3])
                self.address_of.setdefault(fields[3], address)
                self.size_at[address] = max(self.size_at.get(address, 0), int(fields[1], 16))
        self.starts = sorted(self.names_at)
        # Where .text is: perf also samples faults on data, which must not name a function.
        sections = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
        text = re.search(r"\] \.text\s+PROGBITS\s+([0-9a-f]+) [0-9a-f]+ ([0-9a-f]+)", sections)
        self.text = range(int(text.group(1), 16), int(text.group(1), 16) + int(text.group(2), 16))

    def expand(self, names):
        """Every name of every function in `names` (symbol names or "0x…" addresses inside functions)."""
        result = set()
        for name in names:
            if name.startswith("0x"):
                at = int(name, 16)
                if at not in self.text:
                    continue
                index = bisect.bisect_right(self.starts, at) - 1
                address = self.starts[index]
                if 0 < self.size_at[address] <= at - address:
                    continue  # past that function's end: one LLVM gave no symbol, which start-path.ld places
            elif name in self.address_of:
                address = self.address_of[name]
            else:
                continue
            result.update(self.names_at[address])
        return result


def write_order(single, config):
    with open(ORDER_FILE, "w") as f:
        f.write("".join(name + "\n" for name in sorted(single) + sorted(config - single)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "pcinit"))
    parser.add_argument("action", choices=["write", "check"])
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)
    symbols = Symbols(binary)
    if not symbols.address_of:
        raise SystemExit(f"start-path-order: {binary} has no symbols (stripped?)")
    single, config = (symbols.expand(names) for names in callgrind_profile(binary))

    if options.action == "write":
        # Callgrind's set first; then, linked with it, what still faults natively is added, until nothing new
        # does (each round moves functions, so a fault can show a neighbour the order still lacks).
        rounds = 12
        for round in range(1, rounds + 1):
            write_order(single, config)
            build(binary)
            symbols = Symbols(binary)
            faulted_single, faulted_config = (symbols.expand(names) for names in native_faults(binary))
            new_single = faulted_single - single
            new_config = faulted_config - single - config
            print(f"start-path-order: round {round}: {len(single | config)} functions;"
                  f" {len(new_single) + len(new_config)} more faulted natively")
            # Each round shows only the first fault of each window, so the set grows a little at a time; past a
            # dozen rounds what is still found is a few rare functions per round (measured: 25 rounds gave a
            # cold `pcinit -- sleep` 740 kB instead of 748 kB).
            if (not new_single and not new_config) or round == rounds:
                break
            single |= new_single
            config |= new_config
        print(f"start-path-order: {len(single | config)} functions in {os.path.relpath(ORDER_FILE, ROOT)};"
              f" {os.path.relpath(binary, ROOT)} is linked with them")
        return

    ran = single | config
    with open(ORDER_FILE) as f:
        listed = {line.strip() for line in f if line.strip()}
    gone = sorted(listed - set(symbols.address_of))
    missing = sorted(ran - listed)
    tolerated = int(len(ran) * TOLERATED_MISSING_SHARE)
    print(f"start-path-order: {len(listed)} listed, {len(ran)} ran now, {len(gone)} listed but gone from the"
          f" binary, {len(missing)} ran but not listed (up to {tolerated} tolerated)")
    if gone or len(missing) > tolerated:
        for name in gone[:20]:
            print("  gone:     " + name)
        for name in missing[:20]:
            print("  unlisted: " + name)
        print("start-path-order: Sources/pcinit/start-path.order is stale; regenerate it with"
              " `sudo .ci/start-path-order.py write` (it builds the release binary) and commit it")
        sys.exit(1)


if __name__ == "__main__":
    main()
