#!/usr/bin/env python3
"""Measurements for init-bench.sh (run as root). Prints a markdown table on stdout, progress on stderr.

usage: bench.py --pcinit PATH [--latency-runs 200] [--idle-seconds 10] [--burst-runs 9] [--burst-size 10000]
"""
import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]


def log(message):
    print(message, file=sys.stderr, flush=True)


def inits(pcinit):
    """name → (binary, argv prefix that runs a command under it)."""
    table = {
        "pcinit": (pcinit, [pcinit, "--"]),
        # -s: register as subreaper like pcinit and catatonit do when not PID 1 (and skip tini's 3-line
        # warning in the latency runs). It changes nothing as PID 1.
        "tini": ("/usr/bin/tini", ["/usr/bin/tini", "-s", "--"]),
        "tini-static": ("/usr/bin/tini-static", ["/usr/bin/tini-static", "-s", "--"]),
        "dumb-init": ("/usr/bin/dumb-init", ["/usr/bin/dumb-init", "--"]),
        "catatonit": ("/usr/bin/catatonit", ["/usr/bin/catatonit", "--"]),
    }
    missing = [name for name, (binary, _) in table.items() if not os.access(binary, os.X_OK)]
    for name in missing:
        log(f"skipping {name}: {table[name][0]} not found")
        del table[name]
    return table


def linkage(binary):
    out = subprocess.run(["file", "-L", binary], capture_output=True, text=True).stdout
    if "statically linked" in out or "static-pie" in out:
        return "static"
    if "dynamically linked" in out:
        return "dynamic"
    return "?"


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


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def switches(pid):
    fields = status_fields(pid)
    return int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])


