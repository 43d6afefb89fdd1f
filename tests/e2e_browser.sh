#!/bin/sh
# Browser test of the workstation: starts the real server on a free loopback
# port with the fixture (plus an applicant whose name is an HTML payload),
# runs tests/browser/workstation.test.js in headless Chromium
# (playwright-core, installed by `make browser-deps`) and relays its
# "N passed, N failed" line.  Always stops the server.
. tests/lib.sh

server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! command -v node >/dev/null 2>&1 || [ ! -d tests/browser/node_modules/playwright-core ] || \
   [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    fail "browser test set up (node, tests/browser/node_modules, /usr/bin/chromium: run make browser-deps)"
    finish
    exit 1
fi

PAYLOAD="陳'); DROP TABLE users; --<img src=x onerror=alert(2)>"
cp -R tests/fixtures/browse "$TMP/package"
app3="$TMP/package/applications/001012-10000003.json"
jq --arg n "$PAYLOAD" '.student.name = $n' tests/fixtures/browse/applications/001012-10000003.json >"$app3"
hash3=$(sha256sum "$app3" | cut -d' ' -f1)
jq --arg h "$hash3" '(.applications[] | select(.path == "applications/001012-10000003.json") | .sha256) = $h' \
    tests/fixtures/browse/manifest.json >"$TMP/package/manifest.json"
db=$TMP/browser.db
"$BEISHEN" ingest --db "$db" "$TMP/package" >/dev/null 2>&1
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" | "$BEISHEN" user add browser --db "$db" --role reviewer --department 001012 >/dev/null
check_eq "test account created" "0" "$?"
admin_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$admin_password" | "$BEISHEN" user add browser-admin --db "$db" --role admin >/dev/null
check_eq "admin account created" "0" "$?"

mkdir -p "$TMP/tmpdir"
TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 >"$TMP/server.out" 2>"$TMP/server.err" &
server_pid=$!
url=""
i=0
while [ $i -lt 300 ] && [ -z "$url" ]; do
    url=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\/\) .*/\1/p' "$TMP/server.out")
    kill -0 "$server_pid" 2>/dev/null || break
    [ -z "$url" ] && sleep 0.1
    i=$((i + 1))
done
if [ -z "$url" ]; then
    fail "server started" "$(cat "$TMP/server.out" "$TMP/server.err")"
    finish
    exit 1
fi
pass "server started at $url"

BASE_URL=${url%/} BEISHEN_USER=browser BEISHEN_PASSWORD=$password PAYLOAD_NAME=$PAYLOAD \
    BEISHEN_ADMIN=browser-admin BEISHEN_ADMIN_PASSWORD=$admin_password \
    node tests/browser/workstation.test.js >"$TMP/browser.out" 2>&1
cat "$TMP/browser.out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$TMP/browser.out" | tail -n 1)
if [ -z "$line" ]; then
    fail "browser test printed its summary"
else
    passed=$((passed + ${line%% passed*}))
    f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
    failed=$((failed + f))
fi
kill -TERM "$server_pid"
wait "$server_pid"
check_eq "server stops cleanly" "0" "$?"
server_pid=""
# After the stop, which imports what is left in the audit journal.
check_eq "audit rows written by the browser session" "1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT count(*) > 5 FROM audit_log WHERE user='browser' AND action='view_category'")"
check_eq "the account the admin added in the browser is stored, then removed" "0|1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT (SELECT count(*) FROM users WHERE name = 'added-in-browser'),
     (SELECT count(*) FROM audit_log WHERE user = 'browser-admin' AND action = 'user_add')")"
finish
