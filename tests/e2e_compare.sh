#!/bin/sh
# End-to-end tests of comparison sheets: the numbers on the sheet (pdftotext)
# and in the CSV equal what `beishen dist` and `beishen applicants --json`
# compute; self-made applicants appear only in their own section; a large
# department paginates with repeated headers; output is byte-identical.
. tests/lib.sh
db=$TMP/cmp.db
"$BEISHEN" ingest --db "$db" "$EXAMPLE" tests/fixtures/browse >/dev/null 2>&1
C() { "$BEISHEN" render compare --db "$db" "$@"; }

C --department 001012 -o "$TMP/c.pdf" --csv "$TMP/c.csv"
check_eq "sheet and CSV render (no list loaded)" "0" "$?"
check "sheet passes qpdf --check" qpdf --check "$TMP/c.pdf"
check_eq "CSV starts with a UTF-8 BOM" "efbbbf" "$(head -c 3 "$TMP/c.csv" | od -An -tx1 | tr -d ' \n')"
tail -n +2 "$TMP/c.csv" >"$TMP/rows.csv"
check_eq "one CSV line per applicant of the department" \
  "$("$BEISHEN" applicants --db "$db" --department 001012 --json | jq length)" "$(wc -l <"$TMP/rows.csv" | tr -d ' ')"

# CSV columns: section, id, name, school, average, courses, then domain average/PR pairs
header=$(head -n 1 "$TMP/c.csv" | sed 's/^\xef\xbb\xbf//')
col() { echo "$header" | tr ',' '\n' | grep -nxF "$1" | cut -d: -f1; }
lang=$(col "語文平均"); langpr=$(col "語文PR")
check "CSV has domain columns" test -n "$lang" -a -n "$langpr"
"$BEISHEN" dist --db "$db" --department 001012 --domain 01 --json >"$TMP/d01.json"
"$BEISHEN" applicants --db "$db" --department 001012 --json >"$TMP/apps.json"
mismatch=0
while IFS= read -r line; do
    id=$(echo "$line" | cut -d, -f2)
    section=$(echo "$line" | cut -d, -f1)
    [ "$section" = "學習歷程檔案" ] || continue
    avg=$(echo "$line" | cut -d, -f5)
    want_avg=$(jq -r --arg id "$id" '.[]|select(.id==$id).average|if .==null then "" else (.*100|round/100|tostring) end' "$TMP/apps.json")
    [ "$(printf '%.2f' "${avg:-0}")" = "$(printf '%.2f' "${want_avg:-0}")" ] || { mismatch=1; echo "average $id: $avg vs $want_avg"; }
    l=$(echo "$line" | cut -d, -f"$lang"); pr=$(echo "$line" | cut -d, -f"$langpr")
    want_l=$(jq -r --arg id "$id" '.applications[]|select(.id==$id).score' "$TMP/d01.json")
    want_pr=$(jq -r --arg id "$id" '.applications[]|select(.id==$id).percentile' "$TMP/d01.json")
    if [ -n "$want_l" ]; then
        [ "$(printf '%.2f' "$l")" = "$(printf '%.2f' "$want_l")" ] || { mismatch=1; echo "語文 $id: $l vs $want_l"; }
        # A domain pool under 10 applicants shows no percentile (n過少).
        if [ "$(jq .n "$TMP/d01.json")" -lt 10 ]; then
            [ "$pr" = "n過少" ] || { mismatch=1; echo "語文PR $id: $pr vs n過少"; }
        else
            [ "$(printf '%.1f' "$pr")" = "$(printf '%.1f' "$want_pr")" ] || { mismatch=1; echo "語文PR $id: $pr vs $want_pr"; }
        fi
    fi
done <"$TMP/rows.csv"
check_eq "CSV averages and domain figures equal applicants --json and dist --domain" "0" "$mismatch"

pdftotext -layout "$TMP/c.pdf" "$TMP/c.txt"
first=$(jq -r '.applications[0]' "$TMP/d01.json")
score=$(echo "$first" | jq -r '.score'); pr=$(echo "$first" | jq -r '.percentile')
check_contains "the sheet shows dist's domain average" "$TMP/c.txt" "$(printf '%.2f' "$score")"
if [ "$(jq .n "$TMP/d01.json")" -lt 10 ]; then
    check_contains "and, for a pool of $(jq .n "$TMP/d01.json") (under 10), n過少 for its percentile" "$TMP/c.txt" "n過少"
    check_not_contains "and no percentile figure" "$TMP/c.txt" "PR $(printf '%.1f' "$pr")"
else
    check_contains "and its percentile" "$TMP/c.txt" "PR $(printf '%.1f' "$pr")"
fi
check_contains "pool summary page" "$TMP/c.txt" "申請人數（依資料來源）"

# self-made applicants only in their section
selfmade=$(jq -r 'map(select(.self_made))|map(.id)|.[]' "$TMP/apps.json")
check "the department has self-made applicants" test -n "$selfmade"
bad=0
for id in $selfmade; do
    [ "$(grep -F ",$id," "$TMP/rows.csv" | cut -d, -f1)" = "自行上傳PDF" ] || bad=1
