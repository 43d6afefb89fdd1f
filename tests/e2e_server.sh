#!/bin/sh
# End-to-end tests of the workstation server: the real binary serving the
# fixture tests/fixtures/browse (plus one applicant whose name is an SQL and
# HTML payload) on a free loopback port, driven with curl.  Every endpoint,
# login/logout, expiry, CSRF, access across departments (404), forged and
# missing cookies, path traversal in every path parameter, oversized bodies
# and headers, SQL and <script> payloads, slow clients, the audit log, and
# clean shutdown.  SERVER_VALGRIND=1 runs the server under valgrind and
# fails on any error it reports.
. tests/lib.sh

server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null; fi
    if [ -n "${second_pid:-}" ]; then kill -KILL "$second_pid" 2>/dev/null; fi
    if [ -n "${third_pid:-}" ]; then kill -KILL "$third_pid" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

WRAP=""
if [ "${SERVER_VALGRIND:-0}" = 1 ]; then
    WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
--show-leak-kinds=definite --child-silent-after-fork=yes --trace-children=no"
fi

# --- data ----------------------------------------------------------------
# The fixture, with applicant 10000003's name replaced by an SQL and HTML
# payload and the display name of 10000001's outcome file by a path with a
# quote and a semicolon (the manifest's hashes follow the changed files).
PAYLOAD="陳'); DROP TABLE users; --<img src=x onerror=alert(2)>"
EVIL_NAME='../../etc/報告"; x.pdf'
cp -R tests/fixtures/browse "$TMP/package"
# retouch APPLICATION JQ-FILTER [jq args]: rewrites one application file.
retouch() {
    file="applications/$1.json"; filter=$2; shift 2
    jq "$@" "$filter" "tests/fixtures/browse/$file" >"$TMP/package/$file"
    hash=$(sha256sum "$TMP/package/$file" | cut -d' ' -f1)
    jq --arg p "$file" --arg h "$hash" '(.applications[] | select(.path == $p) | .sha256) = $h' \
        "$TMP/package/manifest.json" >"$TMP/manifest.json" && mv "$TMP/manifest.json" "$TMP/package/manifest.json"
}
retouch 001012-10000003 '.student.name = $n' --arg n "$PAYLOAD"
retouch 001012-10000001 '.course_outcomes[0].files[0].name = $n' --arg n "$EVIL_NAME"
db=$TMP/server.db
mkdir -p "$TMP/tmpdir"   # TMPDIR of the servers: nothing must be left there
"$BEISHEN" ingest --db "$db" "$TMP/package" >"$TMP/ingest.out" 2>&1
check_eq "fixture with payload ingests" "loaded 5, unchanged 0, replaced 0, rejected 0" "$(tail -n 1 "$TMP/ingest.out")"
"$BEISHEN" requirements load --db "$db" samples/requirements/001012.json >/dev/null 2>&1
check_eq "requirement list of 001012 loaded" "1" "$(sql "$db" "SELECT count(*) FROM requirement_lists WHERE department='001012'")"

# --- accounts (CLI) --------------------------------------------------------------
add() { name=$1; pass=$2; shift 2; printf '%s\n' "$pass" | "$BEISHEN" user add "$name" --db "$db" "$@" >"$TMP/user.out" 2>"$TMP/user.err"; }
add rev 'reviewer-pass-1' --role reviewer --department 001012
check_eq "user add reviewer" "0" "$?"
add rev22 'reviewer-pass-2' --role reviewer --department 001022
add office 'office-pass-1' --role office --university 001
add adm 'admin-pass-1' --role admin
add locked 'locked-pass-1' --role reviewer --department 001012
check_eq "five accounts" "adm,locked,office,rev,rev22" "$(sql "$db" "SELECT group_concat(name) FROM (SELECT name FROM users ORDER BY name)")"
check_eq "passwords stored as Argon2id hashes" "5" "$(sql "$db" "SELECT count(*) FROM users WHERE password_hash LIKE '\$argon2id\$%'")"
add rev 'whatever-pass' --role reviewer --department 001012
check_eq "duplicate user refused (exit 1)" "1" "$?"
add shorty 'short' --role reviewer --department 001012
check_eq "short password refused (exit 1)" "1" "$?"
add nodept 'long-enough-1' --role reviewer
check_eq "reviewer without department refused" "1" "$?"
add badrole 'long-enough-1' --role superuser
check_eq "unknown role is a usage error (exit 2)" "2" "$?"
add 'bad/name' 'long-enough-1' --role admin
check_eq "bad user name is a usage error" "2" "$?"
"$BEISHEN" user list --db "$db" --json >"$TMP/users.json"
check_eq "user list shows roles and departments" "rev:reviewer:001012 office:office:" \
  "$(jq -r '[.[]|select(.name=="rev" or .name=="office")|"\(.name):\(.role):\(.departments|join(","))"]|sort|reverse|join(" ")' "$TMP/users.json")"
"$BEISHEN" serve --db "$db" --listen 0.0.0.0:0 >/dev/null 2>"$TMP/remote.err"
check_eq "non-loopback listen refused without --allow-remote" "1" "$?"
"$BEISHEN" serve --db "$TMP/none.db" --listen 127.0.0.1:0 >/dev/null 2>&1
check_eq "serve refuses a missing database" "1" "$?"

