#!/usr/bin/env python3
"""Config-mode benchmark for pcinit (issue 4 figures). Not a test: prints a markdown table.

Usage: python3 Tests/Benchmarks/services_bench.py [path/to/pcinit]   (default .build/release/pcinit)
Run as root so pcinit can be PID 1 under `unshare --pid --fork --mount-proc`.

Measures, on this machine, in one run:
- idle RSS of pcinit with 1 and with 50 services (PID 1), and the per-service increment;
- wake-ups of pcinit over 10 s idle with no probes (voluntary + involuntary context switches);
- stop overhead: from the last service's exit to pcinit's exit (pidfds give exact exit times);
- log relay throughput against a raw `cat` pipe (same bytes, same consumer);
- CPU used by pcinit itself with 100 services that each have a 1 s exec readiness probe;
- load + validate of a generated 500-service config (`pcinit config`, end to end).
"""
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PCINIT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/pcinit")
WORK = tempfile.mkdtemp(prefix="pcinit-bench-")
HZ = os.sysconf("SC_CLK_TCK")


def write_config(name, services):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write("processes:\n")
        for svc_name, body in services:
            f.write(f"  {svc_name}:\n")
            for line in body.strip("\n").splitlines():
                f.write(f"    {line}\n")
        f.write('x-pcinit:\n  health_addr: "off"\n')
    return path


def start_pid1(config, extra_env=None):
    env = dict(os.environ, PCINIT_LOG_LEVEL="warn", **(extra_env or {}))
    proc = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", PCINIT, "-f", config],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return proc


def find_pcinit(unshare_pid, timeout=5.0):
    """unshare forks; its child is pcinit (PID 1 inside)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for pid in children(unshare_pid):
            if os.readlink(f"/proc/{pid}/exe").endswith("pcinit"):
                return pid
        time.sleep(0.02)
    raise RuntimeError("pcinit did not start")


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def wait_children(pid, count, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        kids = children(pid)
        if len(kids) >= count:
            return kids
        time.sleep(0.05)
    raise RuntimeError(f"expected {count} children of {pid}, have {len(children(pid))}")


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split()[1]


def rss_kb(pid):
    return int(status_field(pid, "VmRSS"))


def switches(pid):
    return int(status_field(pid, "voluntary_ctxt_switches")) + int(status_field(pid, "nonvoluntary_ctxt_switches"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ  # utime + stime (own, not children)


def stop(proc, pcinit_pid):
    os.kill(pcinit_pid, signal.SIGTERM)
    proc.wait(timeout=30)


def sleepers(n):
    return [(f"s{i:02d}", "command: exec sleep 100000") for i in range(n)]


def idle_rss(n):
    config = write_config(f"idle{n}.yml", sleepers(n))
    proc = start_pid1(config)
    pid = find_pcinit(proc.pid)
    wait_children(pid, n)
    time.sleep(1.0)
    rss = rss_kb(pid)
    stop(proc, pid)
    return rss


def idle_wakeups(seconds=10):
    config = write_config("wake.yml", sleepers(3))
    proc = start_pid1(config)
    pid = find_pcinit(proc.pid)
    wait_children(pid, 3)
    time.sleep(1.0)
    before = switches(pid)
    time.sleep(seconds)
    after = switches(pid)
    stop(proc, pid)
    return after - before


def stop_overhead(runs=15, n=5):
    config = write_config("stop.yml", sleepers(n))
    samples = []
    for _ in range(runs):
        proc = start_pid1(config)
        pid = find_pcinit(proc.pid)
        kids = wait_children(pid, n)
        fds = {os.pidfd_open(k): k for k in kids}
        pcinit_fd = os.pidfd_open(pid)
        exited = {}
        os.kill(pid, signal.SIGTERM)
        poller = select.poll()
        for fd in list(fds) + [pcinit_fd]:
            poller.register(fd, select.POLLIN)
        while len(exited) < len(fds) + 1:
            for fd, _ in poller.poll(10000):
                if fd not in exited:
                    exited[fd] = time.perf_counter_ns()
                    poller.unregister(fd)
        last_service = max(t for fd, t in exited.items() if fd != pcinit_fd)
        samples.append((exited[pcinit_fd] - last_service) / 1e6)
        proc.wait(timeout=10)
        for fd in list(fds) + [pcinit_fd]:
            os.close(fd)
    return statistics.median(samples), max(samples)


def relay_throughput(megabytes=200, rounds=5):
    """Interleaved rounds of the same bytes through a raw pipe and through pcinit; medians of each."""
    line_cmd = f"yes 'pcinit relay benchmark line: the quick brown fox jumps over the lazy dog' | head -c {megabytes}M"
    config = write_config("relay.yml", [("writer", f"command: \"{line_cmd}\"")])
    env = dict(os.environ, PCINIT_LOG_LEVEL="warn")
    raw, relayed = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run(f"{line_cmd} | cat > /dev/null", shell=True, check=True)
        raw.append(megabytes / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        subprocess.run(f"{PCINIT} -f {config} | cat > /dev/null", shell=True, check=True, env=env)
        relayed.append(megabytes / (time.perf_counter() - t0))
    return statistics.median(raw), statistics.median(relayed)


def probe_cpu(n=100, seconds=30):
    body = """command: exec sleep 100000
