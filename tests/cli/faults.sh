# faults.sh - what survives a fault: an ingest killed with SIGKILL in the
# middle of a large file, two ingests on one database at once (different
# files and the same files), a full disk, unreadable files and directories.
#
# Every fault is placed by a condition, not by a timer: the file being
# ingested when the process dies is a FIFO this script feeds, so the process
# is known to be inside that file's transaction (holding the write lock) when
# it is killed or when the second process starts.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
command -v sqlite3 >/dev/null || { echo "skipped: the sqlite3 shell is not installed"; exit 77; }
command -v mkfifo >/dev/null || { echo "skipped: mkfifo is not available"; exit 77; }

ING=(ingest --year 2026 --tz UTC)

# gen N SEED: N messages of a Postfix gateway's full flow (7 lines each,
# about 880 bytes), queue ids and Message-IDs unique per SEED.
gen() {
    awk -v N="$1" -v S="$2" 'BEGIN {
        for (i = 0; i < N; i++) {
            t = 8 * 3600 + int(i / 20); ts = sprintf("Nov 23 %02d:%02d:%02d", int(t / 3600) % 24, int(t / 60) % 60, t % 60)
            qid = sprintf("%X%05X", S + 10, i); pid = 1000 + i % 500; ip = sprintf("192.0.2.%d", i % 250 + 1)
            printf "%s mx1 postfix/smtpd[%d]: connect from host%d.example[%s]\n", ts, pid, i, ip
            printf "%s mx1 postfix/smtpd[%d]: %s: client=host%d.example[%s]\n", ts, pid, qid, i, ip
            printf "%s mx1 postfix/cleanup[%d]: %s: message-id=<%d.%d@host%d.example>\n", ts, pid + 1, qid, S, i, i
            printf "%s mx1 postfix/qmgr[99]: %s: from=<sender%d@partner.example>, size=%d, nrcpt=1 (queue active)\n", ts, qid, i, 1000 + i
            printf "%s mx1 postfix/smtpd[%d]: disconnect from host%d.example[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5\n", ts, pid, i, ip
            printf "%s mx1 postfix/smtp[%d]: %s: to=<user%d@example.com>, relay=example-com.mail.protection.outlook.com[52.101.68.1]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=2.6.0, status=sent (250 2.6.0 <%d.%d@host%d.example> [InternalId=%d, Hostname=AM0PR01MB0001.eurprd01.prod.outlook.com] Queued mail for delivery)\n", ts, pid + 2, qid, i % 40, S, i, i, i + 1
            printf "%s mx1 postfix/qmgr[99]: %s: removed\n", ts, qid
        }
    }'
}

# digest DB: what a user would compare between two databases: every source
# (by content fingerprint, so the path a file came in by does not matter)
# with its counts, every table's row count, and for each table of parsed rows
# the sorted list of (fingerprint, line) - a duplicated or missing row shows.
digest() {
    sqlite3 "$1" "SELECT fingerprint, status, lines_read, events_stored, lines_rejected, lines_skipped
                  FROM source ORDER BY fingerprint"
    for t in $(sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                             AND name NOT IN ('source', 'source_file') ORDER BY name"); do
        if [ -n "$(sqlite3 "$1" "SELECT 1 FROM pragma_table_info('$t') WHERE name = 'line'")" ] &&
            [ -n "$(sqlite3 "$1" "SELECT 1 FROM pragma_table_info('$t') WHERE name = 'source_id'")" ]; then
            echo "$t $(sqlite3 "$1" "SELECT s.fingerprint, r.line FROM \"$t\" r JOIN source s ON s.id = r.source_id
                                     ORDER BY 1, 2" | md5sum | cut -c1-32) $(sqlite3 "$1" "SELECT count(*) FROM \"$t\"")"
        else
            echo "$t $(sqlite3 "$1" "SELECT count(*) FROM \"$t\"")"
        fi
    done
}

# feed_fifo FIFO FILE BYTES: opens FIFO for writing on fd 3 and writes the
# first BYTES of FILE into it; the rest is written by finish_fifo. The write
# returns once the reader has taken all but a pipe buffer of it. A process
# started meanwhile must not inherit fd 3 (3>&-), or the FIFO never ends.
feed_fifo() {
    exec 3>"$1"
    head -c "$3" "$2" >&3
}
finish_fifo() {
    tail -c +"$(($2 + 1))" "$1" >&3
    exec 3>&-
}

