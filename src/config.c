/*
 * config.c - the INI configuration of the audit (see config.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config.h"

#include "builtin_data.h"
#include "xalloc.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char config_template[] =
    "; mxaudit.conf - what mxaudit needs to know about your mail flow.\n"
    "; Comments start with ';' or '#'. Keys marked (list) take comma-separated\n"
    "; values and may be repeated. Only [organization] domains is required.\n"
    "\n"
    "[organization]\n"
    "; Your accepted domains. Subdomains are not implied: list each one.\n"
    "domains = example.com, example.onmicrosoft.com\n"
    "\n"
    "; The MX gateway (for example Postfix) in front of Exchange Online. Leave\n"
    "; this section out when your MX points at Exchange Online itself.\n"
    "[gateway]\n"
    "; (list) Addresses the gateway connects from: IPv4/IPv6, CIDR allowed.\n"
    "ips = 198.51.100.25\n"
    "; (list) Its host names; Postfix logs whose syslog host is one of these (or\n"
    "; its first label) are the gateway's own logs.\n"
    "hosts = mx1.example.com\n"
    "; (list, optional) Exchange Online inbound connectors that prove the gateway path.\n"
    ";connectors = From Gateway\n"
    "\n"
    "[onprem]\n"
    "; (list) Your own Exchange servers and relays: IPv4/IPv6, CIDR allowed.\n"
    "ips = 10.0.0.0/8\n"
    "\n"
    ";[exchange_online]\n"
    "; (list) Address ranges to add to the built-in Exchange Online ranges.\n"
    ";ips = 2a01:111:f406::/48\n"
    "\n"
    "[notifications]\n"
    "; Senders to add to the built-in catalogue of notification senders, one per\n"
    "; line: an address or a /regex/ (case-insensitive), then = the service name.\n"
    ";known = no-reply@portal.partner.example = Partner portal\n"
    ";known = /^alerts@[a-z]+\\.partner\\.example$/ = Partner alerts\n"
    "; More subject prefixes that mark a non-delivery report, one per line\n"
    "; (compared case-insensitively at the start of the subject):\n"
    ";ndr_subject = Olevererbart:\n"
    "\n"
    "[exceptions]\n"
    "; Findings you accept: a sender address, a /regex/ or a CIDR network, then\n"
    "; = the reason, then optionally = the last day (YYYY-MM-DD) it holds.\n"
    "; An excepted finding is still reported, marked excepted; an expired one is\n"
    "; reported as expired.\n"
    ";accept = noreply@planner.office365.com = routed via the gateway from 2026-12 = 2027-03-31\n";

struct parse_state {
    struct config *cfg;
    const char *name;
    int line;
    const char *key;
    char *err;
    size_t errlen;
};

static int fail(struct parse_state *ps, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ps->key)
        snprintf(ps->err, ps->errlen, "%s:%d: %s: %s", ps->name, ps->line, ps->key, msg);
    else
        snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->name, ps->line, msg);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static void push_str(char ***arr, size_t *n, const char *s)
{
    *arr = xrealloc(*arr, (*n + 1) * sizeof(char *));
    (*arr)[(*n)++] = xstrdup(s);
}

/* Splits a comma-separated list; empty items are skipped. */
static void add_list(char ***arr, size_t *n, const char *value, int lowercase)
{
    char *copy = xstrdup(value), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = trim(tok);
        if (!*t)
            continue;
        if (lowercase)
            lower(t);
        push_str(arr, n, t);
    }
    free(copy);
}

static int compile_regex(struct parse_state *ps, const char *pattern, void **re, void **md)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | PCRE2_UTF, &code, &off, NULL);
    if (!c) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(code, buf, sizeof buf);
        if (ps)
            return fail(ps, "bad regex /%s/ at offset %zu: %s", pattern, (size_t)off, (char *)buf);
        return -1;
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* optional speed-up; matching works without it */
    *re = c;
    *md = pcre2_match_data_create_from_pattern(c, NULL);
    return 0;
}

static int regex_match(void *re, void *md, const char *s)
{
    return pcre2_match((pcre2_code *)re, (PCRE2_SPTR)s, strlen(s), 0, 0, (pcre2_match_data *)md, NULL) >= 0;
}

/* Splits "PATTERN = a = b" where PATTERN may be a /regex/ containing '='.
 * Returns the pattern (regex without slashes) and the rest after the first
 * '=' that follows it, or NULL rest when there is none. */
