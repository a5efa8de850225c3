/*
 * test_tui.c - in-process rendering tests of the TUI panes.
 *
 * Each pane draws from plain data into a WINDOW, so these tests build the
 * data by hand (a tv_heap, tv_stacks, tv_status), draw on an off-screen
 * terminal made with newterm() on /dev/null, and read the cells back with
 * mvwin_wch(): characters, color pairs and attributes.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "tui/crt.h"
#include "tui/eventlog.h"
#include "tui/heapmap.h"
#include "tui/help.h"
#include "tui/inspector.h"
#include "tui/keybar.h"
#include "tui/keys.h"
#include "tui/layout.h"
#include "tui/stackspane.h"
#include "tui/statuspane.h"
#include "tui/theme.h"
#include "tui/tui.h"

static SCREEN *scr;
static FILE *fout, *fin;

static void setup(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "120", 1);
	fout = fopen("/dev/null", "w");
	fin = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(fout);
	ck_assert_ptr_nonnull(fin);
	scr = newterm("xterm-256color", fout, fin);
	ck_assert_ptr_nonnull(scr);
	start_color();
	use_default_colors();
	ck_assert_int_ge(COLORS, 256);
}

static void teardown(void)
{
	endwin();
	delscreen(scr);
	fclose(fout);
	fclose(fin);
}

static void make_theme(theme *th, bool utf8, int colors)
{
	crt_caps caps = {utf8, colors, false};

	theme_init(th, &caps);
}

/* Row y of w as UTF-8 text. */
static const char *row_text(WINDOW *w, int y)
{
	static char buf[4096];
	int x, width = getmaxx(w);
	size_t off = 0;

	for (x = 0; x < width; x++) {
		cchar_t c;
		wchar_t wc[CCHARW_MAX + 1];
		attr_t a;
		short p;
		mbstate_t st;
		char mb[MB_LEN_MAX];
		size_t n;

		if (mvwin_wch(w, y, x, &c) == ERR)
			break;
		getcchar(&c, wc, &a, &p, NULL);
		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, wc[0] ? wc[0] : L' ', &st);
		if (n == (size_t)-1 || off + n >= sizeof buf)
			break;
		memcpy(buf + off, mb, n);
		off += n;
	}
	buf[off] = '\0';
	return buf;
}

/* The character, attributes and pair of one cell. */
static wchar_t cell_at(WINDOW *w, int y, int x, attr_t *attr, short *pair)
{
	cchar_t c;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a;
	short p;

	ck_assert_int_eq(mvwin_wch(w, y, x, &c), OK);
	getcchar(&c, wc, &a, &p, NULL);
	if (attr)
		*attr = a;
	if (pair)
		*pair = p;
	return wc[0];
}

/* ---- hand-built heaps -------------------------------------------- */

#define MAXS 64
#define MAXO 8192

typedef struct fake_heap {
	tv_heap h;
	tc_span_info spans[MAXS];
	size_t first[MAXS];
	uint8_t colors[MAXO];
} fake_heap;

static void fh_init(fake_heap *f)
{
	memset(f, 0, sizeof *f);
	f->h.spans = f->spans;
	f->h.first_color = f->first;
	f->h.colors = f->colors;
	f->h.npages = 1024;
}

/* Add a span of n objects of elemsize at page, colors from cols (cycled). */
static void fh_span(fake_heap *f, uint32_t page, uint32_t elemsize, uint32_t n,
                    const uint8_t *cols, size_t ncols)
{
	tc_span_info *s = &f->spans[f->h.nspans];
	uint32_t i, alloc = 0;

	ck_assert_uint_lt(f->h.nspans, MAXS);
	ck_assert_uint_le(f->h.ncolors + n, MAXO);
	s->page = page;
	s->npages = 1;
	s->sizeclass = elemsize ? 3 : 0;
	s->elemsize = elemsize;
	s->nelems = n;
	f->first[f->h.nspans] = f->h.ncolors;
	for (i = 0; i < n; i++) {
		uint8_t c = cols[i % ncols];

		f->colors[f->h.ncolors + i] = c;
		f->h.counts[c]++;
		alloc += c != TC_FREE;
	}
	s->nalloc = alloc;
	f->h.ncolors += n;
	f->h.nspans++;
}

static const uint8_t eight[8] = {TC_FREE,  TC_WHITE, TC_GREY,  TC_BLACK,
                                 TC_WHITE, TC_WHITE, TC_BLACK, TC_GREY};

/* ---- heap map ----------------------------------------------------- */

