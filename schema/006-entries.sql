-- 006-entries.sql: the entries the audit judges, as a view and an index,
-- and an index of the on-prem sending rows.
--
-- An entry is a message arriving at Exchange Online or on-prem Exchange over
-- SMTP: on-prem RECEIVE rows with source SMTP; message-trace rows with a
-- connecting IP (an empty FromIP means it was submitted inside Exchange
-- Online); Receive events of trace details; report rows with a connecting IP
-- and no other event. DELIVER, STOREDRIVER, SEND, DSN and similar rows never
-- are. Directionality Originating is left out: that is our own outbound mail.
-- The rule is written twice below, in the index and in the view, word for
-- word: SQLite uses a partial index only for a query whose WHERE repeats the
-- index's (tests/unit/test_audit.c checks that the audit's query does). It is
-- not a generated column: one made bulk inserts into ex_event twice as slow.
-- Nor is there an IN list: SQLite builds a temporary table for one on every
-- insert, which cost the tracking-log ingest a third of its time.

-- The entries with what the audit judges first (system, IP, connector): the
-- audit reads this index, a few bytes a row, instead of every wide row of
-- ex_event, and the table only for the entries that came past the trusted
-- paths. Keyed by id, so that reading the rows of all entries (the report)
-- goes through the table in its own order.
CREATE INDEX ex_event_entry ON ex_event(id, system, client_ip, connector, ts)
    WHERE ((system = 'exchange' AND event = 'RECEIVE' COLLATE NOCASE AND coalesce(source, '') = 'SMTP' COLLATE NOCASE)
        OR (system = 'exo' AND (
               ((format = 'exo-trace' OR format = 'exo-trace-json') AND coalesce(client_ip, '') <> '')
            OR (format = 'exo-trace-detail' AND event = 'RECEIVE' COLLATE NOCASE)
            OR (format <> 'exo-trace' AND format <> 'exo-trace-json' AND format <> 'exo-trace-detail'
                AND coalesce(client_ip, '') <> ''
                AND (source IS NULL OR source = 'SMTP' COLLATE NOCASE)
                AND (event IS NULL OR event = 'RECEIVE' COLLATE NOCASE)))))
      AND coalesce(directionality, '') <> 'Originating';

-- The on-prem sending rows (SEND, SENDEXTERNAL, DEFER, FAIL) with what
-- queries/attribution_failures.sql looks for a refusal in. Keyed by id too.
CREATE INDEX ex_event_sending ON ex_event(id, message_id, server, internal_id, source_context)
    WHERE system = 'exchange' AND (event = 'SEND' COLLATE NOCASE OR event = 'SENDEXTERNAL' COLLATE NOCASE
                                   OR event = 'DEFER' COLLATE NOCASE OR event = 'FAIL' COLLATE NOCASE);

-- One row per entry the audit judges (queries/inbound_entries.sql), with the
-- message identity of v_ex_row. A trace detail row has no Message-ID: it
-- borrows the one of a row with the same network message id.
CREATE VIEW v_entry AS
SELECT coalesce(e.msgid, 'nmid:' || lower(e.network_message_id), 'row:' || e.id) AS msg_key, -- message identity
       e.id AS event_id,   -- ex_event.id: its recipients are in ex_recipient
       e.system,           -- 'exchange' (on-prem) or 'exo'
       e.ts,               -- time of the entry, UTC
       e.msgid AS message_id, -- Message-ID without brackets, or NULL
       coalesce(e.sender, e.header_sender) AS sender, -- envelope sender ('' = null sender), else the header sender
       e.subject,          -- subject, when the export has it
       e.client_ip,        -- connecting IP (may be NULL on trace details)
       e.connector,        -- inbound connector name or id
       e.reference,        -- on-prem reference field (an NDR's original Message-ID)
       e.server,           -- on-prem server that logged the row
       e.source_id,        -- source.id of the file
       e.line              -- line in that file
FROM (
    SELECT x.*,
           coalesce(x.message_id,
                    CASE WHEN x.network_message_id IS NOT NULL THEN
                        (SELECT y.message_id FROM ex_event y
                         WHERE y.network_message_id = x.network_message_id AND y.message_id IS NOT NULL
                         LIMIT 1) END) AS msgid
    FROM ex_event x
    WHERE ((x.system = 'exchange' AND x.event = 'RECEIVE' COLLATE NOCASE AND coalesce(x.source, '') = 'SMTP' COLLATE NOCASE)
        OR (x.system = 'exo' AND (
               ((x.format = 'exo-trace' OR x.format = 'exo-trace-json') AND coalesce(x.client_ip, '') <> '')
            OR (x.format = 'exo-trace-detail' AND x.event = 'RECEIVE' COLLATE NOCASE)
            OR (x.format <> 'exo-trace' AND x.format <> 'exo-trace-json' AND x.format <> 'exo-trace-detail'
                AND coalesce(x.client_ip, '') <> ''
                AND (x.source IS NULL OR x.source = 'SMTP' COLLATE NOCASE)
                AND (x.event IS NULL OR x.event = 'RECEIVE' COLLATE NOCASE)))))
      AND coalesce(x.directionality, '') <> 'Originating'
) e;
