#!/usr/bin/env python3
"""Footprint of the release pcinit, measured cold, next to tini-static, dumb-init and catatonit in one run.

usage: sudo python3 Tests/Benchmarks/footprint.py [--pcinit PATH] [--runs 3] [--idle-seconds 10]
                                                  [--latency-runs 200]
  Builds nothing: PATH defaults to .build/release/pcinit of this checkout and the script stops if it is
  missing (build it with `flock /tmp/pcinit-cpu.lock swift build -c release --product pcinit`). Needs root
  (`unshare --pid`; tini-static, dumb-init and catatonit are installed with apt-get if missing), python3
  (stdlib only), strip and size (binutils). About 35 s; markdown on stdout, progress and samples on stderr.

Every binary is measured as a plain copy: `strip -o` into a temp dir, `cp` to a fresh file, and before each
RSS run the file is dropped from the page cache (fsync + posix_fadvise(POSIX_FADV_DONTNEED), checked with
mincore). A binary strip has just written is still in the page cache and measures more RSS (15–30 % here: the
kernel maps cached pages around every fault); one such warm run of pcinit is printed for comparison.

Figures: stripped size and `size` (text/data/bss); idle VmRSS (RssAnon, RssFile) and threads of the init as
PID 1 (`unshare --pid --fork --mount-proc`, the init found as the child of unshare) supervising `sleep 1000`,
read once the child exists and 1 s has passed, median of --runs cold runs; pcinit in config mode with 2 and
52 services (`command: "sleep 1000"`) plus a health listener on a free 127.0.0.1 port and a control socket in
the temp dir (never the defaults), read before and after a GET /livez that must answer 200; wake-ups
(voluntary + nonvoluntary context switches) over --idle-seconds with every init idling side by side;
`INIT -- true` latency, --latency-runs interleaved rounds in a shuffled order, medians, ratio to tini-static.
Every process started here runs in its own session and pid namespace and is killed at the end (checked).
"""
import argparse
import ctypes
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (children, status_fields, switches, start_as_pid1, spawn_and_wait, linkage, log)

log = bench.log
OTHERS = {  # name → (Debian path, argv prefix after the binary); -s as in bench.py (no effect as PID 1)
    "tini-static": ("/usr/bin/tini-static", ["-s", "--"]),
    "dumb-init": ("/usr/bin/dumb-init", ["--"]),
    "catatonit": ("/usr/bin/catatonit", ["--"]),
}
SERVICES_FEW, SERVICES_MANY = 2, 52
GOALS = {"size": 1_500_000, "rss_sleep": 1024, "rss_config": 1400, "per_service": 10.0, "latency": 1.2}

started = []  # every unshare Popen, for the cleanup
seen = {}  # pid → starttime of every init and child seen, to check that none is left


