# sql_prompt.sh - with no query and a terminal on stdin, `mxaudit sql` is an
# interactive prompt: it runs a statement once it ends with ';', refuses a
# write on the read-only database and goes on, and leaves on .quit.
# script(1) (util-linux) provides the terminal; without it the test skips.
. "$(dirname "$0")/lib.inc" "$@"
command -v script >/dev/null || exit 77
rm -f ./*.db ./*.db-wal ./*.db-shm
printf 'Nov 23 08:14:03 mx1 postfix/smtpd[1234]: connect from a.example[192.0.2.1]\n' >m.log
"$MX" --db p.db --quiet ingest --year 2026 --tz UTC m.log

printf 'SELECT count(*) AS events\n  FROM pf_event;\nDELETE FROM pf_event;\nSELECT 40 + 2 AS answer;\n.quit\n' |
    script -qec "'$MX' --db p.db sql" /dev/null | tr -d '\r' >session.txt
expect_eq "${PIPESTATUS[1]}" 0 "exit code of the prompt session"
expect_in session.txt "mxaudit> "
# (without libedit the terminal echoes the input before the prompt shows)
expect_in session.txt "   ...> "
expect_in session.txt "  FROM pf_event;"
expect_in session.txt "(1 row)"
expect_in session.txt "readonly"
expect_in session.txt "    42"
expect_eq "$(sqlite3 p.db 'SELECT count(*) FROM pf_event')" 1 "rows after a refused DELETE at the prompt"

# .width and .format refuse a bad value and keep the setting; alone, they
# say what it is.
printf '.width 12\n.width x\n.width -5\n.width\nSELECT %s AS v;\n.format xml\n.format\n.format csv\n.format\n.quit\n' \
    "'abcdefghijklmnopqrstuvwxyz'" |
    script -qec "'$MX' --db p.db sql" /dev/null | tr -d '\r' >session.txt
expect_in session.txt ".width needs a number of columns (0 = unlimited), not 'x'"
expect_in session.txt ".width needs a number of columns (0 = unlimited), not '-5'"
expect_in session.txt "width: 12"
expect_in session.txt "abcdefghijk…"
expect_eq "$(grep -c '^abcdefghijklmnopqrstuvwxyz' session.txt)" 0 "rows printed wider than the width"
expect_in session.txt "unknown format 'xml' (table, csv, json, tsv)"
expect_in session.txt "format: table"
expect_in session.txt "format: csv"

# Ctrl-C while a statement runs stops the statement, not the session; at
# the prompt, it drops what was typed. No sleeping: each key goes in once
# what it acts on is seen to happen. The first statement prints a mark made
# by SQL (the echoed input does not hold it); once the mark shows, the line
# runs, and a Ctrl-C stops its second statement (which would never end on
# its own) or keeps it from starting. At a prompt, a key goes in once the
# prompt shows and mxaudit sleeps reading the terminal.
forever="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;"
marked() { grep -q 'mark-seen' raw.txt; }
# prompts N: the main prompt has been shown N times and the terminal is being read
prompts() {
    [ "$(grep -o 'mxaudit> ' raw.txt | wc -l)" -ge "$1" ] && reading
}
reading() { [ "$(awk '{ print $3 }' "/proc/$(cat pid)/stat")" = S ]; }
continued() { grep -qF '...> ' raw.txt && reading; }
rm -f pid raw.txt
{
    printf "SELECT 'mark' || '-seen' AS m; %s\n" "$forever"
    wait_for marked || exit 1
    printf '\003'
    wait_for prompts 2 || exit 1
    # half a statement, then Ctrl-C at the continuation prompt: were the
    # half kept, the next statement would be a syntax error
    printf 'SELECT 1 +\n'
    wait_for continued || exit 1
    printf '\003'
    wait_for prompts 3 || exit 1
    printf 'SELECT 40 + 2 AS answer;\n.quit\n'
} | timeout 120 script -qec "echo \$\$ >pid; exec '$MX' --db p.db sql" /dev/null >raw.txt
expect_eq "${PIPESTATUS[0]}:${PIPESTATUS[1]}" "0:0" "exit codes of the keys and of the interrupted session"
tr -d '\r' <raw.txt >session.txt
expect_in session.txt "interrupted"
expect_in session.txt "...> ^C"
expect_in session.txt "    42"
expect_not_in session.txt "error"
finish
