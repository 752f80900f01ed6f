# report.sh - `mxaudit report` on the sample story: Markdown, CSV and JSON
# compared byte for byte with tests/golden/report/, several outputs in one
# run, stdout, redaction, and the exit codes of bad arguments.
# MXAUDIT_UPDATE_GOLDEN=1 rewrites the golden files instead (review the diff).
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
WORK=$(pwd)
GOLDEN="$SRC/tests/golden/report"
[ -d "$SRC/sample-logs/company-a" ] || { echo "sample-logs/ absent: skipped"; exit 77; }

# Paths in the database (and so in the report) are as given: relative to the source root.
(cd "$SRC" && "$MX" --db "$WORK/mx.db" --quiet ingest --year 2026 --tz Europe/Berlin sample-logs/) >ingest.out 2>&1 ||
    { cat ingest.out >&2; echo "FAIL: ingest" >&2; exit 1; }

# The report's date comes from SOURCE_DATE_EPOCH (2026-12-01 00:00:00 UTC).
export SOURCE_DATE_EPOCH=1796083200
unset MXAUDIT_REDACT_KEY
report() { (cd "$SRC" && "$MX" --db "$WORK/mx.db" report --config sample-logs/company-a.conf "$@"); }

expect_exit 0 report --period 2026-11 -o "$WORK/a.md" -o "$WORK/a.csv" -o "$WORK/a.json" -o "$WORK/a.html"
expect_in err.txt "wrote $WORK/a.json"
expect_exit 0 report --since 2026-11-23 --until 2026-11-26 --redact --redact-key sample-key -o "$WORK/redacted.md"
# Company B: the sending side (attribution failures, a lost NDR).
report_b() { (cd "$SRC" && "$MX" --db "$WORK/mx.db" report --config sample-logs/company-b.conf "$@"); }
expect_exit 0 report_b --period 2026-W48 -o "$WORK/b.md"

# The header names the database as given, here in the build tree: the
# golden files hold WORK/ for it (Markdown escapes its '_').
work_md=$(printf '%s' "$WORK" | sed 's/_/\\\\_/g')
for f in a.md a.csv a.json redacted.md b.md; do
    sed -e "s#$WORK/#WORK/#g" -e "s#$work_md/#WORK/#g" "$f" >"$f.norm"
done

if [ "${MXAUDIT_UPDATE_GOLDEN:-}" = 1 ]; then
    mkdir -p "$GOLDEN"
    cp a.md.norm "$GOLDEN/sample-a.md"
    cp a.csv.norm "$GOLDEN/sample-a.csv"
    cp a.json.norm "$GOLDEN/sample-a.json"
    cp redacted.md.norm "$GOLDEN/sample-a-redacted.md"
    cp b.md.norm "$GOLDEN/sample-b-week.md"
    echo "golden files rewritten"
fi
for f in sample-a.md:a.md.norm sample-a.csv:a.csv.norm sample-a.json:a.json.norm sample-a-redacted.md:redacted.md.norm \
    sample-b-week.md:b.md.norm; do
    checks=$((checks + 1))
    if ! cmp -s "$GOLDEN/${f%%:*}" "${f#*:}"; then
        echo "FAIL: ${f#*:} differs from tests/golden/report/${f%%:*}:" >&2
        diff -u "$GOLDEN/${f%%:*}" "${f#*:}" | head -40 >&2
        failures=$((failures + 1))
    fi
done

# What a reader checks first.
expect_in a.md "# Mail-flow compliance report: 2026-11"
# 41: the four messages EX01 (in [onprem]) hands to Exchange Online are internal, not inbound
expect_in a.md "12 of 41 inbound messages (29.3%) reached Exchange without passing the MX gateway."
expect_in a.md "| postfix | mx2 | 52 | 29 | 2026-11-01 to 2026-11-23, 2026-11-25 to 2026-11-30 |"
expect_in a.md "**Not safe** to close the Exchange Online back door"
expect_in a.md "No comparison: the database has no rows in the previous period (2026-10-01 to 2026-10-31)."
expect_in a.html "<svg "
# What the verdicts rest on, in the header and for programs.
expect_in a.md.norm "| Database | WORK/mx.db |"
expect_in a.md "| Gateway (the MX) | hosts mx1.fabrikam.example, mx2.fabrikam.example; IPs 198.51.100.25, 198.51.100.26; connector From Gateway |"
expect_in a.md "| On-prem Exchange | IPs 10.1.0.0/16, 198.51.100.30 |"
expect_in a.html "<tr><th>On-prem Exchange</th><td>IPs 10.1.0.0/16, 198.51.100.30</td></tr>"
expect_in a.json '"settings":{"gateway":{"hosts":["mx1.fabrikam.example","mx2.fabrikam.example"],"ips":["198.51.100.25","198.51.100.26"],"connectors":["From Gateway"]},"onprem_ips":["10.1.0.0/16","198.51.100.30"]'
expect_in a.json '"hosts":["mx2"]'
expect_in a.json '"via_back_door":12,"back_door_exo":11,"back_door_onprem":1,"back_door_share":29.3,'
expect_in a.csv 'setting,,,onprem,"IPs 10.1.0.0/16, 198.51.100.30"'
expect_in a.csv 'generated,2026-12-01T00:00:00Z,,mxaudit 0.1.0,'

expect_in redacted.md "**Redacted report.**"
expect_not_in redacted.md "jonas.weber"
expect_not_in redacted.md "Subject:"
expect_in redacted.md "@northwind.example"
expect_in b.md "# Mail-flow compliance report: 2026-W48"
# no [gateway]: what did not come through the back door came through Exchange Online as the MX
expect_in b.md "| Via the MX, Exchange Online (or trusted paths) |"
expect_in b.md "| ndr_lost | 2026-11-24 13:20:08 | \\<\\> | service@northwind-shop.example | 1 |"

