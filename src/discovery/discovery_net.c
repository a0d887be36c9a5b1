/* discovery_net.c — runs the discovery modules on the wire: one UDP socket
 * per module, pinned to the interface the user named (SO_BINDTODEVICE where
 * allowed, IP_MULTICAST_IF, and IP_PKTINFO on every send so broadcasts leave
 * by that interface only; multicast TTL 1, no loopback). Each request is sent
 * once; answers are collected until the wait expires, then SSDP descriptions
 * are fetched from the devices that announced them and the neighbour table
 * adds MACs. Also the unicast variant for routed targets. */
#include "discovery/discovery.h"
#include "discovery/discovery_upnp.h"

#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MODULES_MAX 16
#define ANSWERS_MAX 4096       /* bounds memory on a hostile segment */
#define SEND_SPACING_US 20000  /* between two requests: polite */
#define DRAIN_BATCH 256        /* datagrams read per socket per wake-up */
#define UPNP_FETCH_TIMEOUT 2.0 /* seconds per description */
#define UPNP_FETCH_LIMIT (64 * 1024)
#define UPNP_FETCH_BUDGET 10.0 /* seconds for all descriptions together */

struct iface {
    char name[IF_NAMESIZE];
    unsigned index;
    struct in_addr addr;
    struct discovery_subnet net;
};

struct answer_set {
    struct discovery_answer *items;
    size_t count, cap;
    bool full; /* ANSWERS_MAX reached (said once) */
};

static void answer_set_add(struct answer_set *set, const struct discovery_answer *ans)
{
    if (set->count == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 32;
        set->items = xrealloc(set->items, set->cap * sizeof *set->items);
    }
    set->items[set->count++] = *ans;
}

static void answer_set_free(struct answer_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        discovery_answer_clear(&set->items[i]);
    free(set->items);
}

static int iface_lookup(const char *name, struct iface *out, char *err, size_t err_size)
{
    struct ifaddrs *list, *ifa;
    if (strlen(name) >= IF_NAMESIZE || !(out->index = if_nametoindex(name))) {
        snprintf(err, err_size, "no network interface '%s'", name);
        return -1;
    }
    if (getifaddrs(&list) != 0) {
        snprintf(err, err_size, "cannot list interface addresses: %s", strerror(errno));
        return -1;
    }
    int rc = -1;
    for (ifa = list; ifa; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET || strcmp(ifa->ifa_name, name))
            continue;
        out->addr = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
        uint32_t mask =
            ifa->ifa_netmask ? ntohl(((struct sockaddr_in *)ifa->ifa_netmask)->sin_addr.s_addr) : 0;
        out->net.addr = ntohl(out->addr.s_addr);
        out->net.prefix_len = (unsigned)__builtin_popcount(mask);
        rc = 0;
        break;
    }
    freeifaddrs(list);
    if (rc != 0)
        snprintf(err, err_size, "interface '%s' has no IPv4 address", name);
    snprintf(out->name, sizeof out->name, "%s", name);
    return rc;
}

bool discovery_interface_for_address(const char *ip, char *out, size_t out_size)
{
    struct in_addr target;
    struct ifaddrs *list;
    if (inet_pton(AF_INET, ip, &target) != 1 || getifaddrs(&list) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *ifa = list; ifa && !found; ifa = ifa->ifa_next) {
        if (!ifa->ifa_addr || !ifa->ifa_netmask || ifa->ifa_addr->sa_family != AF_INET)
            continue;
        uint32_t addr = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr;
        uint32_t mask = ((struct sockaddr_in *)ifa->ifa_netmask)->sin_addr.s_addr;
        if ((addr & mask) == (target.s_addr & mask)) {
            snprintf(out, out_size, "%s", ifa->ifa_name);
            found = true;
        }
    }
    freeifaddrs(list);
    return found;
}

