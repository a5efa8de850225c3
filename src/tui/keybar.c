/*
 * keybar.c - draw the key bar from the key table.
 */
#include "config.h"

#include <string.h>

#include "tui/keybar.h"
#include "tui/keys.h"

#define QUIT_ROOM 6 /* "qQuit " */

void keybar_draw(WINDOW *w, const theme *th)
{
	int width = getmaxx(w), i;

	werase(w);
	wmove(w, 0, 0);
	for (i = 0; i < tui_nkeys; i++) {
		const tui_key *k = &tui_keys[i];
		size_t n;

		if (k->bar == NULL || k->barkey == NULL)
			continue;
		n = strlen(k->barkey) + strlen(k->bar) + 1;
		/* Keep room for the last entry (Quit) whatever the width. */
		if (i < tui_nkeys - 1 &&
		    getcurx(w) + (int)n + QUIT_ROOM > width)
			continue;
		if (getcurx(w) + (int)n > width)
			break;
		theme_set(w, th, UI_KEY);
		waddstr(w, k->barkey);
		theme_set(w, th, UI_KEYLABEL);
		waddstr(w, k->bar);
		theme_set(w, th, UI_NORMAL);
		if (getcurx(w) < width - 1)
			waddch(w, ' ');
	}
	/* Fill the rest of the line in the label color, like htop. */
	theme_set(w, th, UI_KEYLABEL);
	while (getcurx(w) < width - 1 && getcurx(w) > 0)
		waddch(w, ' ');
	theme_set(w, th, UI_NORMAL);
}
