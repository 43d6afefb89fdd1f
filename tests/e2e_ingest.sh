#!/bin/sh
# End-to-end tests of `beishen ingest` against the export contract
# (the central database's export-format.md, "lp-export" version 1):
#   1. the example package, tests/fixtures/round-small (made once by
#      build/generate, see tests/fixtures/README.md), loads whole (row counts
#      checked against jq, the file store checked with sha256sum, foreign
#      keys, integrity);
#   2. ingesting it again is a no-op (identical .dump);
#   3. a .zip of the same tree gives the same content as the directory;
#   4. a changed application replaces the stored one, leaving no old rows;
#   5. a damaged-input corpus built here, one package per rule of §1 and §4:
#      exactly one application (or the manifest) breaks exactly one rule, the
#      manifest hash is updated so that only that rule breaks, and the run
#      must say which file, JSON path and rule, exit 1, and load the other 9;
#   6. kill -9 during a large ingest: the store stays consistent and whole
#      per application, and a resumed ingest ends identical to a clean one.
#      The kill points are random; the seed is printed, and KILL_SEED=N
#      repeats a run's kill points.
# Where the tool and the contract disagree the test expects the contract.
. tests/lib.sh

# Test a private copy: a rebuild during the run must not change the binary
# between the reference ingest and the one it is compared with.
cp "$BEISHEN" "$TMP/beishen" && BEISHEN=$TMP/beishen
STARTED=$(date +%s)
mark() { echo "     -- $1 at $(($(date +%s) - STARTED))s"; }

# Section 6 kills an ingest at random points; the points come from awk's
# rand() seeded with seed + k.  KILL_SEED=N in the environment repeats a
# run's kill points (the timing of the ingest itself still varies).
case ${KILL_SEED:-} in
    '') seed=$((($$ + $(date +%s)) % 1000003)) ;;
    *[!0-9]*) echo "KILL_SEED must be a decimal number, not [$KILL_SEED]" >&2; exit 2 ;;
    *) seed=$KILL_SEED ;;
esac
echo "     kill test: seed $seed"

OUT=$TMP/out.json   # --json summary of the last ingest
ERR=$TMP/err.txt    # its stderr: problem lines, then the summary line

# The applications the corpus damages (their shape is checked below).
A=001012-18010409   # portfolio; 3 course outcomes (png, jpeg, pdf), no cadres; manifest entry 4
P=001012-18010410   # portfolio; 3 outcomes, 10 performances, 1 cadre; entry 5
B=001022-18010410   # P's applicant in the other department; 1 cadre; its outcome files are P's; entry 6
S=001012-10010627   # self_made_pdf: 7 uploads of one PDF each; entry 0
IA=4                # A's index in the manifest's applications

sha() { sha256sum "$1" | cut -d ' ' -f 1; }

# ingest DB PACKAGE...: status in $rc, --json summary in $OUT, stderr in $ERR.
ingest() {
    ingest_db=$1
    shift
    "$BEISHEN" ingest --db "$ingest_db" --json "$@" >"$OUT" 2>"$ERR"
    rc=$?
}

# check_line NAME PREFIX FRAGMENT: a stderr line starts with PREFIX
# ("PACKAGE: FILE: JSON-PATH: ") and contains FRAGMENT of the rule.
check_line() {
    if grep -F -- "$2" "$ERR" | grep -qF -- "$3"; then
        pass "$1"
    else
        fail "$1" "no line [$2 ...$3] in: $(head -c 900 "$ERR")"
    fi
}

summary() { tail -n 1 "$ERR"; }


# store_check DB: prints the problems of the file store beside DB: every
# attachment must be at <db>.files/<aa>/<sha256>.<ext> with that SHA-256.
store_check() {
    sql "$1" "SELECT DISTINCT sha256 || '  $1.files/' || substr(sha256, 1, 2) || '/' || sha256 || '.' ||
              CASE media_type WHEN 'application/pdf' THEN 'pdf' WHEN 'image/jpeg' THEN 'jpg'
                  WHEN 'image/png' THEN 'png' WHEN 'audio/mpeg' THEN 'mp3' WHEN 'video/mp4' THEN 'mp4'
                  ELSE 'unknown' END
              FROM attachments" >"$TMP/store.sums"
    [ -s "$TMP/store.sums" ] && sha256sum -c --quiet "$TMP/store.sums" 2>&1
}

# ---- a writable copy of the example ------------------------------------------
# Cases are hard-linked copies of BASE: files are never written in place,
# always written as NAME.new and renamed over the link.
BASE=$TMP/base
cp -R "$EXAMPLE" "$BASE" && chmod -R u+w "$BASE"
check "example package present at $EXAMPLE" test -f "$BASE/manifest.json"

APP_A=$BASE/applications/$A.json
check_eq "example shape: $A has 3 outcomes (first files png, jpeg, pdf), no cadres" \
    "3 image/png image/jpeg application/pdf 0" \
    "$(jq -r '[(.course_outcomes|length), (.course_outcomes[].files[0].media_type), (.cadres|length)] | map(tostring) | join(" ")' "$APP_A")"
check_eq "example shape: $A's first outcome PNG is cited by no other application" 1 \
    "$(jq -s --arg s "$(jq -r '.course_outcomes[0].files[0].sha256' "$APP_A")" \
        'map(select([.. | objects | select(.sha256? == $s)] | length > 0)) | length' "$BASE"/applications/*.json)"
check_eq "example shape: $A has N and O texts (uploads 0 and 1)" "N O" \
    "$(jq -r '.uploads[0:2] | map(select(.text != null) | .item) | join(" ")' "$APP_A")"
check_eq "example shape: $P has 10 performances, 3 outcomes" "10 3" \
    "$(jq -r '[(.performances|length), (.course_outcomes|length)] | map(tostring) | join(" ")' "$BASE/applications/$P.json")"
# The first of P's performances with a link (the 7th in the fixture).
PL=$(jq '[.performances[] | (.links | length) > 0] | index(true)' "$BASE/applications/$P.json")
check_eq "example shape: $P's performance $PL has an https link" true \
    "$(jq --argjson i "$PL" '.performances[$i].links[0] | startswith("https://")' "$BASE/applications/$P.json")"
check_eq "example shape: $S is self_made_pdf with 7 uploads, $B has a cadre" "self_made_pdf 7 1" \
    "$(jq -r '"\(.source) \(.uploads|length)"' "$BASE/applications/$S.json") $(jq '.cadres|length' "$BASE/applications/$B.json")"
check_eq "example shape: $B's third outcome file is also $P's, a PDF" \
    "$(jq -r '.course_outcomes[2].files[0].sha256' "$BASE/applications/$P.json") application/pdf" \
    "$(jq -r '.course_outcomes[2].files[0] | "\(.sha256) \(.media_type)"' "$BASE/applications/$B.json")"
check_eq "example shape: manifest entries $IA, $((IA + 1)), $((IA + 2)) are $A, $P, $B (P before B)" "$A $P $B" \
    "$(jq -r --argjson i "$IA" '.applications[$i:$i + 3] | map("\(.department)-\(.application_no)") | join(" ")' "$BASE/manifest.json")"

# =============================================================================
# 1. The example loads whole.
# =============================================================================
mark "section 1"
DB1=$TMP/example.db
ingest "$DB1" "$EXAMPLE"
check_eq "example: exit 0" 0 "$rc"
check_eq "example: summary line" "loaded 10, unchanged 0, replaced 0, rejected 0" "$(summary)"
check_eq "example: --json summary" '[10,0,0,0,0,0,[]]' \
    "$(jq -c '[.loaded, .unchanged, .replaced, .rejected, .reported, .refused, .problems]' "$OUT")"
