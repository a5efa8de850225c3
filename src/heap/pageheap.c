/*
 * pageheap.c - the arena and the page heap (Go's mheap): reserving the
 * arena, handing out runs of pages as spans, taking them back.
 *
 * Free pages are tracked in a bitmap (1 = free).  Allocation is first fit
 * from `hint`, the lowest page that may be free, skipping whole words of
 * used pages; freeing just sets bits, so neighbouring free runs coalesce
 * without any bookkeeping.  All of it runs under heap->lock, which is
 * taken only when a span is made or freed, never per object.
 *
 * Span metadata (the alloc bitmap and the info words) is sized by class and
 * recycled through per-class pools; it is never returned to libc while the
 * heap lives, so an observer racing with a span's death reads stale but
 * valid memory and notices through the span's seqlock.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heap/heap.h"
#include "util.h"

static void *reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

#define TC_HUGE_SIZE ((size_t)2 << 20)

int tc_heap_init(tc_heap *h, size_t bytes, bool poison, const char **err)
{
	memset(h, 0, sizeof *h);
	tc_sizeclass_init();
	if (bytes < TC_MIN_HEAP || bytes > TC_MAX_HEAP) {
		if (err)
			*err = "heap size must be between 1 MiB and 64 GiB";
		return TC_EINVAL;
	}
	bytes = (bytes + TC_PAGE_SIZE - 1) & ~(TC_PAGE_SIZE - 1);
	h->arena_bytes = bytes;
	h->npages = (uint32_t)(bytes >> TC_PAGE_SHIFT);
	h->poison = poison;
	/* The arena starts on a huge-page boundary (reserving one more
	 * huge page to find it), so that tc_heap_use_hugepages' steps are
	 * whole huge pages. */
	h->map_bytes = bytes + TC_HUGE_SIZE;
	h->map = reserve(h->map_bytes);
	if (h->map)
		h->arena = ((uintptr_t)h->map + TC_HUGE_SIZE - 1) &
			   ~(uintptr_t)(TC_HUGE_SIZE - 1);
	h->spans = reserve(h->npages * sizeof(tc_span));
	h->spanof = reserve(h->npages * sizeof(*h->spanof));
	size_t words = (h->npages + 63) / 64;
	h->freebits = tc_xcalloc(words, sizeof(uint64_t));
	h->dirtybits = tc_xcalloc(words, sizeof(uint64_t));
	if (!h->arena || !h->spans || !h->spanof) {
		if (err)
			*err = "cannot reserve the heap arena (mmap failed)";
		tc_heap_destroy(h);
		return TC_ENOMEM;
	}
	/* Descriptors are touched only when a span first starts at their
	 * page (the array is reserved, not committed: RSS stays
	 * proportional to the heap in use, not to the arena). */
	for (uint32_t i = 0; i < h->npages; i++)
		h->freebits[i >> 6] |= (uint64_t)1 << (i & 63);
	tc_mutex_init_spin(&h->lock);
	pthread_mutex_init(&h->populate_lock, NULL);
	pthread_cond_init(&h->populate_cond, NULL);
	for (int c = 0; c < TC_MAX_CLASSES; c++)
		tc_mutex_init_spin(&h->central[c].lock);
	atomic_store(&h->sweepgen, 2);
	atomic_store(&h->populated, h->npages);
	return 0;
}

/* Whether the kernel gives huge pages to regions that ask: its mode is
 * "always" or "madvise", not "never" (and the file exists). */
static bool thp_available(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return false;
	bool ok = fgets(buf, sizeof buf, f) != NULL &&
		  strstr(buf, "[never]") == NULL;
	fclose(f);
	return ok;
}

bool tc_heap_use_hugepages(tc_heap *h)
{
	if (atomic_load(&h->frontier) != 0 || !thp_available() ||
	    madvise((void *)h->arena, h->arena_bytes, MADV_HUGEPAGE) != 0)
		return false;
	h->stepdone = tc_xcalloc(h->npages / (TC_HUGE_SIZE >> TC_PAGE_SHIFT) +
					 1,
				 1);
	h->hugepages = true;
	h->populate = true;
	atomic_store(&h->populated, 0);
	return true;
}

bool tc_heap_populate_needed(tc_heap *h, size_t need)
{
	if (!h->populate)
		return false;
	uint64_t want = atomic_load_explicit(&h->frontier,
					     memory_order_relaxed) +
			((need + TC_PAGE_SIZE - 1) >> TC_PAGE_SHIFT) +
			(TC_HUGE_SIZE >> TC_PAGE_SHIFT);
	uint32_t done = atomic_load_explicit(&h->populated,
					     memory_order_relaxed);
	return done < h->npages && want > done;
}

