#!/bin/sh
# End-to-end tests of the review packet PDF (issue: review packet): the real
# binary renders packets of the hand-made fixture (tests/fixtures/browse) and
# of the example package (tests/fixtures/round-small, made by build/generate),
# and the PDFs are checked with qpdf, pdffonts, pdftotext and pdfimages.
. tests/lib.sh
db=$TMP/render.db
out=$TMP/out
"$BEISHEN" ingest --db "$db" tests/fixtures/browse "$EXAMPLE" >/dev/null 2>&1
# 5 applications in the fixture, 10 in the example
check_eq "fixture and example ingest" "15" "$(sql "$db" 'SELECT count(*) FROM applications')"

R() { "$BEISHEN" render packet --db "$db" "$@"; }
R 001012-10000001 -o "$TMP/a.pdf" 2>"$TMP/a.err"
check_eq "packet renders (exit 0)" "0" "$?"
check "qpdf --check passes" qpdf --check "$TMP/a.pdf"
pdffonts "$TMP/a.pdf" | tail -n +3 >"$TMP/fonts.txt"
check_eq "pdffonts: every font embedded" "0" "$(awk '$(NF-4) != "yes"' "$TMP/fonts.txt" | wc -l)"
check_eq "pdffonts: every font a subset" "0" "$(awk '$(NF-3) != "yes"' "$TMP/fonts.txt" | wc -l)"
# The packet sets its text in the Beishen faces only (fonts/subset.py cuts
# them from Noto CJK): at least Sans Regular and Sans Bold, each listed as an
# embedded subset with a six-letter tag (ABCDEF+BeishenSansTC-Bold), and no
# font from anywhere else.
fonts_named() { awk -v re="^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z][+]$1\$" '$1 ~ re && $(NF-4) == "yes" && $(NF-3) == "yes"' "$TMP/fonts.txt" | wc -l; }
check "pdffonts: Beishen Sans TC Regular embedded as a subset ($(fonts_named BeishenSansTC-Regular) entries)" \
  test "$(fonts_named BeishenSansTC-Regular)" -ge 1
check "pdffonts: Beishen Sans TC Bold embedded as a subset ($(fonts_named BeishenSansTC-Bold) entries)" \
  test "$(fonts_named BeishenSansTC-Bold)" -ge 1
check_eq "pdffonts: every font is a tagged subset of one of the four Beishen faces" "" \
  "$(awk '$1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z][+]Beishen(Sans|Serif)TC-(Regular|Bold)$/ { print $1 }' "$TMP/fonts.txt")"
check_eq "pdffonts: the Beishen faces embed as TrueType (fonts/subset.py)" "0" \
  "$(grep Beishen "$TMP/fonts.txt" | grep -v -c TrueType)"
check "pdffonts: the Beishen faces are used" grep -q Beishen "$TMP/fonts.txt"
# A zlib stream's second byte tells its level: 0x01 fastest (the level
# layout.c sets for Cairo), 0x9C zlib's default.
streams() { LC_ALL=C grep -a -A1 '^stream$' "$1" | LC_ALL=C grep -a -c "^$(printf "x$2")"; }
check_eq "no stream compressed at zlib's default level" "0" "$(streams "$TMP/a.pdf" '\234')"
check "streams compressed at zlib level 1" test "$(streams "$TMP/a.pdf" '\001')" -gt 10
pdftotext "$TMP/a.pdf" "$TMP/a.txt"
check_contains "name in text" "$TMP/a.txt" "王小明"
check_contains "masked ID in text" "$TMP/a.txt" "A*****6789"
check_not_contains "full national ID never in text" "$TMP/a.txt" "A123456789"
check_contains "course name in text" "$TMP/a.txt" "社會議題探究"
check_contains "score in text" "$TMP/a.txt" "88"
check_contains "makeup score shown" "$TMP/a.txt" "65"
"$BEISHEN" show --db "$db" 001012-10000001 --category 部定必修-數學 --json >"$TMP/math.json"
pr=$(jq -r '.categories[0].records[0].pool_percentile' "$TMP/math.json")
pool_n=$(jq -r '.categories[0].records[0].pool_n' "$TMP/math.json")
# The fixture's pools are small: under 10 rows the packet says n過少 instead.
if [ "$pool_n" -lt 10 ]; then
    check_contains "pool of $pool_n rows: n過少 shown (as show marks it)" "$TMP/a.txt" "n過少"
    check_eq "show keeps the figure in JSON ($pr) and marks it too small" "true" \
        "$(jq -r '.categories[0].records[0].pool_too_small' "$TMP/math.json")"
else
    check_contains "pool percentile shown (as show computes it: $pr)" "$TMP/a.txt" "$pr"
