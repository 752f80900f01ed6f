/*
 * timeutil.h - civil time, zones and the one text form mxaudit stores.
 *
 * Every time in the database is UTC text "YYYY-MM-DD HH:MM:SS" with ".mmm"
 * appended when the source had sub-second precision: SQLite's own date
 * form, so `WHERE ts >= '2026-11-27'` and date('now') comparisons work.
 *
 * Zone-less local times are converted with the run's zone, set once with
 * time_set_zone() (--tz, else the machine's zone). The conversion caches the
 * UTC offset per local hour, so it is cheap per line.
 */
#ifndef MXAUDIT_TIMEUTIL_H
#define MXAUDIT_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Room for the stored form, including the NUL. */
#define TIME_TEXT_MAX 32

/* Seconds since 1970-01-01 UTC of a proleptic Gregorian civil time (no checks). */
int64_t time_from_civil(int year, int month, int day, int hour, int min, int sec);
/* The inverse; month 1-12, wday 0 = Sunday (may be NULL). */
void time_to_civil(int64_t epoch, int *year, int *month, int *day, int *hour, int *min, int *sec);
/* 1 when the date exists (month 1-12, day within the month, leap years). */
int time_valid_date(int year, int month, int day);

/* Sets the zone for time_local_to_utc: an Area/City name, or NULL for the
 * machine's zone. 0, or -1 with a message naming the zone in err. */
int time_set_zone(const char *tz, char *err, size_t errlen);
/* The zone time_local_to_utc reads in, by name: the one given to
 * time_set_zone, else $TZ, else where /etc/localtime points ("Etc/UTC"),
 * else "localtime". */
const char *time_zone_name(void);
/* Local civil time in the run's zone to epoch seconds. A time in a DST gap
 * is taken as if the clock had not moved; a repeated hour as its first pass. */
int64_t time_local_to_utc(int year, int month, int day, int hour, int min, int sec);
/* The same, but a time in the repeated hour takes the pass that follows NEAR
 * (the previous line's time in a log written in order, as syslog is;
 * INT64_MIN: none), so the second pass follows the first instead of going
 * an hour back. NEAR more than an hour from both passes gives the first. */
int64_t time_local_to_utc_near(int year, int month, int day, int hour, int min, int sec, int64_t near);

/* Formats epoch seconds (+ milliseconds when ms >= 0) as the stored form.
 * Returns the length written (out needs TIME_TEXT_MAX bytes). */
size_t time_format(int64_t epoch, int ms, char *out);
/* As time_format, but ISO 8601 for JSON: "2026-11-27T10:04:05Z" or ".123Z". */
size_t time_format_iso(int64_t epoch, int ms, char *out);

/* Parses ISO 8601 / RFC 3339 "YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|+HH[:]MM|-HH[:]MM]"
 * from s (len bytes; it need not be NUL-terminated). On success returns the
 * number of bytes consumed and fills *epoch (UTC) and *ms (-1 when no
 * fraction). *has_zone says whether an offset or Z was present; without one the
 * time is taken as UTC when zone_less_is_utc, else as local in the run's zone.
 * Returns 0 when s does not start with such a time. */
size_t time_parse_iso(const char *s, size_t len, int zone_less_is_utc, int64_t *epoch, int *ms, int *has_zone);

/* Month name "Jan".."Dec" (case-sensitive, three letters) to 1-12, else 0. */
int time_month_from_abbrev(const char *s);

#endif
