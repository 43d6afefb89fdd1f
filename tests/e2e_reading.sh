#!/bin/sh
# End-to-end tests of reading: blind review and reviewers' notes (註記).
#
# Blind review: with the department's plan saying blind_review, every
# answer a reviewer gets (the list, the application, its overview, its
# categories and each category, notes, the packet and comparison PDFs, file
# downloads' headers, the scoring queue, a score sheet and the 評分表)
# carries none of the applicant's identifying values, which are collected
# from the office's answers and the database (PDFs are read with
# pdftotext, pdfinfo and qpdf); the applicant is "考生 NNN",
# numbered in the order of HMAC-SHA256(the database's secret,
# "<department>-<number>"), worked out here in Python; the office
# always sees the names, and so does the reviewer once the plan is not
# blind (the per-thread category cache keeps blind and full answers apart).
# render packet --blind is checked against a plain render, which does leak,
# so the leak check is seen to fail when it should.
#
# Notes: private and shared, who sees which, who may change them (another's
# note is answered exactly as a missing one), CSRF, limits in characters,
# versions, audit rows (also for a change whose commit fails), survival
# across re-ingest, and the packets (workstation and CLI) that end with them.
#
# Data: the project fixture tests/fixtures/round-small, with one statement
# of 001012-18010409 changed to name its writer, her school and birth date.
. tests/lib.sh

server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

DEPT=001012
APPS="10010627 11010306 18010409 18010410 23010650"   # the department's five, ascending
P=18010409            # the application whose statement names its writer
N=18010410            # the application the notes are written on

# --- data ----------------------------------------------------------------------------
cp -R "$EXAMPLE" "$TMP/package"
retouch() {
    file="applications/$1.json"; filter=$2; shift 2
    jq "$@" "$filter" "$EXAMPLE/$file" >"$TMP/package/$file"
    hash=$(sha256sum "$TMP/package/$file" | cut -d' ' -f1)
    jq --arg p "$file" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
        "$TMP/package/manifest.json" >"$TMP/manifest.json" && mv "$TMP/manifest.json" "$TMP/package/manifest.json"
}
retouch "$DEPT-$P" '(.uploads[] | select(.item == "O") | .text) |= "我是" + $student_name + "，" +
    $school + "三年級，生於" + $birth + "。" + $student_name + "的反思：" + .' \
    --arg student_name "$(jq -r .student.name "$EXAMPLE/applications/$DEPT-$P.json")" \
    --arg school "$(jq -r .student.school.name "$EXAMPLE/applications/$DEPT-$P.json")" \
    --arg birth "$(jq -r .student.birth_date "$EXAMPLE/applications/$DEPT-$P.json")"
db=$TMP/reading.db
mkdir -p "$TMP/tmpdir" "$TMP/id" "$TMP/r"
"$BEISHEN" ingest --db "$db" "$TMP/package" >"$TMP/ingest.out" 2>&1
check_eq "fixture ingests" "loaded 10, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
"$BEISHEN" requirements load --db "$db" samples/requirements/$DEPT.json >/dev/null 2>&1
check_eq "requirement list of $DEPT loaded" "1" "$(sql "$db" "SELECT count(*) FROM requirement_lists WHERE department='$DEPT'")"
add() { name=$1; pass=$2; shift 2; printf '%s\n' "$pass" | "$BEISHEN" user add "$name" --db "$db" "$@" >/dev/null 2>&1; }
add rev1 'reviewer-pass-1' --role reviewer --department $DEPT
add rev2 'reviewer-pass-2' --role reviewer --department $DEPT
add rev22 'reviewer-pass-3' --role reviewer --department 001022
add office 'office-pass-1' --role office --university 001
check_eq "four accounts" "office,rev1,rev2,rev22" "$(sql "$db" "SELECT group_concat(name) FROM (SELECT name FROM users ORDER BY name)")"

# set_blind DEPARTMENT true|false: the department's plan, changed with jq.
set_blind() {
    "$BEISHEN" plan show "$1" --db "$db" --json | jq --argjson b "$2" '.blind_review = $b' >"$TMP/plan.json" &&
        "$BEISHEN" plan set --db "$db" "$TMP/plan.json" >/dev/null 2>&1
}

# The pseudonyms' order: HMAC-SHA256 of "<department>-<number>" keyed by the
# database's secret, lowest first.  A secret is chosen whose order is
# neither the numbers' order nor its reverse, so a numbering that followed
# the application numbers is seen.
hmac_order() {   # SECRET_HEX DEPARTMENT NUMBER...: the numbers in pseudonym order
    python3 - "$@" <<'EOF'
import hashlib, hmac, sys
key, department, numbers = bytes.fromhex(sys.argv[1]), sys.argv[2], sys.argv[3:]
mac = lambda no: hmac.new(key, (department + "-" + no).encode(), hashlib.sha256).hexdigest()
print(" ".join(sorted(numbers, key=mac)))
EOF
}
ascending=$APPS
descending=$(printf '%s\n' $APPS | sort -r | tr '\n' ' ' | sed 's/ $//')
i=0
while :; do
    i=$((i + 1))
    secret=$(printf 'reading-secret-%d' $i | sha256sum | cut -d' ' -f1)
    order=$(hmac_order "$secret" $DEPT $APPS)
    [ "$order" != "$ascending" ] && [ "$order" != "$descending" ] && break
done
sql "$db" "UPDATE blind_secret SET secret = X'$secret' WHERE only = 1"
# expected pseudonym of each number
k=0
for no in $order; do
    k=$((k + 1))
    printf '%s 考生 %03d\n' "$no" $k
done | sort >"$TMP/expected_pseudonyms"
expected() { sed -n "s/^$1 //p" "$TMP/expected_pseudonyms"; }
stored_numbers() {   # the department's stored numbers, as "<number> 考生 NNN" sorted
    sql "$db" "SELECT application_no || ' 考生 ' || printf('%03d', number) FROM blind_numbers
               WHERE department = '$DEPT' ORDER BY application_no"
}
# The ingest numbered the applications under the secret the database was
# made with.  Numbers taken away (as an ingest killed before its numbering
# leaves them), the next ingest, with nothing new in it, gives them under
# the secret set above: in its keyed order.
check_eq "the ingest numbered the department's five" "5" \
    "$(sql "$db" "SELECT count(*) FROM blind_numbers WHERE department = '$DEPT'")"
sql "$db" "DELETE FROM blind_numbers"
"$BEISHEN" render packet --db "$db" "$DEPT-$P" --blind -o "$TMP/unnumbered.pdf" >/dev/null 2>&1
check_eq "meanwhile a read shows the number the next ingest will give ($(expected $P))" "1" \
    "$(pdftotext "$TMP/unnumbered.pdf" - 2>/dev/null | grep -cF "$(expected $P)" | sed 's/^[1-9][0-9]*$/1/')"
