-- entry_row.sql: one entry of inbound_entries.sql, by its ex_event.id: the
-- audit asks for the entries it keeps after judging their IP.
--
-- Parameters: :event_id.
-- Columns: those of inbound_entries.sql, then client_ip_logged (ex_event:
-- client-ip as logged, where client_ip may hold original-client-ip).
SELECT e.msg_key, e.system, e.ts, e.message_id, e.sender, e.subject, e.client_ip, e.connector, e.reference,
       e.server, s.path AS file, e.line, e.event_id,
       (SELECT x.client_ip_logged FROM ex_event x WHERE x.id = e.event_id) AS client_ip_logged
FROM v_entry e JOIN source s ON s.id = e.source_id
WHERE e.event_id = :event_id;