/* A UDP socket for one module on the interface; -1 with err on failure. */
static int module_socket(const struct discovery_module *m, const struct iface *ifc, char *err,
                         size_t err_size)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, err_size, "cannot open a UDP socket: %s", strerror(errno));
        return -1;
    }
    int one = 1, zero = 0, ttl = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifc->name, (socklen_t)strlen(ifc->name)) != 0)
        log_debug("%s: SO_BINDTODEVICE %s: %s (IP_PKTINFO still pins sends)", m->name, ifc->name,
                  strerror(errno));
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifc->addr, sizeof ifc->addr);
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero);
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one); /* arrival interface */
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(m->local_port)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        /* Another program holds the port: replies sent to it may be missed. */
        log_warn("%s: cannot listen on UDP port %u (%s); using a free port", m->name, m->local_port,
                 strerror(errno));
        sa.sin_port = 0;
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            snprintf(err, err_size, "cannot bind a UDP socket: %s", strerror(errno));
            close(fd);
            return -1;
        }
    }
    if (m->reply_group) {
        struct ip_mreq mreq = {.imr_interface = ifc->addr};
        inet_pton(AF_INET, m->reply_group, &mreq.imr_multiaddr);
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0)
            log_debug("%s: cannot join %s: %s", m->name, m->reply_group, strerror(errno));
    }
    return fd;
}

/* Sends buf to ip:port leaving by interface ifindex (IP_PKTINFO). */
static int send_on_interface(int fd, const uint8_t *buf, size_t len, const char *ip, uint16_t port,
                             const struct iface *ifc)
{
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, ip, &dst.sin_addr) != 1)
        return -1;
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    union {
        char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {
        .msg_name = &dst, .msg_namelen = sizeof dst, .msg_iov = &iov, .msg_iovlen = 1};
    if (ifc) {
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof control.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo pi = {.ipi_ifindex = (int)ifc->index, .ipi_spec_dst = ifc->addr};
        memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
    return sendmsg(fd, &msg, 0) == (ssize_t)len ? 0 : -1;
}

static void send_module_requests(const struct discovery_module *m, int fd, const struct iface *ifc)
{
    uint8_t buf[2048];
    for (unsigned v = 0;; v++) {
        size_t len = m->build_request(v, buf, sizeof buf);
        if (!len)
            break;
        for (size_t g = 0; m->groups[g]; g++) {
            if (send_on_interface(fd, buf, len, m->groups[g], m->port, ifc) != 0)
                log_warn("%s: cannot send to %s:%u on %s: %s", m->name, m->groups[g], m->port,
                         ifc->name, strerror(errno));
            usleep(SEND_SPACING_US);
        }
    }
}

/* Which datagrams count: not our own, only from one address (unicast), only
 * arrived on one interface (0: any). The interface check matters where
 * SO_BINDTODEVICE was refused: a socket bound to the wildcard address also
 * hears broadcasts of other segments, which must not be taken for this one. */
struct receive_filter {
    struct in_addr self;
    unsigned ifindex;
    bool (*accept)(void *ctx, struct in_addr from); /* NULL: every sender */
    void *ctx;
};

/* Receives one datagram with the index of the interface it arrived on. */
static ssize_t receive(int fd, uint8_t *buf, size_t size, struct sockaddr_in *from,
                       unsigned *ifindex)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = size};
    struct msghdr msg = {.msg_name = from,
                         .msg_namelen = sizeof *from,
                         .msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    ssize_t n = recvmsg(fd, &msg, 0);
    *ifindex = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            *ifindex = (unsigned)pi.ipi_ifindex;
        }
    return n;
}

static bool datagram_wanted(const struct receive_filter *f, struct in_addr from, unsigned ifindex)
{
    return from.s_addr != f->self.s_addr && (!f->accept || f->accept(f->ctx, from)) &&
           (!f->ifindex || ifindex == f->ifindex);
}

