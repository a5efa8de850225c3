/*
 * heapmap.c - the heap map pane (see heapmap.h for what it shows).
 *
 * Per frame: heapmap_layout() walks the span list once (O(spans), not
 * O(objects)) to cut it into rows of units; heapmap_draw() then looks at
 * the objects of the visible rows only.  Nothing is allocated per frame
 * once the segment buffer has grown to the heap's size.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/heapmap.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL && n != 0) {
		fputs("tricolor: out of memory\n", stderr);
		abort();
	}
	return q;
}

void heapmap_init(heapmap *m)
{
	memset(m, 0, sizeof *m);
	m->autozoom = true;
}

void heapmap_free(heapmap *m)
{
	free(m->segs);
	m->segs = NULL;
	m->nsegs = m->cap_segs = 0;
}

void fmt_bytes(char *buf, size_t len, uint64_t b)
{
	static const char units[] = "BKMGT";
	double v = (double)b;
	int u = 0;

	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)b);
	else if (v < 10.0 && v != (double)(uint64_t)v)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

long heap_span_index(const tv_heap *h, uint32_t page)
{
	size_t lo = 0, hi = h->nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->spans[mid].page < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < h->nspans && h->spans[lo].page == page)
		return (long)lo;
	return -1;
}

int heap_color_of(const tv_heap *h, tc_objid id)
{
	long s = heap_span_index(h, id.page);

	if (s < 0 || id.slot >= h->spans[s].nelems)
		return TK_NONE;
	return h->colors[h->first_color[s] + id.slot] & 3;
}

/* ---- layout ------------------------------------------------------- */

static void push_seg(heapmap *m, uint32_t span, uint32_t obj, uint32_t nobj,
                     uint32_t row, uint32_t col)
{
	hm_seg *s;

	if (m->nsegs == m->cap_segs) {
		m->cap_segs = m->cap_segs ? m->cap_segs * 2 : 1024;
		m->segs = xrealloc(m->segs, m->cap_segs * sizeof *m->segs);
	}
	s = &m->segs[m->nsegs++];
	s->span = span;
	s->obj = obj;
	s->nobj = nobj;
	s->row = row;
	s->col = col;
}

/* Lay the heap out at zoom z with upr units per row.  With emit false only
 * count the rows (used to choose the zoom). */
static uint32_t lay_out(heapmap *m, const tv_heap *h, int z, int upr, bool emit)
{
	uint32_t row = 0, col = 0;
	uint64_t u = 1ull << z;
	size_t i;

	if (emit)
		m->nsegs = 0;
	for (i = 0; i < h->nspans; i++) {
		uint32_t n = h->spans[i].nelems;
		uint64_t units = (n + u - 1) / u;
		bool packed = z > 0 && units * 2 <= (uint64_t)upr;
		uint32_t obj = 0;

		if (n == 0)
			continue;
		if (col > 0 && (!packed || col + units > (uint64_t)upr)) {
			row++;
			col = 0;
		}
		while (obj < n) {
			uint64_t room = (uint64_t)upr - col;
			uint64_t left = (n - obj + u - 1) / u;
			uint64_t k = left < room ? left : room;
			uint64_t nobj = k * u;

			if (nobj > n - obj)
				nobj = n - obj;
			if (emit)
				push_seg(m, (uint32_t)i, obj, (uint32_t)nobj,
				         row, col);
			obj += (uint32_t)nobj;
			col += (uint32_t)k;
			if (col >= (uint32_t)upr) {
				row++;
				col = 0;
			}
		}
		if (!packed && col > 0) {
			row++;
			col = 0;
		}
	}
	return row + (col > 0);
}

/* Segment holding object (span, obj), or -1.  Segments are in address
 * order, so binary search on (span, obj). */
