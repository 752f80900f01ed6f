-- source_paths.sql: the path of every source, by id. The audit resolves the
-- source ids of queries that return many rows (ndr_original.sql) with it,
-- instead of joining source to each row.
-- Columns: id, path. In id order.
SELECT id, path FROM source ORDER BY id;
