/*
 * tui.c - the live demo's event loop.
 *
 * One loop on the main thread (the only thread that calls curses): wait
 * for a key until the next frame is due, with a timeout short enough that
 * the SIGINT/SIGTERM flag is seen at once; turn keys into engine controls;
 * at each frame take snapshots from the engine (status, events, barrier
 * shades, heap, stacks) and draw every pane into its window, then one
 * doupdate().  Snapshot buffers are reused frame to frame, so the steady
 * state allocates nothing.  A heap snapshot costs time proportional to the
 * heap, so it is paced to stay a small share of the main thread's time.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curses.h>

#include "tui/crt.h"
#include "tui/eventlog.h"
#include "tui/heapmap.h"
#include "tui/help.h"
#include "tui/inspector.h"
#include "tui/keybar.h"
#include "tui/layout.h"
#include "tui/stackspane.h"
#include "tui/statuspane.h"
#include "tui/snapper.h"
#include "tui/theme.h"
#include "tui/tui.h"

#define FLASH_NS            400000000ull /* a barrier shade flashes 0.4 s */
#define SAMPLE_NS           250000000ull /* sparkline sample period */
#define FLASH_REDRAW_NS     66000000ull  /* redraw for flashes at ~15 Hz */
#define INSPECT_NS          500000000ull /* inspector refresh period */
#define HEAP_SNAPSHOT_SHARE 25 /* heap snapshots: at most 1/25 of a core */
#define MAX_FRAME_SAMPLES   (1 << 16) /* frame times kept for the stats */

typedef enum focus { FOCUS_HEAP, FOCUS_STACKS, FOCUS_LOG, NFOCUS } focus;

static const char *const focus_names[NFOCUS] = {"heap map", "stacks",
                                                "event log"};

/* Everything the loop owns.  Only the main thread touches it. */
typedef struct app {
	tv_engine *e;
	const tui_options *opt;
	crt_caps caps;
	theme th;
	layout lay;
	int lay_lines, lay_cols; /* the LINES x COLS it was made for */
	WINDOW *wstatus, *wstacks, *wheap, *wlog, *wkeys, *whelp, *winsp;
	focus focus;
	bool help, inspect, quit, dirty;
	int help_top;      /* first help row shown */
	bool help_scrolls; /* the help is taller than its window */

	tv_status st;
	tv_heap *heap; /* the snapshot drawn (the snapper's front buffer) */
	snapper snap;
	bool snap_thread; /* the snapper runs (else snapshots are taken here) */
	double snap_cpu;  /* CPU seconds of heap snapshots on this thread */
	tv_stacks stacks;
	heapmap hm;
	eventlog log;
	status_hist hist;
	int stack_first; /* first mutator column shown */
	int stack_skip;  /* top frames scrolled out of view */

	char msg[160];           /* last action, shown in the status pane */
	uint64_t engine_msg_seq; /* tv_status.message_seq last seen */
	uint64_t ev_seq, shade_seq;
	tv_event evbuf[64];
	tc_objid shades[256];

	tc_objid insp_id;
	tv_object obj;
	bool obj_found;
	unsigned long long insp_next;

	unsigned long long sample_next, heap_next;
	uint64_t cycle_seq; /* tv_cycles_since position */
	tc_cycle_info cycles[8];
	uint64_t last_marked;    /* objects marked by the last cycle */
	uint64_t heap_gen;       /* heap snapshots taken */
	uint64_t heap_drawn_gen; /* the one the heap pane shows */
	int last_nflash;         /* flashes drawn in the last frame */
	unsigned long long heap_drawn_ns;

	/* frame statistics */
	long frames;
	float *frame_ms;
} app;

void tui_options_init(tui_options *t)
{
	memset(t, 0, sizeof *t);
	t->fps = 30;
}

