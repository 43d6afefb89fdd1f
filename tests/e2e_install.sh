#!/bin/sh
# `make install` and what it installs (Makefile, block "install"): the
# binary finds its fonts beside it (<bin>/../share/beishen/fonts) and never
# in the build tree, so it renders with the build tree's fonts hidden, after
# its prefix is moved, and from any directory, and fails plainly without
# them; DESTDIR staging and uninstall; the man pages (groff warnings, a page
# for every command, every option of every --help in its page); the systemd
# unit (systemd-analyze verify and security, and its ExecStart run for real
# with TLS).  The build tree's fonts are hidden in a private mount namespace
# (unshare -m), never moved.
. tests/lib.sh

server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ROOT=$(pwd)
# make from inside make test: not the parent's jobserver.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD=build "$@"; }

# --- install into a temporary prefix ---------------------------------------------------
PREFIX=$TMP/prefix
mk install PREFIX="$PREFIX" >"$TMP/install.log" 2>&1
check_eq "make install PREFIX=… succeeds" "0" "$?"
[ -x "$PREFIX/bin/beishen" ] && pass "the binary is in PREFIX/bin" || fail "no PREFIX/bin/beishen" "$(tail -5 "$TMP/install.log")"
fonts_same=0
for f in build/fonts/Beishen*.ttf; do
    cmp -s "$f" "$PREFIX/share/beishen/fonts/$(basename "$f")" && fonts_same=$((fonts_same + 1))
