#!/bin/sh
# End-to-end tests of `beishen ingest` against hostile packages (issue 17):
#   1. control characters: refused in one-line fields (names, titles,
#      attachment names) with the JSON path, allowed as LF and tab in
#      running text, and never printed raw: every problem line shows them
#      escaped, whether they come from a value quoted in a rule or from a
#      member's name;
#   2. two ingests of one round into one database at once both exit 0: the
#      second waits for the first and says so, and the database is what one
#      ingest makes; a held lock makes an ingest wait until it is released;
#   3. caps: a zip of 300,000 entries is refused before anything is read; a
#      zip of 150,000 unlisted members, an application breaking 60,000
#      rules, and a manifest of 80,000 entries print at most 100 problem
#      lines and then how many more, keep the first 1,000 in --json, and
#      keep their memory bounded; a directory package with more than
#      200,000 files under applications/ is refused.
# Memory is read from GNU time's peak RSS and compared with generous
# bounds (they catch growth with the input, not small changes).
. tests/lib.sh

case "$BEISHEN" in *asan*) rss_factor=3 ;; *) rss_factor=1 ;; esac
cp "$BEISHEN" "$TMP/beishen" && BEISHEN=$TMP/beishen
PY=/usr/bin/python3
OUT=$TMP/out.json
ERR=$TMP/err.txt

ingest() {
    ingest_db=$1
    shift
    "$BEISHEN" ingest --db "$ingest_db" --json "$@" >"$OUT" 2>"$ERR"
    rc=$?
}
# A memory bound in kB; an AddressSanitizer build (make asan) keeps shadow
# memory and a quarantine of freed blocks: three times the bound there.
rss_limit() { echo $(($1 * rss_factor)); }

# ingest_timed DB PACKAGE: as ingest, peak RSS in kB in $rss
ingest_timed() {
    /usr/bin/time -f '%M' -o "$TMP/rss" "$BEISHEN" ingest --db "$1" --json "$2" >"$OUT" 2>"$ERR"
    rc=$?
    rss=$(tail -n 1 "$TMP/rss")
}
summary() { tail -n 1 "$ERR"; }
check_line() {
    if grep -F -- "$2" "$ERR" | grep -qF -- "$3"; then
        pass "$1"
    else
        fail "$1" "no line [$2 ...$3] in: $(head -c 900 "$ERR")"
    fi
}
# no_raw_controls NAME FILE: no byte 0x01-0x08, 0x0B-0x1F, 0x7F and no C1
# (UTF-8 C2 80-C2 9F) in FILE, which is read as lines (LF is fine).
no_raw_controls() {
    if LC_ALL=C grep -qP '[\x01-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$2"; then
        fail "$1" "raw control characters in $2: $(LC_ALL=C grep -P '[\x01-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$2" | head -n 2 | od -c | head -n 4)"
    else
        pass "$1"
    fi
}
sha() { sha256sum "$1" | cut -d ' ' -f 1; }

BASE=$EXAMPLE
A=001012-18010409   # portfolio; 3 course outcomes with files; no cadres
P=001012-18010410   # portfolio; 10 performances, 1 cadre
new_case() {
    C=$TMP/cases/$1
    mkdir -p "$C"
    cp -R "$BASE" "$C/pkg"
    PKG=$C/pkg
    DB=$C/db
}
rehash() {
    jq --arg p "applications/$1.json" --arg s "$(sha "$PKG/applications/$1.json")" \
        '(.applications[] | select(.path == $p) | .sha256) = $s' "$PKG/manifest.json" >"$PKG/manifest.json.new" &&
        mv -f "$PKG/manifest.json.new" "$PKG/manifest.json"
}
# edit KEY FILTER: rewrites applications/KEY.json with jq and rehashes it.
edit() {
    jq "$2" "$PKG/applications/$1.json" >"$PKG/applications/$1.json.new" &&
        mv -f "$PKG/applications/$1.json.new" "$PKG/applications/$1.json" && rehash "$1"
}
# expect_rejected NAME KEY JSON-PATH RULE-FRAGMENT
expect_rejected() {
    ingest "$DB" "$PKG"
    check_eq "$1: exit 1, 9 loaded, 1 rejected" "1 loaded 9, unchanged 0, replaced 0, rejected 1" "$rc $(summary)"
    check_line "$1: the problem line names the file and $3" "$PKG: applications/$2.json: $3: " "$4"
    check_eq "$1: $2 absent" 0 "$(sql "$DB" "SELECT count(*) FROM applications WHERE key = '$2'")"
    no_raw_controls "$1: no raw control character on stderr" "$ERR"
}

