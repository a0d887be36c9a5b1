/* camlab.c — the device lab's entry point: `camlab fleet` (a range of
 * emulated devices, one persona per address, plus the ground-truth file),
 * `camlab serve` (one device) and `camlab list` (the personas). */
#include "core/log.h"
#include "core/targets.h"
#include "core/util.h"
#include "fleet.h"
#include "persona.h"
#include "serve_discovery.h"
#include "server.h"
#include "tls_cert.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* Largest range a fleet may cover (each address costs a little memory). */
#define FLEET_MAX_ADDRESSES (1u << 20)
/* Descriptors wished for accepted connections, and the least accepted. */
#define FD_RESERVE 2048
#define FD_MINIMUM 64

struct options {
    const char *range, *truth, *mix, *personas, *ready_file, *persona, *addr, *mac;
    uint64_t seed;
    double density;
    bool discovery; /* serve: also answer the persona's discovery protocols */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: camlab [-v|-q] COMMAND [OPTIONS]\n\n"
            "Emulates surveillance devices on loopback or in a network namespace.\n\n"
            "  camlab fleet --range CIDR [--seed N] [--truth FILE] [--mix NAME=W,...]\n"
            "               [--density D] [--personas DIR] [--ready-file FILE]\n"
            "  camlab serve --persona NAME --addr IP [--mac MAC] [--seed N]\n"
            "               [--truth FILE] [--personas DIR] [--ready-file FILE] [--discovery]\n"
            "  camlab list  [--personas DIR]\n\n"
            "--mix keys are persona names or tags (hostile personas only join when named);\n"
            "--density is the share of addresses that hold a device (default 1).\n"
            "serve takes its MAC from --mac, else from the interface holding --addr\n"
            "(a veth in a namespace), else from the persona's OUI and the seed.\n"
            "serve --discovery also answers the persona's discovery protocols on the\n"
            "interface holding --addr (docs/DISCOVERY.md).\n"
            "Runs until SIGTERM or SIGINT. See lab/README.md.\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {{"range", required_argument, NULL, 'r'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"truth", required_argument, NULL, 't'},
                                             {"mix", required_argument, NULL, 'm'},
                                             {"density", required_argument, NULL, 'd'},
                                             {"personas", required_argument, NULL, 'p'},
                                             {"ready-file", required_argument, NULL, 'R'},
                                             {"persona", required_argument, NULL, 'P'},
                                             {"addr", required_argument, NULL, 'a'},
                                             {"mac", required_argument, NULL, 'M'},
                                             {"discovery", no_argument, NULL, 'D'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    o->seed = 1;
    o->density = 1.0;
    int ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            o->range = optarg;
            break;
        case 't':
            o->truth = optarg;
            break;
        case 'm':
            o->mix = optarg;
            break;
        case 'p':
            o->personas = optarg;
            break;
        case 'R':
            o->ready_file = optarg;
            break;
        case 'P':
            o->persona = optarg;
            break;
        case 'a':
            o->addr = optarg;
            break;
        case 'M':
            o->mac = optarg;
            break;
        case 'D':
            o->discovery = true;
            break;
        case 's':
            errno = 0;
            o->seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end) {
                log_error("invalid --seed '%s' (expected a non-negative integer)", optarg);
                return -1;
            }
            break;
        case 'd':
            o->density = strtod(optarg, &end);
            if (end == optarg || *end || !(o->density > 0 && o->density <= 1)) {
                log_error("invalid --density '%s' (expected a number in (0, 1])", optarg);
                return -1;
            }
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        default:
            return -1;
        }
    }
    if (optind < argc) {
        log_error("unexpected argument '%s' (see 'camlab --help')", argv[optind]);
        return -1;
    }
    return 0;
}

static struct persona_set *load_personas(const struct options *o)
{
    char *dir = o->personas ? xstrdup(o->personas) : data_path("lab/personas");
    char err[1024];
    struct persona_set *set = persona_set_load(dir, err, sizeof err);
    if (!set)
        log_error("%s", err);
    free(dir);
    return set;
}

/* Raises the open-file limit to cover `sockets` listeners plus a reserve. */
static int ensure_fd_limit(size_t sockets)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    rlim_t want = (rlim_t)sockets + FD_RESERVE;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
        struct rlimit more = {want, want}; /* works with CAP_SYS_RESOURCE */
        if (setrlimit(RLIMIT_NOFILE, &more) == 0)
            rl = more;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return 0;
    if (rl.rlim_cur < (rlim_t)sockets + FD_MINIMUM) {
        log_error("the fleet needs %zu listening sockets plus spare descriptors, but the "
                  "open-file limit is %llu: lower --density or the range, or raise 'ulimit -n'",
                  sockets, (unsigned long long)rl.rlim_cur);
        return -1;
    }
    log_warn("only %llu descriptors are left for connections (open-file limit %llu); "
             "raise 'ulimit -n' for heavy scans",
             (unsigned long long)(rl.rlim_cur - sockets), (unsigned long long)rl.rlim_cur);
    return 0;
}

