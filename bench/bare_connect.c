/* bare_connect.c — the bench's "bare limit": a minimal epoll loop that does
 * nothing but connect, send one small request, read the answer to end of
 * stream (or 1 s of silence) and close, over a list of ip:port lines from
 * stdin, ROUNDS times, CONCURRENCY at once. Prints
 * "connections=N answered=A seconds=S". No parsing, no identification: the
 * fastest a client on this machine can talk to the same fleet. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct slot {
    int fd;
    int target;
    int sent;
    int got;
    double last;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int concurrency = argc > 1 ? atoi(argv[1]) : 1024;
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    struct sockaddr_in *targets = NULL;
    int n = 0, cap = 0;
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        char *colon = strrchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        if (n == cap)
            targets = realloc(targets, (size_t)(cap = cap ? cap * 2 : 1024) * sizeof *targets);
        memset(&targets[n], 0, sizeof targets[n]);
        targets[n].sin_family = AF_INET;
        targets[n].sin_port = htons((uint16_t)atoi(colon + 1));
        if (inet_pton(AF_INET, line, &targets[n].sin_addr) == 1)
            n++;
    }
    long total = (long)n * rounds, next = 0, done = 0, answered = 0;
    int ep = epoll_create1(0);
    struct slot *slots = calloc((size_t)concurrency, sizeof *slots);
    static const char request[] = "GET / HTTP/1.0\r\n\r\n";
    char buf[65536];
    double start = now();
    int active = 0;
    for (;;) {
        while (active < concurrency && next < total) {
            int i = 0;
            while (slots[i].fd > 0)
                i++;
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            struct linger lg = {1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            slots[i] = (struct slot){.fd = fd, .target = (int)(next % n), .last = now()};
            connect(fd, (struct sockaddr *)&targets[slots[i].target], sizeof targets[0]);
            struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)i};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            next++;
            active++;
        }
        if (active == 0)
            break;
        struct epoll_event events[256];
        int k = epoll_wait(ep, events, 256, 100);
        double t = now();
        for (int e = 0; e < k; e++) {
            struct slot *s = &slots[events[e].data.u32];
            int finished = 0;
            if (events[e].events & (EPOLLERR | EPOLLHUP) && !(events[e].events & EPOLLIN))
                finished = 1;
            else if (!s->sent && (events[e].events & EPOLLOUT)) {
                if (send(s->fd, request, sizeof request - 1, MSG_NOSIGNAL) < 0)
                    finished = 1;
                s->sent = 1;
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[e].data.u32};
                epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
            }
            if (!finished && (events[e].events & EPOLLIN)) {
                ssize_t r;
                while ((r = recv(s->fd, buf, sizeof buf, 0)) > 0)
                    s->got = 1;
                if (r == 0 || (r < 0 && errno != EAGAIN))
                    finished = 1;
            }
            s->last = t;
            if (finished) {
                answered += s->got;
                close(s->fd);
                s->fd = 0;
                active--;
                done++;
            }
        }
        for (int i = 0; i < concurrency; i++)
            if (slots[i].fd > 0 && t - slots[i].last > 1.0) {
                answered += slots[i].got;
                close(slots[i].fd);
                slots[i].fd = 0;
                active--;
                done++;
            }
    }
    printf("connections=%ld answered=%ld seconds=%.3f\n", done, answered, now() - start);
    return 0;
}
