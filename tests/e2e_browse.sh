#!/bin/sh
# End-to-end known-answer tests of browsing (categories, show, applicants,
# dist) on the hand-made fixture tests/fixtures/browse, whose expected
# values are worked out by hand in the comments, and on the example package
# tests/fixtures/round-small (made by build/generate, see tests/fixtures/README.md).
. tests/lib.sh
db=$TMP/browse.db
B() { "$BEISHEN" "$@" --db "$db"; }
"$BEISHEN" ingest --db "$db" tests/fixtures/browse >"$TMP/ingest.out" 2>&1
check_eq "fixture ingests" "0" "$?"

# --- categories: order, names, counts --------------------------------------
B categories 001012-10000001 --json >"$TMP/cat.json"
check_eq "categories order and names" \
  "基本資料,部定必修-國語文,部定必修-數學,選修-加深加廣選修-領域A1,選修-多元選修-不分領域,選修-多元選修-社會領域,彈性學習時間,B 書面報告,N 多元表現綜整心得,R 其他有利審查資料,S 作品集" \
  "$(jq -r 'map(.category)|join(",")' "$TMP/cat.json")"
# 基本資料 = the student record + one cadre; 數學 has 3 rows incl. the one in progress
check_eq "category counts" "2,1,3,1,1,1,1,1,1,1,1" "$(jq -r 'map(.count|tostring)|join(",")' "$TMP/cat.json")"
check_eq "category groups" "基本資料,修課紀錄,修課紀錄,修課紀錄,修課紀錄,修課紀錄,修課紀錄,課程學習成果,多元表現,其他,其他" \
  "$(jq -r 'map(.group)|join(",")' "$TMP/cat.json")"
check_eq "self-made categories are its uploaded items" "基本資料,A 修課紀錄,B 書面報告,O 高中學習歷程反思" \
  "$(B categories 10000004 --json | jq -r 'map(.category)|join(",")')"
B categories 10000002 >"$TMP/ambiguous.out" 2>&1
check_eq "bare number of a two-department applicant is ambiguous (exit 1)" "1" "$?"
check_contains "ambiguity names both ids" "$TMP/ambiguous.out" "001012-10000002, 001022-10000002"
B categories 99999999 >"$TMP/none.out" 2>&1
check_eq "unknown application exits 1" "1" "$?"

# --- show: course rows ----------------------------------------------------
B show 10000001 --category 部定必修-數學 --json >"$TMP/math.json"
check_eq "show shape" "001012-10000001 10000001 001012 部定必修-數學" \
  "$(jq -r '[.id,.application_no,.department,.categories[0].category]|join(" ")' "$TMP/math.json")"
# cohort rank %: rank 1 of 10 -> 1; rank 10 of 10 -> floor(9*100/10)+1 = 91
check_eq "cohort rank percentage at rank 1 and rank = size" "1,91,null" \
  "$(jq -r '[.categories[0].records[].cohort_rank_pct]|map(tostring)|join(",")' "$TMP/math.json")"
# pool 111-1 of this code in 001012: 80 (us), 80, 70 -> (1 below + 2 equal / 2) / 3 = 66.7
# pool 111-2: 90 (us), 60 -> (1 + 0.5) / 2 = 75.0; the in-progress row has none
check_eq "pool percentiles with ties counted half" "66.7,75,null" \
  "$(jq -r '[.categories[0].records[].pool_percentile]|map(tostring)|join(",")' "$TMP/math.json")"
check_eq "course record fields" "111 1 數學(一) 4 80 true false" \
  "$(jq -r '.categories[0].records[0]|[.year,.semester,.name,.credits,.score,.passed,.in_progress]|map(tostring)|join(" ")' "$TMP/math.json")"
check_eq "catalog data reachable from the course" "校內專任 A2 課綱摘要：函數與圖形。" \
  "$(jq -r '.categories[0].records[0].catalog|[.teacher_source[0],.competencies[0],.syllabus]|join(" ")' "$TMP/math.json")"
check_eq "cohort histogram" "0,0,0,0,0,1,2,3,3,1" \
  "$(jq -r '.categories[0].records[0].cohort_histogram|map(tostring)|join(",")' "$TMP/math.json")"
B show 10000001 --category 部定必修-國語文 --json >"$TMP/chinese.json"
check_eq "makeup score shown beside, not instead of, the original" "55 65 false" \
  "$(jq -r '.categories[0].records[0]|[.score,.makeup_score,.passed]|map(tostring)|join(" ")' "$TMP/chinese.json")"
