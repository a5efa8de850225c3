/*
 * statuspane.c - draw the status pane (see statuspane.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/heapmap.h"
#include "tui/statuspane.h"

void status_hist_pause(status_hist *hs, double pause_ns)
{
	/* The longest, not the last: a pause chart is read for its peaks. */
	if (pause_ns > hs->pause_max)
		hs->pause_max = pause_ns;
}

void status_hist_push(status_hist *hs, double heap)
{
	hs->heap[hs->next] = heap;
	hs->pause[hs->next] = hs->pause_max;
	hs->pause_max = 0.0;
	hs->next = (hs->next + 1) % HIST_LEN;
	if (hs->n < HIST_LEN)
		hs->n++;
}

void fmt_ns(char *buf, size_t len, uint64_t ns, bool utf8)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.0f%s", (double)ns / 1e3,
		         utf8 ? "\u00b5s" : "us");
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
}

void sparkline_draw(WINDOW *w, const double *v, int n, int next, int width,
                    const theme *th)
{
	static const char *const bars_utf8[8] = {"\u2581", "\u2582", "\u2583",
	                                         "\u2584", "\u2585", "\u2586",
	                                         "\u2587", "\u2588"};
	static const char bars_ascii[] = "_.-:=+*#";
	double max = 0.0;
	int i, k = n < width ? n : width;

	for (i = 0; i < k; i++) {
		double x = v[(next - k + i + HIST_LEN) % HIST_LEN];

		if (x > max)
			max = x;
	}
	theme_set(w, th, UI_SPARK);
	for (i = 0; i < k; i++) {
		double x = v[(next - k + i + HIST_LEN) % HIST_LEN];
		int lvl = max > 0.0 ? (int)(x / max * 7.999) : 0;

		if (lvl < 0)
			lvl = 0;
		if (x <= 0.0) {
			waddch(w, ' ');
			continue;
		}
		if (th->utf8)
			waddstr(w, bars_utf8[lvl]);
		else
			waddch(w, (chtype)bars_ascii[lvl]);
	}
	theme_set(w, th, UI_NORMAL);
}

/* The front end talks to the engine only: it names barriers itself. */
static const char *barrier_name(tc_barrier_mode m)
{
	static const char *const names[TC_BARRIER_NMODES] = {
	    "hybrid", "dijkstra", "yuasa", "off"};

	return (unsigned)m < TC_BARRIER_NMODES ? names[m] : "?";
}

