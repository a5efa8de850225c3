/*
 * mark.c - grey work and marking (Go's mgcwork.go and mgcmark.go).
 *
 * Grey objects are marked objects whose fields have not been scanned yet.
 * Each marker (the collector thread, and every mutator doing write-barrier
 * shades, stack scans or assists) keeps them on a private array, with no
 * synchronisation.  When the array fills, half of it goes to the global
 * list as a work buffer; when it runs dry, the marker takes a buffer from
 * the global list.  The global list is a stack of buffers under one mutex:
 * buffers move, not single pointers, so the lock is taken once per ~250
 * objects, and a mutex has no ABA problem.
 *
 * Shading (white -> grey) reads the object's info word and, if it is
 * white, stores it back marked: a load and a store, no locked instruction
 * (heap.h explains the flags and why racing markers may both queue an
 * object).  Scanning (grey -> black) stores the scan flag and shades every
 * pointer field.  Objects without pointer fields are made black at once:
 * there is nothing to scan.
 *
 * Measured against the atomic fetch-or on a mark bitmap this replaced
 * (bench/pausebench -s 256 -t 3, concurrent mark rate): 2420-2470 MiB/s
 * before, 2900-3380 after.  perf had put half of the shade path on the
 * locked instruction, which waits for the bitmap's line and for the store
 * buffer to drain, where a plain store retires at once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "gc/gc.h"
#include "util.h"

/* ---- the global list ---- */

static tc_workbuf *getempty(tc_collector *gc)
{
	tc_workbuf *b = gc->empty;
	if (b) {
		gc->empty = b->next;
		return b;
	}
	return tc_xmalloc(sizeof(tc_workbuf));
}

/* Move up to `n` pointers from the top of w to the global list. */
static void spill(tc_collector *gc, tc_gcwork *w, uint32_t n)
{
	while (n > 0) {
		uint32_t k = n < TC_WORKBUF_N ? n : TC_WORKBUF_N;
		pthread_mutex_lock(&gc->work_lock);
		tc_workbuf *b = getempty(gc);
		b->n = k;
		for (uint32_t i = 0; i < k; i++)
			b->obj[i] = w->obj[w->n - k + i];
		w->n -= k;
		n -= k;
		b->next = gc->full;
		gc->full = b;
		atomic_fetch_add_explicit(&gc->nglobal_work, k,
					  memory_order_relaxed);
		pthread_mutex_unlock(&gc->work_lock);
	}
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
}

/* Take one buffer from the global list into w (which must be empty or
 * nearly so).  Returns false when the global list is empty. */
static bool refill(tc_collector *gc, tc_gcwork *w)
{
	if (atomic_load_explicit(&gc->nglobal_work, memory_order_relaxed) == 0)
		return false;
	pthread_mutex_lock(&gc->work_lock);
	tc_workbuf *b = gc->full;
	if (!b) {
		pthread_mutex_unlock(&gc->work_lock);
		return false;
	}
	gc->full = b->next;
	atomic_fetch_sub_explicit(&gc->nglobal_work, b->n,
				  memory_order_relaxed);
	for (uint32_t i = 0; i < b->n; i++)
		w->obj[w->n++] = b->obj[i];
	b->next = gc->empty;
	gc->empty = b;
	pthread_mutex_unlock(&gc->work_lock);
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
	return true;
}

void tc_gc_flush(tc_collector *gc, tc_gcwork *w)
{
	if (w->n)
		spill(gc, w, w->n);
	if (w->scan_bytes) {
		atomic_fetch_add_explicit(&gc->scan_done, w->scan_bytes,
					  memory_order_relaxed);
		w->scan_bytes = 0;
	}
	if (w->marked_objs) {
		atomic_fetch_add_explicit(&gc->marked_objects_total,
					  w->marked_objs, memory_order_relaxed);
		atomic_fetch_add_explicit(&gc->marked_bytes_total,
					  w->marked_bytes,
					  memory_order_relaxed);
		w->marked_objs = 0;
		w->marked_bytes = 0;
	}
	if (w->shades) {
		atomic_fetch_add_explicit(&gc->shades_total, w->shades,
					  memory_order_relaxed);
		w->shades = 0;
	}
}

