-- message_entry_ips.sql: the connecting IPs and connectors of the Exchange
-- Online rows of one Message-ID. The audit asks when the gateway relayed a
-- message that Exchange Online also logged from an address outside
-- [gateway] ips: if another row of it came from the gateway, that address
-- is someone else's copy (a list server, a forward), not the gateway's.
--
-- Parameters: :message_id (without brackets).
-- Columns: client_ip, connector.
SELECT client_ip, connector
FROM ex_event
WHERE message_id = :message_id AND system = 'exo';
