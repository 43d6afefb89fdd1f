#!/bin/sh
# End-to-end tests of departments' required-item lists: every check rule has
# a failing fixture (made from the sample list with jq), load and reload
# keep versions, the published list renders, and packets follow the list.
. tests/lib.sh
sample=samples/requirements/001012.json

# bad_list NAME JQ-FILTER EXPECTED-LINE: the mutated list fails `check`
# with exit 1 and an error line containing EXPECTED-LINE.
bad_list() {
    jq "$2" "$sample" >"$TMP/bad.json"
    "$BEISHEN" requirements check "$TMP/bad.json" >"$TMP/check.out" 2>&1
    status=$?
    if [ "$status" -eq 1 ] && grep -qF -- "$3" "$TMP/check.out"; then
        pass "check rejects: $1"
    else
        fail "check rejects: $1" "exit $status, expected line [$3] in: $(cat "$TMP/check.out")"
    fi
}

"$BEISHEN" requirements check samples/requirements/*.json >"$TMP/ok.out" 2>&1
check_eq "sample lists pass check" "0" "$?"
bad_list "unknown item code" '.items[0].code = "AA"' '$.items[0].code: "AA" is not a review item code'
bad_list "lower-case code" '.items[0].code = "a"' '$.items[0].code: "a" is not a review item code'
bad_list "item weights not summing to 100" '.items[0].weight = 26' '$.items: item weights sum to 101, not 100'
bad_list "duplicate code" '.items[1].code = "A"' '$.items[1].code: code A listed twice'
bad_list "empty focus" '.items[0].focus = ""' '$.items[0].focus: must not be empty'
bad_list "missing focus" 'del(.items[2].focus)' '$.items[2].focus: missing'
bad_list "over-long focus (301 characters)" ".items[0].focus = (\"審\" * 301)" '$.items[0].focus: 301 characters, limit 300'
bad_list "over-long note" ".items[0].note = (\"註\" * 601)" '$.items[0].note: 601 characters, limit 600'
bad_list "over-long rubric descriptor" ".items[0].rubric[\"優良\"] = (\"好\" * 201)" '$.items[0].rubric.優良: 201 characters, limit 200'
bad_list "missing rubric level" 'del(.items[0].rubric["不佳"])' '$.items[0].rubric.不佳: missing'
bad_list "unknown rubric level" '.items[0].rubric["極佳"] = "x"' '$.items[0].rubric.極佳: unknown rubric level'
bad_list "department's own item without a name" '.items[0].code = "R"' '$.items[0].name: missing'
bad_list "weight out of range" '.items[0].weight = 120' '$.items[0].weight: 120 out of range 0..100'
bad_list "stage weights not summing to 100" '.stages[0].weight = 50' '$.stages: stage weights sum to 110, not 100'
bad_list "duplicate stage" '.stages[1].name = "學測"' 'stage "學測" listed twice'
bad_list "no items" '.items = []' '$.items: must list at least one item'
bad_list "department code not 6 digits" '.department.code = "1012"' '$.department.code: "1012" is not 6 digits'
bad_list "university code not 3 digits" '.university.code = "1"' '$.university.code: "1" is not 3 digits'
bad_list "unknown format" '.format = "other"' '$.format: "other" is not one of the allowed values'
bad_list "unknown version" '.version = 2' '$.version: 2 out of range 1..1'
printf '{"format": ' >"$TMP/broken.json"
"$BEISHEN" requirements check "$TMP/broken.json" >"$TMP/broken.out" 2>&1
check_eq "invalid JSON: exit 1" "1" "$?"
check_contains "invalid JSON: named" "$TMP/broken.out" "not valid JSON"

# --- load, reload, versions ------------------------------------------------
db=$TMP/req.db
"$BEISHEN" ingest --db "$db" tests/fixtures/browse >/dev/null 2>&1
"$BEISHEN" requirements load --db "$db" "$sample" >"$TMP/load.out"
check_contains "first load is version 1" "$TMP/load.out" "department 001012, version 1"
"$BEISHEN" requirements load --db "$db" "$sample" >"$TMP/load.out"
check_contains "identical reload keeps version 1" "$TMP/load.out" "version 1 (unchanged)"
jq '.items[0].focus = "修課紀錄：新的審查重點。"' "$sample" >"$TMP/v2.json"
"$BEISHEN" requirements load --db "$db" "$TMP/v2.json" >"$TMP/load.out"
check_contains "changed list becomes version 2" "$TMP/load.out" "department 001012, version 2"
"$BEISHEN" requirements versions --db "$db" 001012 >"$TMP/versions.json"
check_eq "both versions kept, with load times" "1,2 2" \
  "$(jq -r '[(map(.version|tostring)|join(",")), (map(select(.loaded_at|test("^[0-9]{4}-"))) | length | tostring)]|join(" ")' "$TMP/versions.json")"
"$BEISHEN" requirements render --db "$db" 001012 --json >"$TMP/latest.json"
check_eq "render --json exports the newest list as loaded" "2 修課紀錄：新的審查重點。" \
  "$(jq -r '"\(.loaded_version) \(.items[0].focus)"' "$TMP/latest.json")"
jq '.items[0].weight = 0' "$sample" >"$TMP/badload.json"
"$BEISHEN" requirements load --db "$db" "$TMP/badload.json" >/dev/null 2>&1
check_eq "a list that fails check is not loaded (exit 1)" "1" "$?"
check_eq "and no version was added" "2" "$(sql "$db" "SELECT max(version) FROM requirement_lists WHERE department='001012'")"
"$BEISHEN" requirements render --db "$db" 009999 --json >/dev/null 2>&1
check_eq "no list for a department: exit 1" "1" "$?"

# --- the published list -----------------------------------------------------
"$BEISHEN" requirements load --db "$db" "$sample" >/dev/null
"$BEISHEN" requirements render --db "$db" 001012 -o "$TMP/list.pdf"
check_eq "published list renders" "0" "$?"
pages=$(pdfinfo "$TMP/list.pdf" | awk '/^Pages:/ {print $2}')
check "published list is one or two pages ($pages)" test "$pages" -ge 1 -a "$pages" -le 2
check "published list passes qpdf --check" qpdf --check "$TMP/list.pdf"
pdftotext "$TMP/list.pdf" "$TMP/list.txt"
check_contains "stage weights printed" "$TMP/list.txt" "審查資料"
check_contains "focus printed" "$TMP/list.txt" "書面報告之問題意識"
check_contains "rubric printed" "$TMP/list.txt" "待加強"
check_contains "version printed" "$TMP/list.txt" "第 3 版"

# --- packets follow the list -----------------------------------------------------
"$BEISHEN" render packet --db "$db" 001012-10000001 -o "$TMP/p.pdf" 2>/dev/null
check_eq "packet with a list renders" "0" "$?"
qpdf --json --json-key=outlines "$TMP/p.pdf" | jq -r '[.outlines[].title]|join(",")' >"$TMP/outline.txt"
check_eq "only listed items, in the list's order (outline)" \
  "封面,A 修課紀錄,B 書面報告,J 競賽表現,N 多元表現綜整心得,O 高中學習歷程反思,P 就讀動機,Q 未來學習計畫與生涯規劃" \
  "$(cat "$TMP/outline.txt")"
pdftotext "$TMP/p.pdf" "$TMP/p.txt"
check_not_contains "unlisted item S left out" "$TMP/p.txt" "S 作品集"
check_contains "item header shows the weight" "$TMP/p.txt" "占審查資料 25%"
check_contains "item header shows the focus" "$TMP/p.txt" "書面報告之問題意識"
check_contains "a listed item not supplied shows 未提供" "$TMP/p.txt" "未提供"
check_contains "and counts in the cover's warnings" "$TMP/p.txt" "本系參採項目 J 競賽表現：未提供"
finish
