/*
 * verify.c - the checkmark verifier (Go's gccheckmark) and the invariant
 * checks run at stop-the-world points.
 *
 * At mark termination, with the world stopped and the grey set empty, the
 * verifier traces the whole object graph again from the roots (globals,
 * every mutator's stack slots and result register), independently of the
 * collector: it has its own bitmap (one bit per arena word, allocated once)
 * and its own explicit stack.  Every object it reaches must carry the
 * collector's mark flag; one that does not is a "lost object": sweep would
 * free it while the program can still reach it.  Each is reported with the
 * object, the object that points to it, and the root it hangs from.
 *
 * With the correct (hybrid) barrier a lost object is a collector bug and
 * aborts.  With a barrier mode switched off on purpose, lost objects are
 * the expected lesson: they are counted, reported, and rescued (marked
 * black) so the program never touches freed memory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc/gc.h"
#include "util.h"

typedef struct vctx {
	tc_collector *gc;
	size_t n;
	uint64_t lost;
	char root[64];
} vctx;

/* Stack entries are (object, referrer, root index) triples. */
static void vpush(tc_collector *gc, size_t *n, uintptr_t obj, uintptr_t from,
		  uintptr_t root)
{
	if (*n + 3 > gc->vcap) {
		gc->vcap = gc->vcap ? gc->vcap * 2 : 3 * 4096;
		gc->vstack = tc_xrealloc(gc->vstack,
					 gc->vcap * sizeof(uintptr_t));
	}
	gc->vstack[(*n)++] = obj;
	gc->vstack[(*n)++] = from;
	gc->vstack[(*n)++] = root;
}

static void describe(tc_collector *gc, uintptr_t p, char *buf, size_t len)
{
	tc_span *s = tc_heap_spanof(gc->heap, p);
	if (!s) {
		snprintf(buf, len, "%#lx (not in heap)", (unsigned long)p);
		return;
	}
	snprintf(buf, len, "object %u.%u (class %u, %u bytes)", s->page,
		 tc_span_slot(s, p), atomic_load(&s->sizeclass),
		 atomic_load(&s->elemsize));
}

/* Roots are numbered: 0..nglobals-1 globals, then 1000000*(m+1)+slot for
 * mutator stack slots; the name is rebuilt only when reporting. */
static void trace(vctx *v, uintptr_t root_obj, const char *rootname)
{
	tc_collector *gc = v->gc;
	tc_heap *h = gc->heap;
	size_t n = 0;
	vpush(gc, &n, root_obj, 0, 0);
	while (n) {
		n -= 3;
		uintptr_t p = gc->vstack[n], from = gc->vstack[n + 1];
		tc_span *s = tc_heap_spanof(h, p);
		if (!s)
			tc_fatal("verifier: pointer %#lx outside any span "
				 "(from %#lx, root %s)",
				 (unsigned long)p, (unsigned long)from,
				 rootname);
		uint32_t slot = tc_span_slot(s, p);
		uintptr_t base = tc_span_objaddr(s, slot);
		size_t word = (base - h->arena) / 8;
		if (gc->vbits[word / 64] & ((uint64_t)1 << (word % 64)))
			continue;
		gc->vbits[word / 64] |= (uint64_t)1 << (word % 64);
		if (!tc_bit_test(s->allocbits, slot))
			tc_fatal("verifier: reachable pointer %#lx to a free "
				 "slot (from %#lx, root %s)",
				 (unsigned long)p, (unsigned long)from,
				 rootname);
		if (!tc_span_marked(s, slot)) {
			char a[96], b[96];
			describe(gc, base, a, sizeof a);
			if (from)
				describe(gc, from, b, sizeof b);
			else
				snprintf(b, sizeof b, "the root itself");
			char msg[320];
			snprintf(msg, sizeof msg,
				 "lost %s: reachable but unmarked; referrer %s; "
				 "root %s; barrier %s",
				 a, b, rootname,
				 tc_barrier_name(atomic_load(&gc->barrier)));
			/* The report goes to the observer (a TUI must not
			 * have stderr written over it); without one, or
			 * when it is fatal, to stderr, a few per cycle. */
			bool fatal = gc->cfg.on_violation == TC_VERIFY_ABORT &&
				     !gc->verify_rescue;
			if (fatal || (!gc->cfg.on_event && v->lost < 5))
				fprintf(stderr, "tricolor: verifier: %s\n", msg);
			v->lost++;
			tc_event ev = {.kind = TC_EV_VIOLATION, .detail = msg};
			ev.obj.page = s->page;
			ev.obj.slot = slot;
			if (gc->cfg.on_event)
				gc->cfg.on_event(gc->cfg.event_ctx, &ev);
			/* Rescue: make it black so sweep keeps it. */
			tc_span_set_flags(s, slot, tc_span_info_get(s, slot),
					  tc_span_black(s));
			tc_span_note_mark(s);
		}
		uint32_t np = tc_span_nptrs(s, slot);
		_Atomic(uintptr_t) *f = (_Atomic(uintptr_t) *)base;
		for (uint32_t i = 0; i < np; i++) {
			uintptr_t q = atomic_load_explicit(&f[i],
							   memory_order_relaxed);
			if (q)
				vpush(gc, &n, q, base, 0);
		}
	}
}

