/*
 * mutator.c - what a mutator thread does: push and pop frames, set slots,
 * allocate, write pointer fields and globals.  The hot paths of the public
 * API live here.
 *
 * The stack operations themselves are inline in include/tricolor.h: slots
 * are written by their own thread only, with relaxed atomic stores inside a
 * seqlock (stack.seq: odd while a change is in progress), so that observers
 * can copy a consistent picture of a stack without ever making the mutator
 * wait.  The collector does not need the seqlock: it scans a stack only
 * while its mutator is at a safepoint or parked.  So is the allocation
 * fast path (tc_alloc: the next free slot of the class's cached span).
 * Their rare halves (overflow, bad slot, the barrier's slow path, every
 * allocation the fast path leaves out) are here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"
#include "util.h"


/* ---- the out-of-line halves of the inline stack operations ---- */

int tc_push_overflow(tc_mutator *m, const char *fn, int nslots)
{
	tc_stack *st = &m->hot.stack;
	snprintf(m->err, sizeof m->err,
		 "stack overflow pushing frame %s with %d slots (%d frames, "
		 "%d slots in use; limits %d, %d, %d per frame)",
		 fn, nslots, __atomic_load_n(&st->nframes, __ATOMIC_RELAXED),
		 __atomic_load_n(&st->sp, __ATOMIC_RELAXED), TC_MAX_FRAMES,
		 TC_MAX_STACK_SLOTS, TC_MAX_FRAME_SLOTS);
	return TC_ESTACK;
}

void tc_bad_slot(const tc_mutator *m, int slot)
{
	const tc_stack *st = &m->hot.stack;
	int nf = __atomic_load_n(&st->nframes, __ATOMIC_RELAXED);
	if (nf == 0)
		tc_fatal("mutator %u: stack operation with no frame", m->g.id);
	tc_fatal("mutator %u: slot %d out of range in frame %s (%d slots)",
		 m->g.id, slot, st->frames[nf].fn, st->frames[nf].nslots);
}

void tc_write_barrier(tc_mutator *m, void **slot, void *val)
{
	tc_gc_wb_slow(&m->rt->gc, &m->g, (uintptr_t *)slot, (uintptr_t)val);
}

/* ---- allocation ---- */

static void fmt_bytes(char *buf, size_t len, uint64_t b)
{
	if (b >= ((uint64_t)1 << 30) && b % ((uint64_t)1 << 30) == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= ((uint64_t)1 << 20))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
}

static void *heap_full(tc_mutator *m, size_t size)
{
	tc_runtime *rt = m->rt;
	char lim[32];
	fmt_bytes(lim, sizeof lim, rt->heap.arena_bytes);
	snprintf(m->err, sizeof m->err,
		 "heap limit of %s reached allocating %zu bytes", lim, size);
	tc_event ev = {.kind = TC_EV_HEAP_FULL, .mutator = m->g.id};
	if (rt->cfg.on_event)
		rt->cfg.on_event(rt->cfg.event_ctx, &ev);
	return NULL;
}

/* The heap could not supply memory: run a full collection (parked while
 * waiting, so the collector can stop the world and scan our stack) and let
 * the caller retry.  Returns false if that is not possible. */
static bool collect_for_space(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	if (!rt->gc.running || atomic_load(&rt->gc.paused))
		return false;
	tc_park(m);
	tc_gc_wait_full(&rt->gc);
	tc_unpark(m);
	return true;
}

/* Out of arena: collect (parked) and retry.  The allocation fails only
 * when a full collection leaves too little room for it beside the live
 * data, or when other mutators keep taking what each collection frees. */
static void *alloc_slow(tc_mutator *m, int cls, uint32_t nptrs, size_t size)
{
	tc_runtime *rt = m->rt;
	size_t need = cls ? 0 : size;
	for (int attempt = 0; attempt < 16;) {
		void *p = NULL;
		if (tc_heap_populate_needed(&rt->heap, need)) {
			/* Fresh memory, faulted in while parked so that no
			 * stop-the-world waits for it (heap.h). */
			tc_park(m);
			tc_heap_populate(&rt->heap, need);
			tc_unpark(m);
		}
		if (cls) {
			bool black = atomic_load_explicit(
				&rt->heap.allocblack, memory_order_relaxed);
			if (tc_mcache_refill(&m->g.cache, cls))
				p = black ? tc_mcache_alloc_fast(&m->g.cache,
								 cls, nptrs,
								 true)
					  : tc_mcache_alloc_fast(&m->g.cache,
								 cls, nptrs,
								 false);
		} else {
			p = tc_heap_alloc_large(&rt->heap, size, nptrs);
		}
		if (p) {
			if (tc_gc_should_trigger(&rt->gc))
				tc_gc_kick(&rt->gc);
			return p;
		}
		/* Other mutators took the populated pages first: populate
		 * more rather than collect. */
		if (tc_heap_populate_needed(&rt->heap, need))
			continue;
		attempt++;
		if (!collect_for_space(m))
			break;
		uint64_t live = atomic_load_explicit(&rt->gc.heap_marked,
						     memory_order_relaxed);
		if (live + size + TC_PAGE_SIZE > rt->heap.arena_bytes)
			break; /* truly full */
	}
	return heap_full(m, size);
}

