# sql.sh - `mxaudit sql` and `mxaudit schema` as a user meets them: read-only
# by default, errors with position and exit 4, every output format re-read
# equals the query result, the functions, parameters, the schema printout.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null

# A small database: two messages through a gateway, one with a comma, quotes
# and umlauts in the sender's name.
cat > mail.log <<'EOF'
Nov 27 10:00:00 mx1 postfix/smtpd[100]: connect from mail.sender.example[198.51.100.7]
Nov 27 10:00:01 mx1 postfix/smtpd[100]: 4A1B2C3D4E: client=mail.sender.example[198.51.100.7]
Nov 27 10:00:01 mx1 postfix/cleanup[101]: 4A1B2C3D4E: message-id=<20261127100001.abc@sender.example>
Nov 27 10:00:01 mx1 postfix/qmgr[102]: 4A1B2C3D4E: from=<alice@sender.example>, size=2048, nrcpt=1 (queue active)
Nov 27 10:00:03 mx1 postfix/smtp[203]: 4A1B2C3D4E: to=<bob@company-a.example>, relay=company-a-example.mail.protection.outlook.com[52.101.68.5]:25, delay=1.5, delays=0.01/0/0.6/0.9, dsn=2.6.0, status=sent (250 2.6.0 <20261127100001.abc@sender.example> [InternalId=12884901888123, Hostname=AM7PR02MB6001.eurprd02.prod.outlook.com] 3120 bytes in 0.211, 14.440 KB/sec Queued mail for delivery)
Nov 27 10:00:03 mx1 postfix/qmgr[102]: 4A1B2C3D4E: removed
Nov 27 10:05:00 mx1 postfix/smtpd[110]: 5B2C3D4E5F: client=unknown[10.1.2.3]
Nov 27 10:05:00 mx1 postfix/cleanup[101]: 5B2C3D4E5F: message-id=<x2@sender.example>
Nov 27 10:05:00 mx1 postfix/qmgr[102]: 5B2C3D4E5F: from=<>, size=99, nrcpt=1 (queue active)
Nov 27 10:05:01 mx1 postfix/smtp[203]: 5B2C3D4E5F: to=<carol@partner.example>, relay=mx.partner.example[192.0.2.80]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host mx.partner.example[192.0.2.80] said: 550 5.1.1 <carol@partner.example>: "no such user", sorry (in reply to RCPT TO command))
Nov 27 10:05:01 mx1 postfix/qmgr[102]: 5B2C3D4E5F: removed
EOF
expect_exit 0 "$MX" --db t.db ingest --year 2026 --tz UTC mail.log
expect_eq "$(sql t.db 'SELECT count(*) FROM pf_delivery')" 2 "deliveries stored"
export MXAUDIT_DB=t.db

# --help, and the commands in the overview.
expect_exit 0 "$MX" sql --help
expect_in out.txt "usage: mxaudit sql"
expect_in out.txt "--write"
expect_exit 0 "$MX" --help
expect_in out.txt "sql "
expect_in out.txt "schema "
expect_exit 2 "$MX" sql --format xml "SELECT 1"
expect_in err.txt "unknown format 'xml'"
# A wrong value is said in one line; the whole usage is for an unknown option.
expect_exit 2 "$MX" sql --width abc "SELECT 1"
expect_eq "$(cat err.txt)" "mxaudit sql: --width needs a number of columns, not 'abc'" "stderr of a bad --width"
expect_exit 2 "$MX" sql "SELECT 1" "SELECT 2"
expect_eq "$(wc -l < err.txt | tr -d ' ')" 1 "lines on stderr for two queries"
expect_exit 2 "$MX" sql --no-such-option "SELECT 1"
expect_in err.txt "unknown or incomplete option '--no-such-option'"
expect_in err.txt "usage: mxaudit sql"

# A query may start with an SQL comment: "-- " is SQL, not an option.
expect_exit 0 "$MX" sql --format csv "-- final outcome
SELECT 1 AS one"
expect_eq "$(cat out.txt)" "$(printf 'one\n1')" "query after a leading comment"
expect_exit 0 "$MX" sql "$(printf -- '--\tcount\nSELECT 2 AS two')" --format csv
expect_eq "$(cat out.txt)" "$(printf 'two\n2')" "query after a comment and a tab, options after it"
expect_exit 2 "$MX" sql "-- one
SELECT 1" "SELECT 2"
expect_in err.txt "give the query as one argument"

