/*
 * help.c - the help screen, drawn from the key table.
 *
 * The text is a list of paragraphs (the intro, one per key, one per
 * color, the phases), each wrapped at spaces to the width of the window,
 * so nothing is cut at the minimum size.  When the rows do not all fit,
 * the screen scrolls: it is drawn from a first row the caller keeps.
 * All the text is ASCII, so a byte is a column.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/help.h"
#include "tui/keys.h"

#define KEY_X  2  /* key names start here */
#define TEXT_X 13 /* and their help here */
#define CHIP_X 5  /* color descriptions, after the chip */

static const char *const kind_help[4] = {
    "free: a slot no object lives in (reused by allocation)",
    "white: not (yet) reached this cycle; garbage if still white at the end",
    "grey: reached, its fields not yet scanned (on the grey queue)",
    "black: reached and scanned; allocated black during mark",
};

/* Where the next row of text goes: rows are counted from the top of the
 * text (row 0); rows top .. top + height - 1 show, inside the box. */
typedef struct pen {
	WINDOW *w;
	const theme *th;
	int row;    /* the next row of text */
	int top;    /* the first row shown */
	int height; /* rows shown (0: count only) */
	int width;  /* of the window */
} pen;

/* The window line of text row r, or -1 when it does not show. */
static int pen_line(const pen *p, int r)
{
	r -= p->top;
	return r >= 0 && r < p->height ? r + 1 : -1;
}

/* Text from column x, wrapped at spaces one column short of the right
 * border (a word longer than a line is cut there). */
static void pen_text(pen *p, int x, const char *s)
{
	int room = p->width - 2 - x;

	if (room < 1)
		room = 1;
	while (*s != '\0') {
		int n = (int)strlen(s), y = pen_line(p, p->row);

		if (n > room) {
			int cut = room;

			while (cut > 0 && s[cut] != ' ')
				cut--;
			n = cut > 0 ? cut : room;
		}
		if (y >= 0)
			mvwaddnstr(p->w, y, x, s, n);
		p->row++;
		s += n;
		while (*s == ' ')
			s++;
	}
}

/* A color chip (a heap cell of that kind) at the start of the next row. */
static void pen_chip(pen *p, int kind)
{
	int y = pen_line(p, p->row);
	cchar_t cell;

	if (y < 0)
		return;
	wmove(p->w, y, KEY_X);
	if (p->th->halfblock) {
		theme_cell(p->th, kind, kind, false, &cell);
		wadd_wch(p->w, &cell);
	} else {
		theme_set_chip(p->w, p->th, kind);
		waddstr(p->w, theme_glyph(p->th, kind));
	}
	theme_set(p->w, p->th, UI_NORMAL);
}

/* Every row of the help, drawn where they show; returns how many. */
static int help_rows(pen *p)
{
	int i, y;

	p->row = 0;
	theme_set(p->w, p->th, UI_NORMAL);
	pen_text(p, KEY_X,
	         "A concurrent tri-color mark-sweep collector modelled on "
	         "Go's, running live.");
	p->row++;
	for (i = 0; i < tui_nkeys; i++) {
		y = pen_line(p, p->row);
		if (y >= 0) {
			theme_set(p->w, p->th, UI_KEY);
			mvwaddnstr(p->w, y, KEY_X, tui_keys[i].keys,
			           TEXT_X - KEY_X - 1);
			theme_set(p->w, p->th, UI_NORMAL);
		}
		pen_text(p, TEXT_X, tui_keys[i].help);
	}
	p->row++;
	for (i = 0; i < 4; i++) {
		pen_chip(p, i);
		pen_text(p, CHIP_X, kind_help[i]);
	}
	pen_chip(p, TK_FLASH);
	pen_text(p, CHIP_X, "flash: just shaded by the write barrier");
	p->row++;
	pen_text(p, KEY_X,
	         "Phases: off > sweep termination (STW) > mark (concurrent, "
	         "barrier on) > mark termination (STW) > sweep (concurrent).");
	if (p->th->halfblock)
		pen_text(p, KEY_X,
		         "Each heap cell shows two objects: upper half first, "
		         "lower half second.");
	return p->row;
}

bool help_draw(WINDOW *w, const theme *th, int *top)
{
	pen p = {w, th, 0, 0, 0, getmaxx(w)};
	int rows, shown = getmaxy(w) - 2;
	bool scrolls;

	if (shown < 1)
		shown = 1;
	rows = help_rows(&p); /* height 0: counts only */
	scrolls = rows > shown;
	if (*top > rows - shown)
		*top = rows - shown;
	if (*top < 0)
		*top = 0;
	werase(w);
	theme_box(w, th, true,
	          scrolls ? "Help - tricolor (arrows scroll, other keys close)"
	                  : "Help - tricolor live demo (any key closes)");
	p.top = *top;
	p.height = shown;
	help_rows(&p);
	if (scrolls) {
		char where[48];
		int n = snprintf(where, sizeof where, " lines %d-%d of %d ",
		                 *top + 1, *top + shown, rows);

		theme_set(w, th, UI_BORDER_FOCUS);
		if (n + 2 < p.width)
			mvwaddstr(w, shown + 1, p.width - n - 2, where);
		theme_set(w, th, UI_NORMAL);
	}
	return scrolls;
}
