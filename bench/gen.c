/*
 * NAME
 *   mxbench-gen - deterministic generator of coherent mail-flow logs for the
 *   benchmark: a Postfix gateway log, an Exchange Server message tracking log
 *   and an Exchange Online message trace export.
 *
 * SUMMARY
 *   mxbench-gen [--seed N] [--postfix-lines N] [--msgtrk-rows N]
 *               [--trace-rows N] --out DIR
 *
 *   Writes DIR/mail.log, DIR/MSGTRK2026110200-1.LOG, DIR/exo-trace.csv,
 *   DIR/mxaudit.conf (the configuration of the generated organisation) and
 *   DIR/truth.txt (ground truth: what each file contains, as key=value).
 *
 * DESCRIPTION
 *   One organisation, company-a.example: two Postfix MX gateways (mx1 with
 *   short queue ids, mx2 with long ones, logging to one central syslog file),
 *   mailboxes in Exchange Online and on two on-prem Exchange servers (hybrid).
 *   Message number k has every attribute (route, time, Message-ID, sender,
 *   recipients, what happens to each recipient) computed from (seed, k) alone,
 *   so the three files agree on every message they share. Each file takes
 *   messages k = 0, 1, 2, ... until it reaches its size, then finishes the
 *   messages it began; the truth file says how far each one got.
 *
 *   Lines are produced per message with their own timestamps and merged
 *   through a min-heap, so sessions interleave as on a real gateway and a
 *   deferred message's retry lands half an hour later among other traffic.
 */
#include "xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* random numbers: splitmix64 seeds xoshiro256** (Vigna), no libc rand */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}
static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}
static int rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}
static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* ------------------------------------------------------------------ */
/* the generated organisation                                           */

#define ORG_DOMAIN "company-a.example"
#define ORG_TENANT "companya.onmicrosoft.com"
#define EXO_MX "companya-example.mail.protection.outlook.com"
#define ONPREM_FOREST "corp.company-a.example"
#define ONPREM_PUBLIC_IP "192.0.2.80"
#define SCHEMA_VERSION "15.02.1544.004"

/* Gateways: the public address they relay from, and their inside address. */
static const char *const gw_name[2] = {"mx1", "mx2"};
static const char *const gw_public_ip[2] = {"192.0.2.25", "192.0.2.26"};
static const char *const gw_inside_ip[2] = {"10.0.0.25", "10.0.0.26"};
static const char *const ex_name[2] = {"EX01", "EX02"};
static const char *const ex_ip[2] = {"10.0.1.10", "10.0.1.11"};

/* Messages start at 2026-11-02 00:00:00 UTC. The gateways log local time in
 * Europe/Berlin, which is CET (UTC+1) from 2026-10-25 to 2027-03-28, so a
 * fixed one-hour offset is exact for any run that stays inside that span. */
#define T0_MS 1793577600000LL
#define LOCAL_OFFSET_S 3600
#define MEAN_GAP_MS 1500

static const char *const first_names[] = {"anna",   "ben",   "clara", "david",  "emma",   "felix",  "greta",  "hannes",
                                          "ida",    "jonas", "karla", "lukas",  "marie",  "niklas", "olga",   "paul",
                                          "quirin", "rosa",  "simon", "tina",   "ulrich", "vera",   "walter", "xenia",
                                          "yusuf",  "zoe",   "amir",  "bianca", "carlos", "dana",   "erik",   "fatma",
                                          "georg",  "hanna", "igor",  "julia",  "kevin",  "lea",    "moritz", "nora"};
static const char *const last_names[] = {
    "schmidt", "mueller", "schneider", "fischer", "weber",   "meyer",   "wagner",  "becker",     "schulz",   "hoffmann",
    "koch",    "richter", "klein",     "wolf",    "neumann", "schwarz", "braun",   "zimmermann", "krueger",  "hartmann",
    "lange",   "werner",  "krause",    "lehmann", "koehler", "maier",   "huber",   "kaiser",     "fuchs",    "peters",
    "lang",    "scholz",  "moeller",   "weiss",   "jung",    "hahn",    "vogel",   "friedrich",  "keller",   "guenther",
    "frank",   "berger",  "winkler",   "roth",    "beck",    "lorenz",  "baumann", "franke",     "albrecht", "ludwig"};
static const char *const words_a[] = {"nord",   "sued",  "ost",    "west",   "alpen", "rhein", "elbe",
                                      "main",   "hansa", "ruhr",   "blau",   "gruen", "stern", "sonne",
                                      "falken", "adler", "linden", "eichen", "berg",  "tal"};
static const char *const words_b[] = {"logistik",   "bau",    "technik",  "handel", "medien", "consult", "pharma",
                                      "energie",    "finanz", "software", "moebel", "druck",  "reisen",  "versand",
                                      "immobilien", "labor",  "verlag",   "textil", "metall", "agrar"};
static const char *const subjects[] = {"Quarterly numbers",
                                       "Invoice %d, overdue",
                                       "Re: meeting on Thursday",
                                       "Order confirmation %d",
                                       "AW: Angebot %d",
                                       "Your delivery %d is on its way",
                                       "Newsletter November",
                                       "Fwd: contract draft",
                                       "Re: Re: \"urgent\" request",
                                       "Reminder: timesheet",
                                       "Lunch?",
                                       "Shipment %d, customs papers",
                                       "WG: Rechnung %d",
                                       "Project status, week %d",
                                       "Password expiry notice",
                                       "Re: offer %d"};
static const char *const spam_subjects[] = {"You have won!!!", "Invoice payment required", "Account verification %d",
                                            "Cheap meds",      "Re: your parcel %d",       "Urgent: wire transfer"};

/* Microsoft cloud notification senders (the built-in catalogue has them). */
static const char *const notify_senders[] = {"no-reply@sharepointonline.com", "noreply@email.teams.microsoft.com",
                                             "noreply@planner.office365.com", "quarantine@messaging.microsoft.com",
                                             "MSSecurity-noreply@microsoft.com"};

#define N_USERS 2000
#define N_DOMAINS 4000
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void user_addr(char *buf, size_t n, unsigned u)
{
    snprintf(buf, n, "%s.%s@%s", first_names[u % ARRAY_LEN(first_names)],
             last_names[(u / ARRAY_LEN(first_names)) % ARRAY_LEN(last_names)], ORG_DOMAIN);
}

/* About a third of the mailboxes are still on-prem (hybrid). */
static int user_onprem(unsigned u)
{
    return (u * 2654435761u >> 7) % 10 < 3;
}

static void ext_domain(char *buf, size_t n, unsigned d)
{
    snprintf(buf, n, "%s%s%s.example", words_a[d % ARRAY_LEN(words_a)], (d / 400) % 2 ? "-" : "",
             words_b[(d / ARRAY_LEN(words_a)) % ARRAY_LEN(words_b)]);
    if (d >= 400) {
        char tmp[96];
        snprintf(tmp, sizeof tmp, "%.*s%u.example", (int)(strlen(buf) - 8), buf, d / 800);
        snprintf(buf, n, "%.63s", tmp);
    }
}

/* Documentation ranges (RFC 5737, RFC 3849) for everything on the internet. */
static void ext_ip(char *buf, size_t n, unsigned d)
{
    if (d % 13 == 5)
        snprintf(buf, n, "2001:db8:%x::%x", 0x100 + d % 200, 25 + d % 7);
    else
        snprintf(buf, n, "%s.%u", d % 2 ? "198.51.100" : "203.0.113", 1 + (d / 2) % 254);
}

/* ------------------------------------------------------------------ */
/* one message, computed from (seed, k)                                 */

enum route {
    R_IN_GW,           /* internet -> gateway -> Exchange Online (-> on-prem) */
    R_OUT_GW,          /* on-prem mailbox -> gateway -> internet */
    R_BACKDOOR,        /* internet -> Exchange Online directly (spam) */
    R_NOTIFY,          /* Microsoft cloud notification, straight into the tenant */
    R_DIRECT_NDR,      /* another tenant's NDR delivered into this tenant */
    R_CLOUD_INTERNAL,  /* cloud mailbox -> cloud mailbox */
    R_CLOUD_TO_ONPREM, /* cloud mailbox -> on-prem mailbox */
    R_ONPREM_INTERNAL, /* on-prem mailbox -> on-prem mailbox */
    R_COUNT
};
static const char *const route_names[R_COUNT] = {"in_gw",      "out_gw",         "backdoor",        "notify",
                                                 "direct_ndr", "cloud_internal", "cloud_to_onprem", "onprem_internal"};

/* What the gateway's delivery does for the whole message. */
enum fate { F_SENT, F_DEFER_SENT, F_BOUNCE_ONE, F_ATTRIBUTION };

#define MAX_RCPT 8