START_TEST(heapmap_halfblock_cells_show_two_objects_by_color)
{
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 60, 0, 0);
	short pair;
	int x0 = 1 + HM_LABEL_W;

	make_theme(&th, true, 256);
	ck_assert(th.halfblock);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	ck_assert_int_eq(m.zoom, 0);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	/* objects 0,1 -> cell 0: free over white */
	ck_assert_int_eq(cell_at(w, 2, x0, NULL, &pair), 0x2580);
	ck_assert_int_eq(pair, THEME_PAIR_CELL(TK_FREE, TK_WHITE));
	ck_assert_int_eq(cell_at(w, 2, x0 + 1, NULL, &pair), 0x2580);
	ck_assert_int_eq(pair, THEME_PAIR_CELL(TK_GREY, TK_BLACK));
	cell_at(w, 2, x0 + 2, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CELL(TK_WHITE, TK_WHITE));
	cell_at(w, 2, x0 + 3, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CELL(TK_BLACK, TK_GREY));
	/* past the span's end: nothing */
	ck_assert_int_eq(cell_at(w, 2, x0 + 4, NULL, NULL), L' ');
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_glyphs_tell_colors_apart_without_color)
{
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 60, 0, 0);
	int x0 = 1 + HM_LABEL_W;
	attr_t a;
	short pair;

	make_theme(&th, false, 0);
	ck_assert(!th.halfblock);
	fh_init(&f);
	fh_span(&f, 5, 48, 4, eight, 4);
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	ck_assert_int_eq(cell_at(w, 2, x0, NULL, &pair), L'.');
	ck_assert_int_eq(pair, 0);
	ck_assert_int_eq(cell_at(w, 2, x0 + 1, NULL, NULL), L'o');
	ck_assert_int_eq(cell_at(w, 2, x0 + 2, NULL, NULL), L'%');
	ck_assert_int_eq(cell_at(w, 2, x0 + 3, &a, NULL), L'#');
	ck_assert(a & A_BOLD);
	/* the four glyphs are distinct in UTF-8 mono too */
	make_theme(&th, true, 0);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	ck_assert_int_eq(cell_at(w, 2, x0, NULL, NULL), 0x00b7);
	ck_assert_int_eq(cell_at(w, 2, x0 + 1, NULL, NULL), 0x25cb);
	ck_assert_int_eq(cell_at(w, 2, x0 + 2, NULL, NULL), 0x25d0);
	ck_assert_int_eq(cell_at(w, 2, x0 + 3, NULL, NULL), 0x25cf);
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_eight_colors_use_chip_pairs_in_ascii)
{
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 60, 0, 0);
	int x0 = 1 + HM_LABEL_W;
	short pair;
	short fg, bg;

	make_theme(&th, false, 8);
	fh_init(&f);
	fh_span(&f, 5, 48, 4, eight, 4);
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	ck_assert_int_eq(cell_at(w, 2, x0 + 2, NULL, &pair), L'%');
	ck_assert_int_eq(pair, THEME_PAIR_CHIP(TK_GREY));
	pair_content(pair, &fg, &bg);
	ck_assert_int_eq(bg, COLOR_CYAN);
	ck_assert_int_lt(pair, 256);
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_legend_counts_each_color)
{
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 90, 0, 0);
	const char *t;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	fh_span(&f, 9, 16, 3, eight + 2, 1); /* three grey */
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 90, 12);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	t = row_text(w, 1);
	ck_assert_msg(strstr(t, "free 1 ") != NULL, "legend: %s", t);
	ck_assert_msg(strstr(t, "white 3 ") != NULL, "legend: %s", t);
	ck_assert_msg(strstr(t, "grey 5 ") != NULL, "legend: %s", t);
	ck_assert_msg(strstr(t, "black 2 ") != NULL, "legend: %s", t);
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_rows_are_labelled_with_size_and_occupancy)
{
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 60, 0, 0);
	const char *t;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);       /* 7 of 8 allocated */
	fh_span(&f, 6, 1024, 4, eight + 1, 2); /* all allocated */
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	t = row_text(w, 2);
	ck_assert_msg(strstr(t, "48B  87%") != NULL, "row: %s", t);
	t = row_text(w, 3);
	ck_assert_msg(strstr(t, "1K 100%") != NULL, "row: %s", t);
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_zoom_aggregates_and_grey_wins)
{
	static const uint8_t pairs[8] = {TC_WHITE, TC_GREY,  TC_FREE,  TC_FREE,
	                                 TC_BLACK, TC_BLACK, TC_WHITE, TC_FREE};
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 60, 0, 0);
	int x0 = 1 + HM_LABEL_W;

	make_theme(&th, false, 0);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, pairs, 8);
	heapmap_init(&m);
	heapmap_zoom(&m, 1); /* two objects per unit */
	ck_assert(!m.autozoom);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	ck_assert_int_eq(cell_at(w, 2, x0, NULL, NULL), L'%');     /* w+g */
	ck_assert_int_eq(cell_at(w, 2, x0 + 1, NULL, NULL), L'.'); /* f+f */
	ck_assert_int_eq(cell_at(w, 2, x0 + 2, NULL, NULL), L'#'); /* b+b */
	ck_assert_int_eq(cell_at(w, 2, x0 + 3, NULL, NULL), L'o'); /* w+f */
	ck_assert_int_eq(cell_at(w, 2, x0 + 4, NULL, NULL), L' ');
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_autozoom_packs_a_big_heap_into_the_pane)
{
	static fake_heap f;
	heapmap m;
	theme th;
	uint32_t p;

	make_theme(&th, true, 256);
	fh_init(&f);
	for (p = 0; p < 60; p++)
		fh_span(&f, p, 64, 128, eight, 8);
	heapmap_init(&m);
	/* 60 spans do not fit 9 rows at zoom 0: autozoom packs them */
	heapmap_layout(&m, &f.h, &th, 60, 12);
	ck_assert_int_gt(m.zoom, 0);
	ck_assert_uint_le(m.nrows, 9);
	ck_assert_uint_lt(m.nrows, 60);
	/* zoomed fully in, each span starts its own row(s) */
	heapmap_zoom(&m, -HM_MAX_ZOOM);
	while (m.zoom > 0)
		heapmap_zoom(&m, -1);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	ck_assert_uint_ge(m.nrows, 60);
	heapmap_free(&m);
}
END_TEST

START_TEST(heapmap_flash_marks_barrier_shaded_object)
{
	fake_heap f;
	heapmap m;
	theme th;
	WINDOW *w = newwin(12, 60, 0, 0);
	int x0 = 1 + HM_LABEL_W;
	tc_objid id = {5, 2};
	short pair;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	heapmap_init(&m);
	heapmap_flash(&m, &id, 1, 1000);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	heapmap_draw(w, &m, &f.h, &th, false, 500);
	cell_at(w, 2, x0 + 1, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CELL(TK_FLASH, TK_BLACK));
	/* after its deadline the object shows its own color again */
	heapmap_draw(w, &m, &f.h, &th, false, 2000);
	cell_at(w, 2, x0 + 1, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CELL(TK_GREY, TK_BLACK));
	ck_assert_int_eq(m.nflash, 0);
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heapmap_cursor_moves_selects_and_clicks)
{
	fake_heap f;
	heapmap m;
	theme th;
	tc_objid id;
	attr_t a;
	int x0 = 1 + HM_LABEL_W;
	WINDOW *w = newwin(12, 60, 0, 0);

	make_theme(&th, false, 0);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	fh_span(&f, 7, 48, 8, eight, 8);
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 60, 12);
	heapmap_move(&m, &f.h, 1, 0);
	ck_assert(heapmap_selected(&m, &id));
	ck_assert_uint_eq(id.page, 5);
	ck_assert_uint_eq(id.slot, 1);
	heapmap_move(&m, &f.h, 0, 1); /* down: same column, next span */
	heapmap_selected(&m, &id);
	ck_assert_uint_eq(id.page, 7);
	ck_assert_uint_eq(id.slot, 1);
	heapmap_move(&m, &f.h, 7, 0); /* clamps at the last object */
	heapmap_selected(&m, &id);
	ck_assert_uint_eq(id.slot, 7);
	heapmap_draw(w, &m, &f.h, &th, true, 0);
	cell_at(w, 3, x0 + 7, &a, NULL);
	ck_assert(a & A_REVERSE);
	ck_assert(heapmap_click(&m, &f.h, 2, x0 + 3));
	heapmap_selected(&m, &id);
	ck_assert_uint_eq(id.page, 5);
	ck_assert_uint_eq(id.slot, 3);
	ck_assert(!heapmap_click(&m, &f.h, 0, 0));
	heapmap_free(&m);
	delwin(w);
}
END_TEST

START_TEST(heap_color_of_finds_objects_by_id)
{
	fake_heap f;

	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	fh_span(&f, 9, 48, 8, eight, 8);
	ck_assert_int_eq(heap_color_of(&f.h, (tc_objid){9, 3}), TK_BLACK);
	ck_assert_int_eq(heap_color_of(&f.h, (tc_objid){5, 2}), TK_GREY);
	ck_assert_int_eq(heap_color_of(&f.h, (tc_objid){6, 0}), TK_NONE);
	ck_assert_int_eq(heap_color_of(&f.h, (tc_objid){5, 8}), TK_NONE);
}
END_TEST

