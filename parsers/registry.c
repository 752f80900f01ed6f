/* registry.c - every input format mxaudit knows, in detection order. */
#include "parser.h"

#include <string.h>

/* Each parser defines one `const struct parser NAME_parser`. */
/* parsers: extern declarations */
extern const struct parser postfix_parser;
extern const struct parser msgtrk_parser;
extern const struct parser msgtrk_csv_parser;
extern const struct parser exo_trace_parser;
extern const struct parser exo_trace_json_parser;
extern const struct parser exo_trace_detail_parser;
extern const struct parser exo_report_parser;

const struct parser *const parser_registry[] = {
    /* parsers: registry entries */
    &postfix_parser,        &msgtrk_parser,           &msgtrk_csv_parser, &exo_trace_parser,
    &exo_trace_json_parser, &exo_trace_detail_parser, &exo_report_parser, NULL,
};

const struct parser *parser_find(const char *name)
{
    for (size_t i = 0; parser_registry[i]; i++)
        if (strcmp(parser_registry[i]->name, name) == 0)
            return parser_registry[i];
    return NULL;
}
