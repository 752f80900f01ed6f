# sql_views.sh - every view and every example query of the README's "Ad-hoc
# SQL" section, run with `mxaudit sql` on the sample story, returns what the
# README says.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
if [ ! -d "$SRC/sample-logs/company-a" ]; then
    echo "sample-logs/ not there: skipped"
    exit 77
fi
"$MX" --db s.db --quiet ingest --year 2026 --tz Europe/Berlin "$SRC/sample-logs/" 2>/dev/null
export MXAUDIT_DB=s.db

# q NAME SQL: runs SQL as CSV into NAME.csv; then `same NAME` compares it with
# the expected text on stdin.
q() {
    checks=$((checks + 1))
    if ! "$MX" sql --format csv "$2" > "$1.csv" 2> "$1.err"; then
        echo "FAIL: $1: mxaudit sql failed:" >&2
        sed 's/^/  /' "$1.err" >&2
        failures=$((failures + 1))
    fi
}
same() {
    cat > "$1.want"
    checks=$((checks + 1))
    if ! diff -u "$1.want" "$1.csv" >&2; then
        echo "FAIL: $1 differs from the README (above: - README, + got)" >&2
        failures=$((failures + 1))
    fi
}

# Every view answers on this database.
for v in v_ex_row v_hop v_message_recipient v_message v_tenant_delivery v_gateway_ip v_backdoor v_ndr v_exo_delivery v_source v_reject; do
    q "$v-all" "SELECT * FROM $v"
done
expect_eq "$(wc -l < v_message-all.csv)" 79 "v_message rows + header"
expect_eq "$(wc -l < v_source-all.csv)" 12 "v_source rows + header"

q message "SELECT first_seen, entry_place, path, recipients FROM v_message WHERE sender = 't.schulz@northwind.example' ORDER BY first_seen"
same message <<'CSV'
first_seen,entry_place,path,recipients
2026-11-23 09:33:42,mailing/postfix,mailing/postfix > mx1/postfix > Exchange Online,einkauf@fabrikam.example Delivered
2026-11-25 08:12:04,mailing/postfix,mailing/postfix > Exchange Online,"einkauf@fabrikam.example Receive, Deliver"
CSV

q recipient "SELECT recipient, final_status, final_place FROM v_message_recipient WHERE final_status IN ('expired', 'bounced') ORDER BY recipient"
same recipient <<'CSV'
recipient,final_status,final_place
auftrag@tailspin.example,expired,mailing/postfix
c.roth@lucernepub.example,bounced,mailing/postfix
k.novak@adatum.example,bounced,mailing/postfix
l.meyer@tailspin.example,expired,mailing/postfix
service@northwind-shop.example,bounced,mailing/postfix
CSV

q backdoor "SELECT first_seen, client_ip, sender, subject FROM v_backdoor WHERE NOT ip_in(client_ip, '198.51.100.30') ORDER BY first_seen"
same backdoor <<'CSV'
first_seen,client_ip,sender,subject
2026-11-23 09:58:12,52.101.62.17,no-reply@teams.mail.microsoft,Sie haben verpasste Aktivitäten in Microsoft Teams
2026-11-23 13:27:44,192.0.2.143,rechnung@paypa1-konto.example,Ihre Rechnung Nr. 2026-88412 ist überfällig
2026-11-24 08:30:19,2a01:111:f403:c20a::7,no-reply@sharepointonline.com,"Markus Becker hat ""Preisliste 2027.xlsx"" für Sie freigegeben"
2026-11-24 10:41:08,203.0.113.45,MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@northwind.example,Undeliverable: Angebot Rahmenvertrag 2027
2026-11-24 12:04:56,203.0.113.45,m.keller@northwind.example,Automatische Antwort: Lieferung KW 49
2026-11-25 08:12:05,203.0.113.45,t.schulz@northwind.example,AW: Lieferavis KW 48
2026-11-25 09:03:44,40.107.20.84,noreply@planner.office365.com,"Sie wurden der Aufgabe ""Inventur Lager 3"" zugewiesen"
2026-11-25 10:30:26,52.101.87.33,no-reply@forms.office.com,"Neue Antwort auf ""Kundenzufriedenheit 2026"""
2026-11-25 11:47:53,40.107.23.57,noreply@crm4.dynamics.com,Erinnerung: Verkaufschance Rahmenvertrag Wingtip fällig
2026-11-25 13:15:08,2001:db8:4f2:1::25,gewinn@lotto-service24.example,Gewinnbenachrichtigung: Ihr Gutschein über 500 €
2026-11-25 14:38:31,192.0.2.211,buchhaltung@fabrikam.example,Dringend: Zahlungsfreigabe heute
CSV
# Unfiltered, the hybrid copies from EX01 (198.51.100.30) are there too.
expect_eq "$(wc -l < v_backdoor-all.csv)" 17 "v_backdoor rows + header"

q backdoor_ndr "SELECT recipients, subject, client_ip FROM v_backdoor WHERE is_ndr"
same backdoor_ndr <<'CSV'
recipients,subject,client_ip
jonas.weber@fabrikam.example,Undeliverable: Angebot Rahmenvertrag 2027,203.0.113.45
CSV

