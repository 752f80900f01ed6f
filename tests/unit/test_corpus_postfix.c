/*
 * test_corpus_postfix.c - conformance of the Postfix parser with real lines
 * written by other projects (../shared/corpus/postfix, see its README.md).
 *
 * 1. postfix-grok-patterns/test/NAME.yaml: each `data:` body is parsed and every
 *    expected field under `results:` that mxaudit stores is compared (queue
 *    id, client, relay, from/to/orig_to, dsn, status, SMTP stage, message-id,
 *    notice id, ...), including the pairs inside postfix_keyvalue_data.
 * 2. Whole log files (fail2ban, crowdsec, pflogsumm-go, wazuh, LogReporter
 *    bodies): how many lines have a Postfix envelope, and how many of those
 *    get a structured kind rather than "other".
 * Prints the counts; fails on any mismatch of a compared field. Skipped
 * (exit 77) when the corpus is absent.
 */
#include "postfix.h"
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char corpus[1024];
static int compared, mismatched, yaml_files;

static int span_eq(struct pf_span s, const char *want)
{
    return s.p && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

static void expect(const char *file, const char *field, struct pf_span got, const char *want)
{
    compared++;
    test_checks++;
    if (!span_eq(got, want)) {
        mismatched++;
        test_failures++;
        fprintf(stderr, "%s: %s is \"%.*s\", want \"%s\"\n", file, field, got.p ? (int)got.n : 6,
                got.p ? got.p : "absent", want);
    }
}

static void expect_num(const char *file, const char *field, long got, const char *want)
{
    compared++;
    test_checks++;
    if (got != atol(want)) {
        mismatched++;
        test_failures++;
        fprintf(stderr, "%s: %s is %ld, want %s\n", file, field, got, want);
    }
}

/* A YAML scalar: "double quoted" (with \" and \\), 'single', or plain. */
static void yaml_scalar(const char *s, char *out, size_t n)
{
    size_t o = 0;
    while (*s == ' ')
        s++;
    if (*s == '"') {
        for (s++; *s && *s != '"' && o + 1 < n; s++) {
            if (*s == '\\' && s[1]) {
                s++;
                out[o++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
            } else {
                out[o++] = *s;
            }
        }
    } else if (*s == '\'') {
        for (s++; *s && o + 1 < n; s++) {
            if (*s == '\'' && s[1] == '\'')
                s++;
            else if (*s == '\'')
                break;
            out[o++] = *s;
        }
    } else {
        for (; *s && *s != '\n' && *s != '\r' && o + 1 < n; s++)
            out[o++] = *s;
        while (o > 0 && out[o - 1] == ' ')
            o--;
    }
    out[o] = '\0';
}

/* Compares the pairs of a postfix_keyvalue_data expectation ("to=<a>, relay=x, ..."). */
static void expect_pairs(const char *file, const struct pf_fields *f, const char *kv)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%.4000s", kv);
    char *p = buf;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        char *k = p;
        while (*p && *p != '=')
            p++;
        if (!*p)
            break;
        *p++ = '\0';
        char *v = p;
        if (*v == '<') {
            char *g = strchr(v, '>');
            if (!g)
                break;
            *g = '\0';
            v++;
            p = g + 1;
        } else {
            while (*p && *p != ',' && *p != ' ')
                p++;
            if (*p)
                *p++ = '\0';
        }
        if (strcmp(k, "to") == 0)
            expect(file, "to", f->recipient, v);
        else if (strcmp(k, "from") == 0)
            expect(file, "from", f->sender, v);
        else if (strcmp(k, "orig_to") == 0)
            expect(file, "orig_to", f->orig_recipient, v);
        else if (strcmp(k, "dsn") == 0)
            expect(file, "dsn", f->dsn, v);
        else if (strcmp(k, "delays") == 0)
            expect(file, "delays", f->delays, v);
        else if (strcmp(k, "tls") == 0)
            expect(file, "tls", f->tls, v);
        else if (strcmp(k, "helo") == 0)
            expect(file, "helo", f->helo, v);
        else if (strcmp(k, "proto") == 0)
            expect(file, "proto", f->proto, v);
        else if (strcmp(k, "relay") == 0 && !strchr(v, '['))
            expect(file, "relay", f->relay_host, v);
        else if (strcmp(k, "sasl_username") == 0)
            expect(file, "sasl_username", f->sasl_username, v);
    }
}

