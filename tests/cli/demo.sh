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
finish
