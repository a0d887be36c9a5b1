/* ratelimit.h — a token bucket: the engine's global --rate in connections
 * per second. Time is passed in (seconds, any monotonic origin) so the
 * bucket is a pure function of its inputs and testable without sleeping. */
#ifndef CAMAUDIT_RATELIMIT_H
#define CAMAUDIT_RATELIMIT_H

#include <stdbool.h>

struct ratelimit {
    double rate;  /* tokens per second; 0 = unlimited */
    double burst; /* most tokens held at once */
    double tokens;
    double last; /* time of the last refill */
};

/* A bucket for rate per second that holds at most burst tokens (at least 1)
 * and starts full at time now. */
void ratelimit_init(struct ratelimit *rl, double rate, double burst, double now);
/* Takes one token if there is one. */
bool ratelimit_take(struct ratelimit *rl, double now);
/* Seconds until a token will be there (0 when one is). */
double ratelimit_wait(const struct ratelimit *rl, double now);
/* Monotonic clock in seconds, for callers. */
double ratelimit_clock(void);

#endif
