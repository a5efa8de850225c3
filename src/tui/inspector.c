/*
 * inspector.c - draw the object inspector box.
 */
#include "config.h"

#include <stdio.h>

#include "tui/heapmap.h"
#include "tui/inspector.h"

/* An object id on its color, then (if named) the color's name. */
static void chip(WINDOW *w, const theme *th, int kind, tc_objid id, bool named)
{
	theme_set_chip(w, th, kind);
	if (th->colors == 0)
		waddstr(w, theme_glyph(th, kind));
	wprintw(w, "%u.%u", id.page, id.slot);
	theme_set(w, th, UI_NORMAL);
	if (named)
		wprintw(w, " %s", theme_kind_name(kind));
}

void inspector_draw(WINDOW *w, const tv_object *o, bool found, tc_objid id,
                    const tv_heap *h, const theme *th)
{
	int width, height, y, i, roots, room, nshow;
	char title[64], size[16];

	getmaxyx(w, height, width);
	werase(w);
	snprintf(title, sizeof title, "Object %u.%u (Esc closes)", id.page,
	         id.slot);
	theme_box(w, th, true, title);
	if (!found) {
		mvwaddnstr(w, 1, 2,
		           "no object lives there (free slot or "
		           "swept away)",
		           width - 4);
		return;
	}
	fmt_bytes(size, sizeof size, o->info.elemsize);
	theme_set(w, th, UI_LABEL);
	mvwprintw(w, 1, 2, "span ");
	theme_set(w, th, UI_VALUE);
	wprintw(w, "%u", o->info.id.page);
	theme_set(w, th, UI_LABEL);
	wprintw(w, "  slot ");
	theme_set(w, th, UI_VALUE);
	wprintw(w, "%u", o->info.id.slot);
	theme_set(w, th, UI_LABEL);
	wprintw(w, "  size class ");
	theme_set(w, th, UI_VALUE);
	wprintw(w, "%u (%s)", o->info.sizeclass, size);
	theme_set(w, th, UI_LABEL);
	wprintw(w, "  addr ");
	theme_set(w, th, UI_VALUE);
	wprintw(w, "%#lx", (unsigned long)o->info.addr);
	theme_set(w, th, UI_LABEL);
	mvwprintw(w, 2, 2, "color ");
	chip(w, th, (int)o->info.color, o->info.id, true);
	theme_set(w, th, UI_LABEL);
	wprintw(w, "   pointer fields ");
	theme_set(w, th, UI_VALUE);
	wprintw(w, "%u", o->info.nptrs);
	/* Rows 3.. hold the fields and, when some are not shown, a line
	 * that says how many; then "pointed to by", up to four root rows
	 * and the border.  A box too short for every field shows fewer, and
	 * says so, rather than leave them out without a word. */
	roots = o->nroot_refs < 4 ? o->nroot_refs : 4;
	room = height - 5 - roots; /* rows for fields and "more" */
	nshow = o->nfields;
	if (nshow + ((int)o->info.nptrs > nshow) > room)
		nshow = room > 1 ? room - 1 : 0;
	y = 3;
	for (i = 0; i < nshow; i++, y++) {
		theme_set(w, th, UI_LABEL);
		mvwprintw(w, y, 4, "f%-2d ", i);
		if (!o->field_nonnull[i]) {
			theme_set(w, th, UI_PHASE_OFF);
			waddstr(w, "nil");
			theme_set(w, th, UI_NORMAL);
			continue;
		}
		theme_set(w, th, UI_NORMAL);
		waddstr(w, th->utf8 ? "\u2192 " : "-> ");
		chip(w, th, (int)o->field_color[i], o->fields[i], true);
	}
	if ((int)o->info.nptrs > nshow && room > 0) {
		unsigned more = o->info.nptrs - (unsigned)nshow;

		theme_set(w, th, UI_LABEL);
		mvwprintw(w, y++, 4, "... %u more field%s", more,
		          more == 1 ? "" : "s");
	}
	theme_set(w, th, UI_LABEL);
	mvwaddstr(w, y++, 2, "pointed to by ");
	theme_set(w, th, UI_NORMAL);
	if (o->nreferrers == 0 && o->nroot_refs == 0)
		waddstr(w, "nothing found (garbage, or not searched)");
	for (i = 0; i < o->nreferrers && getcurx(w) < width - 16; i++) {
		chip(w, th, heap_color_of(h, o->referrers[i]), o->referrers[i],
		     false);
		waddstr(w, "  ");
	}
	for (i = 0; i < o->nroot_refs && i < 4 && y < height - 1; i++) {
		theme_set(w, th, UI_LABEL);
		mvwaddstr(w, y, 4, "root ");
		theme_set(w, th, UI_VALUE);
		waddnstr(w, o->roots[i], width - 12);
		y++;
	}
	theme_set(w, th, UI_NORMAL);
}
