-- inbound_entries.sql: every row where a message entered Exchange Online or
-- on-prem Exchange over SMTP: the candidates of the receiving-side audit.
--
-- Entries are the rows of the view v_entry (schema/006-entries.sql):
-- on-prem RECEIVE rows with source SMTP, message-trace rows with a FromIP,
-- Receive events of trace details, report rows with a connecting IP; less
-- directionality Originating, our own outbound mail. The report counts these rows. The audit (src/audit.c)
-- judges each entry's IP against [gateway], [onprem] and Exchange Online's
-- ranges: it reads only the columns it judges by (entry_candidates.sql), and
-- this row (entry_row.sql) for the few entries it keeps.
--
-- Parameters: :since, :until (stored-form UTC bounds on ts, or NULL).
-- Columns, one row per entry, in no particular order:
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
--                  (entry_recipients.sql)
SELECT e.msg_key, e.system, e.ts, e.message_id, e.sender, e.subject, e.client_ip, e.connector, e.reference,
       e.server, s.path AS file, e.line, e.event_id
FROM v_entry e JOIN source s ON s.id = e.source_id
WHERE (:since IS NULL OR e.ts >= :since)
  AND (:until IS NULL OR e.ts <= :until);
