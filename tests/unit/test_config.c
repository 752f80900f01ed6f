/* test_config.c - the INI configuration: values, errors naming file, line
 * and key, the template, and the built-in catalogue. */
#include "builtin_data.h"
#include "config.h"
#include "testutil.h"

static const char good[] =
    "; company A\n"
    "[organization]\n"
    "domains = Fabrikam.example, fabrikam.onmicrosoft.com      ; accepted domains\n"
    "[gateway]\n"
    "ips = 198.51.100.25, 198.51.100.0/28\n"
    "ips = 2001:db8:25::/64\n"
    "hosts = mx1.fabrikam.example\n"
    "connectors = From Gateway\n"
    "[onprem]\n"
    "ips = 10.1.0.0/16, 198.51.100.30\n"
    "# comment\n"
    "[notifications]\n"
    "known = No-Reply@portal.partner.example = Partner portal    ; one per line\n"
    "known = /^alerts@[a-z]+\\.partner\\.example$/ = Partner alerts ;  regex\n"
    "[exceptions]\n"
    "accept = noreply@planner.office365.com = routed via the gateway from 2026-12 = 2027-03-31   ; until\n"
    "accept = 203.0.113.0/24 = test sender\n"
    "accept = /^digest@news\\.example$/ = newsletter = 2026-01-31\n";

