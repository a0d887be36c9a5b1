/* ports.h — port lists: "80,443,8000-8100" parsed into a sorted, unique set. */
#ifndef CAMAUDIT_PORTS_H
#define CAMAUDIT_PORTS_H

#include <stddef.h>
#include <stdint.h>

struct port_list {
    uint16_t *ports; /* sorted ascending, unique; owned */
    size_t count;
};

/* Parses spec into list (replacing its contents). Returns 0, or -1 with one
 * line naming the bad part in err. Port 0 and ports above 65535 are errors. */
int port_list_parse(struct port_list *list, const char *spec, char *err, size_t err_size);
/* Reads a port data file: one port per line with an optional comment after
 * '#' (the default camera port set lives in data/ports.txt). */
int port_list_load_file(struct port_list *list, const char *path, char *err, size_t err_size);
void port_list_free(struct port_list *list);

#endif
