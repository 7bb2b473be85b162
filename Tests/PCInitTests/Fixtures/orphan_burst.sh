#!/bin/sh
# usage: orphan_burst.sh N     (run as the command of a PID 1 init)
# Makes N orphans: each `( true & )` forks a subshell that forks a background job and exits at once, so the
# job is re-parented to the init, which must reap it. Then waits (up to 10 s) until this pid namespace holds
# no zombie and no process besides PID 1 and this script, and prints `spawned=N`, `zombies=K`, `others=K`.
n=$1
i=0
while [ "$i" -lt "$n" ]; do
    (true &)
    i=$((i + 1))
done
echo "spawned=$n"
tries=0
while :; do
    zombies=0
    others=0
    for f in /proc/[0-9]*/stat; do
        read -r line < "$f" 2> /dev/null || continue
        pid=${line%% *}
        [ "$pid" = 1 ] || [ "$pid" = $$ ] && continue
        others=$((others + 1))
        case "${line##*) }" in Z*) zombies=$((zombies + 1)) ;; esac
    done
    if [ "$others" -eq 0 ] || [ "$tries" -ge 100 ]; then break; fi
    tries=$((tries + 1))
    sleep 0.1
done
echo "zombies=$zombies"
echo "others=$others"
