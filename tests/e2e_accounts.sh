#!/bin/sh
# End-to-end tests of account changes and the audit log when the database
# refuses part of the work (each once a defect):
# - `beishen user remove` reports the database's error, not "no such user",
#   when the removal fails (it read an uninitialised flag);
# - `beishen user add|passwd|remove` make no change the audit log cannot
#   record: the change and its row commit together;
# - GET /api/audit answers 400 for a malformed filter and 500 when the
#   database fails (it answered 400 for both);
# - GET /api/users gives each account's failed logins and lockout under
#   each rule of auth.h (failures written into login_failures at chosen
#   times), `beishen user list` too, and the unlock answer says how many
#   failures it cleared.
# The database is the project's fixture tests/fixtures/browse; failures are
# made with SQLite triggers and a view that raise errors.
. tests/lib.sh

server_pid=""
trap '[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

db=$TMP/accounts.db
"$BEISHEN" ingest --db "$db" tests/fixtures/browse >/dev/null 2>&1
check_eq "fixture ingested" "5" "$(sql "$db" 'SELECT count(*) FROM applications')"
add() { name=$1; pass=$2; shift 2; printf '%s\n' "$pass" | "$BEISHEN" user add "$name" --db "$db" "$@" >"$TMP/out" 2>"$TMP/err"; }
add keeper 'keeper-pass-1' --role reviewer --department 001012
check_eq "user add: exit 0" 0 "$?"
check_eq "user add: audited" "1" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'user_add' AND detail = 'keeper reviewer'")"

# --- one rule for names, departments and passwords (CLI and server share it) -----------
add typo 'typo-pass-1' --role reviewer --department 009999
check_eq "user add: an unknown department is refused" 1 "$?"
check_contains "user add: the unknown department is named" "$TMP/err" "no department 009999"
check_eq "user add: no account for a refused department" "0" "$(sql "$db" "SELECT count(*) FROM users WHERE name = 'typo'")"
add short '七個字的密碼' --role reviewer --department 001012
check_eq "user add: 6 characters are too few (18 bytes do not count)" 1 "$?"
check_contains "user add: the rule is said in characters" "$TMP/err" "at least 8 characters"
add chinese '八個中文字的密碼' --role reviewer --department 001012
check_eq "user add: 8 characters of Chinese are enough" 0 "$?"

# --- a removal the database refuses -------------------------------------------------
sql "$db" "CREATE TRIGGER refuse_removal BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'removal refused by the test'); END;"
"$BEISHEN" user remove --db "$db" keeper >"$TMP/out" 2>"$TMP/err"
check_eq "user remove refused by the database: exit 1" 1 "$?"
check_contains "user remove: the database's reason is reported" "$TMP/err" "removal refused by the test"
check_not_contains "user remove: not reported as a missing user" "$TMP/err" "no such user"
check_eq "user remove refused: the account is still there" "1" "$(sql "$db" "SELECT count(*) FROM users WHERE name = 'keeper'")"
check_eq "user remove refused: nothing audited" "0" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'user_remove'")"
sql "$db" "DROP TRIGGER refuse_removal"
"$BEISHEN" user remove --db "$db" nobody >"$TMP/out" 2>"$TMP/err"
check_eq "user remove of a missing user: exit 1" 1 "$?"
check_contains "user remove of a missing user says so" "$TMP/err" "no such user"

# --- changes whose audit row cannot be written ------------------------------------------
sql "$db" "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;"
add unrecorded 'unrecorded-1' --role reviewer --department 001012
check_eq "user add that cannot be audited: exit 1" 1 "$?"
check_contains "user add: the audit failure is reported" "$TMP/err" "audit refused by the test"
check_eq "user add that cannot be audited: no account" "0" "$(sql "$db" "SELECT count(*) FROM users WHERE name = 'unrecorded'")"
hash_before=$(sql "$db" "SELECT password_hash FROM users WHERE name = 'keeper'")
printf '%s\n' 'another-pass-2' | "$BEISHEN" user passwd --db "$db" keeper >"$TMP/out" 2>"$TMP/err"
check_eq "user passwd that cannot be audited: exit 1" 1 "$?"
check_eq "user passwd that cannot be audited: the password is unchanged" "$hash_before" \
    "$(sql "$db" "SELECT password_hash FROM users WHERE name = 'keeper'")"
