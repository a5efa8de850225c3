/*
 * test_tui_snapper.c - the heap snapshot thread against a real engine.
 *
 * The snapper hands the main thread whole heap snapshots through a triple
 * buffer: these tests pin that the first snapshot is there at once, that a
 * request brings a fresh one, that while paused a fresh snapshot shows the
 * same picture (the buffers hold real, complete copies), and that stopping
 * joins the thread promptly.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui/snapper.h"

static tv_engine *start_engine(void)
{
	tv_options o;
	char err[256];
	tv_engine *e;

	tv_options_init(&o);
	o.mutators = 2;
	o.seed = 1;
	o.heap_bytes = 16u << 20;
	e = tv_engine_new(&o, err, sizeof err);
	ck_assert_msg(e != NULL, "engine: %s", err);
	return e;
}

static size_t live(const tv_heap *h)
{
	return h->counts[TC_WHITE] + h->counts[TC_GREY] + h->counts[TC_BLACK];
}

/* Wait (bounded) for a fresh snapshot. */
static bool wait_fresh(snapper *s, tv_heap **front)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (snapper_take(s, front))
			return true;
		usleep(5000);
	}
	return false;
}

START_TEST(first_snapshot_is_ready_and_requests_bring_fresh_ones)
{
	tv_engine *e = start_engine();
	snapper s;
	tv_heap *front = NULL;
	tv_heap *first;

	ck_assert_int_eq(snapper_start(&s, e, &front, 10000000ull, 25), 0);
	ck_assert_ptr_nonnull(front);
	ck_assert_uint_eq(front->npages, (16u << 20) / 8192);
	first = front;
	snapper_request(&s);
	ck_assert(wait_fresh(&s, &front));
	/* A fresh snapshot arrives in another buffer: the old one is the
	 * helper's to refill, never the one being read. */
	ck_assert_ptr_ne(front, first);
	/* On a busy machine the mutators may not have allocated yet. */
	for (int i = 0; i < 200 && (front->nspans == 0 || live(front) == 0);
	     i++) {
		usleep(10000);
		snapper_request(&s);
		ck_assert(wait_fresh(&s, &front));
	}
	ck_assert_uint_gt(front->nspans, 0);
	ck_assert_uint_gt(live(front), 0);
	snapper_stop(&s, front);
	tv_heap_release(front);
	tv_engine_free(e);
}
END_TEST

START_TEST(paused_snapshots_show_the_same_picture)
{
	tv_engine *e = start_engine();
	snapper s;
	tv_heap *front = NULL;
	size_t counts[4], nspans;

	usleep(200000);
	tv_pause(e, true);
	usleep(300000); /* mutators park at their next safepoint */
	ck_assert_int_eq(snapper_start(&s, e, &front, 5000000ull, 25), 0);
	snapper_request(&s);
	ck_assert(wait_fresh(&s, &front));
	memcpy(counts, front->counts, sizeof counts);
	nspans = front->nspans;
	snapper_request(&s);
	ck_assert(wait_fresh(&s, &front));
	ck_assert_uint_eq(front->nspans, nspans);
	ck_assert_mem_eq(front->counts, counts, sizeof counts);
	snapper_stop(&s, front);
	tv_heap_release(front);
	tv_pause(e, false);
	tv_engine_free(e);
}
END_TEST

START_TEST(stop_joins_promptly_even_with_a_long_period)
{
	tv_engine *e = start_engine();
	snapper s;
	tv_heap *front = NULL;
	struct timespec t0, t1;
	double dt;

	ck_assert_int_eq(snapper_start(&s, e, &front, 60000000000ull, 25), 0);
	usleep(50000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snapper_stop(&s, front);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0.tv_sec) +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(dt < 5.0, "stop took %.1f s", dt);
	tv_heap_release(front);
	tv_engine_free(e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tui_snapper");
	TCase *tc = tcase_create("snapper");
	SRunner *sr;
	int failed;

	tcase_add_test(tc,
	               first_snapshot_is_ready_and_requests_bring_fresh_ones);
	tcase_add_test(tc, paused_snapshots_show_the_same_picture);
	tcase_add_test(tc, stop_joins_promptly_even_with_a_long_period);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
