#!/bin/sh
# make bench: measured figures, never pass/fail.  Each section prints its
# figures next to baselines run in the same session.
#   BENCH_APPS (default 10000)  size of the generated round
#   BENCH_SEED (default 7)      its seed (another seed: a held-out round)
#   BENCH_BEFORE=BINARY         also ingest with another build of beishen
#                               (e.g. one built from an older commit), for
#                               before/after figures from the same session
#   BENCH_INGEST_ONLY=1         the ingest section alone
#   BENCH_RUNS=N                the ingest section's timings N times in turn;
#                               medians (default 1)
#   BENCH_NO_SCHEMA_INSERT=1    leave out the slow real-schema insert baseline
set -e
cd "$(dirname "$0")/../.."
apps=${BENCH_APPS:-10000}
seed=${BENCH_SEED:-7}
work=tests/bench/work
mkdir -p "$work"
round="$work/round-$apps"
[ "$seed" = 7 ] || round="$work/round-$apps-seed$seed"
if [ ! -f "$round/manifest.json" ]; then
    echo "generating a $apps-application round (seed $seed) into $round ..."
    rm -rf "$round.tmp"
    build/generate --seed "$seed" --apps "$apps" --out "$round.tmp"
    mv "$round.tmp" "$round"
fi

# peak RSS (kB) and wall seconds of a command, from GNU time's format
timed() {
    /usr/bin/time -f '%e %M' -o "$work/time.out" "$@" >"$work/cmd.out" 2>"$work/cmd.err" || {
        cat "$work/cmd.err"; exit 1; }
    read -r seconds rss <"$work/time.out"
}

bytes=$(du -sb "$round/applications" | cut -f1)
echo
echo "== ingest: $apps applications (seed $seed), $(echo "$bytes" | awk '{printf "%.0f", $1/1048576}') MB of application JSON"
fresh() { rm -rf "$1" "$1-wal" "$1-shm" "$1.files" "$1.ingest-lock"; }
# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# BENCH_RUNS rounds of every timing, in turn (ingest, parse, plain, insert,
# before, ingest, …), so that the machine's slow moments fall on all of
# them; the medians are printed.
runs=${BENCH_RUNS:-1}
: >"$work/ingest.s"; : >"$work/parse.s"; : >"$work/plain.s"; : >"$work/insert.s"; : >"$work/before.s"
run=0
while [ $run -lt "$runs" ]; do
    fresh "$work/bench.db"
    timed ./beishen ingest --db "$work/bench.db" "$round"
    echo "$seconds" >>"$work/ingest.s"; ingest_rss=$rss
    timed build/bench/parse_only "$round"
    awk '{print $3}' "$work/cmd.out" >>"$work/parse.s"
    fresh "$work/plain.db"
    timed build/bench/insert_only --plain "$work/bench.db" "$work/plain.db"
    awk '{print $2}' "$work/cmd.out" >>"$work/plain.s"
    fresh "$work/plain.db"
    if [ -z "${BENCH_NO_SCHEMA_INSERT:-}" ]; then
        fresh "$work/insert.db"
        timed build/bench/insert_only "$work/bench.db" "$work/insert.db"
        awk '{print $2}' "$work/cmd.out" >>"$work/insert.s"
        fresh "$work/insert.db"
    fi
    if [ -n "${BENCH_BEFORE:-}" ]; then
        fresh "$work/before.db"
        timed "$BENCH_BEFORE" ingest --db "$work/before.db" "$round"
        echo "$seconds" >>"$work/before.s"
        fresh "$work/before.db"
    fi
    run=$((run + 1))
done
rows=$(sqlite3 "$work/bench.db" "SELECT count(*) FROM courses")
timed ./beishen ingest --db "$work/bench.db" "$round"
reingest_s=$seconds
ingest_s=$(median <"$work/ingest.s"); parse_s=$(median <"$work/parse.s"); plain_s=$(median <"$work/plain.s")
insert_s=0; [ -s "$work/insert.s" ] && insert_s=$(median <"$work/insert.s")
before_s=0; [ -s "$work/before.s" ] && before_s=$(median <"$work/before.s")
[ "$runs" -gt 1 ] && echo "medians of $runs runs each; ingest runs: $(tr '\n' ' ' <"$work/ingest.s")"
awk -v a="$apps" -v r="$rows" -v b="$bytes" -v i="$ingest_s" -v p="$parse_s" -v n="$insert_s" \
    -v pl="$plain_s" -v re="$reingest_s" -v rss="$ingest_rss" -v bf="$before_s" 'BEGIN {
    printf "ingest            %7.2f s  %8.0f applications/s  %9.0f course rows/s  %6.1f MB/s  peak RSS %d MB\n", i, a/i, r/i, b/1048576/i, rss/1024
    printf "baseline parse    %7.2f s  (jansson only)\n", p
    printf "baseline plain    %7.2f s  (the same rows into plain tables: no key, index or trigger; a transaction per application)\n", pl
    if (n > 0)
        printf "baseline insert   %7.2f s  (the same rows into the real schema, indexes and triggers; a transaction per application)\n", n
    printf "ingest / (parse + plain insert) = %.2f   (goal <= 2)\n", i/(p+pl)
    if (n > 0)
        printf "ingest / (parse + insert)       = %.2f\n", i/(p+n)
    if (bf > 0)
        printf "before: %s  %7.2f s  %8.0f applications/s  before / (parse + plain insert) = %.2f;  after is %.2fx as fast\n", ENVIRON["BENCH_BEFORE"], bf, a/bf, bf/(p+pl), bf/i
    printf "re-ingest unchanged %5.2f s   first / re-ingest = %.1fx   (goal >= 10x)\n", re, i/(re>0?re:0.01)
}'
[ -n "${BENCH_INGEST_ONLY:-}" ] && exit 0

# Peak RSS must stay flat in the number of applications: ingest a tenth.
small="$work/round-small"
if [ ! -f "$small/manifest.json" ]; then
    rm -rf "$small.tmp"; build/generate --seed 8 --apps $((apps / 10)) --out "$small.tmp"; mv "$small.tmp" "$small"
fi
fresh "$work/small.db"
timed ./beishen ingest --db "$work/small.db" "$small"
echo "peak RSS: $((rss / 1024)) MB at $((apps / 10)) applications, $((ingest_rss / 1024)) MB at $apps"

for section in tests/bench/bench_*.sh; do
    [ -f "$section" ] && BENCH_DB="$work/bench.db" BENCH_ROUND="$round" sh "$section"
done