typedef struct vmut {
	vctx *v;
} vmut;

static void verify_mutator(void *arg, tc_gcmut *m)
{
	vctx *v = arg;
	char name[64];
	int sp = __atomic_load_n(&m->stack->sp, __ATOMIC_RELAXED);
	for (int i = 0; i < sp; i++) {
		uint64_t w = __atomic_load_n(&m->stack->slot[i],
					     __ATOMIC_RELAXED);
		if (!w || !TC_SLOT_IS_PTR(w))
			continue;
		uintptr_t p = (uintptr_t)w;
		snprintf(name, sizeof name, "mutator %u stack slot %d", m->id,
			 i);
		trace(v, p, name);
	}
	uintptr_t r = __atomic_load_n(&m->stack->result, __ATOMIC_RELAXED);
	if (r) {
		snprintf(name, sizeof name, "mutator %u result register",
			 m->id);
		trace(v, r, name);
	}
}

/* Run with the world stopped and no grey work left.  Returns the number
 * of lost objects found (and rescued, unless that aborts). */
uint64_t tc_gc_verify(tc_collector *gc)
{
	tc_heap *h = gc->heap;
	size_t words = (h->arena_bytes / 8 + 63) / 64;
	if (!gc->vbits)
		gc->vbits = tc_xcalloc(words, sizeof(uint64_t));
	else
		memset(gc->vbits, 0, words * sizeof(uint64_t));
	vctx v = {.gc = gc};
	char name[32];
	for (int i = 0; i < gc->nglobals; i++) {
		uintptr_t p = __atomic_load_n(&gc->globals[i], __ATOMIC_RELAXED);
		if (!p)
			continue;
		snprintf(name, sizeof name, "global %d", i);
		trace(&v, p, name);
	}
	gc->world.each(gc->world.ctx, verify_mutator, &v);
	atomic_fetch_add_explicit(&gc->verify_runs, 1, memory_order_relaxed);
	if (v.lost) {
		atomic_fetch_add_explicit(&gc->violations, v.lost,
					  memory_order_relaxed);
		if (gc->cfg.on_violation == TC_VERIFY_ABORT && !gc->verify_rescue)
			tc_fatal("verifier: %llu reachable objects were not "
				 "marked (barrier %s)",
				 (unsigned long long)v.lost,
				 tc_barrier_name(atomic_load(&gc->barrier)));
	}
	return v.lost;
}

/* Invariants at mark termination: no grey object is left (every marked
 * object is scanned), and the heap's span accounting adds up.  O(heap):
 * only run with the verifier on. */
int tc_gc_check_invariants(tc_collector *gc)
{
	tc_heap *h = gc->heap;
	int bad = tc_heap_check(h);
	/* Above the frontier no span ever started (tc_heap_check). */
	uint32_t top = atomic_load(&h->frontier);
	for (uint32_t p = 0; p < top;) {
		tc_span *s = &h->spans[p];
		if (atomic_load(&s->state) != TC_SPAN_INUSE) {
			p++;
			continue;
		}
		uint32_t ne = atomic_load(&s->nelems);
		for (uint32_t w = 0; w < (ne + 63) / 64; w++) {
			/* Free slots' flags mean nothing. */
			uint64_t g = tc_span_mark_word(s, w * 64, ne,
						       tc_span_black(s)) &
				     atomic_load(&s->allocbits[w]);
			for (uint64_t b = g; b; b &= b - 1)
				if (tc_span_scanned(s, w * 64 + (uint32_t)
							__builtin_ctzll(b)))
					g &= ~(b & -b);
			if (g) {
				fprintf(stderr,
					"tricolor: invariant: span %u has grey "
					"objects at mark termination\n",
					p);
				bad++;
				break;
			}
		}
		p += atomic_load(&s->npages);
	}
	return bad;
}
