/*
 * test_timeutil.c - local time to UTC across DST changes (Europe/Berlin),
 * independent of the order of calls, and the stored text form.
 */
#include "testutil.h"
#include "timeutil.h"

static const char *utc(int y, int mo, int d, int h, int mi)
{
    static char out[TIME_TEXT_MAX];
    time_format(time_local_to_utc(y, mo, d, h, mi, 0), -1, out);
    return out;
}

/* A log read in order: each local time converted near the one before. */
static int64_t prev = INT64_MIN;
static const char *next(int y, int mo, int d, int h, int mi, int s)
{
    static char out[TIME_TEXT_MAX];
    prev = time_local_to_utc_near(y, mo, d, h, mi, s, prev);
    time_format(prev, -1, out);
    return out;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    char err[256];
    CHECK_INT(time_set_zone("Europe/Berlin", err, sizeof err), 0);
    CHECK_STR(utc(2026, 11, 24, 9, 0), "2026-11-24 08:00:00");
    CHECK_STR(utc(2026, 7, 1, 12, 0), "2026-07-01 10:00:00");
    /* Spring gap (2026-03-29 02:00 -> 03:00): 02:30 does not exist and is
     * read as if the clock had not moved; 01:59 and 03:00 are unambiguous. */
    CHECK_STR(utc(2026, 3, 29, 1, 59), "2026-03-29 00:59:00");
    CHECK_STR(utc(2026, 3, 29, 2, 30), "2026-03-29 01:30:00");
    CHECK_STR(utc(2026, 3, 29, 3, 0), "2026-03-29 01:00:00");
    /* Autumn fold (2026-10-25 03:00 -> 02:00): 02:30 is its first pass,
     * whatever was converted before it. */
    CHECK_STR(utc(2026, 10, 25, 1, 50), "2026-10-24 23:50:00");
    CHECK_STR(utc(2026, 10, 25, 2, 30), "2026-10-25 00:30:00");
    CHECK_STR(utc(2026, 10, 25, 3, 30), "2026-10-25 02:30:00");
    CHECK_STR(utc(2026, 10, 25, 2, 30), "2026-10-25 00:30:00");
    /* Read in order, the fold's second pass follows its first (CEST, then
     * CET) instead of going an hour back; a line slightly out of order stays
     * in its pass. */
    CHECK_STR(next(2026, 10, 25, 1, 59, 59), "2026-10-24 23:59:59");
    CHECK_STR(next(2026, 10, 25, 2, 0, 1), "2026-10-25 00:00:01");
    CHECK_STR(next(2026, 10, 25, 2, 59, 58), "2026-10-25 00:59:58");
    CHECK_STR(next(2026, 10, 25, 2, 0, 3), "2026-10-25 01:00:03");
    CHECK_STR(next(2026, 10, 25, 2, 0, 2), "2026-10-25 01:00:02");
    CHECK_STR(next(2026, 10, 25, 2, 59, 59), "2026-10-25 01:59:59");
    CHECK_STR(next(2026, 10, 25, 3, 0, 0), "2026-10-25 02:00:00");
    /* nothing to be near: the first pass */
    CHECK_STR(utc(2026, 10, 25, 2, 30), "2026-10-25 00:30:00");
    /* a previous line a day away (another file, rows out of order) says nothing: the first pass */
    prev = time_local_to_utc(2026, 10, 26, 2, 30, 0);
    CHECK_STR(next(2026, 10, 25, 2, 30, 0), "2026-10-25 00:30:00");
    /* New York falls back at 02:00 EDT to 01:00 EST */
    CHECK_INT(time_set_zone("America/New_York", err, sizeof err), 0);
    prev = INT64_MIN;
    CHECK_STR(next(2026, 11, 1, 1, 45, 0), "2026-11-01 05:45:00");
    CHECK_STR(next(2026, 11, 1, 1, 10, 0), "2026-11-01 06:10:00");
    CHECK_STR(next(2026, 11, 1, 2, 5, 0), "2026-11-01 07:05:00");
    CHECK_INT(time_set_zone("Europe/Berlin", err, sizeof err), 0);
    CHECK_INT(time_set_zone("Mars/Olympus_Mons", err, sizeof err), -1);
    CHECK(strstr(err, "Mars/Olympus_Mons") != NULL);
    /* The zone by name, as a source records it: the one given, else $TZ
     * (without POSIX's leading ':'). */
    CHECK_INT(time_set_zone("America/New_York", err, sizeof err), 0);
    CHECK_STR(time_zone_name(), "America/New_York");
    setenv("TZ", ":Asia/Tokyo", 1);
    CHECK_INT(time_set_zone(NULL, err, sizeof err), 0);
    CHECK_STR(time_zone_name(), "Asia/Tokyo");
    /* glibc reads an empty TZ and an unknown name as UTC; a POSIX rule is itself */
    setenv("TZ", "", 1);
    CHECK_INT(time_set_zone(NULL, err, sizeof err), 0);
    CHECK_STR(time_zone_name(), "UTC");
    setenv("TZ", "Europe/Berlinn", 1);
    CHECK_INT(time_set_zone(NULL, err, sizeof err), 0);
    CHECK_STR(time_zone_name(), "UTC");
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    CHECK_INT(time_set_zone(NULL, err, sizeof err), 0);
    CHECK_STR(time_zone_name(), "CET-1CEST,M3.5.0,M10.5.0/3");
    CHECK_INT(time_set_zone("Europe/Berlin", err, sizeof err), 0);

    /* ISO 8601 with and without offsets; the stored form sorts as text. */
    int64_t e;
    int ms, zone;
    CHECK(time_parse_iso("2026-11-27T10:04:05.123456+01:00", 32, 0, &e, &ms, &zone) == 32);
    char out[TIME_TEXT_MAX];
    time_format(e, ms, out);
    CHECK_STR(out, "2026-11-27 09:04:05.123");
    CHECK(zone);
    CHECK(time_parse_iso("2026-11-27T10:04:05+0100", 24, 0, &e, &ms, &zone) == 24);
    time_format_iso(e, ms, out);
    CHECK_STR(out, "2026-11-27T09:04:05Z");
    CHECK(time_parse_iso("2026-02-30T10:04:05Z", 20, 1, &e, &ms, &zone) == 0);

    /* The stored form is what "%04d-%02d-%02d %02d:%02d:%02d.%03d" gives,
     * for any time: every 3,600,007 s from 1969 to 2101, with and without
     * milliseconds, and outside four-digit years. */
    static const int64_t odd[] = {
        -1,          86399, 951782400 /* 2000-02-29 */, 253402300799 /* 9999-12-31 */, 253402300800 /* 10000-01-01 */,
        -62167219201 /* -0001-12-31 */};
    size_t mismatches = 0, tried = 0;
    for (int64_t t = -86400LL * 365; t < 4133980800LL + 86400 * 366 * 2; t += 3600007) {
        for (int k = -1; k < 3; k++) {
            int m = k < 0 ? -1 : (int)(t % 1000 + 1000) % 1000 * k / 2; /* -1, 0, then varied */
            char want[64], got[TIME_TEXT_MAX];
            int y, mo, d, h, mi, sec;
            time_to_civil(t, &y, &mo, &d, &h, &mi, &sec);
            if (m >= 0)
                snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d.%03d", y, mo, d, h, mi, sec, m % 1000);
            else
                snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, sec);
            size_t n = time_format(t, m, got);
            tried++;
            if (n != strlen(want) || strcmp(got, want) != 0) {
                if (mismatches++ < 5)
                    fprintf(stderr, "time_format(%lld, %d): got '%s', want '%s'\n", (long long)t, m, got, want);
            }
        }
    }
    CHECK(tried > 4000);
    CHECK_INT((int)mismatches, 0);
    time_format(odd[2], 999, out);
    CHECK_STR(out, "2000-02-29 00:00:00.999");
    time_format(odd[3], -1, out);
    CHECK_STR(out, "9999-12-31 23:59:59");
    time_format(odd[4], -1, out);
    CHECK_STR(out, "10000-01-01 00:00:00");
    time_format(odd[5], 5, out);
    CHECK_STR(out, "-001-12-31 23:59:59.005");
    time_format(odd[0], 1234, out);
    CHECK_STR(out, "1969-12-31 23:59:59.234");
    time_format(odd[1], 0, out);
    CHECK_STR(out, "1970-01-01 23:59:59.000");
    return test_done("test_timeutil");
}
