/* fuzz_targets.c — target specifications, exclusions and port lists from
 * arbitrary text: parse, count and walk a bounded prefix. */
#include "core/ports.h"
#include "core/targets.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct target_set *set = target_set_new();
    char err[512];
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(text, "\n ", &save); tok && n < 64;
         tok = strtok_r(NULL, "\n ", &save), n++) {
        /* Host names would go to the resolver: only numeric forms here. */
        if (strspn(tok, "0123456789abcdefABCDEF.:/-!") != strlen(tok))
            continue;
        if (tok[0] == '!')
            target_set_exclude(set, tok + 1, err, sizeof err);
        else
            target_set_add(set, tok, err, sizeof err);
        struct port_list ports = {0};
        port_list_parse(&ports, tok, err, sizeof err);
        port_list_free(&ports);
    }
    if (target_set_count(set) < TARGETS_MAX_COUNT) {
        struct target_iter *it = target_iter_new(set, 1, 0, 1);
        struct target_addr a;
        char buf[64];
        for (int i = 0; i < 1000 && target_iter_next(it, &a); i++)
            target_addr_format(&a, buf, sizeof buf);
        target_iter_free(it);
    }
    target_set_free(set);
    free(text);
    return 0;
}
