#!/bin/sh
# The reverse-proxy set-up: beishen serve on loopback with --secure-cookies
# --trusted-proxy 127.0.0.1, behind nginx running the shipped
# contrib/nginx/beishen.conf (only its ports, certificate paths and
# upstream port changed, in a copy, wrapped in an http block) with a
# self-signed certificate made here.  Clients are curl over HTTPS from
# loopback addresses 127.0.0.2 and up (Linux routes all of 127/8 to lo),
# the host name review.example.edu.tw sent to nginx's ports (--connect-to).
# Checked: TLS 1.2 and 1.3 and HTTP/2; Strict-Transport-Security; plain
# HTTP redirected to HTTPS, a login sent that way never passed on; the
# session cookie Secure and HttpOnly; CSRF-protected POST, PUT and DELETE;
# a note of the largest size through nginx, a body over beishen's 16 KiB
# refused by nginx with beishen's answer (never 502);
# PDFs and an attachment whole (pdfinfo, the bytes beishen sends); the
# client's real address in the audit log and the failed-login records, a
# forged X-Forwarded-For believed from no one (nginx replaces it); the
# failed-login limit per real client, not per proxy; many connections at
# once from the proxy (exempt from the per-address cap); a client sending
# its request slower than beishen's --request-timeout still served (nginx
# reads requests whole first); no upstream error in nginx's log.
# nginx is part of `make test`'s packages: without it this test fails.
. tests/lib.sh

server_pid=""
nginx_pid=""
N=$TMP/nginx          # nginx's prefix: its configuration, certificate, logs, temporary files
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    if [ -n "$nginx_pid" ]; then
        # SIGTERM: the master ends its workers and removes its pid file;
        # a master that does not is killed with them.
        workers=$(ps -o pid= --ppid "$nginx_pid" 2>/dev/null)
        kill -TERM "$nginx_pid" 2>/dev/null
        i=0
        while [ -e "$N/nginx.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        [ -e "$N/nginx.pid" ] && kill -KILL "$nginx_pid" $workers 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

NGINX=$(command -v nginx 2>/dev/null)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
    fail "nginx is installed (make test installs $(sed -n 's/^NGINX_DEB *:= *//p' Makefile))"
    finish
    exit 1
fi
pass "nginx is installed ($("$NGINX" -v 2>&1))"
CONF=contrib/nginx/beishen.conf
HOST=review.example.edu.tw

# --- data and accounts ------------------------------------------------------------------
db=$TMP/proxy.db
"$BEISHEN" ingest --db "$db" tests/fixtures/browse >"$TMP/ingest.out" 2>&1
check_eq "fixture ingests" "loaded 5, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
for name in rev rev2 rev3 rev6 target; do
    printf '%s-pass-1\n' "$name" | "$BEISHEN" user add "$name" --role reviewer --department 001012 --db "$db" >/dev/null 2>&1
done
check_eq "five reviewer accounts" "5" "$(sql "$db" "SELECT count(*) FROM users")"

# A certificate for the configured server_name.
mkdir -p "$N" "$TMP/tmpdir"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$N/key.pem" -out "$N/fullchain.pem" -days 2 \
    -subj "/CN=$HOST" -addext "subjectAltName=DNS:$HOST" >/dev/null 2>&1
check_eq "openssl made a self-signed certificate for $HOST" "0" "$?"

# --- beishen -------------------------------------------------------------------------------
# --connections-per-ip 2 and --request-timeout 3: small, so that the checks
# of the proxy's exemption and of nginx's buffering need few connections
# and few seconds.
TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 --secure-cookies --trusted-proxy 127.0.0.1 \
    --connections-per-ip 2 --request-timeout 3 >"$TMP/server.out" 2>"$TMP/server.err" &
server_pid=$!
DIRECT=""
i=0
while [ $i -lt 300 ] && [ -z "$DIRECT" ]; do
    DIRECT=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\)\/ .*/\1/p' "$TMP/server.out")
    kill -0 "$server_pid" 2>/dev/null || break
    [ -z "$DIRECT" ] && sleep 0.1
    i=$((i + 1))
done
case "$DIRECT" in http://127.0.0.1:[0-9]*) pass "beishen listens on loopback ($DIRECT)" ;;
    *) fail "beishen did not start" "$(cat "$TMP/server.out" "$TMP/server.err")"; finish; exit 1 ;; esac