done
check_eq "the four Beishen faces are in PREFIX/share/beishen/fonts, byte for byte" "4" "$fonts_same"
pages=$(ls man/*.1 man/*.5 | wc -l | tr -d ' ')
check_eq "every man page is installed ($pages)" "$pages" \
    "$(ls "$PREFIX/share/man/man1" "$PREFIX/share/man/man5" | grep -c '^beishen')"
check "the systemd unit is installed" test -f "$PREFIX/lib/systemd/system/beishen.service"
check "the sysusers file is installed" test -f "$PREFIX/lib/sysusers.d/beishen.conf"
check "the reverse proxy example is installed" test -f "$PREFIX/share/doc/beishen/beishen.conf"
check_eq "the unit's ExecStart names the installed binary" "1" \
    "$(grep -c "^ExecStart=$PREFIX/bin/beishen serve " "$PREFIX/lib/systemd/system/beishen.service")"
check_eq "the uninstalled binary knows the build tree's font directory (control)" "1" \
    "$(grep -q -F "$ROOT/build/fonts" "$BEISHEN" && echo 1 || echo 0)"
check_eq "the installed binary does not: it never reads the build tree" "0" \
    "$(grep -c -F "$ROOT/build/fonts" "$PREFIX/bin/beishen")"

# --- relocated, run from elsewhere, the build tree's fonts hidden -----------------------
mv "$PREFIX" "$TMP/moved"
MOVED=$(cd "$TMP/moved" && pwd -P)
INSTALLED=$MOVED/bin/beishen
mkdir -p "$TMP/elsewhere"
(cd "$TMP/elsewhere" && "$INSTALLED" check) >"$TMP/check.out" 2>&1
check_eq "installed beishen check, prefix moved, run elsewhere: exit 0" "0" "$?"
check_contains "it reads the faces beside the binary" "$TMP/check.out" "Beishen faces in $MOVED/share/beishen/fonts"

FIXTURE=$ROOT/tests/fixtures/browse
cat >"$TMP/hidden.sh" <<EOF
set -u
mount -t tmpfs none "$ROOT/build/fonts" || exit 90
echo "build fonts visible: \$(ls "$ROOT/build/fonts" | wc -l)"
cd "$TMP/elsewhere" || exit 91
"$ROOT/$BEISHEN" check >uninstalled.out 2>&1; echo "uninstalled check: \$?"
"$INSTALLED" ingest --db elsewhere.db "$FIXTURE" >/dev/null 2>&1; echo "ingest: \$?"
"$INSTALLED" render packet --db elsewhere.db 001012-10000001 -o packet.pdf >render.out 2>&1; echo "render: \$?"
EOF
case "$BEISHEN" in /*) sed -i "s|\"$ROOT/$BEISHEN\"|\"$BEISHEN\"|" "$TMP/hidden.sh" ;; esac
if unshare -m sh "$TMP/hidden.sh" >"$TMP/hidden.out" 2>&1; then
    check_contains "in the namespace the build tree's fonts are hidden" "$TMP/hidden.out" "build fonts visible: 0"
    check_contains "there the uninstalled binary cannot find its fonts (control)" "$TMP/hidden.out" "uninstalled check: 1"
    check_contains "the installed binary ingests from another directory" "$TMP/hidden.out" "ingest: 0"
    check_contains "and renders a packet" "$TMP/hidden.out" "render: 0"
else
    # No mount namespace (no CAP_SYS_ADMIN): the build tree stays visible;
    # the grep above already shows the installed binary cannot name it.
    echo "note: unshare -m failed ($(tail -n 1 "$TMP/hidden.out")); rendering without hiding the build tree's fonts"
    (cd "$TMP/elsewhere" && "$INSTALLED" ingest --db elsewhere.db "$FIXTURE" >/dev/null 2>&1 &&
        "$INSTALLED" render packet --db elsewhere.db 001012-10000001 -o packet.pdf >render.out 2>&1)
    check_eq "the installed binary renders a packet from another directory" "0" "$?"
fi
pdffonts "$TMP/elsewhere/packet.pdf" >"$TMP/pdffonts.out" 2>&1
check_eq "the packet embeds Beishen Sans TC (Regular and Bold)" "2" \
    "$(grep ' yes ' "$TMP/pdffonts.out" | grep -oE 'BeishenSansTC-(Regular|Bold)' | sort -u | wc -l | tr -d ' ')"
check_eq "every font of the packet is embedded" "0" "$(tail -n +3 "$TMP/pdffonts.out" | awk '{print $(NF-4)}' | grep -vc yes)"

# Without its fonts, it says where it looked and fails; the build tree is
# visible here, and it still does not fall back to it.
mv "$MOVED/share/beishen/fonts" "$TMP/fonts.away"
(cd "$TMP/elsewhere" && "$INSTALLED" check) >"$TMP/nofonts.out" 2>&1
check_eq "installed beishen check without its fonts: exit 1" "1" "$?"
check_contains "the message names where the faces belong" "$TMP/nofonts.out" "$MOVED/bin/../share/beishen/fonts"
check_not_contains "and not the build tree" "$TMP/nofonts.out" "$ROOT/build"
(cd "$TMP/elsewhere" && "$INSTALLED" render packet --db elsewhere.db 001012-10000001 -o again.pdf) >/dev/null 2>&1
check_eq "render packet without the fonts: exit 1" "1" "$?"
check "and no PDF" test ! -e "$TMP/elsewhere/again.pdf"
mv "$TMP/fonts.away" "$MOVED/share/beishen/fonts"

# --- DESTDIR staging, uninstall -----------------------------------------------------------
mk install DESTDIR="$TMP/stage" PREFIX=/opt/beishen >"$TMP/stage.log" 2>&1
check_eq "make install DESTDIR=… PREFIX=/opt/beishen" "0" "$?"
check_eq "the staged unit names the final path, not the stage" "1" \
    "$(grep -c '^ExecStart=/opt/beishen/bin/beishen serve ' "$TMP/stage/opt/beishen/lib/systemd/system/beishen.service")"
(cd "$TMP/elsewhere" && "$TMP/stage/opt/beishen/bin/beishen" check) >"$TMP/staged.out" 2>&1
check_eq "the staged binary finds its fonts too" "0" "$?"
mk uninstall DESTDIR="$TMP/stage" PREFIX=/opt/beishen >"$TMP/uninstall.log" 2>&1
check_eq "make uninstall" "0" "$?"
check_eq "nothing is left but empty directories" "" "$(find "$TMP/stage" ! -type d)"

# --- man pages ---------------------------------------------------------------------------
# page NAME: the man/ file documenting NAME, through a .so alias.
page() {
    file=man/$1
    [ -f "$file" ] || { echo ""; return; }
    target=$(sed -n 's|^\.so man[0-9]/\(.*\)$|\1|p' "$file")
    if [ -n "$target" ]; then echo "man/$target"; else echo "$file"; fi
}
for file in man/*.1 man/*.5; do
    if grep -q '^\.so ' "$file"; then
        target=$(page "$(basename "$file")")
        [ -f "$target" ] && pass "$file is an alias of $target" || fail "$file names a missing page"
        continue
    fi
    groff -k -man -Tutf8 -ww -z "$file" >"$TMP/groff.out" 2>&1
    check_eq "groff -man -ww: $file renders without a warning" "0:" "$?:$(cat "$TMP/groff.out")"
    lines=$(man -l "$file" 2>/dev/null | grep -c .)
    check "man -l $file: NAME and ${lines} lines" test "$lines" -gt 12
done
commands=$("$BEISHEN" help | sed -n 's/^  \([a-z]*\) .*/\1/p')
check "beishen help lists the commands" test "$(echo "$commands" | wc -l)" -ge 19
for c in $commands; do
    p=$(page "beishen-$c.1")
    if [ -z "$p" ]; then fail "no man page for beishen $c"; continue; fi
    check "$p has beishen $c in its synopsis" grep -q "^\.B beishen $c\( \|\$\)" "$p"
    "$BEISHEN" "$c" --help >"$TMP/help.txt" 2>&1
    case $c in render) for s in packet compare scoresheet; do "$BEISHEN" render "$s" --help >>"$TMP/help.txt" 2>&1; done ;; esac
    missing=""
    for option in $(grep -o -- '--[a-z][a-z-]*' "$TMP/help.txt" | grep -v '^--help$' | sort -u); do
        escaped=$(printf '%s' "$option" | sed 's/-/\\\\-/g')
        grep -q -- "$escaped" "$p" || missing="$missing $option"
    done
    check_eq "every option of beishen $c --help is in $p" "" "$missing"
