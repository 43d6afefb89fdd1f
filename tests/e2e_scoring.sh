#!/bin/sh
# End-to-end tests of review scoring (review/scoring, `beishen plan|assign|
# conflict|score|scores`, `render scoresheet|summary`, /api/scoring/...).
# Every expected figure is worked out here from the scores the test sets
# and the weights of the department's list (awk, integer cents), never read
# back from the program:
#  1. totals, 差分 spread and flag (both sides of the threshold), pending
#     and resolved flags (third reading, revision), normalized totals,
#     finals by the rules mean, closest-two and normalized, ranks with ties,
#     reviewers' statistics; one-decimal weights and half-cent ties;
#  2. assignment over many seeds (samples/round-115): balance, nobody twice
#     on an application, 迴避 by school and by application, determinism;
#     reassignment (also of a draft) and next readers;
#  3. score rules: bands, submit locks, only the office reopens, history,
#     audit rows;
#  4. concurrent saves of one reviewer in two sessions (409 with the sheet);
#  5. re-ingest of a changed application keeps the scores and marks it;
#  6. the office's CSV; 7. the PDFs; 8. who may see and change what.
. tests/lib.sh

server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# add NAME ROLE [options]: an account whose password is pass-NAME-1.
add() {
    name=$1; shift
    printf 'pass-%s-1\n' "$name" | "$BEISHEN" user add "$name" --db "$db" --role "$@" >/dev/null 2>"$TMP/user.err" ||
        fail "user add $name" "$(cat "$TMP/user.err")"
}
# level SCORE: the default bands (the plans below keep them).
level() {
    if [ "$1" -ge 90 ]; then echo 傑出; elif [ "$1" -ge 80 ]; then echo 優良
    elif [ "$1" -ge 70 ]; then echo 普通; elif [ "$1" -ge 60 ]; then echo 待加強; else echo 不佳; fi
}
# plan FILE DEPARTMENT READERS THRESHOLD RULE [AUTOMATIC]: writes a plan.
plan() {
    cat >"$1" <<EOF
{"format": "beishen-review-plan", "version": 1, "department": "$2", "readers": $3,
 "threshold": $4, "levels": {"傑出": [90, 100], "優良": [80, 89], "普通": [70, 79],
 "待加強": [60, 69], "不佳": [0, 59]}, "final_rule": "$5", "blind_review": false,
 "automatic_third_reader": ${6:-true}}
EOF
}

# ============================================================================
# 2. Assignment over many seeds: samples/round-115, department 001012
#    (23 applications from 16 schools).
# ============================================================================
db=$TMP/assign.db
"$BEISHEN" ingest --db "$db" samples/round-115 >/dev/null 2>&1
APPS=$(ls samples/round-115/applications/001012-*.json | wc -l | tr -d ' ')
check_eq "round-115 ingested: 001012's $APPS applications" "$APPS" "$(sql "$db" "SELECT count(*) FROM applications WHERE department = '001012'")"
"$BEISHEN" requirements load --db "$db" samples/requirements/001012.json >/dev/null 2>&1
for r in a1 a2 a3 a4 a5 a6; do add "$r" reviewer --department 001012; done
# Each application's school, from the package itself.
for f in samples/round-115/applications/001012-*.json; do
    jq -r '"\(.application_no) \(.student.school.code)"' "$f"
done >"$TMP/schools.txt"
school_apps() { awk -v s="$1" '$2 == s {print $1}' "$TMP/schools.txt" | sort | tr '\n' ' ' | sed 's/ $//'; }
check_eq "school 073302 has three applications here" "3" "$(school_apps 073302 | wc -w | tr -d ' ')"
# 迴避: a1 never reads school 073302, a2 never school 180301, a3 never
# application 10010464, a4 never 23010902.
"$BEISHEN" conflict add a1 --db "$db" --department 001012 --school 073302 >/dev/null &&
"$BEISHEN" conflict add a2 --db "$db" --department 001012 --school 180301 >/dev/null &&
"$BEISHEN" conflict add a3 --db "$db" --department 001012 --application 10010464 >/dev/null &&
"$BEISHEN" conflict add a4 --db "$db" --department 001012 --application 23010902 --as office-clerk >/dev/null
check_eq "conflicts declared" "0" "$?"
"$BEISHEN" conflict list --db "$db" --department 001012 --json >"$TMP/conflicts.json"
check_eq "conflict list" "a1 school 073302,a2 school 180301,a3 application 10010464,a4 application 23010902" \
    "$(jq -r 'map("\(.reviewer) \(.kind) \(.value)")|join(",")' "$TMP/conflicts.json")"
check_eq "conflict declared with --as is audited under that name" "1" \
    "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'conflict_add' AND user = 'office-clerk' AND detail LIKE 'a4 001012 application 23010902'")"
"$BEISHEN" conflict add a5 --db "$db" --department 001012 --school 073302 --application 10010464 >/dev/null 2>&1
check_eq "conflict with both --school and --application: usage error" "2" "$?"
"$BEISHEN" conflict add a5 --db "$db" --department 001012 --website x >/dev/null 2>&1
check_eq "conflict with an unknown option: usage error" "2" "$?"

# conflicting PAIRS: "reviewer application" lines no assignment may contain.
jq -r '.[]|"\(.reviewer) \(.kind) \(.value)"' "$TMP/conflicts.json" >"$TMP/conflicts.txt"
awk 'NR == FNR {school[$1] = $2; next}
     {for (a in school) if (($2 == "school" && school[a] == $3) || ($2 == "application" && a == $3)) print $1, a}' \
    "$TMP/schools.txt" "$TMP/conflicts.txt" | sort >"$TMP/forbidden.txt"
check_eq "forbidden pairs: 3 + 2 + 1 + 1" "7" "$(wc -l <"$TMP/forbidden.txt" | tr -d ' ')"

