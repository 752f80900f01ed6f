/*
 * test_postfix.c - the Postfix parser: every envelope, each line kind and its
 * fields, Postfix version differences, and correlation into messages and
 * deliveries (queue-id reuse, instances, notices, hand-offs, year rollover,
 * DST, rotated files ingested in reverse order in separate runs, bad input).
 */
#include "ingest.h"
#include "postfix.h"
#include "timeutil.h"
#include "store.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct ingest_options opt = {.year = 2026, .tz = "UTC", .quiet = 1};

static int span_is(struct pf_span s, const char *want)
{
    if (!want)
        return s.p == NULL;
    return s.p && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

static char spanbuf[8][1024];
static int spanslot;
/* A span as a C string for CHECK_STR ("(absent)" when absent). */
static const char *S(struct pf_span s)
{
    char *b = spanbuf[spanslot++ % 8];
    if (!s.p)
        return "(absent)";
    snprintf(b, 1024, "%.*s", (int)s.n, s.p);
    return b;
}

static void body(const char *text, struct pf_fields *f)
{
    postfix_parse_body(text, strlen(text), f);
}

static void test_envelopes(void)
{
    struct pf_envelope e;
    const char *l;

    l = "Mar  1 03:04:05 mx1 postfix/smtpd[123]: connect from a[192.0.2.1]";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_INT(e.has_year, 0);
    CHECK_INT(e.month, 3);
    CHECK_INT(e.day, 1);
    CHECK_INT(e.hour * 10000 + e.min * 100 + e.sec, 30405);
    CHECK_INT(e.ms, -1);
    CHECK_STR(S(e.host), "mx1");
    CHECK_STR(S(e.instance), "postfix");
    CHECK_STR(S(e.daemon), "smtpd");
    CHECK_INT(e.pid, 123);
    CHECK(span_is((struct pf_span){e.body, e.body_len}, "connect from a[192.0.2.1]"));

    /* zero-padded day, fractional seconds (journalctl -o short-precise), <PRI> */
    l = "<22>Mar 01 03:04:05.678901 mx1 postfix-out/smtp[9]: 1ABCDE: removed";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_INT(e.day, 1);
    CHECK_INT(e.ms, 678);
    CHECK_STR(S(e.instance), "postfix-out");
    CHECK_STR(S(e.daemon), "smtp");

    /* a third element: the submission service shares the main instance's queue */
    l = "Nov 27 10:04:05 mx1 postfix/submission/smtpd[77]: connect from a[192.0.2.1]";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_STR(S(e.instance), "postfix");
    CHECK_STR(S(e.daemon), "smtpd");
    l = "Nov 27 10:04:05 gw mailgw/smtpd[77]: connect from a[192.0.2.1]";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_STR(S(e.instance), "mailgw");

    /* RFC 3339 with a colon offset, without colon, and Z */
    l = "2026-11-27T10:04:05.123456+01:00 mx1 postfix/qmgr[5]: 1ABCDE: removed";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_INT(e.has_year, 1);
    CHECK_INT(e.epoch, 1795770245); /* 2026-11-27 09:04:05 UTC */
    CHECK_INT(e.ms, 123);
    l = "2026-11-27T10:04:05+0100 mx1 postfix/qmgr[5]: 1ABCDE: removed";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_INT(e.epoch, 1795770245);
    l = "2026-11-27T09:04:05Z mx1 postfix/qmgr[5]: 1ABCDE: removed";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_INT(e.epoch, 1795770245);

    /* RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG */
    l = "<22>1 2026-11-27T09:04:05.5Z mx1 postfix/smtp 4242 - - 1ABCDE: removed";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK_INT(e.epoch, 1795770245);
    CHECK_INT(e.ms, 500);
    CHECK_INT(e.pid, 4242);
    CHECK_STR(S(e.daemon), "smtp");
    CHECK(span_is((struct pf_span){e.body, e.body_len}, "1ABCDE: removed"));
    l = "<22>1 2026-11-27T09:04:05Z mx1 postfix/smtp 4242 - [meta x=\"a\\]b\"] 1ABCDE: removed";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_POSTFIX);
    CHECK(span_is((struct pf_span){e.body, e.body_len}, "1ABCDE: removed"));

    /* other programs, lines without a tag, garbage */
    l = "Nov 27 10:04:05 mx1 dovecot: imap-login: Login: user=<a>";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_OTHER);
    l = "Nov 27 10:04:05 mx1 amavis[555]: (12345-01) Passed CLEAN";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_OTHER);
    l = "Nov 27 10:04:05 mx1 /usr/sbin/cron[5]: job";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_OTHER);
    l = "Nov 27 10:04:05 mx1 last message repeated 3 times";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_OTHER);
    l = "\x01\x02\xff garbage";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_BAD);
    l = "Nov 27 10:0";
    CHECK_INT(postfix_parse_envelope(l, strlen(l), &e), PF_ENV_BAD);
}

static void test_queue_ids(void)
{
    CHECK_INT(postfix_queue_id_len("4A1B2C3D4E: x", 13), 10);
    CHECK_INT(postfix_queue_id_len("4bWQt05GlVz1Xy7: x", 18), 15); /* long queue id */
    CHECK_INT(postfix_queue_id_len("NOQUEUE: reject", 15), 0);
    CHECK_INT(postfix_queue_id_len("warning: x", 10), 0);
    CHECK_INT(postfix_queue_id_len("statistics: x", 13), 0);
}