"$BEISHEN" ingest --db "$db" "$TMP/package" >"$TMP/ingest2.out" 2>&1
check_eq "an ingest with nothing new" "loaded 0, unchanged 10, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest2.out")"
check_eq "numbers the applications that have none, in the keyed order" "$(cat "$TMP/expected_pseudonyms")" "$(stored_numbers)"
# A database from before schema 013: its migration numbers the applications
# already there as they were shown (the same keyed order, the SQL function
# hmac_sha256 against Python's hmac).
sql "$db" "DROP TABLE blind_numbers; PRAGMA user_version = 12"
"$BEISHEN" ingest --db "$db" "$TMP/package" >/dev/null 2>&1
check_eq "schema 013's migration numbers them as they were shown" "$(cat "$TMP/expected_pseudonyms")" "$(stored_numbers)"
check_eq "and every department's: 001022 in its keyed order" \
    "$(hmac_order "$secret" 001022 $(sql "$db" "SELECT application_no FROM applications WHERE department='001022' ORDER BY application_no"))" \
    "$(sql "$db" "SELECT group_concat(application_no, ' ') FROM (SELECT application_no FROM blind_numbers WHERE department = '001022' ORDER BY number)")"
order22=$(hmac_order "$secret" 001022 $(sql "$db" "SELECT application_no FROM applications WHERE department='001022' ORDER BY application_no"))

# --- the server ------------------------------------------------------------------------
start_server() {
    TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 --threads 4 >"$TMP/server.out" 2>>"$TMP/server.err" &
    server_pid=$!
    BASE=""
    i=0
    while [ $i -lt 600 ] && [ -z "$BASE" ]; do
        BASE=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.out" 2>/dev/null)
        kill -0 "$server_pid" 2>/dev/null || break
        [ -z "$BASE" ] && sleep 0.1
        i=$((i + 1))
    done
}
stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid"
    stopped=$?
    server_pid=""
}
start_server
case "$BASE" in http://127.0.0.1:[0-9]*) pass "server listens ($BASE)" ;;
    *) fail "server did not start" "$(cat "$TMP/server.out" "$TMP/server.err")"; finish; exit 1 ;; esac

# req METHOD PATH [curl options]: body in $TMP/body, headers in $TMP/headers; prints the status.
req() {
    method=$1; path=$2; shift 2
    curl -s -g -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$BASE$path"
}
header() { grep -i "^$1:" "$TMP/headers" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
login() {
    curl -s -c "$TMP/$1.jar" -o "$TMP/$1.login" -w '%{http_code}' -H 'Content-Type: application/json' \
         --data "{\"user\":\"$1\",\"password\":\"$2\"}" "$BASE/api/login"
}
# as USER METHOD PATH [curl options]: with USER's cookie and CSRF token
as() {
    user=$1; method=$2; path=$3; shift 3
    req "$method" "$path" -b "$TMP/$user.jar" -H "X-CSRF-Token: $(jq -r .csrf "$TMP/$user.login")" "$@"
}
get() { user=$1; path=$2; shift 2; req GET "$path" -b "$TMP/$user.jar" "$@"; }
uri() { jq -rn --arg s "$1" '$s|@uri'; }
check_eq "rev1 logs in" "200" "$(login rev1 'reviewer-pass-1')"
check_eq "rev2 logs in" "200" "$(login rev2 'reviewer-pass-2')"
check_eq "rev22 logs in" "200" "$(login rev22 'reviewer-pass-3')"
check_eq "office logs in" "200" "$(login office 'office-pass-1')"

# --- identity, from the office's answers and the database --------------------------------------
# $TMP/id/NO: the values of application NO that must not reach a blind
# reviewer, one a line; $TMP/id/all: every application's.
for no in $APPS; do
    get office "/api/applicants/$DEPT-$no" >/dev/null
    cp "$TMP/body" "$TMP/office_$no.json"
    jq -r '.student | .name, .national_id, .school_name, .school_code, .birth_date' "$TMP/body" >"$TMP/id/$no"
    sql "$db" "SELECT DISTINCT t.name FROM attachments t JOIN applications a ON a.id = t.application_id
               WHERE a.department = '$DEPT' AND a.application_no = '$no'" >>"$TMP/id/$no"
done
cat "$TMP"/id/1* "$TMP"/id/2* | sort -u >"$TMP/id/all"
check_eq "office answers: five identity values of each applicant, none missing or short" "25 0" \
    "$(for no in $APPS; do head -n 5 "$TMP/id/$no"; done >"$TMP/id/values"
       echo "$(wc -l <"$TMP/id/values" | tr -d ' ') $(grep -c -e '^null$' -e '^.\{0,1\}$' "$TMP/id/values")")"
check_eq "office answers: the masked national ID" "N*****6510" "$(sed -n 2p "$TMP/id/$P")"
office_files=$(for no in $APPS; do jq -r '[.. | objects | select(has("files")) | .files[]?.name] | .[]' "$TMP/office_$no.json"; done | sort -u)
db_files=$(sql "$db" "SELECT DISTINCT t.name FROM attachments t JOIN applications a ON a.id = t.application_id WHERE a.department = '$DEPT'" | sort -u)
check_eq "office answers show the attachments' real names (as in the database)" "$db_files" "$office_files"
check_eq "there are attachment names to look for" "1" "$([ "$(printf '%s\n' "$db_files" | wc -l)" -ge 10 ] && echo 1)"
# Each file's name percent-encoded too, as a Content-Disposition's filename* would carry it.
python3 -c 'import sys, urllib.parse
for line in sys.stdin.read().splitlines():
    if line: print(urllib.parse.quote(line, safe=""))' <"$TMP/id/all" | grep '%' >"$TMP/id/encoded"
cat "$TMP/id/all" "$TMP/id/encoded" | sort -u >"$TMP/id/headers"

# leaks FILE [VALUES]: the identifying values (default: every applicant's) found in FILE.
leaks() { LC_ALL=C grep -oF -f "${2:-$TMP/id/all}" "$1" | sort -u | tr '\n' '|' | sed 's/|$//'; }
# Forbidden members anywhere in a JSON answer.
FORBIDDEN='["national_id","gender","birth_date","school_code","school_name","school","class_name","seat_no"]'
forbidden_keys() { jq -r --argjson f "$FORBIDDEN" '[.. | objects | keys[] | select(. as $k | $f | index($k))] | unique | join(",")' "$1"; }
# pdf_all PDF OUT [-layout]: everything a PDF says: its text, its metadata,
# and every string of its objects (qpdf): outline, destinations, annotations.
pdf_all() {
    pdftotext ${3:-} "$1" "$2" 2>/dev/null
    pdfinfo "$1" >>"$2" 2>/dev/null
    qpdf --json=2 "$1" >>"$2" 2>/dev/null
}
# Attachment names that are not "附件 N.ext".
unrenamed() { jq -r '[.. | objects | select(has("files")) | .files[]?.name | select(test("^附件 [0-9]+(\\.[A-Za-z0-9]+)?$") | not)] | length' "$1"; }