fi
check_contains "cohort rank shown" "$TMP/a.txt" "前91%"
check_contains "uncertified badge" "$TMP/a.txt" "未認證"
check_contains "completeness warning for blank statements" "$TMP/a.txt" "空白或未提供"
check_contains "statement text typeset" "$TMP/a.txt" "我的心得"
check_contains "semester averages" "$TMP/a.txt" "學期加權平均"
check_contains "course-plan data reachable" "$TMP/a.txt" "課綱摘要"
check_contains "script title shown as text" "$TMP/a.txt" "<script>alert(1)</script>"

qpdf --json --json-key=outlines "$TMP/a.pdf" >"$TMP/outline.json"
check_eq "outline: one bookmark per item present" "封面,A 修課紀錄,B 書面報告,N 多元表現綜整心得,R 其他有利審查資料,S 作品集" \
  "$(jq -r '[.outlines[].title]|join(",")' "$TMP/outline.json")"
check_eq "outline: A has a child per course category (and the course plans)" \
  "部定必修-國語文,部定必修-數學,選修-加深加廣選修-領域A1,選修-多元選修-不分領域,選修-多元選修-社會領域,彈性學習時間,課程計畫資料" \
  "$(jq -r '[.outlines[]|select(.title=="A 修課紀錄").kids[].title]|join(",")' "$TMP/outline.json")"
check_eq "page labels per item" "u:封面-,u:A-,u:B-,u:N-,u:R-,u:S-" \
  "$(qpdf --json --json-key=pagelabels "$TMP/a.pdf" | jq -r '[.pagelabels[].label["/P"]]|join(",")')"

R 001012-10000001 -o "$TMP/a2.pdf" 2>/dev/null
check "two renders are byte-identical" cmp "$TMP/a.pdf" "$TMP/a2.pdf"

# Extension B (𠮷) and A (䶮) names: the render fails on any unknown glyph
R 001012-10000002 -o "$TMP/ext.pdf" 2>"$TMP/ext.err"
check_eq "Extension B name renders with zero unknown glyphs" "0" "$?"
check_not_contains "no unknown-glyph report" "$TMP/ext.err" "without a glyph"
pdftotext "$TMP/ext.pdf" - | grep -q "李美𠮷"
check_eq "Extension B name extractable" "0" "$?"
R 001012-10000003 -o "$TMP/exta.pdf" 2>/dev/null
pdftotext "$TMP/exta.pdf" - | grep -q "陳䶮"
check_eq "Extension A name renders" "0" "$?"

# Self-made PDF application: the band on every page
R 001012-10000004 -o "$TMP/self.pdf" 2>/dev/null
pages=$(pdfinfo "$TMP/self.pdf" | awk '/^Pages:/ {print $2}')
with_band=0
for p in $(seq 1 "$pages"); do
    pdftotext -f "$p" -l "$p" "$TMP/self.pdf" - | grep -q "自行上傳PDF：無教師認證、無時點歷程紀錄" && with_band=$((with_band + 1))
done
check_eq "self-made band on every page ($pages pages)" "$pages" "$with_band"
pdftotext "$TMP/self.pdf" "$TMP/self.txt"
check_contains "self-made cover says so" "$TMP/self.txt" "本申請者以「自行上傳PDF」提供審查資料"

