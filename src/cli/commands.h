/* commands.h - the biq subcommands. Each takes the arguments after its
 * name and returns the process exit status (0 ok, 1 failure, 2 usage). */
#ifndef BIQ_CLI_COMMANDS_H
#define BIQ_CLI_COMMANDS_H

int biq_cli_serve(int argc, char **argv);
int biq_cli_migrate(int argc, char **argv);
int biq_cli_gen(int argc, char **argv);
int biq_cli_analyze(int argc, char **argv);

#endif