static long find_seg(const heapmap *m, uint32_t span, uint32_t obj)
{
	size_t lo = 0, hi = m->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const hm_seg *s = &m->segs[mid];

		if (s->span < span ||
		    (s->span == span && s->obj + s->nobj <= obj))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nsegs && m->segs[lo].span == span &&
	    obj >= m->segs[lo].obj && obj < m->segs[lo].obj + m->segs[lo].nobj)
		return (long)lo;
	return -1;
}

/* First segment on row >= row. */
static size_t first_seg_of_row(const heapmap *m, uint32_t row)
{
	size_t lo = 0, hi = m->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->segs[mid].row < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t seg_units(const heapmap *m, const hm_seg *s)
{
	uint64_t u = 1ull << m->zoom;

	return (uint32_t)((s->nobj + u - 1) / u);
}

/* Put the cursor on the object at (row, unit col), clamped. */
static void cursor_to(heapmap *m, const tv_heap *h, uint32_t row, uint32_t col)
{
	size_t i, best;

	if (m->nsegs == 0)
		return;
	if (row >= m->nrows)
		row = m->nrows - 1;
	i = first_seg_of_row(m, row);
	if (i >= m->nsegs)
		i = m->nsegs - 1;
	best = i;
	while (i < m->nsegs && m->segs[i].row == row) {
		best = i;
		if (col < m->segs[i].col + seg_units(m, &m->segs[i]))
			break;
		i++;
	}
	{
		const hm_seg *s = &m->segs[best];
		uint32_t units = seg_units(m, s);
		uint32_t k = col > s->col ? col - s->col : 0;

		if (k >= units)
			k = units - 1;
		m->has_cursor = true;
		m->cur_page = h->spans[s->span].page;
		m->cur_slot = s->obj + (k << m->zoom);
		if (m->cur_slot >= s->obj + s->nobj)
			m->cur_slot = s->obj + s->nobj - 1;
	}
}

/* Row and unit column of the cursor, after making sure it names an
 * object of the current layout. */
static bool cursor_pos(heapmap *m, const tv_heap *h, uint32_t *row,
                       uint32_t *col)
{
	long s, g;

	if (m->nsegs == 0)
		return false;
	s = m->has_cursor ? heap_span_index(h, m->cur_page) : -1;
	if (s < 0 || m->cur_slot >= h->spans[s].nelems) {
		/* The span went away: fall back to the first object. */
		m->has_cursor = true;
		m->cur_page = h->spans[m->segs[0].span].page;
		m->cur_slot = 0;
		s = m->segs[0].span;
	}
	g = find_seg(m, (uint32_t)s, m->cur_slot);
	if (g < 0)
		return false;
	*row = m->segs[g].row;
	*col = m->segs[g].col + ((m->cur_slot - m->segs[g].obj) >> m->zoom);
	return true;
}

void heapmap_layout(heapmap *m, const tv_heap *h, const theme *th, int width,
                    int height)
{
	int cells = width - 2 - HM_LABEL_W;
	int visible = height - 3;
	uint32_t row, col;

	if (cells < 4)
		cells = 4;
	if (visible < 1)
		visible = 1;
	m->cells = cells;
	m->upr = cells * theme_objs_per_cell(th);
	m->rows_visible = visible;
	if (m->autozoom) {
		while (m->zoom < HM_MAX_ZOOM &&
		       lay_out(m, h, m->zoom, m->upr, false) >
		           (uint32_t)visible)
			m->zoom++;
		while (m->zoom > 0 && lay_out(m, h, m->zoom - 1, m->upr,
		                              false) <= (uint32_t)visible)
			m->zoom--;
	}
	m->nrows = lay_out(m, h, m->zoom, m->upr, true);
	if (m->top + (uint32_t)visible > m->nrows)
		m->top = m->nrows > (uint32_t)visible ? m->nrows - visible : 0;
	if (cursor_pos(m, h, &row, &col)) {
		if (row < m->top)
			m->top = row;
		else if (row >= m->top + (uint32_t)visible)
			m->top = row - visible + 1;
	}
}

/* ---- navigation --------------------------------------------------- */

void heapmap_zoom(heapmap *m, int dir)
{
	m->autozoom = false;
	if (dir > 0 && m->zoom < HM_MAX_ZOOM)
		m->zoom++;
	else if (dir < 0 && m->zoom > 0)
		m->zoom--;
}

void heapmap_move(heapmap *m, const tv_heap *h, int dx, int dy)
{
	uint32_t row, col;
	long g;

	if (!cursor_pos(m, h, &row, &col))
		return;
	if (dy != 0) {
		long r = (long)row + dy;

		if (r < 0)
			r = 0;
		if (r >= (long)m->nrows)
			r = (long)m->nrows - 1;
		cursor_to(m, h, (uint32_t)r, col);
		if (!cursor_pos(m, h, &row, &col))
			return;
	}
	g = find_seg(m, (uint32_t)heap_span_index(h, m->cur_page), m->cur_slot);
	while (dx != 0 && g >= 0) {
		const hm_seg *s = &m->segs[g];
		uint32_t unit = (m->cur_slot - s->obj) >> m->zoom;

		if (dx > 0) {
			if (unit + 1 < seg_units(m, s)) {
				m->cur_slot += 1u << m->zoom;
			} else if ((size_t)g + 1 < m->nsegs) {
				g++;
				m->cur_page = h->spans[m->segs[g].span].page;
				m->cur_slot = m->segs[g].obj;
			}
			dx--;
		} else {
			if (unit > 0) {
				m->cur_slot = s->obj + ((unit - 1) << m->zoom);
			} else if (g > 0) {
				const hm_seg *p = &m->segs[g - 1];

				g--;
				m->cur_page = h->spans[p->span].page;
				m->cur_slot =
				    p->obj + ((seg_units(m, p) - 1) << m->zoom);
			}
			dx++;
		}
	}
	if (cursor_pos(m, h, &row, &col)) {
		if (row < m->top)
			m->top = row;
		else if (row >= m->top + (uint32_t)m->rows_visible)
			m->top = row - m->rows_visible + 1;
	}
}

bool heapmap_click(heapmap *m, const tv_heap *h, int y, int x)
{
	int opc = m->upr / (m->cells > 0 ? m->cells : 1);
	int cx = x - 1 - HM_LABEL_W;
	int ry = y - 2;
	uint32_t row;
	size_t i;

	if (cx < 0 || cx >= m->cells || ry < 0 || ry >= m->rows_visible)
		return false;
	row = m->top + (uint32_t)ry;
	if (row >= m->nrows)
		return false;
	/* A click picks the upper object of a half-block cell. */
	for (i = first_seg_of_row(m, row);
	     i < m->nsegs && m->segs[i].row == row; i++) {
		uint32_t c = (uint32_t)(cx * opc);

		if (c >= m->segs[i].col &&
		    c < m->segs[i].col + seg_units(m, &m->segs[i])) {
			cursor_to(m, h, row, c);
			return true;
		}
	}
	return false;
}

bool heapmap_selected(const heapmap *m, tc_objid *id)
{
	if (!m->has_cursor)
		return false;
	id->page = m->cur_page;
	id->slot = m->cur_slot;
	return true;
}

void heapmap_flash(heapmap *m, const tc_objid *ids, size_t n,
                   unsigned long long until_ns)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int j;

		/* Refresh an object already flashing, else take a free
		 * entry, else replace the oldest (first) one. */
		for (j = 0; j < m->nflash; j++)
			if (m->flash[j].id.page == ids[i].page &&
			    m->flash[j].id.slot == ids[i].slot)
				break;
		if (j == m->nflash) {
			if (m->nflash < HM_MAX_FLASH) {
				m->nflash++;
			} else {
				memmove(&m->flash[0], &m->flash[1],
				        (HM_MAX_FLASH - 1) *
				            sizeof m->flash[0]);
				j = HM_MAX_FLASH - 1;
			}
		}
		m->flash[j].id = ids[i];
		m->flash[j].until_ns = until_ns;
	}
}

