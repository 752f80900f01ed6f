# audit.sh - `mxaudit init`, `audit` and `precheck` as a script uses them:
# exit codes, the JSON-lines contract, --finding, --since, config errors.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
FIX="$SRC/tests/fixtures/audit"

"$MX" audit --help >out.txt 2>err.txt
if grep -qF "unknown command 'audit'" err.txt; then
    echo "audit commands are not in this binary's command table" >&2
    exit 77
fi
expect_exit 0 "$MX" audit --help
expect_in out.txt "usage: mxaudit audit"
expect_in out.txt "--fail-on-findings"
expect_exit 0 "$MX" precheck --help
expect_in out.txt "Exit codes: 0 safe"
expect_exit 0 "$MX" init --help

# init writes a template that audit accepts, and never overwrites silently.
expect_exit 0 "$MX" init
expect_in mxaudit.conf "[organization]"
expect_exit 2 "$MX" init
expect_in err.txt "mxaudit.conf exists"
expect_exit 0 "$MX" init --force
expect_in err.txt "wrote mxaudit.conf"
# --quiet: errors only, so a script's init says nothing when it works.
expect_exit 0 "$MX" -q init other.conf
expect_in other.conf "[organization]"
expect_eq "$(cat err.txt)" "" "init --quiet's stderr"

expect_exit 0 "$MX" --db a.db --quiet ingest --year 2026 --tz UTC "$FIX/fabrikam-trace.csv"
expect_exit 0 "$MX" --db a.db audit
expect_in out.txt "entry rows examined"

# Configuration errors are usage errors naming file, line and key.
printf '[organization]\ndomains = fabrikam.example\n[gateway]\nips = 198.51.100.300\n' > bad.conf
expect_exit 2 "$MX" --db a.db audit --config bad.conf
expect_in err.txt "bad.conf:4: ips: '198.51.100.300' is not an IP address or network"
expect_exit 2 "$MX" --db a.db audit --config missing.conf
expect_in err.txt "missing.conf"
expect_exit 2 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --finding nope
expect_exit 2 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --format xml
expect_exit 4 "$MX" --db none.db audit --config "$FIX/fabrikam.conf"

# JSON: one object per line and nothing else; exact field names.
expect_exit 0 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2026-11-28 --format json
expect_eq "$(wc -l < out.txt | tr -d ' ')" 5 "number of JSON findings"
expect_eq "$(grep -vc '^{.*}$' out.txt)" 0 "lines that are not one JSON object"
expect_in out.txt '"finding":"ndr_direct","message_id":"AM0PR04MB1234.ndr-1@AM0PR04MB1234.eurprd04.prod.outlook.com","sender":"","recipients":["thomas.mueller@fabrikam.example"]'
expect_in out.txt '"first_seen":"2026-11-27T10:30:00Z"'
expect_in out.txt '"entry":"exo","client_ip":"2a01:111:f403:c20a::7","source_net":"eop","service":"SharePoint Online / OneDrive notifications (sharing, alerts, digests)","excepted":false'
expect_in out.txt '"sender":"noreply@planner.office365.com"'
expect_in out.txt '"excepted":true,"exception_expired":false,"exception_reason":"routed via the gateway from 2026-12","exception_until":"2027-03-31"'
expect_in out.txt '"evidence":[{"file":"'
expect_not_in out.txt 'r.alvarez@contoso.example'

# An exception past its day is reported as expired and counts again.
expect_exit 1 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2027-04-01 --format json --finding notification_known --fail-on-findings
expect_in out.txt '"excepted":false,"exception_expired":true'
expect_eq "$(wc -l < out.txt | tr -d ' ')" 2 "notification_known findings"
# --now takes a time too, judged on its UTC day: 23:30 at -01:00 on the last
# day is already the day after; a date that does not exist is refused.
expect_exit 1 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2027-03-31T23:30:00-01:00 --format json --finding notification_known --fail-on-findings
expect_in out.txt '"excepted":false,"exception_expired":true'
expect_exit 0 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2027-03-31T23:30:00Z --format json --finding notification_known
expect_in out.txt '"excepted":true,"exception_expired":false'
expect_exit 2 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2026-13-99
expect_in err.txt "--now '2026-13-99': expected YYYY-MM-DD or an ISO 8601 time"

# --fail-on-findings: 1 with findings that are not excepted.
expect_exit 1 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2026-11-28 --fail-on-findings
# a bad day names where it came from
expect_exit 2 env MXAUDIT_NOW=someday "$MX" --db a.db audit --config "$FIX/fabrikam.conf"
expect_in err.txt "\$MXAUDIT_NOW 'someday': expected YYYY-MM-DD or an ISO 8601 time"
expect_exit 2 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now someday
expect_in err.txt "--now 'someday'"
expect_exit 0 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2026-11-28 --fail-on-findings --since 2026-11-28
expect_in out.txt "0 findings"
expect_exit 0 "$MX" --db a.db audit --config "$FIX/fabrikam.conf" --now 2026-11-28 --until 2026-11-27T10:00:00Z --format csv
expect_in out.txt "finding,message_id,sender,recipients"
expect_in out.txt "notification_known,c0ffee01-1111-4222-8333-444455556666@odspnotify"
expect_eq "$(wc -l < out.txt | tr -d ' ')" 2 "CSV lines (header + 1 finding)"