# same_as REF DB WHAT: DB holds what the sequential ingest REF holds.
same_as() {
    digest "$1" >"$1.txt"
    digest "$2" >"$2.txt"
    checks=$((checks + 1))
    if ! diff "$1.txt" "$2.txt" >"$2.diff"; then
        echo "FAIL: $3 differs from a sequential ingest:" >&2
        head -20 "$2.diff" >&2
        failures=$((failures + 1))
    fi
}

ok_sources() {
    sqlite3 "$1" "SELECT count(*) FROM source WHERE status = 'ok'" 2>/dev/null
}

# a, b ~5 MB; c ~53 MB: ~65 MB in all. A sanitizer build is several times
# slower: a third of that still kills a transaction of many megabytes.
big=60000 small=6000 cut=30000000
if grep -qa __asan_init "$MX" 2>/dev/null; then
    big=20000 small=3000 cut=10000000
fi
gen $small 1 >a.log
gen $small 2 >b.log
gen $big 3 >c.log
gen 2000 4 >d.log
gen 2000 5 >e.log
gen 10 7 >z.log

# Reference: each set of files ingested once, sequentially, into a fresh database.
"$MX" --quiet --db ref_abc.db "${ING[@]}" a.log b.log c.log || echo "FAIL: reference ingest failed" >&2
"$MX" --quiet --db ref_zabc.db "${ING[@]}" z.log a.log b.log c.log || echo "FAIL: reference ingest failed" >&2

# ---- SIGKILL in the middle of a large file ----
# k.db already holds a file, so the run is in WAL mode and what it committed
# is readable while it runs; the first load of an empty database is below.
"$MX" --quiet --db k.db "${ING[@]}" z.log
mkfifo c.fifo
"$MX" --quiet --db k.db "${ING[@]}" a.log b.log c.fifo 2>kill-err.txt &
pid=$!
# Opening the FIFO waits until the ingest opens it: a.log and b.log are committed by then.
feed_fifo c.fifo c.log $cut
expect_eq "$(ok_sources k.db)" 3 "sources committed before the kill"
expect_eq "$(sqlite3 k.db "SELECT count(*) FROM source WHERE path = 'c.fifo'")" 0 "c.fifo rows visible before its commit"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
exec 3>&-
expect_eq "$(sqlite3 k.db 'PRAGMA integrity_check')" ok "integrity after SIGKILL"
expect_eq "$(sqlite3 k.db "SELECT count(*) FROM source")" 3 "sources after SIGKILL (the killed file left nothing)"
expect_exit 0 "$MX" --db k.db "${ING[@]}" a.log b.log c.log
expect_in err.txt "1 new, 0 grown, 2 unchanged"
expect_eq "$(sqlite3 k.db 'PRAGMA integrity_check')" ok "integrity after the second ingest"
expect_eq "$(sqlite3 k.db "SELECT count(*) FROM source WHERE status = 'ok'")" 4 "sources after the second ingest"
expect_eq "$(sqlite3 k.db "SELECT count(*) FROM source WHERE status <> 'ok'")" 0 "failed sources"
same_as ref_zabc.db k.db "a killed and re-run ingest"

# ---- SIGKILL in the middle of the first load of an empty database ----
# That load runs with a rollback journal: the kill leaves a hot journal,
# which the next open rolls back. Nearly all of c.log goes in first, so the
# transaction has outgrown the page cache and written into the database.
rm -f c.fifo
mkfifo c.fifo
"$MX" --quiet --db k1.db "${ING[@]}" a.log b.log c.fifo 2>kill-err.txt &
pid=$!
feed_fifo c.fifo c.log $(($(wc -c <c.log) - 4096))
# The reader may still be behind by a pipe and a block: kill once c.fifo's
# transaction has its journal, however slow the machine.
wait_for test -s k1.db-journal
kill -KILL "$pid"
wait "$pid" 2>/dev/null
exec 3>&-
checks=$((checks + 1))
if [ -s k1.db-journal ]; then
    cp k1.db crashed.db && cp k1.db-journal crashed.db-journal
else
    echo "FAIL: the killed first load left no journal" >&2
    failures=$((failures + 1))
