/* Black Magic Probe discovery through sysfs (no device is opened). */
#include "gdb_enum.h"
#include "gdb_selector.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One sysfs attribute, trailing newline removed; empty string when absent. */
static void read_attr(const char *dir, const char *name, char *out, size_t cap)
{
    char path[PATH_MAX];
    out[0] = '\0';
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(out, (int)cap, f))
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

static int report(const char *tty, const char *interface_dir, const char *driver_name,
                  espctl_probe_found_fn found, void *user)
{
    char usb_dir[PATH_MAX];
    snprintf(usb_dir, sizeof usb_dir, "%s", interface_dir);
    char *slash = strrchr(usb_dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    char vid[16], pid[16], number[16];
    read_attr(usb_dir, "idVendor", vid, sizeof vid);
    read_attr(usb_dir, "idProduct", pid, sizeof pid);
    read_attr(interface_dir, "bInterfaceNumber", number, sizeof number);
    if (strtoul(vid, NULL, 16) != GDB_BMP_VID || strtoul(pid, NULL, 16) != GDB_BMP_PID ||
        !number[0] || strtoul(number, NULL, 16) != 0)
        return 0;
    char serial[128], manufacturer[128], product[128], version[128];
    read_attr(usb_dir, "serial", serial, sizeof serial);
    read_attr(usb_dir, "manufacturer", manufacturer, sizeof manufacturer);
    read_attr(usb_dir, "product", product, sizeof product);
    read_attr(usb_dir, "bcdDevice", version, sizeof version);
    char port_path[300], selector[320];
    snprintf(port_path, sizeof port_path, "/dev/%s", tty);
    snprintf(selector, sizeof selector, GDB_SELECTOR_PREFIX "%s", port_path);
    struct espctl_probe_info info = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
        .driver = driver_name,
        .selector = selector,
        .serial = serial[0] ? serial : NULL,
        .manufacturer = manufacturer[0] ? manufacturer : NULL,
        .product = product[0] ? product : NULL,
        .firmware = version[0] ? version : NULL,
        .port_path = port_path,
        .vid = GDB_BMP_VID,
        .pid = GDB_BMP_PID,
        .flags = ESPCTL_PROBE_SERIAL_PORT,
    };
    if (access(port_path, R_OK | W_OK) != 0)
        info.flags |= ESPCTL_PROBE_INACCESSIBLE;
    return found(user, &info);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int gdb_enumerate(const struct gdb_env *env, const char *sysfs_root, const char *driver_name,
                  espctl_probe_found_fn found, void *user)
{
    char class_dir[PATH_MAX];
    snprintf(class_dir, sizeof class_dir, "%s/class/tty", sysfs_root);
    DIR *dir = opendir(class_dir);
    if (!dir) {
        gdb_log(env, ESPCTL_LOG_DEBUG, "no %s: no serial ports to look at", class_dir);
        return 0;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL && count < 256)
        if (strncmp(de->d_name, "ttyACM", 6) == 0 && (names[count] = strdup(de->d_name)) != NULL)
            count++;
    closedir(dir);
    qsort(names, count, sizeof names[0], by_name);
    int stop = 0;
    for (size_t i = 0; i < count; i++) {
        char link[PATH_MAX + 300], interface_dir[PATH_MAX];
        snprintf(link, sizeof link, "%s/%s/device", class_dir, names[i]);
        if (!stop && strlen(link) < PATH_MAX && realpath(link, interface_dir))
            stop = report(names[i], interface_dir, driver_name, found, user);
        free(names[i]);
    }
    return 0;
}