static inline void push(tc_collector *gc, tc_gcwork *w, uintptr_t p)
{
	if (w->n == TC_LOCALWORK_N)
		spill(gc, w, TC_LOCALWORK_N / 2);
	w->obj[w->n++] = p;
}

/* ---- shading and scanning ---- */

static void bad_pointer(uintptr_t p, const char *why)
{
	tc_fatal("marking found pointer %#lx: %s (a pointer to freed memory "
		 "in a root or reachable object)",
		 (unsigned long)p, why);
}

/* With the grey objects prefetched (tc_gc_drain), shading and scanning
 * were bound by the instructions they execute in pausebench's heaps: its
 * mark rate was the same at 16 MiB (which the caches hold) as at 1 GiB,
 * and taking a load out of the chain (the span descriptor, or the info
 * byte's re-read when scanning; docs/benchmarks.md, "What changed")
 * gained nothing.  A single deep tree of 100 MB is different: there a
 * loop with 13 % fewer instructions but a less even prefetch marked
 * 5-8 % slower, so instruction cuts must keep the FIFO's lead.  The
 * common case is written for as few instructions as it can take:
 *
 *   - Objects with a one-byte info word (heap.h; every class of up to
 *     504 bytes, nearly all objects) are tested and flagged in the
 *     byte's own form, with the cycle's black flags as a byte, not
 *     widened to the two-byte form and back (shade_wide does that for
 *     the rest, large objects included).
 *   - What a lookup reads of the heap itself (arena bounds, the page
 *     table) is loaded once per drain into a markenv: the compiler could
 *     not keep it in registers, since the grey stack's stores might, for
 *     all it knows, alias those fields.  So is the cycle's sweep
 *     generation, which gives the black flags (markenv says why one
 *     value holds for every span).
 *   - scan_object is inlined into the drain loop, and shading into it.
 *
 * Measured (bench/pausebench -s 16,256,1024 -t 3, mark rate in MiB/s,
 * four rounds rotating; AMD EPYC): before, 2778-2977 / 3052-3532 /
 * 2633-2966; the byte form alone, 2847-3400 / 3084-3548 / 2831-3397;
 * all three, 3913-4210 / 4044-4458 / 3637-4365.  The sweep generation
 * per drain instead of per span: 7.7 % fewer instructions in
 * tc_gc_drain (callgrind, docs/benchmarks-history.md "Eighteenth
 * session"). */

/* The arena's bounds and page table: set by tc_heap_init and constant
 * for the heap's life, so plain copies are safe to keep.  And the cycle's
 * sweep generation with its black flags: marking runs only between the
 * two stops of a cycle, after sweep termination swept every span and
 * before mark termination flips the generation, so every in-use span's
 * sweepgen is the heap's (a span made meanwhile starts at it), and one
 * load per drain stands for the load of the span's own per pointer.
 * No drain spans a stop: a mutator drains (assists) between two
 * safepoints, and the collector stops the world only between drains. */
typedef struct markenv {
	uintptr_t arena;
	size_t arena_bytes;
	_Atomic(tc_span *) *spanof;
	uint32_t sg, black8;
} markenv;

static inline markenv env_of(tc_heap *h)
{
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	return (markenv){h->arena, h->arena_bytes, h->spanof, sg,
			 tc_black8(sg)};
}

/* What markenv's sweepgen stands for, checked in debug builds. */
static inline void env_check_span(const markenv *e, tc_span *s)
{
#ifdef TC_DEBUG
	uint32_t sg = atomic_load_explicit(&s->sweepgen, memory_order_relaxed);
	if (sg != e->sg)
		tc_fatal("marking found span %u at sweepgen %u in cycle %u",
			 s->page, sg, e->sg);
#else
	(void)e;
	(void)s;
#endif
}

