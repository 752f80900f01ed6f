/*
 * embedded.h - the SQL files of schema/ and queries/, and src/assets/,
 * compiled into the binary.
 *
 * cmake/embed.cmake generates the tables at build time from the files in the
 * source tree, sorted by name. Both tables end with a {NULL, NULL} entry.
 * The strings are static and NUL-terminated; nobody frees them.
 */
#ifndef MXAUDIT_EMBEDDED_H
#define MXAUDIT_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name; /* file name without directory, e.g. "001-core.sql" */
    const char *text; /* its contents */
};

extern const struct embedded_file embedded_schema[];
extern const size_t embedded_schema_count;
extern const struct embedded_file embedded_queries[];
extern const size_t embedded_query_count;
/* src/assets/: files the reports need (CSS, ...). */
extern const struct embedded_file embedded_assets[];
extern const size_t embedded_asset_count;

/* The query named NAME ("bypassed_mx" or "bypassed_mx.sql"), or NULL. */
const char *embedded_query(const char *name);
/* The asset named NAME ("report.css"), or NULL. */
const char *embedded_asset(const char *name);

#endif
