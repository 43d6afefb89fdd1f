#!/bin/sh
# Hostile clients against the workstation (issue 17, "Hostile clients"),
# on real sockets: build/tests/hostile_client (tests/hostile_client.c)
# for what curl cannot do, loopback addresses 127.0.0.2 and up as other
# clients (Linux routes all of 127/8 to lo).
#  - slowloris: 300 connections sending a header line every 5 s, from one
#    address and spread over 30; a real client is served meanwhile;
#    a connection that never finishes its request is cut at the deadline;
#  - a login flood: one audit row per address and minute, with its count;
#    the journal and the WAL stay small;
#  - failed logins: per account and client, per client, through a trusted
#    proxy's X-Forwarded-For (and not through anyone else's), a correct
#    password from an unrelated client always let in, the account list's
#    lockouts (GET /api/users, beishen user list), unlock by CLI and API;
#  - ~480 query parameters: 414;
#  - a newly loaded requirement list is a new packet (the cache key is the
#    content's hash, and the content holds the list and its version);
#  - the PDF cache beside the database, a killed server's removed at start;
#  - CSV cells that would be formulas are written as text;
#  - a full audit journal while the database is locked: 503, and no view
#    answered without its audit row;
#  - slow readers of a large answer are closed at the idle timeout, and
#    their address can connect again.
# No wall-clock asserts: what is checked is who gets served and what is
# cut, with generous margins.
. tests/lib.sh

CLIENT=$BUILD/tests/hostile_client
server_pid=""
attack_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    [ -n "$attack_pid" ] && kill -KILL "$attack_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if [ ! -x "$CLIENT" ]; then
    fail "$CLIENT is missing (make $CLIENT)"
    finish
    exit 1
fi

# --- data: the browse fixture, one applicant named as a spreadsheet formula --------
FORMULA='=HYPERLINK("http://evil.example/","點我")'
cp -R tests/fixtures/browse "$TMP/package"
file=applications/001012-10000003.json
jq --arg n "$FORMULA" '.student.name = $n | .student.school.name = "+886-2-1234"' \
    "tests/fixtures/browse/$file" >"$TMP/package/$file"
hash=$(sha256sum "$TMP/package/$file" | cut -d' ' -f1)
jq --arg p "$file" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    "$TMP/package/manifest.json" >"$TMP/manifest.json" && mv "$TMP/manifest.json" "$TMP/package/manifest.json"
# 10000004's attachment made 4 MB (a comment line inside the PDF; the
# contract's largest is 4 MiB), for the slow readers.
big=$TMP/big.pdf
{ printf '%%PDF-1.4\n%%'; head -c 4000000 /dev/zero | tr '\0' 'x'; printf '\n'; tail -n +2 tests/fixtures/browse/files/e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2.pdf; } >"$big"
BIG_SHA=$(sha256sum "$big" | cut -d' ' -f1)
BIG_SIZE=$(stat -c %s "$big")
mv "$big" "$TMP/package/files/$BIG_SHA.pdf"
file=applications/001012-10000004.json
jq --arg s "$BIG_SHA" --argjson n "$BIG_SIZE" '(.. | objects | select(.sha256? == "e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2")) |= (.sha256 = $s | .size = $n)' \
    "tests/fixtures/browse/$file" >"$TMP/package/$file"
hash=$(sha256sum "$TMP/package/$file" | cut -d' ' -f1)
jq --arg p "$file" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
    "$TMP/package/manifest.json" >"$TMP/manifest.json" && mv "$TMP/manifest.json" "$TMP/package/manifest.json"
db=$TMP/hostile.db
"$BEISHEN" ingest --db "$db" "$TMP/package" >"$TMP/ingest.out" 2>&1
check_eq "fixture ingests" "loaded 5, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
"$BEISHEN" requirements load --db "$db" samples/requirements/001012.json >/dev/null 2>&1
add() { name=$1; pass=$2; shift 2; printf '%s\n' "$pass" | "$BEISHEN" user add "$name" --db "$db" "$@" >/dev/null 2>&1; }
add rev 'reviewer-pass-1' --role reviewer --department 001012
add victim 'victim-pass-1' --role reviewer --department 001012
add adm 'admin-pass-1' --role admin