/* tc_heap_spanof, from the markenv. */
static inline tc_span *env_spanof(const markenv *e, uintptr_t p)
{
	return tc_spanof_(e->arena, e->arena_bytes, e->spanof, p);
}

/* The cycle's black flags in the two-byte form (tc_span_black's). */
static inline uint16_t env_black16(const markenv *e)
{
	return (uint16_t)(e->black8 << 8);
}

/* shade_in for objects with two-byte info words and large objects. */
static __attribute__((noinline)) bool shade_wide(tc_collector *gc,
						 tc_gcwork *w,
						 const markenv *e, tc_span *s,
						 uintptr_t p)
{
	uint32_t slot = tc_span_slot(s, p);
	uint16_t info = tc_span_info_get(s, slot);
	uint16_t black = env_black16(e);
	env_check_span(e, s);
	if (tc_info_marked(info, black))
		return false;
#ifdef TC_DEBUG
	if (!tc_bit_test(s->allocbits, slot))
		bad_pointer(p, "object not allocated");
#endif
	uint32_t size = atomic_load_explicit(&s->elemsize, memory_order_relaxed);
	w->marked_objs++;
	w->marked_bytes += size;
	tc_span_note_mark_at(s, e->sg);
	if (tc_span_nptrs_of(s, info) == 0) {
		tc_span_set_flags(s, slot, info, black);
		return true;
	}
	tc_span_set_flags(s, slot, info, black ^ TC_INFO_SCANNED); /* grey */
	push(gc, w, tc_span_objaddr(s, slot));
	return true;
}

/* Mark the object containing p; if this call marked it, queue it (or
 * blacken it at once if it has no pointers).  Returns true if it shaded.
 * The info byte's flags are read against the span's cycle parity in the
 * byte's form (tc_black8). */
static inline __attribute__((always_inline)) bool
shade_in(tc_collector *gc, tc_gcwork *w, const markenv *e, uintptr_t p)
{
	tc_span *s = env_spanof(e, p);
	if (__builtin_expect(s == NULL, 0))
		bad_pointer(p, "not in an in-use span");
	uint32_t size = atomic_load_explicit(&s->elemsize, memory_order_relaxed);
	if (__builtin_expect(size > TC_INFO8_MAX_SIZE, 0))
		return shade_wide(gc, w, e, s, p);
	uint32_t slot = tc_span_slot(s, p);
	_Atomic(uint8_t) *ip = (_Atomic(uint8_t) *)s->info + slot;
	uint32_t b = atomic_load_explicit(ip, memory_order_relaxed);
	uint32_t black = e->black8;
	env_check_span(e, s);
	if (!((b ^ black) & TC_INFO8_MARKED))
		return false;
#ifdef TC_DEBUG
	if (!tc_bit_test(s->allocbits, slot))
		bad_pointer(p, "object not allocated");
#endif
	w->marked_objs++;
	w->marked_bytes += size;
	tc_span_note_mark_at(s, e->sg);
	uint32_t n = b & TC_INFO8_NPTRS;
	if (n == 0) {
		atomic_store_explicit(ip, (uint8_t)black, memory_order_relaxed);
		return true;
	}
	atomic_store_explicit(ip, (uint8_t)(n | (black ^ TC_INFO8_SCANNED)),
			      memory_order_relaxed); /* grey */
	push(gc, w, s->base + (uintptr_t)slot * size);
	return true;
}

static inline bool shade(tc_collector *gc, tc_gcwork *w, uintptr_t p)
{
	markenv e = env_of(gc->heap);
	return shade_in(gc, w, &e, p);
}

/* The entry points below that shade outside a drain keep the observers'
 * mirror of the grey count (w->nlocal) up to date themselves: a drain
 * stores it once at its end, and pushes elsewhere would leave objects
 * grey on the screen that "grey queue" does not count (a paused
 * collector, stepped into mark, holds the shaded globals). */
