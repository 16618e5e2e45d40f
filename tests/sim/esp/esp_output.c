#include "esp_output.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int esp_flash_load(struct esp_flash *f, const char *path, char *err, size_t errlen)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(f->mem, 1, f->size, in);
    int extra = fgetc(in);
    int failed = ferror(in);
    fclose(in);
    if (failed) {
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    if (extra != EOF) {
        snprintf(err, errlen, "%s: larger than the flash (%zu bytes)", path, f->size);
        return -1;
    }
    memset(f->mem + n, 0xFF, f->size - n);
    return 0;
}

static int write_atomically(const char *path, const void *data, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp)
        return -1;
    snprintf(tmp, plen + 16, "%s.tmp.%ld", path, (long)getpid());
    FILE *out = fopen(tmp, "wb");
    int rc = -1;
    if (out) {
        size_t w = fwrite(data, 1, len, out);
        int closed = fclose(out);
        if (w == len && closed == 0 && rename(tmp, path) == 0)
            rc = 0;
    }
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

int esp_flash_save(const struct esp_flash *f, const char *path)
{
    return write_atomically(path, f->mem, f->size);
}

static json_t *commands_json(const struct esp_engine_stats *s)
{
    json_t *cmds = json_object();
    for (int op = 0; op < 256; op++) {
        if (!s->commands[op])
            continue;
        char key[8];
        snprintf(key, sizeof key, "0x%02x", op);
        json_object_set_new(cmds, key, json_integer((json_int_t)s->commands[op]));
    }
    return cmds;
}

static json_t *direction_json(const struct esp_fault_dir *d)
{
    return json_pack("{s:I,s:I}", "bits_flipped", (json_int_t)d->bits_flipped, "bytes_dropped",
                     (json_int_t)d->bytes_dropped);
}

int esp_stats_save(const char *path, const struct esp_engine *e, const struct esp_chip *chip,
                   const struct esp_flash *f, const struct esp_faults *faults,
                   const struct esp_transport_stats *ts)
{
    const struct esp_engine_stats *s = esp_engine_stats(e);
    json_t *root = json_object();
    json_object_set_new(root, "chip", json_string(chip->name));
    json_object_set_new(root, "transport", json_string(ts->transport));
    json_object_set_new(root, "sessions", json_integer((json_int_t)ts->sessions));
    json_object_set_new(root, "mode", json_string(esp_engine_mode(e) == ESP_MODE_DOWNLOAD ? "download" : "app"));
    json_object_set_new(root, "baud", json_integer(esp_engine_baud(e)));
    json_object_set_new(root, "bytes_from_host", json_integer((json_int_t)s->bytes_in));
    json_object_set_new(root, "bytes_to_host", json_integer((json_int_t)s->bytes_out));
    json_object_set_new(root, "frames_from_host", json_integer((json_int_t)s->frames_in));
    json_object_set_new(root, "frames_to_host", json_integer((json_int_t)s->frames_out));
    json_object_set_new(root, "bad_frames", json_integer((json_int_t)s->bad_frames));
    json_object_set_new(root, "garbage_bytes", json_integer((json_int_t)s->garbage_bytes));
    json_object_set_new(root, "ignored_bytes", json_integer((json_int_t)s->ignored_bytes));
    json_object_set_new(root, "bytes_at_wrong_baud", json_integer((json_int_t)ts->bytes_at_wrong_baud));
    json_object_set_new(root, "error_responses", json_integer((json_int_t)s->error_responses));
    json_object_set_new(root, "baud_changes", json_integer((json_int_t)s->baud_changes));
    json_object_set_new(root, "resets", json_integer((json_int_t)s->resets));
    json_object_set_new(root, "modelled_seconds", json_real(esp_engine_modelled_seconds(e)));
    json_object_set_new(root, "wire_seconds", json_real(s->wire_seconds));
    json_object_set_new(root, "flash_seconds", json_real(f->flash_seconds));
    json_object_set_new(root, "stall_seconds", json_real(s->extra_seconds));
    json_object_set_new(root, "sectors_erased", json_integer((json_int_t)f->sectors_erased));
    json_object_set_new(root, "sector_erase_ops", json_integer((json_int_t)f->sector_erase_ops));
    json_object_set_new(root, "block_erase_ops", json_integer((json_int_t)f->block_erase_ops));
    json_object_set_new(root, "bytes_programmed", json_integer((json_int_t)f->bytes_programmed));
    json_object_set_new(root, "page_program_ops", json_integer((json_int_t)f->page_program_ops));
    json_object_set_new(root, "flash_bytes_read", json_integer((json_int_t)f->bytes_read));
    json_object_set_new(root, "mem_bytes_loaded", json_integer((json_int_t)s->mem_bytes_loaded));
    json_object_set_new(root, "mem_entry", json_integer(s->mem_entry));
    json_object_set_new(root, "commands", commands_json(s));
    json_object_set_new(root, "faults",
                        json_pack("{s:o,s:o,s:I,s:I,s:I}", "rx", direction_json(&faults->rx), "tx",
                                  direction_json(&faults->tx), "stalls", (json_int_t)ts->stalls,
                                  "data_naks", (json_int_t)s->faults_nak, "bad_md5",
                                  (json_int_t)s->faults_bad_md5));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (!text)
        return -1;
    size_t len = strlen(text);
    char *line = malloc(len + 2);
    int rc = -1;
    if (line) {
        memcpy(line, text, len);
        line[len] = '\n';
        rc = write_atomically(path, line, len + 1);
        free(line);
    }
    free(text);
    return rc;
}
