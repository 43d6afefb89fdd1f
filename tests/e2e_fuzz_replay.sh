#!/bin/sh
# The fuzz targets' inputs, replayed (tests/fuzz/, README "Fuzzing"):
# every seed (tests/fuzz/corpus/<target>/) and every input that once made
# a target crash and was fixed (tests/fuzz/regressions/<target>/) goes
# through the same entry point libFuzzer calls, built with $(CC) and no
# libFuzzer ($BUILD/fuzz/replay_<target>, main in tests/fuzz/replay.c).
# A target aborts when an input breaks what it checks, so each file is one
# check: the replay exits 0.  Under make asan the replays carry ASan and
# UBSan, as the fuzzers do.  No clang needed.
. tests/lib.sh

targets=0
for source in tests/fuzz/fuzz_*.c; do
    name=$(basename "$source" .c)
    name=${name#fuzz_}
    targets=$((targets + 1))
    replay=$BUILD/fuzz/replay_$name
    if [ ! -x "$replay" ]; then
        fail "replay $name: $replay is built" "run make test (or make $replay)"
        continue
    fi
    seeds=$(ls tests/fuzz/corpus/"$name" 2>/dev/null | wc -l)
    if [ "$seeds" -gt 0 ]; then pass "target $name has $seeds seeds"; else fail "target $name has seeds"; fi
    for input in tests/fuzz/corpus/"$name"/* tests/fuzz/regressions/"$name"/*; do
        [ -f "$input" ] || continue
        if timeout 120 "$replay" "$input" >"$TMP/out" 2>&1; then
            pass "replay $name: $input"
        else
            fail "replay $name: $input (exit $?)" "$(tail -n 15 "$TMP/out")"
        fi
    done
done
[ "$targets" -ge 5 ] && pass "$targets fuzz targets" || fail "5 fuzz targets" "found $targets"
finish