/* Reads the pending datagrams of one socket and keeps the answers. */
static void drain_socket(int fd, const struct discovery_module *m,
                         const struct receive_filter *filter, struct answer_set *answers)
{
    static __thread uint8_t buf[DISCOVERY_DATAGRAM_MAX];
    /* Bounded per wake-up so a flood on one port cannot hold the loop past
     * its deadline or starve the other sockets. */
    for (int reads = 0; reads < DRAIN_BATCH; reads++) {
        struct sockaddr_in from;
        unsigned ifindex;
        ssize_t n = receive(fd, buf, sizeof buf, &from, &ifindex);
        if (n < 0)
            return;
        struct discovery_answer ans;
        if (!datagram_wanted(filter, from.sin_addr, ifindex))
            continue;
        if (answers->count >= ANSWERS_MAX) {
            if (!answers->full)
                log_warn("discovery: %d answers kept, further ones ignored (a flooding device, "
                         "or more devices than one run holds: split the targets with --shard)",
                         ANSWERS_MAX);
            answers->full = true;
            continue;
        }
        if (m->parse_reply(buf, (size_t)n, &ans) != 0)
            continue;
        inet_ntop(AF_INET, &from.sin_addr, ans.src_ip, sizeof ans.src_ip);
        ans.src_port = ntohs(from.sin_port);
        answer_set_add(answers, &ans);
    }
}

static void collect(const struct discovery_module *const *mods, const int *fds, size_t n,
                    double deadline, const struct receive_filter *filter,
                    struct answer_set *answers)
{
    struct pollfd pfd[MODULES_MAX];
    for (size_t i = 0; i < n; i++)
        pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    for (double left; (left = deadline - time_now()) > 0;) {
        int r = poll(pfd, n, (int)(left * 1000) + 1);
        if (r < 0 && errno != EINTR)
            break;
        for (size_t i = 0; r > 0 && i < n; i++)
            if (pfd[i].revents & POLLIN)
                drain_socket(fds[i], mods[i], filter, answers);
    }
}

