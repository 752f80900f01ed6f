-- 002-postfix.sql: Postfix log lines, and the messages and deliveries they
-- add up to.
--
-- pf_event and pf_reject are written line by line by parsers/postfix.c.
-- pf_message and pf_delivery are derived: after every ingest run of Postfix
-- input the queue ids the run touched (pf_dirty), and every queue id linked to
-- them, are correlated again from all their pf_event rows, ordered by time, so a
-- message whose lines span several rotated files is one row whatever order (or
-- run) the files came in. Their ids are the pf_event.id of the first line of the
-- life (pf_message) and of the delivery line (pf_delivery): stable across runs
-- unless an earlier line of the same life arrives later.

-- One row per Postfix line that names a queue id, and per connection-level
-- line (connect, disconnect, lost connection, TLS, postscreen, warnings).
CREATE TABLE pf_event (
    id              INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES source(id),
    line            INTEGER NOT NULL,  -- 1-based line number in the source
    ts              TEXT NOT NULL,     -- event time, UTC
    ts_ms           INTEGER NOT NULL,  -- the same time as epoch milliseconds (ordering)
    year_inferred   INTEGER NOT NULL DEFAULT 0, -- 1 when the line had no year and it was guessed
    host            TEXT NOT NULL,     -- syslog host name
    instance        TEXT NOT NULL,     -- first element of the syslog name (postfix, postfix-out): one queue each
    daemon          TEXT NOT NULL,     -- last element of the syslog name (smtpd, qmgr, smtp, ...)
    pid             INTEGER,           -- process id from the syslog tag
    queue_id        TEXT,              -- queue id the line is about; NULL for connection-level lines
    kind            TEXT NOT NULL,     -- client, pickup, message_id, resent_message_id, active, removed, expired, delivery, notice, reject, cleanup_action, connect, disconnect, lost, tls, postscreen, warning, other
    client_host     TEXT,              -- smtpd/postscreen client name (or 'unknown')
    client_ip       TEXT,              -- client address, IPv6 without brackets
    client_port     INTEGER,           -- client port when logged
    sender          TEXT,              -- from=<...>: '' for the null sender
    recipient       TEXT,              -- to=<...> as logged
    orig_recipient  TEXT,              -- orig_to=<...>
    relay_host      TEXT,              -- relay=HOST[...]: or none / local / virtual ...
    relay_ip        TEXT,              -- relay=...[IP] (or a socket path for LMTP over a UNIX socket)
    relay_port      INTEGER,           -- relay=...]:PORT
    conn_use        INTEGER,           -- conn_use=N (connection cache reuse)
    delay           REAL,              -- delay=seconds
    delays          TEXT,              -- delays=a/b/c/d
    tls             TEXT,              -- tls=... (Postfix 3.11 delivery TLS summary)
    dsn             TEXT,              -- dsn=X.Y.Z, or the enhanced code of a reject
    status          TEXT,              -- status=WORD (sent, deferred, bounced, expired, SOFTBOUNCE ...); for a notice its kind (non-delivery, delay, ...)
    reply           TEXT,              -- text in parentheses after status=, or a reject's reply
    size            INTEGER,           -- qmgr size=
    nrcpt           INTEGER,           -- qmgr nrcpt=
    uid             INTEGER,           -- pickup uid= (local submitter)
    message_id_raw  TEXT,              -- cleanup message-id= / resent-message-id= value as logged
    sasl_method     TEXT,              -- smtpd sasl_method=
    sasl_username   TEXT,              -- smtpd sasl_username=
    link_queue_id   TEXT,              -- another queue id this line names: a notice's new id, orig_queue_id=, queued as / forwarded as in a reply
    link_kind       TEXT,              -- ndr_of (notice), queued_as, forwarded_as, orig_queue_id
    helo            TEXT,              -- helo=<...> of a reject line
    command         TEXT,              -- SMTP stage (RCPT, DATA, CONNECT ...) or cleanup action (header, body, milter-reject ...)
    text            TEXT,              -- the message body after the queue id, for kinds without structure (warning, other, tls, disconnect counters)
    truncated       INTEGER NOT NULL DEFAULT 0 -- 1 when the line ended before its closing parenthesis (syslog cut it)
);
CREATE INDEX pf_event_source ON pf_event(source_id, line);
-- The lines of one queue id, and the lines that name it from another queue
-- (re-correlation of a run's queue ids and of what links to them).
CREATE INDEX pf_event_qid ON pf_event(queue_id) WHERE queue_id IS NOT NULL;
CREATE INDEX pf_event_link ON pf_event(link_queue_id) WHERE link_queue_id IS NOT NULL;

-- Queue ids with lines stored since the last correlation: filled per input
-- file (in that file's transaction), emptied when pf_message and pf_delivery
-- were rebuilt for them. A run whose rebuild failed leaves them for the next.
-- A load into an empty pf_event leaves it empty: everything is rebuilt then.
CREATE TABLE pf_dirty (
    queue_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Rejections before delivery: NOQUEUE rejects (smtpd, postscreen) and rejects
-- of a message that already had a queue id (smtpd, cleanup header/body/milter).
CREATE TABLE pf_reject (
    id          INTEGER PRIMARY KEY,
    ts          TEXT NOT NULL,         -- UTC
    host        TEXT NOT NULL,         -- syslog host
    instance    TEXT NOT NULL,         -- Postfix instance (first element of the syslog name)
    daemon      TEXT NOT NULL,         -- smtpd, postscreen, cleanup ...
    queue_id    TEXT,                  -- NULL for NOQUEUE
    action      TEXT NOT NULL,         -- reject, reject_warning, milter-reject, discard, hold ...
    client_host TEXT,                  -- client name ('unknown' when it has none)
    client_ip   TEXT,                  -- client address
    client_port INTEGER,               -- client port (postscreen)
    helo        TEXT,                  -- helo=<...>
    sender      TEXT,                  -- from=<...>: '' for the null sender, NULL when not logged
    recipient   TEXT,                  -- to=<...>, lower-cased
    proto       TEXT,                  -- proto=SMTP/ESMTP
    code        INTEGER,               -- SMTP reply code (550, 454 ...); NULL when the reply has none
    dsn         TEXT,                  -- enhanced status code (5.7.1)
    reply       TEXT,                  -- the reply text as logged, code included
    command     TEXT,                  -- RCPT, DATA, END-OF-MESSAGE, CONNECT, MAIL, header, body ...
    source_id   INTEGER NOT NULL REFERENCES source(id),
    line        INTEGER NOT NULL,      -- 1-based line in the source
    year_inferred INTEGER NOT NULL DEFAULT 0 -- 1 when the line had no year and it was guessed
);
CREATE INDEX pf_reject_source ON pf_reject(source_id, line);
CREATE INDEX pf_reject_ts ON pf_reject(ts);

-- One row per life of a queue id: from its first line to 'removed' (a queue
-- id is reused after that). Rebuilt for the queue ids of every ingest run;
-- id is the pf_event.id of the life's first line.
CREATE TABLE pf_message (
    id             INTEGER PRIMARY KEY,
    host           TEXT NOT NULL,      -- syslog host
    instance       TEXT NOT NULL,      -- Postfix instance (its own queue)
    queue_id       TEXT NOT NULL,      -- queue id of this life
    first_ts       TEXT NOT NULL,      -- first line of the life, UTC
    last_ts        TEXT NOT NULL,      -- last line of the life, UTC
    client_host    TEXT,               -- smtpd client= name: the hop that handed the message in
    client_ip      TEXT,               -- smtpd client= address
    sasl_username  TEXT,               -- authenticated submitter
    sender         TEXT,               -- envelope sender: '' for the null sender <>, NULL when no line said
    size           INTEGER,            -- qmgr size= (bytes)
    nrcpt          INTEGER,            -- qmgr nrcpt=
    message_id     TEXT,               -- Message-ID normalised: the first <...> without brackets
    message_id_raw TEXT,               -- Message-ID as logged
    resent_message_id TEXT,            -- Resent-Message-ID normalised, when logged
    pickup_uid     INTEGER,            -- pickup uid= for locally submitted mail
    parent_id      INTEGER,            -- pf_message.id of the life this one came from (no REFERENCES: the table is rebuilt whole, and a
                                       -- referenced table cannot be emptied in one step)
    parent_kind    TEXT,               -- 'ndr_of' (a notice about the parent), 'queued_as' (parent handed it over by SMTP/LMTP), 'forwarded_as' (local forward)
    is_ndr         INTEGER NOT NULL DEFAULT 0, -- 1 for a Postfix bounce/delay notice or a null-sender message
    status         TEXT NOT NULL,      -- 'removed', 'expired' (returned to sender, then removed), 'open' (no end seen)
    seen_start     INTEGER NOT NULL DEFAULT 0, -- 1 when the life's entry (client= or pickup) is in the data
    rejected       INTEGER NOT NULL DEFAULT 0, -- 1 when smtpd or cleanup rejected/discarded it after it got a queue id
    source_id      INTEGER NOT NULL REFERENCES source(id), -- where the life was first seen
    line           INTEGER NOT NULL,   -- line there
    year_inferred  INTEGER NOT NULL DEFAULT 0 -- 1 when any of its lines had a guessed year
);
CREATE INDEX pf_message_qid ON pf_message(queue_id);
CREATE INDEX pf_message_msgid ON pf_message(message_id);
CREATE INDEX pf_message_ts ON pf_message(first_ts);
CREATE INDEX pf_message_parent ON pf_message(parent_id);

-- One row per delivery attempt of one recipient. Rebuilt with its message;
-- id is the pf_event.id of the delivery line.
CREATE TABLE pf_delivery (
    id              INTEGER PRIMARY KEY,
    pf_message_id   INTEGER NOT NULL,  -- pf_message.id of the message life (rebuilt together with it)
    ts              TEXT NOT NULL,     -- UTC
    recipient       TEXT,              -- to=<...>, lower-cased
    orig_recipient  TEXT,              -- orig_to=<...> (before alias/virtual expansion)
    daemon          TEXT NOT NULL,     -- delivery agent: smtp, lmtp, local, virtual, pipe, error, discard, retry, relay ...
    relay_host      TEXT,              -- relay=HOST[...]
    relay_ip        TEXT,              -- relay=...[IP]
    relay_port      INTEGER,           -- relay=...]:PORT
    conn_use        INTEGER,           -- conn_use=
    delay           REAL,              -- delay= seconds
    delays          TEXT,              -- delays=a/b/c/d
    tls             TEXT,              -- tls= (Postfix 3.11)
    dsn             TEXT,              -- dsn=
    status          TEXT,              -- sent, deferred, bounced, expired, SOFTBOUNCE, deliverable, undeliverable ...
    reply           TEXT,              -- text in parentheses, whole
    is_final        INTEGER NOT NULL DEFAULT 0, -- 1 on the last attempt for this recipient of this message life
    queued_as       TEXT,              -- queue id the peer gave ("queued as X" / "forwarded as X")
    exo_message_id  TEXT,              -- Exchange Online 250 2.6.0 <msgid>: Message-ID without brackets
    exo_internal_id TEXT,              -- Exchange Online [InternalId=...]
    exo_hostname    TEXT,              -- Exchange Online [Hostname=...]
    exo_attribution TEXT,              -- Exchange Online attribution error: 'TenantAttribution', 'ATTR35' ... or NULL
    truncated       INTEGER NOT NULL DEFAULT 0, -- 1 when the log line was cut before the reply ended
    source_id       INTEGER NOT NULL REFERENCES source(id),
    line            INTEGER NOT NULL   -- line in the source
);
CREATE INDEX pf_delivery_msg ON pf_delivery(pf_message_id);
CREATE INDEX pf_delivery_rcpt ON pf_delivery(recipient);