# precheck: not safe while an NDR and SharePoint would be cut.
expect_exit 1 "$MX" --db a.db precheck --config "$FIX/fabrikam.conf" --now 2026-11-28
expect_in out.txt "NOT SAFE"
expect_in out.txt "[CUT]"
expect_exit 1 "$MX" --db a.db precheck --config "$FIX/fabrikam.conf" --now 2026-11-28 --format json
expect_in out.txt '{"verdict":"not_safe","cut_groups":2,"exo_entries":6,"exo_first_seen":"2026-11-27T08:14:03Z","exo_last_seen":"2026-11-27T14:38:31Z","partners_from":"entries"}'
# no Postfix log of the gateway here: partners come from what entered from [gateway] ips, and it says so
expect_exit 1 "$MX" --db a.db precheck --config "$FIX/fabrikam.conf" --now 2026-11-28
expect_in out.txt "No mail delivered by a [gateway] host is in its Postfix logs here: partners are the sender domains of mail that entered Exchange from [gateway] ips."
# the report gives the same basis beside its verdict
expect_exit 0 "$MX" --db a.db report --config "$FIX/fabrikam.conf" --since 2026-11-27 --until 2026-11-27 --generated-at 2026-11-28 -o r.md
expect_in r.md "Judged on 6 Exchange Online entries from 2026-11-27T08:14:03Z to 2026-11-27T14:38:31Z. No mail delivered by a [gateway] host"
# ... and safe once those are excepted.
cat "$FIX/fabrikam.conf" > ok.conf
printf 'accept = no-reply@sharepointonline.com = moving to the gateway\naccept = 40.107.0.0/16 = NDRs from EOP, accepted\n' >> ok.conf
expect_exit 0 "$MX" --db a.db precheck --config ok.conf --now 2026-11-28
expect_in out.txt "SAFE to close"

# Company B: sending side only; precheck has nothing to cut.
expect_exit 0 "$MX" --db b.db --quiet ingest --year 2026 --tz UTC "$FIX/northwind-relay.log"
expect_exit 0 "$MX" --db b.db audit --config "$FIX/northwind.conf" --format json
expect_in out.txt '"finding":"attribution_failure"'
expect_in out.txt '"recipient":"x@contoso.example","attempts":3,"reply":"host northwind-example.mail.protection.outlook.com[52.101.68.10] said: 550 5.7.64 TenantAttribution; Relay Access Denied'
expect_in out.txt '"finding":"ndr_lost"'
# The CSV carries the sending side's dsn and host in columns of their own.
expect_exit 0 "$MX" --db b.db audit --config "$FIX/northwind.conf" --format csv --finding attribution_failure
expect_in out.txt "attempts,reply,smarthost,dsn,host,evidence"
expect_in out.txt ",northwind-example.mail.protection.outlook.com,5.7.64,relay1,"
# An ingest that stopped after a file landed and before the Postfix lines were
# correlated (as a kill leaves it: queue ids waiting in pf_dirty, or a first
# load's message indexes not made yet) is said by every command that reads
# the results, and the next ingest of anything finishes it.
sqlite3 b.db "INSERT INTO pf_dirty VALUES ('4DEF456ABC'), ('5ABC')"
expect_exit 0 "$MX" --db b.db audit --config "$FIX/northwind.conf"
expect_in err.txt "warning: an ingest stopped (or is still running) before it correlated 2 Postfix queue ids it stored"
expect_exit 0 "$MX" --db b.db report --config "$FIX/northwind.conf" --period 2026-11 -o r.md
expect_in err.txt "any ingest (even of a file already stored) finishes the work"
sqlite3 b.db "DROP INDEX pf_message_qid"
expect_exit 0 "$MX" --db b.db audit --config "$FIX/northwind.conf"
expect_in err.txt "warning: an ingest stopped (or is still running) before it correlated the Postfix lines it stored"
# an ingest of another format finishes it too (in a copy: b.db stays without a trace)
cp b.db c.db
expect_exit 0 "$MX" --db c.db --quiet ingest --year 2026 --tz UTC "$FIX/fabrikam-trace.csv"
expect_exit 0 "$MX" --db c.db audit --config "$FIX/northwind.conf"
expect_not_in err.txt "warning"
expect_exit 0 "$MX" --db b.db --quiet ingest --year 2026 --tz UTC "$FIX/northwind-relay.log"
expect_exit 0 "$MX" --db b.db audit --config "$FIX/northwind.conf" --format json
expect_not_in err.txt "warning"
expect_in out.txt '"finding":"ndr_lost"'

# Its configuration has no [gateway]: its MX is Exchange Online itself, and
# the precheck has no back door to judge.
expect_exit 2 "$MX" --db b.db precheck --config "$FIX/northwind.conf"
expect_in err.txt "has no [gateway]: the MX is Exchange Online itself, so there is no back door to close"
finish
