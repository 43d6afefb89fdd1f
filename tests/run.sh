#!/bin/sh
# Runs every test: the C unit tests (build/tests/unit_*) and the end-to-end
# shell tests (tests/e2e_*.sh), then prints the total as "N passed, N failed".
# Environment: BEISHEN (binary under test), BUILD (build directory),
# TESTS=unit to run the unit tests only (make check).
cd "$(dirname "$0")/.." || exit 2
: "${BUILD:=build}"
: "${BEISHEN:=./beishen}"
export BEISHEN BUILD
total_passed=0
total_failed=0
log=$(mktemp)
end_to_end=tests/e2e_*.sh
[ "${TESTS:-}" = unit ] && end_to_end=
for test in "$BUILD"/tests/unit_* $end_to_end; do
    [ -e "$test" ] || continue
    echo "=== $test"
    case "$test" in
        *.sh) sh "$test" >"$log" 2>&1 ;;
        *) "$test" >"$log" 2>&1 ;;
    esac
    status=$?
    cat "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $test: exited $status without a summary line"
        total_failed=$((total_failed + 1))
        continue
    fi
    p=$(echo "$line" | sed 's/ passed.*//')
    f=$(echo "$line" | sed 's/.*passed, \([0-9]*\) failed.*/\1/')
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $test: exited $status"
        f=1
    fi
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
done
rm -f "$log"
echo
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
