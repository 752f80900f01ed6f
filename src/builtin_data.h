/*
 * builtin_data.h - reference data compiled into mxaudit, dated and sourced.
 *
 * NAME
 *   builtin_data - Exchange Online's address ranges, the catalogue of
 *   Microsoft notification senders, and the markers that make a message an
 *   NDR, an auto-reply or machine-sent.
 * SUMMARY
 *   Static tables; nobody frees them. The configuration extends the sender
 *   catalogue ([notifications] known) and never edits these tables. Each
 *   table ends with a NULL entry. The README lists the same data with its
 *   dates and sources.
 */
#ifndef MXAUDIT_BUILTIN_DATA_H
#define MXAUDIT_BUILTIN_DATA_H

/* When the tables were last checked against their sources. */
extern const char builtin_exo_ranges_date[];
extern const char builtin_senders_date[];

/* Exchange Online (EOP) SMTP ranges, IPv4 and IPv6 CIDR text. */
extern const char *const builtin_exo_ranges[];

enum sender_match { SENDER_EXACT, SENDER_REGEX };

struct builtin_sender {
    const char *pattern; /* the whole address (case-insensitive), or a PCRE2 pattern */
    enum sender_match match;
    const char *service; /* which service a sender with this address claims to be */
    const char *source;  /* where the address is documented */
};
extern const struct builtin_sender builtin_senders[];

/* Subject prefixes of non-delivery reports, compared case-insensitively at
 * the start of the subject. */
extern const char *const builtin_ndr_subjects[];
/* Subject prefixes of auto-replies (a real sender: not an NDR). */
extern const char *const builtin_autoreply_subjects[];
/* Sender local parts that mark an NDR (case-insensitive, exact). */
extern const char *const builtin_ndr_local_parts[];
/* Local parts of machine senders: exact, or followed by '-', '_', '.', '+'. */
extern const char *const builtin_machine_local_parts[];
/* Domains (and their subdomains) of Microsoft's own senders. */
extern const char *const builtin_microsoft_domains[];

#endif