check_eq "ungraded (counted 3) row has no pool percentile" "null" \
  "$(B show 10000001 --category 彈性學習時間 --json | jq -r '.categories[0].records[0].pool_percentile')"
B show 10000001 --category 'B 書面報告' --json >"$TMP/b.json"
check_eq "outcome fields, certification and files" "CO1 false application/pdf 1" \
  "$(jq -r '.categories[0].records[0]|[.id,.certified,.files[0].media_type,(.files|length)]|map(tostring)|join(" ")' "$TMP/b.json")"
check_eq "file sha256 in show" "64" "$(jq -r '.categories[0].records[0].files[0].sha256|length' "$TMP/b.json")"
B show 10000001 --category 'no such' >"$TMP/nocat.out" 2>&1
check_eq "unknown category exits 1" "1" "$?"
check_eq "show without category lists every category" "11" "$(B show 10000001 --json | jq '.categories|length')"

# --- national IDs ---------------------------------------------------------
B show 10000001 --json >"$TMP/all.json"
check_not_contains "show masks the national ID" "$TMP/all.json" "A123456789"
check_contains "show prints the masked ID" "$TMP/all.json" "A*****6789"
B applicants >"$TMP/list.txt"
check_not_contains "applicants masks the national ID" "$TMP/list.txt" "A123456789"
check_eq "--show-national-id shows it whole" "A123456789" \
  "$(B show 10000001 --show-national-id --json | jq -r '.student.national_id')"

# --- applicants -------------------------------------------------------------
B applicants --json >"$TMP/apps.json"
check_eq "applicants lists every application" "5" "$(jq length "$TMP/apps.json")"
check_eq "applicants keys" "id,application_no,department,source,self_made,name,school" \
  "$(jq -r '.[0]|[has("id"),has("application_no"),has("department"),has("source"),has("self_made"),has("name"),has("school")]|if all then "id,application_no,department,source,self_made,name,school" else "missing" end' "$TMP/apps.json")"
# average of 10000001: counted, graded rows: 80*4 + 90*4 + 55*4 + 70*2 + 88*2 + 75*2 = 1366
# over 18 credits = 75.89 (the in-progress and the counted-3 rows are left out)
check_eq "credit-weighted average" "75.89" "$(jq -r '.[]|select(.id=="001012-10000001").average' "$TMP/apps.json")"
check_eq "per-group counts" "8 1 1 2" \
  "$(jq -r '.[]|select(.id=="001012-10000001").counts|[.["修課紀錄"], .["課程學習成果"], .["多元表現"], .["其他"]]|map(tostring)|join(" ")' "$TMP/apps.json")"
check_eq "self-made flag" "001012-10000004" "$(jq -r 'map(select(.self_made))|map(.id)|join(",")' "$TMP/apps.json")"
check_eq "--category filters" "001012-10000001" \
  "$(B applicants --category 選修-多元選修-社會領域 --json | jq -r 'map(.id)|join(",")')"
check_eq "--source filters" "001012-10000004" \
  "$(B applicants --source self_made_pdf --json | jq -r 'map(.id)|join(",")')"
check_eq "--sort average: best first, ties by number, no average last" \
  "001012-10000001,001012-10000002,001022-10000002,001012-10000003,001012-10000004" \
  "$(B applicants --sort average --json | jq -r 'map(.id)|join(",")')"
check_eq "--department filters" "1" "$(B applicants --department 001022 --json | jq length)"
B applicants --sort bogus >/dev/null 2>&1
check_eq "bad --sort is a usage error (exit 2)" "2" "$?"

# --- dist -----------------------------------------------------------------
# per application, credit-weighted over both terms: 10000001 (80*4+90*4)/8 = 85,
# 10000002 (80*4+60*4)/8 = 70, 10000003 70 (in-progress row left out)
MATH=111313302H11101A1110201
B dist --department 001012 --course $MATH --json >"$TMP/dist.json"
check_eq "dist n mean sd" "3 75 7.07" "$(jq -r '[.n,.mean,.sd]|map(tostring)|join(" ")' "$TMP/dist.json")"
check_eq "dist min quartiles max" "70 70 70 77.5 85" \
  "$(jq -r '[.min,.q1,.median,.q3,.max]|map(tostring)|join(" ")' "$TMP/dist.json")"
