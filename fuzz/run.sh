#!/usr/bin/env bash
# Builds the libFuzzer harnesses with -sanitize=fuzzer,address and runs each for SECONDS
# (default 30), one after another. A crash (or a violated property, which traps) is copied
# to fuzz/findings/ and makes the script exit 1 once every harness has run.
#
#   fuzz/run.sh [SECONDS] [HARNESS…]      e.g. fuzz/run.sh 60 FuzzFormBody
#
# The seeds of fuzz/corpus/<harness>/ are read, never written: new inputs go to a working
# corpus in fuzz/.build-fuzz/corpus/<harness>/, kept between runs.
#
# TIDINGS_FUZZ_SEED=N fixes libFuzzer's random seed, so that a run from the same corpus takes
# the same path: CI sets it, so that a submission fails on what it changed, not on where a
# random walk happened to go that day. Long runs by hand leave it unset and explore.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
shift || true
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
    harnesses=(FuzzFormBody FuzzSignatureValidator FuzzStatusCallback FuzzDeliveryReceiptDate FuzzStoredChange FuzzSinkSpecification FuzzMessagingEvents)
fi
scratch=.build-fuzz
mkdir -p "$scratch"

# -parse-as-library: the harnesses have no top-level code; each defines <Module>_main,
# the name SwiftPM links as main, which hands over to libFuzzer's LLVMFuzzerRunDriver.
# One product per `swift build` (it takes one --product); they share everything else.
build=(swift build -c debug --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
echo "fuzz: ${build[*]} --product HARNESS"
for harness in "${harnesses[@]}"; do
    if ! "${build[@]}" --product "$harness" > "$scratch.build.log" 2>&1; then
        grep -v -e "Cannot export local symbol" "$scratch.build.log" | tail -30
        echo "fuzz: building $harness failed"
        exit 2
    fi
done
bin="$("${build[@]}" --show-bin-path)"

# Swift's own crash backtracer is slow under ASan and trips it; libFuzzer reports instead.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
mkdir -p findings
crashed=()
for harness in "${harnesses[@]}"; do
    work="$scratch/corpus/$harness"
    artifacts="$scratch/artifacts/$harness/"
    mkdir -p "$work" "$artifacts" "corpus/$harness"
    log="$scratch/$harness.log"
    echo "fuzz: $harness for ${seconds}s (log: fuzz/$log)"
    status=0
    "$bin/$harness" ${TIDINGS_FUZZ_SEED:+-seed="$TIDINGS_FUZZ_SEED"} -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 -print_final_stats=1 \
        -artifact_prefix="$artifacts" "$work" "corpus/$harness" > "$log" 2>&1 || status=$?
    grep -a -E "^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::average_exec_per_sec" "$log" | sed "s/^/fuzz:   /" || true
    # A timeout counts only when its input is slow again on its own: libFuzzer's alarm also
    # fires when the whole machine stalls (seen here: an input that runs in milliseconds
    # reported after "19 seconds" on a harness doing 25,000 runs a second).
    stalls=0
    for file in $(find "$artifacts" -type f -name 'timeout-*' 2>/dev/null); do
        if "$bin/$harness" -timeout=10 -runs=1 "$file" > "$log.rerun" 2>&1; then
            echo "fuzz:   a timeout that does not come back when its input runs alone (the machine stalled): $(basename "$file")"
            rm -f "$file"
            stalls=$((stalls + 1))
        fi
    done
    found=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null)
    # The fuzzer's exit status is the timeout's when a stall was all it found.
    if [ "$stalls" -gt 0 ] && [ -z "$found" ]; then status=0; fi
    if [ "$status" -ne 0 ] || [ -n "$found" ]; then
        crashed+=("$harness")
        for file in $found; do
            cp "$file" "findings/$harness-$(basename "$file")"
            echo "fuzz:   FOUND fuzz/findings/$harness-$(basename "$file")"
            rm -f "$file"
        done
        grep -a -m 3 -E "Fatal error|ERROR: (AddressSanitizer|libFuzzer)" "$log" | sed "s/^/fuzz:   /" || true
    fi
done
if [ ${#crashed[@]} -gt 0 ]; then
    echo "fuzz: crashed: ${crashed[*]} (inputs in fuzz/findings/, logs in fuzz/$scratch/)"
    exit 1
fi
echo "fuzz: no findings"
