-- message_evidence.sql: every row of every source that saw a Message-ID:
-- Exchange rows (on-prem and Exchange Online) and Postfix message lives.
--
-- Parameters: :message_id (without brackets).
-- Columns: file (source path), line, ts, is_entry (1 for an Exchange row
-- that is an entry by the rule of inbound_entries.sql, whatever its IP: the
-- audit's first and last seen span these); ordered by time.
SELECT s.path AS file, e.line, e.ts,
       ((e.system = 'exchange' AND e.event COLLATE NOCASE = 'RECEIVE' AND coalesce(e.source, '') COLLATE NOCASE = 'SMTP')
     OR (e.system = 'exo' AND (
            (e.format IN ('exo-trace', 'exo-trace-json') AND coalesce(e.client_ip, '') <> '')
         OR (e.format = 'exo-trace-detail' AND e.event COLLATE NOCASE = 'RECEIVE')
         OR (e.format NOT IN ('exo-trace', 'exo-trace-json', 'exo-trace-detail')
             AND coalesce(e.client_ip, '') <> ''
             AND (e.source IS NULL OR e.source COLLATE NOCASE = 'SMTP')
             AND (e.event IS NULL OR e.event COLLATE NOCASE = 'RECEIVE')))))
       AND coalesce(e.directionality, '') <> 'Originating' AS is_entry
FROM ex_event e JOIN source s ON s.id = e.source_id
WHERE e.message_id = :message_id
UNION
SELECT s.path, m.line, m.first_ts, 0
FROM pf_message m JOIN source s ON s.id = m.source_id
WHERE m.message_id = :message_id
ORDER BY 3, 1, 2;