# verify READERS REVIEWER...: checks the assignment list (JSON on stdin)
# against the rules; prints "ok" or what is wrong.
verify() {
    jq -r '.[]|"\(.application_no) \(.reviewer) \(.reading)"' >"$TMP/list.txt"
    readers=$1; shift
    printf '%s\n' "$@" >"$TMP/pool.txt"
    awk -v readers="$readers" -v apps="$APPS" '
        FILENAME == ARGV[1] {forbidden[$1 " " $2] = 1; next}
        FILENAME == ARGV[2] {pool[$1] = 1; load[$1] = 0; next}
        {
            n[$1]++; seen[$1 " " $2]++; reading[$1 " " $3]++
            if (!($2 in pool)) bad = bad " not-in-pool:" $2
            if (($2 " " $1) in forbidden) bad = bad " conflict:" $2 "/" $1
            if (seen[$1 " " $2] > 1) bad = bad " twice:" $2 "/" $1
            if (reading[$1 " " $3] > 1 || $3 < 1 || $3 > readers) bad = bad " reading:" $1 "#" $3
            load[$2]++
        }
        END {
            count = 0
            for (a in n) { count++; if (n[a] != readers) bad = bad " readers:" a "=" n[a] }
            if (count != apps) bad = bad " applications:" count
            min = 1e9; max = -1
            for (r in load) { if (load[r] < min) min = load[r]; if (load[r] > max) max = load[r] }
            if (max - min > 1) bad = bad " loads:" min "-" max
            print bad == "" ? "ok" : bad
        }' "$TMP/forbidden.txt" "$TMP/pool.txt" "$TMP/list.txt"
}
# sweep READERS REVIEWER...: 30 seeds, each on a clean slate; prints the
# seeds whose assignment breaks a rule, and keeps each list in $TMP/sweep.
sweep() {
    sweep_readers=$1; shift
    rev_args=""
    for r in "$@"; do rev_args="$rev_args --reviewer $r"; done
    problems=""
    rm -rf "$TMP/sweep"; mkdir "$TMP/sweep"
    seed=1
    while [ $seed -le 30 ]; do
        sql "$db" "DELETE FROM assignments"
        # shellcheck disable=SC2086
        "$BEISHEN" assign --db "$db" --department 001012 --readers "$sweep_readers" $rev_args --seed "$seed" \
            >"$TMP/assign.out" 2>&1 || problems="$problems seed $seed: exit $? $(cat "$TMP/assign.out");"
        "$BEISHEN" assign --db "$db" --department 001012 --list --json >"$TMP/sweep/$seed.json"
        result=$(verify "$sweep_readers" "$@" <"$TMP/sweep/$seed.json")
        [ "$result" = ok ] || problems="$problems seed $seed:$result;"
        seed=$((seed + 1))
    done
    printf '%s' "$problems"
}
for config in "2 a1 a2 a3" "2 a1 a2 a3 a4" "3 a1 a2 a3 a4 a5" "2 a1 a2 a3 a4 a5 a6"; do
    # shellcheck disable=SC2086
    problems=$(sweep $config)
    set -- $config
    readers=$1; shift
    check_eq "30 seeds, $# reviewers, $readers readers: balanced, no one twice, no conflict" "" "$problems"
    distinct=$(cat "$TMP"/sweep/*.json | jq -c 'map([.application_no, .reviewer])' | sort -u | wc -l | tr -d ' ')
    check "30 seeds, $# reviewers, $readers readers: the seed matters ($distinct different assignments)" test "$distinct" -gt 5
done
# Without --reviewer: every reviewer account of the department.
sql "$db" "DELETE FROM assignments"
"$BEISHEN" assign --db "$db" --department 001012 --seed 5 --json >"$TMP/all.json"
check_eq "assign without --reviewer uses every reviewer of the department" "a1 a2 a3 a4 a5 a6" \
    "$(jq -r '.loads|keys|join(" ")' "$TMP/all.json")"
check_eq "the plan's readers (default 2): $((2 * APPS)) readings" "$((2 * APPS))" "$(jq .assigned "$TMP/all.json")"
"$BEISHEN" assign --db "$db" --department 001012 --list --json >"$TMP/all.list.json"
check_eq "assignment with every reviewer keeps the rules" "ok" "$(verify 2 a1 a2 a3 a4 a5 a6 <"$TMP/all.list.json")"
check_eq "the loads reported are the loads stored" \
    "$(jq -r '.loads|to_entries|map("\(.key)=\(.value)")|join(" ")' "$TMP/all.json")" \
    "$(sql "$db" "SELECT group_concat(reviewer || '=' || n, ' ') FROM (SELECT reviewer, count(*) AS n FROM assignments GROUP BY reviewer ORDER BY reviewer)")"
"$BEISHEN" assign --db "$db" --department 001012 --seed 5 --json >"$TMP/again.json"
check_eq "assigning again adds nothing (every application has its readers)" "0 $((2 * APPS))" \
    "$(jq .assigned "$TMP/again.json") $(sql "$db" "SELECT count(*) FROM assignments")"

# Determinism: the same seed on the same data gives the same assignment;
# different seeds different ones.
same=0
for seed in 3 11 17 29; do
    for round in 1 2; do
        sql "$db" "DELETE FROM assignments"
        "$BEISHEN" assign --db "$db" --department 001012 --reviewer a1 --reviewer a2 --reviewer a3 --reviewer a4 \
            --seed "$seed" >/dev/null 2>&1
        "$BEISHEN" assign --db "$db" --department 001012 --list --json | jq -c 'map([.application_no, .reviewer, .reading])' \
            >"$TMP/det.$round"
    done
    cmp -s "$TMP/det.1" "$TMP/det.2" && same=$((same + 1))
    cp "$TMP/det.1" "$TMP/det.seed$seed"
done
check_eq "same seed, same assignment (4 seeds, twice each)" "4" "$same"
check "different seeds, different assignments" test "$(cat "$TMP"/det.seed* | sort -u | wc -l)" -eq 4

# Conflicts that leave no room: with a1 and a2 only, the applications of
# school 073302 (a1's conflict) get a2 alone, those of 180301 (a2's) a1
# alone, and they are reported.
sql "$db" "DELETE FROM assignments"
"$BEISHEN" assign --db "$db" --department 001012 --reviewer a1 --reviewer a2 --seed 1 --json >"$TMP/short.json" 2>"$TMP/short.err"
check_eq "not enough eligible readers: exit 1" "1" "$?"
check_eq "the applications left short are named" "$(printf '%s %s\n' "$(school_apps 073302)" "$(school_apps 180301)" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$(jq -r '.unassigned|sort|join(" ")' "$TMP/short.json")"
in_list() { echo "('$(echo "$1" | sed "s/ /','/g")')"; }
check_eq "school 073302: a2 alone" "$(school_apps 073302 | wc -w | tr -d ' ') a2" \
    "$(sql "$db" "SELECT count(*) || ' ' || group_concat(DISTINCT reviewer) FROM assignments WHERE application_no IN $(in_list "$(school_apps 073302)")")"
check_eq "school 180301: a1 alone" "$(school_apps 180301 | wc -w | tr -d ' ') a1" \
    "$(sql "$db" "SELECT count(*) || ' ' || group_concat(DISTINCT reviewer) FROM assignments WHERE application_no IN $(in_list "$(school_apps 180301)")")"
check_eq "every other application has both" "$((APPS - $(school_apps 073302 | wc -w) - $(school_apps 180301 | wc -w)))" \
    "$(sql "$db" "SELECT count(*) FROM (SELECT count(DISTINCT reviewer) AS n FROM assignments GROUP BY application_no HAVING n = 2)")"
"$BEISHEN" assign --db "$db" --department 001012 --reviewer a1 --reviewer nobody --seed 1 >/dev/null 2>"$TMP/err"
check_eq "an unknown reviewer is refused: exit 1" "1" "$?"
check_contains "and named" "$TMP/err" "nobody is not a reviewer account of department 001012"
"$BEISHEN" assign --db "$db" --department 001012 --readers 6 >/dev/null 2>&1
check_eq "--readers 6: usage error" "2" "$?"

# A conflict declared after the fact is refused while the reviewer reads
# such an application; reassignment and next readers respect conflicts.
sql "$db" "DELETE FROM assignments"
"$BEISHEN" assign --db "$db" --department 001012 --reviewer a3 --reviewer a4 --reviewer a5 --reviewer a6 --seed 9 >/dev/null 2>&1
some=$(sql "$db" "SELECT application_no FROM assignments WHERE reviewer = 'a5' ORDER BY application_no LIMIT 1")
"$BEISHEN" conflict add a5 --db "$db" --department 001012 --application "$some" >/dev/null 2>"$TMP/err"
check_eq "conflict on an application the reviewer reads: exit 1" "1" "$?"
check_contains "conflict refused: reassign first" "$TMP/err" "reassign it first"
check_eq "and not stored" "0" "$(sql "$db" "SELECT count(*) FROM reviewer_conflicts WHERE reviewer = 'a5'")"
sch=$(awk -v a="$some" '$1 == a {print $2}' "$TMP/schools.txt")
"$BEISHEN" conflict add a5 --db "$db" --department 001012 --school "$sch" >/dev/null 2>"$TMP/err"
check_eq "conflict on a school whose applicant the reviewer reads: exit 1" "1" "$?"
# a reading of school 073302 handed to a1 (conflict): refused
target=$(school_apps 073302 | cut -d' ' -f1)
holder=$(sql "$db" "SELECT reviewer FROM assignments WHERE application_no = '$target' ORDER BY reading LIMIT 1")
held=$(sql "$db" "SELECT reading FROM assignments WHERE application_no = '$target' AND reviewer = '$holder'")
"$BEISHEN" assign --db "$db" --department 001012 --reassign "$target" --from "$holder" --to a1 >/dev/null 2>"$TMP/err"
check_eq "reassign to a reviewer with a conflict: exit 1" "1" "$?"
check_contains "reassign refused: names the reason" "$TMP/err" "a1 may not read 001012-$target"
other=$(sql "$db" "SELECT reviewer FROM assignments WHERE application_no = '$target' AND reviewer <> '$holder'")
"$BEISHEN" assign --db "$db" --department 001012 --reassign "$target" --from "$holder" --to "$other" >/dev/null 2>&1
check_eq "reassign to a reviewer already reading it: exit 1" "1" "$?"
free=$(for r in a2 a3 a4 a5 a6; do [ "$r" != "$holder" ] && [ "$r" != "$other" ] && echo "$r"; done | head -n 1)
"$BEISHEN" assign --db "$db" --department 001012 --reassign "$target" --from "$holder" --to "$free" --as clerk >"$TMP/out" 2>&1
check_eq "reassign to an eligible reviewer: exit 0" "0" "$?"
check_eq "the reading moved, same reading number" "$free 0" \
    "$(sql "$db" "SELECT reviewer FROM assignments WHERE application_no = '$target' AND reading = $held") $(sql "$db" "SELECT count(*) FROM assignments WHERE application_no = '$target' AND reviewer = '$holder'")"
check_eq "reassignment audited" "1" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'assign_reassign' AND user = 'clerk' AND application = '001012-$target' AND detail = '$holder -> $free'")"
# next readers for the application until nobody is left: never a1
# (conflict), never a reviewer already reading it.
n=0
while [ $n -lt 8 ]; do
    "$BEISHEN" assign --db "$db" --department 001012 --next-reader "$target" >"$TMP/next.out" 2>"$TMP/next.err" || break
    n=$((n + 1))
done
check_eq "next readers: every reviewer but a1, once each" "a2 a3 a4 a5 a6" \
    "$(sql "$db" "SELECT group_concat(reviewer, ' ') FROM (SELECT reviewer FROM assignments WHERE application_no = '$target' ORDER BY reviewer)")"
check_eq "then none is left: exit 1 and the reason" "1 no reviewer left who may read it" \
    "$(sed -n 's/.*: \(no reviewer left who may read it\)$/1 \1/p' "$TMP/next.err")"
check_eq "next readings are numbered after the others" "1 2 3 4 5" \
    "$(sql "$db" "SELECT group_concat(reading, ' ') FROM (SELECT reading FROM assignments WHERE application_no = '$target' ORDER BY reading)")"

# ============================================================================
# The scoring database: tests/fixtures/round-small (001012 and 001022, five
# applications each), 001012's sample list, and 001022's list with weights
# of one decimal (29.5, 10.1, …: totals that round at half a cent).
# ============================================================================
db=$TMP/main.db
"$BEISHEN" ingest --db "$db" "$EXAMPLE" >"$TMP/ingest.out" 2>&1
check_eq "round-small ingested" "loaded 10, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
LIST12=samples/requirements/001012.json
LIST22=$TMP/list-001022.json
jq '.items |= map(.weight = {"A": 29.5, "C": 10.1, "L": 15.3, "G": 9.6, "P": 20.4, "R": 15.1}[.code])' \
    samples/requirements/001022.json >"$LIST22"
check_eq "the modified list still sums to 100" "100" "$(jq '[.items[].weight]|add|.*10|round/10' "$LIST22")"
"$BEISHEN" requirements load --db "$db" "$LIST12" >/dev/null 2>&1 &&
"$BEISHEN" requirements load --db "$db" "$LIST22" >/dev/null 2>&1
check_eq "both lists load" "0" "$?"
for r in r1 r2 r3 r4; do add "$r" reviewer --department 001012; done
add t1 reviewer --department 001022
add t2 reviewer --department 001022
add office office --university 001
add office2 office --university 002
add adm admin
plan "$TMP/plan12.json" 001012 2 10 mean
"$BEISHEN" plan set "$TMP/plan12.json" --db "$db" >"$TMP/plan.out" 2>&1
check_eq "plan set: exit 0" "0" "$?"
check_eq "plan set names the department" "plan of 001012 set" "$(cat "$TMP/plan.out")"
check_eq "plan show: the plan in force" "2 10 mean true" \
    "$("$BEISHEN" plan show 001012 --db "$db" --json | jq -r '"\(.readers) \(.threshold) \(.final_rule) \(.automatic_third_reader)"')"
"$BEISHEN" plan show 001022 --db "$db" >"$TMP/p22.txt"
check_contains "plan show of 001022: the defaults" "$TMP/p22.txt" "(the defaults: none set)"
jq '.readers = 6 | .levels["優良"] = [85, 95] | .extra = 1 | .threshold = 9.999 | .final_rule = "median"' \
    "$TMP/plan12.json" >"$TMP/badplan.json"
"$BEISHEN" plan set "$TMP/badplan.json" --db "$db" >/dev/null 2>"$TMP/badplan.err"
check_eq "a broken plan is refused: exit 1" "1" "$?"
check_contains "broken plan: readers named" "$TMP/badplan.err" '$.readers'
check_contains "broken plan: unknown member named" "$TMP/badplan.err" '$.extra'
check_contains "broken plan: overlapping bands named" "$TMP/badplan.err" '優良 [85, 95] reaches into 傑出 [90, 100]'
check_contains "broken plan: a threshold of three decimals named" "$TMP/badplan.err" '$.threshold'
check_contains "broken plan: an unknown rule named" "$TMP/badplan.err" '$.final_rule'
check_eq "and the plan in force is unchanged" "2" "$("$BEISHEN" plan show 001012 --db "$db" --json | jq .readers)"

# 迴避 in this database: r4 never reads school 073302 (18010409, 18010410),
# r3 never application 23010650.
"$BEISHEN" conflict add r4 --db "$db" --department 001012 --school 073302 >/dev/null &&
"$BEISHEN" conflict add r3 --db "$db" --department 001012 --application 23010650 >/dev/null
check_eq "conflicts declared" "0" "$?"
"$BEISHEN" assign --db "$db" --department 001012 --seed 7 --as office >/dev/null 2>&1
check_eq "assign 001012: exit 0" "0" "$?"
"$BEISHEN" assign --db "$db" --department 001022 --seed 3 >/dev/null 2>&1
check_eq "assign 001022: exit 0" "0" "$?"
check_eq "r4 reads nothing of school 073302, r3 not 23010650" "0" \
    "$(sql "$db" "SELECT count(*) FROM assignments WHERE (reviewer = 'r4' AND application_no IN ('18010409', '18010410')) OR (reviewer = 'r3' AND application_no = '23010650')")"
check_eq "every application has two readers, two different ones" "5 2 2" \
    "$(sql "$db" "SELECT count(*) || ' ' || min(n) || ' ' || min(d) FROM (SELECT count(*) AS n, count(DISTINCT reviewer) AS d FROM assignments WHERE department = '001012' GROUP BY application_no)")"
check_eq "loads within one (10 readings over 4 reviewers)" "2 3" \
    "$(sql "$db" "SELECT min(n) || ' ' || max(n) FROM (SELECT count(*) AS n FROM assignments WHERE department = '001012' GROUP BY reviewer)")"
check_eq "the assignment is audited with its seed" "office" \
    "$(sql "$db" "SELECT user FROM audit_log WHERE action = 'assign' AND detail = 'department=001012 seed=7'")"

# --- the scores the test sets: per application and reading, each item's score
cat >"$TMP/vectors-001012.txt" <<'EOF'
app reading A B J N O P Q
10010627 1 88 85 79 91 83 86 77
10010627 2 86 83 80 88 84 85 79
11010306 1 72 75 68 70 74 71 77
11010306 2 82 85 78 80 84 81 87
18010409 1 93 91 95 90 92 94 90
18010409 2 78 80 76 79 81 77 75
18010409 3 85 84 86 83 88 85 80
18010410 1 80 82 84 86 88 81 83
18010410 2 84 86 80 82 85 83 81
23010650 1 83 83 83 83 83 83 83
23010650 2 84 82 85 81 83 84 82
EOF
cat >"$TMP/vectors-001022.txt" <<'EOF'
app reading A C L G P R
10010627 1 71 99 71 67 86 82
10010627 2 64 96 66 70 93 81
14010174 1 84 80 69 69 99 88
14010174 2 81 76 61 71 93 81
18010410 1 67 80 75 74 86 97
18010410 2 68 85 77 80 92 92
23010645 1 78 82 85 80 76 90
23010645 2 76 78 82 74 79 94
23010650 1 88 92 79 83 85 81
23010650 2 92 85 72 83 90 87
EOF
: >"$TMP/submitted-001012"
: >"$TMP/submitted-001022"
list_of() { if [ "$1" = 001012 ]; then echo "$LIST12"; else echo "$LIST22"; fi; }
# vector DEPT APP READING: "CODE SCORE" lines
vector() {
    awk -v a="$2" -v r="$3" 'NR == 1 {for (i = 3; i <= NF; i++) c[i] = $i; next}
        $1 == a && $2 == r {for (i = 3; i <= NF; i++) print c[i], $i}' "$TMP/vectors-$1.txt"
}
sets() { vector "$@" | while read -r code s; do printf ' --set %s=%s:%s' "$code" "$(level "$s")" "$s"; done; }
# items DEPT APP READING: the sheet's items as JSON
items() {
    vector "$@" | jq -Rn '[inputs | split(" ") | (.[1] | tonumber) as $s | {key: .[0], value: {score: $s,
        level: (if $s >= 90 then "傑出" elif $s >= 80 then "優良" elif $s >= 70 then "普通" elif $s >= 60 then "待加強" else "不佳" end)}}]
        | from_entries'
}
reader_of() { sql "$db" "SELECT reviewer FROM assignments WHERE department = '$1' AND application_no = '$2' AND reading = $3"; }
# score_cli DEPT APP READING [options]: the reader sets the reading's vector.
score_cli() {
    dept=$1; app=$2; rd=$3; shift 3
    # shellcheck disable=SC2046
    "$BEISHEN" score "$dept-$app" --db "$db" --reviewer "$(reader_of "$dept" "$app" "$rd")" \
        --as "$(reader_of "$dept" "$app" "$rd")" $(sets "$dept" "$app" "$rd") "$@"
}
# submit_cli DEPT APP READING: sets and submits, and notes it as submitted.
submit_cli() {
    if score_cli "$1" "$2" "$3" --submit >"$TMP/score.out" 2>"$TMP/score.err"; then
        echo "$2 $3" >>"$TMP/submitted-$1"
    else
        fail "submit $1-$2 reading $3" "$(cat "$TMP/score.err")"
    fi
}

# expected DEPT THRESHOLD_CENTS READERS RULE: what the scores must add up
# to, worked out from the vectors, the list's weights, who reads what
# (assignments) and which readings were submitted.  Lines:
#   T app reading reviewer total          (submitted readings; cents)
#   S app complete flagged pending spread final rank
#   N app reading normalized
#   M reviewer count mean sd              (population SD)
#   R reviewer mad agreement shared       (agreement in thousandths)
#   D pearson pairs                       (first against second reading)
expected() {
    jq -r '.items[]|"\(.code) \(.weight)"' "$(list_of "$1")" >"$TMP/weights.txt"
    sql "$db" "SELECT application_no, reading, reviewer FROM assignments WHERE department = '$1' ORDER BY application_no, reading" |
        tr '|' ' ' >"$TMP/readings.txt"
    awk -v thr="$2" -v readers="$3" -v rule="$4" '
        function r2(x) { return x >= 0 ? int(x * 100 + 0.5) : -int(-x * 100 + 0.5) }
        function half_up(sum, n) { return int((2 * sum + n) / (2 * n)) }   # cents, sum >= 0
        function c(x) { return x == "" ? "-" : x }
        function abs(x) { return x < 0 ? -x : x }
        # Pearson r of X[1..m] and Y[1..m] in thousandths, "-" under 3 pairs or without spread
        function pearson(X, Y, m,    i, mx, my, sxy, sxx, syy, r) {
            if (m < 3) return "-"
            mx = my = 0; for (i = 1; i <= m; i++) { mx += X[i]; my += Y[i] }
            mx /= m; my /= m; sxy = sxx = syy = 0
            for (i = 1; i <= m; i++) { sxy += (X[i] - mx) * (Y[i] - my); sxx += (X[i] - mx) ^ 2; syy += (Y[i] - my) ^ 2 }
            if (sxx <= 1e-12 || syy <= 1e-12) return "-"
            r = sxy / sqrt(sxx * syy)
            return r >= 0 ? int(r * 1000 + 0.5) : -int(-r * 1000 + 0.5)
        }
        FILENAME == ARGV[1] { w10[$1] = int($2 * 10 + 0.5); listed++; next }
        FILENAME == ARGV[2] {
            if (FNR == 1) {
                for (i = 3; i <= NF; i++) { code[i] = $i; if (!($i in w10)) print "ERROR code " $i " not on the list" }
                if (NF - 2 != listed) print "ERROR the vectors do not score every listed item"
                next
            }
            s = 0
            for (i = 3; i <= NF; i++) s += w10[code[i]] * $i        # Σ 10·weight × score
            cents[$1 " " $2] = int((s + 5) / 10)                     # two decimals, half up
            next
        }
        FILENAME == ARGV[3] { if (!($1 in n)) apps[++napps] = $1; k = ++n[$1]; rd[$1, k] = $2; who[$1, k] = $3; next }
        { done[$1 " " $2] = 1 }
        END {
            for (i = 1; i <= napps; i++) {
                a = apps[i]
                for (k = 1; k <= n[a]; k++) {
                    key = a " " rd[a, k]
                    if (!(key in done)) continue
                    if (!(key in cents)) print "ERROR no vector for " key
                    r = who[a, k]; t = cents[key] / 100
                    print "T", a, rd[a, k], r, cents[key]
                    cnt[r]++; sum[r] += t; csum[r] += cents[key]; all_n++; all_sum += t
                }
            }
            all_mean = all_n ? all_sum / all_n : 0
            for (r in cnt) mean[r] = sum[r] / cnt[r]
            for (i = 1; i <= napps; i++) {
                a = apps[i]
                for (k = 1; k <= n[a]; k++) {
                    key = a " " rd[a, k]
                    if (!(key in done)) continue
                    r = who[a, k]; t = cents[key] / 100
                    ss[r] += (t - mean[r]) ^ 2; all_ss += (t - all_mean) ^ 2
                }
            }
            all_sd = all_n ? sqrt(all_ss / all_n) : 0
            for (r in cnt) { sd[r] = sqrt(ss[r] / cnt[r]); print "M", r, cnt[r], half_up(csum[r], cnt[r]), r2(sd[r]) }
            nf = 0
            for (i = 1; i <= napps; i++) {
                a = apps[i]
                first = 0; low = 1e9; high = -1; extra = 0; extra_done = 0; m = 0
                for (k = 1; k <= n[a]; k++) {
                    key = a " " rd[a, k]; r = who[a, k]
                    if (k <= readers) {
                        if (key in done) { first++; if (cents[key] < low) low = cents[key]; if (cents[key] > high) high = cents[key] }
                    } else {
                        extra++; if (key in done) extra_done++
                    }
                    if (key in done) {
                        t = cents[key] / 100
                        z = (cnt[r] >= 2 && sd[r] > 1e-9) ? all_mean + all_sd * (t - mean[r]) / sd[r] : t
                        print "N", a, rd[a, k], r2(z)
                        m++; v[m] = cents[key]; zs[m] = z
                    }
                }
                complete[a] = n[a] >= readers && first == readers
                spread = complete[a] ? high - low : ""
                flagged = complete[a] && spread > thr
                pending = flagged && !(extra > 0 && extra_done == extra)
                final[a] = ""
                if (complete[a] && !pending) {
                    if (rule == "normalized") {
                        zsum = 0; for (j = 1; j <= m; j++) zsum += zs[j]
                        final[a] = r2(zsum / m)
                    } else if (rule == "closest-two" && m >= 3) {
                        x = 1; y = 2
                        for (p = 1; p <= m; p++) for (q = p + 1; q <= m; q++) {
                            dq = v[p] - v[q]; if (dq < 0) dq = -dq
                            db = v[x] - v[y]; if (db < 0) db = -db
                            if (dq < db) { x = p; y = q }
                        }
                        final[a] = half_up(v[x] + v[y], 2)
                    } else {
                        tot = 0; for (j = 1; j <= m; j++) tot += v[j]
                        final[a] = half_up(tot, m)
                    }
                }
                line[a] = "S " a " " (complete[a] ? "true" : "false") " " (flagged ? "true" : "false") " " \
                          (pending ? "true" : "false") " " c(spread) " " c(final[a])
            }
            for (i = 1; i <= napps; i++) {
                a = apps[i]; rank = ""
                if (final[a] != "") {
                    rank = 1
                    for (j = 1; j <= napps; j++) if (final[apps[j]] != "" && final[apps[j]] + 0 > final[a] + 0) rank++
                }
                print line[a], c(rank)
            }
            # each reviewer against the co-readers of the same applications:
            # mean absolute difference, Pearson r with the mean of the co-readers
            for (r in cnt) {
                pairs = 0; diff = 0; shared = 0
                for (i = 1; i <= napps; i++) {
                    a = apps[i]; has = 0; osum = 0; on = 0
                    for (k = 1; k <= n[a]; k++) {
                        key = a " " rd[a, k]
                        if (!(key in done)) continue
                        if (who[a, k] == r) { has = 1; mine = cents[key] / 100 } else { osum += cents[key] / 100; on++ }
                    }
                    if (!has || !on) continue
                    for (k = 1; k <= n[a]; k++) {
                        key = a " " rd[a, k]
                        if ((key in done) && who[a, k] != r) { diff += abs(mine - cents[key] / 100); pairs++ }
                    }
                    shared++; X[shared] = mine; Y[shared] = osum / on
                }
                print "R", r, (pairs ? r2(diff / pairs) : "-"), pearson(X, Y, shared), shared
            }
            # the department: first against second reading
            m = 0
            for (i = 1; i <= napps; i++) {
                a = apps[i]
                if (n[a] >= 2 && ((a " " rd[a, 1]) in done) && ((a " " rd[a, 2]) in done)) {
                    m++; X[m] = cents[a " " rd[a, 1]] / 100; Y[m] = cents[a " " rd[a, 2]] / 100
                }
            }
            print "D", pearson(X, Y, m), m
        }' "$TMP/weights.txt" "$TMP/vectors-$1.txt" "$TMP/readings.txt" "$TMP/submitted-$1" | sort >"$TMP/expected.txt"
}
# actual DEPT: the same lines from `beishen scores --json`.
actual() {
    "$BEISHEN" scores --db "$db" --department "$1" --json >"$TMP/scores.json"
    jq -r 'def c: if . == null then "-" else (. * 100 | round | tostring) end;
        (.applications[] | . as $a | .readers[] | select(.status == "submitted") |
            "T \($a.application_no) \(.reading) \(.reviewer) \(.total | c)"),
        (.applications[] | "S \(.application_no) \(.complete) \(.flagged) \(.pending) \(.spread | c) \(.final | c) \(.rank // "-")"),
        (.applications[] | . as $a | .readers[] | select(.status == "submitted") | "N \($a.application_no) \(.reading) \(.normalized | c)"),
        (.reviewers[] | "M \(.reviewer) \(.count) \(.mean | c) \(.sd | c)"),
        (.reviewers[] | "R \(.reviewer) \(.mad | c) \(if .agreement == null then "-" else (.agreement * 1000 | round) end) \(.shared)"),
        "D \(if .agreement.pearson == null then "-" else (.agreement.pearson * 1000 | round) end) \(.agreement.pairs)"' "$TMP/scores.json" | sort >"$TMP/actual.txt"
}
# compare LABEL PREFIX...: the expected and actual lines of each prefix agree.
compare() {
    label=$1; shift
    for prefix in "$@"; do
        grep "^$prefix " "$TMP/expected.txt" >"$TMP/e.$prefix"
        grep "^$prefix " "$TMP/actual.txt" >"$TMP/a.$prefix"
        what=$(case $prefix in T) echo "totals" ;; S) echo "spread, flag, final, rank" ;;
               N) echo "normalized totals" ;; M) echo "reviewers' mean and SD" ;;
               R) echo "reviewers' mean difference and agreement" ;; D) echo "first/second reading agreement" ;; esac)
        if grep -q ERROR "$TMP/expected.txt"; then
            fail "$label: $what" "$(grep ERROR "$TMP/expected.txt")"
        elif [ -s "$TMP/e.$prefix" ] && cmp -s "$TMP/e.$prefix" "$TMP/a.$prefix"; then
            pass "$label: $what ($(wc -l <"$TMP/e.$prefix" | tr -d ' ') lines)"
        else
            fail "$label: $what" "$(diff "$TMP/e.$prefix" "$TMP/a.$prefix" | grep '^[<>]' | tr '\n' ';')"
        fi
    done
}

# --- the server ------------------------------------------------------------------
mkdir -p "$TMP/tmpdir"
: >"$TMP/server.out"
TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 --threads 4 >"$TMP/server.out" 2>"$TMP/server.err" &
server_pid=$!
BASE=""
i=0
while [ $i -lt 300 ] && [ -z "$BASE" ]; do
    BASE=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.out")
    kill -0 "$server_pid" 2>/dev/null || break
    [ -z "$BASE" ] && sleep 0.1
    i=$((i + 1))
done
case "$BASE" in http://127.0.0.1:[0-9]*) pass "server started ($BASE)" ;;
    *) fail "server did not start" "$(cat "$TMP/server.out" "$TMP/server.err")"; finish; exit 1 ;; esac
# login NAME [JAR]: status; the CSRF token in $TMP/JAR.login
login() {
    jar=${2:-$1}
    curl -s -c "$TMP/$jar.jar" -o "$TMP/$jar.login" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "{\"user\":\"$1\",\"password\":\"pass-$1-1\"}" "$BASE/api/login"
}
csrf() { jq -r .csrf "$TMP/$1.login"; }
# api JAR METHOD PATH [curl options]: status; body in $TMP/body
api() {
    jar=$1; method=$2; path=$3; shift 3
    curl -s -g -X "$method" -b "$TMP/$jar.jar" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$BASE$path"
}
# send JAR METHOD PATH JSON: a change with the session's CSRF token
send() { api "$1" "$2" "$3" -H "X-CSRF-Token: $(csrf "$1")" -H 'Content-Type: application/json' --data "$4"; }
sql_eventually() {
    tries=0
    while :; do
        value=$(sql "$1" "$2")
        [ "$value" = "$3" ] || [ $tries -ge 50 ] && break
        tries=$((tries + 1))
        sleep 0.1
    done
    printf '%s' "$value"
}
for u in r1 r2 r3 r4 t1 t2 office office2 adm; do
    [ "$(login $u)" = 200 ] || fail "login $u" "$(cat "$TMP/$u.login")"
done
pass "every account logs in"

# ============================================================================
# 3. Score rules, on 001012-11010306: bands, drafts, submit, lock, reopen,
#    history, audit.
# ============================================================================
A11=001012-11010306
RA=$(reader_of 001012 11010306 1)
SHEET=/api/scoring/sheets/$A11
sheet_state() { sql "$db" "SELECT status || ' ' || version FROM score_sheets WHERE department = '001012' AND application_no = '11010306' AND reviewer = '$RA'"; }
history_rows() { sql "$db" "SELECT count(*) FROM score_history WHERE application_no = '11010306' AND reviewer = '$RA'"; }
"$BEISHEN" score $A11 --db "$db" --reviewer "$RA" --as "$RA" --set A=普通:72 --set B=普通:75 --json >"$TMP/draft.json" 2>&1
check_eq "a draft of two items: exit 0" "0" "$?"
check_eq "the draft: status, version, no total yet" "draft 1 null" "$(jq -r '"\(.status) \(.version) \(.total)"' "$TMP/draft.json")"
check_eq "the draft's rubric is the list's, with the plan's bands" "A B J N O P Q|25 20 10 10 10 15 10|80-89" \
    "$(jq -r '[(.rubric|map(.code)|join(" ")), (.rubric|map(.weight|tostring)|join(" ")), (.rubric[0].levels[1]|"\(.low)-\(.high)")]|join("|")' "$TMP/draft.json")"
refused() {   # refused NAME EXPECTED-STATUS MESSAGE [--set ...]: a CLI save that must fail
    name=$1; want=$2; message=$3; shift 3
    "$BEISHEN" score $A11 --db "$db" --reviewer "$RA" "$@" >"$TMP/out" 2>"$TMP/err"
    status=$?
    if [ "$status" = "$want" ] && grep -qF -- "$message" "$TMP/err"; then pass "$name"
    else fail "$name" "exit $status, expected $want and [$message]: $(cat "$TMP/err")"; fi
}
refused "score above the level's band: exit 1, the rule named" 1 'beishen score: $.A.score: 95 is outside 優良 80–89' --set A=優良:95
refused "score below the level's band: exit 1" 1 '$.A.score: 79 is outside 優良 80–89' --set A=優良:79
refused "score under 傑出: exit 1" 1 '$.B.score: 89 is outside 傑出 90–100' --set B=傑出:89
refused "unknown level: exit 1" 1 '$.A.level: a level is one of 傑出, 優良, 普通, 待加強, 不佳' --set A=極佳:95
refused "an item not on the list: exit 1" 1 '$.S: item S is not on the department' --set S=優良:85
refused "--set without a level: usage error" 2 'CODE=LEVEL:SCORE' --set A=85
refused "submit with items unscored: exit 1" 1 '$.J: not scored: every item is scored before submitting' --submit
refused "a save from an old version: exit 1" 1 'the sheet changed since version 0: it is at version 1' --set A=普通:73 --version 0
check_eq "refused saves change nothing (sheet, history)" "draft 1 1" "$(sheet_state) $(history_rows)"
check_eq "and leave no audit rows (only the draft's)" "$RA score_save" "$(sql "$db" "SELECT group_concat(user || ' ' || action) FROM audit_log WHERE application = '$A11'")"
# The same rules over HTTP (400, the rule in the error).
put_items() { send "$1" PUT "$SHEET" "{\"version\": $2, \"items\": $3}"; }
check_eq "API: a fractional score: 400" "400" "$(put_items "$RA" 1 '{"A": {"level": "普通", "score": 72.5}}')"
check_contains "API: the error names the rule" "$TMP/body" '$.A.score: a score is a whole number'
check_eq "API: score outside the band: 400" "400" "$(put_items "$RA" 1 '{"A": {"level": "待加強", "score": 72}}')"
check_contains "API: outside the band, named" "$TMP/body" '72 is outside 待加強 60–69'
long=$(awk 'BEGIN {for (i = 0; i < 2001; i++) printf "評"}')
check_eq "API: a comment of 2,001 characters: 400" "400" \
    "$(put_items "$RA" 1 "{\"A\": {\"level\": \"普通\", \"score\": 72, \"comment\": \"$long\"}}")"
check_eq "API: refused saves change nothing" "draft 1 1" "$(sheet_state) $(history_rows)"
ok_comment=$(awk 'BEGIN {for (i = 0; i < 2000; i++) printf "評"}')
check_eq "API: a comment of 2,000 characters is kept" "200 2 2000" \
    "$(put_items "$RA" 1 "{\"A\": {\"level\": \"普通\", \"score\": 72, \"comment\": \"$ok_comment\"}, \"B\": {\"level\": \"普通\", \"score\": 75}}") $(jq -r '"\(.version) \(.items.A.comment|length)"' "$TMP/body")"
check_eq "the comment saved over HTTP is in the sheet (CLI)" "2000" \
    "$("$BEISHEN" score $A11 --db "$db" --reviewer "$RA" --json | jq -r '.items.A.comment|length')"
submit_cli 001012 11010306 1
check_eq "the whole sheet submitted (CLI): locked" "submitted 3" "$(sheet_state)"
jq -r '.items[]|"\(.code) \(.weight)"' "$LIST12" >"$TMP/w12"
check_eq "its total: Σ weight × score / 100" \
    "$(vector 001012 11010306 1 | awk 'NR == FNR {w[$1] = $2; next} {s += w[$1] * $2} END {printf "%.2f", s / 100}' "$TMP/w12" -)" \
    "$(sed -n 's/^  total //p' "$TMP/score.out")"
refused "after submit, --set is refused: exit 1" 1 'the sheet is submitted and locked: only the office can reopen it' --set A=普通:71
check_eq "API: PUT on a submitted sheet: 409" "409" "$(put_items "$RA" 3 "$(items 001012 11010306 1)")"
check_eq "API: the 409 carries the sheet as it is" "submitted 3" "$(jq -r '"\(.sheet.status) \(.sheet.version)"' "$TMP/body")"
check_eq "API: submit again: 409" "409" "$(send "$RA" POST "$SHEET/submit" "{\"version\": 3, \"items\": $(items 001012 11010306 1)}")"
check_eq "API: the reviewer may not reopen: 403" "403" "$(send "$RA" POST "$SHEET/reopen" "{\"reviewer\": \"$RA\"}")"
check_eq "API: the office may not score: 403" "403" "$(send office PUT "$SHEET" "{\"version\": 3, \"items\": {}}")"
check_eq "API: reopen without the CSRF header: 403" "403" \
    "$(api office POST "$SHEET/reopen" -H 'Content-Type: application/json' --data "{\"reviewer\": \"$RA\"}")"
check_eq "API: reopen with a wrong CSRF token: 403" "403" \
    "$(api office POST "$SHEET/reopen" -H "X-CSRF-Token: $(csrf r1)" -H 'Content-Type: application/json' --data "{\"reviewer\": \"$RA\"}")"
check_eq "still locked" "submitted 3" "$(sheet_state)"
check_eq "API: the office reopens: 200" "200" "$(send office POST "$SHEET/reopen" "{\"reviewer\": \"$RA\"}")"
check_eq "reopened: a draft again, its version moved" "draft 4" "$(sheet_state)"
check_eq "reopening a draft: 409" "409" "$(send office POST "$SHEET/reopen" "{\"reviewer\": \"$RA\"}")"
revised=$(items 001012 11010306 1 | jq -c '.A.score = 77 | .A.level = "普通"')
check_eq "API: the reviewer revises (A 72 → 77): 200" "200 draft 5" "$(put_items "$RA" 4 "$revised") $(jq -r '"\(.status) \(.version)"' "$TMP/body")"
check_eq "API: and submits the first scores again: 200" "200 submitted 6" \
    "$(send "$RA" POST "$SHEET/submit" "{\"version\": 5, \"items\": $(items 001012 11010306 1)}") $(jq -r '"\(.status) \(.version)"' "$TMP/body")"
"$BEISHEN" score $A11 --db "$db" --history --json >"$TMP/history.json"
check_eq "history: every change of the sheet, in order, with who made it" \
    "save:$RA save:$RA submit:$RA reopen:office save:$RA submit:$RA" \
    "$(jq -r --arg r "$RA" 'map(select(.reviewer == $r)|"\(.action):\(.user)")|join(" ")' "$TMP/history.json")"
check_eq "history: the first save has no old state" "null" "$(jq -r --arg r "$RA" 'map(select(.reviewer == $r))[0].old' "$TMP/history.json")"
check_eq "history: reopen keeps submitted → draft" "submitted draft" \
    "$(jq -r --arg r "$RA" 'map(select(.reviewer == $r and .action == "reopen"))[0]|"\(.old.status) \(.new.status)"' "$TMP/history.json")"
check_eq "history: the revision keeps old → new (A 72 → 77)" "72 77" \
    "$(jq -r --arg r "$RA" 'map(select(.reviewer == $r))[4]|"\(.old.items.A.score) \(.new.items.A.score)"' "$TMP/history.json")"
check_eq "history: the last submit 77 → 72, with the total" \
    "77 72 $(vector 001012 11010306 1 | awk 'NR == FNR {w[$1] = $2; next} {s += w[$1] * $2} END {printf "%.2f", s / 100}' "$TMP/w12" -)" \
    "$(jq -r --arg r "$RA" 'map(select(.reviewer == $r))[5]|"\(.old.items.A.score) \(.new.items.A.score) \(.new.total*100|round/100|tostring)"' "$TMP/history.json" | awk '{printf "%s %s %.2f", $1, $2, $3}')"
check_eq "API history (office) equals the CLI's" "$(jq -S . "$TMP/history.json" | sha256sum)" \
    "$(api office GET "/api/scoring/applications/$A11/history" >/dev/null; jq -S . "$TMP/body" | sha256sum)"
check_eq "API history: the reviewer may not read it (403)" "403" "$(api "$RA" GET "/api/scoring/applications/$A11/history")"
check_eq "audit: the CLI's save and submit under --as" "score_save score_submit" \
    "$(sql "$db" "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE application = '$A11' AND user = '$RA' AND remote IS NULL ORDER BY id)")"
check_eq "audit: the API's saves, submit and the office's reopen" "$RA score_save|office score_reopen|$RA score_save|$RA score_submit" \
    "$(sql_eventually "$db" "SELECT group_concat(user || ' ' || action, '|') FROM (SELECT user, action FROM audit_log WHERE application = '$A11' AND action LIKE 'score_%' AND remote IS NOT NULL ORDER BY id)" \
        "$RA score_save|office score_reopen|$RA score_save|$RA score_submit")"
submit_cli 001012 11010306 2

# ============================================================================
# 1. What the scores add up to (001012: readers 2, threshold 10, mean).
# ============================================================================
submit_cli 001012 10010627 1
submit_cli 001012 10010627 2
submit_cli 001012 18010410 1
score_cli 001012 18010410 2 >/dev/null 2>&1
check_eq "a whole sheet saved, not submitted: a draft" "draft 1" \
    "$(sql "$db" "SELECT status || ' ' || version FROM score_sheets WHERE application_no = '18010410' AND reviewer = '$(reader_of 001012 18010410 2)'")"
expected 001012 1000 2 mean; actual 001012
compare "partly submitted" T S
check_eq "a draft counts for nothing yet: incomplete, no final" "draft false - -" \
    "$(jq -r '.applications[]|select(.application_no == "18010410")|"\(.readers[1].status) \(.complete) \(.final // "-") \(.rank // "-")"' "$TMP/scores.json")"
submit_cli 001012 18010410 2
# 23010650 over HTTP: each reader saves a draft, then submits.
for rd in 1 2; do
    who=$(reader_of 001012 23010650 $rd)
    status=$(send "$who" PUT /api/scoring/sheets/001012-23010650 "{\"version\": 0, \"items\": $(items 001012 23010650 $rd | jq -c 'del(.Q)')}")
    version=$(jq -r .version "$TMP/body")
    status="$status $(send "$who" POST /api/scoring/sheets/001012-23010650/submit "{\"version\": $version, \"items\": $(items 001012 23010650 $rd)}")"
    check_eq "23010650 reading $rd over HTTP: draft, then submitted" "200 200 submitted" "$status $(jq -r .status "$TMP/body")"
    echo "23010650 $rd" >>"$TMP/submitted-001012"
done
check_eq "the sheet's total over HTTP is Σ weight × score / 100" \
    "$(vector 001012 23010650 2 | awk 'NR == FNR {w[$1] = $2; next} {s += w[$1] * $2} END {printf "%.2f", s / 100}' "$TMP/w12" -)" \
    "$(jq -r '.total' "$TMP/body" | awk '{printf "%.2f", $1}')"
# 18010409: 92.25 against 78.15, a spread of 14.10 > 10: flagged, and the
# plan gives it a third reader at once.
submit_cli 001012 18010409 1
check_eq "one reading of two: no third reader yet" "2" "$(sql "$db" "SELECT count(*) FROM assignments WHERE application_no = '18010409' AND department = '001012'")"
submit_cli 001012 18010409 2
third=$(reader_of 001012 18010409 3)
check "flagged: a third reader assigned at once" test -n "$third"
check_eq "the third reader is neither of the first two nor r4 (迴避 school 073302)" "ok" \
    "$(case "$third" in "$(reader_of 001012 18010409 1)"|"$(reader_of 001012 18010409 2)"|r4|"") echo "$third" ;; *) echo ok ;; esac)"
check_eq "the third reading is recorded as the submitter's doing" "$(reader_of 001012 18010409 2)" \
    "$(sql "$db" "SELECT assigned_by FROM assignments WHERE application_no = '18010409' AND reading = 3")"
expected 001012 1000 2 mean; actual 001012
compare "flagged, third reading pending" T S N M
check_eq "the flagged application: spread 14.10, pending, no final, no rank" "14.1 true true null null" \
    "$(jq -r '.applications[]|select(.application_no == "18010409")|"\(.spread) \(.flagged) \(.pending) \(.final) \(.rank)"' "$TMP/scores.json")"
check_eq "counts: 5 applications, 5 complete, 1 flagged, 1 pending, 4 finals" "5 5 1 1 4" \
    "$(jq -r '.counts|"\(.applications) \(.complete) \(.flagged) \(.pending) \(.final)"' "$TMP/scores.json")"
"$BEISHEN" scores --db "$db" --department 001012 --csv "$TMP/pending.csv"
check_eq "CSV: the pending application is marked and has no score" "||差分待處理" \
    "$(tr -d '\r' <"$TMP/pending.csv" | awk -F, '$1 == "18010409" {print $3 "|" $4 "|" $7}')"
check_eq "the third reader's queue names it" "001012-18010409" \
    "$(api "$third" GET '/api/scoring/queue?department=001012' >/dev/null; jq -r '.items[]|select(.reading == 3)|.application' "$TMP/body")"
submit_cli 001012 18010409 3
expected 001012 1000 2 mean; actual 001012
compare "rule mean" T S N M R D
check_eq "mean: 18010409's final is the mean of all three readings" "8497 third_reading" \
    "$(jq -r '.applications[]|select(.application_no == "18010409")|"\(.final*100|round) \(.resolution.method)"' "$TMP/scores.json")"
check_eq "mean: 18010410 and 23010650 tie at 83.05 and share a rank" "8305 3 8305 3" \
    "$(jq -r '[.applications[]|select(.application_no == "18010410" or .application_no == "23010650")|"\(.final*100|round) \(.rank)"]|join(" ")' "$TMP/scores.json")"
check_eq "mean: ranks 1 2 3 3 5" "1 2 3 3 5" "$(jq -r '[.applications[].rank]|sort|map(tostring)|join(" ")' "$TMP/scores.json")"
check_eq "mean: a spread of exactly the threshold (10.00) is not flagged" "1000 false" \
    "$(jq -r '.applications[]|select(.application_no == "11010306")|"\(.spread*100|round) \(.flagged)"' "$TMP/scores.json")"
cp "$TMP/scores.json" "$TMP/scores-mean.json"
cp "$TMP/expected.txt" "$TMP/expected-mean.txt"
"$BEISHEN" scores --db "$db" --department 001012 >"$TMP/scores.txt"
check_contains "scores (text): the counts" "$TMP/scores.txt" "5 applications, 5 complete, 1 flagged (0 pending), 5 final scores"
check_contains "scores (text): the third reading resolves the flag" "$TMP/scores.txt" "差分已處理：第三位評閱"

plan "$TMP/plan12.json" 001012 2 10 closest-two
"$BEISHEN" plan set "$TMP/plan12.json" --db "$db" >/dev/null
expected 001012 1000 2 closest-two; actual 001012
compare "rule closest-two" S
check_eq "closest-two: 18010409 takes 78.15 and 84.50 (81.325, half up)" "8133" \
    "$(jq -r '.applications[]|select(.application_no == "18010409")|.final*100|round' "$TMP/scores.json")"
check_eq "closest-two: two readings elsewhere, the mean" \
    "$(grep '^S 10010627 ' "$TMP/expected-mean.txt" | cut -d' ' -f7)" \
    "$(jq -r '.applications[]|select(.application_no == "10010627")|.final*100|round' "$TMP/scores.json")"

plan "$TMP/plan12.json" 001012 2 10 normalized
"$BEISHEN" plan set "$TMP/plan12.json" --db "$db" >/dev/null
expected 001012 1000 2 normalized; actual 001012
compare "rule normalized" S N M
check_eq "normalized: the department's mean and SD of all submitted totals" \
    "$(awk '$1 == "T" {n++; s += $5 / 100; q += ($5 / 100) ^ 2} END {m = s / n; printf "%d %d", int(m * 100 + 0.5), int(sqrt(q / n - m * m) * 100 + 0.5)}' "$TMP/expected.txt")" \
    "$(jq -r '.totals|"\(.mean*100|round) \(.sd*100|round)"' "$TMP/scores.json")"

# The threshold's edge from the other side: 9.99 flags 11010306 (10.00),
# which has no further reader: pending, no final, and the ranks close up.
plan "$TMP/plan12.json" 001012 2 9.99 mean
"$BEISHEN" plan set "$TMP/plan12.json" --db "$db" >/dev/null
expected 001012 999 2 mean; actual 001012
compare "threshold 9.99" S
check_eq "threshold 9.99: 11010306 flagged and pending" "true true null" \
    "$(jq -r '.applications[]|select(.application_no == "11010306")|"\(.flagged) \(.pending) \(.rank)"' "$TMP/scores.json")"
plan "$TMP/plan12.json" 001012 2 10 mean
"$BEISHEN" plan set "$TMP/plan12.json" --db "$db" >/dev/null

# ============================================================================
# 4. One reviewer, two sessions, one sheet (001022-23010645, t1's).
# ============================================================================
C22=/api/scoring/sheets/001022-23010645
check_eq "t1 logs in twice" "200 200" "$(login t1 t1a) $(login t1 t1b)"
check "two sessions, two CSRF tokens" test "$(csrf t1a)" != "$(csrf t1b)"
api t1a GET $C22 >/dev/null; v_a=$(jq .version "$TMP/body")
api t1b GET $C22 >/dev/null; v_b=$(jq .version "$TMP/body")
check_eq "both sessions read the same version" "0 0" "$v_a $v_b"
check_eq "session A saves first: 200" "200 1" \
    "$(send t1a PUT $C22 '{"version": 0, "items": {"A": {"level": "優良", "score": 85, "comment": "A 的意見"}}}') $(jq .version "$TMP/body")"
check_eq "session B saves from the same version: 409" "409" \
    "$(send t1b PUT $C22 '{"version": 0, "items": {"C": {"level": "普通", "score": 75, "comment": "B 的意見"}}}')"
check_contains "the 409 says why" "$TMP/body" "the sheet changed since version 0: it is at version 1"
check_eq "the 409 carries the sheet as A left it" "1 85 A 的意見 null" \
    "$(jq -r '"\(.sheet.version) \(.sheet.items.A.score) \(.sheet.items.A.comment) \(.sheet.items.C)"' "$TMP/body")"
merged=$(jq -c '.sheet.items + {"C": {"level": "普通", "score": 75, "comment": "B 的意見"}}' "$TMP/body")
check_eq "B merges onto the version it was given: 200" "200 2" \
    "$(send t1b PUT $C22 "{\"version\": 1, \"items\": $merged}") $(jq .version "$TMP/body")"
check_eq "nothing lost: both sessions' items are in the sheet" "A 的意見|B 的意見" \
    "$("$BEISHEN" score 001022-23010645 --db "$db" --reviewer t1 --json | jq -r '[.items.A.comment, .items.C.comment]|join("|")')"
# Eight saves at once from version 2, alternating sessions: one wins, the
# others are told (409) and handed the winner's sheet.
k=1
while [ $k -le 8 ]; do
    jar=t1a; [ $((k % 2)) = 0 ] && jar=t1b
    curl -s -X PUT -b "$TMP/$jar.jar" -H "X-CSRF-Token: $(csrf $jar)" -H 'Content-Type: application/json' \
        --data "{\"version\": 2, \"items\": {\"A\": {\"level\": \"優良\", \"score\": $((80 + k)), \"comment\": \"race $k\"}}}" \
        -o "$TMP/race.$k" -w '%{http_code}\n' "$BASE$C22" >"$TMP/race.$k.status" &
    k=$((k + 1))
done
wait_for_curls=0
while [ $wait_for_curls -lt 100 ] && [ "$(cat "$TMP"/race.*.status 2>/dev/null | wc -l)" -lt 8 ]; do
    sleep 0.1; wait_for_curls=$((wait_for_curls + 1))
done
check_eq "eight saves from one version: one 200, seven 409" "1 7" \
    "$(grep -c '^200$' "$TMP"/race.*.status | awk -F: '{s += $2} END {print s}') $(grep -c '^409$' "$TMP"/race.*.status | awk -F: '{s += $2} END {print s}')"
winner=$(grep -l '^200$' "$TMP"/race.*.status | head -n 1 | sed 's/.*race\.\([0-9]*\)\.status/\1/')
check_eq "the sheet is the winner's, version 3" "3 race $winner" \
    "$("$BEISHEN" score 001022-23010645 --db "$db" --reviewer t1 --json | jq -r '"\(.version) \(.items.A.comment)"')"
losers_ok=0
for k in 1 2 3 4 5 6 7 8; do
    [ "$k" = "$winner" ] && continue
    [ "$(jq -r '"\(.sheet.version) \(.sheet.items.A.comment)"' "$TMP/race.$k")" = "3 race $winner" ] && losers_ok=$((losers_ok + 1))
done
check_eq "every 409 carries the winner's sheet" "7" "$losers_ok"
check_eq "history: three saves, each from the sheet before" "save save save|null 1 2" \
    "$(sql "$db" "SELECT group_concat(action, ' ') FROM (SELECT action FROM score_history WHERE department = '001022' AND application_no = '23010645' AND reviewer = 't1' ORDER BY id LIMIT 3)")|$("$BEISHEN" score 001022-23010645 --db "$db" --history --json | jq -r '[.[]|select(.reviewer == "t1")|if .old == null then "null" else (.old.items|length|tostring) end][0:3]|join(" ")')"
check_eq "history: 3 rows for 3 successful saves, none for the refused" "3" \
    "$(sql "$db" "SELECT count(*) FROM score_history WHERE department = '001022' AND application_no = '23010645' AND reviewer = 't1'")"
check_eq "a save of an application t1 does not read: 404" "404" "$(send t1a PUT /api/scoring/sheets/001012-23010650 '{"version": 0, "items": {}}')"
check_eq "a body without a version: 400" "400" "$(send t1a PUT $C22 '{"items": {}}')"

# ============================================================================
# 1 (cont.). 001022: weights of one decimal, totals and means at half a cent.
# ============================================================================
for app in 10010627 14010174 18010410 23010645 23010650; do
    submit_cli 001022 $app 1
    submit_cli 001022 $app 2
done
expected 001022 1500 2 mean; actual 001022
compare "001022, one-decimal weights" T S N M
check_eq "001022: a total at half a cent rounds up (71 99 71 67 86 82 → 78.165 → 78.17)" "78.17" \
    "$("$BEISHEN" score 001022-10010627 --db "$db" --reviewer "$(reader_of 001022 10010627 1)" --json | jq -r .total | awk '{printf "%.2f", $1}')"
check_eq "001022: a mean at half a cent rounds up (78.17 and 76.60 → 77.385 → 77.39)" "77.39" \
    "$("$BEISHEN" scores --db "$db" --department 001022 --json | jq -r '.applications[]|select(.application_no == "10010627")|.final' | awk '{printf "%.2f", $1}')"

# ============================================================================
# 6. The office's CSV: BOM, 應試號碼, 書審成績, 名次 — equal to the JSON and
#    to the figures worked out here.
# ============================================================================
csv_checks() {   # csv_checks DEPT EXPECTED-FILE
    "$BEISHEN" scores --db "$db" --department "$1" --csv "$TMP/$1.csv" --json >"$TMP/$1.csv.json"
    check_eq "CSV $1: starts with a UTF-8 BOM" "efbbbf" "$(head -c 3 "$TMP/$1.csv" | od -An -tx1 | tr -d ' \n')"
    tr -d '\r' <"$TMP/$1.csv" | sed '1s/^\xef\xbb\xbf//' >"$TMP/$1.rows"
    check_eq "CSV $1: columns 應試號碼, 書審成績, 名次" "應試號碼 書審成績 名次" \
        "$(head -n 1 "$TMP/$1.rows" | awk -F, '{print $1, $3, $4}')"
    check_eq "CSV $1: one row per application, CRLF line ends" "5 6" \
        "$(tail -n +2 "$TMP/$1.rows" | wc -l | tr -d ' ') $(grep -c "$(printf '\r')\$" "$TMP/$1.csv")"
    # expected rows: by rank, then number; final with two decimals
    awk '$1 == "S" {printf "%s %s %d.%02d %s\n", $7 == "-" ? 9999 : $8, $2, $7 / 100, $7 % 100, $8}' "$2" |
        sort -k1,1n -k2,2 | awk '{print $2 "," $3 "," $4}' >"$TMP/$1.want"
    tail -n +2 "$TMP/$1.rows" | awk -F, '{print $1 "," $3 "," $4}' >"$TMP/$1.got"
    check_eq "CSV $1: number, 書審成績 and 名次 as worked out, ranked" "$(cat "$TMP/$1.want")" "$(cat "$TMP/$1.got")"
    check_eq "CSV $1: and as in the JSON" \
        "$(jq -r '.applications[]|"\(.rank) \(.application_no),\(.final*100|round) \(.rank)"' "$TMP/$1.csv.json" | sort -k1,1n -k2 | cut -d' ' -f2- |
           awk -F'[ ,]' '{printf "%s,%d.%02d,%s\n", $1, $2 / 100, $2 % 100, $3}')" "$(cat "$TMP/$1.got")"
    check_eq "CSV $1: 差分 and the readers' totals" \
        "$(awk '$1 == "T" {t[$2] = t[$2] (t[$2] == "" ? "" : "; ") $4 " " sprintf("%d.%02d", $5 / 100, $5 % 100)}
                $1 == "S" {s[$2] = sprintf("%d.%02d", $6 / 100, $6 % 100)} END {for (a in s) print a "," t[a] "," s[a]}' "$2" | sort)" \
        "$(tail -n +2 "$TMP/$1.rows" | awk -F, '{print $1 "," $5 "," $6}' | sort)"
}
csv_checks 001012 "$TMP/expected-mean.txt"
expected 001022 1500 2 mean
csv_checks 001022 "$TMP/expected.txt"
check_eq "API results.csv (office): the CLI's bytes" "200 text/csv; charset=utf-8" \
    "$(api office GET '/api/scoring/results.csv?department=001012') $(grep -i '^content-type:' "$TMP/headers" | sed 's/^[^:]*: *//' | tr -d '\r')"
check "API results.csv equals the CLI's CSV" cmp "$TMP/body" "$TMP/001012.csv"
check_eq "API results (office) equal the CLI's JSON" "$(jq -S . "$TMP/001012.csv.json" | sha256sum)" \
    "$(api office GET '/api/scoring/results?department=001012' >/dev/null; jq -S . "$TMP/body" | sha256sum)"

# ============================================================================
# 5. Re-ingest: 001012-18010410 changes after it was scored.
# ============================================================================
cp -R "$EXAMPLE" "$TMP/round2"
f=applications/001012-18010410.json
jq '.course_outcomes[0].title = "改過的成果標題"' "$EXAMPLE/$f" >"$TMP/round2/$f"
hash=$(sha256sum "$TMP/round2/$f" | cut -d' ' -f1)
jq --arg p "$f" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    "$EXAMPLE/manifest.json" >"$TMP/round2/manifest.json"
"$BEISHEN" ingest --db "$db" "$TMP/round2" >"$TMP/ingest2.out" 2>&1
check_eq "the changed application is replaced" "loaded 0, unchanged 9, replaced 1, rejected 0" "$(tail -n 1 "$TMP/ingest2.out")"
expected 001012 1000 2 mean; actual 001012
compare "after the re-ingest" T S
check_eq "scores: only 18010410 is marked changed after scoring" "18010410" \
    "$(jq -r '[.applications[]|select(.changed_after_scoring)|.application_no]|join(" ")' "$TMP/scores.json")"
check_eq "both its sheets are kept, submitted" "2 submitted" \
    "$(sql "$db" "SELECT count(*) || ' ' || group_concat(DISTINCT status) FROM score_sheets WHERE department = '001012' AND application_no = '18010410'")"
check_eq "its sheets say so (CLI, both readers)" "true true" \
    "$(for rd in 1 2; do "$BEISHEN" score 001012-18010410 --db "$db" --reviewer "$(reader_of 001012 18010410 $rd)" --json | jq -r .changed_after_scoring; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "its sheet says so (API, the reader)" "200 true" \
    "$(api "$(reader_of 001012 18010410 1)" GET /api/scoring/sheets/001012-18010410) $(jq -r .changed_after_scoring "$TMP/body")"
check_eq "an unchanged application's sheet does not" "false" \
    "$("$BEISHEN" score 001012-10010627 --db "$db" --reviewer "$(reader_of 001012 10010627 1)" --json | jq -r .changed_after_scoring)"
check_eq "the 001022 application of the same applicant is unchanged" "false" \
    "$("$BEISHEN" scores --db "$db" --department 001022 --json | jq -r '.applications[]|select(.application_no == "18010410")|.changed_after_scoring')"
"$BEISHEN" scores --db "$db" --department 001012 --csv "$TMP/changed.csv"
check_eq "CSV: the note 評分後資料已更新 on that row only" "18010410" \
    "$(tr -d '\r' <"$TMP/changed.csv" | awk -F, '$7 ~ /評分後資料已更新/ {print $1}')"
"$BEISHEN" ingest --db "$db" "$EXAMPLE" >"$TMP/ingest3.out" 2>&1
check_eq "the original again" "loaded 0, unchanged 9, replaced 1, rejected 0" "$(tail -n 1 "$TMP/ingest3.out")"
check_eq "and the mark is gone (the sheets match the data again)" "" \
    "$("$BEISHEN" scores --db "$db" --department 001012 --json | jq -r '[.applications[]|select(.changed_after_scoring)|.application_no]|join(" ")')"

# ============================================================================
# 7. PDFs: 評分表 and 書審成績總表, from the CLI and the API.
# ============================================================================
fmt_cents() { awk -v c="$1" 'BEGIN {printf "%d.%02d", c / 100, c % 100}'; }
pdf_checks() {   # pdf_checks LABEL FILE: pages, qpdf, text in $TMP/pdf.txt
    pages=$(pdfinfo "$2" 2>/dev/null | awk '/^Pages:/ {print $2}')
    check "$1: pdfinfo reads it, $pages page(s)" test "${pages:-0}" -ge 1
    check "$1: qpdf --check passes" qpdf --check "$2"
    pdftotext -layout "$2" "$TMP/pdf.txt"
}
# in_pdf LABEL: every line of stdin is in $TMP/pdf.txt (pdftotext -layout)
in_pdf() {
    missing=""
    while IFS= read -r phrase; do
        grep -qF -- "$phrase" "$TMP/pdf.txt" || missing="$missing [$phrase]"
    done
    check_eq "$1" "" "$missing"
}
# ranked_rows LABEL EXPECTED: each application's row of the 總表 reads
# "rank  department-number  name  final  first-reader total".
ranked_rows() {
    bad=$(awk '$1 == "S" && $7 != "-" {printf "%s 001012-%s %d.%02d\n", $8, $2, $7 / 100, $7 % 100}' "$2" |
        while read -r rank key final; do
            grep -qE "^ *$rank +$key +.* $final +r[0-9] [0-9]+\.[0-9]{2}" "$TMP/pdf.txt" || printf ' [%s %s %s]' "$rank" "$key" "$final"
        done)
    check_eq "$1" "" "$bad"
}
SR=$(reader_of 001012 18010409 1)
mine=$(awk -v r="$SR" '$1 == "T" && $4 == r {print $2}' "$TMP/expected-mean.txt")
sheet_phrases() {
    echo "評分委員：$SR"
    awk -v r="$SR" '$1 == "T" && $4 == r {printf "001012-%s\n總分 %d.%02d\n", $2, $5 / 100, $5 % 100}' "$TMP/expected-mean.txt"
}
"$BEISHEN" render scoresheet --db "$db" --department 001012 --reviewer "$SR" -o "$TMP/sheet.pdf" >/dev/null 2>&1
check_eq "render scoresheet: exit 0" "0" "$?"
pdf_checks "scoresheet (CLI)" "$TMP/sheet.pdf"
sheet_phrases | in_pdf "scoresheet (CLI): the reviewer, every application they read ($(echo $mine)), every total"
"$BEISHEN" render summary --db "$db" --department 001012 -o "$TMP/summary.pdf" >/dev/null 2>&1
check_eq "render summary: exit 0" "0" "$?"
pdf_checks "summary (CLI)" "$TMP/summary.pdf"
awk '$1 == "T" {printf "%s %d.%02d\n", $4, $5 / 100, $5 % 100}' "$TMP/expected-mean.txt" |
    in_pdf "summary (CLI): every reader beside their total"
ranked_rows "summary (CLI): every application's rank, number and final on its row" "$TMP/expected-mean.txt"
"$BEISHEN" render summary --db "$db" --department 001012 >/dev/null 2>&1
check_eq "render summary without -o: usage error" "2" "$?"
check_eq "API summary.pdf (office): a PDF" "200 application/pdf %PDF-" \
    "$(api office GET '/api/scoring/summary.pdf?department=001012') $(grep -i '^content-type:' "$TMP/headers" | sed 's/^[^:]*: *//' | tr -d '\r') $(head -c 5 "$TMP/body")"
cp "$TMP/body" "$TMP/summary-api.pdf"
pdf_checks "summary (API)" "$TMP/summary-api.pdf"
awk '$1 == "T" {printf "%s %d.%02d\n", $4, $5 / 100, $5 % 100}' "$TMP/expected-mean.txt" |
    in_pdf "summary (API): every reader beside their total"
ranked_rows "summary (API): every application's rank, number and final on its row" "$TMP/expected-mean.txt"
check_eq "API scoresheet.pdf (the reviewer's own)" "200 %PDF-" \
    "$(api "$SR" GET '/api/scoring/scoresheet.pdf?department=001012') $(head -c 5 "$TMP/body")"
cp "$TMP/body" "$TMP/sheet-api.pdf"
pdf_checks "scoresheet (API)" "$TMP/sheet-api.pdf"
sheet_phrases | in_pdf "scoresheet (API): the reviewer, their applications and totals"
"$BEISHEN" render scoresheet --db "$db" --department 001022 --reviewer t1 -o "$TMP/sheet22.pdf" >/dev/null 2>&1
pdf_checks "scoresheet of 001022 (CLI)" "$TMP/sheet22.pdf"
{ printf '評分委員：t1\n29.5%%\n10.1%%\n'
  awk '$1 == "T" && $4 == "t1" {printf "總分 %d.%02d\n", $5 / 100, $5 % 100}' "$TMP/expected.txt"; } |
    in_pdf "scoresheet of 001022: one-decimal weights and half-cent totals"

# ============================================================================
# 8. Who may see and change what.
# ============================================================================
# A reviewer: only their own readings.
RV=r2
theirs=$(sql "$db" "SELECT application_no FROM assignments WHERE department = '001012' AND reviewer = '$RV' ORDER BY application_no LIMIT 1")
notmine=$(sql "$db" "SELECT application_no FROM applications WHERE department = '001012' AND application_no NOT IN (SELECT application_no FROM assignments WHERE department = '001012' AND reviewer = '$RV') ORDER BY application_no LIMIT 1")
other=$(sql "$db" "SELECT reviewer FROM assignments WHERE department = '001012' AND application_no = '$theirs' AND reviewer <> '$RV' LIMIT 1")
check "there is an application $RV does not read" test -n "$notmine"
check_eq "reviewer: own sheet 200" "200 $RV" "$(api $RV GET /api/scoring/sheets/001012-$theirs) $(jq -r .reviewer "$TMP/body")"
check_eq "reviewer: the sheet of an application they do not read: 404" "404" "$(api $RV GET /api/scoring/sheets/001012-$notmine)"
check_eq "reviewer: a co-reader's sheet (?reviewer=): 404" "404" "$(api $RV GET "/api/scoring/sheets/001012-$theirs?reviewer=$other")"
check_not_contains "and no figure of it" "$TMP/body" '"items"'
check_eq "reviewer: save on an application they do not read: 404" "404" \
    "$(send $RV PUT /api/scoring/sheets/001012-$notmine "{\"version\": 0, \"items\": $(items 001012 $notmine 1)}")"
check_eq "reviewer: submit on an application they do not read: 404" "404" \
    "$(send $RV POST /api/scoring/sheets/001012-$notmine/submit "{\"version\": 0, \"items\": $(items 001012 $notmine 1)}")"
check_eq "and no sheet appeared" "0" "$(sql "$db" "SELECT count(*) FROM score_sheets WHERE reviewer = '$RV' AND application_no = '$notmine' AND department = '001012'")"
check_eq "reviewer: another department's sheet: 404" "404" "$(api $RV GET /api/scoring/sheets/001022-23010645)"
check_eq "reviewer: another department's queue: 404" "404" "$(api $RV GET '/api/scoring/queue?department=001022')"
check_eq "reviewer: the queue lists their readings only" "200 $RV $(sql "$db" "SELECT count(*) FROM assignments WHERE reviewer = '$RV'")" \
    "$(api $RV GET /api/scoring/queue) $(jq -r '[.items[].reviewer]|unique|join(",")' "$TMP/body") $(jq '.items|length' "$TMP/body")"
check_eq "reviewer: the plan of their department" "200 10" "$(api $RV GET /api/scoring/plan) $(jq .threshold "$TMP/body")"
check_eq "assign --list --reviewer: that reviewer's readings only" "$RV $(sql "$db" "SELECT count(*) FROM assignments WHERE reviewer = '$RV'")" \
    "$("$BEISHEN" assign --db "$db" --department 001012 --list --reviewer $RV --json | jq -r '"\(map(.reviewer)|unique|join(",")) \(length)"')"
check_eq "reviewer: another department's plan: 404" "404" "$(api $RV GET '/api/scoring/plan?department=001022')"
check_eq "reviewer: a co-reader's scoresheet.pdf: 404" "404" "$(api $RV GET "/api/scoring/scoresheet.pdf?department=001012&reviewer=$other")"
for p in "/api/scoring/results?department=001012" "/api/scoring/results.csv?department=001012" \
         "/api/scoring/summary.pdf?department=001012" "/api/scoring/applications/001012-$theirs/history"; do
    check_eq "reviewer: office only, 403: ${p%%\?*}" "403" "$(api $RV GET "$p")"
done
check_eq "reviewer: reopen: 403" "403" "$(send $RV POST /api/scoring/sheets/001012-$theirs/reopen "{\"reviewer\": \"$RV\"}")"
check_eq "reviewer: next reader: 403" "403" "$(send $RV POST /api/scoring/applications/001012-$theirs/next-reader '{}')"
check_eq "reviewer: reassign: 403" "403" "$(send $RV POST /api/scoring/applications/001012-$theirs/reassign "{\"from\": \"$RV\", \"to\": \"r4\"}")"
# The office: its university's departments.
check_eq "office: results of 001012 and 001022" "200 200" \
    "$(api office GET '/api/scoring/results?department=001012') $(api office GET '/api/scoring/results?department=001022')"
check_eq "office: any reviewer's sheet" "200 $other" "$(api office GET "/api/scoring/sheets/001012-$theirs?reviewer=$other") $(jq -r .reviewer "$TMP/body")"
check_eq "office: the queue is every reading" "200 $(sql "$db" "SELECT count(*) FROM assignments WHERE department = '001012'")" \
    "$(api office GET '/api/scoring/queue?department=001012') $(jq '.items|length' "$TMP/body")"
check_eq "office: a reviewer's scoresheet.pdf" "200" "$(api office GET "/api/scoring/scoresheet.pdf?department=001012&reviewer=$other")"
check_eq "office of another university: results 404" "404" "$(api office2 GET '/api/scoring/results?department=001012')"
check_eq "office of another university: sheet 404" "404" "$(api office2 GET "/api/scoring/sheets/001012-$theirs?reviewer=$RV")"
check_eq "office of another university: CSV 404" "404" "$(api office2 GET '/api/scoring/results.csv?department=001012')"
check_eq "office of another university: reopen 404" "404" "$(send office2 POST /api/scoring/sheets/001012-$theirs/reopen "{\"reviewer\": \"$RV\"}")"
# The administrator: accounts, not scores.
admin_leaks=""
for p in "/api/scoring/plan?department=001012" "/api/scoring/queue?department=001012" \
         "/api/scoring/sheets/001012-$theirs?reviewer=$RV" "/api/scoring/results?department=001012" \
         "/api/scoring/results.csv?department=001012" "/api/scoring/summary.pdf?department=001012" \
         "/api/scoring/scoresheet.pdf?department=001012&reviewer=$RV" "/api/scoring/applications/001012-$theirs/history" \
         /api/scoring/plan /api/scoring/queue /api/scoring/results; do
    status=$(api adm GET "$p")
    case "$status" in 40[034]) grep -q -e '"total"' -e '"items"' -e '%PDF' -e '書審成績' "$TMP/body" && admin_leaks="$admin_leaks $p(body)" ;;
        *) admin_leaks="$admin_leaks $p($status)" ;; esac