/* ---- stacks -------------------------------------------------------- */

static tc_stack_view sv[2];

static void build_stacks(tv_stacks *s)
{
	memset(sv, 0, sizeof sv);
	sv[0].id = 1;
	snprintf(sv[0].name, sizeof sv[0].name, "worker");
	sv[0].state = TC_MS_RUNNING;
	sv[0].stack_black = false;
	sv[0].nframes = 2;
	sv[0].frames[0] = (tc_frame_view){"main", 1, 0};
	sv[0].frames[1] = (tc_frame_view){"bottomUpTree", 3, 1};
	sv[0].nslots = 4;
	sv[0].slots[0] = (tc_slot_view){true, true, {9, 3}, 0}; /* black */
	sv[0].slots[1] = (tc_slot_view){true, true, {5, 2}, 0}; /* grey */
	sv[0].slots[2] = (tc_slot_view){false, false, {0, 0}, 42};
	sv[0].slots[3] = (tc_slot_view){true, false, {0, 0}, 0}; /* nil */
	sv[1].id = 2;
	snprintf(sv[1].name, sizeof sv[1].name, "churn");
	sv[1].state = TC_MS_STOPPED;
	sv[1].stack_black = true;
	s->n = 2;
	s->stacks = sv;
	s->cap = 2;
}

static int find_in_window(WINDOW *w, const char *needle, int *row)
{
	int y, height = getmaxy(w);

	for (y = 0; y < height; y++) {
		const char *t = row_text(w, y);
		const char *p = strstr(t, needle);

		if (p != NULL) {
			const char *q;
			int col = 0;

			/* The cell column: count characters, not bytes. */
			for (q = t; q < p; q++)
				if (((unsigned char)*q & 0xc0) != 0x80)
					col++;
			if (row)
				*row = y;
			return col;
		}
	}
	return -1;
}

START_TEST(stacks_show_state_color_frames_and_slots)
{
	fake_heap f;
	tv_stacks s;
	theme th;
	WINDOW *w = newwin(14, 60, 0, 0);
	int y_top, y_main, x, y;
	short pair;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	fh_span(&f, 9, 48, 8, eight, 8);
	build_stacks(&s);
	stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, 0, &th, false);
	ck_assert_int_ge(find_in_window(w, "m1 worker", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "running", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "stack grey", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "m2 churn", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "stack black", NULL), 0);
	/* a stopped mutator outside a STW phase is at a safepoint */
	ck_assert_int_ge(find_in_window(w, "at safepoint", NULL), 0);
	/* frames top-down: the top frame is drawn above main */
	ck_assert_int_ge(find_in_window(w, "bottomUpTree", &y_top), 0);
	ck_assert_int_ge(find_in_window(w, "main", &y_main), 0);
	ck_assert_int_lt(y_top, y_main);
	ck_assert_int_ge(find_in_window(w, "=42", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "nil", NULL), 0);
	/* pointer slots show the target id on the target's color */
	x = find_in_window(w, "5.2", &y);
	ck_assert_int_ge(x, 0);
	cell_at(w, y, x, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CHIP(TK_GREY));
	x = find_in_window(w, "9.3", &y);
	ck_assert_int_ge(x, 0);
	cell_at(w, y, x, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CHIP(TK_BLACK));
	ck_assert_int_gt(y, y_main); /* main's slot, below its name */
	/* in a stop-the-world phase the stopped one is "in STW" */
	stackspane_draw(w, &s, &f.h, TC_PHASE_MARK_TERM, 0, 0, &th, false);
	ck_assert_int_ge(find_in_window(w, "in STW", NULL), 0);
	/* scrolled one frame down: main shows, bottomUpTree is above */
	stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, 1, &th, true);
	ck_assert_int_ge(find_in_window(w, "^ 1 frame above", NULL), 0);
	ck_assert_int_lt(find_in_window(w, "bottomUpTree", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "main", NULL), 0);
	delwin(w);
	/* too narrow for both: the title counts the columns shown, without
	 * an "m" that would read as a mutator id */
	w = newwin(14, 24, 0, 0);
	stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 1, 0, &th, false);
	ck_assert_int_ge(find_in_window(w, "Stacks: 2-2 of 2", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "m2 churn", NULL), 0);
	ck_assert_int_lt(find_in_window(w, "m1 worker", NULL), 0);
	delwin(w);
}
END_TEST

START_TEST(stacks_without_color_prefix_ids_with_glyphs)
{
	fake_heap f;
	tv_stacks s;
	theme th;
	WINDOW *w = newwin(14, 60, 0, 0);

	make_theme(&th, false, 0);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	fh_span(&f, 9, 48, 8, eight, 8);
	build_stacks(&s);
	stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, 0, &th, false);
	ck_assert_int_ge(find_in_window(w, "%5.2", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "#9.3", NULL), 0);
	delwin(w);
}
END_TEST

/* ---- status -------------------------------------------------------- */

static void build_status(tv_status *st)
{
	memset(st, 0, sizeof *st);
	st->gc.cycles = 12;
	st->gc.phase = TC_PHASE_MARK;
	st->gc.heap_live = 3u << 20;
	st->gc.heap_goal = 6u << 20;
	st->gc.heap_arena = 64u << 20;
	st->gc.grey_objects = 77;
	st->gc.pause_last_ns = 120000;
	st->gc.pause_p99_ns = 300000;
	st->gc.pause_max_ns = 1500000;
	st->gc.gogc = 100;
	st->gc.barrier = TC_BARRIER_HYBRID;
	st->mutators = 4;
	st->rate = 500;
	st->paused = true;
	st->scenario = "trees";
}

START_TEST(status_shows_phase_cycle_and_settings)
{
	tv_status st;
	status_hist hs;
	theme th;
	WINDOW *w = newwin(STATUS_LINES, 150, 0, 0);
	const char *t;
	int x, y;
	short pair;

	make_theme(&th, true, 256);
	memset(&hs, 0, sizeof hs);
	status_hist_push(&hs, 1e6);
	status_hist_pause(&hs, 1e5);
	status_hist_push(&hs, 2e6);
	build_status(&st);
	statuspane_draw(w, &st, &hs, 0.5, "GOGC 100", &th);
	t = row_text(w, 0);
	ck_assert_msg(strstr(t, "cycle 12") != NULL, "%s", t);
	ck_assert_msg(strstr(t, "PAUSED") != NULL, "%s", t);
	x = find_in_window(w, "[mark]", &y);
	ck_assert_int_ge(x, 0);
	cell_at(w, y, x + 1, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_UI(UI_PHASE_ON));
	x = find_in_window(w, "sweep term", &y);
	cell_at(w, y, x, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_UI(UI_PHASE_OFF));
	ck_assert_int_ge(find_in_window(w, "heap live 3M", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "goal 6M", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "arena 64M", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "grey queue 77", NULL), 0);
	ck_assert_int_ge(find_in_window(w, " 50%", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "last 120\u00b5s", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "p99 300\u00b5s", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "max 1.5ms", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "mutators 4", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "rate 500/s", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "GOGC 100", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "barrier hybrid", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "scenario trees", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "\u00bb GOGC 100", NULL), 0);
	/* sparkline: the larger sample is a full bar */
	ck_assert_int_ge(find_in_window(w, "\u2588", NULL), 0);
	st.paused = false;
	st.gc.gogc = TC_GOGC_OFF;
	st.rate = TV_RATE_MAX;
	statuspane_draw(w, &st, &hs, -1, "", &th);
	ck_assert_int_ge(find_in_window(w, "RUNNING", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "GOGC off", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "rate max", NULL), 0);
	/* GOGC off: no goal, not UINT64_MAX bytes */
	st.gc.heap_goal = UINT64_MAX;
	statuspane_draw(w, &st, &hs, -1, "", &th);
	ck_assert_int_ge(find_in_window(w, "goal off  in use", NULL), 0);
	ck_assert_int_lt(find_in_window(w, "16777216T", NULL), 0);
	delwin(w);
}
END_TEST

