/* log.c — stderr messages with the program name; see log.h. */
#include "core/log.h"

#include <stdio.h>

static const char *program_name = "camaudit";
static int verbosity = 1;

void log_set_program(const char *name)
{
    program_name = name;
}
void log_set_verbosity(int level)
{
    verbosity = level;
}
int log_verbosity(void)
{
    return verbosity;
}

static void log_emit(int min_level, const char *kind, const char *fmt, va_list ap)
{
    if (verbosity < min_level)
        return;
    fprintf(stderr, "%s: %s", program_name, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#define LOG_BODY(level, kind)                                                                      \
    va_list ap;                                                                                    \
    va_start(ap, fmt);                                                                             \
    log_emit(level, kind, fmt, ap);                                                                \
    va_end(ap)

void log_error(const char *fmt, ...)
{
    LOG_BODY(0, "");
}
void log_warn(const char *fmt, ...)
{
    LOG_BODY(1, "warning: ");
}
void log_info(const char *fmt, ...)
{
    LOG_BODY(1, "");
}
void log_debug(const char *fmt, ...)
{
    LOG_BODY(2, "debug: ");
}
