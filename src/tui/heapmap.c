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

/* Per-unit tallies of one row while drawing it. */
typedef struct unit_tally {
	uint32_t cnt[4]; /* objects of each tc_color */
	bool flash;
	bool any;
} unit_tally;

void heapmap_init(heapmap *m)
{
	memset(m, 0, sizeof *m);
	m->autozoom = true;
	m->tally = xrealloc(NULL, 2 * HM_MAX_CELLS * sizeof *m->tally);
}

void heapmap_free(heapmap *m)
{
	free(m->tally);
	m->tally = NULL;
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

/* Lay the heap out at zoom z with upr units per row (a row holds upr << z
 * object positions).  A span that needs at least half a row starts a
 * row of its own; smaller ones (zoomed out) flow on one after another,
 * so a unit may hold the end of one span and the start of the next.  With
 * emit false only count the rows (used to choose the zoom). */
static uint32_t lay_out(heapmap *m, const tv_heap *h, int z, int upr, bool emit)
{
	uint64_t u = 1ull << z, cap = (uint64_t)upr << z;
	uint32_t row = 0;
	uint64_t pos = 0;
	size_t i;

	if (emit)
		m->nsegs = 0;
	for (i = 0; i < h->nspans; i++) {
		uint32_t n = h->spans[i].nelems, obj = 0;
		bool packed = z > 0 && (n + u - 1) / u * 2 <= (uint64_t)upr;

		if (n == 0)
			continue;
		if (!packed && pos > 0) {
			row++;
			pos = 0;
		}
		while (obj < n) {
			uint64_t k = n - obj;

			if (k > cap - pos)
				k = cap - pos;
			if (emit)
				push_seg(m, (uint32_t)i, obj, (uint32_t)k, row,
				         (uint32_t)pos);
			obj += (uint32_t)k;
			pos += k;
			if (pos >= cap) {
				row++;
				pos = 0;
			}
		}
		if (!packed && pos > 0) {
			row++;
			pos = 0;
		}
	}
	return row + (pos > 0);
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

/* Units used on a row (from its last segment). */
static uint32_t row_units(const heapmap *m, size_t last)
{
	const hm_seg *s = &m->segs[last];
	uint64_t end = (uint64_t)s->col + s->nobj;

	return (uint32_t)((end + (1ull << m->zoom) - 1) >> m->zoom);
}

/* Put the cursor on the first object of unit `unit` of row `row` (both
 * clamped to what exists). */
static void cursor_to(heapmap *m, const tv_heap *h, uint32_t row, uint32_t unit)
{
	size_t i, last;
	uint64_t want;
	const hm_seg *s;

	if (m->nsegs == 0)
		return;
	if (row >= m->nrows)
		row = m->nrows - 1;
	i = first_seg_of_row(m, row);
	if (i >= m->nsegs)
		i = m->nsegs - 1;
	row = m->segs[i].row;
	for (last = i; last + 1 < m->nsegs && m->segs[last + 1].row == row;)
		last++;
	if (unit >= row_units(m, last))
		unit = row_units(m, last) - 1;
	want = (uint64_t)unit << m->zoom;
	/* The segment covering position `want`, or the next one after a
	 * gap (there is none inside a row, but be safe). */
	while (i < last && (uint64_t)m->segs[i].col + m->segs[i].nobj <= want)
		i++;
	s = &m->segs[i];
	m->has_cursor = true;
	m->cur_page = h->spans[s->span].page;
	if (want < s->col)
		want = s->col;
	m->cur_slot = s->obj + (uint32_t)(want - s->col);
	if (m->cur_slot >= s->obj + s->nobj)
		m->cur_slot = s->obj + s->nobj - 1;
}

/* Row and unit of the cursor, after making sure it names an object of
 * the current layout. */
static bool cursor_pos(heapmap *m, const tv_heap *h, uint32_t *row,
                       uint32_t *unit)
{
	long s, g;

	if (m->nsegs == 0)
		return false;
	s = m->has_cursor ? heap_span_index(h, m->cur_page) : -1;
	if (s < 0 || m->cur_slot >= h->spans[s].nelems) {
		/* The span went away: fall back to the first object. */
		m->has_cursor = true;
		m->cur_page = h->spans[m->segs[0].span].page;
		m->cur_slot = m->segs[0].obj;
		s = m->segs[0].span;
	}
	g = find_seg(m, (uint32_t)s, m->cur_slot);
	if (g < 0)
		return false;
	*row = m->segs[g].row;
	*unit = (uint32_t)(((uint64_t)m->segs[g].col + m->cur_slot -
	                    m->segs[g].obj) >>
	                   m->zoom);
	return true;
}

static void keep_cursor_visible(heapmap *m, const tv_heap *h)
{
	uint32_t row, unit;

	if (!cursor_pos(m, h, &row, &unit))
		return;
	if (row < m->top)
		m->top = row;
	else if (row >= m->top + (uint32_t)m->rows_visible)
		m->top = row - (uint32_t)m->rows_visible + 1;
}

void heapmap_layout(heapmap *m, const tv_heap *h, const theme *th, int width,
                    int height)
{
	int cells = width - 2 - HM_LABEL_W;
	int visible = height - 3;

	if (cells < 4)
		cells = 4;
	if (cells > HM_MAX_CELLS)
		cells = HM_MAX_CELLS;
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
	keep_cursor_visible(m, h);
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
	uint32_t row, unit;
	long r;

	if (!cursor_pos(m, h, &row, &unit))
		return;
	r = (long)row + dy;
	if (r < 0)
		r = 0;
	if (r >= (long)m->nrows)
		r = (long)m->nrows - 1;
	row = (uint32_t)r;
	/* Left and right walk the units in address order, wrapping from
	 * the end of a row to the start of the next. */
	while (dx > 0) {
		size_t last = first_seg_of_row(m, row);

		while (last + 1 < m->nsegs && m->segs[last + 1].row == row)
			last++;
		if (unit + 1 < row_units(m, last))
			unit++;
		else if (row + 1 < m->nrows) {
			row++;
			unit = 0;
		}
		dx--;
	}
	while (dx < 0) {
		if (unit > 0)
			unit--;
		else if (row > 0) {
			row--;
			unit = UINT32_MAX; /* clamped to the row's last */
		}
		dx++;
	}
	cursor_to(m, h, row, unit);
	keep_cursor_visible(m, h);
}

bool heapmap_click(heapmap *m, const tv_heap *h, int y, int x)
{
	int opc = m->upr / (m->cells > 0 ? m->cells : 1);
	int cx = x - 1 - HM_LABEL_W;
	int ry = y - 2;
	uint32_t row;
	size_t last;

	if (cx < 0 || cx >= m->cells || ry < 0 || ry >= m->rows_visible)
		return false;
	row = m->top + (uint32_t)ry;
	if (row >= m->nrows)
		return false;
	last = first_seg_of_row(m, row);
	while (last + 1 < m->nsegs && m->segs[last + 1].row == row)
		last++;
	/* A click picks the upper object of a half-block cell. */
	if ((uint32_t)(cx * opc) >= row_units(m, last))
		return false;
	cursor_to(m, h, row, (uint32_t)(cx * opc));
	return true;
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

/* How many of the eight bytes of x equal v (exact, no false positives:
 * each byte's zero test cannot borrow from its neighbour). */
static inline unsigned count_bytes_equal(uint64_t x, uint8_t v)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t t = x ^ (0x0101010101010101ull * v);
	uint64_t y = ~(((t & lo7) + lo7) | t | lo7);

	return (unsigned)__builtin_popcountll(y);
}

/* Add objects [a, b) of span s to tally t; fl/fi walk the sorted flashes
 * in step with the (address-ordered) drawing. */
static void tally(unit_tally *t, const tv_heap *h, uint32_t s, uint32_t a,
                  uint32_t b, const flash_pos *fl, int nfl, int *fi)
{
	const uint8_t *c = h->colors + h->first_color[s];
	uint32_t i;

	while (*fi < nfl &&
	       (fl[*fi].span < s || (fl[*fi].span == s && fl[*fi].slot < a)))
		(*fi)++;
	if (*fi < nfl && fl[*fi].span == s && fl[*fi].slot < b)
		t->flash = true;
	/* Eight objects at a time (zoomed out, a frame tallies the whole
	 * heap): count the bytes equal to 0, 1 and 2; the rest are 3. */
	for (i = a; i + 8 <= b; i += 8) {
		uint64_t x;

		memcpy(&x, c + i, 8);
		t->cnt[TC_FREE] += count_bytes_equal(x, TC_FREE);
		t->cnt[TC_WHITE] += count_bytes_equal(x, TC_WHITE);
		t->cnt[TC_GREY] += count_bytes_equal(x, TC_GREY);
		t->cnt[TC_BLACK] += 8 - count_bytes_equal(x, TC_FREE) -
		                    count_bytes_equal(x, TC_WHITE) -
		                    count_bytes_equal(x, TC_GREY);
	}
	for (; i < b; i++)
		t->cnt[c[i] & 3]++;
	t->any = true;
}

/* What a unit shows: a flash, else any grey (the work still to do), else
 * the most common of white, black and free. */
static int tally_kind(const unit_tally *t)
{
	if (!t->any)
		return TK_NONE;
	if (t->flash)
		return TK_FLASH;
	if (t->cnt[TC_GREY] > 0)
		return TK_GREY;
	if (t->cnt[TC_WHITE] >= t->cnt[TC_BLACK] &&
	    t->cnt[TC_WHITE] >= t->cnt[TC_FREE])
		return TK_WHITE;
	if (t->cnt[TC_BLACK] >= t->cnt[TC_FREE])
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
			theme_cell(th, order[k], order[k], THEME_CURSOR_NONE,
			           &cell);
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

/* Label of a row: size class and occupancy of the spans that start on
 * it ("mix" if their sizes differ); blank on a row that only continues a
 * span begun above. */
static void draw_label(WINDOW *w, const heapmap *m, const tv_heap *h,
                       size_t first, int y, const theme *th)
{
	const tc_span_info *sp = NULL;
	char size[16], label[48];
	uint64_t alloc = 0, total = 0;
	bool mixed = false;
	size_t i;

	theme_set(w, th, UI_LABEL);
	for (i = first; i < m->nsegs && m->segs[i].row == m->segs[first].row;
	     i++) {
		const tc_span_info *q = &h->spans[m->segs[i].span];

		if (m->segs[i].obj != 0)
			continue;
		if (sp == NULL)
			sp = q;
		else if (q->elemsize != sp->elemsize)
			mixed = true;
		alloc += q->nalloc;
		total += q->nelems;
	}
	if (sp == NULL) {
		mvwprintw(w, y, 1, "%*s", HM_LABEL_W, "");
		return;
	}
	if (mixed)
		snprintf(size, sizeof size, "mix");
	else
		fmt_bytes(size, sizeof size, sp->elemsize);
	snprintf(label, sizeof label, "%c%5s %3u%% ",
	         sp->sizeclass == 0 && !mixed ? 'L' : ' ', size,
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
	snprintf(title, sizeof title, "Heap: %zu span%s, %s %llu obj/cell",
	         h->nspans, h->nspans == 1 ? "" : "s",
	         m->autozoom ? "auto zoom" : "zoom",
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
		int nunits = m->upr, x, c;

		if (y >= height - 1)
			break;
		memset(m->tally, 0, (size_t)nunits * sizeof m->tally[0]);
		draw_label(w, m, h, i, y, th);
		for (; i < m->nsegs && m->segs[i].row == row; i++) {
			const hm_seg *s = &m->segs[i];
			uint64_t pos = s->col, end = (uint64_t)s->col + s->nobj;

			/* Cut the segment at unit boundaries. */
			while (pos < end) {
				uint64_t ue = ((pos >> m->zoom) + 1) << m->zoom;
				uint32_t a = s->obj + (uint32_t)(pos - s->col);

				c = (int)(pos >> m->zoom);
				if (ue > end)
					ue = end;
				if (c >= nunits)
					break;
				tally(&m->tally[c], h, s->span, a,
				      a + (uint32_t)(ue - pos), fl, nfl, &fi);
				pos = ue;
			}
		}
		wmove(w, y, 1 + HM_LABEL_W);
		for (x = 0; x < m->cells && x + 1 + HM_LABEL_W < width - 1;
		     x++) {
			cchar_t cell;
			int top = tally_kind(&m->tally[x * opc]);
			int bottom = opc > 1
			                 ? tally_kind(&m->tally[x * opc + 1])
			                 : TK_NONE;
			int cur = THEME_CURSOR_NONE;

			if (have_cur && crow == row &&
			    ccol / (uint32_t)opc == (uint32_t)x)
				cur = ccol % (uint32_t)opc ? THEME_CURSOR_BOTTOM
				                           : THEME_CURSOR_TOP;

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