# =============================================================================
# 1. Control characters.
# =============================================================================
new_case name-escape
edit "$A" '.student.name = "王\u001b]0;owned\u0007小明"'
expect_rejected "ESC and BEL in student.name" "$A" '$.student.name' \
    "control character U+001B at character 2: none is allowed in a one-line field"

new_case title-crlf
edit "$P" '.performances[0].title = "第一名\r\n錄取通知：已錄取"'
expect_rejected "CR LF in a performance title" "$P" '$.performances[0].title' "control character U+000D at character 4"

new_case title-lf
edit "$P" '.performances[1].title = "上\n下"'
expect_rejected "LF in a performance title" "$P" '$.performances[1].title' "control character U+000A"

new_case attachment-name
edit "$A" '.course_outcomes[0].files[0].name = "report\u001b[8m.pdf"'
expect_rejected "ESC in an attachment name" "$A" '$.course_outcomes[0].files[0].name' "control character U+001B"

new_case course-name-c1
edit "$A" '.courses[0].name = "國語文\u009b2J"'
expect_rejected "C1 CSI (U+009B) in a course name" "$A" '$.courses[0].name' "control character U+009B"

new_case school-name-tab
edit "$A" '.student.school.name = "市立\t高中"'
expect_rejected "tab in a school name" "$A" '$.student.school.name' "control character U+0009"

new_case name-bidi
edit "$A" '.student.name = "王\u202e明小"'
expect_rejected "a right-to-left override (U+202E) in student.name" "$A" '$.student.name' \
    "bidirectional control character U+202E at character 2: it would show the text in another order"

new_case attachment-bidi
edit "$A" '.course_outcomes[0].files[0].name = "report\u2067fdp.exe\u2069.pdf"'
expect_rejected "a right-to-left isolate (U+2067) in an attachment name" "$A" '$.course_outcomes[0].files[0].name' \
    "bidirectional control character U+2067 at character 7"

new_case summary-bidi
edit "$P" '.performances[0].summary = "引用：\u202bשלום\u202c。"'
ingest "$DB" "$PKG"
check_eq "a bidirectional embedding in a summary (several lines of prose): loads all 10" \
    "0 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"

new_case summary-cr
edit "$P" '.performances[0].summary = "第一行\r第二行"'
expect_rejected "CR in a summary" "$P" '$.performances[0].summary' \
    "control character U+000D at character 4: only line feeds and tabs are allowed"