# --- CSV formula injection ----------------------------------------------------------------
"$BEISHEN" render compare --db "$db" --department 001012 -o "$TMP/compare.pdf" --csv "$TMP/compare.csv" >/dev/null 2>&1
check_contains "comparison CSV: a name starting with = is text, quoted with a leading '" "$TMP/compare.csv" \
    "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"點我\"\")\""
check_contains "comparison CSV: a school starting with + likewise" "$TMP/compare.csv" ",\"'+886-2-1234\","
check_eq "no cell of the comparison CSV starts a formula" "0" \
    "$(tr ',' '\n' <"$TMP/compare.csv" | grep -c '^[=+@-]')"

# --- the server --------------------------------------------------------------------------------
mkdir -p "$TMP/tmpdir"
# start_server [OPTIONS]: on a free loopback port; sets server_pid, PORT, BASE.
start_server() {
    rm -f "$TMP/server.out"
    TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$TMP/server.out" 2>>"$TMP/server.err" &
    server_pid=$!
    BASE=""
    i=0
    while [ $i -lt 300 ] && [ -z "$BASE" ]; do
        [ -f "$TMP/server.out" ] && BASE=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\/\) .*/\1/p' "$TMP/server.out")
        kill -0 "$server_pid" 2>/dev/null || break
        [ -z "$BASE" ] && sleep 0.1
        i=$((i + 1))
    done
    BASE=${BASE%/}
    PORT=${BASE##*:}
}
stop_server() {
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=""
}
# login NAME PASSWORD [curl options]: the status; the answer in $TMP/NAME.login.
login() {
    name=$1; password=$2; shift 2
    curl -s -c "$TMP/$name.jar" -o "$TMP/$name.login" -w '%{http_code}' -H 'Content-Type: application/json' \
         --data "{\"user\":\"$name\",\"password\":\"$password\"}" "$@" "$BASE/api/login"
}
# via_proxy CLIENT NAME PASSWORD: a login relayed by the trusted proxy 127.0.0.9 for CLIENT.
via_proxy() { client=$1; shift; login "$@" --interface 127.0.0.9 -H "X-Forwarded-For: $client"; }
get() { curl -s -g -o "$TMP/body" -w '%{http_code}' -b "$TMP/$1.jar" "$BASE$2"; }
sql_eventually() {
    tries=0
    while :; do
        value=$(sql "$1" "$2")
        [ "$value" = "$3" ] || [ $tries -ge 100 ] && break
        tries=$((tries + 1))
        sleep 0.1
    done
    printf '%s' "$value"
}

start_server --connections 64 --connections-per-ip 16 --request-timeout 4 --threads 2 --trusted-proxy 127.0.0.9
case "$BASE" in http://127.0.0.1:[0-9]*) pass "server listens ($BASE)" ;;
    *) fail "server did not start" "$(cat "$TMP/server.err")"; finish; exit 1 ;; esac

# --- query parameters ------------------------------------------------------------------------------
many=$(awk 'BEGIN { for (i = 0; i < 480; i++) printf "%sp%d=1", i ? "&" : "", i }')
check_eq "480 query parameters: 414, not silence" "414" \
    "$(curl -s -m 10 -o "$TMP/body" -w '%{http_code}' "$BASE/style.css?$many")"
check_eq "the 414 says why" "too many query parameters" "$(jq -r .error "$TMP/body")"
check_eq "3,000 parameters: 414" "414" \
    "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/style.css?$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%sa", i ? "&" : "" }')")"
few=$(awk 'BEGIN { for (i = 0; i < 32; i++) printf "%sp%d=1", i ? "&" : "", i }')
check_eq "32 parameters are fine" "200" "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/style.css?$few")"
check_eq "a 5,000-byte query: 414" "414" \
    "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/style.css?q=$(head -c 5000 /dev/zero | tr '\0' 'x')")"

