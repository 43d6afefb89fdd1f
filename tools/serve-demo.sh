#!/bin/sh
# make serve: the workstation on the demo database, with a demo reviewer
# account (one of 001012's readers in make demo) and a demo office account,
# whose new random passwords are printed.  The account is made in
# that database only.  Usage: serve-demo.sh DB LISTEN
set -e
db=$1
listen=$2
departments=$(sqlite3 -batch -noheader "$db" "SELECT '--department ' || code FROM departments ORDER BY code")
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
./beishen user remove --db "$db" demo >/dev/null 2>&1 || true
printf '%s\n' "$password" | ./beishen user add --db "$db" demo --role reviewer $departments >/dev/null
echo
echo "== demo reviewer account (in $db only)"
echo "   user:     demo"
echo "   password: $password"
echo "   departments: $(echo $departments | sed 's/--department //g')"
office_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
./beishen user remove --db "$db" demo-office >/dev/null 2>&1 || true
printf '%s\n' "$office_password" | ./beishen user add --db "$db" demo-office --role office --university 001 >/dev/null
echo "== demo admissions-office account (university 001: 評分管理)"
echo "   user:     demo-office"
echo "   password: $office_password"
echo
exec ./beishen serve --db "$db" --listen "$listen"