static int write_ready(const char *path, const char *line)
{
    if (!path)
        return 0;
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f, "%s\n", line) > 0;
    ok = (f && fclose(f) == 0) && ok && rename(tmp, path) == 0;
    if (!ok)
        log_error("cannot write ready file '%s': %s", path, strerror(errno));
    free(tmp);
    return ok ? 0 : -1;
}

/* Listens for every device, writes truth and ready file, serves. */
static int serve_devices(struct lab_device *devs, size_t count, const struct options *o,
                         const char *what)
{
    size_t sockets = 0;
    for (size_t i = 0; i < count; i++)
        sockets += devs[i].persona->n_services;
    if (ensure_fd_limit(sockets) < 0)
        return EXIT_USAGE;
    struct lab_server *srv = lab_server_new();
    if (!srv) {
        log_error("cannot create the event loop");
        return EXIT_FAILURE_RUNTIME;
    }
    char err[1024];
    int rc = EXIT_OK;
    double start = time_now();
    for (size_t i = 0; i < count && rc == EXIT_OK; i++)
        if (lab_server_add_device(srv, &devs[i], err, sizeof err) < 0) {
            log_error("%s", err);
            rc = EXIT_FAILURE_RUNTIME;
        }
    log_debug("%zu sockets listening after %.2f s", lab_server_socket_count(srv),
              time_now() - start);
    if (rc == EXIT_OK && o->truth &&
        fleet_write_truth(o->truth, devs, count, err, sizeof err) < 0) {
        log_error("%s", err);
        rc = EXIT_USAGE; /* the path the user named */
    }
    if (rc == EXIT_OK) {
        char *line = xasprintf("ready: %zu devices, %zu sockets on %s (seed %llu)", count,
                               lab_server_socket_count(srv), what, (unsigned long long)o->seed);
        log_info("%s", line);
        if (write_ready(o->ready_file, line) < 0)
            rc = EXIT_USAGE;
        free(line);
    }
    if (rc == EXIT_OK && lab_server_run(srv) < 0)
        rc = EXIT_FAILURE_RUNTIME;
    lab_server_free(srv);
    return rc;
}

static struct lab_device *build_fleet(const struct persona_set *set, const struct options *o,
                                      size_t *count)
{
    char err[1024];
    struct fleet_mix mix;
    if (fleet_mix_parse(set, o->mix, &mix, err, sizeof err) < 0) {
        log_error("%s", err);
        fleet_mix_free(&mix);
        return NULL;
    }
    struct target_set *ts = target_set_new();
    struct lab_device *devs = NULL;
    if (target_set_add(ts, o->range, err, sizeof err) < 0) {
        log_error("%s", err);
        goto out;
    }
    if (target_set_count(ts) > FLEET_MAX_ADDRESSES) {
        log_error("--range '%s' holds %llu addresses; a fleet covers at most %u", o->range,
                  (unsigned long long)target_set_count(ts), FLEET_MAX_ADDRESSES);
        goto out;
    }
    devs = xcalloc(target_set_count(ts) + 1, sizeof *devs);
    struct target_iter *it = target_iter_new(ts, 1, 0, 1);
    struct target_addr a;
    *count = 0;
    while (target_iter_next(it, &a)) {
        const struct persona *p = fleet_pick(set, &mix, o->seed, o->density, &a);
        if (p)
            lab_device_init(&devs[(*count)++], p, o->seed, &a);
    }
    target_iter_free(it);
out:
    target_set_free(ts);
    fleet_mix_free(&mix);
    return devs;
}

static void free_devices(struct lab_device *devs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        lab_device_clear(&devs[i]);
    free(devs);
}

static int cmd_fleet(int argc, char **argv)
{
    struct options o = {0};
    if (parse_options(argc, argv, &o) < 0)
        return EXIT_USAGE;
    if (!o.range) {
        log_error("fleet needs --range (e.g. --range 127.20.0.0/22)");
        return EXIT_USAGE;
    }
    struct persona_set *set = load_personas(&o);
    if (!set)
        return EXIT_USAGE;
    size_t count = 0;
    struct lab_device *devs = build_fleet(set, &o, &count);
    int rc = devs ? serve_devices(devs, count, &o, o.range) : EXIT_USAGE;
    free_devices(devs, count);
    persona_set_free(set);
    return rc;
}

