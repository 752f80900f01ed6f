/*
 * NAME
 *   msgtrk.c - parser "msgtrk": Exchange Server message tracking log files.
 *
 * SUMMARY
 *   MSGTRK*.LOG, MSGTRKMD/MS/MA*.LOG of Exchange 2010 to Subscription
 *   Edition: a "#Software/#Version/#Log-type/#Date/#Fields:" header, then
 *   comma-separated rows whose columns the "#Fields:" line names (26 in 2010,
 *   30 from 2013; the line may come again mid-file and is applied from there).
 *   date-time is ISO 8601 UTC ("2026-11-27T10:04:05.123Z", the Message
 *   tracking documentation: "yyyy-mm-ddThh:mm:ss.fffZ"). Other Exchange logs
 *   share this header (protocol, connectivity, agent logs): the #Log-type
 *   line tells them apart and they are refused.
 *   Minimum columns: date-time, event-id.
 */
#include "exchange_common.h"

#include <string.h>

static const enum ex_col msgtrk_required[] = {EXC_TIME, EXC_EVENT, EXC_NONE};
static const char *const msgtrk_required_names[] = {"date-time", "event-id"};

static const struct ex_format msgtrk_format = {
    .name = "msgtrk",
    .system = "exchange",
    .time_kind = EX_TIME_ISO_UTC,
    .header_kind = EX_HEADER_FIELDS_LINE,
    .required = msgtrk_required,
    .required_names = msgtrk_required_names,
};

static int starts(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(s, p, n) == 0;
}

static int msgtrk_detect(const char *const *lines, const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = lines[i];
        size_t len = lens[i];
        if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        /* Claimed even when #Log-type names another log, so that the user
         * hears which log it is instead of "unknown format". */
        if (starts(s, len, "#Software: Microsoft Exchange"))
            return 100;
        if (starts(s, len, "#Fields: date-time,"))
            return 95;
        if (len && s[0] == '#')
            continue;
        /* Header-less rows, as log collectors keep them: ISO time with Z and
         * at least 26 fields. */
        size_t commas = 0;
        for (size_t k = 0; k < len; k++)
            commas += s[k] == ',';
        if (len > 25 && s[4] == '-' && s[10] == 'T' && memchr(s, 'Z', 25) && commas >= 25)
            return 60;
        return 0;
    }
    return 0;
}

static int msgtrk_open(struct parse_ctx *ctx, void **state)
{
    return ex_tab_open(&msgtrk_format, ctx, state);
}

const struct parser msgtrk_parser = {
    .name = "msgtrk",
    .summary = "Exchange Server message tracking log (MSGTRK*.LOG)",
    .detect = msgtrk_detect,
    .open = msgtrk_open,
    .line = ex_tab_line,
    .finish = ex_tab_finish,
    .close = ex_tab_close,
    .after_run = NULL,
};