UPSTREAM=${DIRECT#http://127.0.0.1:}

# --- nginx with the shipped configuration --------------------------------------------------
# Two free ports (for HTTPS and HTTP), free on ::1 as well when the machine has IPv6.
python3 - >"$TMP/ports" <<'EOF'
import socket
held, ports, v6 = [], [], True
try:
    s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.close()
except OSError:
    v6 = False
while len(ports) < 2:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); held.append(s)
    port = s.getsockname()[1]
    if v6:
        t = socket.socket(socket.AF_INET6)
        try:
            t.bind(("::1", port)); held.append(t)
        except OSError:
            continue
    ports.append(port)
print(ports[0], ports[1], "v6" if v6 else "v4")
EOF
read -r HTTPS_PORT HTTP_PORT FAMILY <"$TMP/ports"
check "two free ports ($HTTPS_PORT, $HTTP_PORT; $FAMILY)" test -n "$HTTP_PORT"
if [ "$FAMILY" = v6 ]; then v6_https="listen [::1]:$HTTPS_PORT ssl http2;"; v6_http="listen [::1]:$HTTP_PORT;"
else v6_https=""; v6_http=""; fi
# The shipped file with only these lines changed; each must be found.
sed -e "s|^\( *\)listen 443 ssl http2;|\1listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
    -e "s|^\( *\)listen \[::\]:443 ssl http2;|\1$v6_https|" \
    -e "s|^\( *\)listen 80;|\1listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|^\( *\)listen \[::\]:80;|\1$v6_http|" \
    -e "s|/etc/beishen/tls/fullchain.pem;|$N/fullchain.pem;|" \
    -e "s|/etc/beishen/tls/key.pem;|$N/key.pem;|" \
    -e "s|proxy_pass http://127.0.0.1:8080;|proxy_pass http://127.0.0.1:$UPSTREAM;|" \
    "$CONF" >"$N/beishen.conf"
check_eq "the test's copy differs from $CONF in the ports, certificate paths and upstream only" "7" \
    "$(diff "$CONF" "$N/beishen.conf" | grep -c '^>')"
check_eq "and nothing of the originals is left in it" "0" \
    "$(grep -v '^ *#' "$N/beishen.conf" | grep -c -E -e '[ :]443[ ;]' -e '[ :]80;' -e /etc/beishen -e ':8080;')"
# The file is server blocks for nginx.conf's http block: wrapped in one,
# with everything else nginx writes kept in $N.
user=""
[ "$(id -u)" = 0 ] && user="user root root;"
cat >"$N/nginx.conf" <<EOF
$user
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log warn;
events { worker_connections 256; }
http {
    access_log $N/access.log;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    include $N/beishen.conf;
}
EOF
"$NGINX" -t -q -p "$N" -e "$N/error.log" -c "$N/nginx.conf" >"$TMP/nginx-t.out" 2>&1
check_eq "nginx -t accepts the configuration" "0" "$?"
"$NGINX" -p "$N" -e "$N/error.log" -c "$N/nginx.conf" -g 'daemon off;' >"$TMP/nginx.out" 2>&1 &
nginx_pid=$!