done
check_eq "admin: every scoring read refused (400/403/404), no scoring data" "" "$admin_leaks"
check "admin: save refused (403/404)" test "$(send adm PUT /api/scoring/sheets/001012-$theirs '{"version": 0, "items": {}}' | grep -c '^40[34]$')" = 1
check_eq "admin: reopen refused" "403" "$(send adm POST /api/scoring/sheets/001012-$theirs/reopen "{\"reviewer\": \"$RV\"}")"
# CSRF: every change refused without the token, and nothing changes.
state() { sql "$db" "SELECT (SELECT count(*) FROM score_history) || ' ' || (SELECT count(*) FROM assignments) || ' ' || (SELECT group_concat(version) FROM score_sheets)"; }
before=$(state)
csrf_leaks=""
for change in "t1 PUT /api/scoring/sheets/001022-23010645" "t1 POST /api/scoring/sheets/001022-23010645/submit" \
              "office POST /api/scoring/sheets/001022-23010645/reopen" "office POST /api/scoring/applications/001012-10010627/next-reader" \
              "office POST /api/scoring/applications/001012-10010627/reassign"; do
    set -- $change
    body='{"version": 4, "items": {}, "reviewer": "t1", "from": "r3", "to": "r2"}'
    s1=$(api "$1" "$2" "$3" -H 'Content-Type: application/json' --data "$body")
    s2=$(api "$1" "$2" "$3" -H "X-CSRF-Token: $(printf '%064d' 0)" -H 'Content-Type: application/json' --data "$body")
    [ "$s1 $s2" = "403 403" ] || csrf_leaks="$csrf_leaks $2 $3: $s1 $s2;"
