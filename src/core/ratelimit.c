/* ratelimit.c — token bucket; see ratelimit.h. */
#include "core/ratelimit.h"

#include <time.h>

void ratelimit_init(struct ratelimit *rl, double rate, double burst, double now)
{
    rl->rate = rate > 0 ? rate : 0;
    rl->burst = burst >= 1 ? burst : 1;
    rl->tokens = rl->burst;
    rl->last = now;
}

static void refill(struct ratelimit *rl, double now)
{
    if (now > rl->last) {
        rl->tokens += (now - rl->last) * rl->rate;
        if (rl->tokens > rl->burst)
            rl->tokens = rl->burst;
        rl->last = now;
    }
}

bool ratelimit_take(struct ratelimit *rl, double now)
{
    if (rl->rate == 0)
        return true;
    refill(rl, now);
    if (rl->tokens < 1)
        return false;
    rl->tokens -= 1;
    return true;
}

double ratelimit_wait(const struct ratelimit *rl, double now)
{
    if (rl->rate == 0)
        return 0;
    double tokens = rl->tokens;
    if (now > rl->last)
        tokens += (now - rl->last) * rl->rate;
    return tokens >= 1 ? 0 : (1 - tokens) / rl->rate;
}

double ratelimit_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