# cx CURL-ARGS...: curl to nginx, the certificate checked against the one made above.
cx() {
    curl -s -g -m 60 --cacert "$N/fullchain.pem" --connect-to "$HOST:443:127.0.0.1:$HTTPS_PORT" \
        --connect-to "$HOST:80:127.0.0.1:$HTTP_PORT" "$@"
}
S=https://$HOST
# req CLIENT METHOD PATH [CURL-ARGS]: from loopback address CLIENT; the body
# in $TMP/body, the headers in $TMP/headers; prints the status.
req() {
    client=$1; method=$2; path=$3; shift 3
    cx --interface "$client" -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$S$path"
}
header() { grep -i "^$1:" "$TMP/headers" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
# login CLIENT NAME PASSWORD [CURL-ARGS]: cookies in $TMP/NAME.jar, headers in $TMP/headers.
login() {
    client=$1; name=$2; password=$3; shift 3
    req "$client" POST /api/login -c "$TMP/$name.jar" -H 'Content-Type: application/json' \
        --data "{\"user\":\"$name\",\"password\":\"$password\"}" "$@"
}
csrf_of() { jq -r .csrf "$TMP/$1.login"; }
# sql_eventually SQL EXPECTED: audit rows reach audit_log from the journal a
# moment after the answer.
sql_eventually() {
    tries=0
    while :; do
        value=$(sql "$db" "$1")
        [ "$value" = "$2" ] || [ $tries -ge 50 ] && break
        tries=$((tries + 1))
        sleep 0.1
    done
    printf '%s' "$value"
}

i=0
code=000
while [ $i -lt 100 ] && [ "$code" != 200 ]; do
    code=$(cx -o /dev/null -w '%{http_code}' "$S/")
    kill -0 "$nginx_pid" 2>/dev/null || break
    [ "$code" != 200 ] && sleep 0.1
    i=$((i + 1))
done
if [ "$code" = 200 ]; then pass "nginx serves beishen's page over HTTPS, the certificate checked"
else fail "nginx did not start" "$(cat "$TMP/nginx-t.out" "$TMP/nginx.out" "$N/error.log" 2>/dev/null | tail -n 20)"; finish; exit 1; fi

# --- TLS, HSTS, plain HTTP ------------------------------------------------------------------
check_eq "HTTP/2 is spoken (listen ... http2)" "2" "$(cx -o /dev/null -w '%{http_version}' "$S/")"
check_eq "HTTP/1.1 too" "200 1.1" "$(cx --http1.1 -o /dev/null -w '%{http_code} %{http_version}' "$S/")"
check_eq "TLS 1.3 is spoken" "200" "$(cx --tlsv1.3 -o /dev/null -w '%{http_code}' "$S/")"
check_eq "TLS 1.2 is spoken" "200" "$(cx --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$S/")"
# The client allows them (security level 0): only nginx's ssl_protocols refuses.
cx -o /dev/null --tlsv1.0 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0 "$S/" 2>/dev/null
check "TLS 1.0 and 1.1 are refused" test "$?" -ne 0
check_eq "a client that does not trust the certificate fails (curl 60)" "60" \
    "$(curl -s -o /dev/null --connect-to "$HOST:443:127.0.0.1:$HTTPS_PORT" "$S/"; echo $?)"
req 127.0.0.2 GET / >/dev/null
check_eq "answers carry Strict-Transport-Security, once" "1" "$(grep -ci '^Strict-Transport-Security: max-age=31536000' "$TMP/headers")"
check_eq "errors too (401 without a session)" "401 1" \
    "$(req 127.0.0.2 GET /api/session) $(grep -ci '^Strict-Transport-Security: max-age=31536000' "$TMP/headers")"
check_eq "beishen's own headers pass through (nosniff)" "nosniff" "$(header X-Content-Type-Options)"
req 127.0.0.2 GET / >/dev/null
check_contains "and its content security policy" "$TMP/headers" "script-src 'self'"
code=$(cx --interface 127.0.0.2 -o /dev/null -D "$TMP/headers" -w '%{http_code}' "http://$HOST/api/applicants?department=001012")
check_eq "plain HTTP is redirected to HTTPS: 301" "301" "$code"
check_eq "to the same host and path" "https://$HOST/api/applicants?department=001012" "$(header Location)"
check_eq "following the redirect ends on the page over HTTPS" "200 $S/ 1" \
    "$(cx -L -o /dev/null -w '%{http_code} %{url_effective} %{num_redirects}' "http://$HOST/")"
logins_before=$(sql "$db" "SELECT count(*) FROM audit_log WHERE action='login'")
code=$(cx --interface 127.0.0.2 -o /dev/null -D "$TMP/headers" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"user":"rev","password":"rev-pass-1"}' "http://$HOST/api/login")
check_eq "a login sent over plain HTTP is answered 301, with no cookie" "301 0" "$code $(grep -ci '^Set-Cookie' "$TMP/headers")"
sleep 0.5
check_eq "and never reached beishen (no login row)" "$logins_before" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action='login'")"

# --- login, cookie, session -----------------------------------------------------------------
check_eq "login through the proxy" "200" "$(login 127.0.0.2 rev rev-pass-1)"
cp "$TMP/body" "$TMP/rev.login"
cookie=$(grep -i '^Set-Cookie: beishen_session=' "$TMP/headers" | tr -d '\r')
case "$cookie" in *"; Secure"*) pass "the session cookie is Secure (--secure-cookies)" ;; *) fail "no Secure on the cookie" "$cookie" ;; esac
case "$cookie" in *HttpOnly*) pass "and HttpOnly" ;; *) fail "no HttpOnly on the cookie" "$cookie" ;; esac
case "$cookie" in *SameSite=Strict*) pass "and SameSite=Strict" ;; *) fail "no SameSite=Strict on the cookie" "$cookie" ;; esac
check_eq "curl keeps it as a secure cookie for $HOST" "$HOST TRUE" \
    "$(awk '$6 == "beishen_session" { sub(/^#HttpOnly_/, "", $1); print $1, $4 }' "$TMP/rev.jar")"
