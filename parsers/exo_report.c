/*
 * NAME
 *   exo_report.c - parser "exo-report": Exchange Online downloadable message
 *   trace reports (historical search: extended and enhanced summary).
 *
 * SUMMARY
 *   snake_case columns. Extended report: date_time_utc, client_ip,
 *   client_hostname, server_ip, server_hostname, source_context,
 *   connector_id, source, event_id, internal_message_id, message_id,
 *   network_message_id, recipient_address, recipient_status, total_bytes,
 *   recipient_count, related_recipient_address, reference, message_subject,
 *   sender_address, return_path, message_info, directionality, tenant_id,
 *   original_client_ip, original_server_ip, custom_data. Enhanced summary:
 *   origin_timestamp_utc, sender_address, recipient_status
 *   ("addr##Receive, Deliver;addr2##..."), message_subject, total_bytes,
 *   message_id, network_message_id, original_client_ip, directionality,
 *   connector_id, delivery_priority. The files are UTF-16LE, with or without
 *   BOM (the line reader decodes them). Times are UTC.
 *   Minimum columns: date_time_utc or origin_timestamp_utc, message_id.
 */
#include "exchange_common.h"

static const enum ex_col exo_report_required[] = {EXC_TIME, EXC_MESSAGE_ID, EXC_NONE};
static const char *const exo_report_required_names[] = {"date_time_utc (or origin_timestamp_utc)", "message_id"};

static const struct ex_format exo_report_format = {
    .name = "exo-report",
    .system = "exo",
    .time_kind = EX_TIME_CULTURE_UTC,
    .header_kind = EX_HEADER_FIRST_LINE,
    .empty_sender_is_null = 1,
    .required = exo_report_required,
    .required_names = exo_report_required_names,
};

static int exo_report_detect(const char *const *lines, const size_t *lens, size_t n)
{
    char names[64][48];
    size_t k = ex_header_names(lines, lens, n, names, 64);
    if (ex_names_have(names, k, "datetimeutc") || ex_names_have(names, k, "origintimestamputc"))
        return 90;
    return 0;
}

static int exo_report_open(struct parse_ctx *ctx, void **state)
{
    return ex_tab_open(&exo_report_format, ctx, state);
}

const struct parser exo_report_parser = {
    .name = "exo-report",
    .summary = "Exchange Online message trace report download (extended / enhanced summary)",
    .detect = exo_report_detect,
    .open = exo_report_open,
    .line = ex_tab_line,
    .finish = ex_tab_finish,
    .close = ex_tab_close,
    .after_run = NULL,
};
