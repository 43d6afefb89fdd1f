#!/bin/sh
# The source tree's layers (Makefile, README "Architecture"): every
# #include of a project header names its layer ("store/store.h"), and a
# layer includes only itself and the layers below it:
#   review/core                       (nothing of ours)
#   review/store                      core
#   review/ingest, review/query       core, store
#   review/scoring                    core, store, query
#   review/cli, review/server         core, store, ingest, query, scoring, render, fonts
#   fonts                             core
#   render                            core, fonts (render draws what it is handed)
# ingest and query are siblings and never include each other.  One failing
# check per include that breaks the rule.
. tests/lib.sh

allowed() {
    case "$1" in
        review/core) echo "core" ;;
        review/store) echo "core store" ;;
        review/ingest) echo "core store ingest" ;;
        review/query) echo "core store query" ;;
        review/scoring) echo "core store query scoring" ;;
        review/cli) echo "core store ingest query scoring render fonts cli server" ;;
        review/server) echo "core store ingest query scoring render fonts server" ;;
        fonts) echo "core fonts" ;;
        render) echo "core fonts render" ;;
    esac
}

files=0
for layer in review/core review/store review/ingest review/query review/scoring review/cli review/server fonts render; do
    for file in "$layer"/*.c "$layer"/*.h; do
        [ -f "$file" ] || continue
        files=$((files + 1))
        ok=$(allowed "$layer")
        # Project includes only: "x.h" or "dir/x.h".
        sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file" >"$TMP/includes"
        while read -r included; do
            case "$included" in
                */*) target=${included%%/*} ;;
                *) fail "$file includes \"$included\" without naming its layer"; continue ;;
            esac
            case " $ok " in
                *" $target "*) [ -f "review/$included" ] || [ -f "$included" ] ||
                               fail "$file includes \"$included\", which does not exist" ;;
                *) fail "$file ($layer) includes \"$included\" from a layer above or beside it" ;;
            esac
        done <"$TMP/includes"
    done
done
check "the layers hold $files source files" test "$files" -gt 40
check_eq "no C file outside the layers (but main.c's folder, tests, samples)" "" \
    "$(find review render fonts -name '*.c' | grep -v -E '^(review/(core|store|ingest|query|scoring|cli|server)|render|fonts)/[^/]+\.c$')"
pass "includes checked against the layer rules"

finish
