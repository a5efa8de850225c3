/*
 * binarytrees.c - the binary-trees benchmark on libtricolor, through the
 * public API only, as /work/shared/bench/binary-trees.md specifies (see
 * docs/benchmarks.md):
 *
 *   - one tc_alloc per node: 2 pointer fields (left, right) and 4 scalar
 *     bytes (the int32 item);
 *   - every bottomUpTree call is a tc_push'd frame; its slots root l and r
 *     while the other subtree and the node itself are allocated, and the
 *     node goes back to the caller with tc_return / tc_result, so no
 *     pointer is ever held only by a C variable across a safepoint;
 *   - main's frame roots the long-lived tree (slot 0) and the tree being
 *     built or checked (slot 1); dropping a tree clears its slot;
 *   - workers are threads, each tc_attach'd, created and joined per depth;
 *     the main thread parks (tc_park) while it starts and joins them.
 *
 * The runtime uses the library defaults (tc_config_init, which reads GOGC
 * and TRICOLOR_VERIFY from the environment) except for the arena, a
 * reservation that must hold the peak heap (about 400 MiB at depth 20 with
 * 4 workers): TRICOLOR_HEAP_MB sets it, default 2048 for every depth, and
 * the stats line reports it (heap_arena_mb).  It is only reserved: span
 * metadata is touched page by page as the heap grows (since core commit
 * 6e0bd0c), so a larger arena costs no RSS.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tricolor.h>

#include "bt_common.h"

/* A node: pointer fields 0 (left) and 1 (right), then the int32 item. */
#define NODE_PTRS    2
#define NODE_SCALARS sizeof(int32_t)

/* bottomUpTree's frame. */
enum { SLOT_L, SLOT_R, SLOT_NODE, TREE_SLOTS };
/* main's and a worker's frame. */
enum { SLOT_LONG_LIVED, SLOT_TREE, MAIN_SLOTS };

static tc_runtime *rt;

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "binarytrees: %s: %s\n", what, msg);
	exit(1);
}

static void set_item(void *n, int32_t item)
{
	memcpy(tc_scalars(n, NODE_PTRS), &item, sizeof(item));
}

/* Allocate a node into slot `slot` of the top frame. */
static void *alloc_node(tc_mutator *m, int slot)
{
	void *n = tc_alloc_slot(m, slot, NODE_PTRS, NODE_SCALARS);

	if (n == NULL)
		die("tc_alloc", tc_last_error(m));
	return n;
}

/* Build a tree of `depth`; the root is left in the result register
 * (tc_result), a root until the caller's next tc_return. */
static void bottom_up_tree(tc_mutator *m, int depth)
{
	void *n;

	if (tc_push(m, "bottomUpTree", TREE_SLOTS) != 0)
		die("tc_push", "stack overflow");
	if (depth > 0) {
		bottom_up_tree(m, depth - 1);
		tc_set_ptr(m, SLOT_L, tc_result(m));
		bottom_up_tree(m, depth - 1);
		tc_set_ptr(m, SLOT_R, tc_result(m));
		n = alloc_node(m, SLOT_NODE);
		tc_write(m, n, 0, tc_get_ptr(m, SLOT_L));
		tc_write(m, n, 1, tc_get_ptr(m, SLOT_R));
		set_item(n, depth);
	} else {
		n = alloc_node(m, SLOT_NODE);
		/* tc_alloc zeroes: left = right = NULL already. */
		set_item(n, 0);
	}
	tc_return(m, n);
}

/* Count the nodes of a tree rooted somewhere the collector sees.  The
 * check of a big tree is a long loop without allocation, so it polls a
 * safepoint at every node, as Go polls in every call's prologue (a
 * relaxed load and a branch; safe: the collector does not move objects
 * and nothing here is unrooted).  A poll every 4096 nodes, as before,
 * kept a stop waiting for it: at `18 1` the stops' 99th percentile was
 * 0.017 ms, against 0.004 with a poll at every node, which also takes
 * fewer instructions than the counter did (docs/benchmarks.md, "Kept"). */
static int64_t item_check(tc_mutator *m, const void *n)
{
	const void *l = tc_read(n, 0);

	tc_safepoint(m);
	if (l == NULL)
		return 1;
	return 1 + item_check(m, l) + item_check(m, tc_read(n, 1));
}

/* Build, check and drop `count` trees of depth d, each rooted in slot
 * SLOT_TREE of the top frame while it is live. */