static const char *load_err(const char *text)
{
    static char err[512];
    struct config *cfg = NULL;
    err[0] = '\0';
    if (config_parse(text, "t.conf", &cfg, err, sizeof err) == 0) {
        config_free(cfg);
        return "(ok)";
    }
    return err;
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    char err[512] = "";
    struct config *cfg = NULL;
    CHECK_INT(config_parse(good, "a.conf", &cfg, err, sizeof err), 0);
    if (!cfg) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    CHECK_INT(cfg->ndomains, 2);
    CHECK(config_is_own_domain(cfg, "fabrikam.example"));
    CHECK(config_is_own_domain(cfg, "FABRIKAM.ONMICROSOFT.COM"));
    CHECK(!config_is_own_domain(cfg, "sub.fabrikam.example")); /* subdomains are not implied */
    CHECK_INT(cfg->has_gateway, 1);
    CHECK(ipset_contains_text(cfg->gateway_ips, "198.51.100.25"));
    CHECK(ipset_contains_text(cfg->gateway_ips, "198.51.100.7"));
    CHECK(ipset_contains_text(cfg->gateway_ips, "2001:db8:25::9"));
    CHECK(!ipset_contains_text(cfg->gateway_ips, "198.51.100.30"));
    CHECK(ipset_contains_text(cfg->onprem_ips, "198.51.100.30"));
    CHECK(config_is_gateway_host(cfg, "mx1.fabrikam.example"));
    CHECK(config_is_gateway_host(cfg, "mx1")); /* syslog's short host name */
    CHECK(!config_is_gateway_host(cfg, "mx2"));
    CHECK(config_is_gateway_connector(cfg, "from gateway"));
    {
        /* hosts named by their first label match a log that gives the full name */
        struct config *short_names = NULL;
        CHECK_INT(config_parse("[organization]\ndomains = a.example\n[gateway]\nhosts = mx1, MX3\n", "s.conf",
                               &short_names, err, sizeof err),
                  0);
        if (short_names) {
            CHECK(config_is_gateway_host(short_names, "mx1.fabrikam.example"));
            CHECK(config_is_gateway_host(short_names, "mx3.fabrikam.example"));
            CHECK(config_is_gateway_host(short_names, "mx1"));
            CHECK(!config_is_gateway_host(short_names, "mx10.fabrikam.example"));
            CHECK(!config_is_gateway_host(short_names, "mx1fabrikam.example"));
            config_free(short_names);
        }
    }
    CHECK(!config_is_gateway_connector(cfg, "Partner"));
    CHECK(ipset_contains_text(cfg->exo_ranges, "40.107.1.1"));

    const struct config_sender *s = config_match_sender(cfg, "no-reply@PORTAL.partner.example");
    CHECK_STR(s ? s->service : NULL, "Partner portal");
    s = config_match_sender(cfg, "alerts@eu.partner.example");
    CHECK_STR(s ? s->service : NULL, "Partner alerts");
    CHECK(config_match_sender(cfg, "alerts@eu.partner.example.evil") == NULL);
    s = config_match_sender(cfg, "No-Reply@SharePointOnline.com");
    CHECK(s && s->builtin && strstr(s->service, "SharePoint"));
    s = config_match_sender(cfg, "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.onmicrosoft.com");
    CHECK(s && strstr(s->service, "system mailbox"));
    s = config_match_sender(cfg, "no-reply@glint2.mail.microsoft");
    CHECK(s && strstr(s->service, ".microsoft TLD"));
    CHECK(config_match_sender(cfg, "someone@contoso.example") == NULL);
    CHECK(config_match_sender(cfg, "") == NULL);

    const struct config_exception *e = config_match_exception(cfg, "noreply@planner.office365.com", "52.100.1.1");
    CHECK(e && e->kind == EXC_ADDRESS);
    CHECK_STR(e ? e->reason : NULL, "routed via the gateway from 2026-12");
    CHECK_STR(e ? e->until : NULL, "2027-03-31");
    e = config_match_exception(cfg, "x@spam.example", "203.0.113.77");
    CHECK(e && e->kind == EXC_CIDR && e->until[0] == '\0');
    CHECK_STR(e ? e->reason : NULL, "test sender");
    e = config_match_exception(cfg, "DIGEST@news.example", NULL);
    CHECK(e && e->kind == EXC_REGEX);
    CHECK_STR(e ? e->until : NULL, "2026-01-31");
    CHECK(config_match_exception(cfg, "x@spam.example", "198.51.100.99") == NULL);
    config_free(cfg);

    /* Every built-in regex compiles (config_parse would skip a broken one). */
    size_t builtin = 0;
    for (size_t i = 0; builtin_senders[i].pattern; i++)
        builtin++;
    CHECK_INT(builtin, 29); /* every entry of notification-senders.tsv (2026-11) */
    cfg = NULL;
    CHECK_INT(config_parse("[organization]\ndomains = a.example\n", "min.conf", &cfg, err, sizeof err), 0);
    CHECK_INT(cfg ? cfg->nsenders : 0, builtin);
    CHECK_INT(cfg ? cfg->has_gateway : 1, 0);
    config_free(cfg);

    /* Errors name file, line and key. */
    CHECK_STR(load_err("[organization]\ndomains = a.example\n[gateway]\nips = 10.0.0.0/8, mx.a.example\n"),
              "t.conf:4: ips: 'mx.a.example' is not an IP address or network");
    CHECK_STR(load_err("[organization]\ndomains = a.example\n[gatewy]\n"), "t.conf:3: unknown section [gatewy]");
    CHECK_STR(load_err("[organization]\ndomains = a.example\nhosts = x\n"),
              "t.conf:3: hosts: unknown key in [organization]");
    CHECK_STR(load_err("[gateway]\nips = 10.0.0.1\n"), "t.conf: [organization] domains is required");
    CHECK_STR(load_err("domains = a.example\n"), "t.conf:1: domains: key outside any section");
    CHECK_STR(load_err("[organization]\ndomains = a.example\n[exceptions]\naccept = x@y.example = why = 2027-13-01\n"),
              "t.conf:4: accept: '2027-13-01' is not a date YYYY-MM-DD");
    CHECK_STR(load_err("[organization]\ndomains = a.example\n[exceptions]\naccept = x@y.example\n"),
              "t.conf:4: accept: expected 'sender, /regex/ or CIDR = reason [= YYYY-MM-DD]', got 'x@y.example'");
    CHECK_STR(load_err("[organization]\ndomains = a.example\n[notifications]\nknown = /(/ = X\n"),
              "t.conf:4: known: bad regex /(/ at offset 1: missing closing parenthesis");
    CHECK_STR(load_err("[organization]\ndomains = a.example\n[notifications]\nknown = portal = X\n"),
              "t.conf:4: known: 'portal' is not an address (user@domain) or a /regex/");
    CHECK_STR(load_err("[organization]\ndomains = a.example\ngarbage\n"),
              "t.conf:3: expected 'key = value', got 'garbage'");
    CHECK_STR(load_err("[organization]\ndomains =\n"), "t.conf:2: domains: empty value");

    /* The template `mxaudit init` writes is itself a valid configuration. */
    cfg = NULL;
    CHECK_INT(config_parse(config_template, "mxaudit.conf", &cfg, err, sizeof err), 0);
    if (cfg) {
        CHECK(config_is_own_domain(cfg, "example.com"));
        CHECK(ipset_contains_text(cfg->onprem_ips, "10.2.3.4"));
    } else {
        fprintf(stderr, "template: %s\n", err);
    }
    config_free(cfg);

    /* config_load reads a file and reports a missing one by name. */
    test_write_file("c.conf", good, sizeof good - 1);
    cfg = NULL;
    CHECK_INT(config_load("c.conf", &cfg, err, sizeof err), 0);
    config_free(cfg);
    CHECK_INT(config_load("missing.conf", &cfg, err, sizeof err), -1);
    CHECK_STR(err, "missing.conf: No such file or directory");
    return test_done("test_config");
}
