#!/bin/sh
# make demo: ingest the bundled sample round into out/demo.db, load the
# departments' required-item lists, render every packet, each department's
# published list and comparison sheet into out/, score department
# 001012 as a committee would (tools/demo-scoring.sh), and show what a
# reviewer would see first.
set -e
cd "$(dirname "$0")/.."
mkdir -p out
rm -rf out/demo.db out/demo.db-wal out/demo.db-shm out/demo.db.files out/demo.db.audit-journal out/demo.db.cache out/packets out/*.pdf out/*.csv
db=out/demo.db
echo "== ingest samples/round-115 into $db"
./beishen ingest --db "$db" samples/round-115
echo
echo "== load the departments' required-item lists"
./beishen requirements load --db "$db" samples/requirements/*.json
echo
echo "== applicants of 001012 (sorted by average)"
./beishen applicants --db "$db" --department 001012 --sort average
first=$(./beishen applicants --db "$db" --department 001012 --source portfolio --json | jq -r '.[0].id')
echo
echo "== categories of $first"
./beishen categories --db "$db" "$first"
echo
echo "== $first, category 部定必修-數學"
./beishen show --db "$db" --category 部定必修-數學 "$first" || true
echo
echo "== render"
for department in $(sqlite3 "$db" "SELECT code FROM departments ORDER BY code"); do
    ./beishen render packet --db "$db" --department "$department" -o out/packets --jobs 2
    ./beishen requirements render --db "$db" "$department" -o "out/requirements-$department.pdf"
    ./beishen render compare --db "$db" --department "$department" \
        -o "out/compare-$department.pdf" --csv "out/compare-$department.csv"
done
echo
echo "== review scoring in 001012: plan, two readers each, the committee's scores"
sh tools/demo-scoring.sh "$db"
echo
echo "packets:               out/packets/ ($(ls out/packets | wc -l) PDFs)"
echo "required-item lists:   $(ls out/requirements-*.pdf | tr '\n' ' ')"
echo "comparison sheets:     $(ls out/compare-*.pdf out/compare-*.csv | tr '\n' ' ')"
echo "scores:                $(ls out/scores-* out/scoresheet-* | tr '\n' ' ')"
echo
echo "Database: $db  (try: ./beishen show --db $db $first)"
echo "Next: make serve   (the reviewers' workstation in a browser, with a demo account)"