def start_as_pid1(argv):
    """Starts argv as PID 1 of a new pid namespace; returns (unshare Popen, host pid of the init)."""
    process = subprocess.Popen(UNSHARE + argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    target = os.path.realpath(argv[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for child in children(process.pid):
            try:
                if os.readlink(f"/proc/{child}/exe") == target and children(child):
                    return process, child
            except OSError:
                pass
        time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"{argv[0]} did not start under unshare")


def measure_idle(table, seconds):
    """Idle RSS/PSS and wake-ups, as PID 1 supervising `sleep`, all inits side by side."""
    log(f"idle: RSS and wake-ups over {seconds} s as PID 1 (all inits at once)")
    running = {}
    try:
        for name, (_, prefix) in table.items():
            running[name] = start_as_pid1(prefix + ["sleep", "100000"])
        time.sleep(1.0)
        before = {}
        result = {}
        for name, (_, pid) in running.items():
            fields = status_fields(pid)
            result[name] = {"rss": int(fields["VmRSS"].split()[0]), "pss": pss_kb(pid),
                            "threads": int(fields["Threads"])}
            before[name] = switches(pid)
        time.sleep(seconds)
        for name, (_, pid) in running.items():
            result[name]["wakeups"] = switches(pid) - before[name]
        return result
    finally:
        for process, pid in running.values():
            os.kill(pid, signal.SIGKILL)  # the namespace dies with its init
            process.wait()


def spawn_and_wait(argv, devnull):
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    return elapsed, os.waitstatus_to_exitcode(status)


def measure_latency(table, runs):
    """`init -- true` wall time, interleaved: every round runs each init once, in a shuffled order."""
    log(f"latency: {runs} interleaved rounds of `init -- true` (not PID 1)")
    true = shutil.which("true")
    devnull = os.open("/dev/null", os.O_RDWR)
    samples = {name: [] for name in table}
    for round_number in range(runs + 10):
        order = list(table)
        random.shuffle(order)
        for name in order:
            elapsed, code = spawn_and_wait(table[name][1] + [true], devnull)
            if code != 0:
                raise RuntimeError(f"{name} -- true exited {code}")
            if round_number >= 10:  # warm-up rounds are not counted
                samples[name].append(elapsed / 1e6)
    os.close(devnull)
    for name, s in samples.items():
        log(f"  latency {name}: median {statistics.median(s):.3f} ms, p10 {statistics.quantiles(s, n=10)[0]:.3f}, "
            f"p90 {statistics.quantiles(s, n=10)[-1]:.3f}")
    return {name: {"median": statistics.median(s), "p90": statistics.quantiles(s, n=10)[-1]}
            for name, s in samples.items()}


def measure_burst(table, runs, size):
    """Time from start to the init's exit for `init sh orphan-burst.sh N` as PID 1 (interleaved runs)."""
    log(f"burst: {runs} interleaved runs of {size} orphans as PID 1")
    script = os.path.join(HERE, "orphan-burst.sh")
    devnull = os.open("/dev/null", os.O_RDWR)
    samples = {name: [] for name in table}
    for _ in range(runs):
        order = list(table)
        random.shuffle(order)
        for name in order:
            argv = [shutil.which("unshare")] + UNSHARE[1:] + table[name][1] + ["/bin/sh", script, str(size)]
            elapsed, code = spawn_and_wait(argv, devnull)
            if code != 0:
                raise RuntimeError(f"{name}: burst run exited {code}")
            samples[name].append(elapsed / 1e9)
    os.close(devnull)
    for name, s in samples.items():
        log(f"  burst {name}: " + " ".join(f"{x:.2f}" for x in s))
    return {name: {"median": statistics.median(s), "min": min(s), "max": max(s)} for name, s in samples.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pcinit", required=True)
    parser.add_argument("--latency-runs", type=int, default=200)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--burst-runs", type=int, default=9)
    parser.add_argument("--burst-size", type=int, default=10000)
    args = parser.parse_args()
    table = inits(os.path.realpath(args.pcinit))
    if "tini" not in table:
        sys.exit("tini is needed as the baseline (apt-get install tini)")

    idle = measure_idle(table, args.idle_seconds)
    latency = measure_latency(table, args.latency_runs)
    burst = measure_burst(table, args.burst_runs, args.burst_size)

    base_latency = latency["tini"]["median"]
    base_burst = burst["tini"]["median"]
    load = os.getloadavg()[0]
    print(f"Machine: {os.cpu_count()} CPUs, kernel {os.uname().release}, load average {load:.1f} at the end, "
          f"{time.strftime('%Y-%m-%d')}. "
          f"Idle: {args.idle_seconds:g} s as PID 1 supervising `sleep`. Latency: median of {args.latency_runs} "
          f"interleaved runs of `init -- true`. Burst: {args.burst_size} orphans as PID 1, start to init exit, "
          f"median of {args.burst_runs} interleaved runs.")
    print()
    print("| init | size (bytes) | linkage | idle VmRSS (kB) | idle PSS (kB) | threads | wake-ups / "
          f"{args.idle_seconds:g} s | `-- true` median (ms) | × tini | burst drain median (min–max) s | × tini |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, (binary, _) in table.items():
        i, l, b = idle[name], latency[name], burst[name]
        print(f"| {name} | {os.path.getsize(binary):,} | {linkage(binary)} | {i['rss']:,} | {i['pss'] or '?'} "
              f"| {i['threads']} | {i['wakeups']} | {l['median']:.2f} | {l['median'] / base_latency:.2f} "
              f"| {b['median']:.2f} ({b['min']:.2f}–{b['max']:.2f}) | {b['median'] / base_burst:.2f} |")
    print()
    p = "pcinit"
    checks = [
        ("idle RSS ≤ 3 MB", idle[p]["rss"] <= 3 * 1024, f"{idle[p]['rss']} kB"),
        ("0 idle wake-ups", idle[p]["wakeups"] == 0, f"{idle[p]['wakeups']}"),
        ("latency ≤ 1.5× tini", latency[p]["median"] <= 1.5 * base_latency,
         f"{latency[p]['median'] / base_latency:.2f}×"),
        ("burst ≤ 1.2× tini", burst[p]["median"] <= 1.2 * base_burst, f"{burst[p]['median'] / base_burst:.2f}×"),
    ]
    print("pcinit targets: " + "; ".join(f"{what}: {'PASS' if ok else 'FAIL'} ({value})" for what, ok, value in checks))


if __name__ == "__main__":
    main()