/* ---- drawing ------------------------------------------------------ */

/* A flashing object as (span index, slot), sorted for a merge walk. */
typedef struct flash_pos {
	uint32_t span, slot;
} flash_pos;

static int cmp_flash(const void *a, const void *b)
{
	const flash_pos *x = a, *y = b;

	if (x->span != y->span)
		return x->span < y->span ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Kind of one unit: objects [a, b) of span s. */
static int unit_kind(const tv_heap *h, uint32_t s, uint32_t a, uint32_t b,
                     const flash_pos *fl, int nfl, int *fi)
{
	const uint8_t *c = h->colors + h->first_color[s];
	unsigned cnt[4] = {0, 0, 0, 0};
	uint32_t i;

	while (*fi < nfl &&
	       (fl[*fi].span < s || (fl[*fi].span == s && fl[*fi].slot < a)))
		(*fi)++;
	if (*fi < nfl && fl[*fi].span == s && fl[*fi].slot < b)
		return TK_FLASH;
	if (b - a == 1)
		return c[a] & 3;
	for (i = a; i < b; i++)
		cnt[c[i] & 3]++;
	if (cnt[TC_GREY] > 0)
		return TK_GREY;
	if (cnt[TC_WHITE] >= cnt[TC_BLACK] && cnt[TC_WHITE] >= cnt[TC_FREE])
		return TK_WHITE;
	if (cnt[TC_BLACK] >= cnt[TC_FREE])
		return TK_BLACK;
	return TK_FREE;
}

static void draw_legend(WINDOW *w, const tv_heap *h, const theme *th, int width)
{
	static const int order[4] = {TK_FREE, TK_WHITE, TK_GREY, TK_BLACK};
	int k;

	wmove(w, 1, 1);
	for (k = 0; k < 4; k++) {
		cchar_t cell;
		int x = getcurx(w);

		if (x + 14 > width - 1)
			break;
		if (th->halfblock) {
			theme_cell(th, order[k], order[k], false, &cell);
			wadd_wch(w, &cell);
		} else {
			theme_set_chip(w, th, order[k]);
			waddstr(w, theme_glyph(th, order[k]));
		}
		theme_set(w, th, UI_LABEL);
		wprintw(w, " %s ", theme_kind_name(order[k]));
		theme_set(w, th, UI_VALUE);
		wprintw(w, "%zu", h->counts[order[k]]);
		theme_set(w, th, UI_NORMAL);
		waddstr(w, "  ");
	}
}

/* Label of a row: size class and occupancy of its span(s). */
static void draw_label(WINDOW *w, const heapmap *m, const tv_heap *h,
                       size_t first, int y, const theme *th)
{
	const hm_seg *s = &m->segs[first];
	const tc_span_info *sp = &h->spans[s->span];
	char size[16], label[48];
	uint64_t alloc = 0, total = 0;
	uint32_t elem = sp->elemsize;
	bool mixed = false;
	size_t i;

	theme_set(w, th, UI_LABEL);
	if (s->obj != 0) { /* continuation of a span begun above */
		mvwprintw(w, y, 1, "%*s", HM_LABEL_W, "");
		return;
	}
	for (i = first; i < m->nsegs && m->segs[i].row == s->row; i++) {
		const tc_span_info *q = &h->spans[m->segs[i].span];

		if (m->segs[i].obj != 0)
			continue;
		alloc += q->nalloc;
		total += q->nelems;
		if (q->elemsize != elem)
			mixed = true;
	}
	if (mixed)
		snprintf(size, sizeof size, "mix");
	else if (sp->sizeclass == 0)
		fmt_bytes(size, sizeof size, (uint64_t)sp->npages * 8192);
	else
		fmt_bytes(size, sizeof size, elem);
	snprintf(label, sizeof label, "%c%5s %3u%% ",
	         sp->sizeclass == 0 ? 'L' : ' ', size,
	         total ? (unsigned)(alloc * 100 / total) : 0u);
	mvwaddnstr(w, y, 1, label, HM_LABEL_W);
}

void heapmap_draw(WINDOW *w, heapmap *m, const tv_heap *h, const theme *th,
                  bool focus, unsigned long long now_ns)
{
	flash_pos fl[HM_MAX_FLASH];
	int nfl = 0, fi = 0, width, height, opc, j;
	uint32_t crow = 0, ccol = 0;
	bool have_cur;
	char title[64];
	size_t i;

	getmaxyx(w, height, width);
	werase(w);
	snprintf(title, sizeof title, "Heap: %zu spans, %s %llu obj/cell",
	         h->nspans, m->autozoom ? "auto zoom" : "zoom",
	         (1ull << m->zoom) *
	             (unsigned long long)theme_objs_per_cell(th));
	theme_box(w, th, focus, title);
	draw_legend(w, h, th, width);

	/* Expire flashes; resolve the rest to (span, slot), sorted. */
	for (j = 0; j < m->nflash;) {
		if (m->flash[j].until_ns <= now_ns) {
			m->flash[j] = m->flash[--m->nflash];
			continue;
		}
		{
			long s = heap_span_index(h, m->flash[j].id.page);

			if (s >= 0) {
				fl[nfl].span = (uint32_t)s;
				fl[nfl].slot = m->flash[j].id.slot;
				nfl++;
			}
		}
		j++;
	}
	qsort(fl, (size_t)nfl, sizeof fl[0], cmp_flash);

	opc = theme_objs_per_cell(th);
	have_cur = focus && cursor_pos(m, h, &crow, &ccol);
	i = first_seg_of_row(m, m->top);
	while (i < m->nsegs &&
	       m->segs[i].row < m->top + (uint32_t)(height - 3)) {
		uint32_t row = m->segs[i].row;
		int y = 2 + (int)(row - m->top);
		int unit[2 * 512 + 2];
		int nunits = m->upr, x, c;

		if (y >= height - 1)
			break;
		if (nunits > 2 * 512)
			nunits = 2 * 512;
		for (c = 0; c < nunits; c++)
			unit[c] = TK_NONE;
		draw_label(w, m, h, i, y, th);
		for (; i < m->nsegs && m->segs[i].row == row; i++) {
			const hm_seg *s = &m->segs[i];
			uint32_t u = 1u << m->zoom, a;

			c = (int)s->col;
			for (a = s->obj; a < s->obj + s->nobj && c < nunits;
			     a += u, c++) {
				uint32_t b = a + u;

				if (b > s->obj + s->nobj)
					b = s->obj + s->nobj;
				unit[c] =
				    unit_kind(h, s->span, a, b, fl, nfl, &fi);
			}
		}
		wmove(w, y, 1 + HM_LABEL_W);
		for (x = 0; x < m->cells && x + 1 + HM_LABEL_W < width - 1;
		     x++) {
			cchar_t cell;
			int top = unit[x * opc];
			int bottom = opc > 1 ? unit[x * opc + 1] : TK_NONE;
			bool cur = have_cur && crow == row &&
			           ccol / (uint32_t)opc == (uint32_t)x;

			theme_cell(th, top, bottom, cur, &cell);
			wadd_wch(w, &cell);
		}
	}
	if (m->nrows > (uint32_t)(height - 3)) {
		theme_set(w, th, UI_LABEL);
		mvwprintw(w, height - 1, width - 20, " rows %u-%u/%u ",
		          m->top + 1,
		          m->top + (uint32_t)(height - 3) < m->nrows
		              ? m->top + (uint32_t)(height - 3)
		              : m->nrows,
		          m->nrows);
		theme_set(w, th, UI_NORMAL);
	}
}