# Standard output: the same Markdown as the file.
expect_exit 0 report --period 2026-11
checks=$((checks + 1))
cmp -s out.txt a.md || { echo "FAIL: stdout differs from -o a.md" >&2; failures=$((failures + 1)); }
expect_exit 0 report --period 2026-11 --format json
checks=$((checks + 1))
cmp -s out.txt a.json || { echo "FAIL: --format json differs from -o a.json" >&2; failures=$((failures + 1)); }

if command -v python3 >/dev/null 2>&1; then
    # JSON parses; every CSV row has the header's number of fields.
    expect_exit 0 python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["findings"]) == 12, len(d["findings"])' a.json
    expect_exit 0 python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert all(len(r) == len(rows[0]) for r in rows), "ragged CSV"
assert sum(1 for r in rows if r[0] == "finding") == 12
assert all(not r[i].startswith(("=", "+", "-", "@")) for r in rows for i in range(len(r))), "formula cell"' a.csv
fi

# Bad arguments: exit 2 and a message.
expect_exit 2 report
expect_in err.txt "a period is needed"
expect_exit 2 report --period 2026-13
expect_in err.txt "expected YYYY-MM, YYYY-Www or YYYY-MM-DD"
expect_exit 2 report --period 2026-11 --since 2026-11-01 --until 2026-11-02
expect_exit 2 report --period 2026-11 -o "$WORK/report.txt"
expect_in err.txt "the extension must be .html, .md, .csv or .json"
expect_exit 2 report --period 2026-11 --redact
expect_in err.txt "--redact needs a key"
expect_exit 2 env SOURCE_DATE_EPOCH=yesterday "$MX" --db "$WORK/mx.db" report --config "$SRC/sample-logs/company-a.conf" --period 2026-11
expect_in err.txt "SOURCE_DATE_EPOCH"
# A period of days names the previous one once
expect_exit 0 "$MX" --db "$WORK/mx.db" report --config "$SRC/sample-logs/company-a.conf" --since 2026-11-24 --until 2026-11-25 -o days.md
expect_in days.md "Compared with the previous period, 2026-11-22 to 2026-11-23, in which"
# --generated-at takes a day too (its midnight, UTC), and says what it wants
expect_exit 0 "$MX" --db "$WORK/mx.db" report --config "$SRC/sample-logs/company-a.conf" --period 2026-11 --generated-at 2026-12-02 -o day.md
expect_in day.md "| Generated | 2026-12-02 00:00:00 UTC"
expect_exit 2 "$MX" --db "$WORK/mx.db" report --config "$SRC/sample-logs/company-a.conf" --period 2026-11 --generated-at soon
expect_in err.txt "--generated-at 'soon': expected YYYY-MM-DD or an ISO 8601 time"
expect_exit 2 report --period 2026-11 --config /nonexistent.conf
expect_exit 4 "$MX" --db "$WORK/none.db" report --config "$SRC/sample-logs/company-a.conf" --period 2026-11
expect_exit 2 report --period 2026-11 -o "$WORK/no/such/dir/r.html"
# Exceptions are judged on the period's last day, not on the day the report
# is made (2026-12-01 here): one that ran until 2026-11-30 still holds.
cp "$SRC/sample-logs/company-a.conf" until.conf
printf 'accept = /@lotto-service24\\.example$/ = lottery spam, accepted until the filter update = 2026-11-30\n' >>until.conf
expect_exit 0 "$MX" --db "$WORK/mx.db" report --config until.conf --period 2026-11 -o until.md
expect_in until.md "| Findings with a current exception | 1 |"
expect_in until.md "| Findings whose exception has expired | 1 |"

# A log that had rows in the previous period and has none now is listed,
# all gap: its host went away or its log was not collected.
printf '%s\n' '2026-10-15T10:00:00+00:00 oldmx postfix/smtpd[1]: connect from a.example[192.0.2.1]' \
    '2026-10-16T10:00:00+00:00 MX1.fabrikam.example postfix/smtpd[1]: connect from a.example[192.0.2.1]' \
    '2026-10-17T10:00:00+00:00 mx2.fabrikam.example postfix/smtpd[1]: connect from a.example[192.0.2.1]' \
    '2026-11-10T10:00:00+00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]' >moved.log
"$MX" --db moved.db --quiet ingest moved.log
expect_exit 0 "$MX" --db moved.db report --config "$SRC/sample-logs/company-a.conf" --period 2026-11 -o moved.md
expect_in moved.md "| postfix | oldmx | 0 | 30 | 2026-11-01 to 2026-11-30 |"
expect_in moved.md "| postfix | mx1 | 1 | 29 | 2026-11-01 to 2026-11-09, 2026-11-11 to 2026-11-30 |"
# the same hosts by their full names or in capitals are not listed again
expect_in moved.md "| postfix | mx2 | 0 | 30 | 2026-11-01 to 2026-11-30 |"
expect_not_in moved.md ".fabrikam.example | 0 | 30 |"
expect_in moved.md "3 logs with days without rows"
# a day with only gateway rows shows nothing of what entered Exchange: no counts, no share
expect_in moved.md "| 2026-11-10 | – | – | no Exchange log rows |"
expect_exit 0 "$MX" report --help
expect_in out.txt "usage: mxaudit report"
expect_in out.txt "--redact-key"
expect_exit 0 "$MX" --help
expect_in out.txt "report"
finish
