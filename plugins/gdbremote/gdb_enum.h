/*
 * gdb_enum.h — finding Black Magic Probes: the CDC-ACM ttys whose USB device is
 * 1d50:6018, interface 0 (the GDB server; interface 2 is the target UART), read
 * from sysfs. Servers on TCP cannot be discovered and are never reported.
 */
#ifndef GDB_ENUM_H
#define GDB_ENUM_H

#include "gdb_env.h"

#define GDB_BMP_VID 0x1d50u
#define GDB_BMP_PID 0x6018u

/** Report every Black Magic Probe GDB port under `sysfs_root` ("/sys"). */
int gdb_enumerate(const struct gdb_env *env, const char *sysfs_root, const char *driver_name,
                  espctl_probe_found_fn found, void *user);

#endif /* GDB_ENUM_H */