static void check_yaml(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    /* anvil and dnsblog statistics are not stored per client; postscreen's
     * command column holds its verdict (PREGREET, COMMAND ...), not the SMTP
     * stage the grok pattern extracts. */
    if (strncmp(name, "anvil_", 6) == 0 || strncmp(name, "dnsblog_", 8) == 0) {
        fclose(fp);
        return;
    }
    int postscreen = strncmp(name, "postscreen_", 11) == 0;
    yaml_files++;
    char line[8192], data[8192] = "", val[8192];
    int have_data = 0, in_results = 0;
    struct pf_fields f;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "data:", 5) == 0) {
            yaml_scalar(line + 5, data, sizeof data);
            /* a sub-pattern's test ("dane", "host[private/dovecot-lmtp]") is no log body */
            have_data = strchr(data, ' ') != NULL;
            postfix_parse_body(data, strlen(data), &f);
            continue;
        }
        if (strncmp(line, "results:", 8) == 0) {
            in_results = 1;
            continue;
        }
        if (!in_results || !have_data || line[0] != ' ')
            continue;
        char *k = line;
        while (*k == ' ')
            k++;
        if (*k == '#')
            continue;
        char *colon = strchr(k, ':');
        if (!colon)
            continue;
        *colon = '\0';
        yaml_scalar(colon + 1, val, sizeof val);
        if (strcmp(k, "postfix_queueid") == 0 && strcmp(val, "NOQUEUE") == 0)
            expect(name, k, f.queue_id.p ? f.queue_id : (struct pf_span){"NOQUEUE", 7}, val);
        else if (strcmp(k, "postfix_queueid") == 0)
            expect(name, k, f.queue_id, val);
        else if (strcmp(k, "postfix_client_ip") == 0)
            expect(name, k, f.client_ip, val);
        else if (strcmp(k, "postfix_client_hostname") == 0)
            expect(name, k, f.client_host, val);
        else if (strcmp(k, "postfix_client_port") == 0)
            expect_num(name, k, f.client_port, val);
        else if (strcmp(k, "postfix_relay_hostname") == 0)
            expect(name, k, f.relay_host, val);
        else if (strcmp(k, "postfix_relay_ip") == 0)
            expect(name, k, f.relay_ip, val);
        else if (strcmp(k, "postfix_relay_port") == 0)
            expect_num(name, k, f.relay_port, val);
        else if (strcmp(k, "postfix_status") == 0)
            expect(name, k, f.status, val);
        else if (strcmp(k, "postfix_from") == 0)
            expect(name, k, f.sender, val);
        else if (strcmp(k, "postfix_to") == 0)
            expect(name, k, f.recipient, val);
        else if (strcmp(k, "postfix_message-id") == 0)
            expect(name, k, postfix_message_id_normalise(f.message_id.p, f.message_id.n), val);
        else if (strcmp(k, "postfix_bounce_queueid") == 0)
            expect(name, k, f.link_queue_id, val);
        else if (strcmp(k, "postfix_smtp_stage") == 0 && !postscreen)
            expect(name, k, f.command, val);
        else if (strcmp(k, "postfix_keyvalue_data") == 0)
            expect_pairs(name, &f, val);
    }
    fclose(fp);
}

struct file_count {
    unsigned long lines, postfix, structured;
};

/* Counts envelope and body results over one raw log file. PREFIX, when set,
 * marks where a log line starts inside a wrapper line (wazuh's "log 1 pass = "). */
static void count_file(const char *path, const char *prefix, int bodies_only, struct file_count *c)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[16384];
    while (fgets(line, sizeof line, fp)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        const char *s = line;
        if (prefix) {
            s = strstr(line, prefix);
            if (!s)
                continue;
            s += strlen(prefix);
        } else if (line[0] == '#' || n == 0) {
            continue;
        }
        c->lines++;
        struct pf_fields f;
        if (bodies_only) {
            /* LogReporter bodies may begin with a repeat count "3   " */
            while (*s >= '0' && *s <= '9' && strchr(s, ' ') && s[strspn(s, "0123456789")] == ' ')
                s += strspn(s, "0123456789") + strspn(s + strspn(s, "0123456789"), " ");
            c->postfix++;
            if (postfix_parse_body(s, strlen(s), &f) != PF_OTHER)
                c->structured++;
            continue;
        }
        struct pf_envelope e;
        if (postfix_parse_envelope(s, strlen(s), &e) != PF_ENV_POSTFIX)
            continue;
        c->postfix++;
        if (postfix_parse_body(e.body, e.body_len, &f) != PF_OTHER)
            c->structured++;
    }
    fclose(fp);
}

