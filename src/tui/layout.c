/*
 * layout.c - pane geometry and the too-small message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/layout.h"
#include "tui/stackspane.h"
#include "tui/statuspane.h"

bool layout_compute(int lines, int cols, layout *l)
{
	int logh, midh, stw;

	memset(l, 0, sizeof *l);
	if (lines < LAYOUT_MIN_LINES || cols < LAYOUT_MIN_COLS) {
		l->too_small = true;
		return false;
	}
	logh = lines >= 40 ? 10 : lines >= 30 ? 8 : 5;
	midh = lines - 1 - logh - STATUS_LINES;
	/* Stacks get a third of the width (two fifths when wide), and room
	 * for two mutator columns once the terminal is 90 wide. */
	stw = cols >= 150 ? cols * 2 / 5 : cols / 3;
	if (cols >= 90 && stw < 2 * STACKS_COL_W + 2)
		stw = 2 * STACKS_COL_W + 2;
	if (stw < 26)
		stw = 26;
	l->status = (rect){0, 0, STATUS_LINES, cols};
	l->stacks = (rect){STATUS_LINES, 0, midh, stw};
	l->heap = (rect){STATUS_LINES, stw, midh, cols - stw};
	l->log = (rect){STATUS_LINES + midh, 0, logh, cols};
	l->keys = (rect){lines - 1, 0, 1, cols};
	l->help = (rect){0, 0, lines - 1, cols};
	{
		int iw = cols < 72 ? cols : 72;
		int ih = lines - 2 < 22 ? lines - 2 : 22;

		l->inspector =
		    (rect){(lines - 1 - ih) / 2, (cols - iw) / 2, ih, iw};
	}
	return true;
}

void layout_draw_too_small(WINDOW *w, int lines, int cols)
{
	char need[64], have[64];
	const char *msg[4];
	int i, n = 4;

	snprintf(have, sizeof have, "is %dx%d; tricolor needs", cols, lines);
	snprintf(need, sizeof need, "at least %dx%d.", LAYOUT_MIN_COLS,
	         LAYOUT_MIN_LINES);
	msg[0] = "Terminal too small:";
	msg[1] = have;
	msg[2] = need;
	msg[3] = "Enlarge it, or press q.";
	werase(w);
	/* Centred; when fewer lines than the message, its first lines from
	 * the top, so that what shows says what is wrong. */
	for (i = 0; i < n; i++) {
		int len = (int)strlen(msg[i]);
		int y = (lines > n ? (lines - n) / 2 : 0) + i;
		int x = (cols - len) / 2;

		if (y < 0 || y >= lines)
			continue;
		if (x < 0)
			x = 0;
		wattr_set(w, i == 0 ? A_BOLD : A_NORMAL, 0, NULL);
		mvwaddnstr(w, y, x, msg[i], cols);
	}
	wattr_set(w, A_NORMAL, 0, NULL);
}
