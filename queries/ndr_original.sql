-- ndr_original.sql: for each NDR in :ndrs, the outbound message it
-- is about and the host that delivered it: by the Message-ID the NDR
-- references, else by our sender (the NDR's recipient) with the original
-- subject (Exchange), or a delivery of our sender to the remote domain
-- (Postfix; any delivery when the NDR's sender is null), in the 7 days
-- before the NDR: a server gives up on a message within days, and without
-- the bound every NDR about a common subject ("Re: meeting") would weigh
-- all of its sender's mail ever sent.
-- Each table is read once for all NDRs, not once per NDR; the Exchange rows
-- through the time index (ts, sender, subject), over the NDRs' days only.
-- n.subject is cast to TEXT so that the automatic index SQLite builds on n
-- holds (sender, subject): without the cast the column has no affinity, the
-- index holds the sender alone, and a sender with many NDRs had every one of
-- them weighed against each row with a common subject.
--
-- Parameters: :ndrs, a JSON array of objects, one per NDR finding: idx (its
-- number), ref (a Message-ID the NDR references, or null), sender (our
-- address the NDR went to), subject (the original subject inside the NDR's,
-- or null), domain (the remote domain from the NDR's sender, or null), before
-- (the NDR's time). NULL gives no rows. :part, 'exchange' or 'postfix': the
-- rows of that side only, so that the audit can look on both sides at once
-- on two connections; NULL for both. :subjects and :senders, optional: the
-- NDRs' original subjects and (lower-cased) senders as JSON arrays, tested
-- with in_list(), a hash, before a row is matched to the NDRs; without them
-- an IN or the join does the same, at a B-tree search for every row.
-- Columns: idx, message_id, host (the delivering host; 'Exchange Online' for
-- Exchange Online rows), ts, source_id, line, rank (0 for a referenced Message-ID,
-- 1 for a guess), rank2 (0 for our side's sending row: SEND/SENDEXTERNAL, an
-- Exchange Online row submitted inside the tenant, a Postfix delivery that
-- was sent; 1 for a row of the side that received it). In no order: the
-- audit keeps the best row of each idx as they come (lowest rank, then
-- rank2, then the latest), where sorting every candidate cost more than
-- finding them on a month of data. The file is source_id's path
-- (source_paths.sql): a month has hundreds of thousands of candidates and
-- only the winners need it.
WITH n AS MATERIALIZED (
    SELECT json_extract(value, '$.idx') AS idx, json_extract(value, '$.ref') AS ref,
           lower(json_extract(value, '$.sender')) AS sender, CAST(json_extract(value, '$.subject') AS TEXT) AS subject,
           lower(json_extract(value, '$.domain')) AS domain, json_extract(value, '$.before') AS before
    FROM json_each(:ndrs)
)
SELECT c.idx, c.message_id, c.host, c.ts, c.source_id, c.line, c.rank, c.rank2 FROM (
    SELECT n.idx, e.message_id,
           CASE WHEN e.system = 'exo' THEN 'Exchange Online' ELSE e.server END AS host,
           e.ts, e.source_id, e.line, 0 AS rank,
           CASE WHEN e.event COLLATE NOCASE IN ('SEND', 'SENDEXTERNAL')
                  OR (e.system = 'exo' AND (coalesce(e.client_ip, '') = '' OR e.directionality = 'Originating'))
                THEN 0 ELSE 1 END AS rank2
    FROM n JOIN ex_event e ON e.message_id = n.ref
    WHERE (:part IS NULL OR :part = 'exchange')
      AND coalesce(e.event, '') COLLATE NOCASE NOT IN ('DSN', 'FAIL')
    UNION ALL
    SELECT n.idx, e.message_id,
           CASE WHEN e.system = 'exo' THEN 'Exchange Online' ELSE e.server END,
           e.ts, e.source_id, e.line, 1,
           CASE WHEN e.event COLLATE NOCASE IN ('SEND', 'SENDEXTERNAL')
                  OR (e.system = 'exo' AND (coalesce(e.client_ip, '') = '' OR e.directionality = 'Originating'))
                THEN 0 ELSE 1 END
    -- x: the time index (ts, sender, subject) over the NDRs' days, read
    -- without the table; e: the whole row, for the few that match. The
    -- subject test first: it is cheaper than the join, and few rows pass it.
    FROM ex_event x CROSS JOIN n CROSS JOIN ex_event e
    WHERE (:part IS NULL OR :part = 'exchange')
      AND x.ts >= (SELECT datetime(min(before), '-7 days') FROM n WHERE subject IS NOT NULL)
      AND x.ts <= (SELECT max(before) FROM n WHERE subject IS NOT NULL)
      AND CASE WHEN :subjects IS NULL THEN x.subject IN (SELECT subject FROM n)
               ELSE in_list(x.subject, :subjects) END
      AND n.sender = lower(x.sender) AND n.subject = x.subject
      AND x.ts <= n.before AND x.ts >= datetime(n.before, '-7 days')
      AND e.id = x.id
      AND coalesce(e.event, '') COLLATE NOCASE NOT IN ('DSN', 'FAIL')
    UNION ALL
    SELECT n.idx, m.message_id, m.host, d.ts, d.source_id, d.line, 0,
           CASE WHEN d.status = 'sent' THEN 0 ELSE 1 END
    FROM n
    JOIN pf_message m ON m.message_id = n.ref
    JOIN pf_delivery d ON d.pf_message_id = m.id
    WHERE (:part IS NULL OR :part = 'postfix')
    UNION ALL
    SELECT n.idx, m.message_id, m.host, d.ts, d.source_id, d.line, 1,
           CASE WHEN d.status = 'sent' THEN 0 ELSE 1 END
    -- our sender's messages first, then their deliveries: a tenth of the
    -- deliveries are our NDR senders'.
    FROM pf_message m CROSS JOIN pf_delivery d CROSS JOIN n
    WHERE (:part IS NULL OR :part = 'postfix')
      AND m.sender <> ''
      AND CASE WHEN :senders IS NULL THEN 1 ELSE in_list(lower(m.sender), :senders) END
      AND d.pf_message_id = m.id
      AND lower(m.sender) = n.sender
      AND d.ts <= n.before AND d.ts >= datetime(n.before, '-7 days')
      AND (n.domain IS NULL OR domain_of(d.recipient) = n.domain OR n.domain LIKE '%.' || domain_of(d.recipient))
) c;