# A query, the table format with a header and right-aligned numbers.
expect_exit 0 "$MX" sql "SELECT recipient, status, dsn FROM pf_delivery ORDER BY recipient"
expect_in out.txt "recipient             | status  | dsn"
expect_in out.txt "bob@company-a.example | sent    | 2.6.0"
expect_in out.txt "carol@partner.example | bounced | 5.1.1"
expect_exit 0 "$MX" sql "SELECT 7 AS n, NULL AS absent, '' AS empty"
expect_in out.txt "n | absent | empty"
expect_in out.txt "7 | NULL   |"
# A control byte or a byte that is not UTF-8 shows as \xNN, not as a '?'
# that a value may hold itself.
expect_exit 0 "$MX" sql "SELECT 'a?b' AS v UNION ALL SELECT 'a' || char(27) || 'b' UNION ALL SELECT CAST(X'61FF62' AS TEXT)"
expect_in out.txt "a?b"
expect_in out.txt 'a\x1Bb'
expect_in out.txt 'a\xFFb'
expect_eq "$(grep -c '?' out.txt)" 1 "lines with a '?' in the table"

# Read-only by default: a write is refused with exit 4 and a hint, and changes nothing.
expect_exit 4 "$MX" sql "DELETE FROM pf_delivery"
expect_in err.txt "readonly database"
expect_in err.txt "--write"
expect_eq "$(sql t.db 'SELECT count(*) FROM pf_delivery')" 2 "deliveries after a refused DELETE"
expect_exit 4 "$MX" sql "CREATE TABLE notes(x)"
expect_eq "$(sql t.db "SELECT count(*) FROM sqlite_schema WHERE name = 'notes'")" 0 "table created read-only"
# TEMP tables work read-only: scratch space for an investigation.
expect_exit 0 "$MX" sql --format csv "CREATE TEMP TABLE seen AS SELECT recipient FROM pf_delivery; SELECT count(*) AS n FROM seen"
expect_eq "$(cat out.txt)" "$(printf 'n\n2')" "temp table count"
# --write is explicit.
expect_exit 0 "$MX" sql --write "CREATE TABLE notes(x); INSERT INTO notes VALUES ('checked')"
expect_eq "$(sql t.db 'SELECT x FROM notes')" "checked" "row written with --write"

# SQL errors: message, line and column, the line with a caret, exit 4.
expect_exit 4 "$MX" sql "SELECT nope FROM pf_delivery"
expect_in err.txt "query:1:8: error: no such column: nope"
expect_in err.txt "  SELECT nope FROM pf_delivery"
expect_in err.txt "         ^"
printf -- '-- a saved query\nSELECT recipient\nFROM pf_delivery\nWHERE statu = 1;\n' > bad.sql
expect_exit 4 "$MX" sql -f bad.sql
expect_in err.txt "bad.sql:4:7: error: no such column: statu"
expect_exit 4 "$MX" sql --format csv "SELECT regexp('(', 'x') AS m"
expect_in err.txt "regexp: bad pattern"
# a query that fails at once writes no header of a result it never had
expect_eq "$(wc -c < out.txt | tr -d ' ')" 0 "bytes on stdout of a failed query"
# An error found while the query runs has no position: none is made up.
expect_exit 4 "$MX" sql "SELECT 1 AS one;
SELECT ip_in('1.1.1.1', 'bad')"
expect_eq "$(cat err.txt)" "mxaudit sql: query: error: ip_in: 'bad' is not an IP network" "stderr of a run-time error"
printf 'SELECT 1;\n  SELECT ip_in(relay_ip, :net) FROM pf_delivery;\n' > runtime.sql
expect_exit 4 "$MX" sql -f runtime.sql -p net=nonsense
expect_in err.txt "mxaudit sql: runtime.sql: error: ip_in:"
expect_not_in err.txt "^"
expect_exit 3 "$MX" sql -f missing.sql
expect_in err.txt "missing.sql"
# A database that is not there is a database error.
expect_exit 4 "$MX" --db nothing.db sql "SELECT 1"
expect_in err.txt "nothing.db"

# Output that cannot be written: one message naming standard output and why,
# exit 2 (as report's), no SQL error made up after it; the same for every
# command that prints its results.
if [ -w /dev/full ]; then
    for fmt in table csv; do
        expect_exit 2 sh -c '"$0" sql --format "$1" "SELECT * FROM pf_event; SELECT 2" > /dev/full' "$MX" $fmt
        expect_in err.txt "mxaudit sql: cannot write to standard output:"
        expect_eq "$(wc -l < err.txt | tr -d ' ')" 1 "lines on stderr when stdout is full ($fmt)"
    done
    expect_exit 2 sh -c '"$0" schema > /dev/full' "$MX"
    expect_in err.txt "mxaudit schema: cannot write to standard output:"
    expect_exit 2 sh -c '"$0" schema pf_event > /dev/full' "$MX"
    expect_in err.txt "mxaudit schema: cannot write to standard output:"
    expect_exit 2 sh -c '"$0" sources > /dev/full' "$MX"
    expect_in err.txt "mxaudit sources: cannot write to standard output: No space left on device"
    printf '[organization]\ndomains = example.com\n[gateway]\nips = 192.0.2.1\n' > full.conf
    for cmd in audit precheck; do
        expect_exit 2 sh -c '"$0" "$1" --config full.conf > /dev/full' "$MX" $cmd
        expect_in err.txt "mxaudit $cmd: cannot write to standard output: No space left on device"
    done