static void test_smtpd_lines(void)
{
    struct pf_fields f;
    body("4A1B2C3D4E: client=mail.example[192.0.2.1]:4711, sasl_method=LOGIN, sasl_username=joe@example.com", &f);
    CHECK_INT(f.kind, PF_CLIENT);
    CHECK_STR(S(f.queue_id), "4A1B2C3D4E");
    CHECK_STR(S(f.client_host), "mail.example");
    CHECK_STR(S(f.client_ip), "192.0.2.1");
    CHECK_INT(f.client_port, 4711);
    CHECK_STR(S(f.sasl_method), "LOGIN");
    CHECK_STR(S(f.sasl_username), "joe@example.com");

    body("5B2C3D: client=localhost[127.0.0.1], orig_queue_id=4A1B2C3D4E, orig_client=x[192.0.2.1]", &f);
    CHECK_STR(S(f.link_queue_id), "4A1B2C3D4E");
    CHECK_STR(f.link_kind, "orig_queue_id");

    body("connect from mail.example.com[2001:db8::1]", &f);
    CHECK_INT(f.kind, PF_CONNECT);
    CHECK_STR(S(f.client_ip), "2001:db8::1");

    body("disconnect from a.example[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/5", &f);
    CHECK_INT(f.kind, PF_DISCONNECT);
    CHECK_STR(S(f.text), "ehlo=1 mail=1 rcpt=0/1 data=0/1 quit=1 commands=3/5");

    body("lost connection after BDAT from example.net[158.247.23.50]", &f);
    CHECK_INT(f.kind, PF_LOST);
    CHECK_STR(S(f.command), "BDAT");
    CHECK_STR(S(f.client_ip), "158.247.23.50");

    body("NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 550 5.1.1 <u@x.example>: Recipient address "
         "rejected: User unknown; from=<s@y.example> to=<U@x.example> proto=ESMTP helo=<y.example>",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.queue_id), "(absent)");
    CHECK_STR(S(f.action), "reject");
    CHECK_STR(S(f.command), "RCPT");
    CHECK_STR(S(f.client_host), "unknown");
    CHECK_STR(S(f.client_ip), "192.0.2.9");
    CHECK_INT(f.code, 550);
    CHECK_STR(S(f.dsn), "5.1.1");
    CHECK_STR(S(f.reply), "550 5.1.1 <u@x.example>: Recipient address rejected: User unknown");
    CHECK_STR(S(f.sender), "s@y.example");
    CHECK_STR(S(f.recipient), "U@x.example");
    CHECK_STR(S(f.helo), "y.example");
    CHECK_STR(S(f.proto), "ESMTP");

    /* the null sender and a reply that itself contains "; " */
    body("NOQUEUE: reject_warning: RCPT from a[192.0.2.9]: 554 5.7.1 Service unavailable; Client host "
         "[192.0.2.9] blocked using zen.spamhaus.org; from=<> to=<u@x> proto=SMTP helo=<a>",
         &f);
    CHECK_STR(S(f.action), "reject_warning");
    CHECK(f.sender.p && f.sender.n == 0);
    CHECK_STR(S(f.reply), "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org");

    /* a reject after the message got a queue id */
    body("4A1B2C3D4E: reject: RCPT from a[192.0.2.9]: 450 4.2.0 <u@x>: Recipient address rejected: "
         "Greylisted; from=<s@y> to=<u@x> proto=ESMTP helo=<a>",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.queue_id), "4A1B2C3D4E");
    CHECK_INT(f.code, 450);

    /* Postfix 3.10 logs NOQUEUE with a lost connection: kept as a connection event */
    body("NOQUEUE: lost connection after DATA from a.example[192.0.2.3]", &f);
    CHECK_INT(f.kind, PF_LOST);
    CHECK_STR(S(f.command), "DATA");
    CHECK_STR(S(f.client_ip), "192.0.2.3");

    body("Anonymous TLS connection established from a.example[192.0.2.1]: TLSv1.3 with cipher "
         "TLS_AES_256_GCM_SHA384 (256/256 bits)",
         &f);
    CHECK_INT(f.kind, PF_TLS);
    CHECK_STR(S(f.client_ip), "192.0.2.1");

    body("warning: unknown[192.0.2.7]: SASL LOGIN authentication failed: authentication failure", &f);
    CHECK_INT(f.kind, PF_WARNING);
    CHECK_STR(S(f.client_ip), "192.0.2.7");
    CHECK_STR(S(f.sasl_method), "LOGIN");

    /* Warnings name their client with a port, or later in the text, and a
     * SASL failure its user (lines as in fail2ban's and crowdsec's tests);
     * a bracket without an address names nobody. */
    body("warning: unknown[192.0.2.237]:55729: SASL PLAIN authentication failed: (reason unavailable), "
         "sasl_username=postmaster@example.org",
         &f);
    CHECK_STR(S(f.client_ip), "192.0.2.237");
    CHECK_INT(f.client_port, 55729);
    CHECK_STR(S(f.sasl_method), "PLAIN");
    CHECK_STR(S(f.sasl_username), "postmaster@example.org");
    body("warning: non-SMTP command from unknown[192.168.1.1]: GET / HTTP/1.1", &f);
    CHECK_STR(S(f.client_ip), "192.168.1.1");
    body("warning: Connection rate limit exceeded: 31 from spamhost.example.org[192.0.2.123] for service smtpd", &f);
    CHECK_STR(S(f.client_host), "spamhost.example.org");
    CHECK_STR(S(f.client_ip), "192.0.2.123");
    body("warning: hostname mail.example does not resolve to address 192.0.2.5: Name or service not known", &f);
    CHECK_STR(S(f.client_ip), "192.0.2.5");
    body("warning: hostname mail.example does not resolve to address 2001:db8::5", &f);
    CHECK_STR(S(f.client_ip), "2001:db8::5");
    body("warning: 192.0.2.10: address not listed for hostname mail.example", &f);
    CHECK_STR(S(f.client_ip), "192.0.2.10");
    body("warning: 2001:db8::10: hostname mail.example verification failed: No address", &f);
    CHECK_STR(S(f.client_ip), "2001:db8::10");
    body("warning: TLS library problem: error:0A000126:SSL routines::unexpected eof while reading", &f);
    CHECK_STR(S(f.client_ip), "(absent)");
    body("warning: 5.6.7.8.in-addr.arpa: RBL lookup error: Host or domain name not found", &f);
    CHECK_STR(S(f.client_ip), "(absent)");
    body("warning: unknown[fe80::1%eth0]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob", &f);
    CHECK_STR(S(f.client_ip), "fe80::1%eth0");
    body("warning: dict_ldap_get_values[1]: DN uid=x,ou=people not found, skipping", &f);
    CHECK_INT(f.kind, PF_WARNING);
    CHECK_STR(S(f.client_ip), "(absent)");
    CHECK_STR(S(f.client_host), "(absent)");

    /* the TLS line before Postfix 2.3, without a trust word, and a NOQUEUE client line */
    body("TLS connection established from example.com[192.168.0.1]: TLSv1 with cipher RC4-SHA (128/128 bits)", &f);
    CHECK_INT(f.kind, PF_TLS);
    CHECK_STR(S(f.client_host), "example.com");
    CHECK_STR(S(f.client_ip), "192.168.0.1");
    body("NOQUEUE: client=mail.example.com[2001:db8:beef::1]", &f);
    CHECK_INT(f.kind, PF_CLIENT);
    CHECK_STR(S(f.client_ip), "2001:db8:beef::1");
    /* behind a before-queue filter, the only record of who logged in */
    body("NOQUEUE: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob@x.example", &f);
    CHECK_STR(S(f.client_ip), "192.0.2.1");
    CHECK_STR(S(f.sasl_method), "PLAIN");
    CHECK_STR(S(f.sasl_username), "bob@x.example");

    /* cleanup's body check on text that starts with a digit: still
     * "TEXT from host[ip]; pairs: REPLY", not a filter's reply */
    body("4F1A2B3C60: reject: body 50% OFF today from unknown[192.0.2.1]; from=<a@x.example> to=<b@y.example> "
         "proto=ESMTP helo=<x>: 5.7.1 message content rejected",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.client_ip), "192.0.2.1");
    CHECK_STR(S(f.dsn), "5.7.1");
    CHECK_STR(S(f.reply), "5.7.1 message content rejected");
    CHECK_STR(S(f.command), "body");
    CHECK_STR(S(f.text), "50% OFF today");

    /* smtpd_proxy_filter (SMTPD_PROXY_README; lines as in postfix-grok-patterns'
     * smtpd_0020/0022 tests): the reply is the filter's, "from MTA(...)" names
     * the after-filter server, not the client, and "queued as" the queue id the
     * mail continues under. */
    body("NOQUEUE: proxy-accept: END-OF-MESSAGE: 250 2.0.0 from MTA(smtp:[127.0.0.1]:10013): 250 2.0.0 Ok: "
         "queued as DF66E940333; from=<user1@test.example.com> to=<user2@example2.com> proto=ESMTP "
         "helo=<[127.0.0.1]>",
         &f);
    CHECK_INT(f.kind, PF_OTHER);
    CHECK_STR(S(f.action), "proxy-accept");
    CHECK_STR(S(f.command), "END-OF-MESSAGE");
    CHECK_STR(S(f.client_ip), "(absent)");
    CHECK_STR(S(f.client_host), "(absent)");
    CHECK_STR(S(f.reply), "250 2.0.0 from MTA(smtp:[127.0.0.1]:10013): 250 2.0.0 Ok: queued as DF66E940333");
    CHECK_STR(S(f.dsn), "2.0.0");
    CHECK_STR(S(f.link_queue_id), "DF66E940333");
    CHECK_STR(f.link_kind, "queued_as");
    CHECK_STR(S(f.sender), "user1@test.example.com");
    CHECK_STR(S(f.helo), "[127.0.0.1]");
    body("proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject, contact postmaster@example.com, id=31619-02 - spam; "
         "from=<> to=<user2@example2.com> proto=SMTP helo=<17.33.12.53>",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_INT(f.code, 554);
    CHECK_STR(S(f.dsn), "5.7.0");
    CHECK_STR(S(f.reply), "554 5.7.0 Reject, contact postmaster@example.com, id=31619-02 - spam");
    CHECK_STR(S(f.recipient), "user2@example2.com");
    body("proxy-reject: END-OF-MESSAGE: ; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<[192.168.0.16]>", &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.reply), "(absent)");
    CHECK_STR(S(f.sender), "a@b.example");

    /* VRFY's argument as given, brackets and all (LogReporter's postfix-TD-lines) */
    body("NOQUEUE: reject_warning: VRFY from example.com[10.0.0.1]: 450 4.1.2 <<D0-1C7-1F41F6@BS>>: Recipient "
         "address rejected: Domain not found; to=<<D0-1C7-1F41F6@BS>> proto=SMTP helo=<friend>",
         &f);
    CHECK_STR(S(f.recipient), "<D0-1C7-1F41F6@BS>");
    CHECK_STR(S(f.proto), "SMTP");
    CHECK_STR(S(f.helo), "friend");

    /* access(5) DISCARD before queueing (smtpd_0026): the client heard 250 */
    body("NOQUEUE: discard: MAIL from ccm231.constantcontact.com[208.75.123.231]: <b@in.constantcontact.com>: "
         "Sender address SPAM; from=<b@in.constantcontact.com> proto=ESMTP helo=<ccm231.constantcontact.com>",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.action), "discard");
    CHECK_STR(S(f.command), "MAIL");
    CHECK_STR(S(f.client_ip), "208.75.123.231");
    CHECK_STR(S(f.reply), "<b@in.constantcontact.com>: Sender address SPAM");
    /* with a queue id a discard stays the message's own action */
    body("4A1B2C3D4E: discard: header Subject: win from a[192.0.2.9]; from=<s@y> to=<u@x> proto=ESMTP helo=<a>", &f);
    CHECK_INT(f.kind, PF_CLEANUP_ACTION);
}

