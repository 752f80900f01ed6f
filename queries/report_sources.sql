-- report_sources.sql: the input files with events in a period, for the
-- report's list of sources covered.
--
-- Parameters: :since, :until (stored-form UTC bounds, inclusive).
-- Columns: path (as first ingested), format (parser), first_ts, last_ts
-- (earliest and latest event of the whole file, UTC), lines_read,
-- events_stored, lines_rejected (whole file), hosts (the syslog hosts or
-- Exchange servers its rows name, sorted, ', '-joined; '' when none; an
-- Exchange SEND row names the next hop, not the server, and is left out),
-- time_zone (the zone its zone-less local times were read in, or NULL).
SELECT s.path, s.format, s.first_ts, s.last_ts, s.lines_read, s.events_stored, s.lines_rejected,
       coalesce((SELECT group_concat(h, ', ')
                 FROM (SELECT DISTINCT p.host AS h FROM pf_event p WHERE p.source_id = s.id ORDER BY 1)),
                (SELECT group_concat(h, ', ')
                 FROM (SELECT DISTINCT e.server AS h FROM ex_event e
                       WHERE e.source_id = s.id AND coalesce(e.server, '') <> ''
                         AND upper(coalesce(e.event, '')) NOT LIKE 'SEND%' ORDER BY 1)),
                '') AS hosts,
       s.time_zone
FROM source s
WHERE s.status = 'ok'
  AND s.first_ts IS NOT NULL
  AND s.first_ts <= :until
  AND s.last_ts >= :since
ORDER BY s.path, s.id;