done
check_eq "CSV: self-made rows are in the self-made section" "0" "$bad"
check_eq "CSV: portfolio section holds no self-made application" "0" \
  "$(grep '^學習歷程檔案,' "$TMP/rows.csv" | grep -cF "$(echo "$selfmade" | head -n1)")"
pages=$(pdfinfo "$TMP/c.pdf" | awk '/^Pages:/ {print $2}')
bad=0
for p in $(seq 1 "$pages"); do
    text=$(pdftotext -f "$p" -l "$p" "$TMP/c.pdf" -)
    for id in $selfmade; do
        if echo "$text" | grep -qF "$id" && ! echo "$text" | grep -q "自行上傳PDF申請者"; then bad=1; fi
    done
done
check_eq "sheet: self-made applicants appear only on their section's pages" "0" "$bad"
check_contains "self-made rows are marked" "$TMP/c.txt" "【自行上傳PDF】"
qpdf --json --json-key=outlines "$TMP/c.pdf" | jq -r '[.outlines[].title]|join(",")' >"$TMP/outline.txt"
check_contains "outline lists the sections" "$TMP/outline.txt" "申請者概況,學習歷程檔案申請者"
check_contains "outline lists the self-made section" "$TMP/outline.txt" "自行上傳PDF申請者"

C --department 001012 -o "$TMP/c2.pdf" --csv "$TMP/c2.csv"
check "byte-identical PDF across runs" cmp "$TMP/c.pdf" "$TMP/c2.pdf"
check "byte-identical CSV across runs" cmp "$TMP/c.csv" "$TMP/c2.csv"
# an output into a directory that does not exist: an error naming it, no crash
C --department 001012 --csv "$TMP/missing/c.csv" 2>"$TMP/missing.err"
check_eq "CSV into a missing directory fails with status 1" "1" "$?"
check "the error names the file" grep -qF "cannot create $TMP/missing/c.csv" "$TMP/missing.err"
C --department 001012 -o "$TMP/missing/c.pdf" 2>"$TMP/missing.err"
check_eq "PDF into a missing directory fails with status 1" "1" "$?"
check "the PDF error names the file" grep -qF "cannot create $TMP/missing/c.pdf" "$TMP/missing.err"

# with a list loaded, the columns follow it
"$BEISHEN" requirements load --db "$db" samples/requirements/001012.json >/dev/null
C --department 001012 --csv "$TMP/l.csv"
check_eq "with a list: item columns in the list's order" "A 修課紀錄,B 書面報告,J 競賽表現,N 多元表現綜整心得,O 高中學習歷程反思,P 就讀動機,Q 未來學習計畫與生涯規劃" \
  "$(head -n1 "$TMP/l.csv" | tr ',' '\n' | grep -E '^[A-Z] ' | paste -sd,)"
C --department 001012 --sort average --csv "$TMP/s.csv"
check_eq "--sort average orders the portfolio section" \
  "$(jq -r 'map(select(.self_made|not))|sort_by(-(.average // -1))|map(.id)|join(",")' "$TMP/apps.json")" \
  "$(grep '^學習歷程檔案,' "$TMP/s.csv" | cut -d, -f2 | paste -sd,)"
C --department 001012 --sort bogus --csv "$TMP/x.csv" 2>/dev/null
check_eq "unknown --sort: exit 1" "1" "$?"
C --department 001012 --paper A3 -o "$TMP/a3.pdf"
check_eq "A3 paper (points)" "1190 x 841" "$(pdfinfo "$TMP/a3.pdf" | awk '/^Page size:/ {print $3" x "$5}' | sed 's/\.[0-9]*//g')"

# a large department: rows never split, header repeated on every page
big=$TMP/big
"$BUILD"/generate --seed 5 --apps 1000 --out "$big" >/dev/null 2>&1
bdb=$TMP/big.db
"$BEISHEN" ingest --db "$bdb" "$big" >/dev/null 2>&1
n=$("$BEISHEN" applicants --db "$bdb" --department 001012 --json | jq length)
check "the generated department has at least 500 applicants ($n)" test "$n" -ge 500
"$BEISHEN" render compare --db "$bdb" --department 001012 -o "$TMP/big.pdf" --csv "$TMP/big.csv"
check_eq "large sheet renders" "0" "$?"
check "large sheet passes qpdf --check" qpdf --check "$TMP/big.pdf"
pages=$(pdfinfo "$TMP/big.pdf" | awk '/^Pages:/ {print $2}')
check "large sheet paginates ($pages pages)" test "$pages" -gt 10
missing=0
for p in $(seq 2 "$pages"); do
    pdftotext -f "$p" -l "$p" "$TMP/big.pdf" - | grep -q "申請編號／姓名／學校" || missing=$((missing + 1))
done
check_eq "header row on every table page" "0" "$missing"
check_eq "every applicant on the sheet once" "$n" "$(pdftotext "$TMP/big.pdf" - | grep -oE '001012-[0-9]{8}' | sort -u | wc -l | tr -d ' ')"
finish
