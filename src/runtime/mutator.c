/*
 * mutator.c - what a mutator thread does: push and pop frames, set slots,
 * allocate, write pointer fields and globals.  The hot paths of the public
 * API live here.
 *
 * Stack slots are written by their own thread only, with relaxed atomic
 * stores inside a seqlock (stack.seq: odd while a change is in progress),
 * so that observers can copy a consistent picture of a stack without ever
 * making the mutator wait.  The collector does not need the seqlock: it
 * scans a stack only while its mutator is at a safepoint or parked.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"
#include "util.h"

void tc_gc_kick(tc_collector *gc);

static inline void seq_begin(tc_gstack *st)
{
	uint32_t s = atomic_load_explicit(&st->seq, memory_order_relaxed);
	atomic_store_explicit(&st->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void seq_end(tc_gstack *st)
{
	uint32_t s = atomic_load_explicit(&st->seq, memory_order_relaxed);
	atomic_store_explicit(&st->seq, s + 1, memory_order_release);
}

/* ---- frames ---- */

int tc_push(tc_mutator *m, const char *fn, int nslots)
{
	tc_poll(m);
	tc_gstack *st = &m->g.stack;
	int nf = atomic_load_explicit(&st->nframes, memory_order_relaxed);
	int sp = atomic_load_explicit(&st->sp, memory_order_relaxed);
	if (nslots < 0 || nslots > TC_MAX_FRAME_SLOTS ||
	    nf >= TC_MAX_FRAMES || sp + nslots > TC_MAX_STACK_SLOTS) {
		snprintf(m->err, sizeof m->err,
			 "stack overflow pushing frame %s (%d frames, %d "
			 "slots)",
			 fn, nf, sp);
		return TC_ESTACK;
	}
	seq_begin(st);
	for (int i = sp; i < sp + nslots; i++) {
		atomic_store_explicit(&st->slot[i], 0, memory_order_relaxed);
		atomic_store_explicit(&st->isptr[i], 1, memory_order_relaxed);
	}
	atomic_store_explicit(&st->frames[nf].fn, fn, memory_order_relaxed);
	atomic_store_explicit(&st->frames[nf].base, sp, memory_order_relaxed);
	atomic_store_explicit(&st->frames[nf].nslots, nslots,
			      memory_order_relaxed);
	atomic_store_explicit(&st->sp, sp + nslots, memory_order_relaxed);
	atomic_store_explicit(&st->nframes, nf + 1, memory_order_relaxed);
	seq_end(st);
	return 0;
}

static void pop_frame(tc_mutator *m)
{
	tc_gstack *st = &m->g.stack;
	int nf = atomic_load_explicit(&st->nframes, memory_order_relaxed);
	if (nf == 0)
		tc_fatal("tc_pop on mutator %u with no frame", m->g.id);
	int base = atomic_load_explicit(&st->frames[nf - 1].base,
					memory_order_relaxed);
	atomic_store_explicit(&st->sp, base, memory_order_relaxed);
	atomic_store_explicit(&st->nframes, nf - 1, memory_order_relaxed);
}

void tc_pop(tc_mutator *m)
{
	tc_gstack *st = &m->g.stack;
	seq_begin(st);
	pop_frame(m);
	seq_end(st);
	tc_poll(m);
}

void tc_return(tc_mutator *m, void *ret)
{
	tc_gstack *st = &m->g.stack;
	seq_begin(st);
	atomic_store_explicit(&st->result, (uintptr_t)ret,
			      memory_order_relaxed);
	pop_frame(m);
	seq_end(st);
	tc_poll(m);
}

void *tc_result(const tc_mutator *m)
{
	return (void *)atomic_load_explicit(&m->g.stack.result,
					    memory_order_relaxed);
}

int tc_depth(const tc_mutator *m)
{
	return atomic_load_explicit(&m->g.stack.nframes,
				    memory_order_relaxed);
}

static inline int slot_index(const tc_mutator *m, int slot)
{
	const tc_gstack *st = &m->g.stack;
	int nf = atomic_load_explicit(&st->nframes, memory_order_relaxed);
	if (nf == 0)
		tc_fatal("slot access on mutator %u with no frame", m->g.id);
	const tc_gframe *f = &st->frames[nf - 1];
	if (slot < 0 ||
	    slot >= atomic_load_explicit(&f->nslots, memory_order_relaxed))
		tc_fatal("slot %d out of range in frame %s", slot,
			 atomic_load_explicit(&f->fn, memory_order_relaxed));
	return atomic_load_explicit(&f->base, memory_order_relaxed) + slot;
}

static inline void set_slot(tc_mutator *m, int slot, uint64_t v, bool ptr)
{
	tc_gstack *st = &m->g.stack;
	int i = slot_index(m, slot);
	seq_begin(st);
	atomic_store_explicit(&st->slot[i], v, memory_order_relaxed);
	atomic_store_explicit(&st->isptr[i], ptr, memory_order_relaxed);
	seq_end(st);
}

