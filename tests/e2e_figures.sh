#!/bin/sh
# Figures and print that do not mislead, on the bundled sample round
# (samples/round-115, 40 applications made by samples/generate.c) with the
# departments' required-item lists:
# - a course row's pool is the department's graded rows of the same
#   subject, grade and semester: pool_n and pool_percentile equal a count
#   made here with SQL on the course rows; below 10 rows every output says
#   n過少 (show, dist, the packet), and the JSON keeps the figure;
# - the comparison sheet holds every number of its CSV (compared through
#   pdftotext), every domain column, unbroken headers, the sort order;
#   A3 is larger type;
# - packets: no heading or caption at a page's foot, syllabi whole with
#   competency names, F–M marked 未認證, English statements in words, the
#   cover's averages, an unreadable attachment on the cover, a self-made
#   applicant's central course records in their own reference section.
. tests/lib.sh

db=$TMP/figures.db
"$BEISHEN" ingest --db "$db" samples/round-115 >/dev/null 2>&1
"$BEISHEN" requirements load --db "$db" samples/requirements/*.json >/dev/null 2>&1
check_eq "sample round ingested" 40 "$(sql "$db" 'SELECT count(*) FROM applications')"

# ---- pools ------------------------------------------------------------------------
A=001012-10010464   # portfolio, 001012
"$BEISHEN" show --db "$db" --json "$A" >"$TMP/show.json"
jq -r '.categories[].records[] | select(.type == "course" and .pool_n != null)
       | [.department, .subject, .grade, .semester, .score, .pool_n, .pool_percentile, .pool_too_small] | @tsv' \
    "$TMP/show.json" >"$TMP/rows.tsv"
check "the application has graded course rows" test -s "$TMP/rows.tsv"
wrong=0 small=0 large=0
while IFS="$(printf '\t')" read -r department subject grade semester score n percentile too_small; do
    expected=$(sql "$db" "SELECT count(*), round(100.0 * (sum(score < $score) + sum(score = $score) / 2.0) / count(*), 1)
                          FROM courses WHERE graded AND department = '$department' AND subject = '$subject'
                          AND grade = $grade AND semester = $semester")
    [ "$expected" = "$n|$(printf '%.1f' "$percentile")" ] || { wrong=$((wrong + 1)); echo "     $subject $grade-$semester: [$n|$percentile] vs SQL [$expected]"; }
    if [ "$n" -lt 10 ]; then
        small=$((small + 1)); [ "$too_small" = true ] || wrong=$((wrong + 1))
    else
        large=$((large + 1)); [ "$too_small" = false ] || wrong=$((wrong + 1))
    fi
done <"$TMP/rows.tsv"
check_eq "every row's pool_n and percentile equal a count of the same subject, grade and semester" 0 "$wrong"
check "pools of 10 rows or more give a percentile ($large rows)" test "$large" -gt 0
check "pools under 10 rows are marked too small ($small rows)" test "$small" -gt 0
check_eq "pools are larger than per course code (the median pool)" 1 \
    "$(jq -s 'map(.) | length' "$TMP/rows.tsv" >/dev/null 2>&1; awk -F '\t' '{ print $6 }' "$TMP/rows.tsv" | sort -n |
       awk '{ v[NR] = $1 } END { print (v[int((NR + 1) / 2)] >= 10) ? 1 : 0 }')"

"$BEISHEN" show --db "$db" "$A" >"$TMP/show.txt"
check_eq "show prints n過少 once per small pool" "$small" "$(grep -o 'n過少' "$TMP/show.txt" | wc -l | tr -d ' ')"
check_contains "show says which way 校排 is better" "$TMP/show.txt" "(小者佳)"
check_contains "show says which way PR is better" "$TMP/show.txt" "(大者佳"

subject=$(awk -F '\t' '$6 >= 10 { print $2; exit }' "$TMP/rows.tsv")
term=$(awk -F '\t' -v s="$subject" '$2 == s { print $3 " " $4; exit }' "$TMP/rows.tsv")
set -- $term
"$BEISHEN" dist --db "$db" --department 001012 --subject "$subject" --grade "$1" --semester "$2" --json >"$TMP/dist.json"
check_eq "dist --subject --grade --semester: n is the pool's rows" \
    "$(sql "$db" "SELECT count(*) FROM courses WHERE graded AND department = '001012' AND subject = '$subject' AND grade = $1 AND semester = $2")" \
    "$(jq .n "$TMP/dist.json")"
check_eq "dist names the term and the minimum pool" "$1 $2 10" "$(jq -r '"\(.term.grade) \(.term.semester) \(.min_pool)"' "$TMP/dist.json")"
small_subject=$(awk -F '\t' '$6 < 10 { print $2 "\t" $3 "\t" $4; exit }' "$TMP/rows.tsv")
if [ -n "$small_subject" ]; then
    s_name=$(printf '%s' "$small_subject" | cut -f1); s_grade=$(printf '%s' "$small_subject" | cut -f2); s_semester=$(printf '%s' "$small_subject" | cut -f3)
    "$BEISHEN" dist --db "$db" --department 001012 --subject "$s_name" --grade "$s_grade" --semester "$s_semester" >"$TMP/dist.txt"
    check_contains "dist of a small pool prints PR n過少" "$TMP/dist.txt" "PR n過少"
    check_not_contains "dist of a small pool prints no PR figure" "$TMP/dist.txt" "  PR  "
fi
check_eq "a self-made application's rows are in no pool" 0 \
    "$(sql "$db" "SELECT count(*) FROM courses c JOIN applications a ON a.id = c.application_id WHERE a.source = 'self_made_pdf' AND c.graded")"
check_eq "pool_term_counts equal a recount of the graded rows" \
    "$(sql "$db" "SELECT department, subject, grade, semester, score, count(*) FROM courses WHERE graded GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5")" \
    "$(sql "$db" "SELECT department, subject, grade, semester, score, rows FROM pool_term_counts ORDER BY 1, 2, 3, 4, 5")"

# ---- the comparison sheet ----------------------------------------------------------
"$BEISHEN" render compare --db "$db" --department 001012 -o "$TMP/sheet.pdf" --csv "$TMP/sheet.csv" 2>"$TMP/sheet.err"
check_eq "render compare: exit 0" 0 "$?"
pdftotext -layout "$TMP/sheet.pdf" "$TMP/sheet.txt"
# Every number in the CSV's cells (applicant ids and names aside) is in the
# PDF: a number in n rows of the CSV is at least n times in the PDF (a row
# may say one number twice, as 修課數 and as A's "82科").
tail -n +2 "$TMP/sheet.csv" | cut -d, -f5- | while IFS= read -r line; do
    printf '%s\n' "$line" | grep -oE '[0-9]+(\.[0-9]+)?' | sort -u
done | sort | uniq -c | awk '{ print $2, $1 }' >"$TMP/csv.numbers"
grep -oE '[0-9]+(\.[0-9]+)?' "$TMP/sheet.txt" | sort | uniq -c | awk '{ print $2, $1 }' >"$TMP/pdf.numbers"
missing=$(awk 'NR == FNR { have[$1] = $2; next } (have[$1] + 0) < $2 { print $1 " (CSV " $2 ", PDF " (have[$1] + 0) ")" }' \
    "$TMP/pdf.numbers" "$TMP/csv.numbers" | head -n 5)
check_eq "every number of the CSV is in the PDF" "" "$missing"
check "the CSV has numbers to compare ($(wc -l <"$TMP/csv.numbers") distinct)" test "$(wc -l <"$TMP/csv.numbers")" -gt 100
for text in "PDF 1檔" "n過少"; do
    in_csv=$(grep -o "$text" "$TMP/sheet.csv" | wc -l); in_pdf=$(grep -o "$text" "$TMP/sheet.txt" | wc -l)
    check "\"$text\": the PDF has it as often as the CSV ($in_csv)" test "$in_pdf" -ge "$in_csv"
done
head -n 1 "$TMP/sheet.csv" | tr ',' '\n' | sed -n 's/^\(.*\)平均$/\1/p' | grep -v '^學業' >"$TMP/domains"
check_eq "the CSV has every domain of the pool" "$(sql "$db" "SELECT count(DISTINCT domain_code) FROM courses WHERE graded AND department = '001012'")" \
    "$(wc -l <"$TMP/domains" | tr -d ' ')"
while read -r domain; do
    check_contains "domain column \"A $domain\" in the PDF, its header unbroken" "$TMP/sheet.txt" "A $domain"
done <"$TMP/domains"
check_contains "the PDF has the 不分 domain column" "$TMP/sheet.txt" "A 不分"
check_contains "the PDF has the 全民國防教育 domain column" "$TMP/sheet.txt" "A 全民國防教育"
for item in $(jq -r '.items[].code' samples/requirements/001012.json); do
    [ "$item" = A ] && continue
    name=$(jq -r --arg c "$item" '.items[] | select(.code == $c) | .name // empty' samples/requirements/001012.json)
    [ -z "$name" ] && name=$(head -n 1 "$TMP/sheet.csv" | tr ',' '\n' | sed -n "s/^$item \(.*\)$/\1/p")
    check_contains "item column \"$item $name\" unbroken" "$TMP/sheet.txt" "$item $name"
done
check_contains "the sort order is printed" "$TMP/sheet.txt" "排序：依申請編號"
"$BEISHEN" render compare --db "$db" --department 001012 --sort average --paper A3 -o "$TMP/a3.pdf" 2>/dev/null
pdftotext -layout "$TMP/a3.pdf" "$TMP/a3.txt"
check_contains "--sort average prints its order" "$TMP/a3.txt" "排序：依學業平均由高至低"
check_eq "A3 is A3 landscape" "1190.55 x 841.89" "$(pdfinfo "$TMP/a3.pdf" | sed -n 's/^Page size: *\([0-9.]* x [0-9.]*\).*/\1/p')"
# The height of an average's figure, A4 against A3 (pdftotext -bbox).
first_average=$(sed -n '2p' "$TMP/sheet.csv" | cut -d, -f5)
height() { pdftotext -bbox "$1" - | grep ">$first_average<" | head -n 1 | sed 's/.*yMin="\([0-9.]*\)" xMax="[0-9.]*" yMax="\([0-9.]*\)".*/\1 \2/' | awk '{ print $2 - $1 }'; }
check "A3 sets its cells in larger type ($(height "$TMP/sheet.pdf") pt on A4, $(height "$TMP/a3.pdf") pt on A3)" \
    awk -v a4="$(height "$TMP/sheet.pdf")" -v a3="$(height "$TMP/a3.pdf")" 'BEGIN { exit !(a3 > a4 * 1.1) }'