# The leak check finds what it should (and below, in plain packets).
check_eq "leak check finds the name, masked ID, school, code and birth date in the office's answer" "5" \
    "$(sed -n '1,5p' "$TMP/id/$P" >"$TMP/id/five"; LC_ALL=C grep -oF -f "$TMP/id/five" "$TMP/office_$P.json" | sort -u | wc -l | tr -d ' ')"

# --- blind review on: the reviewer's answers --------------------------------------------------------
# Each worker thread keeps its recent category views (handlers.c): full
# answers kept while the plan is not blind must not be served once it is.
# Eight requests on new connections reach each of the four threads.
BASIC="/api/applicants/$DEPT-$P/categories/$(uri 基本資料)"
names8() { for _ in 1 2 3 4 5 6 7 8; do get "$1" "$BASIC" >/dev/null; jq -r '.categories[0].records[0].name' "$TMP/body"; done | sort | uniq -c | awk '{$1=$1; print}'; }
check_eq "not blind yet: every thread answers the reviewer the name" "8 $(sed -n 1p "$TMP/id/$P")" "$(names8 rev1)"
set_blind $DEPT true
check_eq "plan of $DEPT says blind" "true" "$("$BEISHEN" plan show $DEPT --db "$db" --json | jq .blind_review)"
check_eq "blind: no thread answers from its full views" "8 $(expected $P)" "$(names8 rev1)"

# list
check_eq "reviewer list" "200" "$(get rev1 "/api/applicants?department=$DEPT")"
jq -c . "$TMP/body" >"$TMP/r/list.json"
check_eq "list: no identifying value" "" "$(leaks "$TMP/r/list.json")"
check_eq "list: no identifying member" "" "$(forbidden_keys "$TMP/r/list.json")"
check_eq "list: every row marked blind" "true" "$(jq 'all(.[]; .blind == true)' "$TMP/r/list.json")"
check_eq "list: pseudonyms keyed by the secret, not the numbers' order" \
    "$(cat "$TMP/expected_pseudonyms")" "$(jq -r '.[] | "\(.application_no) \(.name)"' "$TMP/r/list.json" | sort)"
check_eq "list: five different pseudonyms" "5" "$(jq '[.[].name] | unique | length' "$TMP/r/list.json")"
check_eq "list sorted by name: no identifying value" "" \
    "$(get rev1 "/api/applicants?department=$DEPT&sort=name" >/dev/null; leaks "$TMP/body")"
check_eq "list sorted by name: in pseudonym order, not by the real names" \
    "$(jq -r '[.[].name] | sort | join(",")' "$TMP/r/list.json")" "$(jq -r '[.[].name] | join(",")' "$TMP/body")"
get rev1 "/api/applicants?department=$DEPT" >/dev/null
check_eq "list again: the same pseudonyms" "$(jq -S . "$TMP/r/list.json")" "$(jq -S . "$TMP/body")"
check_eq "distribution (a pool's applicant list)" "200" \
    "$(get rev1 "/api/distributions?department=$DEPT&subject=$(uri 國語文)&grade=1&semester=1")"
check_eq "distribution: no identifying value" "" "$(leaks "$TMP/body")"
check_eq "distribution: applicants by pseudonym" "true" \
    "$(jq '(.applications | length) > 0 and all(.applications[]; .name | test("^考生 [0-9]+$"))' "$TMP/body")"

# application, categories, every category, notes, packet, files
: >"$TMP/r/file_headers"
: >"$TMP/r/pseudonyms_seen"
for no in $APPS; do
    A=/api/applicants/$DEPT-$no
    ps=$(expected "$no")
    get rev1 "$A" >/dev/null
    jq -c . "$TMP/body" >"$TMP/r/app_$no.json"
    check_eq "$no: application: no identifying value" "" "$(leaks "$TMP/r/app_$no.json")"
    check_eq "$no: application: no identifying member" "" "$(forbidden_keys "$TMP/r/app_$no.json")"
    check_eq "$no: application: the pseudonym, blind" "$ps true" "$(jq -r '"\(.student.name) \(.blind)"' "$TMP/r/app_$no.json")"
    check_eq "$no: application: attachments renamed 附件 N" "0" "$(unrenamed "$TMP/r/app_$no.json")"
    check_eq "$no: overview" "200" "$(get rev1 "$A/overview")"
    jq -c . "$TMP/body" >"$TMP/r/overview_$no.json"
    check_eq "$no: overview: no identifying value" "" "$(leaks "$TMP/r/overview_$no.json")"
    check_eq "$no: overview: no identifying member" "" "$(forbidden_keys "$TMP/r/overview_$no.json")"
    check_eq "$no: overview: the pseudonym" "$ps" "$(jq -r .student.name "$TMP/r/overview_$no.json")"
    check_eq "$no: categories" "200" "$(get rev1 "$A/categories")"
    jq -c . "$TMP/body" >"$TMP/r/cats_$no.json"
    check_eq "$no: categories: no identifying value" "" "$(leaks "$TMP/r/cats_$no.json")"
    jq -r '.[].category' "$TMP/r/cats_$no.json" >"$TMP/r/catnames_$no"
    : >"$TMP/r/every_$no.json"
    codes=""
    while IFS= read -r category; do
        code=$(get rev1 "$A/categories/$(uri "$category")")
        codes="$codes$code "
        jq -c . "$TMP/body" >>"$TMP/r/every_$no.json"
    done <"$TMP/r/catnames_$no"
    ncat=$(wc -l <"$TMP/r/catnames_$no" | tr -d ' ')
    check_eq "$no: each of its $ncat categories answers 200" "$ncat" "$(printf '%s\n' $codes | grep -c '^200$')"
    check_eq "$no: every category: no identifying value" "" "$(leaks "$TMP/r/every_$no.json")"
    check_eq "$no: every category: no identifying member" "" "$(jq -s -c . "$TMP/r/every_$no.json" >"$TMP/r/x.json"; forbidden_keys "$TMP/r/x.json")"
    check_eq "$no: every category: blind, the pseudonym" "$ncat $ps" \
        "$(jq -s -r '"\(map(select(.blind == true and .student.name == $ps)) | length) \(.[0].student.name)"' --arg ps "$ps" "$TMP/r/every_$no.json")"
    check_eq "$no: every category: attachments renamed" "0" "$(unrenamed "$TMP/r/x.json")"
    basic=$(get rev1 "$A/categories/$(uri 基本資料)" >/dev/null; jq -r '.categories[0].records[] | select(.type == "student") | .name' "$TMP/body")
    check_eq "$no: 基本資料's student record shows the pseudonym" "$ps" "$basic"
    printf '%s\n' "$basic" >>"$TMP/r/pseudonyms_seen"
    check_eq "$no: notes route" "200" "$(get rev1 "$A/notes")"
    check_eq "$no: notes: no identifying value" "" "$(leaks "$TMP/body")"
    check_eq "$no: packet" "200 %PDF-" "$(get rev1 "$A/packet.pdf") $(head -c 5 "$TMP/body")"
    cp "$TMP/body" "$TMP/r/packet_$no.pdf"
    pdf_all "$TMP/r/packet_$no.pdf" "$TMP/r/packet_$no.txt"
    check_eq "$no: packet text, metadata and objects: no identifying value" "" "$(leaks "$TMP/r/packet_$no.txt")"
    check_contains "$no: packet shows the pseudonym" "$TMP/r/packet_$no.txt" "$ps"
    check_eq "$no: packet headers: no identifying value" "" "$(leaks "$TMP/headers")"
    # every file of the application, as the reviewer downloads it
    for sha in $(sql "$db" "SELECT DISTINCT t.sha256 FROM attachments t JOIN applications a ON a.id = t.application_id
                            WHERE a.department = '$DEPT' AND a.application_no = '$no'"); do
        code=$(get rev1 "/api/files/$sha")
        printf '%s %s %s\n' "$no" "$code" "$(header Content-Disposition)" >>"$TMP/r/file_headers"
    done
done
check_eq "the pseudonym is the same in the list, application, categories and 基本資料" \
    "$(cut -d' ' -f2- "$TMP/expected_pseudonyms" | sort)" "$(sort "$TMP/r/pseudonyms_seen")"
check_eq "the statement that names its writer was masked, not dropped" "1" \
    "$(get rev1 "/api/applicants/$DEPT-$P/categories/$(uri 'O 高中學習歷程反思')" >/dev/null
       jq -r '[.. | strings | select(startswith("我是○○，○○三年級，生於XXXXXXXXXX。○○的反思：高一"))] | length' "$TMP/body")"
