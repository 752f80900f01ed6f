-- 003-exchange.sql: Exchange rows in one normalised model, whatever export
-- they came from (on-prem tracking logs, Get-MessageTrackingLog | Export-Csv,
-- Exchange Online message trace, trace detail, downloadable reports).
-- The audit reads these two tables and never the export's own columns.

-- One row per event row of an export (a tracking log line, a trace row).
CREATE TABLE ex_event (
    id                 INTEGER PRIMARY KEY,
    source_id          INTEGER NOT NULL REFERENCES source(id),
    line               INTEGER NOT NULL,  -- line of the row in its source (first line for a multi-line CSV record)
    system             TEXT NOT NULL,     -- 'exchange' (on-prem) or 'exo' (Exchange Online)
    format             TEXT NOT NULL,     -- parser: msgtrk, msgtrk-csv, exo-trace, exo-trace-json, exo-trace-detail, exo-report
    ts                 TEXT NOT NULL,     -- event time, UTC
    server             TEXT,              -- server-hostname / the server that logged the row (on-prem)
    event              TEXT,              -- event id as logged: RECEIVE, SEND, DELIVER, DSN, ... or a trace Status (Delivered, FilteredAsSpam, ...) or a detail Event
    source             TEXT,              -- on-prem 'source' column: SMTP, STOREDRIVER, AGENT, DSN, ...
    message_id         TEXT,              -- Message-ID normalised: the first <...> without brackets; NULL when none
    message_id_raw     TEXT,              -- Message-ID as logged
    network_message_id TEXT,              -- network-message-id / MessageTraceId / network_message_id
    internal_id        TEXT,              -- internal-message-id (on-prem)
    sender             TEXT,              -- envelope sender: '' for the null sender <>, NULL when the export does not say
    header_sender      TEXT,              -- header From where the export has it (sender-address in tracking logs of SMTP RECEIVE is envelope)
    return_path        TEXT,              -- return-path as logged
    subject            TEXT,              -- message-subject / Subject, when the export has it
    size               INTEGER,           -- total-bytes / Size
    recipient_count    INTEGER,           -- recipients on the row (rows below in ex_recipient)
    client_ip          TEXT,              -- the connecting IP of this hop, chosen: original-client-ip, else S:ProxiedClientIPAddress, else client-ip (on-prem); FromIP / original_client_ip / client_ip (EXO). IPv6 zone ids removed
    client_ip_logged   TEXT,              -- client-ip exactly as logged
    client_hostname    TEXT,              -- client-hostname: the connecting host; on SEND rows the local server
    server_ip          TEXT,              -- server-ip / ToIP
    connector          TEXT,              -- connector-id (on-prem) / inbound connector name / connector_id (EXO)
    directionality     TEXT,              -- 'Incoming', 'Originating' or NULL (1/2 mapped to these)
    tenant             TEXT,              -- tenant-id / Organization
    reference          TEXT,              -- reference field (links a DSN to its original), ';'-joined as logged
    related_recipient  TEXT,              -- related-recipient-address
    source_context     TEXT,              -- source-context as logged
    custom_data        TEXT,              -- custom-data / EventData / Data as logged
    message_info       TEXT,              -- message-info / MessageInfo
    detail             TEXT               -- trace detail: Action and Detail text; anything else worth keeping
);
CREATE INDEX ex_event_msgid ON ex_event(message_id);
CREATE INDEX ex_event_ts ON ex_event(ts);
CREATE INDEX ex_event_source ON ex_event(source_id, line);

-- One row per recipient of an event row, with its status.
CREATE TABLE ex_recipient (
    event_id   INTEGER NOT NULL REFERENCES ex_event(id) ON DELETE CASCADE,
    source_id  INTEGER NOT NULL REFERENCES source(id),
    line       INTEGER NOT NULL,       -- line of its row in the source (the same as ex_event.line)
    address    TEXT NOT NULL,          -- recipient address, lower-cased
    status     TEXT                    -- recipient-status member / trace Status / enhanced-summary events ('Receive, Deliver')
);
CREATE INDEX ex_recipient_event ON ex_recipient(event_id);
-- No index on address: no query or view looks a recipient up by address
-- (EXPLAIN QUERY PLAN of queries/*.sql and schema/005-views.sql: they join by
-- event_id), and keeping one in address order cost about a fifth of the CPU
-- time of loading a tracking log.