readiness_probe:
  exec:
    command: "true"
  period_seconds: 1"""
    config = write_config("probes.yml", [(f"p{i:03d}", body) for i in range(n)])
    proc = start_pid1(config)
    pid = find_pcinit(proc.pid)
    wait_children(pid, n)
    time.sleep(3)
    c0, t0 = cpu_seconds(pid), time.time()
    time.sleep(seconds)
    c1, t1 = cpu_seconds(pid), time.time()
    stop(proc, pid)
    return 100.0 * (c1 - c0) / (t1 - t0)


def config_load(n=500, runs=10):
    lines = ["processes:"]
    for i in range(n):
        lines += [f"  svc{i:03d}:",
                  f"    command: \"exec my-server --port {10000 + i} --name svc{i:03d}\"",
                  "    environment:", f"      - SERVICE_INDEX={i}", "      - MODE=production",
                  "    availability:", "      restart: on_failure", "      backoff_seconds: 2"]
        if i > 0:
            lines += ["    depends_on:", f"      svc{(i - 1) // 2:03d}:", "        condition: process_healthy"]
        lines += ["    readiness_probe:", "      http_get:", "        host: 127.0.0.1", f"        port: {10000 + i}",
                  "        path: /healthz", "      period_seconds: 5"]
    path = os.path.join(WORK, "big.yml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([PCINIT, "config", "-f", path], stdout=subprocess.DEVNULL, check=True)
        samples.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    subprocess.run([PCINIT, "--version"], stdout=subprocess.DEVNULL, check=True)
    startup = (time.perf_counter() - t0) * 1000
    return min(samples), statistics.median(samples), startup, len(lines)


def main():
    rss1, rss50 = idle_rss(1), idle_rss(50)
    per_service = (rss50 - rss1) / 49
    wake = idle_wakeups()
    stop_med, stop_max = stop_overhead()
    raw_mbs, relay_mbs = relay_throughput()
    cpu = probe_cpu()
    load_min, load_med, startup, line_count = config_load()
    rows = [
        ("idle RSS, 1 service (PID 1)", f"{rss1 / 1024:.2f} MB", "≤ 3 MB"),
        ("idle RSS, 50 services", f"{rss50 / 1024:.2f} MB ({per_service:.1f} KB per service)", "≤ 3 MB + 50 KB/service"),
        ("wake-ups in 10 s idle, no probes", str(wake), "0"),
        ("stop overhead after the last service exits", f"median {stop_med:.2f} ms, max {stop_max:.2f} ms", "≤ 5 ms"),
        ("log relay throughput vs raw cat pipe (medians of 5 interleaved rounds of 200 MB)", f"{relay_mbs:.0f} MB/s vs {raw_mbs:.0f} MB/s ({relay_mbs / raw_mbs:.2f}×)", "≥ 0.5×"),
        ("pcinit CPU, 100 services with 1 s exec probes", f"{cpu:.1f} % of one core", "—"),
        (f"load + validate 500 services ({line_count} lines), `pcinit config`", f"min {load_min:.1f} ms, median {load_med:.1f} ms (process start alone {startup:.1f} ms)", "≤ 50 ms"),
    ]
    print("| measure | result | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