fi
# A read-only command on it rolls the journal back first (it may write here).
expect_exit 0 "$MX" --db k1.db sources
expect_eq "$(grep -cE '\.log( |$)' out.txt)" 2 "files listed by sources after a killed first load"
expect_eq "$(grep -c 'c\.fifo' out.txt)" 0 "the killed file listed by sources"
expect_eq "$([ -e k1.db-journal ] && echo left || echo gone)" gone "the journal after a read-only command"
expect_exit 0 "$MX" --db k1.db "${ING[@]}" a.log b.log c.log
expect_in err.txt "1 new, 0 grown, 2 unchanged"
expect_eq "$(sqlite3 k1.db 'PRAGMA integrity_check')" ok "integrity after a killed first load and a second ingest"
expect_eq "$(sqlite3 k1.db 'PRAGMA journal_mode')" wal "journal mode after a killed first load and a second ingest"
same_as ref_abc.db k1.db "a killed first load, re-run"

# at_once DB SEEN WHAT P1-FILES... -- P2-FILES...: P1 ingests d.fifo, then
# P1-FILES, into DB and holds the write lock inside d.fifo while P2 ingests
# P2-FILES; the FIFO is finished once P2 has SEEN (a file or the database)
# open. Both must exit 0 and leave DB intact. $during, when set, runs while
# P1 is inside d.fifo and before P2 starts.
during=
at_once() {
    local db=$1 seen=$2 what=$3 p1files=()
    shift 3
    while [ "$1" != -- ]; do
        p1files+=("$1")
        shift
    done
    shift
    rm -f d.fifo
    mkfifo d.fifo
    "$MX" --quiet --db "$db" "${ING[@]}" d.fifo "${p1files[@]}" 2>p1-err.txt &
    local p1=$!
    feed_fifo d.fifo d.log 1000000
    [ -z "$during" ] || eval "$during"
    "$MX" --quiet --db "$db" "${ING[@]}" "$@" 2>p2-err.txt 3>&- &
    local p2=$!
    wait_for sh -c "ls -l /proc/$p2/fd 2>/dev/null | grep -q '$seen'" || echo "note: P2 finished before it was seen" >&2
    finish_fifo d.log 1000000
    wait "$p1"
    local rc1=$?
    wait "$p2"
    local rc2=$?
    expect_eq "$rc1" 0 "exit code of the first ingest ($what)"
    expect_eq "$rc2" 0 "exit code of the second ingest ($what)"
    expect_eq "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok "integrity ($what)"
}

# ---- two ingests at once: the same files ----
# P1 holds the write lock inside d.fifo, then goes on to a.log and b.log;
# P2 wants a.log and b.log meanwhile (it has a.log open, head read and format
# known: its next step is the lock P1 holds). Both must finish with each file
# once. The database already holds a file (z.log): a first load into an
# empty one runs in rollback-journal mode, where P2 waits at the door
# (tested below).
"$MX" --quiet --db ref_dab.db "${ING[@]}" z.log d.log a.log b.log
"$MX" --quiet --db s.db "${ING[@]}" z.log
at_once s.db a.log "the same files" a.log b.log -- a.log b.log
expect_eq "$(sqlite3 s.db "SELECT count(*) FROM source")" 4 "sources after concurrent ingests of the same files"
same_as ref_dab.db s.db "concurrent ingests of the same files"

# ---- two ingests at once: different files ----
"$MX" --quiet --db ref_dea.db "${ING[@]}" z.log d.log a.log e.log
"$MX" --quiet --db m.db "${ING[@]}" z.log
at_once m.db e.log "different files" a.log -- e.log
same_as ref_dea.db m.db "concurrent ingests of different files"

# ---- a second ingest while the first load of an empty database runs ----
# The first load holds the database in rollback-journal mode: P2 cannot even
# open it until P1 is done, and then adds its file.
"$MX" --quiet --db ref_dae.db "${ING[@]}" d.log a.log e.log
during='expect_eq "$(sqlite3 f1.db "PRAGMA journal_mode" 2>/dev/null)" delete "journal mode during a first load (rollback, as another connection sees it)"'
at_once f1.db f1.db "a first load and a second ingest waiting" a.log -- e.log
during=
expect_eq "$(sqlite3 f1.db 'PRAGMA journal_mode')" wal "journal mode after a first load"
same_as ref_dae.db f1.db "an ingest waiting for a first load"

