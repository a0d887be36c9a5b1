/* table.c — fixed-width terminal tables; see table.h. */
#include "cli/table.h"

#include "report/escape.h"

#include <stdbool.h>
#include <stdlib.h>

void table_row(FILE *out, const int *widths, size_t count, const char *const *cells)
{
    for (size_t i = 0; i < count; i++) {
        const char *text = cells[i] && *cells[i] ? cells[i] : NULL;
        bool last = i + 1 == count;
        char *shown = last ? terminal_safe(text) : terminal_clip(text, (size_t)widths[i]);
        if (last)
            fprintf(out, "%s\n", shown);
        else
            fprintf(out, "%-*s ", widths[i], shown);
        free(shown);
    }
}
