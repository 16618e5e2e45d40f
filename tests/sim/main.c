/* espctl-sim: dispatches to the simulated hardware fronts. */
#include <stdio.h>
#include <string.h>

int sim_stlink_main(int argc, char **argv);
int sim_dap_main(int argc, char **argv);
int sim_esp_main(int argc, char **argv);

struct front {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct front fronts[] = {
#ifdef SIM_HAVE_STLINK
    {"stlink", "STM32 target behind an ST-Link (stlink-server TCP protocol)", sim_stlink_main},
#endif
#ifdef SIM_HAVE_DAP
    {"dap", "STM32 target behind a CMSIS-DAP probe (elaphureLink TCP)", sim_dap_main},
#endif
#ifdef SIM_HAVE_ESP
    {"esp", "ESP ROM serial loader on a pty or TCP", sim_esp_main},
#endif
    {NULL, NULL, NULL}};

static void usage(FILE *f)
{
    fprintf(f, "usage: espctl-sim FRONT [options]   (FRONT --help for its options)\n\nfronts:\n");
    for (const struct front *fr = fronts; fr->name; fr++)
        fprintf(f, "  %-8s %s\n", fr->name, fr->summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    for (const struct front *fr = fronts; fr->name; fr++)
        if (!strcmp(argv[1], fr->name))
            return fr->run(argc - 1, argv + 1);
    fprintf(stderr, "espctl-sim: unknown front '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
