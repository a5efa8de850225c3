# tests/engine.mk - tests of the engine, workloads and CLI (included by
# Makefile.am).
#
# test_engine: src/view + src/workload in-process against the real core.
# test_workload: scenario files and checked objects.
# test_cli: option parsing, and the real binary's gctrace (needs tricolor).
check_PROGRAMS += tests/test_engine tests/test_workload tests/test_cli
TESTS += tests/test_engine tests/test_workload tests/test_cli
tests_test_engine_SOURCES = tests/test_engine.c
tests_test_engine_CFLAGS = $(TEST_CFLAGS)
tests_test_engine_LDADD = libtcengine.la libtricolor.la $(TEST_LIBS)
tests_test_workload_SOURCES = tests/test_workload.c
tests_test_workload_CFLAGS = $(TEST_CFLAGS)
tests_test_workload_LDADD = libtcengine.la libtricolor.la $(TEST_LIBS)
tests_test_cli_SOURCES = tests/test_cli.c
tests_test_cli_CFLAGS = $(TEST_CFLAGS)
tests_test_cli_LDADD = libtccli.la libtcengine.la libtricolor.la $(TEST_LIBS)
# test_cli runs the real binary: build it first.
tests_test_cli_DEPENDENCIES = libtccli.la libtcengine.la libtricolor.la \
	tricolor$(EXEEXT)
EXTRA_DIST += demos
