/* parser.c - the helpers every parser shares; see parser.h. */
#include "parser.h"

#include "timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void parser_warn(struct parse_ctx *ctx, const char *fmt, ...)
{
    ctx->warnings++;
    if (ctx->opt && ctx->opt->quiet)
        return;
    va_list ap;
    fprintf(stderr, "%s:%llu: warning: ", ctx->path, (unsigned long long)ctx->line_no);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int parser_reject(struct parse_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->reason, sizeof ctx->reason, fmt, ap);
    va_end(ap);
    return PARSE_REJECT;
}

int parser_reject_record(struct parse_ctx *ctx, uint64_t line, uint64_t offset, const char *text, size_t len,
                         const char *reason)
{
    if (!ctx->store_reject)
        return 0; /* no driver: a unit test of the parser alone */
    return ctx->store_reject(ctx->driver, line, offset, text, len, reason);
}

void parser_note_time(struct parse_ctx *ctx, int64_t epoch)
{
    if (ctx->first_ts == 0 || epoch < ctx->first_ts)
        ctx->first_ts = epoch;
    if (ctx->last_ts == 0 || epoch > ctx->last_ts)
        ctx->last_ts = epoch;
}

void parser_resume_after(struct parse_ctx *ctx, int64_t epoch)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (!ctx->opt || ctx->opt->year <= 0 || !localtime_r(&t, &tm))
        return;
    ctx->year_prev = tm.tm_year + 1900;
    ctx->month_prev = tm.tm_mon + 1;
    ctx->day_prev = tm.tm_mday;
}

int parser_year_for(struct parse_ctx *ctx, int month, int day)
{
    if (ctx->opt && ctx->opt->year > 0) {
        /* --year is the year of the file's first year-less line; each later
         * line takes the year that puts it nearest the line before, so a
         * file that runs past New Year goes on into the next year (and a
         * December line a moment late stays in the old one). */
        int year = ctx->opt->year;
        if (ctx->year_prev) {
            long prev = (long)ctx->month_prev * 31 + ctx->day_prev, here = (long)month * 31 + day;
            year = ctx->year_prev;
            if (prev - here > 186)
                year++;
            else if (here - prev > 186)
                year--;
        }
        ctx->year_prev = year;
        ctx->month_prev = month;
        ctx->day_prev = day;
        return year;
    }
    int y, m, d, h, mi, s;
    time_to_civil((int64_t)ctx->ref_time, &y, &m, &d, &h, &mi, &s);
    ctx->year_inferred = 1;
    /* The latest year that puts the date no later than a day after the
     * file's end: December lines in a file that ends in January belong to
     * the year before. The day of slack absorbs the zone: the line is local
     * time, the file's end is UTC. */
    (void)m, (void)d;
    for (int year = y + 1; year >= y; year--)
        if (time_from_civil(year, month, day, 0, 0, 0) <= (int64_t)ctx->ref_time + 86400)
            return year;
    return y - 1;
}