static void test_postscreen_lines(void)
{
    struct pf_fields f;
    body("NOQUEUE: reject: RCPT from [203.0.113.10]:50123: 550 5.7.1 Service unavailable; client "
         "[203.0.113.10] blocked using zen.spamhaus.org; from=<a@b.example>, to=<c@d.example>, "
         "proto=ESMTP, helo=<b.example>",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.client_host), "");
    CHECK_STR(S(f.client_ip), "203.0.113.10");
    CHECK_INT(f.client_port, 50123);
    CHECK_STR(S(f.sender), "a@b.example");
    CHECK_STR(S(f.recipient), "c@d.example");
    CHECK_STR(S(f.helo), "b.example");

    body("PREGREET 16 after 2.6 from [177.154.236.182]:41323: EHLO 127.0.0.1\\r\\n", &f);
    CHECK_INT(f.kind, PF_POSTSCREEN);
    CHECK_STR(S(f.command), "PREGREET");
    CHECK_STR(S(f.client_ip), "177.154.236.182");
    body("CONNECT from [192.0.2.5]:5555 to [192.0.2.1]:25", &f);
    CHECK_INT(f.kind, PF_POSTSCREEN);
    CHECK_STR(S(f.client_ip), "192.0.2.5");
    CHECK_INT(f.client_port, 5555);
}

static void test_queue_lines(void)
{
    struct pf_fields f;
    body("4A1B2C3D4E: uid=1000 from=<joe>", &f);
    CHECK_INT(f.kind, PF_PICKUP);
    CHECK_INT(f.uid, 1000);
    CHECK_STR(S(f.sender), "joe");

    body("4A1B2C3D4E: message-id=<abc@example.com>", &f);
    CHECK_INT(f.kind, PF_MESSAGE_ID);
    CHECK_STR(S(f.message_id), "<abc@example.com>");
    body("52A49200E1: resent-message-id=4739073.1", &f);
    CHECK_INT(f.kind, PF_RESENT_MESSAGE_ID);
    CHECK_STR(S(postfix_message_id_normalise(f.message_id.p, f.message_id.n)), "4739073.1");
    struct pf_span n = postfix_message_id_normalise("<a@b> (added by postmaster@x)", 29);
    CHECK_STR(S(n), "a@b");

    body("4A1B2C3D4E: from=<>, size=4100, nrcpt=1 (queue active)", &f);
    CHECK_INT(f.kind, PF_ACTIVE);
    CHECK(f.sender.p && f.sender.n == 0);
    CHECK_INT(f.size, 4100);
    CHECK_INT(f.nrcpt, 1);

    /* Postfix 3.5 quotes a local part with spaces, and '>' may sit inside the quotes */
    body("4A1B2C3D4E: from=<\"odd >name\"@example.com>, size=1, nrcpt=1 (queue active)", &f);
    CHECK_STR(S(f.sender), "\"odd >name\"@example.com");
    CHECK_INT(f.size, 1);

    body("66C15648577B: from=<uvnhbl@yahoo.com.tw>, status=expired, returned to sender", &f);
    CHECK_INT(f.kind, PF_EXPIRED);
    CHECK_STR(S(f.sender), "uvnhbl@yahoo.com.tw");

    body("4A1B2C3D4E: removed", &f);
    CHECK_INT(f.kind, PF_REMOVED);

    body("5426ACC81: sender non-delivery notification: 7446BCD68", &f);
    CHECK_INT(f.kind, PF_NOTICE);
    CHECK_STR(S(f.link_queue_id), "7446BCD68");
    CHECK_STR(S(f.status), "non-delivery");
    CHECK_STR(S(f.command), "sender");
    body("8DB93C2FF2: sender delay notification: AA61EC2F9A ", &f);
    CHECK_STR(S(f.status), "delay");
    CHECK_STR(S(f.link_queue_id), "AA61EC2F9A");
    body("8DB93C2FF2: postmaster non-delivery notification: AA61EC2F9B", &f);
    CHECK_STR(S(f.command), "postmaster");

    /* cleanup header_checks REJECT: reply after helo=<> */
    body("4A1B2C3D4E: reject: header Subject: win big from a.example[192.0.2.1]; from=<s@x> to=<r@y> "
         "proto=ESMTP helo=<a.example>: 5.7.1 message content rejected",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.command), "header");
    CHECK_STR(S(f.client_ip), "192.0.2.1");
    CHECK_STR(S(f.reply), "5.7.1 message content rejected");
    CHECK_STR(S(f.dsn), "5.7.1");
    CHECK_STR(S(f.recipient), "r@y");

    body("4A1B2C3D4E: milter-reject: END-OF-MESSAGE from a.example[192.0.2.1]: 5.7.1 Spam detected; "
         "from=<s@x> to=<r@y> proto=ESMTP helo=<a>",
         &f);
    CHECK_INT(f.kind, PF_REJECT);
    CHECK_STR(S(f.command), "END-OF-MESSAGE");
    CHECK_STR(S(f.dsn), "5.7.1");
    CHECK_INT(f.code, -1);

    body("4A1B2C3D4E: hold: header Received: from x from a[192.0.2.1]; from=<s@x> to=<r@y> proto=SMTP "
         "helo=<a>: held for review",
         &f);
    CHECK_INT(f.kind, PF_CLEANUP_ACTION);
    CHECK_STR(S(f.action), "hold");
}