void tc_heap_populate(tc_heap *h, size_t need)
{
	const uint32_t step = (uint32_t)(TC_HUGE_SIZE >> TC_PAGE_SHIFT);
	pthread_mutex_lock(&h->populate_lock);
	uint64_t want = atomic_load_explicit(&h->frontier,
					     memory_order_relaxed) +
			((need + TC_PAGE_SIZE - 1) >> TC_PAGE_SHIFT) + step;
	want = (want + step - 1) / step * step; /* whole huge pages */
	if (want > h->npages)
		want = h->npages;
	/* Claim steps one at a time and fault each in outside the lock, so
	 * that mutators populating at once fault in parallel, as they would
	 * have without huge pages. */
	while (h->claimed < want) {
		uint32_t first = h->claimed;
		h->claimed = first + step < h->npages ? first + step
						       : h->npages;
		pthread_mutex_unlock(&h->populate_lock);
		/* One write faults the huge page in.  Its pages are above
		 * the limit, so nobody else has them, and they are still
		 * zero.  (Not MADV_POPULATE_WRITE: that holds the process's
		 * mmap lock throughout, and a thread that maps memory
		 * meanwhile, creating a thread or growing malloc, waits for
		 * it while page faults queue behind that thread.) */
		*(volatile char *)(h->arena +
				   ((uintptr_t)first << TC_PAGE_SHIFT)) = 0;
		pthread_mutex_lock(&h->populate_lock);
		h->stepdone[first / step] = 1;
		uint32_t lim = atomic_load_explicit(&h->populated,
						    memory_order_relaxed);
		while (lim < h->claimed && h->stepdone[lim / step])
			lim = lim + step < h->npages ? lim + step : h->npages;
		/* Release: pairs with the acquire load in find_run, so a
		 * page under the limit was populated before it is used. */
		atomic_store_explicit(&h->populated, lim,
				      memory_order_release);
		pthread_cond_broadcast(&h->populate_cond);
	}
	/* Steps other mutators claimed below `want` may still be faulting:
	 * wait for them (parked, like the rest of this). */
	while (atomic_load_explicit(&h->populated, memory_order_relaxed) <
	       want)
		pthread_cond_wait(&h->populate_cond, &h->populate_lock);
	pthread_mutex_unlock(&h->populate_lock);
}

void tc_heap_destroy(tc_heap *h)
{
	for (int c = 0; c < TC_MAX_CLASSES; c++) {
		void *m = h->metapool[c];
		while (m) {
			void *next = *(void **)m;
			free(m);
			m = next;
		}
	}
	if (h->spans) {
		/* Only descriptors below the frontier were ever written: the
		 * rest of the array is reserved, never touched, and reading
		 * it would fault in a zero page per 4 KiB (7680 faults for a
		 * 2 GiB arena, most of a small program's run time). */
		uint32_t top = atomic_load(&h->frontier);
		for (uint32_t i = 0; i < top; i++)
			free(h->spans[i].meta);
		munmap(h->spans, h->npages * sizeof(tc_span));
	}
	if (h->spanof)
		munmap((void *)h->spanof, h->npages * sizeof(*h->spanof));
	if (h->map)
		munmap(h->map, h->map_bytes);
	free(h->freebits);
	free(h->dirtybits);
	free(h->stepdone);
	if (h->npages) {
		pthread_mutex_destroy(&h->lock);
		pthread_mutex_destroy(&h->populate_lock);
		pthread_cond_destroy(&h->populate_cond);
		for (int c = 0; c < TC_MAX_CLASSES; c++)
			pthread_mutex_destroy(&h->central[c].lock);
	}
	memset(h, 0, sizeof *h);
}

/* ---- the free-page bitmap ---- */

static bool page_free(const tc_heap *h, uint32_t i)
{
	return (h->freebits[i >> 6] >> (i & 63)) & 1;
}

static void set_range(uint64_t *bits, uint32_t from, uint32_t n, bool v)
{
	for (uint32_t i = from; i < from + n; i++) {
		uint64_t m = (uint64_t)1 << (i & 63);
		if (v)
			bits[i >> 6] |= m;
		else
			bits[i >> 6] &= ~m;
	}
}

/* First fit: the lowest run of n free pages at or above hint, below the
 * populated limit (all of the arena without huge pages).
 *
 * The hint is "no free page below it".  Taking the page at the hint moves
 * it on, but a run taken higher up (the page at the hint was already in
 * use, or its free run was too short) did not, so every later search
 * walked the same in-use words again: perf put a third of
 * tc_heap_alloc_span there, at binary-trees depth 20.  The first free
 * page a search meets is where the hint belongs, whether or not its run
 * is long enough. */