check_eq "course codes keep their shape with the school code masked" "1" \
    "$(get rev1 "/api/applicants/$DEPT-$P/categories/$(uri 部定必修-國語文)" >/dev/null
       jq -r '[.categories[0].records[].code | select(test("^[0-9]{3}XXXXXX"))] | length > 0 | if . then 1 else 0 end' "$TMP/body")"
nfiles=$(wc -l <"$TMP/r/file_headers" | tr -d ' ')
check_eq "every file downloads ($nfiles)" "$nfiles" "$(grep -c '^[0-9]* 200 ' "$TMP/r/file_headers")"
check_eq "file downloads: Content-Disposition carries no real name" "" "$(leaks "$TMP/r/file_headers" "$TMP/id/headers")"
check_eq "file downloads: named attachment.EXT" "$nfiles" "$(grep -c ' inline; filename="attachment\.[a-z0-9]*"; ' "$TMP/r/file_headers")"

# comparison sheet
check_eq "comparison sheet" "200 %PDF-" "$(get rev1 "/api/compare.pdf?department=$DEPT") $(head -c 5 "$TMP/body")"
pdf_all "$TMP/body" "$TMP/r/compare.txt" -layout
check_eq "comparison sheet: no identifying value" "" "$(leaks "$TMP/r/compare.txt")"
check_eq "comparison sheet: all five pseudonyms" "5" \
    "$(cut -d' ' -f2- "$TMP/expected_pseudonyms" | while IFS= read -r ps; do grep -qF "$ps" "$TMP/r/compare.txt" && echo x; done | wc -l | tr -d ' ')"

# scoring: the reviewer's queue, a sheet and 評分表
"$BEISHEN" assign --db "$db" --department $DEPT --readers 2 --reviewer rev1 --reviewer rev2 >/dev/null 2>&1
check_eq "applications assigned to rev1 and rev2" "0" "$?"
check_eq "scoring queue" "200 5" "$(get rev1 "/api/scoring/queue?department=$DEPT") $(jq '.items | length' "$TMP/body")"
check_eq "scoring queue: no identifying value" "" "$(leaks "$TMP/body")"
check_eq "a score sheet" "200" "$(get rev1 "/api/scoring/sheets/$DEPT-$P")"
check_eq "the score sheet: no identifying value" "" "$(leaks "$TMP/body")"
check_eq "評分表" "200 %PDF-" "$(get rev1 "/api/scoring/scoresheet.pdf?department=$DEPT") $(head -c 5 "$TMP/body")"
pdf_all "$TMP/body" "$TMP/r/scoresheet.txt"
check_eq "評分表: no identifying value" "" "$(leaks "$TMP/r/scoresheet.txt")"
check_eq "評分表: all five pseudonyms" "5" \
    "$(cut -d' ' -f2- "$TMP/expected_pseudonyms" | while IFS= read -r ps; do grep -qF "$ps" "$TMP/r/scoresheet.txt" && echo x; done | wc -l | tr -d ' ')"

# another department: its own numbering (the department is in the HMAC's message)
set_blind 001022 true
get rev22 "/api/applicants?department=001022" >/dev/null
check_eq "001022 numbers its applicants by its own keys" "$order22" \
    "$(jq -r 'sort_by(.name) | map(.application_no) | join(" ")' "$TMP/body")"
set_blind 001022 false

# --- the office is never blind ------------------------------------------------------------------
office_name=$(sed -n 1p "$TMP/id/$P")
check_eq "office application: real name and school" "$office_name $(sed -n 3p "$TMP/id/$P") null" \
    "$(get office "/api/applicants/$DEPT-$P" >/dev/null; jq -r '"\(.student.name) \(.student.school_name) \(.blind)"' "$TMP/body")"
check_eq "office overview: real name" "$office_name" \
    "$(get office "/api/applicants/$DEPT-$P/overview" >/dev/null; jq -r .student.name "$TMP/body")"
check_eq "office list: real names" "$office_name" \
    "$(get office "/api/applicants?department=$DEPT" >/dev/null; jq -r --arg n "$P" '.[] | select(.application_no == $n) | .name' "$TMP/body")"
check_eq "office category: real name" "$office_name" \
    "$(get office "/api/applicants/$DEPT-$P/categories/$(uri 基本資料)" >/dev/null; jq -r '.categories[0].records[0].name' "$TMP/body")"
check_eq "office packet" "200" "$(get office "/api/applicants/$DEPT-$P/packet.pdf")"
pdftotext "$TMP/body" "$TMP/office_packet.txt" 2>/dev/null
check_contains "office packet: the real name" "$TMP/office_packet.txt" "$office_name"
sed -n '1,4p' "$TMP/id/$P" | sort >"$TMP/id/four"   # name, national ID, school, code
check_eq "office packet: the leak check sees the name, ID, school and code" \
    "$(tr '\n' '|' <"$TMP/id/four" | sed 's/|$//')" "$(leaks "$TMP/office_packet.txt" "$TMP/id/four")"
