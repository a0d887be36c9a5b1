/* camlab_discovery.c — `camlab-discovery`: runs camlab's discovery responder
 * (discovery_responder.c) for one device in its own network namespace, from
 * a persona file's "discovery" section. Used by the discovery integration
 * test until `camlab serve` starts the responder itself for personas that
 * have the section (then this program can go).
 *   camlab-discovery --persona FILE --interface IF --addr IP/LEN
 *                    [--gateway IP] [--ready-file F]
 * The MAC is the interface's own; the serial is the persona's template with
 * {{id_dec}} / {{id5}} / {{id_hex}} taken from the MAC's last three bytes. */
#include "discovery_responder.h"
#include "persona.h"

#include "core/log.h"
#include "core/util.h"

#include <jansson.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int read_interface_mac(const char *ifname, uint8_t mac[6])
{
    char path[128], text[64];
    snprintf(path, sizeof path, "/sys/class/net/%s/address", ifname);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    unsigned b[6];
    int ok = fgets(text, sizeof text, f) &&
             sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) == 6;
    fclose(f);
    for (int i = 0; ok && i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return ok ? 0 : -1;
}

/* Expands the id variables of a serial template (see the head comment). */
static char *render_serial(const char *tmpl, const uint8_t mac[6])
{
    unsigned id = (unsigned)mac[3] << 16 | (unsigned)mac[4] << 8 | mac[5];
    char dec[16], five[16], hex[16];
    snprintf(dec, sizeof dec, "%08u", id);
    snprintf(five, sizeof five, "%05u", id % 100000);
    snprintf(hex, sizeof hex, "%06X", id);
    const char *names[] = {"{{id_dec}}", "{{id5}}", "{{id_hex}}"};
    const char *values[] = {dec, five, hex};
    char *out = xstrdup(tmpl ? tmpl : "");
    for (int k = 0; k < 3; k++) {
        char *p;
        while ((p = strstr(out, names[k]))) {
            char *next =
                xasprintf("%.*s%s%s", (int)(p - out), out, values[k], p + strlen(names[k]));
            free(out);
            out = next;
        }
    }
    return out;
}

int main(int argc, char **argv)
{
    log_set_program("camlab");
    const char *persona = NULL, *ifname = NULL, *addr = NULL, *gateway = NULL, *ready = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--persona") == 0)
            persona = argv[i + 1];
        else if (strcmp(argv[i], "--interface") == 0)
            ifname = argv[i + 1];
        else if (strcmp(argv[i], "--addr") == 0)
            addr = argv[i + 1];
        else if (strcmp(argv[i], "--gateway") == 0)
            gateway = argv[i + 1];
        else if (strcmp(argv[i], "--ready-file") == 0)
            ready = argv[i + 1];
        else {
            log_error("unknown option '%s'", argv[i]);
            return EXIT_USAGE;
        }
    }
    char ip[64];
    unsigned prefix = 0;
    if (!persona || !ifname || !addr || sscanf(addr, "%63[0-9.]/%u", ip, &prefix) != 2) {
        fprintf(stderr, "usage: camlab-discovery --persona FILE --interface IF --addr IP/LEN "
                        "[--gateway IP] [--ready-file F]\n");
        return EXIT_USAGE;
    }
    /* camlab's own loader: the same validation as `camlab serve`. */
    char *dir_copy = xstrdup(persona);
    const char *base_dir = dirname(dir_copy);
    struct persona p;
    char err[512];
    if (persona_load_file(persona, base_dir, &p, err, sizeof err) != 0) {
        log_error("%s", err);
        persona_clear(&p);
        free(dir_copy);
        return EXIT_USAGE;
    }
    struct lab_discovery_identity id = {.interface = ifname,
                                        .ip = ip,
                                        .prefix_len = prefix,
                                        .gateway = gateway,
                                        .manufacturer = p.manufacturer,
                                        .brand = p.brand,
                                        .model = p.model,
                                        .firmware = p.firmware,
                                        .section = p.discovery,
                                        .base_dir = base_dir};
    if (read_interface_mac(ifname, id.mac) != 0) {
        log_error("cannot read the MAC of interface '%s'", ifname);
        persona_clear(&p);
        free(dir_copy);
        return EXIT_USAGE;
    }
    char *serial = render_serial(p.serial, id.mac);
    id.serial = serial;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    int rc = lab_discovery_serve(&id, &stop_requested, ready, err, sizeof err);
    if (rc != 0)
        log_error("discovery responder for %s: %s", persona, err);
    free(serial);
    free(dir_copy);
    persona_clear(&p);
    return rc == 0 ? EXIT_OK : EXIT_FAILURE_RUNTIME;
}
