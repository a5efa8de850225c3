/*
 * test_stress.c - many mutator threads mutating a random object graph
 * while the collector runs cycles back to back with the verifier on.
 *
 * Independent of the collector's own checks, every object carries a magic
 * number and a checksum of its payload, verified on every read: a live
 * object that was freed (poisoned) or reused would fail it.  Threads also
 * park, retire and re-attach at random moments, so stacks get scanned by
 * their owners and by the collector, and mutators come and go in every
 * phase.  The seed is printed; TC_SEED=N replays a run's choices (thread
 * interleaving aside).  TC_STRESS_CYCLES sets the cycle count (default
 * 1000).
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tricolor.h"

#define NPTR   4
#define NSLOTS 16
#define MAGIC  0x7c0de5a1u

typedef struct payload {
	uint32_t magic;
	uint32_t sum;
	uint64_t data[2];
} payload;

static tc_runtime *rt;
static atomic_int stop;
static atomic_ulong corrupt, ops_total, reads_total;
static uint64_t seed;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t checksum(const payload *p)
{
	uint64_t h = p->data[0] * 0x9e3779b97f4a7c15ULL ^ p->data[1];
	return (uint32_t)(h ^ (h >> 32));
}

static void *check(void *o)
{
	if (!o)
		return NULL;
	payload *p = tc_scalars(o, NPTR);
	atomic_fetch_add_explicit(&reads_total, 1, memory_order_relaxed);
	if (p->magic != MAGIC || p->sum != checksum(p)) {
		if (atomic_fetch_add(&corrupt, 1) < 5)
			fprintf(stderr,
			        "stress: corrupt object %p: magic %#x sum "
			        "%#x (freed or reused while reachable)\n",
			        o, p->magic, p->sum);
	}
	return o;
}

static void *new_obj(tc_mutator *m, int slot, uint64_t *s)
{
	void *o = tc_alloc_slot(m, slot, NPTR, sizeof(payload));
	ck_assert_msg(o != NULL, "allocation failed: %s", tc_last_error(m));
	payload *p = tc_scalars(o, NPTR);
	p->data[0] = rnd(s);
	p->data[1] = rnd(s);
	p->sum = checksum(p);
	p->magic = MAGIC;
	return o;
}

static int nslots_top(tc_mutator *m)
{
	return tc_depth(m) == 1 ? NSLOTS : 4;
}

static void one_op(tc_mutator *m, uint64_t *s)
{
	int n = nslots_top(m);
	int k = (int)(rnd(s) % (uint64_t)n);
	int k2 = (int)(rnd(s) % (uint64_t)n);
	int r = (int)(rnd(s) % 100);
	if (r < 30) {
		void *prev = check(tc_get_ptr(m, k2));
		void *o = new_obj(m, k, s);
		if (prev && (rnd(s) & 1))
			tc_write(m, o, rnd(s) % NPTR, prev);
	} else if (r < 55) {
		void *a = check(tc_get_ptr(m, k));
		if (!a)
			return;
		void *v = check(tc_get_ptr(m, k2));
		if (rnd(s) % 4 == 0)
			v = NULL;
		else if (v && rnd(s) % 2)
			v = check(tc_read(v, rnd(s) % NPTR));
		tc_write(m, a, rnd(s) % NPTR, v);
	} else if (r < 70) {
		void *a = check(tc_get_ptr(m, k));
		for (int hop = 0; a && hop < 8; hop++) {
			void *next = check(tc_read(a, rnd(s) % NPTR));
			if (!next)
				break;
			a = next;
		}
		/* Heap -> stack: the move the deletion barrier guards. */
		tc_set_ptr(m, k2, a);
	} else if (r < 78) {
		int g = (int)(rnd(s) % 16);
		if (rnd(s) & 1)
			tc_set_global(m, g, check(tc_get_ptr(m, k)));
		else
			tc_set_ptr(m, k, check(tc_get_global(rt, g)));
	} else if (r < 86) {
		if (tc_depth(m) < 8 && (rnd(s) & 1)) {
			void *arg = tc_get_ptr(m, k);
			ck_assert_int_eq(tc_push(m, "callee", 4), 0);
			tc_set_ptr(m, 0, arg);
			new_obj(m, 1, s);
		} else if (tc_depth(m) > 1) {
			tc_return(m, tc_get_ptr(m, (int)(rnd(s) % 4)));
			tc_set_ptr(m, k % nslots_top(m), check(tc_result(m)));
		}
	} else if (r < 87) {
		tc_park(m);
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
		tc_unpark(m);
	} else {
		tc_set_ptr(m, k, NULL);
	}
}

