# src/gc/local.mk - the collector: phases, marking, barrier, verifier.
libtricolor_la_SOURCES += \
	src/gc/gc.h \
	src/gc/gc.c \
	src/gc/mark.c \
	src/gc/barrier.c \
	src/gc/verify.c
