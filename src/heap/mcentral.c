/*
 * mcentral.c - per-class span lists (Go's mcentral), the sweep primitive
 * and the mutator's allocation cache (Go's mcache) slow paths.
 *
 * Each class keeps partial (has free slots) and full spans, each as a pair
 * of lists indexed by sweep-generation parity: with sg = heap->sweepgen,
 * partial[sg/2%2] holds swept spans and partial[1-sg/2%2] unswept ones.
 * Bumping sweepgen by 2 at mark termination swaps the roles, so every span
 * becomes unswept without touching it.
 *
 * A span is on at most one list; popping it under the class lock makes the
 * popper its owner, and the owner claims it for sweeping by a CAS of its
 * sweepgen from sg-2 to sg-1 (as Go's sweepLocker does; the CAS also lets
 * the stop-the-world checks see who holds what).  A mutator that needs a
 * span first takes a swept partial one, else sweeps unswept ones itself
 * (lazy sweeping, "sweep before you allocate"), else grows the heap.
 */
#include "config.h"

#include <assert.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "heap/heap.h"
#include "util.h"


static inline int swept_idx(uint32_t sg)
{
	return (int)((sg / 2) & 1);
}

static inline int unswept_idx(uint32_t sg)
{
	return 1 - swept_idx(sg);
}

/* ---- intrusive doubly-linked lists (under the class lock) ---- */

static void list_push(tc_spanlist *l, tc_span *s, int kind, int gen)
{
	assert(s->list == TC_LIST_NONE);
	s->prev = NULL;
	s->next = l->head;
	if (l->head)
		l->head->prev = s;
	l->head = s;
	l->n++;
	s->list = kind;
	s->listgen = gen;
}

static tc_span *list_pop(tc_spanlist *l)
{
	tc_span *s = l->head;
	if (!s)
		return NULL;
	l->head = s->next;
	if (l->head)
		l->head->prev = NULL;
	l->n--;
	s->next = s->prev = NULL;
	s->list = TC_LIST_NONE;
	return s;
}

/* Put a swept span of central list c on its swept full or partial list,
 * under c's lock. */
static void put_swept_locked(tc_mcentral *c, tc_span *s, uint32_t sg)
{
	if (atomic_load_explicit(&s->nalloc, memory_order_relaxed) >=
	    atomic_load_explicit(&s->nelems, memory_order_relaxed))
		list_push(&c->full[swept_idx(sg)], s, TC_LIST_FULL,
			  swept_idx(sg));
	else
		list_push(&c->partial[swept_idx(sg)], s, TC_LIST_PARTIAL,
			  swept_idx(sg));
}

/* Put a swept span on its class's swept list. */
static void central_put_swept(tc_heap *h, tc_span *s)
{
	int cls = (int)atomic_load_explicit(&s->sizeclass, memory_order_relaxed);
	tc_mcentral *c = &h->central[cls];
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	pthread_mutex_lock(&c->lock);
	put_swept_locked(c, s, sg);
	pthread_mutex_unlock(&c->lock);
}

/* Claim a popped unswept span for sweeping. */
static void claim(tc_heap *h, tc_span *s)
{
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	uint32_t want = sg - 2;
	if (!atomic_compare_exchange_strong_explicit(
		    &s->sweepgen, &want, sg - 1, memory_order_acquire,
		    memory_order_relaxed))
		tc_fatal("span %u on an unswept list has sweepgen %u, "
			 "heap sweepgen %u",
			 s->page, want, sg);
}

/* ---- sweeping ---- */

/* Sweeping counts a span's objects before and after it frees the dead
 * ones, and a cache giving a span up counts its objects: a population
 * count per word of alloc bits.  The x86-64 baseline that Debian builds
 * for has no POPCNT instruction, so there __builtin_popcountll is a call
 * into libgcc, which counts a byte at a time through a table: 0.55 % of a
 * d20/4 run's perf samples, beside 2.4 % for the rest of the sweep.  Go's
 * runtime asks the CPU once (internal/cpu's X86.HasPOPCNT) and so does
 * this: the loop is built twice, once for POPCNT, taken when the CPU has
 * it (__builtin_cpu_supports reads a word libgcc filled in at start-up),
 * and once portable.  Elsewhere (TUI, verifier) the libgcc call is fine.
 *
 * The alloc bits are read relaxed: the caller owns the span (its cache,
 * or a sweeper's claim), or is an observer that only reads. */
