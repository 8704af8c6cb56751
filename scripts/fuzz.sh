#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer: builds Fuzz/ (the fuzz targets with
# -sanitize=fuzzer,address) and runs each target for SECONDS, one after another.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]      default: all, 60 seconds each
#
# Environment: FUZZ_TIMEOUT (seconds one input may take before it counts as a hang, default 10),
# FUZZ_ARGS (more libFuzzer flags, e.g. "-max_len=8192").
# Everything goes under .build-fuzz/ (git-ignored): runs/TARGET/corpus keeps what libFuzzer
# found, so the next run starts from there; runs/TARGET/crashes holds crash-*, timeout-* and
# oom-* inputs (replay one with `LLM_COST_FUZZ_TARGET=TARGET .build-fuzz/release/llm-cost-fuzz FILE`);
# runs/TARGET/log is libFuzzer's output.
set -euo pipefail
cd "$(dirname "$0")/.."

selection=${1:-all}
seconds=${2:-60}
hang_timeout=${FUZZ_TIMEOUT:-10}
build=.build-fuzz
binary=$build/release/llm-cost-fuzz
case $seconds in '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac

echo "building the fuzz targets (-sanitize=fuzzer,address) in $build/ ..." >&2
mkdir -p "$build"
LLM_COST_FUZZ_BUILD=1 swift build --package-path Fuzz --build-path "$build" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld >"$build/build.log" 2>&1 || { tail -n 30 "$build/build.log" >&2; exit 1; }

# One line per target: its name, then the wire formats whose shared recordings seed it.
listing=$(LLM_COST_FUZZ_LIST=1 "$binary")
if [ "$selection" = all ]; then
    targets=$(cut -d' ' -f1 <<<"$listing")
elif grep -q "^$selection\( \|$\)" <<<"$listing"; then
    targets=$selection
else
    echo "fuzz.sh: unknown target '$selection' (expected all or one of: $(cut -d' ' -f1 <<<"$listing" | tr '\n' ' '))" >&2
    exit 2
fi

status=0
printf '%-24s %12s %8s %8s %8s %8s\n' target executions cov ft crashes hangs
for target in $targets; do
    run=$build/runs/$target
    mkdir -p "$run/corpus" "$run/seeds" "$run/crashes"
    touch "$run/started"
    # (Leak checks are for the inputs, not for this short-lived process's exit.)
    ASAN_OPTIONS=detect_leaks=0 LLM_COST_FUZZ_TARGET=$target LLM_COST_FUZZ_WRITE_SEEDS=$run/seeds "$binary"
    corpora=("$run/corpus" "$run/seeds")
    for format in $(grep "^$target " <<<"$listing" | cut -d' ' -f2-); do
        [ -d "../shared/wire/$format" ] && corpora+=("../shared/wire/$format")
    done
    # Fork mode goes on after a crash or a hang, so one run counts them all. Swift's own
    # backtracer is off: AddressSanitizer and libFuzzer report crashes.
    # shellcheck disable=SC2086
    SWIFT_BACKTRACE=enable=no LLM_COST_FUZZ_TARGET=$target "$binary" "${corpora[@]}" \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -timeout="$hang_timeout" -artifact_prefix="$run/crashes/" \
        ${FUZZ_ARGS:-} >"$run/log" 2>&1 || true
    # Fork mode's status lines: "#RUNS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: O/T/C time: ...".
    last=$(grep -E '^#[0-9]+: cov:' "$run/log" | tail -n 1 || true)
    executions=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last")
    ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")
    # This run's findings only: crashes (failed invariants included), leaks and memory blow-ups; hangs.
    crashes=$(find "$run/crashes" \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' \) -newer "$run/started" | wc -l)
    hangs=$(find "$run/crashes" -name 'timeout-*' -newer "$run/started" | wc -l)
    printf '%-24s %12s %8s %8s %8s %8s\n' "$target" "${executions:-?}" "${cov:-?}" "${ft:-?}" "$crashes" "$hangs"
    if [ -z "$last" ] || [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
        status=1
        echo "  see $run/log and $run/crashes/" >&2
    fi
done
exit $status