# --- the server ------------------------------------------------------------------
# start_server OUT [OPTIONS]: starts on a free loopback port (port 0: the
# kernel picks one; the server prints it) and sets server_pid and URL.
start_server() {
    out=$1; shift
    TMPDIR=$TMP/tmpdir $WRAP "$BEISHEN" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
    started_pid=$!
    URL=""
    i=0
    while [ $i -lt 600 ] && [ -z "$URL" ]; do
        [ -f "$out" ] && URL=$(sed -n 's/^beishen serve: listening on \(http:[^ ]*\/\) .*/\1/p' "$out")
        kill -0 "$started_pid" 2>/dev/null || break
        [ -z "$URL" ] && sleep 0.1
        i=$((i + 1))
    done
    URL=${URL%/}
}
start_server "$TMP/server.out" --timeout 3 --threads 4
server_pid=$started_pid
BASE=$URL
case "$BASE" in http://127.0.0.1:[0-9]*) pass "server listens on a loopback port it prints ($BASE)" ;;
    *) fail "server did not start" "$(cat "$TMP/server.out" "$TMP/server.out.err")"; finish; exit 1 ;; esac

# req METHOD PATH [curl options]: body in $TMP/body, headers in $TMP/headers;
# prints the status code.
req() {
    method=$1; path=$2; shift 2
    curl -s -g --path-as-is -X "$method" -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$BASE$path"
}
# GET with a cookie jar
get() { jar=$1; path=$2; shift 2; req GET "$path" -b "$jar" "$@"; }
# sql_eventually DB SQL EXPECTED: the value of SQL once it equals EXPECTED,
# or after 5 s whatever it is then.  Audit rows reach audit_log from the
# journal a fraction of a second after the answer (review/server/audit.c).
sql_eventually() {
    tries=0
    while :; do
        value=$(sql "$1" "$2")
        [ "$value" = "$3" ] || [ $tries -ge 50 ] && break
        tries=$((tries + 1))
        sleep 0.1
    done
    printf '%s' "$value"
}
header() { grep -i "^$1:" "$TMP/headers" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
login() {
    curl -s -c "$TMP/$1.jar" -o "$TMP/$1.login" -w '%{http_code}' -H 'Content-Type: application/json' \
         --data "{\"user\":\"$1\",\"password\":\"$2\"}" "$BASE/api/login"
}
csrf_of() { jq -r .csrf "$TMP/$1.login"; }

# --- before login -------------------------------------------------------------------
for path in /api/applicants /api/session /api/departments /api/applicants/001012-10000001 \
    /api/applicants/001012-10000001/categories "/api/applicants/001012-10000001/categories/B%20x" \
    /api/applicants/001012-10000001/packet.pdf /api/distributions /api/requirements/001012 \
    /api/files/e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2 /api/compare.pdf \
    /api/users /api/audit /api/no/such/path /api; do
    check_eq "401 without a session: $path" "401" "$(req GET "$path")"
done
check_eq "401 body is a JSON error" "not logged in" "$(jq -r .error "$TMP/body")"
check_eq "logout without a session: 401" "401" "$(req POST /api/logout)"
check_eq "UI page is public" "200" "$(req GET /)"
check_contains "UI page is the workstation" "$TMP/body" "備審 審查工作站"
check_contains "UI page has a content security policy" "$TMP/headers" "script-src 'self'"
check_eq "app.js served as JavaScript" "200 text/javascript; charset=utf-8" "$(req GET /app.js) $(header Content-Type)"
check_eq "style.css served" "200" "$(req GET /style.css)"
check_eq "unknown static path: 404" "404" "$(req GET /secret.txt)"

# forged, malformed and missing cookies
forged="beishen_session=$(printf '%064d' 7)"
check_eq "forged session cookie: 401" "401" "$(req GET /api/session -H "Cookie: $forged")"
check_eq "malformed session cookie: 401" "401" "$(req GET /api/session -H 'Cookie: beishen_session=../../etc/passwd')"
check_eq "SQL in the session cookie: 401" "401" "$(req GET /api/session -H "Cookie: beishen_session=' OR 1=1 --")"
check_eq "empty session cookie: 401" "401" "$(req GET /api/session -H 'Cookie: beishen_session=')"

# --- login -------------------------------------------------------------------------------
check_eq "wrong password: 401" "401" "$(login rev wrong-password)"
check_eq "unknown user: 401" "401" "$(login nobody 'reviewer-pass-1')"
check_eq "wrong password and unknown user answer alike" "wrong user or password" "$(jq -r .error "$TMP/nobody.login")"
check_eq "login body must be JSON (415)" "415" "$(req POST /api/login --data 'user=rev&password=x')"
check_eq "malformed JSON login: 400" "400" "$(req POST /api/login -H 'Content-Type: application/json' --data '{"user":')"
check_eq "login without password: 400" "400" "$(req POST /api/login -H 'Content-Type: application/json' --data '{"user":"rev"}')"
check_eq "login as rev" "200" "$(login rev 'reviewer-pass-1')"
curl -s -D "$TMP/login.headers" -o /dev/null -H 'Content-Type: application/json' \
     --data '{"user":"rev","password":"reviewer-pass-1"}' "$BASE/api/login"
check_contains "session cookie is HttpOnly" "$TMP/login.headers" "HttpOnly"
check_contains "session cookie is SameSite=Strict" "$TMP/login.headers" "SameSite=Strict"
check_contains "session cookie expires" "$TMP/login.headers" "Max-Age=28800"
check_eq "login answers the CSRF token" "64" "$(csrf_of rev | tr -d '\n' | wc -c)"
token=$(awk '$6 == "beishen_session" {print $7}' "$TMP/rev.jar")
check_eq "session token is 64 hex digits" "1" "$(printf '%s\n' "$token" | grep -c '^[0-9a-f]\{64\}$')"
check_eq "only the token's hash is stored" "0" "$(sql "$db" "SELECT count(*) FROM sessions WHERE token_sha256 = '$token'")"
check_eq "session: who am I" "rev reviewer 001012" "$(get "$TMP/rev.jar" /api/session >/dev/null; jq -r '"\(.user) \(.role) \(.departments|join(","))"' "$TMP/body")"
R=$TMP/rev.jar

# --- departments and applicants -------------------------------------------------------------
check_eq "departments: only the granted one" "001012 中國文學系 4" \
  "$(get "$R" /api/departments >/dev/null; jq -r '.[]|"\(.code) \(.name) \(.applications)"' "$TMP/body")"
check_eq "applicants of 001012" "200" "$(get "$R" '/api/applicants?department=001012')"
check_eq "four applications" "4" "$(jq length "$TMP/body")"
check_not_contains "national IDs masked in the list" "$TMP/body" "A123456789"
check_contains "masked national ID present" "$TMP/body" "A*****6789"
check_eq "self-made flag in the list" "001012-10000004" "$(jq -r 'map(select(.self_made))|map(.id)|join(",")' "$TMP/body")"
check_eq "the only department is the default" "4" "$(get "$R" /api/applicants >/dev/null; jq length "$TMP/body")"
"$BEISHEN" applicants --db "$db" --department 001012 --sort average --json >"$TMP/cli_apps.json"
get "$R" '/api/applicants?department=001012&sort=average' >/dev/null
check_eq "server list equals the CLI's (same query)" "$(jq -S . "$TMP/cli_apps.json" | sha256sum)" "$(jq -S . "$TMP/body" | sha256sum)"
check_eq "category filter" "001012-10000001" \
  "$(get "$R" '/api/applicants?department=001012&category=%E9%81%B8%E4%BF%AE-%E5%A4%9A%E5%85%83%E9%81%B8%E4%BF%AE-%E7%A4%BE%E6%9C%83%E9%A0%98%E5%9F%9F' >/dev/null; jq -r 'map(.id)|join(",")' "$TMP/body")"
check_eq "source filter" "001012-10000004" "$(get "$R" '/api/applicants?source=self_made_pdf' >/dev/null; jq -r 'map(.id)|join(",")' "$TMP/body")"
check_eq "sort by name" "200" "$(get "$R" '/api/applicants?sort=name')"
check_eq "bad sort: 400" "400" "$(get "$R" '/api/applicants?sort=name;DROP%20TABLE%20users')"
check_eq "bad source: 400" "400" "$(get "$R" '/api/applicants?source=all')"
check_eq "payload name returned verbatim as JSON text" "$PAYLOAD" \
  "$(get "$R" /api/applicants >/dev/null; jq -r '.[]|select(.id=="001012-10000003").name' "$TMP/body")"
check_eq "API answers JSON, never HTML" "application/json; charset=utf-8" "$(header Content-Type)"
check_eq "API answers nosniff" "nosniff" "$(header X-Content-Type-Options)"
check_eq "users table survived the payload" "5" "$(sql "$db" "SELECT count(*) FROM users")"

# --- applicant, categories, category ---------------------------------------------------------------
A=/api/applicants/001012-10000001
check_eq "applicant" "200 001012-10000001 11" "$(get "$R" $A) $(jq -r '"\(.id) \(.categories|length)"' "$TMP/body")"
check_not_contains "applicant view masks the national ID" "$TMP/body" "A123456789"
check_eq "categories" "200" "$(get "$R" $A/categories)"
"$BEISHEN" categories --db "$db" 001012-10000001 --json >"$TMP/cli_cat.json"
check_eq "categories equal the CLI's" "$(jq -S . "$TMP/cli_cat.json" | sha256sum)" "$(jq -S . "$TMP/body" | sha256sum)"
MATH=$A/categories/%E9%83%A8%E5%AE%9A%E5%BF%85%E4%BF%AE-%E6%95%B8%E5%AD%B8
check_eq "category 部定必修-數學" "200" "$(get "$R" "$MATH")"
check_eq "course rows with cohort histogram and pool percentile" "3 0,0,0,0,0,1,2,3,3,1 66.7" \
  "$(jq -r '.categories[0].records|"\(length) \(.[0].cohort_histogram|map(tostring)|join(",")) \(.[0].pool_percentile)"' "$TMP/body")"
"$BEISHEN" show --db "$db" 001012-10000001 --category 部定必修-數學 --json >"$TMP/cli_show.json"
check_eq "category records equal the CLI's" "$(jq -S . "$TMP/cli_show.json" | sha256sum)" "$(jq -S . "$TMP/body" | sha256sum)"
B=$A/categories/B%20%E6%9B%B8%E9%9D%A2%E5%A0%B1%E5%91%8A
check_eq "category B 書面報告" "200" "$(get "$R" "$B")"
check_eq "<script> title is JSON text, unchanged" "<script>alert(1)</script> 報告" "$(jq -r '.categories[0].records[0].title' "$TMP/body")"
# Each worker thread keeps its recent category views; an ingest that
# replaces the application (content_version, schema 007) must retire them.
# Eight requests on new connections reach every one of the four threads.
titles() { for _ in 1 2 3 4 5 6 7 8; do get "$R" "$B" >/dev/null; jq -r '.categories[0].records[0].title' "$TMP/body"; done | sort | uniq -c | awk '{$1=$1; print}'; }
check_eq "views before the re-ingest" "8 <script>alert(1)</script> 報告" "$(titles)"
cp -R "$TMP/package" "$TMP/package2"
jq '.course_outcomes[0].title = "改過的標題"' "$TMP/package/applications/001012-10000001.json" >"$TMP/package2/applications/001012-10000001.json"
hash=$(sha256sum "$TMP/package2/applications/001012-10000001.json" | cut -d' ' -f1)
jq --arg h "$hash" '(.applications[] | select(.path == "applications/001012-10000001.json") | .sha256) = $h' \
    "$TMP/package/manifest.json" >"$TMP/package2/manifest.json"
"$BEISHEN" ingest --db "$db" "$TMP/package2" >"$TMP/ingest2.out" 2>&1
check_eq "re-ingest while serving replaces one application" "loaded 0, unchanged 4, replaced 1, rejected 0" "$(tail -n 1 "$TMP/ingest2.out")"
check_eq "every thread answers the new data" "8 改過的標題" "$(titles)"
"$BEISHEN" ingest --db "$db" "$TMP/package" >/dev/null 2>&1
check_eq "and the old again after the original is ingested back" "8 <script>alert(1)</script> 報告" "$(titles)"
check_eq "unknown category: 404" "404" "$(get "$R" "$A/categories/no%20such")"
check_eq "category with an encoded slash: 404" "404" "$(get "$R" "$A/categories/..%2F..%2Fetc%2Fpasswd")"
check_eq "category '..': 404" "404" "$(get "$R" "$A/categories/..")"
check_eq "category with %00: 400" "400" "$(get "$R" "$A/categories/B%00x")"
check_eq "category with a bad escape: 400" "400" "$(get "$R" "$A/categories/%ZZ")"
check_eq "category with invalid UTF-8: 400" "400" "$(get "$R" "$A/categories/%FF%FE")"
check_eq "SQL in a category: 404" "404" "$(get "$R" "$A/categories/'%20OR%20'1'='1")"
check_eq "<script> in a category: 404" "404" "$(get "$R" "$A/categories/%3Cscript%3Ealert(1)%3C%2Fscript%3E")"
check_not_contains "error does not echo the payload" "$TMP/body" "<script>"

# --- a reviewer of 001012 asking for 001022: as if it did not exist -----------------------------------
check_eq "other department's list: 404" "404" "$(get "$R" '/api/applicants?department=001022')"
check_eq "other department's application: 404" "404" "$(get "$R" /api/applicants/001022-10000002)"
check_eq "same 404 as a missing application" "no such application" "$(jq -r .error "$TMP/body")"
check_eq "missing application: 404" "404" "$(get "$R" /api/applicants/001012-99999999)"
check_eq "other department's categories: 404" "404" "$(get "$R" /api/applicants/001022-10000002/categories)"
check_eq "other department's category: 404" "404" "$(get "$R" /api/applicants/001022-10000002/categories/%E5%9F%BA%E6%9C%AC%E8%B3%87%E6%96%99)"
check_eq "other department's packet: 404" "404" "$(get "$R" /api/applicants/001022-10000002/packet.pdf)"
check_eq "other department's distribution: 404" "404" "$(get "$R" '/api/distributions?department=001022&subject=%E6%95%B8%E5%AD%B8')"
check_eq "other department's requirements: 404" "404" "$(get "$R" /api/requirements/001022)"
check_eq "other department's comparison sheet: 404" "404" "$(get "$R" '/api/compare.pdf?department=001022')"
check_eq "bare number (could tell departments apart): 404" "404" "$(get "$R" /api/applicants/10000002)"
check_eq "SQL in an application id: 404" "404" "$(get "$R" "/api/applicants/001012-1'%20OR%20'1'='1")"
check_eq "SQL in the department parameter: 404" "404" "$(get "$R" "/api/applicants?department=001012'%20OR%20'1'='1")"
check_eq "SQL in the category parameter: empty list" "200 0" "$(get "$R" "/api/applicants?category='%20OR%201=1%20--") $(jq length "$TMP/body")"
check_eq "<script> in the category parameter: empty JSON list" "200 0" "$(get "$R" "/api/applicants?category=%3Cscript%3Ealert(1)%3C/script%3E") $(jq length "$TMP/body")"

# --- path traversal in every path parameter ------------------------------------------------------------
for p in "/api/applicants/..%2F..%2Fetc%2Fpasswd" "/api/applicants/001012-10000001%2F..%2F..%2F" \
         "/api/applicants/../../etc/passwd" "/api/applicants/..%2F001022-10000002/categories" \
         "/api/applicants/%2e%2e/categories" "/api/requirements/..%2F..%2Fetc%2Fpasswd" \
         "/api/requirements/.." "/api/files/..%2F..%2F..%2Fetc%2Fpasswd" "/api/files/../../../etc/passwd" \
         "/api/applicants/001012-10000001/categories/..%2F..%2F..%2Fetc%2Fpasswd"; do
    code=$(get "$R" "$p")
    case "$code" in 400|404) pass "traversal refused ($code): $p" ;; *) fail "traversal: $p answered $code" ;; esac
