/* serve_discovery.c — the discovery responder of one `camlab serve` device,
 * in a thread; see serve_discovery.h. */
#include "serve_discovery.h"

#include "discovery_responder.h"
#include "persona.h"

#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 5000

struct serve_discovery {
    struct lab_discovery_identity id;
    char interface[IF_NAMESIZE];
    char ready_path[64];
    int ready_pipe[2];
    volatile sig_atomic_t stop;
    pthread_t thread;
};

/* Name and prefix length of the non-loopback interface holding ip. */
static bool interface_of(const char *ip, char name[IF_NAMESIZE], unsigned *prefix_len)
{
    struct in_addr want;
    struct ifaddrs *list;
    if (inet_pton(AF_INET, ip, &want) != 1 || getifaddrs(&list) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != AF_INET ||
            (i->ifa_flags & IFF_LOOPBACK) ||
            ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr != want.s_addr)
            continue;
        snprintf(name, IF_NAMESIZE, "%s", i->ifa_name);
        *prefix_len =
            (unsigned)__builtin_popcount(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
        found = true;
    }
    freeifaddrs(list);
    return found;
}

static void *responder_thread(void *arg)
{
    struct serve_discovery *sd = arg;
    char err[512];
    if (lab_discovery_serve(&sd->id, &sd->stop, sd->ready_path, err, sizeof err) != 0)
        log_error("discovery responder: %s", err);
    close(sd->ready_pipe[1]); /* wakes the starter if the responder never got ready */
    sd->ready_pipe[1] = -1;
    return NULL;
}

/* True once the responder wrote its ready line into the pipe. */
static bool wait_ready(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    return poll(&p, 1, READY_TIMEOUT_MS) == 1 && read(fd, &c, 1) == 1;
}

struct serve_discovery *serve_discovery_start(const struct lab_device *dev,
                                              const char *personas_dir)
{
    const struct persona *p = dev->persona;
    if (!p->discovery || !json_is_object(p->discovery))
        return NULL;
    struct serve_discovery *sd = xcalloc(1, sizeof *sd);
    if (dev->addr.family != AF_INET || !interface_of(dev->ip, sd->interface, &sd->id.prefix_len)) {
        log_info("%s: no discovery answers (%s is not an IPv4 address of a network interface)",
                 p->name, dev->ip);
        free(sd);
        return NULL;
    }
    if (pipe(sd->ready_pipe) != 0) {
        log_error("cannot start the discovery responder: no pipe");
        free(sd);
        return NULL;
    }
    snprintf(sd->ready_path, sizeof sd->ready_path, "/dev/fd/%d", sd->ready_pipe[1]);
    sd->id = (struct lab_discovery_identity){.interface = sd->interface,
                                             .ip = dev->ip,
                                             .prefix_len = sd->id.prefix_len,
                                             .manufacturer = p->manufacturer,
                                             .brand = p->brand,
                                             .model = p->model,
                                             .firmware = p->firmware,
                                             .serial = dev->serial,
                                             .section = p->discovery,
                                             .base_dir = personas_dir};
    memcpy(sd->id.mac, dev->mac, sizeof sd->id.mac);
    if (pthread_create(&sd->thread, NULL, responder_thread, sd) != 0) {
        log_error("cannot start the discovery responder thread");
        close(sd->ready_pipe[0]);
        close(sd->ready_pipe[1]);
        free(sd);
        return NULL;
    }
    if (!wait_ready(sd->ready_pipe[0]))
        log_warn("%s: the discovery responder did not get ready", p->name);
    return sd;
}

void serve_discovery_stop(struct serve_discovery *sd)
{
    if (!sd)
        return;
    sd->stop = 1;
    pthread_join(sd->thread, NULL);
    close(sd->ready_pipe[0]);
    free(sd);
}
