/*
 * test_engine.c - the engine (src/view) and the workload programs
 * (src/workload) against the real collector: every scenario verifies
 * clean, mutators retire mid-cycle, stepping moves exactly what it should,
 * pause holds everything still.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view/engine.h"
#include "view/view.h"
#include "workload/workload.h"

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static tv_engine *start(const char *scenario, int mutators, int gogc)
{
	tv_options o;
	char err[256];
	tv_engine *e;

	tv_options_init(&o);
	o.scenario = scenario;
	o.mutators = mutators;
	o.gogc = gogc;
	o.heap_bytes = 64u << 20;
	o.verify = true;
	o.seed = 42;
	e = tv_engine_new(&o, err, sizeof(err));
	ck_assert_msg(e != NULL, "tv_engine_new: %s", err);
	return e;
}

static uint64_t cycles(tv_engine *e)
{
	tv_status st;

	tv_get_status(e, &st);
	return st.gc.cycles;
}

/* Wait until at least n more cycles complete (at most `secs`). */
static void run_cycles(tv_engine *e, uint64_t n, int secs)
{
	uint64_t c0 = cycles(e);

	for (int i = 0; i < secs * 100 && cycles(e) < c0 + n; i++)
		sleep_ms(10);
	ck_assert_msg(cycles(e) >= c0 + n, "only %llu of %llu cycles",
	              (unsigned long long)(cycles(e) - c0),
	              (unsigned long long)n);
}

/* Wait (at most 30 s) until each of the first n mutators has done an
 * operation.  The minimum heap scales with GOGC (400 KiB at GOGC 10), so
 * a few cycles can end before the last thread has been scheduled at all
 * on a loaded machine: tests that want cycles run with every mutator
 * wait for them first. */
static void wait_busy(tv_engine *e, int n)
{
	for (int i = 0; i < n; i++) {
		for (int t = 0; t < 3000 && tv_slot_ops(e, i) == 0; t++)
			sleep_ms(10);
		ck_assert_msg(tv_slot_ops(e, i) > 0, "mutator %d idle", i);
	}
}

static void assert_clean(tv_engine *e)
{
	tv_status st;

	tv_get_status(e, &st);
	ck_assert_msg(st.gc.verify_runs > 0, "the verifier never ran");
	ck_assert_msg(st.gc.verify_violations == 0, "%llu lost objects",
	              (unsigned long long)st.gc.verify_violations);
	ck_assert_msg(st.failures == 0, "workload check failed: %s",
	              st.failure);
	ck_assert_msg(st.alloc_failures == 0, "heap full");
	ck_assert(st.ops > 0);
}

/* Pause, and wait until every mutator is parked at an operation
 * boundary (tv_pause itself never waits). */
static void pause_all(tv_engine *e)
{
	tv_status st;

	tv_pause(e, true);
	for (int i = 0; i < 500; i++) {
		tv_get_status(e, &st);
		if (st.mutators_held == st.mutators)
			return;
		sleep_ms(10);
	}
	ck_abort_msg("mutators did not park: %d of %d", st.mutators_held,
	             st.mutators);
}

static int attached(tv_engine *e)
{
	unsigned ids[128];

	return tc_mutator_ids(tv_runtime(e), ids, 128);
}

static void wait_attached(tv_engine *e, int n)
{
	for (int i = 0; i < 500 && attached(e) != n; i++)
		sleep_ms(10);
	ck_assert_int_eq(attached(e), n);
}

/* ---- every scenario, verifier on, several mutators, small GOGC ---- */