struct msg {
    uint64_t k;
    enum route route;
    int64_t t0;                /* first event, epoch ms UTC */
    int gw;                    /* gateway index */
    int ex;                    /* on-prem server that handles it */
    char qid[24], ndr_qid[24]; /* gateway queue ids */
    char peer_qid[16];         /* queue id the receiving MX reports (outbound) */
    char msgid[128];           /* Message-ID without brackets */
    char netid[40];            /* network message id (kept across hybrid hops) */
    char sender[96];
    char sender_domain[64];
    char client_host[96], client_ip[48];
    int ext_dom; /* external domain index (sender or recipient side) */
    int nrcpt;
    char rcpt[MAX_RCPT][96];
    int onprem[MAX_RCPT];
    int bad_rcpt; /* 1 when smtpd rejected one extra recipient */
    char bad_addr[96];
    int bounce_idx; /* recipient that bounced (F_BOUNCE_ONE / F_ATTRIBUTION) */
    enum fate fate;
    int size;
    char subject[96];
    int tls;
    int spam;              /* EXO verdict for the trace Status */
    int64_t defer_ms;      /* retry delay */
    char exo_host[64];     /* Exchange Online front-end that answered */
    uint64_t exo_internal; /* InternalId */
    char ndr_msgid[128], ndr_netid[40];
    uint64_t internal_id; /* on-prem internal-message-id */
    /* reject-only session attached to this message number (gateway only) */
    int reject_kind; /* 0 = none */
    char rj_ip[48], rj_sender[96], rj_rcpt[96], rj_helo[96];
};

