/* embedded_lookup.c - finding an embedded query by name; see embedded.h. */
#include "embedded.h"

#include <string.h>

const char *embedded_query(const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, ".sql") == 0)
        n -= 4;
    for (size_t i = 0; i < embedded_query_count; i++) {
        const char *f = embedded_queries[i].name;
        if (strncmp(f, name, n) == 0 && strcmp(f + n, ".sql") == 0)
            return embedded_queries[i].text;
    }
    return NULL;
}

const char *embedded_asset(const char *name)
{
    for (size_t i = 0; i < embedded_asset_count; i++)
        if (strcmp(embedded_assets[i].name, name) == 0)
            return embedded_assets[i].text;
    return NULL;
}