static int split_pattern(struct parse_state *ps, char *value, char **pattern, int *is_regex, char **rest)
{
    *rest = NULL;
    if (value[0] == '/') {
        /* The closing slash is the first one followed by blanks and '=' or the end. */
        char *p = value + 1, *close = NULL;
        for (; *p; p++) {
            if (*p != '/' || p[-1] == '\\')
                continue;
            char *q = p + 1;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=' || *q == '\0') {
                close = p;
                break;
            }
        }
        if (!close)
            return fail(ps, "regex %s has no closing '/'", value);
        *close = '\0';
        *pattern = value + 1;
        *is_regex = 1;
        char *eq = strchr(close + 1, '=');
        if (eq)
            *rest = eq + 1;
        return 0;
    }
    *is_regex = 0;
    char *eq = strchr(value, '=');
    if (eq) {
        *eq = '\0';
        *rest = eq + 1;
    }
    *pattern = trim(value);
    return 0;
}

static int valid_day(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    int m = atoi(s + 5), d = atoi(s + 8);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int add_known(struct parse_state *ps, char *value)
{
    char *pattern, *rest;
    int is_regex;
    if (split_pattern(ps, value, &pattern, &is_regex, &rest) != 0)
        return -1;
    if (!rest || !*trim(rest))
        return fail(ps, "expected 'address = service' or '/regex/ = service', got '%s'", value);
    if (!*pattern)
        return fail(ps, "empty sender");
    if (!is_regex && !strchr(pattern, '@'))
        return fail(ps, "'%s' is not an address (user@domain) or a /regex/", pattern);
    struct config *cfg = ps->cfg;
    struct config_sender s = {0};
    if (is_regex && compile_regex(ps, pattern, &s.re, &s.md) != 0)
        return -1;
    s.pattern = xstrdup(pattern);
    if (!is_regex)
        lower(s.pattern);
    s.is_regex = is_regex;
    s.service = xstrdup(trim(rest));
    cfg->senders = xrealloc(cfg->senders, (cfg->nsenders + 1) * sizeof(*cfg->senders));
    cfg->senders[cfg->nsenders++] = s;
    return 0;
}

static int add_exception(struct parse_state *ps, char *value)
{
    char *pattern, *rest;
    int is_regex;
    if (split_pattern(ps, value, &pattern, &is_regex, &rest) != 0)
        return -1;
    if (!rest || !*trim(rest))
        return fail(ps, "expected 'sender, /regex/ or CIDR = reason [= YYYY-MM-DD]', got '%s'", value);
    struct config_exception e = {0};
    e.line = ps->line;
    char *last_eq = strrchr(rest, '=');
    if (last_eq) {
        char *until = trim(last_eq + 1);
        if (!valid_day(until))
            return fail(ps, "'%s' is not a date YYYY-MM-DD", until);
        snprintf(e.until, sizeof e.until, "%s", until);
        *last_eq = '\0';
    }
    char *reason = trim(rest);
    if (!*reason)
        return fail(ps, "an exception needs a reason");
    if (is_regex) {
        e.kind = EXC_REGEX;
        if (compile_regex(ps, pattern, &e.re, &e.md) != 0)
            return -1;
    } else if (strchr(pattern, '@')) {
        e.kind = EXC_ADDRESS;
    } else if (ip_net_parse(pattern, strlen(pattern), &e.net) == 0) {
        e.kind = EXC_CIDR;
    } else {
        return fail(ps, "'%s' is neither an address, a /regex/ nor an IP network", pattern);
    }
    e.pattern = xstrdup(pattern);
    if (e.kind == EXC_ADDRESS)
        lower(e.pattern);
    e.reason = xstrdup(reason);
    struct config *cfg = ps->cfg;
    cfg->exceptions = xrealloc(cfg->exceptions, (cfg->nexceptions + 1) * sizeof(*cfg->exceptions));
    cfg->exceptions[cfg->nexceptions++] = e;
    return 0;
}

static int add_ips(struct parse_state *ps, struct ipset *set, const char *value)
{
    char bad[128];
    if (ipset_add_list(set, value, bad, sizeof bad) != 0)
        return fail(ps, "'%s' is not an IP address or network", bad);
    return 0;
}

/* Cuts an inline comment: ';' or '#' preceded by a blank. */
static void cut_comment(char *s)
{
    for (char *p = s + 1; *p; p++) {
        if ((*p == ';' || *p == '#') && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

static int apply(struct parse_state *ps, const char *section, char *key, char *value)
{
    struct config *cfg = ps->cfg;
    ps->key = key;
    if (!*value)
        return fail(ps, "empty value");
    if (!strcmp(section, "organization") && !strcmp(key, "domains")) {
        add_list(&cfg->domains, &cfg->ndomains, value, 1);
        for (size_t i = 0; i < cfg->ndomains; i++)
            if (!strchr(cfg->domains[i], '.') || strchr(cfg->domains[i], '@') || strchr(cfg->domains[i], ' '))
                return fail(ps, "'%s' is not a domain name", cfg->domains[i]);
        return 0;
    }
    if (!strcmp(section, "gateway")) {
        if (!strcmp(key, "ips"))
            return add_ips(ps, cfg->gateway_ips, value);
        if (!strcmp(key, "hosts")) {
            add_list(&cfg->gateway_hosts, &cfg->ngateway_hosts, value, 1);
            return 0;
        }
        if (!strcmp(key, "connectors")) {
            add_list(&cfg->gateway_connectors, &cfg->ngateway_connectors, value, 0);
            return 0;
        }
    }
    if (!strcmp(section, "onprem") && !strcmp(key, "ips"))
        return add_ips(ps, cfg->onprem_ips, value);
    if (!strcmp(section, "exchange_online") && !strcmp(key, "ips"))
        return add_ips(ps, cfg->exo_ranges, value);
    if (!strcmp(section, "notifications") && !strcmp(key, "known"))
        return add_known(ps, value);
    if (!strcmp(section, "notifications") && !strcmp(key, "ndr_subject")) {
        push_str(&cfg->ndr_subjects, &cfg->nndr_subjects, value); /* a prefix may hold commas */
        return 0;
    }
    if (!strcmp(section, "exceptions") && !strcmp(key, "accept"))
        return add_exception(ps, value);
    return fail(ps, "unknown key in [%s]", section);
}

static void add_builtins(struct config *cfg)
{
    for (size_t i = 0; builtin_exo_ranges[i]; i++) {
        struct ip_net net;
        int rc = ip_net_parse(builtin_exo_ranges[i], strlen(builtin_exo_ranges[i]), &net);
        assert(rc == 0); /* static data, checked by test_config */
        (void)rc;
        ipset_add(cfg->exo_ranges, &net);
    }
}

static void add_builtin_senders(struct config *cfg)
{
    for (size_t i = 0; builtin_senders[i].pattern; i++) {
        struct config_sender s = {0};
        s.pattern = xstrdup(builtin_senders[i].pattern);
        s.is_regex = builtin_senders[i].match == SENDER_REGEX;
        if (s.is_regex) {
            if (compile_regex(NULL, s.pattern, &s.re, &s.md) != 0) {
                free(s.pattern);
                continue; /* cannot happen: test_config compiles every built-in */
            }
        } else {
            lower(s.pattern);
        }
        s.service = xstrdup(builtin_senders[i].service);
        s.builtin = 1;
        cfg->senders = xrealloc(cfg->senders, (cfg->nsenders + 1) * sizeof(*cfg->senders));
        cfg->senders[cfg->nsenders++] = s;
    }
}

int config_parse(const char *text, const char *name, struct config **out, char *err, size_t errlen)
{
    struct config *cfg = xcalloc(1, sizeof *cfg);
    cfg->path = xstrdup(name);
    cfg->gateway_ips = ipset_new();
    cfg->onprem_ips = ipset_new();
    cfg->exo_ranges = ipset_new();
    add_builtins(cfg);
    struct parse_state ps = {cfg, name, 0, NULL, err, errlen};
    char section[64] = "";
    const char *p = text;
    int rc = 0;
    while (*p && rc == 0) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);
        p = eol ? eol + 1 : p + len;
        ps.line++;
        ps.key = NULL;
        char *s = trim(line);
        if (ps.line == 1 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb && (unsigned char)s[2] == 0xbf)
            s += 3; /* a UTF-8 BOM, as Notepad writes */
        if (!*s || *s == ';' || *s == '#') {
            free(line);
            continue;
        }
        if (*s == '[') {
            cut_comment(s);
            s = trim(s);
            char *close = strchr(s, ']');
            if (!close || close[1] != '\0') {
                rc = fail(&ps, "bad section header '%s'", s);
            } else {
                *close = '\0';
                char *sec = trim(s + 1);
                lower(sec);
                if (strcmp(sec, "organization") && strcmp(sec, "gateway") && strcmp(sec, "onprem") &&
                    strcmp(sec, "exchange_online") && strcmp(sec, "notifications") && strcmp(sec, "exceptions"))
                    rc = fail(&ps, "unknown section [%s]", sec);
                snprintf(section, sizeof section, "%s", sec);
                if (!strcmp(sec, "gateway"))
                    cfg->has_gateway = 1;
            }
            free(line);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = fail(&ps, "expected 'key = value', got '%s'", s);
        } else if (!*section) {
            *eq = '\0';
            ps.key = trim(s);
            rc = fail(&ps, "key outside any section");
        } else {
            *eq = '\0';
            char *key = trim(s);
            lower(key);
            char *value = eq + 1;
            cut_comment(value - 1);
            rc = apply(&ps, section, key, trim(value));
        }
        free(line);
    }
    if (rc == 0 && cfg->ndomains == 0) {
        snprintf(err, errlen, "%s: [organization] domains is required", name);
        rc = -1;
    }
    if (rc != 0) {
        config_free(cfg);
        return -1;
    }
    add_builtin_senders(cfg);
    *out = cfg;
    return 0;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0)
            buf = xrealloc(buf, cap *= 2);
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        snprintf(err, errlen, "%s: read error", path);
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    int rc = config_parse(buf, path, out, err, errlen);
    free(buf);
    return rc;
}

static void free_regex(void *re, void *md)
{
    if (md)
        pcre2_match_data_free((pcre2_match_data *)md);
    if (re)
        pcre2_code_free((pcre2_code *)re);
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->ndomains; i++)
        free(cfg->domains[i]);
    free(cfg->domains);
    for (size_t i = 0; i < cfg->ngateway_hosts; i++)
        free(cfg->gateway_hosts[i]);
    free(cfg->gateway_hosts);
    for (size_t i = 0; i < cfg->ngateway_connectors; i++)
        free(cfg->gateway_connectors[i]);
    free(cfg->gateway_connectors);
    ipset_free(cfg->gateway_ips);
    ipset_free(cfg->onprem_ips);
    ipset_free(cfg->exo_ranges);
    for (size_t i = 0; i < cfg->nsenders; i++) {
        free(cfg->senders[i].pattern);
        free(cfg->senders[i].service);
        free_regex(cfg->senders[i].re, cfg->senders[i].md);
    }
    free(cfg->senders);
    for (size_t i = 0; i < cfg->nexceptions; i++) {
        free(cfg->exceptions[i].pattern);
        free(cfg->exceptions[i].reason);
        free_regex(cfg->exceptions[i].re, cfg->exceptions[i].md);
    }
    free(cfg->exceptions);
    for (size_t i = 0; i < cfg->nndr_subjects; i++)
        free(cfg->ndr_subjects[i]);
    free(cfg->ndr_subjects);
    free(cfg->path);
    free(cfg);
}