done
check_eq "every change without or with a wrong CSRF token: 403" "" "$csrf_leaks"
check_eq "and nothing changed" "$before" "$(state)"
# The office's changes, with the token.
check_eq "office: next reader for 10010627 (with the token)" "200" "$(send office POST /api/scoring/applications/001012-10010627/next-reader '{}')"
nr=$(jq -r .reviewer "$TMP/body")
check_eq "the next reader is a reviewer not yet reading it" "ok" \
    "$(case "$nr" in r1|r2|r3|r4) [ "$(sql "$db" "SELECT count(*) FROM assignments WHERE department = '001012' AND application_no = '10010627' AND reviewer = '$nr'")" = 1 ] &&
        [ "$nr" != "$(reader_of 001012 10010627 1)" ] && [ "$nr" != "$(reader_of 001012 10010627 2)" ] && echo ok ;; *) echo "$nr" ;; esac)"
check_eq "it is reading 3" "$nr" "$(reader_of 001012 10010627 3)"
to=$(for r in r1 r2 r3 r4; do
        [ "$(sql "$db" "SELECT count(*) FROM assignments WHERE department = '001012' AND application_no = '10010627' AND reviewer = '$r'")" = 0 ] && echo "$r"
     done | head -n 1)
check_eq "office: reassign the open reading" "200 $to" \
    "$(send office POST /api/scoring/applications/001012-10010627/reassign "{\"from\": \"$nr\", \"to\": \"$to\"}") $(reader_of 001012 10010627 3)"
