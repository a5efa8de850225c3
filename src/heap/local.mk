# src/heap/local.mk - the heap: arena, pages, spans, size classes, bitmaps.
libtricolor_la_SOURCES += \
	src/util.c src/util.h \
	src/heap/heap.h \
	src/heap/sizeclass.c \
	src/heap/pageheap.c \
	src/heap/mcentral.c
