#!/bin/sh
# Review scoring benchmark (run by tests/bench/run.sh; also on its own, from
# the repository root: sh tests/bench/bench_scoring.sh).  Figures only,
# never pass/fail; each is printed beside its goal and beside a baseline
# run in the same session.
#
# 1. The score table: a department of 2,000 applications, 3 readers each
#    (10 reviewers, 600 readings each), every sheet submitted, plan rule
#    "normalized" (each total z-scored by its reviewer).  build/bench/score_table
#    times results_table in process (min and median of 20 runs; goal
#    < 200 ms) against one plain SELECT of the department's submitted
#    totals on the same connection; then the whole command
#    `beishen scores --department D --json` (5 runs) against
#    `beishen plan show D --json` (a command that opens the store and
#    prints one row).
# 2. Score saves over HTTP: 32 clients, each its own reviewer (logged in
#    once) saving its own sheet (a 4th reading of one application of the
#    same department) through PUT /api/scoring/sheets/{id}, every save
#    with the version of the previous reply, so every one is a real save
#    (build/bench/score_load, keep-alive connections, pthreads).  Runs:
#    back to back on the server's defaults (the goal: p99 < 5 ms), back to
#    back on one server thread, paced (each client a save every
#    BENCH_SAVE_INTERVAL_MS), and the baseline GET /api/session back to
#    back.  Each run has its own server (serve --timing), whose own figure
#    is printed under the client's.  Afterwards the sheets' versions are
#    checked against the number of 200 replies.
#
# Data: BENCH_DB and BENCH_ROUND are not used (the bench round's
# departments hold about 5,000 applications each).  A round is generated
# with build/generate (seed 21) and a package of exactly
# BENCH_SCORING_APPS applications of 001012 cut from it (hard links); it
# and its ingested database are kept in tests/bench/work/scoring/ and
# ingested again only when $BEISHEN is newer (remove the directory to
# generate the round again).  Each run prepares a copy of that database
# (run.db, removed at the end): samples/requirements/001012.json, a plan
# (readers 3, threshold 15, normalized, no automatic third reader), the
# reviewer accounts, `beishen assign`, and build/bench/score_fill, which
# saves every sheet through scores_save (see there how the submissions
# are made).
#
# Needs: ./beishen, build/generate, build/bench/score_fill, score_table and
# score_load (make bench builds them; alone: make -j2 all
# build/bench/score_fill build/bench/score_table build/bench/score_load),
# jq and sqlite3.
# Environment (all optional):
#   BENCH_SECONDS           seconds per HTTP run (default 10; 2 s warm-up each)
#   BENCH_SCORING_APPS      applications in the department (default 2000)
#   BENCH_SCORING_CLIENTS   HTTP clients (default 32)
#   BENCH_SAVE_INTERVAL_MS  a paced client's time between saves (default 50)
#   BENCH_SERVER_OPTIONS    more options for `beishen serve` in every run,
#                           after the run's own (e.g. --connections 1024)
#   BEISHEN                 the binary (default ./beishen)
cd "$(dirname "$0")/../.." || exit 1
: "${BEISHEN:=./beishen}"
seconds=${BENCH_SECONDS:-10}
apps=${BENCH_SCORING_APPS:-2000}
clients=${BENCH_SCORING_CLIENTS:-32}
interval=${BENCH_SAVE_INTERVAL_MS:-50}
department=001012
reviewers=10
readers=3
table_runs=20
command_runs=5

echo
echo "== review scoring: score table ($apps applications x $readers readers) and score saves over HTTP ($clients clients)"
for tool in "$BEISHEN" build/generate build/bench/score_fill build/bench/score_table build/bench/score_load; do
    [ -x "$tool" ] || { echo "$tool is missing: make -j2 all build/bench/score_fill build/bench/score_table build/bench/score_load"; exit 1; }
done
for tool in jq sqlite3; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is not installed (make deps installs it); skipped"; exit 0; }
done

