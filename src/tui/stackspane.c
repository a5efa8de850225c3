/*
 * stackspane.c - draw the mutators' stacks (see stackspane.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/heapmap.h"
#include "tui/stackspane.h"

int stackspane_columns(int width)
{
	int n = (width - 2) / STACKS_COL_W;

	return n < 1 ? 1 : n;
}

const char *stackspane_state_name(tc_mutator_state st, tc_phase phase)
{
	switch (st) {
	case TC_MS_RUNNING:
		return "running";
	case TC_MS_PARKED:
		return "parked";
	case TC_MS_STOPPED:
		return phase == TC_PHASE_SWEEP_TERM ||
		               phase == TC_PHASE_MARK_TERM
		           ? "in STW"
		           : "at safepoint";
	case TC_MS_ASSISTING:
		return "assisting";
	case TC_MS_DETACHED:
		return "detached";
	case TC_MS_RUNNABLE:
		return "runnable";
	}
	return "?";
}

/* A column being filled: a cursor that wraps tokens inside it. */
typedef struct colpen {
	WINDOW *w;
	int x0, width; /* column's first cell and width */
	int y, ymax;   /* current line, last usable line */
	int x;         /* current cell within the column */
} colpen;

static bool pen_newline(colpen *p, int indent)
{
	p->y++;
	p->x = indent;
	return p->y <= p->ymax;
}

/* Put a token of n cells; wrap to an indented new line if it does not
 * fit.  Returns false when the column is full. */
static bool pen_token(colpen *p, int n)
{
	if (p->x > 2 && p->x + n > p->width) {
		if (!pen_newline(p, 2))
			return false;
	}
	wmove(p->w, p->y, p->x0 + p->x);
	p->x += n;
	return true;
}

static void put_slot(colpen *p, const tc_slot_view *sv, const tv_heap *h,
                     const theme *th)
{
	char buf[40];
	int kind, n;

	if (!sv->is_ptr) {
		n = snprintf(buf, sizeof buf, "=%lld", (long long)sv->value);
		if (!pen_token(p, n + 1))
			return;
		theme_set(p->w, th, UI_NORMAL);
		waddnstr(p->w, buf, p->width - 1);
		waddch(p->w, ' ');
		return;
	}
	if (!sv->nonnull) {
		if (!pen_token(p, 4))
			return;
		theme_set(p->w, th, UI_PHASE_OFF);
		waddstr(p->w, "nil");
		theme_set(p->w, th, UI_NORMAL);
		waddch(p->w, ' ');
		return;
	}
	kind = heap_color_of(h, sv->target);
	n = snprintf(buf, sizeof buf, "%u.%u", sv->target.page,
	             sv->target.slot);
	if (th->colors == 0) {
		/* Without color the glyph before the id tells its color. */
		if (!pen_token(p, n + 2))
			return;
		theme_set_chip(p->w, th, kind);
		waddstr(p->w, theme_glyph(th, kind));
		waddnstr(p->w, buf, p->width - 2);
	} else {
		if (!pen_token(p, n + 1))
			return;
		theme_set_chip(p->w, th, kind);
		waddnstr(p->w, buf, p->width - 1);
	}
	theme_set(p->w, th, UI_NORMAL);
	waddch(p->w, ' ');
}