static void make_guid(struct rng *r, char *buf, size_t n)
{
    uint64_t a = rng_next(r), b = rng_next(r);
    snprintf(buf, n, "%08x-%04x-%04x-%04x-%012" PRIx64, (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff,
             (unsigned)((a & 0x0fff) | 0x4000), (unsigned)((b >> 48) & 0x3fff) | 0x8000, b & UINT64_C(0xffffffffffff));
}

/* Short queue ids: hex of the microseconds and the inode (Postfix default). */
static void short_qid(struct rng *r, char *buf)
{
    snprintf(buf, 24, "%010" PRIX64, rng_next(r) & UINT64_C(0xffffffffff));
    if (buf[0] == '0')
        buf[0] = (char)('1' + rng_below(r, 9));
}

/* Long queue ids (enable_long_queue_ids, Postfix 2.9): seconds in base 52
 * (6 digits), microseconds (4 digits), 'z', inode number in base 51; the
 * digits are 0-9 and the consonants of both cases (mail_queue.h). */
static void long_qid(struct rng *r, int64_t t_ms, char *buf)
{
    static const char b52[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
    /* 51 characters above; base 52 adds 'z' for the time part only. */
    static const char t52[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
    char out[32];
    int n = 0;
    uint64_t sec = (uint64_t)(t_ms / 1000);
    char tmp[16];
    int m = 0;
    while (sec && m < 6) {
        tmp[m++] = t52[sec % 52];
        sec /= 52;
    }
    while (m < 6)
        tmp[m++] = '0';
    while (m)
        out[n++] = tmp[--m];
    uint64_t usec = (uint64_t)(t_ms % 1000) * 1000 + rng_below(r, 1000);
    m = 0;
    while (m < 4) {
        tmp[m++] = t52[usec % 52];
        usec /= 52;
    }
    while (m)
        out[n++] = tmp[--m];
    out[n++] = 'z';
    uint64_t ino = 100000 + rng_below(r, 9000000);
    m = 0;
    while (ino) {
        tmp[m++] = b52[ino % 51];
        ino /= 51;
    }
    while (m)
        out[n++] = tmp[--m];
    out[n] = '\0';
    snprintf(buf, 24, "%.23s", out);
}

static void exo_hostname(struct rng *r, char *buf, size_t n)
{
    static const char *const pre[] = {"AM7PR", "DB9PR", "VI1PR", "PA4PR", "FR3PR", "AS8PR", "DU0PR"};
    snprintf(buf, n, "%s%02uMB%04u.eurprd%02u.prod.outlook.com", pre[rng_below(r, ARRAY_LEN(pre))], rng_below(r, 10),
             rng_below(r, 10000), rng_below(r, 10));
}

static void make_msg(uint64_t seed, uint64_t k, struct msg *m)
{
    struct rng r;
    uint64_t mix = seed * UINT64_C(0x100000001b3) ^ (k + 1) * UINT64_C(0x9e3779b97f4a7c15);
    rng_seed(&r, mix);
    memset(m, 0, sizeof *m);
    m->k = k;
    /* Arrivals are evenly spread with jitter, so message k's time depends on k
     * alone and not on how many messages a stream has drawn before it. */
    m->t0 = T0_MS + (int64_t)k * MEAN_GAP_MS + (int64_t)rng_below(&r, MEAN_GAP_MS);
    uint32_t p = rng_below(&r, 1000);
    m->route = p < 420   ? R_IN_GW
               : p < 600 ? R_OUT_GW
               : p < 625 ? R_BACKDOOR
               : p < 643 ? R_NOTIFY
               : p < 650 ? R_DIRECT_NDR
               : p < 800 ? R_CLOUD_INTERNAL
               : p < 860 ? R_CLOUD_TO_ONPREM
                         : R_ONPREM_INTERNAL;
    m->gw = (int)rng_below(&r, 2);
    m->ex = (int)rng_below(&r, 2);
    if (m->gw == 0)
        short_qid(&r, m->qid);
    else
        long_qid(&r, m->t0 + 150, m->qid);
    make_guid(&r, m->netid, sizeof m->netid);
    m->ext_dom = (int)rng_below(&r, N_DOMAINS);
    ext_domain(m->sender_domain, sizeof m->sender_domain, (unsigned)m->ext_dom);
    uint32_t nr = rng_below(&r, 100);
    m->nrcpt = nr < 70 ? 1 : nr < 85 ? 2 : nr < 93 ? 3 : nr < 98 ? rng_range(&r, 4, 5) : MAX_RCPT;
    m->size = rng_chance(&r, 0.05) ? rng_range(&r, 200000, 6000000) : rng_range(&r, 1800, 90000);
    m->tls = rng_chance(&r, 0.8);
    m->spam = rng_chance(&r, 0.03) ? 1 : rng_chance(&r, 0.01) ? 2 : 0;
    m->internal_id = 51539607552ULL + k;
    m->exo_internal = 12884901888000ULL + rng_below(&r, 1000000000);
    exo_hostname(&r, m->exo_host, sizeof m->exo_host);
    const char *subj = subjects[rng_below(&r, ARRAY_LEN(subjects))];
    snprintf(m->subject, sizeof m->subject, subj, (int)(k % 100000));

    char dom[64];
    unsigned u0 = rng_below(&r, N_USERS);
    switch (m->route) {
    case R_IN_GW:
    case R_BACKDOOR:
    case R_NOTIFY:
    case R_DIRECT_NDR: {
        snprintf(m->sender, sizeof m->sender, "%s.%s@%s", first_names[rng_below(&r, ARRAY_LEN(first_names))],
                 last_names[rng_below(&r, ARRAY_LEN(last_names))], m->sender_domain);
        snprintf(m->client_host, sizeof m->client_host, "mail.%s", m->sender_domain);
        ext_ip(m->client_ip, sizeof m->client_ip, (unsigned)m->ext_dom);
        if (rng_chance(&r, 0.5))
            snprintf(m->msgid, sizeof m->msgid, "%" PRIu64 ".%" PRIx64 ".%" PRIu64 "@%s", (uint64_t)(m->t0 / 1000),
                     rng_next(&r) & UINT64_C(0xffffff), k, m->sender_domain);
        else
            snprintf(m->msgid, sizeof m->msgid, "CA%016" PRIx64 "%08" PRIx64 "@mail.%s", rng_next(&r), k,
                     m->sender_domain);
        for (int i = 0; i < m->nrcpt; i++) {
            unsigned u = (u0 + (unsigned)i * 37) % N_USERS;
            user_addr(m->rcpt[i], sizeof m->rcpt[i], u);
            m->onprem[i] = user_onprem(u);
        }
        if (m->route == R_BACKDOOR) {
            /* Spam straight at the tenant's MX host, from an address that is no gateway. */
            snprintf(m->client_ip, sizeof m->client_ip, "203.0.113.%u", 1 + rng_below(&r, 254));
            snprintf(m->subject, sizeof m->subject, spam_subjects[rng_below(&r, ARRAY_LEN(spam_subjects))],
                     (int)(k % 9973));
            m->spam = rng_chance(&r, 0.6) ? 1 : 0;
            m->nrcpt = 1;
        } else if (m->route == R_NOTIFY) {
            snprintf(m->sender, sizeof m->sender, "%s", notify_senders[rng_below(&r, ARRAY_LEN(notify_senders))]);
            snprintf(m->client_ip, sizeof m->client_ip, "40.107.%u.%u", rng_below(&r, 256), 1 + rng_below(&r, 254));
            snprintf(m->msgid, sizeof m->msgid, "%08" PRIx64 ".%" PRIu64 "@%s", rng_next(&r) & UINT64_C(0xffffffff), k,
                     "notification.microsoft.example");
            snprintf(m->subject, sizeof m->subject, "You have a new notification (%d)", (int)(k % 1000));
            m->nrcpt = 1;
            m->spam = 0;
        } else if (m->route == R_DIRECT_NDR) {
            /* Another tenant's NDR: its on-prem server relays through its own
             * tenant, which attributes the NDR and sends it here directly. */
            snprintf(m->sender, sizeof m->sender, "%s", "");
            snprintf(m->client_ip, sizeof m->client_ip, "40.107.%u.%u", rng_below(&r, 256), 1 + rng_below(&r, 254));
            snprintf(m->msgid, sizeof m->msgid, "%016" PRIx64 "%" PRIu64 "@%s.prod.outlook.com", rng_next(&r), k,
                     "DB8PR04MB7001.eurprd04");
            char original[sizeof m->subject - 16];
            snprintf(original, sizeof original, subjects[k % 3], (int)(k % 100000));
            snprintf(m->subject, sizeof m->subject, "Undeliverable: %s", original);
            m->nrcpt = 1;
            m->spam = 0;
        }
        if (m->route == R_IN_GW) {
            uint32_t f = rng_below(&r, 1000);
            m->fate = f < 30 ? F_DEFER_SENT : f < 50 ? F_BOUNCE_ONE : f < 53 ? F_ATTRIBUTION : F_SENT;
            m->bounce_idx = (int)rng_below(&r, (uint32_t)m->nrcpt);
            m->bad_rcpt = rng_chance(&r, 0.05);
            if (m->bad_rcpt)
                snprintf(m->bad_addr, sizeof m->bad_addr, "former.employee%u@%s", rng_below(&r, 500), ORG_DOMAIN);
        }
        break;
    }
    case R_OUT_GW: {
        user_addr(m->sender, sizeof m->sender, u0);
        snprintf(m->client_host, sizeof m->client_host, "%s.%s", ex_name[m->ex], ONPREM_FOREST);
        for (int i = 0; i < m->nrcpt; i++) {
            ext_domain(dom, sizeof dom, (unsigned)(m->ext_dom + i * 7) % N_DOMAINS);
            snprintf(m->rcpt[i], sizeof m->rcpt[i], "%s.%s@%s", first_names[rng_below(&r, ARRAY_LEN(first_names))],
                     last_names[rng_below(&r, ARRAY_LEN(last_names))], dom);
        }
        m->nrcpt = m->nrcpt > 3 ? 3 : m->nrcpt; /* one destination per recipient: keep sessions short */
        uint32_t f = rng_below(&r, 1000);
        m->fate = f < 50 ? F_DEFER_SENT : f < 80 ? F_BOUNCE_ONE : F_SENT;
        m->bounce_idx = (int)rng_below(&r, (uint32_t)m->nrcpt);
        snprintf(m->peer_qid, sizeof m->peer_qid, "%09" PRIX64, rng_next(&r) & UINT64_C(0xfffffffff));
        break;
    }
    case R_CLOUD_INTERNAL:
    case R_CLOUD_TO_ONPREM:
    case R_ONPREM_INTERNAL: {
        user_addr(m->sender, sizeof m->sender, u0);
        for (int i = 0; i < m->nrcpt; i++) {
            unsigned u = (u0 + 1 + (unsigned)i * 53) % N_USERS;
            user_addr(m->rcpt[i], sizeof m->rcpt[i], u);
            m->onprem[i] = m->route == R_CLOUD_INTERNAL ? 0 : 1;
        }
        break;
    }
    default:
        break;
    }
    if (m->route == R_OUT_GW || m->route == R_ONPREM_INTERNAL) {
        char hex[40];
        snprintf(hex, sizeof hex, "%016" PRIx64 "%016" PRIx64, rng_next(&r), rng_next(&r));
        snprintf(m->msgid, sizeof m->msgid, "%s@%s.%s", hex, ex_name[m->ex], ONPREM_FOREST);
    } else if (m->route == R_CLOUD_INTERNAL || m->route == R_CLOUD_TO_ONPREM) {
        char host[64];
        exo_hostname(&r, host, sizeof host);
        snprintf(m->msgid, sizeof m->msgid, "%.13s%08" PRIX64 "%" PRIu64 "@%s", host,
                 rng_next(&r) & UINT64_C(0xffffffff), k, host);
    }
    /* Retry after the queue manager's backoff: 5 to 35 minutes. */
    m->defer_ms = (int64_t)rng_range(&r, 300, 2100) * 1000;
    if (m->fate == F_BOUNCE_ONE || m->fate == F_ATTRIBUTION) {
        int64_t tb = m->t0 + 1800;
        if (m->gw == 0)
            short_qid(&r, m->ndr_qid);
        else
            long_qid(&r, tb, m->ndr_qid);
        time_t s = (time_t)(tb / 1000 + LOCAL_OFFSET_S);
        struct tm tm;
        gmtime_r(&s, &tm);
        /* bounce(8)'s Message-ID: <YYYYMMDDhhmmss.QUEUEID@myhostname>. */
        snprintf(m->ndr_msgid, sizeof m->ndr_msgid, "%04d%02d%02d%02d%02d%02d.%s@%s.%s", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, m->ndr_qid, gw_name[m->gw], ORG_DOMAIN);
        make_guid(&r, m->ndr_netid, sizeof m->ndr_netid);
    }

    /* About one connection in three is turned away before any queue file. */
    if (rng_chance(&r, 0.33)) {
        m->reject_kind = 1 + (int)rng_below(&r, 6);
        unsigned d = rng_below(&r, N_DOMAINS);
        snprintf(m->rj_ip, sizeof m->rj_ip, "203.0.113.%u", 1 + rng_below(&r, 254));
        ext_domain(dom, sizeof dom, d);
        snprintf(m->rj_sender, sizeof m->rj_sender, "info%u@%s", rng_below(&r, 100), dom);
        user_addr(m->rj_rcpt, sizeof m->rj_rcpt, rng_below(&r, N_USERS));
        snprintf(m->rj_helo, sizeof m->rj_helo, "%s", rng_chance(&r, 0.5) ? dom : "localhost");
    }
}

/* ------------------------------------------------------------------ */
/* time-ordered output                                                  */

struct pending {
    int64_t ts;
    uint64_t seq;
    char *text;
};

struct stream {
    FILE *f;
    struct pending *heap;
    size_t n, cap;
    uint64_t seq;
    uint64_t pushed;
};

static int pending_less(const struct pending *a, const struct pending *b)
{
    return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void stream_push(struct stream *s, int64_t ts, const char *text)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->heap = xrealloc(s->heap, s->cap * sizeof *s->heap);
    }
    size_t i = s->n++;
    struct pending p = {ts, s->seq++, xstrdup(text)};
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pending_less(&p, &s->heap[parent]))
            break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = p;
    s->pushed++;
}

static void stream_pop(struct stream *s)
{
    struct pending top = s->heap[0];
    fputs(top.text, s->f);
    fputc('\n', s->f);
    free(top.text);
    struct pending last = s->heap[--s->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->n)
            break;
        if (c + 1 < s->n && pending_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!pending_less(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->n)
        s->heap[i] = last;
}

/* Writes every line older than T: no later message can precede them. */
static void stream_flush_before(struct stream *s, int64_t t)
{
    while (s->n && s->heap[0].ts < t)
        stream_pop(s);
}

static void stream_drain(struct stream *s)
{
    while (s->n)
        stream_pop(s);
    free(s->heap);
    s->heap = NULL;
    s->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Postfix gateway log                                                  */

struct pf_truth {
    uint64_t lines, sessions, messages, ndrs, deliveries, sent, deferred, bounced, exo_accepted;
    uint64_t rejects, noqueue_rejects, attribution, messages_by_route[R_COUNT], k_end;
};

static char line[4096];

static void fmt_syslog_time(int64_t t_ms, char *buf, size_t n)
{
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t s = (time_t)(t_ms / 1000 + LOCAL_OFFSET_S);
    struct tm tm;
    gmtime_r(&s, &tm);
    /* RFC 3164 timestamps pad the day with a space: "Nov  2 09:00:00". */
    snprintf(buf, n, "%s %2d %02d:%02d:%02d", mon[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* One syslog line from HOST's PROGRAM[PID]. */
static void pf_emit(struct stream *s, struct pf_truth *t, int64_t ts, int gw, const char *prog, int pid,
                    const char *fmt, ...)
{
    char stamp[32];
    fmt_syslog_time(ts, stamp, sizeof stamp);
    int n = snprintf(line, sizeof line, "%s %s postfix/%s[%d]: ", stamp, gw_name[gw], prog, pid);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    stream_push(s, ts, line);
    t->lines++;
}

/* Postfix prints delays with fewer digits as they grow (log_adhoc.c). */
static const char *fmt_delay(double d, char *buf)
{
    if (d < 0.005)
        return strcpy(buf, "0");
    if (d < 0.1)
        snprintf(buf, 16, "%.2f", d);
    else if (d < 10)
        snprintf(buf, 16, "%.1f", d);
    else
        snprintf(buf, 16, "%.0f", d);
    return buf;
}

static int pid_of(uint64_t k, int salt, int base, int spread)
{
    return base + (int)(((k + 1) * 2654435761u + (unsigned)salt * 40503u) % (unsigned)spread);
}

static void pf_delivery(struct stream *s, struct pf_truth *t, const struct msg *m, int64_t ts, const char *qid,
                        const char *rcpt, const char *relay, double delay, const char *dsn, const char *status,
                        const char *reply, int smtp_pid, int conn_use)
{
    char d0[16], d1[16], d2[16], d3[16], d4[16];
    double a = delay * 0.15, b = 0.01, c = delay * 0.3, e = delay - a - b - c;
    if (e < 0)
        e = 0;
    char cu[24] = "";
    if (conn_use > 1)
        snprintf(cu, sizeof cu, "conn_use=%d, ", conn_use);
    pf_emit(s, t, ts, m->gw, "smtp", smtp_pid,
            "%s: to=<%s>, relay=%s, %sdelay=%s, delays=%s/%s/%s/%s, dsn=%s, status=%s (%s)", qid, rcpt, relay, cu,
            fmt_delay(delay, d0), fmt_delay(a, d1), fmt_delay(b, d2), fmt_delay(c, d3), fmt_delay(e, d4), dsn, status,
            reply);
    t->deliveries++;
    if (!strcmp(status, "sent"))
        t->sent++;
    else if (!strcmp(status, "deferred"))
        t->deferred++;
    else if (!strcmp(status, "bounced"))
        t->bounced++;
    if (!strncmp(reply, "250 2.6.0 <", 11))
        t->exo_accepted++;
}

static void exo_relay(const struct msg *m, char *buf, size_t n)
{
    snprintf(buf, n, "%s[52.101.%u.%u]:25", EXO_MX, 40 + (unsigned)(m->k % 30), 1 + (unsigned)(m->k % 250));
}

/* Exchange Online's answer to the end of data: "250 2.6.0 <Message-ID>
 * [InternalId=..., Hostname=...] N bytes in S, R KB/sec Queued mail for
 * delivery" (the reply the tracking fixture shows for the Office 365 hop). */
static void exo_accept_reply(const char *msgid, uint64_t internal, const char *host, int size, double secs, char *buf,
                             size_t n)
{
    snprintf(buf, n,
             "250 2.6.0 <%s> [InternalId=%" PRIu64
             ", Hostname=%s] %d bytes in %.3f, %.3f KB/sec Queued mail for delivery",
             msgid, internal, host, size, secs, (double)size / 1024.0 / secs);
}

/* The gateway's own bounce notice for M's bounced recipient. */
static void pf_ndr(struct stream *s, struct pf_truth *t, const struct msg *m, int64_t ts, int to_exo)
{
    int qmgr = pid_of(0, m->gw, 1201, 1), cleanup = pid_of(m->k, 3, 3100, 40), bounce = pid_of(m->k, 4, 5200, 60);
    int smtp = pid_of(m->k, 5, 7000, 400);
    pf_emit(s, t, ts, m->gw, "bounce", bounce, "%s: sender non-delivery notification: %s", m->qid, m->ndr_qid);
    pf_emit(s, t, ts, m->gw, "cleanup", cleanup, "%s: message-id=<%s>", m->ndr_qid, m->ndr_msgid);
    int nsize = 4000 + m->size % 3000;
    pf_emit(s, t, ts, m->gw, "qmgr", qmgr, "%s: from=<>, size=%d, nrcpt=1 (queue active)", m->ndr_qid, nsize);
    char reply[512], relay[160];
    if (to_exo) {
        exo_relay(m, relay, sizeof relay);
        exo_accept_reply(m->ndr_msgid, m->exo_internal + 7, m->exo_host, nsize + 900, 0.182, reply, sizeof reply);
        pf_delivery(s, t, m, ts + 400, m->ndr_qid, m->sender, relay, 0.4, "2.6.0", "sent", reply, smtp, 1);
    } else {
        char ip[48];
        ext_ip(ip, sizeof ip, (unsigned)m->ext_dom);
        snprintf(relay, sizeof relay, "mail.%s[%s]:25", m->sender_domain, ip);
        snprintf(reply, sizeof reply, "250 2.0.0 Ok: queued as %07" PRIX64, (m->k * 7919) & UINT64_C(0xfffffff));
        pf_delivery(s, t, m, ts + 500, m->ndr_qid, m->sender, relay, 0.5, "2.0.0", "sent", reply, smtp, 1);
    }
    pf_emit(s, t, ts + 500, m->gw, "qmgr", qmgr, "%s: removed", m->ndr_qid);
    t->messages++;
    t->ndrs++;
}

static void pf_reject_session(struct stream *s, struct pf_truth *t, const struct msg *m, int64_t ts)
{
    int pid = pid_of(m->k, 9, 20000, 9000);
    const char *ip = m->rj_ip;
    int gw = (int)(m->k / 3 % 2);
    t->sessions++;
    pf_emit(s, t, ts, gw, "smtpd", pid, "connect from unknown[%s]", ip);
    const char *reply = NULL;
    char buf[512];
    switch (m->reject_kind) {
    case 1: /* smtpd_check.c reject_rbl_client */
        snprintf(buf, sizeof buf,
                 "554 5.7.1 Service unavailable; Client host [%s] blocked using zen.spamhaus.org; "
                 "https://www.spamhaus.org/query/ip/%s",
                 ip, ip);
        reply = buf;
        break;
    case 2:
        snprintf(buf, sizeof buf, "550 5.1.1 <%s>: Recipient address rejected: User unknown in relay recipient table",
                 m->rj_rcpt);
        reply = buf;
        break;
    case 3:
        snprintf(buf, sizeof buf, "450 4.7.1 Client host rejected: cannot find your hostname, [%s]", ip);
        reply = buf;
        break;
    case 4:
        snprintf(buf, sizeof buf, "450 4.1.8 <%s>: Sender address rejected: Domain not found", m->rj_sender);
        reply = buf;
        break;
    case 5:
        snprintf(buf, sizeof buf, "454 4.7.1 <info@%s>: Relay access denied", m->rj_helo);
        reply = buf;
        break;
    default:
        break;
    }
    if (reply) {
        char relayed_to[120];
        const char *to = m->rj_rcpt;
        if (m->reject_kind == 5) {
            snprintf(relayed_to, sizeof relayed_to, "info@%s", m->rj_helo);
            to = relayed_to;
        }
        pf_emit(s, t, ts + 300, gw, "smtpd", pid,
                "NOQUEUE: reject: RCPT from unknown[%s]: %s; from=<%s> to=<%s> proto=ESMTP helo=<%s>", ip, reply,
                m->rj_sender, to, m->rj_helo);
        t->rejects++;
        t->noqueue_rejects++;
        pf_emit(s, t, ts + 400, gw, "smtpd", pid,
                "disconnect from unknown[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4", ip);
    } else {
        pf_emit(s, t, ts + 5000, gw, "smtpd", pid, "lost connection after CONNECT from unknown[%s]", ip);
        pf_emit(s, t, ts + 5000, gw, "smtpd", pid, "disconnect from unknown[%s] commands=0/0", ip);
    }
}

static void pf_message(struct stream *s, struct pf_truth *t, const struct msg *m)
{
    int64_t ts = m->t0;
    int smtpd = pid_of(m->k, 1, 10000, 9000), cleanup = pid_of(m->k, 2, 3100, 40);
    int qmgr = pid_of(0, m->gw, 1201, 1), smtp = pid_of(m->k, 5, 7000, 400);
    int out = m->route == R_OUT_GW;
    const char *host = m->client_host;
    const char *ip = out ? ex_ip[m->ex] : m->client_ip;
    int valid = m->nrcpt, total = m->nrcpt + m->bad_rcpt;

    t->sessions++;
    t->messages++;
    t->messages_by_route[m->route]++;
    pf_emit(s, t, ts, m->gw, "smtpd", smtpd, "connect from %s[%s]", host, ip);
    if (m->tls || out)
        pf_emit(s, t, ts + 40, m->gw, "smtpd", smtpd,
                "Anonymous TLS connection established from %s[%s]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 "
                "bits)",
                host, ip);
    pf_emit(s, t, ts + 150, m->gw, "smtpd", smtpd, "%s: client=%s[%s]", m->qid, host, ip);
    if (m->bad_rcpt) {
        /* A later RCPT of the same transaction: the queue file exists already. */
        pf_emit(s, t, ts + 170, m->gw, "smtpd", smtpd,
                "%s: reject: RCPT from %s[%s]: 550 5.1.1 <%s>: Recipient address rejected: User unknown in relay "
                "recipient table; from=<%s> to=<%s> proto=ESMTP helo=<%s>",
                m->qid, host, ip, m->bad_addr, m->sender, m->bad_addr, host);
        t->rejects++;
    }
    pf_emit(s, t, ts + 250, m->gw, "cleanup", cleanup, "%s: message-id=<%s>", m->qid, m->msgid);
    pf_emit(s, t, ts + 260, m->gw, "qmgr", qmgr, "%s: from=<%s>, size=%d, nrcpt=%d (queue active)", m->qid, m->sender,
            m->size, valid);
    char counts[160];
    if (m->tls || out)
        snprintf(counts, sizeof counts, "ehlo=2 starttls=1 mail=1 rcpt=%d%s data=1 quit=1 commands=%d", valid, "",
                 6 + valid);
    else
        snprintf(counts, sizeof counts, "ehlo=1 mail=1 rcpt=%d data=1 quit=1 commands=%d", valid, 4 + valid);
    if (m->bad_rcpt) {
        char *r = strstr(counts, "rcpt=");
        char tail[160];
        char *sp = strchr(r, ' ');
        snprintf(tail, sizeof tail, "%s", sp);
        snprintf(r, sizeof counts - (size_t)(r - counts), "rcpt=%d/%d%s", valid, total, tail);
        char *c = strstr(counts, "commands=");
        int cmds = atoi(c + 9);
        snprintf(c, sizeof counts - (size_t)(c - counts), "commands=%d/%d", cmds, cmds + 1);
    }
    pf_emit(s, t, ts + 300, m->gw, "smtpd", smtpd, "disconnect from %s[%s] %s", host, ip, counts);

    char relay[160], reply[640];
    int64_t td = ts + 900 + (int64_t)(m->k % 700);
    double secs = 0.05 + (double)(m->size % 900) / 1000.0;
    if (m->fate == F_DEFER_SENT) {
        for (int i = 0; i < m->nrcpt; i++) {
            if (out) {
                char dom[64];
                ext_domain(dom, sizeof dom, (unsigned)(m->ext_dom + i * 7) % N_DOMAINS);
                char ip2[48];
                ext_ip(ip2, sizeof ip2, (unsigned)(m->ext_dom + i * 7) % N_DOMAINS);
                snprintf(reply, sizeof reply, "connect to mail.%s[%s]:25: Connection timed out", dom, ip2);
                pf_delivery(s, t, m, td + 30000, m->qid, m->rcpt[i], "none", 30.4, "4.4.1", "deferred", reply, smtp, 1);
            } else {
                exo_relay(m, relay, sizeof relay);
                /* Exchange Online throttling: "451 4.7.500 Server busy. Please try again later from [IP]." */
                snprintf(reply, sizeof reply,
                         "host %.*s said: 451 4.7.500 Server busy. Please try again later from [%s]. (S77714) [%s] (in "
                         "reply to MAIL FROM command)",
                         (int)(strchr(relay, ':') - relay), relay, gw_public_ip[m->gw], m->exo_host);
                pf_delivery(s, t, m, td, m->qid, m->rcpt[i], relay, 0.9, "4.7.500", "deferred", reply, smtp, 1);
            }
        }
        td += m->defer_ms;
        pf_emit(s, t, td, m->gw, "qmgr", qmgr, "%s: from=<%s>, size=%d, nrcpt=%d (queue active)", m->qid, m->sender,
                m->size, valid);
        td += 600;
    }
    double delay = (double)(td - ts) / 1000.0;
    int bounced = 0;
    for (int i = 0; i < m->nrcpt; i++) {
        int bounce_here = (m->fate == F_BOUNCE_ONE || m->fate == F_ATTRIBUTION) && i == m->bounce_idx;
        if (out) {
            char dom[64], ip2[48];
            ext_domain(dom, sizeof dom, (unsigned)(m->ext_dom + i * 7) % N_DOMAINS);
            ext_ip(ip2, sizeof ip2, (unsigned)(m->ext_dom + i * 7) % N_DOMAINS);
            snprintf(relay, sizeof relay, "mail.%s[%s]:25", dom, ip2);
            if (bounce_here) {
                snprintf(reply, sizeof reply,
                         "host mail.%s[%s] said: 550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual "
                         "mailbox table (in reply to RCPT TO command)",
                         dom, ip2, m->rcpt[i]);
                pf_delivery(s, t, m, td, m->qid, m->rcpt[i], relay, delay, "5.1.1", "bounced", reply, smtp, 1);
                bounced = 1;
            } else {
                snprintf(reply, sizeof reply, "250 2.0.0 Ok: queued as %s", m->peer_qid);
                pf_delivery(s, t, m, td, m->qid, m->rcpt[i], relay, delay, "2.0.0", "sent", reply, smtp, 1);
            }
        } else {
            exo_relay(m, relay, sizeof relay);
            int hl = (int)(strchr(relay, ':') - relay);
            if (bounce_here && m->fate == F_ATTRIBUTION) {
                snprintf(reply, sizeof reply,
                         "host %.*s said: 550 5.7.64 TenantAttribution; Relay Access Denied [%s] (in reply to RCPT TO "
                         "command)",
                         hl, relay, "DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com");
                pf_delivery(s, t, m, td, m->qid, m->rcpt[i], relay, delay, "5.7.64", "bounced", reply, smtp, 1);
                t->attribution++;
                bounced = 1;
            } else if (bounce_here) {
                /* Directory-based edge blocking of an address the tenant does not know. */
                snprintf(reply, sizeof reply,
                         "host %.*s said: 550 5.4.1 Recipient address rejected: Access denied. For more information "
                         "see https://aka.ms/EXOSmtpErrors [%s] (in reply to RCPT TO command)",
                         hl, relay, "AM4PEPF00027A6C.eurprd04.prod.outlook.com");
                pf_delivery(s, t, m, td, m->qid, m->rcpt[i], relay, delay, "5.4.1", "bounced", reply, smtp, 1);
                bounced = 1;
            } else {
                exo_accept_reply(m->msgid, m->exo_internal, m->exo_host, m->size + 700, secs, reply, sizeof reply);
                pf_delivery(s, t, m, td, m->qid, m->rcpt[i], relay, delay, "2.6.0", "sent", reply, smtp,
                            m->k % 3 == 0 ? 1 + (int)(m->k % 7) : 1);
            }
        }
    }
    if (bounced)
        pf_ndr(s, t, m, td + 30, out);
    pf_emit(s, t, td + 600, m->gw, "qmgr", qmgr, "%s: removed", m->qid);
}

static int route_uses_gateway(enum route r)
{
    return r == R_IN_GW || r == R_OUT_GW;
}

static void gen_postfix(uint64_t seed, uint64_t target, FILE *f, struct pf_truth *t)
{
    struct stream s = {.f = f};
    struct msg m;
    uint64_t k = 0;
    while (t->lines < target) {
        make_msg(seed, k, &m);
        stream_flush_before(&s, m.t0);
        if (route_uses_gateway(m.route))
            pf_message(&s, t, &m);
        if (m.reject_kind)
            pf_reject_session(&s, t, &m, m.t0 + 700);
        k++;
    }
    stream_drain(&s);
    t->k_end = k;
}

/* ------------------------------------------------------------------ */
/* Exchange Server message tracking log (MSGTRK*.LOG)                   */

struct trk_truth {
    uint64_t rows, recipients, messages, message_ids, k_end, rows_by_event_receive, rows_by_event_deliver,
        rows_by_event_send;
};

#define TRK_FIELDS 30
/* Exchange 2013-2019 tracking log header, field order as in the #Fields line
 * (the Elastic and Qazeer samples in the reference corpus show the same 30). */
static const char trk_fields_line[] =
    "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
    "source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
    "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
    "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"
    "transport-traffic-type,log-id,schema-version";

enum trk_col {
    TC_TIME,
    TC_CIP,
    TC_CHOST,
    TC_SIP,
    TC_SHOST,
    TC_SCTX,
    TC_CONN,
    TC_SOURCE,
    TC_EVENT,
    TC_IID,
    TC_MSGID,
    TC_NETID,
    TC_RCPT,
    TC_RSTATUS,
    TC_BYTES,
    TC_RCOUNT,
    TC_RELATED,
    TC_REF,
    TC_SUBJECT,
    TC_SENDER,
    TC_RPATH,
    TC_MINFO,
    TC_DIR,
    TC_TENANT,
    TC_OCIP,
    TC_OSIP,
    TC_CUSTOM,
    TC_TRAFFIC,
    TC_LOGID,
    TC_SCHEMA
};

/* CSV field as Exchange writes it: quoted when it holds a comma or quote. */
static size_t csv_put(char *dst, size_t room, const char *v)
{
    size_t n = 0;
    int q = strpbrk(v, ",\"\r\n") != NULL;
    if (q && n < room)
        dst[n++] = '"';
    for (; *v && n + 2 < room; v++) {
        if (*v == '"')
            dst[n++] = '"';
        dst[n++] = *v;
    }
    if (q && n < room)
        dst[n++] = '"';
    return n;
}

static void fmt_iso(int64_t t_ms, char *buf, size_t n)
{
    time_t s = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(t_ms % 1000));
}

struct trk_row {
    const char *v[TRK_FIELDS];
};

static void trk_emit(struct stream *s, struct trk_truth *t, int64_t ts, struct trk_row *r, int nrcpt)
{
    char stamp[48];
    fmt_iso(ts, stamp, sizeof stamp);
    r->v[TC_TIME] = stamp;
    r->v[TC_TRAFFIC] = "Email";
    r->v[TC_SCHEMA] = SCHEMA_VERSION;
    size_t n = 0;
    for (int i = 0; i < TRK_FIELDS; i++) {
        if (i)
            line[n++] = ',';
        n += csv_put(line + n, sizeof line - n - 2, r->v[i] ? r->v[i] : "");
    }
    line[n] = '\0';
    stream_push(s, ts, line);
    t->rows++;
    t->recipients += (uint64_t)nrcpt;
}

static void join_rcpts(const struct msg *m, int want_onprem, char *buf, size_t n, char *status, size_t sn,
                       const char *each_status, int *count)
{
    size_t a = 0, b = 0;
    *count = 0;
    buf[0] = status[0] = '\0';
    for (int i = 0; i < m->nrcpt; i++) {
        if (want_onprem >= 0 && m->onprem[i] != want_onprem)
            continue;
        a += (size_t)snprintf(buf + a, n - a, "%s%s", *count ? ";" : "", m->rcpt[i]);
        if (each_status)
            b += (size_t)snprintf(status + b, sn - b, "%s%s", *count ? ";" : "", each_status);
        (*count)++;
    }
}

/* Rows of an on-prem delivery of M to RCPTS that arrived over SMTP at FROM_IP
 * (Exchange Online's outbound hosts for hybrid mail). */
static void trk_inbound_from_exo(struct stream *s, struct trk_truth *t, const struct msg *m, int64_t ts,
                                 const char *msgid, const char *netid, const char *sender, const char *subject,
                                 int size, int want_onprem)
{
    char rc[1024], st[256], iid[32], sctx[128], logid[40], bytes[16], cnt[16], minfo[64], eop_ip[32], mdb[256];
    int n;
    join_rcpts(m, want_onprem, rc, sizeof rc, st, sizeof st, "To", &n);
    if (!n)
        return;
    t->message_ids++;
    int ex = m->ex;
    snprintf(iid, sizeof iid, "%" PRIu64, m->internal_id);
    snprintf(bytes, sizeof bytes, "%d", size);
    snprintf(cnt, sizeof cnt, "%d", n);
    snprintf(eop_ip, sizeof eop_ip, "40.107.%u.%u", (unsigned)(m->k % 256), 1 + (unsigned)(m->k % 250));
    snprintf(sctx, sizeof sctx, "08DE%012" PRIX64 ";%s;0", m->k * 977, "");
    struct rng r;
    rng_seed(&r, m->k ^ 0xabcdef);
    make_guid(&r, logid, sizeof logid);
    struct trk_row row = {{0}};
    row.v[TC_CIP] = eop_ip;
    row.v[TC_CHOST] = "EUR05-DB8-obe.outbound.protection.outlook.com";
    row.v[TC_SIP] = ex_ip[ex];
    row.v[TC_SHOST] = ex_name[ex];
    row.v[TC_SCTX] = sctx;
    char conn[64];
    snprintf(conn, sizeof conn, "%s\\Default Frontend %s", ex_name[ex], ex_name[ex]);
    row.v[TC_CONN] = conn;
    row.v[TC_SOURCE] = "SMTP";
    row.v[TC_EVENT] = "RECEIVE";
    row.v[TC_IID] = iid;
    char mid[140];
    snprintf(mid, sizeof mid, "<%s>", msgid);
    row.v[TC_MSGID] = mid;
    row.v[TC_NETID] = netid;
    row.v[TC_RCPT] = rc;
    row.v[TC_RSTATUS] = st;
    row.v[TC_BYTES] = bytes;
    row.v[TC_RCOUNT] = cnt;
    row.v[TC_SUBJECT] = subject;
    row.v[TC_SENDER] = sender;
    row.v[TC_RPATH] = *sender ? sender : "<>";
    row.v[TC_MINFO] = "04I:";
    row.v[TC_DIR] = "Incoming";
    row.v[TC_OCIP] = eop_ip;
    row.v[TC_CUSTOM] = "S:DeliveryPriority=Normal;S:AccountForest=" ONPREM_FOREST;
    row.v[TC_LOGID] = logid;
    trk_emit(s, t, ts, &row, n);
    t->rows_by_event_receive++;

    struct trk_row ag = row;
    ag.v[TC_CIP] = ag.v[TC_CHOST] = ag.v[TC_SIP] = ag.v[TC_CONN] = ag.v[TC_RSTATUS] = ag.v[TC_OCIP] = "";
    ag.v[TC_SCTX] = "Transport Rule Agent";
    ag.v[TC_SOURCE] = "AGENT";
    ag.v[TC_EVENT] = "AGENTINFO";
    ag.v[TC_MINFO] = "";
    ag.v[TC_CUSTOM] = "S:TRA=ETRI|ruleId=00000000-0000-0000-0000-000000000000|ExecW=0|ExecC=0";
    trk_emit(s, t, ts + 60, &ag, n);

    struct trk_row dl = ag;
    fmt_iso(ts - 1500, minfo, sizeof minfo);
    snprintf(mdb, sizeof mdb,
             "MDB:%s, Mailbox:%s, Event:%" PRIu64 ", MessageClass:IPM.Note, CreationTime:%s, ClientType:User",
             "5b6c7d8e-1f20-4a3b-9c4d-5e6f7a8b9c0d", netid, m->k * 3 + 1000, minfo);
    dl.v[TC_SCTX] = mdb;
    dl.v[TC_SOURCE] = "STOREDRIVER";
    dl.v[TC_EVENT] = "DELIVER";
    dl.v[TC_MINFO] = minfo;
    dl.v[TC_CUSTOM] = "S:Mailboxes=1;S:StoreObjectIds=";
    trk_emit(s, t, ts + 180, &dl, n);
    t->rows_by_event_deliver++;

    /* Shadow redundancy: the other server keeps a copy until delivery. */
    struct trk_row ha = row;
    ha.v[TC_CIP] = ex_ip[ex];
    ha.v[TC_CHOST] = ex_name[ex];
    ha.v[TC_SIP] = ex_ip[1 - ex];
    ha.v[TC_SHOST] = ex_name[1 - ex];
    ha.v[TC_SOURCE] = "SMTP";
    ha.v[TC_EVENT] = "HARECEIVE";
    ha.v[TC_CONN] = "";
    ha.v[TC_OCIP] = "";
    trk_emit(s, t, ts + 90, &ha, n);
    struct trk_row hd = ha;
    hd.v[TC_CIP] = hd.v[TC_CHOST] = hd.v[TC_SIP] = hd.v[TC_RSTATUS] = "";
    hd.v[TC_SOURCE] = "SMTP";
    hd.v[TC_EVENT] = "HADISCARD";
    trk_emit(s, t, ts + 400, &hd, n);
}

/* Rows of a message submitted from an on-prem mailbox: NOTIFYMAPI, SUBMIT,
 * RECEIVE (STOREDRIVER), AGENTINFO, then SEND to the gateway or DELIVER. */
static void trk_submission(struct stream *s, struct trk_truth *t, const struct msg *m, int to_gateway)
{
    char rc[1024], st[512], iid[32], logid[40], bytes[16], cnt[16], mid[140], sctx[256], minfo[64];
    int n;
    int ex = m->ex;
    join_rcpts(m, -1, rc, sizeof rc, st, sizeof st, to_gateway ? "250 2.1.5 Ok" : NULL, &n);
    t->message_ids++;
    snprintf(iid, sizeof iid, "%" PRIu64, m->internal_id);
    snprintf(bytes, sizeof bytes, "%d", m->size);
    snprintf(cnt, sizeof cnt, "%d", n);
    snprintf(mid, sizeof mid, "<%s>", m->msgid);
    struct rng r;
    rng_seed(&r, m->k ^ 0x5eed);
    make_guid(&r, logid, sizeof logid);
    int64_t ts = m->t0 - 1200;
    fmt_iso(ts, minfo, sizeof minfo);

    struct trk_row row = {{0}};
    row.v[TC_SHOST] = ex_name[ex];
    row.v[TC_IID] = iid;
    row.v[TC_MSGID] = mid;
    row.v[TC_NETID] = m->netid;
    row.v[TC_RCPT] = rc;
    row.v[TC_BYTES] = bytes;
    row.v[TC_RCOUNT] = cnt;
    row.v[TC_SUBJECT] = m->subject;
    row.v[TC_SENDER] = m->sender;
    row.v[TC_RPATH] = m->sender;
    row.v[TC_DIR] = "Originating";
    row.v[TC_LOGID] = logid;
    row.v[TC_SOURCE] = "STOREDRIVER";

    struct trk_row nm = row;
    nm.v[TC_EVENT] = "NOTIFYMAPI";
    nm.v[TC_RCPT] = "";
    nm.v[TC_RCOUNT] = "0";
    trk_emit(s, t, ts, &nm, 0);
    struct trk_row sb = row;
    sb.v[TC_EVENT] = "SUBMIT";
    sb.v[TC_SCTX] = "MDB:5b6c7d8e-1f20-4a3b-9c4d-5e6f7a8b9c0d, Mailbox:1a2b3c4d-0000-4000-8000-000000000001, "
                    "Event:4242, MessageClass:IPM.Note, ClientType:OWA";
    sb.v[TC_MINFO] = minfo;
    trk_emit(s, t, ts + 50, &sb, n);
    struct trk_row rv = row;
    rv.v[TC_EVENT] = "RECEIVE";
    rv.v[TC_SIP] = ex_ip[ex];
    rv.v[TC_MINFO] = "04I:";
    rv.v[TC_CUSTOM] = "S:DeliveryPriority=Normal;S:AccountForest=" ONPREM_FOREST;
    trk_emit(s, t, ts + 150, &rv, n);
    t->rows_by_event_receive++;
    struct trk_row ag = row;
    ag.v[TC_SOURCE] = "AGENT";
    ag.v[TC_EVENT] = "AGENTINFO";
    ag.v[TC_SCTX] = "Transport Rule Agent";
    trk_emit(s, t, ts + 200, &ag, n);
    if (to_gateway) {
        struct trk_row sd = row;
        sd.v[TC_CIP] = ex_ip[ex];
        sd.v[TC_CHOST] = ex_name[ex];
        sd.v[TC_SIP] = gw_inside_ip[m->gw];
        char gwh[64];
        snprintf(gwh, sizeof gwh, "%s.%s", gw_name[m->gw], ORG_DOMAIN);
        sd.v[TC_SHOST] = gwh;
        /* The gateway's answer to the end of data sits in source-context. */
        snprintf(sctx, sizeof sctx, "08DE%012" PRIX64 ";250 2.0.0 Ok: queued as %s;ClientSubmitTime:%s", m->k * 977,
                 m->qid, minfo);
        sd.v[TC_SCTX] = sctx;
        sd.v[TC_CONN] = "Outbound via gateway";
        sd.v[TC_SOURCE] = "SMTP";
        sd.v[TC_EVENT] = "SEND";
        sd.v[TC_RSTATUS] = st;
        trk_emit(s, t, m->t0 + 200, &sd, n);
        t->rows_by_event_send++;
    } else {
        char mdb[256];
        snprintf(mdb, sizeof mdb,
                 "MDB:5b6c7d8e-1f20-4a3b-9c4d-5e6f7a8b9c0d, Mailbox:%s, Event:%" PRIu64
                 ", MessageClass:IPM.Note, CreationTime:%s, ClientType:User",
                 m->netid, m->k * 3 + 1000, minfo);
        struct trk_row dl = row;
        dl.v[TC_SCTX] = mdb;
        dl.v[TC_EVENT] = "DELIVER";
        dl.v[TC_MINFO] = minfo;
        trk_emit(s, t, ts + 600, &dl, n);
        t->rows_by_event_deliver++;
    }
}

static void gen_msgtrk(uint64_t seed, uint64_t target, FILE *f, struct trk_truth *t)
{
    char stamp[48];
    fmt_iso(T0_MS, stamp, sizeof stamp);
    /* Exchange writes a UTF-8 BOM and these header lines at the top of every file. */
    fprintf(f,
            "\xEF\xBB\xBF#Software: Microsoft Exchange Server\n#Version: %s\n#Log-type: Message Tracking Log\n#Date: "
            "%s\n%s\n",
            SCHEMA_VERSION, stamp, trk_fields_line);
    struct stream s = {.f = f};
    struct msg m;
    uint64_t k = 0;
    while (t->rows < target) {
        make_msg(seed, k, &m);
        stream_flush_before(&s, m.t0 - 1500);
        uint64_t before = t->rows;
        switch (m.route) {
        case R_IN_GW:
            if (m.fate != F_BOUNCE_ONE && m.fate != F_ATTRIBUTION)
                trk_inbound_from_exo(&s, t, &m, m.t0 + 3000 + (m.fate == F_DEFER_SENT ? m.defer_ms : 0), m.msgid,
                                     m.netid, m.sender, m.subject, m.size, 1);
            break;
        case R_OUT_GW: {
            trk_submission(&s, t, &m, 1);
            if (m.fate == F_BOUNCE_ONE) {
                /* The gateway's NDR comes back in through Exchange Online. */
                struct msg back = m;
                back.nrcpt = 1;
                snprintf(back.rcpt[0], sizeof back.rcpt[0], "%s", m.sender);
                back.onprem[0] = 1;
                char subj[120];
                snprintf(subj, sizeof subj, "Undelivered Mail Returned to Sender");
                trk_inbound_from_exo(&s, t, &back, m.t0 + 4000 + (int64_t)(m.k % 700), m.ndr_msgid, m.ndr_netid, "",
                                     subj, 4000 + m.size % 3000 + 900, 1);
            }
            break;
        }
        case R_CLOUD_TO_ONPREM:
            trk_inbound_from_exo(&s, t, &m, m.t0 + 2000, m.msgid, m.netid, m.sender, m.subject, m.size, 1);
            break;
        case R_ONPREM_INTERNAL:
            trk_submission(&s, t, &m, 0);
            break;
        default:
            break;
        }
        if (t->rows > before)
            t->messages++;
        k++;
    }
    stream_drain(&s);
    t->k_end = k;
}

/* ------------------------------------------------------------------ */
/* Exchange Online message trace (Get-MessageTraceV2 | Export-Csv)      */

struct trace_truth {
    uint64_t rows, messages, from_gateway_rows, backdoor_messages, notify_messages, direct_ndr_messages, k_end;
};

/* en-US culture, as Export-Csv writes a DateTime: M/d/yyyy h:mm:ss tt. The
 * times are UTC ("The time stamps on the output are in UTC time format",
 * Get-MessageTraceV2 documentation). */
static void fmt_en_us(int64_t t_ms, char *buf, size_t n)
{
    time_t s = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    int h = tm.tm_hour % 12;
    snprintf(buf, n, "%d/%d/%d %d:%02d:%02d %s", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, h ? h : 12, tm.tm_min,
             tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
}

static void trace_row(struct stream *s, struct trace_truth *t, int64_t ts, const char *msgid, const char *sender,
                      const char *rcpt, const char *subject, const char *status, const char *to_ip, const char *from_ip,
                      int size, const char *netid, uint64_t index)
{
    char recv[40], start[40], end[40], sz[16], idx[24], mid[140];
    fmt_en_us(ts, recv, sizeof recv);
    int64_t day = ts - ts % 86400000;
    fmt_en_us(day - 86400000 * 2, start, sizeof start);
    fmt_en_us(day + 86400000 * 8, end, sizeof end);
    snprintf(sz, sizeof sz, "%d", size);
    snprintf(idx, sizeof idx, "%" PRIu64, index % 5000);
    snprintf(mid, sizeof mid, "<%s>", msgid);
    /* Export-Csv -NoTypeInformation quotes every field (Windows PowerShell 5.1). */
    const char *v[] = {"outlook.office365.com",
                       "6f1d2c3b-4a59-4e87-9d10-2b3c4d5e6f70",
                       "False",
                       ORG_TENANT,
                       mid,
                       recv,
                       sender,
                       rcpt,
                       subject,
                       status,
                       to_ip,
                       from_ip,
                       sz,
                       netid,
                       start,
                       end,
                       idx};
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(v); i++) {
        if (i)
            line[n++] = ',';
        line[n++] = '"';
        for (const char *p = v[i]; *p && n + 4 < sizeof line; p++) {
            if (*p == '"')
                line[n++] = '"';
            line[n++] = *p;
        }
        line[n++] = '"';
    }
    line[n] = '\0';
    stream_push(s, ts, line);
    t->rows++;
    if (!strcmp(from_ip, gw_public_ip[0]) || !strcmp(from_ip, gw_public_ip[1]))
        t->from_gateway_rows++;
}

static const char *trace_status(const struct msg *m)
{
    return m->spam == 1 ? "FilteredAsSpam" : m->spam == 2 ? "Quarantined" : "Delivered";
}

static void gen_trace(uint64_t seed, uint64_t target, FILE *f, struct trace_truth *t)
{
    fputs(
        "\xEF\xBB\xBF\"PSComputerName\",\"RunspaceId\",\"PSShowComputerName\",\"Organization\",\"MessageId\","
        "\"Received\","
        "\"SenderAddress\",\"RecipientAddress\",\"Subject\",\"Status\",\"ToIP\",\"FromIP\",\"Size\",\"MessageTraceId\","
        "\"StartDate\",\"EndDate\",\"Index\"\n",
        f);
    struct stream s = {.f = f};
    struct msg m;
    uint64_t k = 0;
    while (t->rows < target) {
        make_msg(seed, k, &m);
        stream_flush_before(&s, m.t0);
        uint64_t before = t->rows;
        int64_t ts = m.t0 + 1000 + (int64_t)(m.k % 700);
        switch (m.route) {
        case R_IN_GW: {
            if (m.fate == F_DEFER_SENT)
                ts += m.defer_ms + 600;
            for (int i = 0; i < m.nrcpt; i++) {
                if ((m.fate == F_BOUNCE_ONE || m.fate == F_ATTRIBUTION) && i == m.bounce_idx)
                    continue; /* refused at RCPT: never entered the tenant */
                trace_row(&s, t, ts, m.msgid, m.sender, m.rcpt[i], m.subject, trace_status(&m),
                          m.onprem[i] ? ONPREM_PUBLIC_IP : "", gw_public_ip[m.gw], m.size + 700, m.netid, t->rows);
            }
            break;
        }
        case R_OUT_GW:
            if (m.fate == F_BOUNCE_ONE)
                trace_row(&s, t, ts + 3000, m.ndr_msgid, "", m.sender, "Undelivered Mail Returned to Sender",
                          "Delivered", ONPREM_PUBLIC_IP, gw_public_ip[m.gw], 4000 + m.size % 3000 + 900, m.ndr_netid,
                          t->rows);
            break;
        case R_BACKDOOR:
            trace_row(&s, t, ts, m.msgid, m.sender, m.rcpt[0], m.subject, trace_status(&m),
                      m.onprem[0] ? ONPREM_PUBLIC_IP : "", m.client_ip, m.size, m.netid, t->rows);
            t->backdoor_messages++;
            break;
        case R_NOTIFY:
            trace_row(&s, t, ts, m.msgid, m.sender, m.rcpt[0], m.subject, "Delivered",
                      m.onprem[0] ? ONPREM_PUBLIC_IP : "", m.client_ip, m.size, m.netid, t->rows);
            t->notify_messages++;
            break;
        case R_DIRECT_NDR:
            trace_row(&s, t, ts, m.msgid, "", m.rcpt[0], m.subject, "Delivered", m.onprem[0] ? ONPREM_PUBLIC_IP : "",
                      m.client_ip, 9000 + m.size % 5000, m.netid, t->rows);
            t->direct_ndr_messages++;
            break;
        case R_CLOUD_INTERNAL:
        case R_CLOUD_TO_ONPREM:
            for (int i = 0; i < m.nrcpt; i++)
                trace_row(&s, t, ts, m.msgid, m.sender, m.rcpt[i], m.subject, "Delivered",
                          m.onprem[i] ? ONPREM_PUBLIC_IP : "", "", m.size, m.netid, t->rows);
            break;
        default:
            break;
        }
        if (t->rows > before)
            t->messages++;
        k++;
    }
    stream_drain(&s);
    t->k_end = k;
}

/* ------------------------------------------------------------------ */
/* shared Message-IDs: what a join of the two files must find           */

/* Distinct Message-IDs in both mail.log and the trace: gateway-relayed
 * messages that entered the tenant, and gateway NDRs of outbound mail. */
static uint64_t shared_pf_trace(uint64_t seed, uint64_t k_end)
{
    uint64_t n = 0;
    struct msg m;
    for (uint64_t k = 0; k < k_end; k++) {
        make_msg(seed, k, &m);
        if (m.route == R_IN_GW && !(m.nrcpt == 1 && (m.fate == F_BOUNCE_ONE || m.fate == F_ATTRIBUTION)))
            n++;
        else if (m.route == R_OUT_GW && m.fate == F_BOUNCE_ONE)
            n++;
    }
    return n;
}

/* Distinct Message-IDs in both mail.log and the tracking log. */
static uint64_t shared_pf_trk(uint64_t seed, uint64_t k_end)
{
    uint64_t n = 0;
    struct msg m;
    for (uint64_t k = 0; k < k_end; k++) {
        make_msg(seed, k, &m);
        if (m.route == R_OUT_GW) {
            n++;
            if (m.fate == F_BOUNCE_ONE)
                n++;
        } else if (m.route == R_IN_GW && m.fate != F_BOUNCE_ONE && m.fate != F_ATTRIBUTION) {
            for (int i = 0; i < m.nrcpt; i++)
                if (m.onprem[i]) {
                    n++;
                    break;
                }
        }
    }
    return n;
}

/* ------------------------------------------------------------------ */

static FILE *open_out(const char *dir, const char *name, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "mxbench-gen: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    static char *bufs[8];
    static int nb;
    if (nb < 8) {
        bufs[nb] = xmalloc(1 << 20);
        setvbuf(f, bufs[nb++], _IOFBF, 1 << 20);
    }
    return f;
}

static int close_out(FILE *f, const char *path)
{
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "mxbench-gen: writing %s failed\n", path);
        return -1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: mxbench-gen [--seed N] [--postfix-lines N] [--msgtrk-rows N] [--trace-rows N] --out DIR\n"
                 "\n"
                 "Writes DIR/mail.log (Postfix gateways), DIR/MSGTRK2026110200-1.LOG (Exchange\n"
                 "tracking log), DIR/exo-trace.csv (Get-MessageTraceV2 | Export-Csv),\n"
                 "DIR/mxaudit.conf and DIR/truth.txt. The same seed gives the same bytes.\n"
                 "Defaults: seed 9, 1000000 Postfix lines, 1000000 tracking rows, 200000 trace rows.\n");
}

static int parse_count(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed = 9, pf_lines = 1000000, trk_rows = 1000000, trace_rows = 200000;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t *dst = !strcmp(a, "--seed")            ? &seed
                        : !strcmp(a, "--postfix-lines") ? &pf_lines
                        : !strcmp(a, "--msgtrk-rows")   ? &trk_rows
                        : !strcmp(a, "--trace-rows")    ? &trace_rows
                                                        : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--out") && i + 1 < argc) {
            dir = argv[++i];
            continue;
        }
        if (!dst || i + 1 >= argc || parse_count(argv[++i], dst) != 0) {
            usage(stderr);
            return 2;
        }
    }
    if (!dir) {
        usage(stderr);
        return 2;
    }
    mkdir(dir, 0777);

    char path[4096];
    struct pf_truth pf = {0};
    struct trk_truth trk = {0};
    struct trace_truth tr = {0};
    FILE *f;

    if (!(f = open_out(dir, "mail.log", path, sizeof path)))
        return 1;
    gen_postfix(seed, pf_lines, f, &pf);
    if (close_out(f, path))
        return 1;
    if (!(f = open_out(dir, "MSGTRK2026110200-1.LOG", path, sizeof path)))
        return 1;
    gen_msgtrk(seed, trk_rows, f, &trk);
    if (close_out(f, path))
        return 1;
    if (!(f = open_out(dir, "exo-trace.csv", path, sizeof path)))
        return 1;
    gen_trace(seed, trace_rows, f, &tr);
    if (close_out(f, path))
        return 1;

    if (!(f = open_out(dir, "mxaudit.conf", path, sizeof path)))
        return 1;
    fprintf(f,
            "; mxaudit.conf for the benchmark's generated organisation (bench/gen.c).\n"
            "[organization]\n"
            "domains = %s, %s\n"
            "\n"
            "[gateway]\n"
            "ips = %s, %s\n"
            "hosts = %s.%s, %s.%s\n"
            "\n"
            "[onprem]\n"
            "ips = 10.0.0.0/16, %s\n",
            ORG_DOMAIN, ORG_TENANT, gw_public_ip[0], gw_public_ip[1], gw_name[0], ORG_DOMAIN, gw_name[1], ORG_DOMAIN,
            ONPREM_PUBLIC_IP);
    if (close_out(f, path))
        return 1;

    uint64_t kmin_t = pf.k_end < tr.k_end ? pf.k_end : tr.k_end;
    uint64_t kmin_m = pf.k_end < trk.k_end ? pf.k_end : trk.k_end;
    if (!(f = open_out(dir, "truth.txt", path, sizeof path)))
        return 1;
    fprintf(f,
            "# ground truth of mxbench-gen --seed %" PRIu64 " --postfix-lines %" PRIu64 " --msgtrk-rows %" PRIu64
            " --trace-rows %" PRIu64 "\n",
            seed, pf_lines, trk_rows, trace_rows);
    fprintf(f,
            "postfix_lines=%" PRIu64 "\npostfix_sessions=%" PRIu64 "\npostfix_messages=%" PRIu64
            "\npostfix_ndrs=%" PRIu64 "\npostfix_deliveries=%" PRIu64 "\npostfix_sent=%" PRIu64
            "\npostfix_deferred=%" PRIu64 "\npostfix_bounced=%" PRIu64 "\npostfix_exo_accepted=%" PRIu64
            "\npostfix_attribution=%" PRIu64 "\npostfix_rejects=%" PRIu64 "\npostfix_noqueue_rejects=%" PRIu64
            "\npostfix_inbound=%" PRIu64 "\npostfix_outbound=%" PRIu64 "\npostfix_k_end=%" PRIu64 "\n",
            pf.lines, pf.sessions, pf.messages, pf.ndrs, pf.deliveries, pf.sent, pf.deferred, pf.bounced,
            pf.exo_accepted, pf.attribution, pf.rejects, pf.noqueue_rejects, pf.messages_by_route[R_IN_GW],
            pf.messages_by_route[R_OUT_GW], pf.k_end);
    fprintf(f,
            "msgtrk_rows=%" PRIu64 "\nmsgtrk_recipients=%" PRIu64 "\nmsgtrk_messages=%" PRIu64
            "\nmsgtrk_message_ids=%" PRIu64 "\nmsgtrk_receive=%" PRIu64 "\nmsgtrk_deliver=%" PRIu64
            "\nmsgtrk_send=%" PRIu64 "\nmsgtrk_k_end=%" PRIu64 "\n",
            trk.rows, trk.recipients, trk.messages, trk.message_ids, trk.rows_by_event_receive,
            trk.rows_by_event_deliver, trk.rows_by_event_send, trk.k_end);
    fprintf(f,
            "trace_rows=%" PRIu64 "\ntrace_messages=%" PRIu64 "\ntrace_from_gateway_rows=%" PRIu64
            "\ntrace_backdoor_messages=%" PRIu64 "\ntrace_notify_messages=%" PRIu64
            "\ntrace_direct_ndr_messages=%" PRIu64 "\ntrace_k_end=%" PRIu64 "\n",
            tr.rows, tr.messages, tr.from_gateway_rows, tr.backdoor_messages, tr.notify_messages,
            tr.direct_ndr_messages, tr.k_end);
    fprintf(f, "shared_msgid_postfix_trace=%" PRIu64 "\nshared_msgid_postfix_msgtrk=%" PRIu64 "\n",
            shared_pf_trace(seed, kmin_t), shared_pf_trk(seed, kmin_m));
    fprintf(f, "routes=");
    for (int i = 0; i < R_COUNT; i++)
        fprintf(f, "%s%s", i ? "," : "", route_names[i]);
    fputc('\n', f);
    if (close_out(f, path))
        return 1;
    return 0;
}