done
check_eq "static path traversal: 404" "404" "$(req GET /../../etc/passwd)"
check_eq "encoded static traversal: 404" "404" "$(req GET /%2e%2e/%2e%2e/etc/passwd)"

# --- distributions and requirements --------------------------------------------------------------
COURSE=111313302H11101A1110201
check_eq "distribution by course" "200 3 75" "$(get "$R" "/api/distributions?department=001012&course=$COURSE") $(jq -r '"\(.n) \(.mean)"' "$TMP/body")"
"$BEISHEN" dist --db "$db" --department 001012 --course $COURSE --json >"$TMP/cli_dist.json"
check_eq "distribution equals the CLI's" "$(jq -S . "$TMP/cli_dist.json" | sha256sum)" "$(jq -S . "$TMP/body" | sha256sum)"
check_eq "distribution of one term" "66.7" "$(get "$R" "/api/distributions?course=$COURSE&year=111&semester=1" >/dev/null; jq -r '.applications[]|select(.id=="001012-10000001").percentile' "$TMP/body")"
check_eq "distribution by subject" "3" "$(get "$R" '/api/distributions?subject=%E6%95%B8%E5%AD%B8' >/dev/null; jq .n "$TMP/body")"
check_eq "distribution by category" "3" "$(get "$R" '/api/distributions?category=%E9%83%A8%E5%AE%9A%E5%BF%85%E4%BF%AE-%E6%95%B8%E5%AD%B8' >/dev/null; jq .n "$TMP/body")"
check_eq "distribution without a key: 400" "400" "$(get "$R" '/api/distributions?department=001012')"
check_eq "distribution with two keys: 400" "400" "$(get "$R" "/api/distributions?course=$COURSE&subject=x")"
check_eq "year without course: 400" "400" "$(get "$R" '/api/distributions?subject=x&year=111&semester=1')"
check_eq "bad semester: 400" "400" "$(get "$R" "/api/distributions?course=$COURSE&year=111&semester=3")"
check_eq "requirements of 001012" "200 001012" "$(get "$R" /api/requirements/001012) $(jq -r .department.code "$TMP/body")"