static void set_msg(app *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_msg(app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	va_end(ap);
	a->dirty = true;
}

/* ---- windows ------------------------------------------------------ */

static WINDOW *mkwin(rect r)
{
	WINDOW *w = newwin(r.h, r.w, r.y, r.x);

	if (w == NULL)
		crt_fatal("cannot create a %dx%d window", r.w, r.h);
	return w;
}

static void free_windows(app *a)
{
	WINDOW **ws[] = {&a->wstatus, &a->wstacks, &a->wheap, &a->wlog,
	                 &a->wkeys,   &a->whelp,   &a->winsp};
	size_t i;

	for (i = 0; i < sizeof ws / sizeof ws[0]; i++) {
		if (*ws[i] != NULL)
			delwin(*ws[i]);
		*ws[i] = NULL;
	}
}

/* (Re)create the pane windows for the current terminal size. */
static void app_layout(app *a)
{
	free_windows(a);
	a->lay_lines = LINES;
	a->lay_cols = COLS;
	if (!layout_compute(LINES, COLS, &a->lay))
		return;
	a->wstatus = mkwin(a->lay.status);
	a->wstacks = mkwin(a->lay.stacks);
	a->wheap = mkwin(a->lay.heap);
	a->wlog = mkwin(a->lay.log);
	a->wkeys = mkwin(a->lay.keys);
	a->whelp = mkwin(a->lay.help);
	a->winsp = mkwin(a->lay.inspector);
}

/* ---- snapshots ---------------------------------------------------- */

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void take_snapshots(app *a, unsigned long long now)
{
	size_t n, i;

	tv_get_status(a->e, &a->st);
	/* A new engine message, even with the same text as the last (a
	 * second forced GC), replaces whatever the front end said since. */
	if (a->st.message_seq != a->engine_msg_seq) {
		a->engine_msg_seq = a->st.message_seq;
		if (a->st.message[0] != '\0')
			snprintf(a->msg, sizeof a->msg, "%s", a->st.message);
	}
	while ((n = tv_events_since(a->e, &a->ev_seq, a->evbuf, 64)) > 0) {
		for (i = 0; i < n; i++) {
			/* Every pause, for the longest of the interval in
			 * the pause sparkline. */
			if ((int)a->evbuf[i].kind == TC_EV_PAUSE)
				status_hist_pause(&a->hist,
				                  (double)a->evbuf[i].pause_ns);
			/* Phase changes show on the timeline; the log keeps
			 * cycles, pauses, mutators and control actions. */
			if ((int)a->evbuf[i].kind == TC_EV_PHASE)
				continue;
			eventlog_add(&a->log, a->evbuf[i].text,
			             a->evbuf[i].kind == TC_EV_CYCLE);
		}
		if (n < 64)
			break;
	}
	n = tv_recent_shades(a->e, &a->shade_seq, a->shades, 256);
	heapmap_flash(&a->hm, a->shades, n, now + FLASH_NS);

	/* The last completed cycle's marked object count is what the
	 * current mark is expected to reach (mark progress). */
	while ((n = tv_cycles_since(a->e, &a->cycle_seq, a->cycles, 8)) > 0) {
		a->last_marked = a->cycles[n - 1].marked_objects;
		if (n < 8)
			break;
	}

	if (now >= a->sample_next) {
		status_hist_push(&a->hist, (double)a->st.gc.heap_inuse);
		a->sample_next = now + SAMPLE_NS;
	}

	/* The heap snapshot is O(heap): the snapper thread takes them, paced
	 * to a share of a core; a key asks for one at once so that a single
	 * step shows in the next frames.  Without the thread, the same
	 * pacing runs here. */
	if (a->snap_thread) {
		if (a->dirty)
			snapper_request(&a->snap);
		if (snapper_take(&a->snap, &a->heap))
			a->heap_gen++;
	} else if (now >= a->heap_next || a->dirty) {
		double c0 = thread_cpu_s(), c;

		tv_heap_snapshot(a->e, a->heap);
		c = thread_cpu_s() - c0;
		a->snap_cpu += c;
		a->heap_next =
		    now + (unsigned long long)(c * 1e9 * HEAP_SNAPSHOT_SHARE);
		a->heap_gen++;
	}
	tv_stacks_snapshot(a->e, &a->stacks);

	if (a->inspect && now >= a->insp_next) {
		a->obj_found = tv_inspect(a->e, a->insp_id, &a->obj) == 0;
		a->insp_next = now + INSPECT_NS;
	}
}

/* Mark progress: black objects (marked and scanned, or allocated black)
 * against what the previous cycle marked.  Not marking: negative. */
static double mark_progress(const app *a)
{
	double done, expect = (double)a->last_marked;

	if (a->st.gc.phase == TC_PHASE_MARK_TERM)
		return 1.0;
	if (a->st.gc.phase != TC_PHASE_MARK)
		return -1.0;
	done = (double)a->heap->counts[TC_BLACK];
	if (expect <= 0.0)
		expect = done + (double)a->heap->counts[TC_GREY] +
		         (double)a->heap->counts[TC_WHITE];
	if (expect <= 0.0)
		return 0.0;
	return done / expect > 0.99 ? 0.99 : done / expect;
}

/* ---- drawing ------------------------------------------------------ */

/* Draw a frame.  full: something changed besides time passing (a key,
 * a resize), so every pane is redrawn; otherwise the heap pane, whose
 * drawing costs in proportion to the objects shown, is redrawn only for a
 * new heap snapshot or while objects flash. */
static void draw_frame(app *a, unsigned long long now, bool full)
{
	bool heap_pane = full || a->heap_gen != a->heap_drawn_gen ||
	                 ((a->hm.nflash > 0 || a->last_nflash > 0) &&
	                  now - a->heap_drawn_ns >= FLASH_REDRAW_NS);

	/* curses takes in a resize in doupdate() too, not only in getch():
	 * then the screen has its new size before KEY_RESIZE is read, and
	 * windows made for the old one would be refreshed past its edge
	 * (ASan caught a read out of bounds in wnoutrefresh, shrinking to
	 * one column).  Follow the size here as on KEY_RESIZE. */
	if (LINES != a->lay_lines || COLS != a->lay_cols) {
		app_layout(a);
		clearok(curscr, TRUE);
		heap_pane = true;
	}
	if (is_wintouched(stdscr))
		wnoutrefresh(stdscr);
	if (a->lay.too_small) {
		layout_draw_too_small(stdscr, LINES, COLS);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	statuspane_draw(a->wstatus, &a->st, &a->hist, mark_progress(a), a->msg,
	                &a->th);
	{
		int ncols = stackspane_columns(a->lay.stacks.w);

		if (a->stack_first > a->stacks.n - ncols)
			a->stack_first = a->stacks.n - ncols;
		if (a->stack_first < 0)
			a->stack_first = 0;
	}
	a->stack_skip = stackspane_draw(
	    a->wstacks, &a->stacks, a->heap, a->st.gc.phase, a->stack_first,
	    a->stack_skip, &a->th, a->focus == FOCUS_STACKS);
	if (heap_pane) {
		heapmap_layout(&a->hm, a->heap, &a->th, a->lay.heap.w,
		               a->lay.heap.h);
		heapmap_draw(a->wheap, &a->hm, a->heap, &a->th,
		             a->focus == FOCUS_HEAP, now);
		a->heap_drawn_gen = a->heap_gen;
		a->heap_drawn_ns = now;
		a->last_nflash = a->hm.nflash;
	}
	eventlog_draw(a->wlog, &a->log, &a->th, a->focus == FOCUS_LOG);
	keybar_draw(a->wkeys, &a->th);
	wnoutrefresh(a->wstatus);
	wnoutrefresh(a->wstacks);
	wnoutrefresh(a->wheap);
	wnoutrefresh(a->wlog);
	wnoutrefresh(a->wkeys);
	if (a->inspect) {
		/* Fit the box to the object: its fields and referrers. */
		int h = 6 + a->obj.nfields + a->obj.nroot_refs +
		        ((int)a->obj.info.nptrs > a->obj.nfields);
		rect r = a->lay.inspector;

		if (h < r.h)
			r.h = h;
		r.y = (LINES - 1 - r.h) / 2;
		wresize(a->winsp, r.h, r.w);
		mvwin(a->winsp, r.y, r.x);
		inspector_draw(a->winsp, &a->obj, a->obj_found, a->insp_id,
		               a->heap, &a->th);
		wnoutrefresh(a->winsp);
	}
	if (a->help) {
		a->help_scrolls = help_draw(a->whelp, &a->th, &a->help_top);
		wnoutrefresh(a->whelp);
	}
	doupdate();
}

/* ---- keys --------------------------------------------------------- */

/* Report a step: what it did (done, or NULL when the engine says it
 * itself at the next snapshot), or that it needs a pause. */
static void need_paused(app *a, int rc, const char *what, const char *done)
{
	if (rc != 0)
		set_msg(a, "%s works while paused: press space first", what);
	else if (done != NULL)
		set_msg(a, "%s", done);
}

/* ] / [: the next rate up or down; at either end, say so.  (The engine
 * says what it set: "rate 200 ops/s per mutator".) */
static void step_rate(app *a, int dir)
{
	if (tv_step_rate(a->e, dir) == 0)
		return;
	if (dir > 0)
		set_msg(a, "rate is already max (unthrottled)");
	else
		set_msg(a,
		        "rate is already at its minimum, %.0f ops/s per "
		        "mutator",
		        tv_get_rate(a->e));
}

/* } / {: the next GOGC up or down; at either end, say so. */
static void step_gogc(app *a, int dir)
{
	/* The engine says what it set ("GOGC 50"): only the ends are
	 * the front end's to report.  (a->st is from the frame drawn
	 * since the last key, so it holds the GOGC the key acted on.) */
	if (tv_step_gogc(a->e, dir) == 0)
		return;
	if (dir > 0)
		set_msg(a, "GOGC is already off, its maximum");
	else if (a->st.gc.gogc >= 10)
		set_msg(a, "GOGC is already at its minimum (10)");
	else
		set_msg(a, "GOGC is already %d: { goes no lower than 10",
		        a->st.gc.gogc);
}

static void open_inspector(app *a)
{
	if (!heapmap_selected(&a->hm, &a->insp_id)) {
		set_msg(a, "select an object in the heap map first");
		return;
	}
	a->inspect = true;
	a->insp_next = 0;
	set_msg(a, "inspecting object %u.%u", a->insp_id.page, a->insp_id.slot);
}

static void on_mouse(app *a)
{
	MEVENT ev;
	rect r;

	if (getmouse(&ev) != OK || a->lay.too_small)
		return;
	r = a->lay.heap;
	if (ev.y >= r.y && ev.y < r.y + r.h && ev.x >= r.x &&
	    ev.x < r.x + r.w) {
		a->focus = FOCUS_HEAP;
		if (heapmap_click(&a->hm, a->heap, ev.y - r.y, ev.x - r.x))
			set_msg(a, "selected object %u.%u (Enter inspects)",
			        a->hm.cur_page, a->hm.cur_slot);
	} else if (ev.y >= a->lay.stacks.y &&
	           ev.y < a->lay.stacks.y + a->lay.stacks.h &&
	           ev.x < a->lay.stacks.w) {
		a->focus = FOCUS_STACKS;
	} else if (ev.y >= a->lay.log.y && ev.y < a->lay.log.y + a->lay.log.h) {
		a->focus = FOCUS_LOG;
	}
	a->dirty = true;
}

static void move_focus(app *a, int dx, int dy, int page)
{
	int rows = a->hm.rows_visible > 1 ? a->hm.rows_visible : 1;
	int logrows = a->lay.log.h > 3 ? a->lay.log.h - 2 : 1;

	switch (a->focus) {
	case FOCUS_HEAP:
		heapmap_move(&a->hm, a->heap, dx, dy + page * rows);
		if (a->hm.has_cursor)
			set_msg(a, "selected object %u.%u (Enter inspects)",
			        a->hm.cur_page, a->hm.cur_slot);
		break;
	case FOCUS_STACKS: /* left/right: mutators; up/down: frames */
		a->stack_first += dx;
		a->stack_skip += dy + page * 5;
		if (a->stack_skip < 0)
			a->stack_skip = 0;
		if (a->stack_skip > TC_MAX_FRAMES)
			a->stack_skip = TC_MAX_FRAMES;
		break;
	case FOCUS_LOG:
		eventlog_scroll(&a->log, dy + page * logrows);
		break;
	default:
		break;
	}
	a->dirty = true;
}

/* z / Z: zoom the heap map out (dir > 0) or in, and say how far. */
static void zoom(app *a, int dir)
{
	int before = a->hm.zoom;
	unsigned long long n;

	heapmap_zoom(&a->hm, dir);
	n = (1ull << a->hm.zoom) *
	    (unsigned long long)theme_objs_per_cell(&a->th);
	if (a->hm.zoom == before)
		set_msg(a, "zoom: already fully %s (%llu object%s per cell)",
		        dir > 0 ? "out" : "in", n, n == 1 ? "" : "s");
	else
		set_msg(a, "zoom %s: %llu object%s per cell",
		        dir > 0 ? "out" : "in", n, n == 1 ? "" : "s");
}

/* Open the help at its first row. */
static void open_help(app *a)
{
	a->help = true;
	a->help_top = 0;
	a->help_scrolls = false; /* until drawn */
}

/* While the help is taller than its window, the arrows, PgUp/PgDn and
 * Home/End scroll it (help_draw clamps).  Returns false for other keys. */
static bool scroll_help(app *a, int key)
{
	int page = a->lay.help.h > 4 ? a->lay.help.h - 3 : 1;

	switch (key) {
	case KEY_UP:
		a->help_top--;
		break;
	case KEY_DOWN:
		a->help_top++;
		break;
	case KEY_PPAGE:
		a->help_top -= page;
		break;
	case KEY_NPAGE:
		a->help_top += page;
		break;
	case KEY_HOME:
		a->help_top = 0;
		break;
	case KEY_END:
		a->help_top = 1000000; /* clamped to the last page */
		break;
	default:
		return false;
	}
	a->dirty = true;
	return true;
}

static void on_key(app *a, int key, bool fkey)
{
	/* A resize is not a key the user pressed: whatever is open, the
	 * windows must follow the new size, and the help stays open. */
	if (fkey && key == KEY_RESIZE) {
		app_layout(a);
		/* Repaint every cell: a frame written as the terminal
		 * changed size landed by the new geometry, and curses does
		 * not know what is on the screen any more. */
		clearok(curscr, TRUE);
		a->dirty = true;
		return;
	}
	if (a->help) { /* any other key closes help (q still quits) */
		if (fkey && a->help_scrolls && scroll_help(a, key))
			return;
		a->help = false;
		a->dirty = true;
		if (!(key == 'q' && !fkey))
			return;
	}
	if (fkey) {
		switch (key) {
		case KEY_F(1):
			open_help(a);
			break;
		case KEY_MOUSE:
			on_mouse(a);
			break;
		case KEY_UP:
			move_focus(a, 0, -1, 0);
			break;
		case KEY_DOWN:
			move_focus(a, 0, 1, 0);
			break;
		case KEY_LEFT:
			move_focus(a, -1, 0, 0);
			break;
		case KEY_RIGHT:
			move_focus(a, 1, 0, 0);
			break;
		case KEY_PPAGE:
			move_focus(a, 0, 0, -1);
			break;
		case KEY_NPAGE:
			move_focus(a, 0, 0, 1);
			break;
		case KEY_HOME:
			move_focus(a, 0, -1000000, 0);
			break;
		case KEY_END:
			move_focus(a, 0, 1000000, 0);
			break;
		case KEY_ENTER:
			open_inspector(a);
			break;
		case KEY_BTAB:
			a->focus = (focus)((a->focus + NFOCUS - 1) % NFOCUS);
			set_msg(a, "focus: %s", focus_names[a->focus]);
			break;
		case KEY_F(10):
			a->quit = true;
			break;
		default:
			break;
		}
		a->dirty = true;
		return;
	}
	switch (key) {
	case 'q':
	case 'Q':
		a->quit = true;
		break;
	case 27: /* Esc */
		a->inspect = false;
		break;
	case '?':
	case 'h':
		open_help(a);
		break;
	case ' ':
		tv_pause(a->e, !tv_paused(a->e));
		set_msg(a, "%s", tv_paused(a->e) ? "paused" : "resumed");
		break;
	case 'n':
		need_paused(a, tv_step_object(a->e), "n (step one object)",
		            NULL);
		break;
	case 'N':
		need_paused(a, tv_step_phase(a->e), "N (step one phase)", NULL);
		break;
	case 'm':
		need_paused(a, tv_step_mutators(a->e), "m (step mutators)",
		            "step: each mutator performed one operation");
		break;
	case '+':
	case '=':
		if (tv_set_mutators(a->e, tv_get_mutators(a->e) + 1) != 0)
			set_msg(a, "at most %d mutators", TV_MAX_MUTATORS);
		break;
	case '-':
	case '_':
		if (tv_set_mutators(a->e, tv_get_mutators(a->e) - 1) != 0)
			set_msg(a, "mutator count is already at its minimum");
		break;
	case ']':
		step_rate(a, 1);
		break;
	case '[':
		step_rate(a, -1);
		break;
	case '}':
		step_gogc(a, 1);
		break;
	case '{':
		step_gogc(a, -1);
		break;
	case 'g':
		tv_force_gc(a->e);
		break;
	case 'b':
		tv_cycle_barrier(a->e);
		break;
	case 's':
		tv_next_scenario(a->e);
		break;
	case 'z':
		zoom(a, 1);
		break;
	case 'Z':
		zoom(a, -1);
		break;
	case '\t':
		a->focus = (focus)((a->focus + 1) % NFOCUS);
		set_msg(a, "focus: %s", focus_names[a->focus]);
		break;
	case '\n':
	case '\r':
		open_inspector(a);
		break;
	case 12: /* ^L: redraw everything */
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
	a->dirty = true;
}

/* ---- statistics --------------------------------------------------- */

static int cmp_float(const void *x, const void *y)
{
	float a = *(const float *)x, b = *(const float *)y;

	return a < b ? -1 : a > b;
}

static void print_stats(app *a, double wall, double cpu, double helper)
{
	long n = a->frames < MAX_FRAME_SAMPLES ? a->frames : MAX_FRAME_SAMPLES;
	double sum = 0.0, p50 = 0.0, p99 = 0.0, max = 0.0;
	double up = (double)a->st.uptime_ns / 1e9;
	long i;

	for (i = 0; i < n; i++)
		sum += a->frame_ms[i];
	if (n > 0) {
		qsort(a->frame_ms, (size_t)n, sizeof a->frame_ms[0], cmp_float);
		p50 = a->frame_ms[n / 2];
		p99 = a->frame_ms[(n * 99) / 100];
		max = a->frame_ms[n - 1];
	}
	fprintf(stderr,
	        "tricolor: frames %ld in %.2f s = %.1f fps; frame work avg "
	        "%.2f ms p50 %.2f ms p99 %.2f ms max %.2f ms\n"
	        "tricolor: front end CPU %.2f s = %.1f%% of one core (main "
	        "thread %.1f%%, heap snapshot thread %.1f%%)\n"
	        "tricolor: mutator ops %llu in %.2f s = %.0f ops/s; allocated "
	        "%llu objects (%.0f/s); cycles %llu; mutators %d\n"
	        "tricolor: heap picture %zu spans, %zu objects "
	        "(free %zu white %zu grey %zu black %zu)\n",
	        a->frames, wall, wall > 0 ? (double)a->frames / wall : 0.0,
	        n ? sum / (double)n : 0.0, p50, p99, max, cpu + helper,
	        wall > 0 ? (cpu + helper) / wall * 100.0 : 0.0,
	        wall > 0 ? cpu / wall * 100.0 : 0.0,
	        wall > 0 ? helper / wall * 100.0 : 0.0,
	        (unsigned long long)a->st.ops, up,
	        up > 0 ? (double)a->st.ops / up : 0.0,
	        (unsigned long long)a->st.gc.alloc_objects,
	        up > 0 ? (double)a->st.gc.alloc_objects / up : 0.0,
	        (unsigned long long)a->st.gc.cycles, a->st.mutators,
	        a->heap->nspans, a->heap->ncolors, a->heap->counts[0],
	        a->heap->counts[1], a->heap->counts[2], a->heap->counts[3]);
}

/* ---- the loop ----------------------------------------------------- */

int tui_run(const tv_options *eo, const tui_options *t)
{
	static app a; /* large (log ring): keep it off the stack */
	char err[256];
	int fps = t->fps < 1 ? 1 : t->fps > 120 ? 120 : t->fps;
	unsigned long long frame_ns = 1000000000ull / (unsigned)fps;
	unsigned long long next, t_start;
	/* Set and not "0", like TRICOLOR_PIN and TRICOLOR_VERIFY. */
	const char *fs = getenv("TRICOLOR_FRAME_STATS");
	bool want_stats = t->frames > 0 || t->stats ||
	                  (fs != NULL && fs[0] != '\0' && strcmp(fs, "0") != 0);
	double cpu0;
	int status = 0;

	if (!crt_check_tty())
		return 2;
	memset(&a, 0, sizeof a);
	a.opt = t;
	heapmap_init(&a.hm);
	eventlog_init(&a.log);
	a.frame_ms = calloc(MAX_FRAME_SAMPLES, sizeof *a.frame_ms);
	if (a.frame_ms == NULL) {
		fputs("tricolor: out of memory\n", stderr);
		return 1;
	}
	if (crt_init(t->ascii, t->mono, &a.caps, err, sizeof err) != 0) {
		fprintf(stderr, "tricolor: %s\n", err);
		free(a.frame_ms);
		return 1;
	}
	theme_init(&a.th, &a.caps);
	refresh(); /* clear the screen once; stdscr is then left alone */
	a.e = tv_engine_new(eo, err, sizeof err);
	if (a.e == NULL) {
		crt_done();
		fprintf(stderr, "tricolor: %s\n", err);
		free(a.frame_ms);
		return 1;
	}
	a.snap_thread = snapper_start(&a.snap, a.e, &a.heap, frame_ns,
	                              HEAP_SNAPSHOT_SHARE) == 0;
	a.heap_gen = 1;
	app_layout(&a);
	/* The engine's start ("mutators 0 -> 4") is no action of the user's:
	 * the first line they read says how to start. */
	tv_get_status(a.e, &a.st);
	a.engine_msg_seq = a.st.message_seq;
	set_msg(&a, "press ? for help, space to pause, q to quit");

	t_start = next = crt_now_ns();
	cpu0 = thread_cpu_s();
	while (!a.quit && !crt_quit_requested()) {
		unsigned long long now = crt_now_ns();
		int ch;
		wint_t wc;

		if (now >= next || a.dirty) {
			bool full = a.dirty;

			take_snapshots(&a, now);
			draw_frame(&a, now, full);
			if (a.frames < MAX_FRAME_SAMPLES)
				a.frame_ms[a.frames] =
				    (float)(crt_now_ns() - now) / 1e6f;
			a.frames++;
			a.dirty = false;
			if (t->frames > 0 && a.frames >= t->frames)
				break;
			if (now >= next) {
				next += frame_ns;
				if (next < now)
					next = now + frame_ns;
			}
			/* Keys next, even when the frame took longer than
			 * its interval (a slow build, a huge terminal):
			 * drawing again first would never read them. */
			now = crt_now_ns();
		}
		timeout(next > now ? (int)((next - now) / 1000000ull) + 1 : 0);
		ch = get_wch(&wc);
		if (ch == ERR)
			continue;
		on_key(&a, (int)wc, ch == KEY_CODE_YES);
	}
	{
		double wall = (double)(crt_now_ns() - t_start) / 1e9;
		double cpu = thread_cpu_s() - cpu0, helper;

		if (want_stats)
			tv_get_status(a.e, &a.st);
		free_windows(&a);
		crt_done();
		if (crt_quit_signal() != 0)
			status = 128 + crt_quit_signal();
		helper = snapper_stop(&a.snap, a.heap);
		tv_engine_free(a.e);
		if (want_stats)
			print_stats(&a, wall, cpu, helper);
	}
	heapmap_free(&a.hm);
	tv_heap_release(a.heap);
	tv_stacks_release(&a.stacks);
	free(a.frame_ms);
	return status;
}