"$BEISHEN" render compare --db "$db" --department 001022 -o "$TMP/sheet22.pdf" --csv "$TMP/sheet22.csv" 2>/dev/null
check_contains "English statements counted in words in the CSV" "$TMP/sheet22.csv" " words"
pdftotext -layout "$TMP/sheet22.pdf" "$TMP/sheet22.txt"
check_contains "and in the PDF" "$TMP/sheet22.txt" " words"

# ---- packets ---------------------------------------------------------------------------
ids=$("$BEISHEN" applicants --db "$db" --json | jq -r '.[].id' | tr '\n' ' ')
"$BEISHEN" render packet --db "$db" $ids -o "$TMP/packets" --jobs 2 2>"$TMP/packets.err"
check_eq "render every packet: exit 0" 0 "$?"
# Headings and captions: the texts kept with what follows.
{
    echo "學期成績加權平均（採計且已評分之科目，依學分加權）"; echo "幹部經歷（學校登錄）"; echo "學業平均"
    echo "資料項目"; echo "完整性提醒"
    sql "$db" "SELECT DISTINCT name FROM categories WHERE grp = '修課紀錄'"
} | sed 's/[[:space:]]*$//' | sort -u >"$TMP/headings"
orphans=""
pages_checked=0
for pdf in "$TMP"/packets/*.pdf; do
    pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
    k=1
    while [ "$k" -le "$pages" ]; do
        # The last line above the footer (the footer is the last line).
        last=$(pdftotext -f "$k" -l "$k" -layout "$pdf" - | sed 's/[[:space:]]*$//' | grep -v '^$' | tail -n 2 | head -n 1 |
               sed 's/^[[:space:]]*//')
        # A caption followed by its image has no text below it: the image
        # must then be on the page (pdfimages lists it).
        if grep -qxF -- "$last" "$TMP/headings" ||
           { printf '%s' "$last" | grep -qE '^附件( [0-9]+)?：' &&
             [ "$(pdfimages -list -f "$k" -l "$k" "$pdf" | tail -n +3 | wc -l)" -eq 0 ]; }; then
            orphans="$orphans $(basename "$pdf") page $k [$last];"
        fi
        pages_checked=$((pages_checked + 1))
        k=$((k + 1))
    done
