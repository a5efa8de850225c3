/*
 * help.c - the help screen, drawn from the key table.
 */
#include "config.h"

#include "tui/help.h"
#include "tui/keys.h"

static const char *const kind_help[4] = {
    "free: a slot no object lives in (reused by allocation)",
    "white: not (yet) reached this cycle; garbage if still white at the end",
    "grey: reached, its fields not yet scanned (on the grey queue)",
    "black: reached and scanned; allocated black during mark",
};

void help_draw(WINDOW *w, const theme *th)
{
	int width, height, i, y;

	getmaxyx(w, height, width);
	werase(w);
	theme_box(w, th, true, "Help - tricolor live demo (any key closes)");
	y = 1;
	theme_set(w, th, UI_NORMAL);
	mvwaddnstr(w, y++, 2,
	           "A concurrent tri-color mark-sweep collector modelled on "
	           "Go's, running live.",
	           width - 4);
	y++;
	for (i = 0; i < tui_nkeys && y < height - 1; i++, y++) {
		theme_set(w, th, UI_KEY);
		mvwaddnstr(w, y, 2, tui_keys[i].keys, 10);
		theme_set(w, th, UI_NORMAL);
		mvwaddnstr(w, y, 13, tui_keys[i].help, width - 15);
	}
	y++;
	for (i = 0; i < 4 && y < height - 1; i++, y++) {
		cchar_t cell;

		wmove(w, y, 2);
		if (th->halfblock) {
			theme_cell(th, i, i, false, &cell);
			wadd_wch(w, &cell);
		} else {
			theme_set_chip(w, th, i);
			waddstr(w, theme_glyph(th, i));
		}
		theme_set(w, th, UI_NORMAL);
		mvwaddnstr(w, y, 5, kind_help[i], width - 7);
	}
	if (y < height - 1) {
		cchar_t cell;

		wmove(w, y, 2);
		if (th->halfblock) {
			theme_cell(th, TK_FLASH, TK_FLASH, false, &cell);
			wadd_wch(w, &cell);
		} else {
			theme_set_chip(w, th, TK_FLASH);
			waddstr(w, theme_glyph(th, TK_FLASH));
		}
		theme_set(w, th, UI_NORMAL);
		mvwaddnstr(w, y++, 5,
		           "flash: just shaded grey by the write barrier",
		           width - 7);
	}
	if (y + 1 < height - 1) {
		y++;
		mvwaddnstr(w, y++, 2,
		           "Phases: off > sweep termination (STW) > mark "
		           "(concurrent, barrier on) > mark termination (STW) "
		           "> sweep.",
		           width - 4);
	}
	if (y < height - 1 && th->halfblock)
		mvwaddnstr(w, y++, 2,
		           "Each heap cell shows two objects: upper half "
		           "first, lower half second.",
		           width - 4);
}
