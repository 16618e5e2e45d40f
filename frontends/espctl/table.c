/*
 * table.c — text tables with columns as wide as their widest cell.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

struct cli_table {
    size_t columns;
    size_t rows;     /* data rows, the header not counted */
    size_t capacity; /* rows allocated */
    char **cells;    /* (rows + 1) * columns, row 0 is the header */
};

static int reserve(struct cli_table *table, size_t rows)
{
    if (rows <= table->capacity)
        return 0;
    size_t capacity = table->capacity * 2 + 8;
    char **cells = realloc(table->cells, (capacity + 1) * table->columns * sizeof *cells);
    if (cells == NULL)
        return ESPCTL_E_NOMEM;
    table->cells = cells;
    table->capacity = capacity;
    return 0;
}

static int put_row(struct cli_table *table, size_t row, const char *const *cells)
{
    for (size_t c = 0; c < table->columns; c++) {
        char *copy = strdup(cells[c] != NULL && cells[c][0] != '\0' ? cells[c] : "-");
        if (copy == NULL) {
            while (c-- > 0)
                free(table->cells[row * table->columns + c]);
            return ESPCTL_E_NOMEM;
        }
        table->cells[row * table->columns + c] = copy;
    }
    return 0;
}

struct cli_table *cli_table_new(size_t columns, const char *const *headers)
{
    struct cli_table *table = calloc(1, sizeof *table);
    if (table == NULL)
        return NULL;
    table->columns = columns;
    if (reserve(table, 1) != 0 || put_row(table, 0, headers) != 0) {
        free(table->cells);
        free(table);
        return NULL;
    }
    return table;
}

int cli_table_add(struct cli_table *table, const char *const *cells)
{
    int rc = reserve(table, table->rows + 1);
    if (rc == 0)
        rc = put_row(table, table->rows + 1, cells);
    if (rc == 0)
        table->rows++;
    return rc;
}

size_t cli_table_rows(const struct cli_table *table)
{
    return table->rows;
}

void cli_table_print(const struct cli_table *table, FILE *out)
{
    size_t *widths = calloc(table->columns, sizeof *widths);
    if (widths == NULL)
        return;
    for (size_t c = 0; c < table->columns; c++) {
        for (size_t r = 0; r <= table->rows; r++) {
            size_t len = strlen(table->cells[r * table->columns + c]);
            if (len > widths[c])
                widths[c] = len;
        }
    }
    for (size_t r = 0; r <= table->rows; r++) {
        for (size_t c = 0; c < table->columns; c++) {
            const char *cell = table->cells[r * table->columns + c];
            if (c + 1 == table->columns)
                fprintf(out, "%s\n", cell);
            else
                fprintf(out, "%-*s  ", (int)widths[c], cell);
        }
    }
    free(widths);
}

void cli_table_free(struct cli_table *table)
{
    if (table == NULL)
        return;
    for (size_t i = 0; i < (table->rows + 1) * table->columns; i++)
        free(table->cells[i]);
    free(table->cells);
    free(table);
}
