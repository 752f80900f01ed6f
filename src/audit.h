/*
 * audit.h - turns ingested logs into findings, and findings into a verdict.
 *
 * NAME
 *   audit - the receiving side (which inbound mail bypassed the MX gateway,
 *   classified as ndr_direct, notification_known, notification_unknown or
 *   bypassed_mx) and the sending side (attribution_failure, ndr_lost), then
 *   the grouping of `mxaudit precheck`.
 * SUMMARY
 *   The canned queries of queries/ select the candidate rows; this module does
 *   what SQL does badly: CIDR tests, sender classification, NDR-to-original
 *   linking, merging all rows of one message into one finding, exceptions,
 *   grouping. It never prints: renderers (audit_render.h) take the result.
 *
 * Ownership: audit_run fills a struct audit_result the caller releases with
 * audit_result_free; precheck groups point into that result's findings and
 * are released with it.
 * Errors: audit_run returns 0, or -1 with a message in err (SQL errors name
 * the query).
 */
#ifndef MXAUDIT_AUDIT_H
#define MXAUDIT_AUDIT_H

#include "config.h"
#include "timeutil.h"

#include <sqlite3.h>
#include <stddef.h>

enum finding_kind {
    FINDING_NDR_DIRECT = 0,
    FINDING_NOTIFICATION_KNOWN,
    FINDING_NOTIFICATION_UNKNOWN,
    FINDING_BYPASSED_MX,
    FINDING_ATTRIBUTION_FAILURE,
    FINDING_NDR_LOST,
    FINDING_KIND_COUNT
};
/* The receiving side's kinds (bits for audit_options.kinds): all that
 * audit_precheck judges. */
#define FINDING_RECEIVING_KINDS ((1u << (FINDING_BYPASSED_MX + 1)) - 1u)

/* "ndr_direct", ...; and back (-1 for an unknown name). */
const char *finding_kind_name(enum finding_kind k);
int finding_kind_from_name(const char *name);

struct evidence {
    char *file;
    long long line;
};

struct finding {
    enum finding_kind kind;
    char *message_id;  /* without brackets; NULL when the message has none */
    char *sender;      /* envelope sender; "" = null sender; NULL = unknown */
    char **recipients; /* own-domain recipients (receiving side); the one recipient (sending side) */
    size_t nrecipients;
    char *subject;
    char *first_seen, *last_seen; /* stored form, UTC */
    const char *entry;            /* "exo" or "onprem"; NULL on the sending side */
    char *client_ip;              /* connecting IP of the entry */
    const char *source_net;       /* "eop" or "internet"; NULL on the sending side */
    char *service;                /* notification_known: the catalogue's service name */
    int partner;                  /* bypassed_mx: the sender's domain also sends through the gateway */
    int excepted;                 /* a current [exceptions] entry matches */
    int exception_expired;        /* an entry matches but its day has passed */
    char *exception_reason;
    char *exception_until; /* "" when it has no end */
    struct evidence *evidence;
    size_t nevidence;
    /* ndr_direct: the outbound message the NDR is about, when found */
    char *original_message_id;
    char *original_host; /* the host that delivered the original */
    /* sending side */
    char *recipient;
    long long attempts;
    char *reply;     /* the last reply */
    char *smarthost; /* relay of the last attempt */
    char *dsn;       /* dsn of the last attempt */
};

struct audit_options {
    const char *since, *until; /* stored-form bounds on first_seen, or NULL */
    unsigned kinds;            /* bit set of (1u << kind); 0 = all */
    const char *now;           /* "YYYY-MM-DD..." for exception expiry; NULL = today (UTC) */
};

/* An address Exchange Online logged for mail the gateway relayed (its
 * Postfix log says so, by Message-ID) that is not in [gateway] ips: once the
 * connector admits only those, the gateway's own mail from it is refused. */
struct gateway_ip_seen {
    char *ip;
    size_t messages;
    char *first_seen, *last_seen; /* stored form, UTC */
};

/* Where the audit learned which sender domains also send through the
 * gateway (partners, whose mail past the MX is wanted): the gateway hosts'
 * Postfix logs; without them, the entries into Exchange from [gateway] ips;
 * or nowhere (no gateway log and no such entry), when no mail is a partner's. */
enum { PARTNERS_FROM_NONE, PARTNERS_FROM_GATEWAY_LOGS, PARTNERS_FROM_ENTRIES };

struct audit_result {
    struct finding *findings; /* sorted by kind, then first_seen */
    size_t n;
    size_t counts[FINDING_KIND_COUNT];
    size_t excepted;         /* findings with a current exception */
    size_t entries_examined; /* entry rows read (every door, every organisation) */
    size_t exo_entries;      /* of those, Exchange Online's of our organisation (through our gateway or servers, or
                                with a recipient of ours): what the precheck's verdict rests on */
    char exo_first[TIME_TEXT_MAX], exo_last[TIME_TEXT_MAX]; /* their earliest and latest time; "" when none */
    struct gateway_ip_seen *unlisted_gateway_ips;           /* by address */
    size_t nunlisted_gateway_ips;
    int partners_from; /* where partners were learned: PARTNERS_FROM_* */
};

int audit_run(sqlite3 *db, const struct config *cfg, const struct audit_options *opt, struct audit_result *res,
              char *err, size_t errlen);
void audit_result_free(struct audit_result *res);

/* Sender classification, exposed for tests. SUBJECT may be NULL; CFG adds
 * its [notifications] ndr_subject prefixes to the built-in ones. */
int audit_is_ndr(const struct config *cfg, const char *sender, const char *subject);
int audit_is_machine_sender(const struct config *cfg, const char *sender);
/* Subject of the original inside an NDR subject ("Undeliverable: X" -> X), or NULL. */
const char *audit_ndr_original_subject(const char *subject);

/* One group of the precheck verdict: back-door traffic of one service or
 * sender domain from one kind of network through one door. */
struct precheck_group {
    const char *entry; /* "exo" or "onprem" */
    char *label;       /* service name, or sender domain ("<>" for the null sender) */
    const char *source_net;
    size_t counts[4]; /* per receiving-side kind */
    size_t messages, excepted;
    int would_cut;     /* an exo group with a non-excepted ndr/notification finding, or a partner's mail */
    int partner;       /* bypassed_mx of a correspondent that also sends through the gateway */
    int gateway;       /* the gateway's own mail from addresses not in [gateway] ips (first, always cut) */
    char **client_ips; /* distinct, at most 5 */
    size_t nclient_ips;
    char *advice; /* what would stop arriving and what to do */
    char *first_seen, *last_seen;
};

struct precheck_result {
    struct precheck_group *groups; /* exo door first, would_cut first, then by size */
    size_t n;
    int safe; /* 1 when Exchange Online entries were seen and no exo group would cut wanted mail */
    size_t cut_groups;
    int no_gateway;     /* the configuration has no [gateway]: the MX is Exchange Online, there is no back door */
    size_t exo_entries; /* as in audit_result */
    char exo_first[TIME_TEXT_MAX], exo_last[TIME_TEXT_MAX]; /* as in audit_result */
    int partners_from;                                      /* as in audit_result */
};

void audit_precheck(const struct config *cfg, const struct audit_result *res, struct precheck_result *pre);
void precheck_result_free(struct precheck_result *pre);

#endif
