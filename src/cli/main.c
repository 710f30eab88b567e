/* main.c - the biq command: dispatches to its subcommands. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command COMMANDS[] = {
    {"serve", biq_cli_serve, "run the HTTP backend (configuration from BIQ_* variables)"},
    {"migrate", biq_cli_migrate, "apply database migrations and grants as the owner role"},
    {"analyze", biq_cli_analyze, "print each project's dashboard from Jira export files"},
    {"gen", biq_cli_gen, "write synthetic Jira data (search pages, statuses, sprints)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: biq COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(out, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\nSee README.md for the environment variables each command reads.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
        if (strcmp(argv[1], COMMANDS[i].name) != 0)
            continue;
        /* Once, before any thread: libcurl's global setup is not thread-safe. */
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            fprintf(stderr, "biq: cannot initialise libcurl\n");
            return 1;
        }
        int status = COMMANDS[i].run(argc - 2, argv + 2);
        curl_global_cleanup();
        return status;
    }
    fprintf(stderr, "biq: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
