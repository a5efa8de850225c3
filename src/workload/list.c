/*
 * list.c - a FIFO queue churned at both ends: nodes are enqueued at the
 * tail and dequeued at the head, the length swinging between min_len and
 * max_len (with a random share of operations going the other way).
 *
 *   main:     q := new(Queue); global = q; loop { enqueue or dequeue }
 *   enqueue:  n := new(Node); tail.next = n (or q.head = n); q.tail = n
 *   dequeue:  n := q.head; q.head = n.next; return n  -- then dropped
 *
 * Objects live for a while, then die in allocation order: a steady stream
 * of garbage at the old end of a live structure, and write-barrier work on
 * every link.  Dequeued values carry a sequence number that is checked, so
 * a lost or reused node shows up as an order error as well.
 */
#include "config.h"

#include "workload/internal.h"

enum { P_MIN, P_MAX, P_PAYLOAD, P_FLIP };
enum { F_MAIN, F_ENQ, F_DEQ };
enum { V_LEN, V_NEXT_SEQ, V_HEAD_SEQ, V_GROW };

static const wl_param params[] = {
    {"len_min", 0, 100000, 16, "shortest queue"},
    {"len_max", 1, 100000, 512, "longest queue"},
    {"payload", 0, 4096, 32, "scalar bytes per node"},
    {"flip_pct", 0, 50, 25,
     "percent of operations going against the current direction"},
};

static int step_main(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *q, *n;
	bool enq;

	switch (pc) {
	case 0: /* q := new(Queue) */
		if (!wl_obj_new(w, 1, K_QUEUE, 0, 0))
			return -1;
		w->var[V_LEN] = 0;
		w->var[V_GROW] = 1;
		wl_setpc(w, 1);
		return 0;
	case 1: /* the queue is published in a global */
		tc_set_global(m, wl_slot_global(w->slot, 0), tc_get_ptr(m, 1));
		wl_setpc(w, 2);
		return 0;
	case 2: /* enqueue or dequeue */
		if (w->var[V_LEN] >= WL_P(w, P_MAX))
			w->var[V_GROW] = 0;
		if (w->var[V_LEN] <= WL_P(w, P_MIN))
			w->var[V_GROW] = 1;
		enq = w->var[V_GROW];
		if ((int64_t)wl_rand(w, 100) < WL_P(w, P_FLIP))
			enq = !enq;
		if (w->var[V_LEN] == 0)
			enq = true;
		q = tc_get_ptr(m, 1);
		wl_setpc(w, enq ? 3 : 4);
		if (wl_call(w, enq ? F_ENQ : F_DEQ, 3))
			return -1;
		tc_set_ptr(m, 1, q);
		return 0;
	case 3: /* back from enqueue */
		w->var[V_LEN]++;
		tc_set_int(m, 3, w->var[V_LEN]);
		wl_setpc(w, 2);
		return 0;
	case 4: /* back from dequeue: hold the node in a local */
		tc_set_ptr(m, 2, tc_result(m));
		wl_setpc(w, 5);
		return 0;
	case 5: /* use it, then drop it */
		n = tc_get_ptr(m, 2);
		if (n && wl_obj_check(w, n, K_QNODE, "dequeued node") &&
		    wl_obj_value(w, n, K_QNODE) != w->var[V_HEAD_SEQ])
			wl_fail(w,
			        "queue order: dequeued #%lld, expected "
			        "#%lld",
			        (long long)wl_obj_value(w, n, K_QNODE),
			        (long long)w->var[V_HEAD_SEQ]);
		w->var[V_HEAD_SEQ]++;
		w->var[V_LEN]--;
		tc_set_int(m, 3, w->var[V_LEN]);
		tc_set_ptr(m, 2, NULL);
		wl_setpc(w, 2);
		return 0;
	}
	return wl_bad_pc(w, pc, 2);
}

static int step_enq(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *q = tc_get_ptr(m, 1), *n = tc_get_ptr(m, 2), *tail;

	switch (pc) {
	case 0: /* n := new(Node) */
		if (!wl_obj_new(w, 2, K_QNODE, w->var[V_NEXT_SEQ]++,
		                WL_P(w, P_PAYLOAD)))
			return -1;
		wl_setpc(w, 1);
		return 0;
	case 1: /* q.tail.next = n, or q.head = n if empty */
		tail = wl_obj_get(w, q, K_QUEUE, 1, K_QNODE, "queue tail");
		if (tail)
			wl_obj_link(w, tail, K_QNODE, 0, n, K_QNODE);
		else
			wl_obj_link(w, q, K_QUEUE, 0, n, K_QNODE);
		wl_setpc(w, 2);
		return 0;
	default: /* q.tail = n */
		wl_obj_link(w, q, K_QUEUE, 1, n, K_QNODE);
		wl_ret(w, NULL, 0);
		return 0;
	}
}

static int step_deq(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *q = tc_get_ptr(m, 1), *n, *next;

	switch (pc) {
	case 0: /* n := q.head */
		n = wl_obj_get(w, q, K_QUEUE, 0, K_QNODE, "queue head");
		if (!n) {
			wl_fail(w,
			        "dequeue: queue of length %lld has no "
			        "head",
			        (long long)w->var[V_LEN]);
			wl_ret(w, NULL, 0);
			return 0;
		}
		tc_set_ptr(m, 2, n);
		wl_setpc(w, 1);
		return 0;
	case 1: /* q.head = n.next (and q.tail = nil if it was the last) */
		n = tc_get_ptr(m, 2);
		next = wl_obj_get(w, n, K_QNODE, 0, K_QNODE, "node next");
		wl_obj_link(w, q, K_QUEUE, 0, next, K_QNODE);
		if (!next)
			wl_obj_link(w, q, K_QUEUE, 1, NULL, K_QNODE);
		wl_setpc(w, 2);
		return 0;
	default: /* return n */
		wl_ret(w, tc_get_ptr(m, 2), 0);
		return 0;
	}
}

static const wl_fn fns[] = {
	[F_MAIN] = {"main", step_main},
	[F_ENQ] = {"enqueue", step_enq},
	[F_DEQ] = {"dequeue", step_deq},
};

const wl_prog wl_prog_list = {
    .name = "list",
    .doc = "a FIFO queue churned at both ends",
    .nparams = 4,
    .params = params,
    .main_slots = 4,
    .fns = fns,
};