static void report(const char *what, const struct file_count *c)
{
    printf("  %-40s %6lu lines, %6lu Postfix, %6lu structured\n", what, c->lines, c->postfix, c->structured);
}

static void count_dir(const char *dir, const char *suffix, const char *what, struct file_count *total)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    struct file_count c = {0};
    while ((de = readdir(d)) != NULL) {
        size_t ln = strlen(de->d_name), ls = suffix ? strlen(suffix) : 0;
        if (de->d_name[0] == '.' || (suffix && (ln < ls || strcmp(de->d_name + ln - ls, suffix) != 0)))
            continue;
        char path[2048];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
            continue;
        count_file(path, NULL, 0, &c);
    }
    closedir(d);
    report(what, &c);
    total->lines += c.lines;
    total->postfix += c.postfix;
    total->structured += c.structured;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    snprintf(corpus, sizeof corpus, "%s/../shared/corpus/postfix", test_srcdir);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/postfix-grok-patterns/test", corpus);
    DIR *d = opendir(dir);
    if (!d) {
        printf("test_corpus_postfix: %s absent, skipped\n", dir);
        return 77;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0)
            check_yaml(dir, de->d_name);
    }
    closedir(d);
    printf("postfix-grok-patterns: %d files, %d expected fields compared, %d differ\n", yaml_files, compared,
           mismatched);
    CHECK(yaml_files >= 150);
    CHECK(compared >= 300);

    struct file_count total = {0}, c;
    printf("raw logs:\n");
    snprintf(dir, sizeof dir, "%s/fail2ban", corpus);
    count_dir(dir, NULL, "fail2ban/*", &total);
    const char *crowdsec[] = {"postfix-logs", "postscreen-logs", "postfix-spam",    "postfix-non-smtp",
                              "postfix-helo", "postfix-relay",   "postfix-sasl-bf", "postfix-honeypot-users"};
    struct file_count cs = {0};
    for (size_t i = 0; i < sizeof crowdsec / sizeof *crowdsec; i++) {
        snprintf(dir, sizeof dir, "%s/crowdsec-hub/.tests/%s", corpus, crowdsec[i]);
        count_dir(dir, ".log", crowdsec[i], &cs);
    }
    total.lines += cs.lines;
    total.postfix += cs.postfix;
    total.structured += cs.structured;
    /* every crowdsec sample line is a Postfix line with a known envelope */
    CHECK_INT(cs.postfix, cs.lines);
    snprintf(dir, sizeof dir, "%s/pflogsumm-go/testdata", corpus);
    memset(&c, 0, sizeof c);
    count_dir(dir, ".log", "pflogsumm-go/testdata/*.log", &c);
    CHECK_INT(c.postfix, c.lines);
    total.lines += c.lines;
    total.postfix += c.postfix;
    total.structured += c.structured;
    memset(&c, 0, sizeof c);
    char path[2048];
    snprintf(path, sizeof path, "%s/wazuh/ruleset/testing/tests/postfix.ini", corpus);
    count_file(path, "pass = ", 0, &c);
    report("wazuh postfix.ini", &c);
    total.lines += c.lines;
    total.postfix += c.postfix;
    total.structured += c.structured;
    memset(&c, 0, sizeof c);
    snprintf(path, sizeof path, "%s/LogReporter/postfix-TD-lines.txt", corpus);
    count_file(path, NULL, 1, &c);
    report("LogReporter bodies", &c);
    printf("total: %lu lines, %lu Postfix envelopes, %lu with a structured kind\n", total.lines + c.lines,
           total.postfix + c.postfix, total.structured + c.structured);
    return test_done("test_corpus_postfix");
}