/* Allocation while the collector marks: pay for it with scan work (a
 * mark assist), then allocate black. */
static __attribute__((noinline)) void *alloc_marking(tc_mutator *m, int cls,
						     uint32_t nptrs,
						     size_t size)
{
	tc_runtime *rt = m->rt;
	m->g.assist_debt += (int64_t)size;
	if (m->g.assist_debt > TC_ASSIST_CHUNK_) {
		atomic_store_explicit(&m->assisting, 1, memory_order_relaxed);
		bool wait = tc_gc_assist(&rt->gc, &m->g, &m->hot.poll);
		atomic_store_explicit(&m->assisting, 0, memory_order_relaxed);
		if (wait) {
			/* Over the goal with nothing left to mark: this
			 * allocation waits for the cycle to finish, so the
			 * heap cannot outrun the collector. */
			uint64_t c = atomic_load(&rt->gc.cycle);
			tc_park(m);
			tc_gc_wait_mark(&rt->gc, c);
			tc_unpark(m);
		}
	}
	void *p = NULL;
	/* Marking cannot end between this load and the allocation (that
	 * takes a stop-the-world, hence our next poll), but it may have
	 * ended while we waited above. */
	if (cls)
		p = atomic_load_explicit(&rt->heap.allocblack,
					 memory_order_relaxed)
			    ? tc_mcache_alloc_fast(&m->g.cache, cls, nptrs,
						   true)
			    : tc_mcache_alloc_fast(&m->g.cache, cls, nptrs,
						   false);
	return p ? p : alloc_slow(m, cls, nptrs, size);
}

/* Everything tc_alloc's inline fast path (tricolor.h) leaves out: big
 * and bad requests, a cursor to advance to the next bitmap word or a span
 * to replace, and allocation while marking when an assist is due or the
 * span's first black object.  Allocation in the library itself goes
 * through the same inline path. */
void *tc_alloc_slow_(tc_mutator *m, size_t nptrs, size_t scalar_bytes)
{
	tc_runtime *rt = m->rt;
	size_t size = nptrs * 8 + scalar_bytes;
	if (__builtin_expect(size - 1 >= TC_MAX_SMALL ||
				     nptrs > TC_MAX_SMALL / 8,
			     0)) {
		/* zero-sized, large, or absurd */
		if (size == 0) {
			snprintf(m->err, sizeof m->err,
				 "zero-size allocation");
			return NULL;
		}
		if (nptrs > TC_MAX_HEAP / 8 || scalar_bytes > TC_MAX_HEAP ||
		    size > rt->heap.arena_bytes)
			return heap_full(m, nptrs > TC_MAX_HEAP / 8 ||
							 scalar_bytes >
								 TC_MAX_HEAP
						 ? SIZE_MAX
						 : size);
		size = (size + 7) & ~(size_t)7;
		tc_poll(m);
		if (atomic_load_explicit(&rt->heap.allocblack,
					 memory_order_relaxed))
			return alloc_marking(m, 0, (uint32_t)nptrs, size);
		return alloc_slow(m, 0, (uint32_t)nptrs, size);
	}
	tc_poll(m);
	int cls = tc_size_to_class(size);
	size = tc_classes[cls].size;
	if (__builtin_expect(atomic_load_explicit(&rt->heap.allocblack,
						  memory_order_relaxed),
			     0))
		return alloc_marking(m, cls, (uint32_t)nptrs, size);
	void *p = tc_mcache_alloc_fast(&m->g.cache, cls, (uint32_t)nptrs,
				       false);
	if (__builtin_expect(p != NULL, 1))
		return p;
	return alloc_slow(m, cls, (uint32_t)nptrs, size);
}

void tc_set_global(tc_mutator *m, int idx, void *val)
{
	tc_runtime *rt = m->rt;
	if (idx < 0 || idx >= rt->gc.nglobals)
		tc_fatal("global %d out of range (0..%d)", idx,
			 rt->gc.nglobals - 1);
	tc_gc_write(&rt->gc, &m->g, &rt->gc.globals[idx], (uintptr_t)val);
	if (++m->hot.stores >= TC_STORES_PER_POLL) {
		m->hot.stores = 0;
		tc_poll(m);
	}
}

void *tc_get_global(tc_runtime *rt, int idx)
{
	if (idx < 0 || idx >= rt->gc.nglobals)
		return NULL;
	return (void *)__atomic_load_n(&rt->gc.globals[idx], __ATOMIC_ACQUIRE);
}
