/*
 * gdb_memmap.h — the target memory map a GDB server sends through
 * qXfer:memory-map:read (GDB's memory-map DTD: <memory type=.. start=.. length=..>
 * with a "blocksize" property on flash). Only what flashing needs is kept.
 */
#ifndef GDB_MEMMAP_H
#define GDB_MEMMAP_H

#include "gdb_env.h"

#include <stddef.h>
#include <stdint.h>

#define GDB_MAX_REGIONS 32u
/** Largest memory-map document accepted. */
#define GDB_MAX_MEMMAP_XML 65536u

enum gdb_region_type { GDB_REGION_RAM = 1, GDB_REGION_ROM = 2, GDB_REGION_FLASH = 3 };

struct gdb_region {
    uint64_t start;
    uint64_t length;
    /** Erase block of a flash region; 0 for RAM/ROM. */
    uint32_t blocksize;
    int32_t type;
};

struct gdb_memmap {
    struct gdb_region regions[GDB_MAX_REGIONS];
    uint32_t count;
};

/**
 * Parse `xml` (not NUL-terminated, `len` bytes). Rejects unknown types, bad numbers,
 * empty or overflowing ranges, flash without a blocksize and more than
 * GDB_MAX_REGIONS regions with ESPCTL_E_PROTOCOL naming the field and byte offset.
 */
int gdb_memmap_parse(const struct gdb_env *env, const char *xml, size_t len, struct gdb_memmap *map);

#endif /* GDB_MEMMAP_H */