check_eq "office comparison sheet" "200" "$(get office "/api/compare.pdf?department=$DEPT")"
pdftotext -layout "$TMP/body" "$TMP/office_compare.txt" 2>/dev/null
check_contains "office comparison sheet: real names" "$TMP/office_compare.txt" "$office_name"
sha=$(sql "$db" "SELECT t.sha256 FROM attachments t JOIN applications a ON a.id = t.application_id
                 WHERE a.department = '$DEPT' AND a.application_no = '$P' AND t.name = '問卷統計圖.png'")
get office "/api/files/$sha" >/dev/null
check_contains "office file download: the real file name" "$TMP/headers" "$(uri 問卷統計圖.png)"

# --- the category cache: blind and full answers kept apart ----------------------------------------------
check_eq "blind: every thread answers the pseudonym" "8 $(expected $P)" "$(names8 rev1)"
check_eq "the office meanwhile: every thread the name" "8 $office_name" "$(names8 office)"
check_eq "and the reviewer still the pseudonym" "8 $(expected $P)" "$(names8 rev1)"
set_blind $DEPT false
check_eq "not blind: every thread answers the reviewer the name" "8 $office_name" "$(names8 rev1)"
check_eq "not blind: the reviewer's list shows the name" "$office_name" \
    "$(get rev1 "/api/applicants?department=$DEPT" >/dev/null; jq -r --arg n "$P" '.[] | select(.application_no == $n) | .name' "$TMP/body")"
check_eq "not blind: the application shows the name and the school" "$office_name $(sed -n 3p "$TMP/id/$P")" \
    "$(get rev1 "/api/applicants/$DEPT-$P" >/dev/null; jq -r '"\(.student.name) \(.student.school_name)"' "$TMP/body")"
get rev1 "/api/applicants/$DEPT-$P/packet.pdf" >/dev/null
pdftotext "$TMP/body" "$TMP/plain_packet.txt" 2>/dev/null
check_contains "not blind: the reviewer's packet shows the name" "$TMP/plain_packet.txt" "$office_name"
get rev1 "/api/files/$sha" >/dev/null
check_contains "not blind: the file's real name" "$TMP/headers" "$(uri 問卷統計圖.png)"
set_blind $DEPT true
check_eq "blind again: every thread answers the pseudonym" "8 $(expected $P)" "$(names8 rev1)"

# --- re-ingest: the pseudonyms stay -------------------------------------------------------------
"$BEISHEN" ingest --db "$db" "$TMP/package" >"$TMP/ingest2.out" 2>&1
check_eq "re-ingest of the same round changes nothing" "loaded 0, unchanged 10, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest2.out")"
get rev1 "/api/applicants?department=$DEPT" >/dev/null
check_eq "pseudonyms stable across the re-ingest" "$(jq -S . "$TMP/r/list.json")" "$(jq -S . "$TMP/body")"

# --- render packet --blind (CLI) ---------------------------------------------------------------------
# Two applications of 001012 (packets laid out by its requirement list) and
# one of 001022 (no list: the packet names every attachment when not blind).
"$BEISHEN" show --db "$db" 001022-$N --json | jq -r '.student | .name, .national_id, .school_name, .school_code, .birth_date' >"$TMP/id/22"
sql "$db" "SELECT DISTINCT t.name FROM attachments t JOIN applications a ON a.id = t.application_id
           WHERE a.key = '001022-$N'" >>"$TMP/id/22"
k=0
for no in $order22; do k=$((k + 1)); [ "$no" = "$N" ] && pseudonym22=$(printf '考生 %03d' $k); done
for key in $DEPT-$P $DEPT-11010306 001022-$N; do
    no=${key#*-}
    if [ "${key%-*}" = $DEPT ]; then ids=$TMP/id/$no; ps=$(expected $no); else ids=$TMP/id/22; ps=$pseudonym22; fi
    "$BEISHEN" render packet --db "$db" "$key" --blind -o "$TMP/cli_blind.pdf" >/dev/null 2>&1
    check_eq "render packet $key --blind: exit 0" "0" "$?"
    pdf_all "$TMP/cli_blind.pdf" "$TMP/cli_blind.txt"
    check_eq "render packet $key --blind: no identifying value" "" "$(leaks "$TMP/cli_blind.txt" "$ids")"
    check_contains "render packet $key --blind: the pseudonym" "$TMP/cli_blind.txt" "$ps"
    "$BEISHEN" render packet --db "$db" "$key" -o "$TMP/cli_plain.pdf" >/dev/null 2>&1
    pdf_all "$TMP/cli_plain.pdf" "$TMP/cli_plain_$no.txt"
    sed -n '1,4p' "$ids" | sort >"$TMP/id/four"   # name, national ID, school, code
    check_eq "render packet $key without --blind: the check finds the name, ID, school, code" \
        "$(tr '\n' '|' <"$TMP/id/four" | sed 's/|$//')" "$(leaks "$TMP/cli_plain_$no.txt" "$TMP/id/four")"
done
sed -n '6,$p' "$TMP/id/22" | sort -u >"$TMP/id/files22"
check_eq "render packet 001022-$N without --blind: the check finds every attachment name" \
    "$(tr '\n' '|' <"$TMP/id/files22" | sed 's/|$//')" "$(leaks "$TMP/cli_plain_$N.txt" "$TMP/id/files22")"

# --- notes ---------------------------------------------------------------------------------------
NA=/api/applicants/$DEPT-$N/notes
PRIVATE='私人註記甲 only-rev1'
SHARED='共享註記乙 committee'
note() { jq -n --arg t "$1" --argjson s "$2" '{text: $t, shared: $s}'; }
check_eq "a private note: 201" "201" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note "$PRIVATE" false)")"
check_eq "the note answered" "rev1 $PRIVATE false 1 true" "$(jq -r '"\(.author) \(.text) \(.shared) \(.version) \(.mine)"' "$TMP/body")"
private_id=$(jq -r .id "$TMP/body")
check_eq "a shared note: 201" "201" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note "$SHARED" true)")"
shared_id=$(jq -r .id "$TMP/body")
check_eq "a note on a course record" "201 部定必修-國語文 112073302H11101A1110101/112-1" \
    "$(as rev1 POST $NA -H 'Content-Type: application/json' \
        --data '{"text":"記錄註記丙","shared":true,"category":"部定必修-國語文","record":"112073302H11101A1110101/112-1"}') \
$(jq -r '"\(.category) \(.record)"' "$TMP/body")"
record_id=$(jq -r .id "$TMP/body")
check_eq "a record without its category: 400" "400" \
    "$(as rev1 POST $NA -H 'Content-Type: application/json' --data '{"text":"x","record":"a/1-1"}')"

check_eq "the author sees both" "$PRIVATE|$SHARED|記錄註記丙" "$(get rev1 $NA >/dev/null; jq -r 'map(.text) | join("|")' "$TMP/body")"
check_eq "another reviewer sees the shared ones only" "$SHARED|記錄註記丙 false" \
    "$(get rev2 $NA >/dev/null; jq -r '"\(map(.text) | join("|")) \(map(.mine) | any)"' "$TMP/body")"