# 10 applications of 7 applicants (10010627, 18010410 and 23010650 applied to
# both departments); both of 10010627's are self-made.
check_eq "example: 10 applications" 10 "$(sql "$DB1" 'SELECT count(*) FROM applications')"
check_eq "example: 7 distinct application numbers" 7 "$(sql "$DB1" 'SELECT count(DISTINCT application_no) FROM applications')"
check_eq "example: 2 self_made_pdf" 2 "$(sql "$DB1" "SELECT count(*) FROM applications WHERE source = 'self_made_pdf'")"
check_eq "example: the manifest agrees (10 entries, 7 numbers)" "10 7" \
    "$(jq -r '.applications | "\(length) \(map(.application_no) | unique | length)"' "$EXAMPLE/manifest.json")"
check_eq "example: keys are <department>-<application_no>" 0 \
    "$(sql "$DB1" "SELECT count(*) FROM applications WHERE key <> department || '-' || application_no")"
jq -s -r '
  def files: [.course_outcomes[].files[], .performances[].files[], .uploads[].files[]];
  "students \(length)",
  "cadres \(map(.cadres|length)|add)",
  "courses \(map(.courses|length)|add)",
  "course_catalog \(map(.course_catalog|length)|add)",
  "outcomes \(map(.course_outcomes|length)|add)",
  "performances \(map(.performances|length)|add)",
  "uploads \(map(.uploads|length)|add)",
  "attachments \(map(files|length)|add)",
  "files \([.[]|files[]|.sha256]|unique|length)"' "$EXAMPLE"/applications/*.json >"$TMP/counts"
while read -r table expected; do
    check_eq "example: $table rows = $expected (counted by jq)" "$expected" "$(sql "$DB1" "SELECT count(*) FROM $table")"
done <"$TMP/counts"
check_eq "example: every attachment in $DB1.files with its SHA-256" "" "$(store_check "$DB1")"
check_eq "example: no other file in the store" "$(sql "$DB1" 'SELECT count(*) FROM files')" \
    "$(find "$DB1.files" -type f | wc -l | tr -d ' ')"
check_eq "example: foreign_key_check empty" "" "$(sql "$DB1" 'PRAGMA foreign_key_check')"
check_eq "example: integrity_check ok" ok "$(sql "$DB1" 'PRAGMA integrity_check')"
check_eq "example: one packages row with the manifest's round (115學年度大學個人申請入學, 001)" \
    "1|$(jq -r '"\(.round)|\(.university.code)"' "$EXAMPLE/manifest.json")" \
    "$(sql "$DB1" 'SELECT count(*), round, university_code FROM packages')"

# =============================================================================
# 2. Ingesting the same package again changes nothing.
# =============================================================================
mark "section 2"
sqlite3 -batch "$DB1" .dump >"$TMP/dump.before"
ingest "$DB1" "$EXAMPLE"
check_eq "re-ingest: exit 0" 0 "$rc"
check_eq "re-ingest: summary line" "loaded 0, unchanged 10, replaced 0, rejected 0" "$(summary)"
sqlite3 -batch "$DB1" .dump >"$TMP/dump.after"
check "re-ingest: .dump identical" cmp -s "$TMP/dump.before" "$TMP/dump.after"

# =============================================================================
# 3. A .zip of the same tree gives the same content as the directory.
# =============================================================================
mark "section 3"
(cd "$BASE" && zip -qr ../example.zip .)
DB3=$TMP/zip.db
ingest "$DB3" "$TMP/example.zip"
check_eq "zip: exit 0" 0 "$rc"
check_eq "zip: summary line" "loaded 10, unchanged 0, replaced 0, rejected 0" "$(summary)"
dump_neutral "$DB1" >"$TMP/dump.dir"
dump_neutral "$DB3" >"$TMP/dump.zip"
check "zip: same content as the directory (dump without source_path, ingested_at)" cmp -s "$TMP/dump.dir" "$TMP/dump.zip"
check_eq "zip: source_path is the zip" "$TMP/example.zip" "$(sql "$DB3" 'SELECT source_path FROM packages')"
check_eq "zip: every attachment in the store" "" "$(store_check "$DB3")"
ingest "$DB3" "$TMP/example.zip"
check_eq "zip: re-ingest unchanged 10" "0 loaded 0, unchanged 10, replaced 0, rejected 0" "$rc $(summary)"

# =============================================================================
# 4. A changed application replaces the stored one.
# =============================================================================
mark "section 4"
CHANGED=$TMP/changed
cp -R -l "$BASE" "$CHANGED" 2>/dev/null || { rm -rf "$CHANGED"; cp -R "$BASE" "$CHANGED"; }
old_score=$(jq '.courses[0].score' "$APP_A")
new_score=61
[ "$old_score" = 61 ] && new_score=62
jq --argjson s "$new_score" '.courses[0].score = $s' "$APP_A" >"$CHANGED/applications/$A.json.new"
mv -f "$CHANGED/applications/$A.json.new" "$CHANGED/applications/$A.json"
new_sha=$(sha "$CHANGED/applications/$A.json")
jq --arg p "applications/$A.json" --arg s "$new_sha" '(.applications[] | select(.path == $p) | .sha256) = $s' \
    "$BASE/manifest.json" >"$CHANGED/manifest.json.new"
mv -f "$CHANGED/manifest.json.new" "$CHANGED/manifest.json"
totals="SELECT (SELECT count(*) FROM applications), (SELECT count(*) FROM students), (SELECT count(*) FROM courses),
        (SELECT count(*) FROM course_catalog), (SELECT count(*) FROM outcomes), (SELECT count(*) FROM uploads),
        (SELECT count(*) FROM attachments), (SELECT count(*) FROM categories)"
totals_before=$(sql "$DB1" "$totals")
ingest "$DB1" "$CHANGED"
check_eq "changed: exit 0" 0 "$rc"
check_eq "changed: summary line" "loaded 0, unchanged 9, replaced 1, rejected 0" "$(summary)"
check_eq "changed: new score stored" 1 \
    "$(sql "$DB1" "SELECT c.score = $new_score FROM courses c JOIN applications a ON a.id = c.application_id
                   WHERE a.key = '$A' AND c.position = 0")"
check_eq "changed: stored hash is the new file's" "$new_sha" "$(sql "$DB1" "SELECT content_sha256 FROM applications WHERE key = '$A'")"
check_eq "changed: one application row for $A" 1 "$(sql "$DB1" "SELECT count(*) FROM applications WHERE key = '$A'")"
check_eq "changed: no duplicate or orphan rows (totals unchanged)" "$totals_before" "$(sql "$DB1" "$totals")"
check_eq "changed: $A's courses = its JSON's" "$(jq '.courses|length' "$APP_A")" \
    "$(sql "$DB1" "SELECT count(*) FROM courses c JOIN applications a ON a.id = c.application_id WHERE a.key = '$A'")"
check_eq "changed: $A now belongs to the new package" 2 \
    "$(sql "$DB1" "SELECT p.id FROM applications a JOIN packages p ON p.id = a.package_id WHERE a.key = '$A'")"
# The per-score pool counts (schema 005) are kept by triggers: after the
# replace they must equal a recount of the graded rows, the changed score's
# bucket included.
pool_recount="SELECT department, subject, grade, semester, score, count(*) FROM courses WHERE graded
              GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
