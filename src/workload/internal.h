/*
 * internal.h - what the workload programs share: object kinds, the program
 * table, and the frame helpers (call, return, pc) every program's state
 * machine is written with.  Not part of the engine's interface.
 */
#ifndef TRICOLOR_WORKLOAD_INTERNAL_H
#define TRICOLOR_WORKLOAD_INTERNAL_H

#include "workload/workload.h"

/* Object kinds.  The pointer count of each follows from the kind and the
 * running scenario's parameters (see wl_kind_nptrs). */
enum wl_kind {
	K_TREE = 1, /* binary tree node: left, right */
	K_QUEUE,    /* queue header: head, tail */
	K_QNODE,    /* queue node: next */
	K_GTABLE,   /* graph node table: one field per node */
	K_GNODE,    /* graph node: `edges` fields */
	K_CTABLE,   /* cache: `buckets` chains, then LRU head and tail */
	K_CENTRY,   /* cache entry: hash next, LRU prev, LRU next, value */
	K_CVAL,     /* cache value: no pointers, sized payload */
	K_RING,     /* escape: ring of escaped boxes */
	K_BOX,      /* escape: a value that escaped to the heap */
	K_NKINDS
};

typedef struct wl_param {
	const char *name;
	int64_t min, max, def;
	const char *doc;
} wl_param;

/* One function of a scenario program: its name (the frame's, on the
 * stack) and one operation of its frame at pc.  step returns 0, or -1
 * when an allocation failed. */
typedef struct wl_fn {
	const char *name;
	int (*step)(wl_mutator *w, int64_t pc);
} wl_fn;

typedef struct wl_prog {
	const char *name;
	const char *doc;
	int nparams;
	const wl_param *params;
	int main_slots;
	const wl_fn *fns; /* index = function id (the F_* a wl_call names);
			   * 0 = main */
} wl_prog;

extern const wl_prog wl_prog_trees, wl_prog_list, wl_prog_graph, wl_prog_cache,
    wl_prog_escape;
const wl_prog *wl_prog_of(wl_program p);

size_t wl_kind_nptrs(const wl_mutator *w, int kind);

/* Frame helpers: every frame has its pc as an int in slot 0. */
static inline int64_t wl_pc(wl_mutator *w)
{
	return tc_get_int(w->m, 0);
}

static inline void wl_setpc(wl_mutator *w, int64_t pc)
{
	tc_set_int(w->m, 0, pc);
}

/* Call function `fn` of the running program: push its frame (pc 0).
 * Returns 0 or TC_ESTACK. */
int wl_call(wl_mutator *w, int fn, int nslots);
/* Return `ret` (may be NULL) and the scalar `iret` to the caller. */
void wl_ret(wl_mutator *w, void *ret, int64_t iret);

/* A frame found at a pc its function does not have: report it (program,
 * function, pc), resume at `resume`, and return 0 (the step's result). */
int wl_bad_pc(wl_mutator *w, int64_t pc, int64_t resume);

/* Report a failed check: message into failmsg, count it. */
void wl_fail(wl_mutator *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* xorshift64* random numbers; wl_rand(w, n) is in [0, n). */
uint64_t wl_rand64(wl_mutator *w);
static inline uint64_t wl_rand(wl_mutator *w, uint64_t n)
{
	return n ? wl_rand64(w) % n : 0;
}

#define WL_P(w, i) ((w)->sc.param[i])

/* Parameter indices that decide object layouts. */
#define GRAPH_P_NODES   0
#define GRAPH_P_EDGES   1
#define CACHE_P_BUCKETS 1
#define ESCAPE_P_KEEP   4

#endif /* TRICOLOR_WORKLOAD_INTERNAL_H */