done
check_eq "no heading or caption is the last line of any of $pages_checked pages" "" "$orphans"

P=$TMP/packets/$A.pdf
pdftotext -layout "$P" "$TMP/a.txt"
check_contains "the course table says 校排 smaller is better" "$TMP/a.txt" "(小者佳)"
check_contains "the course table says PR larger is better" "$TMP/a.txt" "(大者佳)"
# (the section's explanation names 「n過少」 once more)
check_eq "the packet prints n過少 once per small pool" "$small" \
    "$(($(grep -o 'n過少' "$TMP/a.txt" | wc -l) - $(grep -o '「n過少」' "$TMP/a.txt" | wc -l)))"
check_contains "the cohort histogram gives its n" "$TMP/a.txt" "n=$(jq -r '[.categories[].records[] | select(.cohort_size != null)][0].cohort_size' "$TMP/show.json")"
# The cover: overall and domain averages as the applicant list and dist have them.
pdftotext -f 1 -l 2 -layout "$P" "$TMP/cover.txt"
check_contains "cover: the overall average" "$TMP/cover.txt" \
    "總平均 $(jq -r --arg id "$A" '.[] | select(.id == $id) | .average' "$TMP/applicants.json" 2>/dev/null ||
             "$BEISHEN" applicants --db "$db" --json | jq -r --arg id "$A" '.[] | select(.id == $id) | "\(.average)"')"