done
MANPATH=$MOVED/share/man man -w beishen-purge >"$TMP/manw.out" 2>&1
check_eq "man finds beishen-purge in the installed prefix" "$MOVED/share/man/man1/beishen-purge.1" "$(cat "$TMP/manw.out")"
MANPATH=$MOVED/share/man man beishen-restore 2>/dev/null | grep -q 'BEISHEN-BACKUP(1)'
check_eq "man beishen-restore shows the backup page (alias)" "0" "$?"
MANPATH=$MOVED/share/man man 5 beishen-review-plan 2>/dev/null | grep -q 'closest-two'
check_eq "man 5 beishen-review-plan" "0" "$?"

# --- the systemd unit ------------------------------------------------------------------
# Back where it was installed: the unit names that path.
mv "$MOVED" "$PREFIX"
UNIT=$PREFIX/lib/systemd/system/beishen.service
if command -v systemd-analyze >/dev/null 2>&1; then
    # The paths in ExecStart are checked for existence; man: links with man.
    MANPATH=$PREFIX/share/man systemd-analyze verify "$UNIT" >"$TMP/verify.out" 2>&1
    check_eq "systemd-analyze verify: no complaint" "0:" "$?:$(grep -v '^$' "$TMP/verify.out")"
    systemd-analyze security --offline=true "$UNIT" >"$TMP/security.out" 2>&1
    exposure=$(sed -n 's/.*Overall exposure level for beishen.service: \([0-9.]*\).*/\1/p' "$TMP/security.out")
    check "systemd-analyze security: exposure ${exposure:-?} (at most 2.0 of 10)" \
        awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.0) }'
else
    echo "note: systemd-analyze is not installed; the unit's syntax is checked below only"
fi
for key in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes CapabilityBoundingSet= \
           StateDirectory=beishen User=beishen SystemCallFilter=@system-service MemoryDenyWriteExecute=yes; do
    check_eq "the unit sets $key" "1" "$(grep -c "^$key\$" "$UNIT")"
done
# Its ExecStart, run for real: %d (the credentials directory) holds the
# certificate and key, the database is the test's, port 0 instead of 8443.
mkdir -p "$TMP/credentials" "$TMP/pdfcache"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/credentials/tls-key" -out "$TMP/credentials/tls-cert" \
    -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
command=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed -e "s|%d|$TMP/credentials|g" \
    -e "s|/var/lib/beishen/beishen.db|$TMP/elsewhere/elsewhere.db|" -e 's|:8443|:0|')
: >"$TMP/unit.out"
# shellcheck disable=SC2086
TMPDIR=$TMP/pdfcache $command >"$TMP/unit.out" 2>"$TMP/unit.err" &
server_pid=$!
URL=""
i=0
while [ $i -lt 100 ] && [ -z "$URL" ]; do
    URL=$(sed -n 's/^beishen serve: listening on https:\/\/0\.0\.0\.0:\([0-9]*\)\/ .*/https:\/\/127.0.0.1:\1/p' "$TMP/unit.out")
    kill -0 "$server_pid" 2>/dev/null || break
    [ -z "$URL" ] && sleep 0.1
    i=$((i + 1))
done
case "$URL" in https://*) pass "the unit's command line starts the server with TLS on every address" ;;
    *) fail "the unit's command line did not start" "$(cat "$TMP/unit.out" "$TMP/unit.err")" ;; esac
check_eq "it answers over TLS with the certificate it was given" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/credentials/tls-cert" "$URL/")"
kill -TERM "$server_pid"
wait "$server_pid"
check_eq "SIGTERM (systemd's KillSignal) stops it cleanly" "0" "$?"
server_pid=""

finish