START_TEST(test_scenario_runs_clean_under_verifier)
{
	const char *name = tv_scenario_name(_i);
	tv_engine *e = start(name, 4, 10);
	tv_status st;

	wait_busy(e, 4);
	run_cycles(e, 4, 60);
	tv_get_status(e, &st);
	ck_assert_str_eq(st.scenario, name);
	ck_assert_int_eq(st.mutators, 4);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_scenario_switch_live)
{
	tv_engine *e = start("trees", 3, 25);
	char err[200];
	tv_status st;

	for (int i = 0; i < tv_scenario_count(); i++) {
		ck_assert_int_eq(
		    tv_set_scenario(e, tv_scenario_name(i), err, sizeof(err)),
		    0);
		run_cycles(e, 1, 30);
		tv_get_status(e, &st);
		ck_assert_str_eq(st.scenario, tv_scenario_name(i));
	}
	ck_assert_int_eq(tv_set_scenario(e, "nosuch", err, sizeof(err)),
	                 TC_EINVAL);
	ck_assert_msg(strstr(err, "unknown scenario 'nosuch'"), "%s", err);
	tv_next_scenario(e);
	tv_get_status(e, &st);
	ck_assert_str_eq(st.scenario, "trees"); /* after escape, wraps */
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

static const char *const demos[] = {"deep-trees", "lost-objects", "long-queue",
                                    "big-cache", "escape-heavy"};

START_TEST(test_demo_files_run_clean_under_verifier)
{
	const char *src = getenv("top_srcdir");
	char path[512];
	tv_engine *e;

	snprintf(path, sizeof(path), "%s/demos/%s.scn", src ? src : ".",
	         demos[_i]);
	e = start(path, 3, 50);
	run_cycles(e, 2, 60);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

/* A scenario the front end has already loaded (a file read once, which
 * may have been a pipe) is run as it is: the engine does not open the
 * path again. */
START_TEST(test_engine_runs_a_loaded_scenario_without_reading_it_again)
{
	wl_scenario sc;
	tv_options o;
	tv_status st;
	char err[256];
	tv_engine *e;

	ck_assert_int_eq(wl_scenario_parse("program list\nname piped\n",
	                                   "/dev/stdin", &sc, err, sizeof(err)),
	                 0);
	tv_options_init(&o);
	o.scenario = "/nonexistent/gone.scn"; /* read once, by the caller */
	o.loaded = &sc;
	o.mutators = 2;
	o.verify = true;
	o.seed = 42;
	e = tv_engine_new(&o, err, sizeof(err));
	ck_assert_msg(e != NULL, "tv_engine_new: %s", err);
	tv_get_status(e, &st);
	ck_assert_str_eq(st.scenario, "piped");
	run_cycles(e, 1, 30);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

/* Every thread but this one blocks SIGINT, SIGTERM and SIGWINCH: read
 * each thread's blocked set from /proc. */
START_TEST(test_engine_threads_block_front_end_signals)
{
	tv_engine *e = start("trees", 3, 100);
	char path[300], line[256];
	unsigned long long want = (1ull << (SIGINT - 1)) |
	                          (1ull << (SIGTERM - 1)) |
	                          (1ull << (SIGHUP - 1)) |
	                          (1ull << (SIGQUIT - 1)) |
	                          (1ull << (SIGWINCH - 1));
	int checked = 0;
	DIR *d;
	struct dirent *de;

	sleep_ms(100);
	d = opendir("/proc/self/task");
	if (!d) {
		tv_engine_free(e);
		return; /* no /proc: nothing to read */
	}
	while ((de = readdir(d)) != NULL) {
		FILE *f;
		unsigned long long blk = 0;

		if (de->d_name[0] == '.' || atoi(de->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
		         de->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "SigBlk: %llx", &blk) == 1)
				break;
		fclose(f);
		ck_assert_msg((blk & want) == want,
		              "thread %s blocks %#llx, not all of %#llx",
		              de->d_name, blk, want);
		checked++;
	}
	closedir(d);
	ck_assert_int_ge(checked, 4); /* 3 mutators and the collector */
	tv_engine_free(e);
}
END_TEST

/* ---- mutators start and retire at any phase ---- */

START_TEST(test_retire_during_mark_and_sweep_paused)
{
	tv_engine *e = start("graph", 6, 25);
	tc_runtime *rt = tv_runtime(e);

	run_cycles(e, 1, 30);
	tv_pause(e, true);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(tv_step_phase(e), 0);
		if (tc_get_phase(rt) == TC_PHASE_MARK)
			break;
	}
	ck_assert_int_eq(tc_get_phase(rt), TC_PHASE_MARK);
	ck_assert_int_eq(tv_set_mutators(e, 2), 0); /* retire 4 in mark */
	wait_attached(e, 2);
	for (int i = 0; i < 20; i++)
		tv_step_object(e);
	ck_assert_int_eq(tv_step_phase(e), 0);
	ck_assert_int_eq(tc_get_phase(rt), TC_PHASE_SWEEP);
	ck_assert_int_eq(tv_set_mutators(e, 1), 0); /* retire in sweep */
	wait_attached(e, 1);
	ck_assert_int_eq(tv_set_mutators(e, 5), 0); /* start in sweep */
	wait_attached(e, 5);
	tv_pause(e, false);
	run_cycles(e, 3, 60);
	assert_clean(e);
	ck_assert_int_eq(tv_get_mutators(e), 5);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_retire_during_mark_and_sweep_running)
{
	tv_engine *e = start("trees", 4, 10);
	tc_runtime *rt = tv_runtime(e);
	int hits_mark = 0, hits_sweep = 0;

	srand(7);
	for (int round = 0; round < 40; round++) {
		tc_phase want = round % 2 ? TC_PHASE_SWEEP : TC_PHASE_MARK;

		/* Up to 3 s of polling: marks are short. */
		for (long i = 0; i < 3000000 && tc_get_phase(rt) != want; i++)
			sched_yield();
		if (tc_get_phase(rt) == want)
			want == TC_PHASE_MARK ? hits_mark++ : hits_sweep++;
		ck_assert_int_eq(tv_set_mutators(e, 1 + rand() % 8), 0);
	}
	ck_assert_msg(hits_mark > 0 && hits_sweep > 0,
	              "never changed mutators in mark (%d) or sweep (%d)",
	              hits_mark, hits_sweep);
	tv_set_mutators(e, 3);
	wait_attached(e, 3);
	run_cycles(e, 2, 30);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_mutator_count_limits)
{
	tv_engine *e = start("list", 1, 100);

	ck_assert_int_eq(tv_set_mutators(e, 0), TC_EINVAL);
	ck_assert_int_eq(tv_set_mutators(e, TV_MAX_MUTATORS + 1), TC_EINVAL);
	ck_assert_int_eq(tv_set_mutators(e, TV_MAX_MUTATORS), 0);
	wait_attached(e, TV_MAX_MUTATORS);
	ck_assert_int_eq(tv_set_mutators(e, 1), 0);
	wait_attached(e, 1);
	tv_engine_free(e);
}
END_TEST

/* ---- pause and stepping ---- */

typedef struct frozen {
	tc_stats gc;
	uint64_t ops;
	tv_heap heap;
} frozen;

static void freeze(tv_engine *e, frozen *f)
{
	tv_status st;

	tv_get_status(e, &st);
	f->gc = st.gc;
	f->ops = st.ops;
	tv_heap_snapshot(e, &f->heap);
}

START_TEST(test_pause_holds_every_counter_still)
{
	tv_engine *e = start("cache", 4, 50);
	frozen a = {0}, b = {0};

	wait_busy(e, 4);
	run_cycles(e, 2, 30);
	pause_all(e);
	ck_assert(tv_paused(e));
	sleep_ms(100); /* and the collector its next step point */
	freeze(e, &a);
	sleep_ms(1000);
	freeze(e, &b);
	ck_assert_uint_eq(a.ops, b.ops);
	ck_assert_uint_eq(a.gc.alloc_bytes, b.gc.alloc_bytes);
	ck_assert_uint_eq(a.gc.alloc_objects, b.gc.alloc_objects);
	ck_assert_uint_eq(a.gc.freed_objects, b.gc.freed_objects);
	ck_assert_uint_eq(a.gc.marked_objects, b.gc.marked_objects);
	ck_assert_uint_eq(a.gc.cycles, b.gc.cycles);
	ck_assert_uint_eq(a.gc.barrier_shades, b.gc.barrier_shades);
	ck_assert_int_eq(a.gc.phase, b.gc.phase);
	ck_assert_uint_eq(a.heap.nspans, b.heap.nspans);
	ck_assert_uint_eq(a.heap.ncolors, b.heap.ncolors);
	ck_assert(memcmp(a.heap.colors, b.heap.colors, a.heap.ncolors) == 0);
	for (int i = 0; i < 4; i++)
		ck_assert(tv_slot_ops(e, i) > 0);
	tv_pause(e, false);
	run_cycles(e, 1, 30);
	ck_assert_uint_gt(cycles(e), b.gc.cycles);
	tv_heap_release(&a.heap);
	tv_heap_release(&b.heap);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_steps_refused_unless_paused)
{
	tv_engine *e = start("trees", 1, 100);

	ck_assert_int_eq(tv_step_object(e), TC_EINVAL);
	ck_assert_int_eq(tv_step_phase(e), TC_EINVAL);
	ck_assert_int_eq(tv_step_mutators(e), TC_EINVAL);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_step_mutators_one_operation_each)
{
	tv_engine *e = start("list", 3, 100);
	uint64_t before[3];

	sleep_ms(100);
	pause_all(e);
	for (int i = 0; i < 3; i++)
		before[i] = tv_slot_ops(e, i);
	for (int s = 1; s <= 5; s++) {
		ck_assert_int_eq(tv_step_mutators(e), 0);
		for (int i = 0; i < 3; i++)
			ck_assert_uint_eq(tv_slot_ops(e, i), before[i] + s);
	}
	sleep_ms(200); /* and nothing more happens on its own */
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(tv_slot_ops(e, i), before[i] + 5);
	tv_pause(e, false);
	tv_engine_free(e);
}
END_TEST

/* Where a phase step from p may land.  The collector holds only at its
 * step points: in mark, in sweep, and at the start of a cycle (the phase
 * then reads "sweep termination", before its stop-the-world), or idle in
 * "off".  The stop-the-world phases themselves run through.  A step from
 * sweep goes on into the next cycle's start, as the step itself asks the
 * collector to run. */
static bool lands_next(tc_phase p0, tc_phase p1)
{
	switch (p0) {
	case TC_PHASE_OFF:
	case TC_PHASE_SWEEP_TERM:
		return p1 == TC_PHASE_MARK;
	case TC_PHASE_MARK:
		return p1 == TC_PHASE_SWEEP;
	case TC_PHASE_SWEEP:
		return p1 == TC_PHASE_SWEEP_TERM || p1 == TC_PHASE_OFF;
	default:
		return false;
	}
}

START_TEST(test_step_phase_lands_in_next_phase)
{
	tv_engine *e = start("trees", 2, 100);
	tc_runtime *rt = tv_runtime(e);
	int seen[TC_NPHASES] = {0};

	run_cycles(e, 1, 30);
	pause_all(e);
	/* A first step makes sure the collector holds at a step point. */
	ck_assert_int_eq(tv_step_phase(e), 0);
	for (int i = 0; i < 9; i++) {
		tc_phase p0 = tc_get_phase(rt), p1;

		ck_assert_int_eq(tv_step_phase(e), 0);
		p1 = tc_get_phase(rt);
		ck_assert_msg(lands_next(p0, p1), "step from %s landed in %s",
		              tc_phase_name(p0), tc_phase_name(p1));
		seen[p1]++;
		/* and it stays there while paused */
		sleep_ms(20);
		ck_assert_int_eq(tc_get_phase(rt), p1);
	}
	ck_assert(seen[TC_PHASE_MARK] == 3 && seen[TC_PHASE_SWEEP] == 3);
	tv_pause(e, false);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

/* Index of object (page, slot) in a heap picture, or -1. */
static long find(const tv_heap *h, size_t span, uint32_t slot)
{
	if (slot >= h->spans[span].nelems)
		return -1;
	return (long)(h->first_color[span] + slot);
}

START_TEST(test_step_object_blackens_exactly_one)
{
	tv_engine *e = start("trees", 2, 100);
	tc_runtime *rt = tv_runtime(e);
	tv_heap a = {0}, b = {0};
	int object_steps = 0, root_steps = 0;

	run_cycles(e, 1, 30);
	pause_all(e);
	/* Step at least once, so the collector is known to hold. */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(tv_step_phase(e), 0);
		if (tc_get_phase(rt) == TC_PHASE_MARK)
			break;
	}
	ck_assert_int_eq(tc_get_phase(rt), TC_PHASE_MARK);
	for (int step = 0; step < 400 && tc_get_phase(rt) == TC_PHASE_MARK;
	     step++) {
		long blackened = -1;
		int nblack = 0, nshaded = 0;
		tc_objid x = {0, 0};

		tv_heap_snapshot(e, &a);
		ck_assert_int_eq(tv_step_object(e), 0);
		if (tc_get_phase(rt) != TC_PHASE_MARK)
			break; /* that step ended the mark */
		tv_heap_snapshot(e, &b);
		ck_assert_uint_eq(a.nspans, b.nspans);
		ck_assert_uint_eq(a.ncolors, b.ncolors);
		ck_assert_uint_eq(b.counts[TC_FREE], a.counts[TC_FREE]);
		for (size_t s = 0; s < a.nspans; s++) {
			ck_assert_uint_eq(a.spans[s].page, b.spans[s].page);
			for (uint32_t k = 0; k < a.spans[s].nelems; k++) {
				long i = find(&a, s, k);
				uint8_t c0 = a.colors[i], c1 = b.colors[i];

				if (c0 == c1)
					continue;
				if (c0 == TC_GREY && c1 == TC_BLACK) {
					nblack++;
					blackened = i;
					x.page = a.spans[s].page;
					x.slot = k;
				} else if (c0 == TC_WHITE && c1 == TC_GREY) {
					nshaded++;
				} else {
					ck_abort_msg("object %u:%u went from "
					             "color %d to %d",
					             a.spans[s].page, k, c0,
					             c1);
				}
			}
		}
		ck_assert_msg(nblack <= 1, "%d objects blackened by one step",
		              nblack);
		if (nblack == 0) {
			root_steps++;
			continue;
		}
		object_steps++;
		ck_assert_uint_eq(b.counts[TC_BLACK], a.counts[TC_BLACK] + 1);
		/* Every newly grey object is a child of the scanned one. */
		tc_object_info info;
		tc_objid fields[64];
		bool nn[64];
		int nf = tc_object_describe(rt, x, &info, fields, nn, 64);

		ck_assert_int_ge(nf, 0);
		ck_assert_int_le(nshaded, nf);
		for (size_t s = 0; s < a.nspans; s++)
			for (uint32_t k = 0; k < a.spans[s].nelems; k++) {
				long i = find(&a, s, k);
				bool child = false;

				if (!(a.colors[i] == TC_WHITE &&
				      b.colors[i] == TC_GREY))
					continue;
				for (int f = 0; f < nf && f < 64; f++)
					if (nn[f] &&
					    fields[f].page == a.spans[s].page &&
					    fields[f].slot == k)
						child = true;
				ck_assert_msg(child,
				              "%u:%u shaded but not a child "
				              "of %u:%u",
				              a.spans[s].page, k, x.page,
				              x.slot);
			}
		(void)blackened;
	}
	ck_assert_msg(object_steps >= 10, "only %d object steps (%d roots)",
	              object_steps, root_steps);
	tv_heap_release(&a);
	tv_heap_release(&b);
	tv_pause(e, false);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

/* ---- controls ---- */

/* The message an object step left, and the phase it left the collector
 * in. */
static const char *step_says(tv_engine *e, tc_phase *phase)
{
	static tv_status st;

	ck_assert_int_eq(tv_step_object(e), 0);
	tv_get_status(e, &st);
	*phase = st.gc.phase;
	return st.message;
}

START_TEST(test_step_object_says_what_it_did_in_each_phase)
{
	tv_engine *e = start("trees", 2, 100);
	tc_runtime *rt = tv_runtime(e);
	bool scanned = false, swept = false;
	const char *m;
	tc_phase ph;
	int i;

	run_cycles(e, 1, 30);
	pause_all(e);
	/* from off: a new cycle, through sweep termination into mark */
	for (i = 0; i < 6 && tc_get_phase(rt) != TC_PHASE_OFF; i++)
		ck_assert_int_eq(tv_step_phase(e), 0);
	ck_assert_int_eq(tc_get_phase(rt), TC_PHASE_OFF);
	m = step_says(e, &ph);
	ck_assert_int_eq(ph, TC_PHASE_MARK);
	ck_assert_msg(strncmp(m, "step: started cycle ", 20) == 0 &&
	                  strstr(m, ": sweep termination (STW), now mark"),
	              "%s", m);
	/* mark: grey objects (and parked stacks) until none is left */
	for (i = 0; i < 1000000 && ph == TC_PHASE_MARK; i++) {
		m = step_says(e, &ph);
		if (ph != TC_PHASE_MARK)
			break;
		if (strcmp(m, "step: scanned one grey object: black now, its "
		              "white children grey") == 0) {
			scanned = true;
			continue;
		}
		/* else the parked mutators' stacks, or a mark termination
		 * that found more work */
		ck_assert_msg(strncmp(m, "step: scanned the stack", 23) == 0 ||
		                  strncmp(m, "step: mark termination", 22) == 0,
		              "%s", m);
	}
	ck_assert(scanned);
	ck_assert_int_eq(ph, TC_PHASE_SWEEP);
	ck_assert_str_eq(m, "step: no grey objects left: mark termination "
	                    "(STW), now sweep");
	/* sweep: a span a step, then on into the next cycle */
	for (i = 0; i < 1000000 && ph == TC_PHASE_SWEEP; i++) {
		m = step_says(e, &ph);
		if (ph != TC_PHASE_SWEEP)
			break;
		ck_assert_str_eq(m, "step: swept one span");
		swept = true;
	}
	ck_assert(swept);
	ck_assert_int_eq(ph, TC_PHASE_MARK);
	ck_assert_msg(strncmp(m, "step: sweep done, started cycle ", 32) == 0,
	              "%s", m);
	tv_pause(e, false);
	run_cycles(e, 1, 30);
	assert_clean(e);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_rate_throttles_and_ladders)
{
	tv_engine *e = start("escape", 2, 100);
	uint64_t o0, o1;

	tv_set_rate(e, 100);
	ck_assert(tv_get_rate(e) == 100);
	sleep_ms(300);
	o0 = tv_slot_ops(e, 0) + tv_slot_ops(e, 1);
	sleep_ms(1000);
	o1 = tv_slot_ops(e, 0) + tv_slot_ops(e, 1);
	ck_assert_msg(o1 - o0 >= 120 && o1 - o0 <= 280,
	              "2 mutators at 100 ops/s did %llu ops in 1 s",
	              (unsigned long long)(o1 - o0));
	tv_step_rate(e, +1);
	ck_assert(tv_get_rate(e) == 200);
	tv_step_rate(e, -1);
	tv_step_rate(e, -1);
	ck_assert(tv_get_rate(e) == 50);
	tv_set_rate(e, TV_RATE_MAX);
	tv_step_rate(e, -1);
	ck_assert(tv_get_rate(e) == 100000);
	ck_assert_int_eq(tv_step_rate(e, +1), 0);
	ck_assert(tv_get_rate(e) == TV_RATE_MAX);
	/* at the ends of the ladder nothing changes, and the caller is told */
	ck_assert_int_eq(tv_step_rate(e, +1), TC_EINVAL);
	ck_assert(tv_get_rate(e) == TV_RATE_MAX);
	tv_set_rate(e, 1); /* a slow mutator still pauses promptly */
	ck_assert_int_eq(tv_step_rate(e, -1), TC_EINVAL);
	ck_assert(tv_get_rate(e) == 1);
	sleep_ms(50);
	tv_pause(e, true);
	ck_assert_int_eq(tv_step_mutators(e), 0);
	tv_pause(e, false);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_gogc_barrier_and_messages)
{
	tv_engine *e = start("trees", 1, 100);
	tv_status st;
	uint64_t seq;

	tv_step_gogc(e, +1);
	ck_assert_int_eq(tc_get_gogc(tv_runtime(e)), 200);
	tv_get_status(e, &st);
	ck_assert_str_eq(st.message, "GOGC 200");
	tv_set_gogc(e, 400);
	ck_assert_int_eq(tv_step_gogc(e, +1), 0);
	ck_assert_int_eq(tc_get_gogc(tv_runtime(e)), TC_GOGC_OFF);
	/* off is the top: nothing changes, and the caller is told */
	tv_get_status(e, &st);
	seq = st.message_seq;
	ck_assert_int_eq(tv_step_gogc(e, +1), TC_EINVAL);
	ck_assert_int_eq(tc_get_gogc(tv_runtime(e)), TC_GOGC_OFF);
	tv_get_status(e, &st);
	ck_assert_uint_eq(st.message_seq, seq);
	tv_step_gogc(e, -1);
	ck_assert_int_eq(tc_get_gogc(tv_runtime(e)), 400);
	tv_set_gogc(e, 30);
	tv_step_gogc(e, -1);
	ck_assert_int_eq(tc_get_gogc(tv_runtime(e)), 25);
	ck_assert_int_eq(tv_step_gogc(e, -1), 0);
	ck_assert_int_eq(tv_step_gogc(e, -1), TC_EINVAL); /* 10: the bottom */
	ck_assert_int_eq(tc_get_gogc(tv_runtime(e)), 10);
	tv_cycle_barrier(e);
	ck_assert_int_eq(tc_get_barrier(tv_runtime(e)), TC_BARRIER_DIJKSTRA);
	tv_set_barrier(e, TC_BARRIER_HYBRID);
	ck_assert_int_eq(tc_get_barrier(tv_runtime(e)), TC_BARRIER_HYBRID);
	tv_force_gc(e);
	tv_get_status(e, &st);
	seq = st.message_seq;
	/* the same message again is still a new one */
	tv_force_gc(e);
	tv_get_status(e, &st);
	ck_assert_str_eq(st.message, "forced collection requested");
	ck_assert_uint_eq(st.message_seq, seq + 1);
	run_cycles(e, 1, 30);
	/* Paused, the request waits for the collector, and says so. */
	tv_set_gogc(e, TC_GOGC_OFF); /* no cycle but the forced one */
	pause_all(e);
	sleep_ms(100);
	uint64_t c0 = cycles(e);
	tv_force_gc(e);
	tv_get_status(e, &st);
	ck_assert_str_eq(st.message, "forced collection requested: starts on "
	                             "resume (or press N)");
	sleep_ms(500);
	ck_assert_uint_eq(cycles(e), c0);
	tv_pause(e, false);
	run_cycles(e, 1, 30);
	tv_engine_free(e);
}
END_TEST

/* The initial GOGC is the environment's, as the runtime reads it (as in
 * Go), unless the options give one: the option wins. */
static int initial_gogc(const char *env, int option)
{
	tv_options o;
	char err[256];
	tv_engine *e;
	int g;

	if (env)
		setenv("GOGC", env, 1);
	else
		unsetenv("GOGC");
	tv_options_init(&o);
	o.mutators = 1;
	o.rate = 10;
	if (option != TV_GOGC_ENV)
		o.gogc = option;
	e = tv_engine_new(&o, err, sizeof(err));
	unsetenv("GOGC");
	ck_assert_msg(e != NULL, "tv_engine_new: %s", err);
	g = tc_get_gogc(tv_runtime(e));
	tv_engine_free(e);
	return g;
}

START_TEST(test_gogc_comes_from_the_environment_unless_given)
{
	ck_assert_int_eq(initial_gogc(NULL, TV_GOGC_ENV), 100);
	ck_assert_int_eq(initial_gogc("off", TV_GOGC_ENV), TC_GOGC_OFF);
	ck_assert_int_eq(initial_gogc("50", TV_GOGC_ENV), 50);
	ck_assert_int_eq(initial_gogc("bogus", TV_GOGC_ENV), 100);
	ck_assert_int_eq(initial_gogc("off", 200), 200);
	ck_assert_int_eq(initial_gogc("50", TC_GOGC_OFF), TC_GOGC_OFF);
}
END_TEST

START_TEST(test_events_carry_gctrace_and_controls)
{
	tv_engine *e = start("list", 2, 25);
	static tv_event ev[512];
	uint64_t seq = 0, last = 0;
	int gc_lines = 0, control = 0;
	tc_cycle_info cy[16];
	uint64_t cseq = 0;
	size_t ncy = 0;

	tv_set_gogc(e, 50);
	/* A cycle's event follows its count in the stats: poll the log. */
	for (int t = 0; t < 3000 && gc_lines < 3; t++) {
		size_t n = tv_events_since(e, &seq, ev, 512);

		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_eq(ev[i].seq, last + 1);
			last = ev[i].seq;
			if (ev[i].kind == TC_EV_CYCLE &&
			    strncmp(ev[i].text, "gc ", 3) == 0)
				gc_lines++;
			if ((int)ev[i].kind == -1 &&
			    strcmp(ev[i].text, "GOGC 50") == 0)
				control++;
		}
		ck_assert_uint_eq(seq, last);
		sleep_ms(10);
	}
	ck_assert_int_ge(gc_lines, 3);
	ck_assert_int_eq(control, 1);
	ncy = tv_cycles_since(e, &cseq, cy, 16);
	ck_assert_uint_ge(ncy, 3);
	ck_assert_uint_eq(cy[0].n, 1);
	ck_assert_uint_eq(cy[ncy - 1].n, ncy);
	tv_engine_free(e);
}
END_TEST

/* The write barrier's shades reach the log as one line per quarter
 * second at most, however often the log is drained (the front end drains
 * it in a loop every frame), with how many there were. */
START_TEST(test_barrier_shades_logged_a_quarter_second_apart)
{
	tv_engine *e = start("list", 2, 25);
	static tv_event ev[512];
	uint64_t seq = 0, prev_ns = 0;
	int lines = 0;

	for (int t = 0; t < 4000 && lines < 3; t++) {
		size_t n = tv_events_since(e, &seq, ev, 512);
		unsigned long long k;

		for (size_t i = 0; i < n; i++) {
			if (sscanf(ev[i].text, "write barrier shaded %llu", &k) !=
			    1)
				continue;
			ck_assert_int_eq((int)ev[i].kind, -1);
			ck_assert_uint_gt(k, 0);
			/* A line's time is taken as it is logged, a little
			 * after its look: 200 ms, not 250, for the slack. */
			if (lines > 0)
				ck_assert_uint_ge(ev[i].ns - prev_ns,
				                  200000000ull);
			prev_ns = ev[i].ns;
			lines++;
		}
		sleep_ms(1);
	}
	ck_assert_int_ge(lines, 2);
	tv_engine_free(e);
}
END_TEST

/* The event log tells a pause that waited for a mutator to reach its
 * safepoint, or for the scheduler's lock, from one that did not
 * (tc_pause_info, as the runtime hands it to tc_config.on_event). */
START_TEST(test_pause_event_says_when_it_waited_for_a_safepoint)
{
	tv_engine *e = start("list", 1, 100);
	static tv_event ev[512];
	uint64_t seq = 0;
	tc_pause_info late = {.ns = 2500000,
	                      .reach_ns = 2400000,
	                      .last_stop_ns = 2300000,
	                      .late_look_ns = 50000,
	                      .late = 1,
	                      .late_cpu_ns = 10000};
	tc_pause_info prompt = {.ns = 6000, .reach_ns = 3000};
	tc_pause_info handed = {.ns = 7000, .reach_ns = 4000, .runner = 3};
	tc_pause_info locked = {.ns = 2004000,
	                        .lock_ns = 1950000,
	                        .lock_look = true,
	                        .lock_holder = 4,
	                        .reach_ns = 1979000};
	tc_pause_info locked_other = {.ns = 900000,
	                              .lock_ns = 800000,
	                              .lock_look = true,
	                              .reach_ns = 850000};
	struct tc_event p1 = {.kind = TC_EV_PAUSE,
	                      .phase = TC_PHASE_SWEEP_TERM,
	                      .ns = late.ns,
	                      .pause = &late};
	struct tc_event p2 = {.kind = TC_EV_PAUSE,
	                      .phase = TC_PHASE_MARK_TERM,
	                      .ns = prompt.ns,
	                      .pause = &prompt};
	struct tc_event p3 = {.kind = TC_EV_PAUSE,
	                      .phase = TC_PHASE_SWEEP_TERM,
	                      .ns = handed.ns,
	                      .pause = &handed};
	struct tc_event p4 = {.kind = TC_EV_PAUSE,
	                      .phase = TC_PHASE_SWEEP_TERM,
	                      .ns = locked.ns,
	                      .pause = &locked};
	struct tc_event p5 = {.kind = TC_EV_PAUSE,
	                      .phase = TC_PHASE_MARK_TERM,
	                      .ns = locked_other.ns,
	                      .pause = &locked_other};
	bool saw_late = false, saw_prompt = false, saw_handed = false;
	bool saw_locked = false, saw_locked_other = false;

	/* Catch up with the log first: the engine logs as it runs. */
	while (tv_events_since(e, &seq, ev, 512) > 0)
		;
	tv_on_event(e, &p1);
	tv_on_event(e, &p2);
	tv_on_event(e, &p3);
	tv_on_event(e, &p4);
	tv_on_event(e, &p5);
	size_t n = tv_events_since(e, &seq, ev, 512);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ev[i].text, "stop-the-world pause 2.500 ms (sweep "
		                       "termination): waited 2.300 ms for 1 "
		                       "mutator to reach a safepoint") == 0) {
			saw_late = true;
			/* the length as a number too, for the front end */
			ck_assert_uint_eq(ev[i].pause_ns, late.ns);
		}
		if (strcmp(ev[i].text, "stop-the-world pause 0.006 ms (mark "
		                       "termination)") == 0) {
			saw_prompt = true;
			ck_assert_uint_eq(ev[i].pause_ns, prompt.ns);
		}
		if (strcmp(ev[i].text, "stop-the-world pause 0.007 ms (sweep "
		                       "termination); work done by mutator 3") ==
		    0)
			saw_handed = true;
		if (strcmp(ev[i].text, "stop-the-world pause 2.004 ms (sweep "
		                       "termination); waited 1.950 ms for the "
		                       "scheduler's lock, held by mutator 4") ==
		    0)
			saw_locked = true;
		if (strcmp(ev[i].text, "stop-the-world pause 0.900 ms (mark "
		                       "termination); waited 0.800 ms for the "
		                       "scheduler's lock, held by a thread "
		                       "not an attached mutator") == 0)
			saw_locked_other = true;
	}
	ck_assert(saw_late);
	ck_assert(saw_prompt);
	ck_assert(saw_handed);
	ck_assert(saw_locked);
	ck_assert(saw_locked_other);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_inspect_finds_fields_referrers_and_roots)
{
	tv_engine *e = start("trees", 1, 100);
	tc_runtime *rt = tv_runtime(e);
	void *root;
	tc_objid rid;
	tv_object o, c;
	bool named_global = false, found_parent = false;

	for (int i = 0; i < 300 && !tc_get_global(rt, wl_slot_global(0, 0));
	     i++)
		sleep_ms(10);
	pause_all(e);
	root = tc_get_global(rt, wl_slot_global(0, 0));
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(tc_object_id(rt, root, &rid), 0);
	ck_assert_int_eq(tv_inspect(e, rid, &o), 0);
	ck_assert_int_eq(o.info.nptrs, 2);
	ck_assert_int_eq(o.nfields, 2);
	ck_assert(o.field_nonnull[0] && o.field_nonnull[1]);
	ck_assert_int_ne(o.field_color[0], TC_FREE);
	ck_assert_int_ge(o.nroot_refs, 2); /* a global and main's local */
	for (int i = 0; i < o.nroot_refs && i < 4; i++)
		if (strstr(o.roots[i], "global"))
			named_global = true;
	ck_assert_msg(named_global, "roots: %s / %s", o.roots[0], o.roots[1]);
	ck_assert_int_eq(tv_inspect(e, o.fields[0], &c), 0);
	for (int i = 0; i < c.nreferrers; i++)
		if (c.referrers[i].page == rid.page &&
		    c.referrers[i].slot == rid.slot)
			found_parent = true;
	ck_assert(found_parent);
	tc_objid bogus = {(uint32_t)tc_heap_npages(rt) + 5, 0};
	ck_assert_int_eq(tv_inspect(e, bogus, &c), -1);
	tv_pause(e, false);
	tv_engine_free(e);
}
END_TEST

