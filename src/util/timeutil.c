/* timeutil.c - see timeutil.h. */
#include "timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t time_from_civil(int year, int month, int day, int hour, int min, int sec)
{
    return days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + hour * 3600 + min * 60 + sec;
}

void time_to_civil(int64_t epoch, int *year, int *month, int *day, int *hour, int *min, int *sec)
{
    int64_t days = epoch / 86400, rem = epoch % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = (unsigned)(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)((int64_t)yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
    *hour = (int)(rem / 3600);
    *min = (int)(rem / 60 % 60);
    *sec = (int)(rem % 60);
}

int time_valid_date(int year, int month, int day)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= mdays[month - 1] + (month == 2 && leap);
}

/* The offset cache: one local hour and its UTC offset. */
static struct {
    int64_t key; /* local hour as seconds since epoch, as if UTC */
    int64_t offset;
    int64_t second; /* the offset of the hour's second pass when it is repeated, else offset */
    int valid;
} zone_cache;

/* 1 when the zone database has a file for NAME; its path goes to PATH. */
static int zone_file_exists(const char *name, char *path, size_t pathlen)
{
    const char *dir = getenv("TZDIR");
    snprintf(path, pathlen, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    return !strstr(name, "..") && access(path, R_OK) == 0;
}

static char zone_name[256];

int time_set_zone(const char *tz, char *err, size_t errlen)
{
    zone_cache.valid = 0;
    zone_name[0] = '\0';
    if (!tz || !*tz) {
        tzset();
        return 0;
    }
    if (strcmp(tz, "UTC") != 0 && strcmp(tz, "GMT") != 0 && tz[0] != '/') {
        /* glibc silently falls back to UTC for an unknown zone: check the file. */
        char path[512];
        if (!zone_file_exists(tz, path, sizeof path)) {
            snprintf(err, errlen, "unknown time zone '%s' (no %s; is tzdata installed?)", tz, path);
            return -1;
        }
    }
    setenv("TZ", tz, 1);
    tzset();
    snprintf(zone_name, sizeof zone_name, "%s", tz);
    return 0;
}

const char *time_zone_name(void)
{
    if (zone_name[0])
        return zone_name;
    const char *tz = getenv("TZ");
    if (tz) {
        const char *z = tz[0] == ':' ? tz + 1 : tz;
        /* glibc reads an empty TZ, and a name it has no file for, as UTC; a
         * POSIX rule ("CET-1CEST,M3.5.0,M10.5.0/3") or a path is what it says */
        char path[512];
        if (!*z || (z[0] != '/' && !strpbrk(z, "0123456789,") && strcmp(z, "UTC") && strcmp(z, "GMT") &&
                    !zone_file_exists(z, path, sizeof path)))
            return "UTC";
        snprintf(zone_name, sizeof zone_name, "%s", z);
        return zone_name;
    }
    /* /etc/localtime -> /usr/share/zoneinfo/Europe/Berlin */
    char link[sizeof zone_name];
    ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *z = strstr(link, "zoneinfo/");
        snprintf(zone_name, sizeof zone_name, "%s", z ? z + 9 : link);
        return zone_name;
    }
    /* a copied file: Debian names it in /etc/timezone; without one, UTC */
    FILE *f = fopen("/etc/timezone", "r");
    if (f) {
        int ok = fgets(zone_name, sizeof zone_name, f) != NULL;
        fclose(f);
        zone_name[strcspn(zone_name, " \t\r\n")] = '\0';
        if (ok && zone_name[0])
            return zone_name;
        zone_name[0] = '\0';
    }
    return access("/etc/localtime", R_OK) == 0 ? "localtime" : "UTC";
}

/* The zone's UTC offset at an instant. */
static int64_t gmtoff_at(int64_t epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    return localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
}

int64_t time_local_to_utc(int year, int month, int day, int hour, int min, int sec)
{
    return time_local_to_utc_near(year, month, day, hour, min, sec, INT64_MIN);
}

/* The pass of a repeated hour (starting at KEY, local time as if UTC) that
 * follows NEAR: the second once NEAR is in it (time does not go back an
 * hour), else the nearer one; the first, as without NEAR, when NEAR is more
 * than an hour from both (another day, or rows out of order). */
static int64_t nearer(int64_t as_utc, int64_t key, int64_t near)
{
    int64_t first = as_utc - zone_cache.offset, second = as_utc - zone_cache.second;
    if (near == INT64_MIN || second == first)
        return first;
    int64_t second_start = key - zone_cache.second;
    if (near >= second_start && near < second_start + 3600)
        return second;
    int64_t d1 = first > near ? first - near : near - first, d2 = second > near ? second - near : near - second;
    if (d1 > 3600 && d2 > 3600)
        return first;
    return d2 < d1 ? second : first;
}

