#!/bin/sh
# Comparison-sheet benchmark (run by tests/bench/run.sh with BENCH_DB).
# Figures only, never pass/fail.
#
# `beishen render compare` of 2,000 applicants of one department, on one
# core (taskset -c 0): wall seconds (median of 3 runs), pages, peak RSS
# (GNU time %M; render compare is a single process).  Uses BENCH_DB's
# largest department when it has at least 2,000 applications, restricted to
# its first 2,000 ids passed as APPLICATION arguments; otherwise generates
# and ingests a round large enough, in a temporary directory.
# shellcheck disable=SC2046  # the ids are split into arguments on purpose
cd "$(dirname "$0")/../.." || exit 1
db=${BENCH_DB:-tests/bench/work/bench.db}
want=${BENCH_COMPARE_APPS:-2000}
mkdir -p tests/bench/work
tmp=$(mktemp -d tests/bench/work/compare.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# largest department of $1: sets size and department
largest() {
    read -r size department <<EOF
$(./beishen applicants --db "$1" --json | jq -r 'group_by(.department) | max_by(length) | "\(length) \(.[0].department)"')
EOF
}

echo
size=0
[ -f "$db" ] && largest "$db"
if [ "${size:-0}" -lt "$want" ]; then
    # Two departments share a generated round about evenly.
    apps=$((want * 5 / 2))
    echo "== render compare: $db has no department with $want applications; generating $apps"
    build/generate --seed 11 --apps "$apps" --out "$tmp/round" >/dev/null || exit 1
    db="$tmp/compare.db"
    ./beishen ingest --db "$db" "$tmp/round" >/dev/null 2>"$tmp/ingest.err" || {
        cat "$tmp/ingest.err" >&2; exit 1; }
    largest "$db"
fi
./beishen applicants --db "$db" --department "$department" --json | jq -r ".[0:$want][].id" >"$tmp/ids"
n=$(wc -l <"$tmp/ids")
echo "== render compare: $n of department $department's $size applications ($db), taskset -c 0"

runs=""
rss_max=0
for _ in 1 2 3; do
    rm -f "$tmp/sheet.pdf"
    /usr/bin/time -f '%e %M' -o "$tmp/time" taskset -c 0 \
        ./beishen render compare --db "$db" --department "$department" $(cat "$tmp/ids") \
        -o "$tmp/sheet.pdf" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" "$tmp/time" >&2; exit 1; }
    read -r secs rss <"$tmp/time"
    runs="$runs $secs"
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
done
pages=$(qpdf --show-npages "$tmp/sheet.pdf")
bytes=$(wc -c <"$tmp/sheet.pdf")
median=$(printf "%s\n" $runs | sort -n | sed -n 2p)
awk -v runs="$runs" -v m="$median" -v p="$pages" -v b="$bytes" -v r="$rss_max" -v n="$n" 'BEGIN {
    printf "compare sheet  %6.2f s (median of%s)  %d rows  %d pages  %.0f KB  peak RSS %.0f MB\n",
        m, runs, n, p, b / 1024, r / 1024
    printf "goals: under 2 s, peak RSS under 150 MB\n"
}'
exit 0
