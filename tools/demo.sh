#!/bin/sh
# make demo: ingest the bundled sample round into out/demo.db and show what a
# reviewer would see first.  Later steps render the PDFs into out/.
set -e
cd "$(dirname "$0")/.."
mkdir -p out
rm -rf out/demo.db out/demo.db-wal out/demo.db-shm out/demo.db.files
db=out/demo.db
echo "== ingest samples/round-115 into $db"
./beishen ingest --db "$db" samples/round-115
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
echo "Database: $db  (try: ./beishen show --db $db $first)"
