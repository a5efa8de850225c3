/*
 * graph.c - random pointer rewiring over a live graph with cycles.
 *
 * A table (kept in a global) names `nodes` nodes, each with `edges`
 * pointer fields.  The steady loop picks, at random:
 *   rewire   a.edge[k] = table[j]           (cycles appear at once)
 *   unlink   a.edge[k] = nil
 *   replace  table[i] = newNode(copy of old's edges), the old node
 *            emptied: it becomes garbage once no edge points to it
 *   walk     follow random edges for a few hops, checking each node
 *   hold     the textbook lost-object dance, one operation per line:
 *              x := a.edge[k]   (load into a local: a stack root)
 *              a.edge[k] = nil  (the heap no longer points to x)
 *              c.edge[j] = x    (x stored into a maybe-black object)
 *            With the hybrid barrier x survives; with the barrier off
 *            (or only one half of it) the verifier catches x lost.
 */
#include "config.h"

#include "workload/internal.h"

enum { P_NODES, P_EDGES, P_PAYLOAD, P_REPLACE, P_HOLD, P_WALK };
enum { F_MAIN, F_NEW, F_WALK };
enum { V_FILLED, V_HOLD_K };

static const wl_param params[] = {
    {"nodes", 2, 1024, 128, "nodes in the table"},
    {"edges", 1, 16, 4, "pointer fields per node"},
    {"payload", 0, 4096, 24, "scalar bytes per node"},
    {"replace_pct", 0, 100, 10, "percent of steps replacing a node"},
    {"hold_pct", 0, 100, 10, "percent of steps doing the hold dance"},
    {"walk_pct", 0, 100, 10, "percent of steps walking edges"},
};

static int64_t rnode(wl_mutator *w)
{
	return (int64_t)wl_rand(w, (uint64_t)WL_P(w, P_NODES));
}

static size_t redge(wl_mutator *w)
{
	return (size_t)wl_rand(w, (uint64_t)WL_P(w, P_EDGES));
}

static void *node_at(wl_mutator *w, void *table, int64_t i)
{
	return wl_obj_get(w, table, K_GTABLE, (size_t)i, K_GNODE,
	                  "graph table");
}

static int steady(wl_mutator *w)
{
	tc_mutator *m = w->m;
	void *t = tc_get_ptr(m, 1), *a, *b;
	int64_t r = (int64_t)wl_rand(w, 100), i = rnode(w);
	int64_t p1 = WL_P(w, P_REPLACE), p2 = p1 + WL_P(w, P_HOLD),
	        p3 = p2 + WL_P(w, P_WALK);

	if (r < p1) { /* table[i] = newNode(i) */
		tc_set_int(m, 5, i);
		wl_setpc(w, 11);
		if (wl_call(w, F_NEW, 5))
			return -1;
		tc_set_ptr(m, 1, t);
		tc_set_int(m, 4, i);
		return 0;
	}
	if (r < p2) { /* x := a.edge[k] */
		a = node_at(w, t, i);
		if (!a)
			return 0;
		tc_set_ptr(m, 2, a);
		w->var[V_HOLD_K] = (int64_t)redge(w);
		tc_set_ptr(m, 4,
		           wl_obj_get(w, a, K_GNODE, (size_t)w->var[V_HOLD_K],
		                      K_GNODE, "hold load"));
		wl_setpc(w, 12);
		return 0;
	}
	if (r < p3) { /* walk(table[i]) */
		a = node_at(w, t, i);
		wl_setpc(w, 10);
		if (wl_call(w, F_WALK, 3))
			return -1;
		tc_set_ptr(m, 1, a);
		return 0;
	}
	a = node_at(w, t, i);
	if (!a)
		return 0;
	if (r % 5 == 0) { /* unlink */
		wl_obj_link(w, a, K_GNODE, redge(w), NULL, K_GNODE);
		return 0;
	}
	b = node_at(w, t, rnode(w)); /* rewire */
	wl_obj_link(w, a, K_GNODE, redge(w), b, K_GNODE);
	return 0;
}