check_eq "dist histogram" "0,0,0,0,0,0,0,2,1,0" "$(jq -r '.histogram|map(tostring)|join(",")' "$TMP/dist.json")"
check_eq "dist percentiles with a tie" "001012-10000001:85:83.3 001012-10000002:70:33.3 001012-10000003:70:33.3" \
  "$(jq -r '.applications|map("\(.id):\(.score):\(.percentile)")|join(" ")' "$TMP/dist.json")"
check_eq "dist of one term equals show's pool percentile" "66.7" \
  "$(B dist --department 001012 --course $MATH --year 111 --semester 1 --json | jq -r '.applications[]|select(.id=="001012-10000001").percentile')"
check_eq "dist by subject" "3" "$(B dist --department 001012 --subject 數學 --json | jq .n)"
check_eq "dist by category" "3" "$(B dist --department 001012 --category 部定必修-數學 --json | jq .n)"
# domain 02 (數學) holds only the math rows: the same pool as the course code
check_eq "dist by domain" "3 75 83.3" "$(B dist --department 001012 --domain 02 --json | jq -r '[.n,.mean,.applications[0].percentile]|map(tostring)|join(" ")')"
check_eq "dist leaves ungraded rows out" "0" "$(B dist --department 001012 --category 彈性學習時間 --json | jq .n)"
check_eq "dist --all course has the same statistics as dist --course" \
  "$(jq -c '{n,mean,sd,min,q1,median,q3,max,histogram}' "$TMP/dist.json")" \
  "$(B dist --department 001012 --all course | jq -c --arg c "$MATH" '.[$c]|{n,mean,sd,min,q1,median,q3,max,histogram}')"
check_eq "dist --all domain covers every domain with graded rows" "00,01,02,03,A1" \
  "$(B dist --department 001012 --all domain | jq -r 'keys|join(",")')"
B dist --department 001012 >/dev/null 2>&1
check_eq "dist without a key is a usage error" "2" "$?"
# Precomputed pool statistics (schema 006): fresh after ingest; a row made
# stale behind the reader's back is computed from pool_scores instead, with
# the same figures.
check_eq "pool_statistics: no stale row after ingest" 0 \
  "$(sqlite3 "$db" 'SELECT count(*) FROM pool_statistics WHERE statistics IS NULL')"
check_eq "pool_statistics: one row per pool" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM (SELECT DISTINCT department, kind, key FROM pool_scores)')" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM pool_statistics')"
sqlite3 "$db" "UPDATE pool_statistics SET statistics = NULL WHERE department = '001012' AND kind = 0"
check_eq "dist --all course computes stale pools from pool_scores" \
  "$(jq -c '{n,mean,sd,min,q1,median,q3,max,histogram}' "$TMP/dist.json")" \
  "$(B dist --department 001012 --all course | jq -c --arg c "$MATH" '.[$c]|{n,mean,sd,min,q1,median,q3,max,histogram}')"

# --- the example package through every command ------------------------------
edb=$TMP/example.db
"$BEISHEN" ingest --db "$edb" "$EXAMPLE" >/dev/null 2>&1
# every application the manifest lists, as <department>-<application_no>
check_eq "applicants lists every example application" \
  "$(jq -r '.applications | map("\(.department)-\(.application_no)") | sort | join(",")' "$EXAMPLE/manifest.json")" \
  "$("$BEISHEN" applicants --db "$edb" --json | jq -r 'map(.id) | sort | join(",")')"
ok=0
for id in $("$BEISHEN" applicants --db "$edb" --json | jq -r '.[].id'); do
    "$BEISHEN" categories --db "$edb" "$id" --json | jq -e 'length > 0' >/dev/null || ok=1
    "$BEISHEN" show --db "$edb" "$id" --json | jq -e '.categories|length > 0' >/dev/null || ok=1
done
check_eq "every example application browses, JSON parses" "0" "$ok"
# 001012-10010627 is self_made_pdf (jq -r .source on its JSON), 001012-18010410 portfolio
check_eq "example self-made application flagged" "self_made_pdf true" \
  "$(jq -r .source "$EXAMPLE/applications/001012-10010627.json") $("$BEISHEN" show --db "$edb" 001012-10010627 --json | jq -r .self_made)"
check_eq "example portfolio application not flagged" "portfolio false" \
  "$(jq -r .source "$EXAMPLE/applications/001012-18010410.json") $("$BEISHEN" show --db "$edb" 001012-18010410 --json | jq -r .self_made)"
"$BEISHEN" show --db "$edb" 001012-10010627 >"$TMP/selfmade.txt"
check_contains "self-made marked in the text view" "$TMP/selfmade.txt" "自行上傳PDF"
finish