/* Does row text t hold "label value" with value whole: followed by a
 * space or the end of the row? */
static bool has_field(const char *t, const char *field)
{
	const char *p = strstr(t, field);

	return p != NULL && (p[strlen(field)] == ' ' || p[strlen(field)] == 0);
}

/* Row text t holds the sparklines' two labels and bars, nothing else. */
static bool only_sparklines(const char *t)
{
	static const char *const words[] = {"heap", "pauses"};
	char buf[4096], *p;
	size_t i;

	snprintf(buf, sizeof buf, "%s", t);
	for (i = 0; i < 2; i++)
		if ((p = strstr(buf, words[i])) != NULL)
			memset(p, ' ', strlen(words[i]));
	for (p = buf; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9'))
			return false;
	return true;
}

/* The text of row y with trailing blanks removed. */
static const char *trimmed_row(WINDOW *w, int y)
{
	static char buf[4096];
	size_t n;

	snprintf(buf, sizeof buf, "%s", row_text(w, y));
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

START_TEST(status_keeps_state_cycle_phase_and_warnings_at_any_width)
{
	static const int widths[] = {LAYOUT_MIN_COLS, 80, 100, 140};
	/* labels that must never end a line without their value */
	static const char *const labels[] = {
	    "cycle",   "scenario", "live",     "goal",  "use",   "peak",
	    "arena",   "queue",    "mark",     "alloc", "ops",   "last",
	    "p99",     "max",      "mutators", "mut",   "rate",  "GOGC",
	    "barrier", "LOST",     "CHECKS",   "FULL",  "pause", "grey"};
	tv_status st;
	status_hist hs;
	theme th;
	size_t i, k;

	make_theme(&th, true, 256);
	memset(&hs, 0, sizeof hs);
	status_hist_pause(&hs, 2e6);
	status_hist_push(&hs, 1e6);
	build_status(&st);
	st.gc.cycles = 123456;
	st.gc.heap_live = 1000u << 20;
	st.gc.heap_inuse = 1000u << 20;
	st.gc.heap_peak = 1000u << 20;
	st.gc.heap_arena = 1000u << 20;
	st.gc.barrier = TC_BARRIER_OFF;
	st.gc.verify_violations = 28;
	st.failures = 2;
	st.alloc_failures = 3;
	st.ops_per_sec = 13384785;
	st.alloc_bytes_per_sec = 136e6;
	st.scenario = "graph";
	for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		WINDOW *w = newwin(STATUS_LINES, widths[i], 0, 0);
		const char *t;
		int y;

		statuspane_draw(w, &st, &hs, 0.5, "paused", &th);
		t = row_text(w, 0);
		ck_assert_msg(has_field(t, "cycle 123456"), "%d: %s", widths[i],
		              t);
		ck_assert_msg(strstr(t, "PAUSED") != NULL, "%d: %s", widths[i],
		              t);
		ck_assert_msg(strstr(t, "[mark]") != NULL, "%d: %s", widths[i],
		              t);
		t = row_text(w, 3);
		ck_assert_msg(has_field(t, "LOST 28"), "%d: %s", widths[i], t);
		ck_assert_msg(has_field(t, "FAILED CHECKS 2"), "%d: %s",
		              widths[i], t);
		ck_assert_msg(has_field(t, "HEAP FULL x3"), "%d: %s", widths[i],
		              t);
		/* the operation rate, whole in one form or the other */
		t = row_text(w, 2);
		ck_assert_msg(has_field(t, "ops 13384785/s") ||
		                  has_field(t, "ops 13.4M/s") ||
		                  strstr(t, "ops") == NULL,
		              "%d: %s", widths[i], t);
		/* nothing spills onto the sparkline line */
		t = row_text(w, 4);
		ck_assert_msg(strncmp(t, "heap ", 5) == 0, "%d: %s", widths[i],
		              t);
		ck_assert_msg(only_sparklines(t), "%d: row 4 garbled: %s",
		              widths[i], t);
		/* and no line ends on a label that lost its value */
		for (y = 0; y < 4; y++) {
			const char *r = trimmed_row(w, y);
			const char *end = strrchr(r, ' ');

			end = end ? end + 1 : r;
			for (k = 0; k < sizeof labels / sizeof labels[0]; k++)
				ck_assert_msg(strcmp(end, labels[k]) != 0,
				              "%d: row %d ends on a label: %s",
				              widths[i], y, r);
		}
		delwin(w);
	}
}
END_TEST

START_TEST(status_shows_everything_when_wide_and_never_wraps_when_not)
{
	tv_status st;
	status_hist hs;
	theme th;
	WINDOW *w = newwin(STATUS_LINES, 140, 0, 0);
	const char *t;

	make_theme(&th, true, 256);
	memset(&hs, 0, sizeof hs);
	build_status(&st);
	st.ops_per_sec = 13384785;
	statuspane_draw(w, &st, &hs, -1, "", &th);
	t = row_text(w, 0);
	ck_assert_msg(strncmp(t, "tricolor  off \u25b8 sweep term \u25b8[mark]",
	                      strlen("tricolor  off \u25b8 sweep term "
	                             "\u25b8[mark]")) == 0,
	              "%s", t);
	ck_assert_msg(strstr(t, "scenario trees") != NULL, "%s", t);
	ck_assert_int_ge(
	    find_in_window(w, "in use 0B  peak 0B  arena 64M", NULL), 0);
	ck_assert_int_ge(
	    find_in_window(w, "   --  alloc 0B/s  ops 13384785/s", NULL), 0);
	ck_assert_int_ge(find_in_window(w,
	                                "pause last 120\u00b5s p99 300\u00b5s "
	                                "max 1.5ms  mutators 4  rate 500/s  "
	                                "GOGC 100  barrier hybrid",
	                                NULL),
	                 0);
	delwin(w);
	/* narrower than the minimum: the lines are clipped, not wrapped */
	w = newwin(STATUS_LINES, 40, 0, 0);
	statuspane_draw(w, &st, &hs, -1, "", &th);
	t = row_text(w, 1);
	ck_assert_msg(strncmp(t, "heap live 3M", 12) == 0, "%s", t);
	t = row_text(w, 4);
	ck_assert_msg(strncmp(t, "heap ", 5) == 0, "%s", t);
	delwin(w);
}
END_TEST

START_TEST(pause_sparkline_keeps_the_longest_pause_of_each_interval)
{
	status_hist hs;
	theme th;
	WINDOW *w = newwin(1, 20, 0, 0);
	const char *t;

	make_theme(&th, true, 256);
	memset(&hs, 0, sizeof hs);
	/* a long pause, then a short one, in the same interval */
	status_hist_pause(&hs, 5e6);
	status_hist_pause(&hs, 1e5);
	status_hist_push(&hs, 1e6);
	ck_assert(hs.pause[0] == 5e6);
	/* an interval without a pause */
	status_hist_push(&hs, 1e6);
	ck_assert(hs.pause[1] == 0);
	/* a short one, then a long one */
	status_hist_pause(&hs, 1e5);
	status_hist_pause(&hs, 2.5e6);
	status_hist_push(&hs, 1e6);
	ck_assert(hs.pause[2] == 2.5e6);
	ck_assert_int_eq(hs.n, 3);
	/* drawn: full bar, nothing, half bar */
	sparkline_draw(w, hs.pause, hs.n, hs.next, 3, &th);
	t = row_text(w, 0);
	ck_assert_msg(strncmp(t, "\u2588 \u2584", strlen("\u2588 \u2584")) == 0,
	              "%s", t);
	delwin(w);
}
END_TEST

/* ---- layout ------------------------------------------------------- */

START_TEST(too_small_terminal_gets_a_message)
{
	layout l;
	WINDOW *w = newwin(10, 40, 0, 0);

	ck_assert(!layout_compute(10, 40, &l));
	ck_assert(l.too_small);
	layout_draw_too_small(w, 10, 40);
	ck_assert_int_ge(find_in_window(w, "Terminal too small", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "is 40x10", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "at least 64x18", NULL), 0);
	ck_assert(layout_compute(24, 80, &l));
	ck_assert(!l.too_small);
	/* the panes tile the screen without overlap */
	ck_assert_int_eq(l.status.h + l.heap.h + l.log.h + l.keys.h, 24);
	ck_assert_int_eq(l.stacks.w + l.heap.w, 80);
	ck_assert_int_eq(l.heap.y, l.stacks.y);
	delwin(w);
}
END_TEST

START_TEST(too_small_message_starts_with_what_is_wrong_when_short)
{
	WINDOW *w = newwin(2, 30, 0, 0);
	int row = -1;

	/* Two lines: the first two lines of the message, not its middle. */
	layout_draw_too_small(w, 2, 30);
	ck_assert_int_ge(find_in_window(w, "Terminal too small:", &row), 0);
	ck_assert_int_eq(row, 0);
	ck_assert_int_ge(find_in_window(w, "is 30x2", &row), 0);
	ck_assert_int_eq(row, 1);
	delwin(w);
	w = newwin(1, 12, 0, 0);
	layout_draw_too_small(w, 1, 12);
	ck_assert_str_eq(row_text(w, 0), "Terminal too");
	delwin(w);
}
END_TEST

START_TEST(keys_help_names_every_key)
{
	const char *t = tui_keys_help();
	static const char *const want[] = {
	    "space", "n ",      "N ",     "m ",     "+ -",    "] [",
	    "} {",   "g ",      "b ",     "s ",     "z Z",    "Tab",
	    "Enter", "q Q F10", "? h F1", "Ctrl-L", "= and _"};
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(t, want[i]) != NULL, "missing %s",
		              want[i]);
}
END_TEST

