/* The built cmsisdap plugin (dlopen, fake host) against `espctl-sim dap` over elaphureLink
 * TCP on loopback: connect, DP/AP and memory on the simulated STM32G431, pipelining seen in
 * the simulator's statistics, bare (v0) framing, the HID/bulk latency models, and faults:
 * dropped connection, WAIT storm, FAULT, non-elaphureLink peer, refused connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plugin_loader.h"
#include "sim_child.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define PLUGIN_PATH PLUGIN_DIR "/cmsisdap.so"
#define SRAM 0x20000000u

struct fx {
    struct loaded_plugin pl;
    struct sim_child sim;
    void *probe;
    char stats[256];
};

static const char *const test_config[] = {"cmsisdap.timeout_ms", "2000", NULL};

/* The fixture of the running test, so a failed assertion still stops its simulator. */
static struct fx *current;

static int cleanup(void **state)
{
    (void)state;
    if (!current)
        return 0;
    if (current->probe)
        current->pl.driver->close(current->probe);
    sim_child_stop(&current->sim, 3000);
    plugin_unload(&current->pl);
    unlink(current->stats);
    free(current);
    current = NULL;
    return 0;
}

static struct fx *start(const char *const *args)
{
    cleanup(NULL);
    struct fx *fx = calloc(1, sizeof *fx);
    snprintf(fx->stats, sizeof fx->stats, "/tmp/espctl-dap-stats-%ld-%p.json", (long)getpid(), (void *)fx);
    const char *argv[24] = {"--stats", fx->stats};
    int n = 2;
    for (; args && *args && n < 22; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    if (sim_child_start(&fx->sim, "dap", "dap-tcp:", argv))
        fail_msg("cannot start espctl-sim dap");
    current = fx;
    plugin_load(&fx->pl, PLUGIN_PATH, "cmsisdap", test_config);
    return fx;
}

static void open_connect(struct fx *fx)
{
    const struct espctl_probe_driver *d = fx->pl.driver;
    if (d->open(d->driver_data, fx->sim.selector, &fx->probe))
        fail_msg("open %s: %s", fx->sim.selector, fx->pl.fh.last_error);
    if (d->connect(fx->probe, 0))
        fail_msg("connect: %s", fx->pl.fh.last_error);
}

/* Close the probe, stop the simulator and return its stats (caller frees). */
static json_t *finish(struct fx *fx)
{
    if (fx->probe)
        fx->pl.driver->close(fx->probe);
    fx->probe = NULL;
    assert_int_equal(sim_child_stop(&fx->sim, 3000), 0);
    plugin_unload(&fx->pl);
    json_error_t err;
    json_t *j = json_load_file(fx->stats, 0, &err);
    if (!j)
        fail_msg("stats %s: %s", fx->stats, err.text);
    unlink(fx->stats);
    free(fx);
    current = NULL;
    return j;
}

static long long stat_int(json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_integer(v))
        fail_msg("stats lack integer '%s'", key);
    return json_integer_value(v);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
}

static void test_connect_registers_memory(void **state)
{
    (void)state;
    struct fx *fx = start(NULL);
    const struct espctl_probe_driver *d = fx->pl.driver;
    assert_non_null(d->selector_prefixes);
    assert_string_equal(d->selector_prefixes[0], "dap-tcp:");
    int has_daplink = 0, has_debugprobe = 0;
    for (uint32_t i = 0; i < d->usb_id_count; i++) {
        has_daplink |= d->usb_ids[i].vid == 0x0d28 && d->usb_ids[i].pid == 0x0204;
        has_debugprobe |= d->usb_ids[i].vid == 0x2e8a && d->usb_ids[i].pid == 0x000c;
    }
    assert_true(has_daplink && has_debugprobe);
    open_connect(fx);
    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    assert_int_equal(d->caps(fx->probe, &caps), 0);
    assert_true(caps.flags & ESPCTL_PROBE_CAP_MEM);
    assert_true(caps.flags & ESPCTL_PROBE_CAP_DP_AP);
    assert_int_equal(caps.speed_khz, 1000);
    uint32_t v = 0;
    assert_int_equal(d->dp_read(fx->probe, 0x0, &v), 0);
    assert_int_equal(v, 0x2BA01477u);
    assert_int_equal(d->ap_read(fx->probe, 0, 0xFC, &v), 0);
    assert_int_equal(v, 0x24770011u);
    static uint8_t out[16384], in[16384];
    fill(out, sizeof out, 42);
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM + 0x200, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 0x200, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    uint8_t w[4];
    assert_int_equal(d->mem_read(fx->probe, 0, 0xE0042000u, 32, w, 4), 0);
    assert_int_equal(w[0] | w[1] << 8 | w[2] << 16 | (uint32_t)w[3] << 24, 0x20016468u);
    assert_int_equal(d->mem_read(fx->probe, 0, 0x1FFF75E0u, 16, w, 2), 0);
    assert_int_equal(w[0] | w[1] << 8, 128); /* flash size in KiB */
    json_t *j = finish(fx);
    assert_string_equal(json_string_value(json_object_get(j, "transport")), "tcp");
    long long packets = stat_int(j, "dap_packets"), batches = stat_int(j, "batches");
    assert_true(packets > 64);
    if (batches >= packets / 2) /* requests travelled pipelined */
        fail_msg("%lld batches for %lld packets", batches, packets);
    assert_int_equal(stat_int(j, "round_trips"), batches);
    assert_true(stat_int(j, "words_written") >= 4096);
    json_decref(j);
}