static void test_delivery_lines(void)
{
    struct pf_fields f;
    body("0D9633D: to=<jos@example.com>, orig_to=<bestuur@example.com>, relay=mail1.example.net[10.74.103.11]:25, "
         "conn_use=3, delay=11, delays=5.4/0.06/5.1/0.03, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as F12DF84004)",
         &f);
    CHECK_INT(f.kind, PF_DELIVERY);
    CHECK_STR(S(f.recipient), "jos@example.com");
    CHECK_STR(S(f.orig_recipient), "bestuur@example.com");
    CHECK_STR(S(f.relay_host), "mail1.example.net");
    CHECK_STR(S(f.relay_ip), "10.74.103.11");
    CHECK_INT(f.relay_port, 25);
    CHECK_INT(f.conn_use, 3);
    CHECK(f.delay > 10.99 && f.delay < 11.01);
    CHECK_STR(S(f.delays), "5.4/0.06/5.1/0.03");
    CHECK_STR(S(f.dsn), "2.0.0");
    CHECK_STR(S(f.status), "sent");
    CHECK_STR(S(f.reply), "250 2.0.0 Ok: queued as F12DF84004");
    CHECK_STR(S(f.link_queue_id), "F12DF84004");
    CHECK_STR(f.link_kind, "queued_as");
    CHECK_INT(f.truncated, 0);

    /* Postfix 3.11 tls= summary */
    body("7EE668039: to=<user@example.com>, relay=mail.example.com[1.2.3.4]:25, delay=3.6, "
         "delays=0.08/0.02/0.85/0.14, tls=dane/!requiretls:nocertmatch, dsn=2.1.5, status=sent (250 2.0.0 Ok)",
         &f);
    CHECK_STR(S(f.tls), "dane/!requiretls:nocertmatch");
    CHECK_STR(S(f.dsn), "2.1.5");

    /* the whole reply, with its own parentheses */
    body("4E74613FE76: to=<r@gmail.com>, relay=gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b]:25, delay=1.9, "
         "delays=0.05/0/1.1/0.71, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] "
         "said: 550 5.7.1 blocked (in reply to end of DATA command))",
         &f);
    CHECK_STR(S(f.relay_ip), "2607:f8b0:400e:c04::1b");
    CHECK_STR(S(f.status), "bounced");
    CHECK_STR(S(f.reply), "host gmail-smtp-in.l.google.com[2607:f8b0:400e:c04::1b] said: 550 5.7.1 blocked "
                          "(in reply to end of DATA command)");

    /* LMTP over a UNIX socket, old SOFTBOUNCE, Postfix 2.x missing comma */
    body("AD6E41CDC05C: to=<admin@example.com>, relay=sub1.example.com[private/dovecot-lmtp], delay=0.15, "
         "delays=0.04/0/0.02/0.08, dsn=2.0.0, status=sent (250 2.0.0 <admin@example.com> qYyy Saved)",
         &f);
    CHECK_STR(S(f.relay_ip), "private/dovecot-lmtp");
    CHECK_INT(f.relay_port, -1);
    body("D8962E54: to=<anyone@example.com>, relay=local, conn_use=2 delay=0.21, delays=0.05/0.02/0/0.14, "
         "dsn=4.1.1, status=SOFTBOUNCE (unknown user: \"to\")",
         &f);
    CHECK_STR(S(f.status), "SOFTBOUNCE");
    CHECK_STR(S(f.relay_host), "local");
    CHECK_INT(f.conn_use, 2);
    CHECK(f.delay > 0.2 && f.delay < 0.22);
    CHECK_STR(S(f.reply), "unknown user: \"to\"");

    body("1A2B3C4D: to=<a@b>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (forwarded as 5E6F7A8B)",
         &f);
    CHECK_STR(S(f.link_queue_id), "5E6F7A8B");
    CHECK_STR(f.link_kind, "forwarded_as");

    /* cut by syslog: no closing parenthesis */
    body("1A2B3C4D: to=<a@b>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.4.2, status=deferred (conversat",
         &f);
    CHECK_INT(f.kind, PF_DELIVERY);
    CHECK_INT(f.truncated, 1);
    CHECK_STR(S(f.reply), "conversat");
}

static void test_exo_reply(void)
{
    struct pf_exo_reply x;
    const char *r = "250 2.6.0 <20261127100001.abc@sender.example> [InternalId=12884901888123, "
                    "Hostname=AM7PR02MB6001.eurprd02.prod.outlook.com] 3120 bytes in 0.211, 14.440 KB/sec "
                    "Queued mail for delivery";
    CHECK_INT(postfix_parse_exo_reply(r, strlen(r), &x), 1);
    CHECK_STR(S(x.message_id), "20261127100001.abc@sender.example");
    CHECK_STR(S(x.internal_id), "12884901888123");
    CHECK_STR(S(x.hostname), "AM7PR02MB6001.eurprd02.prod.outlook.com");
    CHECK_STR(S(x.attribution), "(absent)");
    r = "host x.mail.protection.outlook.com[52.101.68.5] said: 550 5.7.64 TenantAttribution; Relay Access "
        "Denied [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com] (in reply to RCPT TO command)";
    CHECK_INT(postfix_parse_exo_reply(r, strlen(r), &x), 1);
    CHECK_STR(S(x.attribution), "TenantAttribution");
    /* the recipient's tenant took it (rule 3) and refuses what skips its MX, or Direct Send */
    r = "host y.mail.protection.outlook.com[52.101.68.6] said: 550 5.7.51 TenantInboundAttribution; There is a "
        "partner connector configured that matched the message's recipient domain (in reply to RCPT TO command)";
    CHECK_INT(postfix_parse_exo_reply(r, strlen(r), &x), 1);
    CHECK_STR(S(x.attribution), "TenantInboundAttribution");
    r = "550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized "
        "sources";
    CHECK_INT(postfix_parse_exo_reply(r, strlen(r), &x), 1);
    CHECK_STR(S(x.attribution), "TenantInboundAttribution");
    r = "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information";
    CHECK_INT(postfix_parse_exo_reply(r, strlen(r), &x), 1);
    CHECK_STR(S(x.attribution), "ATTR35");
    r = "250 2.0.0 Ok: queued as 5B2C3D4E5F";
    CHECK_INT(postfix_parse_exo_reply(r, strlen(r), &x), 0);
}

