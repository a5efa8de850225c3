/*
 * cache.c - an LRU cache: a hash table (kept in a global) of chained
 * entries, each on a doubly-linked LRU list and holding a value object of
 * random size.  Keys are drawn skewed toward small numbers, so some stay
 * hot while the tail is evicted.
 *
 *   main:    loop { e := get(key); if hit: check value, move to front
 *                   else load(key); if count > capacity: evict() }
 *   get:     walk the bucket chain, one entry per operation
 *   load:    v := new(Value); e := new(Entry); link into the bucket and
 *            the front of the LRU list
 *   evict:   unlink the LRU tail from the list and from its bucket: the
 *            entry and its value become garbage
 *
 * It teaches that a cache is where "live" and "reachable" part ways: the
 * collector keeps whatever the table reaches, and only eviction (a program
 * decision) makes memory reclaimable.  Values of many sizes exercise many
 * size classes.
 */
#include "config.h"

#include "workload/internal.h"

enum { P_CAPACITY, P_BUCKETS, P_KEYS, P_VMIN, P_VMAX };
enum { F_MAIN, F_GET, F_LOAD, F_EVICT };
enum { V_COUNT };
enum { E_HNEXT, E_PREV, E_NEXT, E_VALUE };

static const wl_param params[] = {
    {"capacity", 1, 100000, 256, "entries kept before evicting"},
    {"buckets", 1, 4094, 64, "hash chains in the table"},
    {"keys", 1, 1000000, 1024, "distinct keys (skewed to small ones)"},
    {"value_min", 0, 16384, 16, "smallest value payload in bytes"},
    {"value_max", 0, 16384, 256, "largest value payload in bytes"},
};

#define B(w) ((size_t)WL_P(w, P_BUCKETS))

static size_t bucket(wl_mutator *w, int64_t key)
{
	return (size_t)(key % (int64_t)B(w));
}

static void *tget(wl_mutator *w, void *t, size_t i)
{
	return wl_obj_get(w, t, K_CTABLE, i, K_CENTRY, "cache table");
}

static void *eget(wl_mutator *w, void *e, size_t i)
{
	return wl_obj_get(w, e, K_CENTRY, i, K_CENTRY, "cache entry");
}

static void elink(wl_mutator *w, void *e, size_t i, void *x)
{
	wl_obj_link(w, e, K_CENTRY, i, x, K_CENTRY);
}

static void tlink(wl_mutator *w, void *t, size_t i, void *x)
{
	wl_obj_link(w, t, K_CTABLE, i, x, K_CENTRY);
}

static int step_main(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *t = tc_get_ptr(m, 1), *e = tc_get_ptr(m, 2), *v, *prev, *next,
	     *head;
	int64_t key = tc_get_int(m, 3);

	switch (pc) {
	case 0:
		if (!wl_obj_new(w, 1, K_CTABLE, 0, 0))
			return -1;
		w->var[V_COUNT] = 0;
		wl_setpc(w, 1);
		return 0;
	case 1: /* the table is published in a global */
		tc_set_global(m, wl_slot_global(w->slot, 0), t);
		wl_setpc(w, 2);
		return 0;
	case 2: { /* e := get(key) */
		uint64_t k1 = wl_rand(w, (uint64_t)WL_P(w, P_KEYS));
		uint64_t k2 = wl_rand(w, (uint64_t)WL_P(w, P_KEYS));

		key = (int64_t)(k1 < k2 ? k1 : k2);
		tc_set_int(m, 3, key);
		wl_setpc(w, 3);
		if (wl_call(w, F_GET, 4))
			return -1;
		tc_set_ptr(m, 1, t);
		tc_set_int(m, 3, key);
		return 0;
	}
	case 3:
		if (tc_result(m)) { /* hit */
			tc_set_ptr(m, 2, tc_result(m));
			wl_setpc(w, 4);
			return 0;
		}
		wl_setpc(w, 6); /* miss: load(key) */
		if (wl_call(w, F_LOAD, 5))
			return -1;
		tc_set_ptr(m, 1, t);
		tc_set_int(m, 4, key);
		return 0;
	case 4: /* hit: check the value; unless at the front, unlink e */
		v = wl_obj_get(w, e, K_CENTRY, E_VALUE, K_CVAL, "cache value");
		if (v && wl_obj_value(w, v, K_CVAL) != key)
			wl_fail(w, "cache: value of key %lld holds key %lld",
			        (long long)key,
			        (long long)wl_obj_value(w, v, K_CVAL));
		prev = eget(w, e, E_PREV);
		if (!prev) { /* already most recent */
			tc_set_ptr(m, 2, NULL);
			wl_setpc(w, 2);
			return 0;
		}
		next = eget(w, e, E_NEXT);
		elink(w, prev, E_NEXT, next);
		if (next)
			elink(w, next, E_PREV, prev);
		else
			tlink(w, t, B(w) + 1, prev);
		wl_setpc(w, 5);
		return 0;
	case 5: /* ... and link it at the front */
		head = tget(w, t, B(w));
		elink(w, e, E_PREV, NULL);
		elink(w, e, E_NEXT, head);
		if (head)
			elink(w, head, E_PREV, e);
		tlink(w, t, B(w), e);
		tc_set_ptr(m, 2, NULL);
		wl_setpc(w, 2);
		return 0;
	case 6: /* back from load */
		w->var[V_COUNT]++;
		tc_set_int(m, 4, w->var[V_COUNT]);
		if (w->var[V_COUNT] <= WL_P(w, P_CAPACITY)) {
			wl_setpc(w, 2);
			return 0;
		}
		wl_setpc(w, 7);
		if (wl_call(w, F_EVICT, 4))
			return -1;
		tc_set_ptr(m, 1, t);
		return 0;
	case 7: /* back from evict */
		w->var[V_COUNT]--;
		tc_set_int(m, 4, w->var[V_COUNT]);
		wl_setpc(w, 2);
		return 0;
	}
	return wl_bad_pc(w, pc, 2);
}

