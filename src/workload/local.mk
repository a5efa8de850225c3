# src/workload/local.mk - build fragment for src/workload (included by Makefile.am).
# The workload programs go into libtcengine (with src/view), no ncurses.
noinst_LTLIBRARIES += libtcengine.la
libtcengine_la_SOURCES = \
	src/workload/workload.h \
	src/workload/internal.h \
	src/workload/object.c \
	src/workload/run.c \
	src/workload/scenario.c \
	src/workload/trees.c \
	src/workload/list.c \
	src/workload/graph.c \
	src/workload/cache.c \
	src/workload/escape.c
libtcengine_la_LIBADD = libtricolor.la