void tc_gc_shade(tc_collector *gc, tc_gcwork *w, uintptr_t p)
{
	if (p && shade(gc, w, p))
		atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
}

/* Record a barrier shade for observers (flashing cells). */
void tc_gc_note_shade(tc_collector *gc, uintptr_t p)
{
	tc_span *s = tc_heap_spanof(gc->heap, p);
	if (!s)
		return;
	tc_objid id = {s->page, tc_span_slot(s, p)};
	uint64_t i = atomic_fetch_add_explicit(&gc->shade_head, 1,
					       memory_order_relaxed);
	atomic_store_explicit(&gc->shade_ring[i % TC_SHADE_RING],
			      tc_objid_pack(id), memory_order_relaxed);
}

bool tc_gc_shade_barrier(tc_collector *gc, tc_gcwork *w, uintptr_t p)
{
	if (!p || !shade(gc, w, p))
		return false;
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
	w->shades++;
	tc_gc_note_shade(gc, p);
	return true;
}

/* Scan one grey object: blacken it and shade its pointer fields. */
static inline __attribute__((always_inline)) void
scan_object(tc_collector *gc, tc_gcwork *w, const markenv *e, uintptr_t obj)
{
	tc_span *s = env_spanof(e, obj);
	uint32_t slot = tc_span_slot(s, obj);
	uint32_t size = atomic_load_explicit(&s->elemsize, memory_order_relaxed);
	uint32_t n;
	if (__builtin_expect(size <= TC_INFO8_MAX_SIZE, 1)) {
		_Atomic(uint8_t) *ip = (_Atomic(uint8_t) *)s->info + slot;
		env_check_span(e, s);
		n = atomic_load_explicit(ip, memory_order_relaxed) &
		    TC_INFO8_NPTRS;
		atomic_store_explicit(ip, (uint8_t)(n | e->black8),
				      memory_order_relaxed);
	} else {
		uint16_t info = tc_span_info_get(s, slot);
		env_check_span(e, s);
		n = tc_span_nptrs_of(s, info);
		tc_span_set_flags(s, slot, info, env_black16(e));
	}
	_Atomic(uintptr_t) *f = (_Atomic(uintptr_t) *)obj;
	for (uint32_t i = 0; i < n; i++) {
		/* Acquire pairs with the release store in tc_gc_write: the
		 * target object's span was set up before it was published. */
		uintptr_t p = atomic_load_explicit(&f[i], memory_order_acquire);
		if (p)
			shade_in(gc, w, e, p);
	}
	w->scan_bytes += size;
}

/* Pop one grey object, from w or the global list; 0 if none. */
static inline uintptr_t pop(tc_collector *gc, tc_gcwork *w)
{
	if (w->n == 0 && !refill(gc, w))
		return 0;
	uintptr_t p = w->obj[--w->n];
	return p;
}

/* Scan grey objects until `budget` bytes of scan work are done or no grey
 * object is left.  Returns the scan work done.
 *
 * Marking a heap bigger than the caches waits on memory: each grey object
 * is a cache miss when its fields are read.  Objects popped from the grey
 * stack go through a small FIFO first and are prefetched as they enter it,
 * so each one's line is on its way TC_PREFETCH_N scans before it is needed
 * (Boehm's collector and OpenJDK's mark stack do the same).  The FIFO is
 * drained before returning, so no grey object stays outside w.
 *
 * Depth 16, measured (bench/pausebench -s 16,256,1024 -t 3, mark rate in
 * MiB/s, two runs each): with 8, 4620-4790 / 2890-3040 / 2410-3170; with
 * 16, 5040-5340 / 4510-4840 / 3550-3760.  Once marking stopped waiting
 * on a locked instruction per object, the loads of the objects were what
 * it waited for, and 8 scans (some 80 ns) is less than a miss to memory
 * takes here.  With 32, binary-trees' mark assists began to find grey
 * work and took 0.4-1 s of the mutator's time at depth 20 (wall +5-10%). */
