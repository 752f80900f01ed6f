/*
 * NAME
 *   msgtrk_csv.c - parser "msgtrk-csv": Get-MessageTrackingLog | Export-Csv.
 *
 * SUMMARY
 *   The cmdlet shows the log's fields without dashes, date-time as
 *   Timestamp, recipient-address as Recipients, sender-address as Sender
 *   (Get-MessageTrackingLog documentation); Export-Csv quotes every value,
 *   may start with "#TYPE ...MessageTrackingEvent" (Windows PowerShell,
 *   without -NoTypeInformation), and uses ';' with -UseCulture in many
 *   cultures. Timestamp is the exporting machine's local time in its culture
 *   ("3/13/2026 9:00:05 AM", "13.03.2026 09:00:05"): converted with --tz,
 *   day/month order detected or given with --date-order. A Recipients value
 *   of "System.String[]" means the array was not joined before export.
 *   Minimum columns: Timestamp, EventId.
 */
#include "exchange_common.h"

#include <string.h>

static const enum ex_col msgtrk_csv_required[] = {EXC_TIME, EXC_EVENT, EXC_NONE};
static const char *const msgtrk_csv_required_names[] = {"Timestamp", "EventId"};

static const struct ex_format msgtrk_csv_format = {
    .name = "msgtrk-csv",
    .system = "exchange",
    .time_kind = EX_TIME_CULTURE_LOCAL,
    .header_kind = EX_HEADER_FIRST_LINE,
    .required = msgtrk_csv_required,
    .required_names = msgtrk_csv_required_names,
    .warn_result_limit = 1, /* -ResultSize defaults to 1000 */
};

static int msgtrk_csv_detect(const char *const *lines, const size_t *lens, size_t n)
{
    char names[64][48];
    size_t k = ex_header_names(lines, lens, n, names, 64);
    if (ex_names_have(names, k, "timestamp") && ex_names_have(names, k, "eventid"))
        return 90;
    for (size_t i = 0; i < n; i++)
        if (lens[i] > 6 && memcmp(lines[i], "#TYPE ", 6) == 0 && memmem(lines[i], lens[i], "MessageTrackingEvent", 20))
            return 80;
    return 0;
}

static int msgtrk_csv_open(struct parse_ctx *ctx, void **state)
{
    return ex_tab_open(&msgtrk_csv_format, ctx, state);
}

const struct parser msgtrk_csv_parser = {
    .name = "msgtrk-csv",
    .summary = "Get-MessageTrackingLog | Export-Csv (Exchange Server)",
    .detect = msgtrk_csv_detect,
    .open = msgtrk_csv_open,
    .line = ex_tab_line,
    .finish = ex_tab_finish,
    .close = ex_tab_close,
    .after_run = NULL,
};