# --- slowloris -------------------------------------------------------------------------------------
# 300 connections from 127.0.0.2; a real client (127.0.0.1) asks for the
# style sheet from the 2nd to the 10th second.
# slowloris_with_probe ATTACK_OUT PROBE_OUT SOURCE...: 300 connections from
# the SOURCE addresses, a header line every 5 s, for 14 s; the probe's
# counts in $served and $probe_failed.
slowloris_with_probe() {
    attack_out=$1; probe_out=$2; shift 2
    "$CLIENT" slowloris 127.0.0.1 "$PORT" 14 300 5 "$@" >"$attack_out" &
    attack_pid=$!
    sleep 2
    "$CLIENT" probe 127.0.0.1 "$PORT" 8 127.0.0.1 /style.css >"$probe_out"
    wait "$attack_pid"
    attack_pid=""
    served=$(sed -n 's/^probe: served \([0-9]*\) failed \([0-9]*\)$/\1/p' "$probe_out")
    probe_failed=$(sed -n 's/^probe: served \([0-9]*\) failed \([0-9]*\)$/\2/p' "$probe_out")
}
slowloris_with_probe "$TMP/loris.out" "$TMP/probe.out" 127.0.0.2
check_eq "slowloris from one address: the real client is served throughout ($(cat "$TMP/probe.out"))" "1" \
    "$([ "${served:-0}" -ge 5 ] && [ "${probe_failed:-1}" -eq 0 ] && echo 1)"
open=$(sed -n 's/.* open_at_end \([0-9]*\) .*/\1/p' "$TMP/loris.out")
check_eq "the attacker holds at most 16 connections, the per-address cap ($(cat "$TMP/loris.out"))" "1" \
    "$([ "${open:-999}" -le 16 ] && echo 1)"
refused=$(sed -n 's/.* refused \([0-9]*\) .*/\1/p' "$TMP/loris.out")
check_eq "the rest are refused at once" "1" "$([ "${refused:-0}" -ge 284 ] && echo 1)"
longest=$(sed -n 's/.* longest_cut \([0-9]*\)\..*/\1/p' "$TMP/loris.out")
check_eq "no connection outlives the request deadline (4 s) by much: longest ${longest:-?} s of 14" "1" \
    "$([ -n "$longest" ] && [ "$longest" -ge 3 ] && [ "$longest" -le 10 ] && echo 1)"

# The same spread over 30 addresses, 10 each (under the per-address cap):
# 300 connections against a cap of 64.
sources=$(awk 'BEGIN { for (i = 10; i < 40; i++) printf "127.0.0.%d ", i }')
# shellcheck disable=SC2086  # one argument per address
slowloris_with_probe "$TMP/spread.out" "$TMP/probe2.out" $sources
check_eq "slowloris from 30 addresses over the connection cap: the real client is served ($(cat "$TMP/probe2.out"))" "1" \
    "$([ "${served:-0}" -ge 5 ] && [ "${served:-0}" -gt "${probe_failed:-0}" ] && echo 1)"
cut=$(sed -n 's/.* cut \([0-9]*\) .*/\1/p' "$TMP/spread.out")
check_eq "their connections are cut to make room for new ones ($(cat "$TMP/spread.out"))" "1" \
    "$([ "${cut:-0}" -ge 100 ] && echo 1)"

# One connection that keeps sending header lines, one a second: cut at the
# request deadline (4 s) although it is never idle.
"$CLIENT" slow 127.0.0.1 "$PORT" 20 1 127.0.0.3 >"$TMP/slow.out"
after=$(sed -n 's/^slow: cut after \([0-9]*\)\..*/\1/p' "$TMP/slow.out")
check_eq "a head that never ends is cut at the deadline, though never idle ($(cat "$TMP/slow.out"))" "1" \
    "$([ -n "$after" ] && [ "$after" -ge 3 ] && [ "$after" -lt 15 ] && echo 1)"
