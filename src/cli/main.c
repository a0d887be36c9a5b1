/* main.c — camaudit's entry point: global options, then one subcommand from
 * the table below (each lives in its own cmd_<name>.c). */
#include "cli/commands.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"scan", cmd_scan, "find, probe and identify cameras and recorders on TARGETS"},
    {"targets", cmd_targets, "list or count the addresses a scan would visit"},
    {"policies", cmd_policies, "list the restriction lists, vulnerabilities and clouds checked"},
    {"import", cmd_import, "store devices (JSON lines) in the inventory as one scan"},
    {"scans", cmd_scans, "list the scans in the inventory"},
    {"devices", cmd_devices, "list the inventory's devices (--restricted: only banned ones)"},
    {"diff", cmd_diff, "what appeared, vanished or changed between two scans"},
    {"report", cmd_report, "write an HTML, JSON, CSV or Markdown report from the inventory"},
    {"discover", cmd_discover, "find devices on a local segment by their discovery protocols"},
    {"passive", cmd_passive, "identify devices from a capture file or interface, sending nothing"},
    {"identify", cmd_identify, "name the maker of each host from observation JSONL"},
    {"fingerprints", cmd_fingerprints, "verify fingerprint databases against their examples"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: camaudit [-v|-q] COMMAND [ARGS...]\n\n"
                 "Finds surveillance cameras and recorders, names their real maker,\n"
                 "and says which ones break the restriction lists that bind you.\n\n"
                 "Commands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %-14s %s\n", c->name, c->summary);
    fprintf(out, "\n'camaudit COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    log_set_program("camaudit");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            log_set_verbosity(2);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            log_set_verbosity(0);
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("camaudit %s\n", CAMAUDIT_VERSION);
            return EXIT_OK;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else {
            log_error("unknown option '%s' (see 'camaudit --help')", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(c->name, argv[i]) == 0)
            return c->run(argc - i, argv + i);
    log_error("unknown command '%s' (see 'camaudit --help')", argv[i]);
    return EXIT_USAGE;
}
