/*
 * theme.c - palette and glyphs: 256 colors, 8 colors, monochrome, ASCII.
 *
 * The 256-color palette: free objects are dark blue (an empty slot, not a
 * dark object), white objects white, grey objects grey, black objects
 * black, and a barrier-shaded object flashes yellow.  With 8 colors grey
 * becomes cyan (there is no grey), and without colors the glyphs carry
 * the meaning: free '.', white 'o', grey '%', black '#' in ASCII, or
 * '·' '○' '◐' '●' in UTF-8.  The heap map's cursor is magenta, a color no
 * kind uses.
 */
#include "config.h"

#include <string.h>

#include "tui/theme.h"

static const short color256[TK_NKINDS] = {17, 231, 245, 16, 226, -1};
static const short color8[TK_NKINDS] = {COLOR_BLUE,  COLOR_WHITE,  COLOR_CYAN,
                                        COLOR_BLACK, COLOR_YELLOW, -1};
static const short cursor256 = 201, cursor8 = COLOR_MAGENTA;
/* Text color to print on top of each kind (for chips). */
static const short chipfg256[TK_NKINDS] = {153, 16, 16, 252, 16, -1};
static const short chipfg8[TK_NKINDS] = {COLOR_WHITE, COLOR_BLACK, COLOR_BLACK,
                                         COLOR_WHITE, COLOR_BLACK, -1};

static const char *const glyph_utf8[TK_NKINDS] = {"\u00b7", "\u25cb", "\u25d0",
                                                  "\u25cf", "\u2736", " "};
static const char *const glyph_ascii[TK_NKINDS] = {".", "o", "%",
                                                   "#", "*", " "};
static const wchar_t wglyph_utf8[TK_NKINDS] = {0x00b7, 0x25cb, 0x25d0,
                                               0x25cf, 0x2736, L' '};
static const wchar_t wglyph_ascii[TK_NKINDS] = {L'.', L'o', L'%',
                                                L'#', L'*', L' '};

static const char *const kind_names[TK_NKINDS] = {"free",  "white", "grey",
                                                  "black", "flash", "none"};

struct ui_style {
	short fg256, bg256, fg8, bg8;
	attr_t color_attr, mono_attr;
};

