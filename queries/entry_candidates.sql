-- entry_candidates.sql: the entries of inbound_entries.sql (the view
-- v_entry) with only what the audit judges first, which SQLite reads from
-- the index ex_event_entry alone (a few bytes a row, not the wide rows of
-- ex_event). Most entries came through the gateway or hybrid and end here;
-- the audit reads entry_row.sql for the others.
--
-- Parameters: :since, :until (stored-form UTC bounds on ts, or NULL).
-- Columns: event_id (ex_event.id), system, client_ip, connector, ts; in id
-- order.
SELECT event_id, system, client_ip, connector, ts
FROM v_entry
WHERE (:since IS NULL OR ts >= :since)
  AND (:until IS NULL OR ts <= :until);