# --- files ---------------------------------------------------------------------------------------------
SHA=e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2
check_eq "file download" "200" "$(get "$R" /api/files/$SHA)"
check "file bytes equal the package's" cmp "$TMP/body" "tests/fixtures/browse/files/$SHA.pdf"
check_eq "file media type" "application/pdf" "$(header Content-Type)"
check_eq "file disposition: last path part, no quote or semicolon, ASCII and UTF-8 names" \
  "inline; filename=\"__ x.pdf\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20x.pdf" "$(header Content-Disposition)"
check_eq "file of another department's applications only: 404" "404" \
  "$(login rev22 'reviewer-pass-2' >/dev/null; get "$TMP/rev22.jar" /api/files/$SHA)"
check_eq "unknown file: 404" "404" "$(get "$R" /api/files/$(printf '%064d' 0))"
check_eq "uppercase hash: 404" "404" "$(get "$R" /api/files/$(echo $SHA | tr a-f A-F))"
check_eq "short hash: 404" "404" "$(get "$R" /api/files/${SHA%?})"

# --- PDFs ------------------------------------------------------------------------------------------------
check_eq "packet PDF" "200 application/pdf" "$(get "$R" $A/packet.pdf) $(header Content-Type)"
check_eq "packet is a PDF" "%PDF-" "$(head -c 5 "$TMP/body")"
cp "$TMP/body" "$TMP/packet.pdf"
check_eq "packet again (from the cache): same bytes" "200" "$(get "$R" $A/packet.pdf)"
check "cached packet identical" cmp "$TMP/body" "$TMP/packet.pdf"
if command -v pdftotext >/dev/null; then
    pdftotext "$TMP/packet.pdf" "$TMP/packet.txt" 2>/dev/null
    check_contains "packet shows the applicant" "$TMP/packet.txt" "王小明"
    check_not_contains "packet masks the national ID" "$TMP/packet.txt" "A123456789"
