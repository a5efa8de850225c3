/*
 * theme.h - palette and glyphs of the TUI.
 *
 * The heap map draws objects in four colors (free, white, grey, black) plus
 * a "flash" for objects the write barrier has just shaded.  With colors and
 * UTF-8, each character cell shows two objects with an upper half block
 * whose foreground is the first object and background the second.  Without
 * color (monochrome, or NO_COLOR) or without UTF-8 (--ascii), each cell is
 * one object drawn as a glyph that tells the colors apart on its own.
 *
 * The heap map's cursor paints the selected object in a color of its own
 * (magenta, which no kind uses): in half-block mode the selected half, so
 * that it shows even where both halves have the same color (reverse video
 * of such a cell looks the same); with glyphs, the cell's background.
 * Without color it is reverse video.
 *
 * Color pairs: COLOR_PAIR() reaches pair 255 at most, so the palette is
 * planned below that: pairs 1..36 are the half-block cells (6 kinds of top
 * times 6 kinds of bottom), 40..45 the object "chips" (an id printed on its
 * object's color), 50..64 the user interface, 70..75 a cursor half over
 * each kind, 80..85 each kind's glyph on the cursor color.
 */
#ifndef TRICOLOR_TUI_THEME_H
#define TRICOLOR_TUI_THEME_H

#include <stdbool.h>

#include <curses.h>

#include "tui/crt.h"

/* Kinds of heap-map cell halves: the four tc_color values, then. */
enum {
	TK_FREE = 0, /* == TC_FREE */
	TK_WHITE,    /* == TC_WHITE */
	TK_GREY,     /* == TC_GREY */
	TK_BLACK,    /* == TC_BLACK */
	TK_FLASH,    /* just shaded by the write barrier */
	TK_NONE,     /* no object (past the end of a span) */
	TK_NKINDS
};

/* User-interface elements. */
enum theme_ui {
	UI_NORMAL = 0,
	UI_BORDER,
	UI_BORDER_FOCUS,
	UI_TITLE,
	UI_LABEL,
	UI_VALUE,
	UI_PHASE_ON,
	UI_PHASE_OFF,
	UI_PAUSED,
	UI_KEY,
	UI_KEYLABEL,
	UI_MESSAGE,
	UI_WARN,
	UI_SPARK,
	UI_CURSOR,
	UI_NELEMS
};

#define THEME_PAIR_CELL(top, bottom)  (1 + (top)*TK_NKINDS + (bottom))
#define THEME_PAIR_CHIP(kind)         (40 + (kind))
#define THEME_PAIR_UI(ui)             (50 + (ui))
#define THEME_PAIR_CURSOR_HALF(kind)  (70 + (kind))
#define THEME_PAIR_CURSOR_GLYPH(kind) (80 + (kind))

/* Which object of a cell the heap map's cursor is on. */
enum theme_cursor {
	THEME_CURSOR_NONE = 0,
	THEME_CURSOR_TOP,    /* the upper half, or the cell's one object */
	THEME_CURSOR_BOTTOM, /* the lower half (half-block mode) */
};

typedef struct theme {
	bool utf8;      /* UTF-8 glyphs */
	int colors;     /* 0, 8 or 256 */
	bool halfblock; /* two objects per cell (colors && utf8) */
	attr_t ui_attr[UI_NELEMS];
	short ui_pair[UI_NELEMS];
} theme;

/* Set up th for the capabilities caps and, when caps->colors != 0, define
 * the color pairs (curses must be initialised with start_color()). */
void theme_init(theme *th, const crt_caps *caps);

/* Objects shown per character cell: 2 with half blocks, else 1. */
int theme_objs_per_cell(const theme *th);

/* The cell for two object kinds (half-block mode) or for one (top; bottom
 * ignored) otherwise.  `cursor` (an enum theme_cursor) marks the object
 * selected in it, if any. */
void theme_cell(const theme *th, int top, int bottom, int cursor, cchar_t *out);

/* The glyph that stands for one object kind in a legend or in mono mode,
 * as a UTF-8 or ASCII string. */
const char *theme_glyph(const theme *th, int kind);

/* Attribute and pair for printing an object id "on its color". */
void theme_chip(const theme *th, int kind, attr_t *attr, short *pair);

/* Attribute and pair of a user-interface element. */
void theme_ui(const theme *th, enum theme_ui ui, attr_t *attr, short *pair);

/* wattr_set for an element / a chip, the common case. */
void theme_set(WINDOW *w, const theme *th, enum theme_ui ui);
void theme_set_chip(WINDOW *w, const theme *th, int kind);

/* Clear nothing; draw w's border (highlighted when focus) with a title in
 * the top edge, and leave the attributes normal. */
void theme_box(WINDOW *w, const theme *th, bool focus, const char *title);

/* A vertical separator line of n cells from (y, x). */
void theme_vline(WINDOW *w, const theme *th, int y, int x, int n);

/* The name of a kind: "free", "white", "grey", "black", "flash". */
const char *theme_kind_name(int kind);

#endif /* TRICOLOR_TUI_THEME_H */
