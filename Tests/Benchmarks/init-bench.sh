#!/usr/bin/env bash
# Benchmark pcinit against tini, tini-static, dumb-init and catatonit (single-command mode).
#
# usage (as root, from anywhere):  Tests/Benchmarks/init-bench.sh [PCINIT_BINARY]
#   Without an argument it builds `swift build -c release --product pcinit` in this checkout.
#   Tunables (environment): LATENCY_RUNS=200 IDLE_SECONDS=10 BURST_RUNS=9 BURST_SIZE=10000
#
# Measures, side by side: binary size and linkage; idle RSS/PSS and thread count as PID 1 of a new pid
# namespace (`unshare --pid --fork --mount-proc`) supervising `sleep`; wake-ups (voluntary + nonvoluntary
# context switches) over IDLE_SECONDS of idling; `init -- true` latency (interleaved runs, median, ratio
# to tini); and the time a PID 1 takes from the start of a BURST_SIZE-orphan burst to its own exit
# (median, ratio to tini). Prints a markdown table. Takes about 2 minutes plus the build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
    echo "init-bench.sh: run as root (it needs unshare --pid and apt-get)" >&2
    exit 2
fi
if ! unshare --pid --fork --mount-proc true; then
    echo "init-bench.sh: unshare --pid --fork --mount-proc does not work here" >&2
    exit 2
fi

missing=()
for tool in tini tini-static dumb-init catatonit; do
    command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing tini dumb-init catatonit (missing: ${missing[*]})" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tini dumb-init catatonit > /dev/null
fi

if [ $# -ge 1 ]; then
    pcinit=$1
else
    echo "building pcinit (release)" >&2
    (cd "$root" && swift build -c release --product pcinit >&2)
    pcinit="$(cd "$root" && swift build -c release --show-bin-path)/pcinit"
fi
[ -x "$pcinit" ] || { echo "init-bench.sh: $pcinit is not executable" >&2; exit 2; }
"$pcinit" --version >&2

python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3
exec "$python" "$here/bench.py" --pcinit "$pcinit" \
    --latency-runs "${LATENCY_RUNS:-200}" --idle-seconds "${IDLE_SECONDS:-10}" \
    --burst-runs "${BURST_RUNS:-9}" --burst-size "${BURST_SIZE:-10000}"
