/*
 * heapmap.h - the heap map pane: spans as rows, objects as colored cells.
 *
 * Each span starts a row, labelled with its object size and occupancy, and
 * wraps onto as many rows as its objects need.  A "unit" is what one half
 * of a cell (half-block mode) or one cell (glyph mode) stands for: one
 * object at zoom 0, 2^zoom objects further out, colored by what they hold
 * (any flash, else any grey, else the most common of free/white/black).
 * Zoomed out far enough that a span needs less than half a row, spans
 * share rows, so a heap of millions of objects fits on one screen.
 *
 * The pane draws from a plain tv_heap (testable with hand-built data); it
 * keeps its own layout buffer, grown as needed and reused every frame.
 */
#ifndef TRICOLOR_TUI_HEAPMAP_H
#define TRICOLOR_TUI_HEAPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "tui/theme.h"
#include "view/view.h"

#define HM_MAX_ZOOM  16
#define HM_LABEL_W   11 /* "  48B 100% " */
#define HM_MAX_FLASH 256
#define HM_MAX_CELLS 1024 /* cells drawn per row at most */

/* A run of one span's objects laid out on one row. */
typedef struct hm_seg {
	uint32_t span; /* index into tv_heap.spans */
	uint32_t obj;  /* first object */
	uint32_t nobj; /* number of objects */
	uint32_t row;  /* map row */
	uint32_t col;  /* position of its first object in the row (in
	                * objects; the unit is col >> zoom) */
} hm_seg;

typedef struct heapmap {
	int zoom;      /* log2 of objects per unit, 0..HM_MAX_ZOOM */
	bool autozoom; /* pick the zoom that fits until z/Z is pressed */
	uint32_t top;  /* first visible map row */
	/* Selected object, by span page and slot (stable across frames). */
	bool has_cursor;
	uint32_t cur_page, cur_slot;
	/* Objects flashing after a barrier shade, until their deadline. */
	int nflash;
	struct {
		tc_objid id;
		unsigned long long until_ns;
	} flash[HM_MAX_FLASH];
	/* Layout of the last heapmap_layout(). */
	hm_seg *segs;
	size_t nsegs, cap_segs;
	uint32_t nrows;
	int cells; /* cells per row */
	int upr;   /* units per row */
	int rows_visible;
	struct unit_tally *tally; /* HM_MAX_CELLS * 2 entries, for drawing */
} heapmap;

void heapmap_init(heapmap *m);
void heapmap_free(heapmap *m);

/* Lay h out for a pane window of width x height (border included) and the
 * current zoom (choosing it first if autozoom).  Keeps the cursor on an
 * existing object and visible. */
void heapmap_layout(heapmap *m, const tv_heap *h, const theme *th, int width,
                    int height);

/* Draw the pane (box, legend, rows) into w from the last layout of h.
 * now_ns expires flashes. */
void heapmap_draw(WINDOW *w, heapmap *m, const tv_heap *h, const theme *th,
                  bool focus, unsigned long long now_ns);

/* Zoom out (dir > 0) or in (dir < 0); turns autozoom off. */
void heapmap_zoom(heapmap *m, int dir);
/* Move the cursor by dx units and dy rows (after a layout). */
void heapmap_move(heapmap *m, const tv_heap *h, int dx, int dy);
/* Select the object under window cell (y, x); returns true if one is. */
bool heapmap_click(heapmap *m, const tv_heap *h, int y, int x);
/* The selected object; false if none. */
bool heapmap_selected(const heapmap *m, tc_objid *id);
/* Flash these objects until until_ns. */
void heapmap_flash(heapmap *m, const tc_objid *ids, size_t n,
                   unsigned long long until_ns);

/* Color (TK_* kind, TK_NONE if unknown) of object id in h: used by the
 * stacks pane and the inspector to color pointers. */
int heap_color_of(const tv_heap *h, tc_objid id);
/* Index of the span starting at page, or -1. */
long heap_span_index(const tv_heap *h, uint32_t page);

/* Format a byte count compactly ("48B", "1.5K", "64M") into buf. */
void fmt_bytes(char *buf, size_t len, uint64_t bytes);

#endif /* TRICOLOR_TUI_HEAPMAP_H */
