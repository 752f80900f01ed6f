# basics.sh - the command line a script relies on: --help, --version, exit
# codes for usage, input and database errors, global options anywhere.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null

expect_exit 0 "$MX" --help
expect_in out.txt "Exit codes:"
expect_in out.txt "ingest"
expect_exit 0 "$MX" --version
expect_in out.txt "mxaudit "
expect_exit 2 "$MX"
expect_in err.txt "usage: mxaudit"
expect_exit 2 "$MX" frobnicate
expect_in err.txt "unknown command 'frobnicate'"
expect_exit 0 "$MX" ingest --help
expect_in out.txt "usage: mxaudit ingest"
expect_in out.txt "postfix"
expect_exit 0 "$MX" help sources
expect_in out.txt "usage: mxaudit sources"
expect_exit 2 "$MX" ingest
expect_in err.txt "no files given"
expect_exit 2 "$MX" ingest --year 19 x.log
expect_exit 2 "$MX" ingest --tz Mars/Olympus x.log
expect_in err.txt "Mars/Olympus"
expect_exit 2 "$MX" ingest --bogus x.log
expect_exit 2 "$MX" --db

# Reading a database that does not exist is a database error, and says which.
expect_exit 4 "$MX" --db nothing-here.db sources
expect_in err.txt "nothing-here.db"
echo "not sqlite at all, just text that is long enough to be a header......." > notadb.db
expect_exit 4 "$MX" --db notadb.db sources
expect_in err.txt "notadb.db"

# Input errors: a missing file, a file of no known format named explicitly.
expect_exit 3 "$MX" --db t.db ingest missing.log
expect_in err.txt "missing.log"
printf 'just some notes\nnothing to see\n' > notes.txt
expect_exit 3 "$MX" --db t.db ingest notes.txt
expect_in err.txt "notes.txt"
expect_in err.txt "just some notes"

# The same file inside a directory is skipped with a warning, exit 0; global
# options after the command work, and $MXAUDIT_DB is the default database.
mkdir dir
cp notes.txt dir/README
printf 'Nov 23 08:14:03 mx1 postfix/smtpd[1234]: connect from a.example[192.0.2.1]\n' > dir/mail.log
expect_exit 0 env MXAUDIT_DB=env.db "$MX" ingest dir --year 2026
expect_in err.txt "dir/README"
expect_in err.txt "skipped"
expect_eq "$(sql env.db 'SELECT count(*) FROM source WHERE status = "ok"')" 1 "sources after directory ingest"
expect_exit 0 "$MX" sources --db env.db --quiet
expect_in out.txt "dir/mail.log"
expect_in out.txt "postfix"

finish