/* "950", "13.4k", "13.4M": a count in at most six columns. */
static void fmt_count(char *buf, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.1fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

/* Columns taken by a UTF-8 string: every character here is one column
 * wide (ASCII, the phase arrow, the bar glyphs, the micro sign). */
static int cols(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* ---- lines laid out by priority ------------------------------------
 *
 * Lines 0-3 are rows of fields ("cycle 12", "GOGC 100", "LOST 3").  A
 * field is drawn whole or not at all, and a line never runs past the
 * pane's edge (curses would wrap it onto the next line and garble that
 * one).  While a line is too wide, the field of lowest priority gives
 * way (the rightmost of equals): it first takes its short form, if it
 * has one, and then goes, unless it is kept.  The fields that must
 * always show (the state, the cycle, the phase, the warnings) are kept
 * and fit together at the minimum width (LAYOUT_MIN_COLS).
 */

enum seg_kind {
	SEG_KV,     /* label, then value */
	SEG_TITLE,  /* "tricolor" */
	SEG_PHASES, /* the phase timeline; short: without padding */
	SEG_MARK,   /* mark progress bar and percent; short: percent */
};

#define NSEGS 12

typedef struct seg {
	enum seg_kind kind;
	int gap;            /* spaces before it, unless it comes first */
	const char *label;  /* label ("" for none) */
	const char *slabel; /* short form's label, or NULL */
	char value[40];
	char svalue[40];             /* short form's value, or "" for value */
	enum theme_ui lstyle, style; /* of the label, of the value */
	int prio;  /* gives way (short form, then gone) lowest first */
	bool keep; /* never goes (may still take its short form) */
	bool shrt, gone;
} seg;

typedef struct segline {
	int n;
	seg s[NSEGS];
	/* for SEG_PHASES and SEG_MARK */
	tc_phase phase;
	double mark; /* mark progress, negative when not marking */
} segline;

static const char *const phase_names[TC_NPHASES] = {"off", "sweep term", "mark",
                                                    "mark term", "sweep"};

/* Add a field; returns it for the caller to fill in its value. */
static seg *add(segline *l, enum seg_kind kind, int gap, const char *label,
                int prio)
{
	seg *s = &l->s[l->n++];

	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->gap = gap;
	s->label = label;
	s->lstyle = UI_LABEL;
	s->style = UI_VALUE;
	s->prio = prio;
	return s;
}

static bool has_short(const seg *s)
{
	return s->kind == SEG_PHASES || s->kind == SEG_MARK ||
	       s->slabel != NULL || s->svalue[0] != '\0';
}

static int seg_cols(const segline *l, const seg *s)
{
	int p, n = 0;

	switch (s->kind) {
	case SEG_TITLE:
		return cols("tricolor");
	case SEG_PHASES:
		/* full: " name " or "[name]" each; short: only the current
		 * one bracketed; and the arrows between */
		for (p = 0; p < TC_NPHASES; p++)
			n += cols(phase_names[p]) +
			     (!s->shrt || (int)l->phase == p ? 2 : 0);
		return n + TC_NPHASES - 1;
	case SEG_MARK:
		return cols(s->label) + (s->shrt ? 0 : 10) +
		       cols(s->shrt ? s->svalue : s->value);
	default:
		return cols(s->shrt && s->slabel ? s->slabel : s->label) +
		       cols(s->shrt && s->svalue[0] ? s->svalue : s->value);
	}
}

/* The width of the line as its fields stand. */
static int line_cols(const segline *l)
{
	int i, n = 0, first = 1;

	for (i = 0; i < l->n; i++) {
		if (l->s[i].gone)
			continue;
		n += (first ? 0 : l->s[i].gap) + seg_cols(l, &l->s[i]);
		first = 0;
	}
	return n;
}

/* Make the line fit width: fields give way by priority. */
static void fit(segline *l, int width)
{
	while (line_cols(l) > width) {
		seg *low = NULL;
		int i;

		for (i = 0; i < l->n; i++) {
			seg *s = &l->s[i];

			if (s->gone || (s->keep && (s->shrt || !has_short(s))))
				continue;
			if (low == NULL || s->prio <= low->prio)
				low = s;
		}
		if (low == NULL)
			return; /* only kept fields left: clipped when drawn */
		if (!low->shrt && has_short(low))
			low->shrt = true;
		else
			low->gone = true;
	}
}

static void draw_phases(WINDOW *w, const theme *th, const segline *l,
                        bool compact)
{
	int p;

	for (p = 0; p < TC_NPHASES; p++) {
		bool on = (int)l->phase == p;

		if (p > 0) {
			theme_set(w, th, UI_PHASE_OFF);
			waddstr(w, th->utf8 ? "\u25b8" : ">");
		}
		theme_set(w, th, on ? UI_PHASE_ON : UI_PHASE_OFF);
		if (on)
			wprintw(w, "[%s]", phase_names[p]);
		else
			wprintw(w, compact ? "%s" : " %s ", phase_names[p]);
	}
}

static void draw_mark(WINDOW *w, const theme *th, const segline *l,
                      const seg *s)
{
	int i, fill = l->mark < 0 ? 0 : (int)(l->mark * 10);

	theme_set(w, th, UI_LABEL);
	waddstr(w, s->label);
	if (!s->shrt) {
		theme_set(w, th, UI_SPARK);
		for (i = 0; i < 10; i++)
			waddstr(w, i < fill ? (th->utf8 ? "\u2588" : "#")
			                    : (th->utf8 ? "\u2591" : "-"));
	}
	theme_set(w, th, UI_VALUE);
	waddstr(w, s->shrt ? s->svalue : s->value);
}

/* Fit the line to the window's width and draw it on row y.  Below the
 * minimum width the kept fields may still be too wide together: the line
 * then ends before the first field that would cross the edge. */
static void draw_line(WINDOW *w, const theme *th, segline *l, int y)
{
	int width = getmaxx(w), x = 0, i;
	bool first = true;

	fit(l, width);
	for (i = 0; i < l->n; i++) {
		const seg *s = &l->s[i];
		int gap = first ? 0 : s->gap;

		if (s->gone)
			continue;
		if (x + gap + seg_cols(l, s) > width)
			break;
		wmove(w, y, x + gap);
		switch (s->kind) {
		case SEG_TITLE:
			theme_set(w, th, UI_TITLE);
			waddstr(w, "tricolor");
			break;
		case SEG_PHASES:
			draw_phases(w, th, l, s->shrt);
			break;
		case SEG_MARK:
			draw_mark(w, th, l, s);
			break;
		default:
			theme_set(w, th, s->lstyle);
			waddstr(w, s->shrt && s->slabel ? s->slabel : s->label);
			theme_set(w, th, s->style);
			waddstr(w,
			        s->shrt && s->svalue[0] ? s->svalue : s->value);
			break;
		}
		theme_set(w, th, UI_NORMAL);
		x += gap + seg_cols(l, s);
		first = false;
	}
}

/* A warning, kept and in the warning style, that shows once n is not 0. */
static void warn(segline *l, const char *label, uint64_t n)
{
	seg *s;

	if (n == 0)
		return;
	s = add(l, SEG_KV, 2, label, 0);
	s->keep = true;
	s->lstyle = s->style = UI_WARN;
	snprintf(s->value, sizeof s->value, "%llu", (unsigned long long)n);
}

/* Line 0: title, phase timeline, cycle, state, scenario. */
static void line_phases(WINDOW *w, const tv_status *st, const theme *th)
{
	segline l = {.phase = st->gc.phase};
	seg *s;

	add(&l, SEG_TITLE, 0, "", 1);
	s = add(&l, SEG_PHASES, 1, "", 2);
	s->keep = true;
	s = add(&l, SEG_KV, 2, "cycle ", 0);
	s->keep = true;
	snprintf(s->value, sizeof s->value, "%llu",
	         (unsigned long long)st->gc.cycles);
	s = add(&l, SEG_KV, 2, "", 0);
	s->keep = true;
	s->style = st->paused ? UI_PAUSED : UI_VALUE;
	snprintf(s->value, sizeof s->value, "%s",
	         st->paused ? " PAUSED " : "RUNNING");
	s = add(&l, SEG_KV, 2, "scenario ", 3);
	snprintf(s->value, sizeof s->value, "%s",
	         st->scenario ? st->scenario : "?");
	draw_line(w, th, &l, 0);
}

/* Line 1: heap sizes. */
static void line_heap(WINDOW *w, const tv_status *st, const theme *th)
{
	const struct {
		const char *label;
		int prio;
		uint64_t bytes;
	} f[] = {{"heap live ", 9, st->gc.heap_live},
	         {"goal ", 8, st->gc.heap_goal},
	         {"in use ", 5, st->gc.heap_inuse},
	         {"peak ", 4, st->gc.heap_peak},
	         {"arena ", 3, st->gc.heap_arena}};
	segline l = {.n = 0};
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		seg *s = add(&l, SEG_KV, i > 0 ? 2 : 0, f[i].label, f[i].prio);

		fmt_bytes(s->value, sizeof s->value, f[i].bytes);
	}
	/* With GOGC off there is no goal (the collector holds it at
	 * UINT64_MAX, which would read "16777216T"). */
	if (st->gc.gogc == TC_GOGC_OFF || st->gc.heap_goal == UINT64_MAX)
		snprintf(l.s[1].value, sizeof l.s[1].value, "off");
	draw_line(w, th, &l, 1);
}

