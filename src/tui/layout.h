/*
 * layout.h - where each pane goes for a terminal size.
 *
 *   status (6 lines, full width)
 *   stacks | heap map
 *   event log
 *   key bar (1 line)
 *
 * Below LAYOUT_MIN_COLS x LAYOUT_MIN_LINES the screen shows a "terminal
 * too small" message instead of a broken picture.
 */
#ifndef TRICOLOR_TUI_LAYOUT_H
#define TRICOLOR_TUI_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS  64
#define LAYOUT_MIN_LINES 18

typedef struct rect {
	int y, x, h, w;
} rect;

typedef struct layout {
	bool too_small;
	rect status, stacks, heap, log, keys, help, inspector;
} layout;

/* Compute the layout for a lines x cols terminal.  Returns false (and sets
 * too_small) when it is smaller than the minimum. */
bool layout_compute(int lines, int cols, layout *l);

/* Draw the too-small message for a lines x cols screen into w. */
#include <curses.h>
void layout_draw_too_small(WINDOW *w, int lines, int cols);

#endif /* TRICOLOR_TUI_LAYOUT_H */
