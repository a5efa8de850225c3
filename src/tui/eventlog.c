/*
 * eventlog.c - a ring of log lines and its pane.
 *
 * l->scroll counts lines back from the newest to the bottom line shown;
 * the pane's last height bounds it, so that the oldest page shown is a
 * full one (the height is known at draw time, and kept for the keys).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/eventlog.h"

void eventlog_init(eventlog *l)
{
	memset(l, 0, sizeof *l);
}

/* The farthest back the view may go: its top line is then the oldest
 * line held, and the page below it is full. */
static int max_scroll(const eventlog *l)
{
	int rows = l->rows > 0 ? l->rows : 1;

	return l->n > rows ? l->n - rows : 0;
}

void eventlog_add(eventlog *l, const char *text, bool cycle)
{
	snprintf(l->text[l->next], LOG_TEXT, "%s", text);
	l->cycle[l->next] = cycle;
	l->next = (l->next + 1) % LOG_LINES;
	if (l->n < LOG_LINES)
		l->n++;
	/* Keep the same lines in view; when the ring is full they may be
	 * gone, and the view stops at the oldest full page. */
	if (l->scroll > 0 && l->scroll < max_scroll(l))
		l->scroll++;
}

void eventlog_scroll(eventlog *l, int dy)
{
	l->scroll -= dy;
	if (l->scroll > max_scroll(l))
		l->scroll = max_scroll(l);
	if (l->scroll < 0)
		l->scroll = 0;
}

void eventlog_draw(WINDOW *w, eventlog *l, const theme *th, bool focus)
{
	int width, height, rows, i;
	char title[48];

	getmaxyx(w, height, width);
	werase(w);
	/* The pane may have grown since the last scroll. */
	l->rows = height - 2;
	if (l->scroll > max_scroll(l))
		l->scroll = max_scroll(l);
	if (l->scroll > 0)
		snprintf(title, sizeof title, "Events (%d back)", l->scroll);
	else
		snprintf(title, sizeof title, "Events");
	theme_box(w, th, focus, title);
	rows = height - 2;
	for (i = 0; i < rows; i++) {
		/* line i of the pane shows the entry this many back: */
		int back = l->scroll + (rows - 1 - i);
		int idx;

		if (back >= l->n)
			continue;
		idx = (l->next - 1 - back + 2 * LOG_LINES) % LOG_LINES;
		theme_set(w, th, l->cycle[idx] ? UI_VALUE : UI_NORMAL);
		mvwaddnstr(w, 1 + i, 1, l->text[idx], width - 2);
	}
	theme_set(w, th, UI_NORMAL);
}
