/*
 * eventlog.h - the event log pane: gctrace-style cycle lines, pauses,
 * mutator changes and control actions, newest at the bottom.
 */
#ifndef TRICOLOR_TUI_EVENTLOG_H
#define TRICOLOR_TUI_EVENTLOG_H

#include <stdbool.h>
#include <stdint.h>

#include <curses.h>

#include "tui/theme.h"

#define LOG_LINES 512
#define LOG_TEXT  160

typedef struct eventlog {
	int n;      /* lines held, <= LOG_LINES */
	int next;   /* where the next line goes */
	int scroll; /* lines scrolled back from the newest (0 = follow),
	             * at most n - rows: the oldest page is a full one */
	int rows;   /* lines the pane showed at its last draw (0: none) */
	char text[LOG_LINES][LOG_TEXT];
	bool cycle[LOG_LINES]; /* a cycle line (drawn brighter) */
} eventlog;

void eventlog_init(eventlog *l);
/* Append a line (copied, truncated to LOG_TEXT - 1 bytes).  Scrolled
 * back, the view keeps showing the same lines; once the ring is full and
 * those are overwritten, it stays on the oldest full page. */
void eventlog_add(eventlog *l, const char *text, bool cycle);
/* Scroll back (dy < 0) or forward; clamped to the newest page and the
 * oldest full page (a huge dy goes to either end: End, Home). */
void eventlog_scroll(eventlog *l, int dy);
/* Draw the pane (box included) into w; remembers its height in l->rows
 * and clamps l->scroll to it. */
void eventlog_draw(WINDOW *w, eventlog *l, const theme *th, bool focus);

#endif /* TRICOLOR_TUI_EVENTLOG_H */