fi

# SQL from standard input when it is not a terminal; several statements.
echo "SELECT 1 AS one; SELECT 2 AS two;" | "$MX" sql --format csv > out.txt 2> err.txt
expect_eq "$(cat out.txt)" "$(printf 'one\n1\ntwo\n2')" "two statements from stdin"

# The audit's functions are there.
expect_exit 0 "$MX" sql --format csv "SELECT ip_in('10.1.2.3', '10.0.0.0/8') AS a, ip_in('2001:db8::1', '10.0.0.0/8, 2001:db8::/32') AS b, domain_of('Bob@Company-A.Example') AS d, local_part_of('bob@x.example') AS l, 'status=sent' REGEXP '^status=(sent|bounced)$' AS r, is_exo_ip('52.101.68.5') AS e"
expect_eq "$(tail -1 out.txt)" "1,1,company-a.example,bob,1,1" "function results"
expect_exit 0 "$MX" sql --format csv "SELECT recipient FROM pf_delivery WHERE ip_in(relay_ip, '192.0.2.0/24')"
expect_eq "$(tail -1 out.txt)" "carol@partner.example" "ip_in in WHERE"

# Parameters: --param binds :name; unbound ones are NULL; digits bind as integers.
expect_exit 0 "$MX" sql --format csv -p status=bounced "SELECT recipient FROM pf_delivery WHERE status = :status"
expect_eq "$(tail -1 out.txt)" "carol@partner.example" "bound :status"
expect_exit 0 "$MX" sql --format csv --param n=1 "SELECT :n + 1 AS two, :unset IS NULL AS unset"
expect_eq "$(tail -1 out.txt)" "2,1" "integer parameter, unbound parameter"
# Digits that are not the integer they spell stay text: an all-digit queue id
# with a leading zero is found as it was typed.
expect_exit 0 "$MX" sql --format csv -p q=0123456789 -p s=+5 -p m=-3 "SELECT :q, typeof(:q), typeof(:s), typeof(:m)"
expect_eq "$(tail -1 out.txt)" "0123456789,text,text,integer" "leading zero, plus sign, negative"
# A canned query runs unchanged (its parameters unbound).
expect_exit 0 "$MX" sql -f "$SRC/queries/ndr_lost.sql"

# Table fits the width given, cutting long cells with the marker.
expect_exit 0 "$MX" sql --width 40 "SELECT recipient, reply FROM pf_delivery ORDER BY recipient"
expect_in out.txt "…"
# (the marker is one column but three bytes: count it as one)
long=$(sed 's/…/./g' out.txt | awk '{ if (length($0) > 40) print }' | wc -l)
expect_eq "$long" 0 "lines wider than 40 columns"

# Round trips. The query holds commas, quotes, line breaks, umlauts, '' and NULL.
Q="SELECT d.recipient, d.reply, m.sender, d.delay, d.id, NULL AS absent, 'Grüße, \"Ärger\"' || char(10) || 'zweite Zeile' AS text FROM pf_delivery d JOIN pf_message m ON m.id = d.pf_message_id ORDER BY d.id"
expect_exit 0 "$MX" sql --format csv "$Q"
cp out.txt result.csv
if command -v sqlite3 >/dev/null 2>&1; then
    # CSV re-imported by the sqlite3 shell equals the query result (CSV has no NULL: NULL reads back as '').
    rm -f rt.db
    sqlite3 rt.db ".import --csv result.csv back" >/dev/null 2>&1
    expect_eq "$(sqlite3 rt.db 'SELECT count(*) FROM back')" 2 "rows re-imported"
    sqlite3 rt.db "ATTACH 't.db' AS src; CREATE TABLE orig AS SELECT * FROM ($(echo "$Q" | sed 's/pf_delivery/src.pf_delivery/; s/pf_message/src.pf_message/'));" 2>err.txt
    diff=$(sqlite3 rt.db "SELECT count(*) FROM (
        SELECT recipient, reply, sender, delay, id, coalesce(absent, ''), text FROM back
        EXCEPT SELECT recipient, reply, sender, CAST(delay AS TEXT), CAST(id AS TEXT), coalesce(absent, ''), text FROM orig)")
    expect_eq "$diff" 0 "CSV rows that differ from the query result"
    expect_eq "$(sqlite3 rt.db "SELECT sender FROM back WHERE recipient = 'carol@partner.example'")" "" "null sender read back"
    expect_eq "$(sqlite3 rt.db "SELECT text FROM back LIMIT 1")" "$(printf 'Grüße, "Ärger"\nzweite Zeile')" "multi-line cell read back"
