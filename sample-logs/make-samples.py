#!/usr/bin/env python3
"""Regenerate the mxaudit sample logs in this directory.

The samples describe three days (2026-11-23 .. 2026-11-25) of mail flow at two
fictional companies; README.md (also written by this script) tells the story
and lists the expected findings.  Every message is defined once below and then
rendered into each log that would have seen it, so Message-IDs, queue ids,
sizes and UTC/CET times agree across files.

The script is deterministic: a fixed seed drives every "random" value, so two
runs give byte-identical files (the .gz also needs the same gzip build).

    python3 make-samples.py            # writes next to this script
    python3 make-samples.py /tmp/out   # writes somewhere else

Needs Python 3.8+ and gzip(1) (falls back to Python's gzip module).
"""

import gzip
import io
import random
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261123
RNG = random.Random(SEED)

UTC = timezone.utc
CET = timezone(timedelta(hours=1), "CET")  # Europe/Berlin in late November

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


# ---------------------------------------------------------------------------
# time and id helpers
# ---------------------------------------------------------------------------

def cet(day, hms):
    """Local (CET) time on 2026-11-<day>; hms is 'HH:MM:SS[.ffffff]'."""
    t = datetime.strptime(hms, "%H:%M:%S.%f" if "." in hms else "%H:%M:%S")
    return datetime(2026, 11, day, t.hour, t.minute, t.second, t.microsecond, CET)


def utc(day, hms):
    t = datetime.strptime(hms, "%H:%M:%S.%f" if "." in hms else "%H:%M:%S")
    return datetime(2026, 11, day, t.hour, t.minute, t.second, t.microsecond, UTC)


def sec(x):
    return timedelta(seconds=x)


def jitter(a, b):
    return timedelta(seconds=round(RNG.uniform(a, b), 6))


def ts_syslog(dt):
    d = dt.astimezone(CET)
    return f"{MONTHS[d.month - 1]} {d.day:2d} {d:%H:%M:%S}"


def ts_rfc3339(dt):
    return dt.astimezone(CET).isoformat(timespec="microseconds")