/* ---- ingest-level tests ---- */

static sqlite3 *fresh_db(const char *name)
{
    sqlite3 *db;
    char err[256];
    unlink(name);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", name);
    unlink(wal);
    if (store_open(name, STORE_READWRITE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    return db;
}

static int ingest_paths(sqlite3 *db, char **paths, int n, const struct ingest_options *o)
{
    struct ingest_report rep;
    memset(&rep, 0, sizeof rep);
    return ingest_run(db, paths, n, o, &rep);
}

static void fixture(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/tests/fixtures/postfix/%s", test_srcdir, name);
}

static void test_gateway_flow(void)
{
    sqlite3 *db = fresh_db("gateway.db");
    char path[1024];
    fixture(path, sizeof path, "gateway.log");
    char *paths[] = {path};
    CHECK_INT(ingest_paths(db, paths, 1, &opt), 0);

    CHECK_STR(test_sql_text(db, "SELECT format FROM source"), "postfix");
    CHECK_INT(test_sql_int(db, "SELECT lines_skipped FROM source"), 1); /* the amavis line */
    CHECK_INT(test_sql_int(db, "SELECT lines_rejected FROM source"), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 4);

    /* the entry hop, as the gateway's main instance saw it */
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ' ' || sender || ' ' || size || ' ' || nrcpt || ' ' || status "
                                "FROM pf_message WHERE queue_id = '4A1B2C3D4E'"),
              "198.51.100.7 alice@sender.example 2048 2 removed");
    CHECK_STR(test_sql_text(db, "SELECT first_ts || '/' || last_ts FROM pf_message WHERE queue_id = '4A1B2C3D4E'"),
              "2026-11-27 10:00:01/2026-11-27 10:00:02");
    CHECK_STR(test_sql_text(db, "SELECT message_id FROM pf_message WHERE queue_id = '4A1B2C3D4E'"),
              "20261127100001.abc@sender.example");

    /* the second instance's copy is a child of the first: both sides name it */
    CHECK_STR(test_sql_text(db, "SELECT c.instance || ' ' || c.parent_kind || ' ' || p.queue_id || ' ' || p.instance "
                                "FROM pf_message c JOIN pf_message p ON p.id = c.parent_id "
                                "WHERE c.queue_id = '5B2C3D4E5F'"),
              "postfix-out queued_as 4A1B2C3D4E postfix");

    /* deliveries to Exchange Online, with the reply's fields split out */
    CHECK_STR(test_sql_text(db, "SELECT d.exo_internal_id || ' ' || d.exo_hostname || ' ' || d.exo_message_id "
                                "FROM pf_delivery d JOIN pf_message m ON m.id = d.pf_message_id "
                                "WHERE m.queue_id = '5B2C3D4E5F' AND d.recipient = 'bob@company-a.example'"),
              "12884901888123 AM7PR02MB6001.eurprd02.prod.outlook.com 20261127100001.abc@sender.example");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_delivery d JOIN pf_message m ON m.id = d.pf_message_id "
                               "WHERE m.queue_id = '5B2C3D4E5F' AND d.recipient = 'nobody@company-a.example'"),
              2);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(status || ':' || exo_attribution || ':' || is_final, ' ') FROM "
                                "(SELECT d.* FROM pf_delivery d JOIN pf_message m ON m.id = d.pf_message_id "
                                "WHERE m.queue_id = '5B2C3D4E5F' AND d.recipient = 'nobody@company-a.example' "
                                "ORDER BY d.ts)"),
              "deferred:ATTR35:0 bounced:TenantAttribution:1");
    /* recipients are lower-cased; the final status per recipient is one row */
    CHECK_INT(
        test_sql_int(db, "SELECT count(*) FROM pf_delivery WHERE recipient = 'bob@company-a.example' AND is_final"), 2);
    CHECK_STR(test_sql_text(db,
                            "SELECT relay_host || ' ' || relay_ip || ' ' || relay_port || ' ' || dsn FROM pf_delivery "
                            "WHERE recipient = 'bob@company-a.example' AND daemon = 'smtp' AND tls = 'may'"),
              "companya-example.mail.protection.outlook.com 52.101.68.5 25 2.6.0");

    /* the notice (bounce before its own cleanup line, as Postfix 3.11 logs it) */
    CHECK_STR(test_sql_text(db,
                            "SELECT c.is_ndr || ' ' || c.parent_kind || ' ' || p.queue_id || ' [' || c.sender || ']' "
                            "FROM pf_message c JOIN pf_message p ON p.id = c.parent_id "
                            "WHERE c.queue_id = '6C3D4E5F60'"),
              "1 ndr_of 5B2C3D4E5F []");
    CHECK_STR(test_sql_text(db, "SELECT tls FROM pf_delivery WHERE recipient = 'alice@sender.example'"),
              "dane/requiretls");

    /* submission with SASL, a Postfix 3.5 quoted sender, and a line cut by syslog */
    CHECK_STR(test_sql_text(db, "SELECT sasl_username || ' ' || sender || ' ' || message_id || ' ' || status "
                                "FROM pf_message WHERE queue_id = '7D4E5F6071'"),
              "carol@company-a.example \"carol smith\"@company-a.example 7D4E5F6071.1@laptop.company-a.example open");
    CHECK_INT(test_sql_int(db, "SELECT truncated FROM pf_delivery WHERE recipient = 'dave@partner.example'"), 1);

    /* rejections before queueing */
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_reject"), 2);
    CHECK_STR(test_sql_text(db,
                            "SELECT code || ' ' || dsn || ' ' || client_ip || ' ' || sender || ' ' || recipient || ' ' "
                            "|| helo || ' ' || command || ' ' || ifnull(queue_id, 'NULL') FROM pf_reject "
                            "WHERE daemon = 'smtpd'"),
              "554 5.7.1 203.0.113.9 spam@bad.example x@company-a.example bad.example RCPT NULL");
    CHECK_STR(test_sql_text(db, "SELECT client_ip || ':' || client_port || ' ' || recipient FROM pf_reject "
                                "WHERE daemon = 'postscreen'"),
              "203.0.113.10:50123 c@company-a.example");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_event WHERE kind IN ('connect','disconnect','tls')"), 5);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_event e JOIN source s ON s.id = e.source_id "
                               "WHERE e.line = 3 AND e.kind = 'client'"),
              1);
    store_close(db);
}

