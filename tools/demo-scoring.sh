#!/bin/sh
# The scoring part of make demo: department 001012's committee.  Loads the
# sample plan, makes three reviewer accounts (demo, demo-reader-b,
# demo-reader-c; random passwords, make serve prints demo's), assigns two
# readers to every application, and scores most sheets the way a committee
# would: each application has a quality, each reader a leniency and some
# noise, and every fourth application divides its readers (deterministic,
# from the application number).  demo's first three open
# sheets stay open for whoever tries the workstation.  Usage: demo-scoring.sh DB
set -e
db=$1
department=001012
./beishen plan set --db "$db" samples/plans/$department.json
for name in demo demo-reader-b demo-reader-c; do
    od -An -N12 -tx1 /dev/urandom | tr -d ' \n' | sed 's/$/\n/' |
        ./beishen user add --db "$db" "$name" --role reviewer --department $department >/dev/null
done
./beishen assign --db "$db" --department $department --seed 1
codes=$(./beishen requirements render --db "$db" $department --json | jq -r '.items[].code')
# One score line per sheet: "application reviewer level:score per item".
score_sheets() {
    ./beishen assign --db "$db" --department $department --list --json |
        jq -r '.[] | select(.status != "submitted") | "\(.application) \(.reviewer)"' |
        awk -v codes="$codes" '
        BEGIN { n = split(codes, code, /[ \n]+/); lenient["demo"] = 3; lenient["demo-reader-b"] = -5; lenient["demo-reader-c"] = 0 }
        function level(s) { return s >= 90 ? "傑出" : s >= 80 ? "優良" : s >= 70 ? "普通" : s >= 60 ? "待加強" : "不佳" }
        {
            split($1, part, "-"); seed = part[2] % 9973
            quality = 62 + (seed * 37) % 31
            # every fourth application divides its readers
            if (seed % 4 == 0) quality += ($2 == "demo-reader-b" ? -9 : 9)
            line = $1 " " $2
            for (i = 1; i <= n; i++) {
                noise = ((seed * (i + 7) + length($2) * 13) % 11) - 5
                s = quality + lenient[$2] + noise
                if (s > 100) s = 100; if (s < 0) s = 0
                line = line " " code[i] "=" level(s) ":" s
            }
            print line
        }'
}
open=0
score_sheets | while read -r application reviewer sets; do
    if [ "$reviewer" = demo ] && [ $open -lt 3 ]; then open=$((open + 1)); continue; fi
    set --
    for s in $sets; do set -- "$@" --set "$s"; done
    ./beishen score --db "$db" "$application" --reviewer "$reviewer" --as "$reviewer" "$@" --submit >/dev/null
done
# Third readers of flagged applications, assigned at once by the plan.
score_sheets | while read -r application reviewer sets; do
    [ "$reviewer" = demo ] && continue
    set --
    for s in $sets; do set -- "$@" --set "$s"; done
    ./beishen score --db "$db" "$application" --reviewer "$reviewer" --as "$reviewer" "$@" --submit >/dev/null
done
./beishen scores --db "$db" --department $department --csv out/scores-$department.csv
./beishen scores --db "$db" --department $department
./beishen render summary --db "$db" --department $department -o out/scores-$department.pdf
for name in demo demo-reader-b demo-reader-c; do
    ./beishen render scoresheet --db "$db" --department $department --reviewer $name -o out/scoresheet-$department-$name.pdf
done
