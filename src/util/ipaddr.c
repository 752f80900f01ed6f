/*
 * ipaddr.c - IPv4/IPv6 parsing and CIDR sets (see ipaddr.h).
 */
#include "ipaddr.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Dotted quad, exactly four decimal parts 0-255 (no octal, no short forms). */
static int parse_v4(const char *s, size_t len, unsigned char out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (unsigned)(s[i] - '0');
            if (++digits > 3 || v > 255)
                return -1;
            i++;
        }
        if (!digits)
            return -1;
        out[part] = (unsigned char)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return -1;
            i++;
        }
    }
    return i == len ? 0 : -1;
}

static int parse_v6(const char *s, size_t len, unsigned char out[16])
{
    unsigned char words[16];
    int n = 0, gap = -1;
    size_t i = 0;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (i == len) {
            memset(out, 0, 16);
            return 0;
        }
    } else if (len && s[0] == ':') {
        return -1;
    }
    while (i < len) {
        /* An embedded IPv4 tail, as in ::ffff:192.0.2.1 */
        size_t j = i;
        while (j < len && s[j] != ':' && s[j] != '.')
            j++;
        if (j < len && s[j] == '.') {
            if (n > 12)
                return -1;
            if (parse_v4(s + i, len - i, words + n) != 0)
                return -1;
            n += 4;
            i = len;
            break;
        }
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && hexval((unsigned char)s[i]) >= 0) {
            v = v * 16 + (unsigned)hexval((unsigned char)s[i]);
            if (++digits > 4)
                return -1;
            i++;
        }
        if (!digits || n > 14)
            return -1;
        words[n++] = (unsigned char)(v >> 8);
        words[n++] = (unsigned char)(v & 0xff);
        if (i == len)
            break;
        if (s[i] != ':')
            return -1;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = n;
            i++;
            if (i == len)
                break;
        } else if (i == len) {
            return -1; /* trailing single colon */
        }
    }
    if (gap < 0) {
        if (n != 16)
            return -1;
        memcpy(out, words, 16);
        return 0;
    }
    if (n > 14)
        return -1;
    memset(out, 0, 16);
    memcpy(out, words, (size_t)gap);
    memcpy(out + 16 - (n - gap), words + gap, (size_t)(n - gap));
    return 0;
}

int ip_parse(const char *s, size_t len, struct ip_addr *out)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
        s++, len -= 2;
    const char *pct = memchr(s, '%', len);
    if (pct)
        len = (size_t)(pct - s);
    if (!len || len > 45)
        return -1;
    if (memchr(s, ':', len))
        return parse_v6(s, len, out->b);
    memset(out->b, 0, 10);
    out->b[10] = out->b[11] = 0xff;
    return parse_v4(s, len, out->b + 12);
}

int ip_is_v4(const struct ip_addr *a)
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, prefix, 12) == 0;
}

void ip_format(const struct ip_addr *a, char *out, size_t outlen)
{
    if (ip_is_v4(a)) {
        snprintf(out, outlen, "%u.%u.%u.%u", a->b[12], a->b[13], a->b[14], a->b[15]);
        return;
    }
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
    /* RFC 5952 4.2: the longest run (first on ties) of two or more zero words becomes "::". */
    int best = -1, bestlen = 1;
    for (int i = 0; i < 8;) {
        if (w[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !w[j])
            j++;
        if (j - i > bestlen)
            best = i, bestlen = j - i;
        i = j;
    }
    size_t pos = 0;
    out[0] = '\0';
    for (int i = 0; i < 8 && pos < outlen; i++) {
        if (i == best) {
            pos += (size_t)snprintf(out + pos, outlen - pos, "::");
            i += bestlen - 1;
            continue;
        }
        int colon = i > 0 && !(best >= 0 && i == best + bestlen);
        pos += (size_t)snprintf(out + pos, outlen - pos, "%s%x", colon ? ":" : "", w[i]);
    }
}

static void net_mask(struct ip_net *n)
{
    for (int i = 0; i < 16; i++) {
        int bits = n->prefix - 8 * i;
        if (bits >= 8)
            continue;
        n->addr.b[i] &= bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
    }
}

int ip_net_parse(const char *s, size_t len, struct ip_net *out)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (ip_parse(s, alen, &out->addr) != 0)
        return -1;
    int v4 = ip_is_v4(&out->addr) && !memchr(s, ':', alen);
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash) {
        const char *p = slash + 1, *end = s + len;
        if (p == end || end - p > 3)
            return -1;
        prefix = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return -1;
            prefix = prefix * 10 + (*p - '0');
        }
        if (prefix > max)
            return -1;
    }
    out->prefix = v4 ? prefix + 96 : prefix;
    net_mask(out);
    return 0;
}

int ip_net_contains(const struct ip_net *net, const struct ip_addr *a)
{
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->addr.b, a->b, (size_t)full) != 0)
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a->b[full] & mask) == net->addr.b[full];
}

void ip_net_format(const struct ip_net *net, char *out, size_t outlen)
{
    char addr[46];
    ip_format(&net->addr, addr, sizeof addr);
    int v4 = ip_is_v4(&net->addr) && net->prefix >= 96;
    int bits = v4 ? net->prefix - 96 : net->prefix;
    if (net->prefix == 128)
        snprintf(out, outlen, "%s", addr);
    else
        snprintf(out, outlen, "%s/%d", addr, bits);
}

struct ipset *ipset_new(void)
{
    return xcalloc(1, sizeof(struct ipset));
}

void ipset_free(struct ipset *set)
{
    if (!set)
        return;
    free(set->nets);
    free(set);
}

void ipset_add(struct ipset *set, const struct ip_net *net)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 8;
        set->nets = xrealloc(set->nets, set->cap * sizeof(*set->nets));
    }
    set->nets[set->n++] = *net;
}

int ipset_add_list(struct ipset *set, const char *list, char *bad, size_t badlen)
{
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        struct ip_net net;
        if (ip_net_parse(start, (size_t)(p - start), &net) != 0) {
            if (bad)
                snprintf(bad, badlen, "%.*s", (int)(p - start), start);
            return -1;
        }
        ipset_add(set, &net);
    }
    return 0;
}

int ipset_contains(const struct ipset *set, const struct ip_addr *a)
{
    if (!set)
        return 0;
    for (size_t i = 0; i < set->n; i++)
        if (ip_net_contains(&set->nets[i], a))
            return 1;
    return 0;
}

int ipset_contains_text(const struct ipset *set, const char *text)
{
    struct ip_addr a;
    if (!text || ip_parse(text, strlen(text), &a) != 0)
        return 0;
    return ipset_contains(set, &a);
}
