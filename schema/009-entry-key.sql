-- 009-entry-key.sql: v_entry keys a lone Exchange row as v_ex_row does.
--
-- An entry with neither a Message-ID (its own or borrowed) nor a network
-- message id was keyed 'row:N' in v_entry and 'exchange:N' in v_ex_row,
-- v_hop and v_message, so joining v_entry to them on msg_key lost exactly
-- those entries. The view is otherwise unchanged.
DROP VIEW v_entry;

-- One row per entry the audit judges (queries/inbound_entries.sql), with the
-- message identity of v_ex_row. A trace detail row has no Message-ID: it
-- borrows the one of a row with the same network message id.
CREATE VIEW v_entry AS
SELECT coalesce(e.msgid, 'nmid:' || lower(e.network_message_id), 'exchange:' || e.id) AS msg_key, -- message identity, as in v_ex_row and v_message
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