check_not_contains "the private text nowhere in it" "$TMP/body" "私人註記甲"
check_eq "the office sees the shared ones only" "$SHARED|記錄註記丙" "$(get office $NA >/dev/null; jq -r 'map(.text) | join("|")' "$TMP/body")"
check_eq "the office may not write notes: 403" "403" "$(as office POST $NA -H 'Content-Type: application/json' --data "$(note 'office' true)")"
check_eq "nor change one: 403" "403" "$(as office PUT $NA/$shared_id -H 'Content-Type: application/json' --data '{"version":1,"text":"x","shared":true}')"
check_eq "nor delete one: 403" "403" "$(as office DELETE $NA/$shared_id)"
check_eq "a reviewer of another department: 404" "404" "$(get rev22 $NA)"
check_eq "nor may it write there: 404" "404" "$(as rev22 POST $NA -H 'Content-Type: application/json' --data "$(note x true)")"

# only the author changes or deletes
check_eq "another reviewer's edit of a shared note: 404" "404" \
    "$(as rev2 PUT $NA/$shared_id -H 'Content-Type: application/json' --data '{"version":1,"text":"hijack","shared":true}')"
check_eq "another reviewer's edit of a private note: 404" "404" \
    "$(as rev2 PUT $NA/$private_id -H 'Content-Type: application/json' --data '{"version":1,"text":"hijack","shared":true}')"
check_eq "another reviewer's delete: 404" "404" "$(as rev2 DELETE $NA/$shared_id)"
# Answered exactly as a note that does not exist: the answer must not tell
# another reviewer that a private note has that number.
as rev2 DELETE $NA/$private_id >/dev/null
others=$(jq -r .error "$TMP/body" | sed "s/$private_id/ID/")
check_eq "a missing note: 404" "404" "$(as rev2 DELETE $NA/999999)"
check_eq "another's note answered as a missing one" "$(jq -r .error "$TMP/body" | sed 's/999999/ID/')" "$others"
as rev2 PUT $NA/$private_id -H 'Content-Type: application/json' --data '{"version":1,"text":"hijack","shared":true}' >/dev/null
others=$(jq -r .error "$TMP/body" | sed "s/$private_id/ID/")
as rev2 PUT $NA/999999 -H 'Content-Type: application/json' --data '{"version":1,"text":"hijack","shared":true}' >/dev/null
check_eq "… when edited too" "$(jq -r .error "$TMP/body" | sed 's/999999/ID/')" "$others"
check_eq "a note id that is no number: 404" "404" "$(as rev1 DELETE $NA/abc)"
check_eq "the note through another application: 404" "404" \
    "$(as rev1 PUT /api/applicants/$DEPT-$P/notes/$shared_id -H 'Content-Type: application/json' --data '{"version":1,"text":"moved","shared":true}')"
check_eq "the notes are unchanged" "$PRIVATE|$SHARED|記錄註記丙" "$(get rev1 $NA >/dev/null; jq -r 'map(.text) | join("|")' "$TMP/body")"

# CSRF
check_eq "add without the CSRF token: 403" "403" \
    "$(req POST $NA -b "$TMP/rev1.jar" -H 'Content-Type: application/json' --data "$(note csrf true)")"
check_eq "edit without the CSRF token: 403" "403" \
    "$(req PUT $NA/$shared_id -b "$TMP/rev1.jar" -H 'Content-Type: application/json' --data '{"version":1,"text":"csrf","shared":true}')"
check_eq "delete without the CSRF token: 403" "403" "$(req DELETE $NA/$shared_id -b "$TMP/rev1.jar")"
check_eq "delete with another session's token: 403" "403" \
    "$(req DELETE $NA/$shared_id -b "$TMP/rev1.jar" -H "X-CSRF-Token: $(jq -r .csrf "$TMP/rev2.login")")"
check_eq "nothing changed by the refused requests" "3 1" \
    "$(get rev1 $NA >/dev/null; jq -r '"\(length) \(map(select(.id == '"$shared_id"')) | .[0].version)"' "$TMP/body")"

# limits
check_eq "empty text: 400" "400" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note '' true)")"
check_eq "empty text: a message" "1" "$(jq -r '.error | length > 0 | if . then 1 else 0 end' "$TMP/body")"
check_eq "blank text: 400" "400" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note '  ' true)")"
check_eq "no text: 400" "400" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data '{"shared":true}')"
long=$(head -c 4001 /dev/zero | tr '\0' 'x' | sed 's/x/註/g')
check_eq "4001 characters: 400" "400" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note "$long" true)")"
check_contains "4001 characters: the message says the limit" "$TMP/body" "4000"
check_eq "4000 characters (12000 bytes): 201" "201" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note "${long%註}" false)")"
long_id=$(jq -r .id "$TMP/body")
check_eq "the long note kept whole" "4000" "$(jq -r '.text | length' "$TMP/body")"
check_eq "an edit to 4001 characters: 400" "400" \
    "$(as rev1 PUT $NA/$long_id -H 'Content-Type: application/json' --data "$(jq -n --arg t "$long" '{version: 1, text: $t, shared: false}')")"
check_eq "an edit to empty text: 400" "400" \
    "$(as rev1 PUT $NA/$long_id -H 'Content-Type: application/json' --data '{"version":1,"text":"","shared":false}')"
check_eq "an edit without a version: 400" "400" \
    "$(as rev1 PUT $NA/$long_id -H 'Content-Type: application/json' --data '{"text":"x","shared":false}')"
check_eq "the author deletes it" "200" "$(as rev1 DELETE $NA/$long_id)"
# Characters, not bytes: 4000 characters of four bytes each (16000 bytes,
# inside the server's 16 KiB body limit) are a note; one more is not.
wide=$(head -c 4000 /dev/zero | tr '\0' 'x' | sed 's/x/𡝠/g')
check_eq "4000 four-byte characters: 201" "201" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note "$wide" false)")"
wide_id=$(jq -r .id "$TMP/body")
check_eq "4000 four-byte characters kept whole" "4000" "$(jq -r '.text | length' "$TMP/body")"
check_eq "4001 four-byte characters: 400" "400" "$(as rev1 POST $NA -H 'Content-Type: application/json' --data "$(note "$wide𡝠" false)")"
check_eq "the author deletes that one too" "200" "$(as rev1 DELETE $NA/$wide_id)"
check_eq "deleted: gone from the list" "0" "$(get rev1 $NA >/dev/null; jq "map(select(.id == $long_id)) | length" "$TMP/body")"
check_eq "deleted twice: 404" "404" "$(as rev1 DELETE $NA/$long_id)"

# versions
SHARED2='共享註記乙 修改後'
check_eq "the author edits at version 1" "200 2 $SHARED2 true" \
    "$(as rev1 PUT $NA/$shared_id -H 'Content-Type: application/json' --data "$(jq -n --arg t "$SHARED2" '{version: 1, text: $t, shared: true}')") \
$(jq -r '"\(.version) \(.text) \(.shared)"' "$TMP/body")"
check_eq "a stale version: 409" "409" \
    "$(as rev1 PUT $NA/$shared_id -H 'Content-Type: application/json' --data '{"version":1,"text":"stale","shared":true}')"
