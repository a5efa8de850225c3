# src/view/local.mk - build fragment for src/view (included by Makefile.am).
# The engine's control plane and read side; libtcengine is declared in
# src/workload/local.mk (workload + view, no ncurses).
libtcengine_la_SOURCES += \
	src/view/view.h \
	src/view/engine.h \
	src/view/engine.c \
	src/view/events.c \
	src/view/snapshot.c