check_eq "the server is still serving" "200" "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/style.css")"

# --- failed logins ----------------------------------------------------------------------------------------------
# Behind the trusted proxy 127.0.0.9, clients are told apart by X-Forwarded-For.
statuses=""
for i in 1 2 3 4 5; do statuses="$statuses$(via_proxy 203.0.113.7 rev "wrong-password-$i") "; done
check_eq "five wrong passwords for rev from one client" "401 401 401 401 401 " "$statuses"
check_eq "that client is refused for rev even with the right password (429)" "429" \
    "$(via_proxy 203.0.113.7 rev 'reviewer-pass-1')"
check_eq "rev's own machine, an unrelated client, logs in with the right password" "200" \
    "$(via_proxy 198.51.100.20 rev 'reviewer-pass-1')"
check_eq "the locked-out client can still log in to another account" "200" \
    "$(via_proxy 203.0.113.7 victim 'victim-pass-1')"
# X-Forwarded-For from a peer that is not the trusted proxy is ignored: a
# client cannot pick a new address for each guess.
statuses=""
for i in 1 2 3 4 5; do
    statuses="$statuses$(login victim "wrong-$i" --interface 127.0.0.4 -H "X-Forwarded-For: 192.0.2.$i") "
done
check_eq "five wrong passwords, each with another X-Forwarded-For, from an untrusted peer" \
    "401 401 401 401 401 " "$statuses"
check_eq "the sixth is refused: the forged header did not count" "429" \
    "$(login victim 'victim-pass-1' --interface 127.0.0.4 -H 'X-Forwarded-For: 192.0.2.99')"
# One client trying 30 names is refused for every account.
for i in $(seq 1 30); do via_proxy 203.0.113.8 "guess$i" 'some-password' >/dev/null; done
check_eq "a client with 30 failures is refused even for an account it never tried" "429" \
    "$(via_proxy 203.0.113.8 victim 'victim-pass-1')"
check_eq "while another client behind the same proxy logs in" "200" \
    "$(via_proxy 198.51.100.21 victim 'victim-pass-1')"
check_eq "the refused logins are audited under the client's address, not the proxy's" "1" \
    "$(sql_eventually "$db" "SELECT count(*) >= 1 FROM audit_log WHERE action='login_refused' AND remote='203.0.113.7'" 1)"
check_eq "a login through the proxy is audited under the client's address" "1" \
    "$(sql_eventually "$db" "SELECT count(*) >= 1 FROM audit_log WHERE action='login' AND user='rev' AND remote='198.51.100.20'" 1)"

# Several hops: the nearest that is not a trusted proxy is the client; an
# entry that is not an address ends the walk at the hop before it.
via_proxy "198.51.100.30, 127.0.0.9" victim 'victim-pass-1' >/dev/null
via_proxy "not-an-address, 198.51.100.31" victim 'victim-pass-1' >/dev/null
via_proxy "198.51.100.32, not-an-address" victim 'victim-pass-1' >/dev/null
check_eq "X-Forwarded-For read from the nearest hop outwards" "198.51.100.30 198.51.100.31 127.0.0.9" \
    "$(sql_eventually "$db" "SELECT group_concat(remote, ' ') FROM (SELECT * FROM (SELECT id, remote FROM audit_log WHERE action='login' AND user='victim' ORDER BY id DESC LIMIT 3) ORDER BY id)" "198.51.100.30 198.51.100.31 127.0.0.9")"

# Unlock: the admin's API, then the command line.
check_eq "admin login" "200" "$(login adm 'admin-pass-1')"
csrf=$(jq -r .csrf "$TMP/adm.login")
unlock() { who=$1; whom=$2; shift 2; curl -s -o "$TMP/body" -w '%{http_code}' -X POST -b "$TMP/$who.jar" "$@" "$BASE/api/users/$whom/unlock"; }
check_eq "unlock without the CSRF token: 403" "403" "$(unlock adm rev)"
check_eq "unlock by a reviewer: 403" "403" \
    "$(via_proxy 198.51.100.20 rev 'reviewer-pass-1' >/dev/null; unlock rev rev -H "X-CSRF-Token: $(jq -r .csrf "$TMP/rev.login")")"