static inline __attribute__((always_inline)) uint32_t
count_bits_in(_Atomic(uint64_t) *ab, uint32_t words)
{
	uint32_t n = 0;
	for (uint32_t w = 0; w < words; w++)
		n += (uint32_t)__builtin_popcountll(
			atomic_load_explicit(&ab[w], memory_order_relaxed));
	return n;
}

#if defined(__x86_64__) && !defined(__POPCNT__) && defined(__GNUC__)
#define TC_POPCNT_DISPATCH 1
static __attribute__((target("popcnt"), noinline)) uint32_t
count_bits_popcnt(_Atomic(uint64_t) *ab, uint32_t words)
{
	return count_bits_in(ab, words);
}
#endif

/* Written only by tests, before any heap exists; read relaxed. */
_Atomic bool tc_heap_no_popcnt;

static uint32_t count_bits(_Atomic(uint64_t) *ab, uint32_t words)
{
#ifdef TC_POPCNT_DISPATCH
	if (!atomic_load_explicit(&tc_heap_no_popcnt, memory_order_relaxed) &&
	    __builtin_cpu_supports("popcnt"))
		return count_bits_popcnt(ab, words);
#endif
	return count_bits_in(ab, words);
}

/* Sweeping frees dead objects by their bits alone and leaves their bytes
 * (poisons them when asked): the span is marked needzero, and allocation
 * zeroes each object it hands out (Go's needzero).  Zeroing there costs
 * less than here: the allocating thread is about to write the object's
 * line anyway, while a sweeper's zeroing pulls every dead line into the
 * collector's cache only for the mutator to pull it back. */
uint32_t tc_span_sweep(tc_heap *h, tc_span *s, bool release)
{
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	assert(atomic_load_explicit(&s->sweepgen, memory_order_relaxed) ==
	       sg - 1);
	uint32_t ne = atomic_load_explicit(&s->nelems, memory_order_relaxed);
	uint32_t size = atomic_load_explicit(&s->elemsize,
					     memory_order_relaxed);
	uint32_t words = (ne + 63) / 64;
	uint64_t dead[TC_MAX_SPAN_OBJS / 64];
	/* Still the parity of the cycle that marked (sweepgen sg-1 has the
	 * same bit 1 as sg-2).  If that cycle marked nothing here, every
	 * object is dead and no flag need be read. */
	uint16_t black = tc_span_black(s);
	bool any = atomic_load_explicit(&s->markgen, memory_order_relaxed) ==
		   sg - 2;
	uint32_t before = count_bits(s->allocbits, words);
	for (uint32_t w = 0; w < words; w++) {
		uint64_t a = atomic_load_explicit(&s->allocbits[w],
						  memory_order_relaxed);
		uint64_t m = a && any ? tc_span_mark_word(s, w * 64, ne, black)
				      : 0;
		dead[w] = a & ~m;
		atomic_store_explicit(&s->allocbits[w], a & m,
				      memory_order_relaxed);
	}
	uint32_t live = count_bits(s->allocbits, words), freed = before - live;
	atomic_store_explicit(&s->nalloc, live, memory_order_relaxed);
	bool give_back = live == 0 && release;
	if (freed && h->poison) {
		for (uint32_t w = 0; w < words; w++)
			for (uint64_t d = dead[w]; d; d &= d - 1) {
				uint32_t slot =
					w * 64 + (uint32_t)__builtin_ctzll(d);
				tc_words_fill(tc_span_objaddr(s, slot), size,
					      TC_POISON);
			}
	}
	if (freed)
		s->needzero = true;
	if (freed) {
		atomic_fetch_add_explicit(&h->freed_objects, freed,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&h->freed_bytes,
					  (uint64_t)freed * size,
					  memory_order_relaxed);
	}
	atomic_store_explicit(&s->sweepgen, sg, memory_order_release);
	atomic_fetch_sub_explicit(&h->nunswept, 1, memory_order_release);
	if (give_back)
		tc_heap_free_span(h, s);
	return live;
}

