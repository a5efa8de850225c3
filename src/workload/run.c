/*
 * run.c - running a scenario on a mutator: start, one operation, stop.
 *
 * The program's whole call stack is the mutator's tc stack: wl_step looks
 * at the frame on top (its function id, kept in wl_mutator.fn, and its pc,
 * kept in slot 0) and performs one operation of that function.  Nothing is
 * kept on the C stack between operations, so the engine can stop between
 * any two of them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "workload/internal.h"

size_t wl_kind_nptrs(const wl_mutator *w, int kind)
{
	switch (kind) {
	case K_TREE:
	case K_QUEUE:
		return 2;
	case K_QNODE:
		return 1;
	case K_GTABLE:
		return (size_t)w->sc.param[GRAPH_P_NODES];
	case K_GNODE:
		return (size_t)w->sc.param[GRAPH_P_EDGES];
	case K_CTABLE:
		return (size_t)w->sc.param[CACHE_P_BUCKETS] + 2;
	case K_CENTRY:
		return 4;
	case K_RING:
		return (size_t)w->sc.param[ESCAPE_P_KEEP];
	default:
		return 0;
	}
}

uint64_t wl_rand64(wl_mutator *w)
{
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

int wl_call(wl_mutator *w, int fn, int nslots)
{
	const char *name = wl_prog_of(w->sc.program)->fns[fn].name;
	int rc = tc_push(w->m, name, nslots);

	if (rc != 0) {
		wl_fail(w, "stack overflow calling %s", name);
		return rc;
	}
	w->fn[tc_depth(w->m) - 1] = (uint8_t)fn;
	wl_setpc(w, 0);
	return 0;
}

int wl_bad_pc(wl_mutator *w, int64_t pc, int64_t resume)
{
	const wl_prog *pr = wl_prog_of(w->sc.program);

	wl_fail(w, "%s: %s at bad pc %lld", pr->name,
	        pr->fns[w->fn[tc_depth(w->m) - 1]].name, (long long)pc);
	wl_setpc(w, resume);
	return 0;
}

void wl_ret(wl_mutator *w, void *ret, int64_t iret)
{
	w->ret_int = iret;
	tc_return(w->m, ret);
}

static int push_main(wl_mutator *w)
{
	const wl_prog *pr = wl_prog_of(w->sc.program);

	memset(w->var, 0, sizeof(w->var));
	w->ret_int = 0;
	return wl_call(w, 0, pr->main_slots);
}

int wl_start(wl_mutator *w, tc_mutator *m, int slot, const wl_scenario *sc,
             uint64_t seed)
{
	w->m = m;
	w->slot = slot;
	w->sc = *sc;
	w->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	if (w->serial == 0)
		w->serial = (uint64_t)(slot + 1) << 56 | 1;
	return push_main(w);
}

void wl_stop(wl_mutator *w)
{
	while (tc_depth(w->m) > 0)
		tc_pop(w->m);
	/* Clear the result register: return NULL from a scratch frame. */
	if (tc_push(w->m, "stop", 1) == 0)
		tc_return(w->m, NULL);
	for (int i = 0; i < WL_GLOBALS_PER_SLOT; i++) {
		int g = wl_slot_global(w->slot, i);

		if (tc_get_global(tc_mutator_runtime(w->m), g))
			tc_set_global(w->m, g, NULL);
	}
}

int wl_step(wl_mutator *w)
{
	const wl_prog *pr = wl_prog_of(w->sc.program);
	int d = tc_depth(w->m), rc;

	atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	if (d == 0)
		return push_main(w) == 0 ? 0 : -1;
	rc = pr->fns[w->fn[d - 1]].step(w, wl_pc(w));
	if (rc != 0) {
		/* Out of heap (or stack): drop everything the program holds
		 * so the collector can reclaim it, and start over. */
		wl_stop(w);
		push_main(w);
	}
	return rc;
}