/* Reads what has already arrived, without waiting. */
static void collect_pending(const struct discovery_module *const *mods, const int *fds, size_t n,
                            const struct receive_filter *filter, struct answer_set *answers)
{
    struct pollfd pfd[MODULES_MAX];
    for (size_t i = 0; i < n; i++)
        pfd[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    if (poll(pfd, n, 0) > 0)
        for (size_t i = 0; i < n; i++)
            if (pfd[i].revents & POLLIN)
                drain_socket(fds[i], mods[i], filter, answers);
}

static bool host_has_description(const struct answer_set *answers, const char *ip)
{
    for (size_t i = 0; i < answers->count; i++)
        if (answers->items[i].signal && strcmp(answers->items[i].signal, "upnp.device_xml") == 0 &&
            strcmp(answers->items[i].src_ip, ip) == 0)
            return true;
    return false;
}

/* True when an earlier SSDP answer came from the same host as answer i:
 * its description was already asked for, whatever came of it. */
static bool asked_before(const struct answer_set *answers, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (answers->items[j].location[0] &&
            strcmp(answers->items[j].src_ip, answers->items[i].src_ip) == 0)
            return true;
    return false;
}

/* Fetches and parses the descriptions SSDP answers point at: from the
 * answering host only, one per host, within one overall time budget (a
 * hostile segment could point every answer at a tarpit). */
static void fetch_descriptions(struct answer_set *answers)
{
    size_t n = answers->count;
    double budget_end = time_now() + UPNP_FETCH_BUDGET;
    for (size_t i = 0; i < n; i++) {
        const struct discovery_answer *a = &answers->items[i];
        double left = budget_end - time_now();
        if (!a->location[0] || host_has_description(answers, a->src_ip) || asked_before(answers, i))
            continue; /* one attempt per host, even when it failed */
        if (left <= 0) {
            log_warn("upnp: time budget spent; descriptions of further hosts not fetched");
            break;
        }
        size_t len;
        char *xml = discovery_upnp_fetch(a->location, a->src_ip,
                                         left < UPNP_FETCH_TIMEOUT ? left : UPNP_FETCH_TIMEOUT,
                                         UPNP_FETCH_LIMIT, &len);
        if (!xml) {
            log_debug("upnp: no description from %s (%s)", a->src_ip, a->location);
            continue;
        }
        struct discovery_answer d;
        discovery_answer_init(&d, "upnp");
        snprintf(d.src_ip, sizeof d.src_ip, "%s", a->src_ip);
        if (discovery_upnp_parse_description(xml, len, &d) == 0) {
            answer_set_add(answers, &d); /* the set owns d's buffers now */
        } else {
            log_debug("upnp: malformed description from %s", d.src_ip);
            discovery_answer_clear(&d);
        }
        free(xml);
    }
}

struct neigh_ctx {
    const struct answer_set *answers;
    struct discovery_obs_list *out;
    double when;
};

static void on_neighbour(const char *ip, const char *mac, void *data)
{
    struct neigh_ctx *ctx = data;
    for (size_t i = 0; i < ctx->answers->count; i++)
        if (strcmp(ctx->answers->items[i].src_ip, ip) == 0) {
            discovery_obs_add(ctx->out, ip, 0, "mac", "discovery/neigh", mac, mac, strlen(mac),
                              ctx->when);
            return;
        }
}

static void emit_all(const struct answer_set *answers, const struct discovery_subnet *net,
                     struct discovery_obs_list *out)
{
    double now = time_now();
    for (size_t i = 0; i < answers->count; i++)
        discovery_answer_emit(&answers->items[i], net, now, out);
}

int discovery_run(const struct discovery_options *opts, struct discovery_obs_list *out, char *err,
                  size_t err_size)
{
    struct iface ifc;
    if (!opts->interface || iface_lookup(opts->interface, &ifc, err, err_size) != 0)
        return -1;
    const struct discovery_module *const *all = discovery_modules();
    const struct discovery_module *mods[MODULES_MAX] = {0};
    int fds[MODULES_MAX] = {0};
    size_t n = 0;
    for (size_t i = 0; all[i] && n < MODULES_MAX; i++) {
        int fd = module_socket(all[i], &ifc, err, err_size);
        if (fd < 0) {
            for (size_t j = 0; j < n; j++)
                close(fds[j]);
            return -1;
        }
        mods[n] = all[i];
        fds[n++] = fd;
    }
    for (size_t i = 0; i < n; i++)
        send_module_requests(mods[i], fds[i], &ifc);
    struct answer_set answers = {0};
    struct receive_filter filter = {.self = ifc.addr, .ifindex = ifc.index};
    collect(mods, fds, n, time_now() + opts->wait, &filter, &answers);
    for (size_t i = 0; i < n; i++)
        close(fds[i]);
    if (opts->fetch_upnp)
        fetch_descriptions(&answers);
    emit_all(&answers, &ifc.net, out);
    struct neigh_ctx ctx = {&answers, out, time_now()};
    if (discovery_neighbours_read(NULL, ifc.name, on_neighbour, &ctx) < 0)
        log_debug("cannot read the neighbour table: %s", strerror(errno));
    int count = (int)answers.count;
    answer_set_free(&answers);
    return count;
}

/* The requests of the modules that answer unicast, built once. */
struct unicast_requests {
    const struct discovery_module *mods[MODULES_MAX];
    int fds[MODULES_MAX];
    size_t n;
    struct {
        size_t module;
        size_t len;
        uint8_t buf[2048];
    } req[MODULES_MAX * 2];
    size_t n_req;
};

static int unicast_requests_open(struct unicast_requests *u, char *err, size_t err_size)
{
    const struct discovery_module *const *all = discovery_modules();
    memset(u, 0, sizeof *u);
    for (size_t i = 0; all[i] && u->n < MODULES_MAX; i++) {
        if (!all[i]->unicast)
            continue;
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            snprintf(err, err_size, "cannot open a UDP socket: %s", strerror(errno));
            for (size_t j = 0; j < u->n; j++)
                close(u->fds[j]);
            return -1;
        }
        for (unsigned v = 0; u->n_req < MODULES_MAX * 2; v++) {
            size_t len = all[i]->build_request(v, u->req[u->n_req].buf, sizeof u->req[0].buf);
            if (!len)
                break;
            u->req[u->n_req].module = u->n;
            u->req[u->n_req++].len = len;
        }
        u->mods[u->n] = all[i];
        u->fds[u->n++] = fd;
    }
    return 0;
}

