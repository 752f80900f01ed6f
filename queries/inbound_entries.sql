-- inbound_entries.sql: every row where a message entered Exchange Online or
-- on-prem Exchange over SMTP: the candidates of the receiving-side audit.
--
-- Entries are on-prem RECEIVE rows with source SMTP, Exchange Online message
-- trace rows (a FromIP means it arrived over SMTP from that address; an empty
-- one means it was submitted inside Exchange Online, so it is no entry),
-- downloadable-report rows with a connecting IP and no other event, and
-- Receive events of trace details. DELIVER, STOREDRIVER, SEND, DSN and
-- similar rows are never entries. Directionality Originating is excluded:
-- that is our own outbound mail. The audit (src/audit.c) judges each entry's
-- IP against [gateway], [onprem] and Exchange Online's ranges.
--
-- Parameters: :since, :until (stored-form UTC bounds on ts, or NULL).
-- Columns, one row per entry, in no particular order (the audit keeps the
-- few rows that entered past the trusted paths and sorts those by msg_key,
-- time and line; sorting every entry here cost more than the rest of it):
--   msg_key        identity: Message-ID, else the network message id, else the row
--   system         'exchange' (on-prem) or 'exo'
--   ts             time of the entry, UTC
--   message_id     Message-ID without brackets, or NULL
--   sender         envelope sender ('' = null sender), else the header sender
--   subject
--   client_ip      connecting IP of the entry (may be NULL on trace details)
--   connector      inbound connector name or id
--   reference      on-prem reference field (an NDR's original Message-ID)
--   server         on-prem server that logged the row
--   file, line     evidence
--   event_id       ex_event.id of the row: its recipients are in ex_recipient
--                  (entry_recipients.sql, asked only for the rows kept)
SELECT coalesce(e.msgid, 'nmid:' || lower(e.network_message_id), 'row:' || e.id) AS msg_key,
       e.system, e.ts, e.msgid AS message_id,
       coalesce(e.sender, e.header_sender) AS sender,
       e.subject, e.client_ip, e.connector, e.reference, e.server,
       s.path AS file, e.line, e.id AS event_id
FROM (
    -- A trace detail row has no Message-ID: it borrows the one of a row with
    -- the same network message id (looked up only for such rows).
    SELECT x.*,
           coalesce(x.message_id,
                    CASE WHEN x.network_message_id IS NOT NULL THEN
                        (SELECT y.message_id FROM ex_event y
                         WHERE y.network_message_id = x.network_message_id AND y.message_id IS NOT NULL
                         LIMIT 1) END) AS msgid
    FROM ex_event x
    WHERE (
            (x.system = 'exchange' AND x.event COLLATE NOCASE = 'RECEIVE' AND coalesce(x.source, '') COLLATE NOCASE = 'SMTP')
         OR (x.system = 'exo' AND (
                (x.format IN ('exo-trace', 'exo-trace-json') AND coalesce(x.client_ip, '') <> '')
             OR (x.format = 'exo-trace-detail' AND x.event COLLATE NOCASE = 'RECEIVE')
             OR (x.format NOT IN ('exo-trace', 'exo-trace-json', 'exo-trace-detail')
                 AND coalesce(x.client_ip, '') <> ''
                 AND (x.source IS NULL OR x.source COLLATE NOCASE = 'SMTP')
                 AND (x.event IS NULL OR x.event COLLATE NOCASE = 'RECEIVE'))))
          )
      AND coalesce(x.directionality, '') <> 'Originating'
      AND (:since IS NULL OR x.ts >= :since)
      AND (:until IS NULL OR x.ts <= :until)
) e
JOIN source s ON s.id = e.source_id;
