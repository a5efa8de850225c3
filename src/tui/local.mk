# src/tui/local.mk - build fragment for src/tui (included by Makefile.am).
#
# libtctui: the live ncurses front end, the only ncurses user.  One concept
# per file (htop-style): crt (terminal), theme (palette and glyphs), layout,
# keys (the key table), one file per pane, and tui.c (the event loop).
noinst_LTLIBRARIES += libtctui.la
libtctui_la_SOURCES = \
	src/tui/tui.h \
	src/tui/tui.c \
	src/tui/crt.h \
	src/tui/crt.c \
	src/tui/theme.h \
	src/tui/theme.c \
	src/tui/layout.h \
	src/tui/layout.c \
	src/tui/keys.h \
	src/tui/keys.c \
	src/tui/keybar.h \
	src/tui/keybar.c \
	src/tui/help.h \
	src/tui/help.c \
	src/tui/heapmap.h \
	src/tui/heapmap.c \
	src/tui/stackspane.h \
	src/tui/stackspane.c \
	src/tui/statuspane.h \
	src/tui/statuspane.c \
	src/tui/eventlog.h \
	src/tui/eventlog.c \
	src/tui/inspector.h \
	src/tui/inspector.c \
	src/tui/snapper.h \
	src/tui/snapper.c
libtctui_la_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS)
libtctui_la_LIBADD = $(NCURSES_LIBS)

# The manual page of the tricolor program (options and keys).
dist_man_MANS = docs/tricolor.1
