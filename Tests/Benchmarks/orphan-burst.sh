#!/bin/sh
# usage: orphan-burst.sh N
# The burst workload of init-bench.sh: N orphans as fast as dash can fork them. Each `( true & )` forks a
# subshell that forks a background job and exits at once, so the job is re-parented to the init (PID 1 of
# the benchmark's pid namespace), which has to reap it. The script exits right after the last fork.
n=${1:-10000}
i=0
while [ "$i" -lt "$n" ]; do
    (true &)
    i=$((i + 1))
done