static const struct ui_style ui_styles[UI_NELEMS] = {
    [UI_NORMAL] = {-1, -1, -1, -1, A_NORMAL, A_NORMAL},
    [UI_BORDER] = {240, -1, COLOR_BLUE, -1, A_NORMAL, A_DIM},
    [UI_BORDER_FOCUS] = {45, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [UI_TITLE] = {81, -1, COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [UI_LABEL] = {109, -1, COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [UI_VALUE] = {231, -1, COLOR_WHITE, -1, A_BOLD, A_BOLD},
    [UI_PHASE_ON] = {16, 214, COLOR_BLACK, COLOR_YELLOW, A_BOLD,
                     A_REVERSE | A_BOLD},
    [UI_PHASE_OFF] = {244, -1, COLOR_WHITE, -1, A_NORMAL, A_DIM},
    [UI_PAUSED] = {231, 124, COLOR_WHITE, COLOR_RED, A_BOLD,
                   A_REVERSE | A_BOLD},
    [UI_KEY] = {231, -1, COLOR_WHITE, -1, A_BOLD, A_BOLD},
    [UI_KEYLABEL] = {16, 37, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [UI_MESSAGE] = {214, -1, COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    [UI_WARN] = {196, -1, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [UI_SPARK] = {78, -1, COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [UI_CURSOR] = {16, 214, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE},
};

void theme_init(theme *th, const crt_caps *caps)
{
	int top, bottom, k, u;

	memset(th, 0, sizeof *th);
	th->utf8 = caps->utf8;
	th->colors = caps->colors;
	th->halfblock = th->utf8 && th->colors != 0;
	for (u = 0; u < UI_NELEMS; u++) {
		const struct ui_style *s = &ui_styles[u];

		if (th->colors == 0) {
			th->ui_attr[u] = s->mono_attr;
			th->ui_pair[u] = 0;
			continue;
		}
		th->ui_attr[u] = s->color_attr;
		th->ui_pair[u] = (short)THEME_PAIR_UI(u);
		if (th->colors >= 256)
			init_pair(th->ui_pair[u], s->fg256, s->bg256);
		else
			init_pair(th->ui_pair[u], s->fg8, s->bg8);
	}
	if (th->colors == 0)
		return;
	{
		const short *pal = th->colors >= 256 ? color256 : color8;
		const short *cfg = th->colors >= 256 ? chipfg256 : chipfg8;
		short cur = th->colors >= 256 ? cursor256 : cursor8;

		for (top = 0; top < TK_NKINDS; top++)
			for (bottom = 0; bottom < TK_NKINDS; bottom++)
				init_pair(THEME_PAIR_CELL(top, bottom),
				          pal[top], pal[bottom]);
		for (k = 0; k < TK_NKINDS; k++) {
			init_pair(THEME_PAIR_CHIP(k), cfg[k], pal[k]);
			init_pair(THEME_PAIR_CURSOR_HALF(k), cur, pal[k]);
			init_pair(THEME_PAIR_CURSOR_GLYPH(k), pal[k], cur);
		}
	}
}

int theme_objs_per_cell(const theme *th)
{
	return th->halfblock ? 2 : 1;
}

void theme_cell(const theme *th, int top, int bottom, int cursor, cchar_t *out)
{
	wchar_t wc[2] = {L' ', 0};
	attr_t attr = A_NORMAL;
	short pair = 0;

	if (top < 0 || top >= TK_NKINDS)
		top = TK_NONE;
	if (bottom < 0 || bottom >= TK_NKINDS)
		bottom = TK_NONE;
	if (th->halfblock) {
		wc[0] = 0x2580; /* upper half block */
		pair = (short)THEME_PAIR_CELL(top, bottom);
		if (top == TK_NONE && bottom == TK_NONE)
			wc[0] = L' ';
		/* The selected half in the cursor color over the other
		 * object's: reverse video would not show on a cell whose
		 * halves have one color. */
		if (cursor == THEME_CURSOR_TOP) {
			wc[0] = 0x2580;
			pair = (short)THEME_PAIR_CURSOR_HALF(bottom);
		} else if (cursor == THEME_CURSOR_BOTTOM) {
			wc[0] = 0x2584; /* lower half block */
			pair = (short)THEME_PAIR_CURSOR_HALF(top);
		}
	} else {
		wc[0] = th->utf8 ? wglyph_utf8[top] : wglyph_ascii[top];
		if (th->colors != 0 && cursor != THEME_CURSOR_NONE) {
			/* The glyph in its kind's color on the cursor's. */
			pair = (short)THEME_PAIR_CURSOR_GLYPH(top);
			attr = A_BOLD;
		} else if (th->colors != 0) {
			pair = top == TK_NONE ? 0 : (short)THEME_PAIR_CHIP(top);
		} else {
			if (top == TK_BLACK)
				attr = A_BOLD;
			else if (top == TK_FREE)
				attr = A_DIM;
			else if (top == TK_FLASH)
				attr = A_BOLD | A_UNDERLINE;
			if (cursor != THEME_CURSOR_NONE)
				attr |= A_REVERSE | A_BOLD;
		}
	}
	setcchar(out, wc, attr, pair, NULL);
}

const char *theme_glyph(const theme *th, int kind)
{
	if (kind < 0 || kind >= TK_NKINDS)
		kind = TK_NONE;
	return th->utf8 ? glyph_utf8[kind] : glyph_ascii[kind];
}

void theme_chip(const theme *th, int kind, attr_t *attr, short *pair)
{
	if (kind < 0 || kind >= TK_NKINDS)
		kind = TK_NONE;
	if (th->colors == 0) {
		*pair = 0;
		*attr = kind == TK_BLACK   ? A_BOLD
		        : kind == TK_FREE  ? A_DIM
		        : kind == TK_FLASH ? A_UNDERLINE
		                           : A_NORMAL;
		return;
	}
	*attr = A_NORMAL;
	*pair = kind == TK_NONE ? 0 : (short)THEME_PAIR_CHIP(kind);
}

void theme_ui(const theme *th, enum theme_ui ui, attr_t *attr, short *pair)
{
	*attr = th->ui_attr[ui];
	*pair = th->ui_pair[ui];
}

void theme_set(WINDOW *w, const theme *th, enum theme_ui ui)
{
	wattr_set(w, th->ui_attr[ui], th->ui_pair[ui], NULL);
}

void theme_set_chip(WINDOW *w, const theme *th, int kind)
{
	attr_t a;
	short p;

	theme_chip(th, kind, &a, &p);
	wattr_set(w, a, p, NULL);
}

const char *theme_kind_name(int kind)
{
	if (kind < 0 || kind >= TK_NKINDS)
		return "?";
	return kind_names[kind];
}

void theme_box(WINDOW *w, const theme *th, bool focus, const char *title)
{
	theme_set(w, th, focus ? UI_BORDER_FOCUS : UI_BORDER);
	if (th->utf8) {
		/* Explicit Unicode lines: ACS line drawing through the
		 * alternate character set is not rendered by every
		 * terminal (or multiplexer) in UTF-8 mode. */
		cchar_t c[6];
		static const wchar_t ch[6] = {0x2502, 0x2500, 0x250c,
		                              0x2510, 0x2514, 0x2518};
		int i;

		for (i = 0; i < 6; i++) {
			wchar_t wc[2] = {ch[i], 0};

			setcchar(
			    &c[i], wc,
			    th->ui_attr[focus ? UI_BORDER_FOCUS : UI_BORDER],
			    th->ui_pair[focus ? UI_BORDER_FOCUS : UI_BORDER],
			    NULL);
		}
		wborder_set(w, &c[0], &c[0], &c[1], &c[1], &c[2], &c[3], &c[4],
		            &c[5]);
	} else {
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	}
	if (title != NULL) {
		int width = getmaxx(w);

		theme_set(w, th, focus ? UI_BORDER_FOCUS : UI_TITLE);
		mvwaddch(w, 0, 1, ' ');
		waddnstr(w, title, width > 6 ? width - 6 : 0);
		waddch(w, ' ');
	}
	theme_set(w, th, UI_NORMAL);
}

void theme_vline(WINDOW *w, const theme *th, int y, int x, int n)
{
	cchar_t c;
	wchar_t wc[2] = {th->utf8 ? 0x2502 : L'|', 0};

	setcchar(&c, wc, th->ui_attr[UI_BORDER], th->ui_pair[UI_BORDER], NULL);
	mvwvline_set(w, y, x, &c, n);
}
