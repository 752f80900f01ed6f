/*
 * NAME
 *   postfix.h - Postfix log lines: envelope, body fields, Exchange Online replies.
 * SUMMARY
 *   The parser object `postfix_parser` (format name "postfix") reads syslog
 *   files of one or more Postfix instances into pf_event and pf_reject, and
 *   after each run rebuilds pf_message and pf_delivery for the queue ids it
 *   touched (and those linked to them) from their stored events
 *   (schema/002-postfix.sql).
 * DESCRIPTION
 *   The functions below are the pure, allocation-free steps of that parse,
 *   exported for the unit tests: text in, spans into that text out.
 *
 * Ownership: nothing here allocates. Every struct pf_span points into the
 * caller's line, so it is valid only as long as that line is. A span with
 * p == NULL is absent; p != NULL with n == 0 is present and empty (the null
 * sender `from=<>`).
 */
#ifndef MXAUDIT_POSTFIX_H
#define MXAUDIT_POSTFIX_H

#include "parser.h"

#include <stddef.h>
#include <stdint.h>

extern const struct parser postfix_parser;

struct pf_span {
    const char *p;
    size_t n;
};

/* The syslog envelope of one line, before the time is resolved. */
struct pf_envelope {
    int has_year;                   /* RFC 3339 / RFC 5424 carried a full date and zone */
    int zone_less;                  /* when has_year: the stamp had no offset and was read in the local zone */
    int64_t epoch;                  /* when has_year: UTC epoch seconds */
    int month, day, hour, min, sec; /* when !has_year: local civil time */
    int ms;                         /* milliseconds, -1 when the stamp had no fraction */
    struct pf_span host;
    struct pf_span program;  /* whole syslog name: postfix-out/smtp */
    struct pf_span instance; /* its first element: postfix-out */
    struct pf_span daemon;   /* its last element: smtp */
    long pid;                /* -1 when the tag had none */
    const char *body;        /* the message after "tag: " */
    size_t body_len;
};

enum pf_envelope_result {
    PF_ENV_BAD = 0,    /* not a syslog line we know (garbage, truncated stamp) */
    PF_ENV_OTHER = 1,  /* a syslog line of another program, or without a tag */
    PF_ENV_POSTFIX = 2 /* a Postfix line: instance, daemon and body are set */
};

/* Splits LINE (LEN bytes) into its syslog envelope. Understands traditional
 * BSD syslog (with optional <PRI> and fractional seconds), RFC 3339 stamps,
 * RFC 5424 and Postfix's own maillog_file. */
int postfix_parse_envelope(const char *line, size_t len, struct pf_envelope *env);

enum pf_kind {
    PF_OTHER = 0,  /* a Postfix line without structure we use: kept as text */
    PF_CLIENT,     /* smtpd QID: client=host[ip] */
    PF_PICKUP,     /* pickup QID: uid=N from=<x> */
    PF_MESSAGE_ID, /* cleanup QID: message-id=<...> */
    PF_RESENT_MESSAGE_ID,
    PF_ACTIVE,         /* qmgr QID: from=<x>, size=N, nrcpt=N (queue active) */
    PF_REMOVED,        /* qmgr/postsuper QID: removed */
    PF_EXPIRED,        /* qmgr QID: from=<x>, status=expired, returned to sender */
    PF_DELIVERY,       /* any delivery agent QID: to=<x>, relay=..., status=... */
    PF_NOTICE,         /* bounce QID: sender non-delivery notification: NEW */
    PF_REJECT,         /* reject / reject_warning / milter-reject (NOQUEUE or with QID) */
    PF_CLEANUP_ACTION, /* cleanup QID: hold/discard/redirect/filter/warning: header ... */
    PF_CONNECT,        /* smtpd connect from host[ip] */
    PF_DISCONNECT,     /* smtpd disconnect from host[ip] counters */
    PF_LOST,           /* lost connection / timeout after CMD from host[ip] */
    PF_TLS,            /* ... TLS connection established from/to host[ip]: ... */
    PF_POSTSCREEN,     /* postscreen CONNECT/PASS/PREGREET/DNSBL/... [ip]:port */
    PF_WARNING,        /* warning: ... (no queue id) */
    PF_KIND_COUNT
};

/* The stored name of a kind (pf_event.kind). */
const char *postfix_kind_name(int kind);