R="-b $TMP/rev.jar"
check_eq "the session works through the proxy" "200 rev" \
    "$(req 127.0.0.2 GET /api/session $R) $(jq -r .user "$TMP/body" 2>/dev/null)"
check_eq "the list of applications" "200 4" "$(req 127.0.0.2 GET '/api/applicants?department=001012' $R) $(jq length "$TMP/body" 2>/dev/null)"

# --- CSRF-protected changes, request bodies -----------------------------------------------------
NA=/api/applicants/001012-10000001/notes
CSRF=$(csrf_of rev)
note() { jq -n --arg t "$1" '{text: $t, shared: false}'; }
check_eq "a note without the CSRF header: 403" "403" \
    "$(req 127.0.0.2 POST $NA $R -H 'Content-Type: application/json' --data "$(note x)")"
check_eq "a note with it: 201" "201" \
    "$(req 127.0.0.2 POST $NA $R -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data "$(note '經由代理寫的註記')")"
note_id=$(jq -r .id "$TMP/body")
check_eq "edited (PUT): 200" "200 改過" \
    "$(req 127.0.0.2 PUT $NA/$note_id $R -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
        --data '{"version":1,"text":"改過","shared":false}') $(jq -r .text "$TMP/body")"
check_eq "deleted (DELETE): 200" "200" "$(req 127.0.0.2 DELETE $NA/$note_id $R -H "X-CSRF-Token: $CSRF")"
# The largest note, 4,000 characters of three bytes: a body of 12 KB, more
# than nginx keeps in memory (it goes through client_body_temp_path).
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "審" }' >"$TMP/long.txt"
note "$(cat "$TMP/long.txt")" >"$TMP/long.json"
check_eq "the largest note ($(wc -c <"$TMP/long.json") bytes) passes nginx: 201, kept whole" "201 4000" \
    "$(req 127.0.0.2 POST $NA $R -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data-binary @"$TMP/long.json") \
$(sql "$db" "SELECT length(text) FROM notes WHERE author='rev' ORDER BY id DESC LIMIT 1")"
# Larger bodies: nginx refuses them at beishen's limit, 16 KiB, with
# beishen's answer (beishen refuses them unread, and nginx, still sending,
# would answer 502).  Exactly 16 KiB reaches beishen (not JSON: 400).
body() { head -c "$1" /dev/zero | tr '\0' 'a' >"$TMP/body.$1"; }
body 16384; body 16385; body 20000
check_eq "a body of 16,384 bytes reaches beishen (malformed JSON: 400, beishen's headers)" "400 nosniff" \
    "$(req 127.0.0.2 POST /api/login -H 'Content-Type: application/json' --data-binary @"$TMP/body.16384") $(header X-Content-Type-Options)"
check_eq "one of 16,385 bytes: 413 from nginx (no beishen header), beishen's JSON answer" "413 request body too large " \
    "$(req 127.0.0.2 POST /api/login -H 'Content-Type: application/json' --data-binary @"$TMP/body.16385") \
$(jq -r .error "$TMP/body" 2>/dev/null) $(header X-Content-Type-Options)"
check_eq "as JSON" "application/json; charset=utf-8" "$(header Content-Type)"
statuses=""
for i in 1 2 3 4 5 6 7 8 9 10; do
    statuses="$statuses$(req 127.0.0.2 POST /api/login -H 'Content-Type: application/json' --data-binary @"$TMP/body.20000") "
done
check_eq "ten bodies of 20 KB: 413 each, never 502" "413 413 413 413 413 413 413 413 413 413 " "$statuses"
check_eq "a chunked one over HTTP/1.1: 413" "413" \
    "$(req 127.0.0.2 POST /api/login --http1.1 -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary @"$TMP/body.20000")"

