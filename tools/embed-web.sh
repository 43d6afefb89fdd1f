#!/bin/sh
# Turn the browser UI's files (review/server/web/*) into C arrays so the
# binary serves its UI from wherever it runs.  Usage: embed-web.sh FILE...
echo '/* Generated from review/server/web/ by tools/embed-web.sh: do not edit. */'
echo '#include "server/server.h"'
i=0
for f in "$@"; do
    echo "static const unsigned char asset_$i[] = {"
    od -An -v -tx1 "$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
    echo '};'
    i=$((i + 1))
done
echo 'const struct server_asset server_assets[] = {'
i=0
for f in "$@"; do
    case "$f" in
        *.html) type='text/html; charset=utf-8' ;;
        *.js) type='text/javascript; charset=utf-8' ;;
        *.css) type='text/css; charset=utf-8' ;;
        *.svg) type='image/svg+xml' ;;
        *) type='application/octet-stream' ;;
    esac
    echo "    {\"/$(basename "$f")\", \"$type\", asset_$i, sizeof asset_$i},"
    i=$((i + 1))
done
echo '};'
echo 'const size_t server_asset_count = sizeof server_assets / sizeof server_assets[0];'