/* Line 2: grey queue, mark progress, allocation and operation rates. */
static void line_work(WINDOW *w, const tv_status *st, double mark,
                      const theme *th)
{
	segline l = {.mark = mark};
	seg *s;

	s = add(&l, SEG_KV, 0, "grey queue ", 7);
	s->slabel = "grey ";
	snprintf(s->value, sizeof s->value, "%llu",
	         (unsigned long long)st->gc.grey_objects);
	s = add(&l, SEG_MARK, 2, "mark ", 6);
	if (mark < 0) {
		snprintf(s->value, sizeof s->value, "   --");
		snprintf(s->svalue, sizeof s->svalue, "--");
	} else {
		snprintf(s->value, sizeof s->value, " %3.0f%%", mark * 100.0);
		snprintf(s->svalue, sizeof s->svalue, "%.0f%%", mark * 100.0);
	}
	s = add(&l, SEG_KV, 2, "alloc ", 5);
	fmt_bytes(s->value, sizeof s->value, (uint64_t)st->alloc_bytes_per_sec);
	strcat(s->value, "/s");
	s = add(&l, SEG_KV, 2, "ops ", 4);
	snprintf(s->value, sizeof s->value, "%.0f/s", st->ops_per_sec);
	fmt_count(s->svalue, sizeof s->svalue, st->ops_per_sec);
	strcat(s->svalue, "/s");
	draw_line(w, th, &l, 2);
}

