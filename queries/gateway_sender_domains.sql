-- gateway_sender_domains.sql: the sender domains each Postfix host received
-- mail from over SMTP and delivered. The audit keeps the [gateway] hosts'
-- rows: a domain whose mail also comes through the gateway is a
-- correspondent, so its mail past the MX is a partner's misrouting rather
-- than spam. Delivered means sent on, not to a content filter on this host
-- (loopback) and not discarded by one: spam the gateway took in and threw
-- away proves no correspondence.
--
-- Parameters: none.
-- Columns: host (syslog host), domain (lower-cased sender domain).
SELECT DISTINCT m.host, domain_of(m.sender) AS domain
FROM pf_message m
WHERE m.sender <> '' AND m.client_ip IS NOT NULL AND domain_of(m.sender) IS NOT NULL
  AND EXISTS (SELECT 1 FROM pf_delivery d
              WHERE d.pf_message_id = m.id AND d.status = 'sent'
                AND coalesce(d.relay_ip, '') NOT LIKE '127.%' AND coalesce(d.relay_ip, '') <> '::1'
                AND coalesce(d.reply, '') NOT LIKE '%discard%');
