# src/runtime/local.mk - mutators, stacks, safepoints, stop-the-world, API.
libtricolor_la_SOURCES += \
	src/runtime/runtime.h \
	src/runtime/runtime.c \
	src/runtime/mutator.c \
	src/runtime/observe.c