# --- PDFs and files arrive whole ----------------------------------------------------------------
A=/api/applicants/001012-10000001
check_eq "the packet through the proxy" "200 application/pdf" "$(req 127.0.0.2 GET $A/packet.pdf $R) $(header Content-Type)"
cp "$TMP/body" "$TMP/packet.pdf"
check "pdfinfo reads it whole" pdfinfo "$TMP/packet.pdf"
pages=$(pdfinfo "$TMP/packet.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
check "with pages ($pages)" test "${pages:-0}" -gt 0
check_eq "Content-Length is the size received" "$(wc -c <"$TMP/packet.pdf" | tr -d ' ')" "$(header Content-Length)"
pdftotext -l 1 "$TMP/packet.pdf" "$TMP/packet.txt" 2>/dev/null
check_contains "it is the applicant's packet" "$TMP/packet.txt" "王小明"
check_eq "over HTTP/1.1 too" "200" "$(cx --http1.1 --interface 127.0.0.2 -o "$TMP/packet11.pdf" -w '%{http_code}' $R "$S$A/packet.pdf")"
check "the same bytes" cmp "$TMP/packet.pdf" "$TMP/packet11.pdf"
check_eq "the comparison sheet" "200" "$(req 127.0.0.2 GET '/api/compare.pdf?department=001012' $R)"
check "pdfinfo reads the comparison sheet" pdfinfo "$TMP/body"
SHA=e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2
check_eq "an attachment" "200" "$(req 127.0.0.2 GET /api/files/$SHA $R)"
check "its bytes are the package's" cmp "$TMP/body" "tests/fixtures/browse/files/$SHA.pdf"

# --- the client's address ------------------------------------------------------------------------
check_eq "the login is audited under the client's address, not the proxy's" "127.0.0.2" \
    "$(sql_eventually "SELECT group_concat(remote) FROM audit_log WHERE action='login' AND user='rev'" 127.0.0.2)"
check_eq "and the notes and downloads" "127.0.0.2" \
    "$(sql_eventually "SELECT group_concat(DISTINCT remote) FROM audit_log WHERE user='rev' AND action IN ('note_add','note_edit','note_delete','packet_pdf','file')" 127.0.0.2)"
"$BEISHEN" audit --db "$db" --user rev --json >"$TMP/audit.json" 2>/dev/null
check_eq "beishen audit shows it" "127.0.0.2" "$(jq -r 'map(.remote) | unique | join(",")' "$TMP/audit.json" 2>/dev/null)"
# A forged X-Forwarded-For: nginx replaces it with the address it was
# connected from, so beishen never sees it, whoever the client is --
# even one on the proxy's own address, which beishen trusts.
check_eq "a client's forged X-Forwarded-For" "200" \
    "$(login 127.0.0.3 rev2 rev2-pass-1 -H 'X-Forwarded-For: 198.51.100.7')"
check_eq "is not believed: the client's own address is audited" "127.0.0.3" \
    "$(sql_eventually "SELECT group_concat(remote) FROM audit_log WHERE action='login' AND user='rev2'" 127.0.0.3)"
check_eq "a forged X-Forwarded-For from the proxy's own address 127.0.0.1" "200" \
    "$(login 127.0.0.1 rev3 rev3-pass-1 -H 'X-Forwarded-For: 198.51.100.8, 198.51.100.9')"
check_eq "is not believed either (nginx does not pass it on)" "127.0.0.1" \
    "$(sql_eventually "SELECT group_concat(remote) FROM audit_log WHERE action='login' AND user='rev3'" 127.0.0.1)"
if [ "$FAMILY" = v6 ]; then
    check_eq "a client over IPv6 (listen [::]:443)" "200" \
        "$(curl -s -g --cacert "$N/fullchain.pem" --connect-to "$HOST:443:[::1]:$HTTPS_PORT" -o /dev/null -w '%{http_code}' \
            -H 'Content-Type: application/json' --data '{"user":"rev6","password":"rev6-pass-1"}' "$S/api/login")"
    check_eq "is audited under its IPv6 address" "::1" \
        "$(sql_eventually "SELECT group_concat(remote) FROM audit_log WHERE action='login' AND user='rev6'" ::1)"
fi

# --- failed logins: per real client ------------------------------------------------------------
statuses=""
for i in 1 2 3 4 5; do statuses="$statuses$(login 127.0.0.4 target "wrong-$i") "; done
check_eq "five wrong passwords for target from client 127.0.0.4" "401 401 401 401 401 " "$statuses"
check_eq "that client is refused even with the right password (429)" "429" "$(login 127.0.0.4 target target-pass-1)"
check_eq "still, with a forged X-Forwarded-For naming another client" "429" \
    "$(login 127.0.0.4 target target-pass-1 -H 'X-Forwarded-For: 127.0.0.5')"
check_eq "another client behind the same proxy logs in to target" "200" "$(login 127.0.0.5 target target-pass-1)"
check_eq "the failures are recorded against the client, not the proxy" "127.0.0.4|5" \
    "$(sql "$db" "SELECT group_concat(DISTINCT remote), count(*) FROM login_failures WHERE user='target'")"

# --- many connections at once from the proxy ----------------------------------------------------------
# beishen caps connections per address (here 2); the trusted proxy is exempt,
# so eight clients logging in at once through it are all served.
pids=""
for c in 10 11 12 13 14 15 16 17; do
    cx --interface 127.0.0.$c -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
        --data '{"user":"rev","password":"rev-pass-1"}' "$S/api/login" >"$TMP/at-once.$c" 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
check_eq "eight logins at once through the proxy, all served" "8" "$(cat "$TMP"/at-once.* | grep -c '^200$')"

# --- timeouts --------------------------------------------------------------------------------------
# A client that takes 5 s to send its login body (beishen here cuts a
# request not in after 3 s): nginx reads the request whole first, then
# hands it to beishen at once.
python3 - "$HTTPS_PORT" "$N/fullchain.pem" "$HOST" >"$TMP/slow.out" 2>&1 <<'EOF'
import socket, ssl, sys, time
port, cafile, host = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile)
context.set_alpn_protocols(["http/1.1"])
raw = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.6", 0))
raw.settimeout(30)
s = context.wrap_socket(raw, server_hostname=host)
body = b'{"user":"rev","password":"rev-pass-1"}'
s.sendall(b"POST /api/login HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
started = time.time()
for i in range(0, len(body), 7):
    s.sendall(body[i:i + 7])
    time.sleep(5 / (len(body) / 7))
answer = b""
while True:
    data = s.recv(65536)
    if not data:
        break
    answer += data
print("sent in %.1f s" % (time.time() - started))
print(answer.split(b"\r\n")[0].decode())
EOF
check_contains "a login body sent over 5 s is served (200)" "$TMP/slow.out" "HTTP/1.1 200"
check_eq "audited under that client's address" "1" \
    "$(sql_eventually "SELECT count(*) FROM audit_log WHERE action='login' AND user='rev' AND remote='127.0.0.6'" 1)"

# The packet straight from beishen (after the audit checks above: its row
# names the proxy's address, as no X-Forwarded-For comes with it).
curl -s -o "$TMP/direct.pdf" -H "Cookie: beishen_session=$(awk '$6 == "beishen_session" {print $7}' "$TMP/rev.jar")" \
    "$DIRECT$A/packet.pdf"
check "the packet through the proxy has the bytes beishen sends directly" cmp "$TMP/packet.pdf" "$TMP/direct.pdf"

# --- logout --------------------------------------------------------------------------------------
check_eq "logout without the CSRF header: 403" "403" "$(req 127.0.0.2 POST /api/logout $R)"
check_eq "logout with it: 200, the cookie cleared with Secure" "200 1" \
    "$(req 127.0.0.2 POST /api/logout $R -H "X-CSRF-Token: $CSRF") $(grep -ci '^Set-Cookie: beishen_session=;.*Max-Age=0; Secure' "$TMP/headers")"
check_eq "the old cookie: 401" "401" "$(req 127.0.0.2 GET /api/session $R)"

# --- nginx's log, stopping -------------------------------------------------------------------------
if grep -q upstream "$N/error.log"; then fail "nginx logged an upstream error" "$(grep upstream "$N/error.log" | head -n 5)"
else pass "nginx logged no upstream error (no refused connection, reset or timeout)"; fi
if grep -q '" 5[0-9][0-9] ' "$N/access.log"; then fail "nginx answered a request with a 5xx" "$(grep '" 5[0-9][0-9] ' "$N/access.log" | head -n 5)"
else pass "nginx answered no request with a 5xx"; fi
kill -QUIT "$nginx_pid"
wait "$nginx_pid"
check_eq "nginx stops gracefully (SIGQUIT)" "0" "$?"
nginx_pid=""
kill -TERM "$server_pid"
wait "$server_pid"
check_eq "beishen stops (SIGTERM)" "0" "$?"
server_pid=""
check_eq "the refused logins are audited under the real client only" "127.0.0.4" \
    "$(sql "$db" "SELECT group_concat(DISTINCT remote) FROM audit_log WHERE action='login_refused'")"
check_eq "no row anywhere names a forged address" "0" \
    "$(sql "$db" "SELECT count(*) FROM audit_log WHERE remote LIKE '198.51.100.%'")"

finish
