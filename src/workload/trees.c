/*
 * trees.c - the binary-trees program (the shape of the benchmarks game's
 * binarytrees): one long-lived tree kept in a local and a global, and a
 * stream of short-lived trees, each built bottom-up, checked and dropped.
 *
 *   main:          build long-lived; loop { t = bottomUpTree(short);
 *                  itemCheck(t); drop t; every N: itemCheck(long) }
 *   bottomUpTree:  left = bottomUpTree(d-1); right = bottomUpTree(d-1);
 *                  node = new(left, right)   -- children live in locals
 *                  until the node that holds them is allocated
 *   itemCheck:     1 + itemCheck(left) + itemCheck(right)
 *
 * It teaches the generational hypothesis (most objects die young) and
 * stack roots: a half-built tree is reachable only from frames.
 */
#include "config.h"

#include "workload/internal.h"

enum { P_LONG, P_SHORT, P_PAYLOAD, P_CHECK_EVERY };
enum { F_MAIN, F_BUILD, F_CHECK };

static const wl_param params[] = {
    {"long_depth", 0, 18, 10, "depth of the long-lived tree"},
    {"short_depth", 0, 16, 6, "depth of each short-lived tree"},
    {"payload", 0, 4096, 16, "scalar bytes per node"},
    {"check_every", 1, 1000, 16,
     "check the long-lived tree every N short-lived ones"},
};

static int64_t nodes_of(int64_t depth)
{
	return ((int64_t)2 << depth) - 1;
}

/* Call bottomUpTree(depth) or itemCheck(node), the caller resuming at
 * `resume`. */
static int call_build(wl_mutator *w, int64_t resume, int64_t depth)
{
	wl_setpc(w, resume);
	if (wl_call(w, F_BUILD, 5))
		return -1;
	tc_set_int(w->m, 1, depth);
	return 0;
}

static int call_check(wl_mutator *w, int64_t resume, void *node)
{
	wl_setpc(w, resume);
	/* node stays reachable through the caller's frame or a tree. */
	if (wl_call(w, F_CHECK, 3))
		return -1;
	tc_set_ptr(w->m, 1, node);
	return 0;
}

static int step_main(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	int64_t it, want;

	switch (pc) {
	case 0: /* longLivedTree := bottomUpTree(long_depth) */
		return call_build(w, 1, WL_P(w, P_LONG));
	case 1: /* store it in a local and a global */
		tc_set_ptr(m, 1, tc_result(m));
		tc_set_global(m, wl_slot_global(w->slot, 0), tc_get_ptr(m, 1));
		wl_setpc(w, 2);
		return 0;
	case 2: /* t := bottomUpTree(short_depth) */
		return call_build(w, 3, WL_P(w, P_SHORT));
	case 3:
		tc_set_ptr(m, 2, tc_result(m));
		wl_setpc(w, 4);
		return 0;
	case 4: /* itemCheck(t) */
		return call_check(w, 5, tc_get_ptr(m, 2));
	case 5: /* check the count, drop t: it is garbage now */
		want = nodes_of(WL_P(w, P_SHORT));
		if (w->ret_int != want)
			wl_fail(w,
			        "itemCheck of a depth %lld tree counted "
			        "%lld nodes, expected %lld",
			        (long long)WL_P(w, P_SHORT),
			        (long long)w->ret_int, (long long)want);
		tc_set_ptr(m, 2, NULL);
		it = tc_get_int(m, 3) + 1;
		tc_set_int(m, 3, it);
		wl_setpc(w, it % WL_P(w, P_CHECK_EVERY) == 0 ? 6 : 2);
		return 0;
	case 6: /* itemCheck(longLivedTree) */
		return call_check(w, 7, tc_get_ptr(m, 1));
	case 7:
		want = nodes_of(WL_P(w, P_LONG));
		if (w->ret_int != want)
			wl_fail(w,
			        "long-lived tree counted %lld nodes, "
			        "expected %lld",
			        (long long)w->ret_int, (long long)want);
		wl_setpc(w, 2);
		return 0;
	}
	return wl_bad_pc(w, pc, 2);
}

static int step_build(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	int64_t d = tc_get_int(m, 1);
	void *node;

	switch (pc) {
	case 0:
		if (d <= 0) { /* a leaf: new(nil, nil) */
			if (!wl_obj_new(w, 4, K_TREE, 0, WL_P(w, P_PAYLOAD)))
				return -1;
			wl_setpc(w, 4);
			return 0;
		}
		return call_build(w, 1, d - 1);
	case 1: /* left := result; right := bottomUpTree(d-1) */
		tc_set_ptr(m, 2, tc_result(m));
		return call_build(w, 2, d - 1);
	case 2: /* right := result; node := new(...) */
		tc_set_ptr(m, 3, tc_result(m));
		if (!wl_obj_new(w, 4, K_TREE, d, WL_P(w, P_PAYLOAD)))
			return -1;
		wl_setpc(w, 3);
		return 0;
	case 3: /* node.left, node.right = left, right */
		node = tc_get_ptr(m, 4);
		wl_obj_link(w, node, K_TREE, 0, tc_get_ptr(m, 2), K_TREE);
		wl_obj_link(w, node, K_TREE, 1, tc_get_ptr(m, 3), K_TREE);
		wl_setpc(w, 4);
		return 0;
	default: /* return node */
		wl_ret(w, tc_get_ptr(m, 4), 0);
		return 0;
	}
}

static int step_check(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *n = tc_get_ptr(m, 1), *child;

	if (!n || !wl_obj_check(w, n, K_TREE, "itemCheck")) {
		wl_ret(w, NULL, 0);
		return 0;
	}
	switch (pc) {
	case 0:
		child = wl_obj_get(w, n, K_TREE, 0, K_TREE, "itemCheck left");
		if (!child) {
			if (wl_obj_value(w, n, K_TREE) != 0)
				wl_fail(w,
				        "itemCheck: inner node of depth "
				        "%lld has no left child",
				        (long long)wl_obj_value(w, n, K_TREE));
			wl_ret(w, NULL, 1);
			return 0;
		}
		tc_set_int(m, 2, 1);
		return call_check(w, 1, child);
	case 1:
		tc_set_int(m, 2, tc_get_int(m, 2) + w->ret_int);
		child = wl_obj_get(w, n, K_TREE, 1, K_TREE, "itemCheck right");
		return call_check(w, 2, child);
	default:
		wl_ret(w, NULL, tc_get_int(m, 2) + w->ret_int);
		return 0;
	}
}

static const wl_fn fns[] = {
	[F_MAIN] = {"main", step_main},
	[F_BUILD] = {"bottomUpTree", step_build},
	[F_CHECK] = {"itemCheck", step_check},
};

const wl_prog wl_prog_trees = {
    .name = "trees",
    .doc = "binary trees: a long-lived tree and short-lived ones",
    .nparams = 4,
    .params = params,
    .main_slots = 4,
    .fns = fns,
};
