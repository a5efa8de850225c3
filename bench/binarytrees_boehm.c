/*
 * binarytrees_boehm.c - the binary-trees benchmark on the Boehm-Demers-
 * Weiser collector (Debian's libgc), the reference for tricolor's figures.
 * One GC_MALLOC per node, nothing freed by hand; defaults everywhere except
 * GC_start_mark_threads() after GC_INIT(), without which Debian's libgc
 * marks with one thread in a single-threaded client (spec note).
 *
 * Pauses: Boehm (not incremental) stops the world for the whole collection
 * and the collecting thread holds the allocation lock throughout, so a
 * pause is GC_EVENT_START..GC_EVENT_END of each collection (the spec's
 * definition for Boehm).  The narrower stop-world window
 * (GC_EVENT_PRE_STOP_WORLD..GC_EVENT_POST_START_WORLD) is reported as
 * stw_*; lazy sweeping inside GC_MALLOC is neither.
 */
#define GC_THREADS 1
#include <gc/gc.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "bt_cnode.h"
#include "bt_common.h"

/* Collection timing, written only by the collection-event callback, which
 * Boehm calls on the collecting thread with the allocation lock held (one
 * collection at a time); read by main under GC_call_with_alloc_lock. */
static struct {
	uint64_t start_ns, stw_start_ns;
	uint64_t collections;
	uint64_t total_ns, max_ns;
	uint64_t stw_total_ns, stw_max_ns;
} gcstat;

static void on_collection_event(GC_EventType ev)
{
	uint64_t now = bt_now_ns(), d;

	switch (ev) {
	case GC_EVENT_START:
		gcstat.start_ns = now;
		break;
	case GC_EVENT_END:
		d = now - gcstat.start_ns;
		gcstat.collections++;
		gcstat.total_ns += d;
		if (d > gcstat.max_ns)
			gcstat.max_ns = d;
		break;
	case GC_EVENT_PRE_STOP_WORLD:
		gcstat.stw_start_ns = now;
		break;
	case GC_EVENT_POST_START_WORLD:
		d = now - gcstat.stw_start_ns;
		gcstat.stw_total_ns += d;
		if (d > gcstat.stw_max_ns)
			gcstat.stw_max_ns = d;
		break;
	default:
		break;
	}
}

static node *new_node(void)
{
	node *n = GC_MALLOC(sizeof(node));

	if (n == NULL) {
		fprintf(stderr, "binarytrees-boehm: out of memory\n");
		exit(1);
	}
	return n;
}

BT_CNODE_TREES(new_node)

static int64_t run_trees(int64_t count, int depth)
{
	int64_t check = 0;

	for (int64_t i = 0; i < count; i++)
		check += item_check(bottom_up_tree(depth));
	return check;
}

struct stats_copy {
	__typeof__(gcstat) st;
	GC_word gc_no;
};

/* Runs under the allocation lock: a consistent copy of the counters. */
static void *read_stats_locked(void *arg)
{
	struct stats_copy *c = arg;

	c->st = gcstat;
	c->gc_no = GC_get_gc_no();
	return NULL;
}

int main(int argc, char **argv)
{
	struct bt_args a;
	uint64_t t0 = bt_now_ns();
	struct stats_copy c0, c;
	node *long_lived;

	bt_parse_args(argc, argv, &a);

	GC_INIT();
	GC_start_mark_threads();
	GC_start_performance_measurement();
	GC_set_on_collection_event(on_collection_event);
	GC_call_with_alloc_lock(read_stats_locked, &c0);

	{
		node *stretch = bottom_up_tree(a.stretch_depth);

		bt_print_stretch(a.stretch_depth, item_check(stretch));
	}

	long_lived = bottom_up_tree(a.max_depth);

	for (int d = BT_MIN_DEPTH; d <= a.max_depth; d += 2) {
		int64_t iters = bt_iterations(&a, d);

		bt_print_depth(iters, d,
		               bt_fork_join(&a, d, iters, run_trees,
		                            "binarytrees-boehm"));
	}

	bt_print_long_lived(a.max_depth, item_check(long_lived));

	fflush(stdout);
	GC_call_with_alloc_lock(read_stats_locked, &c);
	fprintf(stderr,
	        "stats: collector=boehm collections=%lu pause_total_ms=%.3f "
	        "pause_max_ms=%.3f stw_total_ms=%.3f stw_max_ms=%.3f "
	        "full_gc_total_ms=%lu markers=%d heap_mb=%.1f workers=%d "
	        "wall_ms=%.1f\n",
	        (unsigned long)(c.gc_no - c0.gc_no),
	        (double)c.st.total_ns / 1e6, (double)c.st.max_ns / 1e6,
	        (double)c.st.stw_total_ns / 1e6, (double)c.st.stw_max_ns / 1e6,
	        GC_get_full_gc_total_time(), GC_get_parallel() + 1,
	        (double)GC_get_heap_size() / 1048576.0, a.workers,
	        (double)(bt_now_ns() - t0) / 1e6);
	return 0;
}