static void test_bare_elaphurelink(void **state)
{
    (void)state;
    static const char *const args[] = {"--elaphure-version", "0", NULL};
    struct fx *fx = start(args);
    open_connect(fx);
    const struct espctl_probe_driver *d = fx->pl.driver;
    static uint8_t out[3000], in[3000];
    fill(out, sizeof out, 9);
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM + 0x3FC, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 0x3FC, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    json_t *j = finish(fx);
    assert_int_equal(stat_int(j, "batches"), stat_int(j, "dap_packets")); /* one request at a time */
    json_decref(j);
}

/* Write and read 8 KiB through one link model; returns modelled seconds. */
static double model_run(const char *transport, long long *packets, long long *psize)
{
    const char *args[] = {"--transport", transport, NULL};
    struct fx *fx = start(args);
    open_connect(fx);
    const struct espctl_probe_driver *d = fx->pl.driver;
    static uint8_t out[8192], in[8192];
    fill(out, sizeof out, 1);
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    json_t *j = finish(fx);
    assert_string_equal(json_string_value(json_object_get(j, "transport")), transport);
    double s = json_real_value(json_object_get(j, "modelled_seconds"));
    *packets = stat_int(j, "dap_packets");
    *psize = stat_int(j, "packet_size");
    json_decref(j);
    return s;
}

static void test_link_models(void **state)
{
    (void)state;
    long long hid_packets, hid_size, bulk_packets, bulk_size;
    double hid = model_run("hid", &hid_packets, &hid_size);
    double bulk = model_run("bulk", &bulk_packets, &bulk_size);
    assert_int_equal(hid_size, 64);
    assert_int_equal(bulk_size, 512);
    /* 64-byte reports need many more packets, each at least one 1 ms frame */
    if (hid_packets <= 3 * bulk_packets)
        fail_msg("hid %lld packets, bulk %lld", hid_packets, bulk_packets);
    assert_true(hid >= (double)hid_packets * 0.001);
    assert_true(bulk < hid);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    static const char *const args[] = {"--fault", "drop-after=40", NULL};
    struct fx *fx = start(args);
    open_connect(fx);
    const struct espctl_probe_driver *d = fx->pl.driver;
    static uint8_t buf[65536];
    int rc = d->mem_read(fx->probe, 0, SRAM, 32, buf, 32768);
    assert_int_equal(rc, ESPCTL_E_NO_DEVICE);
    if (!strstr(fx->pl.fh.last_error, "closed by the probe"))
        fail_msg("error: %s", fx->pl.fh.last_error);
    /* the stream is gone: later calls fail at once with the same class of error */
    uint32_t v;
    assert_int_equal(d->dp_read(fx->probe, 0, &v), ESPCTL_E_NO_DEVICE);
    assert_non_null(strstr(fx->pl.fh.last_error, "lost earlier"));
    json_t *j = finish(fx);
    assert_int_equal(stat_int(j, "dap_packets"), 40);
    json_decref(j);
}