/* Ask for a span's alloc bits and info words ahead of its sweep.  The
 * background sweeper's first read of them was a miss per span, in the
 * count before freeing: 1.7 to 1.8 % of all perf samples of
 * bench/binarytrees 20 4, against 2.4 % for the rest of the sweep.  The
 * span is the one its list gives next, so its metadata arrives while
 * this one is swept (docs/benchmarks-history.md, "Eighteenth
 * session").  Only prefetches: a mutator's lazy sweep may take the span
 * first, and the fields are read relaxed, as observers read them. */
static void prefetch_meta(const tc_span *s)
{
	if (!s)
		return;
	const char *ab = (const char *)__atomic_load_n(&s->allocbits,
						       __ATOMIC_RELAXED);
	if (!ab)
		return;
	/* A span taken and remade meanwhile gives a stale size, bounded by
	 * the largest span's, and a prefetch never faults. */
	size_t bytes = tc_span_meta_bytes(
		atomic_load_explicit(&s->elemsize, memory_order_relaxed),
		atomic_load_explicit(&s->nelems, memory_order_relaxed));
	for (size_t off = 0; off < bytes; off += 64)
		__builtin_prefetch(ab + off);
}

/* Background sweeping walks the classes in order with a shared cursor:
 * after the flip nothing joins an unswept list, so a class found empty
 * stays empty for the cycle.  Without the cursor every call locked every
 * class's lock on its way to the first non-empty one: up to 80 lock round
 * trips per swept span, which mutators refilling their caches had to
 * compete with.
 *
 * It takes up to `max` spans of a class in one hold of its lock, sweeps
 * them, and files them in one more.  One span at a time, the pop and the
 * put were two lock round trips per span, on a lock the class's refilling
 * mutators take too: 3.1 % of bench/binarytrees 20 4's perf samples were
 * the sweeper's pthread_mutex_lock and unlock
 * (docs/benchmarks-history.md, twentieth session).  The spans taken are
 * claimed at once, so a mutator's lazy sweep passes over them, as over
 * one a sweeper holds.
 * Emptied spans are kept as before: until the class has four swept
 * partial ones, counting those of the batch. */
