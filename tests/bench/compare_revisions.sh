#!/bin/sh
# Two builds of beishen side by side on the same generated round: ingest,
# browsing (build/bench/browse), packets and the comparison sheet, each
# timed alternately (old, new, old, new …) so that the machine's slow
# moments fall on both.  Figures only, never pass/fail.
#
#   sh tests/bench/compare_revisions.sh OLD_TREE NEW_TREE
#
# Each tree is a checkout that has been built (`make all` and the bench
# binaries: `make build/bench/browse`).  BENCH_APPS (default 1000)
# applications, seed 7; BENCH_RUNS (default 3) runs of each timing;
# BENCH_PACKETS (default 100) packets rendered with --jobs 1.
set -e
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
apps=${BENCH_APPS:-1000}
runs=${BENCH_RUNS:-3}
packets=${BENCH_PACKETS:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/beishen-revisions.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$new/build/generate" --seed 7 --apps "$apps" --out "$work/round" >/dev/null
echo "== $apps applications (seed 7); old: $old ($(git -C "$old" rev-parse --short HEAD)), new: $new ($(git -C "$new" rev-parse --short HEAD))"

# seconds TREE COMMAND...: runs COMMAND in TREE, prints its wall seconds.
seconds() {
    tree=$1; shift
    /usr/bin/time -f '%e' -o "$work/time" sh -c "cd '$tree' && $*" >"$work/out" 2>"$work/err" ||
        { cat "$work/err" >&2; exit 1; }
    cat "$work/time"
}
# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# side NAME COMMAND: COMMAND (with $db, the tree's own database) timed
# alternately in both trees; prints both medians and the ratio.
side() {
    name=$1; command=$2
    : >"$work/old.times"; : >"$work/new.times"
    i=0
    while [ $i -lt "$runs" ]; do
        db=$work/old.db seconds "$old" "db=$work/old.db; $command" >>"$work/old.times"
        db=$work/new.db seconds "$new" "db=$work/new.db; $command" >>"$work/new.times"
        i=$((i + 1))
    done
    o=$(median <"$work/old.times"); n=$(median <"$work/new.times")
    printf '%-34s old %7.2f s   new %7.2f s   new/old %.2f   (runs: old %s; new %s)\n' "$name" "$o" "$n" \
        "$(echo "$n $o" | awk '{ print $1 / $2 }')" "$(tr '\n' ' ' <"$work/old.times")" "$(tr '\n' ' ' <"$work/new.times")"
}

side "ingest, fresh database" "rm -rf \$db \$db-wal \$db-shm \$db.files; ./beishen ingest --db \$db $work/round"
side "re-ingest, unchanged" "./beishen ingest --db \$db $work/round"
for tree in "$old" "$new"; do
    db=$work/$( [ "$tree" = "$old" ] && echo old || echo new ).db
    (cd "$tree" && ./beishen requirements load --db "$db" samples/requirements/*.json >/dev/null)
done
ids=$(cd "$new" && ./beishen applicants --db "$work/new.db" --json | jq -r ".[0:$packets][].id" | tr '\n' ' ')
side "$packets packets, --jobs 1" "rm -rf $work/p; ./beishen render packet --db \$db $ids -o $work/p --jobs 1"
department=$(cd "$new" && ./beishen applicants --db "$work/new.db" --json | jq -r 'group_by(.department) | max_by(length) | .[0].department')
side "comparison sheet of $department" "./beishen render compare --db \$db --department $department -o $work/c.pdf --csv $work/c.csv"
for tree in "$old" "$new"; do
    db=$work/$( [ "$tree" = "$old" ] && echo old || echo new ).db
    echo "-- browse ($( [ "$tree" = "$old" ] && echo old || echo new ))"
    (cd "$tree" && build/bench/browse "$db" | grep -E 'switch|distribution|listing' | head -6)
done
# Byte-identical outputs: what changed is the code, not what it makes.
for tree in old new; do
    dir=$( [ "$tree" = old ] && echo "$old" || echo "$new" )
    (cd "$dir" && ./beishen render compare --db "$work/$tree.db" --department "$department" \
        -o "$work/$tree-compare.pdf" --csv "$work/$tree-compare.csv" >/dev/null 2>&1)
done
for kind in pdf csv; do
    if cmp -s "$work/old-compare.$kind" "$work/new-compare.$kind"; then echo "comparison sheet ($kind): byte-identical"
    else echo "comparison sheet ($kind): DIFFERS"; fi
done
for id in $(echo "$ids" | cut -d' ' -f1-5); do
    (cd "$old" && ./beishen render packet --db "$work/old.db" "$id" -o "$work/old-$id.pdf" >/dev/null 2>&1)
    (cd "$new" && ./beishen render packet --db "$work/new.db" "$id" -o "$work/new-$id.pdf" >/dev/null 2>&1)
    if cmp -s "$work/old-$id.pdf" "$work/new-$id.pdf"; then echo "packet $id: byte-identical"; else echo "packet $id: DIFFERS"; fi
done