/* ---- key bar, help, event log, inspector -------------------------- */

START_TEST(keybar_keeps_quit_visible_when_narrow)
{
	theme th;
	WINDOW *w = newwin(1, 64, 0, 0);
	const char *t;

	make_theme(&th, true, 256);
	keybar_draw(w, &th);
	t = row_text(w, 0);
	ck_assert_msg(strstr(t, "F1Help") == t, "%s", t);
	ck_assert_msg(strstr(t, "SpcPause") != NULL, "%s", t);
	ck_assert_msg(strstr(t, "qQuit") != NULL, "%s", t);
	delwin(w);
}
END_TEST

START_TEST(help_screen_lists_every_key_and_color)
{
	theme th;
	WINDOW *w = newwin(40, 100, 0, 0);
	int i, top = 5;

	make_theme(&th, false, 0);
	/* it fits: nothing to scroll, and the text starts at its top */
	ck_assert(!help_draw(w, &th, &top));
	ck_assert_int_eq(top, 0);
	ck_assert_int_ge(find_in_window(w, "any key closes", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "Help - tricolor", NULL), 0);
	for (i = 0; i < tui_nkeys; i++)
		ck_assert_msg(find_in_window(w, tui_keys[i].help, NULL) >= 0,
		              "help misses: %s", tui_keys[i].help);
	ck_assert_int_ge(find_in_window(w, "grey: reached", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "% ", NULL), 0);
	delwin(w);
}
END_TEST

/* Append the text of row y of w without its borders to buf, one space
 * between rows and none doubled. */
static void append_inner_row(char *buf, size_t len, WINDOW *w, int y)
{
	const char *t = row_text(w, y);
	size_t off = strlen(buf);

	for (; *t != '\0' && off + 1 < len; t++) {
		char c = *t;

		if (strncmp(t, "\u2502", 3) == 0) { /* a border */
			t += 2;
			c = ' ';
		}
		if (c == ' ' && (off == 0 || buf[off - 1] == ' '))
			continue;
		buf[off++] = c;
	}
	if (off > 0 && buf[off - 1] != ' ' && off + 1 < len)
		buf[off++] = ' ';
	buf[off] = '\0';
}

