/*
 * commands.c — the table of subcommands. Adding a command: one prototype and
 * one table line here, and a cmd_<name>.c file.
 */
#include "cli.h"

#include <string.h>

int cmd_help(struct cli *cli, int argc, char **argv);
int cmd_plugins(struct cli *cli, int argc, char **argv);
int cmd_probes(struct cli *cli, int argc, char **argv);
int cmd_provision(struct cli *cli, int argc, char **argv);
int cmd_build(struct cli *cli, int argc, char **argv);
int cmd_keys(struct cli *cli, int argc, char **argv);
int cmd_bundle(struct cli *cli, int argc, char **argv);
int cmd_flash(struct cli *cli, int argc, char **argv);
int cmd_erase(struct cli *cli, int argc, char **argv);
int cmd_reset(struct cli *cli, int argc, char **argv);
int cmd_read(struct cli *cli, int argc, char **argv);
int cmd_monitor(struct cli *cli, int argc, char **argv);

const struct cli_command cli_commands[] = {
    {"plugins", "list loaded and rejected plugins with their components", cmd_plugins},
    {"probes", "list attached debug probes", cmd_probes},
    {"provision-host", "install udev rules for the USB probes the plugins declare", cmd_provision},
    {"flash", "check a flash bundle and put it on the target", cmd_flash},
    {"erase", "erase a flash range or the whole chip", cmd_erase},
    {"reset", "reset the target and let it run", cmd_reset},
    {"read", "copy target memory into a file", cmd_read},
    {"monitor", "show the target's RTT or UART output; stdin goes to the target", cmd_monitor},
    {"build", "package a Cortex-M ELF as a signed, reproducible flash bundle", cmd_build},
    {"bundle", "inspect, verify, sign or extract a flash bundle; list known chips", cmd_bundle},
    {"keys", "generate an Ed25519 signing key or trust a public key", cmd_keys},
    {"help", "show help for espctl or one command", cmd_help},
};

const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

const struct cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}