def ts_exch(dt):
    d = dt.astimezone(UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond // 1000:03d}Z"


def ts_dede(dt):
    return f"{dt.astimezone(UTC):%d.%m.%Y %H:%M:%S}"


def ts_es(dt):
    d = dt.astimezone(UTC)
    return f"{d:%Y-%m-%dT%H:%M:%S}.{d.microsecond * 10:07d}Z"


def ticks(dt):
    """.NET DateTime ticks (100 ns since 0001-01-01 UTC)."""
    delta = dt.astimezone(UTC) - datetime(1, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def hexstamp(dt):
    """The 16-hex-digit value at the end of Exchange Online replies."""
    return f"{ticks(dt - sec(RNG.uniform(40_000, 200_000))) + RNG.randrange(1 << 20):016X}"


def comb_guid(dt):
    """GUID whose last group is the upper 48 bits of the ticks of dt, the way
    Exchange network-message-ids and log-ids look (e.g. ...-08da9a4ff8da)."""
    r = RNG.getrandbits(80)
    h = f"{r:020x}"
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{ticks(dt) >> 16:012x}"


def guid():
    h = f"{RNG.getrandbits(128):032x}"
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


def hexs(n, upper=True):
    s = "".join(RNG.choice("0123456789abcdef") for _ in range(n))
    return s.upper() if upper else s


SAFE = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"  # Postfix safe_chars


def safe_enc(val, base, pad):
    out = ""
    while val:
        out = SAFE[val % base] + out
        val //= base
    return out.rjust(pad, "0")


def qid_short(dt):
    """enable_long_queue_ids = no: 5 hex digits of microseconds + inode in hex."""
    return f"{dt.microsecond:05X}{RNG.randrange(0x10000, 0xFFFFF):X}"


def qid_long(dt):
    """enable_long_queue_ids = yes: base52 seconds, base52 usec, 'z', base51 inode."""
    epoch = int(dt.astimezone(UTC).timestamp())
    return (safe_enc(epoch, 52, 6) + safe_enc(dt.microsecond, 52, 4) + "z"
            + safe_enc(RNG.randrange(400_000, 3_000_000), 51, 0))


def fmt_delay(x):
    """Postfix format_tv(): 2 significant digits, 10 ms resolution, integral >= 100 s."""
    x = round(x, 2)
    if x <= 0:
        return "0"
    if x >= 10:
        return str(int(round(x)))
    s = f"{x:.1f}" if x >= 1 else f"{x:.2f}"
    return s.rstrip("0").rstrip(".")


def outlook_msgid(server, region):
    return f"<{server}{hexs(25)}@{server}.{region}.PROD.OUTLOOK.COM>"


def exch_msgid(host):
    return f"<{hexs(32, upper=False)}@{host}>"


# ---------------------------------------------------------------------------
# Exchange Online reply texts (as seen by the SMTP client)
# ---------------------------------------------------------------------------

A_FOREST = ["AS8PR04MB8247", "DB9PR04MB9426", "AM9PR04MB8571", "PAXPR04MB8459", "DU0PR04MB9299"]
B_FOREST = ["AM8PR03MB7821", "DB7PR03MB4972", "VI1PR03MB6153"]
LITWARE_FOREST = ["GV1PR06MB8736", "AS2PR06MB9110"]
FRONTENDS = ["AM4PEPF00027A6C", "DB1PEPF000509E8", "AMS0EPF000001B2", "DU2PEPF00028D13",
             "AM3PEPF0000A78F", "DB5PEPF00014B95", "AMS1EPF00000049"]


def exo_250(msgid, nbytes, forest, region, secs):
    host = f"{RNG.choice(forest)}.{region}.prod.outlook.com"
    iid = RNG.randrange(10**12, 9 * 10**14)
    kbps = nbytes / 1024 / secs
    return (f"250 2.6.0 {msgid} [InternalId={iid}, Hostname={host}] {nbytes} bytes in "
            f"{secs:.3f}, {kbps:.3f} KB/sec Queued mail for delivery")


def intra_org_250(msgid, nbytes, host):
    """Reply of the mailbox transport delivery service to the hub (same form as Exchange Online's)."""
    secs = RNG.uniform(0.02, 0.06) + nbytes / 40_000_000
    return (f"250 2.6.0 {msgid} [InternalId={RNG.randrange(10**12, 10**13)}, Hostname={host}] {nbytes} bytes in "
            f"{secs:.3f}, {nbytes / 1024 / secs:.3f} KB/sec Queued mail for delivery")


def exo_stamp(t):
    fe = RNG.choice(FRONTENDS)
    region = RNG.choice(["eurprd03", "eurprd04", "eurprd05"])
    return f"[{fe}.{region}.prod.outlook.com {ts_exch(t)} {hexstamp(t)}]"


def attr35(t):
    # learn.microsoft.com/exchange/troubleshoot/email-delivery/wrong-office-365-region-exo
    return ("451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information "
            "please go to https://go.microsoft.com/fwlink/?linkid=865268 " + exo_stamp(t))


def tenant_attr(t):
    # learn.microsoft.com/exchange/troubleshoot/email-delivery/ndr/relay-access-denied-smtp
    return "550 5.7.64 TenantAttribution; Relay Access Denied " + exo_stamp(t)


# ---------------------------------------------------------------------------
# Postfix log model
# ---------------------------------------------------------------------------

class Proc:
    """One Postfix daemon process instance (an smtpd session, an smtp delivery...)."""

    def __init__(self, prog, start):
        self.prog, self.start, self.end, self.pid = prog, start, start, None


class Postfix:
    """Collects the syslog lines of one Postfix host.  Pids are handed out at
    render time in time order: a daemon keeps its pid while it is reused within
    max_idle (100 s), concurrent sessions get different pids."""

    def __init__(self, host, ip, fqdn, long_ids, first_pid, fixed):
        self.host, self.ip, self.fqdn, self.long_ids = host, ip, fqdn, long_ids
        self.lines = []          # (datetime, order, Proc, text)
        self.procs = []
        self.first_pid = first_pid
        self.fixed = fixed       # long-running daemons: program -> pid

    def proc(self, prog, t):
        p = Proc(prog, t)
        self.procs.append(p)
        return p

    def log(self, t, who, text):
        p = who if isinstance(who, Proc) else self.proc(who, t)
        p.end = max(p.end, t)
        self.lines.append((t, len(self.lines), p, text))

    def qid(self, t):
        return qid_long(t) if self.long_ids else qid_short(t)

    def _assign_pids(self):
        rng = random.Random(f"{SEED}-{self.host}")
        nxt = self.first_pid
        pools = {}
        for p in sorted(self.procs, key=lambda p: p.start):
            if p.prog in self.fixed:
                p.pid = self.fixed[p.prog]
                continue
            pool = pools.setdefault(p.prog, [])
            idle = [s for s in pool if s[1] <= p.start and (p.start - s[1]).total_seconds() < 100]
            if idle:
                slot = max(idle, key=lambda s: s[1])
            else:
                nxt += rng.randrange(3, 60)
                slot = [nxt, p.start]
                pool.append(slot)
            slot[1] = p.end
            p.pid = slot[0]

    def render(self, style, day=None):
        self._assign_pids()
        out = []
        for t, _, p, text in sorted(self.lines, key=lambda x: (x[0], x[1])):
            if day is not None and t.astimezone(CET).day != day:
                continue
            stamp = ts_rfc3339(t) if style == "rfc3339" else ts_syslog(t)
            out.append(f"{stamp} {self.host} {p.prog}[{p.pid}]: {text}\n")
        return "".join(out)


def spf_line(pf, t, result, ip, helo, mail_from):
    ident = "helo" if mail_from == "" else "mailfrom"
    env = mail_from if mail_from else "<>"
    pf.log(t, "policyd-spf", f"prepend Received-SPF: {result} ({ident}) identity={ident}; client-ip={ip}; "
                             f"helo={helo}; envelope-from={env}; receiver=<UNKNOWN>")


def smtpd_session(pf, t, client, ip, helo, mail_from, rcpts, msgid, size, *, tls=True,
                  bdat=False, spf="Pass", dkim=True, unknown_host=False):
    """An accepted SMTP session; returns (qid, arrival = client= time, time qmgr picked it up)."""
    cname = "unknown" if unknown_host else client
    pid = pf.proc("postfix/smtpd", t)
    if unknown_host:
        pf.log(t, pid, f"warning: hostname {client} does not resolve to address {ip}: "
                                   f"Name or service not known")
    pf.log(t, pid, f"connect from {cname}[{ip}]")
    t1 = t + jitter(0.08, 0.3)
    if tls:
        if client.endswith("outbound.protection.outlook.com") or client.startswith("nwex01"):
            proto = "TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)"
        else:
            proto = ("TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
                     "server-signature RSA-PSS (2048 bits) server-digest SHA256")
        pf.log(t1, pid, f"Anonymous TLS connection established from {cname}[{ip}]: {proto}")
    t2 = t1 + jitter(0.1, 0.4)
    if spf:
        spf_line(pf, t2, spf, ip, helo, mail_from)
    t2 += jitter(0.002, 0.02)
    qid = pf.qid(t2)
    pf.log(t2, pid, f"{qid}: client={cname}[{ip}]")
    t3 = t2 + jitter(0.1, 0.3) + sec(size / 4_000_000)
    pf.log(t3, "postfix/cleanup", f"{qid}: message-id={msgid}")
    if dkim:
        pf.log(t3 + jitter(0.01, 0.05), "opendkim", f"{qid}: DKIM verification successful")
    t4 = t3 + jitter(0.05, 0.12)
    pf.log(t4, "postfix/qmgr", f"{qid}: from=<{mail_from}>, size={size}, nrcpt={len(rcpts)} (queue active)")
    counters = (f"ehlo=2 starttls=1 mail=1 rcpt={len(rcpts)} " if tls else f"ehlo=1 mail=1 rcpt={len(rcpts)} ")
    counters += "bdat=1 quit=1" if bdat else "data=1 quit=1"
    n = (2 if tls else 1) + (1 if tls else 0) + 1 + len(rcpts) + 2
    pf.log(t4 + jitter(0.01, 0.1), pid, f"disconnect from {cname}[{ip}] {counters} commands={n}")
    return qid, t2, t4


def smtp_relay(pf, qid, arrival, t_active, relay, relay_ip, results, nbytes, *, tls=True, d=None):
    """One delivery attempt.  results: list of (rcpt, dsn, status, reply).
    Returns the time of the last line."""
    b = RNG.uniform(0.003, 0.02)
    c = RNG.uniform(0.12, 0.45)
    if d is None:
        d = RNG.uniform(0.08, 0.3) + nbytes / 2_500_000
    t_conn = t_active + sec(b + c)
    pid = pf.proc("postfix/smtp", t_active)
    if tls:
        pf.log(t_conn, pid, f"Trusted TLS connection established to {relay}[{relay_ip}]:25: "
                                       f"TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)")
    t_end = t_active + sec(b + c + d)
    for rcpt, dsn, status, reply in results:
        a = (t_active - arrival).total_seconds()
        total = (t_end - arrival).total_seconds()
        pf.log(t_end, pid,
               f"{qid}: to=<{rcpt}>, relay={relay}[{relay_ip}]:25, delay={fmt_delay(total)}, "
               f"delays={fmt_delay(a)}/{fmt_delay(b)}/{fmt_delay(c)}/{fmt_delay(d)}, dsn={dsn}, "
               f"status={status} ({reply})")
    return t_end, d


def crlf_bytes(size):
    """Bytes on the wire for a Postfix queue file of `size` bytes (LF -> CRLF)."""
    return size + size // 68 + 18


# ---------------------------------------------------------------------------
# Exchange Online message trace / enhanced summary model
# ---------------------------------------------------------------------------

TRACE = []      # Get-MessageTraceV2 rows
ENHANCED = []   # historical search, enhanced summary rows (Nov 25 subset)


def exo_overhead():
    return RNG.randrange(4200, 7900)


def trace(received, sender, recipients, subject, status, size, msgid, *, fromip="", toip="",
          traceid=None, statuses=None):
    traceid = traceid or comb_guid(received)
    for i, r in enumerate(recipients):
        st = statuses[i] if statuses else status
        TRACE.append(dict(received=received + sec(0.004 * i), sender=sender, recipient=r, subject=subject,
                          status=st, toip=toip, fromip=fromip, size=size, msgid=msgid, traceid=traceid))
    return traceid


def enhanced(received, sender, rcpt_status, subject, size, msgid, netid, client_ip, direction, connector=""):
    ENHANCED.append(dict(ts=received, sender=sender, rs=rcpt_status, subject=subject, size=size,
                         msgid=msgid, netid=netid, ip=client_ip, dir=direction, conn=connector))


# ---------------------------------------------------------------------------
# Exchange Server message tracking model
# ---------------------------------------------------------------------------

FIELDS = ("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
          "source,event-id,internal-message-id,message-id,network-message-id,recipient-address,"
          "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
          "message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
          "original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,"
          "schema-version").split(",")


class Tracking:
    def __init__(self, version):
        self.version, self.rows = version, []

    def add(self, t, **kw):
        row = {f: "" for f in FIELDS}
        row["date-time"] = ts_exch(t)
        for k, v in kw.items():
            key = k.replace("_", "-")
            assert key in row, key
            row[key] = str(v)
        row["log-id"] = row["log-id"] or comb_guid(t)
        row["schema-version"] = self.version
        self.rows.append((t, len(self.rows), row))

    def render(self):
        def q(v):
            return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v
        created = min(t for t, _, _ in self.rows) - sec(0.004)   # the file is opened for its first event
        out = ["#Software: Microsoft Exchange Server", f"#Version: {self.version}",
               "#Log-type: Message Tracking Log", f"#Date: {ts_exch(created)}",
               "#Fields: " + ",".join(FIELDS)]
        for _, _, row in sorted(self.rows, key=lambda x: (x[0], x[1])):
            out.append(",".join(q(row[f]) for f in FIELDS))
        return "\ufeff" + "\r\n".join(out) + "\r\n"


class ExchangeServer:
    def __init__(self, name, fqdn, ip, forest, version):
        self.name, self.fqdn, self.ip, self.forest, self.version = name, fqdn, ip, forest, version
        self.imid = RNG.randrange(10**13, 3 * 10**13)

    def next_imid(self):
        self.imid += RNG.randrange(1, 9)
        return self.imid

    def session(self, t):
        """SMTP session id: counts up from the transport service start (Nov 21)."""
        start = datetime(2026, 11, 21, 3, 12, 44, 810000, UTC)
        sid = ticks(start) + int((t - start).total_seconds() * 3)
        return f"{sid:016X};{ts_exch(t)};0"

    def mdb_conn(self, t):
        return f"ServerMdbConnectionId:{ticks(t - sec(RNG.uniform(600, 30000))):016X}"

    def mdb_context(self, t, client_type, db, mbx, event, creation, extra=""):
        return (f"MDB:{db}, Mailbox:{mbx}, Event:{event}, MessageClass:IPM.Note, "
                f"CreationTime:{ts_exch(creation)}, ClientType:{client_type}, "
                f"SubmissionAssistant:MailboxTransportSubmissionEmailAssistant{extra}")

    def latency(self, t0, what):
        total = round(RNG.uniform(0.08, 0.6), 3)
        if what == "sub":
            sa = round(total * 0.4, 3)
            return f"{ts_exch(t0)};LSRV={self.fqdn}:TOTAL-SUB={total:.3f}|SA={sa:.3f}|MTSS={total - sa:.3f}"
        if what == "hub":
            smr, cat = round(total * 0.35, 3), round(total * 0.2, 3)
            return (f"{ts_exch(t0)};SRV={self.fqdn}:TOTAL-HUB={total:.3f}|SMR={smr:.3f}"
                    f"(SMRDE=0.003|SMRC={smr - 0.003:.3f}(SMRCL={smr - 0.012:.3f}|X-SMRCR={smr - 0.004:.3f}))"
                    f"|CAT={cat:.3f}(CATRESL=0.006|CATORES={cat - 0.011:.3f}(CATRS={cat - 0.012:.3f}"
                    f"(CATRS-Index Routing Agent={cat - 0.014:.3f})))|QDE=0.004|SMSC={total * 0.2:.3f}"
                    f"|SMS={total * 0.25:.3f}")
        fe = round(total * 0.1, 3)
        return (f"{ts_exch(t0)};SRV={self.fqdn}:TOTAL-FE={fe:.3f}|SMR={fe - 0.002:.3f}|SMS=0.002;"
                f"SRV={self.fqdn}:TOTAL-HUB={total:.3f}|SMR={total * 0.4:.3f}|CAT={total * 0.2:.3f}|QDM=0.006"
                f"|SMSC={total * 0.1:.3f}|SMS={total * 0.2:.3f}")


# ---------------------------------------------------------------------------
# The cast
# ---------------------------------------------------------------------------

A_DOM = "fabrikam.example"
A_ROUTING = "fabrikamexample.mail.onmicrosoft.com"
A_EXO_HOST = "fabrikam-example.mail.protection.outlook.com"
A_EXO_IPS = ["52.101.68.13", "52.101.68.14"]
A_HYBRID_HOST = "fabrikamexample.mail.protection.outlook.com"
A_HYBRID_IP = "52.101.68.29"
A_ONPREM_NAT = "198.51.100.30"
B_EXO_HOST = "northwind-example.mail.protection.outlook.com"
B_EXO_IP = "52.101.73.2"
B_RELAY_NAT_NEW = "203.0.113.45"

MX1 = Postfix("mx1", "198.51.100.25", "mx1.fabrikam.example", False, 21870,
              {"postfix/qmgr": 1043, "opendkim": 812})
MX2 = Postfix("mx2", "198.51.100.26", "mx2.fabrikam.example", True, 18240,
              {"postfix/qmgr": 1121, "opendkim": 797})
RELAY = Postfix("mailing", "10.20.0.25", "mailing.northwind.example", False, 31310, {"postfix/qmgr": 1187})

EX01 = ExchangeServer("EX01", "EX01.corp.fabrikam.example", "10.1.0.10", "corp.fabrikam.example", "15.02.1544.004")
NWEX01 = ExchangeServer("NWEX01", "NWEX01.corp.northwind.example", "10.20.0.5", "corp.northwind.example",
                        "15.01.2507.039")
EX01_MS = Tracking(EX01.version)      # MSGTRKMS2026112310-1.LOG  (mailbox submission)
EX01_HUB = Tracking(EX01.version)     # MSGTRK2026112410-1.LOG    (transport / hub)
EX01_MD = Tracking(EX01.version)      # MSGTRKMD2026112410-1.LOG  (mailbox delivery)
NWEX01_HUB = Tracking(NWEX01.version)  # B: MSGTRK2026112410-1.LOG

EX01_DB = "5b2e9c1d-7a44-4f0e-9d1b-3c6a8e2f4b17"
EX01_MBX = {"k.braun": "8e3f1a2b-44c9-4d7e-a1f0-6b9c2d3e4f51",
            "personal": "0c7d5e9a-1b2f-4a3c-8d4e-5f6a7b8c9d02"}
NW_DB = "a61c4f2e-93b7-4d08-b5e1-27f9c0d3e8a4"
NW_MBX = {"einkauf": "3d9b7e21-5c4a-4f6b-9e8d-1a2b3c4d5e6f", "m.keller": "c2f4e6a8-0b1d-4c3e-9f5a-7b8c9d0e1f23",
          "service": "7a1b3c5d-9e2f-4a6b-8c0d-2e4f6a8b0c1d", "a.becker": "e5d4c3b2-a1f0-4e9d-8c7b-6a5f4e3d2c1b",
          "h.brandt": "94f3e2d1-c0b9-4a8f-b7e6-d5c4b3a2f1e0"}

MSFT_HOSTS = {  # EXO outbound, as seen by an SMTP server in front of it
    "litware": ("mail-am6eur05on2107.outbound.protection.outlook.com", "40.107.22.107",
                "EUR05-AM6-obe.outbound.protection.outlook.com"),
    "northwind": ("mail-db8eur03on2102.outbound.protection.outlook.com", "40.107.21.102",
                  "EUR03-DB8-obe.outbound.protection.outlook.com"),
    "tailspin": ("mail-bn8nam12on2091.outbound.protection.outlook.com", "40.107.237.91",
                 "NAM12-BN8-obe.outbound.protection.outlook.com"),
    "tailspin2": ("mail-dm6nam12on2118.outbound.protection.outlook.com", "40.107.243.118",
                  "NAM12-DM6-obe.outbound.protection.outlook.com"),
}

NOTES = {}   # key -> dict with what README needs (msgid, qids, ...)


def note(key, **kw):
    NOTES.setdefault(key, {}).update(kw)


# ---------------------------------------------------------------------------
# Company A: inbound through the gateway (mx1 / mx2) into Exchange Online
# ---------------------------------------------------------------------------

def gateway_inbound(key, pf, t, client, ip, helo, mail_from, rcpts, subject, size, msgid, *,
                    tls=True, bdat=False, spf="Pass", dkim=True, unknown_host=False, trace_rcpts=None,
                    statuses=None, status="Delivered", toip="", es=False, trace_sender=None):
    qid, arrival, t_act = smtpd_session(pf, t, client, ip, helo, mail_from, rcpts, msgid, size, tls=tls,
                                        bdat=bdat, spf=spf, dkim=dkim, unknown_host=unknown_host)
    nbytes = crlf_bytes(size)
    relay_ip = RNG.choice(A_EXO_IPS)
    d = RNG.uniform(0.1, 0.35) + nbytes / 2_500_000
    reply = exo_250(msgid, nbytes, A_FOREST, "eurprd04", d * RNG.uniform(0.55, 0.8))
    results = [(r, "2.6.0", "sent", reply) for r in rcpts]
    t_end, _ = smtp_relay(pf, qid, arrival, t_act + jitter(0.001, 0.01), A_EXO_HOST, relay_ip, results, nbytes,
                          d=d)
    pf.log(t_end + jitter(0.0005, 0.003), "postfix/qmgr", f"{qid}: removed")
    received = t_end - jitter(0.05, 0.2)
    tsize = nbytes + exo_overhead()
    sender = trace_sender if trace_sender is not None else mail_from
    tid = trace(received, sender, trace_rcpts or rcpts, subject, status, tsize, msgid,
                fromip=pf.ip, toip=toip, statuses=statuses)
    if es:
        rs = ";".join(f"{r}##Receive, {'Expand' if (statuses and statuses[i] == 'Expanded') else 'Deliver'}"
                      for i, r in enumerate(trace_rcpts or rcpts))
        enhanced(received, sender, rs, subject, tsize, msgid, tid, pf.ip, "Incoming", "From Gateway")
    note(key, msgid=msgid, qid=qid, host=pf.host, t=t, received=received, size=size, tsize=tsize,
         sender=sender, subject=subject, fromip=pf.ip)
    return qid, received, tid


def noqueue_reject(pf, t, client, ip, helo, mail_from, rcpt, kind, unknown_host=False):
    cname = "unknown" if unknown_host else client
    pid = pf.proc("postfix/smtpd", t)
    pf.log(t, pid, f"connect from {cname}[{ip}]")
    t1 = t + jitter(0.3, 1.2)
    if kind != "rbl":
        pf.log(t + jitter(0.1, 0.25), pid, f"Anonymous TLS connection established from {cname}[{ip}]: TLSv1.3 with "
                                           f"cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 "
                                           f"server-signature RSA-PSS (2048 bits) server-digest SHA256")
    if kind == "rbl":
        text = (f"554 5.7.1 Service unavailable; Client host [{ip}] blocked using zen.spamhaus.org; "
                f"https://www.spamhaus.org/query/ip/{ip}")
    else:
        text = f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in relay recipient table"
    pf.log(t1, pid, f"NOQUEUE: reject: RCPT from {cname}[{ip}]: {text}; from=<{mail_from}> "
                                f"to=<{rcpt}> proto=ESMTP helo=<{helo}>")
    counters = "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" if kind == "rbl" else \
        "ehlo=2 starttls=1 mail=1 rcpt=0/1 quit=1 commands=5/6"
    if kind == "rbl" and RNG.random() < 0.5:
        counters = "ehlo=1 mail=1 rcpt=0/1 data=0/1 rset=1 quit=1 commands=4/6"
    pf.log(t1 + jitter(0.05, 0.3), pid, f"disconnect from {cname}[{ip}] {counters}")


def lost_connection(pf, t, ip):
    pid = pf.proc("postfix/smtpd", t)
    pf.log(t, pid, f"connect from unknown[{ip}]")
    pf.log(t + jitter(0.2, 0.9), pid, f"lost connection after CONNECT from unknown[{ip}]")
    pf.log(t + jitter(1.0, 1.2), pid, f"disconnect from unknown[{ip}] commands=0/0")


def anvil(pf, when, ip, rate=1, count=1, cache=1):
    """anvil reports the maxima anvil_status_update_time (600 s) after they occurred."""
    t = when + sec(600) + jitter(1.5, 2.5)
    w = ts_syslog(when)
    pid = pf.proc("postfix/anvil", t)
    pf.log(t, pid, f"statistics: max connection rate {rate}/60s for (smtp:{ip}) at {w}")
    pf.log(t, pid, f"statistics: max connection count {count} for (smtp:{ip}) at {w}")
    pf.log(t, pid, f"statistics: max cache size {cache} at {w}")


def scache(pf, t, domains_hits=0, miss=1):
    pid = pf.proc("postfix/scache", t)
    start = t - sec(RNG.randrange(100, 400))
    s = f"{MONTHS[10]} {start.astimezone(CET).day:2d} {start.astimezone(CET):%H:%M:%S}"
    pf.log(t, pid, f"statistics: start interval {s}")
    pct = int(100 * domains_hits / (domains_hits + miss))
    pf.log(t, pid, f"statistics: domain lookup hits={domains_hits} miss={miss} success={pct}%")
    pf.log(t, pid, f"statistics: address lookup hits=0 miss={miss + domains_hits} success=0%")
    pf.log(t, pid, "statistics: max simultaneous domains=1 addresses=1 connection=1")


def company_a_gateway():
    L = MSFT_HOSTS
    # ---- Monday, Nov 23 (mx1, mail.log.2.gz) ------------------------------------------
    gateway_inbound("G01", MX1, cet(23, "07:42:11.204518"), "mta12.news.proseware.example", "192.0.2.88",
                    "mta12.news.proseware.example", "bounce-1187-2231@news.proseware.example",
                    ["info@fabrikam.example"], "Proseware Newsletter 11/2026: Neuheiten im Sortiment", 48213,
                    f"<20261123064211.{hexs(12, False)}@news.proseware.example>")
    anvil(MX1, NOTES["G01"]["t"], "192.0.2.88")
    noqueue_reject(MX1, cet(23, "07:55:30.118"), "unknown", "192.0.2.199", "mail.promo-deals.example",
                   "info@promo-deals.example", "anna.schmidt@fabrikam.example", "rbl", unknown_host=True)
    gateway_inbound("G02", MX1, cet(23, "08:14:03.007122"), "mail.contoso.example", "192.0.2.30",
                    "mail.contoso.example", "r.alvarez@contoso.example", ["thomas.mueller@fabrikam.example"],
                    "Lieferschein 88231", 31877, f"<{guid()}@contoso.example>")
    gateway_inbound("G03", MX1, cet(23, "08:47:26.550103"), "mail.adatum.example", "203.0.113.60",
                    "mail.adatum.example", "a.kowalski@adatum.example",
                    ["einkauf@fabrikam.example", "claudia.wagner@fabrikam.example"],
                    "Angebot Verpackungsmaterial, Stand 23.11.", 402618,
                    f"<{hexs(8, False)}.{hexs(6, False)}@adatum.example>")
    scache(MX1, cet(23, "08:49:30.1"), 1, 2)
    h = L["litware"]
    gateway_inbound("G04", MX1, cet(23, "09:20:45.901337"), h[0], h[1], h[2], "no-reply@teams.mail.microsoft",
                    ["lena.fischer@fabrikam.example"], 'Jana Horák hat Sie in "Projekt Nordlicht" erwähnt',
                    61544, f"<{guid()}@teams.mail.microsoft>", bdat=True)
    noqueue_reject(MX1, cet(23, "11:02:17.632"), "mx01.wingtip.example", "192.0.2.41", "mx01.wingtip.example",
                   "info@wingtip.example", "m.schneider@fabrikam.example", "user")
    gateway_inbound("G06", MX1, cet(23, "11:40:02.448190"), "mx01.wingtip.example", "192.0.2.41",
                    "mx01.wingtip.example", "info@wingtip.example", ["vertrieb@fabrikam.example"],
                    "Anfrage Rahmenvertrag 2027", 27741, f"<{guid().upper()}@wingtip.example>",
                    trace_rcpts=["vertrieb@fabrikam.example", "markus.becker@fabrikam.example",
                                 "sabine.hoffmann@fabrikam.example"],
                    statuses=["Expanded", "Delivered", "Delivered"])
    anvil(MX1, NOTES["G06"]["t"], "192.0.2.41", rate=2)
    # contoso's own Postfix bounces a mail thomas.mueller sent at 12:58 CET (see company_a_exo)
    gateway_inbound("G07", MX1, cet(23, "13:12:40.120044"), "mail.contoso.example", "192.0.2.30",
                    "mail.contoso.example", "", ["thomas.mueller@fabrikam.example"],
                    "Undelivered Mail Returned to Sender", 38012,
                    "<20261123121240.6C2D83F0A1@mail.contoso.example>", dkim=False,
                    trace_sender="MAILER-DAEMON@mail.contoso.example")
    lost_connection(MX1, cet(23, "14:05:09.771"), "192.0.2.250")
    gateway_inbound("G08", MX1, cet(23, "14:31:55.310867"), "smtp.woodgrove.example", "192.0.2.120",
                    "smtp.woodgrove.example", "service@woodgrove.example", ["buchhaltung@fabrikam.example"],
                    "Kontoauszug November 2026", 88410, f"<{hexs(20)}.{RNG.randrange(10**6)}@woodgrove.example>")
    gateway_inbound("G09", MX1, cet(23, "15:48:21.008311"), "mail.deals-today.example", "192.0.2.177",
                    "mail.deals-today.example", "offers@deals-today.example", ["markus.becker@fabrikam.example"],
                    "Exklusives Angebot nur heute: 70% Rabatt", 19306,
                    f"<{hexs(16, False)}@deals-today.example>", unknown_host=True, spf="Softfail", dkim=False,
                    status="FilteredAsSpam")
    noqueue_reject(MX1, cet(23, "16:20:40.905"), "unknown", "192.0.2.203", "ylmf-pc",
                   "admin@fabrikam.example", "buchhaltung@fabrikam.example", "rbl", unknown_host=True)
    gateway_inbound("G10", MX1, cet(23, "17:05:33.612904"), "mail.lucernepub.example", "192.0.2.64",
                    "mail.lucernepub.example", "c.roth@lucernepub.example", ["anna.schmidt@fabrikam.example"],
                    "Korrekturfahnen Katalog 2027", 2166034, f"<{guid()}@lucernepub.example>")
    scache(MX1, cet(23, "17:08:02.4"), 0, 1)
    # the lines of this message straddle the rotation at midnight
    gateway_inbound("G11", MX1, cet(23, "23:59:59.302117"), "mx01.wingtip.example", "192.0.2.41",
                    "mx01.wingtip.example", "p.nguyen@wingtip.example", ["jonas.weber@fabrikam.example"],
                    "Re: Termin Donnerstag", 14872, f"<{guid().upper()}@wingtip.example>")
    # B's mail to A before B's NAT change: through B's tenant, out to A's MX (see company_b_relay)
    h = L["northwind"]
    b03 = NOTES["B03"]
    gateway_inbound("G05", MX1, b03["t_exo_out"], h[0], h[1], h[2], "t.schulz@northwind.example",
                    ["einkauf@fabrikam.example"], b03["subject"], b03["size_exo"], b03["msgid"], bdat=True)

    # ---- Tuesday, Nov 24 (mx1 -> mail.log.1, mx2 -> mail-rfc3339.log) -------------------
    gateway_inbound("G12", MX1, cet(24, "07:31:18.200914"), "mta03.billing.proseware.example", "192.0.2.89",
                    "mta03.billing.proseware.example", "invoice@billing.proseware.example",
                    ["buchhaltung@fabrikam.example"], "Rechnung RE-2026-11-4471", 73220,
                    f"<20261124063118.{hexs(12, False)}@billing.proseware.example>")
    noqueue_reject(MX1, cet(24, "07:48:02.443"), "unknown", "192.0.2.216", "WIN-5N8GBBS0R5I",
                   "payroll@fabrikam.example", "personal@fabrikam.example", "rbl", unknown_host=True)
    gateway_inbound("G13", MX2, cet(24, "08:12:44.091552"), "mail.adatum.example", "203.0.113.60",
                    "mail.adatum.example", "a.kowalski@adatum.example", ["einkauf@fabrikam.example"],
                    "AW: Angebot Verpackungsmaterial, Stand 23.11.", 35108,
                    f"<{hexs(8, False)}.{hexs(6, False)}@adatum.example>")
    h = L["tailspin"]
    gateway_inbound("G14", MX1, cet(24, "08:56:10.733019"), h[0], h[1], h[2], "h.yilmaz@tailspin.example",
                    ["markus.becker@fabrikam.example"], "Produktdaten Q1 2027", 512004,
                    outlook_msgid("BN8PR12MB3345", "NAMPRD12"), bdat=True)
    gateway_inbound("G15", MX2, cet(24, "09:34:27.504466"), "mail.alpineski.example", "2001:db8:5a1:10::25",
                    "mail.alpineski.example", "support@alpineski.example", ["it-service@fabrikam.example"],
                    "Ticket #44817 aktualisiert", 9214, f"<ticket-44817-3.{hexs(10, False)}@alpineski.example>")
    gateway_inbound("G16", MX1, cet(24, "10:05:51.118201"), "mail.contoso.example", "192.0.2.30",
                    "mail.contoso.example", "r.alvarez@contoso.example", ["thomas.mueller@fabrikam.example"],
                    "AW: Reklamation Lieferschein 88231", 24533, f"<{guid()}@contoso.example>")
    noqueue_reject(MX2, cet(24, "10:20:13.286"), "mail.lucernepub.example", "192.0.2.64",
                   "mail.lucernepub.example", "c.roth@lucernepub.example", "a.schmitt@fabrikam.example", "user")
    gateway_inbound("G17", MX2, cet(24, "11:18:09.921730"), "mail.lucernepub.example", "192.0.2.64",
                    "mail.lucernepub.example", "c.roth@lucernepub.example", ["anna.schmidt@fabrikam.example"],
                    "Freigabe Katalog", 20377, f"<{guid()}@lucernepub.example>")
    gateway_inbound("G18", MX1, cet(24, "12:44:30.402281"), "mx01.wingtip.example", "192.0.2.41",
                    "mx01.wingtip.example", "info@wingtip.example", ["vertrieb@fabrikam.example"],
                    "Nachtrag: Anfrage Rahmenvertrag 2027", 16950, f"<{guid().upper()}@wingtip.example>",
                    trace_rcpts=["vertrieb@fabrikam.example", "markus.becker@fabrikam.example",
                                 "sabine.hoffmann@fabrikam.example"],
                    statuses=["Expanded", "Delivered", "Delivered"])
    # an application for the HR mailbox, which still lives on EX01 on-premises
    gateway_inbound("G19", MX2, cet(24, "14:02:02.310095"), "mout.mailbox.example", "192.0.2.150",
                    "mout.mailbox.example", "m.oeztuerk@mailbox.example", ["personal@fabrikam.example"],
                    "Bewerbung als Fachkraft für Lagerlogistik", 1630551,
                    f"<{hexs(8, False)}-{hexs(4, False)}@mailbox.example>", toip=A_ONPREM_NAT)
    gateway_inbound("G20", MX1, cet(24, "15:15:47.880502"), "smtp.woodgrove.example", "192.0.2.120",
                    "smtp.woodgrove.example", "service@woodgrove.example", ["buchhaltung@fabrikam.example"],
                    "Zahlungsavis 24.11.2026", 40912, f"<{hexs(20)}.{RNG.randrange(10**6)}@woodgrove.example>")
    gateway_inbound("G21", MX2, cet(24, "16:52:03.447120"), "portal-mail.wingtip.example", "192.0.2.42",
                    "portal-mail.wingtip.example", "noreply@portal.wingtip.example", ["einkauf@fabrikam.example"],
                    "Ihr Zugang zum Lieferantenportal", 12806, f"<{guid()}@portal.wingtip.example>")
    lost_connection(MX1, cet(24, "17:30:44.102"), "192.0.2.251")
    anvil(MX2, NOTES["G21"]["t"], "192.0.2.42")

    # ---- Wednesday, Nov 25 (mx1 -> mail.log) --------------------------------------------
    gateway_inbound("G22", MX1, cet(25, "07:15:40.509933"), "mta12.news.proseware.example", "192.0.2.88",
                    "mta12.news.proseware.example", "bounce-1187-2290@news.proseware.example",
                    ["info@fabrikam.example"], "Proseware Newsletter 11/2026: Letzte Chance", 46990,
                    f"<20261125061540.{hexs(12, False)}@news.proseware.example>", es=True)
    gateway_inbound("G23", MX1, cet(25, "08:02:19.174625"), "mail.adatum.example", "203.0.113.60",
                    "mail.adatum.example", "a.kowalski@adatum.example",
                    ["einkauf@fabrikam.example", "jonas.weber@fabrikam.example"], "Lieferterminbestätigung",
                    58122, f"<{hexs(8, False)}.{hexs(6, False)}@adatum.example>", es=True)
    noqueue_reject(MX1, cet(25, "08:40:51.301"), "unknown", "192.0.2.199", "mail.promo-deals.example",
                   "info@promo-deals.example", "jonas.weber@fabrikam.example", "rbl", unknown_host=True)
    h = L["tailspin2"]
    gateway_inbound("G24", MX1, cet(25, "09:27:05.660412"), h[0], h[1], h[2], "h.yilmaz@tailspin.example",
                    ["markus.becker@fabrikam.example"], "RE: Produktdaten Q1 2027", 33187,
                    outlook_msgid("BN8PR12MB3345", "NAMPRD12"), bdat=True, es=True)
    gateway_inbound("G25", MX1, cet(25, "10:11:48.209377"), "mail.lucernepub.example", "192.0.2.64",
                    "mail.lucernepub.example", "c.roth@lucernepub.example", ["anna.schmidt@fabrikam.example"],
                    "Druckfreigabe erteilt", 18450, f"<{guid()}@lucernepub.example>", es=True)
    gateway_inbound("G26", MX1, cet(25, "11:36:22.885103"), "mail.alpineski.example", "2001:db8:5a1:10::25",
                    "mail.alpineski.example", "support@alpineski.example", ["it-service@fabrikam.example"],
                    "Ticket #44817 gelöst", 8877, f"<ticket-44817-5.{hexs(10, False)}@alpineski.example>")
    gateway_inbound("G27", MX1, cet(25, "13:03:57.421990"), "smtp.woodgrove.example", "192.0.2.120",
                    "smtp.woodgrove.example", "service@woodgrove.example", ["buchhaltung@fabrikam.example"],
                    "Kontoauszug 25.11.2026", 86604, f"<{hexs(20)}.{RNG.randrange(10**6)}@woodgrove.example>",
                    es=True)
    gateway_inbound("G28", MX1, cet(25, "14:49:10.055718"), "mail.contoso.example", "192.0.2.30",
                    "mail.contoso.example", "r.alvarez@contoso.example",
                    ["thomas.mueller@fabrikam.example", "claudia.wagner@fabrikam.example"],
                    "Terminvorschlag Lieferantengespräch", 29871, f"<{guid()}@contoso.example>", es=True)
    anvil(MX1, NOTES["G28"]["t"], "192.0.2.30")
    gateway_inbound("G29", MX1, cet(25, "16:20:33.734402"), "mx01.wingtip.example", "192.0.2.41",
                    "mx01.wingtip.example", "info@wingtip.example", ["vertrieb@fabrikam.example"],
                    "Rahmenvertrag 2027: Unterlagen", 221480, f"<{guid().upper()}@wingtip.example>",
                    trace_rcpts=["vertrieb@fabrikam.example", "markus.becker@fabrikam.example",
                                 "sabine.hoffmann@fabrikam.example"],
                    statuses=["Expanded", "Delivered", "Delivered"])
    noqueue_reject(MX1, cet(25, "17:45:26.640"), "mx01.wingtip.example", "192.0.2.41", "mx01.wingtip.example",
                   "p.nguyen@wingtip.example", "j.weber@fabrikam.example", "user")
    scache(MX1, cet(25, "16:23:40.0"), 0, 1)


# ---------------------------------------------------------------------------
# Company A: traffic that only Exchange Online (and EX01) saw
# ---------------------------------------------------------------------------

def cloud_msgid():
    return outlook_msgid(RNG.choice(A_FOREST), "EURPRD04")


def direct(key, received, sender, rcpts, subject, size, msgid, fromip, status="Delivered", statuses=None,
           es=False, kind=None):
    tid = trace(received, sender, rcpts, subject, status, size, msgid, fromip=fromip, statuses=statuses)
    if es:
        rs = ";".join(f"{r}##Receive, {'Expand' if (statuses and statuses[i] == 'Expanded') else 'Deliver'}"
                      for i, r in enumerate(rcpts))
        enhanced(received, sender, rs, subject, size, msgid, tid, fromip, "Incoming", "")
    note(key, msgid=msgid, received=received, sender=sender, subject=subject, fromip=fromip, tsize=size,
         kind=kind, rcpts=rcpts)
    return tid


def outbound(key, received, sender, rcpts, subject, size, toip, status="Delivered", es=False, msgid=None):
    msgid = msgid or cloud_msgid()
    tid = trace(received, sender, rcpts, subject, status, size, msgid, toip=toip)
    if es:
        rs = ";".join(f"{r}##Receive, Send" for r in rcpts)
        enhanced(received, sender, rs, subject, size, msgid, tid, "", "Originating", "")
    note(key, msgid=msgid, received=received, sender=sender, subject=subject, rcpts=rcpts, size=size)
    return msgid, tid


def internal(key, received, sender, rcpts, subject, size):
    msgid = cloud_msgid()
    trace(received, sender, rcpts, subject, "Delivered", size, msgid)
    note(key, msgid=msgid, received=received)


def company_a_exo():
    # ---- Nov 23 ----
    outbound("O02", utc(23, "08:05:12.481"), "anna.schmidt@fabrikam.example", ["c.roth@lucernepub.example"],
             "Katalog 2027 - Korrekturen bis Freitag?", 21407, "192.0.2.64")
    direct("D01", utc(23, "09:58:12.604"), "no-reply@teams.mail.microsoft", ["markus.becker@fabrikam.example"],
           "Sie haben verpasste Aktivitäten in Microsoft Teams", 58873, f"<{guid()}@teams.mail.microsoft>",
           "52.101.62.17", kind="notification_known")
    outbound("O01", utc(23, "11:58:20.930"), "thomas.mueller@fabrikam.example", ["b.hansen@contoso.example"],
             "Reklamation Lieferschein 88231", 33902, "192.0.2.30")
    direct("D02", utc(23, "13:27:44.052"), "rechnung@paypa1-konto.example", ["buchhaltung@fabrikam.example"],
           "Ihre Rechnung Nr. 2026-88412 ist überfällig", 24518, f"<{hexs(24, False)}@paypa1-konto.example>",
           "192.0.2.143", status="FilteredAsSpam", kind="bypassed_mx")
    internal("I01", utc(23, "14:10:33.287"), "claudia.wagner@fabrikam.example",
             ["anna.schmidt@fabrikam.example", "jonas.weber@fabrikam.example"], "Kantinenplan KW 49", 187340)

    # ---- Nov 24 ----
    direct("D05", utc(24, "08:30:19.377"), "no-reply@sharepointonline.com", ["lena.fischer@fabrikam.example"],
           'Markus Becker hat "Preisliste 2027.xlsx" für Sie freigegeben', 41276, f"<{guid()}@odspnotify>",
           "2a01:111:f403:c20a::7", kind="notification_known")
    internal("I02", utc(24, "09:02:51.640"), "lena.fischer@fabrikam.example", ["it-service@fabrikam.example"],
             "Drucker 2.OG defekt", 14220)
    outbound("O05", utc(24, "09:47:03.118"), "einkauf@fabrikam.example", ["a.kowalski@adatum.example"],
             "Bestellung 2026-1120", 96312, "203.0.113.60")
    outbound("O06", utc(24, "15:22:40.774"), "claudia.wagner@fabrikam.example", ["info@lucerne-pub.example"],
             "Anfrage Sonderdruck", 18776, "", status="Failed")

    # ---- Nov 25 ----
    direct("D07", utc(25, "09:03:44.829"), "noreply@planner.office365.com", ["thomas.mueller@fabrikam.example"],
           'Sie wurden der Aufgabe "Inventur Lager 3" zugewiesen', 67120, f"<{guid()}@planner.office365.com>",
           "40.107.20.84", es=True, kind="notification_known")
    direct("D08", utc(25, "10:30:26.113"), "no-reply@forms.office.com", ["claudia.wagner@fabrikam.example"],
           'Neue Antwort auf "Kundenzufriedenheit 2026"', 39954, f"<{guid()}@forms.office.com>",
           "52.101.87.33", es=True, kind="notification_unknown")
    outbound("O07", utc(25, "10:52:09.605"), "anna.schmidt@fabrikam.example", ["c.roth@lucernepub.example"],
             "AW: Druckfreigabe erteilt", 22315, "192.0.2.64", es=True)
    direct("D09", utc(25, "11:47:53.290"), "noreply@crm4.dynamics.com",
           ["vertrieb@fabrikam.example", "markus.becker@fabrikam.example", "sabine.hoffmann@fabrikam.example"],
           "Erinnerung: Verkaufschance Rahmenvertrag Wingtip fällig", 30502, f"<{guid()}@crm4.dynamics.com>",
           "40.107.23.57", statuses=["Expanded", "Delivered", "Delivered"], es=True, kind="notification_known")
    outbound("O08", utc(25, "12:14:37.950"), "markus.becker@fabrikam.example", ["h.yilmaz@tailspin.example"],
             "AW: RE: Produktdaten Q1 2027", 40981, "52.101.194.17", es=True)
    direct("D10", utc(25, "13:15:08.446"), "gewinn@lotto-service24.example", ["anna.schmidt@fabrikam.example"],
           "Gewinnbenachrichtigung: Ihr Gutschein über 500 €", 15309, f"<{hexs(16, False)}@lotto-service24.example>",
           "2001:db8:4f2:1::25", status="FilteredAsSpam", es=True, kind="bypassed_mx")
    internal("I03", utc(25, "13:40:19.004"), "thomas.mueller@fabrikam.example", ["claudia.wagner@fabrikam.example"],
             "Urlaubsvertretung 22.12.-2.1.", 12877)
    direct("D11", utc(25, "14:38:31.702"), "buchhaltung@fabrikam.example",
           ["jonas.weber@fabrikam.example", "thomas.mueller@fabrikam.example"], "Dringend: Zahlungsfreigabe heute",
           17744, f"<{hexs(12, False)}${hexs(8, False)}@fabrikam.example>", "192.0.2.211", status="Quarantined",
           kind="bypassed_mx")


# ---------------------------------------------------------------------------
# Company A: hybrid traffic and the on-prem back door (EX01)
# ---------------------------------------------------------------------------

def ex01_submit(t, who, rcpts, subject, msgid, size):
    """NOTIFYMAPI + SUBMIT rows in the mailbox submission log (MSGTRKMS)."""
    ctx = EX01.mdb_context(t, "MOMT", EX01_DB, EX01_MBX[who.split("@")[0]], RNG.randrange(4_100_000, 4_200_000),
                           t - sec(0.12 + RNG.uniform(0.02, 0.2)))
    entry = "S:ItemEntryId=00-00-00-00-" + "-".join(hexs(2) for _ in range(24))
    EX01_MS.add(t - sec(0.12), client_ip="fe80::5c1d:7e2a:91b4:3f10%4", client_hostname=EX01.name,
                source_context=ctx, source="STOREDRIVER", event_id="NOTIFYMAPI", sender_address=who,
                message_info=EX01.latency(t - sec(0.12), "sub"), custom_data=entry)
    EX01_MS.add(t, client_ip="fe80::5c1d:7e2a:91b4:3f10%4", client_hostname=EX01.fqdn,
                server_hostname=EX01.name, source_context=ctx + ", " + EX01.mdb_conn(t),
                source="STOREDRIVER", event_id="SUBMIT", message_id=msgid, recipient_address=";".join(rcpts),
                recipient_count=len(rcpts), message_subject=subject, sender_address=who, total_bytes=size,
                message_info=EX01.latency(t - sec(0.2), "sub"), directionality="Originating",
                custom_data=entry + ";S:DeliveryPriority=Normal;S:AccountForest=" + EX01.forest)


def ex01_hub_receive_storedriver(t, who, rcpts, subject, msgid, netid, size):
    ctx = EX01.mdb_context(t, "MOMT", EX01_DB, EX01_MBX[who.split("@")[0]], RNG.randrange(4_200_000, 4_300_000),
                           t - sec(0.3), extra=", " + EX01.mdb_conn(t))
    imid = EX01.next_imid()
    EX01_HUB.add(t, client_ip="fe80::5c1d:7e2a:91b4:3f10%4", client_hostname=EX01.fqdn,
                 server_ip="fe80::5c1d:7e2a:91b4:3f10%4", server_hostname=EX01.name, source_context=ctx,
                 source="STOREDRIVER", event_id="RECEIVE", internal_message_id=imid, message_id=msgid,
                 network_message_id=netid, recipient_address=";".join(rcpts),
                 recipient_status=";".join("To" for _ in rcpts), total_bytes=size, recipient_count=len(rcpts),
                 message_subject=subject, sender_address=who, return_path=who, message_info="04I: ",
                 directionality="Originating", original_client_ip="10.1.20.57",
                 original_server_ip="fe80::5c1d:7e2a:91b4:3f10%4",
                 custom_data=f"S:MailboxDatabaseGuid={EX01_DB};S:DeliveryPriority=Normal;"
                             f"S:AccountForest={EX01.forest}", transport_traffic_type="Email")
    return imid


def ex01_hub_receive_smtp(t, client_ip, client_host, sender, rcpts, subject, msgid, netid, size, *, from_entity,
                          direction):
    imid = EX01.next_imid()
    EX01_HUB.add(t, client_ip=EX01.ip, client_hostname=EX01.fqdn, server_ip=EX01.ip, server_hostname=EX01.name,
                 source_context=EX01.session(t - sec(0.4)), connector_id=f"{EX01.name}\\Default {EX01.name}",
                 source="SMTP", event_id="RECEIVE", internal_message_id=imid, message_id=msgid,
                 network_message_id=netid, recipient_address=";".join(rcpts),
                 recipient_status=";".join("250 2.1.5 Recipient OK" for _ in rcpts), total_bytes=size,
                 recipient_count=len(rcpts), message_subject=subject, sender_address=sender, return_path=sender,
                 message_info="0cA: ", directionality=direction, original_client_ip=client_ip,
                 original_server_ip=EX01.ip,
                 custom_data=f"S:ProxyHop1={EX01.fqdn}({EX01.ip});S:FirstForestHop={EX01.fqdn};"
                             f"S:FromEntity={from_entity};S:ProxiedClientIPAddress={client_ip};"
                             f"S:ProxiedClientHostname={client_host};S:DeliveryPriority=Normal;"
                             f"S:AccountForest={EX01.forest}", transport_traffic_type="Email")
    return imid


HYBRID_CONN = "Outbound to Office 365 - 1e9d3a7c-5b2f-4c11-9a0e-7d3f2b6c8e41"
HYBRID_INBOUND = "Inbound from 1e9d3a7c-5b2f-4c11-9a0e-7d3f2b6c8e41"


def ex01_send_to_exo(t, imid, sender, return_path, rcpts, subject, msgid, netid, size, origin):
    nbytes = size + RNG.randrange(900, 1500)
    secs = RNG.uniform(0.08, 0.3) + nbytes / 4_000_000
    reply = exo_250(msgid, nbytes, A_FOREST, "eurprd04", secs)
    EX01_HUB.add(t, client_ip=EX01.ip, client_hostname=EX01.name, server_ip=A_HYBRID_IP,
                 server_hostname=A_HYBRID_HOST, source_context=f";{reply};ClientSubmitTime:",
                 connector_id=HYBRID_CONN, source="SMTP", event_id="SENDEXTERNAL", internal_message_id=imid,
                 message_id=msgid, network_message_id=netid, recipient_address=";".join(rcpts),
                 recipient_status=";".join("250 2.1.5 Recipient OK" for _ in rcpts), total_bytes=size,
                 recipient_count=len(rcpts), message_subject=subject, sender_address=sender,
                 return_path=return_path, message_info=EX01.latency(origin, "hub"), directionality="Originating",
                 custom_data=f"S:E2ELatency={(t - origin).total_seconds():.3f};S:ExternalSendLatency={secs:.3f};"
                             f"S:MsgRecipCount={len(rcpts)};S:IncludeInSla=True;"
                             f"S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=DomainValidation;"
                             f"S:Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel=DomainValidation;"
                             f"S:IsSmtpResponseFromExternalServer=True;S:DeliveryPriority=Normal;"
                             f"S:AccountForest={EX01.forest}", transport_traffic_type="Email")
    return nbytes


def ex01_deliver_local(t, imid, sender, return_path, rcpt, subject, msgid, netid, size, origin, direction):
    """Hub SEND to the mailbox transport delivery service, then DELIVER (MSGTRKMD)."""
    reply = intra_org_250(msgid, size + 410, EX01.fqdn)
    EX01_HUB.add(t, client_ip=EX01.ip, client_hostname=EX01.name, server_ip=EX01.ip, server_hostname=EX01.fqdn,
                 source_context=f";{reply};ClientSubmitTime:", connector_id="Intra-Organization SMTP Send Connector",
                 source="SMTP", event_id="SEND", internal_message_id=imid, message_id=msgid,
                 network_message_id=netid, recipient_address=rcpt, recipient_status="250 2.1.5 Recipient OK",
                 total_bytes=size, recipient_count=1, message_subject=subject, sender_address=sender,
                 return_path=return_path, message_info=EX01.latency(origin, "hub"), directionality=direction,
                 custom_data=f"S:E2ELatency={(t - origin).total_seconds():.3f};S:MsgRecipCount=1;"
                             f"S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=False;"
                             f"S:DeliveryPriority=Normal;S:AccountForest={EX01.forest}",
                 transport_traffic_type="Email")
    td = t + jitter(0.15, 0.6)
    mbx = EX01_MBX[rcpt.split("@")[0]]
    EX01_MD.add(td, client_ip=EX01.ip, client_hostname=EX01.fqdn, server_ip=EX01.ip, server_hostname=EX01.name,
                source_context=EX01.session(td - sec(0.1)), source="STOREDRIVER", event_id="DELIVER",
                internal_message_id=RNG.randrange(10**12, 10**13), message_id=msgid, network_message_id=netid,
                recipient_address=rcpt, total_bytes=size + 410, recipient_count=1, message_subject=subject,
                sender_address=sender, return_path=return_path, message_info=EX01.latency(origin, "md"),
                directionality=direction,
                custom_data=f"S:Mailboxes={mbx};S:StoreObjectIds=Sy{hexs(6, False)}AAAAAAAA;"
                            f"S:MailboxDatabaseGuid={EX01_DB};S:DatabaseHealth=-1;S:DeliveryPriority=Normal;"
                            f"S:AccountForest={EX01.forest}", transport_traffic_type="Email")


def company_a_hybrid():
    # ---- Nov 23: submissions on EX01 (MSGTRKMS2026112310-1.LOG) ----
    m = exch_msgid(EX01.fqdn)
    ex01_submit(utc(23, "10:03:41.207"), "personal@fabrikam.example", ["k.braun@fabrikam.example"],
                "Einladung Personalgespräch", m, 8812)   # stays on-prem
    m = exch_msgid(EX01.fqdn)
    t = utc(23, "10:22:14.530")
    ex01_submit(t, "k.braun@fabrikam.example", ["anna.schmidt@fabrikam.example"], "Urlaubsplanung 2027", m, 26110)
    size = 26110 + 1380 + exo_overhead()
    trace(t + sec(1.61), "k.braun@fabrikam.example", [f"anna.schmidt@{A_ROUTING}"], "Urlaubsplanung 2027",
          "Delivered", size, m, fromip=A_ONPREM_NAT)
    note("H01", msgid=m, received=t + sec(1.61))
    m = exch_msgid(EX01.fqdn)
    t = utc(23, "15:40:05.118")
    ex01_submit(t, "personal@fabrikam.example", ["thomas.mueller@fabrikam.example", "k.braun@fabrikam.example"],
                "Gehaltsabrechnung Dezember, Termine", m, 54307)
    trace(t + sec(1.94), "personal@fabrikam.example", [f"thomas.mueller@{A_ROUTING}"],
          "Gehaltsabrechnung Dezember, Termine", "Delivered", 54307 + 1410 + exo_overhead(), m, fromip=A_ONPREM_NAT)
    note("H02", msgid=m, received=t + sec(1.94))

    # ---- Nov 24: hub transport (MSGTRK2026112410-1.LOG), delivery (MSGTRKMD2026112410-1.LOG) ----
    # H03: on-prem mailbox -> cloud mailbox over the hybrid send connector
    t = utc(24, "10:12:40.331")
    m, nid = exch_msgid(EX01.fqdn), comb_guid(t)
    subj = "Protokoll Teamrunde 24.11."
    imid = ex01_hub_receive_storedriver(t, "k.braun@fabrikam.example", ["lena.fischer@fabrikam.example"], subj, m,
                                        nid, 44180)
    ts = t + jitter(0.6, 1.1)
    nb = ex01_send_to_exo(ts, imid, "k.braun@fabrikam.example", "k.braun@fabrikam.example",
                          [f"lena.fischer@{A_ROUTING}"], subj, m, nid, 44180, t - sec(0.3))
    trace(ts - sec(0.05), "k.braun@fabrikam.example", [f"lena.fischer@{A_ROUTING}"], subj, "Delivered",
          nb + exo_overhead(), m, fromip=A_ONPREM_NAT, traceid=nid)
    note("H03", msgid=m, received=ts)

    # H05: the on-prem back door -- a scanning service still delivering to EX01's public IP
    t = utc(24, "10:18:12.904")
    m, nid = "<20261124101812.0004711.scan01@belegscan.example>", comb_guid(t)
    subj = "Scan Eingangsrechnungen 24.11.2026 (12 Belege)"
    imid = ex01_hub_receive_smtp(t, "192.0.2.77", "scan01.belegscan.example", "scan@belegscan.example",
                                 ["rechnungseingang@fabrikam.example"], subj, m, nid, 3871240,
                                 from_entity="Internet", direction="Incoming")
    ts = t + jitter(1.5, 2.5)
    nb = ex01_send_to_exo(ts, imid, "scan@belegscan.example", "scan@belegscan.example",
                          [f"rechnungseingang@{A_ROUTING}"], subj, m, nid, 3871240, t)
    trace(ts + sec(0.9), "scan@belegscan.example", [f"rechnungseingang@{A_ROUTING}"], subj, "Delivered",
          nb + exo_overhead(), m, fromip=A_ONPREM_NAT, traceid=nid)
    note("H05", msgid=m, received=t, exo_received=ts + sec(0.9), sender="scan@belegscan.example", subject=subj,
         fromip="192.0.2.77")

    # H04: cloud mailbox -> on-prem mailbox (EXO connects to EX01: hybrid, not an entry)
    t = utc(24, "10:55:31.087")
    m = cloud_msgid()
    subj = "AW: Protokoll Teamrunde 24.11."
    tid = trace(t - sec(1.2), "markus.becker@fabrikam.example", ["k.braun@fabrikam.example"], subj, "Delivered",
                31655, m, toip=A_ONPREM_NAT)
    imid = ex01_hub_receive_smtp(t, "40.107.22.72", "mail-am6eur05on2072.outbound.protection.outlook.com",
                                 "markus.becker@fabrikam.example", ["k.braun@fabrikam.example"], subj, m, tid, 31655,
                                 from_entity="Hosted", direction="Originating")
    ex01_deliver_local(t + jitter(0.3, 0.6), imid, "markus.becker@fabrikam.example", "markus.becker@fabrikam.example",
                       "k.braun@fabrikam.example", subj, m, tid, 31655, t - sec(1.2), "Originating")
    note("H04", msgid=m, received=t)

    # H06: k.braun mistypes an internal address; EX01 answers with an NDR of its own
    t = utc(24, "11:26:02.551")
    m, nid = exch_msgid(EX01.fqdn), comb_guid(t)
    subj = "Protokoll Teamrunde 24.11. (Nachtrag)"
    imid = ex01_hub_receive_storedriver(t, "k.braun@fabrikam.example", ["l.fisher@fabrikam.example"], subj, m, nid,
                                        19877)
    ndr_id = f"<{guid()}@{EX01.fqdn}>"
    tf = t + jitter(0.05, 0.12)
    EX01_HUB.add(tf, server_hostname=EX01.name, source="ROUTING", event_id="FAIL", internal_message_id=imid,
                 message_id=m, network_message_id=nid, recipient_address="l.fisher@fabrikam.example",
                 recipient_status="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", total_bytes=19877,
                 recipient_count=1, reference=ndr_id, message_subject=subj, sender_address="k.braun@fabrikam.example",
                 return_path="k.braun@fabrikam.example", message_info=ts_exch(t - sec(0.3)),
                 directionality="Originating",
                 custom_data=f"S:DeliveryPriority=Normal;S:AccountForest={EX01.forest}",
                 transport_traffic_type="Email")
    ndr_subj = "Unzustellbar: " + subj
    ndr_nid = comb_guid(tf)
    ndr_imid = EX01.next_imid()
    EX01_HUB.add(tf + sec(0.016), server_hostname=EX01.name, source="DSN", event_id="DSN",
                 internal_message_id=ndr_imid, message_id=ndr_id, network_message_id=ndr_nid,
                 recipient_address="k.braun@fabrikam.example", total_bytes=24319, recipient_count=1, reference=m,
                 message_subject=ndr_subj,
                 sender_address="MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@fabrikam.example",
                 return_path="<>", message_info=ts_exch(tf), directionality="Originating",
                 custom_data=f"S:DeliveryPriority=Normal;S:OriginalFromAddress=<>;S:AccountForest={EX01.forest}",
                 transport_traffic_type="Email")
    ex01_deliver_local(tf + jitter(0.2, 0.4), ndr_imid,
                       "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@fabrikam.example", "<>",
                       "k.braun@fabrikam.example", ndr_subj, ndr_id, ndr_nid, 24319, tf, "Originating")
    note("H06", msgid=m, ndr_msgid=ndr_id)

    # G19 continued: the application for personal@ reached EXO via mx2; EXO forwards it on-prem
    g = NOTES["G19"]
    t = g["received"] + jitter(1.0, 1.8)
    tid = [r for r in TRACE if r["msgid"] == g["msgid"]][0]["traceid"]
    imid = ex01_hub_receive_smtp(t, "40.107.22.91", "mail-am6eur05on2091.outbound.protection.outlook.com",
                                 "m.oeztuerk@mailbox.example", ["personal@fabrikam.example"], g["subject"],
                                 g["msgid"], tid, g["tsize"] + 2210, from_entity="Hosted", direction="Incoming")
    ex01_deliver_local(t + jitter(0.4, 0.9), imid, "m.oeztuerk@mailbox.example", "m.oeztuerk@mailbox.example",
                       "personal@fabrikam.example", g["subject"], g["msgid"], tid, g["tsize"] + 2210,
                       g["received"], "Incoming")
    note("G19", onprem_received=t)

    # ---- Nov 25: another hybrid message (only in EXO's view; no EX01 logs for that day) ----
    t = utc(25, "09:20:11.640")
    m = exch_msgid(EX01.fqdn)
    subj = "Übergabe Projektordner"
    size = 612455 + exo_overhead()
    tid = trace(t, "k.braun@fabrikam.example", [f"anna.schmidt@{A_ROUTING}"], subj, "Delivered", size, m,
                fromip=A_ONPREM_NAT)
    enhanced(t, "k.braun@fabrikam.example", f"anna.schmidt@{A_ROUTING}##Receive, Deliver", subj, size, m, tid,
             A_ONPREM_NAT, "Originating", HYBRID_INBOUND)
    note("H07", msgid=m, received=t)


# ---------------------------------------------------------------------------
# Company B: NWEX01 and the relay host mailing.northwind.example
# ---------------------------------------------------------------------------

def relay_in_from_nwex01(t, mail_from, rcpts, msgid, size):
    """NWEX01 hands a message to the relay; returns (qid, arrival, active)."""
    return smtpd_session(RELAY, t, "nwex01.corp.northwind.example", "10.20.0.5", "NWEX01.corp.northwind.example",
                         mail_from, rcpts, msgid, size, bdat=True, spf=None, dkim=False)


def relay_out(qid, arrival, t_act, msgid, size, rcpts, outcome, forest=B_FOREST, region="eurprd03"):
    """Deliver to EXO.  outcome: 'sent', 'attr35', 'tenant'.  Returns end time."""
    nbytes = crlf_bytes(size)
    results = []
    t_reply = t_act + sec(0.5)
    d = RNG.uniform(0.1, 0.3) + (nbytes / 2_500_000 if outcome == "sent" else 0)
    for r in rcpts:
        if outcome == "sent":
            if not results:
                reply = exo_250(msgid, nbytes, forest, region, d * RNG.uniform(0.55, 0.8))
            results.append((r, "2.6.0", "sent", reply))
        elif outcome == "attr35":
            results.append((r, "4.4.62", "deferred",
                            f"host {B_EXO_HOST}[{B_EXO_IP}] said: {attr35(t_reply)} (in reply to RCPT TO command)"))
        else:
            results.append((r, "5.7.64", "bounced",
                            f"host {B_EXO_HOST}[{B_EXO_IP}] said: {tenant_attr(t_reply)} "
                            f"(in reply to RCPT TO command)"))
    t_end, _ = smtp_relay(RELAY, qid, arrival, t_act, B_EXO_HOST, B_EXO_IP, results,
                          nbytes if outcome == "sent" else 0, d=d)
    return t_end, nbytes


def relay_simple(key, t, mail_from, rcpts, subject, msgid, size, outcome="sent", forest=B_FOREST,
                 region="eurprd03"):
    qid, arrival, t_act = relay_in_from_nwex01(t, mail_from, rcpts, msgid, size)
    t_end, nbytes = relay_out(qid, arrival, t_act + jitter(0.001, 0.01), msgid, size, rcpts, outcome, forest,
                              region)
    if outcome == "sent":
        RELAY.log(t_end + jitter(0.0005, 0.003), "postfix/qmgr", f"{qid}: removed")
    note(key, msgid=msgid, qid=qid, t=t, t_end=t_end, subject=subject, size=size, nbytes=nbytes, sender=mail_from,
         rcpts=rcpts, t_queued=t_act)
    return qid, arrival, t_end, nbytes


def relay_bounce(key, orig_qid, t, to, orig_size, outcome):
    """Postfix returns the message: bounce daemon writes an NDR (null sender)."""
    ndr_qid = RELAY.qid(t)
    ndr_msgid = f"<{t.astimezone(UTC):%Y%m%d%H%M%S}.{ndr_qid}@mailing.northwind.example>"
    ndr_size = min(orig_size, 50000) + RNG.randrange(2300, 2700)
    RELAY.log(t, "postfix/cleanup", f"{ndr_qid}: message-id={ndr_msgid}")
    RELAY.log(t + sec(0.004), "postfix/bounce", f"{orig_qid}: sender non-delivery notification: {ndr_qid}")
    t_act = t + sec(0.007)
    RELAY.log(t_act, "postfix/qmgr", f"{ndr_qid}: from=<>, size={ndr_size}, nrcpt=1 (queue active)")
    RELAY.log(t + sec(0.009), "postfix/qmgr", f"{orig_qid}: removed")
    t_end, _ = relay_out(ndr_qid, t, t_act + sec(0.002), ndr_msgid, ndr_size, [to], outcome)
    RELAY.log(t_end + jitter(0.0005, 0.003), "postfix/qmgr", f"{ndr_qid}: removed")
    note(key, ndr_qid=ndr_qid, ndr_msgid=ndr_msgid, ndr_to=to, ndr_outcome=outcome, ndr_t=t, ndr_size=ndr_size)


def nw_receive_storedriver(t, who, rcpts, subject, msgid, netid, size):
    local = who.split("@")[0]
    ctx = NWEX01.mdb_context(t, "MOMT", NW_DB, NW_MBX[local], RNG.randrange(9_800_000, 9_900_000), t - sec(0.25),
                             extra=", " + NWEX01.mdb_conn(t))
    imid = NWEX01.next_imid()
    NWEX01_HUB.add(t, client_ip="fe80::a4c2:19ff:fe3b:77d1%6", client_hostname=NWEX01.fqdn,
                   server_ip="fe80::a4c2:19ff:fe3b:77d1%6", server_hostname=NWEX01.name, source_context=ctx,
                   source="STOREDRIVER", event_id="RECEIVE", internal_message_id=imid, message_id=msgid,
                   network_message_id=netid, recipient_address=";".join(rcpts),
                   recipient_status=";".join("To" for _ in rcpts), total_bytes=size, recipient_count=len(rcpts),
                   message_subject=subject, sender_address=who, return_path=who, message_info="04I: ",
                   directionality="Originating", original_client_ip="10.20.30.41",
                   original_server_ip="fe80::a4c2:19ff:fe3b:77d1%6",
                   custom_data=f"S:MailboxDatabaseGuid={NW_DB};S:DeliveryPriority=Normal;"
                               f"S:AccountForest={NWEX01.forest}", transport_traffic_type="Email")
    return imid


def nw_send_relay(t, imid, sender, return_path, rcpts, subject, msgid, netid, size, relay_qid, origin):
    NWEX01_HUB.add(t, client_ip=NWEX01.ip, client_hostname=NWEX01.name, server_ip="10.20.0.25",
                   server_hostname="mailing.northwind.example",
                   source_context=f";250 2.0.0 Ok: queued as {relay_qid};ClientSubmitTime:", connector_id="To Relay",
                   source="SMTP", event_id="SENDEXTERNAL", internal_message_id=imid, message_id=msgid,
                   network_message_id=netid, recipient_address=";".join(rcpts),
                   recipient_status=";".join("250 2.1.5 Ok" for _ in rcpts), total_bytes=size,
                   recipient_count=len(rcpts), message_subject=subject, sender_address=sender,
                   return_path=return_path, message_info=NWEX01.latency(origin, "hub"), directionality="Originating",
                   custom_data=f"S:E2ELatency={(t - origin).total_seconds():.3f};"
                               f"S:ExternalSendLatency={RNG.uniform(0.05, 0.2):.3f};S:ToEntity=Internet;"
                               f"S:MsgRecipCount={len(rcpts)};S:IncludeInSla=True;"
                               f"S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic;"
                               f"S:IsSmtpResponseFromExternalServer=True;S:DeliveryPriority=Normal;"
                               + ("S:OriginalFromAddress=<>;" if return_path == "<>" else "")
                               + f"S:AccountForest={NWEX01.forest}", transport_traffic_type="Email")


def nw_receive_from_exo(t, client_ip, client_host, sender, rcpts, subject, msgid, netid, size):
    imid = NWEX01.next_imid()
    NWEX01_HUB.add(t, client_ip=NWEX01.ip, client_hostname=NWEX01.fqdn, server_ip=NWEX01.ip,
                   server_hostname=NWEX01.name, source_context=NWEX01.session(t - sec(0.5)),
                   connector_id=f"{NWEX01.name}\\Default {NWEX01.name}", source="SMTP", event_id="RECEIVE",
                   internal_message_id=imid, message_id=msgid, network_message_id=netid,
                   recipient_address=";".join(rcpts), recipient_status=";".join("250 2.1.5 Recipient OK" for _ in rcpts),
                   total_bytes=size, recipient_count=len(rcpts), message_subject=subject, sender_address=sender,
                   return_path=sender, message_info="0cA: ", directionality="Incoming", original_client_ip=client_ip,
                   original_server_ip=NWEX01.ip,
                   custom_data=f"S:ProxyHop1={NWEX01.fqdn}({NWEX01.ip});S:FirstForestHop={NWEX01.fqdn};"
                               f"S:FromEntity=Hosted;S:ProxiedClientIPAddress={client_ip};"
                               f"S:ProxiedClientHostname={client_host};S:DeliveryPriority=Normal;"
                               f"S:AccountForest={NWEX01.forest}", transport_traffic_type="Email")
    return imid


def nw_deliver_local(t, imid, sender, rcpt, subject, msgid, netid, size, origin):
    reply = intra_org_250(msgid, size + 388, NWEX01.fqdn)
    NWEX01_HUB.add(t, client_ip=NWEX01.ip, client_hostname=NWEX01.name, server_ip=NWEX01.ip,
                   server_hostname=NWEX01.fqdn, source_context=f";{reply};ClientSubmitTime:",
                   connector_id="Intra-Organization SMTP Send Connector", source="SMTP", event_id="SEND",
                   internal_message_id=imid, message_id=msgid, network_message_id=netid, recipient_address=rcpt,
                   recipient_status="250 2.1.5 Recipient OK", total_bytes=size, recipient_count=1,
                   message_subject=subject, sender_address=sender, return_path=sender,
                   message_info=NWEX01.latency(origin, "hub"), directionality="Incoming",
                   custom_data=f"S:E2ELatency={(t - origin).total_seconds():.3f};S:MsgRecipCount=1;"
                               f"S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=False;"
                               f"S:DeliveryPriority=Normal;S:AccountForest={NWEX01.forest}",
                   transport_traffic_type="Email")


def nw_submit_and_relay(key, t, who, rcpts, subject, size, outcome="sent", forest=B_FOREST, region="eurprd03",
                        msgid=None, track=True):
    """A mailbox on NWEX01 sends; NWEX01 relays through mailing.northwind.example."""
    msgid = msgid or exch_msgid(NWEX01.fqdn)
    netid = comb_guid(t)
    imid = nw_receive_storedriver(t, who, rcpts, subject, msgid, netid, size) if track else None
    t_send = t + jitter(0.35, 0.8)
    relay_size = size - size // 70 + RNG.randrange(560, 640)
    qid, arrival, t_end, nbytes = relay_simple(key, t_send.astimezone(CET), who, rcpts, subject, msgid, relay_size,
                                               outcome, forest, region)
    if track:
        nw_send_relay(NOTES[key]["t_queued"] + sec(0.004), imid, who, who, rcpts, subject, msgid, netid, size, qid,
                      t - sec(0.3))
    note(key, netid=netid, size_nw=size)
    return qid, arrival, t_end, nbytes, msgid


def company_b():
    # ---- Nov 23: before the NAT change everything leaves through B's own tenant ----
    nw_submit_and_relay("B01", cet(23, "08:05:44.120"), "a.becker@northwind.example", ["p.lang@northwind.example"],
                        "Schichtplan Dezember", 35220, track=False)
    nw_submit_and_relay("B02", cet(23, "09:12:09.871"), "vertrieb@northwind.example", ["c.roth@lucernepub.example"],
                        "Anzeigenauftrag Katalog 2027", 61802, track=False)
    qid, arrival, t_end, nbytes, msgid = nw_submit_and_relay(
        "B03", cet(23, "10:33:41.305"), "t.schulz@northwind.example", ["einkauf@fabrikam.example"],
        "Lieferavis KW 48", 52411, track=False)
    # B's tenant passes it on to A's MX (mx1)
    note("B03", t_exo_out=t_end + sec(3.7), size_exo=nbytes + RNG.randrange(5200, 6400))
    nw_submit_and_relay("B04", cet(23, "14:50:27.442"), "einkauf@northwind.example", ["auftrag@tailspin.example"],
                        "Rahmenbestellung 2027", 44190, track=False)
    nw_submit_and_relay("B05", cet(23, "16:22:58.019"), "m.keller@northwind.example", ["info@wingtip.example"],
                        "Rückfrage Palettenmaße", 19007, track=False)
    # ---- Nov 24 morning, still fine ----
    nw_submit_and_relay("B06", cet(24, "07:58:31.774"), "a.becker@northwind.example", ["p.lang@northwind.example"],
                        "Schichtplan Dezember (korrigiert)", 35870, track=False)
    nw_submit_and_relay("B07", cet(24, "08:44:12.090"), "vertrieb@northwind.example", ["info@wingtip.example"],
                        "Preisliste 2027", 402775, track=False)
    # ---- 09:30 CET: firewall replaced, outbound NAT of the relay is now 203.0.113.45 ----

    # ATTR35: tailspin.example is an Exchange Online tenant in another region
    t0 = utc(24, "10:15:02.662")
    rc = ["auftrag@tailspin.example", "l.meyer@tailspin.example"]
    subj = "Bestellung 4500012345"
    msgid = exch_msgid(NWEX01.fqdn)
    netid = comb_guid(t0)
    imid = nw_receive_storedriver(t0, "einkauf@northwind.example", rc, subj, msgid, netid, 128044)
    t_send = t0 + sec(0.52)
    size = 128044 - 128044 // 70 + 604
    qid, arrival, t_act = relay_in_from_nwex01(t_send, "einkauf@northwind.example", rc, msgid, size)
    nw_send_relay(t_act + sec(0.004), imid, "einkauf@northwind.example", "einkauf@northwind.example", rc, subj, msgid,
                  netid, 128044, qid, t0 - sec(0.3))
    t_end, _ = relay_out(qid, arrival, t_act + sec(0.004), msgid, size, rc, "attr35")
    attempts = [t_end]
    # deferred-queue scans every queue_run_delay (300 s); backoff = time in queue, 300..4000 s
    scan_phase = cet(24, "00:02:17.400")
    lifetime = 86400
    t_last = t_end
    expired_at = None
    while True:
        backoff = min(max((t_last - arrival).total_seconds(), 300), 4000)
        eligible = t_last + sec(backoff)
        k = -(-(eligible - scan_phase).total_seconds() // 300)
        scan = scan_phase + sec(k * 300) + jitter(0.01, 0.09)
        if (scan - arrival).total_seconds() > lifetime:
            expired_at = scan
            break
        RELAY.log(scan, "postfix/qmgr", f"{qid}: from=<einkauf@northwind.example>, size={size}, nrcpt=2 "
                                        f"(queue active)")
        t_last, _ = relay_out(qid, arrival, scan + jitter(0.002, 0.01), msgid, size, rc, "attr35")
        attempts.append(t_last)
    RELAY.log(expired_at, "postfix/qmgr", f"{qid}: from=<einkauf@northwind.example>, status=expired, returned to sender")
    note("B20", msgid=msgid, qid=qid, t=t_send, subject=subj, rcpts=rc, attempts=attempts, expired=expired_at,
         sender="einkauf@northwind.example")
    relay_bounce("B20", qid, expired_at + sec(0.011), "einkauf@northwind.example", size, "sent")

    # NDR for A's mail to a mailbox that no longer exists (j.berger left B)
    o = NOTES["O03"]
    t = o["received"] + jitter(3.6, 4.4)          # B's tenant routes it to NWEX01 (hybrid)
    nid = comb_guid(o["received"])
    size_in = o["size"] + RNG.randrange(5800, 7200)
    imid = nw_receive_from_exo(t, "40.107.21.77", "mail-db8eur03on2077.outbound.protection.outlook.com",
                               o["sender"], o["rcpts"], o["subject"], o["msgid"], nid, size_in)
    ndr_id = f"<{guid()}@{NWEX01.fqdn}>"
    tf = t + jitter(0.08, 0.15)
    NWEX01_HUB.add(tf, server_hostname=NWEX01.name, source="ROUTING", event_id="FAIL", internal_message_id=imid,
                   message_id=o["msgid"], network_message_id=nid, recipient_address="j.berger@northwind.example",
                   recipient_status="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", total_bytes=size_in,
                   recipient_count=1, reference=ndr_id, message_subject=o["subject"], sender_address=o["sender"],
                   return_path=o["sender"], message_info=ts_exch(o["received"]), directionality="Incoming",
                   custom_data=f"S:DeliveryPriority=Normal;S:AccountForest={NWEX01.forest}",
                   transport_traffic_type="Email")
    ndr_subj = "Undeliverable: " + o["subject"]
    ndr_from = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@northwind.example"
    ndr_imid = NWEX01.next_imid()
    ndr_nid = comb_guid(tf)
    ndr_size = 14871
    NWEX01_HUB.add(tf + sec(0.019), server_hostname=NWEX01.name, source="DSN", event_id="DSN",
                   internal_message_id=ndr_imid, message_id=ndr_id, network_message_id=ndr_nid,
                   recipient_address=o["sender"], total_bytes=ndr_size, recipient_count=1, reference=o["msgid"],
                   message_subject=ndr_subj, sender_address=ndr_from, return_path="<>", message_info=ts_exch(tf),
                   directionality="Originating",
                   custom_data=f"S:DeliveryPriority=Normal;S:OriginalFromAddress=<>;S:AccountForest={NWEX01.forest}",
                   transport_traffic_type="Email")
    t_send = tf + jitter(0.3, 0.5)
    relay_size = ndr_size - ndr_size // 70 + 612
    qid, arrival, t_end, nbytes = relay_simple("B10", t_send.astimezone(CET), "", [o["sender"]], ndr_subj, ndr_id,
                                               relay_size, "sent", A_FOREST, "eurprd04")
    nw_send_relay(NOTES["B10"]["t_queued"] + sec(0.004), ndr_imid, ndr_from, "<>", [o["sender"]], ndr_subj, ndr_id,
                  ndr_nid, ndr_size, qid, tf)
    received = t_end - jitter(0.05, 0.15)
    tsize = nbytes + exo_overhead()
    trace(received, ndr_from, [o["sender"]], ndr_subj, "Delivered", tsize, ndr_id, fromip=B_RELAY_NAT_NEW)
    note("D03", msgid=ndr_id, received=received, sender=ndr_from, subject=ndr_subj, fromip=B_RELAY_NAT_NEW,
         kind="ndr_direct", relay_qid=qid, nw_receive=t)

    # out-of-office reply from m.keller to A (real sender, goes through the back door too)
    o = NOTES["O04"]
    t = o["received"] + jitter(3.5, 4.5)
    nid = comb_guid(o["received"])
    size_in = o["size"] + RNG.randrange(5800, 7200)
    imid = nw_receive_from_exo(t, "40.107.21.77", "mail-db8eur03on2077.outbound.protection.outlook.com",
                               o["sender"], o["rcpts"], o["subject"], o["msgid"], nid, size_in)
    nw_deliver_local(t + jitter(0.2, 0.4), imid, o["sender"], "m.keller@northwind.example", o["subject"],
                     o["msgid"], nid, size_in, o["received"])
    t_oof = t + jitter(1.2, 2.0)
    oof_subj = "Automatische Antwort: " + o["subject"]
    oof_id = exch_msgid(NWEX01.fqdn)
    qid, arrival, t_end, nbytes, _ = nw_submit_and_relay("B11", t_oof, "m.keller@northwind.example", [o["sender"]],
                                                         oof_subj, 9870, "sent", A_FOREST, "eurprd04", msgid=oof_id)
    received = t_end - jitter(0.05, 0.15)
    trace(received, "m.keller@northwind.example", [o["sender"]], oof_subj, "Delivered", nbytes + exo_overhead(),
          oof_id, fromip=B_RELAY_NAT_NEW)
    note("D04", msgid=oof_id, received=received, sender="m.keller@northwind.example", subject=oof_subj,
         fromip=B_RELAY_NAT_NEW, kind="bypassed_mx", relay_qid=qid)

    # 5.7.64: adatum.example has no Exchange Online tenant; the NDR for it is lost as well
    qid, arrival, t_end, nbytes, msgid = nw_submit_and_relay(
        "B30", utc(24, "13:20:06.180"), "service@northwind-shop.example", ["k.novak@adatum.example"],
        "Ihre Reklamation RK-2026-1187", 23145, "tenant")
    relay_bounce("B30", qid, t_end + sec(0.012), "service@northwind-shop.example", NOTES["B30"]["size"], "tenant")

    nw_submit_and_relay("B12", utc(24, "14:36:40.515"), "a.becker@northwind.example", ["p.lang@northwind.example"],
                        "Übergabe Schlüssel Lager 2", 12066)
    nw_submit_and_relay("B13", utc(24, "15:10:22.940"), "h.brandt@northwind.example", ["j.kim@litware.example"],
                        "Abstimmung Messestand", 27730, "sent", LITWARE_FOREST, "eurprd06")

    # ---- Nov 25 ----
    nw_submit_and_relay("B14", cet(25, "08:31:05.377"), "a.becker@northwind.example", ["p.lang@northwind.example"],
                        "Inventur Samstag", 15208, track=False)
    qid, arrival, t_end, nbytes, msgid = nw_submit_and_relay(
        "B15", cet(25, "09:12:03.604"), "t.schulz@northwind.example", ["einkauf@fabrikam.example"],
        "AW: Lieferavis KW 48", 38804, "sent", A_FOREST, "eurprd04", track=False)
    received = t_end - jitter(0.05, 0.15)
    tsize = nbytes + exo_overhead()
    tid = trace(received, "t.schulz@northwind.example", ["einkauf@fabrikam.example"], "AW: Lieferavis KW 48",
                "Delivered", tsize, msgid, fromip=B_RELAY_NAT_NEW)
    enhanced(received, "t.schulz@northwind.example", "einkauf@fabrikam.example##Receive, Deliver",
             "AW: Lieferavis KW 48", tsize, msgid, tid, B_RELAY_NAT_NEW, "Incoming", "")
    note("D06", msgid=msgid, received=received, sender="t.schulz@northwind.example", subject="AW: Lieferavis KW 48",
         fromip=B_RELAY_NAT_NEW, kind="bypassed_mx", relay_qid=qid)
    qid, arrival, t_end, nbytes, msgid = nw_submit_and_relay(
        "B31", cet(25, "13:40:55.012"), "vertrieb@northwind.example", ["c.roth@lucernepub.example"],
        "Anzeigenauftrag Katalog 2027, Korrektur", 58307, "tenant", track=False)
    relay_bounce("B31", qid, t_end + sec(0.010), "vertrieb@northwind.example", NOTES["B31"]["size"], "sent")
    scache(RELAY, cet(24, "10:19:40.0"), 2, 1)
    anvil(RELAY, NOTES["B10"]["t"], "10.20.0.5", rate=2, count=1)


def company_a_outbound_to_b():
    """A's mails to B that trigger the NDR and the out-of-office reply."""
    msgid, _ = outbound("O03", utc(24, "10:41:02.318"), "jonas.weber@fabrikam.example", ["j.berger@northwind.example"],
                        "Angebot Rahmenvertrag 2027", 284519, B_EXO_IP)
    msgid, _ = outbound("O04", utc(24, "12:04:48.905"), "sabine.hoffmann@fabrikam.example",
                        ["m.keller@northwind.example"], "Lieferung KW 49", 21334, B_EXO_IP)


# ---------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------

def write(path, data, binary=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    if binary:
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))


def gzip_bytes(raw):
    exe = shutil.which("gzip")
    if exe:
        return subprocess.run([exe, "-n", "-9", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(raw)
    return buf.getvalue()


def csv_q(v):
    return '"' + str(v).replace('"', '""') + '"'


def render_trace():
    cols = ["Received", "SenderAddress", "RecipientAddress", "Subject", "Status", "ToIP", "FromIP", "Size",
            "MessageId", "MessageTraceId"]
    lines = [",".join(csv_q(c) for c in cols)]
    for r in sorted(TRACE, key=lambda r: r["received"], reverse=True):
        lines.append(",".join(csv_q(v) for v in [ts_dede(r["received"]), r["sender"], r["recipient"], r["subject"],
                                                r["status"], r["toip"], r["fromip"], r["size"], r["msgid"],
                                                r["traceid"]]))
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def render_enhanced():
    cols = ["origin_timestamp_utc", "sender_address", "recipient_status", "message_subject", "total_bytes",
            "message_id", "network_message_id", "original_client_ip", "directionality", "connector_id",
            "delivery_priority"]
    lines = [",".join(csv_q(c) for c in cols)]
    rows = [r for r in ENHANCED if r["ts"].astimezone(UTC).day == 25]
    RNG.shuffle(rows)   # historical search downloads are not sorted
    for r in rows:
        lines.append(",".join(csv_q(v) for v in [ts_es(r["ts"]), r["sender"], r["rs"], r["subject"], r["size"],
                                                r["msgid"], r["netid"], r["ip"], r["dir"], r["conn"], "Normal"]))
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


# ---------------------------------------------------------------------------
# README.md
# ---------------------------------------------------------------------------

def find_lines(text, *needles):
    """1-based numbers of the lines containing every needle."""
    return [i for i, line in enumerate(text.splitlines(), 1) if all(n in line for n in needles)]


def lines_ref(text, *needles):
    nums = find_lines(text, *needles)
    if not nums:
        raise SystemExit(f"README: nothing found for {needles}")
    if len(nums) > 6:
        return f"{nums[0]}-{nums[-1]} ({len(nums)} lines)"
    return ", ".join(str(n) for n in nums)


def readme(texts):
    N = NOTES
    T = texts
    f_gw = {23: "company-a/gateway/mail.log.2.gz", 24: "company-a/gateway/mail.log.1",
            25: "company-a/gateway/mail.log"}
    f_trace = "company-a/exo/messagetrace-2026-11-23_25.csv"
    f_es = "company-a/exo/enhanced-summary-2026-11-23_25.csv"
    f_ms = "company-a/onprem/MSGTRKMS2026112310-1.LOG"
    f_hub = "company-a/onprem/MSGTRK2026112410-1.LOG.gz"
    f_md = "company-a/onprem/MSGTRKMD2026112410-1.LOG"
    f_relay = "company-b/relay/mail.log"
    f_nw = "company-b/onprem/MSGTRK2026112410-1.LOG"
    f_mx2 = "company-a/gateway/mail-rfc3339.log"

    def tr(key):
        return lines_ref(T[f_trace], N[key]["msgid"])

    def gw(key):
        n = N[key]
        f = f_mx2 if n["host"] == "mx2" else f_gw[n["t"].astimezone(CET).day]
        return f"`{f.split('/')[-1]}` {lines_ref(T[f], n['qid'])} (queue id `{n['qid']}`)"

    def es(key):
        nums = find_lines(T[f_es], N[key]["msgid"])
        return f"; enhanced summary line {nums[0]}" if nums else ""

    b20 = N["B20"]
    attempts = b20["attempts"]
    gaps = [int(round((b - a).total_seconds())) for a, b in zip(attempts, attempts[1:])]

    def row(i, kind, key, why, where):
        n = N[key]
        return f"| {i} | `{kind}` | `{n['msgid']}` | {n['sender']} | {why} | {where} |"

    a_rows = [
        row(1, "ndr_direct", "D03",
            "null sender, `Undeliverable:` subject; FromIP 203.0.113.45 is B's relay, not A's gateway",
            f"trace {tr('D03')}; B relay `{N['D03']['relay_qid']}`"),
        row(2, "notification_known", "D01", "Teams, straight from Exchange Online (52.101.62.17)",
            f"trace {tr('D01')}"),
        row(3, "notification_known", "D05", "SharePoint Online, FromIP in 2a01:111:f403::/48",
            f"trace {tr('D05')}"),
        row(4, "notification_known", "D07", "Planner (40.107.20.84)", f"trace {tr('D07')}{es('D07')}"),
        row(5, "notification_known", "D09",
            "Dynamics 365, known only through `[notifications]` in company-a.conf; one finding although the trace "
            "has 3 rows (group `vertrieb@` Expanded + 2 members)", f"trace {tr('D09')}{es('D09')}"),
        row(6, "notification_unknown", "D08",
            "local part `no-reply`, domain under office.com, not in the catalogue nor in the config",
            f"trace {tr('D08')}{es('D08')}"),
        row(7, "bypassed_mx", "D02", "spam from 192.0.2.143 (FilteredAsSpam)", f"trace {tr('D02')}"),
        row(8, "bypassed_mx", "D04",
            "out-of-office reply `Automatische Antwort:` with a real sender through B's relay (203.0.113.45); "
            "an auto-reply is not an NDR", f"trace {tr('D04')}; B relay `{N['D04']['relay_qid']}`"),
        row(9, "bypassed_mx", "D06", "ordinary business mail from B after B's NAT change (203.0.113.45)",
            f"trace {tr('D06')}{es('D06')}; B relay `{N['D06']['relay_qid']}`"),
        row(10, "bypassed_mx", "D10", "IPv6 spam from 2001:db8:4f2:1::25 (FilteredAsSpam)",
            f"trace {tr('D10')}{es('D10')}"),
        row(11, "bypassed_mx", "D11", "spoof: sender in A's own domain, from 192.0.2.211, 2 recipients "
            "(Quarantined) = one finding", f"trace {tr('D11')}"),
        row(12, "bypassed_mx", "H05",
            "entry = **on-prem**: RECEIVE at EX01 with original-client-ip 192.0.2.77 (internet); the copy EX01 "
            "forwards to EXO (FromIP 198.51.100.30) is hybrid and must not produce a second finding; the "
            "`[exceptions]` entry for 192.0.2.77 expired on 2026-10-31",
            f"`MSGTRK2026112410-1.LOG.gz` {lines_ref(T[f_hub], N['H05']['msgid'])}; trace {tr('H05')}"),
    ]

    traps_a = [
        f"- **NDR that came the right way** (`G07`): contoso's Postfix bounce `{N['G07']['msgid']}`, "
        f"null sender, subject `Undelivered Mail Returned to Sender`, through mx1 ({gw('G07')}); trace "
        f"{tr('G07')} has FromIP 198.51.100.25. It answers thomas.mueller's mail `{N['O01']['msgid']}` "
        f"(trace {tr('O01')}).",
        f"- **Teams notification through the gateway** (`G04`): `{N['G04']['msgid']}` from litware's tenant "
        f"(Lena is a guest there) reached mx1 from 40.107.22.107 ({gw('G04')}); trace {tr('G04')}.",
        f"- **`noreply@` sender through the gateway** (`G21`): `{N['G21']['msgid']}` via mx2 "
        f"(`mail-rfc3339.log` {lines_ref(T[f_mx2], N['G21']['qid'])}); trace {tr('G21')}.",
        f"- **B's mail before the NAT change** (`G05`): `{N['G05']['msgid']}` left B's tenant and reached A's "
        f"MX ({gw('G05')}; B relay `{N['B03']['qid']}`); trace {tr('G05')}.",
        f"- **Spam that came through the gateway** (`G09`, FilteredAsSpam): `{N['G09']['msgid']}` "
        f"({gw('G09')}); trace {tr('G09')}.",
        f"- **Hybrid mail from EX01** (FromIP 198.51.100.30 is in `[onprem]`): `{N['H01']['msgid']}`, "
        f"`{N['H02']['msgid']}` (submitted in `MSGTRKMS2026112310-1.LOG`), `{N['H03']['msgid']}` "
        f"(`MSGTRK2026112410-1.LOG.gz` SENDEXTERNAL over `{HYBRID_CONN}`), `{N['H07']['msgid']}` "
        f"(enhanced summary, connector `{HYBRID_INBOUND}`). Their trace recipients are "
        f"`...@{A_ROUTING}`.",
        f"- **EXO -> EX01** (hybrid, not an entry): `{N['H04']['msgid']}` RECEIVE at EX01 with "
        f"original-client-ip 40.107.22.72 and `S:FromEntity=Hosted`, then DELIVER in `MSGTRKMD2026112410-1.LOG`.",
        f"- **Gateway -> EXO -> EX01** (`G19`): the application `{N['G19']['msgid']}` for the on-prem mailbox "
        f"personal@ entered at mx2 (`mail-rfc3339.log` {lines_ref(T[f_mx2], N['G19']['qid'])}), trace "
        f"{tr('G19')} (FromIP 198.51.100.26, ToIP 198.51.100.30), then RECEIVE at EX01 from 40.107.22.91 "
        f"(`MSGTRK2026112410-1.LOG.gz` {lines_ref(T[f_hub], N['G19']['msgid'])}). Reported once, as gateway "
        f"traffic.",
        f"- **EX01's own NDR** (`H06`): k.braun mistyped l.fisher@; EX01 logs FAIL `550 5.1.1 "
        f"RESOLVER.ADR.RecipNotFound` and DSN `{N['H06']['ndr_msgid']}` (`Unzustellbar: ...`, "
        f"`MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@fabrikam.example`, return-path `<>`), delivered "
        f"locally. Never crossed an entry point.",
        "- **Outbound and internal mail** in the trace (FromIP empty), e.g. "
        f"`{N['O03']['msgid']}` (the offer to j.berger@ that B bounced) and `{N['O04']['msgid']}`; "
        f"`{N['O06']['msgid']}` is outbound with Status `Failed`.",
        "- **Duplicates**: every enhanced-summary row also appears in the message trace (same Message-ID; "
        "`network_message_id` = `MessageTraceId`); distribution-group rows (`Expanded` + members) and "
        "multi-recipient rows are one message each.",
        "- **NOQUEUE rejects** at mx1/mx2 (RBL, unknown user) and `lost connection after CONNECT`: never "
        "queued, never in EXO.",
        f"- **Rotation**: `{N['G11']['msgid']}` (queue id `{N['G11']['qid']}`) starts in `mail.log.2.gz` "
        f"(lines {lines_ref(T[f_gw[23]], N['G11']['qid'])}) and ends in `mail.log.1` (lines "
        f"{lines_ref(T[f_gw[24]], N['G11']['qid'])}); trace {tr('G11')} dated "
        f"{ts_dede(N['G11']['received'])} UTC.",
    ]

    b_rows = [
        f"| 1 | `attribution_failure` | `{b20['msgid']}` | einkauf@northwind.example -> auftrag@tailspin.example "
        f"| `451 4.4.62 ... ATTR35`, {len(attempts)} attempts, then `status=expired` | relay "
        f"{lines_ref(T[f_relay], b20['qid'], 'auftrag@')} |",
        f"| 2 | `attribution_failure` | `{b20['msgid']}` | einkauf@northwind.example -> l.meyer@tailspin.example "
        f"| same message, second recipient | relay {lines_ref(T[f_relay], b20['qid'], 'l.meyer@')} |",
        f"| 3 | `attribution_failure` | `{N['B30']['msgid']}` | service@northwind-shop.example -> "
        f"k.novak@adatum.example | `550 5.7.64 TenantAttribution; Relay Access Denied` (bounced) | relay "
        f"{lines_ref(T[f_relay], N['B30']['qid'] + ': to=')} |",
        f"| 4 | `attribution_failure` | `{N['B30']['ndr_msgid']}` | `<>` -> service@northwind-shop.example | "
        f"Postfix's NDR for #3, rejected with 5.7.64 as well | relay "
        f"{lines_ref(T[f_relay], N['B30']['ndr_qid'] + ': to=')} |",
        f"| 5 | `ndr_lost` | `{N['B30']['ndr_msgid']}` | `<>` | the same NDR: null sender, bounced, no further "
        f"notification, nobody learns that #3 failed | relay {lines_ref(T[f_relay], N['B30']['ndr_qid'])} |",
        f"| 6 | `attribution_failure` | `{N['B31']['msgid']}` | vertrieb@northwind.example -> "
        f"c.roth@lucernepub.example | 5.7.64 on Nov 25 (its NDR to vertrieb@ was delivered: not lost) | relay "
        f"{lines_ref(T[f_relay], N['B31']['qid'] + ': to=')} |",
    ]

    gw_count = len([k for k in N if k.startswith("G") and "qid" in N[k]])

    def when(dt):
        c, u = dt.astimezone(CET), dt.astimezone(UTC)
        return f"{'Mon Tue Wed Thu Fri Sat Sun'.split()[c.weekday()]} {c:%d.%m. %H:%M}", f"{u:%H:%M}"

    events = [
        (N["G05"]["t"], f"B's `Lieferavis KW 48` still leaves through B's tenant and reaches A's mx1"),
        (N["D01"]["received"], "a Teams notification reaches A's tenant directly (first back-door finding)"),
        (N["D02"]["received"], "spam delivered straight to Exchange Online"),
        (cet(24, "09:30:00"), "firewall change: B's relay now leaves from 203.0.113.45"),
        (N["H05"]["received"], "a scanning service delivers to EX01's public address (the on-prem back door)"),
        (N["B20"]["t"], "NWEX01 sends `Bestellung 4500012345` to tailspin.example (other region): ATTR35 deferrals begin"),
        (N["O03"]["received"], "jonas.weber@ sends `Angebot Rahmenvertrag 2027` to j.berger@northwind.example, "
                               "who has left B"),
        (N["D03"]["received"], "NWEX01's NDR for it goes relay -> Exchange Online -> straight into A's tenant"),
        (N["D04"]["received"], "m.keller@'s out-of-office reply takes the same path"),
        (N["B30"]["t"], "NWEX01 -> adatum.example: 550 5.7.64; the relay's NDR for it is refused as well and lost"),
        (N["D06"]["received"], "t.schulz@'s ordinary reply reaches A through the back door"),
        (N["D07"]["received"], "Planner, Forms (10:30 UTC) and Dynamics (11:47 UTC) notifications arrive directly"),
        (b20["expired"], "the ATTR35 message expires on the relay (`maximal_queue_lifetime = 1d`)"),
        (N["D10"]["received"], "IPv6 spam, then (14:38 UTC) a spoof of buchhaltung@fabrikam.example"),
        (N["B31"]["t"], "NWEX01 -> lucernepub.example: 550 5.7.64 (the NDR to vertrieb@ is delivered)"),
    ]
    timeline = "\n".join(f"| {when(t)[0]} | {when(t)[1]} | {what} |" for t, what in sorted(events, key=lambda e: e[0]))
    sample_line = T[f_gw[23]].splitlines()[0]
    return f"""# Sample mail logs

Three days (Monday 2026-11-23 to Wednesday 2026-11-25) of mail flow at two fictional companies,
written so that every message can be followed from file to file: Message-IDs are identical
everywhere, Postfix logs are in local time (CET, UTC+1) while Exchange and Exchange Online
write UTC, sizes grow a little from hop to hop, and deferred mail is retried on Postfix's
schedule. `make-samples.py` regenerates every file here (deterministic, fixed seed).

All names are reserved (`*.example`), all addresses documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) or private 10.x; the only real addresses are
Exchange Online's own (40.107.0.0/16, 52.100.0.0/14, 2a01:111:f403::/48) where Exchange Online
itself connects.

## The story

**Fabrikam (company A)** -- domain `fabrikam.example`, tenant `fabrikamexample.onmicrosoft.com`,
Europe/Berlin. Its MX points at two Postfix gateways, `mx1.fabrikam.example` (198.51.100.25)
and `mx2.fabrikam.example` (198.51.100.26), which relay to the tenant's endpoint
`{A_EXO_HOST}` through the inbound connector *From Gateway*. Hybrid: the
on-premises server `EX01.corp.fabrikam.example` (10.1.0.10, public NAT 198.51.100.30) still
holds a few mailboxes (k.braun@, personal@) and talks to Exchange Online over the HCW
connectors. Exchange Online accepts mail for fabrikam.example from anyone who connects to
`{A_EXO_HOST}` directly -- the back door Fabrikam wants to close.

**Northwind (company B)** -- `northwind.example` (plus `northwind-shop.example` for its shop),
MX straight at Exchange Online. Its on-prem Exchange 2016 `NWEX01` (10.20.0.5) sends
everything through the Postfix relay `mailing.northwind.example` (10.20.0.25), which smarthosts
to `{B_EXO_HOST}` ({B_EXO_IP}). B's inbound connector in Exchange Online is
IP-based and lists the relay's old NAT address 203.0.113.10. On **Tuesday 2026-11-24 at 09:30
CET** a firewall replacement changed that NAT address to **203.0.113.45**. From then on Exchange
Online no longer attributes the relay's mail to B:

- mail for recipients in other tenants of the same region is taken as *inbound mail of the
  recipient's tenant*: B's NDRs, out-of-office replies and ordinary mail to Fabrikam now land
  straight in Fabrikam's tenant, bypassing Fabrikam's MX;
- mail for a tenant in another region is deferred with `451 4.4.62 ... ATTR35`;
- mail for domains without a tenant is refused with `550 5.7.64 TenantAttribution; Relay
  Access Denied`, and Postfix's own NDRs for those bounces are refused the same way and lost.

Timeline (local time CET = UTC+1; the Exchange side logs the UTC value):

| CET | UTC | What |
|---|---|---|
{timeline}

## Files

| File | Format |
|---|---|
| `company-a.conf`, `company-b.conf` | mxaudit INI configuration for each company |
| `company-a/gateway/mail.log.2.gz` | mx1, Monday 23.11. (oldest), traditional syslog, gzip |
| `company-a/gateway/mail.log.1` | mx1, Tuesday 24.11. |
| `company-a/gateway/mail.log` | mx1, Wednesday 25.11. |
| `company-a/gateway/mail-rfc3339.log` | mx2, Tuesday 24.11., rsyslog RFC 3339 timestamps with microseconds, long queue ids |
| `company-a/exo/messagetrace-2026-11-23_25.csv` | `Get-MessageTraceV2 ... \\| Export-Csv -NoTypeInformation -Encoding UTF8` from a de-DE session |
| `company-a/exo/enhanced-summary-2026-11-23_25.csv` | message trace *Enhanced summary* download (historical search), 25.11. (UTC) only |
| `company-a/onprem/MSGTRKMS2026112310-1.LOG` | EX01 mailbox submission tracking log, 23.11. from 10:03 UTC |
| `company-a/onprem/MSGTRK2026112410-1.LOG.gz` | EX01 transport (hub) tracking log, 24.11. from 10:12 UTC, gzip |
| `company-a/onprem/MSGTRKMD2026112410-1.LOG` | EX01 mailbox delivery tracking log, 24.11. |
| `company-b/relay/mail.log` | B's relay host `mailing`, 23.11.-25.11. (weekly rotation), traditional syslog |
| `company-b/onprem/MSGTRK2026112410-1.LOG` | NWEX01 transport tracking log, 24.11. from 10:15 UTC |

### Postfix logs (A's gateways, B's relay)

- Traditional syslog without a year (`{sample_line}`), local
  time CET; the year is 2026. mx1 uses short queue ids (5 hex digits of the microseconds plus
  the inode number in hex, e.g. `{N['G02']['qid']}`), mx2 long ones (`enable_long_queue_ids = yes`,
  e.g. `{N['G13']['qid']}`), B's relay short ones.
- Every accepted message: `connect from`, TLS line, `policyd-spf` (A only), `client=`,
  `cleanup ... message-id=`, `opendkim ... DKIM verification successful` (A only),
  `qmgr ... from=<>, size=N, nrcpt=N (queue active)`, `disconnect from ... commands=N`,
  `smtp ... Trusted TLS connection established to`, `smtp ... to=<>, relay=..., status=sent
  (250 2.6.0 <Message-ID> [InternalId=..., Hostname=....prod.outlook.com] N bytes in ...
  Queued mail for delivery)`, `qmgr ... removed`. `policyd-spf`, `opendkim`, `anvil` and
  `scache` lines are other programs and carry no message state. Senders hosted in Exchange
  Online use `bdat=1` in the disconnect counters, Exchange servers too.
- {gw_count} messages pass A's gateways (each is in the trace with FromIP 198.51.100.25/.26, one row
  per recipient), plus
  NOQUEUE rejects (`554 5.7.1 ... blocked using zen.spamhaus.org`, `550 5.1.1 ... User unknown
  in relay recipient table`) and a `lost connection after CONNECT`.
- B's relay: everything comes from `nwex01.corp.northwind.example[10.20.0.5]` and leaves for
  `{B_EXO_HOST}[{B_EXO_IP}]:25`.
  - ATTR35: queue id `{b20['qid']}` ({b20['msgid']}), 2 recipients, deferred at
    {len(attempts)} attempts from {ts_syslog(attempts[0])} to {ts_syslog(attempts[-1])}; the gaps
    (s) are {", ".join(str(g) for g in gaps)}: the backoff is the time in queue, clamped to
    `minimal_backoff_time` 300 s and `maximal_backoff_time` 4000 s, and the retry happens at the
    next deferred-queue scan (`queue_run_delay` 300 s). Each attempt logs a new `qmgr ...
    (queue active)` line. At {ts_syslog(b20['expired'])} qmgr logs `status=expired, returned to
    sender` (`maximal_queue_lifetime = 1d`), the bounce daemon writes NDR `{N['B20']['ndr_qid']}`,
    delivered to einkauf@northwind.example (B's own tenant still accepts that).
  - 5.7.64: `{N['B30']['qid']}` bounced (lines {lines_ref(T[f_relay], N['B30']['qid'])}), `sender non-delivery
    notification: {N['B30']['ndr_qid']}`, which is refused with 5.7.64 and `removed`: lost.
  - The NDR to A: `{N['D03']['relay_qid']}`, `from=<>`, accepted by Exchange Online
    (lines {lines_ref(T[f_relay], N['D03']['relay_qid'])}); the out-of-office reply `{N['D04']['relay_qid']}`;
    t.schulz's reply `{N['D06']['relay_qid']}`.
  - Exchange Online's replies end in `[<frontend>.<region>.prod.outlook.com <UTC time> <16 hex>]`;
    the UTC time there is the CET log time minus one hour.

### Exchange Online message trace (`messagetrace-2026-11-23_25.csv`)

UTF-8 with BOM, CRLF, every value double-quoted, comma-delimited, newest first, one row per
recipient; `Received` is UTC written in de-DE culture (`24.11.2026 10:41:08`). Columns:
`"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageId","MessageTraceId"`.
FromIP is 198.51.100.25/.26 for gateway mail, 198.51.100.30 for hybrid mail from EX01,
203.0.113.45 for B's relay, Exchange Online addresses for notifications, the sender's address
for spam, and empty for mail submitted inside Exchange Online (outbound, internal). ToIP is set
for outbound mail and for mail Exchange Online hands to EX01. Size is the size in Exchange
Online, a few KB more than the `N bytes` of the 250 reply the gateway logged. Subjects contain
commas, doubled quotes (`""Projekt Nordlicht""`), umlauts and `€`.

### Enhanced summary (`enhanced-summary-2026-11-23_25.csv`)

UTF-16LE with BOM, CRLF, every value quoted, rows not sorted. Columns
`origin_timestamp_utc,sender_address,recipient_status,message_subject,total_bytes,message_id,network_message_id,original_client_ip,directionality,connector_id,delivery_priority`;
`recipient_status` is `address##Receive, Deliver` (`Send` for outbound, `Expand` for a group),
`;`-joined for several recipients; `directionality` is `Incoming` or `Originating`;
`connector_id` is `From Gateway` for gateway mail, `{HYBRID_INBOUND}` for
hybrid mail and empty for the back door. It covers 25.11. only and every row is also in the
message trace: `network_message_id` equals the trace's `MessageTraceId`.

### Exchange message tracking logs

`#Software` / `#Version` / `#Log-type` / `#Date` / `#Fields` header (30 fields), UTF-8 with
BOM, CRLF, UTC. A field is quoted when it contains `,` or `"`; multi-valued fields
(recipient-address, recipient-status) are joined with `;`. EX01 is Exchange 2019
(`15.02.1544.004`), NWEX01 Exchange 2016 CU23 (`15.01.2507.039`).

Incoming SMTP is accepted by the front end on port 25 and proxied to the transport service,
so a `RECEIVE` row from `SMTP` has the server itself as `client-ip` and the connector
`EX01\\Default EX01`; the real client is in `original-client-ip` (and in
`S:ProxiedClientIPAddress` in custom-data). Mail from Exchange Online comes from
40.107.x.x with `S:FromEntity=Hosted`; the scanning service's mail from 192.0.2.77 with
`S:FromEntity=Internet`.

- `MSGTRKMS2026112310-1.LOG`: `NOTIFYMAPI` + `SUBMIT` per message sent from an on-prem
  mailbox; `{N['H01']['msgid']}` and `{N['H02']['msgid']}` go to cloud mailboxes and show up in
  the trace with FromIP 198.51.100.30.
- `MSGTRK2026112410-1.LOG.gz`: `{N['H03']['msgid']}` RECEIVE (STOREDRIVER) + SENDEXTERNAL on
  `{HYBRID_CONN}` with the 250 reply of Exchange Online in source-context; the scanning
  service `{N['H05']['msgid']}` (lines {lines_ref(T[f_hub], N['H05']['msgid'])}); the hybrid
  message from the cloud `{N['H04']['msgid']}`; k.braun's typo with `FAIL` and `DSN`
  (lines {lines_ref(T[f_hub], 'RecipNotFound')}, {lines_ref(T[f_hub], ',DSN,DSN,')}); the application for
  personal@ (`G19`).
- `MSGTRKMD2026112410-1.LOG`: `DELIVER` rows for k.braun and personal@.
- B's `MSGTRK2026112410-1.LOG`: the originals of the attribution failures
  (`{b20['msgid']}`, `{N['B30']['msgid']}`) with SENDEXTERNAL on `To Relay` and
  `250 2.0.0 Ok: queued as <relay queue id>`; A's offer arriving from Exchange Online
  (`RECEIVE`), `FAIL 550 5.1.1 RESOLVER.ADR.RecipNotFound` for j.berger@, the `DSN` row of the NDR
  `{N['D03']['msgid']}` (sender `MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@northwind.example`,
  return-path `<>`, reference = the original Message-ID) and its SENDEXTERNAL to the relay (queue id
  `{N['D03']['relay_qid']}`); A's mail to m.keller@ and her out-of-office reply.

## Format notes

- Message trace: the cmdlet documentation says the time stamps are UTC and lists the Status
  values (Delivered, Expanded, Failed, FilteredAsSpam, GettingStatus, None, Pending,
  Quarantined); FromIP is the public IP of the sending server, ToIP is blank for inbound mail
  (https://learn.microsoft.com/powershell/module/exchange/get-messagetracev2). Read columns by
  header name: `Get-MessageTrace` exports also carry `PSComputerName`, `RunspaceId`,
  `PSShowComputerName`, `Organization`, `StartDate`, `EndDate`, `Index` (seen in public
  scripts reading such exports), and an empty (null) value may be written without quotes. The
  V2 column set used here is the documented property list; no public V2 export was at hand to
  compare the column order against.
- Enhanced summary fields and the `address##Receive, Deliver` form:
  https://learn.microsoft.com/exchange/monitoring/trace-an-email-message/message-trace-modern-eac
  (the documentation describes directionality as 1/2; accept both the numbers and the names).
  Downloads are UTF-16LE, sometimes without BOM.
- `451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information please go
  to https://go.microsoft.com/fwlink/?linkid=865268`
  (https://learn.microsoft.com/exchange/troubleshoot/email-delivery/wrong-office-365-region-exo);
  `550 5.7.64 TenantAttribution; Relay Access Denied`
  (https://learn.microsoft.com/exchange/troubleshoot/email-delivery/ndr/relay-access-denied-smtp).
- Exchange Online's replies as Postfix logs them: `250 2.6.0 <Message-ID> [InternalId=...,
  Hostname=XXXPRnnMBnnnn.<region>.prod.outlook.com] N bytes in S, R KB/sec Queued mail for
  delivery`; rejections end in `[<server> <UTC timestamp> <16 hex digits>]`, e.g.
  `[DU2PEPF00028D04.eurprd03.prod.outlook.com 2024-11-15T13:49:57.944Z 08DD047932C9EF2B]`.
- Exchange tracking: a proxied SMTP `RECEIVE` carries the front end in `client-ip` and the
  real client in `original-client-ip` / `S:ProxiedClientIPAddress` (as in elastic/integrations,
  `packages/microsoft_exchange_server/.../test-messagetracking.log`); sends to other organisations are `SENDEXTERNAL` (Exchange 2016 CU23 and
  2019), sends to the mailbox delivery service `SEND` on the Intra-Organization connector.
- Postfix: backoff = time in queue bounded by minimal/maximal_backoff_time (qmgr_active.c);
  long queue id = base-52 seconds (6+ chars), base-52 microseconds (4), `z`, base-51 inode
  (mail_queue.h); Postfix-generated Message-IDs carry the UTC time
  (`<20261124132008.QUEUEID@mailing.northwind.example>`).
- Exchange network message ids, MessageTraceIds and log-ids end in the upper 48 bits of the
  .NET ticks of their creation time (`...-08df4a17730a` = 2026-11-24 10:41 UTC).

## Expected findings

Line numbers count from 1 in the decompressed / decoded file, the header line included. The
short labels (`G07`, `D03`, `H05`, `O03`, `B30`...) are the names the messages have in
`make-samples.py`: G = through A's gateway, D = straight into Exchange Online, H = hybrid or
EX01, O/I = A's outbound/internal mail, B = NWEX01 and B's relay.

### With `company-a.conf` (receiving side, files under `company-a/`)

| # | Kind | Message-ID | Sender | Why | Where |
|---|---|---|---|---|---|
{chr(10).join(a_rows)}

Totals: 1 `ndr_direct`, 4 `notification_known`, 1 `notification_unknown`, 6 `bypassed_mx`
(5 entered Exchange Online directly, 1 entered on-prem). Each message is reported once, however
many rows and files mention it.

**Precheck verdict: NOT SAFE, exit code 1.** Accepting mail only through the *From Gateway*
connector would cut an NDR (#1: jonas.weber would never learn that j.berger@ is gone), four
known Microsoft notifications (#2-#5) and one unknown one (#6), and B's legitimate mail (#8, #9)
until B fixes its connector. Closing the Exchange Online back door does not affect #12, which
enters at EX01.

Not findings (traps):

{chr(10).join(traps_a)}

### With `company-b.conf` (sending side, files under `company-b/`)

| # | Kind | Message-ID | Envelope | Why | Where (`relay/mail.log` lines) |
|---|---|---|---|---|---|
{chr(10).join(b_rows)}

One `attribution_failure` per (message, recipient): the ATTR35 message counts twice however
often it was retried. #4 and #5 are the same NDR seen twice, once as a 5.7.64 rejection and once
as a lost null-sender message. No receiving-side findings for B: its relay only receives from
NWEX01 (in `[onprem]`), and NWEX01's RECEIVEs from Exchange Online (40.107.21.77) are hybrid.

Not findings: the NDR to A (`{N['D03']['msgid']}`), the out-of-office reply and t.schulz's reply were
accepted (`250 2.6.0`) -- a problem for A, not a failure for B; the NDR of the expired ATTR35
message (to einkauf@northwind.example) and the NDR of #6 (to vertrieb@northwind.example) were
delivered; all mail before 24.11. 09:30 and mail to northwind.example and litware.example
(same region) after it was accepted.

"""


CONFIG_A = """\
; mxaudit configuration for Fabrikam (company A), sample
; MX: mx1/mx2.fabrikam.example (Postfix) -> Exchange Online (fabrikamexample.onmicrosoft.com),
; hybrid with EX01.corp.fabrikam.example.  Times in the logs: Postfix CET, Exchange UTC.

[organization]
; accepted domains; the coexistence domain appears as recipient of hybrid mail in the trace
domains = fabrikam.example, fabrikamexample.onmicrosoft.com, fabrikamexample.mail.onmicrosoft.com

[gateway]
; the Postfix gateways the MX records point at
ips = 198.51.100.25, 198.51.100.26
hosts = mx1.fabrikam.example, mx2.fabrikam.example
; inbound (partner/on-premises) connector in Exchange Online that accepts the gateways' mail
connectors = From Gateway

[onprem]
; EX01 and the rest of the server network, plus the public NAT address EX01 uses
; for the hybrid connectors (Outbound to Office 365 / Inbound from ...)
ips = 10.1.0.0/16, 198.51.100.30

[notifications]
; in addition to the built-in Microsoft catalogue
known = /@crm[0-9]*\\.dynamics\\.com$/ = Dynamics 365 Erinnerungen
# known = noreply@example.invalid = (Beispiel)

[exceptions]
; Belegscan GmbH delivered scans straight to EX01 under the old contract, which ended
; on 2026-10-31; the exception has expired and no longer applies
accept = 192.0.2.77 = Belegscan GmbH - Scan-Eingang direkt an EX01 (Altvertrag) = 2026-10-31
; synthetic mail-flow probe, not seen in these three days
accept = /^probe-[0-9]+@monitoring\\.fabrikam\\.example$/ = Mailflow-Monitoring = 2027-06-30
"""

CONFIG_B = """\
; mxaudit configuration for Northwind (company B), sample
; B's MX points straight at Exchange Online (northwind-example.mail.protection.outlook.com),
; so there is no [gateway] section: every inbound message enters through EXO.
; Outbound: NWEX01 (Exchange 2016, hybrid) -> send connector "To Relay" ->
; mailing.northwind.example (Postfix) -> smarthost northwind-example.mail.protection.outlook.com.

[organization]
domains = northwind.example, northwind-shop.example, northwindexample.onmicrosoft.com

[onprem]
; NWEX01 (10.20.0.5), the relay (10.20.0.25) and the relay's public NAT addresses:
; 203.0.113.10 until 2026-11-24 09:30 CET, 203.0.113.45 since the firewall change.
; The inbound connector in Exchange Online still lists only 203.0.113.10.
ips = 10.20.0.0/16, 203.0.113.10, 203.0.113.45
"""


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    company_a_outbound_to_b()
    company_b()
    company_a_gateway()
    company_a_exo()
    company_a_hybrid()

    texts = {
        "company-a/gateway/mail.log": MX1.render("syslog", 25),
        "company-a/gateway/mail.log.1": MX1.render("syslog", 24),
        "company-a/gateway/mail.log.2.gz": MX1.render("syslog", 23),
        "company-a/gateway/mail-rfc3339.log": MX2.render("rfc3339"),
        "company-a/exo/messagetrace-2026-11-23_25.csv": render_trace(),
        "company-a/exo/enhanced-summary-2026-11-23_25.csv": render_enhanced(),
        "company-a/onprem/MSGTRKMS2026112310-1.LOG": EX01_MS.render(),
        "company-a/onprem/MSGTRK2026112410-1.LOG.gz": EX01_HUB.render(),
        "company-a/onprem/MSGTRKMD2026112410-1.LOG": EX01_MD.render(),
        "company-b/relay/mail.log": RELAY.render("syslog"),
        "company-b/onprem/MSGTRK2026112410-1.LOG": NWEX01_HUB.render(),
        "company-a.conf": CONFIG_A,
        "company-b.conf": CONFIG_B,
    }
    for name, text in texts.items():
        if name.endswith("enhanced-summary-2026-11-23_25.csv"):
            data = text.encode("utf-16-le")          # text already starts with U+FEFF
        else:
            data = text.encode("utf-8")
        if name.endswith(".gz"):
            data = gzip_bytes(data)
        write(out / name, data, binary=True)
    g11 = NOTES["G11"]["qid"]
    assert g11 in texts["company-a/gateway/mail.log.2.gz"] and g11 in texts["company-a/gateway/mail.log.1"], \
        "G11 must straddle the rotation at midnight"
    write(out / "README.md", readme(texts))
    return out


if __name__ == "__main__":
    main()
