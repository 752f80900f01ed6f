-- report_coverage.sql: event rows per log stream and day in a period, for
-- the report's coverage table: a day of the period on which a stream has no
-- rows is a gap (the log was not collected, or the host was down).
--
-- A stream is one log of one host: Postfix per syslog host; on-prem Exchange
-- per server, the server of a file being the one most of its rows name
-- outside SEND events (a SEND row's server-hostname is the next hop, not
-- the logging server); Exchange Online as one stream per export format.
-- Parameters: :since, :until (stored-form UTC bounds, inclusive).
-- Columns: system ('postfix', 'exchange' or 'exo'), host (syslog host,
-- Exchange server, or the export format for Exchange Online; '' when the
-- rows do not say), day ('YYYY-MM-DD', UTC), lines (rows stored: events,
-- and a Postfix log's rejects).
WITH period_rows AS (
    SELECT 'postfix' AS system, host, source_id, substr(ts, 1, 10) AS day
    FROM pf_event
    WHERE ts >= :since AND ts <= :until
    UNION ALL
    -- the gateway's SMTP rejects are rows of its log too (stored apart)
    SELECT 'postfix', host, source_id, substr(ts, 1, 10)
    FROM pf_reject
    WHERE ts >= :since AND ts <= :until
    UNION ALL
    SELECT system, CASE WHEN system = 'exo' THEN format END, source_id, substr(ts, 1, 10)
    FROM ex_event
    WHERE ts >= :since AND ts <= :until
),
file_server AS (
    SELECT source_id, server
    FROM (SELECT source_id, server,
                 row_number() OVER (PARTITION BY source_id ORDER BY count(*) DESC, server) AS rank
          FROM ex_event
          WHERE system = 'exchange' AND coalesce(server, '') <> ''
            AND upper(coalesce(event, '')) NOT LIKE 'SEND%'
          GROUP BY source_id, server)
    WHERE rank = 1
)
SELECT r.system, coalesce(r.host, f.server, '') AS host, r.day, count(*) AS lines
FROM period_rows r
LEFT JOIN file_server f ON r.system = 'exchange' AND f.source_id = r.source_id
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
