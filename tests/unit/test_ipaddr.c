/* test_ipaddr.c - IPv4/IPv6 parsing, formatting and CIDR sets. */
#include "ipaddr.h"
#include "testutil.h"

static const char *fmt(const char *in)
{
    static char buf[64];
    struct ip_addr a;
    if (ip_parse(in, strlen(in), &a) != 0)
        return "(bad)";
    ip_format(&a, buf, sizeof buf);
    return buf;
}

static int in(const char *list, const char *ip)
{
    struct ipset *s = ipset_new();
    char bad[64];
    int rc = ipset_add_list(s, list, bad, sizeof bad);
    int r = rc == 0 ? ipset_contains_text(s, ip) : -1;
    ipset_free(s);
    return r;
}

/* A network as the report shows it: host networks without their length. */
static const char *netfmt(const char *in)
{
    static char buf[64];
    struct ip_net n;
    if (ip_net_parse(in, strlen(in), &n) != 0)
        return "(bad)";
    ip_net_format(&n, buf, sizeof buf);
    return buf;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    CHECK_STR(fmt("192.0.2.1"), "192.0.2.1");
    CHECK_STR(fmt("::ffff:192.0.2.1"), "192.0.2.1");
    CHECK_STR(fmt("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
    CHECK_STR(fmt("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1"); /* RFC 5952 4.2.3: first longest run */
    CHECK_STR(fmt("fe80::1%3"), "fe80::1");
    CHECK_STR(fmt("[2001:db8::25]"), "2001:db8::25");
    CHECK_STR(fmt("::"), "::");
    CHECK_STR(fmt(" 10.1.2.3 "), "10.1.2.3");
    CHECK_STR(fmt("256.1.1.1"), "(bad)");
    CHECK_STR(fmt("1.2.3"), "(bad)");
    CHECK_STR(fmt("1.2.3.4.5"), "(bad)");
    CHECK_STR(fmt("2001:db8::1::2"), "(bad)");
    CHECK_STR(fmt("2001:db8:1"), "(bad)");
    CHECK_STR(fmt("mx1.example.com"), "(bad)");
    CHECK_STR(fmt(""), "(bad)");

    CHECK_STR(netfmt("198.51.100.25"), "198.51.100.25");
    CHECK_STR(netfmt("198.51.100.25/32"), "198.51.100.25");
    CHECK_STR(netfmt("10.1.2.3/16"), "10.1.0.0/16"); /* host bits cleared */
    CHECK_STR(netfmt("0.0.0.0/0"), "0.0.0.0/0");
    CHECK_STR(netfmt("2A01:111:F403::/48"), "2a01:111:f403::/48");
    CHECK_STR(netfmt("2001:db8::25"), "2001:db8::25");

    CHECK_INT(in("198.51.100.0/28", "198.51.100.15"), 1);
    CHECK_INT(in("198.51.100.0/28", "198.51.100.16"), 0);
    CHECK_INT(in("198.51.100.25", "198.51.100.25"), 1);
    CHECK_INT(in("198.51.100.25", "198.51.100.26"), 0);
    CHECK_INT(in("10.0.0.0/8, 198.51.100.30", "198.51.100.30"), 1);
    CHECK_INT(in("10.0.0.0/8,198.51.100.30", "10.200.3.4"), 1);
    CHECK_INT(in("0.0.0.0/0", "203.0.113.9"), 1);
    CHECK_INT(in("0.0.0.0/0", "2001:db8::1"), 0); /* an IPv4 network never holds IPv6 */
    CHECK_INT(in("10.0.0.0/8", "::ffff:10.9.8.7"), 1);
    CHECK_INT(in("2a01:111:f403::/48", "2a01:111:f403:c000::5"), 1);
    CHECK_INT(in("2a01:111:f403::/48", "2a01:111:f404::5"), 0);
    CHECK_INT(in("2a01:111:f400::/48", "2A01:0111:F400:0000:0000:0000:0000:0001"), 1);
    CHECK_INT(in("10.1.2.3/16", "10.1.99.1"), 1); /* host bits below the prefix are ignored */
    CHECK_INT(in("10.0.0.0/33", "10.0.0.1"), -1);
    CHECK_INT(in("2001:db8::/129", "2001:db8::1"), -1);
    CHECK_INT(in("10.0.0.0/8", "not-an-ip"), 0);
    CHECK_INT(in("::/0", "::1"), 1);

    struct ipset *s = ipset_new();
    char bad[64] = "";
    CHECK_INT(ipset_add_list(s, "10.0.0.0/8, mx.example.com", bad, sizeof bad), -1);
    CHECK_STR(bad, "mx.example.com");
    ipset_free(s);
    return test_done("test_ipaddr");
}
