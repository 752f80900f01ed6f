-- gateway_entry_domains.sql: the sender domains of entries into Exchange
-- (v_entry) by connecting IP, for the audit to learn partners when no
-- gateway host's Postfix log shows delivered mail: an entry from one of the
-- [gateway] ips is mail the gateway took in and handed on, so its sender's
-- domain corresponds with us through the MX. Only rows that carry their own
-- verdict count: on-prem RECEIVE rows, and message-trace rows whose Status
-- is not FilteredAsSpam, Quarantined or Failed. Report rows keep the status
-- per recipient and trace details on another row, so they do not count.
--
-- Parameters: none.
-- Columns: client_ip, domain (lower-cased sender domain).
SELECT DISTINCT e.client_ip, domain_of(e.sender) AS domain
FROM v_entry e
JOIN ex_event x ON x.id = e.event_id
WHERE e.sender <> '' AND e.client_ip IS NOT NULL AND domain_of(e.sender) IS NOT NULL
  AND (x.system = 'exchange'
       OR ((x.format = 'exo-trace' OR x.format = 'exo-trace-json')
           AND upper(coalesce(x.event, '')) NOT IN ('FILTEREDASSPAM', 'QUARANTINED', 'FAILED')));
