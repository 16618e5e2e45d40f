/* Small containers shared by the core modules. */
#include "core_ctx.h"

#include <stdlib.h>
#include <string.h>

int core_ptr_array_push(struct core_ptr_array *array, void *item)
{
    if (array->count == array->capacity) {
        uint32_t capacity = array->capacity ? array->capacity * 2 : 8;
        void **items = realloc(array->items, capacity * sizeof *items);
        if (!items)
            return ESPCTL_E_NOMEM;
        array->items = items;
        array->capacity = capacity;
    }
    array->items[array->count++] = item;
    return 0;
}

void core_ptr_array_release(struct core_ptr_array *array)
{
    free(array->items);
    memset(array, 0, sizeof *array);
}

char *core_strdup_opt(const char *text, int *failed)
{
    if (!text)
        return NULL;
    char *copy = strdup(text);
    if (!copy)
        *failed = 1;
    return copy;
}