static void test_reuse_instances_links(void)
{
    sqlite3 *db = fresh_db("reuse.db");
    char path[1024];
    fixture(path, sizeof path, "reuse.log");
    char *paths[] = {path};
    CHECK_INT(ingest_paths(db, paths, 1, &opt), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 6);
    /* one id, two lives in the main instance and one in the second instance */
    CHECK_INT(
        test_sql_int(db, "SELECT count(*) FROM pf_message WHERE queue_id = '8E5F607182' AND instance = 'postfix'"), 2);
    CHECK_INT(
        test_sql_int(db, "SELECT count(*) FROM pf_message WHERE queue_id = '8E5F607182' AND instance = 'postfix-out'"),
        1);
    CHECK_STR(
        test_sql_text(db, "SELECT group_concat(message_id || '/' || ifnull(client_ip, '-') || '/' || seen_start, ' ') "
                          "FROM (SELECT * FROM pf_message WHERE queue_id = '8E5F607182' AND instance = 'postfix' "
                          "ORDER BY first_ts)"),
        "first@relay1/-/1 second@app/10.0.0.5/1");
    /* local forwarding links the copy to the original */
    CHECK_STR(test_sql_text(db, "SELECT c.parent_kind || ' ' || p.message_id || ' ' || p.pickup_uid FROM pf_message c "
                                "JOIN pf_message p ON p.id = c.parent_id WHERE c.queue_id = '9F60718293'"),
              "forwarded_as first@relay1 0");
    /* a notice logged after its own cleanup line (Postfix before 3.11) links to the second life */
    CHECK_STR(test_sql_text(db, "SELECT p.message_id || ' ' || c.is_ndr FROM pf_message c "
                                "JOIN pf_message p ON p.id = c.parent_id WHERE c.queue_id = 'A0718293A4'"),
              "second@app 1");
    CHECK_STR(test_sql_text(db, "SELECT status || ' ' || seen_start || ' ' || sender FROM pf_message "
                                "WHERE queue_id = 'B18293A4B5'"),
              "expired 0 old@company-b.example");
    CHECK_STR(test_sql_text(db, "SELECT d.status || ' ' || d.dsn FROM pf_delivery d JOIN pf_message m "
                                "ON m.id = d.pf_message_id WHERE m.message_id = 'second@app'"),
              "bounced 5.1.1");
    store_close(db);
}

static void write_text(const char *path, const char *text)
{
    test_write_file(path, text, strlen(text));
}

/* A message whose lines span two rotated files, ingested newest first in two
 * separate runs, is one message. */
static void test_cross_file_reverse_runs(void)
{
    sqlite3 *db = fresh_db("cross.db");
    write_text("mail.log.1", "Nov 27 23:59:58 mx1 postfix/smtpd[1]: 1A2B3C4D5E: client=a.example[192.0.2.1]\n"
                             "Nov 27 23:59:58 mx1 postfix/cleanup[2]: 1A2B3C4D5E: message-id=<x1@a.example>\n"
                             "Nov 27 23:59:59 mx1 postfix/qmgr[3]: 1A2B3C4D5E: from=<s@a.example>, size=10, nrcpt=1 "
                             "(queue active)\n");
    write_text("mail.log", "Nov 28 00:00:01 mx1 postfix/smtp[4]: 1A2B3C4D5E: to=<r@b.example>, relay=b.example"
                           "[192.0.2.2]:25, delay=3, delays=1/0/1/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
                           "Nov 28 00:00:01 mx1 postfix/qmgr[3]: 1A2B3C4D5E: removed\n");
    char *p1[] = {"mail.log"};
    char *p2[] = {"mail.log.1"};
    CHECK_INT(ingest_paths(db, p1, 1, &opt), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 1);
    CHECK_INT(test_sql_int(db, "SELECT seen_start FROM pf_message"), 0);
    CHECK_INT(ingest_paths(db, p2, 1, &opt), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 1);
    CHECK_STR(test_sql_text(db, "SELECT message_id || ' ' || client_ip || ' ' || sender || ' ' || status || ' ' || "
                                "first_ts || ' ' || last_ts || ' ' || seen_start FROM pf_message"),
              "x1@a.example 192.0.2.1 s@a.example removed 2026-11-27 23:59:58 2026-11-28 00:00:01 1");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_delivery d JOIN pf_message m ON m.id = d.pf_message_id "
                               "WHERE d.is_final AND d.status = 'sent'"),
              1);
    store_close(db);

    /* both files in one run, oldest last: the same result */
    db = fresh_db("cross2.db");
    char *both[] = {"mail.log", "mail.log.1"};
    CHECK_INT(ingest_paths(db, both, 2, &opt), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_message"), 1);
    CHECK_STR(test_sql_text(db, "SELECT status || ' ' || message_id FROM pf_message"), "removed x1@a.example");
    store_close(db);
}

/* Year-less lines take their year from the file's end (a date in its name);
 * December lines in a file that ends in January belong to the year before. */
static void test_year_rollover(void)
{
    sqlite3 *db = fresh_db("year.db");
    write_text("mail.log-20270102",
               "Dec 31 23:59:58 mx1 postfix/smtpd[1]: 2B3C4D5E6F: client=a.example[192.0.2.1]\n"
               "Dec 31 23:59:59 mx1 postfix/qmgr[3]: 2B3C4D5E6F: from=<s@a.example>, size=10, nrcpt=1 (queue active)\n"
               "Jan  1 00:00:02 mx1 postfix/qmgr[3]: 2B3C4D5E6F: removed\n");
    struct ingest_options o = opt;
    o.year = 0;
    char *p[] = {"mail.log-20270102"};
    CHECK_INT(ingest_paths(db, p, 1, &o), 0);
    CHECK_STR(test_sql_text(db, "SELECT first_ts || ' ' || last_ts || ' ' || year_inferred FROM pf_message"),
              "2026-12-31 23:59:58 2027-01-01 00:00:02 1");
    CHECK_INT(test_sql_int(db, "SELECT min(year_inferred) FROM pf_event"), 1);
    CHECK_INT(test_sql_int(db, "SELECT year_inferred FROM source"), 1);
    store_close(db);

    /* --year is the year of the first line: the file goes on into the next
     * year after New Year, and a December line a moment late stays in the
     * old one. Nothing is guessed. */
    db = fresh_db("year2.db");
    write_text("ny.log",
               "Dec 31 23:59:58 mx1 postfix/qmgr[3]: 3C4D5E6F7A: from=<s@a.example>, size=10, nrcpt=1 (queue active)\n"
               "Jan  1 00:00:01 mx1 postfix/smtp[4]: 3C4D5E6F7A: to=<r@b.example>, relay=none, delay=3, "
               "delays=1/0/0/2, dsn=5.0.0, status=bounced (x)\n"
               "Dec 31 23:59:59 mx1 postfix/smtpd[1]: connect from late[192.0.2.9]\n"
               "Jan  1 00:00:02 mx1 postfix/qmgr[3]: 3C4D5E6F7A: removed\n");
    o.year = 2026;
    p[0] = "ny.log";
    CHECK_INT(ingest_paths(db, p, 1, &o), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(ts, ', ') FROM (SELECT ts FROM pf_event ORDER BY line)"),
              "2026-12-31 23:59:58, 2027-01-01 00:00:01, 2026-12-31 23:59:59, 2027-01-01 00:00:02");
    CHECK_STR(test_sql_text(db, "SELECT count(*) || ' ' || status FROM pf_message"), "1 removed");
    CHECK_INT(test_sql_int(db, "SELECT year_inferred FROM source"), 0);
    store_close(db);

    /* A file that grows past New Year between two runs goes on from its last
     * stored line, as if read in one go. */
    db = fresh_db("year3.db");
    static const char before[] =
        "Dec 31 23:59:58 mx1 postfix/qmgr[3]: 5E6F7A8B9C: from=<s@a.example>, size=10, nrcpt=1 (queue active)\n";
    write_text("grow.log", before);
    p[0] = "grow.log";
    CHECK_INT(ingest_paths(db, p, 1, &o), 0);
    write_text("grow.log", "Dec 31 23:59:58 mx1 postfix/qmgr[3]: 5E6F7A8B9C: from=<s@a.example>, size=10, nrcpt=1 "
                           "(queue active)\n"
                           "Jan  1 00:00:02 mx1 postfix/qmgr[3]: 5E6F7A8B9C: removed\n");
    CHECK_INT(ingest_paths(db, p, 1, &o), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM source"), 1);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(ts, ', ') FROM (SELECT ts FROM pf_event ORDER BY line)"),
              "2026-12-31 23:59:58, 2027-01-01 00:00:02");
    CHECK_STR(test_sql_text(db, "SELECT count(*) || ' ' || status FROM pf_message"), "1 removed");
    store_close(db);
}