/* Line 3: pauses, settings, and the warnings. */
static void line_settings(WINDOW *w, const tv_status *st, const theme *th)
{
	segline l = {.n = 0};
	seg *s;

	s = add(&l, SEG_KV, 0, "pause last ", 8);
	s->slabel = "pause ";
	fmt_ns(s->value, sizeof s->value, st->gc.pause_last_ns, th->utf8);
	s = add(&l, SEG_KV, 1, "p99 ", 3);
	fmt_ns(s->value, sizeof s->value, st->gc.pause_p99_ns, th->utf8);
	s = add(&l, SEG_KV, 1, "max ", 5);
	fmt_ns(s->value, sizeof s->value, st->gc.pause_max_ns, th->utf8);
	s = add(&l, SEG_KV, 2, "mutators ", 4);
	s->slabel = "mut ";
	snprintf(s->value, sizeof s->value, "%d", st->mutators);
	s = add(&l, SEG_KV, 2, "rate ", 2);
	if (st->rate <= TV_RATE_MAX)
		snprintf(s->value, sizeof s->value, "max");
	else
		snprintf(s->value, sizeof s->value, "%.0f/s", st->rate);
	s = add(&l, SEG_KV, 2, "GOGC ", 6);
	if (st->gc.gogc == TC_GOGC_OFF)
		snprintf(s->value, sizeof s->value, "off");
	else
		snprintf(s->value, sizeof s->value, "%d", st->gc.gogc);
	s = add(&l, SEG_KV, 2, "barrier ", 7);
	snprintf(s->value, sizeof s->value, "%s", barrier_name(st->gc.barrier));
	warn(&l, "LOST ", st->gc.verify_violations);
	warn(&l, "FAILED CHECKS ", st->failures);
	warn(&l, "HEAP FULL x", st->alloc_failures);
	draw_line(w, th, &l, 3);
}

void statuspane_draw(WINDOW *w, const tv_status *st, const status_hist *hs,
                     double mark_progress, const char *msg, const theme *th)
{
	int width = getmaxx(w), half;

	werase(w);
	line_phases(w, st, th);
	line_heap(w, st, th);
	line_work(w, st, mark_progress, th);
	line_settings(w, st, th);

	half = (width - 16) / 2;
	if (half < 4)
		half = 4;
	wmove(w, 4, 0);
	theme_set(w, th, UI_LABEL);
	waddstr(w, "heap   ");
	sparkline_draw(w, hs->heap, hs->n, hs->next, half, th);
	wmove(w, 4, 8 + half);
	theme_set(w, th, UI_LABEL);
	waddstr(w, "pauses ");
	sparkline_draw(w, hs->pause, hs->n, hs->next, width - 16 - half, th);

	wmove(w, 5, 0);
	if (st->failure[0] != '\0') {
		theme_set(w, th, UI_WARN);
		waddnstr(w, st->failure, width - 1);
		theme_set(w, th, UI_NORMAL);
		return;
	}
	theme_set(w, th, UI_MESSAGE);
	if (msg != NULL && msg[0] != '\0') {
		waddstr(w, th->utf8 ? "\u00bb " : "> ");
		waddnstr(w, msg, width - 3);
	}
	theme_set(w, th, UI_NORMAL);
}
