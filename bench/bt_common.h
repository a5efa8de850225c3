/*
 * bt_common.h - what every C variant of the binary-trees benchmark shares:
 * the command line (`prog MAXDEPTH [WORKERS]`), the depth schedule and the
 * exact stdout lines of /work/shared/bench/binary-trees.md (docs/
 * benchmarks.md), and a monotonic clock.  The collector-specific parts
 * (allocation, roots, threads, stats) stay in each variant's own file so
 * that each reads as the program it measures.
 */
#ifndef BT_COMMON_H
#define BT_COMMON_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BT_MIN_DEPTH     4
#define BT_MAX_ARG_DEPTH 28 /* 2^30 nodes in the stretch tree: plenty */
#define BT_MAX_WORKERS   64

/* The parsed command line and the derived depths of the spec. */
struct bt_args {
	int max_depth;     /* max(N, 6) */
	int stretch_depth; /* max_depth + 1 */
	int workers;       /* 1 = everything on the main thread */
};

/* Parse one decimal integer in [lo, hi]; returns 0 or -1. */
static inline int bt_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Parse `prog MAXDEPTH [WORKERS]` into *a.  On bad input, prints a usage
 * message naming the problem to stderr and exits with status 2. */
static inline void bt_parse_args(int argc, char **argv, struct bt_args *a)
{
	const char *prog = argc > 0 ? argv[0] : "binarytrees";
	long n = 0, w = 1;

	if (argc < 2 || argc > 3 ||
	    bt_parse_int(argv[1], 0, BT_MAX_ARG_DEPTH, &n) != 0 ||
	    (argc == 3 && bt_parse_int(argv[2], 1, BT_MAX_WORKERS, &w) != 0)) {
		fprintf(stderr,
		        "usage: %s MAXDEPTH [WORKERS]\n"
		        "  MAXDEPTH: 0..%d (depths below 6 run as 6)\n"
		        "  WORKERS:  1..%d threads for the short-lived trees "
		        "(default 1: main thread)\n",
		        prog, BT_MAX_ARG_DEPTH, BT_MAX_WORKERS);
		exit(2);
	}
	a->max_depth = n < 6 ? 6 : (int)n;
	a->stretch_depth = a->max_depth + 1;
	a->workers = (int)w;
}

/* Number of trees of depth d built in step 3. */
static inline int64_t bt_iterations(const struct bt_args *a, int d)
{
	return (int64_t)1 << (a->max_depth - d + BT_MIN_DEPTH);
}

/* Share of `iters` trees for worker `i` of `n`: an even split, the
 * remainder (never any with power-of-two counts) to the first workers. */
static inline int64_t bt_share(int64_t iters, int i, int n)
{
	return iters / n + (i < iters % n ? 1 : 0);
}

/* Step 3 for one depth, for the variants whose workers need no setup of
 * their own (Boehm, malloc): run `run(count, depth)` on the calling thread,
 * or split the iterations over a->workers threads and join them.  The
 * Boehm program includes this after <gc/gc.h>, whose GC_THREADS macros
 * turn pthread_create into GC_pthread_create, so Boehm scans the workers.
 * The call through `run` is once per thread, not per node. */
struct bt_work {
	pthread_t thread;
	int depth;
	int64_t count;
	int64_t check; /* written by the worker, read after pthread_join */
	int64_t (*run)(int64_t count, int depth);
};

static inline void *bt_worker_main(void *arg)
{
	struct bt_work *w = arg;

	w->check = w->run(w->count, w->depth);
	return NULL;
}

static inline int64_t bt_fork_join(const struct bt_args *a, int depth,
                                   int64_t iters,
                                   int64_t (*run)(int64_t, int),
                                   const char *prog)
{
	struct bt_work ws[BT_MAX_WORKERS];
	int64_t check = 0;

	if (a->workers <= 1)
		return run(iters, depth);
	for (int i = 0; i < a->workers; i++) {
		ws[i].depth = depth;
		ws[i].count = bt_share(iters, i, a->workers);
		ws[i].check = 0;
		ws[i].run = run;
		if (pthread_create(&ws[i].thread, NULL, bt_worker_main,
		                   &ws[i])) {
			fprintf(stderr, "%s: pthread_create failed\n", prog);
			exit(1);
		}
	}
	for (int i = 0; i < a->workers; i++) {
		pthread_join(ws[i].thread, NULL);
		check += ws[i].check;
	}
	return check;
}

static inline void bt_print_stretch(int depth, int64_t check)
{
	printf("stretch tree of depth %d\t check: %lld\n", depth,
	       (long long)check);
}

static inline void bt_print_depth(int64_t iters, int depth, int64_t check)
{
	printf("%lld\t trees of depth %d\t check: %lld\n", (long long)iters,
	       depth, (long long)check);
}

static inline void bt_print_long_lived(int depth, int64_t check)
{
	printf("long lived tree of depth %d\t check: %lld\n", depth,
	       (long long)check);
}

/* Monotonic nanoseconds. */
static inline uint64_t bt_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t bt_now_ns(void)
{
	return bt_clock_ns(CLOCK_MONOTONIC);
}

/* qsort's comparison for uint64_t figures. */
static inline int bt_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile p (0..100) of n sorted figures; 0 if none. */
static inline uint64_t bt_pct(const uint64_t *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	return v[(k > n ? n : k) - 1];
}

/* A measured figure in ms for a stats line, or "-" if it was not
 * measured. */
static inline void bt_ms_or_dash(char *buf, size_t len, int measured,
                                 uint64_t ns)
{
	if (measured)
		snprintf(buf, len, "%.3f", (double)ns / 1e6);
	else
		snprintf(buf, len, "-");
}

/* A count for the stats line, or "-" when not measured. */
static inline void bt_u_or_dash(char *buf, size_t len, int measured,
                                unsigned n)
{
	if (measured)
		snprintf(buf, len, "%u", n);
	else
		snprintf(buf, len, "-");
}

#endif /* BT_COMMON_H */
