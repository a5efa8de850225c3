# src/cli/local.mk - build fragment for src/cli (included by Makefile.am).
# libtccli: option parsing and the headless driver, linkable by tests
# without the TUI; the tricolor program adds main.c and libtctui.
noinst_LTLIBRARIES += libtccli.la
libtccli_la_SOURCES = \
	src/cli/cli.h \
	src/cli/options.c \
	src/cli/headless.c
libtccli_la_LIBADD = libtcengine.la

bin_PROGRAMS += tricolor
tricolor_SOURCES = src/main.c
tricolor_LDADD = libtccli.la libtctui.la libtcengine.la libtricolor.la \
	$(NCURSES_LIBS) -lm
