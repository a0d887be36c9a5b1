/* discovery_upnp.c — fetches the UPnP device description an SSDP answer
 * points at (LOCATION). Only from the device that answered: a LOCATION
 * naming another host is not followed (the tool never contacts an address
 * the user did not put on the segment). One HTTP/1.0 GET with a time and a
 * byte budget; the body is parsed by discovery_upnp_parse_description(). */
#include "discovery/discovery_upnp.h"

#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Splits http://HOST[:PORT]/PATH; false unless HOST is exactly expect_ip. */
static bool split_location(const char *url, const char *expect_ip, uint16_t *port, char *path,
                           size_t path_size)
{
    if (strncmp(url, "http://", 7) != 0)
        return false;
    const char *host = url + 7;
    size_t hlen = strcspn(host, ":/");
    if (hlen != strlen(expect_ip) || strncmp(host, expect_ip, hlen) != 0)
        return false;
    const char *p = host + hlen;
    long pnum = 80;
    if (*p == ':') {
        char *end;
        pnum = strtol(p + 1, &end, 10);
        if (pnum <= 0 || pnum > 65535)
            return false;
        p = end;
    }
    if (*p != '/' && *p != '\0')
        return false;
    snprintf(path, path_size, "%s", *p ? p : "/");
    *port = (uint16_t)pnum;
    return strcspn(path, "\r\n ") == strlen(path);
}

static int wait_fd(int fd, short events, double deadline)
{
    double left = deadline - time_now();
    if (left <= 0)
        return 0;
    struct pollfd pfd = {.fd = fd, .events = events};
    return poll(&pfd, 1, (int)(left * 1000) + 1);
}

static int connect_with_deadline(const char *ip, uint16_t port, double deadline)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (wait_fd(fd, POLLOUT, deadline) <= 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads the whole answer (until close, limit or deadline) into a new buffer. */
static char *read_answer(int fd, double deadline, size_t limit, size_t *out_len)
{
    char *buf = xmalloc(limit + 1);
    size_t have = 0;
    while (have < limit && wait_fd(fd, POLLIN, deadline) > 0) {
        ssize_t n = read(fd, buf + have, limit - have);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    buf[have] = '\0';
    *out_len = have;
    return buf;
}

char *discovery_upnp_fetch(const char *location, const char *device_ip, double timeout,
                           size_t limit, size_t *body_len)
{
    uint16_t port;
    char path[512];
    if (!split_location(location, device_ip, &port, path, sizeof path))
        return NULL;
    double deadline = time_now() + timeout;
    int fd = connect_with_deadline(device_ip, port, deadline);
    if (fd < 0)
        return NULL;
    char req[700];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.0\r\nHost: %s:%u\r\nUser-Agent: camaudit/%s\r\n"
                     "Connection: close\r\n\r\n",
                     path, device_ip, port, CAMAUDIT_VERSION);
    if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n) {
        close(fd);
        return NULL;
    }
    size_t len;
    char *answer = read_answer(fd, deadline, limit, &len);
    close(fd);
    char *body = strstr(answer, "\r\n\r\n");
    if (strncmp(answer, "HTTP/1.", 7) != 0 || strncmp(answer + 8, " 200", 4) != 0 || !body) {
        free(answer);
        return NULL;
    }
    body += 4;
    *body_len = len - (size_t)(body - answer);
    memmove(answer, body, *body_len + 1);
    return answer;
}
