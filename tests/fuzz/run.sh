#!/bin/sh
# Runs the fuzz targets named on the command line (make fuzz): each for
# FUZZ_SECONDS, FUZZ_JOBS at a time, from its seeds in
# tests/fuzz/corpus/<name>/ plus what earlier runs found in
# build-fuzz/runs/<name>/corpus/ (where new inputs go; the seeds are never
# written to), with tests/fuzz/<name>.dict when there is one.  Crashes, leaks, timeouts and out-of-memory inputs go to
# build-fuzz/runs/<name>/crashes/; libFuzzer stops a target at its first.
# Prints per target: seconds, executions, new inputs, crashes and where
# the log is; exits 1 when any target crashed.
# FUZZ_OPTIONS: more libFuzzer flags (e.g. -max_len=65536).
cd "$(dirname "$0")/../.." || exit 2
: "${FUZZ_SECONDS:=60}"
: "${FUZZ_JOBS:=2}"
runs=build-fuzz/runs

run_one() {
    name=$1
    dir=$runs/$name
    mkdir -p "$dir/corpus" "$dir/crashes"
    before=$(ls "$dir/corpus" | wc -l)
    dict=
    [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
    start=$(date +%s)
    # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: a bound
    # for memory the reader lets an input make it allocate.
    # shellcheck disable=SC2086
    build-fuzz/fuzz/fuzz_"$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/crashes/" $dict $FUZZ_OPTIONS \
        "$dir/corpus" "tests/fuzz/corpus/$name" >"$dir/log" 2>&1
    status=$?
    end=$(date +%s)
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    after=$(ls "$dir/corpus" | wc -l)
    crashes=$(ls "$dir/crashes" | wc -l)
    printf '%-13s %5s s  %10s executions  %5s new inputs  %s crashes  (exit %s, %s)\n' \
        "$name" $((end - start)) "${executions:-?}" $((after - before)) "$crashes" "$status" \
        "$dir/log" >"$dir/summary"
}

pending=""
for name in "$@"; do
    if [ ! -x "build-fuzz/fuzz/fuzz_$name" ]; then
        echo "fuzz: no target build-fuzz/fuzz/fuzz_$name" >&2
        exit 2
    fi
done
echo "fuzz: $# targets, $FUZZ_SECONDS s each, $FUZZ_JOBS at a time"
# Batches of FUZZ_JOBS targets (POSIX sh has no job pool).
while [ $# -gt 0 ]; do
    batch=0
    while [ $# -gt 0 ] && [ $batch -lt "$FUZZ_JOBS" ]; do
        rm -f "$runs/$1/summary"
        run_one "$1" &
        pending="$pending $1"
        batch=$((batch + 1))
        shift
    done
    wait
done
failed=0
for name in $pending; do
    cat "$runs/$name/summary"
    grep -q ' 0 crashes' "$runs/$name/summary" || failed=1
done
[ $failed -eq 0 ] || echo "fuzz: crashes found: reproduce with build-fuzz/fuzz/fuzz_NAME FILE"
exit $failed
