/*
 * eventlog.c - a ring of log lines and its pane.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/eventlog.h"

void eventlog_init(eventlog *l)
{
	memset(l, 0, sizeof *l);
}

void eventlog_add(eventlog *l, const char *text, bool cycle)
{
	snprintf(l->text[l->next], LOG_TEXT, "%s", text);
	l->cycle[l->next] = cycle;
	l->next = (l->next + 1) % LOG_LINES;
	if (l->n < LOG_LINES)
		l->n++;
	if (l->scroll > 0 && l->scroll < l->n - 1)
		l->scroll++; /* keep the same lines in view */
}

void eventlog_scroll(eventlog *l, int dy)
{
	l->scroll -= dy;
	if (l->scroll > l->n - 1)
		l->scroll = l->n - 1;
	if (l->scroll < 0)
		l->scroll = 0;
}

void eventlog_draw(WINDOW *w, const eventlog *l, const theme *th, bool focus)
{
	int width, height, rows, i;
	char title[48];

	getmaxyx(w, height, width);
	werase(w);
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
