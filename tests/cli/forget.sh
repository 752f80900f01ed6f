# forget.sh - `mxaudit forget`: a source ingested with the wrong options goes
# whole, the messages it shared with other files are correlated again, and
# the file can be ingested again as if it had never been.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
[ -d "$SRC/sample-logs" ] || exit 77
GW="$SRC/sample-logs/company-a/gateway"

# Every derived row, without the ids that depend on the order of ingest.
derived() {
    for t in pf_message pf_delivery; do
        cols=$(sqlite3 "$1" "SELECT group_concat(name, ',') FROM pragma_table_info('$t')
                             WHERE name NOT IN ('id', 'parent_id', 'source_id', 'line', 'pf_message_id')")
        sqlite3 "$1" "SELECT $cols FROM $t ORDER BY 1, 2, 3, 4, 5"
    done
}

expect_exit 2 "$MX" --db a.db forget
expect_in err.txt "usage: mxaudit forget"
expect_exit 0 "$MX" forget --help
expect_in out.txt "Exit codes: 0 forgotten"
expect_exit 2 "$MX" --db a.db forget x1
expect_in err.txt "'x1' is not a source id"

# The whole gateway read in UTC by mistake; then forgotten and read in
# Europe/Berlin: the same rows as reading it right the first time.
expect_exit 0 "$MX" --db a.db --quiet ingest --year 2026 --tz UTC "$GW"
expect_exit 0 "$MX" --db right.db --quiet ingest --year 2026 --tz Europe/Berlin "$GW"
expect_exit 4 "$MX" --db typo.db forget 1
expect_in err.txt "typo.db: no such database"
expect_eq "$(ls typo.db 2>/dev/null)" "" "a database made by forget"
# an id that is not there is reported, and the others still go
expect_exit 2 "$MX" --db a.db forget 1 99 2 3 4
expect_in err.txt "no source 99"
expect_in err.txt "forgot source 4 ("
expect_eq "$(sqlite3 a.db "SELECT (SELECT count(*) FROM source) + (SELECT count(*) FROM source_file)
                           + (SELECT count(*) FROM pf_event) + (SELECT count(*) FROM pf_reject)
                           + (SELECT count(*) FROM pf_message) + (SELECT count(*) FROM pf_delivery)
                           + (SELECT count(*) FROM pf_dirty) + (SELECT count(*) FROM reject)")" 0 "rows left"
expect_exit 0 "$MX" --db a.db ingest --year 2026 --tz Europe/Berlin "$GW"
expect_in err.txt "4 new, 0 grown, 0 unchanged"
expect_eq "$(derived a.db | md5sum)" "$(derived right.db | md5sum)" "the gateway read again after forget"
expect_eq "$(sqlite3 a.db 'PRAGMA foreign_key_check' | wc -l)" 0 "dangling references"

# Forgetting one rotated file: the message that spans it and the next
# (queue id E2270ED511 starts in mail.log.2.gz, ends in mail.log.1) loses its
# start, exactly as if mail.log.2.gz had never been read.
expect_exit 0 "$MX" --db b.db --quiet ingest --year 2026 --tz Europe/Berlin "$GW/mail.log.2.gz" "$GW/mail.log.1"
expect_exit 0 "$MX" --db one.db --quiet ingest --year 2026 --tz Europe/Berlin "$GW/mail.log.1"
id=$(sqlite3 b.db "SELECT id FROM source WHERE path LIKE '%mail.log.2.gz'")
expect_eq "$(sqlite3 b.db "SELECT seen_start FROM pf_message WHERE queue_id = 'E2270ED511'")" 1 "the spanning message before"
expect_exit 0 "$MX" --db b.db forget "$id"
expect_eq "$(sqlite3 b.db "SELECT seen_start FROM pf_message WHERE queue_id = 'E2270ED511'")" 0 "the spanning message after"
expect_eq "$(derived b.db | md5sum)" "$(derived one.db | md5sum)" "one rotated file forgotten"

# A file that failed (cut short) and was stored whole later: `sources` says
# so under the failed record, which forget then removes.
head -c 3000 "$GW/mail.log.2.gz" > cut.gz
expect_exit 3 "$MX" --db c.db --quiet ingest --year 2026 cut.gz
cp "$GW/mail.log.2.gz" cut.gz
expect_exit 0 "$MX" --db c.db --quiet ingest --year 2026 cut.gz
expect_exit 0 "$MX" --db c.db sources
expect_in out.txt "since stored whole as source 2 (\`mxaudit forget 1\` removes this record)"
expect_exit 0 "$MX" --db c.db forget 1
expect_exit 0 "$MX" --db c.db sources
expect_not_in out.txt "failed"
expect_eq "$(sqlite3 c.db "SELECT count(*) FROM pf_event")" 119 "the stored file's lines after forgetting the failed record"

# A read-only database is refused, and nothing is removed.
cp one.db ro.db
chmod 444 ro.db
if [ "$(id -u)" != 0 ]; then
    expect_exit 4 "$MX" --db ro.db forget 1
    expect_eq "$(sqlite3 ro.db 'SELECT count(*) FROM source')" 1 "sources of a read-only database"
fi
finish