#define TC_PREFETCH_N 16
uint64_t tc_gc_drain(tc_collector *gc, tc_gcwork *w, uint64_t budget)
{
	uint64_t start = w->scan_bytes;
	uintptr_t fifo[TC_PREFETCH_N];
	unsigned head = 0, n = 0;
	const markenv env = env_of(gc->heap);
	for (;;) {
		bool more = w->scan_bytes - start < budget;
		while (more && n < TC_PREFETCH_N) {
			uintptr_t p = pop(gc, w);
			if (!p)
				break;
			__builtin_prefetch((void *)p);
			fifo[(head + n++) % TC_PREFETCH_N] = p;
		}
		if (n == 0)
			break;
		scan_object(gc, w, &env, fifo[head]);
		head = (head + 1) % TC_PREFETCH_N;
		n--;
	}
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
	return w->scan_bytes - start;
}

/* Scan exactly one grey object.  Returns false if none was found. */
bool tc_gc_drain_one(tc_collector *gc, tc_gcwork *w)
{
	uintptr_t p = pop(gc, w);
	if (!p)
		return false;
	markenv env = env_of(gc->heap);
	scan_object(gc, w, &env, p);
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
	return true;
}

void tc_gc_scan_stack(tc_collector *gc, tc_gcwork *w, tc_gstack *st)
{
	int sp = __atomic_load_n(&st->sp, __ATOMIC_RELAXED);
	for (int i = 0; i < sp; i++) {
		uint64_t v = __atomic_load_n(&st->slot[i], __ATOMIC_RELAXED);
		if (v && TC_SLOT_IS_PTR(v))
			shade(gc, w, (uintptr_t)v);
	}
	uintptr_t r = __atomic_load_n(&st->result, __ATOMIC_RELAXED);
	if (r)
		shade(gc, w, r);
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
	/* The slots and the result register, for gctrace's "stacks". */
	atomic_fetch_add_explicit(&gc->stack_scan_bytes,
				  ((uint64_t)sp + 1) * 8, memory_order_relaxed);
}

void tc_gc_scan_globals(tc_collector *gc, tc_gcwork *w)
{
	/* Acquire pairs with the release store in tc_gc_write: the world
	 * runs, and the object's span was set up before it was published. */
	markenv e = env_of(gc->heap);
	for (int i = 0; i < gc->nglobals; i++) {
		uintptr_t p = __atomic_load_n(&gc->globals[i], __ATOMIC_ACQUIRE);
		if (p)
			shade_in(gc, w, &e, p);
	}
	atomic_store_explicit(&w->nlocal, w->n, memory_order_relaxed);
}