static void draw_column(WINDOW *w, const tc_stack_view *sv, const tv_heap *h,
                        tc_phase phase, int x0, int width, int ymax, int skip,
                        const theme *th)
{
	colpen p = {w, x0, width, 1, ymax, 0};
	int f;

	theme_set(w, th, UI_VALUE);
	mvwprintw(w, 1, x0, "m%u ", sv->id);
	theme_set(w, th, UI_LABEL);
	waddnstr(w, sv->name, width - 4);
	if (p.ymax < 2)
		return;
	{
		const char *state = stackspane_state_name(sv->state, phase);
		const char *color =
		    sv->stack_black ? "stack black" : "stack grey";
		int x = (int)strlen(state) + 1;

		theme_set(w, th,
		          sv->state == TC_MS_RUNNING ? UI_VALUE : UI_MESSAGE);
		mvwaddnstr(w, 2, x0, state, width);
		p.y = 2;
		/* The stack's color after the state, or below it when the
		 * column is too narrow for both. */
		if (x + (int)strlen(color) > width) {
			if (!pen_newline(&p, 0))
				return;
			x = 0;
		}
		theme_set_chip(w, th, sv->stack_black ? TK_BLACK : TK_GREY);
		mvwaddnstr(w, p.y, x0 + x, color, width - x);
		theme_set(w, th, UI_NORMAL);
	}
	if (sv->result.is_ptr && sv->result.nonnull) {
		if (!pen_newline(&p, 0))
			return;
		theme_set(w, th, UI_LABEL);
		mvwaddstr(w, p.y, x0, "ret ");
		p.x = 4;
		put_slot(&p, &sv->result, h, th);
	}
	/* Scrolled down: the top `skip` frames are hidden (say so). */
	if (skip > sv->nframes - 1)
		skip = sv->nframes - 1;
	if (skip > 0) {
		if (!pen_newline(&p, 0))
			return;
		theme_set(w, th, UI_LABEL);
		mvwprintw(w, p.y, x0, "^ %d frame%s above", skip,
		          skip == 1 ? "" : "s");
	}
	for (f = sv->nframes - 1 - (skip > 0 ? skip : 0); f >= 0; f--) {
		const tc_frame_view *fr = &sv->frames[f];
		int k;

		if (!pen_newline(&p, 0))
			break;
		if (p.y == p.ymax && f > 0) {
			theme_set(w, th, UI_LABEL);
			mvwprintw(w, p.y, x0, "... %d more frame%s", f + 1,
			          f + 1 == 1 ? "" : "s");
			break;
		}
		theme_set(w, th, UI_TITLE);
		mvwaddnstr(w, p.y, x0, fr->fn ? fr->fn : "?", width - 1);
		theme_set(w, th, UI_NORMAL);
		if (fr->nslots > 0) {
			if (!pen_newline(&p, 2))
				break;
		}
		for (k = 0; k < fr->nslots; k++) {
			int idx = fr->first + k;

			if (idx < 0 || idx >= sv->nslots ||
			    idx >= TC_MAX_STACK_SLOTS)
				break;
			put_slot(&p, &sv->slots[idx], h, th);
			if (p.y > p.ymax)
				break;
		}
	}
}

int stackspane_draw(WINDOW *w, const tv_stacks *s, const tv_heap *h,
                    tc_phase phase, int first, int skip, const theme *th,
                    bool focus)
{
	int width, height, ncols, colw, c, deepest = 0;
	char title[64];

	getmaxyx(w, height, width);
	werase(w);
	ncols = stackspane_columns(width);
	if (first > s->n - ncols)
		first = s->n - ncols;
	if (first < 0)
		first = 0;
	/* Each column keeps its bottom frame in view, so the deepest stack
	 * shown bounds the scroll: past it, keys change nothing. */
	for (c = 0; c < ncols && first + c < s->n; c++)
		if (s->stacks[first + c].nframes - 1 > deepest)
			deepest = s->stacks[first + c].nframes - 1;
	if (skip > deepest)
		skip = deepest;
	if (skip < 0)
		skip = 0;
	if (s->n > ncols)
		snprintf(title, sizeof title, "Stacks: %d-%d of %d mutators",
		         first + 1, first + ncols, s->n);
	else
		snprintf(title, sizeof title, "Stacks: %d mutator%s", s->n,
		         s->n == 1 ? "" : "s");
	theme_box(w, th, focus, title);
	colw = (width - 2) / ncols;
	for (c = 0; c < ncols && first + c < s->n; c++) {
		int x0 = 1 + c * colw;

		if (c > 0) {
			theme_vline(w, th, 1, x0 - 1, height - 2);
		}
		draw_column(w, &s->stacks[first + c], h, phase, x0, colw - 1,
		            height - 2, skip, th);
	}
	if (s->n == 0) {
		theme_set(w, th, UI_LABEL);
		mvwaddstr(w, 1, 1, "no mutators");
		theme_set(w, th, UI_NORMAL);
	}
	return skip;
}
