#!/bin/sh
# TLS in the workstation (`beishen serve --tls-cert FILE --tls-key FILE`),
# with a self-signed certificate made here by openssl: HTTPS with the
# certificate given, a login whose session cookie is Secure (and HttpOnly,
# SameSite=Strict), Strict-Transport-Security, the session used over TLS,
# plain HTTP on the port answered with nothing, TLS below 1.2 refused, any
# address allowed with TLS; without TLS no Secure (control) unless
# --secure-cookies (a TLS proxy in front); and the files refused when
# missing, alone, too large, not PEM, encrypted or not matching.
. tests/lib.sh

server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

db=$TMP/tls.db
"$BEISHEN" ingest --db "$db" tests/fixtures/browse >/dev/null 2>&1
printf 'reviewer-pass-1\n' | "$BEISHEN" user add rev --role reviewer --department 001012 --db "$db" >/dev/null 2>&1
check_eq "a reviewer account" "1" "$(sql "$db" "SELECT count(*) FROM users")"

# A certificate for localhost and 127.0.0.1, and a second key that does not match it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
check_eq "openssl made a self-signed certificate" "0" "$?"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/other-key.pem" >/dev/null 2>&1
openssl pkey -in "$TMP/key.pem" -aes256 -passout pass:secret -out "$TMP/encrypted-key.pem" >/dev/null 2>&1
mkdir -p "$TMP/tmpdir"

# start OUT [OPTIONS]: a server on a free port; sets server_pid and URL.
start() {
    out=$1; shift
    : >"$out"
    TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" "$@" >"$out" 2>"$out.err" &
    server_pid=$!
    URL=""
    i=0
    while [ $i -lt 300 ] && [ -z "$URL" ]; do
        URL=$(sed -n 's/^beishen serve: listening on \(https*:[^ ]*\)\/ .*/\1/p' "$out")
        kill -0 "$server_pid" 2>/dev/null || break
        [ -z "$URL" ] && sleep 0.1
        i=$((i + 1))
    done
}
stop() {
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid"
    stopped=$?
    server_pid=""
}
# login URL CURL-OPTIONS...: headers in $TMP/login.headers, cookies in $TMP/jar
login() {
    base=$1; shift
    rm -f "$TMP/jar"
    curl -s "$@" -c "$TMP/jar" -D "$TMP/login.headers" -o "$TMP/login.body" -w '%{http_code}' \
        -H 'Content-Type: application/json' -d '{"user":"rev","password":"reviewer-pass-1"}' "$base/api/login"
}

# --- with TLS ---------------------------------------------------------------------------
start "$TMP/tls.out" --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
case "$URL" in https://127.0.0.1:[0-9]*) pass "with --tls-cert/--tls-key it prints an https:// address ($URL)" ;;
    *) fail "the TLS server did not start" "$(cat "$TMP/tls.out" "$TMP/tls.out.err")"; finish; exit 1 ;; esac
HTTP_URL=$(echo "$URL" | sed 's/^https/http/')
check_eq "GET / over TLS, the certificate checked against the one given" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" "$URL/")"
curl -s -o /dev/null "$URL/" 2>/dev/null
check_eq "a client that does not trust the certificate fails (curl 60)" "60" "$?"
check_eq "login over TLS" "200" "$(login "$URL" --cacert "$TMP/cert.pem")"
cookie=$(grep -i '^Set-Cookie: beishen_session=' "$TMP/login.headers" | tr -d '\r')
case "$cookie" in *"; Secure"*) pass "the session cookie is Secure" ;; *) fail "no Secure on the cookie" "$cookie" ;; esac
case "$cookie" in *HttpOnly*SameSite=Strict*) pass "and HttpOnly, SameSite=Strict" ;; *) fail "cookie attributes" "$cookie" ;; esac
check_contains "answers carry Strict-Transport-Security" "$TMP/login.headers" "Strict-Transport-Security: max-age=31536000"
check_eq "curl keeps the Secure cookie for https (its jar marks it secure)" "TRUE" \
    "$(grep beishen_session "$TMP/jar" | awk '{print $4}')"
check_eq "the session works over TLS" "200" \
    "$(curl -s -o "$TMP/session.json" -w '%{http_code}' --cacert "$TMP/cert.pem" -b "$TMP/jar" "$URL/api/session")"
