#!/bin/sh
# Workstation benchmark (run by tests/bench/run.sh with BENCH_DB, a database
# of the generated round): 32 concurrent keep-alive clients (wrk) switching
# categories of random applications over HTTP on loopback, with a reviewer
# session, every request authenticated and audited as in production.
# Baselines from the same run: GET /api/session (session check only, no
# query, no audit row) and GET /style.css (no session, no database).
# Figures only, never pass/fail.
#
# Two layouts of the same load: "shared", server and wrk on whatever cores
# the kernel picks (each takes CPU from the other, so wrk's own waits count
# as latency), and "pinned", the server (one thread) on core 0 and wrk on
# core 1.  The category switch runs BENCH_TRIALS times (default 3) in each;
# the median p99 is printed, and the server's own figure (serve --timing:
# from reading the request line to handing the reply to the socket).  Before that, build/bench/stall_probe measures how often
# the idle machine itself stops a running thread: a p99 cannot be steadier
# than that.
#
# BENCH_SECONDS (default 10) per run; BENCH_SERVER_OPTIONS adds options to
# `beishen serve` (e.g. --threads 2).
: "${BENCH_DB:?BENCH_DB must name the bench database}"
: "${BEISHEN:=./beishen}"
seconds=${BENCH_SECONDS:-10}
echo
echo "== workstation server: category switches over HTTP on $BENCH_DB"
if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is not installed (make deps installs it); skipped"
    exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/beishen-bench-server.XXXXXX")
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    "$BEISHEN" user remove --db "$BENCH_DB" bench-reviewer >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A reviewer of every department in the database.
departments=$(sqlite3 -batch -noheader "$BENCH_DB" "SELECT '--department ' || code FROM departments ORDER BY code")
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
"$BEISHEN" user remove --db "$BENCH_DB" bench-reviewer >/dev/null 2>&1
printf '%s\n' "$password" | "$BEISHEN" user add bench-reviewer --db "$BENCH_DB" --role reviewer $departments >/dev/null || exit 1

mkdir -p "$work/tmp"
# start_server [PIN...]: starts the server (under PIN, e.g. taskset -c 0)
# with $server_options, sets url and server_pid.
server_options=""
start_server() {
    # shellcheck disable=SC2086  # options are split into words on purpose
    TMPDIR=$work/tmp "$@" "$BEISHEN" serve --db "$BENCH_DB" --listen 127.0.0.1:0 --connections 512 --connections-per-ip 0 \
        --timing $server_options ${BENCH_SERVER_OPTIONS:-} >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    url=""
    i=0
    while [ $i -lt 300 ] && [ -z "$url" ]; do
        url=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\/\) .*/\1/p' "$work/server.out")
        [ -z "$url" ] && sleep 0.1
        i=$((i + 1))
    done
    [ -n "$url" ] || { echo "server did not start: $(cat "$work/server.err")"; exit 1; }
    url=${url%/}
}
# stop_server: stops it and prints its --timing line.
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=""
    sed -n 's/^beishen serve: \([0-9]* requests; time in the server\)/  server side: \1/p' "$work/server.err"
}
# One login; the session lives in the database, so it outlasts the servers
# started below.
start_server
token=$(curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
        --data "{\"user\":\"bench-reviewer\",\"password\":\"$password\"}" "$url/api/login" |
        awk '$6 == "beishen_session" {print $7}')
[ -n "$token" ] || { echo "login failed"; exit 1; }
stop_server >/dev/null

# 4,000 random (application, category) pairs, the paths a reviewer clicks.
sqlite3 -batch -json "$BENCH_DB" "SELECT a.key AS id, c.name AS name FROM categories c
    JOIN applications a ON a.id = c.application_id ORDER BY random() LIMIT 4000" |
    jq -r '.[] | "/api/applicants/\(.id)/categories/\(.name | @uri)"' >"$work/paths.txt"