# --- cold copies --------------------------------------------------------------------------------------------

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def cached_pages(path):
    """(pages of the file in the page cache, pages of the file), by mincore on a shared read-only mapping."""
    size = os.path.getsize(path)
    page = os.sysconf("SC_PAGE_SIZE")
    count = (size + page - 1) // page
    fd = os.open(path, os.O_RDONLY)
    try:
        address = libc.mmap(None, size, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
        if address in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        try:
            vector = ctypes.create_string_buffer(count)
            if libc.mincore(address, size, vector) != 0:
                raise OSError(ctypes.get_errno(), "mincore")
            return sum(b & 1 for b in vector.raw), count
        finally:
            libc.munmap(address, size)
    finally:
        os.close(fd)


def drop_from_cache(path):
    """Writes back and drops the file's pages, so the next exec reads it from disk (cold)."""
    for _ in range(5):
        fd = os.open(path, os.O_RDONLY)
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
        resident, _ = cached_pages(path)
        if resident == 0:
            return
        time.sleep(0.1)  # still mapped by a process that is being torn down
    log(f"  warning: {resident} pages of {path} stay in the page cache")


def cold_copy(source, work, name):
    """strip -o WORK/strip/NAME, then cp to WORK/NAME (a fresh file), fsynced. Returns (copy, strip output)."""
    os.makedirs(os.path.join(work, "strip"), exist_ok=True)
    stripped = os.path.join(work, "strip", name)
    subprocess.run(["strip", "-o", stripped, source], check=True)
    copy = os.path.join(work, name)
    subprocess.run(["cp", stripped, copy], check=True)
    fd = os.open(copy, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    return copy, stripped


def size_of(binary):
    """text, data, bss as `size` (Berkeley format) prints them."""
    out = subprocess.run(["size", binary], capture_output=True, text=True, check=True).stdout.splitlines()
    text, data, bss = (int(x) for x in out[1].split()[:3])
    return {"bytes": os.path.getsize(binary), "text": text, "data": data, "bss": bss}


# --- processes ----------------------------------------------------------------------------------------------


def starttime(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def remember(*pids):
    for pid in pids:
        seen.setdefault(pid, starttime(pid))


def start(argv):
    """argv as PID 1 of a new pid namespace (bench.start_as_pid1: returns once the init has a child)."""
    process, pid = bench.start_as_pid1(argv)
    started.append(process)
    remember(pid)
    return process, pid


def stop(process, pid):
    """SIGKILL to the init ends its pid namespace. unshare returns once it has reaped the init, which is after
    the kernel has killed and reaped everything else in the namespace; only if that takes over 10 s is
    unshare's session killed (killing unshare first would let the dying init outlive it)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log(f"  warning: {pid} did not end within 10 s of SIGKILL; killing unshare's session")
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def wait_children(pid, count, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = bench.children(pid)
        if len(kids) >= count:
            remember(*kids)
            return kids
        time.sleep(0.02)
    raise RuntimeError(f"expected {count} children of {pid}, have {len(bench.children(pid))}")


def memory(pid):
    fields = bench.status_fields(pid)
    kb = {key: int(fields[key].split()[0]) for key in ("VmRSS", "RssAnon", "RssFile", "RssShmem")}
    kb["Threads"] = int(fields["Threads"])
    return kb


def leftovers():
    """Processes seen during the run that still exist (same pid and start time)."""
    return [pid for pid, t in seen.items() if t is not None and starttime(pid) == t]


def cleanup():
    for process in started:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
    for pid in leftovers():  # only pids this run saw, identified by their start time
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- health listener ----------------------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """True once a socket listens on 127.0.0.1:port (read from /proc/net/tcp: no request to pcinit)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and local == f"0100007F:{port:04X}":
                return True
    return False


def livez(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        response = b""
        while chunk := s.recv(4096):
            response += chunk
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.") else 0


# --- measurements -------------------------------------------------------------------------------------------


def idle_single(name, argv, binary):
    """One cold run: BINARY -- sleep 1000 as PID 1; memory once the child exists and 1 s has passed."""
    drop_from_cache(binary)
    process, pid = start(argv + ["sleep", "1000"])
    try:
        wait_children(pid, 1)
        time.sleep(1.0)
        result = memory(pid)
    finally:
        stop(process, pid)
    log(f"  {name}: VmRSS {result['VmRSS']} kB (anon {result['RssAnon']}, file {result['RssFile']}), "
        f"{result['Threads']} thread(s)")
    return result


def write_config(work, count):
    path = os.path.join(work, f"services-{count}.yml")
    with open(path, "w") as f:
        f.write("processes:\n")
        for i in range(count):
            f.write(f'  s{i:02d}:\n    command: "sleep 1000"\n')
    return path


def remove_stale(path):
    """The previous run's socket file (its pcinit was killed): the next check must see the new one."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def config_argv(binary, config, work, port):
    return [binary, "-f", config, "--health-addr", f"127.0.0.1:{port}", "--socket", os.path.join(work, "pcinit.sock")]


def idle_config(binary, work, count):
    """One cold run of pcinit -f (COUNT sleeping services) with a health listener and a control socket."""
    drop_from_cache(binary)
    port = free_port()
    sock = os.path.join(work, "pcinit.sock")
    remove_stale(sock)
    process, pid = start(config_argv(binary, write_config(work, count), work, port))
    try:
        wait_children(pid, count)
        deadline = time.monotonic() + 10
        while not (listening(port) and os.path.exists(sock)):
            if time.monotonic() > deadline:
                raise RuntimeError("pcinit's health listener or control socket did not come up")
            time.sleep(0.02)
        time.sleep(1.0)
        before = memory(pid)
        code = livez(port)
        if code != 200:
            raise RuntimeError(f"GET /livez answered {code}")
        time.sleep(0.2)
        after = memory(pid)
    finally:
        stop(process, pid)
    log(f"  pcinit, {count} services: VmRSS {before['VmRSS']} kB before /livez, {after['VmRSS']} kB after "
        f"(anon {after['RssAnon']}, file {after['RssFile']}), {after['Threads']} thread(s)")
    return before, after


def median_of(samples, key):
    return statistics.median(s[key] for s in samples)


def summary(samples):
    """Medians of each field over the runs, plus min and max VmRSS."""
    rss = [s["VmRSS"] for s in samples]
    result = {key: median_of(samples, key) for key in samples[0]}
    result["min"], result["max"] = min(rss), max(rss)
    return result


def wakeups(table, config, seconds):
    """Context switches over SECONDS of idling, every init side by side (warm: not a memory figure)."""
    running = {}
    try:
        for name, argv in table.items():
            running[name] = start(argv + ["sleep", "1000"])
        remove_stale(config[config.index("--socket") + 1])
        running["pcinit-config"] = start(config)
        wait_children(running["pcinit-config"][1], SERVICES_FEW)
        time.sleep(1.0)
        before = {name: bench.switches(pid) for name, (_, pid) in running.items()}
        time.sleep(seconds)
        return {name: bench.switches(pid) - before[name] for name, (_, pid) in running.items()}
    finally:
        for process, pid in running.values():
            stop(process, pid)


def latency(table, runs):
    """`INIT -- true` wall time (not PID 1), interleaved rounds in a shuffled order, 10 warm-up rounds."""
    true = shutil.which("true")
    devnull = os.open("/dev/null", os.O_RDWR)
    samples = {name: [] for name in table}
    try:
        for round_number in range(runs + 10):
            order = list(table)
            random.shuffle(order)
            for name in order:
                elapsed, code = bench.spawn_and_wait(table[name] + [true], devnull)
                if code != 0:
                    raise RuntimeError(f"{name} -- true exited {code}")
                if round_number >= 10:
                    samples[name].append(elapsed / 1e6)
    finally:
        os.close(devnull)
    for name, s in samples.items():
        q = statistics.quantiles(s, n=10)
        log(f"  {name}: median {statistics.median(s):.3f} ms, p10 {q[0]:.3f}, p90 {q[-1]:.3f}")
    return {name: statistics.median(s) for name, s in samples.items()}


# --- main ---------------------------------------------------------------------------------------------------


def preflight(pcinit):
    if not os.path.isfile(pcinit) or not os.access(pcinit, os.X_OK):
        sys.exit(f"footprint.py: {pcinit} not found or not executable. Build it first "
                 "(`flock /tmp/pcinit-cpu.lock swift build -c release --product pcinit`) or pass --pcinit PATH.")
    if os.geteuid() != 0:
        sys.exit("footprint.py: run as root (unshare --pid, apt-get)")
    for tool in ("unshare", "strip", "size", "cp"):
        if not shutil.which(tool):
            sys.exit(f"footprint.py: {tool} is missing (util-linux, binutils)")
    if subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"]).returncode != 0:
        sys.exit("footprint.py: unshare --pid --fork --mount-proc does not work here")
    missing = [name for name, (path, _) in OTHERS.items() if not os.access(path, os.X_OK)]
    if missing:
        log(f"installing tini dumb-init catatonit (missing: {' '.join(missing)})")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "tini", "dumb-init", "catatonit"], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def met(ok):
    return "yes" if ok else "**no**"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pcinit", default=os.path.join(ROOT, ".build/release/pcinit"))
    parser.add_argument("--runs", type=int, default=3, help="cold RSS runs per figure (median)")
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--latency-runs", type=int, default=200)
    args = parser.parse_args()
    source = os.path.abspath(args.pcinit)
    preflight(source)

    work = tempfile.mkdtemp(prefix="pcinit-footprint-")
    fstype = subprocess.run(["stat", "-f", "-c", "%T", work], capture_output=True, text=True).stdout.strip()
    if fstype in ("tmpfs", "ramfs"):
        log(f"warning: {work} is on {fstype}: its pages cannot be dropped, RSS figures will be warm")
    # Our own copy first (a rebuild during the run must not change what is measured).
    shutil.copy(source, os.path.join(work, "pcinit.orig"))
    original_size = os.path.getsize(source)
    # Neither config nor environment of the caller: pcinit would pick up ./process-compose.yml or PCINIT_*.
    for key in [k for k in os.environ if k.startswith("PCINIT_") or k == "PC_CONFIG_FILES"]:
        del os.environ[key]
    empty = os.path.join(work, "cwd")
    os.mkdir(empty)
    os.chdir(empty)

    binaries, prefixes, warm = {}, {}, None
    for name, path in [("pcinit", os.path.join(work, "pcinit.orig"))] + [(n, p) for n, (p, _) in OTHERS.items()]:
        copy, stripped = cold_copy(path, work, name)
        binaries[name] = copy
        prefixes[name] = [copy] + (["--"] if name == "pcinit" else OTHERS[name][1])
        if name == "pcinit":
            warm = stripped
    sizes = {name: size_of(b) for name, b in binaries.items()}
    linkage = {name: bench.linkage(b) for name, b in binaries.items()}
    try:
        log(f"idle RSS as PID 1 supervising `sleep 1000`, {args.runs} cold runs each (interleaved)")
        single = {name: [] for name in binaries}
        for _ in range(args.runs):
            for name in binaries:
                single[name].append(idle_single(name, prefixes[name], binaries[name]))
        single = {name: summary(s) for name, s in single.items()}

        log("for comparison: pcinit as strip left it in the page cache (warm, not dropped)")
        process, pid = start([warm, "--", "sleep", "1000"])
        wait_children(pid, 1)
        time.sleep(1.0)
        warm_memory = memory(pid)
        stop(process, pid)
        log(f"  warm pcinit: VmRSS {warm_memory['VmRSS']} kB (anon {warm_memory['RssAnon']}, "
            f"file {warm_memory['RssFile']})")

        log(f"config mode: {SERVICES_FEW} and {SERVICES_MANY} services, health listener, control socket, "
            f"{args.runs} cold runs each")
        config = {SERVICES_FEW: ([], []), SERVICES_MANY: ([], [])}
        for _ in range(args.runs):
            for count in config:
                before, after = idle_config(binaries["pcinit"], work, count)
                config[count][0].append(before)
                config[count][1].append(after)
        config = {count: (summary(b), summary(a)) for count, (b, a) in config.items()}

        log(f"wake-ups over {args.idle_seconds:g} s idle, all side by side")
        port = free_port()
        wake = wakeups(prefixes, config_argv(binaries["pcinit"], write_config(work, SERVICES_FEW), work, port),
                       args.idle_seconds)
        log("  " + ", ".join(f"{name} {n}" for name, n in wake.items()))

        log(f"latency: {args.latency_runs} interleaved rounds of `INIT -- true`")
        lat = latency(prefixes, args.latency_runs)
    finally:
        cleanup()
    left = leftovers()
    if left:
        log(f"warning: processes still alive after the cleanup: {left}")
    shutil.rmtree(work, ignore_errors=True)

    base = lat["tini-static"]
    few_after, many_after = config[SERVICES_FEW][1], config[SERVICES_MANY][1]
    few_before = config[SERVICES_FEW][0]
    per_service = (many_after["VmRSS"] - few_after["VmRSS"]) / (SERVICES_MANY - SERVICES_FEW)
    p = single["pcinit"]

    print(f"Machine: {os.cpu_count()} CPUs, kernel {os.uname().release}, load average {os.getloadavg()[0]:.1f} "
          f"at the end, {time.strftime('%Y-%m-%d')}. pcinit {source} ({original_size:,} bytes unstripped). "
          f"Each binary: a stripped copy, dropped from the page cache before each RSS run. Idle: PID 1 "
          f"supervising `sleep 1000`, median of {args.runs} cold runs (VmRSS min–max in brackets); wake-ups "
          f"over {args.idle_seconds:g} s; latency: median of {args.latency_runs} interleaved `INIT -- true`.")
    print()
    print(f"| init | stripped size (bytes) | text / data / bss | linkage | idle VmRSS (kB) | RssAnon | RssFile "
          f"| threads | wake-ups / {args.idle_seconds:g} s | `-- true` median (ms) | × tini-static |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in binaries:
        s, m = sizes[name], single[name]
        print(f"| {name} | {s['bytes']:,} | {s['text']:,} / {s['data']:,} / {s['bss']:,} | {linkage[name]} "
              f"| {m['VmRSS']:,.0f} ({m['min']:,}–{m['max']:,}) | {m['RssAnon']:,.0f} | {m['RssFile']:,.0f} "
              f"| {m['Threads']:.0f} | {wake[name]} | {lat[name]:.3f} | {lat[name] / base:.2f} |")
    print()
    print(f"For comparison, pcinit run from the file strip had just written (page cache as strip left it, not "
          f"dropped): VmRSS {warm_memory['VmRSS']:,} kB (RssAnon {warm_memory['RssAnon']:,}, RssFile "
          f"{warm_memory['RssFile']:,}).")
    print()

    def rss_text(m):
        return (f"{m['VmRSS']:,.0f} kB ({m['min']:,}–{m['max']:,}; anon {m['RssAnon']:,.0f}, "
                f"file {m['RssFile']:,.0f})")

    rows = [
        ("stripped release binary size", f"{sizes['pcinit']['bytes']:,} bytes (text {sizes['pcinit']['text']:,}, "
         f"data {sizes['pcinit']['data']:,}, bss {sizes['pcinit']['bss']:,})", "≤ 1.5 MB (1,500,000 bytes)",
         met(sizes["pcinit"]["bytes"] <= GOALS["size"])),
        ("idle RSS as PID 1, `pcinit -- sleep 1000`", rss_text(p), "≤ 1,024 kB", met(p["VmRSS"] <= GOALS["rss_sleep"])),
        (f"idle RSS as PID 1, {SERVICES_FEW} services + health listener + control socket, after GET /livez",
         rss_text(few_after), "≤ 1,400 kB", met(few_after["VmRSS"] <= GOALS["rss_config"])),
        ("the same before the first request", rss_text(few_before), "—", ""),
        (f"idle RSS, {SERVICES_MANY} services, after GET /livez", rss_text(many_after), "—", ""),
        (f"per extra idle service (({SERVICES_MANY} − {SERVICES_FEW} services) / {SERVICES_MANY - SERVICES_FEW})",
         f"{per_service:.1f} kB", "≤ 10 kB", met(per_service <= GOALS["per_service"])),
        ("`pcinit -- true` latency, median, ratio to tini-static",
         f"{lat['pcinit']:.3f} vs {base:.3f} ms: {lat['pcinit'] / base:.2f}×", "≤ 1.2×",
         met(lat["pcinit"] <= GOALS["latency"] * base)),
        (f"idle wake-ups over {args.idle_seconds:g} s, `-- sleep` / config mode ({SERVICES_FEW} services)",
         f"{wake['pcinit']} / {wake['pcinit-config']}", "0", met(wake["pcinit"] == 0 and wake["pcinit-config"] == 0)),
        ("threads, `-- sleep` / config mode", f"{p['Threads']:.0f} / {few_after['Threads']:.0f}", "1",
         met(p["Threads"] == 1 and few_after["Threads"] == 1)),
    ]
    print("| figure (pcinit) | result | goal | met? |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if left:
        sys.exit(1)


if __name__ == "__main__":
    main()
