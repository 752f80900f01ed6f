# exports.sh - Exchange Online exports that hit a cmdlet's result limit: an
# export of exactly 1000 or 5000 rows is probably truncated, and ingest says
# so (a warning naming the file; the rows still land); 999 rows are not.
. "$(dirname "$0")/lib.inc" "$@"
rm -f ./*.db ./*.db-wal ./*.db-shm ./*.csv

# trace N FILE: a Get-MessageTraceV2 export (UTC, ISO dates) with N data rows.
trace() {
    {
        echo '"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageId","MessageTraceId"'
        i=0
        while [ "$i" -lt "$1" ]; do
            printf '"2026-11-24T08:%02d:%02d","a%d@contoso.example","u@fabrikam.example","s","Delivered","","192.0.2.1","1234","<%d@contoso.example>","0f1e2d3c-4b5a-6978-8796-%012d"\n' \
                $((i / 60 % 60)) $((i % 60)) "$i" "$i" "$i"
            i=$((i + 1))
        done
    } >"$2"
}

trace 1000 t1000.csv
expect_exit 0 "$MX" --db t.db ingest t1000.csv
expect_in err.txt "t1000.csv"
expect_in err.txt "exactly 1000 rows"
expect_eq "$(sqlite3 t.db "SELECT count(*) FROM ex_event")" 1000 "rows of the 1000-row export"

trace 999 t999.csv
expect_exit 0 "$MX" --db u.db ingest t999.csv
expect_not_in err.txt "exactly"
expect_eq "$(sqlite3 u.db "SELECT count(*) FROM ex_event")" 999 "rows of the 999-row export"
finish
