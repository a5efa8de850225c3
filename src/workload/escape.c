/*
 * escape.c - stack versus heap.  Calls whose locals are almost all scalars
 * (ints in stack slots: they live and die with the frame, the collector
 * never sees them as objects), and now and then a value that escapes: it
 * must outlive its frame, so it is allocated on the heap, returned up the
 * stack and stored in a ring reachable from a global.
 *
 *   main:     loop { box := compute(depth); if box != nil: ring[i++] = box }
 *   compute:  locals := scalar work; r := compute(depth-1);
 *             if rand < escape_pct: box = new(Box{acc})   -- escapes
 *             return box, acc
 *
 * In Go terms: `x := 42` stays on the goroutine stack; `return &T{..}`
 * escapes to the heap.  Watch the stacks pane fill with scalars while the
 * heap barely moves, and raise escape_pct to see allocation follow.
 */
#include "config.h"

#include "workload/internal.h"

enum { P_ESCAPE, P_LOCALS, P_DEPTH, P_PAYLOAD, P_KEEP };
enum { F_MAIN, F_COMPUTE };
enum { V_STORED };

static const wl_param params[] = {
    {"escape_pct", 0, 100, 5, "percent of calls whose value escapes"},
    {"locals", 1, 24, 8, "scalar locals per frame"},
    {"depth", 1, 32, 4, "call depth of each compute"},
    {"payload", 0, 4096, 16, "scalar bytes of an escaped box"},
    {"keep", 1, 1024, 64, "escaped boxes kept in the ring"},
};

static int call_compute(wl_mutator *w, int64_t resume, int64_t depth)
{
	wl_setpc(w, resume);
	if (wl_call(w, F_COMPUTE, 4 + (int)WL_P(w, P_LOCALS)))
		return -1;
	tc_set_int(w->m, 1, depth);
	return 0;
}

static int step_main(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *ring = tc_get_ptr(m, 1), *box;

	switch (pc) {
	case 0:
		if (!wl_obj_new(w, 1, K_RING, 0, 0))
			return -1;
		w->var[V_STORED] = 0;
		wl_setpc(w, 1);
		return 0;
	case 1:
		tc_set_global(m, wl_slot_global(w->slot, 0), ring);
		wl_setpc(w, 2);
		return 0;
	case 2:
		return call_compute(w, 3, WL_P(w, P_DEPTH));
	case 3: /* an escaped box is kept (for a while) in the ring */
		tc_set_int(m, 2, tc_get_int(m, 2) + 1);
		box = tc_result(m);
		if (box && wl_obj_check(w, box, K_BOX, "escaped box")) {
			int64_t i = w->var[V_STORED]++;

			wl_obj_link(w, ring, K_RING,
			            (size_t)(i % WL_P(w, P_KEEP)), box, K_BOX);
			tc_set_int(m, 3, w->var[V_STORED]);
		}
		wl_setpc(w, 2);
		return 0;
	}
	return wl_bad_pc(w, pc, 2);
}

/* compute(depth): slots 1 depth, 2 acc, 3 box, 4.. scalar locals. */
static int step_compute(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	int64_t depth = tc_get_int(m, 1), acc;
	void *box;

	switch (pc) {
	case 0: /* scalar work on locals: no heap at all */
		acc = 0;
		for (int i = 0; i < WL_P(w, P_LOCALS); i++) {
			int64_t x = (int64_t)(wl_rand64(w) & 0xffff);

			tc_set_int(m, 4 + i, x);
			acc += x;
		}
		tc_set_int(m, 2, acc);
		wl_setpc(w, 1);
		return 0;
	case 1:
		if (depth > 1)
			return call_compute(w, 2, depth - 1);
		wl_setpc(w, 3);
		return 0;
	case 2: /* a box that escaped from below passes through */
		tc_set_int(m, 2, tc_get_int(m, 2) + w->ret_int);
		tc_set_ptr(m, 3, tc_result(m));
		wl_setpc(w, 3);
		return 0;
	case 3: /* does this frame's value escape? */
		if (!tc_get_ptr(m, 3) &&
		    (int64_t)wl_rand(w, 100) < WL_P(w, P_ESCAPE) &&
		    !wl_obj_new(w, 3, K_BOX, tc_get_int(m, 2),
		                WL_P(w, P_PAYLOAD)))
			return -1;
		wl_setpc(w, 4);
		return 0;
	default:
		box = tc_get_ptr(m, 3);
		if (box && wl_obj_check(w, box, K_BOX, "box") &&
		    wl_obj_value(w, box, K_BOX) > tc_get_int(m, 2))
			wl_fail(w,
			        "escape: box holds %lld, more than the "
			        "frame's total %lld",
			        (long long)wl_obj_value(w, box, K_BOX),
			        (long long)tc_get_int(m, 2));
		wl_ret(w, box, tc_get_int(m, 2));
		return 0;
	}
}

static const wl_fn fns[] = {
	[F_MAIN] = {"main", step_main},
	[F_COMPUTE] = {"compute", step_compute},
};

const wl_prog wl_prog_escape = {
    .name = "escape",
    .doc = "scalar locals on the stack; a few values escape to the heap",
    .nparams = 5,
    .params = params,
    .main_slots = 4,
    .fns = fns,
};
