# tests/lib.sh — shared helpers for the end-to-end shell tests.
# Each test script sources this, calls check/check_eq/... and ends with
# `finish`, which prints "N passed, N failed" and sets the exit status.
# BEISHEN is the binary under test (./beishen, or the ASan build).

: "${BEISHEN:=./beishen}"
: "${BUILD:=build}"
# The example export package: the project's own fixture, made once by
# build/generate and committed (see tests/fixtures/README.md).
EXAMPLE=tests/fixtures/round-small
passed=0
failed=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/beishen-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '     %s\n' "$2"; return 0; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
    name=$1; shift
    if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected [$2], got [$3]"; fi
}

# check_contains NAME FILE TEXT: the file has a line containing TEXT (fixed string).
check_contains() {
    if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "[$3] not found in $2: $(head -c 600 "$2")"; fi
}

check_not_contains() {
    if grep -qF -- "$3" "$2"; then fail "$1" "[$3] found in $2"; else pass "$1"; fi
}

# sql DB QUERY: one value
# A busy timeout: a test reads while a server writes.
sql() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$1" "$2"; }

# dump_neutral DB: the database content with packages.source_path and packages.ingested_at
# left out (and blind_secret, random per database by design, and the
# blind review numbers it orders: which applications have one, and that
# each department's run 1..n): every other table dumped, plus the rest of
# packages.
dump_neutral() {
    dump_tables=$(sql "$1" "SELECT name FROM sqlite_master WHERE type = 'table'
                            AND name NOT LIKE 'sqlite_%' AND name NOT IN ('packages', 'blind_secret', 'blind_numbers')
                            ORDER BY name" | tr '\n' ' ')
    sqlite3 -batch "$1" ".dump $dump_tables"
    sql "$1" "SELECT manifest_sha256, round, exported_at, university_code, university_name
              FROM packages ORDER BY id"
    sql "$1" "SELECT department, application_no FROM blind_numbers ORDER BY 1, 2"
    sql "$1" "SELECT department, min(number), max(number), count(*), count(DISTINCT number) FROM blind_numbers
              GROUP BY department ORDER BY department"
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
