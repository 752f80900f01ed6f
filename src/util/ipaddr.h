/*
 * ipaddr.h - IPv4 and IPv6 addresses and sets of CIDR networks.
 *
 * NAME
 *   ipaddr - parse addresses ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1",
 *   "fe80::1%3", "[2001:db8::1]") and networks ("198.51.100.0/28"), and test
 *   membership in a set of networks.
 * SUMMARY
 *   Addresses are kept as 16 bytes: IPv4 as the IPv4-mapped IPv6 address
 *   ::ffff:a.b.c.d (RFC 4291 2.5.5.2), so "192.0.2.1" and "::ffff:192.0.2.1"
 *   are the same host and an IPv4 prefix /n is the mapped prefix /96+n.
 *   Knows nothing about mail.
 *
 * Ownership: whoever calls ipset_new calls ipset_free. Parsing functions
 * return 0 on success, -1 on a malformed value (the caller names it).
 */
#ifndef MXAUDIT_IPADDR_H
#define MXAUDIT_IPADDR_H

#include <stddef.h>

struct ip_addr {
    unsigned char b[16];
};

struct ip_net {
    struct ip_addr addr; /* host bits cleared */
    int prefix;          /* 0-128, in the 16-byte space */
};

struct ipset {
    struct ip_net *nets;
    size_t n, cap;
};

/* Parses an address of LEN bytes (an IPv6 zone id "%..." and enclosing
 * brackets are ignored). 0 or -1. */
int ip_parse(const char *s, size_t len, struct ip_addr *out);
/* 1 when the address is an IPv4 (mapped) one. */
int ip_is_v4(const struct ip_addr *a);
/* Canonical text: dotted quad for IPv4, RFC 5952 for IPv6. out >= 46 bytes. */
void ip_format(const struct ip_addr *a, char *out, size_t outlen);

/* Parses "addr" (a host network) or "addr/len" (len 0-32 for IPv4, 0-128 for
 * IPv6). Host bits set below the prefix are cleared, as routers do. 0 or -1. */
int ip_net_parse(const char *s, size_t len, struct ip_net *out);
int ip_net_contains(const struct ip_net *net, const struct ip_addr *a);
/* "198.51.100.25" for a host, "10.1.0.0/16" otherwise; IPv6 likewise.
 * out >= 50 bytes. */
void ip_net_format(const struct ip_net *net, char *out, size_t outlen);

struct ipset *ipset_new(void);
void ipset_free(struct ipset *set);
void ipset_add(struct ipset *set, const struct ip_net *net);
/* Adds every comma- or space-separated network of LIST. 0, or -1 with the
 * first bad item copied to bad (badlen bytes). */
int ipset_add_list(struct ipset *set, const char *list, char *bad, size_t badlen);
/* 1 when A is inside one of the networks. A NULL set contains nothing. */
int ipset_contains(const struct ipset *set, const struct ip_addr *a);
/* Parses TEXT and tests it; 0 when TEXT is not an address. */
int ipset_contains_text(const struct ipset *set, const char *text);

#endif
