-- gateway_relayed.sql: the recipients Postfix relayed a given Message-ID to.
-- The audit keeps the rows whose syslog host is a [gateway] host: a message
-- the gateway relayed to a recipient did not bypass the MX for that
-- recipient, whatever IP Exchange Online logged for it.
--
-- Parameters: :message_id (without brackets).
-- Columns: host (syslog host of the Postfix log), recipient, orig_recipient
-- (both lower-cased as logged), one row per successful delivery.
SELECT m.host, d.recipient, lower(d.orig_recipient) AS orig_recipient
FROM pf_message m
JOIN pf_delivery d ON d.pf_message_id = m.id
WHERE m.message_id = :message_id
  AND d.status = 'sent';