int config_is_own_domain(const struct config *cfg, const char *domain)
{
    if (!domain)
        return 0;
    for (size_t i = 0; i < cfg->ndomains; i++)
        if (!strcasecmp(cfg->domains[i], domain))
            return 1;
    return 0;
}

int config_is_gateway_host(const struct config *cfg, const char *host)
{
    if (!host || !*host)
        return 0;
    size_t hlen = strlen(host);
    for (size_t i = 0; i < cfg->ngateway_hosts; i++) {
        const char *g = cfg->gateway_hosts[i];
        if (!strcasecmp(g, host))
            return 1;
        /* syslog often logs only the first label: "mx1" for mx1.example.com;
         * and a configuration may name the host by its first label alone */
        const char *dot = strchr(g, '.');
        if (dot && (size_t)(dot - g) == hlen && !strncasecmp(g, host, hlen))
            return 1;
        size_t glen = strlen(g);
        if (!dot && glen < hlen && host[glen] == '.' && !strncasecmp(g, host, glen))
            return 1;
    }
    return 0;
}

int config_is_gateway_connector(const struct config *cfg, const char *connector)
{
    if (!connector || !*connector)
        return 0;
    for (size_t i = 0; i < cfg->ngateway_connectors; i++)
        if (!strcasecmp(cfg->gateway_connectors[i], connector))
            return 1;
    return 0;
}

const struct config_sender *config_match_sender(const struct config *cfg, const char *address)
{
    if (!address || !*address)
        return NULL;
    for (size_t i = 0; i < cfg->nsenders; i++) {
        const struct config_sender *s = &cfg->senders[i];
        if (s->is_regex ? regex_match(s->re, s->md, address) : !strcasecmp(s->pattern, address))
            return s;
    }
    return NULL;
}

const struct config_exception *config_match_exception(const struct config *cfg, const char *sender, const char *ip)
{
    for (size_t i = 0; i < cfg->nexceptions; i++) {
        const struct config_exception *e = &cfg->exceptions[i];
        switch (e->kind) {
        case EXC_ADDRESS:
            if (sender && !strcasecmp(e->pattern, sender))
                return e;
            break;
        case EXC_REGEX:
            if (sender && regex_match(e->re, e->md, sender))
                return e;
            break;
        case EXC_CIDR: {
            struct ip_addr a;
            if (ip && ip_parse(ip, strlen(ip), &a) == 0 && ip_net_contains(&e->net, &a))
                return e;
            break;
        }
        }
    }
    return NULL;
}
