/*
 * fuzz_config.c - the configuration parser (src/config.h) on any text:
 * sections, repeated list keys, CIDR lists, /regex/ patterns, exceptions
 * with dates, comments, a BOM.
 *
 * A parse either fails with a message naming the file, or gives a config
 * whose match functions answer for any address and IP without crashing.
 */
#include "config.h"
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A config is text: the parser reads up to the first NUL, as a file read
     * by config_load would be cut. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    struct config *cfg = NULL;
    char err[512] = "";
    if (config_parse(text, "fuzz.conf", &cfg, err, sizeof err) < 0) {
        FUZZ_ASSERT(cfg == NULL);
        FUZZ_ASSERT(strstr(err, "fuzz.conf") != NULL);
        free(text);
        return 0;
    }
    FUZZ_ASSERT(cfg != NULL);
    FUZZ_ASSERT(cfg->ndomains > 0);
    /* Probe the match functions with fixed values and with the input's own
     * lines, so that what was configured is also what is asked. */
    static const char *const probes[] = {"postmaster@example.com",
                                         "192.0.2.1",
                                         "2001:db8::1",
                                         "",
                                         "@",
                                         "noreply@email.teams.microsoft.com",
                                         "40.92.0.1",
                                         "not an ip"};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        config_is_own_domain(cfg, probes[i]);
        config_is_gateway_host(cfg, probes[i]);
        config_is_gateway_connector(cfg, probes[i]);
        config_match_sender(cfg, probes[i]);
        config_match_exception(cfg, probes[i], probes[i]);
        config_match_exception(cfg, NULL, probes[i]);
        config_match_exception(cfg, probes[i], NULL);
    }
    for (char *line = strtok(text, "\n= "); line; line = strtok(NULL, "\n= ")) {
        config_is_own_domain(cfg, line);
        config_is_gateway_host(cfg, line);
        config_match_sender(cfg, line);
        config_match_exception(cfg, line, line);
    }
    config_free(cfg);
    free(text);
    return 0;
}
