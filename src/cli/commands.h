/* commands.h — the subcommands of camaudit, one file each (cmd_<name>.c).
 * Each takes argc/argv starting at the subcommand name and returns an exit
 * code from core/log.h. Adding a command: a new file, a line here and a line
 * in the table of main.c. */
#ifndef CAMAUDIT_COMMANDS_H
#define CAMAUDIT_COMMANDS_H

int cmd_targets(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_policies(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_scans(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_passive(int argc, char **argv);
int cmd_identify(int argc, char **argv);
int cmd_fingerprints(int argc, char **argv);

#endif