# The example: images present, PDF attachments drawn.  001022-18010410 cites
# 4 PDFs (its 3 course outcomes' reports and its item Q).
R 001022-18010410 -o "$TMP/ex.pdf" 2>/dev/null
check "example packet passes qpdf --check" qpdf --check "$TMP/ex.pdf"
check_eq "example: no attachment placeholder" "0" "$(pdftotext "$TMP/ex.pdf" - | grep -c '附件無法顯示')"
# Each PDF attachment's first page lands on the first packet page labelled
# with its name, with that file's own page-1 text (its objects are copied
# in).  pdftotext puts the label's name and page number on separate lines.
# The text looked for is the 4th non-empty line of the file's page 1: the
# generator's documents open with titles and headings (some generic, some
# the same as the packet's own headings); the 4th is body text, one line per
# file (checked distinct below).
ex_pages=$(qpdf --show-npages "$TMP/ex.pdf")
expected=0 placed=0
: >"$TMP/wants.txt"
for pair in $(jq -r '[.. | objects | select(.media_type? == "application/pdf")][] | "\(.name)=\(.sha256)"' \
    "$EXAMPLE/applications/001022-18010410.json"); do
    name=${pair%%=*} sha=${pair#*=}
    want=$(pdftotext -f 1 -l 1 "$EXAMPLE/files/$sha.pdf" - | grep -v '^[[:space:]]*$' | sed -n 4p)
    echo "$want" >>"$TMP/wants.txt"
    expected=$((expected + 1))
    for p in $(seq 1 "$ex_pages"); do
        pdftotext -f "$p" -l "$p" "$TMP/ex.pdf" "$TMP/page.txt"
        if grep -qF "附件：$name" "$TMP/page.txt"; then
            [ -n "$want" ] && grep -qF -- "$want" "$TMP/page.txt" && placed=$((placed + 1))
            break
        fi
    done
done
check "example: has PDF attachments" test "$expected" -gt 3
check_eq "example: the text looked for is distinct and non-empty for each PDF attachment" "$expected" \
    "$(grep -v '^$' "$TMP/wants.txt" | sort -u | wc -l | tr -d ' ')"
check_eq "example: every PDF attachment's first page shows its own text under its label" "$expected" "$placed"
# 001012-18010409 cites a PNG and 3 JPEGs (in its outcomes and performances)
R 001012-18010409 -o "$TMP/img.pdf" 2>/dev/null
pdfimages -list "$TMP/img.pdf" >"$TMP/images.txt"
check "image attachments present (pdfimages)" test "$(tail -n +3 "$TMP/images.txt" | wc -l)" -gt 0
images_jpeg=$(jq -r '.course_outcomes[].files[],.performances[].files[]|select(.media_type=="image/jpeg")|.sha256' \
  "$EXAMPLE/applications/001012-18010409.json" | wc -l)
check "the image packet's application has JPEG attachments ($images_jpeg)" test "$images_jpeg" -gt 0
check "JPEG embedded as DCT (bytes as they are)" grep -q " jpeg " "$TMP/images.txt"

# A corrupt PDF attachment: placeholder, and the other packets still render
bad=$TMP/badpkg
cp -r tests/fixtures/browse "$bad"
printf '%%PDF-1.4\n%%garbage that is not a PDF at all\n' >"$TMP/bad.pdf"
sha=$(sha256sum "$TMP/bad.pdf" | cut -d' ' -f1)
size=$(wc -c <"$TMP/bad.pdf")
cp "$TMP/bad.pdf" "$bad/files/$sha.pdf"
# add_bad_upload APPLICATION NAME: the corrupt file joins the application's
# item R under NAME, and the manifest gets the application's new hash.
add_bad_upload() {
    app="$bad/applications/$1.json"
    jq --arg sha "$sha" --argjson size "$size" --arg name "$2" \
      '.uploads += [{"item":"R","title":"其他有利審查資料","text":null,"files":[{"sha256":$sha,"name":$name,"media_type":"application/pdf","size":$size}]}]' \
      "$app" >"$TMP/app.json" && mv "$TMP/app.json" "$app"
    newsha=$(sha256sum "$app" | cut -d' ' -f1)
    jq --arg sha "$newsha" --arg path "applications/$1.json" '(.applications[]|select(.path==$path)).sha256 = $sha' \
      "$bad/manifest.json" >"$TMP/m.json" && mv "$TMP/m.json" "$bad/manifest.json"
}
add_bad_upload 001012-10000003 壞掉的檔案.pdf
# The same bytes under another name in a second application: a worker
# sanitises them once and reuses the outcome, which must still carry the
# second application's own file name.
add_bad_upload 001012-10000002 同一個壞檔.pdf
bdb=$TMP/bad.db
"$BEISHEN" ingest --db "$bdb" "$bad" >/dev/null 2>&1
check_eq "corrupt-attachment package ingests (it is a valid PDF by magic)" "5" "$(sql "$bdb" 'SELECT count(*) FROM applications')"
"$BEISHEN" render packet --db "$bdb" --department 001012 -o "$out" --jobs 2 2>"$TMP/batch.err"
check_eq "batch still succeeds with a corrupt attachment" "0" "$?"
check_eq "every packet of the department written" "4" "$(ls "$out"/*.pdf | wc -l)"
pdftotext "$out/001012-10000003.pdf" "$TMP/bad.txt"
check_contains "placeholder for the corrupt PDF" "$TMP/bad.txt" "附件無法顯示"
check_contains "placeholder names the file" "$TMP/bad.txt" "壞掉的檔案.pdf"
check_contains "placeholder gives the SHA-256" "$TMP/bad.txt" "$sha"
check_eq "no temporary files left behind" "0" "$(ls -a "$out" | grep -c tmp)"
check "batch output passes qpdf --check" qpdf --check "$out/001012-10000003.pdf"

# jobs 1 and jobs 2 give the same bytes
"$BEISHEN" render packet --db "$bdb" --department 001012 -o "$TMP/j1" --jobs 1 2>/dev/null
same=0
for f in "$out"/*.pdf; do cmp -s "$f" "$TMP/j1/$(basename "$f")" || same=1; done
check_eq "--jobs 1 and --jobs 2 give identical files" "0" "$same"
pdftotext "$TMP/j1/001012-10000002.pdf" "$TMP/bad2.txt"
pdftotext "$TMP/j1/001012-10000003.pdf" "$TMP/bad3.txt"
check_contains "shared corrupt file: first packet names its file" "$TMP/bad2.txt" "同一個壞檔.pdf"
check_contains "shared corrupt file: the reused outcome names the second packet's file" "$TMP/bad3.txt" "壞掉的檔案.pdf"
check_eq "and not the first packet's name" "0" "$(grep -c '同一個壞檔' "$TMP/bad3.txt")"
"$BEISHEN" render packet --db "$bdb" 001012-10000003 -o "$TMP/alone.pdf" 2>/dev/null
check "a packet rendered alone equals the same packet rendered after others in one worker (shared file outcome, kept layouts)" \
  cmp -s "$TMP/alone.pdf" "$TMP/j1/001012-10000003.pdf"

# A self-made application whose course records came along (sample 10010461):
# it renders, and is reviewed on its uploads only
sdb=$TMP/samples.db
"$BEISHEN" ingest --db "$sdb" samples/round-115 >/dev/null 2>&1
check "sample 001012-10010461 is self-made with course records" \
  test "$("$BEISHEN" applicants --db "$sdb" --source self_made_pdf --json | jq '.[]|select(.id=="001012-10010461").course_count')" -gt 0
"$BEISHEN" render packet --db "$sdb" 001012-10010461 -o "$TMP/selfcourses.pdf" 2>"$TMP/selfcourses.err"
check_eq "self-made packet with course records renders" "0" "$?"
check_eq "its outline holds only uploaded items" "0" \
  "$(qpdf --json --json-key=outlines "$TMP/selfcourses.pdf" | jq -r '.outlines[].title' | grep -c '必修')"

R 99999999 -o "$TMP/none.pdf" 2>/dev/null
check_eq "unknown application: exit 1" "1" "$?"
check "and no output file" test ! -e "$TMP/none.pdf"
R 001012-10000001 2>/dev/null
check_eq "missing -o is a usage error" "2" "$?"

# --- a whole round in shards (render packet --all --shard K/N) ---------------------------
R --all -o "$TMP/whole" --jobs 2 >/dev/null 2>&1
check_eq "--all renders every application" "15" "$(ls "$TMP/whole" | wc -l)"
for k in 1 2 3 4; do
    R --all --shard "$k/4" -o "$TMP/shard-$k" >/dev/null 2>&1
    check_eq "shard $k/4 exits 0" "0" "$?"
done
check_eq "shards are disjoint and cover the round" "15 15" \
  "$(ls "$TMP"/shard-* | grep -c '[.]pdf$') $(ls "$TMP"/shard-* | grep '[.]pdf$' | sort -u | wc -l)"
check_eq "shard sizes differ by at most one (4,4,4,3)" "4 4 4 3" \
  "$(for k in 1 2 3 4; do ls "$TMP/shard-$k" | wc -l; done | tr '\n' ' ' | sed 's/ $//')"
same=0
for f in "$TMP"/whole/*.pdf; do
    name=$(basename "$f")
    for k in 1 2 3 4; do
        [ -f "$TMP/shard-$k/$name" ] && cmp -s "$f" "$TMP/shard-$k/$name" && same=$((same + 1))
    done
done
check_eq "the union of the shards is byte-identical to one run" "15" "$same"
# the Slurm example as task 2 of 4 (beishen found on PATH, as installed)
mkdir -p "$TMP/bin" && ln -sf "$(cd "$(dirname "$BEISHEN")" && pwd)/$(basename "$BEISHEN")" "$TMP/bin/beishen"
PATH="$TMP/bin:$PATH" SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 SLURM_CPUS_PER_TASK=1 \
    sh contrib/batch/render-slurm.sh "$db" "$TMP/slurm" >/dev/null 2>&1
check_eq "the Slurm example renders its share" "$(ls "$TMP/shard-2" | tr '\n' ' ')" "$(ls "$TMP/slurm/shard-2" 2>/dev/null | tr '\n' ' ')"
R --all --shard 5/4 -o "$TMP/shard-bad" 2>/dev/null
check_eq "--shard K/N with K > N is a usage error" "2" "$?"
R --all --department 001012 -o "$TMP/both" 2>/dev/null
check_eq "--all with --department is a usage error" "2" "$?"
finish
