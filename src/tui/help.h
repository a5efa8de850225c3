/*
 * help.h - the full help screen (? or F1): every key, and how to read the
 * colors and glyphs of the heap map; it scrolls when it is taller than
 * the screen.
 */
#ifndef TRICOLOR_TUI_HELP_H
#define TRICOLOR_TUI_HELP_H

#include <stdbool.h>

#include <curses.h>

#include "tui/theme.h"

/* Draw the help screen over all of w, its text scrolled down by *top
 * rows; *top is first clamped to the rows there are to scroll (0 when the
 * text fits).  Returns true when the text is taller than the window, that
 * is when there is something to scroll. */
bool help_draw(WINDOW *w, const theme *th, int *top);

#endif /* TRICOLOR_TUI_HELP_H */
