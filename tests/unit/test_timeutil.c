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
    CHECK_INT(time_set_zone("Mars/Olympus_Mons", err, sizeof err), -1);
    CHECK(strstr(err, "Mars/Olympus_Mons") != NULL);

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
    return test_done("test_timeutil");
}
