/*
 * statuspane.c - draw the status pane (see statuspane.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/heapmap.h"
#include "tui/statuspane.h"

void status_hist_push(status_hist *hs, double heap, double pause_ns)
{
	hs->heap[hs->next] = heap;
	hs->pause[hs->next] = pause_ns;
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

/* label in label color, value in value color */
static void kv(WINDOW *w, const theme *th, const char *label, const char *value)
{
	theme_set(w, th, UI_LABEL);
	waddstr(w, label);
	theme_set(w, th, UI_VALUE);
	waddstr(w, value);
	theme_set(w, th, UI_NORMAL);
}

/* A counter that only shows, in the warning style, once it is nonzero. */
static void warn_count(WINDOW *w, const theme *th, const char *label,
                       uint64_t n)
{
	char a[48];

	if (n == 0)
		return;
	snprintf(a, sizeof a, "%s%llu", label, (unsigned long long)n);
	theme_set(w, th, UI_WARN);
	waddstr(w, a);
	theme_set(w, th, UI_NORMAL);
}

static void line_phases(WINDOW *w, const tv_status *st, const theme *th)
{
	static const char *const names[TC_NPHASES] = {
	    "off", "sweep term", "mark", "mark term", "sweep"};
	char buf[48];
	int p;

	wmove(w, 0, 0);
	theme_set(w, th, UI_TITLE);
	waddstr(w, "tricolor ");
	for (p = 0; p < TC_NPHASES; p++) {
		bool on = (int)st->gc.phase == p;

		if (p > 0) {
			theme_set(w, th, UI_PHASE_OFF);
			waddstr(w, th->utf8 ? "\u25b8" : ">");
		}
		theme_set(w, th, on ? UI_PHASE_ON : UI_PHASE_OFF);
		wprintw(w, on ? "[%s]" : " %s ", names[p]);
	}
	theme_set(w, th, UI_NORMAL);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)st->gc.cycles);
	kv(w, th, "  cycle ", buf);
	waddstr(w, "  ");
	theme_set(w, th, st->paused ? UI_PAUSED : UI_VALUE);
	waddstr(w, st->paused ? " PAUSED " : "RUNNING");
	theme_set(w, th, UI_NORMAL);
	kv(w, th, "  scenario ", st->scenario ? st->scenario : "?");
}

void statuspane_draw(WINDOW *w, const tv_status *st, const status_hist *hs,
                     double mark_progress, const char *msg, const theme *th)
{
	char a[64], b[32], c[32];
	int width = getmaxx(w), half;

	werase(w);
	line_phases(w, st, th);

	wmove(w, 1, 0);
	fmt_bytes(a, sizeof a, st->gc.heap_live);
	kv(w, th, "heap live ", a);
	fmt_bytes(a, sizeof a, st->gc.heap_goal);
	kv(w, th, "  goal ", a);
	fmt_bytes(a, sizeof a, st->gc.heap_inuse);
	kv(w, th, "  in use ", a);
	fmt_bytes(a, sizeof a, st->gc.heap_peak);
	kv(w, th, "  peak ", a);
	fmt_bytes(a, sizeof a, st->gc.heap_arena);
	kv(w, th, "  arena ", a);

	wmove(w, 2, 0);
	snprintf(a, sizeof a, "%llu", (unsigned long long)st->gc.grey_objects);
	kv(w, th, "grey queue ", a);
	theme_set(w, th, UI_LABEL);
	waddstr(w, "  mark ");
	{
		int i, fill = mark_progress < 0 ? 0 : (int)(mark_progress * 10);

		theme_set(w, th, UI_SPARK);
		for (i = 0; i < 10; i++)
			waddstr(w, i < fill ? (th->utf8 ? "\u2588" : "#")
			                    : (th->utf8 ? "\u2591" : "-"));
		if (mark_progress < 0)
			snprintf(a, sizeof a, "  -- ");
		else
			snprintf(a, sizeof a, " %3.0f%%",
			         mark_progress * 100.0);
		theme_set(w, th, UI_VALUE);
		waddstr(w, a);
	}
	fmt_bytes(a, sizeof a, (uint64_t)st->alloc_bytes_per_sec);
	strcat(a, "/s");
	kv(w, th, "  alloc ", a);
	snprintf(a, sizeof a, "%.0f/s", st->ops_per_sec);
	kv(w, th, "  ops ", a);

	wmove(w, 3, 0);
	fmt_ns(a, sizeof a, st->gc.pause_last_ns, th->utf8);
	fmt_ns(b, sizeof b, st->gc.pause_p99_ns, th->utf8);
	fmt_ns(c, sizeof c, st->gc.pause_max_ns, th->utf8);
	kv(w, th, "pause last ", a);
	kv(w, th, " p99 ", b);
	kv(w, th, " max ", c);
	snprintf(a, sizeof a, "%d", st->mutators);
	kv(w, th, "  mutators ", a);
	if (st->rate <= TV_RATE_MAX)
		snprintf(a, sizeof a, "max");
	else
		snprintf(a, sizeof a, "%.0f/s", st->rate);
	kv(w, th, "  rate ", a);
	if (st->gc.gogc == TC_GOGC_OFF)
		snprintf(a, sizeof a, "off");
	else
		snprintf(a, sizeof a, "%d", st->gc.gogc);
	kv(w, th, "  GOGC ", a);
	kv(w, th, "  barrier ", barrier_name(st->gc.barrier));
	warn_count(w, th, "  LOST ", st->gc.verify_violations);
	warn_count(w, th, "  FAILED CHECKS ", st->failures);
	warn_count(w, th, "  HEAP FULL x", st->alloc_failures);

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