fi
check_eq "comparison sheet PDF" "200 %PDF-" "$(get "$R" '/api/compare.pdf?department=001012') $(head -c 5 "$TMP/body")"
check_eq "packet audit: rendered, then cached" "rendered cached" \
  "$(sql_eventually "$db" "SELECT group_concat(detail, ' ') FROM (SELECT detail FROM audit_log WHERE action='packet_pdf' AND user='rev' ORDER BY id)" "rendered cached")"

# --- methods, HEAD ------------------------------------------------------------------------------
check_eq "wrong method: 405" "405" "$(req POST /api/applicants -b "$R" -H "X-CSRF-Token: $(csrf_of rev)")"
check_eq "405 names the allowed method" "GET" "$(header Allow)"
check_eq "HEAD works like GET" "200" "$(curl -s -I -o /dev/null -w '%{http_code}' -b "$R" "$BASE/api/session")"

# --- limits ------------------------------------------------------------------------------------------------
head -c 20000 /dev/zero | tr '\0' 'a' >"$TMP/big"
check_eq "oversized body (Content-Length): 413" "413" "$(req POST /api/login -H 'Content-Type: application/json' --data-binary @"$TMP/big")"
check_eq "oversized chunked body: 413" "413" "$(req POST /api/login -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big")"
head -c 40000 /dev/zero | tr '\0' 'b' >"$TMP/bighead"
code=$(req GET /api/session -H "X-Big: $(cat "$TMP/bighead")")
case "$code" in 413|431|400) pass "oversized headers refused ($code)" ;; *) fail "oversized headers answered $code" ;; esac
check_eq "overlong path: 414" "414" "$(req GET "/$(head -c 3000 "$TMP/big")")"
check_eq "server still answers after the limits" "200" "$(get "$R" /api/session)"

# Slow clients: five connections that send half a request and stall must
# neither hold up other requests nor stay open past the timeout (3 s).
python3 - "$BASE" >"$TMP/slow.out" 2>&1 <<'EOF'
import socket, sys, time, urllib.request
host, port = sys.argv[1].split("//")[1].split(":")
slow = []
for _ in range(5):
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /api/session HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    slow.append(s)
started = time.time()
code = urllib.request.urlopen(sys.argv[1] + "/style.css", timeout=5).status
print("other request %d in %.2f s" % (code, time.time() - started))
time.sleep(5)
closed = 0
for s in slow:
    s.settimeout(2)
    try:
        closed += s.recv(100) == b""
    except (ConnectionResetError, socket.timeout):
        closed += 0