START_TEST(test_snapshots_cover_heap_and_stacks)
{
	tv_engine *e = start("escape", 3, 100);
	tv_heap h = {0};
	tv_stacks s = {0};
	size_t pages = 0;

	sleep_ms(300);
	pause_all(e);
	tv_heap_snapshot(e, &h);
	for (size_t i = 0; i < h.nspans; i++)
		pages += h.spans[i].npages;
	ck_assert_uint_eq(pages + h.free_pages, h.npages);
	ck_assert_uint_gt(h.counts[TC_WHITE] + h.counts[TC_BLACK], 0);
	tv_stacks_snapshot(e, &s);
	ck_assert_int_eq(s.n, 3);
	for (int i = 0; i < s.n; i++) {
		ck_assert_int_ge(s.stacks[i].nframes, 1);
		ck_assert_str_eq(s.stacks[i].frames[0].fn, "main");
		if (i)
			ck_assert_uint_gt(s.stacks[i].id, s.stacks[i - 1].id);
	}
	tv_heap_release(&h);
	tv_stacks_release(&s);
	tv_pause(e, false);
	tv_engine_free(e);
}
END_TEST

/* A stack whose seqlock stays odd (its owner mid-push) cannot be copied.
 * The snapshot keeps that mutator, with its last good picture, so that
 * a transient failure never drops a column or shifts the others. */