/* Zone-less times are local in --tz and stored in UTC; a stamp with its own
 * offset uses that offset. */
static void test_zones_and_dst(void)
{
    if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0) {
        fprintf(stderr, "no tzdata: DST checks skipped\n");
        return;
    }
    sqlite3 *db = fresh_db("dst.db");
    write_text("dst.log", "Mar 29 01:59:59 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\n"
                          "Mar 29 03:00:01 mx1 postfix/smtpd[1]: connect from b[192.0.2.2]\n"
                          "Jul  1 12:00:00 mx1 postfix/smtpd[1]: connect from c[192.0.2.3]\n"
                          "2026-11-27T10:04:05.123456+01:00 mx1 postfix/smtpd[1]: connect from d[192.0.2.4]\n"
                          "2026-07-01T12:00:00 mx1 postfix/smtpd[1]: connect from e[192.0.2.5]\n"
                          "<22>1 2026-11-27T09:04:05Z mx1 postfix/smtpd 1 - - connect from f[192.0.2.6]\n");
    struct ingest_options o = opt;
    o.tz = "Europe/Berlin";
    char *p[] = {"dst.log"};
    CHECK_INT(ingest_paths(db, p, 1, &o), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(ts, ', ') FROM (SELECT ts FROM pf_event ORDER BY line)"),
              "2026-03-29 00:59:59, 2026-03-29 01:00:01, 2026-07-01 10:00:00, 2026-11-27 09:04:05.123, "
              "2026-07-01 10:00:00, 2026-11-27 09:04:05");
    CHECK_STR(test_sql_text(db, "SELECT group_concat(year_inferred, '') FROM (SELECT * FROM pf_event ORDER BY line)"),
              "000000");
    CHECK_STR(test_sql_text(db, "SELECT time_zone FROM source"), "Europe/Berlin");
    store_close(db);

    /* The zone a file's times were read in: none when every stamp has its
     * offset; the zone for an ISO stamp without one; both zones when a grown
     * file's new lines were read in another. */
    db = fresh_db("zones.db");
    write_text("offsets.log", "2026-11-27T10:04:05+01:00 mx1 postfix/smtpd[1]: connect from d[192.0.2.4]\n");
    write_text("isolocal.log", "2026-11-27T10:04:05 mx1 postfix/smtpd[1]: connect from d[192.0.2.4]\n");
    write_text("grown.log", "Nov 27 10:00:00 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\n");
    char *z[] = {"offsets.log", "isolocal.log", "grown.log"};
    CHECK_INT(ingest_paths(db, z, 3, &o), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(coalesce(time_zone, '-'), ' | ') FROM "
                                "(SELECT time_zone FROM source ORDER BY id)"),
              "- | Europe/Berlin | Europe/Berlin");
    write_text("grown.log", "Nov 27 10:00:00 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\n"
                            "Nov 27 10:00:05 mx1 postfix/smtpd[1]: connect from b[192.0.2.2]\n");
    struct ingest_options ny = opt;
    ny.tz = "America/New_York";
    CHECK_INT(ingest_paths(db, z + 2, 1, &ny), 0);
    CHECK_STR(test_sql_text(db, "SELECT time_zone FROM source WHERE path = 'grown.log'"),
              "Europe/Berlin, America/New_York");
    CHECK_INT(ingest_paths(db, z + 2, 1, &ny), 0); /* unchanged: nothing read, nothing added */
    CHECK_STR(test_sql_text(db, "SELECT time_zone FROM source WHERE path = 'grown.log'"),
              "Europe/Berlin, America/New_York");
    store_close(db);
    CHECK_INT(time_set_zone("Europe/Berlin", NULL, 0), 0);

    /* The autumn fold: 02:00-02:59 comes twice, first in CEST, then in CET.
     * Read in order, the second pass follows the first, and the message that
     * spans the change stays one life. */
    db = fresh_db("fold.db");
    write_text("fold.log",
               "Oct 25 02:59:58 mx1 postfix/qmgr[1]: DF1A2B3C4D: from=<a@x.example>, size=1, nrcpt=1 (queue active)\n"
               "Oct 25 02:00:03 mx1 postfix/smtp[2]: DF1A2B3C4D: to=<b@fabrikam.example>, relay=none, delay=5, "
               "delays=1/0/0/4, dsn=5.0.0, status=bounced (x)\n"
               "Oct 25 02:00:04 mx1 postfix/qmgr[1]: DF1A2B3C4D: removed\n");
    p[0] = "fold.log";
    CHECK_INT(ingest_paths(db, p, 1, &o), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(ts, ', ') FROM (SELECT ts FROM pf_event ORDER BY line)"),
              "2026-10-25 00:59:58, 2026-10-25 01:00:03, 2026-10-25 01:00:04");
    CHECK_STR(test_sql_text(db, "SELECT count(*) || ' ' || sender || ' ' || status FROM pf_message"),
              "1 a@x.example removed");
    CHECK_STR(test_sql_text(db, "SELECT recipient FROM pf_delivery"), "b@fabrikam.example");
    store_close(db);
}

/* Garbage, invalid UTF-8, a truncated line and a queue id without a start:
 * each is kept or counted with its line, and the ingest goes on. */
