/* fuzz_lab_persona.c — camlab's persona loader on arbitrary file contents:
 * it must return 0 or a "FILE: FIELD: ..." error, never crash or leak. */
#include "../../lab/persona.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("persona", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct persona p;
    char err[1024] = "";
    int rc = persona_load_file(path, "/nonexistent-persona-dir", &p, err, sizeof err);
    if (rc != 0 && strncmp(err, path, strlen(path)) != 0)
        abort(); /* every error names the file */
    if (rc == 0 && (p.n_services == 0 || !p.name || !p.serial))
        abort();
    persona_clear(&p);
    close(fd);
    return 0;
}
