#!/usr/bin/env bash
# libFuzzer targets for pcinit's parsers (see README.md in this directory).
#   Tests/Fuzz/run.sh TARGET [libFuzzer args...]   build TARGET (config, health, control, dotenv) and fuzz it
#   Tests/Fuzz/run.sh build [TARGET...]            only build (all four by default)
#   Tests/Fuzz/run.sh smoke                        build all four, run each briefly from its corpus; non-zero on
#                                                  any crash, leak, timeout or out-of-memory
# Each target is one executable compiled straight from Sources with swiftc (no SwiftPM target, so neither
# Package.swift nor the shipped binary changes). Outputs go under .build/fuzz/: the binaries, work/TARGET (the
# corpus libFuzzer grows; the checked-in seeds in corpus/TARGET are only read) and artifacts/TARGET/ (crashes).
# FUZZ_SMOKE_SECONDS (default 10) is how long smoke runs each target.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzz_dir=Tests/Fuzz
self=$fuzz_dir/run.sh
out=.build/fuzz
targets=(config health control dotenv)

sources_of() {
    case "$1" in
        config | control | dotenv) find Sources/InitCore -name '*.swift' | LC_ALL=C sort ;;
        health) echo Sources/InitSystem/Health/HealthRequest.swift ;;
        *) echo "run.sh: unknown target '$1' (expected one of: ${targets[*]})" >&2; return 1 ;;
    esac
}

harness_of() {
    case "$1" in
        config) echo "$fuzz_dir/FuzzConfig.swift" ;;
        health) echo "$fuzz_dir/FuzzHealth.swift" ;;
        control) echo "$fuzz_dir/FuzzControl.swift" ;;
        dotenv) echo "$fuzz_dir/FuzzDotEnv.swift" ;;
    esac
}

# Only one compile at a time on a shared machine: take the same lock as the other builds when flock exists.
locked() {
    if command -v flock >/dev/null; then flock /tmp/pcinit-cpu.lock "$@"; else "$@"; fi
}

build() {
    local target=$1 binary="$out/fuzz-$1"
    local files
    files=$(sources_of "$target")
    files="$files $(harness_of "$target")"
    mkdir -p "$out"
    # shellcheck disable=SC2086 # one word per file; the paths have no spaces
    if [ -x "$binary" ] && [ -z "$(find $files "$self" -newer "$binary" 2>/dev/null | head -n 1)" ]; then return 0; fi
    echo "run.sh: building $binary" >&2
    # shellcheck disable=SC2086
    locked swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz_$target" \
        -use-ld=lld -Xlinker -lm -o "$binary.tmp" $files
    mv "$binary.tmp" "$binary"
}

run() {
    local target=$1
    shift
    build "$target"
    mkdir -p "$out/work/$target" "$out/artifacts/$target"
    local args=(-rss_limit_mb=2048 -timeout=10 -max_len=4096 -artifact_prefix="$out/artifacts/$target/")
    [ -f "$fuzz_dir/$target.dict" ] && args+=(-dict="$fuzz_dir/$target.dict")
    # Given a file or directory (reproducing a crash, minimising), use only what was given.
    local arg own_inputs=false
    for arg in "$@"; do [[ $arg == -* ]] || own_inputs=true; done
    $own_inputs || set -- "$@" "$out/work/$target" "$fuzz_dir/corpus/$target"
    # The Swift runtime's crash handler would take a trap first and, under AddressSanitizer, hang or crash in its
    # own memory reader: let libFuzzer see the signal, print the stack and save the input.
    SWIFT_BACKTRACE=enable=no exec "$out/fuzz-$target" "${args[@]}" "$@"
}

case "${1:-}" in
    "" | -h | --help)
        sed -n '2,10p' "$self" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
    build)
        shift
        for target in "${@:-${targets[@]}}"; do build "$target"; done
        ;;
    smoke)
        for target in "${targets[@]}"; do build "$target"; done
        failed=()
        for target in "${targets[@]}"; do
            echo "run.sh: smoke $target (${FUZZ_SMOKE_SECONDS:-10}s)" >&2
            log="$out/smoke-$target.log"
            if (run "$target" -max_total_time="${FUZZ_SMOKE_SECONDS:-10}" -seed=1 -print_final_stats=1) >"$log" 2>&1; then
                grep -E '^(Done|stat::number_of_executed_units)' "$log" | sed "s/^/run.sh: $target: /" >&2 || true
            else
                tail -n 40 "$log" >&2
                failed+=("$target")
            fi
        done
        if [ ${#failed[@]} -gt 0 ]; then
            echo "run.sh: smoke failed: ${failed[*]} (logs in $out/smoke-*.log, inputs in $out/artifacts/)" >&2
            exit 1
        fi
        echo "run.sh: smoke passed: ${targets[*]}" >&2
        ;;
    *) run "$@" ;;
esac