# ---- a full disk (a 2 MB tmpfs; needs root and a kernel that allows it) ----
gen 200 6 >f.log
"$MX" --quiet --db ref_f.db "${ING[@]}" f.log
mkdir full
if mount -t tmpfs -o size=2m tmpfs full 2>/dev/null; then
    expect_exit 0 "$MX" --db full/x.db "${ING[@]}" f.log
    expect_exit 4 "$MX" --db full/x.db "${ING[@]}" a.log
    expect_in err.txt "a.log"
    expect_in err.txt "disk is full"
    # the message blames the database, not the log, and the summary says so
    expect_in err.txt "full/x.db: database error while storing"
    expect_in err.txt "and database errors (see above)"
    # Space back: the database opens, is intact, holds f.log whole and nothing of a.log.
    rm -rf keep && mkdir keep && cp full/x.db* keep/
    umount full
    expect_eq "$(sqlite3 keep/x.db 'PRAGMA integrity_check')" ok "integrity after a full disk"
    expect_eq "$(sqlite3 keep/x.db "SELECT group_concat(path) FROM source")" f.log "sources after a full disk"
    expect_eq "$(digest keep/x.db | md5sum)" "$(digest ref_f.db | md5sum)" "f.log's rows after a full disk"
    # And the same database takes the file once there is room.
    expect_exit 0 "$MX" --db keep/x.db "${ING[@]}" a.log
    expect_eq "$(sqlite3 keep/x.db "SELECT count(*) FROM source WHERE status = 'ok'")" 2 "sources after room was made"
else
    echo "note: full-disk case skipped here (mount -t tmpfs needs root); test_faults injects write errors instead"
fi

# ---- unreadable file and directory: reported by name, the rest ingested, exit 3 ----
# As root this runs as nobody, who may not reach this directory or the binary
# (a checkout under /root): work in a directory of its own under /tmp.
here=$(pwd)
pdir=$(mktemp -d "${TMPDIR:-/tmp}/mxaudit-perm.XXXXXX")
chmod 755 "$pdir"
cp "$MX" "$pdir/mxaudit"
cp d.log e.log "$pdir/"
cd "$pdir"
MX_SAVED="$MX"
MX="$pdir/mxaudit"
mkdir -p perm/tree/locked
chmod 777 perm
cp d.log perm/ok.log
cp e.log perm/secret.log
chmod 000 perm/secret.log
gen 10 8 >perm/tree/open.log
gen 10 9 >perm/tree/locked/hidden.log
chmod 000 perm/tree/locked
as_user=()
if [ "$(id -u)" = 0 ]; then
    # root reads anything: run as nobody, who cannot.
    if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
        as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    else
        as_user=(skip)
    fi
fi
if [ "${as_user[0]:-}" = skip ]; then
    echo "note: unreadable-file case skipped (running as root without setpriv)"
else
    expect_exit 3 "${as_user[@]}" "$MX" --db perm/u.db "${ING[@]}" perm/ok.log perm/secret.log perm/tree
    expect_in err.txt "perm/secret.log"
    expect_in err.txt "Permission denied"
    expect_in err.txt "perm/tree/locked"
    expect_eq "$(sqlite3 perm/u.db "SELECT group_concat(path, ' ') FROM (SELECT path FROM source WHERE status = 'ok' ORDER BY path)")" \
        "perm/ok.log perm/tree/open.log" "files ingested beside the unreadable ones"
    expect_eq "$(sqlite3 perm/u.db "SELECT count(*) FROM source WHERE status = 'failed' AND path = 'perm/secret.log'")" 1 \
        "the unreadable file recorded as failed"
    # A killed first load's journal, in a database this user may only read.
    if [ -e "$here/crashed.db-journal" ]; then
        cp "$here/crashed.db" "$here/crashed.db-journal" perm/
        chmod 644 perm/crashed.db perm/crashed.db-journal
        expect_exit 4 "${as_user[@]}" "$MX" --db perm/crashed.db sources
        expect_in err.txt "interrupted ingest left its journal"
    fi
fi
chmod -R u+rwx perm 2>/dev/null
chmod 755 perm/tree/locked 2>/dev/null
MX="$MX_SAVED"
cd "$here"
rm -rf "$pdir"

finish