/* get(table, key): slots 1 table, 2 cursor, 3 key. */
static int step_get(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *t = tc_get_ptr(m, 1), *e;
	int64_t key = tc_get_int(m, 3);

	if (pc == 0) {
		tc_set_ptr(m, 2, tget(w, t, bucket(w, key)));
		wl_setpc(w, 1);
		return 0;
	}
	e = tc_get_ptr(m, 2);
	if (!e || wl_obj_value(w, e, K_CENTRY) == key) {
		wl_ret(w, e, 0);
		return 0;
	}
	tc_set_ptr(m, 2, eget(w, e, E_HNEXT));
	return 0;
}

/* load(table, key): slots 1 table, 2 value, 3 entry, 4 key. */
static int step_load(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *t = tc_get_ptr(m, 1), *e = tc_get_ptr(m, 3), *head;
	int64_t key = tc_get_int(m, 4);
	size_t b = bucket(w, key);

	switch (pc) {
	case 0: { /* v := new(Value) of a random size */
		uint64_t span = (uint64_t)(WL_P(w, P_VMAX) - WL_P(w, P_VMIN));
		size_t size =
		    (size_t)WL_P(w, P_VMIN) + (size_t)wl_rand(w, span + 1);

		if (!wl_obj_new(w, 2, K_CVAL, key, size))
			return -1;
		wl_setpc(w, 1);
		return 0;
	}
	case 1: /* e := new(Entry); e.value = v */
		if (!(e = wl_obj_new(w, 3, K_CENTRY, key, 0)))
			return -1;
		wl_obj_link(w, e, K_CENTRY, E_VALUE, tc_get_ptr(m, 2), K_CVAL);
		wl_setpc(w, 2);
		return 0;
	case 2: /* e.hnext = table[b]; table[b] = e */
		elink(w, e, E_HNEXT, tget(w, t, b));
		tlink(w, t, b, e);
		wl_setpc(w, 3);
		return 0;
	default: /* push e at the front of the LRU list */
		head = tget(w, t, B(w));
		elink(w, e, E_NEXT, head);
		if (head)
			elink(w, head, E_PREV, e);
		else
			tlink(w, t, B(w) + 1, e);
		tlink(w, t, B(w), e);
		wl_ret(w, NULL, 0);
		return 0;
	}
}

/* evict(table): slots 1 table, 2 victim, 3 cursor. */
static int step_evict(wl_mutator *w, int64_t pc)
{
	tc_mutator *m = w->m;
	void *t = tc_get_ptr(m, 1), *v = tc_get_ptr(m, 2), *prev, *cur, *nx;
	size_t b;

	switch (pc) {
	case 0: /* v := LRU tail */
		v = tget(w, t, B(w) + 1);
		if (!v) {
			wl_fail(w, "evict: LRU list empty with %lld entries",
			        (long long)w->var[V_COUNT]);
			wl_ret(w, NULL, 0);
			return 0;
		}
		tc_set_ptr(m, 2, v);
		wl_setpc(w, 1);
		return 0;
	case 1: /* unlink it from the LRU list */
		prev = eget(w, v, E_PREV);
		if (prev)
			elink(w, prev, E_NEXT, NULL);
		else
			tlink(w, t, B(w), NULL);
		tlink(w, t, B(w) + 1, prev);
		wl_setpc(w, 2);
		return 0;
	case 2: /* unlink it from its bucket: at the head? */
		b = bucket(w, wl_obj_value(w, v, K_CENTRY));
		cur = tget(w, t, b);
		if (cur == v) {
			tlink(w, t, b, eget(w, v, E_HNEXT));
			wl_ret(w, NULL, 0);
			return 0;
		}
		tc_set_ptr(m, 3, cur);
		wl_setpc(w, 3);
		return 0;
	default: /* ... or further down the chain, one entry per step */
		cur = tc_get_ptr(m, 3);
		if (!cur) {
			wl_fail(w, "evict: victim key %lld not in its bucket",
			        (long long)wl_obj_value(w, v, K_CENTRY));
			wl_ret(w, NULL, 0);
			return 0;
		}
		nx = eget(w, cur, E_HNEXT);
		if (nx == v) {
			elink(w, cur, E_HNEXT, eget(w, v, E_HNEXT));
			wl_ret(w, NULL, 0);
			return 0;
		}
		tc_set_ptr(m, 3, nx);
		return 0;
	}
}

static const wl_fn fns[] = {
	[F_MAIN] = {"main", step_main},
	[F_GET] = {"get", step_get},
	[F_LOAD] = {"load", step_load},
	[F_EVICT] = {"evict", step_evict},
};

const wl_prog wl_prog_cache = {
    .name = "cache",
    .doc = "an LRU cache: global table, chained entries, eviction",
    .nparams = 5,
    .params = params,
    .main_slots = 5,
    .fns = fns,
};