static int64_t find_run(tc_heap *h, uint32_t n)
{
	uint32_t i = h->hint;
	uint32_t words = (h->npages + 63) / 64;
	uint32_t end = atomic_load_explicit(&h->populated,
					    memory_order_acquire);
	bool first = true;
	while (i < end) {
		uint32_t w = i >> 6;
		uint64_t bits = h->freebits[w] >> (i & 63);
		if (bits == 0) { /* rest of the word in use */
			i = (w + 1) << 6;
			continue;
		}
		i += (uint32_t)__builtin_ctzll(bits);
		if (i >= end)
			break;
		if (first) {
			h->hint = i;
			first = false;
		}
		/* Measure the free run starting at i. */
		uint32_t j = i;
		while (j < end && j - i < n) {
			uint32_t wj = j >> 6;
			uint64_t b = h->freebits[wj] >> (j & 63);
			if ((j & 63) == 0 && b == ~(uint64_t)0 && wj < words) {
				j += 64;
				continue;
			}
			if (!(b & 1))
				break;
			j++;
		}
		if (j > end)
			j = end;
		if (j - i >= n)
			return i;
		i = j;
	}
	return -1;
}

/* A metadata block: a pool link word (never read by observers), then the
 * alloc bitmap, then the info words.  A recycled block's bitmap is
 * cleared with atomic stores, since an observer may still be reading the
 * span it belonged to; its info words are rewritten by each allocation
 * before the object is published.
 * Popping a block reads its link word, in a line last written when a
 * sweeper pooled the block, often on the other CPU: after the hint fix
 * above, that miss was three quarters of tc_heap_alloc_span.  So each
 * pop prefetches the next block.
 * The pool of the class is never empty here: tc_heap_alloc_span makes a
 * block first, outside the page lock, when it is. */
static size_t meta_bytes(uint32_t elemsize, uint32_t nelems)
{
	return 8 + tc_span_meta_bytes(elemsize, nelems);
}

static void *meta_get(tc_heap *h, int cls, uint32_t nelems)
{
	void **m = h->metapool[cls];
	void *next = *m;
	h->metapool[cls] = next;
	if (next)
		__builtin_prefetch(next, 1);
	tc_words_fill((uintptr_t)(m + 1), (nelems + 63) / 64 * 8, 0);
	return m;
}

/* Make a span of npages for class cls (0: large object of `large` bytes).
 * Returns NULL if no run of pages is free.  The span is swept for the
 * current generation and on no list. */