cache=tests/bench/work/scoring
mkdir -p "$cache" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/beishen-bench-scoring.XXXXXX") || exit 1
db=$cache/run.db
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$tmp" "$db" "$db-wal" "$db-shm" "$db.files" "$db.audit-journal"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "bench_scoring: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
prepared_at=$(now_ms)

# ---- the data ------------------------------------------------------------------------------
package=$cache/package-$apps
if [ ! -f "$package/manifest.json" ]; then
    echo "generating a round with $apps applications of $department into $package ..."
    rm -rf "$package" "$package.tmp" "$cache/round.tmp"
    build/generate --seed 21 --apps $((apps * 21 / 10 + 200)) --out "$cache/round.tmp" >/dev/null ||
        fail "build/generate failed"
    mkdir -p "$package.tmp/applications" || exit 1
    jq --arg d "$department" --argjson n "$apps" \
        '.applications |= [.[] | select(.department == $d)][:$n]' \
        "$cache/round.tmp/manifest.json" >"$package.tmp/manifest.json" || fail "jq failed"
    [ "$(jq '.applications | length' "$package.tmp/manifest.json")" = "$apps" ] ||
        fail "the generated round has fewer than $apps applications of $department"
    jq -r '.applications[].path' "$package.tmp/manifest.json" | while read -r path; do
        ln "$cache/round.tmp/$path" "$package.tmp/$path" || exit 1
    done || fail "could not link the applications"
    cp -al "$cache/round.tmp/files" "$package.tmp/files" || fail "could not link the files"
    rm -rf "$cache/round.tmp"
    mv "$package.tmp" "$package" || exit 1
fi
ingested=$cache/ingested-$apps.db
if [ ! -f "$ingested.ok" ] || [ "$BEISHEN" -nt "$ingested.ok" ]; then
    echo "ingesting $package ..."
    rm -rf "$ingested" "$ingested-wal" "$ingested-shm" "$ingested.files" "$ingested.ok"
    "$BEISHEN" ingest --db "$ingested" "$package" >"$tmp/ingest.out" 2>&1 ||
        { tail -3 "$tmp/ingest.out"; fail "ingest failed"; }
    touch "$ingested.ok"
fi
cp "$ingested" "$db" || exit 1
[ -f "$ingested-wal" ] && cp "$ingested-wal" "$db-wal"

"$BEISHEN" requirements load --db "$db" "samples/requirements/$department.json" >/dev/null ||
    fail "requirements load failed"
cat >"$tmp/plan.json" <<EOF
{"format": "beishen-review-plan", "version": 1, "department": "$department", "readers": $readers,
 "threshold": 15, "levels": {"傑出": [90, 100], "優良": [80, 89], "普通": [70, 79], "待加強": [60, 69], "不佳": [0, 59]},
 "final_rule": "normalized", "blind_review": false, "automatic_third_reader": false}
EOF
"$BEISHEN" plan set --db "$db" "$tmp/plan.json" >/dev/null || fail "plan set failed"
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
add_reviewer() {
    printf '%s\n' "$password" | "$BEISHEN" user add "$1" --db "$db" --role reviewer \
        --department "$department" >/dev/null || fail "user add $1 failed"
}
scorers=""
i=1
while [ $i -le $reviewers ]; do
    name=$(printf 'bench-scorer-%02d' $i)
    add_reviewer "$name"
    scorers="$scorers --reviewer $name"
    i=$((i + 1))
done
# shellcheck disable=SC2086  # one word per option
"$BEISHEN" assign --db "$db" --department "$department" --readers $readers $scorers >/dev/null ||
    fail "assign failed"
build/bench/score_fill "$db" "$department" 21 >"$tmp/fill.out" || fail "score_fill failed"

sqlite3 -batch -noheader -separator ' ' "$db" "SELECT count(*), count(DISTINCT application_no),
    count(DISTINCT reviewer) FROM score_sheets WHERE department = '$department' AND status = 'submitted'" >"$tmp/counts"