check_eq "the stale edit changed nothing" "$SHARED2 2" \
    "$(get rev1 $NA >/dev/null; jq -r ".[] | select(.id == $shared_id) | \"\(.text) \(.version)\"" "$TMP/body")"
check_eq "the other reviewer sees the edit" "$SHARED2" \
    "$(get rev2 $NA >/dev/null; jq -r ".[] | select(.id == $shared_id) | .text" "$TMP/body")"
check_eq "the record note is deleted by its author" "200" "$(as rev1 DELETE $NA/$record_id)"

# sharing a private note and back
check_eq "rev2's private note" "201" "$(as rev2 POST $NA -H 'Content-Type: application/json' --data "$(note '第二位的私人註記' false)")"
rev2_id=$(jq -r .id "$TMP/body")
check_eq "rev1 does not see it" "0" "$(get rev1 $NA >/dev/null; jq "map(select(.id == $rev2_id)) | length" "$TMP/body")"
as rev2 PUT $NA/$rev2_id -H 'Content-Type: application/json' --data '{"version":1,"text":"第二位的私人註記","shared":true}' >/dev/null
check_eq "shared by its author: rev1 sees it" "1" "$(get rev1 $NA >/dev/null; jq "map(select(.id == $rev2_id)) | length" "$TMP/body")"
as rev2 PUT $NA/$rev2_id -H 'Content-Type: application/json' --data '{"version":2,"text":"第二位的私人註記","shared":false}' >/dev/null
check_eq "private again: rev1 no longer sees it" "0" "$(get rev1 $NA >/dev/null; jq "map(select(.id == $rev2_id)) | length" "$TMP/body")"

# A change whose commit fails after its audit row was written: the row is
# followed by one saying it failed (as for accounts, handlers.c).  The
# commit is made to fail by a deferred foreign key a trigger breaks.
sql "$db" "CREATE TABLE note_guard (note INTEGER REFERENCES notes(id) DEFERRABLE INITIALLY DEFERRED);
           CREATE TRIGGER note_guard_trigger AFTER UPDATE ON notes WHEN NEW.text = 'commit fails'
           BEGIN INSERT INTO note_guard VALUES (-1); END;"
code=$(as rev1 PUT $NA/$private_id -H 'Content-Type: application/json' --data '{"version":1,"text":"commit fails","shared":false}')
case "$code" in 2*) fail "an edit whose commit fails answered $code" ;; *) pass "an edit whose commit fails is refused ($code)" ;; esac
check_eq "… and changes nothing" "$PRIVATE 1" \
    "$(get rev1 $NA >/dev/null; jq -r ".[] | select(.id == $private_id) | \"\(.text) \(.version)\"" "$TMP/body")"
sql "$db" "DROP TRIGGER note_guard_trigger; DROP TABLE note_guard;"

# --- packets end with the notes -------------------------------------------------------------
# last_page PDF TEXT: the text of the PDF's last page.
last_page() {
    pages=$(pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p')
    pdftotext -f "$pages" -l "$pages" "$1" "$2" 2>/dev/null
}
check_eq "the author's packet (blind)" "200" "$(get rev1 "/api/applicants/$DEPT-$N/packet.pdf")"
cp "$TMP/body" "$TMP/notes_rev1.pdf"
last_page "$TMP/notes_rev1.pdf" "$TMP/notes_rev1.txt"
check_contains "the author's packet ends with 審查註記" "$TMP/notes_rev1.txt" "審查註記"
check_contains "… with the private note" "$TMP/notes_rev1.txt" "$PRIVATE"
check_contains "… and the shared one" "$TMP/notes_rev1.txt" "$SHARED2"
check_contains "… marked 個人 and 共享" "$TMP/notes_rev1.txt" "【個人】"
check_not_contains "… not rev2's private note" "$TMP/notes_rev1.txt" "第二位的私人註記"
pdf_all "$TMP/notes_rev1.pdf" "$TMP/notes_rev1_all.txt"
check_eq "the blind packet with notes: no identifying value" "" "$(leaks "$TMP/notes_rev1_all.txt")"
check_eq "another reviewer's packet" "200" "$(get rev2 "/api/applicants/$DEPT-$N/packet.pdf")"
last_page "$TMP/body" "$TMP/notes_rev2.txt"
check_contains "another reviewer's packet ends with 審查註記" "$TMP/notes_rev2.txt" "審查註記"
check_contains "… with the shared note" "$TMP/notes_rev2.txt" "$SHARED2"
check_contains "… and its own private one" "$TMP/notes_rev2.txt" "第二位的私人註記"
pdf_all "$TMP/body" "$TMP/notes_rev2_all.txt"
check_not_contains "… but not rev1's private note anywhere" "$TMP/notes_rev2_all.txt" "$PRIVATE"
check_eq "the office's packet" "200" "$(get office "/api/applicants/$DEPT-$N/packet.pdf")"
pdf_all "$TMP/body" "$TMP/notes_office.txt"
check_contains "the office's packet: the shared note" "$TMP/notes_office.txt" "$SHARED2"
check_not_contains "the office's packet: no private note" "$TMP/notes_office.txt" "$PRIVATE"
check_not_contains "the office's packet: not rev2's either" "$TMP/notes_office.txt" "第二位的私人註記"
check_eq "a packet without notes has no 審查註記" "0" \
    "$(get rev1 "/api/applicants/$DEPT-$P/packet.pdf" >/dev/null; pdftotext "$TMP/body" - 2>/dev/null | grep -c 審查註記)"

# --- notes survive re-ingest --------------------------------------------------------------------
before=$(get rev1 $NA >/dev/null; jq -c 'map([.id, .text, .version, .shared])' "$TMP/body")
"$BEISHEN" ingest --db "$db" "$TMP/package" >"$TMP/ingest3.out" 2>&1
check_eq "notes after re-ingesting the same round" "$before" "$(get rev1 $NA >/dev/null; jq -c 'map([.id, .text, .version, .shared])' "$TMP/body")"
cp -R "$TMP/package" "$TMP/package2"
file=applications/$DEPT-$N.json
jq '.performances[0].summary = "改過的摘要"' "$TMP/package/$file" >"$TMP/package2/$file"
hash=$(sha256sum "$TMP/package2/$file" | cut -d' ' -f1)
jq --arg p "$file" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    "$TMP/package/manifest.json" >"$TMP/package2/manifest.json"
"$BEISHEN" ingest --db "$db" "$TMP/package2" >"$TMP/ingest4.out" 2>&1
check_eq "a changed application replaces the stored one" "loaded 0, unchanged 9, replaced 1, rejected 0" "$(tail -n 1 "$TMP/ingest4.out")"
check_eq "notes survive the replacement" "$before" "$(get rev1 $NA >/dev/null; jq -c 'map([.id, .text, .version, .shared])' "$TMP/body")"
check_eq "pseudonyms survive the replacement" "$(jq -S . "$TMP/r/list.json")" \
    "$(get rev1 "/api/applicants?department=$DEPT" >/dev/null; jq -S . "$TMP/body")"
"$BEISHEN" ingest --db "$db" "$TMP/package" >/dev/null 2>&1

# --- the audit log ----------------------------------------------------------------------------------
stop_server
check_eq "SIGTERM stops the server, exit 0" "0" "$stopped"
check_eq "note additions audited (rev1 5, rev2 1)" "rev1 5|rev2 1" \
    "$(sql "$db" "SELECT user || ' ' || count(*) FROM audit_log WHERE action = 'note_add' GROUP BY user ORDER BY user" | tr '\n' '|' | sed 's/|$//')"
check_eq "each successful edit audited once, refused ones not" "rev1|001012-$N|note $shared_id
rev2|001012-$N|note $rev2_id
rev2|001012-$N|note $rev2_id" \
    "$(sql "$db" "SELECT user, application, detail FROM audit_log WHERE action = 'note_edit' AND detail != 'note $private_id' ORDER BY id")"
check_eq "the edit whose commit failed: its row, then one saying it failed" "note_edit|note_edit_failed" \
    "$(sql "$db" "SELECT action FROM audit_log WHERE action LIKE 'note_edit%' AND detail = 'note $private_id' ORDER BY id" | tr '\n' '|' | sed 's/|$//')"
check_eq "each delete audited once, refused ones not" "rev1|001012-$N|note $long_id
rev1|001012-$N|note $wide_id
rev1|001012-$N|note $record_id" \
    "$(sql "$db" "SELECT user, application, detail FROM audit_log WHERE action = 'note_delete' ORDER BY id")"
check_eq "no note change by anyone else audited" "0" \
    "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action LIKE 'note_%' AND user NOT IN ('rev1', 'rev2')")"