/* Fields of one Postfix message body. Numbers are -1 when absent. */
struct pf_fields {
    int kind;
    struct pf_span queue_id;
    struct pf_span client_host, client_ip;
    long client_port;
    struct pf_span sender, recipient, orig_recipient;
    struct pf_span relay_host, relay_ip;
    long relay_port, conn_use, size, nrcpt, uid, code;
    double delay; /* < 0 when absent */
    struct pf_span delays, tls, dsn, status, reply;
    struct pf_span message_id; /* raw value of message-id= / resent-message-id= */
    struct pf_span sasl_method, sasl_username;
    struct pf_span link_queue_id; /* notice NEW id, orig_queue_id=, queued as / forwarded as */
    const char *link_kind;        /* "ndr_of", "queued_as", "forwarded_as", "orig_queue_id" */
    struct pf_span helo, proto, command, action, text;
    int truncated; /* the line ended before the reply's closing parenthesis */
};

/* Parses one Postfix message body (what follows "postfix/daemon[pid]: ")
 * into F and returns F->kind. Never fails: unknown text is PF_OTHER. */
int postfix_parse_body(const char *body, size_t len, struct pf_fields *f);

/* Length of a queue id at S (short hex or long form) when one is followed by
 * ": ", else 0. */
size_t postfix_queue_id_len(const char *s, size_t len);

/* The normalised Message-ID of a raw header value: the inside of its first
 * <...>, else the value without surrounding blanks. An empty result has n 0. */
struct pf_span postfix_message_id_normalise(const char *raw, size_t len);

/* Fields of an Exchange Online SMTP reply inside a delivery's reply text. */
struct pf_exo_reply {
    struct pf_span message_id;  /* 250 2.6.0 <ID> ...: ID */
    struct pf_span internal_id; /* [InternalId=N, ...] */
    struct pf_span hostname;    /* [..., Hostname=H] */
    struct pf_span attribution; /* TenantAttribution, ATTR35, ... */
};

/* Fills X from REPLY; returns 1 when any field was found, else 0. */
int postfix_parse_exo_reply(const char *reply, size_t len, struct pf_exo_reply *x);

/* One pf_event row as the correlation reads it: read back from the table,
 * or handed over by the parser as it stores the row. Spans with p == NULL
 * are SQL NULL, and so are numbers < 0. */
struct pf_event {
    int64_t id, source_id, line, ts_ms;
    int year_inferred, truncated;
    struct pf_span ts, host, instance, daemon, queue_id, kind;
    struct pf_span client_host, client_ip, sender, recipient, orig_recipient, relay_host, relay_ip;
    struct pf_span delays, tls, dsn, status, reply, message_id_raw, sasl_username, link_queue_id, link_kind;
    long relay_port, conn_use, size, nrcpt, uid;
    double delay;
};

/* The correlation of a first load, done while the lines are stored.
 *
 * When a run starts with pf_event empty, every line it stores is handed to
 * postfix_stream_take() in id order, and the messages and deliveries are
 * written as their lives end, instead of reading every line back after the
 * run. postfix_rebuild() finishes the stream. A file whose transaction was
 * rolled back (its rows, and the derived rows written with them, are gone)
 * or a file resumed within the run breaks the stream: postfix_stream_take()
 * then refuses it and postfix_rebuild() correlates everything from the
 * table, as without a stream. */
struct pf_stream;

/* Starts a stream on DB, whose pf_event is empty; NULL with a message in
 * ERR when the statements could not be prepared. */
struct pf_stream *postfix_stream_start(sqlite3 *db, char *err, size_t errlen);

/* 1 when the stream still matches pf_event and may take the rows of the
 * file SOURCE_ID; 0, and broken for good, when rows it took went away, the
 * table of links did, another connection committed since it started, or
 * SOURCE_ID is a file it took rows of before. */
int postfix_stream_usable(struct pf_stream *s, int64_t source_id);

/* Takes one stored row. 0, or -1 with a message in ERR (a database error:
 * the file fails). */
int postfix_stream_take(struct pf_stream *s, const struct pf_event *e, char *err, size_t errlen);

void postfix_stream_free(struct pf_stream *s);

/* Rebuilds pf_message and pf_delivery from pf_event for the queue ids in
 * pf_dirty and those linked to them, or for all when that is cheaper (the
 * parser's after_run); finishes STREAM instead when it is intact (NULL: no
 * stream); empties pf_dirty. 0, or -1 with a message in err. */
int postfix_rebuild(sqlite3 *db, struct pf_stream *stream, char *err, size_t errlen);

/* Queue ids whose lives wait for postfix_rebuild(): an ingest stopped (killed,
 * or its rebuild failed) after a file landed and before it correlated its
 * lines, so pf_message and pf_delivery lag behind pf_event. 0 when nothing
 * waits; -1 when everything does (a first load that stopped); else how many
 * queue ids. The next ingest of any file, even one already stored, finishes
 * the work. */
int64_t postfix_pending(sqlite3 *db);

#endif
