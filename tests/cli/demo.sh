# demo.sh - the README shows what the first command prints; this keeps it true.
# Runs .ci/demo with the built binary and compares its transcript with the
# block between <!-- demo:begin --> and <!-- demo:end --> in README.md.
. "$(dirname "$0")/lib.inc" "$@"
[ -d "$SRC/sample-logs" ] || exit 77

work=$(pwd)
(cd "$SRC" && .ci/demo --binary "$MX" --db "$work/demo.db") > transcript.raw 2>&1
expect_eq "$?" 0 "the demo's exit code"
sed "s|$work/demo.db|build/demo.db|g" transcript.raw > transcript.txt
sed -n '/<!-- demo:begin -->/,/<!-- demo:end -->/p' "$SRC/README.md" | sed '1,2d;$d' | sed '$d' > readme.txt
checks=$((checks + 1))
if ! diff -u readme.txt transcript.txt > demo.diff; then
    echo "FAIL: README.md's demo transcript differs from what .ci/demo prints:" >&2
    head -60 demo.diff >&2
    failures=$((failures + 1))
fi
expect_in transcript.txt "NOT SAFE"
expect_in transcript.txt "precheck exit code: 1"

# Ingesting the sample story a second time changes nothing: every table but
# the log of file sightings keeps its rows, and the audit says the same.
counts() {
    for t in $(sqlite3 demo.db "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('source_file') ORDER BY name"); do
        echo "$t $(sqlite3 demo.db "SELECT count(*) FROM \"$t\"")"
    done
}
counts > before.txt
"$MX" --db demo.db --quiet audit --config "$SRC/sample-logs/company-a.conf" --format json > audit1.json
(cd "$SRC" && "$MX" --db "$work/demo.db" ingest --year 2026 --tz Europe/Berlin sample-logs/company-a sample-logs/company-b) 2> again.txt
expect_eq "$?" 0 "the second ingest's exit code"
expect_in again.txt "0 new, 0 grown, 11 unchanged"
counts > after.txt
checks=$((checks + 1))
if ! diff -u before.txt after.txt >&2; then
    echo "FAIL: a second ingest of sample-logs/ changed row counts" >&2
    failures=$((failures + 1))
fi
"$MX" --db demo.db --quiet audit --config "$SRC/sample-logs/company-a.conf" --format json > audit2.json
checks=$((checks + 1))
cmp -s audit1.json audit2.json || { echo "FAIL: the audit changed after a second ingest" >&2; failures=$((failures + 1)); }
expect_eq "$(wc -l < audit1.json)" 12 "findings for company A"
finish