tc_span *tc_heap_alloc_span(tc_heap *h, int cls, uint32_t npages)
{
	uint32_t nelems = cls ? tc_classes[cls].nelems : 1;
	uint32_t elemsize = cls ? tc_classes[cls].size
				: npages * (uint32_t)TC_PAGE_SIZE;
	pthread_mutex_lock(&h->lock);
	if (!h->metapool[cls]) {
		/* No pooled metadata block: make one outside the lock and
		 * pool it.  calloc under the lock held it for 5 to 100 us
		 * whenever the new block's memory was faulted in (some
		 * 7000 times in binary-trees 20 4, against 842 k holds of
		 * under 1 us), while mutators queued behind it. */
		pthread_mutex_unlock(&h->lock);
		void **fresh = tc_xcalloc(1, meta_bytes(elemsize, nelems));
		pthread_mutex_lock(&h->lock);
		*fresh = h->metapool[cls];
		h->metapool[cls] = fresh;
	}
	int64_t first = find_run(h, npages);
	if (first < 0) {
		pthread_mutex_unlock(&h->lock);
		return NULL;
	}
	uint32_t p = (uint32_t)first;
	set_range(h->freebits, p, npages, false);
	if (p == h->hint)
		h->hint = p + npages;
	uint32_t top = atomic_load_explicit(&h->frontier, memory_order_relaxed);
	if (p + npages > top)
		atomic_store_explicit(&h->frontier, p + npages,
				      memory_order_relaxed);
	bool dirty = false;
	for (uint32_t i = p; i < p + npages && !dirty; i++)
		dirty = (h->dirtybits[i >> 6] >> (i & 63)) & 1;

	/* A descriptor at or above the old frontier was never written: it
	 * is still the reservation's zeros, and is not read here before it
	 * is written.  Where a read came first, it mapped the kernel's zero
	 * page, and the write after it copied that page and flushed the old
	 * mapping from the other CPU's TLB with an interrupt, which this
	 * thread waited for holding the heap lock: bench/binarytrees 20 4
	 * counted 1652 to 2990 TLB flush events a run with the read, 52 to
	 * 62 without (perf stat -e tlb:tlb_flush). */
	bool fresh = p >= top;
	tc_span *s = &h->spans[p];
	/* Seqlock write side: odd while the identity changes. */
	uint32_t seq = fresh ? 0
			     : atomic_load_explicit(&s->seq,
						    memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	if (fresh || s->base == 0) { /* first span ever to start here */
		s->page = p;
		s->base = h->arena + ((uintptr_t)p << TC_PAGE_SHIFT);
	}
	atomic_store_explicit(&s->npages, npages, memory_order_relaxed);
	atomic_store_explicit(&s->sizeclass, (uint32_t)cls,
			      memory_order_relaxed);
	atomic_store_explicit(&s->elemsize, elemsize, memory_order_relaxed);
	atomic_store_explicit(&s->nelems, nelems, memory_order_relaxed);
	atomic_store_explicit(&s->divmul,
			      cls ? tc_classes[cls].divmul : 0,
			      memory_order_relaxed);
	atomic_store_explicit(&s->large_nptrs, 0, memory_order_relaxed);
	atomic_store_explicit(&s->sweepgen,
			      atomic_load_explicit(&h->sweepgen,
						   memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&s->nalloc, 0, memory_order_relaxed);
	atomic_store_explicit(&s->cached, 0, memory_order_relaxed);
	atomic_store_explicit(&s->markgen, 0, memory_order_relaxed);
	s->needzero = dirty;
	s->next = s->prev = NULL;
	s->list = TC_LIST_NONE;
	size_t words = (nelems + 63) / 64;
	char *m = meta_get(h, cls, nelems);
	s->meta = m;
	/* Atomic stores: observers read these pointers racing with a span's
	 * rebirth (and discard what they read through the seqlock). */
	_Atomic(uint64_t) *ab = (void *)(m + 8); /* 8-aligned: after the link */
	__atomic_store_n(&s->allocbits, ab, __ATOMIC_RELAXED);
	__atomic_store_n(&s->info, (void *)(ab + words), __ATOMIC_RELAXED);
	atomic_store_explicit(&s->state, TC_SPAN_INUSE, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
	for (uint32_t i = p; i < p + npages; i++)
		atomic_store_explicit(&h->spanof[i], s, memory_order_release);

	uint64_t inuse = atomic_load_explicit(&h->pages_inuse,
					      memory_order_relaxed) +
			 npages;
	atomic_store_explicit(&h->pages_inuse, inuse, memory_order_relaxed);
	if (inuse > atomic_load_explicit(&h->pages_peak, memory_order_relaxed))
		atomic_store_explicit(&h->pages_peak, inuse,
				      memory_order_relaxed);
	atomic_fetch_add_explicit(&h->nspans, 1, memory_order_relaxed);
	pthread_mutex_unlock(&h->lock);
	return s;
}

/* Give a span's pages back.  The span must be on no list and unowned. */
/* A dying span's memory, outside the lock: big runs are handed back to
 * the kernel (MADV_DONTNEED reads back as zeros and drops them from the
 * RSS, as Go's scavenger does) and so are clean again; small ones keep
 * their bytes, and the span later made from them zeroes what it hands
 * out (needzero).  With huge pages nothing is handed back (see
 * tc_heap_use_hugepages).  Returns true if the pages are now zero. */
static bool clear_pages(tc_heap *h, tc_span *s)
{
	uint32_t npages = atomic_load_explicit(&s->npages,
					       memory_order_relaxed);
	size_t bytes = (size_t)npages << TC_PAGE_SHIFT;
	return !h->poison && !h->hugepages && npages >= 16 &&
	       madvise((void *)s->base, bytes, MADV_DONTNEED) == 0;
}

void tc_heap_free_span(tc_heap *h, tc_span *s)
{
	bool clean = clear_pages(h, s);
	pthread_mutex_lock(&h->lock);
	uint32_t npages = atomic_load_explicit(&s->npages,
					       memory_order_relaxed);
	int cls = (int)atomic_load_explicit(&s->sizeclass,
					    memory_order_relaxed);
	uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (uint32_t i = s->page; i < s->page + npages; i++)
		atomic_store_explicit(&h->spanof[i], NULL,
				      memory_order_relaxed);
	atomic_store_explicit(&s->state, TC_SPAN_FREE, memory_order_relaxed);
	atomic_store_explicit(&s->nelems, 0, memory_order_relaxed);
	atomic_store_explicit(&s->nalloc, 0, memory_order_relaxed);
	*(void **)s->meta = h->metapool[cls];
	h->metapool[cls] = s->meta;
	s->meta = NULL;
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);

	set_range(h->freebits, s->page, npages, true);
	/* Dirty pages make needzero spans, which zero each object they
	 * hand out. */
	set_range(h->dirtybits, s->page, npages, !clean);
	if (s->page < h->hint)
		h->hint = s->page;
	atomic_store_explicit(&h->pages_inuse,
			      atomic_load_explicit(&h->pages_inuse,
						   memory_order_relaxed) -
				      npages,
			      memory_order_relaxed);
	atomic_fetch_sub_explicit(&h->nspans, 1, memory_order_relaxed);
	pthread_mutex_unlock(&h->lock);
}

/* Stop-the-world consistency check; see heap.h.  Descriptors and page
 * map entries are read below the frontier only: above it no span ever
 * started, so they are the reservation's zeros, and reading them would
 * map the kernel's zero page under every 4 KiB of them (7680 faults for
 * the descriptors of a 2 GiB arena) and undo what tc_heap_alloc_span
 * saves by writing a fresh descriptor first.  Pages up there must be
 * free in the bitmap. */
int tc_heap_check(tc_heap *h)
{
	int bad = 0;
	uint64_t pages = 0;
	pthread_mutex_lock(&h->lock);
	uint32_t top = atomic_load(&h->frontier);
	/* Up there a word of the bitmap at a time: the arena's pages past
	 * the frontier are most of it, and the check runs at every cycle
	 * with the verifier on (162 us a check on a 2 GiB arena bit by bit,
	 * 9 us a word at a time). */
	for (uint32_t p = top; p < h->npages;) {
		uint32_t n = 64 - (p & 63);
		uint64_t used = ~h->freebits[p >> 6] >> (p & 63);
		if (h->npages - p < n) {
			n = h->npages - p;
			used &= ((uint64_t)1 << n) - 1;
		}
		if (used) {
			fprintf(stderr,
				"heap check: page %u above the frontier "
				"in use\n",
				p + (uint32_t)__builtin_ctzll(used));
			bad++;
			break;
		}
		p += n;
	}
	for (uint32_t p = 0; p < top;) {
		tc_span *s = &h->spans[p];
		if (atomic_load(&s->state) != TC_SPAN_INUSE) {
			if (!page_free(h, p) ||
			    atomic_load(&h->spanof[p]) != NULL) {
				fprintf(stderr,
					"heap check: page %u neither free "
					"nor in a span\n",
					p);
				bad++;
			}
			p++;
			continue;
		}
		uint32_t np = atomic_load(&s->npages);
		uint32_t ne = atomic_load(&s->nelems);
		for (uint32_t i = p; i < p + np; i++)
			if (page_free(h, i) || atomic_load(&h->spanof[i]) != s) {
				fprintf(stderr,
					"heap check: span %u page %u "
					"not owned\n",
					p, i);
				bad++;
				break;
			}
		/* Counts agree, and no allocated object reads scanned
		 * but unmarked (the flags go white together and black
		 * together; grey is marked and not scanned). */
		uint32_t n = 0;
		uint16_t black = tc_span_black(s);
		for (uint32_t w = 0; w < (ne + 63) / 64; w++) {
			uint64_t a = atomic_load(&s->allocbits[w]);
			n += (uint32_t)__builtin_popcountll(a);
			for (; a; a &= a - 1) {
				uint16_t info = tc_span_info_get(
					s, w * 64 + (uint32_t)__builtin_ctzll(a));
				if (tc_info_scanned(info, black) &&
				    !tc_info_marked(info, black)) {
					fprintf(stderr,
						"heap check: span %u has a "
						"scanned, unmarked object\n",
						p);
					bad++;
					break;
				}
			}
		}
		if (n != atomic_load(&s->nalloc) && !atomic_load(&s->cached)) {
			fprintf(stderr,
				"heap check: span %u nalloc %u but %u alloc "
				"bits\n",
				p, atomic_load(&s->nalloc), n);
			bad++;
		}
		pages += np;
		p += np;
	}
	if (pages != atomic_load(&h->pages_inuse)) {
		fprintf(stderr, "heap check: %llu pages in spans, %llu counted\n",
			(unsigned long long)pages,
			(unsigned long long)atomic_load(&h->pages_inuse));
		bad++;
	}
	pthread_mutex_unlock(&h->lock);
	return bad;
}