static int64_t run_trees(tc_mutator *m, int64_t count, int depth)
{
	int64_t check = 0;

	for (int64_t i = 0; i < count; i++) {
		bottom_up_tree(m, depth);
		tc_set_ptr(m, SLOT_TREE, tc_result(m));
		check += item_check(m, tc_get_ptr(m, SLOT_TREE));
		tc_set_ptr(m, SLOT_TREE, NULL);
	}
	return check;
}

struct work {
	pthread_t thread;
	int depth;
	int64_t count;
	int64_t check; /* written by the worker, read after pthread_join */
};

static void *worker_main(void *arg)
{
	struct work *w = arg;
	tc_mutator *m = tc_attach(rt, "worker");

	if (m == NULL)
		die("tc_attach", "runtime is shutting down");
	if (tc_push(m, "worker", MAIN_SLOTS) != 0)
		die("tc_push", "stack overflow");
	w->check = run_trees(m, w->count, w->depth);
	tc_pop(m);
	tc_detach(m);
	return NULL;
}

/* Step 3 for one depth: on main, or fork/join over a->workers threads
 * while main is parked (so a stop-the-world never waits for it). */
static int64_t run_depth(tc_mutator *m, const struct bt_args *a, int depth,
                         int64_t iters)
{
	struct work ws[BT_MAX_WORKERS];
	int64_t check = 0;

	if (a->workers <= 1)
		return run_trees(m, iters, depth);
	/* Parked before creating threads too: pthread_create takes 50 to
	 * 250 us (the new stack's mmap, clone), as long as a pause. */
	tc_park(m);
	for (int i = 0; i < a->workers; i++) {
		ws[i].depth = depth;
		ws[i].count = bt_share(iters, i, a->workers);
		ws[i].check = 0;
		if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]))
			die("pthread_create", "failed");
	}
	for (int i = 0; i < a->workers; i++)
		pthread_join(ws[i].thread, NULL);
	tc_unpark(m);
	for (int i = 0; i < a->workers; i++)
		check += ws[i].check;
	return check;
}

