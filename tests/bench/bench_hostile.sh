#!/bin/sh
# Hostile clients against the workstation (build/tests/hostile_client), on
# a database of the fixture tests/fixtures/browse.  Figures only, never
# pass/fail; the behaviour is tested by tests/e2e_hostile.sh.
#
# 1. Login flood: BENCH_FLOOD_SECONDS (default 10) of POST /api/login with
#    a wrong password from 16 keep-alive connections, one client address.
#    Printed: requests/s, audit rows written per second, bytes the server
#    process handed to write() per second (/proc/PID/io wchar: the audit
#    journal, SQLite's WAL and database), and the size of the WAL, the
#    journal and the database afterwards.
# 2. Slowloris: 300 connections from 127.0.0.2 sending a header line every
#    5 s, with the server's default options, while a real client on
#    127.0.0.1 asks for /style.css one request at a time: how many of its
#    requests were answered in 10 s.
#
# BEISHEN picks the binary (to measure an older build side by side), and
# BENCH_SERVE_OPTIONS adds options to `beishen serve`.
: "${BEISHEN:=./beishen}"
: "${BUILD:=build}"
client=$BUILD/tests/hostile_client
seconds=${BENCH_FLOOD_SECONDS:-10}
echo
echo "== hostile clients: login flood and slowloris ($BEISHEN)"
if [ ! -x "$client" ]; then
    echo "$client is missing (make $client); skipped"
    exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/beishen-bench-hostile.XXXXXX")
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

db=$work/hostile.db
"$BEISHEN" ingest --db "$db" tests/fixtures/browse >/dev/null 2>&1 || { echo "ingest failed"; exit 1; }
printf 'victim-password-1\n' | "$BEISHEN" user add victim --db "$db" --role reviewer --department 001012 >/dev/null

start_server() {
    # shellcheck disable=SC2086  # options are split into words on purpose
    TMPDIR=$work "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 ${BENCH_SERVE_OPTIONS:-} \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    port=""
    i=0
    while [ $i -lt 300 ] && [ -z "$port" ]; do
        [ -f "$work/server.out" ] && port=$(sed -n 's/^beishen serve: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/ .*/\1/p' "$work/server.out")
        [ -z "$port" ] && sleep 0.1
        i=$((i + 1))
    done
    [ -n "$port" ] || { echo "the server did not start"; cat "$work/server.err"; exit 1; }
}
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=""
}
wchar() { sed -n 's/^wchar: //p' "/proc/$1/io"; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# --- 1. login flood ------------------------------------------------------------------
start_server
rows_before=$(sqlite3 "$db" "SELECT count(*) FROM audit_log")
written_before=$(wchar "$server_pid")
"$client" flood 127.0.0.1 "$port" "$seconds" 16 victim >"$work/flood.out"
written_after=$(wchar "$server_pid")
sleep 3   # a checkpoint or two
wal=$(size "$db-wal")
journal=$(cat "$db".audit-journal* 2>/dev/null | wc -c)
stop_server
rows_after=$(sqlite3 "$db" "SELECT count(*) FROM audit_log")
cat "$work/flood.out"
awk -v s="$seconds" -v r=$((rows_after - rows_before)) -v w=$((written_after - written_before)) \
    -v wal="$wal" -v j="$journal" -v d="$(size "$db")" 'BEGIN {
    printf "login flood       audit rows %d (%.0f/s), written %.1f MB (%.2f MB/s)\n", r, r/s, w/1048576, w/1048576/s
    printf "                  3 s after: WAL %.1f MB, audit journal %.1f MB, database %.1f MB\n", wal/1048576, j/1048576, d/1048576
}'

# --- 2. slowloris ---------------------------------------------------------------------
start_server
"$client" slowloris 127.0.0.1 "$port" 25 300 5 127.0.0.2 >"$work/slowloris.out" &
attack=$!
sleep 5
"$client" probe 127.0.0.1 "$port" 10 127.0.0.1 /style.css >"$work/probe.out"
wait "$attack"
stop_server
cat "$work/slowloris.out"
echo "slowloris         real client during the attack: $(cat "$work/probe.out") (in 10 s)"