static void test_wait_storm_and_fault(void **state)
{
    (void)state;
    /* 30 WAITs are absorbed by the probe's own retries (64 per transfer) */
    static const char *const short_storm[] = {"--fault", "wait=30@200", NULL};
    struct fx *fx = start(short_storm);
    open_connect(fx);
    const struct espctl_probe_driver *d = fx->pl.driver;
    static uint8_t out[4096], in[4096];
    fill(out, sizeof out, 77);
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    json_t *j = finish(fx);
    assert_int_equal(stat_int(j, "wait_acks"), 30);
    json_decref(j);

    /* an endless storm: a clear timeout after bounded retries */
    static const char *const storm[] = {"--fault", "wait=100000000@200", NULL};
    fx = start(storm);
    open_connect(fx);
    d = fx->pl.driver;
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM, 32, in, sizeof in), ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(fx->pl.fh.last_error, "WAIT"));
    json_decref(finish(fx));

    static const char *const fault[] = {"--fault", "fault-at=0x20000404", NULL};
    fx = start(fault);
    open_connect(fx);
    d = fx->pl.driver;
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM, 32, out, sizeof out), ESPCTL_E_TARGET);
    assert_non_null(strstr(fx->pl.fh.last_error, "FAULT"));
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    j = finish(fx);
    assert_true(stat_int(j, "fault_acks") >= 1);
    json_decref(j);
}

static void test_reset_pulse_resets_core(void **state)
{
    (void)state;
    struct fx *fx = start(NULL);
    open_connect(fx);
    const struct espctl_probe_driver *d = fx->pl.driver;
    uint8_t w[4];
    assert_int_equal(d->mem_read(fx->probe, 0, 0xE000EDF0u, 32, w, 4), 0); /* clears S_RESET_ST */
    assert_int_equal(d->mem_read(fx->probe, 0, 0xE000EDF0u, 32, w, 4), 0);
    assert_int_equal(w[3] & 0x02, 0);
    assert_int_equal(d->reset(fx->probe, ESPCTL_RESET_HW_PULSE), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, 0xE000EDF0u, 32, w, 4), 0);
    assert_int_equal(w[3] & 0x02, 0x02); /* S_RESET_ST: the core went through reset */
    assert_int_equal(d->disconnect(fx->probe), 0);
    json_decref(finish(fx));
}

/* A loopback peer that answers any greeting with a non-elaphureLink line, then closes. */
static pid_t start_foreign_peer(unsigned *port)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lfd, 1), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(20);
        int c = accept(lfd, NULL, NULL);
        char buf[12];
        if (c >= 0 && read(c, buf, sizeof buf) > 0) {
            static const char reply[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
            if (write(c, reply, sizeof reply - 1) < 0)
                _exit(1);
        }
        _exit(0);
    }
    close(lfd);
    return pid;
}

static void test_open_errors(void **state)
{
    (void)state;
    struct loaded_plugin pl;
    plugin_load(&pl, PLUGIN_PATH, "cmsisdap", test_config);
    const struct espctl_probe_driver *d = pl.driver;
    void *probe = NULL;
    assert_int_equal(d->open(d->driver_data, "dap-tcp:", &probe), ESPCTL_E_INVAL);
    assert_non_null(strstr(pl.fh.last_error, "dap-tcp:HOST[:PORT]"));
    assert_int_equal(d->open(d->driver_data, "not-a-selector", &probe), ESPCTL_E_INVAL);
    /* a peer that is not elaphureLink fails the handshake with a message naming it */
    unsigned port = 0;
    pid_t peer = start_foreign_peer(&port);
    char sel[64];
    snprintf(sel, sizeof sel, "dap-tcp:127.0.0.1:%u", port);
    assert_int_equal(d->open(d->driver_data, sel, &probe), ESPCTL_E_PROTOCOL);
    assert_non_null(strstr(pl.fh.last_error, "not elaphureLink"));
    assert_int_equal(waitpid(peer, NULL, 0), peer);
    /* nobody listens any more on that port: connection refused */
    int rc = d->open(d->driver_data, sel, &probe);
    assert_true(rc == ESPCTL_E_NOT_FOUND || rc == ESPCTL_E_IO);
    assert_non_null(strstr(pl.fh.last_error, "cannot connect"));
    plugin_unload(&pl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_connect_registers_memory, cleanup),
        cmocka_unit_test_teardown(test_bare_elaphurelink, cleanup),
        cmocka_unit_test_teardown(test_link_models, cleanup),
        cmocka_unit_test_teardown(test_dropped_connection, cleanup),
        cmocka_unit_test_teardown(test_wait_storm_and_fault, cleanup),
        cmocka_unit_test_teardown(test_reset_pulse_resets_core, cleanup),
        cmocka_unit_test_teardown(test_open_errors, cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
