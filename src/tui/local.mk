# src/tui/local.mk - build fragment for src/tui (included by Makefile.am).
#
# libtctui: the live ncurses front end, the only ncurses user.  One concept
# per file (htop-style): crt (terminal), theme (palette and glyphs),
# layout, one file per pane, keys, and tui.c (the event loop).
noinst_LTLIBRARIES += libtctui.la
libtctui_la_SOURCES = \
	src/tui/tui.h \
	src/tui/tui.c \
	src/tui/crt.h \
	src/tui/crt.c
libtctui_la_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
libtctui_la_LIBADD = $(NCURSES_LIBS)