static size_t heap_bytes_from_env(void)
{
	const char *s = getenv("TRICOLOR_HEAP_MB");
	long mb = 2048;

	if (s != NULL && *s != '\0' &&
	    bt_parse_int(s, 1, 64 * 1024, &mb) != 0) {
		fprintf(stderr, "binarytrees: TRICOLOR_HEAP_MB must be "
		                "1..65536\n");
		exit(2);
	}
	return (size_t)mb << 20;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

int main(int argc, char **argv)
{
	struct bt_args a;
	tc_config cfg;
	tc_mutator *m;
	tc_stats st;
	const char *err = NULL;
	uint64_t t0 = bt_now_ns(), wall;

	bt_parse_args(argc, argv, &a);

	tc_config_init(&cfg);
	cfg.heap_bytes = heap_bytes_from_env();
	rt = tc_runtime_new(&cfg, &err);
	if (rt == NULL)
		die("tc_runtime_new", err != NULL ? err : "failed");
	m = tc_attach(rt, "main");
	if (m == NULL)
		die("tc_attach", "failed");
	if (tc_push(m, "main", MAIN_SLOTS) != 0)
		die("tc_push", "stack overflow");

	/* 1. Stretch. */
	bottom_up_tree(m, a.stretch_depth);
	tc_set_ptr(m, SLOT_TREE, tc_result(m));
	bt_print_stretch(a.stretch_depth,
	                 item_check(m, tc_get_ptr(m, SLOT_TREE)));
	tc_set_ptr(m, SLOT_TREE, NULL);

	/* 2. The long-lived tree. */
	bottom_up_tree(m, a.max_depth);
	tc_set_ptr(m, SLOT_LONG_LIVED, tc_result(m));

	/* 3. Short-lived trees. */
	for (int d = BT_MIN_DEPTH; d <= a.max_depth; d += 2) {
		int64_t iters = bt_iterations(&a, d);

		bt_print_depth(iters, d, run_depth(m, &a, d, iters));
	}

	/* 4. */
	bt_print_long_lived(a.max_depth,
	                    item_check(m, tc_get_ptr(m, SLOT_LONG_LIVED)));
	fflush(stdout);
	wall = bt_now_ns() - t0;

	tc_read_stats(rt, &st);
	/* "-": not measured (no late mutator, no schedstat, or no late
	 * mutator moved). */
	const tc_pause_info *pm = &st.pause_max_info;
	char late_wait[32], gc_wait[32], nudge[32];
	char lock_holder[16], lock_cpu[32], lock_wait[32];
	char sleep_late[32], sleep_switches[16], lock_gc_wait[32];
	bt_ms_or_dash(late_wait, sizeof late_wait, pm->late_wait_known,
	              pm->late_wait_ns);
	/* The holder of the scheduler's lock, if the collector waited
	 * TC_STW_LATE_NS for it: "-" if not, or for a thread that is not an
	 * attached mutator. */
	bt_u_or_dash(lock_holder, sizeof lock_holder,
	             pm->lock_look && pm->lock_holder, pm->lock_holder);
	bt_ms_or_dash(lock_cpu, sizeof lock_cpu, pm->lock_look,
	              pm->lock_cpu_ns);
	bt_ms_or_dash(lock_wait, sizeof lock_wait, pm->lock_wait_known,
	              pm->lock_wait_ns);
	bt_ms_or_dash(lock_gc_wait, sizeof lock_gc_wait, pm->lock_gc_wait_known,
	              pm->lock_gc_wait_ns);
	/* The collector's sleep until its look: "-" if it did not sleep. */
	bt_ms_or_dash(sleep_late, sizeof sleep_late, pm->look_slept,
	              pm->sleep_late_ns);
	bt_u_or_dash(sleep_switches, sizeof sleep_switches,
	             pm->look_slept && pm->sleep_switches_known,
	             pm->sleep_switches);
	bt_ms_or_dash(gc_wait, sizeof gc_wait, pm->gc_wait_known,
	              pm->gc_wait_ns);
	bt_ms_or_dash(nudge, sizeof nudge, pm->nudge_ns != 0, pm->nudge_ns);
	fprintf(stderr,
	        "stats: collector=tricolor collections=%llu "
	        "pause_total_ms=%.3f pause_max_ms=%.3f assist_ms=%.3f "
	        "pauses=%llu pause_p50_ms=%.3f pause_p99_ms=%.3f "
	        "stop_p99_ms=%.3f stop_max_ms=%.3f "
	        "mark_ms=%.1f sweep_ms=%.1f gc_cpu_ms=%.1f "
	        "marked_mb=%.1f heap_peak_mb=%.1f heap_arena_mb=%llu "
	        "alloc_objects=%llu freed_objects=%llu barrier_shades=%llu "
	        "verify_runs=%llu verify_violations=%llu stw_nudges=%llu "
	        "stw_handoffs=%llu "
	        "pause_max_lock_ms=%.3f pause_max_lock_holder=%s "
	        "pause_max_lock_cpu_ms=%s pause_max_lock_wait_ms=%s "
	        "pause_max_lock_gc_wait_ms=%s "
	        "pause_max_reach_ms=%.3f pause_max_last_stop_ms=%.3f "
	        "pause_max_late_look_ms=%.3f pause_max_late=%d "
	        "pause_max_sleep_late_ms=%s pause_max_sleep_switches=%s "
	        "pause_max_late_cpu_ms=%.3f pause_max_late_wait_ms=%s "
	        "pause_max_nudge_ms=%s "
	        "pause_max_gc_cpu_ms=%.3f pause_max_gc_wait_ms=%s "
	        "pause_max_runner=%u "
	        "gogc=%d workers=%d wall_ms=%.1f\n",
	        (unsigned long long)st.cycles, ms(st.pause_total_ns),
	        ms(st.pause_max_ns), ms(st.assist_ns),
	        (unsigned long long)st.pauses, ms(st.pause_p50_ns),
	        ms(st.pause_p99_ns), ms(st.stop_p99_ns), ms(st.stop_max_ns),
	        ms(st.mark_ns), ms(st.sweep_ns),
	        ms(st.gc_cpu_ns), (double)st.marked_bytes / 1048576.0,
	        (double)st.heap_peak / 1048576.0,
	        (unsigned long long)(st.heap_arena >> 20),
	        (unsigned long long)st.alloc_objects,
	        (unsigned long long)st.freed_objects,
	        (unsigned long long)st.barrier_shades,
	        (unsigned long long)st.verify_runs,
	        (unsigned long long)st.verify_violations,
	        (unsigned long long)st.stw_nudges,
	        (unsigned long long)st.stw_handoffs,
	        ms(pm->lock_ns), lock_holder, lock_cpu, lock_wait, lock_gc_wait,
	        ms(st.pause_max_info.reach_ns),
	        ms(st.pause_max_info.last_stop_ns),
	        ms(st.pause_max_info.late_look_ns), st.pause_max_info.late,
	        sleep_late, sleep_switches,
	        ms(st.pause_max_info.late_cpu_ns), late_wait, nudge,
	        ms(st.pause_max_info.gc_cpu_ns), gc_wait,
	        st.pause_max_info.runner,
	        st.gogc, a.workers,
	        ms(wall));

	tc_pop(m);
	tc_detach(m);
	tc_runtime_free(rt);
	return 0;
}