math=$("$BEISHEN" dist --db "$db" --department 001012 --domain 02 --json | jq -r --arg id "$A" '.applications[] | select(.id == $id) | .score')
check_contains "cover: the 數學 domain's average ($math)" "$TMP/cover.txt" "$(printf '%.2f' "$math")"
check_contains "cover: domains named" "$TMP/cover.txt" "數學領域"
# The syllabus whole, and competencies named.
check_contains "competencies are named beside their codes" "$TMP/a.txt" "身心素質與自我精進"
# F–M: marked as B–E are (001012 lists J only; 001022 lists more).
J=$(sql "$db" "SELECT a.key FROM performances p JOIN applications a ON a.id = p.application_id
               WHERE a.department = '001022' GROUP BY a.id ORDER BY count(*) DESC, a.key LIMIT 1")
"$BEISHEN" show --db "$db" --json "$J" >"$TMP/j.json"
performances=$(jq --slurpfile list samples/requirements/001022.json '[.categories[].records[]
    | select(.type == "performance" and ([.item] | inside([$list[0].items[].code])))] | length' "$TMP/j.json")
check "the department lists performances of $J ($performances)" test "$performances" -gt 0
check_eq "every performance is marked 未認證 ($performances)" "$performances" \
    "$(pdftotext "$TMP/packets/$J.pdf" - | grep -o '【未認證】多元表現' | wc -l | tr -d ' ')"
# English statements in words.
E=001022-10010507
"$BEISHEN" show --db "$db" --json "$E" >"$TMP/e.json"
words=$(jq -r '[.categories[].records[] | select(.type == "upload" and ((.text // "") | test("^[A-Za-z]")))][0].text' "$TMP/e.json" | wc -w | tr -d ' ')
pdftotext -layout "$TMP/packets/$E.pdf" "$TMP/e.txt"
check_contains "an English statement is counted in words ($words)" "$TMP/e.txt" "共 $words 個英文字（words）"
# A self-made applicant's central course records.
S=001012-10010461
pdftotext -layout "$TMP/packets/$S.pdf" "$TMP/s.txt"
check_contains "self-made: the central records have their own section" "$TMP/s.txt" "中央資料庫修課紀錄（參考）"
check_contains "self-made: marked reference only, outside the pools" "$TMP/s.txt" "不計入本系申請者分布"
check_contains "self-made: its courses are listed" "$TMP/s.txt" "$(jq -r '.courses[0].name' samples/round-115/applications/$S.json)"
check_not_contains "self-made: no pool figure" "$TMP/s.txt" "n過少"
check_eq "portfolio packets never show the reference section" "" \
    "$(grep -l '中央資料庫修課紀錄' $(for id in $("$BEISHEN" applicants --db "$db" --source portfolio --json | jq -r '.[].id'); do
        pdftotext "$TMP/packets/$id.pdf" "$TMP/p-$id.txt"; echo "$TMP/p-$id.txt"; done) 2>/dev/null)"

