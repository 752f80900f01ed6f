# report_chromium.sh - the HTML report in a real browser: headless Chromium
# renders the sample story's report to a PNG and a PDF without errors, the
# page's only script runs under its Content-Security-Policy, and the PNG is
# not blank. Skipped (77) where `chromium` or sample-logs/ is absent.
. "$(dirname "$0")/lib.inc" "$@"
rm -rf ./* 2>/dev/null
WORK=$(pwd)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium not installed: skipped"; exit 77; }
[ -d "$SRC/sample-logs/company-a" ] || { echo "sample-logs/ absent: skipped"; exit 77; }

(cd "$SRC" && "$MX" --db "$WORK/mx.db" --quiet ingest --year 2026 --tz Europe/Berlin sample-logs/) >ingest.out 2>&1 ||
    { cat ingest.out >&2; echo "FAIL: ingest" >&2; exit 1; }
export SOURCE_DATE_EPOCH=1796083200
expect_exit 0 "$MX" --db mx.db report --config "$SRC/sample-logs/company-a.conf" --since 2026-11-23 --until 2026-11-26 -o report.html

# Chromium never goes to the network here, and the page must not either.
chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$WORK/profile.XXXXXX")" --enable-logging=stderr --v=0 "$@"
}
expect_exit 0 chrome --window-size=1200,2400 --screenshot="$WORK/report.png" "file://$WORK/report.html"
cp err.txt png.log
expect_exit 0 chrome --no-pdf-header-footer --print-to-pdf="$WORK/report.pdf" "file://$WORK/report.html"
cp err.txt pdf.log
expect_exit 0 chrome --dump-dom "file://$WORK/report.html"
cp out.txt dom.html
cp err.txt dom.log

checks=$((checks + 1))
if [ "$(head -c 8 report.png 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
    echo "FAIL: report.png is not a PNG" >&2
    failures=$((failures + 1))
fi
checks=$((checks + 1))
if [ "$(head -c 5 report.pdf 2>/dev/null)" != "%PDF-" ]; then
    echo "FAIL: report.pdf is not a PDF" >&2
    failures=$((failures + 1))
fi
# The page logs nothing to the console: a CSP violation, a failed load or a
# script error would show here.
for log in png.log pdf.log dom.log; do
    expect_not_in "$log" "CONSOLE"
    expect_not_in "$log" "Content Security Policy"
    expect_not_in "$log" "net::ERR"
done
# The sorting script ran (it marks <html class="js">), so the CSP hash is right.
expect_in dom.html '<html lang="en" class="js">'

# Not blank: many pixels differ from the white background, in several colours.
if command -v python3 >/dev/null 2>&1; then
    expect_exit 0 python3 - report.png <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = hdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for _ in range(h):  # PNG filters, RFC 2083 section 6
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
ink, colours = 0, set()
for line in rows[::4]:
    for x in range(0, stride, bpp * 4):
        px = bytes(line[x:x + 3])
        colours.add(px)
        ink += px != b"\xff\xff\xff"
total = len(rows[::4]) * len(range(0, stride, bpp * 4))
print("non-white share %.3f, %d colours" % (ink / total, len(colours)))
assert ink / total > 0.03, "the page is (nearly) blank"
assert len(colours) > 20, "too few colours for text and charts"
PY
    cat out.txt
else
    # Without python3: a screenshot of the report is far larger than one of an empty page.
    echo '<!DOCTYPE html><html><body></body></html>' > blank.html
    expect_exit 0 chrome --window-size=1200,2400 --screenshot="$WORK/blank.png" "file://$WORK/blank.html"
    checks=$((checks + 1))
    if [ "$(wc -c <report.png)" -lt $(($(wc -c <blank.png) * 5)) ]; then
        echo "FAIL: report.png is hardly larger than a blank page" >&2
        failures=$((failures + 1))
    fi
fi
checks=$((checks + 1))
if [ "$(wc -c <report.pdf)" -lt 20000 ]; then
    echo "FAIL: report.pdf is suspiciously small" >&2
    failures=$((failures + 1))
fi
rm -rf "$WORK"/profile.*
finish