check_eq "office: reassign a submitted reading: 409" "409" \
    "$(send office POST /api/scoring/applications/001012-10010627/reassign "{\"from\": \"$(reader_of 001012 10010627 1)\", \"to\": \"$nr\"}")"
check_eq "office: reassign to a reviewer with a conflict (r4, school 073302): 400" "400" \
    "$(send office POST /api/scoring/applications/001012-18010410/reassign "{\"from\": \"$(reader_of 001012 18010410 1)\", \"to\": \"r4\"}")"
expected 001012 1000 2 mean; actual 001012
compare "an unscored extra reading changes no figure" S
check_eq "the office's changes are audited" "office assign_next_reader $nr|office assign_reassign $nr -> $to" \
    "$(sql_eventually "$db" "SELECT group_concat(user || ' ' || action || ' ' || detail, '|') FROM (SELECT * FROM audit_log WHERE application = '001012-10010627' AND action LIKE 'assign_%' ORDER BY id)" \
        "office assign_next_reader $nr|office assign_reassign $nr -> $to")"

# A draft handed on: kept in the history, gone from the sheets.
"$BEISHEN" score 001012-10010627 --db "$db" --reviewer "$to" --as "$to" --set A=優良:85 >/dev/null 2>&1
check_eq "the third reader saves a draft" "draft" "$(sql "$db" "SELECT status FROM score_sheets WHERE application_no = '10010627' AND reviewer = '$to'")"
last=$(for r in r1 r2 r3 r4; do
        [ "$(sql "$db" "SELECT count(*) FROM assignments WHERE department = '001012' AND application_no = '10010627' AND reviewer = '$r'")" = 0 ] && echo "$r"
       done | head -n 1)
