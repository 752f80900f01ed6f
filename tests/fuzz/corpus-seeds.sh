#!/bin/bash
# corpus-seeds.sh SRCROOT OUTDIR - seed corpora for the fuzz targets.
#
# Makes OUTDIR/<target>/ for reader, ingest, csv, config and sqlfunc from
# sample-logs/, tests/fixtures/ and (when present) ../shared/corpus, plus the
# encodings the reader must handle: each log also gzipped, truncated gzip,
# UTF-16LE/BE with and without BOM, odd-length UTF-16. Kept inputs of earlier
# crashes (tests/fuzz/regressions/<target>/) are seeds too, so every run
# re-checks them. Files above 256 KiB are cut: libFuzzer mutates small
# inputs better, and big inputs are the hostile-input tests' job.
set -euo pipefail
src="$1"
out="$2"
rm -rf "$out"
mkdir -p "$out"/{reader,ingest,csv,config,sqlfunc}

n=0
add() { # add TARGET FILE [PREFIX-BYTE]: one seed, cut to 256 KiB
    n=$((n + 1))
    local dst="$out/$1/seed-$n"
    if [ $# -ge 3 ]; then
        { printf '%s' "$3"; head -c 262144 "$2"; } >"$dst"
    else
        head -c 262144 "$2" >"$dst"
    fi
}

logs=()
for dir in "$src/sample-logs" "$src/tests/fixtures" "$src/../shared/corpus"; do
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' f; do
        case "$f" in
        *.py | *.md | *.yaml | *.ini | *.assert) continue ;;
        esac
        logs+=("$f")
    done < <(find "$dir" -type f -size -4M -print0 | sort -z)
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${logs[@]}"; do
    case "$f" in
    *.conf) add config "$f"; continue ;;
    esac
    add ingest "$f"
    add reader "$f"
    case "$f" in
    *.csv | *.CSV) add csv "$f" ',' ;;
    esac
    # The reader's other paths, from the same content (first 16 KiB).
    head -c 16384 "$f" >"$tmp/plain"
    if ! gzip -t "$f" 2>/dev/null; then
        gzip -9nc "$tmp/plain" >"$tmp/gz"
        add reader "$tmp/gz"
        add ingest "$tmp/gz"
        head -c $(($(stat -c %s "$tmp/gz") / 2)) "$tmp/gz" >"$tmp/gz-cut"
        add reader "$tmp/gz-cut"
        if iconv -f UTF-8 -t UTF-16LE "$tmp/plain" >"$tmp/le" 2>/dev/null; then
            { printf '\xff\xfe'; cat "$tmp/le"; } >"$tmp/le-bom"
            add reader "$tmp/le-bom"
            add ingest "$tmp/le-bom"
            add reader "$tmp/le"
            { head -c 101 "$tmp/le"; } >"$tmp/le-odd"
            add reader "$tmp/le-odd"
            iconv -f UTF-8 -t UTF-16BE "$tmp/plain" >"$tmp/be"
            { printf '\xfe\xff'; cat "$tmp/be"; } >"$tmp/be-bom"
            add reader "$tmp/be-bom"
        fi
    fi
done

# Two gzip members back to back: one stream.
printf 'Nov 23 08:14:03 mx1 postfix/smtpd[1234]: connect from host.example[192.0.2.1]\n' | gzip -nc >"$tmp/m1"
printf 'Nov 23 08:14:04 mx1 postfix/smtpd[1234]: disconnect from host.example[192.0.2.1]\n' | gzip -nc >"$tmp/m2"
cat "$tmp/m1" "$tmp/m2" >"$tmp/multi"
add reader "$tmp/multi"
add ingest "$tmp/multi"

# CSV shapes the Exchange exports produce: quoted line ends, doubled quotes.
printf '"date_time","sender_address","message_subject"\n"2026-11-27T10:00:00.000Z","a@b.example","multi\nline ""quoted"", subject"\n' >"$tmp/c1"
add csv "$tmp/c1" ','
printf '"Received";"SenderAddress";"Subject"\n"27.11.2026 10:00:00";"a@b.example";"=cmd|'"'"'/c calc'"'"'!A1"\n' >"$tmp/c2"
add csv "$tmp/c2" ';'

# Config: the documented template's shape.
cat >"$tmp/conf" <<'CONF'
; mxaudit.conf
[organization]
domains = example.com, example.org
[gateway]
ips = 192.0.2.10, 2001:db8::/48 ; the MX
hosts = mx1.example.com
connectors = From gateway
[onprem]
ips = 10.0.0.0/8
[exchange_online]
ips = 40.92.0.0/15
[notifications]
known = /^noreply@.*\.microsoft\.com$/ = Microsoft notifications
known = alerts@example.net = Monitoring
[exceptions]
allow = scanner@example.net = vendor scan until 2026-12-31
allow = 198.51.100.0/24 = partner relay
CONF
add config "$tmp/conf"

# SQL functions: pattern or address, newline, text or network list.
printf '(?i)^postmaster@\nPostmaster@Example.COM' >"$tmp/s1"
printf '192.0.2.0/24, 2001:db8::/32\n192.0.2.77' >"$tmp/s2"
printf '2001:db8::1\n2001:db8::/32' >"$tmp/s3"
printf 'user@Sub.Example.ORG\n40.92.1.2' >"$tmp/s4"
for s in s1 s2 s3 s4; do add sqlfunc "$tmp/$s"; done

# Kept crashes are seeds of their target (regressions/<target>/[<format>/]NAME).
for t in reader ingest csv config sqlfunc; do
    [ -d "$src/tests/fuzz/regressions/$t" ] || continue
    while IFS= read -r -d '' f; do
        add "$t" "$f"
    done < <(find "$src/tests/fuzz/regressions/$t" -type f -print0 | sort -z)
done
for t in reader ingest csv config sqlfunc; do
    echo "$t: $(ls "$out/$t" | wc -l) seeds"
done
