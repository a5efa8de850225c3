# tests/tui.mk - tests of the TUI (included by Makefile.am).
#
# test_tui: in-process rendering tests; each pane draws hand-built data on
# an off-screen terminal (newterm on /dev/null) and the cells are read back.
# e2e_tui.sh: the real tricolor binary inside a private tmux server.
# e2e_monkey.sh: the same, driven by a seeded monkey.
# e2e_lib.sh: the two scripts' shared setup (binary, tmux server, cleanup).
check_PROGRAMS += tests/test_tui
TESTS += tests/test_tui
tests_test_tui_SOURCES = tests/test_tui.c
tests_test_tui_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
tests_test_tui_LDADD = libtctui.la libtricolor.la $(TEST_LIBS) $(NCURSES_LIBS)

# The end-to-end tests need the real binary and tmux (skipped, exit 77,
# only when tmux is missing).
TESTS += tests/e2e_tui.sh
EXTRA_DIST += tests/e2e_tui.sh tests/e2e_lib.sh

# e2e_monkey.sh: random keys and resizes (fixed seed, about 15 s) against
# the real binary in tmux; prints the seed and the keys sent on failure.
# MONKEY_SEED, MONKEY_SECONDS and MONKEY_VERIFY=1 make longer runs.
TESTS += tests/e2e_monkey.sh
EXTRA_DIST += tests/e2e_monkey.sh

# test_tui_snapper: the heap snapshot thread against a real engine.
check_PROGRAMS += tests/test_tui_snapper
TESTS += tests/test_tui_snapper
tests_test_tui_snapper_SOURCES = tests/test_tui_snapper.c
tests_test_tui_snapper_CFLAGS = $(TEST_CFLAGS) $(NCURSES_CFLAGS)
tests_test_tui_snapper_LDADD = libtctui.la libtcengine.la libtricolor.la \
	$(TEST_LIBS) $(NCURSES_LIBS)
