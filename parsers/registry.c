/* registry.c - every input format mxaudit knows, in detection order. */
#include "parser.h"

#include <string.h>

/* Each parser defines one `const struct parser NAME_parser`. */
/* parsers: extern declarations */

const struct parser *const parser_registry[] = {
    /* parsers: registry entries */
    NULL,
};

const struct parser *parser_find(const char *name)
{
    for (size_t i = 0; parser_registry[i]; i++)
        if (strcmp(parser_registry[i]->name, name) == 0)
            return parser_registry[i];
    return NULL;
}