START_TEST(help_scrolls_so_every_line_reads_at_minimum_size)
{
	static char all[16384];
	static const char *const more[] = {
	    "A concurrent tri-color mark-sweep collector modelled on Go's, "
	    "running live.",
	    "grey: reached, its fields not yet scanned (on the grey queue)",
	    "black: reached and scanned; allocated black during mark",
	    "flash: just shaded by the write barrier",
	    "Phases: off > sweep termination (STW) > mark (concurrent, "
	    "barrier on) > mark termination (STW) > sweep (concurrent).",
	    "Each heap cell shows two objects: upper half first, lower half "
	    "second."};
	int h = LAYOUT_MIN_LINES - 1, top = 0, prev = -1, y, i;
	WINDOW *w = newwin(h, LAYOUT_MIN_COLS, 0, 0);
	theme th;

	make_theme(&th, true, 256);
	all[0] = '\0';
	ck_assert(help_draw(w, &th, &top));
	ck_assert_int_ge(find_in_window(w, "arrows scroll", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "lines 1-15 of", NULL), 0);
	/* Scroll one row at a time, keeping the first row shown each
	 * time, until the text stops moving: then the rest of the last
	 * page.  That is every row of the help, once, in order. */
	while (top != prev) {
		append_inner_row(all, sizeof all, w, 1);
		prev = top++;
		help_draw(w, &th, &top);
	}
	for (y = 2; y < h - 1; y++)
		append_inner_row(all, sizeof all, w, y);
	for (i = 0; i < tui_nkeys; i++) {
		ck_assert_msg(strstr(all, tui_keys[i].keys) != NULL,
		              "help misses key %s: %s", tui_keys[i].keys, all);
		ck_assert_msg(strstr(all, tui_keys[i].help) != NULL,
		              "help misses or cuts: %s\nin: %s",
		              tui_keys[i].help, all);
	}
	for (i = 0; i < (int)(sizeof more / sizeof more[0]); i++)
		ck_assert_msg(strstr(all, more[i]) != NULL,
		              "help misses or cuts: %s\nin: %s", more[i], all);
	/* scrolled past the end: clamped to the last page */
	top = 1000;
	ck_assert(help_draw(w, &th, &top));
	ck_assert_int_eq(top, prev);
	ck_assert_int_ge(find_in_window(w, "Each heap cell", NULL), 0);
	top = -3;
	help_draw(w, &th, &top);
	ck_assert_int_eq(top, 0);
	delwin(w);
}
END_TEST

START_TEST(event_log_shows_newest_last_and_scrolls_back)
{
	static eventlog l;
	theme th;
	WINDOW *w = newwin(5, 60, 0, 0); /* three lines of text */
	char line[32];
	int i, y;

	make_theme(&th, true, 256);
	eventlog_init(&l);
	for (i = 1; i <= 10; i++) {
		snprintf(line, sizeof line, "event number %d", i);
		eventlog_add(&l, line, i % 2 == 0);
	}
	eventlog_draw(w, &l, &th, false);
	ck_assert_int_ge(find_in_window(w, "event number 10", &y), 0);
	ck_assert_int_eq(y, 3);
	ck_assert_int_ge(find_in_window(w, "event number 8", &y), 0);
	ck_assert_int_eq(y, 1);
	ck_assert_int_lt(find_in_window(w, "event number 7", NULL), 0);
	eventlog_scroll(&l, -2);
	eventlog_draw(w, &l, &th, true);
	ck_assert_int_ge(find_in_window(w, "event number 8", &y), 0);
	ck_assert_int_eq(y, 3);
	ck_assert_int_ge(find_in_window(w, "2 back", NULL), 0);
	eventlog_scroll(&l, 100); /* clamps at the newest */
	ck_assert_int_eq(l.scroll, 0);
}
END_TEST

/* ---- heap cursor, log scroll-back, stacks scroll and wording ------ */

/* What a viewer sees in a cell: the colors of its upper and lower halves
 * and, for a glyph, the glyph and its color.  The default colors are told
 * apart (-2 the default foreground, -1 the default background) so that
 * reverse video shows without colors too. */
typedef struct look {
	short upper, lower, ink;
	wchar_t glyph;
} look;

static look look_at(WINDOW *w, int y, int x)
{
	look l = {0, 0, 0, L' '};
	attr_t a;
	short pair, fg, bg, t;
	wchar_t c = cell_at(w, y, x, &a, &pair);

	ck_assert_int_lt(pair, 256); /* COLOR_PAIR() reaches 255 */
	pair_content(pair, &fg, &bg);
	if (fg < 0)
		fg = -2;
	if (bg < 0)
		bg = -1;
	if (a & A_REVERSE) {
		t = fg;
		fg = bg;
		bg = t;
	}
	if (c == 0x2580) { /* upper half block */
		l.upper = fg;
		l.lower = bg;
	} else if (c == 0x2584) { /* lower half block */
		l.upper = bg;
		l.lower = fg;
	} else {
		l.upper = l.lower = bg;
		if (c != L' ') {
			l.ink = fg;
			l.glyph = c;
		}
	}
	return l;
}

static bool same_look(look a, look b)
{
	return a.upper == b.upper && a.lower == b.lower && a.ink == b.ink &&
	       a.glyph == b.glyph;
}

START_TEST(heapmap_cursor_stands_out_in_every_mode)
{
	static const uint8_t white[1] = {TC_WHITE};
	static const struct {
		bool utf8;
		int colors;
	} modes[] = {{true, 256}, {true, 8}, {false, 256},
	             {false, 8},  {true, 0}, {false, 0}};
	fake_heap f;
	int x0 = 1 + HM_LABEL_W;
	size_t i;

	/* One color throughout: in half-block mode both halves of every
	 * cell are the same, where reverse video changes nothing. */
	fh_init(&f);
	fh_span(&f, 5, 48, 8, white, 1);
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		WINDOW *w = newwin(12, 60, 0, 0);
		heapmap m;
		theme th;
		look plain, sel;
		int opc, x;

		make_theme(&th, modes[i].utf8, modes[i].colors);
		opc = theme_objs_per_cell(&th);
		heapmap_init(&m);
		heapmap_layout(&m, &f.h, &th, 60, 12);
		heapmap_move(&m, &f.h, 2, 0); /* object 2 */
		x = x0 + 2 / opc;
		heapmap_draw(w, &m, &f.h, &th, false, 0); /* no cursor */
		plain = look_at(w, 2, x);
		heapmap_draw(w, &m, &f.h, &th, true, 0);
		sel = look_at(w, 2, x);
		ck_assert_msg(!same_look(plain, sel),
		              "mode %zu: the cursor does not show", i);
		/* its neighbour is drawn as usual */
		ck_assert(same_look(look_at(w, 2, x + 1), plain));
		if (opc == 2) {
			/* The selected half is marked, the other object
			 * still shows; one step right marks the lower. */
			ck_assert_int_ne(sel.upper, plain.upper);
			ck_assert_int_eq(sel.lower, plain.lower);
			heapmap_move(&m, &f.h, 1, 0);
			heapmap_draw(w, &m, &f.h, &th, true, 0);
			sel = look_at(w, 2, x);
			ck_assert_int_eq(sel.upper, plain.upper);
			ck_assert_int_ne(sel.lower, plain.lower);
		}
		heapmap_free(&m);
		delwin(w);
	}
}
END_TEST

/* Fill l with lines "[first]".."[last]". */
static void log_lines(eventlog *l, int first, int last)
{
	char line[32];
	int i;

	for (i = first; i <= last; i++) {
		snprintf(line, sizeof line, "event [%d]", i);
		eventlog_add(l, line, false);
	}
}