print("closed %d" % closed)
EOF
check_eq "others are served while slow clients stall" "1" "$(grep -c 'other request 200 in 0\.[0-9]' "$TMP/slow.out")"
check_contains "stalled connections closed after the timeout" "$TMP/slow.out" "closed 5"

# --- CSRF and logout ---------------------------------------------------------------------------------------
check_eq "logout without CSRF token: 403" "403" "$(req POST /api/logout -b "$R")"
check_eq "session still valid after the refused logout" "200" "$(get "$R" /api/session)"
check_eq "logout with a wrong CSRF token: 403" "403" "$(req POST /api/logout -b "$R" -H "X-CSRF-Token: $(printf '%064d' 1)")"
check_eq "logout with rev22's CSRF token: 403" "403" "$(req POST /api/logout -b "$R" -H "X-CSRF-Token: $(csrf_of rev22)")"
check_eq "logout with the CSRF token" "200" "$(req POST /api/logout -b "$R" -H "X-CSRF-Token: $(csrf_of rev)")"
check_contains "logout clears the cookie" "$TMP/headers" "Max-Age=0"
check_eq "old cookie after logout: 401" "401" "$(get "$R" /api/session)"

# --- office and admin ------------------------------------------------------------------------------------
check_eq "office login" "200" "$(login office 'office-pass-1')"
O=$TMP/office.jar
check_eq "office sees its university's departments" "001012,001022" "$(jq -r '.departments|join(",")' "$TMP/office.login")"
check_eq "office reads 001022" "1" "$(get "$O" '/api/applicants?department=001022' >/dev/null; jq length "$TMP/body")"
check_eq "office with two departments must name one" "400" "$(get "$O" /api/applicants)"
check_eq "office may not manage users" "403" "$(get "$O" /api/users)"
check_eq "admin login" "200" "$(login adm 'admin-pass-1')"
M=$TMP/adm.jar
MC=$(csrf_of adm)
check_eq "admin sees no applications (404)" "404" "$(get "$M" '/api/applicants?department=001012')"
check_eq "admin sees no files (404)" "404" "$(get "$M" /api/files/$SHA)"
check_eq "admin lists users" "200 5" "$(get "$M" /api/users) $(jq length "$TMP/body")"
check_not_contains "user list holds no password hashes" "$TMP/body" "argon2"
NEWUSER='{"user":"newrev","password":"new-reviewer-1","role":"reviewer","departments":["001022"]}'
check_eq "add user without CSRF: 403" "403" "$(req POST /api/users -b "$M" -H 'Content-Type: application/json' --data "$NEWUSER")"
check_eq "add user" "201" "$(req POST /api/users -b "$M" -H "X-CSRF-Token: $MC" -H 'Content-Type: application/json' --data "$NEWUSER")"
check_eq "new user logs in" "200" "$(login newrev 'new-reviewer-1')"
check_eq "new user sees its department" "1" "$(get "$TMP/newrev.jar" /api/applicants >/dev/null; jq length "$TMP/body")"
check_eq "remove user without CSRF: 403" "403" "$(req DELETE /api/users/newrev -b "$M")"
check_eq "remove user" "200" "$(req DELETE /api/users/newrev -b "$M" -H "X-CSRF-Token: $MC")"
check_eq "removed user's session ends" "401" "$(get "$TMP/newrev.jar" /api/session)"
check_eq "remove a missing user: 404" "404" "$(req DELETE /api/users/newrev -b "$M" -H "X-CSRF-Token: $MC")"
check_eq "traversal in a user name: 404" "404" "$(req DELETE /api/users/..%2F..%2Fetc%2Fpasswd -b "$M" -H "X-CSRF-Token: $MC")"
check_eq "SQL in a user name: 404, users intact" "404 5" "$(req DELETE "/api/users/x'%20OR%20'1'='1" -b "$M" -H "X-CSRF-Token: $MC") $(sql "$db" "SELECT count(*) FROM users")"
check_eq "reviewer may not add users" "403" "$(login rev 'reviewer-pass-1' >/dev/null; req POST /api/users -b "$R" -H "X-CSRF-Token: $(csrf_of rev)" -H 'Content-Type: application/json' --data "$NEWUSER")"

# --- rate limiting --------------------------------------------------------------------------------------
for i in 1 2 3 4 5; do login locked "wrong-$i" >/dev/null; done
check_eq "after five failures even the right password is refused (429)" "429" "$(login locked 'locked-pass-1')"
check_eq "the other accounts still log in" "200" "$(login rev 'reviewer-pass-1')"
check_eq "failed logins recorded" "5" "$(sql "$db" "SELECT count(*) FROM login_failures WHERE user='locked'")"

# --- the audit log ---------------------------------------------------------------------------------------
check_eq "GET /api/audit brings the journal in first" "200" "$(get "$M" '/api/audit?limit=1')"
before=$(sql "$db" "SELECT count(*) FROM audit_log WHERE user='rev' AND action='view_category'")
get "$R" "$B" >/dev/null
check_eq "one category view, one audit row" "$((before + 1))" \
  "$(sql_eventually "$db" "SELECT count(*) FROM audit_log WHERE user='rev' AND action='view_category'" "$((before + 1))")"
# The importer runs only on an idle core, every quarter second; GET
# /api/audit imports the journal itself, so a view made just before is in.
get "$R" "$B" >/dev/null
check_eq "GET /api/audit at once lists the view just made" "view_category $((before + 2))" \
  "$(get "$M" '/api/audit?user=rev&limit=1' >/dev/null; jq -r '.[-1].action' "$TMP/body") $(sql "$db" "SELECT count(*) FROM audit_log WHERE user='rev' AND action='view_category'")"
