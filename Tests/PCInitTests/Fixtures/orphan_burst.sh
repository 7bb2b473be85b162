#!/bin/sh
# usage: orphan_burst.sh N
# Makes N orphans: each `( true & )` forks a subshell that forks a background job and exits at once,
# so the job is re-parented to the init. Then waits (up to 10 s) for the init to reap them all and
# prints `zombies=K` (K counted in this pid namespace's /proc) and `others=K` (processes other than
# PID 1 and this script still present).
n=$1
i=0
while [ "$i" -lt "$n" ]; do
    (true &)
    i=$((i + 1))
done
echo "spawned=$n"
count_zombies() {
    z=0
    for f in /proc/[0-9]*/stat; do
        read -r line < "$f" 2>/dev/null || continue
        case "${line##*) }" in Z*) z=$((z + 1)) ;; esac
    done
    echo "$z"
}
tries=0
while :; do
    zombies=$(count_zombies)
    if [ "$zombies" -eq 0 ] || [ "$tries" -ge 100 ]; then break; fi
    tries=$((tries + 1))
    sleep 0.1
done
others=0
for d in /proc/[0-9]*; do
    p=${d#/proc/}
    [ "$p" = 1 ] || [ "$p" = $$ ] || [ ! -e "$d/stat" ] && continue
    others=$((others + 1))
done
echo "zombies=$zombies"
echo "others=$others"
