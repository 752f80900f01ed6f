-- 001-core.sql: what was ingested, and every line that could not be.
--
-- Schema files apply in name order; each is one migration step, and
-- PRAGMA user_version counts the steps applied. A released file is never
-- edited: a change to the schema is a new file.
--
-- Times are UTC text 'YYYY-MM-DD HH:MM:SS[.mmm]' (SQLite's own date form), so
-- `WHERE ts >= '2026-11-27'` and SQLite's date functions work on them.

-- One row per distinct input content. A file renamed or recompressed by log
-- rotation (mail.log.1 -> mail.log.2.gz) is the same source; a file that grew
-- is the same source, resumed after its last complete line.
CREATE TABLE source (
    id             INTEGER PRIMARY KEY,
    path           TEXT NOT NULL,    -- the path it was first ingested from, as given
    format         TEXT NOT NULL,    -- parser name: postfix, msgtrk, ...
    size           INTEGER,          -- bytes of the file on disk when last read (compressed size for gzip)
    fingerprint    TEXT,             -- hex hash of the decoded content up to content_bytes + of its head
    head_bytes     INTEGER,          -- length of the head the head hash covers (first line end at or after 64 KiB)
    head_hash      TEXT,             -- hex hash of the first head_bytes of decoded content
    content_bytes  INTEGER,          -- decoded bytes up to the end of the last complete line
    content_hash   TEXT,             -- hex hash of those content_bytes
    lines_read     INTEGER NOT NULL DEFAULT 0, -- lines read, the unterminated last one included
    lines_complete INTEGER NOT NULL DEFAULT 0, -- lines ending in a newline (a resume starts after them)
    events_stored  INTEGER NOT NULL DEFAULT 0, -- rows the parser stored
    lines_skipped  INTEGER NOT NULL DEFAULT 0, -- lines deliberately ignored (other programs, comments)
    lines_rejected INTEGER NOT NULL DEFAULT 0, -- lines kept in reject
    first_ts       TEXT,             -- earliest event time in the source (UTC)
    last_ts        TEXT,             -- latest event time in the source (UTC)
    year_inferred  INTEGER NOT NULL DEFAULT 0, -- 1 when year-less timestamps got a guessed year
    status         TEXT NOT NULL,    -- 'ok', or 'failed' (nothing of it stored; see error)
    error          TEXT,             -- why it failed, with position
    ingested_at    TEXT NOT NULL     -- when it was (last) ingested, UTC
);
CREATE INDEX source_head ON source(head_bytes, head_hash);

-- Every file name under which a source was seen, with when.
CREATE TABLE source_file (
    source_id  INTEGER NOT NULL REFERENCES source(id),
    path       TEXT NOT NULL,        -- path as given on the command line or found in a directory
    size       INTEGER,              -- bytes on disk then
    outcome    TEXT NOT NULL,        -- 'new', 'grown' (resumed), 'unchanged' (already ingested), 'failed'
    seen_at    TEXT NOT NULL         -- when, UTC
);
CREATE INDEX source_file_source ON source_file(source_id);

-- Lines a parser could not accept. Nothing is dropped silently.
CREATE TABLE reject (
    source_id  INTEGER NOT NULL REFERENCES source(id),
    line       INTEGER NOT NULL,     -- 1-based line number in the decoded content
    offset     INTEGER NOT NULL,     -- byte offset of the line in the decoded content
    reason     TEXT NOT NULL,        -- why it was rejected
    text       TEXT NOT NULL         -- the line, cut to 2048 bytes; invalid UTF-8 and control bytes as \xNN
);
CREATE INDEX reject_source ON reject(source_id, line);