read -r sheets sheet_apps sheet_reviewers <"$tmp/counts"
prepared=$(awk -v a="$prepared_at" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}')
echo "prepared in $prepared s: $sheets submitted sheets of $sheet_apps applications by $sheet_reviewers reviewers" \
     "($(cat "$tmp/fill.out"))"

# ---- 1. the score table ----------------------------------------------------------------------
build/bench/score_table "$db" "$department" $table_runs >"$tmp/table.out" || fail "score_table failed"
set -- $(sed -n 's/^table .*min \([0-9.]*\) ms, median \([0-9.]*\) ms$/\1 \2/p' "$tmp/table.out")
table_min=$1 table_median=$2
set -- $(sed -n 's/^baseline .*min \([0-9.]*\) ms, median \([0-9.]*\) ms$/\1 \2/p' "$tmp/table.out")
select_min=$1 select_median=$2
what=$(sed -n 's/^table *\(.*\): min.*/\1/p' "$tmp/table.out")
printf '%-44s min %8.2f ms   median %8.2f ms   (goal < 200 ms)\n' "results_table, rule normalized" "$table_min" "$table_median"
printf '%-44s min %8.2f ms   median %8.2f ms\n' "baseline: SELECT the submitted totals" "$select_min" "$select_median"
echo "  ($what; $table_runs runs each, same connection; table / baseline = $(awk -v a="$table_median" -v b="$select_median" 'BEGIN {printf "%.1f", a / b}'))"

# command_time NAME COMMAND...: runs it command_runs times; prints min and median wall ms.
command_time() {
    command_name=$1
    shift
    : >"$tmp/times"
    "$@" >"$tmp/command.out" || fail "$command_name failed"   # warm-up
    k=0
    while [ $k -lt $command_runs ]; do
        started=$(date +%s%N)
        "$@" >"$tmp/command.out" || fail "$command_name failed"
        echo $(( $(date +%s%N) - started )) >>"$tmp/times"
        k=$((k + 1))
    done
    sort -n "$tmp/times" | awk -v name="$command_name" '{v[NR] = $1 / 1e6}
        END {printf "%-44s min %8.2f ms   median %8.2f ms\n", name, v[1], v[int((NR + 1) / 2)]}'
}
command_time "beishen scores --json" "$BEISHEN" scores --db "$db" --department "$department" --json
rows=$(jq '.applications | length' "$tmp/command.out")
[ "$rows" = "$apps" ] || echo "  (beishen scores printed $rows applications, not $apps)"
command_time "baseline: beishen plan show --json" "$BEISHEN" plan show "$department" --db "$db" --json
echo "  (whole commands, $command_runs runs each: process start, store open, the table, JSON to stdout;" \
     "$(wc -c <"$tmp/command.out" | tr -d ' ') bytes from plan show, $rows rows from scores)"

# ---- 2. score saves over HTTP ----------------------------------------------------------------
# The HTTP reviewers (added after the assignment, so that it left them out,
# and after the table was timed): each the next reader of one application
# spread over the department.
i=1
while [ $i -le "$clients" ]; do
    add_reviewer "$(printf 'bench-http-%02d' $i)"
    i=$((i + 1))
done
sqlite3 -batch -noheader "$db" "SELECT application_no FROM applications WHERE department = '$department'
    ORDER BY application_no" | awk -v step=$((apps / clients > 0 ? apps / clients : 1)) -v n="$clients" 'NR % step == 1 && ++k <= n' |
while read -r no; do
    "$BEISHEN" assign --db "$db" --department "$department" --next-reader "$no" >/dev/null || exit 1
done || fail "assign --next-reader failed"
sqlite3 -batch -noheader -separator ' ' "$db" "SELECT reviewer, '$password', department || '-' || application_no
    FROM assignments WHERE reviewer LIKE 'bench-http-%' ORDER BY reviewer" >"$tmp/clients.txt"
