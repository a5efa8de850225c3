# bench/local.mk - benchmark programs (included by Makefile.am).
#
# `make bench` builds $(BENCH_BINS) (nothing here is built by `make all`)
# and runs the bench-run target: clockgap (the machine's own stalls), then
# allocbench, a depth-16 smoke run of the tricolor binary-trees with the
# verifier off and on, the binary-trees comparison (tricolor, Boehm, Go,
# glibc malloc: bench/run-binarytrees.sh), pausebench, and clockgap again.
# bench/binarytrees is also a check program: bench/test-binarytrees.sh
# runs it under `make check`.  docs/benchmarks.md explains the figures.
#
# Knobs: make bench BT_DEPTHS="16 18 20" BT_WORKERS="1 4" BT_ROUNDS=7 \
#          PAUSE_ARGS="-s 16,256,1024 -t 5 -c 5" ALLOC_ARGS="4194304 5" \
#          GAP_ARGS="-t 10 -w 5000"
# BT_ROUNDS empty (the default): one whole cycle of the runner's balanced
# order for the variants built (4 rounds for four, 6 for three).

BT_DEPTHS = 16 18
BT_WORKERS = 1 4
BT_ROUNDS =
PAUSE_ARGS = -s 16,256,1024 -t 3 -c 3
ALLOC_ARGS =
GAP_ARGS = -t 5 -w 2000

check_PROGRAMS += bench/binarytrees
bench_binarytrees_SOURCES = bench/binarytrees.c bench/bt_common.h
bench_binarytrees_LDADD = libtricolor.la

EXTRA_PROGRAMS += bench/binarytrees-malloc bench/binarytrees-boehm \
	bench/allocbench bench/pausebench bench/clockgap
bench_binarytrees_malloc_SOURCES = bench/binarytrees_malloc.c \
	bench/bt_common.h bench/bt_cnode.h
bench_binarytrees_boehm_SOURCES = bench/binarytrees_boehm.c \
	bench/bt_common.h bench/bt_cnode.h
# Not AM_CPPFLAGS: with -I src, <gc/gc.h> would be tricolor's collector
# header instead of Boehm's.
bench_binarytrees_boehm_CPPFLAGS = -I$(top_srcdir)/bench
bench_binarytrees_boehm_CFLAGS = $(AM_CFLAGS) $(BDWGC_CFLAGS)
bench_binarytrees_boehm_LDADD = $(BDWGC_LIBS)
bench_allocbench_SOURCES = bench/allocbench.c bench/bt_common.h
bench_allocbench_LDADD = libtricolor.la
bench_pausebench_SOURCES = bench/pausebench.c bench/bt_common.h
bench_pausebench_LDADD = libtricolor.la
bench_clockgap_SOURCES = bench/clockgap.c bench/bt_common.h

BENCH_BINS += bench/binarytrees$(EXEEXT) bench/binarytrees-malloc$(EXEEXT) \
	bench/allocbench$(EXEEXT) bench/pausebench$(EXEEXT) \
	bench/clockgap$(EXEEXT) bench/binarytrees-go.stamp
if HAVE_BDWGC
BENCH_BINS += bench/binarytrees-boehm$(EXEEXT)
endif

# The Go variant, when configure found a Go toolchain ($(GO)); without one
# the stamp is still made and the runner skips Go.  Single-file build: no
# module, no network.  GOCACHE falls back to the build tree without $HOME.
bench/binarytrees-go.stamp: $(srcdir)/bench/go/binarytrees.go
	$(AM_V_GEN)if test -n "$(GO)"; then \
	  if test -z "$$HOME$${GOCACHE:-}$${XDG_CACHE_HOME:-}"; then \
	    GOCACHE='$(abs_builddir)/bench/go-cache'; export GOCACHE; \
	  fi; \
	  $(GO) build -o bench/binarytrees-go \
	    $(srcdir)/bench/go/binarytrees.go || exit 1; \
	else \
	  echo "bench: no Go toolchain; skipping the Go variant"; \
	fi; \
	touch $@

TESTS += bench/test-binarytrees.sh
if TSAN
# ThreadSanitizer runs ~10x slower: keep the big run of the test small.
AM_TESTS_ENVIRONMENT += BT_TEST_DEPTH=12; export BT_TEST_DEPTH;
endif

EXTRA_DIST += bench/test-binarytrees.sh bench/run-binarytrees.sh \
	bench/bt-expected.sh bench/go/binarytrees.go
CLEANFILES += bench/binarytrees-malloc$(EXEEXT) \
	bench/binarytrees-boehm$(EXEEXT) bench/allocbench$(EXEEXT) \
	bench/pausebench$(EXEEXT) bench/clockgap$(EXEEXT) \
	bench/binarytrees-go bench/binarytrees-go.stamp

bench-run:
	@echo "== clockgap: how long the machine keeps a busy thread off its CPU"
	bench/clockgap $(GAP_ARGS)
	@echo "== allocbench: tc_alloc fast path vs malloc+free"
	bench/allocbench $(ALLOC_ARGS)
	@echo "== binary-trees: depth-16 smoke (verifier off, on), comparison"
	BT_ROUNDS="$(BT_ROUNDS)" $(srcdir)/bench/run-binarytrees.sh -b bench \
	  -S 16 -d "$(BT_DEPTHS)" -w "$(BT_WORKERS)"
	@echo "== pausebench: STW pauses against live-heap size"
	bench/pausebench $(PAUSE_ARGS)
	@echo "== clockgap, again after the runs"
	bench/clockgap $(GAP_ARGS)