fi
if command -v python3 >/dev/null 2>&1; then
    # JSON lines, TSV and CSV parsed back equal the rows SQLite returns, NULL included.
    "$MX" sql --format json "$Q" > result.json
    "$MX" sql --format tsv "$Q" > result.tsv
    python3 - "$Q" > py.txt 2>&1 <<'EOF'
import csv, json, sqlite3, sys
q = sys.argv[1]
want = [list(r) for r in sqlite3.connect("t.db").execute(q)]
def tsv_value(v):
    if v == "\\N":
        return None
    out, i = [], 0
    while i < len(v):
        if v[i] == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[v[i + 1]]); i += 2
        else:
            out.append(v[i]); i += 1
    return "".join(out)
js = [list(json.loads(l).values()) for l in open("result.json", encoding="utf-8")]
ts = [[tsv_value(v) for v in l.rstrip("\n").split("\t")] for l in open("result.tsv", encoding="utf-8", newline="\n")][1:]
cs = list(csv.reader(open("result.csv", encoding="utf-8", newline="")))[1:]
strs = lambda rows: [[None if v is None else str(v) for v in r] for r in rows]
print("json", js == want)
print("tsv", ts == strs(want))
print("csv", cs == [["" if v is None else str(v) for v in r] for r in want])
EOF
    expect_in py.txt "json True"
    expect_in py.txt "tsv True"
    expect_in py.txt "csv True"
fi

# schema: everything with comments, or one object; an unknown name is a usage error.
expect_exit 0 "$MX" schema
expect_in out.txt "CREATE TABLE pf_delivery"
expect_in out.txt "CREATE VIEW v_backdoor"
expect_in out.txt "-- One row per back-door arrival"
expect_exit 0 "$MX" schema v_message pf_reject
expect_in out.txt "-- One row per message across all sources"
expect_in out.txt "CREATE TABLE pf_reject"
expect_in out.txt "CREATE INDEX pf_reject_ts"
expect_not_in out.txt "CREATE TABLE pf_delivery"
# An index a later schema step made again is printed once, as it is now, and
# the printout runs as SQL.
expect_exit 0 "$MX" schema ex_event ex_recipient
expect_eq "$(grep -c 'CREATE INDEX ex_event_ts ' out.txt)" 1 "definitions of ex_event_ts"
expect_in out.txt "CREATE INDEX ex_event_ts ON ex_event(ts, sender, subject);"
rm -f printed.db
expect_eq "$(sqlite3 printed.db < out.txt 2>&1)" "" "the printout run as SQL"
# The whole printout is the schema as it stands: every object once, in its
# latest form, no DROP of an earlier step, and run as SQL it makes the same
# objects, defined alike, as a new database.
expect_exit 0 "$MX" schema
expect_eq "$(grep -c '^CREATE VIEW v_hop ' out.txt)" 1 "definitions of v_hop in the whole printout"
expect_eq "$(grep -c '^CREATE INDEX ex_event_ts ' out.txt)" 1 "definitions of ex_event_ts in the whole printout"
expect_eq "$(grep -c '^DROP ' out.txt)" 0 "DROP statements in the whole printout"
expect_in out.txt "-- 007-ts-sender-subject.sql: the time index"
rm -f whole.db
expect_eq "$(sqlite3 whole.db < out.txt 2>&1)" "" "the whole printout run as SQL"
"$MX" --db fresh.db sql "SELECT 1" > /dev/null 2>&1 || "$MX" --db fresh.db --quiet ingest /dev/null > /dev/null 2>&1
objects='SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE '"'sqlite_%'"' ORDER BY name'
expect_eq "$(sqlite3 whole.db "$objects" | md5sum)" "$(sqlite3 fresh.db "$objects" | md5sum)" "objects of the printout and of a new database"
# A column a later step added follows its table, and the table stays.
expect_exit 0 "$MX" schema source
expect_in out.txt "CREATE TABLE source ("
expect_in out.txt "ALTER TABLE source ADD COLUMN time_zone TEXT;"
rm -f source.db
expect_eq "$(sqlite3 source.db < out.txt 2>&1)" "" "source's printout run as SQL"
expect_eq "$(sqlite3 source.db "SELECT count(*) FROM pragma_table_info('source') WHERE name = 'time_zone'")" 1 \
    "time_zone in the printed source table"
expect_exit 2 "$MX" schema no_such_thing
expect_in err.txt "no_such_thing"

finish