get "$R" "$B" >/dev/null
check_eq "a view answered from the worker's cache is audited too" "$((before + 2))" \
  "$(sql_eventually "$db" "SELECT count(*) FROM audit_log WHERE user='rev' AND action='view_category'" "$((before + 2))")"
check_eq "the server's journal beside the database is private (0600)" "600" \
  "$(for f in "$db".audit-journal.*; do stat -c %a "$f"; done | sort -u | tr '\n' ' ' | sed 's/ $//')"
check_eq "the row names user, action, application, category" "rev|view_category|001012-10000001|B 書面報告" \
  "$(sql "$db" "SELECT user, action, application, detail FROM audit_log WHERE action='view_category' ORDER BY id DESC LIMIT 1")"
check_eq "file download audited" "rev|001012-10000001|$SHA" "$(sql "$db" "SELECT user, application, detail FROM audit_log WHERE action='file' LIMIT 1")"
check_eq "PDFs audited" "3" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE action IN ('packet_pdf','compare_pdf')")"
check_eq "refused logins audited, one row per address and minute" "1" \
  "$(sql "$db" "SELECT count(*) BETWEEN 1 AND 2 FROM audit_log WHERE action='login_refused' AND remote='127.0.0.1'")"
check_eq "refused requests leave no view rows" "0" "$(sql "$db" "SELECT count(*) FROM audit_log WHERE application LIKE '001022-%' AND user='rev'")"
check_eq "no password in the database" "0" "$(sqlite3 "$db" .dump | grep -c -e 'reviewer-pass' -e 'admin-pass' -e 'locked-pass' -e 'wrong-1')"
"$BEISHEN" audit --db "$db" --user rev --application 001012-10000001 >"$TMP/audit.txt"
check_contains "beishen audit lists a view" "$TMP/audit.txt" "view_category    001012-10000001  B 書面報告"
check_eq "beishen audit --json filters by user" "rev" "$("$BEISHEN" audit --db "$db" --user rev --json | jq -r 'map(.user)|unique|join(",")')"
check_eq "beishen audit --since in the future: nothing" "0" "$("$BEISHEN" audit --db "$db" --since 2999-01-01 --json | jq length)"
check_eq "beishen audit --since today" "1" "$("$BEISHEN" audit --db "$db" --since "$(date -u +%Y-%m-%d)" --json | jq 'length > 10 | if . then 1 else 0 end')"
"$BEISHEN" audit --db "$db" --since yesterday >/dev/null 2>&1
check_eq "bad --since is a usage error" "2" "$?"
check_eq "GET /api/audit (admin)" "200" "$(get "$M" '/api/audit?user=rev&limit=5')"
check_eq "GET /api/audit limit" "5" "$(jq length "$TMP/body")"
check_eq "GET /api/audit as reviewer: 403" "403" "$(get "$R" /api/audit)"

# --- expiry and a second server: sessions live in the database -----------------------------------------------
start_server "$TMP/second.out" --session-seconds 2 --connections 8 --threads 1 --timing
second_pid=$started_pid
FIRST=$BASE
BASE=$URL
check_eq "a second server on the same database" "200" "$(login rev 'reviewer-pass-1')"
check_eq "each server keeps a journal of its own" "2" "$(ls "$db".audit-journal.* | wc -l | tr -d ' ')"
check_eq "session valid at once" "200" "$(get "$R" /api/session)"
sleep 3
check_eq "expired session: 401" "401" "$(get "$R" /api/session)"
# Connection limit: 8 idle connections take every slot; a ninth, a real
# request, is served all the same: the connection that waited longest for
# a request is closed to make room (review/server/guard.c).
python3 - "$BASE" >"$TMP/limit.out" 2>&1 <<'EOF'
import socket, sys, time, urllib.request, urllib.error
host, port = sys.argv[1].split("//")[1].split(":")
held = [socket.create_connection((host, int(port))) for _ in range(8)]
time.sleep(0.5)
try:
    urllib.request.urlopen(sys.argv[1] + "/style.css", timeout=3)
    print("ninth served")
except Exception as e:
    print("ninth refused")
time.sleep(0.5)
closed = 0
for s in held:
    s.settimeout(0.5)
    try:
        closed += s.recv(100) == b""
    except (ConnectionResetError, socket.timeout):
        pass
print("idle closed %d" % closed)
for s in held:
    s.close()
time.sleep(0.5)
print("after %d" % urllib.request.urlopen(sys.argv[1] + "/style.css", timeout=3).status)
EOF
check_contains "at the connection limit, a ninth client is served" "$TMP/limit.out" "ninth served"
check_contains "by closing one idle connection to make room" "$TMP/limit.out" "idle closed 1"
check_contains "service goes on after" "$TMP/limit.out" "after 200"
kill -INT "$second_pid"
wait "$second_pid"
check_eq "SIGINT stops the second server, exit 0" "0" "$?"
second_pid=""
# --timing: the second server served at least the login, two session checks
# and the style sheet after the limit test, and says how long they took.
timed=$(sed -n 's/^beishen serve: \([0-9]*\) requests; time in the server (request line read to reply sent): p50 [0-9.]* ms, p99 [0-9.]* ms, p99.9 [0-9.]* ms, max [0-9.]* ms$/\1/p' "$TMP/second.out.err")
check_eq "serve --timing prints its percentiles at the end" "1" "$([ "${timed:-0}" -ge 4 ] && echo 1 || echo 0)"
check_eq "the stopped server's journal is gone, the other's stays" "1" "$(ls "$db".audit-journal.* | wc -l | tr -d ' ')"

BASE=$FIRST

