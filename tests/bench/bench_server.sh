#!/bin/sh
# Workstation benchmark (run by tests/bench/run.sh with BENCH_DB, a database
# of the generated round): 32 concurrent keep-alive clients (wrk) switching
# categories of random applications over HTTP on loopback, with a reviewer
# session, every request authenticated and audited as in production.
# Baselines from the same run: GET /api/session (session check only, no
# query, no audit row) and GET /style.css (no session, no database).
# Figures only, never pass/fail.  BENCH_SECONDS (default 10) per run;
# BENCH_SERVER_OPTIONS adds options to `beishen serve` (e.g. --threads 2);
# SERVER_PIN and CLIENT_PIN prefix the server and wrk (e.g. "taskset -c 0"
# and "taskset -c 1"), WRK_THREADS sets wrk's threads (default 2).
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
TMPDIR=$work/tmp ${SERVER_PIN:-} "$BEISHEN" serve --db "$BENCH_DB" --listen 127.0.0.1:0 --connections 512 ${BENCH_SERVER_OPTIONS:-} >"$work/server.out" 2>"$work/server.err" &
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
token=$(curl -s -c - -o /dev/null -H 'Content-Type: application/json' \
        --data "{\"user\":\"bench-reviewer\",\"password\":\"$password\"}" "$url/api/login" |
        awk '$6 == "beishen_session" {print $7}')
[ -n "$token" ] || { echo "login failed"; exit 1; }

# 4,000 random (application, category) pairs, the paths a reviewer clicks.
sqlite3 -batch -json "$BENCH_DB" "SELECT a.key AS id, c.name AS name FROM categories c
    JOIN applications a ON a.id = c.application_id ORDER BY random() LIMIT 4000" |
    jq -r '.[] | "/api/applicants/\(.id)/categories/\(.name | @uri)"' >"$work/paths.txt"

cat >"$work/bench.lua" <<'EOF'
-- wrk script: args are the session token and a file of paths (empty: the URL's own path).
local paths, index, token = {}, 0, ""
function init(args)
  token = args[1]
  if args[2] and args[2] ~= "" then
    for line in io.lines(args[2]) do paths[#paths + 1] = line end
  end
  index = math.random(1, math.max(#paths, 1))
end
function request()
  local headers = { Cookie = "beishen_session=" .. token }
  if #paths == 0 then return wrk.format("GET", nil, headers) end
  index = index % #paths + 1
  return wrk.format("GET", paths[index], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.3f %.3f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF

# run NAME PATH PATHS-FILE: one wrk run, one line of figures.
run() {
    ${CLIENT_PIN:-} wrk -t${WRK_THREADS:-2} -c32 -d"${seconds}s" --timeout 5s -s "$work/bench.lua" "$url$2" -- "$token" "$3" >"$work/wrk.out" 2>&1
    set -- "$1" $(grep '^RESULT' "$work/wrk.out")
    printf '%-34s %8.0f req/s   p50 %6.3f ms   p99 %6.3f ms   max %7.3f ms   %d requests, %d errors\n' \
        "$1" "$3" "$4" "$5" "$6" "$7" "$8"
}
apps=$(sqlite3 -batch -noheader "$BENCH_DB" "SELECT count(*) FROM applications")
echo "$apps applications; 32 keep-alive connections, 2 wrk threads, ${seconds} s per run; $(nproc) cores shared by client and server"
wrk -t2 -c32 -d2s -s "$work/bench.lua" "$url" -- "$token" "$work/paths.txt" >/dev/null 2>&1   # warm-up
run "category switch (audited)" "" "$work/paths.txt"
run "baseline: GET /api/session" "/api/session" ""
run "baseline: GET /style.css" "/style.css" ""
echo "goal: category switch p99 < 5 ms, no errors"
