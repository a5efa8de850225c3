/*
 * allocbench.c - the cost of one allocation on libtricolor's fast path
 * (tc_alloc served from the calling thread's span cache) against glibc
 * malloc+free of the same sizes, in one process.
 *
 * What is measured (docs/benchmarks.md):
 *   - tc_alloc, warm: one mutator, GOGC off, no collection during the timed
 *     loop (checked).  Before each timed pass, the previous pass's objects
 *     (all garbage: nothing roots them) are reclaimed by tc_gc() and the
 *     sweep is waited for, so the pass allocates from swept spans whose
 *     pages are already faulted in: the steady state of a program that
 *     recycles its heap.  Includes the safepoint poll, size-class lookup,
 *     free-slot search, alloc-bit update and zeroing that tc_alloc does.
 *     Since the core zeroes freed objects when it sweeps them (not when
 *     it allocates), zeroing is NOT in this figure: it is in the next one.
 *   - reclaim: the wall time of that tc_gc() plus the wait for the sweep,
 *     per object of the pass (an empty live set: mark is trivial, this is
 *     sweeping and zeroing the garbage).  warm + reclaim is a fair
 *     per-object price to set against malloc+free.
 *   - tc_alloc, cold: the first pass, into fresh arena pages (includes the
 *     kernel's page faults and zeroing); reported, not the headline.
 *   - malloc+free, batched: malloc BATCH objects, then free them, so glibc
 *     really recycles chunks through its tcache/fastbins.
 *   - malloc+free, paired: malloc then free at once (glibc's best case).
 * Every variant allocates the same cyclic size mix (MIX below) and neither
 * writes into the objects.  Passes alternate tricolor / malloc and the
 * median pass is reported.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tricolor.h>

#include "bt_common.h"

/* The size mix: pointer words and scalar bytes of each object in turn;
 * malloc gets nptrs * 8 + scalars bytes.  Small objects, like the heaps
 * of tree- and list-shaped programs (the binary-trees node is {2, 4}). */
static const struct {
	size_t nptrs, scalars;
} MIX[] = {
    {2, 4}, {1, 8}, {4, 0}, {2, 32}, {0, 64}, {2, 4}, {3, 8}, {8, 64},
};
#define NMIX  (sizeof(MIX) / sizeof(MIX[0]))
#define BATCH 1024

static size_t mix_bytes(size_t i)
{
	return MIX[i % NMIX].nptrs * 8 + MIX[i % NMIX].scalars;
}

/* Keeps the compiler from dropping the loops. */
static atomic_uintptr_t sink;

static double tc_pass(tc_mutator *m, size_t n)
{
	uintptr_t acc = 0;
	uint64_t t0 = bt_now_ns();

	for (size_t i = 0; i < n; i++) {
		void *p =
		    tc_alloc(m, MIX[i % NMIX].nptrs, MIX[i % NMIX].scalars);

		if (p == NULL) {
			fprintf(stderr, "allocbench: tc_alloc: %s\n",
			        tc_last_error(m));
			exit(1);
		}
		acc ^= (uintptr_t)p;
	}
	atomic_fetch_xor_explicit(&sink, acc, memory_order_relaxed);
	return (double)(bt_now_ns() - t0) / (double)n;
}

static double malloc_batched_pass(size_t n)
{
	static void *batch[BATCH];
	uintptr_t acc = 0;
	uint64_t t0 = bt_now_ns();

	for (size_t i = 0; i < n; i += BATCH) {
		size_t k = n - i < BATCH ? n - i : BATCH;

		for (size_t j = 0; j < k; j++) {
			batch[j] = malloc(mix_bytes(i + j));
			if (batch[j] == NULL) {
				fprintf(stderr, "allocbench: out of memory\n");
				exit(1);
			}
			acc ^= (uintptr_t)batch[j];
		}
		for (size_t j = 0; j < k; j++)
			free(batch[j]);
	}
	atomic_fetch_xor_explicit(&sink, acc, memory_order_relaxed);
	return (double)(bt_now_ns() - t0) / (double)n;
}

static double malloc_paired_pass(size_t n)
{
	uintptr_t acc = 0;
	uint64_t t0 = bt_now_ns();

	for (size_t i = 0; i < n; i++) {
		/* The pointer escapes into acc, and free() takes it back
		 * through an opaque call, so gcc cannot fold the pair. */
		void *p = malloc(mix_bytes(i));

		if (p == NULL) {
			fprintf(stderr, "allocbench: out of memory\n");
			exit(1);
		}
		acc ^= (uintptr_t)p;
		atomic_signal_fence(memory_order_seq_cst);
		free(p);
	}
	atomic_fetch_xor_explicit(&sink, acc, memory_order_relaxed);
	return (double)(bt_now_ns() - t0) / (double)n;
}

