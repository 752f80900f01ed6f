-- 008-views-ndr.sql: the views tell an NDR as the audit does, v_ndr is built
-- in one pass, and a tenant's endpoint is recognised in more of its forms.
--
-- An NDR is a row with the null sender or Exchange's DSN event, as before,
-- and now also a row from an NDR sender (MAILER-DAEMON, postmaster,
-- Exchange's MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e system
-- mailbox) or with an NDR subject ("Undeliverable:" and its translations,
-- the other MTAs' wordings) that is not an automatic reply: the built-in
-- rules of the audit (src/builtin_data.c; test_audit checks that the two
-- agree). An Exchange Online NDR from a tenant that relays through its own
-- tenant carries the system mailbox as its sender, not <>, so with only the
-- recipient's logs loaded the views missed the back-door NDRs the audit
-- reports. Subject prefixes added under [notifications] ndr_subject in the
-- configuration are the audit's alone.
--
-- v_ndr read v_message again for every NDR it matched by subject; it now
-- reads it once, and takes the original's subject from an NDR subject as
-- the audit does (every built-in prefix, blanks around it) (a minute and more on a database of a few hundred thousand
-- rows, against the seconds v_message takes).
--
-- v_ex_row's place (and so v_hop's places and v_message's path) took a
-- SEND row's server-hostname for the server that logged it, though there it
-- names the next hop (queries/report_coverage.sql says the same), and had no
-- place for NOTIFYMAPI rows; both now come from the client side.
--
-- v_tenant_delivery (and so v_gateway_ip and v_backdoor) knew the tenant's
-- endpoint only as the recipient's domain with '.' as '-'; for a domain with
-- hyphens Microsoft may leave them out, and it adds digits to a name that
-- is taken, so the gateway was not learned and every arrival was listed.

DROP VIEW v_ndr;
DROP VIEW v_hop;
DROP VIEW v_ex_row;
DROP VIEW v_tenant_delivery;

-- One row per Exchange event row, with its message key, whether it is an
-- NDR, and whether the row is an entry: the message arriving at that system
-- over SMTP. Entries: on-prem RECEIVE rows with source SMTP; message-trace
-- rows with a connecting IP (an empty FromIP means it was submitted inside
-- Exchange Online); Receive events of trace details; report rows with a
-- connecting IP and no other event. These are the rows of v_entry and of
-- queries/inbound_entries.sql, and also the ones marked Originating, which
-- those leave out.
CREATE VIEW v_ex_row AS
SELECT e.id,                 -- ex_event.id
       coalesce(e.message_id, 'nmid:' || lower(e.network_message_id), 'exchange:' || e.id) AS msg_key, -- message identity (see the top of this file)
       e.message_id,         -- Message-ID without brackets, or NULL
       e.system,             -- 'exchange' (on-prem) or 'exo' (Exchange Online)
       CASE WHEN e.system = 'exo' THEN 'Exchange Online'
            -- a SEND row's server-hostname is the next hop, and NOTIFYMAPI has
            -- none: the logging server is the client side there (elsewhere
            -- the client side is the sender, never a place of ours)
            ELSE coalesce(CASE WHEN upper(coalesce(e.event, '')) LIKE 'SEND%'
                                 OR upper(coalesce(e.event, '')) = 'NOTIFYMAPI'
                               THEN e.client_hostname END, e.server, '?')
       END AS place,         -- where it was logged: the on-prem server, or 'Exchange Online'
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
       coalesce(e.sender = ''
                OR upper(coalesce(e.event, '')) = 'DSN' OR upper(coalesce(e.source, '')) = 'DSN'
                OR lower(CASE WHEN instr(e.sender, '@') > 0 THEN substr(e.sender, 1, length(rtrim(e.sender, replace(e.sender, '@', ''))) - 1) ELSE e.sender END)
                   IN ('mailer-daemon', 'postmaster', 'microsoftexchange329e71ec88ae4615bbc36ab6ce41109e')
                OR (NOT coalesce(ltrim(e.subject, ' ') LIKE 'Automatic reply:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Automatische Antwort:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Réponse automatique :%'
                                 OR ltrim(e.subject, ' ') LIKE 'Réponse automatique:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Automatisch antwoord:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Respuesta automática:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Risposta automatica:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Resposta automática:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Auto-Reply:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Autoreply:%'
                                 OR ltrim(e.subject, ' ') LIKE 'Out of Office:%', 0)
                    AND (ltrim(e.subject, ' ') LIKE 'Undeliverable:%'
                         OR ltrim(e.subject, ' ') LIKE 'Unzustellbar:%'
                         OR ltrim(e.subject, ' ') LIKE 'Non remis :%'
                         OR ltrim(e.subject, ' ') LIKE 'Non remis:%'
                         OR ltrim(e.subject, ' ') LIKE 'Onbestelbaar:%'
                         OR ltrim(e.subject, ' ') LIKE 'No se puede entregar:%'
                         OR ltrim(e.subject, ' ') LIKE 'Non recapitabile:%'
                         OR ltrim(e.subject, ' ') LIKE 'Não\_entregue:%' ESCAPE '\'
                         OR ltrim(e.subject, ' ') LIKE 'Não entregue:%'
                         OR ltrim(e.subject, ' ') LIKE 'Delivery Status Notification (Failure)%'
                         OR ltrim(e.subject, ' ') LIKE 'Delivery Status Notification (Delay)%'
                         OR ltrim(e.subject, ' ') LIKE 'Undelivered Mail Returned to Sender%'
                         OR ltrim(e.subject, ' ') LIKE 'Mail delivery failed%'
                         OR ltrim(e.subject, ' ') LIKE 'Returned mail:%'
                         OR ltrim(e.subject, ' ') LIKE 'failure notice%'
                         OR ltrim(e.subject, ' ') LIKE 'Delivery has failed%'
                         OR ltrim(e.subject, ' ') LIKE 'Message not delivered%')), 0) AS is_ndr, -- 1 for an NDR or other DSN, by the audit's built-in rules (see above)
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
       coalesce(m.is_ndr = 1 OR m.sender = ''
                OR lower(CASE WHEN instr(m.sender, '@') > 0 THEN substr(m.sender, 1, length(rtrim(m.sender, replace(m.sender, '@', ''))) - 1) ELSE m.sender END)
                   IN ('mailer-daemon', 'postmaster', 'microsoftexchange329e71ec88ae4615bbc36ab6ce41109e'), 0) AS is_ndr, -- 1 for a bounce/DSN notice, a null-sender message or an NDR sender
       m.source_id,                -- evidence: the file where the hop was first seen
       m.line                      -- and the line
FROM pf_message m
UNION ALL
SELECT g.msg_key, g.message_id, g.system, g.place, g.local_id, g.first_ts, g.last_ts,
       nullif(substr(g.entry, 25), ''), nullif(substr(g.entry_host, 25), ''),
       substr(g.sender_pick, 26), substr(g.subject_pick, 26),
       -- an NDR by its events, or by the sender and subject it is listed with
       coalesce(g.is_ndr, 0) OR coalesce(lower(CASE WHEN instr(substr(g.sender_pick, 26), '@') > 0 THEN substr(substr(g.sender_pick, 26), 1, length(rtrim(substr(g.sender_pick, 26), replace(substr(g.sender_pick, 26), '@', ''))) - 1) ELSE substr(g.sender_pick, 26) END)
                      IN ('mailer-daemon', 'postmaster', 'microsoftexchange329e71ec88ae4615bbc36ab6ce41109e')
                   OR (NOT coalesce(ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Automatic reply:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Automatische Antwort:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Réponse automatique :%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Réponse automatique:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Automatisch antwoord:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Respuesta automática:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Risposta automatica:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Resposta automática:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Auto-Reply:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Autoreply:%'
                                    OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Out of Office:%', 0)
                       AND (ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Undeliverable:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Unzustellbar:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Non remis :%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Non remis:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Onbestelbaar:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'No se puede entregar:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Non recapitabile:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Não\_entregue:%' ESCAPE '\'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Não entregue:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Delivery Status Notification (Failure)%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Delivery Status Notification (Delay)%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Undelivered Mail Returned to Sender%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Mail delivery failed%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Returned mail:%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'failure notice%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Delivery has failed%'
                            OR ltrim(substr(g.subject_pick, 26), ' ') LIKE 'Message not delivered%')), 0),
       f.source_id, f.line
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

-- One row per NDR (bounce or DSN) message, with the original message it
-- reports on where the logs link them: 'postfix-notice' (a bounce Postfix
-- generated: its parent queue-id life), 'reference' (an Exchange DSN's
-- reference field), or 'subject' (the NDR subject is a known prefix plus the
-- subject of an earlier message from one of the NDR's recipients). NULL
-- original columns when nothing links it.
CREATE VIEW v_ndr AS
WITH msg AS MATERIALIZED (
    -- every message once: the searches below look messages up by key and
    -- subject, and v_message is built whole each time it is read
    SELECT * FROM v_message
),
rcpt AS MATERIALIZED (
    SELECT msg_key, recipient FROM v_message_recipient
),
ndr AS (
    SELECT * FROM msg WHERE is_ndr = 1
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
    -- the original's subject after the first built-in NDR prefix that
    -- matches, as audit_ndr_original_subject() takes it: a prefix without a
    -- colon (Undelivered Mail Returned to Sender, ...) carries none
    SELECT msg_key, nullif(CASE
                WHEN s LIKE 'Undeliverable:%' THEN ltrim(substr(s, 15), ' ')
                WHEN s LIKE 'Unzustellbar:%' THEN ltrim(substr(s, 14), ' ')
                WHEN s LIKE 'Non remis :%' THEN ltrim(substr(s, 12), ' ')
                WHEN s LIKE 'Non remis:%' THEN ltrim(substr(s, 11), ' ')
                WHEN s LIKE 'Onbestelbaar:%' THEN ltrim(substr(s, 14), ' ')
                WHEN s LIKE 'No se puede entregar:%' THEN ltrim(substr(s, 22), ' ')
                WHEN s LIKE 'Non recapitabile:%' THEN ltrim(substr(s, 18), ' ')
                WHEN s LIKE 'Não\_entregue:%' ESCAPE '\' THEN ltrim(substr(s, 14), ' ')
                WHEN s LIKE 'Não entregue:%' THEN ltrim(substr(s, 14), ' ')
                WHEN s LIKE 'Delivery Status Notification (Failure)%' THEN NULL
                WHEN s LIKE 'Delivery Status Notification (Delay)%' THEN NULL
                WHEN s LIKE 'Undelivered Mail Returned to Sender%' THEN NULL
                WHEN s LIKE 'Mail delivery failed%' THEN NULL
                WHEN s LIKE 'Returned mail:%' THEN ltrim(substr(s, 15), ' ')
                WHEN s LIKE 'failure notice%' THEN NULL
                WHEN s LIKE 'Delivery has failed%' THEN NULL
                WHEN s LIKE 'Message not delivered%' THEN NULL
                END, '') AS orig_subject,
           first_seen
    FROM (SELECT n.msg_key, ltrim(n.subject, ' ') AS s, n.first_seen FROM ndr n)
),
by_subject AS (
    -- the latest earlier message with that subject from one of the NDR's recipients
    SELECT ndr_key, orig_key FROM (
        SELECT s.msg_key AS ndr_key, o.msg_key AS orig_key,
               row_number() OVER (PARTITION BY s.msg_key ORDER BY o.first_seen DESC, o.msg_key) AS k
        FROM stripped s
        JOIN msg o ON o.subject = s.orig_subject
        JOIN rcpt nr ON nr.msg_key = s.msg_key AND nr.recipient = lower(o.sender)
        WHERE s.orig_subject IS NOT NULL AND o.is_ndr = 0 AND o.first_seen <= s.first_seen)
    WHERE k = 1
),
link AS (
    SELECT ndr_key, orig_key, 'postfix-notice' AS how, 1 AS pref FROM by_notice
    UNION ALL
    SELECT ndr_key, orig_key, 'reference', 2 FROM by_reference
    UNION ALL
    SELECT ndr_key, orig_key, 'subject', 3 FROM by_subject
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
LEFT JOIN msg o ON o.msg_key = b.orig_key;

-- Postfix deliveries that handed a message to Exchange Online at the
-- recipient's own tenant: status=sent to the endpoint named after the
-- recipient's domain. Microsoft's MX for example.com is
-- example-com.mail.protection.outlook.com, or example-com.<...>.mx.microsoft
-- for domains added since mid-2025: the domain with '.' as '-'. Microsoft
-- leaves out the domain's own hyphens in many names and adds a suffix such
-- as 01b to keep them unique (MX records seen in public DNS: a domain like
-- company-a.example gets companya-example01b.mail.protection.outlook.com),
-- so the first label may be the domain with or without its hyphens,
-- followed by up to three digits and a letter. A partner's relay that
-- smarthosts to its own tenant's endpoint does not count, even when
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
  AND (SELECT (substr(label, 1, length(dashed)) = dashed AND (
                   length(label) = length(dashed)
                   OR (substr(label, length(dashed) + 1) GLOB '[0-9]*' AND length(label) - length(dashed) <= 4
                       AND rtrim(rtrim(substr(label, length(dashed) + 1), 'abcdefghijklmnopqrstuvwxyz'),
                                 '0123456789') = '')))
              OR (substr(label, 1, length(undashed)) = undashed AND (
                   length(label) = length(undashed)
                   OR (substr(label, length(undashed) + 1) GLOB '[0-9]*' AND length(label) - length(undashed) <= 4
                       AND rtrim(rtrim(substr(label, length(undashed) + 1), 'abcdefghijklmnopqrstuvwxyz'),
                                 '0123456789') = '')))
       FROM (SELECT lower(substr(d.relay_host, 1, instr(d.relay_host, '.') - 1)) AS label,
                    replace(dom, '.', '-') AS dashed, replace(replace(dom, '-', ''), '.', '-') AS undashed
             FROM (SELECT lower(substr(d.recipient, instr(d.recipient, '@') + 1)) AS dom)));