void tc_gc_self_scan(tc_collector *gc, tc_gcmut *m)
{
	uint32_t want = TC_STACK_GREY;
	if (!__atomic_compare_exchange_n(&m->stack->state, &want,
					 TC_STACK_SCANNING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	tc_gc_scan_stack(gc, &m->work, m->stack);
	__atomic_store_n(&m->stack->state, TC_STACK_BLACK, __ATOMIC_RELEASE);
	atomic_fetch_add_explicit(&gc->stacks_self, 1, memory_order_relaxed);
	/* Hand the roots to the collector right away. */
	tc_gc_flush(gc, &m->work);
}

/* ---- mark assists ---- */

/* Go's gcAssistAlloc in miniature: a mutator that allocated `debt` bytes
 * during mark owes debt * assist_ratio bytes of scan work.  It pays first
 * out of the collector's credit - scan work the collector did beyond what
 * earlier assists claimed (Go's bgScanCredit) - so that while the
 * collector keeps ahead of the pacer's schedule the mutator does no
 * marking at all, whatever grey work it could find.  Only the rest is
 * paid by scanning, in chunks of at least 64 KiB so the bookkeeping stays
 * cheap.  With no grey work left to do, the debt is forgiven: the
 * collector is about to finish. */
bool tc_gc_assist(tc_collector *gc, tc_gcmut *m, const uint32_t *poll)
{
	if (atomic_load_explicit(&gc->paused, memory_order_relaxed)) {
		m->assist_debt = 0; /* a paused collector is being stepped */
		return false;
	}
	uint64_t ratio = atomic_load_explicit(&gc->assist_ratio_milli,
					      memory_order_relaxed);
	uint64_t want = (uint64_t)m->assist_debt * ratio / 1000;
	int64_t credit = atomic_load_explicit(&gc->bg_credit,
					      memory_order_relaxed);
	if (credit > 0) {
		/* Racing assists may drive the credit below zero by up to
		 * what they took at once; later collector work repays it. */
		uint64_t take = (uint64_t)credit < want ? (uint64_t)credit : want;
		atomic_fetch_sub_explicit(&gc->bg_credit, (int64_t)take,
					  memory_order_relaxed);
		want -= take;
		if (want == 0) {
			m->assist_debt = 0;
			return false;
		}
		m->assist_debt = ratio ? (int64_t)(want * 1000 / ratio) : 0;
	}
	if (want < 64 * 1024)
		want = 64 * 1024;
	uint64_t t0 = tc_now_ns();
	/* Counted while it may hold grey objects privately: the collector
	 * does not try to end the mark meanwhile (gc.c, mark_phase). */
	atomic_fetch_add_explicit(&gc->assists_active, 1, memory_order_relaxed);
	/* Drain in small chunks and stop as soon as the collector wants this
	 * mutator at a safepoint: an assist must not hold up a
	 * stop-the-world (Go's assists are preemptible too). */
	uint64_t done = 0;
	while (done < want) {
		uint64_t d = tc_gc_drain(gc, &m->work, 16 * 1024);
		done += d;
		if (d == 0 || __atomic_load_n(poll, __ATOMIC_RELAXED) ||
		    atomic_load_explicit(&gc->collector_idle,
					 memory_order_relaxed))
			break;
	}
	uint64_t paid = ratio ? done * 1000 / ratio : (uint64_t)m->assist_debt;
	/* Starved: debt left and no grey work to pay it with.  Past the
	 * goal the caller must then wait for the cycle to end (Go parks such
	 * an assist); below it the debt is forgiven. */
	bool starved = paid < (uint64_t)m->assist_debt &&
		       !__atomic_load_n(poll, __ATOMIC_RELAXED);
	if (paid >= (uint64_t)m->assist_debt || starved)
		m->assist_debt = 0;
	else
		m->assist_debt -= (int64_t)paid;
	uint64_t dt = tc_now_ns() - t0;
	atomic_fetch_add_explicit(&gc->assist_ns_total, dt,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&gc->assist_bytes_total, done,
				  memory_order_relaxed);
	atomic_store_explicit(&m->assist_ns,
			      atomic_load_explicit(&m->assist_ns,
						   memory_order_relaxed) +
				      dt,
			      memory_order_relaxed);
	/* Hand what it shaded to the collector: grey work left in a
	 * mutator's private buffer would stall marking until the next
	 * mark-termination attempt flushes it. */
	tc_gc_flush(gc, &m->work);
	atomic_fetch_sub_explicit(&gc->assists_active, 1, memory_order_release);
	return starved &&
	       atomic_load_explicit(&gc->heap->heap_live, memory_order_relaxed) >=
		       atomic_load_explicit(&gc->heap_goal, memory_order_relaxed);
}

/* Wait (the caller parked) until the mark phase of cycle `cycle` is over. */
void tc_gc_wait_mark(tc_collector *gc, uint64_t cycle)
{
	pthread_mutex_lock(&gc->ctl_lock);
	while (atomic_load(&gc->cycles_done) < cycle && !gc->shutdown &&
	       !atomic_load(&gc->paused))
		pthread_cond_wait(&gc->done_cond, &gc->ctl_lock);
	pthread_mutex_unlock(&gc->ctl_lock);
}
