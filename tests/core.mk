# tests/core.mk - tests of the heap, the collector and the runtime.
core_tests = tests/test_heap tests/test_gc tests/test_stress
check_PROGRAMS += $(core_tests)
TESTS += $(core_tests)

tests_test_heap_SOURCES = tests/test_heap.c
tests_test_heap_CFLAGS = $(TEST_CFLAGS)
tests_test_heap_LDADD = libtricolor.la $(TEST_LIBS)

tests_test_gc_SOURCES = tests/test_gc.c
tests_test_gc_CFLAGS = $(TEST_CFLAGS)
tests_test_gc_LDADD = libtricolor.la $(TEST_LIBS)

tests_test_stress_SOURCES = tests/test_stress.c
tests_test_stress_CFLAGS = $(TEST_CFLAGS)
tests_test_stress_LDADD = libtricolor.la $(TEST_LIBS)