static int step_main(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *t = tc_get_ptr(m, 1), *n, *c;
	int64_t i;

	switch (pc) {
	case 0: /* table := new(Table) */
		if (!wl_obj_new(w, 1, K_GTABLE, 0, 0))
			return -1;
		wl_setpc(w, 1);
		return 0;
	case 1: /* published in a global */
		tc_set_global(m, wl_slot_global(w->slot, 0), t);
		w->var[V_FILLED] = 0;
		wl_setpc(w, 2);
		return 0;
	case 2: /* populate: n := new(Node) */
		if (w->var[V_FILLED] >= WL_P(w, P_NODES)) {
			wl_setpc(w, 10);
			return 0;
		}
		if (!wl_obj_new(w, 2, K_GNODE, w->var[V_FILLED],
		                WL_P(w, P_PAYLOAD)))
			return -1;
		wl_setpc(w, 3);
		return 0;
	case 3: /* table[i] = n; n.edge[0] = some earlier node */
		n = tc_get_ptr(m, 2);
		i = w->var[V_FILLED]++;
		wl_obj_link(w, t, K_GTABLE, (size_t)i, n, K_GNODE);
		if (i > 0)
			wl_obj_link(
			    w, n, K_GNODE, 0,
			    node_at(w, t, (int64_t)wl_rand(w, (uint64_t)i)),
			    K_GNODE);
		tc_set_ptr(m, 2, NULL);
		tc_set_int(m, 5, w->var[V_FILLED]);
		wl_setpc(w, 2);
		return 0;
	case 10:
		return steady(w);
	case 11: /* back from newNode: table[i] = it */
		wl_obj_link(w, t, K_GTABLE, (size_t)tc_get_int(m, 5),
		            tc_result(m), K_GNODE);
		wl_setpc(w, 10);
		return 0;
	case 12: /* a.edge[k] = nil: x is held by the stack only */
		wl_obj_link(w, tc_get_ptr(m, 2), K_GNODE,
		            (size_t)w->var[V_HOLD_K], NULL, K_GNODE);
		wl_setpc(w, 13);
		return 0;
	case 13: /* c.edge[j] = x; drop the locals */
		c = node_at(w, t, rnode(w));
		if (c)
			wl_obj_link(w, c, K_GNODE, redge(w), tc_get_ptr(m, 4),
			            K_GNODE);
		tc_set_ptr(m, 2, NULL);
		tc_set_ptr(m, 4, NULL);
		wl_setpc(w, 10);
		return 0;
	}
	return wl_bad_pc(w, pc, 10);
}

/* newNode(table, i): slots 1 table, 2 node, 3 old, 4 i. */
static int step_new(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *n = tc_get_ptr(m, 2), *old;

	switch (pc) {
	case 0: /* n := new(Node) */
		if (!wl_obj_new(w, 2, K_GNODE, tc_get_int(m, 4),
		                WL_P(w, P_PAYLOAD)))
			return -1;
		wl_setpc(w, 1);
		return 0;
	case 1: /* old := table[i]; copy its edges */
		old = node_at(w, tc_get_ptr(m, 1), tc_get_int(m, 4));
		tc_set_ptr(m, 3, old);
		if (old)
			for (int64_t e = 0; e < WL_P(w, P_EDGES); e++)
				wl_obj_link(w, n, K_GNODE, (size_t)e,
				            wl_obj_get(w, old, K_GNODE,
				                       (size_t)e, K_GNODE,
				                       "newNode copy"),
				            K_GNODE);
		wl_setpc(w, 2);
		return 0;
	case 2: /* ... and empty the old node: edges may still point to it,
	         * but it holds nothing, so dead nodes cannot pile up in
	         * webs of their own */
		old = tc_get_ptr(m, 3);
		if (old)
			for (int64_t e = 0; e < WL_P(w, P_EDGES); e++)
				wl_obj_link(w, old, K_GNODE, (size_t)e, NULL,
				            K_GNODE);
		wl_setpc(w, 3);
		return 0;
	default:
		wl_ret(w, n, 0);
		return 0;
	}
}

/* walk(cur): one hop per operation, at most 8. */
static int step_walk(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *cur = tc_get_ptr(m, 1);

	if (!cur || tc_get_int(m, 2) >= 8) {
		wl_ret(w, NULL, tc_get_int(m, 2));
		return 0;
	}
	tc_set_ptr(m, 1,
	           wl_obj_get(w, cur, K_GNODE, redge(w), K_GNODE, "walk"));
	tc_set_int(m, 2, tc_get_int(m, 2) + 1);
	wl_setpc(w, pc + 1);
	return 0;
}

static const wl_fn fns[] = {
	[F_MAIN] = {"main", step_main},
	[F_NEW] = {"newNode", step_new},
	[F_WALK] = {"walk", step_walk},
};

const wl_prog wl_prog_graph = {
    .name = "graph",
    .doc = "random rewiring of a live graph with cycles",
    .nparams = 6,
    .params = params,
    .main_slots = 6,
    .fns = fns,
};