cat >"$work/bench.lua" <<'EOF'
-- wrk script: args are the session token and a file of paths (empty: the URL's own path).
-- Requests are formatted once, in init, so that wrk spends its time on the network.
local requests, index = {}, 0
function init(args)
  local headers = { Cookie = "beishen_session=" .. args[1] }
  if args[2] and args[2] ~= "" then
    for line in io.lines(args[2]) do requests[#requests + 1] = wrk.format("GET", line, headers) end
  else
    requests[1] = wrk.format("GET", nil, headers)
  end
  index = math.random(1, #requests)
end
function request()
  index = index % #requests + 1
  return requests[index]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.3f %.3f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF

# run NAME PATH PATHS-FILE [PIN...]: one wrk run (WRK_THREADS threads), one
# line of figures; the p99 is kept in $work/p99.
run() {
    run_name=$1 run_path=$2 run_file=$3
    shift 3
    "$@" wrk -t"$WRK_THREADS" -c32 -d"${seconds}s" --timeout 5s -s "$work/bench.lua" "$url$run_path" \
        -- "$token" "$run_file" >"$work/wrk.out" 2>&1
    set -- $(grep '^RESULT' "$work/wrk.out")
    [ "$1" = RESULT ] || { echo "$run_name: wrk failed: $(head -c 300 "$work/wrk.out")"; return; }
    shift
    printf '%-34s %8.0f req/s   p50 %6.3f ms   p99 %6.3f ms   max %7.3f ms   %d requests, %d errors\n' \
        "$run_name" "$1" "$2" "$3" "$4" "$5" "$6"
    echo "$3" >>"$work/p99"
}
# layout NAME SERVER-PIN CLIENT-PIN SERVER-OPTIONS: a server started under
# SERVER-PIN (e.g. "taskset -c 0", or "") for the category switch, warmed up
# and then run BENCH_TRIALS times from wrk under CLIENT-PIN; a fresh one for
# the baselines.  Each server prints its own side of the time (--timing).
# shellcheck disable=SC2086  # the pins are split into words on purpose
layout() {
    layout_name=$1 server_pin=$2 client_pin=$3 server_options=$4
    : >"$work/p99"
    start_server $server_pin
    $client_pin wrk -t"$WRK_THREADS" -c32 -d2s -s "$work/bench.lua" "$url" -- "$token" "$work/paths.txt" >/dev/null 2>&1
    trial=1
    while [ $trial -le "$trials" ]; do
        run "category switch, $layout_name $trial" "" "$work/paths.txt" $client_pin
        trial=$((trial + 1))
    done
    echo "category switch, $layout_name: median p99 $(sort -n "$work/p99" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}') ms over $trials runs"
    stop_server
    start_server $server_pin
    $client_pin wrk -t"$WRK_THREADS" -c32 -d2s -s "$work/bench.lua" "$url/api/session" -- "$token" "" >/dev/null 2>&1
    run "baseline: GET /api/session" "/api/session" "" $client_pin
    run "baseline: GET /style.css" "/style.css" "" $client_pin
    stop_server
}
apps=$(sqlite3 -batch -noheader "$BENCH_DB" "SELECT count(*) FROM applications")
trials=${BENCH_TRIALS:-3}
cores=$(nproc)
echo "$apps applications; 32 keep-alive connections, ${seconds} s per run; $cores cores"
if [ -x build/bench/stall_probe ]; then
    i=0 probes=""
    while [ $i -lt "$cores" ]; do
        taskset -c $i build/bench/stall_probe 5 >"$work/probe.$i" &
        probes="$probes $!"
        i=$((i + 1))
    done
    wait $probes   # not the server, also a child of this shell
    i=0
    while [ $i -lt "$cores" ]; do
        echo "machine: core $i, a spinning thread saw $(cat "$work/probe.$i")"
        i=$((i + 1))
    done
fi
WRK_THREADS=2 layout "shared" "" "" ""
if [ "$cores" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
    WRK_THREADS=1 layout "pinned" "taskset -c 0" "taskset -c 1" "--threads 1"
fi
echo "shared: server (a thread per core) and wrk (2 threads) on any core;" \
     "pinned: server (1 thread) on core 0, wrk (1 thread) on core 1"
echo "goal: category switch p99 < 5 ms, no errors"