check_eq "unlock of no such account: 404" "404" "$(unlock adm nobody -H "X-CSRF-Token: $csrf")"
# The account list says who is locked (rev by 203.0.113.7, victim by the
# untrusted peer 127.0.0.4), until when and after how many failures.
lockout() { jq -r --arg u "$1" '.[] | select(.name == $u) | "\(.failed_logins) \(.locked_clients) \(.locked_until)"' "$TMP/body"; }
until_of() { sql "$db" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at + 901, 'unixepoch') FROM login_failures
                        WHERE user = '$1' ORDER BY at DESC LIMIT 1 OFFSET 4"; }
check_eq "the admin lists the accounts" "200" "$(get adm /api/users)"
check_eq "rev: 5 failed logins, one client locked, until the first of them leaves the window" \
    "5 1 $(until_of rev)" "$(lockout rev)"
check_eq "victim: likewise" "5 1 $(until_of victim)" "$(lockout victim)"
check_eq "adm: no failures, not locked" "0 0 null" "$(lockout adm)"
left=$(( $(date -u -d "$(jq -r '.[] | select(.name == "rev") | .locked_until' "$TMP/body")" +%s) - $(date +%s) ))
check_eq "rev is locked for at most the 15-minute window ($left s left)" "1" "$([ "$left" -gt 0 ] && [ "$left" -le 901 ] && echo 1)"
check_eq "the admin unlocks rev" "200" "$(unlock adm rev -H "X-CSRF-Token: $csrf")"
check_eq "the answer says how many failed logins it cleared" "rev 5" "$(jq -r '"\(.user) \(.cleared)"' "$TMP/body")"
get adm /api/users >/dev/null
check_eq "rev is listed as no longer locked" "0 0 null" "$(lockout rev)"
check_eq "victim still is" "5 1" "$(lockout victim | cut -d' ' -f1,2)"
check_eq "the client that was locked out gets in at once" "200" "$(via_proxy 203.0.113.7 rev 'reviewer-pass-1')"
check_eq "the unlock is audited with what it forgot" "adm|rev: 5 failed logins forgotten" \
    "$(sql_eventually "$db" "SELECT user || '|' || detail FROM audit_log WHERE action='user_unlock'" "adm|rev: 5 failed logins forgotten")"
for i in 1 2 3 4 5; do via_proxy 203.0.113.7 rev "wrong-again-$i" >/dev/null; done
check_eq "locked out again" "429" "$(via_proxy 203.0.113.7 rev 'reviewer-pass-1')"
"$BEISHEN" user list --db "$db" >"$TMP/list.txt"
check_contains "beishen user list says so" "$TMP/list.txt" "locked until $(until_of rev) (5 failed logins)"
check_eq "beishen user unlock" "unlocked rev (5 failed logins forgotten)" "$("$BEISHEN" user unlock rev --db "$db" 2>&1)"
check_eq "and the client gets in" "200" "$(via_proxy 203.0.113.7 rev 'reviewer-pass-1')"
"$BEISHEN" user unlock nobody --db "$db" >/dev/null 2>&1
check_eq "beishen user unlock of no such account fails (exit 1)" "1" "$?"
check_eq "the command line's unlock is audited" "(command line)|rev" \
    "$(sql "$db" "SELECT user || '|' || detail FROM audit_log WHERE action='user_unlock' ORDER BY id DESC LIMIT 1")"

