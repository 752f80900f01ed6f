-- ndr_lost.sql: NDRs (null envelope sender) whose own delivery bounced or
-- expired: nobody will ever read them. One row per (NDR, recipient).
-- Postfix's delay and success notices are not NDRs and are left out.
--
-- Parameters: :since, :until (bounds on the first attempt, or NULL).
-- Columns: message_id (of the NDR), sender (''), recipient, attempts,
-- first_ts, last_ts, smarthost, reply, dsn (of the last attempt), subject
-- (NULL: Postfix does not log it), host (that tried to deliver it),
-- evidence (file TAB line, one per line), client_ip (where the NDR, or the
-- message it reports on, entered the relay; see attribution_failures.sql).
WITH attempts AS (
    SELECT m.id AS msg_key, m.message_id, m.host, d.id, d.ts,
           coalesce(m.client_ip, (SELECT p.client_ip FROM pf_message p WHERE p.id = m.parent_id)) AS client_ip,
           d.recipient, d.relay_host, d.reply, d.dsn,
           d.status, d.is_final, d.source_id, d.line
    FROM pf_message m JOIN pf_delivery d ON d.pf_message_id = m.id
    WHERE (m.sender = '' OR m.is_ndr = 1)
      -- Postfix's delay and success notices ("sender delay notification",
      -- "sender delivery status notification") have the null sender too, but
      -- report no failure: the message a delay notice is about is still
      -- queued, and its own NDR, when it comes, is judged here.
      AND NOT EXISTS (SELECT 1 FROM pf_message p JOIN pf_event n
                        ON n.link_queue_id = m.queue_id AND n.queue_id = p.queue_id AND n.host = p.host
                      WHERE m.parent_kind = 'ndr_of' AND p.id = m.parent_id AND n.kind = 'notice'
                        AND n.status IN ('delay', 'delivery status'))
),
ranked AS (
    SELECT a.*,
           count(*) OVER g AS attempts, min(a.ts) OVER g AS first_ts, max(a.ts) OVER g AS last_ts,
           group_concat(s.path || char(9) || a.line, char(10)) OVER g AS evidence,
           row_number() OVER (PARTITION BY a.msg_key, a.recipient ORDER BY a.ts DESC, a.id DESC) AS rn
    FROM attempts a JOIN source s ON s.id = a.source_id
    WINDOW g AS (PARTITION BY a.msg_key, a.recipient ORDER BY a.ts, a.id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT message_id, '' AS sender, recipient, attempts, first_ts, last_ts, relay_host AS smarthost, reply, dsn,
       NULL AS subject, host, evidence, client_ip
FROM ranked
WHERE rn = 1 AND status IN ('bounced', 'expired')
  AND (:since IS NULL OR first_ts >= :since)
  AND (:until IS NULL OR first_ts <= :until)
ORDER BY first_ts, recipient;