static bool parse_mac(const char *text, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(text, "%2x%*1[:-]%2x%*1[:-]%2x%*1[:-]%2x%*1[:-]%2x%*1[:-]%2x%c", &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return true;
}

/* The MAC of the non-loopback interface holding addr (a device in its own
 * namespace behind a veth), so answers print the MAC the wire shows. */
static bool interface_mac(const struct target_addr *addr, uint8_t mac[6])
{
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return false;
    const char *name = NULL;
    for (struct ifaddrs *i = list; i && !name; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK) || i->ifa_addr->sa_family != addr->family)
            continue;
        const void *bytes = addr->family == AF_INET
                                ? (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr
                                : (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        if (memcmp(bytes, addr->bytes, addr->family == AF_INET ? 4 : 16) == 0)
            name = i->ifa_name;
    }
    bool found = false;
    for (struct ifaddrs *i = list; i && name && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET || strcmp(i->ifa_name, name))
            continue;
        const struct sockaddr_ll *ll = (const struct sockaddr_ll *)i->ifa_addr;
        if (ll->sll_halen == 6) {
            memcpy(mac, ll->sll_addr, 6);
            found = true;
        }
    }
    freeifaddrs(list);
    return found;
}

static int cmd_serve(int argc, char **argv)
{
    struct options o = {0};
    if (parse_options(argc, argv, &o) < 0)
        return EXIT_USAGE;
    if (!o.persona || !o.addr) {
        log_error("serve needs --persona NAME and --addr IP (see 'camlab list')");
        return EXIT_USAGE;
    }
    struct target_addr a;
    if (!target_addr_parse(o.addr, &a)) {
        log_error("invalid --addr '%s' (expected an IPv4 or IPv6 address)", o.addr);
        return EXIT_USAGE;
    }
    struct persona_set *set = load_personas(&o);
    if (!set)
        return EXIT_USAGE;
    const struct persona *p = persona_set_find(set, o.persona);
    int rc = EXIT_USAGE;
    if (!p) {
        log_error("unknown persona '%s' (see 'camlab list')", o.persona);
    } else {
        struct lab_device dev;
        lab_device_init(&dev, p, o.seed, &a);
        uint8_t mac[6];
        if (o.mac && !parse_mac(o.mac, mac)) {
            log_error("invalid --mac '%s' (expected six hex bytes like 44:47:cc:01:02:03)", o.mac);
        } else {
            if (o.mac || interface_mac(&a, mac))
                lab_device_set_mac(&dev, mac);
            char *dir = o.personas ? xstrdup(o.personas) : data_path("lab/personas");
            struct serve_discovery *sd = o.discovery ? serve_discovery_start(&dev, dir) : NULL;
            rc = serve_devices(&dev, 1, &o, o.addr);
            serve_discovery_stop(sd);
            free(dir);
        }
        lab_device_clear(&dev);
    }
    persona_set_free(set);
    return rc;
}

static const char *const kind_names[] = {"http", "rtsp", "banner", "dvrip"};
static const char *const behaviour_names[] = {"",          "tarpit", "drip", "endless_headers",
                                              "huge_body", "garbage"};

static void print_persona(const struct persona *p)
{
    printf("%-22s %-12s %-12s %-24s %-12s %s\n", p->name, p->manufacturer, p->brand, p->model,
           p->device_type, p->restricted_expected ? "restricted" : "-");
    printf("%22s ports:", "");
    for (size_t i = 0; i < p->n_services; i++) {
        const struct lab_service *s = &p->services[i];
        printf(" %u/%s%s%s%s", s->port, kind_names[s->kind], s->tls ? "+tls" : "",
               s->behaviour ? "," : "", behaviour_names[s->behaviour]);
    }
    printf("\n%22s tags:", "");
    for (size_t i = 0; i < p->n_tags; i++)
        printf(" %s", p->tags[i]);
    printf("%s\n", p->hostile ? " (hostile: only with --mix)" : "");
}

static int cmd_list(int argc, char **argv)
{
    struct options o = {0};
    if (parse_options(argc, argv, &o) < 0)
        return EXIT_USAGE;
    struct persona_set *set = load_personas(&o);
    if (!set)
        return EXIT_USAGE;
    printf("%-22s %-12s %-12s %-24s %-12s %s\n", "PERSONA", "MAKER", "BRAND", "MODEL", "TYPE",
           "RESTRICTED");
    for (size_t i = 0; i < set->count; i++)
        print_persona(&set->items[i]);
    persona_set_free(set);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    log_set_program("camlab");
    signal(SIGPIPE, SIG_IGN);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            log_set_verbosity(2);
        else if (strcmp(argv[i], "-q") == 0)
            log_set_verbosity(0);
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else {
            log_error("unknown option '%s' (see 'camlab --help')", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int rc;
    if (strcmp(argv[i], "fleet") == 0) {
        rc = cmd_fleet(argc - i, argv + i);
        lab_tls_cleanup();
        return rc;
    }
    if (strcmp(argv[i], "serve") == 0) {
        rc = cmd_serve(argc - i, argv + i);
        lab_tls_cleanup();
        return rc;
    }
    if (strcmp(argv[i], "list") == 0)
        return cmd_list(argc - i, argv + i);
    log_error("unknown command '%s' (see 'camlab --help')", argv[i]);
    return EXIT_USAGE;
}