# --- a login flood ----------------------------------------------------------------------------------------------------
# 6 s of wrong passwords from 8 connections of one address (127.0.0.5).
rows_before=$(sql "$db" "SELECT count(*) FROM audit_log")
"$CLIENT" flood 127.0.0.1 "$PORT" 6 8 victim 127.0.0.5 >"$TMP/flood.out"
refusals=$(sed -n 's/.* status 401 \([0-9]*\) 429 \([0-9]*\) other \([0-9]*\);.*/\1 \2 \3/p' "$TMP/flood.out")
set -- $refusals
wrong=${1:-0}; limited=${2:-0}; other=${3:-1}
check_eq "the flood is refused: 5 wrong passwords checked, the rest 429 ($(cat "$TMP/flood.out"))" "5 0" \
    "$wrong $other"
check_eq "thousands of refusals" "1" "$([ "$limited" -ge 1000 ] && echo 1)"
# The flood's rows only (earlier requests' rows may still be on their way
# from the journal), once the first has been imported.
flood_rows() { sql "$db" "SELECT count(*) FROM audit_log WHERE remote = '127.0.0.5'"; }
i=0
while [ "$(flood_rows)" -lt 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check_eq "while it lasts, one or two audit rows (one per address and minute)" "1" \
    "$(n=$(flood_rows); [ "$n" -ge 1 ] && [ "$n" -le 2 ] && echo 1)"
journal=$(cat "$db".audit-journal* | wc -c)
check_eq "the journal stays small ($journal bytes)" "1" "$([ "$journal" -lt 65536 ] && echo 1)"

# --- the WAL is truncated ---------------------------------------------------------------------------------------------
sqlite3 "$db" "CREATE TABLE scratch (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
               INSERT INTO scratch SELECT randomblob(1000) FROM n;"
grown=$(stat -c %s "$db-wal")
check_eq "a burst of writes grows the WAL ($grown bytes)" "1" "$([ "$grown" -gt 8000000 ] && echo 1)"
tries=0
while [ "$(stat -c %s "$db-wal")" -gt 1048576 ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
check_eq "the server checkpoints and truncates it (now $(stat -c %s "$db-wal") bytes)" "1" \
    "$([ "$(stat -c %s "$db-wal")" -le 1048576 ] && echo 1)"

# --- packets and a new requirement list --------------------------------------------------------------------------------
check_eq "reviewer login" "200" "$(login rev 'reviewer-pass-1')"
A=/api/applicants/001012-10000001/packet.pdf
check_eq "packet" "200" "$(get rev $A)"
cp "$TMP/body" "$TMP/packet1.pdf"
check_eq "packet again" "200" "$(get rev $A)"
jq '.items[0].focus = "新版審查重點：快取必須換新"' samples/requirements/001012.json >"$TMP/list2.json"
"$BEISHEN" requirements load --db "$db" "$TMP/list2.json" >/dev/null 2>&1
check_eq "a new list is loaded as version 2" "2" \
    "$(sql "$db" "SELECT max(version) FROM requirement_lists WHERE department='001012'")"
check_eq "packet after the new list" "200" "$(get rev $A)"
cp "$TMP/body" "$TMP/packet2.pdf"
pdftotext "$TMP/packet2.pdf" "$TMP/packet2.txt" 2>/dev/null
check_contains "the packet follows the new list, not a stale one from the cache" "$TMP/packet2.txt" "快取必須換新"
"$BEISHEN" requirements load --db "$db" "$TMP/list2.json" >/dev/null 2>&1
check_eq "the same list again is no new version" "2" \
    "$(sql "$db" "SELECT max(version) FROM requirement_lists WHERE department='001012'")"
get rev $A >/dev/null
check "and the packet is the cached one" cmp "$TMP/body" "$TMP/packet2.pdf"
check_eq "rendered, cached; rendered for list 2, cached" "rendered cached rendered cached" \
    "$(sql_eventually "$db" "SELECT group_concat(detail, ' ') FROM (SELECT detail FROM audit_log WHERE action='packet_pdf' ORDER BY id)" "rendered cached rendered cached")"

# --- the PDF cache beside the database ------------------------------------------------------------------------------
check_eq "the cache is beside the database: one run directory" "1" "$(ls "$db.cache" | grep -c '^run-')"
check_eq "holding the rendered packets" "2" "$(ls "$db.cache"/run-*/packet-*.pdf | wc -l)"
check_eq "nothing in TMPDIR" "0" "$(ls "$TMP/tmpdir" | wc -l)"
stop_server
check_eq "a clean stop removes the cache" "gone" "$([ -e "$db.cache" ] && echo left || echo gone)"
check_eq "the server says what it refused and cut: all three kinds" "1" \
    "$(grep -c 'per-address cap [1-9][0-9]*, cut at the request deadline [1-9][0-9]*, cut to make room at the connection cap [1-9]' "$TMP/server.err")"
# The flood's client stopped with a request in flight on each of its 8
# connections: the server answered up to 8 more than it read.
counted=$(sql "$db" "SELECT sum(count) FROM audit_log WHERE action='login_refused' AND remote='127.0.0.5'")
check_eq "refused logins counted whole at a clean stop: the flood's rows of 127.0.0.5 ($counted; the client read $((wrong + limited)))" \
    "1" "$([ "${counted:-0}" -ge $((wrong + limited)) ] && [ "${counted:-0}" -le $((wrong + limited + 8)) ] && echo 1)"
check_eq "in at most two rows" "1" \
    "$(sql "$db" "SELECT count(*) BETWEEN 1 AND 2 FROM audit_log WHERE action='login_refused' AND remote='127.0.0.5'")"
check_eq "libmicrohttpd's messages about the attack were held to a few a minute" "1" \
    "$([ "$(grep -c 'libmicrohttpd:' "$TMP/server.err")" -le 60 ] && echo 1)"

# A killed server: its packets stay, and the next start removes them.
start_server --trusted-proxy 127.0.0.9
check_eq "reviewer login again" "200" "$(login rev 'reviewer-pass-1')"
check_eq "a packet" "200" "$(get rev /api/applicants/001012-10000002/packet.pdf)"
dead=$(ls -d "$db.cache"/run-*)
"$CLIENT" flood 127.0.0.1 "$PORT" 2 2 victim 127.0.0.6 >"$TMP/flood2.out"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=""
check_eq "a killed server leaves its packet behind" "1" "$(ls "$dead"/packet-*.pdf 2>/dev/null | wc -l)"
start_server
check_eq "the next start removes it" "gone" "$([ -e "$dead" ] && echo left || echo gone)"
check_eq "and makes its own directory" "1" "$(ls "$db.cache" | grep -c '^run-')"
check_eq "a killed server's refused logins still have their row (the minute's first is written at once)" "1" \
    "$(sql "$db" "SELECT count(*) BETWEEN 1 AND 2 AND min(count) >= 1 FROM audit_log WHERE action='login_refused' AND remote='127.0.0.6'")"
stop_server

# --- a full audit journal: 503, never data handed out unrecorded ----------------------------------------------------
# A 16 KiB journal and the database locked for 6 s (as a long ingest or a
# backup might): views fill the journal, then answer 503 with Retry-After
# within about a second each; once the lock goes, 200 again.  Every view
# answered 200 has its audit row.
start_server --audit-journal-max 16
check_eq "reviewer login (journal of 16 KiB)" "200" "$(login rev 'reviewer-pass-1')"
views_before=$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'view_category' AND user = 'rev'")
(printf 'BEGIN EXCLUSIVE;\n'; sleep 6; printf 'COMMIT;\n') | sqlite3 "$db" &
lock_pid=$!
sleep 0.3
: >"$TMP/statuses"
end=$(($(date +%s) + 9))
while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -g -o "$TMP/full.body" -D "$TMP/full.headers" -w '%{http_code}\n' -b "$TMP/rev.jar" \
        "$BASE/api/applicants/001012-10000002/categories/%E5%9F%BA%E6%9C%AC%E8%B3%87%E6%96%99" >>"$TMP/statuses"
    if [ "$(tail -n 1 "$TMP/statuses")" = 503 ] && [ ! -f "$TMP/busy.headers" ]; then
        cp "$TMP/full.headers" "$TMP/busy.headers"; cp "$TMP/full.body" "$TMP/busy.body"
    fi
done
wait "$lock_pid"
answered=$(grep -c '^200$' "$TMP/statuses")
check_eq "views while the journal fills: 200 ($(sort "$TMP/statuses" | uniq -c | tr '\n' ' '))" "1" \
    "$([ "$answered" -ge 50 ] && echo 1)"
check_eq "then, the journal full and the database locked: 503" "1" "$(grep -q '^503$' "$TMP/statuses" && echo 1)"
check_eq "never a 500" "0" "$(grep -vc '^200$\|^503$' "$TMP/statuses")"
check_eq "503 says when to try again" "5" "$(grep -i '^retry-after:' "$TMP/busy.headers" | tr -d '\r' | sed 's/^[^:]*: *//')"
check_eq "and that the server is busy" "busy; try again shortly" "$(jq -r .error "$TMP/busy.body")"
check_eq "after the lock, the last views are answered again" "200" "$(tail -n 1 "$TMP/statuses")"
check_eq "every view answered 200 has its audit row" "$answered" \
    "$(sql_eventually "$db" "SELECT count(*) - $views_before FROM audit_log WHERE action = 'view_category' AND user = 'rev'" "$answered")"
stop_server

# --- slow readers ----------------------------------------------------------------------------------------------------
# Three clients of one address (its cap: 3 connections) each ask for a
# 4 MB attachment and read it 256 bytes a second through a 4 KiB window.
# The kernel takes what its send buffer holds; the rest waits in the
# server, which cannot write while the client reads that slowly, so the
# idle timeout (3 s here) closes the connection: the address can connect
# again, and no reader ever gets the whole answer.
start_server --timeout 3 --connections-per-ip 3
check_eq "reviewer login (idle timeout 3 s)" "200" "$(login rev 'reviewer-pass-1')"
cookie=$(awk '$6 == "beishen_session" { print $6 "=" $7 }' "$TMP/rev.jar")
check_eq "the 4 MB attachment, read at full speed" "200 $BIG_SIZE" "$(get rev "/api/files/$BIG_SHA") $(stat -c %s "$TMP/body")"
readers=""
for i in 1 2 3; do
    "$CLIENT" slowread 127.0.0.1 "$PORT" 10 "/api/files/$BIG_SHA" "$cookie" >"$TMP/slowread.$i" &
    readers="$readers $!"
done
sleep 1
"$CLIENT" probe 127.0.0.1 "$PORT" 1 127.0.0.1 /style.css >"$TMP/slowread-probe-during.out"
sleep 4
"$CLIENT" probe 127.0.0.1 "$PORT" 2 127.0.0.1 /style.css >"$TMP/slowread-probe.out"
for pid in $readers; do wait "$pid"; done
check_eq "while they hold its 3 connections, the address is refused ($(cat "$TMP/slowread-probe-during.out"))" "refused" \
    "$(sed -n 's/^probe: served 0 failed [1-9][0-9]*$/refused/p' "$TMP/slowread-probe-during.out")"
check_eq "after the idle timeout the address is served again ($(cat "$TMP/slowread-probe.out"))" "served" \
    "$(sed -n 's/^probe: served [1-9][0-9]* failed 0$/served/p' "$TMP/slowread-probe.out")"
for i in 1 2 3; do
    check_eq "slow reader $i never had the whole answer ($(cat "$TMP/slowread.$i"))" "1" \
        "$(awk '/^slowread: (open|cut) after/ { if ($7 + 0 < '"$BIG_SIZE"') print 1 }' "$TMP/slowread.$i")"
done
stop_server
check_eq "nothing in TMPDIR at the end" "0" "$(ls "$TMP/tmpdir" | wc -l)"
check_not_contains "no sanitizer report" "$TMP/server.err" "Sanitizer"
check_not_contains "no undefined behaviour" "$TMP/server.err" "runtime error"
finish
