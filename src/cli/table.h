/* table.h — the fixed-width tables the commands print on a terminal. A
 * device chooses its own model, firmware and names, so every cell is made
 * terminal-safe (no escape sequences reach the terminal) and clipped to its
 * column; --jsonl and --json keep the full values. */
#ifndef CAMAUDIT_TABLE_H
#define CAMAUDIT_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* Prints one row: cell i padded or clipped to widths[i] (the last cell is
 * neither), cells separated by one space, then a newline. A NULL or empty
 * cell prints "-". */
void table_row(FILE *out, const int *widths, size_t count, const char *const *cells);

#endif
