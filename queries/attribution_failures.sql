-- attribution_failures.sql: outbound mail Exchange Online refused or deferred
-- because it could not attribute it to our tenant (550 5.7.64
-- TenantAttribution; Relay Access Denied; 451 4.4.62 Mail sent to the wrong
-- Office 365 region. ATTR35; other ATTRnn codes), from Postfix relay logs
-- and on-prem Exchange tracking logs. One row per (message, recipient) that
-- had at least one such reply.
--
-- Parameters: :since, :until (bounds on the first attempt, or NULL).
-- Columns: message_id, sender, recipient, attempts (all attempts for that
-- recipient), first_ts, last_ts, smarthost and reply and dsn of the last
-- attempt, subject (Exchange only), host (that logged the attempts),
-- evidence (file TAB line, one per line), client_ip (where the message
-- entered the relay: Postfix client=, or its parent's for a bounce the relay
-- made itself; Exchange: the RECEIVE row of the same server). The audit keeps
-- the rows of our own mail: sender in our domains, or entered from [onprem].
-- Identity: the Message-ID, else the queue id (Postfix: host/instance/queue
-- id; Exchange: server/internal id). First the (message, recipient) pairs
-- with such a reply, found in one pass; then every attempt of those pairs,
-- found through the indexes: the delivery rows are read once, not twice.
WITH pf_hit AS MATERIALIZED (
    SELECT DISTINCT m.message_id, m.host, m.instance, m.queue_id, d.recipient
    FROM pf_delivery d CROSS JOIN pf_message m
    WHERE m.id = d.pf_message_id
      AND (d.exo_attribution IS NOT NULL
           OR d.reply REGEXP '(?i)\b(5\.7\.64|5\.7\.51|5\.7\.68|4\.4\.62|Tenant(Inbound)?Attribution|ATTR[0-9]+)\b')
),
pf_rows AS MATERIALIZED (
    SELECT d.id FROM pf_hit h CROSS JOIN pf_message m CROSS JOIN pf_delivery d
    WHERE h.message_id IS NOT NULL AND m.message_id = h.message_id
      AND d.pf_message_id = m.id AND d.recipient = h.recipient
    UNION ALL
    SELECT d.id FROM pf_hit h CROSS JOIN pf_message m CROSS JOIN pf_delivery d
    WHERE h.message_id IS NULL AND m.queue_id = h.queue_id AND m.message_id IS NULL AND m.host = h.host
      AND m.instance = h.instance AND d.pf_message_id = m.id AND d.recipient = h.recipient
),
pf AS (
    SELECT coalesce(m.message_id, m.host || '/' || m.instance || '/' || m.queue_id) AS msg_key,
           m.message_id, m.sender, m.host, d.id, d.ts,
           coalesce(m.client_ip, (SELECT p.client_ip FROM pf_message p WHERE p.id = m.parent_id)) AS client_ip,
           d.recipient, d.relay_host, d.reply, d.dsn,
           d.source_id, d.line
    FROM pf_rows x CROSS JOIN pf_delivery d CROSS JOIN pf_message m
    WHERE d.id = x.id AND m.id = d.pf_message_id
),
ex_hit AS MATERIALIZED (
    SELECT DISTINCT e.message_id, e.server, e.internal_id, r.address AS recipient
    FROM ex_event e INDEXED BY ex_event_sending CROSS JOIN ex_recipient r ON r.event_id = e.id
    WHERE e.system = 'exchange' AND (e.event = 'SEND' COLLATE NOCASE OR e.event = 'SENDEXTERNAL' COLLATE NOCASE
                                     OR e.event = 'DEFER' COLLATE NOCASE OR e.event = 'FAIL' COLLATE NOCASE)
      AND (coalesce(r.status, '') || ' ' || coalesce(e.source_context, '')
           REGEXP '(?i)\b(5\.7\.64|5\.7\.51|5\.7\.68|4\.4\.62|Tenant(Inbound)?Attribution|ATTR[0-9]+)\b')
),
ex_rows AS MATERIALIZED (
    SELECT e.id AS event_id, r.rowid AS rcpt_row FROM ex_hit h CROSS JOIN ex_event e
    CROSS JOIN ex_recipient r ON r.event_id = e.id AND r.address = h.recipient
    WHERE h.message_id IS NOT NULL AND e.message_id = h.message_id
    UNION ALL
    SELECT e.id, r.rowid FROM ex_hit h CROSS JOIN ex_event e
    CROSS JOIN ex_recipient r ON r.event_id = e.id AND r.address = h.recipient
    WHERE h.message_id IS NULL AND e.message_id IS NULL AND e.server IS h.server AND e.internal_id = h.internal_id
),
ex AS (
    SELECT coalesce(e.message_id, e.server || '/' || e.internal_id) AS msg_key,
           e.message_id, e.sender, e.server AS host, e.id, e.ts,
           NULL AS client_ip,
           r.address AS recipient,
           coalesce(e.connector, e.server_ip) AS relay_host, r.status AS reply, NULL AS dsn,
           e.source_id, e.line, e.subject
    FROM ex_rows x CROSS JOIN ex_event e CROSS JOIN ex_recipient r
    WHERE e.id = x.event_id AND r.rowid = x.rcpt_row
      AND e.system = 'exchange' AND e.event COLLATE NOCASE IN ('FAIL', 'DEFER', 'SEND', 'SENDEXTERNAL')
),
attempts AS (
    SELECT 'pf' AS origin, msg_key, message_id, sender, host, id, ts, client_ip, recipient, relay_host, reply, dsn,
           source_id, line, NULL AS subject
    FROM pf
    UNION ALL
    SELECT 'ex', msg_key, message_id, sender, host, id, ts, client_ip, recipient, relay_host, reply, dsn,
           source_id, line, subject
    FROM ex
),
ranked AS (
    SELECT a.*, s.path AS file,
           count(*) OVER g AS attempts, min(a.ts) OVER g AS first_ts, max(a.ts) OVER g AS last_ts,
           group_concat(s.path || char(9) || a.line, char(10)) OVER g AS evidence,
           row_number() OVER (PARTITION BY a.msg_key, a.recipient ORDER BY a.ts DESC, a.id DESC) AS rn
    FROM attempts a JOIN source s ON s.id = a.source_id
    WINDOW g AS (PARTITION BY a.msg_key, a.recipient ORDER BY a.ts, a.id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT message_id, sender, recipient, attempts, first_ts, last_ts, relay_host AS smarthost, reply, dsn,
       subject, host, evidence,
       CASE WHEN origin = 'pf' THEN client_ip
            ELSE (SELECT x.client_ip FROM ex_event x
                  WHERE x.message_id = ranked.message_id AND x.server IS ranked.host AND x.event COLLATE NOCASE = 'RECEIVE'
                  ORDER BY x.ts LIMIT 1) END AS client_ip
FROM ranked
WHERE rn = 1
  AND (:since IS NULL OR first_ts >= :since)
  AND (:until IS NULL OR first_ts <= :until)
ORDER BY first_ts, recipient;