pool_counts="SELECT department, subject, grade, semester, score, rows FROM pool_term_counts ORDER BY 1, 2, 3, 4, 5"
check_eq "changed: pool_term_counts equal a recount of graded rows" "$(sql "$DB1" "$pool_recount")" \
    "$(sql "$DB1" "$pool_counts")"
check_eq "changed: no empty pool_term_counts bucket" 0 "$(sql "$DB1" 'SELECT count(*) FROM pool_term_counts WHERE rows <= 0')"
# Pool statistics (schema 006): the changed course's pool was recomputed at
# the end of the ingest, so the precomputed figures equal a live dist.
changed_code=$(sql "$DB1" "SELECT c.code FROM courses c JOIN applications a ON a.id = c.application_id
                            WHERE a.key = '$A' AND c.position = 0")
changed_dept=$(sql "$DB1" "SELECT department FROM applications WHERE key = '$A'")
check_eq "changed: no stale pool_statistics row" 0 "$(sql "$DB1" 'SELECT count(*) FROM pool_statistics WHERE statistics IS NULL')"
check_eq "changed: precomputed statistics of $changed_code equal a live dist" \
  "$("$BEISHEN" dist --db "$DB1" --department "$changed_dept" --course "$changed_code" --json | jq -c '{n,mean,sd,min,q1,median,q3,max,histogram}')" \
  "$("$BEISHEN" dist --db "$DB1" --department "$changed_dept" --all course | jq -c --arg c "$changed_code" '.[$c]|{n,mean,sd,min,q1,median,q3,max,histogram}')"
check_eq "changed: foreign_key_check empty" "" "$(sql "$DB1" 'PRAGMA foreign_key_check')"
check_eq "changed: integrity_check ok" ok "$(sql "$DB1" 'PRAGMA integrity_check')"
ingest "$DB1" "$EXAMPLE"
check_eq "changed back: replaced 1, unchanged 9" "0 loaded 0, unchanged 9, replaced 1, rejected 0" "$rc $(summary)"
check_eq "changed back: old score again" 1 \
    "$(sql "$DB1" "SELECT c.score = $old_score FROM courses c JOIN applications a ON a.id = c.application_id
                   WHERE a.key = '$A' AND c.position = 0")"
check_eq "changed back: pool_term_counts equal a recount" "$(sql "$DB1" "$pool_recount")" \
    "$(sql "$DB1" "$pool_counts")"

# =============================================================================
# 6a. (started early) the large package for the kill test, and its clean
#     reference ingest running in the background while the corpus runs.
# =============================================================================
mark "section 6a"
BIG=$TMP/big
if [ -x "$BUILD/generate" ] && "$BUILD/generate" --seed 114 --apps 1500 --out "$BIG" >"$TMP/generate.log" 2>&1 &&
    [ -f "$BIG/manifest.json" ]; then
    echo "     kill test: package generated by $BUILD/generate"
else
    # 1500 applications: the fixture's 10, renumbered 20000000..20001499.
    echo "     kill test: package synthesised from the example"
    rm -rf "$BIG"
    mkdir -p "$BIG/applications"
    cp -R -l "$BASE/files" "$BIG/files" 2>/dev/null || { rm -rf "$BIG/files"; cp -R "$BASE/files" "$BIG/files"; }
    for f in "$BASE"/applications/*.json; do jq -c . "$f"; done >"$TMP/templates"
    awk -v n=1500 -v dir="$BIG/applications" '{ t[NR - 1] = $0 }
        END {
            for (i = 0; i < n; i++) {
                s = t[i % NR]; no = sprintf("%08d", 20000000 + i)
                if (!match(s, /"application_no":"[0-9]+"/)) exit 1
                s = substr(s, 1, RSTART - 1) "\"application_no\":\"" no "\"" substr(s, RSTART + RLENGTH)
                if (!match(s, /"department":"[0-9]+"/)) exit 1
                f = dir "/" substr(s, RSTART + 14, 6) "-" no ".json"
                print s > f; close(f)
            }
        }' "$TMP/templates"
    (cd "$BIG" && sha256sum applications/*.json) | jq -R -s --slurpfile m "$BASE/manifest.json" '
        split("\n") | map(select(length > 0)
          | capture("^(?<sha256>[0-9a-f]{64})  (?<path>applications/(?<department>[0-9]{6})-(?<application_no>[0-9]{8})\\.json)$")
          | {application_no, department, path, sha256}) as $apps
        | $m[0] | .applications = $apps' >"$BIG/manifest.json"
fi
N=$(jq '.applications | length' "$BIG/manifest.json")
check "kill test: large package has >= 1000 applications ($N)" test "$N" -ge 1000

REF=$TMP/reference.db
"$BEISHEN" ingest --db "$REF" --json "$BIG" >"$TMP/reference.json" 2>"$TMP/reference.err" &
ref_pid=$!

# =============================================================================
# 5. The damaged-input corpus.
# =============================================================================
mark "section 5"
# new_case NAME: $PKG = a hard-linked copy of the example, $DB = a fresh db.
new_case() {
    CASE=$1
    C=$TMP/cases/$1
    mkdir -p "$C"
    cp -R -l "$BASE" "$C/pkg" 2>/dev/null || { rm -rf "$C/pkg"; cp -R "$BASE" "$C/pkg"; }
    PKG=$C/pkg
    DB=$C/db
}
replace() { mv -f "$1.new" "$1"; }
# rehash KEY: the manifest's sha256 of applications/KEY.json follows the file.
rehash() {
    rehash_sha=$(sha "$PKG/applications/$1.json")
    jq --arg p "applications/$1.json" --arg s "$rehash_sha" \
        '(.applications[] | select(.path == $p) | .sha256) = $s' "$PKG/manifest.json" >"$PKG/manifest.json.new" &&
        replace "$PKG/manifest.json"
}
# edit KEY FILTER [JQ-OPTION...]: rewrites applications/KEY.json with jq and rehashes it.
edit() {
    edit_key=$1 edit_filter=$2
    shift 2
    edit_file=$PKG/applications/$edit_key.json
    jq "$@" "$edit_filter" "$edit_file" >"$edit_file.new" && replace "$edit_file" && rehash "$edit_key"
}
# edit_manifest FILTER [JQ-OPTION...]
edit_manifest() {
    edit_filter=$1
    shift
    jq "$@" "$edit_filter" "$PKG/manifest.json" >"$PKG/manifest.json.new" && replace "$PKG/manifest.json"
}
# zip_case: from here on $PKG is a zip of the case's tree, with a fresh $DB.
zip_case() {
    (cd "$PKG" && zip -qr ../pkg.zip .)
    PKG=$C/pkg.zip
    DB=$C/zip.db
}

# expect_rejected NAME KEY FILE JSON-PATH RULE-FRAGMENT: exit 1, the problem
# line "PKG: FILE: JSON-PATH: ...RULE-FRAGMENT...", the 9 others loaded and
# KEY absent, one problem only.
expect_rejected() {
    ingest "$DB" "$PKG"
    check_eq "$1: exit status 1" 1 "$rc"
    if [ -n "$4" ]; then
        check_line "$1: problem line names $3 $4" "$PKG: $3: $4: " "$5"
    else
        check_line "$1: problem line names $3" "$PKG: $3: " "$5"
    fi
    check_eq "$1: the 9 valid applications loaded, $2 absent" "9|0" \
        "$(sql "$DB" "SELECT count(*), count(CASE WHEN key = '$2' THEN 1 END) FROM applications")"
    check_eq "$1: summary line" "loaded 9, unchanged 0, replaced 0, rejected 1" "$(summary)"
    check_eq "$1: exactly one problem reported" 1 "$(jq '.problems | length' "$OUT")"
}

# expect_refused NAME FILE JSON-PATH RULE-FRAGMENT: the package is refused and nothing loads.
expect_refused() {
    ingest "$DB" "$PKG"
    check_eq "$1: exit status 1" 1 "$rc"
    if [ -n "$3" ]; then
        check_line "$1: problem line names $2 $3" "$PKG: $2: $3: " "$4"
    else
        check_line "$1: problem line names $2" "$PKG: $2: " "$4"
    fi
    check_line "$1: package refused line" "$PKG: package refused" "nothing was loaded"
    check_eq "$1: nothing loaded (0 applications, 0 packages)" "0|0" \
        "$(sql "$DB" 'SELECT (SELECT count(*) FROM applications), (SELECT count(*) FROM packages)')"
    check_eq "$1: summary line" "loaded 0, unchanged 0, replaced 0, rejected 0" "$(summary)"
    check_eq "$1: --json refused 1" 1 "$(jq .refused "$OUT")"
}

FA="applications/$A.json"
FP="applications/$P.json"
FB="applications/$B.json"
FS="applications/$S.json"

# ---- a control: re-serialising with jq alone keeps every application valid ----
new_case control
edit "$A" .
edit "$P" .
edit "$S" .
ingest "$DB" "$PKG"
check_eq "control (files rewritten by jq, hashes updated): loads 10, exit 0" "0 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"

# ---- boundary values the contract allows all load ----------------------------
# Lengths are Unicode characters, not bytes: 100 / 2,000 / 800 CJK characters,
# including one outside the BMP (4 bytes in UTF-8); an image of exactly 4 MiB.
CODE=$(jq -r '.course_catalog | keys_unsorted[0]' "$APP_A")
CI=$(jq '[.courses[] | has("cohort")] | index(true)' "$APP_A")     # first course with a cohort
IP=$(jq '[.courses[] | .in_progress] | index(true)' "$APP_A")      # first course in progress
make_png() { # make_png SIZE DIR: a PNG-signed file of SIZE bytes in DIR/files; prints its sha256
    { printf '\211PNG\r\n\032\n'; head -c $(($1 - 8)) /dev/zero; } >"$2/png.tmp"
    png_sha=$(sha "$2/png.tmp")
    mv -f "$2/png.tmp" "$2/files/$png_sha.png"
    echo "$png_sha"
}
new_case boundaries
big_png=$(make_png 4194304 "$PKG")
edit "$A" '.course_outcomes[0].summary = ("學" * 98) + "𠀀a"
    | .course_catalog[$c].syllabus = ("課" * 2000)
    | .uploads[0].text = ("心" * 800)
    | .courses[0].score = 99.99 | .courses[0].credits = 10
    | .courses[1].score = 0 | .courses[1].credits = 0
    | .courses[$ci].cohort.rank = .courses[$ci].cohort.size
    | .submitted_at = "2025-03-24T09:14:00.123Z"
    | .student.birth_date = "2008-02-29"
    | .course_outcomes[0].files[0] = {sha256: $png, name: "big.png", media_type: "image/png", size: 4194304}' \
    --arg c "$CODE" --argjson ci "$CI" --arg png "$big_png"
ingest "$DB" "$PKG"
check_eq "boundaries: all 10 load, exit 0" "0 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_eq "boundaries: 100-character summary (300+ bytes) stored whole" 100 \
    "$(sql "$DB" "SELECT length(o.summary) FROM outcomes o JOIN applications a ON a.id = o.application_id WHERE a.key = '$A' AND o.position = 0")"
check_eq "boundaries: 2000-character syllabus, 800-character N text" "2000|800" \
    "$(sql "$DB" "SELECT (SELECT length(syllabus) FROM course_catalog c JOIN applications a ON a.id = c.application_id
                          WHERE a.key = '$A' AND c.code = '$CODE'),
                         (SELECT length(text) FROM uploads u JOIN applications a ON a.id = u.application_id
                          WHERE a.key = '$A' AND u.item = 'N')")"
check_eq "boundaries: 4 MiB image stored" "" "$(store_check "$DB")"

# ---- §2 the application's own fields ------------------------------------------
new_case app-format;     edit "$A" '.format = "lp-app"'
expect_rejected "app format" "$A" "$FA" '$.format' '"lp-app" is not one of the allowed values'
new_case app-version;    edit "$A" '.version = 2'
expect_rejected "app version 2" "$A" "$FA" '$.version' 'unknown version 2'
new_case app-number;     edit "$A" '.application_no = "1001001"'
expect_rejected "application_no of 7 digits" "$A" "$FA" '$.application_no' '"1001001" is not 8 digits'
new_case app-number-x;   edit "$A" '.application_no = "1001000x"'
expect_rejected "application_no with a letter" "$A" "$FA" '$.application_no' '"1001000x" is not 8 digits'
new_case dept-digits;    edit "$A" '.department = "01012"'
expect_rejected "department of 5 digits" "$A" "$FA" '$.department' '"01012" is not 6 digits'
new_case dept-differs;   edit "$A" '.department = "001022"'
expect_rejected "department differs from the manifest entry" "$A" "$FA" '$.department' \
    '"001022" differs from the manifest'"'"'s "001012"'
new_case dept-unknown
edit_manifest '.applications[$i].department = "001099"' --argjson i "$IA"
edit "$A" '.department = "001099"'
expect_rejected "department not one of the manifest's" "$A" manifest.json "\$.applications[$IA].department" \
    '"001099" is not one of the manifest'"'"'s departments'
new_case source;         edit "$A" '.source = "paper"'
expect_rejected "source unknown" "$A" "$FA" '$.source' '"paper" is not one of the allowed values'
new_case submitted-at;   edit "$A" '.submitted_at = "2025-03-24T25:14:00+08:00"'
expect_rejected "submitted_at hour 25" "$A" "$FA" '$.submitted_at' 'is not an RFC 3339 time'
new_case submitted-at-zone; edit "$A" '.submitted_at = "2025-03-24T17:14:00"'
expect_rejected "submitted_at without a zone" "$A" "$FA" '$.submitted_at' 'is not an RFC 3339 time'

# ---- §2.1 student ---------------------------------------------------------------
new_case student-name;   edit "$A" 'del(.student.name)'
expect_rejected "student name missing" "$A" "$FA" '$.student.name' 'missing'
new_case national-id;    edit "$A" '.student.national_id = "D24012345"'
expect_rejected "national_id letter + 8 digits" "$A" "$FA" '$.student.national_id' 'is not a letter followed by 9 digits'
new_case national-id-2;  edit "$A" '.student.national_id = "1240123456"'
expect_rejected "national_id starting with a digit" "$A" "$FA" '$.student.national_id' 'is not a letter followed by 9 digits'
new_case gender;         edit "$A" '.student.gender = "X"'
expect_rejected "gender X" "$A" "$FA" '$.student.gender' '"X" is not one of the allowed values'
new_case birth-date;     edit "$A" '.student.birth_date = "2007-02-30"'
expect_rejected "birth_date 2007-02-30" "$A" "$FA" '$.student.birth_date' '"2007-02-30" is not a date'
new_case school-code;    edit "$A" '.student.school.code = "52330"'
expect_rejected "school code of 5 characters" "$A" "$FA" '$.student.school.code' '5 characters, at least 6'
new_case school-code-7;  edit "$A" '.student.school.code = "5233011"'
expect_rejected "school code of 7 characters" "$A" "$FA" '$.student.school.code' '7 characters, limit 6'

# ---- §2.2 cadres ----------------------------------------------------------------
new_case cadre-level;    edit "$B" '.cadres[0].level = 4'
expect_rejected "cadre level 4" "$B" "$FB" '$.cadres[0].level' '4 out of range 1..3'
new_case cadre-level-0;  edit "$B" '.cadres[0].level = 0'
expect_rejected "cadre level 0" "$B" "$FB" '$.cadres[0].level' '0 out of range 1..3'
new_case cadre-order;    edit "$B" '.cadres[0].end = "2024-08-31"'
expect_rejected "cadre end before start" "$B" "$FB" '$.cadres[0].end' '2024-08-31 is before start 2024-09-01'

# ---- §2.3 courses ---------------------------------------------------------------
new_case semester;       edit "$A" '.courses[0].semester = 3'
expect_rejected "course semester 3" "$A" "$FA" '$.courses[0].semester' '3 out of range 1..2'
new_case grade;          edit "$A" '.courses[0].grade = 4'
expect_rejected "course grade 4" "$A" "$FA" '$.courses[0].grade' '4 out of range 1..3'
new_case code-length;    edit "$A" '.courses[0].code |= .[0:22]'
expect_rejected "course code of 22 characters" "$A" "$FA" '$.courses[0].code' 'is not a 23-character course code'
new_case code-category;  edit "$A" '.courses[0].code |= .[0:16] + "B" + .[17:]'
expect_rejected "course code category B at position 17" "$A" "$FA" '$.courses[0].code' 'known category at position 17'
new_case credits;        edit "$A" '.courses[0].credits = 11'
expect_rejected "credits 11" "$A" "$FA" '$.courses[0].credits' '11 out of range 0..10'
new_case score-range;    edit "$A" '.courses[0].score = 100.5'
expect_rejected "score 100.5" "$A" "$FA" '$.courses[0].score' '100.5 out of range 0..100'
new_case score-decimals; edit "$A" '.courses[0].score = 84.125'
expect_rejected "score with 3 decimals" "$A" "$FA" '$.courses[0].score' '84.125 has more than 2 decimals'
new_case score-in-progress; edit "$A" ".courses[$IP].score = 80"
expect_rejected "score while in progress" "$A" "$FA" "\$.courses[$IP].score" 'must be null while the course is in progress'
new_case counted;        edit "$A" '.courses[0].counted = 4'
expect_rejected "counted 4" "$A" "$FA" '$.courses[0].counted' '4 out of range 1..3'
new_case record-type;    edit "$A" '.courses[0].record_type = "exchange"'
expect_rejected "record_type unknown" "$A" "$FA" '$.courses[0].record_type' '"exchange" is not one of the allowed values'
new_case cohort-rank;    edit "$A" ".courses[$CI].cohort.rank = .courses[$CI].cohort.size + 1"
expect_rejected "cohort rank > size" "$A" "$FA" "\$.courses[$CI].cohort.rank" 'is larger than size'
new_case histogram-9;    edit "$A" ".courses[$CI].cohort.histogram |= .[0:8] + [.[8] + .[9]]"
expect_rejected "histogram of 9 counts (summing to size)" "$A" "$FA" "\$.courses[$CI].cohort.histogram" '9 counts, expected 10'
new_case histogram-sum;  edit "$A" ".courses[$CI].cohort.histogram[0] += 1"
expect_rejected "histogram not summing to size" "$A" "$FA" "\$.courses[$CI].cohort.histogram" 'counts sum to'

# ---- §2.4 course_catalog -----------------------------------------------------------
new_case teacher-source; edit "$A" '.course_catalog[$c].teacher_source = ["外聘"]' --arg c "$CODE"
expect_rejected "teacher_source value" "$A" "$FA" "\$.course_catalog.$CODE.teacher_source[0]" '"外聘" is not one of the allowed values'
new_case competency;     edit "$A" '.course_catalog[$c].competencies[0] = "D1"' --arg c "$CODE"
expect_rejected "competency D1" "$A" "$FA" "\$.course_catalog.$CODE.competencies[0]" '"D1" is not one of the allowed values'
new_case syllabus;       edit "$A" '.course_catalog[$c].syllabus = ("課" * 2001)' --arg c "$CODE"
expect_rejected "syllabus of 2001 characters" "$A" "$FA" "\$.course_catalog.$CODE.syllabus" '2001 characters, limit 2000'
new_case cross-domain;   edit "$A" '.course_catalog[$c].cross_domain = "綜合型"' --arg c "$CODE"
expect_rejected "cross_domain value" "$A" "$FA" "\$.course_catalog.$CODE.cross_domain" '"綜合型" is not one of the allowed values'

# ---- §2.5 course_outcomes --------------------------------------------------------
new_case outcomes-4;     edit "$A" '.course_outcomes += [.course_outcomes[0] | .id = "CO9"]'
expect_rejected "4 course outcomes" "$A" "$FA" '$.course_outcomes' '4 items, limit 3'
new_case outcome-item;   edit "$A" '.course_outcomes[0].item = "F"'
expect_rejected "outcome item F" "$A" "$FA" '$.course_outcomes[0].item' '"F" is not an item letter B..E'
new_case outcome-summary; edit "$A" '.course_outcomes[0].summary = ("學" * 101)'
expect_rejected "outcome summary of 101 CJK characters" "$A" "$FA" '$.course_outcomes[0].summary' '101 characters, limit 100'
new_case outcome-dup-id; edit "$A" '.course_outcomes[1].id = .course_outcomes[0].id'
expect_rejected "duplicate outcome id" "$A" "$FA" '$.course_outcomes[1].id' 'is not unique in the application'
new_case dup-id-across;  edit "$P" '.performances[0].id = .course_outcomes[0].id'
expect_rejected "id shared by an outcome and a performance" "$P" "$FP" '$.performances[0].id' 'is not unique in the application'
new_case outcome-uploaded-at; edit "$A" '.course_outcomes[0].uploaded_at = "2024-01-14"'
expect_rejected "outcome uploaded_at a date" "$A" "$FA" '$.course_outcomes[0].uploaded_at' 'is not an RFC 3339 time'

# ---- §2.6 performances ----------------------------------------------------------
new_case performances-11; edit "$P" '.performances += [.performances[2] | .id = "MP99"]'
expect_rejected "11 performances" "$P" "$FP" '$.performances' '11 items, limit 10'
new_case performance-item; edit "$P" '.performances[0].item = "B"'
expect_rejected "performance item B" "$P" "$FP" '$.performances[0].item' '"B" is not an item letter F..M'
new_case performance-kind; edit "$P" '.performances[0].kind = "sport"'
expect_rejected "performance kind unknown" "$P" "$FP" '$.performances[0].kind' '"sport" is not one of the allowed values'
new_case performance-link; edit "$P" '.performances[$i].links[0] |= sub("^https:"; "http:")' --argjson i "$PL"
expect_rejected "link not https" "$P" "$FP" "\$.performances[$PL].links[0]" 'not an https URL'
new_case performance-summary; edit "$P" '.performances[0].summary = ("表" * 101)'
expect_rejected "performance summary of 101 characters" "$P" "$FP" '$.performances[0].summary' '101 characters, limit 100'

# ---- §2.7 uploads, self-made PDFs --------------------------------------------------
new_case upload-item-a;  edit "$A" '.uploads[0].item = "A"'
expect_rejected "upload item A in a portfolio application" "$A" "$FA" '$.uploads[0].item' '"A" is not an item letter N..Z'
new_case upload-n-text;  edit "$A" '.uploads[0].text = ("心" * 801)'
expect_rejected "N text of 801 characters" "$A" "$FA" '$.uploads[0].text' '801 characters, limit 800'
new_case self-made-performances
edit "$S" '.performances = [$p]' --argjson p "$(jq '.performances[2]' "$BASE/$FP")"
expect_rejected "self_made_pdf with a performance" "$S" "$FS" '$.performances' 'must be empty for a self_made_pdf application'
new_case self-made-outcomes
edit "$S" '.course_outcomes = [$o]' --argjson o "$(jq '.course_outcomes[2]' "$APP_A")"
expect_rejected "self_made_pdf with a course outcome" "$S" "$FS" '$.course_outcomes' 'must be empty for a self_made_pdf application'
new_case self-made-2-files; edit "$S" '.uploads[0].files += [.uploads[1].files[0]]'
expect_rejected "self-made upload with 2 files" "$S" "$FS" '$.uploads[0].files' 'exactly one PDF file, found 2'
new_case self-made-png
edit "$S" '.uploads[0].files = [$f]' --argjson f "$(jq '.course_outcomes[0].files[0]' "$APP_A")"
expect_rejected "self-made upload with a PNG" "$S" "$FS" '$.uploads[0].files' 'must be a PDF, found image/png'

# ---- §3 files ------------------------------------------------------------------------
PNG=$(jq -r '.course_outcomes[0].files[0].sha256' "$APP_A")     # A's own PNG (no other application has it)
PNG_SIZE=$(jq -r '.course_outcomes[0].files[0].size' "$APP_A")
PDF=$(jq -r '.course_outcomes[2].files[0].sha256' "$APP_A")     # A's PDF (P, B and 001012-11010306 cite it too)
F0='$.course_outcomes[0].files[0]'
new_case sha-not-hex;    edit "$A" '.course_outcomes[0].files[0].sha256 |= ascii_upcase'
expect_rejected "file sha256 not lowercase hex" "$A" "$FA" "$F0.sha256" 'not 64 lowercase hexadecimal digits'
new_case media-type;     edit "$A" '.course_outcomes[0].files[0].media_type = "image/gif"'
expect_rejected "media_type image/gif" "$A" "$FA" "$F0.media_type" '"image/gif" is not one of the allowed values'
new_case image-too-big
over_png=$(make_png 4194305 "$PKG")
edit "$A" '.course_outcomes[0].files[0] = {sha256: $s, name: "big.png", media_type: "image/png", size: 4194305}' --arg s "$over_png"
expect_rejected "image of 4 MiB + 1 byte" "$A" "$FA" "$F0.size" '4194305 out of range'
new_case attachment-missing
rm -f "$PKG/files/$PNG.png"
expect_rejected "attachment missing from files/" "$A" "$FA" "$F0" "attachment files/$PNG.png: missing from the package"
zip_case
expect_rejected "attachment missing from files/ (zip)" "$A" "$FA" "$F0" "attachment files/$PNG.png: missing from the package"
new_case attachment-bytes
{ head -c $((PNG_SIZE - 1)) "$BASE/files/$PNG.png"; printf X; } >"$PKG/files/$PNG.png.new"
replace "$PKG/files/$PNG.png"
expect_rejected "attachment bytes differ (hash mismatch)" "$A" "$FA" "$F0" "attachment files/$PNG.png: SHA-256 is"
zip_case
expect_rejected "attachment bytes differ (zip)" "$A" "$FA" "$F0" "attachment files/$PNG.png: SHA-256 is"
new_case attachment-size-smaller; edit "$A" '.course_outcomes[0].files[0].size -= 1'
expect_rejected "attachment larger than its declared size" "$A" "$FA" "$F0" "attachment files/$PNG.png"
new_case attachment-size-larger;  edit "$A" '.course_outcomes[0].files[0].size += 1'
expect_rejected "attachment smaller than its declared size" "$A" "$FA" "$F0" "bytes, declared $((PNG_SIZE + 1))"
new_case attachment-magic
ln "$PKG/files/$PDF.pdf" "$PKG/files/$PDF.png" 2>/dev/null || cp "$PKG/files/$PDF.pdf" "$PKG/files/$PDF.png"
edit "$A" '.course_outcomes[2].files[0].media_type = "image/png"'
expect_rejected "a PDF declared image/png (hash and size right)" "$A" "$FA" '$.course_outcomes[2].files[0]' \
    "attachment files/$PDF.png: first bytes do not match image/png"
new_case attachment-symlink
cp "$BASE/files/$PNG.png" "$C/outside.png"
rm -f "$PKG/files/$PNG.png"
ln -s "$C/outside.png" "$PKG/files/$PNG.png"
expect_rejected "attachment symlinked outside the package" "$A" "$FA" "$F0" 'outside the package'
# A file already verified for an earlier application ($P) must still be
# checked against what a later one ($B) declares about it.
SHARED_PDF=$(jq -r '.course_outcomes[2].files[0].sha256' "$BASE/$FB")
new_case cached-file-size; edit "$B" '.course_outcomes[2].files[0].size -= 1'
expect_rejected "declared size wrong for a file an earlier application verified" "$B" "$FB" '$.course_outcomes[2].files[0]' \
    "attachment files/$SHARED_PDF.pdf"
new_case cached-file-media; edit "$B" '.course_outcomes[2].files[0].media_type = "image/png"'
expect_rejected "PDF declared image/png, already verified as a PDF for an earlier application" "$B" "$FB" \
    '$.course_outcomes[2].files[0]' "attachment files/$SHARED_PDF.png"

# ---- §4 text encoding and JSON syntax --------------------------------------------------
new_case nul-name;       edit "$A" '.student.name |= .[0:1] + "\u0000" + .[1:]'
expect_rejected "NUL inside student.name" "$A" "$FA" '$.student.name' 'contains a NUL character'
new_case nul-text;       edit "$A" '.uploads[1].text += "\u0000"'
expect_rejected "NUL at the end of an upload text" "$A" "$FA" '$.uploads[1].text' 'NUL'
new_case nul-teacher-source; edit "$A" '.course_catalog[$c].teacher_source[0] += "\u0000x"' --arg c "$CODE"
expect_rejected "NUL inside a teacher_source value" "$A" "$FA" "\$.course_catalog.$CODE.teacher_source[0]" ''
new_case nul-link;       edit "$P" '.performances[$i].links[0] += "\u0000x"' --argjson i "$PL"
expect_rejected "NUL inside a link" "$P" "$FP" "\$.performances[$PL].links[0]" ''
new_case not-nfc;        edit "$A" '.student.name = "\uf900" + .student.name'
expect_rejected "text not in NFC (U+F900 compatibility ideograph)" "$A" "$FA" '$.student.name' ''
new_case invalid-utf8
edit "$A" '.student.name = "@@BAD@@"'
LC_ALL=C sed "s/@@BAD@@/$(printf '\377\376')/" "$PKG/$FA" >"$PKG/$FA.new" && replace "$PKG/$FA" && rehash "$A"
expect_rejected "invalid UTF-8 bytes" "$A" "$FA" '' 'not valid JSON'
new_case syntax
sed 's/"format": "lp-application",/"format": "lp-application"/' "$PKG/$FA" >"$PKG/$FA.new" && replace "$PKG/$FA" && rehash "$A"
expect_rejected "JSON syntax error (a missing comma)" "$A" "$FA" '' 'not valid JSON'
new_case duplicate-key
awk '{ print } /^ *"source": "portfolio",$/ { print }' "$PKG/$FA" >"$PKG/$FA.new" && replace "$PKG/$FA" && rehash "$A"
check_eq "duplicate-key: the key really is there twice" 2 "$(grep -c '^ *"source": ' "$PKG/$FA")"
expect_rejected "duplicate JSON key" "$A" "$FA" '' 'duplicate object key'
new_case gender-zip;     edit "$A" '.student.gender = "X"'
zip_case
expect_rejected "gender X (zip)" "$A" "$FA" '$.student.gender' '"X" is not one of the allowed values'

# ---- §1 the package and its manifest -------------------------------------------------
new_case file-missing;   rm -f "$PKG/$FA"
expect_rejected "listed application file missing" "$A" "$FA" '' 'missing from the package'
zip_case
expect_rejected "listed application file missing (zip)" "$A" "$FA" '' 'missing from the package'
new_case file-hash
{ cat "$BASE/$FA"; echo; } >"$PKG/$FA.new" && replace "$PKG/$FA"
expect_rejected "file hash differs from the manifest" "$A" "$FA" '' "the manifest says $(jq -r --argjson i "$IA" '.applications[$i].sha256' "$BASE/manifest.json")"
new_case path-parent
mv -f "$PKG/$FA" "$C/x.json"
edit_manifest '.applications[$i].path = "../x.json"' --argjson i "$IA"
expect_rejected "manifest path ../x.json" "$A" manifest.json "\$.applications[$IA].path" '"../x.json" leaves the package'
new_case path-escape
rm -f "$PKG/$FA"
edit_manifest '.applications[$i].path = "applications/../../etc/passwd"' --argjson i "$IA"
expect_rejected "manifest path applications/../../etc/passwd" "$A" manifest.json "\$.applications[$IA].path" 'leaves the package'
new_case symlink-passwd
rm -f "$PKG/$FA"
ln -s /etc/passwd "$PKG/$FA"
edit_manifest '.applications[$i].sha256 = $s' --argjson i "$IA" --arg s "$(sha /etc/passwd)"
expect_rejected "$FA -> /etc/passwd" "$A" "$FA" '' 'outside the package'
new_case symlink-valid-outside
mv -f "$PKG/$FA" "$C/outside.json"
ln -s "$C/outside.json" "$PKG/$FA"
expect_rejected "application symlinked to a valid file outside the package" "$A" "$FA" '' 'outside the package'
new_case duplicate-entry; edit_manifest '.applications += [.applications[$i]]' --argjson i "$IA"
# Which of two listings is right cannot be known: neither loads.
ingest "$DB" "$PKG"
check_eq "application listed twice: exit status 1" 1 "$rc"
check_line "application listed twice: problem line" "$PKG: manifest.json: \$.applications[10]: " 'is listed twice'
check_eq "application listed twice: the 9 others load, $A absent" "9|0" \
    "$(sql "$DB" "SELECT count(*), count(CASE WHEN key = '$A' THEN 1 END) FROM applications")"
check_eq "application listed twice: both listings rejected" "loaded 9, unchanged 0, replaced 0, rejected 2" "$(summary)"

new_case unlisted
cp "$BASE/$FA" "$PKG/applications/001012-19999999.json"
ingest "$DB" "$PKG"
check_eq "unlisted file: exit status 1" 1 "$rc"
check_line "unlisted file: problem line" "$PKG: applications/001012-19999999.json: " 'not listed in the manifest'
check_eq "unlisted file: the 10 listed load" "0 loaded 10, unchanged 0, replaced 0, rejected 0" \
    "$(sql "$DB" "SELECT count(*) FROM applications WHERE application_no = '19999999'") $(summary)"
check_eq "unlisted file: --json reported 1" 1 "$(jq .reported "$OUT")"
zip_case
ingest "$DB" "$PKG"
check_eq "unlisted file (zip): exit 1, the 10 listed load" "1 loaded 10, unchanged 0, replaced 0, rejected 0" "$rc $(summary)"
check_line "unlisted file (zip): problem line" "$PKG: applications/001012-19999999.json: " 'not listed in the manifest'

new_case manifest-version; edit_manifest '.version = 2'
expect_refused "manifest version 2" manifest.json '$.version' '2'
zip_case
expect_refused "manifest version 2 (zip)" manifest.json '$.version' '2'
new_case manifest-format; edit_manifest '.format = "lp-export-2"'
expect_refused "manifest format unknown" manifest.json '$.format' '"lp-export-2" is not one of the allowed values'
new_case manifest-syntax
head -c 200 "$BASE/manifest.json" >"$PKG/manifest.json.new" && replace "$PKG/manifest.json"
expect_refused "manifest not valid JSON" manifest.json '' 'not valid JSON'
new_case manifest-missing; rm -f "$PKG/manifest.json"
expect_refused "no manifest.json" manifest.json '' 'missing from the package'

# ---- a damaged update keeps the stored version --------------------------------------
cp "$DB1" "$TMP/keep.db"
cp -R "$DB1.files" "$TMP/keep.db.files"
PKG=$TMP/cases/gender-zip/pkg
ingest "$TMP/keep.db" "$PKG"
check_eq "damaged update: exit 1, 9 unchanged, 1 rejected" "1 loaded 0, unchanged 9, replaced 0, rejected 1" "$rc $(summary)"
check_eq "damaged update: the stored $A is kept" "$(jq -r --argjson i "$IA" '.applications[$i].sha256' "$BASE/manifest.json")|$(jq -r .student.gender "$APP_A")" \
    "$(sql "$TMP/keep.db" "SELECT content_sha256, s.gender FROM applications a JOIN students s ON s.application_id = a.id WHERE key = '$A'")"

# ---- usage and unreadable packages -----------------------------------------------------
"$BEISHEN" ingest --db "$TMP/usage.db" >/dev/null 2>&1
check_eq "no PACKAGE: exit 2" 2 "$?"
"$BEISHEN" ingest --db "$TMP/usage.db" --frobnicate "$EXAMPLE" >/dev/null 2>&1
check_eq "unknown option: exit 2" 2 "$?"
ingest "$TMP/usage.db" "$TMP/no-such-package"
check_eq "nonexistent package: exit 1" 1 "$rc"
check_line "nonexistent package: PACKAGE: RULE line" "$TMP/no-such-package: " 'No such file'
printf 'not a zip' >"$TMP/fake.zip"
ingest "$TMP/usage.db" "$TMP/fake.zip"
check_eq "a .zip that is not a zip: exit 1, nothing loaded" "1 0" "$rc $(sql "$TMP/usage.db" 'SELECT count(*) FROM applications')"

# =============================================================================
# 6. kill -9 during a large ingest.
# =============================================================================
mark "section 6"
# What each application must have, from its JSON, in a side database.
jq -r 'def files: [.course_outcomes[].files[], .performances[].files[], .uploads[].files[]];
       [ "\(.department)-\(.application_no)", (.courses|length), (.course_outcomes|length),
         (.performances|length), (.uploads|length), (.cadres|length), (.course_catalog|length),
         (files|length) ] | map(tostring) | join("|")' "$BIG"/applications/*.json >"$TMP/expected.txt"
EXPECTED_DB=$TMP/expected.db
sqlite3 -batch "$EXPECTED_DB" <<EOF
CREATE TABLE expected(key TEXT PRIMARY KEY, courses INT, outcomes INT, performances INT,
                      uploads INT, cadres INT, catalog INT, files INT);
.separator |
.import $TMP/expected.txt expected
EOF
check_eq "kill test: expectations imported for every application" "$N" "$(sql "$EXPECTED_DB" 'SELECT count(*) FROM expected')"

# whole DB: one line "courses|student|categories|parts": how many stored
# applications break each all-or-nothing condition.
whole() {
    sqlite3 -batch -noheader "$1" "ATTACH '$EXPECTED_DB' AS x;
      SELECT
        count(CASE WHEN e.key IS NULL OR a.course_count <> e.courses
                     OR (SELECT count(*) FROM courses c WHERE c.application_id = a.id) <> e.courses THEN 1 END),
        count(CASE WHEN (SELECT count(*) FROM students s WHERE s.application_id = a.id) <> 1 THEN 1 END),
        count(CASE WHEN NOT EXISTS (SELECT 1 FROM categories g WHERE g.application_id = a.id) THEN 1 END),
        count(CASE WHEN e.key IS NULL
                     OR (SELECT count(*) FROM outcomes o WHERE o.application_id = a.id) <> e.outcomes
                     OR (SELECT count(*) FROM performances p WHERE p.application_id = a.id) <> e.performances
                     OR (SELECT count(*) FROM uploads u WHERE u.application_id = a.id) <> e.uploads
                     OR (SELECT count(*) FROM cadres d WHERE d.application_id = a.id) <> e.cadres
                     OR (SELECT count(*) FROM course_catalog k WHERE k.application_id = a.id) <> e.catalog
                     OR (SELECT count(*) FROM attachments t WHERE t.application_id = a.id) <> e.files THEN 1 END)
      FROM applications a LEFT JOIN x.expected e ON e.key = a.key"
}

{ wait "$ref_pid"; } 2>/dev/null
ref_rc=$?
check_eq "kill test: clean reference ingest loads all" "0 loaded $N, unchanged 0, replaced 0, rejected 0" \
    "$ref_rc $(tail -n 1 "$TMP/reference.err")"
check_eq "kill test: clean reference ingest is whole" "0|0|0|0" "$(whole "$REF")"

# committed DB: applications committed so far (0 before the schema exists)
committed() { [ -s "$1" ] && sqlite3 -batch -noheader "$1" 'SELECT count(*) FROM applications' 2>/dev/null || echo 0; }

mark "kills"
KDB=$TMP/killed.db
# Checks run on a copy of the killed database and its WAL, so that the next
# ingest has to recover from the kill itself.
CHK=$TMP/check.db
ln -s "$KDB.files" "$CHK.files"
echo "     kill test: seed $seed (KILL_SEED=$seed sh tests/e2e_ingest.sh repeats these kill points)"
interrupted=0
k=0
while [ $k -le 5 ]; do
    r=$(awk -v s="$((seed + k))" 'BEGIN { srand(s); printf "%.4f %.4f", rand(), rand() }')
    r1=${r% *}
    r2=${r#* }
    "$BEISHEN" ingest --db "$KDB" "$BIG" >/dev/null 2>&1 &
    pid=$!
    if [ $k -eq 0 ]; then
        # start-up: schema creation or the first applications
        delay=$(awk -v r="$r1" 'BEGIN { printf "%.3f", 0.02 + 0.15 * r }')
        sleep "$delay"
        where="${delay}s after start"
    else
        # kill k somewhere in the k-th fifth of the run (by applications
        # committed), then a random 0-100 ms more: inside some transaction
        target=$(awk -v r="$r1" -v n="$N" -v k="$k" 'BEGIN { printf "%d", n * (k - 1 + 0.1 + 0.5 * r) / 5 }')
        polls=0
        while [ $polls -lt 2400 ] && [ "$(committed "$KDB")" -lt "$target" ]; do
            sleep 0.05
            polls=$((polls + 1))
        done
        delay=$(awk -v r="$r2" 'BEGIN { printf "%.3f", 0.1 * r }')
        sleep "$delay"
        where="${delay}s after $target committed"
    fi
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    status=$?
    [ "$status" -eq 137 ] && interrupted=$((interrupted + 1))
    rm -f "$CHK" "$CHK-wal" "$CHK-shm"
    if [ -f "$KDB" ]; then
        cp "$KDB" "$CHK"
        if [ -f "$KDB-wal" ]; then cp "$KDB-wal" "$CHK-wal"; fi
    fi
    if [ -f "$CHK" ] && [ "$(sql "$CHK" "SELECT count(*) FROM sqlite_master WHERE name = 'applications'")" = 1 ]; then
        echo "     kill $k, $where: status $status, $(sql "$CHK" 'SELECT count(*) FROM applications') applications stored"
        check_eq "kill $k: integrity_check ok" ok "$(sql "$CHK" 'PRAGMA integrity_check')"
        check_eq "kill $k: foreign_key_check empty" "" "$(sql "$CHK" 'PRAGMA foreign_key_check')"
        check_eq "kill $k: no stored application is partial (courses|student|categories|other parts)" "0|0|0|0" "$(whole "$CHK")"
        check_eq "kill $k: every stored attachment is in the file store" "" "$(store_check "$CHK")"
    elif [ ! -e "$KDB" ]; then
        echo "     kill $k, $where: status $status, no database file yet"
        check "kill $k: nothing committed yet: no database file, no WAL" test ! -e "$KDB-wal"
    else
        # No applications table: not even schema 001 was committed, so the
        # copy must open cleanly with schema version 0 and no table at all
        # (a damaged file fails here instead of passing unchecked).
        echo "     kill $k, $where: status $status, no schema yet"
        check_eq "kill $k: nothing committed yet: database intact, schema version 0, no tables (integrity|user_version|tables)" \
            "ok|0|0" \
            "$(sqlite3 -batch -noheader "$CHK" 'PRAGMA integrity_check; PRAGMA user_version;
                SELECT count(*) FROM sqlite_master' 2>&1 | paste -sd '|' -)"
    fi
    k=$((k + 1))
done
check_eq "kill test: all 6 kills interrupted a running ingest" 6 "$interrupted"
mark "resume"
ingest "$KDB" "$BIG"
check_eq "kill test: the resumed ingest exits 0" 0 "$rc"
check_eq "kill test: resumed ingest: loaded + unchanged = $N, nothing replaced or rejected" "$N|0|0" \
    "$(jq -r '"\(.loaded + .unchanged)|\(.replaced)|\(.rejected)"' "$OUT")"
check_eq "kill test: resumed database is whole" "0|0|0|0" "$(whole "$KDB")"
check_eq "kill test: resumed database integrity_check ok" ok "$(sql "$KDB" 'PRAGMA integrity_check')"
dump_neutral "$REF" >"$TMP/dump.reference"
dump_neutral "$KDB" >"$TMP/dump.killed"
if cmp -s "$TMP/dump.reference" "$TMP/dump.killed"; then
    pass "kill test: killed-and-resumed database identical to a clean ingest"
else
    fail "kill test: killed-and-resumed database identical to a clean ingest" \
        "$(diff "$TMP/dump.reference" "$TMP/dump.killed" | head -n 6 | cut -c 1-200)"
fi
check_eq "kill test: file store complete after resuming" "" "$(store_check "$KDB")"

mark "end"
finish