START_TEST(test_stacks_snapshot_keeps_a_mutator_it_cannot_copy)
{
	tv_engine *e = start("escape", 3, 100);
	tc_runtime *rt = tv_runtime(e);
	tv_stacks s = {0};
	tc_mutator *probe;
	tc_stack *st;
	uint32_t seq;

	wait_attached(e, 3);
	pause_all(e);
	/* The test thread is the fourth mutator: the last id. */
	probe = tc_attach(rt, "probe");
	ck_assert_ptr_nonnull(probe);
	ck_assert_int_eq(tc_push(probe, "probe_fn", 1), 0);
	tv_stacks_snapshot(e, &s);
	ck_assert_int_eq(s.n, 4);
	ck_assert_uint_eq(s.stacks[3].id, tc_mutator_id(probe));
	st = &tc_hot_(probe)->stack;

	/* Its copy fails: it keeps its place and last picture. */
	seq = tc_seq_begin_(st);
	tv_stacks_snapshot(e, &s);
	tc_seq_end_(st, seq);
	ck_assert_int_eq(s.n, 4);
	ck_assert_uint_eq(s.stacks[3].id, tc_mutator_id(probe));
	ck_assert_str_eq(s.stacks[3].name, "probe");
	ck_assert_int_eq(s.stacks[3].nframes, 1);
	ck_assert_str_eq(s.stacks[3].frames[0].fn, "probe_fn");

	/* The same after a mutator before it retired: its picture moves
	 * one column left with it. */
	ck_assert_int_eq(tv_set_mutators(e, 2), 0);
	wait_attached(e, 3);
	seq = tc_seq_begin_(st);
	tv_stacks_snapshot(e, &s);
	tc_seq_end_(st, seq);
	ck_assert_int_eq(s.n, 3);
	ck_assert_uint_lt(s.stacks[1].id, s.stacks[2].id);
	ck_assert_uint_eq(s.stacks[2].id, tc_mutator_id(probe));
	ck_assert_str_eq(s.stacks[2].name, "probe");
	ck_assert_int_eq(s.stacks[2].nframes, 1);
	ck_assert_str_eq(s.stacks[2].frames[0].fn, "probe_fn");

	tc_pop(probe);
	tc_detach(probe);
	tv_stacks_release(&s);
	tv_pause(e, false);
	tv_engine_free(e);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("engine");
	TCase *t;

	t = tcase_create("scenarios");
	tcase_add_loop_test(t, test_scenario_runs_clean_under_verifier, 0,
	                    tv_scenario_count());
	tcase_add_test(t, test_scenario_switch_live);
	tcase_add_loop_test(t, test_demo_files_run_clean_under_verifier, 0,
	                    (int)(sizeof(demos) / sizeof(demos[0])));
	tcase_add_test(t, test_engine_threads_block_front_end_signals);
	tcase_add_test(
	    t, test_engine_runs_a_loaded_scenario_without_reading_it_again);
	suite_add_tcase(s, t);

	t = tcase_create("mutators");
	tcase_add_test(t, test_retire_during_mark_and_sweep_paused);
	tcase_add_test(t, test_retire_during_mark_and_sweep_running);
	tcase_add_test(t, test_mutator_count_limits);
	suite_add_tcase(s, t);

	t = tcase_create("stepping");
	tcase_add_test(t, test_pause_holds_every_counter_still);
	tcase_add_test(t, test_steps_refused_unless_paused);
	tcase_add_test(t, test_step_mutators_one_operation_each);
	tcase_add_test(t, test_step_phase_lands_in_next_phase);
	tcase_add_test(t, test_step_object_blackens_exactly_one);
	tcase_add_test(t, test_step_object_says_what_it_did_in_each_phase);
	suite_add_tcase(s, t);

	t = tcase_create("controls");
	tcase_add_test(t, test_rate_throttles_and_ladders);
	tcase_add_test(t, test_gogc_barrier_and_messages);
	tcase_add_test(t, test_gogc_comes_from_the_environment_unless_given);
	tcase_add_test(t, test_events_carry_gctrace_and_controls);
	tcase_add_test(t, test_barrier_shades_logged_a_quarter_second_apart);
	tcase_add_test(t, test_pause_event_says_when_it_waited_for_a_safepoint);
	tcase_add_test(t, test_inspect_finds_fields_referrers_and_roots);
	tcase_add_test(t, test_snapshots_cover_heap_and_stacks);
	tcase_add_test(t, test_stacks_snapshot_keeps_a_mutator_it_cannot_copy);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
