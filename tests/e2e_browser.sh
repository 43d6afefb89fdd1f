#!/bin/sh
# Browser test of the workstation: starts the real server on a free loopback
# port with the fixture (plus an applicant whose name is an HTML payload),
# runs tests/browser/workstation.test.js, then (with a list, a plan, two
# readers and a submitted co-reader) tests/browser/scoring.test.js, then
# reading.test.js and accounts.test.js (the admin page's lockouts; with
# SCREENSHOTS=DIR it saves the admin page there as PNG), in
# headless Chromium (playwright-core, installed by `make browser-deps`) and
# relays their "N passed, N failed" lines.  Always stops the server.
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
# ... and a competition with links, to be shown as links
jq --arg n "$PAYLOAD" '.student.name = $n | .performances = [{"id": "MP1", "item": "J", "kind": "competition",
    "year": 112, "semester": 2, "title": "全國語文競賽", "organizer": "教育部", "start": "2024-03-01",
    "end": "2024-03-02", "hours": null, "level": "全國", "award": "第一名", "summary": "參加全國語文競賽作文組。",
    "uploaded_at": "2024-03-10T20:00:00+08:00", "files": [],
    "links": ["https://example.org/award", "https://example.org/video"]}]' \
    tests/fixtures/browse/applications/001012-10000003.json >"$app3"
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

relay() {
    cat "$1"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        fail "$2 printed its summary"
    else
        passed=$((passed + ${line%% passed*}))
        f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
        failed=$((failed + f))
    fi
}

BASE_URL=${url%/} BEISHEN_USER=browser BEISHEN_PASSWORD=$password PAYLOAD_NAME=$PAYLOAD \
    BEISHEN_ADMIN=browser-admin BEISHEN_ADMIN_PASSWORD=$admin_password \
    node tests/browser/workstation.test.js >"$TMP/browser.out" 2>&1
relay "$TMP/browser.out" "browser test"

# Scoring: the list, a plan without automatic third readers (the office
# orders one), two readers on every application, the co-reader's sheet of
# the first application submitted at 95 in every item.
"$BEISHEN" requirements load --db "$db" samples/requirements/001012.json >/dev/null
for name in reader2 reader3; do
    printf '%s\n' "$password" | "$BEISHEN" user add "$name" --db "$db" --role reviewer --department 001012 >/dev/null
done
office_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$office_password" | "$BEISHEN" user add browser-office --db "$db" --role office --university 001 >/dev/null
"$BEISHEN" plan show 001012 --json --db "$db" | jq '.automatic_third_reader = false' >"$TMP/plan.json"
"$BEISHEN" plan set "$TMP/plan.json" --db "$db" >/dev/null
"$BEISHEN" assign --db "$db" --department 001012 --reviewer browser --reviewer reader2 --readers 2 --seed 3 >/dev/null
check_eq "scoring set up: two readers on each of 4 applications" "8" \
  "$(sqlite3 -batch -noheader "$db" "SELECT count(*) FROM assignments WHERE department = '001012'")"
items=$(jq -c '[.items[] | {code, weight}]' samples/requirements/001012.json)
set -- $(echo "$items" | jq -r '.[].code | "--set", "\(.)=傑出:95"')
"$BEISHEN" score 001012-10000001 --db "$db" --reviewer reader2 --as reader2 "$@" --submit >/dev/null
check_eq "the co-reader's sheet is submitted" "submitted" \
  "$(sqlite3 -batch -noheader "$db" "SELECT status FROM score_sheets WHERE reviewer = 'reader2' AND application_no = '10000001'")"
BASE_URL=${url%/} BEISHEN_USER=browser BEISHEN_PASSWORD=$password BEISHEN_OFFICE=browser-office \
    BEISHEN_OFFICE_PASSWORD=$office_password ITEMS=$items OTHER_TOTAL=95 THIRD_READER=reader3 \
    node tests/browser/scoring.test.js >"$TMP/scoring.out" 2>&1