void tc_set_ptr(tc_mutator *m, int slot, void *obj)
{
	set_slot(m, slot, (uint64_t)(uintptr_t)obj, true);
}

void *tc_get_ptr(const tc_mutator *m, int slot)
{
	int i = slot_index(m, slot);
	if (!atomic_load_explicit(&m->g.stack.isptr[i], memory_order_relaxed))
		return NULL;
	return (void *)(uintptr_t)atomic_load_explicit(&m->g.stack.slot[i],
						       memory_order_relaxed);
}

void tc_set_int(tc_mutator *m, int slot, int64_t v)
{
	set_slot(m, slot, (uint64_t)v, false);
}

int64_t tc_get_int(const tc_mutator *m, int slot)
{
	int i = slot_index(m, slot);
	return (int64_t)atomic_load_explicit(&m->g.stack.slot[i],
					     memory_order_relaxed);
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

static void *alloc_slow(tc_mutator *m, int cls, uint32_t nptrs, size_t size)
{
	tc_runtime *rt = m->rt;
	for (int attempt = 0; attempt < 3; attempt++) {
		void *p = NULL;
		if (cls) {
			if (tc_mcache_refill(&m->g.cache, cls))
				p = tc_mcache_alloc_fast(&m->g.cache, cls,
							 nptrs);
		} else {
			p = tc_heap_alloc_large(&rt->heap, size, nptrs);
		}
		if (p) {
			if (tc_gc_should_trigger(&rt->gc))
				tc_gc_kick(&rt->gc);
			return p;
		}
		if (!collect_for_space(m))
			break;
	}
	return heap_full(m, size);
}

void *tc_alloc(tc_mutator *m, size_t nptrs, size_t scalar_bytes)
{
	tc_runtime *rt = m->rt;
	size_t size = nptrs * 8 + scalar_bytes;
	if (size == 0 || nptrs > (SIZE_MAX / 16) || size > rt->heap.arena_bytes) {
		if (size == 0) {
			snprintf(m->err, sizeof m->err,
				 "zero-size allocation");
			return NULL;
		}
		return heap_full(m, size);
	}
	size = (size + 7) & ~(size_t)7;
	tc_poll(m);
	if (__builtin_expect(atomic_load_explicit(&rt->heap.allocblack,
						  memory_order_relaxed),
			     0)) {
		/* Marking: pay for this allocation with scan work. */
		m->g.assist_debt += (int64_t)size;
		if (m->g.assist_debt > 64 * 1024) {
			atomic_store_explicit(&m->assisting, 1,
					      memory_order_relaxed);
			tc_gc_assist(&rt->gc, &m->g, &m->poll);
			atomic_store_explicit(&m->assisting, 0,
					      memory_order_relaxed);
		}
	}
	int cls = tc_size_to_class(size);
	if (cls && nptrs <= UINT16_MAX) {
		void *p = tc_mcache_alloc_fast(&m->g.cache, cls,
					       (uint32_t)nptrs);
		if (__builtin_expect(p != NULL, 1))
			return p;
		return alloc_slow(m, cls, (uint32_t)nptrs, size);
	}
	return alloc_slow(m, 0, (uint32_t)nptrs, size);
}

void *tc_alloc_slot(tc_mutator *m, int slot, size_t nptrs,
		    size_t scalar_bytes)
{
	void *p = tc_alloc(m, nptrs, scalar_bytes);
	if (p)
		tc_set_ptr(m, slot, p);
	return p;
}

/* ---- pointer stores ---- */

void tc_write(tc_mutator *m, void *obj, size_t i, void *val)
{
	tc_runtime *rt = m->rt;
	tc_gc_write(&rt->gc, &m->g, &((_Atomic(uintptr_t) *)obj)[i],
		    (uintptr_t)val);
	if (__builtin_expect(++m->stores >= TC_STORES_PER_POLL, 0)) {
		m->stores = 0;
		tc_poll(m);
	}
}

void tc_set_global(tc_mutator *m, int idx, void *val)
{
	tc_runtime *rt = m->rt;
	if (idx < 0 || idx >= rt->gc.nglobals)
		tc_fatal("global %d out of range (0..%d)", idx,
			 rt->gc.nglobals - 1);
	tc_gc_write(&rt->gc, &m->g, &rt->gc.globals[idx], (uintptr_t)val);
	if (++m->stores >= TC_STORES_PER_POLL) {
		m->stores = 0;
		tc_poll(m);
	}
}

void *tc_get_global(tc_runtime *rt, int idx)
{
	if (idx < 0 || idx >= rt->gc.nglobals)
		return NULL;
	return (void *)atomic_load_explicit(&rt->gc.globals[idx],
					    memory_order_acquire);
}
