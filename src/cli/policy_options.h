/* policy_options.h — the policy options every command that evaluates
 * findings shares (--policy LIST, --policy-file FILE), parsed in one place
 * and turned into a loaded policy set with the one error message. */
#ifndef CAMAUDIT_POLICY_OPTIONS_H
#define CAMAUDIT_POLICY_OPTIONS_H

#include "policy/policy.h"

#include <stdbool.h>
#include <stddef.h>

/* Most --policy-file options accepted on one command line. */
#define POLICY_OPTIONS_MAX_FILES 32

struct policy_options {
    const char *selection; /* --policy value, NULL: every shipped list */
    const char *files[POLICY_OPTIONS_MAX_FILES];
    size_t file_count;
};

void policy_options_init(struct policy_options *opts);
/* Tries to consume the option at argv[*i] (and its argument). Returns 1 when
 * consumed, 0 when it is not a policy option, -1 on a bad value (error
 * already printed). */
int policy_options_consume(struct policy_options *opts, int argc, char **argv, int *i);
/* Loads the selected lists and the user files; NULL with the error printed
 * (the caller exits EXIT_USAGE: the files and names are user input). */
struct policy_set *policy_options_load(const struct policy_options *opts);

/* Help text lines for these options. */
extern const char POLICY_OPTIONS_HELP[];

/* --fail-on restricted,vulnerable: for automation, the commands that take it
 * (scan, report) exit EXIT_POLICY_HIT when such devices are found. */
struct fail_on {
    bool restricted, vulnerable;
};
/* As policy_options_consume, for --fail-on. */
int fail_on_consume(struct fail_on *f, int argc, char **argv, int *i);
/* True when the counts found trip the selected conditions. */
bool fail_on_hit(const struct fail_on *f, size_t restricted, size_t vulnerable);
extern const char FAIL_ON_HELP[];

#endif
