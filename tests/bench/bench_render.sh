#!/bin/sh
# Review-packet rendering benchmark (run by tests/bench/run.sh with BENCH_DB).
# Figures only, never pass/fail.
#
# `beishen render packet` for the first BENCH_RENDER_APPS (default 1000)
# applications of BENCH_DB, with --jobs 1 and --jobs 2, next to the same
# packets laid out by ReportLab (tests/bench/reportlab_packet.py, Debian's
# python3-reportlab) over the same applications.  Then peak RSS at 100
# applications against the full run, to show it is flat.
#
# Fairness: every application's data is dumped once with
# `beishen show --db DB ID --json` before anything is timed; ReportLab reads
# those files (and the attachments from DB.files), while beishen's own time
# includes its SQLite reads.  ReportLab only lists PDF attachments (it cannot
# draw another PDF's pages) where beishen sanitises them in a child process
# and draws every page, so the packets/s ratio counts that against beishen.
#
# Memory: "peak RSS" is GNU time's %M, the largest single process of the
# tree: beishen's parent waits for its workers and each worker for its
# attachment-sandbox children, so all of them are covered (with --jobs 1 it
# is the one worker's peak).  It is not a sum; "tree PSS" is the largest sum
# of PSS over the whole process tree, sampled from /proc every 0.25 s.
# shellcheck disable=SC2046  # id lists and JSON paths are split into arguments on purpose
cd "$(dirname "$0")/../.." || exit 1
db=${BENCH_DB:-tests/bench/work/bench.db}
apps=${BENCH_RENDER_APPS:-1000}
files="$db.files"
[ -f "$db" ] || { echo "bench_render: no database $db" >&2; exit 1; }
mkdir -p tests/bench/work
tmp=$(mktemp -d tests/bench/work/render.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Sum of PSS (kB) over the process tree rooted at $1.
tree_pss() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            for (p in parent) {
                q = p
                while (q != root && (q in parent) && q > 1)
                    q = parent[q]
                if (q == root)
                    print "/proc/" p "/smaps_rollup"
            }
        }' | xargs cat 2>/dev/null | awk '/^Pss:/ { s += $2 } END { print s + 0 }'
}

# measure COMMAND...: sets secs, rss (kB, GNU time %M), pss (kB, sampled
# tree peak) and status; the command's stderr is kept in $tmp/stderr.
measure() {
    rm -f "$tmp/time"
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/stdout" 2>"$tmp/stderr" &
    pid=$!
    pss=0
    while [ ! -s "$tmp/time" ] && kill -0 "$pid" 2>/dev/null; do
        now=$(tree_pss "$pid")
        [ "$now" -gt "$pss" ] && pss=$now
        sleep 0.25
    done
    wait "$pid"
    status=$?
    # GNU time writes "Command exited with non-zero status N" before the figures.
    read -r secs rss <<EOF
$(tail -n 1 "$tmp/time")
EOF
}

