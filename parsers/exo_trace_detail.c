/*
 * NAME
 *   exo_trace_detail.c - parser "exo-trace-detail": Get-MessageTraceDetail
 *   and Get-MessageTraceDetailV2 | Export-Csv (Exchange Online).
 *
 * SUMMARY
 *   Columns Date, Event, Action, Detail, Data (the MessageTraceDetail type's
 *   members; MessageId, MessageTraceId, SenderAddress, RecipientAddress,
 *   Organization may come with them). Data is
 *   "<root><MEP Name=... String=.../></root>"; an inbound connector is named
 *   by "S:InboundConnectorData=Name=..." in it. Date is UTC in the exporting
 *   culture's format, like Received of the message trace.
 *   Minimum columns: Date, Event.
 */
#include "exchange_common.h"

static const enum ex_col exo_detail_required[] = {EXC_TIME, EXC_EVENT, EXC_NONE};
static const char *const exo_detail_required_names[] = {"Date", "Event"};

static const struct ex_format exo_detail_format = {
    .name = "exo-trace-detail",
    .system = "exo",
    .time_kind = EX_TIME_CULTURE_UTC,
    .header_kind = EX_HEADER_FIRST_LINE,
    .empty_sender_is_null = 1,
    .required = exo_detail_required,
    .required_names = exo_detail_required_names,
};

static int exo_detail_detect(const char *const *lines, const size_t *lens, size_t n)
{
    char names[64][48];
    size_t k = ex_header_names(lines, lens, n, names, 64);
    if (ex_names_have(names, k, "date") && ex_names_have(names, k, "event") &&
        (ex_names_have(names, k, "action") || ex_names_have(names, k, "detail") || ex_names_have(names, k, "data")))
        return 90;
    return 0;
}

static int exo_detail_open(struct parse_ctx *ctx, void **state)
{
    return ex_tab_open(&exo_detail_format, ctx, state);
}

const struct parser exo_trace_detail_parser = {
    .name = "exo-trace-detail",
    .summary = "Get-MessageTraceDetail(V2) | Export-Csv (Exchange Online)",
    .detect = exo_detail_detect,
    .open = exo_detail_open,
    .line = ex_tab_line,
    .finish = ex_tab_finish,
    .close = ex_tab_close,
    .after_run = NULL,
};