[ "$(cut -d' ' -f1 "$tmp/clients.txt" | sort -u | wc -l)" -eq "$clients" ] &&
    [ "$(wc -l <"$tmp/clients.txt")" -eq "$clients" ] ||
    fail "the HTTP reviewers did not get one application each"

server_options=""
start_server() {
    # shellcheck disable=SC2086  # options are split into words on purpose
    "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 --connections 512 --connections-per-ip 0 --timing $server_options \
        ${BENCH_SERVER_OPTIONS:-} >"$tmp/server.out" 2>"$tmp/server.err" &
    server_pid=$!
    port=""
    i=0
    while [ $i -lt 300 ] && [ -z "$port" ]; do
        port=$(sed -n 's/^beishen serve: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/ .*/\1/p' "$tmp/server.out")
        [ -z "$port" ] && sleep 0.1
        i=$((i + 1))
    done
    [ -n "$port" ] || fail "the server did not start: $(cat "$tmp/server.err")"
}
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=""
    sed -n 's/^beishen serve: \([0-9]* requests\); time in the server/  server side (\1, warm-up included): time in the server/p' "$tmp/server.err"
}
saved_total=0
# run NAME MODE [INTERVAL_MS]: one run of score_load on a fresh server.
run() {
    run_name=$1
    start_server
    build/bench/score_load 127.0.0.1 "$port" "$2" "$tmp/sessions.txt" 2 "$seconds" ${3:+"$3"} \
        >"$tmp/load.out" 2>"$tmp/load.err"
    set -- $(grep '^RESULT' "$tmp/load.out")
    if [ "$1" != RESULT ]; then
        echo "$run_name: score_load failed: $(head -c 300 "$tmp/load.err")"
        echo "  server: $(tail -c 300 "$tmp/server.err")"
    else
        shift
        printf '%-34s %6.0f req/s   p50 %7.3f ms   p99 %7.3f ms   max %8.3f ms   %d requests, %d non-200 (%d of them 409), %d errors\n' \
            "$run_name" "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8"
        saved_total=$((saved_total + $9))
        [ -s "$tmp/load.err" ] && echo "  first unexpected reply: $(head -c 300 "$tmp/load.err")"
    fi
    stop_server
}
version_sum() {
    sqlite3 -batch -noheader "$db" "SELECT coalesce(sum(version), 0) FROM score_sheets
        WHERE department = '$department' AND reviewer LIKE 'bench-http-%'"
}
start_server
build/bench/score_load 127.0.0.1 "$port" login "$tmp/clients.txt" >"$tmp/sessions.txt" 2>"$tmp/load.err" ||
    fail "logins failed: $(head -c 300 "$tmp/load.err")"
stop_server >/dev/null
versions_before=$(version_sum)
echo "$clients keep-alive clients, each its own reviewer and sheet; ${seconds} s per run after 2 s of warm-up; $(nproc) cores"
run "save, back to back" save
server_options="--threads 1"
run "save, back to back, --threads 1" save
server_options=""
run "save, each client every ${interval} ms" save "$interval"
run "baseline: GET /api/session" session
versions_after=$(version_sum)
moved=$((versions_after - versions_before))
if [ "$moved" -eq "$saved_total" ]; then
    echo "every save answered 200 was a real save: the sheets' versions moved by $moved, the 200 replies (warm-ups too) were $saved_total"
else
    echo "WARNING: the sheets' versions moved by $moved, but $saved_total saves were answered 200 (warm-ups too)"
fi
echo "back to back, a client waits for the others' saves: mean latency = $clients / saves per second" \
     "(SQLite takes one write at a time); paced, $clients clients offer" \
     "$(awk -v c="$clients" -v i="$interval" 'BEGIN {printf "%.0f", c * 1000 / i}') saves/s"
echo "goals: results_table < 200 ms for $apps x $readers; save p99 < 5 ms at $clients clients, no errors"
