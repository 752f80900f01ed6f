-- 005-views.sql: views for investigating by hand (`mxaudit sql`, or sqlite3
-- with `.load ./mxaudit_ext`). They answer the common questions so that a
-- query starts from a message, an arrival or an NDR instead of from log rows.
--
-- The views use plain SQLite only (no mxaudit functions), so any SQLite
-- client can read them without the extension.
--
-- Identity: a message is its Message-ID without angle brackets (msg_key =
-- message_id). A row without one gets a key of its own: 'nmid:' and the
-- Exchange network message id, 'postfix:HOST/INSTANCE/QUEUEID/N' for a
-- Postfix queue-id life, 'exchange:N' for a lone Exchange row. Rows with the
-- same key are the same message wherever they were logged.
--
-- Times are UTC text like the tables. Where a view must pick "the earliest
-- row" inside an aggregate it compares printf('%-23s', ts), the time padded to
-- the length of 'YYYY-MM-DD HH:MM:SS.mmm', so that 10:04:03 sorts before
-- 10:04:03.500.

-- One row per Exchange event row, with its message key and whether the row is
-- an entry: the message arriving at that system over SMTP. Entries are the
-- same rows as in queries/inbound_entries.sql: on-prem RECEIVE rows with source
-- SMTP; message-trace rows with a connecting IP (an empty FromIP means it was
-- submitted inside Exchange Online); Receive events of trace details; report
-- rows with a connecting IP and no other event.
CREATE VIEW v_ex_row AS
SELECT e.id,                 -- ex_event.id
       coalesce(e.message_id, 'nmid:' || lower(e.network_message_id), 'exchange:' || e.id) AS msg_key, -- message identity (see the top of this file)
       e.message_id,         -- Message-ID without brackets, or NULL
       e.system,             -- 'exchange' (on-prem) or 'exo' (Exchange Online)
       CASE WHEN e.system = 'exo' THEN 'Exchange Online' ELSE coalesce(e.server, '?') END AS place, -- where it was logged: the on-prem server, or 'Exchange Online'
       e.ts,                 -- event time, UTC
       e.event,              -- event as logged (RECEIVE, DELIVER, Delivered, FilteredAsSpam ...)
       e.sender,             -- envelope sender: '' for <>, NULL when not in the export
       e.subject,            -- subject, when the export has it
       e.client_ip,          -- connecting IP of this hop (see ex_event.client_ip)
       e.client_hostname,    -- connecting host name, when logged
       e.connector,          -- connector name or id
       e.directionality,     -- 'Incoming', 'Originating' or NULL
       e.reference,          -- on-prem reference field (a DSN's original Message-ID)
       e.network_message_id, -- network message id / MessageTraceId
       (upper(coalesce(e.event, '')) = 'DSN' OR upper(coalesce(e.source, '')) = 'DSN') AS is_dsn, -- 1 for an Exchange DSN (NDR) event
       ((e.system = 'exchange' AND upper(coalesce(e.event, '')) = 'RECEIVE'
         AND upper(coalesce(e.source, '')) = 'SMTP')
        OR (e.system = 'exo' AND (
              (e.format IN ('exo-trace', 'exo-trace-json') AND coalesce(e.client_ip, '') <> '')
           OR (e.format = 'exo-trace-detail' AND upper(coalesce(e.event, '')) = 'RECEIVE')
           OR (e.format NOT IN ('exo-trace', 'exo-trace-json', 'exo-trace-detail')
               AND coalesce(e.client_ip, '') <> ''
               AND (e.source IS NULL OR upper(e.source) = 'SMTP')
               AND (e.event IS NULL OR upper(e.event) = 'RECEIVE'))))) AS is_entry, -- 1 when the row is the message arriving over SMTP
       e.source_id,          -- source.id of the file
       e.line                -- line in that file
FROM ex_event e;

-- One row per hop: each place that saw a message. A Postfix queue-id life
-- is a hop (host/instance: a content filter's second instance is a hop of
-- its own); all rows of one message at one on-prem server are a hop; all
-- rows of one message in Exchange Online are one hop.
CREATE VIEW v_hop AS
SELECT coalesce(m.message_id,
                'postfix:' || m.host || '/' || m.instance || '/' || m.queue_id || '/' || m.id) AS msg_key, -- message identity
       m.message_id,               -- Message-ID without brackets, or NULL
       'postfix' AS system,        -- 'postfix', 'exchange' (on-prem) or 'exo'
       m.host || '/' || m.instance AS place, -- Postfix: syslog host/instance; Exchange: server; 'Exchange Online'
       m.queue_id AS local_id,     -- Postfix queue id; Exchange: network message id
       m.first_ts,                 -- first row of the hop, UTC
       m.last_ts,                  -- last row of the hop, UTC
       m.client_ip,                -- who handed the message to this hop (smtpd client=, Exchange entry IP); NULL when not seen
       m.client_host,              -- its name, when logged
       m.sender,                   -- envelope sender: '' for <>, NULL when no row said
       NULL AS subject,            -- subject (Exchange only: Postfix does not log it)
       (m.is_ndr = 1 OR m.sender = '') AS is_ndr, -- 1 for a bounce/DSN or null-sender message
       m.source_id,                -- evidence: the file where the hop was first seen
       m.line                      -- and the line
FROM pf_message m
UNION ALL
SELECT g.msg_key, g.message_id, g.system, g.place, g.local_id, g.first_ts, g.last_ts,
       nullif(substr(g.entry, 25), ''), nullif(substr(g.entry_host, 25), ''),
       substr(g.sender_pick, 26), substr(g.subject_pick, 26), g.is_ndr, f.source_id, f.line
FROM (SELECT r.msg_key, max(r.message_id) AS message_id, r.system, r.place,
             max(r.network_message_id) AS local_id, min(r.ts) AS first_ts, max(r.ts) AS last_ts,
             -- the earliest entry row's IP: entry rows only, time-padded (see the top)
             min(CASE WHEN r.is_entry AND coalesce(r.client_ip, '') <> ''
                      THEN printf('%-23s|%s', r.ts, r.client_ip) END) AS entry,
             min(CASE WHEN r.is_entry AND coalesce(r.client_hostname, '') <> ''
                      THEN printf('%-23s|%s', r.ts, r.client_hostname) END) AS entry_host,
             -- sender and subject from an entry row when there is one, else the earliest row
             min(CASE WHEN r.sender IS NOT NULL
                      THEN printf('%d%-23s|%s', NOT r.is_entry, r.ts, r.sender) END) AS sender_pick,
             min(CASE WHEN r.subject IS NOT NULL
                      THEN printf('%d%-23s|%s', NOT r.is_entry, r.ts, r.subject) END) AS subject_pick,
             max(r.sender = '' OR r.is_dsn) AS is_ndr,
             min(printf('%-23s|%d', r.ts, r.id)) AS first_row
      FROM v_ex_row r
      GROUP BY r.msg_key, r.system, r.place) g
JOIN ex_event f ON f.id = CAST(substr(g.first_row, 25) AS INTEGER);

-- One row per (message, recipient): every place the recipient was seen and
-- its status at the last one. The final status is the latest row for the
-- recipient at any hop: Postfix pf_delivery.status (sent, deferred, bounced
-- ..., and 'expired' for a recipient still deferred when its message
-- expired), Exchange the event (DELIVER, FAIL, SEND, Delivered,
-- FilteredAsSpam ...). On a tie in time a delivery outranks a RECEIVE and a
-- later system (Exchange) outranks Postfix.
CREATE VIEW v_message_recipient AS
WITH attempt AS (
    SELECT coalesce(m.message_id,
                    'postfix:' || m.host || '/' || m.instance || '/' || m.queue_id || '/' || m.id) AS msg_key,
           m.message_id, d.recipient,
           -- qmgr logs "status=expired, returned to sender" once per message, not per
           -- recipient: a recipient still deferred at its last attempt expired with it
           CASE WHEN d.is_final AND d.status = 'deferred' AND m.status = 'expired' THEN m.last_ts ELSE d.ts END AS ts,
           'postfix' AS system, m.host || '/' || m.instance AS place,
           CASE WHEN d.is_final AND d.status = 'deferred' AND m.status = 'expired' THEN 'expired' ELSE d.status END AS status,
           d.reply, d.relay_host AS relay, d.id AS row_id, 0 AS is_receive, 0 AS system_rank,
           d.source_id, d.line
    FROM pf_delivery d JOIN pf_message m ON m.id = d.pf_message_id
    WHERE d.recipient IS NOT NULL
    UNION ALL
    SELECT r.msg_key, r.message_id, x.address, r.ts, r.system, r.place,
           coalesce(r.event, x.status), x.status, r.connector, r.id,
           upper(coalesce(r.event, x.status, '')) = 'RECEIVE', 1, r.source_id, r.line
    FROM v_ex_row r JOIN ex_recipient x ON x.event_id = r.id
),
ranked AS (
    SELECT a.*,
           row_number() OVER (PARTITION BY a.msg_key, a.recipient
                              ORDER BY a.ts DESC, a.is_receive, a.system_rank DESC, a.row_id DESC) AS from_last,
           count(*) OVER whole AS attempts,
           min(a.ts) OVER whole AS first_ts,
           group_concat(a.place || ': ' || coalesce(a.status, '?'), ' > ') OVER
               (PARTITION BY a.msg_key, a.recipient
                ORDER BY a.ts, a.is_receive DESC, a.system_rank, a.row_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS path
    FROM attempt a
    WINDOW whole AS (PARTITION BY a.msg_key, a.recipient)
)
SELECT msg_key,               -- message identity (see the top of this file)
       message_id,            -- Message-ID without brackets, or NULL
       recipient,             -- recipient address, lower-cased
       first_ts,              -- first time the recipient was seen for this message, UTC
       ts AS final_ts,        -- time of the final status, UTC
       status AS final_status, -- status at the last row (see above)
       system AS final_system, -- 'postfix', 'exchange' or 'exo': who logged the final status
       place AS final_place,  -- host/instance, server or 'Exchange Online'
       reply AS final_reply,  -- Postfix reply text; Exchange recipient status
       relay AS final_relay,  -- Postfix relay=host; Exchange connector
       attempts,              -- rows for this recipient across all hops
       path,                  -- each row as 'place: status', oldest first, ' > '-separated
       source_id,             -- evidence of the final status: source.id
       line                   -- and the line
FROM ranked
WHERE from_last = 1;

-- One row per message across all sources, joined by Message-ID: where it was
-- first seen and who handed it in (the entry hop), every place it passed
-- (path), and each recipient's final status.
CREATE VIEW v_message AS
WITH hop AS (
    SELECT h.*,
           row_number() OVER (PARTITION BY h.msg_key ORDER BY h.first_ts,
                              CASE h.system WHEN 'postfix' THEN 0 ELSE 1 END, h.place) AS hop_no,
           group_concat(h.place, ' > ') OVER
               (PARTITION BY h.msg_key ORDER BY h.first_ts, CASE h.system WHEN 'postfix' THEN 0 ELSE 1 END, h.place
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS path
    FROM v_hop h
),
rcpt AS (
    SELECT msg_key, group_concat(recipient || ' ' || coalesce(final_status, '?'), ', ') AS recipients,
           count(*) AS nrcpt
    FROM (SELECT * FROM v_message_recipient ORDER BY msg_key, recipient)
    GROUP BY msg_key
)
SELECT h.msg_key,                                          -- message identity (see the top of this file)
       max(h.message_id) AS message_id,                    -- Message-ID without brackets, or NULL
       min(h.first_ts) AS first_seen,                      -- first row anywhere, UTC
       max(h.last_ts) AS last_seen,                        -- last row anywhere, UTC
       substr(min(CASE WHEN h.sender IS NOT NULL THEN printf('%-23s|%s', h.first_ts, h.sender) END), 25)
           AS sender,                                      -- envelope sender at the first hop that logged one ('' = <>)
       max(h.subject) AS subject,                          -- subject (Exchange rows only)
       max(CASE WHEN h.hop_no = 1 THEN h.system END) AS entry_system, -- 'postfix', 'exchange' or 'exo': where it was first seen
       max(CASE WHEN h.hop_no = 1 THEN h.place END) AS entry_place,   -- that hop's host/instance, server or 'Exchange Online'
       max(CASE WHEN h.hop_no = 1 THEN h.client_ip END) AS entry_ip,  -- the IP that handed it to that hop (NULL when not logged)
       max(h.path) AS path,                                -- the places that saw it, by first time, ' > '-separated
       count(*) AS hops,                                   -- number of places
       max(h.is_ndr) AS is_ndr,                            -- 1 when any hop saw it as a bounce/DSN or with the null sender
       coalesce(r.nrcpt, 0) AS nrcpt,                      -- number of distinct recipients seen
       r.recipients                                        -- 'recipient final_status', ', '-separated, by address
FROM hop h
LEFT JOIN rcpt r ON r.msg_key = h.msg_key
GROUP BY h.msg_key;

-- Postfix deliveries that handed a message to Exchange Online at the
-- recipient's own tenant: status=sent to the endpoint named after the
-- recipient's domain (Microsoft's MX for example.com is
-- example-com.mail.protection.outlook.com, or example-com.<...>.mx.microsoft
-- for DNSSEC-enabled domains: the domain with '.' as '-'). A partner's relay
-- that smarthosts to its own tenant's endpoint does not count, even when
-- Exchange Online then delivers the message into ours.
CREATE VIEW v_tenant_delivery AS
SELECT m.message_id,      -- Message-ID without brackets
       d.recipient,       -- recipient, lower-cased
       d.ts,              -- delivery time, UTC
       m.host,            -- syslog host of the delivering Postfix
       m.instance,        -- its instance
       d.relay_host,      -- the endpoint
       d.id AS pf_delivery_id -- pf_delivery.id
FROM pf_delivery d
JOIN pf_message m ON m.id = d.pf_message_id
WHERE d.status = 'sent' AND m.message_id IS NOT NULL
  AND (d.relay_host LIKE '%.mail.protection.outlook.com' OR d.relay_host LIKE '%.mx.microsoft')
  AND d.relay_host LIKE replace(substr(d.recipient, instr(d.recipient, '@') + 1), '.', '-') || '.%';

-- The IPs the MX gateway reaches Exchange Online from, learned from the
-- data: the connecting IP of every Exchange Online entry of a message and
-- recipient that v_tenant_delivery shows a Postfix delivered there. Empty
-- when no gateway logs are ingested.
CREATE VIEW v_gateway_ip AS
SELECT r.client_ip,                      -- the gateway's address as Exchange Online logged it
       count(DISTINCT r.msg_key) AS messages, -- messages that prove it
       min(r.ts) AS first_seen,          -- first such entry, UTC
       max(r.ts) AS last_seen            -- last such entry, UTC
FROM v_ex_row r
JOIN ex_recipient x ON x.event_id = r.id
WHERE r.system = 'exo' AND r.is_entry AND coalesce(r.client_ip, '') <> ''
  AND EXISTS (SELECT 1 FROM v_tenant_delivery t
              WHERE t.message_id = r.message_id AND t.recipient = x.address)
GROUP BY r.client_ip;

-- One row per back-door arrival: a message that entered Exchange Online over
-- SMTP (not marked Originating) from an IP that is not one of v_gateway_ip,
-- for recipients v_tenant_delivery does not show a Postfix delivered there
-- with that Message-ID. Grouped by message and connecting IP.
-- Limits, without the audit's configuration: with no gateway logs ingested
-- every entry is listed; Exchange Online's own traffic (its notifications,
-- other tenants) and on-prem servers sending through Exchange Online appear
-- unless their rows say Originating. Narrow with the functions, e.g.
-- `WHERE NOT is_exo_ip(client_ip)` or `NOT ip_in(client_ip, '10.0.0.0/8')`;
-- `mxaudit audit` applies the configuration and classifies each arrival.
CREATE VIEW v_backdoor AS
WITH entry AS (
    SELECT r.*, x.address
    FROM v_ex_row r
    LEFT JOIN ex_recipient x ON x.event_id = r.id
    WHERE r.system = 'exo' AND r.is_entry AND coalesce(r.client_ip, '') <> ''
      AND coalesce(r.directionality, '') <> 'Originating'
      AND r.client_ip NOT IN (SELECT client_ip FROM v_gateway_ip)
      AND NOT EXISTS (SELECT 1 FROM v_tenant_delivery t
                      WHERE t.message_id = r.message_id AND (x.address IS NULL OR t.recipient = x.address))
)
SELECT g.msg_key,            -- message identity (see the top of this file)
       g.message_id,         -- Message-ID without brackets, or NULL
       g.first_seen,         -- first entry row, UTC
       g.last_seen,          -- last entry row, UTC
       g.client_ip,          -- the IP it came from
       g.client_hostname,    -- its name, when logged
       substr(g.sender_pick, 25) AS sender, -- envelope sender ('' = <>), NULL when the export has none
       g.subject,            -- subject
       g.connector,          -- inbound connector, when logged
       g.recipients,         -- recipients, ','-separated
       (SELECT max(h.is_ndr) FROM v_hop h WHERE h.msg_key = g.msg_key) AS is_ndr, -- 1 for a bounce/DSN or null-sender message
       s.path AS file,       -- evidence: the file of the first entry row
       f.line                -- and its line
FROM (SELECT e.msg_key, max(e.message_id) AS message_id, min(e.ts) AS first_seen, max(e.ts) AS last_seen,
             e.client_ip, max(e.client_hostname) AS client_hostname,
             min(CASE WHEN e.sender IS NOT NULL THEN printf('%-23s|%s', e.ts, e.sender) END) AS sender_pick,
             max(e.subject) AS subject, max(e.connector) AS connector,
             group_concat(DISTINCT e.address) AS recipients,
             min(printf('%-23s|%d', e.ts, e.id)) AS first_row
      FROM entry e
      GROUP BY e.msg_key, e.client_ip) g
JOIN ex_event f ON f.id = CAST(substr(g.first_row, 25) AS INTEGER)
JOIN source s ON s.id = f.source_id;

-- One row per NDR (bounce or DSN) message, with the original message it
-- reports on where the logs link them: 'postfix-notice' (a bounce Postfix
-- generated: its parent queue-id life), 'reference' (an Exchange DSN's
-- reference field), or 'subject' (the NDR subject is a known prefix plus the
-- subject of an earlier message from one of the NDR's recipients). NULL
-- original columns when nothing links it.
CREATE VIEW v_ndr AS
WITH ndr AS (
    SELECT * FROM v_message WHERE is_ndr = 1
),
by_notice AS (
    SELECT coalesce(n.message_id,
                    'postfix:' || n.host || '/' || n.instance || '/' || n.queue_id || '/' || n.id) AS ndr_key,
           coalesce(p.message_id,
                    'postfix:' || p.host || '/' || p.instance || '/' || p.queue_id || '/' || p.id) AS orig_key
    FROM pf_message n JOIN pf_message p ON p.id = n.parent_id
    WHERE n.parent_kind = 'ndr_of'
),
by_reference AS (
    SELECT r.msg_key AS ndr_key,
           CASE WHEN instr(r.reference, '<') > 0 AND instr(r.reference, '>') > instr(r.reference, '<')
                THEN substr(r.reference, instr(r.reference, '<') + 1,
                            instr(r.reference, '>') - instr(r.reference, '<') - 1)
                ELSE trim(r.reference) END AS orig_key
    FROM v_ex_row r
    WHERE coalesce(r.reference, '') <> ''
),
stripped AS (
    SELECT n.msg_key,
           CASE WHEN n.subject LIKE 'Undeliverable: %' THEN substr(n.subject, 16)
                WHEN n.subject LIKE 'Unzustellbar: %' THEN substr(n.subject, 15)
                WHEN n.subject LIKE 'Non remis : %' THEN substr(n.subject, 13)
                WHEN n.subject LIKE 'Onbestelbaar: %' THEN substr(n.subject, 15)
                WHEN n.subject LIKE 'No se puede entregar: %' THEN substr(n.subject, 23)
                WHEN n.subject LIKE 'Non recapitabile: %' THEN substr(n.subject, 19)
                WHEN n.subject LIKE 'Undelivered Mail Returned to Sender: %' THEN substr(n.subject, 38)
                END AS orig_subject,
           n.first_seen
    FROM ndr n
),
by_subject AS (
    SELECT s.msg_key AS ndr_key,
           (SELECT o.msg_key FROM v_message o
            WHERE o.subject = s.orig_subject AND o.is_ndr = 0 AND o.first_seen <= s.first_seen
              AND EXISTS (SELECT 1 FROM v_message_recipient nr
                          WHERE nr.msg_key = s.msg_key AND nr.recipient = lower(o.sender))
            ORDER BY o.first_seen DESC LIMIT 1) AS orig_key
    FROM stripped s
    WHERE s.orig_subject IS NOT NULL
),
link AS (
    SELECT ndr_key, orig_key, 'postfix-notice' AS how, 1 AS pref FROM by_notice
    UNION ALL
    SELECT ndr_key, orig_key, 'reference', 2 FROM by_reference
    UNION ALL
    SELECT ndr_key, orig_key, 'subject', 3 FROM by_subject WHERE orig_key IS NOT NULL
),
best AS (
    SELECT ndr_key, orig_key, how,
           row_number() OVER (PARTITION BY ndr_key ORDER BY pref) AS n
    FROM link
)
SELECT n.msg_key AS ndr_key,           -- the NDR's message identity
       n.message_id AS ndr_message_id, -- the NDR's own Message-ID
       n.first_seen AS ndr_first_seen, -- when the NDR was first seen, UTC
       n.sender AS ndr_sender,         -- its envelope sender ('' = <>)
       n.subject AS ndr_subject,       -- its subject (Exchange rows only)
       n.recipients AS ndr_recipients, -- who it went to (the original sender), with final status
       n.entry_system AS ndr_entry_system, -- where it was first seen
       n.entry_place AS ndr_entry_place,
       n.entry_ip AS ndr_entry_ip,     -- the IP that handed it in there
       n.path AS ndr_path,             -- the places it passed
       b.how AS link,                  -- 'postfix-notice', 'reference', 'subject', or NULL
       b.orig_key,                     -- the original's message identity
       o.message_id AS orig_message_id, -- the original's Message-ID
       o.first_seen AS orig_first_seen, -- when the original was first seen, UTC
       o.sender AS orig_sender,        -- the original's sender
       o.subject AS orig_subject,      -- the original's subject
       o.recipients AS orig_recipients, -- the original's recipients with their final status
       o.path AS orig_path             -- the places the original passed: the last one delivered it or gave up
FROM ndr n
LEFT JOIN best b ON b.ndr_key = n.msg_key AND b.n = 1
LEFT JOIN v_message o ON o.msg_key = b.orig_key;

-- One row per Postfix delivery attempt to Exchange Online (relay
-- *.outlook.com, or a reply Exchange Online wrote), with its reply parsed:
-- the Message-ID and InternalId Exchange Online accepted it as, the front
-- end that answered, and the attribution error of a refusal.
CREATE VIEW v_exo_delivery AS
SELECT d.ts,                        -- attempt time, UTC
       m.host,                      -- syslog host of the Postfix that delivered
       m.instance,                  -- Postfix instance
       m.queue_id,                  -- queue id
       m.message_id,                -- Message-ID of the message, without brackets
       m.sender,                    -- envelope sender ('' = <>)
       d.recipient,                 -- recipient, lower-cased
       d.relay_host,                -- relay=host (the tenant's MX endpoint)
       d.relay_ip,                  -- its IP
       d.status,                    -- sent, deferred, bounced, expired ...
       d.dsn,                       -- enhanced status code
       d.is_final,                  -- 1 on the last attempt for this recipient
       d.exo_message_id,            -- 250 2.6.0 <id>: the Message-ID Exchange Online queued it as
       (d.exo_message_id = m.message_id) AS exo_id_matches, -- 1 when that is the message's own Message-ID
       d.exo_internal_id,           -- [InternalId=...]
       d.exo_hostname,              -- [Hostname=...]: the Exchange Online server that answered
       d.exo_attribution,           -- TenantAttribution, ATTR35 ...: why it was refused or deferred
       d.reply,                     -- the whole reply
       d.truncated,                 -- 1 when the log line was cut before the reply ended
       s.path AS file,              -- evidence: file
       d.line                       -- and line
FROM pf_delivery d
JOIN pf_message m ON m.id = d.pf_message_id
JOIN source s ON s.id = d.source_id
WHERE d.relay_host LIKE '%.outlook.com'
   OR d.exo_internal_id IS NOT NULL OR d.exo_hostname IS NOT NULL
   OR d.exo_attribution IS NOT NULL OR d.exo_message_id IS NOT NULL;

-- One row per ingested source (a distinct content, whatever names it had),
-- with the names it was seen under and its rejects.
CREATE VIEW v_source AS
SELECT s.id,                 -- source.id
       s.path,               -- path it was first ingested from
       s.format,             -- parser
       s.status,             -- 'ok' or 'failed'
       s.error,              -- why it failed
       s.lines_read,         -- lines read
       s.events_stored,      -- rows stored
       s.lines_skipped,      -- lines deliberately ignored
       s.lines_rejected,     -- lines kept in reject
       s.first_ts,           -- earliest event, UTC
       s.last_ts,            -- latest event, UTC
       s.year_inferred,      -- 1 when year-less timestamps got a guessed year
       s.ingested_at,        -- when it was last ingested, UTC
       (SELECT group_concat(DISTINCT f.path) FROM source_file f WHERE f.source_id = s.id) AS names, -- every path it was seen under, ','-separated
       (SELECT r.line || ': ' || r.reason FROM reject r WHERE r.source_id = s.id
        ORDER BY r.line LIMIT 1) AS first_reject -- 'LINE: reason' of its first rejected line, or NULL
FROM source s;

-- One row per rejected line, with its file and format.
CREATE VIEW v_reject AS
SELECT s.path AS file,   -- the source's path
       s.format,         -- its parser
       r.line,           -- 1-based line number
       r.reason,         -- why the line was rejected
       r.text,           -- the line (cut to 2048 bytes, control bytes as \xNN)
       r.source_id       -- source.id
FROM reject r
JOIN source s ON s.id = r.source_id;