START_TEST(event_log_scrolled_back_keeps_a_full_page_as_old_lines_go)
{
	static eventlog l;
	theme th;
	WINDOW *w = newwin(5, 60, 0, 0); /* three lines of text */
	int y;

	make_theme(&th, true, 256);
	eventlog_init(&l);
	log_lines(&l, 1, 10);
	eventlog_draw(w, &l, &th, true);
	eventlog_scroll(&l, -2); /* [6] [7] [8] */
	/* while the ring fills, new lines leave the view still */
	log_lines(&l, 11, 20);
	eventlog_draw(w, &l, &th, true);
	ck_assert_int_ge(find_in_window(w, "[6]", &y), 0);
	ck_assert_int_eq(y, 1);
	/* once it is full new lines overwrite the old ones, those looked
	 * at too: the view stays on the oldest full page */
	log_lines(&l, 21, 3 * LOG_LINES);
	eventlog_draw(w, &l, &th, true);
	ck_assert_int_eq(l.scroll, LOG_LINES - 3);
	for (y = 1; y <= 3; y++) {
		char want[16];
		int row;

		snprintf(want, sizeof want, "[%d]", 2 * LOG_LINES + y);
		ck_assert_msg(find_in_window(w, want, &row) >= 0,
		              "%s missing; title: %s", want, row_text(w, 0));
		ck_assert_int_eq(row, y);
	}
	delwin(w);
}
END_TEST

START_TEST(event_log_home_shows_the_oldest_full_page_and_end_the_newest)
{
	static eventlog l;
	theme th;
	WINDOW *w = newwin(5, 60, 0, 0); /* three lines of text */
	int y;

	make_theme(&th, true, 256);
	eventlog_init(&l);
	log_lines(&l, 1, 2); /* fewer lines than rows: nothing to scroll */
	eventlog_draw(w, &l, &th, true);
	eventlog_scroll(&l, -1000000);
	ck_assert_int_eq(l.scroll, 0);
	log_lines(&l, 3, LOG_LINES + 100);
	eventlog_scroll(&l, -1000000); /* Home */
	eventlog_draw(w, &l, &th, true);
	ck_assert_int_ge(find_in_window(w, "[101]", &y), 0);
	ck_assert_int_eq(y, 1);
	ck_assert_int_ge(find_in_window(w, "[103]", &y), 0);
	ck_assert_int_eq(y, 3);
	ck_assert_int_ge(find_in_window(w, "(509 back)", NULL), 0);
	eventlog_scroll(&l, 1000000); /* End */
	eventlog_draw(w, &l, &th, true);
	ck_assert_int_eq(l.scroll, 0);
	ck_assert_int_ge(find_in_window(w, "[612]", &y), 0);
	ck_assert_int_eq(y, 3);
	delwin(w);
}
END_TEST

START_TEST(stacks_scroll_stops_at_the_deepest_shown_stack)
{
	fake_heap f;
	tv_stacks s;
	theme th;
	WINDOW *w = newwin(14, 60, 0, 0);
	int i, skip;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	fh_span(&f, 9, 48, 8, eight, 8);
	build_stacks(&s);
	/* m1 ten frames deep (main at the bottom), m2 three */
	for (i = 2; i < 10; i++)
		sv[0].frames[i] = (tc_frame_view){"deeper", 0, 4};
	sv[0].nframes = 10;
	sv[1].frames[0] = (tc_frame_view){"main", 0, 0};
	sv[1].frames[1] = (tc_frame_view){"walk", 0, 0};
	sv[1].frames[2] = (tc_frame_view){"visit", 0, 0};
	sv[1].nframes = 3;
	/* End asks for every frame: the deepest stack keeps main shown,
	 * and the value to keep is what was drawn */
	skip = stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, TC_MAX_FRAMES,
	                       &th, true);
	ck_assert_int_eq(skip, 9);
	ck_assert_int_ge(find_in_window(w, "^ 9 frames above", NULL), 0);
	/* so the next Up moves at once */
	skip =
	    stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, skip - 1, &th, true);
	ck_assert_int_eq(skip, 8);
	ck_assert_int_ge(find_in_window(w, "^ 8 frames above", NULL), 0);
	ck_assert_int_eq(
	    stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, -3, &th, true), 0);
	delwin(w);
	/* only m2 shown: its three frames bound the scroll */
	w = newwin(14, 24, 0, 0);
	skip = stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 1, TC_MAX_FRAMES,
	                       &th, true);
	ck_assert_int_eq(skip, 2);
	delwin(w);
}
END_TEST

START_TEST(panes_say_one_of_a_thing_in_the_singular)
{
	fake_heap f;
	tv_stacks s;
	tv_object o;
	heapmap m;
	theme th;
	WINDOW *w = newwin(14, 60, 0, 0);
	int i;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	build_stacks(&s);
	s.n = 1;
	stackspane_draw(w, &s, &f.h, TC_PHASE_MARK, 0, 1, &th, true);
	ck_assert_int_ge(find_in_window(w, "Stacks: 1 mutator ", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "^ 1 frame above", NULL), 0);
	heapmap_init(&m);
	heapmap_layout(&m, &f.h, &th, 60, 14);
	heapmap_draw(w, &m, &f.h, &th, false, 0);
	ck_assert_int_ge(find_in_window(w, "Heap: 1 span,", NULL), 0);
	heapmap_free(&m);
	delwin(w);
	/* seventeen pointer fields, sixteen shown */
	w = newwin(30, 70, 0, 0);
	memset(&o, 0, sizeof o);
	o.info.id = (tc_objid){5, 3};
	o.info.nptrs = TV_INSPECT_FIELDS + 1;
	o.nfields = TV_INSPECT_FIELDS;
	for (i = 0; i < o.nfields; i++)
		o.fields[i] = (tc_objid){5, 1};
	inspector_draw(w, &o, true, o.info.id, &f.h, &th);
	ck_assert_int_ge(find_in_window(w, "... 1 more field ", NULL), 0);
	delwin(w);
}
END_TEST

