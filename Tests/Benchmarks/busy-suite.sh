#!/usr/bin/env bash
# The suite on a busy machine: N full `swift test` runs in a row while two CPU hogs run, then the hogs are
# killed by pid. Usage: Tests/Benchmarks/busy-suite.sh [N]   (default 5; summary in /tmp/busy-suite.out)
set -u
cd "$(dirname "$0")/../.."
runs=${1:-5}
[ -x .build/test-venv/bin/python3 ] && export PCINIT_TEST_PYTHON="$PWD/.build/test-venv/bin/python3"
# As CI: the black-box tests run the release binary.
export PCINIT_TEST_BIN="$PWD/.build/test-venv/bin" PCINIT_RELEASE_BINARY="$PWD/.build/release/pcinit"
export PCINIT_BINARY="$PCINIT_RELEASE_BINARY"
swift build -c release --product pcinit 2>&1 | tail -n 1
swift build --build-tests 2>&1 | tail -n 1
pids=""
for _ in 1 2; do (while :; do :; done) & pids="$pids $!"; done
trap 'kill $pids 2>/dev/null' EXIT
: >/tmp/busy-suite.out
for n in $(seq 1 "$runs"); do
    start=$(date +%s)
    SWIFT_BACKTRACE=enable=no swift test --skip-build >"/tmp/busy-suite-$n.log" 2>&1
    status=$?
    echo "run $n: exit $status, $(($(date +%s) - start)) s: $(grep -E 'Test run with' "/tmp/busy-suite-$n.log" | tail -n 1)" |
        tee -a /tmp/busy-suite.out
done