"$BEISHEN" user remove --db "$db" keeper >"$TMP/out" 2>"$TMP/err"
check_eq "user remove that cannot be audited: exit 1" 1 "$?"
check_eq "user remove that cannot be audited: the account stays" "1" "$(sql "$db" "SELECT count(*) FROM users WHERE name = 'keeper'")"
sql "$db" "DROP TRIGGER refuse_audit"
printf '%s\n' 'another-pass-2' | "$BEISHEN" user passwd --db "$db" keeper >"$TMP/out" 2>"$TMP/err"
check_eq "user passwd once the log takes rows: exit 0" 0 "$?"
check_eq "user passwd: audited" "1" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'user_passwd' AND detail = 'keeper'")"

# --- GET /api/audit: bad input 400, a failing database 500 -----------------------------------
add adm 'admin-pass-1' --role admin
mkdir -p "$TMP/tmpdir"
TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 >"$TMP/server.out" 2>"$TMP/server.err" &
server_pid=$!
URL=""
i=0
while [ $i -lt 300 ] && [ -z "$URL" ]; do
    URL=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.out")
    [ -z "$URL" ] && sleep 0.1
    i=$((i + 1))
done
check "server started" test -n "$URL"
status=$(curl -s -c "$TMP/adm.jar" -o "$TMP/login" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"user":"adm","password":"admin-pass-1"}' "$URL/api/login")
check_eq "admin logs in" 200 "$status"

# --- GET /api/users: each account's failed logins and lockout ------------------------------
# Failures written straight into login_failures at chosen times (T is now),
# one account for each rule of auth.h, and failures too old to count.
add spread 'spread-pass-1' --role reviewer --department 001012
add spread49 'spread49-pass-1' --role reviewer --department 001012
add quiet 'quiet-pass-1' --role reviewer --department 001012
T=$(date +%s)
{
    echo "BEGIN;"
    # keeper: 4 of the window from one client, 3 older than the window (15 min)
    for s in 100 90 80 70 2000 2010 2020; do echo "INSERT INTO login_failures (at, user, remote) VALUES ($T - $s, 'keeper', '192.0.2.1');"; done
    # chinese: 6 from one client: refused until the 5th newest leaves the window
    for s in 500 400 300 200 100 50; do echo "INSERT INTO login_failures (at, user, remote) VALUES ($T - $s, 'chinese', '192.0.2.2');"; done
    # spread: one failure each from 50 clients (the account's limit), spread49 from 49
    for i in $(seq 1 50); do echo "INSERT INTO login_failures (at, user, remote) VALUES ($T - 700 + $i, 'spread', '198.51.100.$i');"; done
    for i in $(seq 1 49); do echo "INSERT INTO login_failures (at, user, remote) VALUES ($T - 700 + $i, 'spread49', '198.51.100.$i');"; done
    # adm: one failure from a client that has 29 more for other names (30 in all)
    for i in $(seq 1 29); do echo "INSERT INTO login_failures (at, user, remote) VALUES ($T - 600 + $i, 'guess$i', '203.0.113.50');"; done
    echo "INSERT INTO login_failures (at, user, remote) VALUES ($T - 300, 'adm', '203.0.113.50');"
    echo "COMMIT;"
} | sqlite3 -batch -cmd ".timeout 5000" "$db"
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
users_status=$(curl -s -b "$TMP/adm.jar" -o "$TMP/users.json" -w '%{http_code}' "$URL/api/users")
check_eq "GET /api/users: 200" 200 "$users_status"
state() { jq -r --arg u "$1" '.[] | select(.name == $u) | "\(.failed_logins) \(.locked_clients) \(.locked_until)"' "$TMP/users.json"; }
check_eq "users: the fields kept (name, role, departments, created_at)" "keeper reviewer 001012 true" \
    "$(jq -r '.[] | select(.name == "keeper") | "\(.name) \(.role) \(.departments | join(",")) \(.created_at | test("^[0-9]{4}-"))"' "$TMP/users.json")"
