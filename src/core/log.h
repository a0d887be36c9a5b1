/* log.h — the one way camaudit reports errors, warnings and progress notes.
 *
 * Every message goes to stderr prefixed with the program name, so a user sees
 * `camaudit: cannot read targets file 'x': No such file or directory`.
 * Exit codes are named here so every command uses the same ones. */
#ifndef CAMAUDIT_LOG_H
#define CAMAUDIT_LOG_H

#include <stdarg.h>

enum exit_code {
    EXIT_OK = 0,
    EXIT_FAILURE_RUNTIME = 1, /* something went wrong while working */
    EXIT_USAGE = 2,           /* bad arguments or input named by the user */
    EXIT_POLICY_HIT = 3,      /* --fail-on matched: restricted/vulnerable found */
};

/* Set by main(): "camaudit" or "camlab". */
void log_set_program(const char *name);
/* 0 = errors only, 1 = normal, 2 = verbose (-v). */
void log_set_verbosity(int level);
int log_verbosity(void);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
