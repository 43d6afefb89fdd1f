#!/bin/sh
# Browsing benchmark on the ingested bench database (run by tests/bench/run.sh).
echo
echo "== browse (in-process library calls) on $BENCH_DB"
build/bench/browse "$BENCH_DB"
echo "goals: category switch p99 < 1 ms; all distributions of a department < 100 ms"
