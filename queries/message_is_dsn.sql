-- message_is_dsn.sql: whether any Exchange row of a Message-ID is a DSN
-- event (on-prem tracking logs a generated NDR as event or source DSN), for
-- the entries the audit keeps.
--
-- Parameters: :message_id (without brackets).
-- Columns: is_dsn (0 or 1).
SELECT EXISTS (SELECT 1 FROM ex_event d
               WHERE d.message_id = :message_id AND (d.event COLLATE NOCASE = 'DSN' OR d.source COLLATE NOCASE = 'DSN')) AS is_dsn;
