-- 010-source-zone.sql: the zone a file's local times were read in.
--
-- Traditional syslog stamps and Get-MessageTrackingLog exports carry no
-- zone: ingest reads them in --tz (or the machine's zone) and stores UTC.
-- Which zone that was is part of the evidence a report rests on, so each
-- source keeps it.
ALTER TABLE source ADD COLUMN time_zone TEXT; -- zone its zone-less local times were read in (--tz, else the machine's); NULL when every time carried its own zone or offset