relay "$TMP/scoring.out" "browser scoring test"
check_eq "the reviewer's saves are kept as history" "1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT count(*) >= 3 FROM score_history WHERE reviewer = 'browser' AND application_no = '10000001'")"
check_eq "the third reading is assigned to reader3" "1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT count(*) FROM assignments WHERE reviewer = 'reader3' AND application_no = '10000001'")"

# Reading: blind review on for 001012; reader2 shares a note on the first
# application through the API (CSRF and all), the browser reviewer reads.
"$BEISHEN" plan show 001012 --json --db "$db" | jq '.blind_review = true' >"$TMP/plan.json"
"$BEISHEN" plan set "$TMP/plan.json" --db "$db" >/dev/null
csrf=$(curl -s -c "$TMP/reader2.jar" -H 'Content-Type: application/json' \
    -d "{\"user\": \"reader2\", \"password\": \"$password\"}" "$url"api/login | jq -r .csrf)
curl -s -b "$TMP/reader2.jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"text": "reader2 的共享註記", "shared": true}' "$url"api/applicants/001012-10000001/notes >/dev/null
curl -s -b "$TMP/reader2.jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"text": "reader2 的個人註記", "shared": false}' "$url"api/applicants/001012-10000001/notes >/dev/null
BASE_URL=${url%/} BEISHEN_USER=browser BEISHEN_PASSWORD=$password BEISHEN_OFFICE=browser-office \
    BEISHEN_OFFICE_PASSWORD=$office_password BEISHEN_ADMIN=browser-admin BEISHEN_ADMIN_PASSWORD=$admin_password \
    PAYLOAD_NAME=$PAYLOAD node tests/browser/reading.test.js >"$TMP/reading.out" 2>&1
relay "$TMP/reading.out" "browser reading test"

# Lockouts on the admin page: two more reviewers, whose failed logins the
# test makes through the API.
for name in locked-reader failing-reader; do
    printf '%s\n' "$password" | "$BEISHEN" user add "$name" --db "$db" --role reviewer --department 001012 >/dev/null
done
BASE_URL=${url%/} BEISHEN_USER=browser BEISHEN_PASSWORD=$password BEISHEN_ADMIN=browser-admin \
    BEISHEN_ADMIN_PASSWORD=$admin_password LOCKED_USER=locked-reader LOCKED_PASSWORD=$password \
    FAILING_USER=failing-reader SCREENSHOTS=${SCREENSHOTS:-} node tests/browser/accounts.test.js >"$TMP/accounts.out" 2>&1
relay "$TMP/accounts.out" "browser accounts test"

kill -TERM "$server_pid"
wait "$server_pid"
check_eq "server stops cleanly" "0" "$?"
server_pid=""
# After the stop, which imports what is left in the audit journal.
check_eq "audit rows written by the browser session" "1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT count(*) > 5 FROM audit_log WHERE user='browser' AND action IN ('view_category', 'view_overview')")"
check_eq "the account the admin added in the browser is stored, then removed" "0|1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT (SELECT count(*) FROM users WHERE name = 'added-in-browser'),
     (SELECT count(*) FROM audit_log WHERE user = 'browser-admin' AND action = 'user_add'
                                       AND detail LIKE 'added-in-browser %')")"
check_eq "the unlock in the browser is audited with what it forgot" "browser-admin|locked-reader: 5 failed logins forgotten" \
  "$(sqlite3 -batch -noheader "$db" "SELECT user || '|' || detail FROM audit_log WHERE action = 'user_unlock'")"
check_eq "notes written in the browser are kept, the deleted one gone" "1|0" \
  "$(sqlite3 -batch -noheader "$db" "SELECT (SELECT count(*) FROM notes WHERE author = 'browser' AND text LIKE '%瀏覽器的註記%'),
     (SELECT count(*) FROM notes WHERE author = 'browser' AND text LIKE '%要刪除的註記%')")"
check_eq "note edits and deletes are audited" "1|1" \
  "$(sqlite3 -batch -noheader "$db" "SELECT (SELECT count(*) > 0 FROM audit_log WHERE user = 'browser' AND action = 'note_edit'),
     (SELECT count(*) > 0 FROM audit_log WHERE user = 'browser' AND action = 'note_delete')")"
finish
