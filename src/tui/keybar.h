/*
 * keybar.h - the key bar on the bottom line (htop's FunctionBar).
 */
#ifndef TRICOLOR_TUI_KEYBAR_H
#define TRICOLOR_TUI_KEYBAR_H

#include <curses.h>

#include "tui/theme.h"

/* Draw the keys that have a bar label, as many as fit, into the one-line
 * window w. */
void keybar_draw(WINDOW *w, const theme *th);

#endif /* TRICOLOR_TUI_KEYBAR_H */