check_eq "office: reassign a reading with a draft" "200 $last" \
    "$(send office POST /api/scoring/applications/001012-10010627/reassign "{\"from\": \"$to\", \"to\": \"$last\"}") $(reader_of 001012 10010627 3)"
check_eq "the draft is dropped from the sheets" "0" "$(sql "$db" "SELECT count(*) FROM score_sheets WHERE application_no = '10010627' AND reviewer = '$to'")"
check_eq "and kept in the history: old draft → reassigned" "draft 85 $last office" \
    "$(api office GET /api/scoring/applications/001012-10010627/history >/dev/null
       jq -r --arg r "$to" 'map(select(.reviewer == $r and .action == "reassign"))[0]|"\(.old.status) \(.old.items.A.score) \(.new.reassigned_to) \(.user)"' "$TMP/body")"

# 差分 left to the office (001022: threshold 1.5, no automatic third
# reader), and resolved by the readers revising.
plan "$TMP/plan22.json" 001022 2 1.5 mean false
"$BEISHEN" plan set "$TMP/plan22.json" --db "$db" >/dev/null
expected 001022 150 2 mean; actual 001022
compare "001022, threshold 1.5" S
check_eq "three spreads above 1.50 pending" "10010627 14010174 18010410" \
    "$(jq -r '[.applications[]|select(.pending)|.application_no]|join(" ")' "$TMP/scores.json")"