check_eq "note reads audited" "1" "$(sql "$db" "SELECT count(*) > 0 FROM audit_log WHERE action = 'view_notes' AND user = 'office'")"
check_eq "the notes table: the texts as left" "$PRIVATE|0|1
$SHARED2|1|2
第二位的私人註記|0|3" "$(sql "$db" "SELECT text, shared, version FROM notes ORDER BY id")"

# --- render packet --notes / --notes-of (CLI) ----------------------------------------------------------
"$BEISHEN" render packet --db "$db" "$DEPT-$N" --notes -o "$TMP/cli_notes.pdf" >/dev/null 2>&1
check_eq "render packet --notes: exit 0" "0" "$?"
last_page "$TMP/cli_notes.pdf" "$TMP/cli_notes.txt"
check_contains "--notes: ends with 審查註記" "$TMP/cli_notes.txt" "審查註記"
check_contains "--notes: the shared note" "$TMP/cli_notes.txt" "$SHARED2"
pdf_all "$TMP/cli_notes.pdf" "$TMP/cli_notes_all.txt"
check_not_contains "--notes: no private note" "$TMP/cli_notes_all.txt" "$PRIVATE"
check_not_contains "--notes: not rev2's private one" "$TMP/cli_notes_all.txt" "第二位的私人註記"
"$BEISHEN" render packet --db "$db" "$DEPT-$N" --notes-of rev1 -o "$TMP/cli_notes_of.pdf" >/dev/null 2>&1
check_eq "render packet --notes-of rev1: exit 0" "0" "$?"
last_page "$TMP/cli_notes_of.pdf" "$TMP/cli_notes_of.txt"
check_contains "--notes-of rev1: the private note" "$TMP/cli_notes_of.txt" "$PRIVATE"
check_contains "--notes-of rev1: the shared note" "$TMP/cli_notes_of.txt" "$SHARED2"
check_not_contains "--notes-of rev1: not rev2's private one" "$TMP/cli_notes_of.txt" "第二位的私人註記"
"$BEISHEN" render packet --db "$db" "$DEPT-$N" -o "$TMP/cli_no_notes.pdf" >/dev/null 2>&1
check_eq "render packet without --notes: no 審查註記" "0" "$(pdftotext "$TMP/cli_no_notes.pdf" - 2>/dev/null | grep -c 審查註記)"
"$BEISHEN" render packet --db "$db" "$DEPT-$N" --notes-of rev1 --blind -o "$TMP/cli_notes_blind.pdf" >/dev/null 2>&1
pdf_all "$TMP/cli_notes_blind.pdf" "$TMP/cli_notes_blind.txt"
check_eq "render packet --notes-of --blind: notes, no identifying value" "1 " \
    "$(grep -qF "$PRIVATE" "$TMP/cli_notes_blind.txt" && echo 1) $(leaks "$TMP/cli_notes_blind.txt")"

# --- an application added later ------------------------------------------------------------------------
# A late application (a corrected export) takes the next number; no other
# applicant's pseudonym changes in the middle of the review.
late=99990001
mkdir -p "$TMP/late/applications"
jq --arg n $late '.application_no = $n' "$EXAMPLE/applications/$DEPT-10010627.json" \
    >"$TMP/late/applications/$DEPT-$late.json"
jq --arg h "$(sha256sum "$TMP/late/applications/$DEPT-$late.json" | cut -d' ' -f1)" --arg n $late --arg d $DEPT \
    '.applications = [{application_no: $n, department: $d, path: "applications/\($d)-\($n).json", sha256: $h}]' \
    "$EXAMPLE/manifest.json" >"$TMP/late/manifest.json"
cp -R "$EXAMPLE/files" "$TMP/late/"
"$BEISHEN" ingest --db "$db" "$TMP/late" >"$TMP/late.out" 2>&1
check_eq "a late application" "loaded 1, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/late.out")"
check_eq "the five keep their pseudonyms; the late one is 考生 006" \
    "$(cat "$TMP/expected_pseudonyms"; echo "$late 考生 006")" "$(stored_numbers)"
"$BEISHEN" render packet --db "$db" "$DEPT-$late" --blind -o "$TMP/late.pdf" >/dev/null 2>&1
"$BEISHEN" render packet --db "$db" "$DEPT-$P" --blind -o "$TMP/late_p.pdf" >/dev/null 2>&1
check_eq "the blind packets say so: 考生 006, and $P still $(expected $P)" "1 1" \
    "$(pdftotext "$TMP/late.pdf" - 2>/dev/null | grep -c '考生 006' | sed 's/^[1-9][0-9]*$/1/') $(pdftotext "$TMP/late_p.pdf" - 2>/dev/null | grep -cF "$(expected $P)" | sed 's/^[1-9][0-9]*$/1/')"
# A purged round takes its numbers along (tests/e2e_admin.sh purges).

check_not_contains "no sanitizer report from the server" "$TMP/server.err" "Sanitizer"
check_not_contains "no undefined behaviour reported" "$TMP/server.err" "runtime error"
finish
