-- entry_recipients.sql: the recipients of one entry row of inbound_entries.sql,
-- asked only for the rows the audit keeps after judging their IP.
--
-- Parameters: :event_id (ex_event.id).
-- Columns: address (lower-cased as stored), one row per recipient.
SELECT r.address
FROM ex_recipient r
WHERE r.event_id = :event_id;
