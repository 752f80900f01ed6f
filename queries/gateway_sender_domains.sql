-- gateway_sender_domains.sql: the sender domains each Postfix host received
-- mail from over SMTP. The audit keeps the [gateway] hosts' rows: a domain
-- whose mail also comes through the gateway is a correspondent, so its mail
-- past the MX is a partner's misrouting rather than spam.
--
-- Parameters: none.
-- Columns: host (syslog host), domain (lower-cased sender domain).
SELECT DISTINCT m.host, domain_of(m.sender) AS domain
FROM pf_message m
WHERE m.sender <> '' AND m.client_ip IS NOT NULL AND domain_of(m.sender) IS NOT NULL;
