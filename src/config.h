/*
 * config.h - the audit's configuration: a commented INI file.
 *
 * NAME
 *   config - reads mxaudit.conf ([organization], [gateway], [onprem],
 *   [exchange_online], [notifications], [exceptions]) into one struct, with
 *   the built-in reference data (builtin_data.h) already merged in.
 * SUMMARY
 *   Lines starting with ';' or '#' are comments; so is anything after " ;" or
 *   " #" on a value line. Keys that take lists may be repeated. Unknown
 *   sections or keys and bad values are errors naming file, line and key.
 *   Only [organization] domains is required.
 *
 * Ownership: whoever gets a config from config_load/config_parse calls
 * config_free. Pointers returned by the match functions point into the
 * config and live as long as it.
 */
#ifndef MXAUDIT_CONFIG_H
#define MXAUDIT_CONFIG_H

#include "ipaddr.h"

#include <stddef.h>

struct config_sender {
    char *pattern; /* address (lower-cased) or regex text without slashes */
    int is_regex;
    void *re; /* pcre2_code * when is_regex */
    void *md; /* its pcre2_match_data * */
    char *service;
    int builtin; /* 1 = compiled in, 0 = from the config file */
};

enum exception_kind { EXC_ADDRESS, EXC_REGEX, EXC_CIDR };

struct config_exception {
    enum exception_kind kind;
    char *pattern;     /* as written (regex without slashes) */
    void *re, *md;     /* EXC_REGEX */
    struct ip_net net; /* EXC_CIDR */
    char *reason;
    char until[11]; /* "YYYY-MM-DD" (valid through that day) or "" for no end */
    int line;       /* where it was written */
};

struct config {
    char *path;     /* file it came from (for messages) */
    char **domains; /* lower-cased accepted domains */
    size_t ndomains;
    int has_gateway; /* a [gateway] section was present */
    struct ipset *gateway_ips;
    char **gateway_hosts; /* lower-cased */
    size_t ngateway_hosts;
    char **gateway_connectors; /* compared case-insensitively */
    size_t ngateway_connectors;
    struct ipset *onprem_ips;
    struct ipset *exo_ranges;      /* built-in + [exchange_online] ips */
    struct config_sender *senders; /* config entries first, then built-in */
    size_t nsenders;
    struct config_exception *exceptions;
    size_t nexceptions;
    char **ndr_subjects; /* [notifications] ndr_subject: more NDR subject prefixes */
    size_t nndr_subjects;
};

/* Reads PATH. 0, or -1 with "file:line: key: problem" in err. */
int config_load(const char *path, struct config **out, char *err, size_t errlen);
/* Parses TEXT as if read from a file called NAME. */
int config_parse(const char *text, const char *name, struct config **out, char *err, size_t errlen);
void config_free(struct config *cfg);

/* The documented template `mxaudit init` writes. */
extern const char config_template[];

/* 1 when DOMAIN (case-insensitive) is one of [organization] domains. */
int config_is_own_domain(const struct config *cfg, const char *domain);
/* 1 when HOST (a syslog host name) is a [gateway] host or its first label. */
int config_is_gateway_host(const struct config *cfg, const char *host);
/* 1 when CONNECTOR names a [gateway] connectors entry. */
int config_is_gateway_connector(const struct config *cfg, const char *connector);
/* The catalogue entry ADDRESS matches, or NULL. */
const struct config_sender *config_match_sender(const struct config *cfg, const char *address);
/* The first exception matching SENDER or IP (either may be NULL), or NULL. */
const struct config_exception *config_match_exception(const struct config *cfg, const char *sender, const char *ip);

#endif
