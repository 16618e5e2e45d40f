/* espctl_elf_symbol: a defined symbol's address and size from an ELF's symbol table. */
#include "elf_sections.h"
#include "internal.h"

#include "espctl/defmt.h"

#include <stdlib.h>
#include <string.h>

ESPCTL_API int espctl_elf_symbol_bytes(const uint8_t *elf, size_t elf_size, const char *label,
                                       const char *name, uint64_t *address, uint64_t *size)
{
    if ((!elf && elf_size) || !name)
        return core_error(ESPCTL_E_INVAL, "espctl_elf_symbol: NULL argument");
    if (!label)
        label = "ELF";
    struct core_elf_file f;
    int rc = core_elf_sections_open(&f, elf ? elf : (const uint8_t *)"", elf_size, label);
    if (rc)
        return rc;
    struct core_elf_symtab st;
    rc = core_elf_symtab_open(&f, &st);
    if (rc == ESPCTL_E_NOT_FOUND)
        return core_error(rc, "%s: no symbol table (stripped ELF?), cannot find %s", label, name);
    if (rc)
        return rc;
    for (uint32_t i = 1; i < st.count; i++) {
        struct core_elf_symbol sym;
        if ((rc = core_elf_symbol_get(&st, i, &sym)))
            return rc;
        if (sym.shndx == CORE_SHN_UNDEF || strcmp(sym.name, name) != 0)
            continue;
        if (address)
            *address = sym.value;
        if (size)
            *size = sym.size;
        return 0;
    }
    return core_error(ESPCTL_E_NOT_FOUND, "%s: symbol %s not found (%u symbols)", label, name, st.count);
}

ESPCTL_API int espctl_elf_symbol(const char *path, const char *name, uint64_t *address, uint64_t *size)
{
    if (!path || !name)
        return core_error(ESPCTL_E_INVAL, "espctl_elf_symbol: NULL argument");
    uint8_t *data;
    size_t len;
    int rc = core_elf_read_file(path, CORE_ELF_SYMBOLS_MAX_FILE, &data, &len);
    if (rc)
        return rc;
    rc = espctl_elf_symbol_bytes(data, len, path, name, address, size);
    free(data);
    return rc;
}
