/*
 * bench_bundle — `espctl build --rust-elf` against the equivalent shell pipeline
 * (objcopy -O binary, objcopy -O ihex, sha256sum, openssl pkeyutl -sign, tar czf)
 * on a generated 12 MiB code-like ELF. Prints both times, the ratio, both bundle
 * sizes and espctl's peak RSS. Usage: bench_bundle ESPCTL OBJCOPY WORKDIR [RUNS]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ELF_SIZE (12u << 20)
#define TEXT_OFFSET 0x100u
#define FLASH_BASE 0x08000000u

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Thumb-2-like text: common 16-bit encodings with small register/immediate fields,
 * BL pairs, literal pools from a small constant set, and repeated "functions"
 * (copied earlier stretches with a few changes), as compilers emit. */
static void fill_code(uint8_t *p, size_t n)
{
    static const uint16_t templates[][2] = {
        {0xb500, 0x00ff}, {0xbd00, 0x00ff}, {0x2000, 0x07ff}, {0x4800, 0x07ff}, {0x6800, 0x07ff},
        {0x6000, 0x07ff}, {0x3000, 0x07ff}, {0x3800, 0x07ff}, {0x2800, 0x07ff}, {0xd000, 0x0fff},
        {0xe000, 0x03ff}, {0x4600, 0x00ff}, {0x1c00, 0x01ff}, {0x9800, 0x07ff}, {0x9000, 0x07ff},
        {0x4770, 0x0000}, {0xb080, 0x007f}, {0x4400, 0x00ff}, {0x0000, 0x07ff}, {0x7800, 0x07ff},
    };
    static const uint32_t constants[] = {0x40021000, 0x40021014, 0x48000000, 0x48000400, 0x40013800,
                                         0x20000000, 0x0000ffff, 0x00000001, 0xe000ed00, 0x40022000};
    size_t i = 0;
    while (i + 4 <= n) {
        uint32_t r = next_rand();
        if (i > 4096 && r % 100 < 40) {
            /* Re-use an earlier stretch (inlined helpers, monomorphised generics). */
            size_t len = 24 + (next_rand() % 376);
            size_t from = (next_rand() % (i - len > 0 ? i - 2048 : 1)) & ~1u;
            if (len > n - i)
                len = n - i;
            memmove(p + i, p + from, len);
            for (size_t k = 0; len > 8 && k < len / 24; k++)
                p[i + 2 + (next_rand() % (len - 4))] ^= (uint8_t)next_rand();
            i += len & ~1u;
        } else if (r % 100 < 42) {
            uint32_t off = next_rand() & 0x3fffff;
            uint16_t hi = (uint16_t)(0xf000 | ((off >> 11) & 0x7ff)), lo = (uint16_t)(0xf800 | (off & 0x7ff));
            memcpy(p + i, &hi, 2);
            memcpy(p + i + 2, &lo, 2);
            i += 4;
        } else if (r % 100 < 47) {
            uint32_t c = constants[next_rand() % 10];
            memcpy(p + i, &c, 4);
            i += 4;
        } else {
            const uint16_t *t = templates[next_rand() % 20];
            uint16_t h = (uint16_t)(t[0] | (next_rand() & t[1] & (next_rand() | 0x0707)));
            memcpy(p + i, &h, 2);
            i += 2;
        }
    }
    while (i < n)
        p[i++] = 0;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* ELF32 ARM: one PT_LOAD (.text) at FLASH_BASE, section headers for .text and .shstrtab. */
static int write_elf(const char *path)
{
    static const char shstr[] = "\0.text\0.shstrtab";
    uint32_t shnum = 3, shstr_off = ELF_SIZE - 3 * 40 - 32;
    uint32_t text_size = shstr_off - TEXT_OFFSET, shoff = ELF_SIZE - 3 * 40;
    uint8_t *d = calloc(1, ELF_SIZE);
    if (!d)
        return -1;
    memcpy(d, "\x7f" "ELF\x01\x01\x01", 7);
    put16(d + 16, 2);             /* ET_EXEC */
    put16(d + 18, 40);            /* EM_ARM */
    put32(d + 20, 1);
    put32(d + 24, FLASH_BASE | 1); /* entry (Thumb) */
    put32(d + 28, 52);            /* e_phoff */
    put32(d + 32, shoff);
    put32(d + 36, 0x05000200);    /* EABI5, hard float */
    put16(d + 40, 52);
    put16(d + 42, 32);
    put16(d + 44, 1);
    put16(d + 46, 40);
    put16(d + 48, (uint16_t)shnum);
    put16(d + 50, 2);
    uint8_t *ph = d + 52;
    put32(ph, 1);
    put32(ph + 4, TEXT_OFFSET);
    put32(ph + 8, FLASH_BASE);
    put32(ph + 12, FLASH_BASE);
    put32(ph + 16, text_size);
    put32(ph + 20, text_size);
    put32(ph + 24, 5);
    put32(ph + 28, 4);
    fill_code(d + TEXT_OFFSET, text_size);
    memcpy(d + shstr_off, shstr, sizeof shstr);
    uint8_t *sh = d + shoff + 40; /* [1] .text */
    put32(sh, 1);
    put32(sh + 4, 1);             /* PROGBITS */
    put32(sh + 8, 6);             /* ALLOC|EXEC */
    put32(sh + 12, FLASH_BASE);
    put32(sh + 16, TEXT_OFFSET);
    put32(sh + 20, text_size);
    put32(sh + 32, 4);
    sh += 40; /* [2] .shstrtab */
    put32(sh, 7);
    put32(sh + 4, 3);
    put32(sh + 16, shstr_off);
    put32(sh + 20, sizeof shstr);
    put32(sh + 32, 1);
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(d, 1, ELF_SIZE, f) == ELF_SIZE;
    if (f && fclose(f) != 0)
        ok = 0;
    free(d);
    return ok ? 0 : -1;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run argv, wait, return wall seconds; *maxrss_kib and *cpu_s (user + system, the
 * child and the children it waited for) from the child's rusage. */
static double run(char *const argv[], long *maxrss_kib, double *cpu_s)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        FILE *devnull = freopen("/dev/null", "w", stdout);
        (void)devnull;
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    /* (stdout of the child is the bench's own; espctl -q keeps it short.) */
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_bundle: %s failed\n", argv[0]);
        exit(1);
    }
    if (maxrss_kib)
        *maxrss_kib = ru.ru_maxrss;
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
             (double)ru.ru_stime.tv_usec / 1e6;
    return now_s() - t0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_bundle ESPCTL OBJCOPY WORKDIR [RUNS]\n");
        return 2;
    }
    const char *espctl = argv[1], *objcopy = argv[2], *work = argv[3];
    int runs = argc > 4 ? atoi(argv[4]) : 3;
    if (runs < 1)
        runs = 1;
    char elf[1024], key[1024], ours[1024], theirs[1024], stage[1024], cmd[8192];
    mkdir(work, 0755);
    snprintf(elf, sizeof elf, "%s/app.elf", work);
    snprintf(key, sizeof key, "%s/key.pem", work);
    snprintf(ours, sizeof ours, "%s/espctl.tar.gz", work);
    snprintf(theirs, sizeof theirs, "%s/pipeline.tar.gz", work);
    snprintf(stage, sizeof stage, "%s/pipeline", work);
    if (write_elf(elf) != 0) {
        fprintf(stderr, "bench_bundle: cannot write %s: %s\n", elf, strerror(errno));
        return 1;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' && mkdir -p '%s/files' && ln '%s' '%s/files/firmware.elf' && "
             "openssl genpkey -algorithm ed25519 -out '%s' 2>/dev/null", stage, key, stage, elf, stage, key);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_bundle: setup failed: %s\n", cmd);
        return 1;
    }
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    /* The same work, step by step, the way a shell script would do it. */
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; '%s' -O binary '%s' files/firmware.bin; '%s' -O ihex '%s' files/firmware.hex; "
             "sha256sum files/firmware.bin files/firmware.elf files/firmware.hex > manifest.txt; "
             "openssl pkeyutl -sign -rawin -inkey '%s' -in manifest.txt -out manifest.txt.sig; "
             "tar czf '%s' files manifest.txt manifest.txt.sig",
             stage, objcopy, elf, objcopy, elf, key, theirs);
    char *pipeline[] = {"sh", "-c", cmd, NULL};
    char *build[] = {(char *)espctl, "-q", "build", "--rust-elf", elf, "--target", "STM32G474RE", "--sign-key",
                     key, "--out", ours, NULL};

    double *t_ours = calloc((size_t)runs, sizeof(double)), *t_pipe = calloc((size_t)runs, sizeof(double));
    long rss = 0, peak = 0;
    double cpu_ours = 0, cpu_pipe = 0, cpu;
    for (int i = 0; i < runs; i++) {
        t_pipe[i] = run(pipeline, NULL, &cpu);
        cpu_pipe += cpu / runs;
        t_ours[i] = run(build, &rss, &cpu);
        cpu_ours += cpu / runs;
        if (rss > peak)
            peak = rss;
    }
    qsort(t_ours, (size_t)runs, sizeof(double), cmp_double);
    qsort(t_pipe, (size_t)runs, sizeof(double), cmp_double);
    double mo = t_ours[runs / 2], mp = t_pipe[runs / 2];
    long so = file_size(ours), sp = file_size(theirs);
    double elf_mib = (double)ELF_SIZE / (1024.0 * 1024.0);
    printf("bench/bundle: %.1f MiB code-like ELF, %d run(s) each, %ld online CPUs\n", elf_mib, runs,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("  pipeline (objcopy bin + ihex, sha256sum, openssl pkeyutl -sign, tar czf): median %.3f s (min %.3f)\n",
           mp, t_pipe[0]);
    printf("  espctl build --rust-elf:                                        median %.3f s (min %.3f)\n", mo,
           t_ours[0]);
    printf("  speed-up: %.2fx wall (target >= 2x); CPU time (user+sys, mean) pipeline %.3f s, espctl %.3f s\n",
           mp / mo, cpu_pipe, cpu_ours);
    printf("  bundle size: espctl %ld bytes, pipeline %ld bytes, difference %+.2f %% (target within 5 %%)\n", so,
           sp, 100.0 * (double)(so - sp) / (double)sp);
    printf("  espctl peak RSS: %.1f MiB = %.2fx the ELF (target <= 3x)\n", (double)peak / 1024.0,
           (double)peak * 1024.0 / (double)ELF_SIZE);
    free(t_ours);
    free(t_pipe);
    return 0;
}