static void *mutator_main(void *arg)
{
	uint64_t s = seed + (uint64_t)(uintptr_t)arg * 0x1234567ULL + 1;
	char name[16];
	snprintf(name, sizeof name, "stress%d", (int)(uintptr_t)arg);
	while (!atomic_load(&stop)) {
		tc_mutator *m = tc_attach(rt, name);
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(tc_push(m, "stress", NSLOTS), 0);
		/* Live for a random while, then retire (in any phase). */
		long life = 5000 + (long)(rnd(&s) % 50000);
		for (long i = 0; i < life && !atomic_load(&stop); i++)
			one_op(m, &s);
		atomic_fetch_add(&ops_total, (unsigned long)life);
		while (tc_depth(m) > 0)
			tc_pop(m);
		tc_detach(m);
	}
	return NULL;
}

START_TEST(eight_mutators_thousand_cycles_no_lost_or_corrupt_object)
{
	const char *e = getenv("TC_SEED");
	seed = e ? strtoull(e, NULL, 10) : (uint64_t)time(NULL);
	const char *c = getenv("TC_STRESS_CYCLES");
	uint64_t target = c ? strtoull(c, NULL, 10) : 1000;
	fprintf(stderr, "stress: seed %llu (replay with TC_SEED=%llu)\n",
	        (unsigned long long)seed, (unsigned long long)seed);
	tc_config cfg;
	tc_config_init(&cfg);
	cfg.heap_bytes = 64 << 20;
	cfg.gogc = 5;
	cfg.min_heap_bytes = 256 << 10;
	cfg.verify = true;
	cfg.on_violation = TC_VERIFY_ABORT;
	cfg.poison_freed = true;
	cfg.nglobals = 16;
	rt = tc_runtime_new(&cfg, NULL);
	ck_assert_ptr_nonnull(rt);
	enum { T = 8 };
	pthread_t th[T];
	for (int i = 0; i < T; i++)
		pthread_create(&th[i], NULL, mutator_main,
		               (void *)(uintptr_t)i);
	tc_stats st;
	time_t t0 = time(NULL);
	for (;;) {
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
		tc_read_stats(rt, &st);
		if (st.cycles >= target || time(NULL) - t0 > 500)
			break;
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	tc_read_stats(rt, &st);
	fprintf(stderr,
	        "stress: %llu cycles, %lu ops, %lu checked reads, %llu "
	        "verifier runs, %llu violations, %lu corrupt, pause max "
	        "%.3f ms, %llu stacks self-scanned, %llu by the collector\n",
	        (unsigned long long)st.cycles, atomic_load(&ops_total),
	        atomic_load(&reads_total), (unsigned long long)st.verify_runs,
	        (unsigned long long)st.verify_violations, atomic_load(&corrupt),
	        st.pause_max_ns / 1e6,
	        (unsigned long long)st.stacks_scanned_by_self,
	        (unsigned long long)st.stacks_scanned_by_gc);
	ck_assert_uint_ge(st.cycles, target);
	ck_assert_uint_ge(st.verify_runs, target);
	ck_assert_uint_eq(st.verify_violations, 0);
	ck_assert_uint_eq(atomic_load(&corrupt), 0);
	ck_assert_uint_gt(st.stacks_scanned_by_self, 0);
	ck_assert_uint_gt(st.stacks_scanned_by_gc, 0);
	tc_runtime_free(rt);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("stress");
	tcase_set_timeout(tc, 900);
	tcase_add_test(
	    tc, eight_mutators_thousand_cycles_no_lost_or_corrupt_object);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