# count DIR: sets packets, pages and bytes of the PDFs in DIR.
count() {
    packets=0 pages=0 bytes=0
    for f in "$1"/*.pdf; do
        [ -f "$f" ] || continue
        n=$(qpdf --show-npages "$f" 2>/dev/null) || n=0
        packets=$((packets + 1))
        pages=$((pages + n))
        bytes=$((bytes + $(wc -c <"$f")))
    done
}

# row LABEL: one line of the table from the last measure and count.
row() {
    awk -v l="$1" -v k="$packets" -v p="$pages" -v b="$bytes" -v s="$secs" -v r="$rss" -v q="$pss" 'BEGIN {
        s = s > 0 ? s : 0.01
        printf "%-20s %7d %7d %8.1f %9.1f %10.2f %8.1f %9.0f %9.0f\n", l, k, p, s, p / s, k / s,
               (p ? b / 1024 / p : 0), r / 1024, q / 1024 }'
}

./beishen applicants --db "$db" --json | jq -r ".[0:$apps][].id" >"$tmp/ids" || exit 1
apps=$(wc -l <"$tmp/ids")
[ "$apps" -gt 0 ] || { echo "bench_render: no applications in $db" >&2; exit 1; }
small=$((apps / 10 > 0 ? apps / 10 : 1))

echo
echo "== render packet: the first $apps applications of $db"
echo "dumping show --json of each application (not timed) ..."
mkdir -p "$tmp/json"
DB=$db DIR="$tmp/json" xargs -P 2 -n 50 sh -c \
    'for id do ./beishen show --db "$DB" "$id" --json >"$DIR/$id.json" || exit 255; done' sh <"$tmp/ids" \
    || { echo "bench_render: beishen show failed" >&2; exit 1; }

printf '%-20s %7s %7s %8s %9s %10s %8s %9s %9s\n' "" packets pages seconds pages/s packets/s KB/page \
    "RSS MB" "tree PSS"

# beishen, --jobs 1 then 2, over every id (a packet that fails costs its time too)
measure ./beishen render packet --db "$db" $(cat "$tmp/ids") -o "$tmp/b1" --jobs 1
count "$tmp/b1"
row "beishen --jobs 1"
b1_pages=$pages b1_packets=$packets b1_secs=$secs b1_bytes=$bytes b1_rss=$rss
sed -n 's/^beishen render: [^ ]*: //p' "$tmp/stderr" | sort | uniq -c >"$tmp/failures"
ls "$tmp/b1" | sed -n 's/\.pdf$//p' >"$tmp/ok"
rm -rf "$tmp/b1"

measure ./beishen render packet --db "$db" $(cat "$tmp/ids") -o "$tmp/b2" --jobs 2
count "$tmp/b2"
row "beishen --jobs 2"
b2_pages=$pages b2_packets=$packets b2_secs=$secs
rm -rf "$tmp/b2"

# ReportLab over the applications beishen rendered, from the dumped JSON
sed "s|^\(.*\)\$|$tmp/json/\1.json|" "$tmp/ok" >"$tmp/ok.json"
measure /usr/bin/python3 tests/bench/reportlab_packet.py --files "$files" --out "$tmp/r1" --jobs 1 \
    $(cat "$tmp/ok.json")
[ "$status" = 0 ] || sed 's/^/  /' "$tmp/stderr" | head -5
count "$tmp/r1"
row "ReportLab, 1 process"
r1_pages=$pages r1_packets=$packets r1_secs=$secs r1_bytes=$bytes
rm -rf "$tmp/r1"

measure /usr/bin/python3 tests/bench/reportlab_packet.py --files "$files" --out "$tmp/r2" --jobs 2 \
    $(cat "$tmp/ok.json")
count "$tmp/r2"
row "ReportLab, 2 procs"
r2_pages=$pages r2_packets=$packets r2_secs=$secs
rm -rf "$tmp/r2"

# peak RSS at a tenth of the applications
head -n "$small" "$tmp/ids" >"$tmp/ids.small"
measure ./beishen render packet --db "$db" $(cat "$tmp/ids.small") -o "$tmp/b3" --jobs 1
count "$tmp/b3"
row "beishen, $small apps"
small_rss=$rss small_pss=$pss
rm -rf "$tmp/b3"

# Pages of applicants' PDFs that beishen draws and ReportLab only lists
# (each occurrence, at most 20 pages per file, as attach.c shows them).
jq -r '.categories[].records[].files[]? | select(.media_type == "application/pdf") | .sha256' \
    $(cat "$tmp/ok.json") >"$tmp/pdfs"
for sha in $(sort -u "$tmp/pdfs"); do
    n=$(pdfinfo "$files/$(echo "$sha" | cut -c1-2)/$sha.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
    echo "$sha ${n:-0}"
done >"$tmp/pdfpages"
attached=$(awk 'NR == FNR { pages[$1] = $2 > 20 ? 20 : $2; next } { s += pages[$1] } END { print s + 0 }' \
    "$tmp/pdfpages" "$tmp/pdfs")

rl_version=$(/usr/bin/python3 -c 'import reportlab; print(reportlab.Version)' 2>/dev/null)
awk -v bp="$b1_pages" -v bk="$b1_packets" -v bs="$b1_secs" -v bb="$b1_bytes" \
    -v cp="$b2_pages" -v ck="$b2_packets" -v cs="$b2_secs" \
    -v rp="$r1_pages" -v rk="$r1_packets" -v rs="$r1_secs" -v rb="$r1_bytes" \
    -v sp="$r2_pages" -v sk="$r2_packets" -v ss="$r2_secs" \
    -v att="$attached" -v n="$apps" -v m="$small" -v big="$b1_rss" -v sm="$small_rss" -v smp="$small_pss" 'BEGIN {
    d = 0.000001
    printf "beishen / ReportLab pages/s:   --jobs 1 %.2fx   --jobs 2 %.2fx   (goal >= 2.5x)\n",
        (bp / (bs + d)) / (rp / (rs + d) + d), (cp / (cs + d)) / (sp / (ss + d) + d)
    printf "beishen / ReportLab packets/s: --jobs 1 %.2fx   --jobs 2 %.2fx   (same packets; beishen also draws the attached PDFs)\n",
        (bk / (bs + d)) / (rk / (rs + d) + d), (ck / (cs + d)) / (sk / (ss + d) + d)
    printf "of beishen'"'"'s %d pages, %d are applicants'"'"' PDF pages, which ReportLab only lists (%d pages without them)\n",
        bp, att, bp - att
    printf "KB per page: beishen %.1f, ReportLab %.1f   (goal for beishen < 60 KB)\n",
        bp ? bb / 1024 / bp : 0, rp ? rb / 1024 / rp : 0
    printf "beishen peak RSS (--jobs 1, the worker): %.0f MB at %d applications, %.0f MB at %d   (goal: flat)\n",
        sm / 1024, m, big / 1024, n
}'
if [ -s "$tmp/failures" ]; then
    echo "beishen packets not written ($((apps - b1_packets)) of $apps with --jobs 1), by message:"
    sed 's/^/  /' "$tmp/failures"
fi
echo "timing: beishen reads SQLite inside its time; ReportLab reads JSON dumped beforehand (not timed)"
echo "RSS MB: GNU time %M, the largest single process of the tree; tree PSS: largest sum over the tree, sampled every 0.25 s"
echo "ReportLab $rl_version, font HanaMinA.ttf (HanaMinB beyond the BMP, no bold); beishen: Beishen Sans/Serif TC (Noto CJK cut at build time to Big5 and the Unified Ideographs, TrueType outlines), full Noto CJK and HanaMin beyond"
exit 0