/* Waits for a send token, reading answers meanwhile. */
static void wait_for_token(struct ratelimit *rl, const struct unicast_requests *u,
                           const struct receive_filter *filter, struct answer_set *answers)
{
    double now;
    while (!ratelimit_take(rl, now = ratelimit_clock()))
        collect(u->mods, u->fds, u->n, time_now() + ratelimit_wait(rl, now), filter, answers);
}

int discovery_unicast_sweep(const struct discovery_sweep *sw, struct discovery_obs_list *out,
                            char *err, size_t err_size)
{
    struct unicast_requests u;
    if (unicast_requests_open(&u, err, err_size) != 0)
        return -1;
    struct answer_set answers = {0};
    struct receive_filter filter = {.accept = sw->accept, .ctx = sw->ctx};
    struct ratelimit rl;
    ratelimit_init(&rl, sw->rate, sw->rate > 0 && sw->rate < 64 ? sw->rate : 64, ratelimit_clock());
    struct in_addr addr;
    char ip[INET_ADDRSTRLEN];
    uint64_t asked = 0;
    while (sw->next(sw->ctx, &addr)) {
        inet_ntop(AF_INET, &addr, ip, sizeof ip);
        for (size_t r = 0; r < u.n_req; r++) {
            wait_for_token(&rl, &u, &filter, &answers);
            const struct discovery_module *m = u.mods[u.req[r].module];
            if (send_on_interface(u.fds[u.req[r].module], u.req[r].buf, u.req[r].len, ip, m->port,
                                  NULL) != 0)
                log_debug("%s: cannot send to %s: %s", m->name, ip, strerror(errno));
        }
        if (++asked % DRAIN_BATCH == 0) /* answers of the first keep coming in */
            collect_pending(u.mods, u.fds, u.n, &filter, &answers);
    }
    collect(u.mods, u.fds, u.n, time_now() + sw->wait, &filter, &answers);
    for (size_t i = 0; i < u.n; i++)
        close(u.fds[i]);
    emit_all(&answers, NULL, out);
    int count = (int)answers.count;
    answer_set_free(&answers);
    return count;
}

/* One address, asked once. */
struct single_target {
    struct in_addr addr;
    bool given;
};

static bool single_next(void *ctx, struct in_addr *out)
{
    struct single_target *t = ctx;
    if (t->given)
        return false;
    t->given = true;
    *out = t->addr;
    return true;
}

static bool single_accept(void *ctx, struct in_addr from)
{
    return from.s_addr == ((struct single_target *)ctx)->addr.s_addr;
}

int discovery_unicast(const char *ip, double wait, struct discovery_obs_list *out, char *err,
                      size_t err_size)
{
    struct single_target t = {0};
    if (inet_pton(AF_INET, ip, &t.addr) != 1) {
        snprintf(err, err_size, "'%s' is not an IPv4 address", ip);
        return -1;
    }
    struct discovery_sweep sw = {
        .next = single_next, .accept = single_accept, .ctx = &t, .rate = 0, .wait = wait};
    return discovery_unicast_sweep(&sw, out, err, err_size);
}

int discovery_neighbours_read(const char *path, const char *interface,
                              void (*fn)(const char *ip, const char *mac, void *ctx), void *ctx)
{
    FILE *f = fopen(path ? path : "/proc/net/arp", "r");
    if (!f)
        return -1;
    char line[512];
    int count = 0;
    /* IP address  HW type  Flags  HW address  Mask  Device */
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        char ip[64], hwtype[16], flags[16], hw[64], mask[16], dev[64];
        if (sscanf(line, "%63s %15s %15s %63s %15s %63s", ip, hwtype, flags, hw, mask, dev) != 6)
            continue;
        unsigned long fl = strtoul(flags, NULL, 16);
        char mac[OBS_MAC_MAX];
        struct in_addr a;
        if (!(fl & 0x2) || (interface && strcmp(dev, interface) != 0) ||
            inet_pton(AF_INET, ip, &a) != 1 || !discovery_mac_normalise(hw, strlen(hw), mac))
            continue;
        fn(ip, mac, ctx);
        count++;
    }
    fclose(f);
    return count;
}