int tc_heap_sweep_some(tc_heap *h, int max)
{
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	int u = unswept_idx(sg);
	tc_span *batch[TC_SWEEP_BATCH];
	if (max > TC_SWEEP_BATCH)
		max = TC_SWEEP_BATCH;
	for (int i = atomic_load_explicit(&h->sweep_cls, memory_order_relaxed);
	     i < tc_nclasses; i++) {
		tc_mcentral *c = &h->central[i];
		int n = 0;
		pthread_mutex_lock(&c->lock);
		while (n < max) {
			tc_span *s = list_pop(&c->partial[u]);
			if (!s)
				s = list_pop(&c->full[u]);
			if (!s)
				break;
			claim(h, s);
			batch[n++] = s;
		}
		tc_span *next = c->partial[u].head ? c->partial[u].head
						   : c->full[u].head;
		/* Keep a few emptied spans per class for reuse (needzero:
		 * allocation zeroes them); give the rest back to the page
		 * heap. */
		int keep = i == 0 ? 0 : 4 - (int)c->partial[swept_idx(sg)].n;
		pthread_mutex_unlock(&c->lock);
		if (n == 0) {
			int32_t want = i;
			atomic_compare_exchange_strong_explicit(
				&h->sweep_cls, &want, i + 1,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		int nput = 0;
		for (int k = 0; k < n; k++) {
			prefetch_meta(k + 1 < n ? batch[k + 1] : next);
			if (tc_span_sweep(h, batch[k], keep <= 0) > 0)
				batch[nput++] = batch[k];
			else if (keep-- > 0)
				batch[nput++] = batch[k]; /* kept, empty */
		}
		if (nput > 0) {
			pthread_mutex_lock(&c->lock);
			for (int k = 0; k < nput; k++)
				put_swept_locked(c, batch[k], sg);
			pthread_mutex_unlock(&c->lock);
		}
		return n;
	}
	return 0;
}

void tc_heap_flip_sweepgen(tc_heap *h)
{
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	if (atomic_load_explicit(&h->nunswept, memory_order_acquire) != 0)
		tc_fatal("sweepgen flip with %lld spans unswept",
			 (long long)atomic_load(&h->nunswept));
	atomic_store_explicit(&h->nunswept,
			      (int64_t)atomic_load_explicit(
				      &h->nspans, memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&h->sweep_cls, 0, memory_order_relaxed);
	atomic_store_explicit(&h->sweepgen, sg + 2, memory_order_release);
}

/* ---- mcache slow paths ---- */

/* Take a span with a free slot for class cls: swept partial first, then
 * sweep unswept ones (lazy sweeping), then a fresh span.  `old`, if not
 * NULL, is the swept span the cache just gave up: it goes on its list in
 * the same hold of the class lock (so does each span the lazy sweep finds
 * full), which halves the lock's round trips per refill.  The sweep
 * generation cannot move meanwhile: it flips only with the world stopped,
 * and this mutator is not at a safepoint.  Nor can a stop-the-world wait
 * on this loop: the collector finishes sweeping before it asks for the
 * sweep-termination stop, and nothing is unswept again until mark
 * termination's flip, so a refill sweeps only between the two stops
 * (docs/benchmarks-history.md, twentieth session: a version that ended
 * the loop at the mutator's poll changed no stop). */
static tc_span *central_cache_span(tc_heap *h, int cls, tc_span *old)
{
	tc_mcentral *c = &h->central[cls];
	uint32_t sg = atomic_load_explicit(&h->sweepgen, memory_order_relaxed);
	uint32_t nelems = tc_classes[cls].nelems;
	int budget = 100; /* bound lazy sweeping per refill, as Go does */
	tc_span *s;

	pthread_mutex_lock(&c->lock);
	if (old)
		put_swept_locked(c, old, sg);
	s = list_pop(&c->partial[swept_idx(sg)]);
	if (s)
		goto have;
	while (budget-- > 0) {
		s = list_pop(&c->partial[unswept_idx(sg)]);
		if (!s)
			s = list_pop(&c->full[unswept_idx(sg)]);
		if (!s)
			break;
		pthread_mutex_unlock(&c->lock);
		claim(h, s);
		if (tc_span_sweep(h, s, false) < nelems)
			return s;
		pthread_mutex_lock(&c->lock);
		put_swept_locked(c, s, sg);
	}
	pthread_mutex_unlock(&c->lock);
	return tc_heap_alloc_span(h, cls, tc_classes[cls].npages);
have:
	pthread_mutex_unlock(&c->lock);
	return s;
}

/* The writer's side of obs_seq (tc_mcache): odd while a cached span
 * and the sums change together. */
static void obs_begin(tc_mcache *c)
{
	uint32_t q = atomic_load_explicit(&c->obs_seq, memory_order_relaxed);
	atomic_store_explicit(&c->obs_seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void obs_end(tc_mcache *c)
{
	uint32_t q = atomic_load_explicit(&c->obs_seq, memory_order_relaxed);
	atomic_store_explicit(&c->obs_seq, q + 1, memory_order_release);
}

/* Take cls's span out of cache c and account for what was allocated from
 * it.  Returns the span, for the caller to put on its class's swept list,
 * or NULL if none was cached. */
static tc_span *uncache(tc_mcache *c, int cls)
{
	tc_span *s = c->alloc[cls];
	tc_heap *h = c->heap;
	if (!s)
		return NULL;
	c->cur[cls] = (tc_alloc_cursor_){0};
	uint32_t n = tc_span_count_alloc(s, s->allocbits);
	atomic_store_explicit(&s->nalloc, n, memory_order_relaxed);
	uint32_t size = tc_classes[cls].size;
	/* The span's free slots were counted as live when it was cached. */
	atomic_fetch_sub_explicit(&h->heap_live,
				  (uint64_t)(tc_classes[cls].nelems - n) * size,
				  memory_order_relaxed);
	uint32_t used = n - c->start_nalloc[cls];
	uint64_t objs = atomic_load_explicit(&c->done_objects,
					     memory_order_relaxed);
	uint64_t bytes = atomic_load_explicit(&c->done_bytes,
					      memory_order_relaxed);
	obs_begin(c);
	__atomic_store_n(&c->alloc[cls], NULL, __ATOMIC_RELAXED);
	atomic_store_explicit(&c->done_objects, objs + used,
			      memory_order_relaxed);
	atomic_store_explicit(&c->done_bytes, bytes + (uint64_t)used * size,
			      memory_order_relaxed);
	obs_end(c);
	atomic_store_explicit(&s->cached, 0, memory_order_relaxed);
	return s;
}

bool tc_mcache_refill(tc_mcache *c, int cls)
{
	tc_heap *h = c->heap;
	tc_span *s = central_cache_span(h, cls, uncache(c, cls));
	if (!s)
		return false;
	uint32_t n = atomic_load_explicit(&s->nalloc, memory_order_relaxed);
	/* The cursor starts at slot 0 with an empty cache: the first
	 * allocation loads the first word of alloc bits. */
	c->cur[cls] = (tc_alloc_cursor_){
		.size = tc_classes[cls].size,
		.base = s->base,
		.allocbits = (uint64_t *)s->allocbits,
		.info = s->info,
		.flags = (uint8_t)((tc_span_black(s) ^ TC_INFO_FLAGS) >> 8),
		.needzero = s->needzero,
	}; /* white */
	atomic_store_explicit(&s->cached, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->heap_live,
				  (uint64_t)(tc_classes[cls].nelems - n) *
					  tc_classes[cls].size,
				  memory_order_relaxed);
	obs_begin(c);
	__atomic_store_n(&c->start_nalloc[cls], n, __ATOMIC_RELAXED);
	__atomic_store_n(&c->alloc[cls], s, __ATOMIC_RELAXED);
	obs_end(c);
	return true;
}

/* One read of what cache c holds, under obs_seq: false if the writer was
 * in its window, or came into it meanwhile. */
static bool read_allocs_once(tc_mcache *c, uint64_t *objects,
			     uint64_t *bytes)
{
	uint32_t q = atomic_load_explicit(&c->obs_seq, memory_order_acquire);
	if (q & 1)
		return false;
	uint64_t objs = atomic_load_explicit(&c->done_objects,
					     memory_order_relaxed);
	uint64_t byts = atomic_load_explicit(&c->done_bytes,
					     memory_order_relaxed);
	for (int cls = 1; cls < tc_nclasses; cls++) {
		tc_span *s = __atomic_load_n(&c->alloc[cls], __ATOMIC_RELAXED);
		if (!s)
			continue;
		uint32_t start = __atomic_load_n(&c->start_nalloc[cls],
						 __ATOMIC_RELAXED);
		/* The metadata under the span's own seqlock, as every
		 * observer reads it: a span given up meanwhile may be
		 * reborn with another block (obs_seq says so too), and the
		 * acquire orders the block's making before its reading. */
		uint32_t sq = atomic_load_explicit(&s->seq,
						   memory_order_acquire);
		if (sq & 1)
			return false;
		_Atomic(uint64_t) *ab =
			__atomic_load_n(&s->allocbits, __ATOMIC_RELAXED);
		uint32_t n = tc_span_count_alloc(s, ab);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) != sq)
			return false;
		if (n > start) {
			objs += n - start;
			byts += (uint64_t)(n - start) * tc_classes[cls].size;
		}
	}
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&c->obs_seq, memory_order_relaxed) != q)
		return false;
	*objects += objs;
	*bytes += byts;
	return true;
}

void tc_mcache_read_allocs(tc_mcache *c, uint64_t *objects, uint64_t *bytes)
{
	for (int tries = 0; tries < 256; tries++) {
		if (read_allocs_once(c, objects, bytes))
			return;
		if (tries >= 16)
			sched_yield(); /* the writer may be off its CPU */
	}
	*objects += atomic_load_explicit(&c->done_objects,
					 memory_order_relaxed);
	*bytes += atomic_load_explicit(&c->done_bytes, memory_order_relaxed);
}

void tc_mcache_release_all(tc_mcache *c)
{
	for (int cls = 1; cls < tc_nclasses; cls++) {
		tc_span *s = uncache(c, cls);
		if (s)
			central_put_swept(c->heap, s);
	}
}

void *tc_heap_alloc_large(tc_heap *h, size_t bytes, uint32_t nptrs)
{
	size_t npages = (bytes + TC_PAGE_SIZE - 1) >> TC_PAGE_SHIFT;
	if (npages > h->npages)
		return NULL;
	tc_span *s = tc_heap_alloc_span(h, 0, (uint32_t)npages);
	if (!s)
		return NULL;
	size_t size = npages << TC_PAGE_SHIFT;
	atomic_store_explicit(&s->large_nptrs, nptrs, memory_order_relaxed);
	if (s->needzero)
		tc_words_fill(s->base, size, 0);
	atomic_store_explicit(&s->allocbits[0], 1, memory_order_relaxed);
	atomic_store_explicit(&s->nalloc, 1, memory_order_relaxed);
	uint16_t black = tc_span_black(s);
	if (atomic_load_explicit(&h->allocblack, memory_order_relaxed)) {
		tc_span_set_flags(s, 0, 0, black);
		tc_span_note_mark(s);
		atomic_fetch_add_explicit(&h->black_large, size,
					  memory_order_relaxed);
	} else {
		tc_span_set_flags(s, 0, 0, black ^ TC_INFO_FLAGS);
	}
	atomic_fetch_add_explicit(&h->heap_live, size, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->alloc_bytes, size, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->alloc_objects, 1, memory_order_relaxed);
	central_put_swept(h, s);
	return (void *)s->base;
}

uint64_t tc_span_mark_word(const tc_span *s, uint32_t first, uint32_t nelems,
			   uint16_t black)
{
	uint32_t n = nelems - first < 64 ? nelems - first : 64;
	uint32_t elemsize = atomic_load_explicit(&s->elemsize,
						 memory_order_relaxed);
	uint64_t m = 0;
	uint32_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (elemsize <= TC_INFO8_MAX_SIZE) {
		/* One byte per object, mark flag in bit 6, eight at a time
		 * (little-endian: byte i of the word is object first+i):
		 * flip by the parity so that marked reads 1, move each
		 * byte's flag to its bit 0, and gather the eight bits with a
		 * multiply (bit i of the top byte = bit 0 of byte i).  Plain
		 * loads: the callers run after mark termination on a span
		 * nobody can write (claimed for sweeping, or the world
		 * stopped).  Measured: the byte-at-a-time loop doubled the
		 * sweep time of binary-trees at depth 20. */
		const uint8_t *b = (const uint8_t *)s->info + first;
		uint64_t flip = black ? 0 : 0x4040404040404040ull;
		for (; i + 8 <= n; i += 8) {
			uint64_t x;
			memcpy(&x, b + i, 8);
			x = ((x ^ flip) >> 6) & 0x0101010101010101ull;
			m |= ((x * 0x0102040810204080ull) >> 56) << i;
		}
	}
#endif
	for (; i < n; i++)
		if (tc_info_marked(tc_info_load(s->info, elemsize, first + i),
				   black))
			m |= (uint64_t)1 << i;
	return m;
}

/* ---- observation ---- */

uint32_t tc_span_count_alloc(tc_span *s, _Atomic(uint64_t) *ab)
{
	uint32_t ne = atomic_load_explicit(&s->nelems, memory_order_relaxed);
	return count_bits(ab, (ne + 63) / 64);
}

tc_color tc_span_color(tc_span *s, uint32_t slot)
{
	if (!tc_bit_test(s->allocbits, slot))
		return TC_FREE;
	uint16_t info = tc_span_info_get(s, slot), black = tc_span_black(s);
	if (!tc_info_marked(info, black))
		return TC_WHITE;
	if (!tc_info_scanned(info, black))
		return TC_GREY;
	return TC_BLACK;
}
