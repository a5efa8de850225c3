/*
 * help.h - the full help screen (? or F1): every key, and how to read the
 * colors and glyphs of the heap map.
 */
#ifndef TRICOLOR_TUI_HELP_H
#define TRICOLOR_TUI_HELP_H

#include <curses.h>

#include "tui/theme.h"

/* Draw the help screen over all of w. */
void help_draw(WINDOW *w, const theme *th);

#endif /* TRICOLOR_TUI_HELP_H */