R14=$(reader_of 001022 14010174 1)
check_eq "office reopens a sheet of 14010174 (API)" "200" "$(send office POST /api/scoring/sheets/001022-14010174/reopen "{\"reviewer\": \"$R14\"}")"
submit_cli 001022 14010174 1
check_eq "submitted again, still apart: no third reader when the plan leaves it to the office" "2" \
    "$(sql "$db" "SELECT count(*) FROM assignments WHERE department = '001022' AND application_no = '14010174'")"
R27=$(reader_of 001022 10010627 1)
"$BEISHEN" score 001022-10010627 --db "$db" --reviewer "$R27" --reopen --revision --as office >/dev/null 2>&1
check_eq "office reopens 10010627 for revision (CLI)" "0" "$?"
sed -i 's/^10010627 1 71 /10010627 1 67 /' "$TMP/vectors-001022.txt"
submit_cli 001022 10010627 1
expected 001022 150 2 mean; actual 001022
compare "001022, after the revision" T S N M R D
check_eq "revised to within the threshold: resolved by revision, decided by the office" "false false revision office" \
    "$(jq -r '.applications[]|select(.application_no == "10010627")|"\(.flagged) \(.pending) \(.resolution.method) \(.resolution.decided_by)"' "$TMP/scores.json")"
check_eq "the audit names the revision" "office score_reopen $R27" \
    "$(sql "$db" "SELECT user || ' ' || action || ' ' || detail FROM audit_log WHERE application = '001022-10010627' AND action = 'score_reopen'")"

kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid"
check_eq "the server stops cleanly" "0" "$?"
server_pid=""
check_not_contains "no sanitizer report from the server" "$TMP/server.err" "Sanitizer"
check_not_contains "no undefined behaviour reported" "$TMP/server.err" "runtime error"
finish