check_eq "users: 4 failures of the window, older ones not counted, not locked" "4 0 null" "$(state keeper)"
check_eq "users: 6 failures from one client: locked until the 5th newest leaves the window" \
    "6 1 $(utc $((T - 400 + 901)))" "$(state chinese)"
check_eq "users: one failure each from 50 clients: all 50 locked, until the oldest leaves" \
    "50 50 $(utc $((T - 699 + 901)))" "$(state spread)"
check_eq "users: from 49 clients: not locked" "49 0 null" "$(state spread49)"
check_eq "users: one failure from a client with 30 in all: locked until its 30th newest leaves" \
    "1 1 $(utc $((T - 599 + 901)))" "$(state adm)"
check_eq "users: no failures: 0, 0 and null (numbers and null)" "0 0 null number number null" \
    "$(jq -r '.[] | select(.name == "quiet") | "\(.failed_logins) \(.locked_clients) \(.locked_until) \(.failed_logins | type) \(.locked_clients | type) \(.locked_until | type)"' "$TMP/users.json")"
"$BEISHEN" user list --db "$db" >"$TMP/list.txt"
check_contains "user list: the lockout on the command line" "$TMP/list.txt" "locked until $(utc $((T - 400 + 901))) (6 failed logins)"
check_contains "user list: failures that do not lock" "$TMP/list.txt" "  4 failed logins"
csrf=$(jq -r .csrf "$TMP/login")
unlock() { curl -s -b "$TMP/adm.jar" -H "X-CSRF-Token: $csrf" -X POST -o "$TMP/body" -w '%{http_code}' "$URL/api/users/$1/unlock"; }
check_eq "unlock spread: 200" 200 "$(unlock spread)"
check_eq "the answer says how many failures were cleared" "true spread 50" "$(jq -r '"\(.ok) \(.user) \(.cleared)"' "$TMP/body")"
check_eq "unlock chinese: 6 cleared" "200 6" "$(unlock chinese) $(jq -r .cleared "$TMP/body")"
curl -s -b "$TMP/adm.jar" -o "$TMP/users.json" "$URL/api/users"
check_eq "users after the unlocks: no failures, not locked" "0 0 null|0 0 null" "$(state spread)|$(state chinese)"
check_eq "users: the others untouched" "4 0 null|49 0 null" "$(state keeper)|$(state spread49)"

audit_status() { curl -s -b "$TMP/adm.jar" -o "$TMP/body" -w '%{http_code}' "$URL/api/audit$1"; }
check_eq "GET /api/audit: 200" 200 "$(audit_status '?limit=5')"
check_eq "GET /api/audit with a malformed since: 400" 400 "$(audit_status '?since=yesterday')"
check_contains "the 400 names the bad time" "$TMP/body" "not a time"
# audit_log becomes a view whose rows cannot be read (an integer overflow
# in every row); inserts still reach the real rows through a trigger, so
# only the read fails.
sql "$db" "ALTER TABLE audit_log RENAME TO audit_rows;
           CREATE VIEW audit_log AS SELECT id, at, user, action, application, detail,
               remote || abs(-9223372036854775807 - 1) AS remote, count FROM audit_rows;
           CREATE TRIGGER audit_log_insert INSTEAD OF INSERT ON audit_log BEGIN
               INSERT INTO audit_rows(at, user, action, application, detail, remote)
               VALUES (NEW.at, NEW.user, NEW.action, NEW.application, NEW.detail, NEW.remote); END;"
check_eq "GET /api/audit when the database fails: 500" 500 "$(audit_status '?limit=5')"
check_contains "the 500 tells the client nothing more" "$TMP/body" '"internal error"'
kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=""
check_contains "the failure's reason is in the server's log" "$TMP/server.err" "integer overflow"

finish
