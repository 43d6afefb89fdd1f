#!/bin/sh
# make bench: measured figures, never pass/fail.  Each section prints its
# figures next to baselines run in the same session.
# BENCH_APPS (default 10000) sets the size of the generated round.
set -e
cd "$(dirname "$0")/../.."
apps=${BENCH_APPS:-10000}
work=tests/bench/work
mkdir -p "$work"
round="$work/round-$apps"
if [ ! -f "$round/manifest.json" ]; then
    echo "generating a $apps-application round into $round ..."
    rm -rf "$round.tmp"
    build/generate --seed 7 --apps "$apps" --out "$round.tmp"
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
echo "== ingest: $apps applications, $(echo "$bytes" | awk '{printf "%.0f", $1/1048576}') MB of application JSON"
rm -rf "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm" "$work/bench.db.files"
timed ./beishen ingest --db "$work/bench.db" "$round"
ingest_s=$seconds; ingest_rss=$rss
rows=$(sqlite3 "$work/bench.db" "SELECT count(*) FROM courses")
timed ./beishen ingest --db "$work/bench.db" "$round"
reingest_s=$seconds
timed build/bench/parse_only "$round"
parse_s=$(awk '{print $3}' "$work/cmd.out")
rm -f "$work/insert.db" "$work/insert.db-wal" "$work/insert.db-shm"
timed build/bench/insert_only "$work/bench.db" "$work/insert.db"
insert_s=$(awk '{print $2}' "$work/cmd.out")
awk -v a="$apps" -v r="$rows" -v b="$bytes" -v i="$ingest_s" -v p="$parse_s" -v n="$insert_s" \
    -v re="$reingest_s" -v rss="$ingest_rss" 'BEGIN {
    printf "ingest            %7.2f s  %8.0f applications/s  %9.0f course rows/s  %6.1f MB/s  peak RSS %d MB\n", i, a/i, r/i, b/1048576/i, rss/1024
    printf "baseline parse    %7.2f s  (jansson only)\n", p
    printf "baseline insert   %7.2f s  (the same rows, only inserted)\n", n
    printf "ingest / (parse + insert) = %.2f   (goal <= 1.5)\n", i/(p+n)
    printf "re-ingest unchanged %5.2f s   first / re-ingest = %.1fx   (goal >= 10x)\n", re, i/(re>0?re:0.01)
}'

# Peak RSS must stay flat in the number of applications: ingest a tenth.
small="$work/round-small"
if [ ! -f "$small/manifest.json" ]; then
    rm -rf "$small.tmp"; build/generate --seed 8 --apps $((apps / 10)) --out "$small.tmp"; mv "$small.tmp" "$small"
fi
rm -rf "$work/small.db" "$work/small.db-wal" "$work/small.db-shm" "$work/small.db.files"
timed ./beishen ingest --db "$work/small.db" "$small"
echo "peak RSS: $((rss / 1024)) MB at $((apps / 10)) applications, $((ingest_rss / 1024)) MB at $apps"

for section in tests/bench/bench_*.sh; do
    [ -f "$section" ] && BENCH_DB="$work/bench.db" BENCH_ROUND="$round" sh "$section"
done