q tuesday "SELECT first_seen, sender, subject FROM v_backdoor WHERE client_ip = '203.0.113.45' AND first_seen >= '2026-11-24' AND first_seen < '2026-11-25'"
same tuesday <<'CSV'
first_seen,sender,subject
2026-11-24 10:41:08,MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@northwind.example,Undeliverable: Angebot Rahmenvertrag 2027
2026-11-24 12:04:56,m.keller@northwind.example,Automatische Antwort: Lieferung KW 49
CSV

q gateway "SELECT client_ip, messages FROM v_gateway_ip ORDER BY client_ip"
same gateway <<'CSV'
client_ip,messages
198.51.100.25,24
198.51.100.26,5
CSV

q ndr "SELECT ndr_recipients, link, orig_subject FROM v_ndr WHERE link IS NOT NULL ORDER BY ndr_first_seen"
same ndr <<'CSV'
ndr_recipients,link,orig_subject
jonas.weber@fabrikam.example Delivered,reference,Angebot Rahmenvertrag 2027
k.braun@fabrikam.example DELIVER,reference,Protokoll Teamrunde 24.11. (Nachtrag)
service@northwind-shop.example bounced,postfix-notice,Ihre Reklamation RK-2026-1187
einkauf@northwind.example sent,postfix-notice,Bestellung 4500012345
vertrieb@northwind.example sent,postfix-notice,
CSV

q exo "SELECT host, status, count(*) AS attempts, group_concat(DISTINCT exo_attribution) AS attribution FROM v_exo_delivery GROUP BY host, status ORDER BY host, status"
same exo <<'CSV'
host,status,attempts,attribution
mailing,bounced,3,TenantAttribution
mailing,deferred,48,ATTR35
mailing,sent,15,
mx1,sent,27,
mx2,sent,5,
CSV

q sources "SELECT format, count(*) AS files, sum(events_stored) AS events, sum(lines_rejected) AS rejected FROM v_source GROUP BY format ORDER BY format"
same sources <<'CSV'
format,files,events,rejected
exo-report,1,14,0
exo-trace,1,70,0
msgtrk,4,37,0
postfix,5,582,0
CSV

# The sample story has no rejected line; a tracking log with three broken
# rows shows what v_reject and v_source report.
"$MX" --db r.db --quiet ingest "$SRC/tests/fixtures/exchange/MSGTRK2026112710-1.LOG" 2>/dev/null
"$MX" --db r.db sql --format csv "SELECT line, reason FROM v_reject ORDER BY line" > reject.csv
same reject <<'CSV'
line,reason
13,"expected 30 fields (as the header says), found 29"
14,unterminated quoted field
15,unparseable time '2026-13-45T99:00:00Z'
CSV
"$MX" --db r.db sql --format csv "SELECT lines_rejected, first_reject FROM v_source" > first.csv
same first <<'CSV'
lines_rejected,first_reject
3,"13: expected 30 fields (as the header says), found 29"
CSV

# A SEND row's server-hostname is the next hop, not a place the message was:
# the scanner's mail went from EX01 to Exchange Online, and every on-prem row
# has a place (NOTIFYMAPI rows name theirs on the client side).
q send_path "SELECT path, hops FROM v_message WHERE msg_key = '20261124101812.0004711.scan01@belegscan.example'"
same send_path <<'CSV'
path,hops
EX01 > Exchange Online,2
CSV
q no_place "SELECT count(*) AS n FROM v_hop WHERE place = '?' OR place LIKE '%.mail.protection.outlook.com'"
same no_place <<'CSV'
n
0
CSV

# An export without ServerHostname: a RECEIVE row's client is the sender,
# not a place the message was; only SEND and NOTIFYMAPI rows name their own
# server on the client side.
printf '"Timestamp","EventId","Source","Sender","Recipients","MessageId","ClientIp","ClientHostname"\n"11/3/2026 9:00:00 AM","RECEIVE","SMTP","m@example.net","a@corp.example.com","<p1@example.net>","192.0.2.9","mx.example.net"\n"11/3/2026 9:00:01 AM","DELIVER","STOREDRIVER","m@example.net","a@corp.example.com","<p1@example.net>","","EX01"\n"11/3/2026 9:00:02 AM","SEND","SMTP","a@corp.example.com","m@example.net","<p2@corp.example.com>","10.0.0.5","EX01"\n' > noserver.csv
"$MX" --db n.db --quiet ingest --tz UTC --date-order mdy noserver.csv 2>/dev/null
MXAUDIT_DB=n.db q noserver "SELECT msg_key, path FROM v_message ORDER BY msg_key"
same noserver <<'CSV'
msg_key,path
p1@example.net,?
p2@corp.example.com,EX01
CSV

# An entry with neither a Message-ID nor a network message id has the key of
# its row in v_ex_row, so v_entry joins v_message on msg_key.
printf '"Timestamp","EventId","Source","Sender","Recipients","ClientIp","ServerHostname"\n"11/3/2026 9:00:00 AM","RECEIVE","SMTP","m@example.net","a@corp.example.com","192.0.2.9","EX01"\n' > lone.csv
"$MX" --db l.db --quiet ingest --tz UTC --date-order mdy lone.csv 2>/dev/null
MXAUDIT_DB=l.db q lone "SELECT e.msg_key, r.msg_key = e.msg_key AS same_row, m.hops
                        FROM v_entry e JOIN v_ex_row r ON r.id = e.event_id LEFT JOIN v_message m ON m.msg_key = e.msg_key"
same lone <<'CSV'
msg_key,same_row,hops
exchange:1,1,1
CSV

finish