# An attachment that cannot be shown is named on the cover.
cp -R samples/round-115 "$TMP/broken"
chmod -R u+w "$TMP/broken"
B=$(jq -r '.applications[].path' "$TMP/broken/manifest.json" | while read -r path; do
        jq -e '[.uploads[].files[] | select(.media_type == "application/pdf")] | length > 0' "$TMP/broken/$path" >/dev/null &&
        { basename "$path" .json; break; }; done)
file=$(jq -r '[.uploads[].files[] | select(.media_type == "application/pdf")][0] | "\(.sha256) \(.name)"' "$TMP/broken/applications/$B.json")
set -- $file
old_sha=$1; shift; broken_name="$*"
printf '%%PDF-1.4\nthis is not a PDF at all\n' >"$TMP/broken.pdf"
new_sha=$(sha256sum "$TMP/broken.pdf" | cut -d ' ' -f 1)
cp "$TMP/broken.pdf" "$TMP/broken/files/$new_sha.pdf"
jq --arg old "$old_sha" --arg new "$new_sha" --argjson size "$(wc -c <"$TMP/broken.pdf")" \
    '(.uploads[].files[] | select(.sha256 == $old)) |= (.sha256 = $new | .size = $size)' \
    "$TMP/broken/applications/$B.json" >"$TMP/app.json" && mv "$TMP/app.json" "$TMP/broken/applications/$B.json"
hash=$(sha256sum "$TMP/broken/applications/$B.json" | cut -d ' ' -f 1)
jq --arg p "applications/$B.json" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    "$TMP/broken/manifest.json" >"$TMP/manifest.json" && mv "$TMP/manifest.json" "$TMP/broken/manifest.json"
# And a syllabus as long as the contract allows (2,000 characters), to be
# printed whole (packets printed its first 160 characters before).
code=$(jq -r '.courses[0].code' "$TMP/broken/applications/$B.json")
long=$(awk 'BEGIN { for (i = 0; i < 39; i++) printf "第%02d段課程大綱內容說明文字，敘述課程目標與評量方式。", i; printf "大綱結尾句。" }')
check "the long syllabus is within the contract's 2,000 characters ($(printf '%s' "$long" | wc -m))" \
    test "$(printf '%s' "$long" | wc -m)" -le 2000
jq --arg c "$code" --arg s "$long" '.course_catalog[$c].syllabus = $s' "$TMP/broken/applications/$B.json" >"$TMP/app.json" &&
    mv "$TMP/app.json" "$TMP/broken/applications/$B.json"
hash=$(sha256sum "$TMP/broken/applications/$B.json" | cut -d ' ' -f 1)
jq --arg p "applications/$B.json" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    "$TMP/broken/manifest.json" >"$TMP/manifest.json" && mv "$TMP/manifest.json" "$TMP/broken/manifest.json"
"$BEISHEN" ingest --db "$TMP/broken.db" "$TMP/broken" >/dev/null 2>&1
"$BEISHEN" render packet --db "$TMP/broken.db" "$B" -o "$TMP/broken-packet.pdf" 2>/dev/null
pdftotext -f 1 -l 2 -layout "$TMP/broken-packet.pdf" "$TMP/broken-cover.txt"
check_contains "the cover's 完整性提醒 names the attachment that cannot be shown" "$TMP/broken-cover.txt" "附件無法顯示"
check_contains "by its file name ($broken_name)" "$TMP/broken-cover.txt" "$broken_name"
if jq -e '.source == "portfolio"' "$TMP/broken/applications/$B.json" >/dev/null; then
    pdftotext "$TMP/broken-packet.pdf" - | tr -d ' \n' >"$TMP/broken-packet.txt"
    check "the syllabus is printed whole, to its last sentence" grep -qF "第38段課程大綱內容說明文字，敘述課程目標與評量方式。大綱結尾句。" "$TMP/broken-packet.txt"
fi

finish