int64_t time_local_to_utc_near(int year, int month, int day, int hour, int min, int sec, int64_t near)
{
    int64_t as_utc = time_from_civil(year, month, day, hour, min, sec);
    int64_t key = as_utc - (min * 60 + sec);
    if (zone_cache.valid && zone_cache.key == key)
        return nearer(as_utc, key, near);
    /* The offsets a day before and after bracket at most one change. The
     * earlier one wins when it fits the local hour (a repeated hour is taken
     * as its first pass) and in a gap (as if the clock had not moved); the
     * later one only when the hour lies wholly after the change. Unlike
     * mktime() with tm_isdst = -1, this does not depend on earlier calls. */
    int64_t before = gmtoff_at(key - 86400), after = gmtoff_at(key + 86400);
    int64_t offset = before;
    if (gmtoff_at(key - before) != before && gmtoff_at(key - after) == after)
        offset = after;
    zone_cache.key = key;
    zone_cache.offset = offset;
    /* Repeated: the hour read with the later offset lies wholly after the change too. */
    zone_cache.second = offset;
    if (after < before && gmtoff_at(key - after) == after && gmtoff_at(key - after + 3599) == after)
        zone_cache.second = after;
    zone_cache.valid = 1;
    return nearer(as_utc, key, near);
}

/* Writes V (0 <= V < 10^WIDTH) as WIDTH digits with leading zeros. */
static void put_digits(char **p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        (*p)[i] = (char)('0' + v % 10);
        v /= 10;
    }
    *p += width;
}

size_t time_format(int64_t epoch, int ms, char *out)
{
    int y, mo, d, h, mi, s;
    time_to_civil(epoch, &y, &mo, &d, &h, &mi, &s);
    if (y < 0 || y > 9999) {
        if (ms >= 0)
            return (size_t)snprintf(out, TIME_TEXT_MAX, "%04d-%02d-%02d %02d:%02d:%02d.%03d", y, mo, d, h, mi, s,
                                    ms % 1000);
        return (size_t)snprintf(out, TIME_TEXT_MAX, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    }
    /* Every stored row has a time: written digit by digit, as snprintf would,
     * at a tenth of its cost (it was 7 % of a tracking-log ingest). */
    char *p = out;
    put_digits(&p, y, 4);
    *p++ = '-';
    put_digits(&p, mo, 2);
    *p++ = '-';
    put_digits(&p, d, 2);
    *p++ = ' ';
    put_digits(&p, h, 2);
    *p++ = ':';
    put_digits(&p, mi, 2);
    *p++ = ':';
    put_digits(&p, s, 2);
    if (ms >= 0) {
        *p++ = '.';
        put_digits(&p, ms % 1000, 3);
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t time_format_iso(int64_t epoch, int ms, char *out)
{
    size_t n = time_format(epoch, ms, out);
    out[10] = 'T';
    out[n++] = 'Z';
    out[n] = '\0';
    return n;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

size_t time_parse_iso(const char *s, size_t len, int zone_less_is_utc, int64_t *epoch, int *ms, int *has_zone)
{
    if (len < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':')
        return 0;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = 0;
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || !time_valid_date(y, mo, d) || h > 23 || mi > 59)
        return 0;
    size_t i = 16;
    int frac = -1;
    if (i + 2 < len + 0 && s[i] == ':') {
        sec = digits(s + i + 1, 2);
        if (sec < 0 || sec > 60)
            return 0;
        i += 3;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            size_t j = i + 1;
            int v = 0, nd = 0;
            while (j < len && s[j] >= '0' && s[j] <= '9') {
                if (nd < 3)
                    v = v * 10 + (s[j] - '0');
                nd++;
                j++;
            }
            if (nd == 0)
                return 0;
            while (nd < 3) {
                v *= 10;
                nd++;
            }
            frac = v;
            i = j;
        }
    }
    if (sec == 60)
        sec = 59; /* a leap second is stored as the second before it */
    int zone = 0;
    int64_t offset = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        zone = 1;
        i++;
    } else if (i + 2 < len + 0 && (s[i] == '+' || s[i] == '-') && s[i + 1] >= '0' && s[i + 1] <= '9') {
        int sign = s[i] == '-' ? -1 : 1;
        int oh = digits(s + i + 1, 2), om = 0;
        size_t j = i + 3;
        if (oh < 0)
            return 0;
        if (j < len && s[j] == ':')
            j++;
        if (j + 1 < len + 0 && s[j] >= '0' && s[j] <= '9') {
            om = digits(s + j, 2);
            if (om < 0)
                return 0;
            j += 2;
        }
        offset = sign * (oh * 3600 + om * 60);
        zone = 1;
        i = j;
    }
    if (zone)
        *epoch = time_from_civil(y, mo, d, h, mi, sec) - offset;
    else if (zone_less_is_utc)
        *epoch = time_from_civil(y, mo, d, h, mi, sec);
    else
        *epoch = time_local_to_utc(y, mo, d, h, mi, sec);
    *ms = frac;
    if (has_zone)
        *has_zone = zone;
    return i;
}

int time_month_from_abbrev(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; m++)
        if (s[0] == names[m * 3] && s[1] == names[m * 3 + 1] && s[2] == names[m * 3 + 2])
            return m + 1;
    return 0;
}