/* Collect everything and wait (parked) until the sweep has finished, so
 * that the next pass neither sweeps lazily nor races the sweeper. */
static void reclaim(tc_mutator *m, tc_runtime *rt)
{
	struct timespec ms = {0, 1000000};

	tc_gc(m);
	tc_park(m);
	while (tc_get_phase(rt) != TC_PHASE_OFF)
		nanosleep(&ms, NULL);
	tc_unpark(m);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr, "usage: allocbench [OBJECTS_PER_PASS [PASSES]]\n"
	                "  defaults 4194304 objects, 5 passes\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long n = 4194304, passes = 5;
	double tcw[64], rc[64], mb[64], mp[64], cold, mean = 0;
	uint64_t cycles_in_passes = 0;
	tc_config cfg;
	tc_runtime *rt;
	tc_mutator *m;
	tc_stats st0, st1;
	const char *err = NULL;

	if (argc > 3 ||
	    (argc > 1 && bt_parse_int(argv[1], 1024, 1L << 30, &n) != 0) ||
	    (argc > 2 && bt_parse_int(argv[2], 1, 64, &passes) != 0))
		usage();
	for (size_t i = 0; i < NMIX; i++)
		mean += (double)mix_bytes(i) / NMIX;

	tc_config_init(&cfg);
	cfg.gogc = TC_GOGC_OFF;
	/* Room for one pass of the mix four times over, whatever the size
	 * classes round up to. */
	cfg.heap_bytes = ((size_t)(mean * (double)n) * 4 + (64u << 20));
	if (cfg.heap_bytes > (64ull << 30))
		cfg.heap_bytes = 64ull << 30;
	rt = tc_runtime_new(&cfg, &err);
	if (rt == NULL) {
		fprintf(stderr, "allocbench: tc_runtime_new: %s\n",
		        err != NULL ? err : "failed");
		return 1;
	}
	m = tc_attach(rt, "allocbench");
	if (m == NULL) {
		fprintf(stderr, "allocbench: tc_attach failed\n");
		return 1;
	}

	tc_read_stats(rt, &st0);
	cold = tc_pass(m, (size_t)n);
	tc_read_stats(rt, &st1);
	cycles_in_passes += st1.cycles - st0.cycles;
	for (int p = 0; p < passes; p++) {
		uint64_t r0 = bt_now_ns();

		reclaim(m, rt);
		rc[p] = (double)(bt_now_ns() - r0) / (double)n;
		tc_read_stats(rt, &st0);
		tcw[p] = tc_pass(m, (size_t)n);
		tc_read_stats(rt, &st1);
		cycles_in_passes += st1.cycles - st0.cycles;
		mb[p] = malloc_batched_pass((size_t)n);
		mp[p] = malloc_paired_pass((size_t)n);
	}

	double w = median(tcw, (int)passes), b = median(mb, (int)passes);
	double pr = median(mp, (int)passes), r = median(rc, (int)passes);

	printf("allocbench: %ld objects per pass, size mix of %zu sizes "
	       "(%.1f B mean request), median of %ld passes\n",
	       n, NMIX, mean, passes);
	printf("tc_alloc warm (swept spans, GOGC off)     %7.2f ns/object\n",
	       w);
	printf("reclaim: tc_gc + sweep, per object        %7.2f ns/object\n",
	       r);
	printf("tc_alloc warm + reclaim                   %7.2f ns/object\n",
	       w + r);
	printf("tc_alloc cold (fresh arena pages)         %7.2f ns/object\n",
	       cold);
	printf("malloc+free batched (%d live)           %7.2f ns/object\n",
	       BATCH, b);
	printf("malloc+free paired                        %7.2f ns/object\n",
	       pr);
	printf("ratio malloc+free batched / tc_alloc warm %7.2fx "
	       "(target >= 2x)\n",
	       b / w);
	printf("ratio malloc+free paired / tc_alloc warm  %7.2fx\n", pr / w);
	printf("ratio malloc+free batched / (warm + reclaim) %4.2fx\n",
	       b / (w + r));
	printf("collections during timed passes           %7llu\n",
	       (unsigned long long)cycles_in_passes);

	tc_detach(m);
	tc_runtime_free(rt);
	return cycles_in_passes == 0 ? 0 : 1;
}