# --- clean shutdown ----------------------------------------------------------------------------------------------
check_eq "one PDF cache while running, beside the database" "1" "$(ls "$db.cache" | grep -c '^run-')"
check_eq "the cache is private (0700)" "700" "$(stat -c %a "$db.cache")"
helper=$(ps -o pid= --ppid "$server_pid" 2>/dev/null | tr -d ' ' | head -n 1)
[ -n "$WRAP" ] && helper=""
kill -TERM "$server_pid"
wait "$server_pid"
status=$?
check_eq "SIGTERM stops the server, exit 0" "0" "$status"
check_contains "server says it stopped" "$TMP/server.out" "beishen serve: stopped"
check_eq "no timing line without --timing" "0" "$(grep -c 'time in the server' "$TMP/server.out.err")"
if [ -n "$helper" ]; then
    if kill -0 "$helper" 2>/dev/null; then fail "render helper left running"; else pass "render helper ended"; fi
fi
check_eq "PDF caches removed, nothing left in TMPDIR" "0 gone" \
  "$(ls "$TMP/tmpdir" | wc -l) $([ -e "$db.cache" ] && echo left || echo gone)"
server_pid=""
check_eq "no journal is left after a clean stop" "0" "$(ls "$db".audit-journal* 2>/dev/null | wc -l | tr -d ' ')"
# 2 wrong logins at the start, 5 wrong and 1 refused for 'locked' later.
check_eq "a clean stop writes the refused logins' counts: wrong 7, limited 1" "8 7 1" \
  "$(sql "$db" "SELECT sum(count) FROM audit_log WHERE action='login_refused'") $(sql "$db" "SELECT detail FROM audit_log WHERE action='login_refused'" | awk '{ w += $4; l += $6 } END { print w, l }')"
check_eq "and the accounts tried" "1" \
  "$(sql "$db" "SELECT count(*) > 0 FROM audit_log WHERE action='login_refused' AND detail LIKE '%locked%'")"

# --- a journal left by a killed server --------------------------------------------------------------------
# Rows a killed server had written to the journal but not imported come in
# at the next start, once each: a line whose row is already in audit_log
# (killed between the import's commit and the truncation) is not repeated.
done_key=$(sql "$db" "SELECT journal_key FROM audit_log WHERE journal_key IS NOT NULL ORDER BY id DESC LIMIT 1")
rows_before=$(sql "$db" "SELECT count(*) FROM audit_log")
printf '%s\t2026-01-01T00:00:00.000Z\trev\tview_category\t001012-10000001\tB 書面報告\t127.0.0.1\n' "$done_key" >>"$db.audit-journal"
printf 'killed-run-1\t2026-01-01T00:00:01.000Z\trev\tview_category\t001012-10000001\tleft\\tin the journal\t127.0.0.1\n' >>"$db.audit-journal"
# application NULL (\N), detail the two characters \N (written \\N)
printf 'killed-run-2\t2026-01-01T00:00:02.000Z\trev\tlogin\t\\N\t\\\\N\t127.0.0.1\n' >>"$db.audit-journal"
start_server "$TMP/third.out" --timeout 3
third_pid=$started_pid
check_eq "journal: \\N is NULL, an escaped backslash before N is text" "1|\\N" \
  "$(sql "$db" "SELECT application IS NULL, detail FROM audit_log WHERE journal_key = 'killed-run-2'")"
check_eq "the row left in the journal is imported at start, once" "1" \
  "$(sql "$db" "SELECT count(*) FROM audit_log WHERE journal_key = 'killed-run-1' AND detail = 'left' || char(9) || 'in the journal'")"
check_eq "the line already imported is not stored twice" "$((rows_before + 2))" "$(sql "$db" "SELECT count(*) FROM audit_log")"
check_eq "and the journal it was in is removed" "gone" "$([ -e "$db.audit-journal" ] && echo left || echo gone)"

# --- a server killed beside another ----------------------------------------------------------------------------
# Its journal is left behind; the running server adopts it (a flush, as
# GET /api/audit makes, or within 10 s): its rows are stored once and the
# file goes.
THIRD=$URL
start_server "$TMP/killed.out" --timeout 3
second_pid=$started_pid
BASE=$URL
logins_before=$(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'login' AND user = 'rev'")
check_eq "a server that will be killed: login" "200" "$(login rev 'reviewer-pass-1')"
kill -KILL "$second_pid"
wait "$second_pid" 2>/dev/null
second_pid=""
check_eq "killed: its journal is left behind" "2" "$(ls "$db".audit-journal.* | wc -l | tr -d ' ')"
BASE=$THIRD
check_eq "the running server's GET /api/audit" "200" "$(get "$M" '/api/audit?limit=1')"
check_eq "adopts the orphan: one journal left" "1" "$(ls "$db".audit-journal.* | wc -l | tr -d ' ')"
check_eq "the killed server's login is in the log, once" "1" \
  "$(($(sql "$db" "SELECT count(*) FROM audit_log WHERE action = 'login' AND user = 'rev'") - logins_before))"
kill -TERM "$third_pid"
wait "$third_pid"
check_eq "third server stops, exit 0" "0" "$?"
third_pid=""

cat "$TMP/server.out.err" "$TMP/second.out.err" "$TMP/third.out.err" >"$TMP/stderr.all"
check_not_contains "no sanitizer report from the servers" "$TMP/stderr.all" "Sanitizer"
check_not_contains "no undefined behaviour reported" "$TMP/stderr.all" "runtime error"
if [ -n "$WRAP" ]; then
    check_eq "valgrind: no errors, no definite leaks" "" "$(grep -E '==[0-9]+==' "$TMP/stderr.all" | head -n 20)"
fi
finish
