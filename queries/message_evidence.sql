-- message_evidence.sql: every row of every source that saw a Message-ID:
-- Exchange rows (on-prem and Exchange Online) and Postfix message lives.
--
-- Parameters: :message_id (without brackets).
-- Columns: file (source path), line, ts, is_entry (1 for an Exchange row
-- that is an entry of inbound_entries.sql, a row of v_entry, whatever its
-- IP: the audit's first and last seen span these), is_dsn (1 for an
-- Exchange row whose event or source is DSN: the message is a delivery
-- report, whatever its sender and subject say); ordered by time.
SELECT s.path AS file, e.line, e.ts,
       EXISTS (SELECT 1 FROM v_entry v WHERE v.event_id = e.id) AS is_entry,
       (coalesce(e.event, '') = 'DSN' COLLATE NOCASE OR coalesce(e.source, '') = 'DSN' COLLATE NOCASE) AS is_dsn
FROM ex_event e JOIN source s ON s.id = e.source_id
WHERE e.message_id = :message_id
UNION
SELECT s.path, m.line, m.first_ts, 0, 0
FROM pf_message m JOIN source s ON s.id = m.source_id
WHERE m.message_id = :message_id
ORDER BY 3, 1, 2;