new_case summary-lf
edit "$P" '.performances[0].summary = "第一行\n\t第二行"'
ingest "$DB" "$PKG"
check_eq "LF and tab in a summary: loads all 10, exit 0" "0 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_eq "LF and tab in a summary: stored as given" "$(printf '第一行\n\t第二行')" \
    "$(sql "$DB" "SELECT summary FROM performances p JOIN applications a ON a.id = p.application_id
                  WHERE a.key = '$P' AND p.position = 0")"

new_case manifest-round
jq '.round = "115學年度\u001b[2J"' "$PKG/manifest.json" >"$PKG/m" && mv "$PKG/m" "$PKG/manifest.json"
ingest "$DB" "$PKG"
check_eq "ESC in the manifest's round: package refused, exit 1" "1 loaded 0, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_line "ESC in the manifest's round: the problem line names \$.round" "$PKG: manifest.json: \$.round: " "control character U+001B"
no_raw_controls "ESC in the manifest's round: no raw control character on stderr" "$ERR"

# A rule that quotes the value: the value is shown escaped.
new_case quoted-value
edit "$A" '.student.gender = "\u001b[31mX"'
ingest "$DB" "$PKG"
check_eq "ESC in an enumerated value: rejected" "1 loaded 9, unchanged 0, replaced 0, rejected 1" "$rc $(summary)"
check_line "ESC in an enumerated value: the quoted value is printed escaped" \
    "$PKG: applications/$A.json: \$.student.gender: " '"\x1B[31mX" is not one of the allowed values'
no_raw_controls "ESC in an enumerated value: no raw control character on stderr" "$ERR"
check_eq "ESC in an enumerated value: --json keeps the value (JSON-escaped)" \
    "$(printf '"\033[31mX" is not one of the allowed values')" "$(jq -r '.problems[0].rule' "$OUT")"

# A member name from the package: an unlisted file whose name holds escapes.
new_case member-name
cp "$PKG/applications/$A.json" "$PKG/applications/$(printf 'x\033[2J\033]0;t\007\302\233y.json')"
ingest "$DB" "$PKG"
check_eq "control characters in an unlisted member's name: reported, 10 loaded" \
    "1 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_line "control characters in an unlisted member's name: shown escaped" \
    "$PKG: applications/x\\x1B[2J\\x1B]0;t\\x07\\u009By.json: " "not listed in the manifest"
no_raw_controls "control characters in an unlisted member's name: no raw control character on stderr" "$ERR"

# =============================================================================
# 2. Two ingests at once.
# =============================================================================
ROUND=$TMP/round
"$BUILD/generate" --seed 1717 --apps 400 --out "$ROUND" >/dev/null 2>&1
N=$(jq '.applications | length' "$ROUND/manifest.json")
check "a generated round of 400 applications" test "$N" -eq 400
REF=$TMP/reference.db
"$BEISHEN" ingest --db "$REF" "$ROUND" >/dev/null 2>&1
dump_neutral "$REF" >"$TMP/dump.reference"

CDB=$TMP/concurrent.db
"$BEISHEN" ingest --db "$CDB" --json "$ROUND" >"$TMP/c1.json" 2>"$TMP/c1.err" &
p1=$!
"$BEISHEN" ingest --db "$CDB" --json "$ROUND" >"$TMP/c2.json" 2>"$TMP/c2.err" &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
check_eq "two ingests at once: both exit 0" "0 0" "$s1 $s2"
check_eq "two ingests at once: $N loaded between them, $N unchanged, nothing rejected" "$N|$N|0" \
    "$(jq -s -r '"\(.[0].loaded + .[1].loaded)|\(.[0].unchanged + .[1].unchanged)|\(.[0].rejected + .[1].rejected)"' \
        "$TMP/c1.json" "$TMP/c2.json")"
if grep -qF "another ingest into $CDB is running; waiting for it to finish" "$TMP/c1.err" "$TMP/c2.err"; then
    pass "two ingests at once: the second says it waits"
else
    fail "two ingests at once: the second says it waits" "$(cat "$TMP/c1.err" "$TMP/c2.err" | head -c 600)"
fi
check_not_contains "two ingests at once: no UNIQUE constraint error" "$TMP/c1.err" "UNIQUE"
check_not_contains "two ingests at once: no UNIQUE constraint error (second)" "$TMP/c2.err" "UNIQUE"
dump_neutral "$CDB" >"$TMP/dump.concurrent"
check "two ingests at once: the database is what one ingest makes" cmp -s "$TMP/dump.reference" "$TMP/dump.concurrent"
check_eq "two ingests at once: integrity_check ok" ok "$(sql "$CDB" 'PRAGMA integrity_check')"

# A lock held elsewhere: the ingest waits, says so, and goes on once it is free.
LDB=$TMP/locked.db
flock "$LDB.ingest-lock" sleep 2 &
holder=$!
sleep 0.3
"$BEISHEN" ingest --db "$LDB" "$BASE" >/dev/null 2>"$TMP/l.err"
ls=$?
wait $holder
check_eq "held ingest lock: the ingest waits, then loads all 10" "0 loaded 10, unchanged 0, replaced 0, rejected 0" \
    "$ls $(tail -n 1 "$TMP/l.err")"
check_contains "held ingest lock: it said it was waiting" "$TMP/l.err" \
    "beishen ingest: another ingest into $LDB is running; waiting for it to finish"

# =============================================================================
# 3. Caps on members and on problem lines.
# =============================================================================
# A zip of 300,000 empty entries: refused at open.
$PY - "$TMP/many.zip" 300000 <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    for i in range(int(sys.argv[2])):
        z.writestr("applications/%06d.json" % i, b"")
EOF
ingest_timed "$TMP/many.db" "$TMP/many.zip"
check_eq "zip of 300,000 entries: refused, exit 1" "1 loaded 0, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_line "zip of 300,000 entries: says how many and the limit" "$TMP/many.zip: " \
    "300000 entries in the zip archive, limit 200000"
check_eq "zip of 300,000 entries: two lines on stderr" 2 "$(wc -l <"$ERR")"
check "zip of 300,000 entries: peak RSS under 60 MB ($rss kB)" test "$rss" -lt "$(rss_limit 61440)"

# A zip of the example plus 150,000 unlisted members: 10 load, the problem
# lines stop at 100.
mkdir -p "$TMP/unlisted"
(cd "$BASE" && zip -qr "$TMP/unlisted/pkg.zip" .)
$PY - "$TMP/unlisted/pkg.zip" 150000 <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a", zipfile.ZIP_STORED) as z:
    for i in range(int(sys.argv[2])):
        z.writestr("applications/junk-%06d.json" % i, b"")
EOF
ingest_timed "$TMP/unlisted/db" "$TMP/unlisted/pkg.zip"
check_eq "150,000 unlisted members: 10 loaded, exit 1" "1 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_eq "150,000 unlisted members: 100 problem lines, one line more, the summary" 102 "$(wc -l <"$ERR")"
check_contains "150,000 unlisted members: how many more" "$ERR" \
    "… and 149900 more problems (150000 in all; the JSON lists the first 1000)"
check_eq "150,000 unlisted members: --json keeps 1000 problems, counts the other 149000, reported 150000" \
    "1000|149000|150000" "$(jq -r '"\(.problems | length)|\(.problems_omitted)|\(.reported)"' "$OUT")"
check "150,000 unlisted members: peak RSS under 200 MB ($rss kB)" test "$rss" -lt "$(rss_limit 204800)"

# One application breaking 60,000 rules (5,000 empty course records).
new_case many-problems
edit "$A" '.courses = [range(5000) | {}]'
ingest_timed "$DB" "$PKG"
check_eq "an application breaking 60,000 rules: rejected, 9 loaded" "1 loaded 9, unchanged 0, replaced 0, rejected 1" \
    "$rc $(summary)"
check_eq "an application breaking 60,000 rules: 100 problem lines, one line more, the summary" 102 "$(wc -l <"$ERR")"
check_eq "an application breaking 60,000 rules: --json keeps 1000, counts the rest" "1000|true" \
    "$(jq -r '"\(.problems | length)|\(.problems_omitted > 55000)"' "$OUT")"
check "an application breaking 60,000 rules: peak RSS under 150 MB ($rss kB)" test "$rss" -lt "$(rss_limit 153600)"

# A manifest of 80,000 entries (14 MB) whose files are missing: every one
# rejected, duplicates looked up by hash, not pairwise.
new_case big-manifest
jq -c '.applications = [range(80000) | {application_no: (20000000 + . | tostring), department: "001012",
        path: "applications/001012-\(20000000 + .).json", sha256: ("0" * 64)}]' "$PKG/manifest.json" >"$PKG/m" &&
    mv "$PKG/m" "$PKG/manifest.json"
rm -f "$PKG"/applications/*.json
ingest_timed "$DB" "$PKG"
check_eq "a manifest of 80,000 entries without files: all rejected, exit 1" \
    "1 loaded 0, unchanged 0, replaced 0, rejected 80000" "$rc $(summary)"
check_eq "a manifest of 80,000 entries without files: 100 problem lines, one more, the summary" 102 "$(wc -l <"$ERR")"
check_line "a manifest of 80,000 entries without files: the first is named" \
    "$PKG: applications/001012-20000000.json: " "missing from the package"

# A directory package with more than 200,000 files under applications/.
new_case many-files
$PY - "$PKG/applications" 200001 <<'EOF'
import os, sys
for i in range(int(sys.argv[2])):
    open(os.path.join(sys.argv[1], "junk-%06d.json" % i), "w").close()
EOF
ingest_timed "$DB" "$PKG"
check_eq "more than 200,000 files under applications/: refused, exit 1" \
    "1 loaded 0, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_line "more than 200,000 files under applications/: says so" "$PKG: applications: " \
    "applications/: more than 200000 files, the most a package may hold"
check_line "more than 200,000 files under applications/: package refused" "$PKG: package refused" \
    "too many files under applications/"
rm -rf "$PKG"

finish
