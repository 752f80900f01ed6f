# extension.sh - mxaudit_ext.so in the sqlite3 shell: `.load ./mxaudit_ext`
# gives the same functions, and the canned queries run unchanged there.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "sqlite3 shell not installed: skipped"
    exit 77
fi
# The module is built next to the mxaudit binary; load it as a user would.
cp "$(dirname "$MX")/mxaudit_ext.so" ./mxaudit_ext.so

expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT ip_in('10.1.2.3','10.0.0.0/8')")" 1 "ip_in through the extension"
expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT ip_in('10.1.2.3','192.0.2.0/24')")" 0 "ip_in outside the network"
expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT ip_in('2001:db8::25', '2001:db8::/32')")" 1 "ip_in IPv6"
expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT domain_of('Bob@Company-A.Example'), local_part_of('bob@x.example')")" "company-a.example|bob" "domain_of, local_part_of"
expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT 'status=bounced' REGEXP '(?i)STATUS=(sent|bounced)'")" 1 "REGEXP operator"
expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT is_exo_ip('40.107.20.84'), is_exo_ip('192.0.2.1')")" "1|0" "is_exo_ip"
expect_eq "$(sqlite3 x.db ".load ./mxaudit_ext" "SELECT in_list('b', '[\"a\", \"b\"]'), in_list('c', '[\"a\", \"b\"]')")" "1|0" "in_list"
# Errors are SQL errors in the host, not crashes.
sqlite3 x.db ".load ./mxaudit_ext" "SELECT ip_in('10.1.2.3', 'not-a-net')" > out.txt 2> err.txt
expect_in err.txt "ip_in"
# Without the extension the shell does not know the functions (the test is real).
sqlite3 x.db "SELECT ip_in('10.1.2.3','10.0.0.0/8')" > out.txt 2> err.txt
expect_in err.txt "no such function: ip_in"

# On an mxaudit database, every canned query gives the same rows in the shell
# (with the extension) as in `mxaudit sql`.
cat > mail.log <<'LOG'
Nov 27 10:05:00 relay1 postfix/smtpd[110]: 5B2C3D4E5F: client=app.example[10.1.2.3]
Nov 27 10:05:00 relay1 postfix/cleanup[101]: 5B2C3D4E5F: message-id=<x2@relay1.example>
Nov 27 10:05:00 relay1 postfix/qmgr[102]: 5B2C3D4E5F: from=<app@company-b.example>, size=99, nrcpt=1 (queue active)
Nov 27 10:05:01 relay1 postfix/smtp[203]: 5B2C3D4E5F: to=<x@contoso.example>, relay=company-b.mail.protection.outlook.com[52.101.68.10]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.7.64, status=bounced (host company-b.mail.protection.outlook.com[52.101.68.10] said: 550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR04MB1234.eurprd04.prod.outlook.com] (in reply to RCPT TO command))
Nov 27 10:05:01 relay1 postfix/qmgr[102]: 5B2C3D4E5F: removed
LOG
expect_exit 0 "$MX" --db m.db ingest --year 2026 --tz UTC mail.log
for q in "$SRC"/queries/*.sql; do
    name=$(basename "$q" .sql)
    sqlite3 -csv -header m.db ".load ./mxaudit_ext" ".read $q" > shell.csv 2> err.txt
    expect_eq "$(cat err.txt)" "" "errors of $name in the sqlite3 shell"
    "$MX" --db m.db sql --format csv -f "$q" > ours.csv 2> err.txt
    if [ ! -s shell.csv ]; then
        # no rows: the shell prints nothing, mxaudit the header alone
        expect_eq "$(wc -l < ours.csv)" 1 "$name: no rows in mxaudit sql either"
        continue
    fi
    rm -f cmp.db
    sqlite3 cmp.db ".import --csv shell.csv a" ".import --csv ours.csv b" 2>/dev/null
    expect_eq "$(sqlite3 cmp.db "SELECT (SELECT count(*) FROM a) = (SELECT count(*) FROM b) AND NOT EXISTS (SELECT * FROM a EXCEPT SELECT * FROM b)")" 1 "$name: shell and mxaudit sql agree"
done
# The attribution failure is really found through the extension's REGEXP.
sqlite3 -csv m.db ".load ./mxaudit_ext" ".read $SRC/queries/attribution_failures.sql" > out.txt
expect_in out.txt "x@contoso.example"

finish