check_eq "as the reviewer" "rev" "$(jq -r .user "$TMP/session.json" 2>/dev/null)"
check_eq "an application over TLS" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" -b "$TMP/jar" "$URL/api/applicants/001012-10000001/categories")"
code=$(curl -s -o "$TMP/plain.body" -w '%{http_code}' --max-time 5 "$HTTP_URL/api/session")
plain=$?
check_eq "plain HTTP to the TLS port gets no HTTP answer" "000" "$code"
check "curl reports the failure (exit $plain)" test "$plain" -ne 0
check "and no byte of a page" test ! -s "$TMP/plain.body"
curl -s -o /dev/null --cacert "$TMP/cert.pem" --tlsv1.0 --tls-max 1.1 "$URL/" 2>/dev/null
check "TLS 1.0 and 1.1 are refused" test "$?" -ne 0
check_eq "TLS 1.3 is spoken" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" --tlsv1.3 "$URL/")"
check_eq "TLS 1.2 is spoken" "200" \
    "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/cert.pem" --tlsv1.2 --tls-max 1.2 "$URL/")"
check_eq "logout over TLS clears the cookie with Secure" "1" \
    "$(curl -s -D - -o /dev/null --cacert "$TMP/cert.pem" -b "$TMP/jar" -X POST \
        -H "X-CSRF-Token: $(jq -r .csrf "$TMP/login.body")" "$URL/api/logout" |
       grep -ci '^Set-Cookie: beishen_session=;.*Max-Age=0; Secure')"
stop
check_eq "SIGTERM stops the TLS server cleanly" "0" "$stopped"

# Any address with TLS (without, only loopback: tests/e2e_server.sh).
start "$TMP/any.out" --listen 0.0.0.0:0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
case "$URL" in https://0.0.0.0:*) pass "with TLS a non-loopback address is accepted without --allow-remote" ;;
    *) fail "0.0.0.0 with TLS refused" "$(cat "$TMP/any.out.err")" ;; esac
check_not_contains "and no warning about clear-text cookies" "$TMP/any.out.err" "no TLS"
stop

# --- without TLS: no Secure, unless --secure-cookies --------------------------------------
start "$TMP/plain.out" --listen 127.0.0.1:0
login "$URL" >/dev/null
check_not_contains "without TLS the cookie is not Secure (control)" "$TMP/login.headers" "Secure"
check_not_contains "and there is no Strict-Transport-Security" "$TMP/login.headers" "Strict-Transport-Security"
stop
start "$TMP/proxy.out" --listen 127.0.0.1:0 --secure-cookies
login "$URL" >/dev/null
check_eq "--secure-cookies (behind a TLS proxy): Secure on plain HTTP" "1" \
    "$(grep -ci '^Set-Cookie: beishen_session=.*; Secure' "$TMP/login.headers")"
stop

# --- refused files ----------------------------------------------------------------------
# refused NAME EXPECTED-STATUS EXPECTED-TEXT OPTIONS...
refused() {
    name=$1; status=$2; text=$3; shift 3
    TMPDIR=$TMP/tmpdir "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$TMP/refused.out" 2>&1 &
    pid=$!
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"; wait "$pid" 2>/dev/null
        fail "$name: the server started" "$(cat "$TMP/refused.out")"
        return
    fi
    wait "$pid"
    check_eq "$name: exit $status" "$status" "$?"
    check_contains "$name: says why" "$TMP/refused.out" "$text"
}
refused "--tls-cert without --tls-key" 2 "go together" --tls-cert "$TMP/cert.pem"
refused "--tls-key without --tls-cert" 2 "go together" --tls-key "$TMP/key.pem"
refused "a missing certificate file" 1 "--tls-cert" --tls-cert "$TMP/none.pem" --tls-key "$TMP/key.pem"
head -c 300000 /dev/zero | tr '\0' 'A' >"$TMP/huge.pem"
refused "a certificate over 256 KiB" 1 "limit" --tls-cert "$TMP/huge.pem" --tls-key "$TMP/key.pem"
refused "a certificate that is not PEM" 1 "not a PEM certificate" --tls-cert "$TMP/key.pem" --tls-key "$TMP/key.pem"
refused "a key that is not PEM" 1 "not a PEM private key" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/cert.pem"
refused "an encrypted key" 1 "encrypted" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/encrypted-key.pem"
refused "a key that does not match the certificate" 1 "cannot listen" \
    --tls-cert "$TMP/cert.pem" --tls-key "$TMP/other-key.pem"
check_contains "libmicrohttpd's reason is in the message" "$TMP/refused.out" "libmicrohttpd"
refused "a directory as the key" 1 "not a regular file" --tls-cert "$TMP/cert.pem" --tls-key "$TMP"

finish