static void test_bad_input(void)
{
    sqlite3 *db = fresh_db("bad.db");
    static const char text[] = "Nov 27 10:00:00 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\n"
                               "\x00\x01\xff\xfe binary garbage\n"
                               "Nov 27 10:00:01 mx1 postfix/cleanup[2]: 3C4D5E6F70: message-id=<\xff\xfe@bad>\n"
                               "Nov 27 10:00:02 mx1 postfix/smtp[3]: 3C4D5E6F70: to=<r@b>, relay=b[192.0.2.2]:25, "
                               "delay=1, dsn=4.4.2, status=def\n"
                               "Nov 27 10:00:03 mx1 postfix/smtpd[1]: some line this parser has never seen\n"
                               "Nov 27 10:00:04 mx1 postfix/smtpd[1]: disconnect from a[192.0.2.1]\n";
    test_write_file("bad.log", text, sizeof text - 1);
    char *p[] = {"bad.log"};
    CHECK_INT(ingest_paths(db, p, 1, &opt), 0);
    CHECK_INT(test_sql_int(db, "SELECT lines_rejected FROM source"), 1);
    CHECK_INT(test_sql_int(db, "SELECT line FROM reject"), 2);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_event"), 5);
    CHECK_STR(test_sql_text(db, "SELECT text FROM pf_event WHERE kind = 'other'"),
              "some line this parser has never seen");
    CHECK_STR(test_sql_text(db, "SELECT status || ' ' || seen_start FROM pf_message WHERE queue_id = '3C4D5E6F70'"),
              "open 0");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_delivery WHERE status = 'def'"), 1);
    store_close(db);

    /* A write cut short with the next line glued to it (a crash, a full
     * disk) is one reject, not a delivery to a made-up address. Text a
     * sender controls cannot make a real line a reject: a subject, a quoted
     * local part, a HELO and a reply that hold a whole fake syslog line, and
     * anvil's own "at Nov 24 10:00:02". */
    db = fresh_db("glued.db");
    static const char glued[] =
        "Nov 24 10:00:00 mx1 postfix/qmgr[1]: 4D5E6F7A8B: from=<a@x.example>, size=1, nrcpt=2 (queue active)\n"
        "Nov 24 10:00:01 mx1 postfix/smtp[1]: 4D5E6F7A8B: to=<b@fabrikNov 24 10:00:02 mx1 postfix/smtp[1]: "
        "4D5E6F7A8B: to=<c@fabrikam.example>, relay=x[192.0.2.4]:25, delay=1, delays=1/0/0/0, dsn=2.0.0, status=sent "
        "(250 ok)\n"
        "Nov 24 10:00:03 mx1 postfix/cleanup[2]: 5E6F7A8B9C: warning: header Subject: Nov 24 10:00:02 mx1 "
        "postfix/smtp[1]: 4D5E6F7A8B: removed from x[192.0.2.9]; from=<\"Nov 24 10:00:02 mx1 "
        "postfix/qmgr[1]:\"@x.example> "
        "to=<d@fabrikam.example> proto=ESMTP helo=<Nov 24 10:00:02 mx1 postfix/smtp[1]:>\n"
        "Nov 24 10:00:04 mx1 postfix/qmgr[1]: 6F7A8B9C0D: from=<\"Nov 24 10:00:02 mx1 postfix/qmgr[1]:\"@x.example>, "
        "size=1, nrcpt=1 (queue active)\n"
        "Nov 24 10:00:05 mx1 postfix/smtp[1]: 6F7A8B9C0D: to=<e@fabrikam.example>, relay=y[192.0.2.5]:25, delay=1, "
        "delays=1/0/0/0, dsn=5.0.0, status=bounced (host y[192.0.2.5] said: 550 Nov 24 10:00:02 mx1 "
        "postfix/smtp[1]: no (in reply to RCPT TO command))\n"
        "Nov 24 10:05:00 mx1 postfix/anvil[9]: statistics: max connection rate 1/60s for (smtp:192.0.2.1) at Nov 24 "
        "10:00:02\n";
    test_write_file("glued.log", glued, sizeof glued - 1);
    p[0] = "glued.log";
    CHECK_INT(ingest_paths(db, p, 1, &opt), 0);
    CHECK_STR(test_sql_text(db, "SELECT group_concat(line || ':' || reason, ' | ') FROM reject"),
              "2:an address holds a space outside quotes: the line was cut short and the next one glued to it");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_delivery WHERE pf_message_id IN "
                               "(SELECT id FROM pf_message WHERE queue_id = '4D5E6F7A8B')"),
              0);
    CHECK_STR(test_sql_text(db, "SELECT sender FROM pf_message WHERE queue_id = '6F7A8B9C0D'"),
              "\"Nov 24 10:00:02 mx1 postfix/qmgr[1]:\"@x.example");
    CHECK_STR(test_sql_text(db, "SELECT status FROM pf_delivery WHERE recipient = 'e@fabrikam.example'"), "bounced");
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM pf_event"), 5);
    store_close(db);

    /* A space in an address without a glued line's time stamp is the
     * sender's own (a local "sendmail -f 'FROM: SOME USER@example.com'", as
     * in LogReporter's postfix-TD-lines): the line is whole and stored. */
    db = fresh_db("spaced.db");
    static const char spaced[] =
        "Nov 24 10:00:00 mx1 postfix/qmgr[1]: 4AEFAF569C11: from=<FROM: SOME USER@example.com>, size=4051, "
        "nrcpt=1 (queue active)\n";
    test_write_file("spaced.log", spaced, sizeof spaced - 1);
    p[0] = "spaced.log";
    CHECK_INT(ingest_paths(db, p, 1, &opt), 0);
    CHECK_INT(test_sql_int(db, "SELECT count(*) FROM reject"), 0);
    CHECK_STR(test_sql_text(db, "SELECT kind || ' ' || sender || ' ' || size FROM pf_event"),
              "active FROM: SOME USER@example.com 4051");
    store_close(db);

    /* Policy actions are stored under their names: a NOQUEUE discard with the
     * rejects, a proxy-accept as an event whose status is its action. */
    db = fresh_db("actions.db");
    static const char actions[] =
        "Nov 24 10:00:00 mx1 postfix/smtpd[7]: NOQUEUE: discard: RCPT from a.example[192.0.2.7]: <s@a.example>: "
        "Sender address - test; from=<s@a.example> to=<u@corp.example> proto=ESMTP helo=<a.example>\n"
        "Nov 24 10:00:01 mx1 postfix/smtpd[8]: NOQUEUE: proxy-accept: END-OF-MESSAGE: 250 2.0.0 from "
        "MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as 5F6A7B8C9D; from=<s@b.example> to=<u@corp.example> "
        "proto=ESMTP helo=<b.example>\n";
    test_write_file("actions.log", actions, sizeof actions - 1);
    p[0] = "actions.log";
    CHECK_INT(ingest_paths(db, p, 1, &opt), 0);
    CHECK_STR(
        test_sql_text(db, "SELECT action || ' ' || command || ' ' || client_ip || ' ' || recipient FROM pf_reject"),
        "discard RCPT 192.0.2.7 u@corp.example");
    CHECK_STR(test_sql_text(db, "SELECT status || ' ' || link_kind || ' ' || link_queue_id || ' ' || "
                                "coalesce(client_ip, '-') FROM pf_event"),
              "proxy-accept queued_as 5F6A7B8C9D -");
    store_close(db);
}

int main(int argc, char **argv)
{
    TEST_INIT(argc, argv);
    test_envelopes();
    test_queue_ids();
    test_smtpd_lines();
    test_postscreen_lines();
    test_queue_lines();
    test_delivery_lines();
    test_exo_reply();
    test_gateway_flow();
    test_reuse_instances_links();
    test_cross_file_reverse_runs();
    test_year_rollover();
    test_zones_and_dst();
    test_bad_input();
    return test_done("test_postfix");
}
