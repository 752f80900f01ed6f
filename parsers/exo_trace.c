/*
 * NAME
 *   exo_trace.c - parser "exo-trace": Get-MessageTrace / Get-MessageTraceV2
 *   | Export-Csv (Exchange Online).
 *
 * SUMMARY
 *   Columns Received, SenderAddress, RecipientAddress, Subject, Status,
 *   ToIP, FromIP, Size, MessageId, MessageTraceId, optionally Organization,
 *   StartDate, EndDate, Index and the remoting columns PSComputerName,
 *   RunspaceId, PSShowComputerName. One row per recipient. Received is UTC
 *   ("The time stamps on the output are in UTC time format",
 *   Get-MessageTraceV2 documentation) but written in the exporting culture's
 *   format, so --tz never applies; the day/month order is detected or given
 *   with --date-order. An empty FromIP means the message was submitted
 *   inside Exchange Online; a null sender is an empty SenderAddress or <>.
 *   Minimum columns: Received, SenderAddress, RecipientAddress, Status.
 */
#include "exchange_common.h"

static const enum ex_col exo_trace_required[] = {EXC_TIME, EXC_SENDER, EXC_RECIPIENTS, EXC_STATUS, EXC_NONE};
static const char *const exo_trace_required_names[] = {"Received", "SenderAddress", "RecipientAddress", "Status"};

static const struct ex_format exo_trace_format = {
    .name = "exo-trace",
    .system = "exo",
    .time_kind = EX_TIME_CULTURE_UTC,
    .header_kind = EX_HEADER_FIRST_LINE,
    .empty_sender_is_null = 1,
    .required = exo_trace_required,
    .required_names = exo_trace_required_names,
    .warn_result_limit = 1, /* 1000 by default, 5000 at most per call */
};

static int exo_trace_detect(const char *const *lines, const size_t *lens, size_t n)
{
    char names[64][48];
    size_t k = ex_header_names(lines, lens, n, names, 64);
    if (!ex_names_have(names, k, "received") || ex_names_have(names, k, "event"))
        return 0;
    if (ex_names_have(names, k, "messagetraceid") ||
        (ex_names_have(names, k, "senderaddress") && ex_names_have(names, k, "recipientaddress")))
        return 90;
    return 0;
}

static int exo_trace_open(struct parse_ctx *ctx, void **state)
{
    return ex_tab_open(&exo_trace_format, ctx, state);
}

const struct parser exo_trace_parser = {
    .name = "exo-trace",
    .summary = "Get-MessageTrace(V2) | Export-Csv (Exchange Online message trace)",
    .detect = exo_trace_detect,
    .open = exo_trace_open,
    .line = ex_tab_line,
    .finish = ex_tab_finish,
    .close = ex_tab_close,
    .after_run = NULL,
};