START_TEST(inspector_shows_fields_in_their_targets_colors)
{
	fake_heap f;
	tv_object o;
	theme th;
	WINDOW *w = newwin(14, 70, 0, 0);
	short pair;
	int x, y;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	memset(&o, 0, sizeof o);
	o.info.id = (tc_objid){5, 3};
	o.info.color = TC_BLACK;
	o.info.sizeclass = 3;
	o.info.elemsize = 48;
	o.info.nptrs = 3;
	o.nfields = 3;
	o.fields[0] = (tc_objid){5, 2};
	o.field_nonnull[0] = true;
	o.field_color[0] = TC_GREY;
	o.field_nonnull[1] = false;
	o.fields[2] = (tc_objid){5, 1};
	o.field_nonnull[2] = true;
	o.field_color[2] = TC_WHITE;
	o.nreferrers = 1;
	o.referrers[0] = (tc_objid){5, 6};
	o.nroot_refs = 1;
	snprintf(o.roots[0], sizeof o.roots[0], "worker 3 bottomUpTree[1]");
	inspector_draw(w, &o, true, o.info.id, &f.h, &th);
	ck_assert_int_ge(find_in_window(w, "Object 5.3", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "size class 3 (48B)", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "5.3 black", NULL), 0);
	x = find_in_window(w, "5.2 grey", &y);
	ck_assert_int_ge(x, 0);
	cell_at(w, y, x, NULL, &pair);
	ck_assert_int_eq(pair, THEME_PAIR_CHIP(TK_GREY));
	ck_assert_int_ge(find_in_window(w, "f1  nil", NULL), 0);
	ck_assert_int_ge(find_in_window(w, "5.1 white", NULL), 0);
	x = find_in_window(w, "pointed to by 5.6", &y);
	ck_assert_int_ge(x, 0);
	cell_at(w, y, x + 14, NULL, &pair); /* 5.6 is black in the heap */
	ck_assert_int_eq(pair, THEME_PAIR_CHIP(TK_BLACK));
	ck_assert_int_ge(
	    find_in_window(w, "root worker 3 bottomUpTree[1]", NULL), 0);
	inspector_draw(w, &o, false, (tc_objid){9, 9}, &f.h, &th);
	ck_assert_int_ge(find_in_window(w, "no object lives there", NULL), 0);
	delwin(w);
}
END_TEST

START_TEST(inspector_too_short_for_every_field_says_how_many_are_left)
{
	fake_heap f;
	tv_object o;
	theme th;
	WINDOW *w = newwin(12, 70, 0, 0);
	int i, row = -1;

	make_theme(&th, true, 256);
	fh_init(&f);
	fh_span(&f, 5, 48, 8, eight, 8);
	memset(&o, 0, sizeof o);
	o.info.id = (tc_objid){5, 3};
	o.info.color = TC_BLACK;
	o.info.elemsize = 1024;
	o.info.nptrs = 66;
	o.nfields = TV_INSPECT_FIELDS;
	o.nroot_refs = 3;
	for (i = 0; i < 3; i++)
		snprintf(o.roots[i], sizeof o.roots[i], "worker %d main[1]", i);
	/* 12 rows: border, two header rows, three fields, the count of the
	 * rest, "pointed to by", three roots, border. */
	inspector_draw(w, &o, true, o.info.id, &f.h, &th);
	ck_assert_int_ge(find_in_window(w, "f2  nil", &row), 0);
	ck_assert_int_eq(row, 5);
	ck_assert_int_ge(find_in_window(w, "... 63 more fields", &row), 0);
	ck_assert_int_eq(row, 6);
	ck_assert_int_ge(find_in_window(w, "pointed to by", &row), 0);
	ck_assert_int_eq(row, 7);
	ck_assert_int_ge(find_in_window(w, "root worker 2 main[1]", &row), 0);
	ck_assert_int_eq(row, 10);
	delwin(w);
}
END_TEST

/* crt_init refuses a terminal type that cannot move its cursor (curses
 * would draw line by line: one garbled line) with the advice an unknown
 * type gets, and shows TERM, the user's input, through tc_quote: an
 * escape in it is printed, not sent.  (No fixture: crt_init sets up
 * terminfo of its own, and check runs each test in its own process.) */
START_TEST(crt_refuses_terminals_it_cannot_draw_on)
{
	crt_caps caps;
	char err[256];

	ck_assert_int_eq(setenv("TERM", "dumb", 1), 0);
	ck_assert_int_eq(crt_init(false, false, &caps, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "'dumb' cannot move its cursor") != NULL,
	              "%s", err);
	ck_assert_msg(strstr(err, "--headless") != NULL, "%s", err);

	ck_assert_int_eq(setenv("TERM", "no-such\x1b[31mterm", 1), 0);
	ck_assert_int_eq(crt_init(false, false, &caps, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "'no-such\\x1b[31mterm' is unknown") != NULL,
	              "%s", err);
	ck_assert_msg(strchr(err, '\x1b') == NULL, "%s", err);

	ck_assert_int_eq(setenv("TERM", "", 1), 0);
	ck_assert_int_eq(crt_init(false, false, &caps, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "TERM is not set") != NULL, "%s", err);
}
END_TEST

static Suite *tui_suite(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("render");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, heapmap_halfblock_cells_show_two_objects_by_color);
	tcase_add_test(tc, heapmap_glyphs_tell_colors_apart_without_color);
	tcase_add_test(tc, heapmap_eight_colors_use_chip_pairs_in_ascii);
	tcase_add_test(tc, heapmap_legend_counts_each_color);
	tcase_add_test(tc, heapmap_rows_are_labelled_with_size_and_occupancy);
	tcase_add_test(tc, heapmap_zoom_aggregates_and_grey_wins);
	tcase_add_test(tc, heapmap_autozoom_packs_a_big_heap_into_the_pane);
	tcase_add_test(tc, heapmap_flash_marks_barrier_shaded_object);
	tcase_add_test(tc, heapmap_cursor_moves_selects_and_clicks);
	tcase_add_test(tc, heap_color_of_finds_objects_by_id);
	tcase_add_test(tc, stacks_show_state_color_frames_and_slots);
	tcase_add_test(tc, stacks_without_color_prefix_ids_with_glyphs);
	tcase_add_test(tc, status_shows_phase_cycle_and_settings);
	tcase_add_test(
	    tc, pause_sparkline_keeps_the_longest_pause_of_each_interval);
	tcase_add_test(
	    tc, status_keeps_state_cycle_phase_and_warnings_at_any_width);
	tcase_add_test(
	    tc, status_shows_everything_when_wide_and_never_wraps_when_not);
	tcase_add_test(tc, too_small_terminal_gets_a_message);
	tcase_add_test(tc,
	               too_small_message_starts_with_what_is_wrong_when_short);
	tcase_add_test(tc, keys_help_names_every_key);
	tcase_add_test(tc, keybar_keeps_quit_visible_when_narrow);
	tcase_add_test(tc, help_screen_lists_every_key_and_color);
	tcase_add_test(tc, help_scrolls_so_every_line_reads_at_minimum_size);
	tcase_add_test(tc, event_log_shows_newest_last_and_scrolls_back);
	tcase_add_test(tc, heapmap_cursor_stands_out_in_every_mode);
	tcase_add_test(
	    tc, event_log_scrolled_back_keeps_a_full_page_as_old_lines_go);
	tcase_add_test(
	    tc, event_log_home_shows_the_oldest_full_page_and_end_the_newest);
	tcase_add_test(tc, stacks_scroll_stops_at_the_deepest_shown_stack);
	tcase_add_test(tc, panes_say_one_of_a_thing_in_the_singular);
	tcase_add_test(tc, inspector_shows_fields_in_their_targets_colors);
	tcase_add_test(
	    tc, inspector_too_short_for_every_field_says_how_many_are_left);
	suite_add_tcase(s, tc);

	tc = tcase_create("terminal");
	tcase_add_test(tc, crt_refuses_terminals_it_cannot_draw_on);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tui_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
