#include "esp_serial_probe.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct espctl_usb_id esp_serial_usb_ids[] = {
    {0x10C4, 0xEA60, ESPCTL_USB_ID_SERIAL}, /* Silicon Labs CP210x */
    {0x1A86, 0x7523, ESPCTL_USB_ID_SERIAL}, /* WCH CH340 */
    {0x1A86, 0x55D4, ESPCTL_USB_ID_SERIAL}, /* WCH CH9102 */
    {0x0403, 0x6001, ESPCTL_USB_ID_SERIAL}, /* FTDI FT232R */
    {0x0403, 0x6010, ESPCTL_USB_ID_SERIAL}, /* FTDI FT2232 */
    {0x0403, 0x6014, ESPCTL_USB_ID_SERIAL}, /* FTDI FT232H */
    {0x0403, 0x6015, ESPCTL_USB_ID_SERIAL}, /* FTDI FT-X */
    {0x303A, 0x1001, ESPCTL_USB_ID_SERIAL}, /* Espressif USB-JTAG-serial */
};
const uint32_t esp_serial_usb_id_count = sizeof esp_serial_usb_ids / sizeof esp_serial_usb_ids[0];

/* Reads a one-line sysfs attribute into buf (newline stripped); 0 on success. */
static int read_attr(const char *dir, const char *name, char *buf, size_t cap)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

static int known_id(uint16_t vid, uint16_t pid)
{
    for (uint32_t i = 0; i < esp_serial_usb_id_count; i++)
        if (esp_serial_usb_ids[i].vid == vid && esp_serial_usb_ids[i].pid == pid)
            return 1;
    return 0;
}

static int parse_hex16(const char *s, uint16_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 16);
    if (end == s || *end || v > 0xFFFF)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* Walks up from a tty's sysfs directory (the resolved class link) to the USB device that
 * holds idVendor/idProduct: .../1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0 or .../1-2:1.0/tty/ttyACM0. */
static int find_usb_device(const char *tty_dir, char *usb_dir, size_t cap)
{
    char dir[PATH_MAX];
    if (!realpath(tty_dir, dir))
        return -1;
    for (int depth = 0; depth < 6; depth++) {
        char probe[PATH_MAX];
        if ((size_t)snprintf(probe, sizeof probe, "%s/idVendor", dir) < sizeof probe && access(probe, R_OK) == 0) {
            snprintf(usb_dir, cap, "%s", dir);
            return 0;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
            return -1;
        *slash = '\0';
    }
    return -1;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir, sorted (opendir/readdir so LD_PRELOAD sysfs fakes such as umockdev see it). */
static char **list_dir(const char *dir, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (*count == cap) {
            char **grown = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        if (!(names[*count] = strdup(e->d_name)))
            break;
        (*count)++;
    }
    closedir(d);
    if (names)
        qsort(names, *count, sizeof *names, name_cmp);
    return names;
}

int esp_serial_enumerate(const char *sys_root, const char *dev_root, const char *driver_name,
                         espctl_probe_found_fn found, void *user)
{
    char class_dir[PATH_MAX];
    snprintf(class_dir, sizeof class_dir, "%s/class/tty", sys_root);
    size_t n = 0;
    char **names = list_dir(class_dir, &n);
    int stop = 0;
    for (size_t i = 0; i < n; i++) {
        const char *tty = names[i];
        char entry[PATH_MAX], usb[PATH_MAX], vid_s[16], pid_s[16];
        uint16_t vid, pid;
        if (stop || (size_t)snprintf(entry, sizeof entry, "%s/%s", class_dir, tty) >= sizeof entry ||
            find_usb_device(entry, usb, sizeof usb) || read_attr(usb, "idVendor", vid_s, sizeof vid_s) ||
            read_attr(usb, "idProduct", pid_s, sizeof pid_s) || parse_hex16(vid_s, &vid) ||
            parse_hex16(pid_s, &pid) || !known_id(vid, pid))
            continue;
        char serial[128], manufacturer[128], product[128], port[PATH_MAX];
        int has_serial = read_attr(usb, "serial", serial, sizeof serial) == 0;
        int has_mfr = read_attr(usb, "manufacturer", manufacturer, sizeof manufacturer) == 0;
        int has_product = read_attr(usb, "product", product, sizeof product) == 0;
        snprintf(port, sizeof port, "%s/%s", dev_root, tty);
        struct espctl_probe_info info = {
            .hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
            .driver = driver_name,
            .selector = port,
            .serial = has_serial ? serial : NULL,
            .manufacturer = has_mfr ? manufacturer : NULL,
            .product = has_product ? product : NULL,
            .port_path = port,
            .vid = vid,
            .pid = pid,
            .flags = ESPCTL_PROBE_SERIAL_PORT | (access(port, R_OK | W_OK) == 0 ? 0 : ESPCTL_PROBE_INACCESSIBLE),
        };
        stop = found(user, &info) != 0;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return 0;
}
