#!/bin/sh
# beishen backup, restore and purge (review/store/backup.c, purge.c,
# review/cli/cli_admin.c) on a database of two rounds: the fixture browse
# (round 114, five applications, one of them made to share a file with
# round 115) and round-small (round 115, ten), with score sheets, history,
# assignments, notes, 差分 resolutions and conflicts on both.
#   backup: made while a server serves a stream of requests, whole (no
#     temporary directory left), content equal to the database table by
#     table, every file with its hash; refusals.
#   restore: to a new database (content, files, audit rows, the journal
#     carried), over an existing one only with --force and not while a
#     server has it open; damaged backups refused before anything changes.
#   purge: the dry run changes nothing; drafts refuse it; --yes removes the
#     round's rows, what is keyed by them and its own files, keeps the other
#     round byte for byte and shared files, leaves pools as if the round had
#     never been ingested, writes an audit row with counts only, and leaves
#     no byte of a purged applicant's name or ID in the database files,
#     while a server keeps serving.
. tests/lib.sh

server_pid=""
loop_pid=""
cleanup() {
    [ -n "$loop_pid" ] && kill -KILL "$loop_pid" 2>/dev/null
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

R114=114學年度大學個人申請入學
R115=115學年度大學個人申請入學
SHARED=e780da6a61c81577ed670835850b9a48f8faffd95bcdac4fe38f0e9503a01e02   # a round-small PDF
ONLY114=e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2  # browse's transcript.pdf

# --- round 114: the browse fixture, with 10000004's third upload file
# replaced by a file of round-small (the manifest's hash follows).
cp -R tests/fixtures/browse "$TMP/r114"
cp "tests/fixtures/round-small/files/$SHARED.pdf" "$TMP/r114/files/"
app=applications/001012-10000004.json
jq --arg s "$SHARED" '.uploads[2].files[0] |= (.sha256 = $s | .size = 82462 | .name = "shared.pdf")' \
    "tests/fixtures/browse/$app" >"$TMP/r114/$app"
hash=$(sha256sum "$TMP/r114/$app" | cut -d' ' -f1)
jq --arg p "$app" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    tests/fixtures/browse/manifest.json >"$TMP/r114/manifest.json"

db=$TMP/admin.db
"$BEISHEN" ingest --db "$db" "$TMP/r114" >"$TMP/ingest.out" 2>&1
check_eq "round 114 ingested" "loaded 5, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
"$BEISHEN" ingest --db "$db" tests/fixtures/round-small >"$TMP/ingest.out" 2>&1
check_eq "round 115 ingested" "loaded 10, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
check_eq "the shared file is referenced by both rounds" "114學年度大學個人申請入學,115學年度大學個人申請入學" \
    "$(sql "$db" "SELECT group_concat(DISTINCT round) FROM (SELECT p.round FROM attachments t JOIN applications a ON a.id = t.application_id JOIN packages p ON p.id = a.package_id WHERE t.sha256 = '$SHARED' ORDER BY 1)")"

# --- review data on both rounds --------------------------------------------------------
for d in 001012 001022; do "$BEISHEN" requirements load --db "$db" "samples/requirements/$d.json" >/dev/null 2>&1; done
for r in r1 r2; do
    printf 'pass-%s-12\n' "$r" | "$BEISHEN" user add "$r" --role reviewer --department 001012 --department 001022 --db "$db" >/dev/null 2>&1
done
printf 'pass-office-1\n' | "$BEISHEN" user add off --role office --university 001 --db "$db" >/dev/null 2>&1
"$BEISHEN" assign --db "$db" --department 001012 --readers 2 --reviewer r1 --reviewer r2 --seed 1 >/dev/null 2>&1 &&
"$BEISHEN" assign --db "$db" --department 001022 --readers 2 --reviewer r1 --reviewer r2 --seed 1 >/dev/null 2>&1
check_eq "readers assigned in both departments (2 x 15)" "30" "$(sql "$db" "SELECT count(*) FROM assignments")"
FULL012="--set A=優良:85 --set B=優良:84 --set J=普通:75 --set N=傑出:91 --set O=優良:80 --set P=普通:70 --set Q=優良:88"
# shellcheck disable=SC2086
"$BEISHEN" score 001012-10000001 --reviewer r1 --db "$db" $FULL012 --submit >/dev/null 2>&1 &&
"$BEISHEN" score 001012-10000002 --reviewer r2 --db "$db" --set A=優良:82 >/dev/null 2>&1 &&
"$BEISHEN" score 001012-10010627 --reviewer r1 --db "$db" $FULL012 --submit >/dev/null 2>&1 &&
"$BEISHEN" score 001012-18010409 --reviewer r2 --db "$db" --set B=普通:72 >/dev/null 2>&1
check_eq "score sheets: a submitted one and a draft in each round" "4" "$(sql "$db" "SELECT count(*) FROM score_sheets")"
# Declared by a third reviewer (r1 and r2 read every application already).
"$BEISHEN" conflict add r3 --db "$db" --department 001012 --application 10000003 >/dev/null 2>&1 &&
"$BEISHEN" conflict add r3 --db "$db" --department 001012 --application 18010410 >/dev/null 2>&1 &&
"$BEISHEN" conflict add r3 --db "$db" --department 001022 --school 999999 >/dev/null 2>&1
check_eq "three conflicts" "3" "$(sql "$db" "SELECT count(*) FROM reviewer_conflicts")"
sqlite3 "$db" "INSERT INTO notes (department, application_no, author, text, shared, created_at, updated_at) VALUES
  ('001012', '10000001', 'r1', '114 note', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('001022', '10000002', 'r2', '114 private note', 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
  ('001012', '10010627', 'r1', '115 note', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO score_resolutions VALUES ('001012', '10000003', 'revision', NULL, 'off', '2026-01-01T00:00:00Z'),
  ('001012', '11010306', 'third_reading', NULL, 'off', '2026-01-01T00:00:00Z');"

# --- a server serving while the backup is made --------------------------------------------
mkdir -p "$TMP/tmpdir"
: >"$TMP/server.out"
TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 >"$TMP/server.out" 2>"$TMP/server.err" &
server_pid=$!
URL=""
i=0
while [ $i -lt 300 ] && [ -z "$URL" ]; do
    URL=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.out")
    kill -0 "$server_pid" 2>/dev/null || break
    [ -z "$URL" ] && sleep 0.1
    i=$((i + 1))
done
case "$URL" in http://127.0.0.1:*) pass "server running ($URL)" ;; *) fail "no server" "$(cat "$TMP/server.err")"; finish; exit 1 ;; esac
curl -s -c "$TMP/jar" -o /dev/null -H 'Content-Type: application/json' \
    -d '{"user":"r1","password":"pass-r1-12"}' "$URL/api/login"
# A stream of category views (each one an audit row written to the
# database) until told to stop; every status code is logged.
KEYS="001012-10000001 001012-10010627 001022-10000002 001022-14010174 001012-18010409"
(
    while [ ! -e "$TMP/stop" ]; do
        for k in $KEYS; do
            curl -s -o /dev/null -w '%{http_code}\n' -b "$TMP/jar" "$URL/api/applicants/$k/categories"
        done
    done >"$TMP/codes"
) &
loop_pid=$!
sleep 1

"$BEISHEN" backup --db "$db" --to "$TMP/bk1" --json >"$TMP/backup.json" 2>"$TMP/backup.err"
check_eq "backup while the server serves: exit 0" "0" "$?"
sleep 0.5
touch "$TMP/stop"
wait "$loop_pid"
loop_pid=""
served=$(grep -c . "$TMP/codes")
check "the server answered ${served} requests during the test" test "$served" -ge 20
check_eq "every one of them 200" "" "$(grep -v '^200$' "$TMP/codes" | sort | uniq -c)"
check_eq "the backup carries the running server's audit journal (its whole lines)" "true 1" \
    "$(jq -r .journal "$TMP/backup.json") $(grep -c 'view_categories' "$TMP/bk1/audit-journal" 2>/dev/null | awk '{ print ($1 > 0) }')"
check_eq "the backup directory holds the manifest, the database and the files" "backup.json beishen.db beishen.db.files" \
    "$(ls "$TMP/bk1" | grep -v audit-journal | tr '\n' ' ' | sed 's/ $//')"
check_eq "no temporary directory is left beside it" "" "$(ls "$TMP" | grep 'bk1\.tmp')"
check_eq "the backup's database is one file (rollback journal mode)" "delete" "$(sql "$TMP/bk1/beishen.db" "PRAGMA journal_mode")"
check_eq "backup.json: format, version, applications, files" "beishen-backup 1 15 28" \
    "$(jq -r '"\(.format) \(.version) \(.applications) \(.files)"' "$TMP/bk1/backup.json")"
check_eq "the JSON summary names the directory" "$TMP/bk1" "$(jq -r .directory "$TMP/backup.json")"
check_eq "its SHA-256 is the database file's" "$(sha256sum "$TMP/bk1/beishen.db" | cut -d' ' -f1)" \
    "$(jq -r .database_sha256 "$TMP/bk1/backup.json")"
"$BEISHEN" restore --from "$TMP/bk1" --check >"$TMP/check.out" 2>&1
check_eq "restore --check: the backup is whole" "0" "$?"

# digest DB: every table's rows but those the server changes as it serves
# (the audit log, sessions, failed logins).
digest() {
    for t in $(sql "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit_log', 'sessions', 'login_failures') ORDER BY name"); do
        echo "== $t"
        sqlite3 -batch "$1" "SELECT * FROM \"$t\"" | sort
    done
}
digest "$db" >"$TMP/live.digest"
digest "$TMP/bk1/beishen.db" >"$TMP/bk1.digest"
check "the digest covers the application, review and account tables" \
    grep -q '== score_history' "$TMP/live.digest"
check_eq "the backup's tables equal the live database's" "" "$(diff "$TMP/live.digest" "$TMP/bk1.digest" | head -5)"
last=$(sql "$TMP/bk1/beishen.db" "SELECT max(id) FROM audit_log")
check_eq "its audit log is the live one's up to the backup, the backup's own row included" \
    "$(sql "$db" "SELECT group_concat(id || action || coalesce(application, ''), ',') FROM audit_log WHERE id <= $last")" \
    "$(sql "$TMP/bk1/beishen.db" "SELECT group_concat(id || action || coalesce(application, ''), ',') FROM audit_log")"
check_eq "the backup is recorded in the log it copied" "1" \
    "$(sql "$TMP/bk1/beishen.db" "SELECT count(*) FROM audit_log WHERE action = 'backup' AND detail = 'to $TMP/bk1'")"
# files_list STORE: "<name> <sha256 of content>" of every stored file.
files_list() { (cd "$1" && find . -type f -name '*.*' | sort | xargs sha256sum | awk '{n=$2; sub(".*/", "", n); print n, $1}'); }
files_list "$db.files" >"$TMP/live.files"
files_list "$TMP/bk1/beishen.db.files" >"$TMP/bk1.files"
check_eq "the backup holds every stored file, byte for byte" "" "$(diff "$TMP/live.files" "$TMP/bk1.files")"
check_eq "each named by its content's SHA-256" "0" "$(awk '{ if (substr($1, 1, 64) != $2) n++ } END { print n + 0 }' "$TMP/bk1.files")"
check_eq "28 files" "28" "$(wc -l <"$TMP/bk1.files" | tr -d ' ')"

"$BEISHEN" backup --db "$db" --to "$TMP/bk1" >/dev/null 2>"$TMP/again.err"
check_eq "a backup into an existing directory is refused (exit 1)" "1" "$?"
check_contains "it says so" "$TMP/again.err" "exists"
"$BEISHEN" backup --db "$TMP/none.db" --to "$TMP/bk-none" >/dev/null 2>&1
check_eq "a backup of a missing database: exit 1" "1" "$?"
check "and no directory" test ! -e "$TMP/bk-none"
"$BEISHEN" backup --db "$db" >/dev/null 2>&1
check_eq "backup without --to: usage error" "2" "$?"
"$BEISHEN" backup --db "$db" --to "$TMP/bk-slash/" >/dev/null 2>&1
check_eq "a backup to DIR/ is a backup to DIR" "0 yes" "$? $(test -f "$TMP/bk-slash/backup.json" && echo yes)"
check_eq "with its temporary directory beside it, gone" "" "$(ls -a "$TMP" | grep 'bk-slash\.tmp')"

# --- restore to a new database ----------------------------------------------------------
"$BEISHEN" restore --from "$TMP/bk1" --db "$TMP/restored.db" --json >"$TMP/restore.json" 2>"$TMP/restore.err"
check_eq "restore to a new database: exit 0" "0" "$?"
check_eq "every file copied" "28 0 false" "$(jq -r '"\(.files_copied) \(.files_present) \(.replaced)"' "$TMP/restore.json")"
digest "$TMP/restored.db" >"$TMP/restored.digest"
check_eq "the restored tables equal the backup's" "" "$(diff "$TMP/bk1.digest" "$TMP/restored.digest" | head -5)"
files_list "$TMP/restored.db.files" >"$TMP/restored.files"
check_eq "the restored files equal the backup's, byte for byte" "" "$(diff "$TMP/bk1.files" "$TMP/restored.files")"
check_eq "the restore is in the restored database's audit log" "1" \
    "$(sql "$TMP/restored.db" "SELECT count(*) FROM audit_log WHERE action = 'restore' AND detail LIKE 'from $TMP/bk1: backup of $db made %'")"
check_eq "every row of the backup's log is in the restored log" "" \
    "$(sqlite3 -batch "$TMP/bk1/beishen.db" "SELECT id, at, action, coalesce(application, '') FROM audit_log" |
       grep -v -x -F -f "$(sqlite3 -batch "$TMP/restored.db" "SELECT id, at, action, coalesce(application, '') FROM audit_log" >"$TMP/restored.log"; echo "$TMP/restored.log")")"
# The journal's rows (those not yet in the log when the backup was made,
# and those already there: each journal line is stored once).
journal_keys=$(cut -f1 "$TMP/bk1/audit-journal" 2>/dev/null | sort -u | wc -l | tr -d ' ')
check_eq "every journal row the backup carried is in the restored log, once" "$journal_keys" \
    "$(cut -f1 "$TMP/bk1/audit-journal" 2>/dev/null | sort -u | while read -r k; do sql "$TMP/restored.db" "SELECT count(*) FROM audit_log WHERE journal_key = '$k'"; done | grep -c '^1$')"
check_eq "the restore row comes after them all" "$(sql "$TMP/restored.db" "SELECT max(id) FROM audit_log")" \
    "$(sql "$TMP/restored.db" "SELECT id FROM audit_log WHERE action = 'restore'")"
"$BEISHEN" check --db "$TMP/restored.db" >"$TMP/check.out" 2>&1
check_eq "beishen check on the restored database" "0" "$?"
"$BEISHEN" show 001012-10000004 --db "$db" --json >"$TMP/show.live" 2>&1
"$BEISHEN" show 001012-10000004 --db "$TMP/restored.db" --json >"$TMP/show.restored" 2>&1
check_eq "an application reads the same from the restored database" "" "$(cmp "$TMP/show.live" "$TMP/show.restored")"

# --- refusals ------------------------------------------------------------------------------
before=$(sha256sum "$TMP/restored.db" | cut -d' ' -f1)
"$BEISHEN" restore --from "$TMP/bk1" --db "$TMP/restored.db" >/dev/null 2>"$TMP/exists.err"
check_eq "restore over an existing database without --force: exit 1" "1" "$?"
check_contains "it says --force" "$TMP/exists.err" "--force"
"$BEISHEN" restore --from "$TMP/bk1" --db "$db" --force >/dev/null 2>"$TMP/busy.err"
check_eq "restore --force over the database the server has open: exit 1" "1" "$?"
check_contains "it says the database is in use" "$TMP/busy.err" "in use"
check_eq "the restored database is untouched" "$before" "$(sha256sum "$TMP/restored.db" | cut -d' ' -f1)"
"$BEISHEN" restore --db "$TMP/x.db" >/dev/null 2>&1
check_eq "restore without --from: usage error" "2" "$?"
"$BEISHEN" restore --from "$TMP/bk1" --check --force >/dev/null 2>&1
check_eq "restore --check --force: usage error" "2" "$?"

# damaged NAME EXPECTED-TEXT: a copy of bk1 in $TMP/NAME to damage first;
# then --check and a restore to a new database must both fail and create nothing.
damaged() {
    "$BEISHEN" restore --from "$TMP/$1" --check >/dev/null 2>"$TMP/$1.err"
    check_eq "$1: restore --check fails" "1" "$?"
    check_contains "$1: it names the problem" "$TMP/$1.err" "$2"
    "$BEISHEN" restore --from "$TMP/$1" --db "$TMP/$1.db" >/dev/null 2>&1
    check_eq "$1: restore fails" "1" "$?"
    check_eq "$1: and creates nothing" "" "$(ls "$TMP" | grep "^$1\.db")"
}
victim=$(head -n 1 "$TMP/bk1.files" | cut -d' ' -f1)
vpath=$(find "$TMP/bk1/beishen.db.files" -name "$victim")
cp -R "$TMP/bk1" "$TMP/flipped"
printf 'X' | dd of="$TMP/flipped/${vpath#"$TMP/bk1/"}" bs=1 seek=100 conv=notrunc 2>/dev/null
damaged flipped "${victim%%.*}"
cp -R "$TMP/bk1" "$TMP/missing"
rm "$TMP/missing/${vpath#"$TMP/bk1/"}"
damaged missing "${victim%%.*}"
cp -R "$TMP/bk1" "$TMP/dbhash"
printf 'X' | dd of="$TMP/dbhash/beishen.db" bs=1 seek=5000 conv=notrunc 2>/dev/null
damaged dbhash "SHA-256"
cp -R "$TMP/bk1" "$TMP/corrupt"
# A page of the database overwritten, and the manifest's hash made to agree:
# only SQLite's own check can tell.
dd if=/dev/zero of="$TMP/corrupt/beishen.db" bs=4096 seek=3 count=1 conv=notrunc 2>/dev/null
jq --arg h "$(sha256sum "$TMP/corrupt/beishen.db" | cut -d' ' -f1)" '.database_sha256 = $h' "$TMP/bk1/backup.json" \
    >"$TMP/corrupt/backup.json"
damaged corrupt "beishen.db"
cp -R "$TMP/bk1" "$TMP/format"
jq '.format = "something-else"' "$TMP/bk1/backup.json" >"$TMP/format/backup.json"
damaged format "format"
mkdir "$TMP/empty"
damaged empty "not a beishen backup"

# --- the journal carried, restore --force --------------------------------------------------
kill -TERM "$server_pid"
wait "$server_pid"
check_eq "server stopped" "0" "$?"
server_pid=""
# A row the server wrote to its journal but never moved into the log (a
# killed server): key, time, user, action, application, detail, remote.
printf 'crashed-1\t2026-01-01T00:00:00.000Z\tjournal-only\tview\t001012-10000001\t\\N\t127.0.0.1\n' >>"$db.audit-journal"
"$BEISHEN" backup --db "$db" --to "$TMP/bk2" >/dev/null 2>&1
check_eq "backup with a journal row not yet imported" "true" "$(jq -r .journal "$TMP/bk2/backup.json")"
"$BEISHEN" restore --from "$TMP/bk2" --db "$TMP/journal.db" >/dev/null 2>&1
check_eq "the restored log holds the journal's row" "1" \
    "$(sql "$TMP/journal.db" "SELECT count(*) FROM audit_log WHERE user = 'journal-only' AND application = '001012-10000001'")"

# Changes after bk1: an account and a new application with new files.
printf 'pass-late-1\n' | "$BEISHEN" user add late --role reviewer --department 001012 --db "$db" >/dev/null 2>&1
"$BUILD/generate" --seed 99 --apps 1 --out "$TMP/late" >/dev/null 2>&1
"$BEISHEN" ingest --db "$db" "$TMP/late" >"$TMP/late.out" 2>&1
check_eq "a later application ingested" "loaded 1, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/late.out")"
# The generator's attachments are those of round-small: a stray stored file
# stands for one the later ingest would have added.
stray=abababababababababababababababababababababababababababababababab
mkdir -p "$db.files/ab" && printf '%%PDF-1.4 stray' >"$db.files/ab/$stray.pdf"
late_files=1
version_before=$(sql "$db" "SELECT version FROM content_version")
"$BEISHEN" restore --from "$TMP/bk1" --db "$db" --force --json >"$TMP/force.json" 2>"$TMP/force.err"
check_eq "restore --force with the server stopped: exit 0" "0" "$?"
check_eq "it replaced the database and removed the files not in the backup" "true $late_files" \
    "$(jq -r '"\(.replaced) \(.files_removed)"' "$TMP/force.json")"
digest "$db" | sed '/^== content_version$/,/^==/{/^[0-9]/d}' >"$TMP/forced.digest"
sed '/^== content_version$/,/^==/{/^[0-9]/d}' "$TMP/bk1.digest" >"$TMP/bk1.nocv"
check_eq "the database is the backup's again (the account and application gone)" "" \
    "$(diff "$TMP/bk1.nocv" "$TMP/forced.digest" | head -5)"
check "its content version moved past both, so no cache takes it for the old" \
    test "$(sql "$db" "SELECT version FROM content_version")" -gt "$version_before"
files_list "$db.files" >"$TMP/forced.files"
check_eq "the store holds exactly the backup's files (the stray one removed)" "" "$(diff "$TMP/bk1.files" "$TMP/forced.files")"
"$BEISHEN" check --db "$db" >/dev/null 2>&1
check_eq "beishen check after restore --force" "0" "$?"

# ============================================================================
# purge
# ============================================================================
: >"$TMP/server2.out"
TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 >"$TMP/server2.out" 2>"$TMP/server2.err" &
server_pid=$!
URL=""
i=0
while [ $i -lt 300 ] && [ -z "$URL" ]; do
    URL=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server2.out")
    kill -0 "$server_pid" 2>/dev/null || break
    [ -z "$URL" ] && sleep 0.1
    i=$((i + 1))
done
rm -f "$TMP/jar"
curl -s -c "$TMP/jar" -o /dev/null -H 'Content-Type: application/json' \
    -d '{"user":"r1","password":"pass-r1-12"}' "$URL/api/login"
code() { curl -s -o /dev/null -w '%{http_code}' -b "$TMP/jar" "$URL$1"; }
check_eq "the server shows a round-114 applicant before the purge" "200" "$(code /api/applicants/001012-10000001/categories)"

"$BEISHEN" purge --db "$db" --list --json >"$TMP/rounds.json"
check_eq "purge --list: both rounds, oldest first" "$R114:5 $R115:10" \
    "$(jq -r 'map("\(.round):\(.applications)") | join(" ")' "$TMP/rounds.json")"
APPS114="'001012-10000001','001012-10000002','001012-10000003','001012-10000004','001022-10000002'"
PAIRS114="SELECT department, application_no FROM applications WHERE key IN ($APPS114)"
# What round 114 holds, counted here from the tables themselves.
expect_courses=$(sql "$db" "SELECT count(*) FROM courses WHERE application_id IN (SELECT id FROM applications WHERE key IN ($APPS114))")
expect_sheets=$(sql "$db" "SELECT count(*) FROM score_sheets WHERE (department, application_no) IN ($PAIRS114)")
expect_history=$(sql "$db" "SELECT count(*) FROM score_history WHERE (department, application_no) IN ($PAIRS114)")
expect_assign=$(sql "$db" "SELECT count(*) FROM assignments WHERE (department, application_no) IN ($PAIRS114)")
check_eq "round 114 has scores, history, assignments, notes, a resolution and a conflict" "2 10 2 1 1" \
    "$expect_sheets $expect_assign $(sql "$db" "SELECT count(*) FROM notes WHERE (department, application_no) IN ($PAIRS114)") $(sql "$db" "SELECT count(*) FROM score_resolutions WHERE (department, application_no) IN ($PAIRS114)") $(sql "$db" "SELECT count(*) FROM reviewer_conflicts WHERE kind = 'application' AND (department, value) IN ($PAIRS114)")"
# Round 115 as it is, every personal table, by application key.
r115() {
    sqlite3 -batch "$1" "
      CREATE TEMP VIEW a AS SELECT * FROM applications WHERE key NOT IN ($APPS114);
      SELECT a.key, a.content_sha256, s.name, s.national_id, s.birth_date FROM a JOIN students s ON s.application_id = a.id ORDER BY a.key;
      SELECT a.key, count(*), sum(c.score) FROM a JOIN courses c ON c.application_id = a.id GROUP BY a.key ORDER BY a.key;
      SELECT a.key, count(*) FROM a JOIN cadres c ON c.application_id = a.id GROUP BY a.key ORDER BY a.key;
      SELECT a.key, c.code, c.syllabus FROM a JOIN course_catalog c ON c.application_id = a.id ORDER BY a.key, c.code;
      SELECT a.key, o.title, o.summary FROM a JOIN outcomes o ON o.application_id = a.id ORDER BY a.key, o.position;
      SELECT a.key, p.title FROM a JOIN performances p ON p.application_id = a.id ORDER BY a.key, p.position;
      SELECT a.key, u.title, u.text FROM a JOIN uploads u ON u.application_id = a.id ORDER BY a.key, u.position;
      SELECT a.key, t.sha256, t.name FROM a JOIN attachments t ON t.application_id = a.id ORDER BY a.key, t.owner_kind, t.position;
      SELECT a.key, c.position, c.name, c.count FROM a JOIN categories c ON c.application_id = a.id ORDER BY a.key, c.position;
      SELECT department, application_no, reviewer, status, items, total FROM score_sheets WHERE application_no NOT LIKE '1000000_' ORDER BY 1, 2, 3;
      SELECT department, application_no, reviewer, action FROM score_history WHERE application_no NOT LIKE '1000000_' ORDER BY id;
      SELECT * FROM assignments WHERE application_no NOT LIKE '1000000_' ORDER BY 1, 2, 3;
      SELECT department, application_no, text FROM notes WHERE application_no NOT LIKE '1000000_' ORDER BY id;
      SELECT * FROM score_resolutions WHERE application_no NOT LIKE '1000000_';
      SELECT * FROM reviewer_conflicts WHERE value NOT LIKE '1000000_' ORDER BY 1, 2, 3, 4;"
}
r115 "$db" >"$TMP/r115.before"
check "the round-115 snapshot is not empty" test "$(wc -l <"$TMP/r115.before")" -gt 100
names114=$(sql "$db" "SELECT group_concat(DISTINCT s.name) FROM students s JOIN applications a ON a.id = s.application_id WHERE a.key IN ($APPS114)")
check_eq "round 114's applicants" "王小明,李美𠮷,陳䶮,林自製" "$names114"
ids114=$(sql "$db" "SELECT group_concat(DISTINCT s.national_id) FROM students s JOIN applications a ON a.id = s.application_id WHERE a.key IN ($APPS114)")
check_eq "the bytes of the database files hold 王小明 before (control)" "1" \
    "$(cat "$db" "$db-wal" 2>/dev/null | grep -a -c '王小明' | sed 's/^[1-9][0-9]*$/1/')"

# The dry run.
dump_before=$(sqlite3 "$db" .dump | grep -v -e '^INSERT INTO audit_log' -e '^INSERT INTO sessions' | sha256sum)
"$BEISHEN" purge --db "$db" --round "$R114" --json >"$TMP/dry.json" 2>"$TMP/dry.err"
check_eq "dry run: exit 0" "0" "$?"
check_eq "dry run: removed false" "false" "$(jq -r .removed "$TMP/dry.json")"
check_eq "dry run: the counts of round 114" "5 5 $expect_courses 1 $expect_sheets 1 $expect_history $expect_assign 2 1 1 5 1 0" \
    "$(jq -r '.counts | "\(.applications) \(.students) \(.course_rows) \(.files) \(.score_sheets) \(.draft_sheets) \(.score_history) \(.assignments) \(.notes) \(.resolutions) \(.conflicts) \(.blind_numbers) \(.packages) \(.departments)"' "$TMP/dry.json")"
check_eq "the one file round 114 alone references: its size" "193" "$(jq -r .counts.file_bytes "$TMP/dry.json")"
check_eq "the dry run changed nothing" "$dump_before" \
    "$(sqlite3 "$db" .dump | grep -v -e '^INSERT INTO audit_log' -e '^INSERT INTO sessions' | sha256sum)"
"$BEISHEN" purge --db "$db" --round "$R114" >"$TMP/dry.txt" 2>&1
check_contains "the dry run's text says nothing was removed" "$TMP/dry.txt" "dry run: nothing removed"

# A draft sheet refuses it.  An ingest holds the ingest lock meanwhile
# (flock, as beishen ingest takes it): the purge waits for it and says so.
flock "$db.ingest-lock" sh -c "touch '$TMP/locked'; sleep 1.5" &
lock_pid=$!
while [ ! -e "$TMP/locked" ]; do sleep 0.05; done
started=$(date +%s.%N)
"$BEISHEN" purge --db "$db" --round "$R114" --yes >"$TMP/draft.out" 2>"$TMP/draft.err"
status=$?
waited=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
wait "$lock_pid"
check_eq "purge --yes with a draft score sheet: refused (exit 1)" "1" "$status"
check_contains "it waited for the ingest holding the lock" "$TMP/draft.err" "an ingest into $db is running; waiting"
check "for ${waited} s, until it ended" awk -v w="$waited" 'BEGIN { exit !(w >= 1) }'
check_contains "it names the drafts" "$TMP/draft.err" "1 draft score sheets"
check_eq "and removed nothing" "$dump_before" \
    "$(sqlite3 "$db" .dump | grep -v -e '^INSERT INTO audit_log' -e '^INSERT INTO sessions' | sha256sum)"
# The reader finishes the sheet: the review of 114 is over.
# shellcheck disable=SC2086
"$BEISHEN" score 001012-10000002 --reviewer r2 --db "$db" $FULL012 --submit >/dev/null 2>&1
check_eq "the draft submitted" "0" "$(sql "$db" "SELECT count(*) FROM score_sheets WHERE status = 'draft' AND application_no = '10000002'")"
r115 "$db" >"$TMP/r115.before"

# The purge, the server running.
"$BEISHEN" purge --db "$db" --round "$R114" --yes --json >"$TMP/purge.json" 2>"$TMP/purge.err"
check_eq "purge --yes: exit 0" "0" "$?"
check_eq "removed, 5 applications, the one unshared file unlinked" "true 5 1" \
    "$(jq -r '"\(.removed) \(.counts.applications) \(.files_unlinked)"' "$TMP/purge.json")"
check_eq "no application of round 114 is left" "0" "$(sql "$db" "SELECT count(*) FROM applications WHERE key IN ($APPS114)")"
check_eq "nor a student, course, outcome, upload or attachment row without its application" "0 0 0 0 0 0" \
    "$(for t in students cadres courses outcomes uploads attachments; do sql "$db" "SELECT count(*) FROM $t WHERE application_id NOT IN (SELECT id FROM applications)"; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "foreign_key_check finds nothing" "" "$(sql "$db" "PRAGMA foreign_key_check")"
for t in score_sheets score_history assignments notes score_resolutions blind_numbers; do
    check_eq "no $t row of round 114 is left" "0" "$(sql "$db" "SELECT count(*) FROM $t WHERE application_no LIKE '1000000_'")"
done
check_eq "no conflict with a round-114 application; the school conflict stays" "0 1" \
    "$(sql "$db" "SELECT count(*) FROM reviewer_conflicts WHERE kind = 'application' AND value LIKE '1000000_'") $(sql "$db" "SELECT count(*) FROM reviewer_conflicts WHERE kind = 'school'")"
r115 "$db" >"$TMP/r115.after"
check_eq "round 115 is as it was, row for row" "" "$(diff "$TMP/r115.before" "$TMP/r115.after" | head -5)"
check_eq "accounts, lists and plans stay" "3 2" \
    "$(sql "$db" "SELECT count(*) FROM users") $(sql "$db" "SELECT count(*) FROM requirement_lists")"
check_eq "round 114's package is gone; the departments stay, of round 115" "1 $R115,$R115" \
    "$(sql "$db" "SELECT count(*) FROM packages") $(sql "$db" "SELECT group_concat(round) FROM departments")"
check "round 114's own file is gone from the store" test -z "$(find "$db.files" -name "$ONLY114.*")"
check_eq "and from the files table" "0" "$(sql "$db" "SELECT count(*) FROM files WHERE sha256 = '$ONLY114'")"
check "the file shared with round 115 stays" test -n "$(find "$db.files" -name "$SHARED.pdf")"
check_eq "27 files left, each with its row" "27 27" \
    "$(find "$db.files" -type f | wc -l | tr -d ' ') $(sql "$db" "SELECT count(*) FROM files")"
"$BEISHEN" check --db "$db" >"$TMP/check.out" 2>&1
check_eq "beishen check after the purge: every file whole" "0" "$?"

# Pools as if round 114 had never been ingested.
fresh=$TMP/fresh.db
"$BEISHEN" ingest --db "$fresh" tests/fixtures/round-small >/dev/null 2>&1
check_eq "pool statistics equal those of a database holding round 115 alone" \
    "$(sqlite3 -batch "$fresh" "SELECT * FROM pool_statistics ORDER BY 1, 2, 3" | sha256sum)" \
    "$(sqlite3 -batch "$db" "SELECT * FROM pool_statistics ORDER BY 1, 2, 3" | sha256sum)"
check_eq "and the per-score counts of the course rows' pools" \
    "$(sqlite3 -batch "$fresh" "SELECT * FROM pool_term_counts ORDER BY 1, 2, 3, 4, 5" | sha256sum)" \
    "$(sqlite3 -batch "$db" "SELECT * FROM pool_term_counts ORDER BY 1, 2, 3, 4, 5" | sha256sum)"
"$BEISHEN" dist --db "$fresh" --department 001012 --all subject --json >"$TMP/dist.fresh" 2>&1
"$BEISHEN" dist --db "$db" --department 001012 --all subject --json >"$TMP/dist.purged" 2>&1
check_eq "beishen dist prints the same" "" "$(cmp "$TMP/dist.fresh" "$TMP/dist.purged")"

# The audit row: the round and the counts, no personal data.
"$BEISHEN" audit --db "$db" --json >"$TMP/audit.json"
check_eq "one purge_round row by the command line" "1" \
    "$(jq '[.[] | select(.action == "purge_round" and .user == "(command line)")] | length' "$TMP/audit.json")"
check_eq "its detail: the round and counts" "round $R114: applications=5 students=5" \
    "$(jq -r '.[] | select(.action == "purge_round") | .detail' "$TMP/audit.json" | cut -d' ' -f1-4)"
leaks=0
for n in $(echo "$names114" | tr ',' ' ') $(echo "$ids114" | tr ',' ' '); do
    grep -q -- "$n" "$TMP/audit.json" && leaks=$((leaks + 1))
done
check_eq "no name or national ID of round 114 in the audit log" "0" "$leaks"

# The bytes of the database and its WAL.
leaks=""
for n in $(echo "$names114" | tr ',' ' ') $(echo "$ids114" | tr ',' ' '); do
    for f in "$db" "$db-wal"; do
        [ -f "$f" ] && grep -a -q -- "$n" "$f" && leaks="$leaks $n@$(basename "$f")"
    done
done
check_eq "no byte of a purged applicant's name or ID in the database or its WAL" "" "$leaks"
check_eq "a round-115 name is still there (control)" "1" \
    "$(cat "$db" "$db-wal" 2>/dev/null | grep -a -c '杜聖博' | sed 's/^[1-9][0-9]*$/1/')"

# The running server follows.
check_eq "the server answers 404 for a purged applicant" "404" "$(code /api/applicants/001012-10000001/categories)"
check_eq "and 200 for one of round 115" "200" "$(code /api/applicants/001012-10010627/categories)"
curl -s -b "$TMP/jar" "$URL/api/applicants?department=001012" >"$TMP/list.json"
check_eq "its list of 001012 holds round 115 only" "5 0" \
    "$(jq 'length' "$TMP/list.json") $(jq '[.[] | select(.application_no | startswith("1000000"))] | length' "$TMP/list.json")"

"$BEISHEN" purge --db "$db" --list >"$TMP/list.txt"
check_contains "purge --list: round 115 only" "$TMP/list.txt" "1 rounds"
"$BEISHEN" purge --db "$db" --round "$R114" --yes >/dev/null 2>"$TMP/none.err"
check_eq "purging it again: exit 1" "1" "$?"
check_contains "no application belongs to it" "$TMP/none.err" "no application belongs to round"
"$BEISHEN" purge --db "$db" >/dev/null 2>&1
check_eq "purge without --round or --list: usage error" "2" "$?"
"$BEISHEN" purge --db "$db" --list --yes >/dev/null 2>&1
check_eq "purge --list --yes: usage error" "2" "$?"

kill -TERM "$server_pid"
wait "$server_pid"
check_eq "the server stops cleanly after the purge" "0" "$?"
server_pid=""

finish
