/*
 * test_heap.c - specification of the heap layer (src/heap): size classes,
 * span bitmaps, sweeping, reuse, large objects, exhaustion, and
 * thread-private allocation caches.  Drives the heap directly, with no
 * collector: the tests set mark flags themselves where a collector would.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "heap/heap.h"

static int scale(int n)
{
	/* Under valgrind (TRICOLOR_TEST_QUICK=1) big loops are cut by 10. */
	const char *q = getenv("TRICOLOR_TEST_QUICK");
	return q && *q == '1' ? n / 10 : n;
}

/* Sweep every span of the heap for a new generation, as mark termination
 * followed by a full concurrent sweep would. */
static void sweep_all(tc_heap *h, tc_mcache *c)
{
	tc_mcache_release_all(c);
	tc_heap_flip_sweepgen(h);
	while (tc_heap_sweep_some(h, TC_SWEEP_BATCH))
		;
	ck_assert_int_eq(atomic_load(&h->nunswept), 0);
}

static void mark(tc_heap *h, void *p)
{
	tc_span *s = tc_heap_spanof(h, (uintptr_t)p);
	ck_assert_ptr_nonnull(s);
	uint32_t slot = tc_span_slot(s, (uintptr_t)p);
	tc_span_set_flags(s, slot, tc_span_info_get(s, slot),
			  tc_span_black(s));
	tc_span_note_mark(s);
}

static void *alloc(tc_mcache *c, size_t size, uint32_t nptrs)
{
	int cls = tc_size_to_class(size);
	void *p = tc_mcache_alloc_fast(c, cls, nptrs, false);
	if (!p && tc_mcache_refill(c, cls))
		p = tc_mcache_alloc_fast(c, cls, nptrs, false);
	return p;
}

/* Loops count failures and assert once: check's assertions are slow in
 * the millions. */
START_TEST(size_class_is_smallest_fitting_with_bounded_waste)
{
	tc_sizeclass_init();
	ck_assert_int_eq(tc_nclasses, 81);
	size_t bad = 0, first_bad = 0;
	for (size_t size = 1; size <= TC_MAX_SMALL; size++) {
		int c = tc_size_to_class(size);
		uint32_t cs = c > 0 ? tc_classes[c].size : 0;
		bool ok = c > 0 && cs >= size &&
			  (c == 1 || tc_classes[c - 1].size < size) &&
			  (size > 128 ? (cs - size) * 8 < cs /* < 12.5% */
				      : cs - size <= 7);
		if (!ok && bad++ == 0)
			first_bad = size;
	}
	ck_assert_msg(bad == 0, "%zu sizes badly classed, first %zu", bad,
		      first_bad);
	ck_assert_int_eq(tc_size_to_class(TC_MAX_SMALL + 1), 0);
	ck_assert_int_eq(tc_size_to_class((size_t)1 << 30), 0);
}
END_TEST

START_TEST(span_tail_waste_is_at_most_an_eighth)
{
	tc_sizeclass_init();
	for (int c = 1; c < tc_nclasses; c++) {
		uint32_t span = tc_classes[c].npages * (uint32_t)TC_PAGE_SIZE;
		ck_assert_uint_eq(tc_classes[c].nelems,
				  span / tc_classes[c].size);
		ck_assert_uint_le((span % tc_classes[c].size) * 8, span);
		ck_assert_uint_le(tc_classes[c].nelems, TC_MAX_SPAN_OBJS);
		ck_assert_uint_ge(tc_classes[c].nelems, 1);
	}
}
END_TEST

START_TEST(object_index_by_multiplication_matches_division)
{
	tc_sizeclass_init();
	uint64_t bad = 0;
	for (int c = 1; c < tc_nclasses; c++) {
		uint64_t span = tc_classes[c].npages * TC_PAGE_SIZE;
		uint64_t dm = tc_classes[c].divmul;
		for (uint64_t off = 0; off < span; off++)
			bad += ((off * dm) >> 32) != off / tc_classes[c].size;
	}
	ck_assert_uint_eq(bad, 0);
}
END_TEST

/* Run twice (_i): with the CPU's population count, where it has one, and
 * with the portable one (mcentral.c counts a span's objects before and
 * after the sweep with either). */
START_TEST(sweep_frees_unmarked_keeps_marked_and_slots_are_reused)
{
	atomic_store(&tc_heap_no_popcnt, _i == 1);
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 8 << 20, true, NULL), 0);
	tc_mcache c = {.heap = &h};
	enum { N = 3000 };
	void **objs = calloc(N, sizeof *objs);
	for (int i = 0; i < N; i++) {
		objs[i] = alloc(&c, 24, 2);
		ck_assert_ptr_nonnull(objs[i]);
		for (int j = 0; j < i && j < 5; j++)
			ck_assert_ptr_ne(objs[i], objs[j]);
	}
	uint64_t freed0 = atomic_load(&h.freed_objects);
	for (int i = 0; i < N; i += 3) {
		mark(&h, objs[i]); /* keep every third */
		tc_span *s = tc_heap_spanof(&h, (uintptr_t)objs[i]);
		ck_assert_int_eq(tc_span_color(s, tc_span_slot(s, (uintptr_t)
							       objs[i])),
				 TC_BLACK);
	}
	sweep_all(&h, &c);
	ck_assert_uint_eq(atomic_load(&h.freed_objects) - freed0,
			  N - (N + 2) / 3);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	for (int i = 0; i < N; i++) {
		tc_span *s = tc_heap_spanof(&h, (uintptr_t)objs[i]);
		uint32_t slot = tc_span_slot(s, (uintptr_t)objs[i]);
		ck_assert_int_eq(tc_span_color(s, slot),
				 i % 3 == 0 ? TC_WHITE : TC_FREE);
		/* A survivor's flags read "not marked, not scanned" in
		 * the new cycle without sweep touching them. */
		if (i % 3 == 0) {
			ck_assert(!tc_span_marked(s, slot));
			ck_assert(!tc_span_scanned(s, slot));
		}
		if (i % 3)
			/* freed slots are poisoned */
			ck_assert_uint_eq(*(uint64_t *)objs[i], TC_POISON);
	}
	/* New objects go into freed slots, zeroed, before any new span. */
	uint64_t pages = atomic_load(&h.pages_inuse);
	for (int i = 0; i < N - (N + 2) / 3; i++) {
		uint64_t *p = alloc(&c, 24, 2);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(p[0] | p[1] | p[2], 0);
		tc_span *s = tc_heap_spanof(&h, (uintptr_t)p);
		uint32_t slot = tc_span_slot(s, (uintptr_t)p);
		ck_assert_int_eq(tc_span_color(s, slot), TC_WHITE);
	}
	ck_assert_uint_eq(atomic_load(&h.pages_inuse), pages);
	free(objs);
	tc_mcache_release_all(&c);
	tc_heap_destroy(&h);
	atomic_store(&tc_heap_no_popcnt, false); /* for later tests, no fork */
}
END_TEST

START_TEST(empty_spans_return_their_pages_but_a_few_per_class)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 8 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	for (int i = 0; i < 10000; i++)
		ck_assert_ptr_nonnull(alloc(&c, 64, 1));
	ck_assert_uint_gt(atomic_load(&h.pages_inuse), 70);
	sweep_all(&h, &c);
	/* Four emptied spans stay with the class (cleared), the others'
	 * pages go back to the page heap. */
	ck_assert_uint_eq(atomic_load(&h.pages_inuse), 4);
	ck_assert_uint_eq(atomic_load(&h.nspans), 4);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	/* The kept spans serve the next allocations, zeroed. */
	for (int i = 0; i < 4 * 128; i++) {
		uint64_t *p = alloc(&c, 64, 1);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(p[0] | p[7], 0);
	}
	ck_assert_uint_eq(atomic_load(&h.pages_inuse), 4);
	tc_mcache_release_all(&c);
	tc_heap_destroy(&h);
}
END_TEST

/* The background sweeper takes up to TC_SWEEP_BATCH spans of one class
 * at a time, and files each on its swept list. */
START_TEST(background_sweep_takes_batches_of_one_class)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 8 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	int a = tc_size_to_class(64), b = tc_size_to_class(128);
	ck_assert_int_lt(a, b);
	for (uint32_t i = 0; i < 20 * tc_classes[a].nelems; i++)
		ck_assert_ptr_nonnull(alloc(&c, 64, 1));
	for (uint32_t i = 0; i < 3 * tc_classes[b].nelems; i++)
		ck_assert_ptr_nonnull(alloc(&c, 128, 1));
	tc_mcache_release_all(&c);
	for (uint32_t pg = 0; pg < h.npages; pg++) {
		tc_span *s = atomic_load(&h.spanof[pg]);
		if (s && s->page == pg &&
		    atomic_load(&s->state) == TC_SPAN_INUSE)
			for (uint32_t i = 0; i < atomic_load(&s->nalloc); i++)
				mark(&h, (void *)tc_span_objaddr(s, i));
	}
	tc_heap_flip_sweepgen(&h);
	ck_assert_int_eq(atomic_load(&h.nunswept), 23);
	/* 1, then capped at the batch, then the rest of the first class,
	 * then the second. */
	const int want[] = {1, TC_SWEEP_BATCH, TC_SWEEP_BATCH, 3, 3, 0};
	const int max[] = {1, 100, TC_SWEEP_BATCH, TC_SWEEP_BATCH,
			   TC_SWEEP_BATCH, TC_SWEEP_BATCH};
	int64_t left = 23;
	for (int k = 0; k < 6; k++) {
		ck_assert_int_eq(tc_heap_sweep_some(&h, max[k]), want[k]);
		left -= want[k];
		ck_assert_int_eq(atomic_load(&h.nunswept), left);
	}
	int swept = (int)((atomic_load(&h.sweepgen) / 2) & 1);
	ck_assert_uint_eq(h.central[a].full[swept].n, 20);
	ck_assert_uint_eq(h.central[b].full[swept].n, 3);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

/* Whether span s is on its class's swept list of kind `list`. */
static bool on_swept_list(tc_heap *h, tc_span *s, int list)
{
	uint32_t sg = atomic_load(&h->sweepgen);
	return s->list == list && s->listgen == (int)((sg / 2) & 1) &&
	       atomic_load(&s->sweepgen) == sg && !atomic_load(&s->cached);
}

START_TEST(a_refill_files_the_full_span_and_the_ones_it_swept_full)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 8 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	int cls = tc_size_to_class(64);
	uint32_t ne = tc_classes[cls].nelems;
	/* Fill two spans: the refill for the second gives up the first
	 * while taking a fresh span. */
	void *first = alloc(&c, 64, 1), *last = NULL;
	for (uint32_t i = 1; i < 2 * ne; i++)
		ck_assert_ptr_nonnull(last = alloc(&c, 64, 1));
	tc_span *a = tc_heap_spanof(&h, (uintptr_t)first);
	tc_span *b = tc_heap_spanof(&h, (uintptr_t)last);
	ck_assert_ptr_ne(a, b);
	ck_assert(on_swept_list(&h, a, TC_LIST_FULL));
	ck_assert_uint_eq(atomic_load(&a->nalloc), ne);
	ck_assert_int_eq(b->list, TC_LIST_NONE);
	ck_assert(atomic_load(&b->cached));

	/* Every object survives a cycle, swept lazily: the next refill
	 * sweeps both spans, files each on the swept full list, and then
	 * grows the heap. */
	tc_mcache_release_all(&c);
	ck_assert(on_swept_list(&h, b, TC_LIST_FULL));
	for (uint32_t pg = 0; pg < h.npages; pg++) {
		tc_span *s = atomic_load(&h.spanof[pg]);
		if (s && s->page == pg && atomic_load(&s->state) ==
						  TC_SPAN_INUSE)
			for (uint32_t i = 0; i < atomic_load(&s->nalloc); i++)
				mark(&h, (void *)tc_span_objaddr(s, i));
	}
	tc_heap_flip_sweepgen(&h);
	uint64_t spans = atomic_load(&h.nspans);
	void *p = alloc(&c, 64, 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(atomic_load(&h.nspans), spans + 1);
	ck_assert_int_eq(atomic_load(&h.nunswept), 0);
	ck_assert_ptr_ne(tc_heap_spanof(&h, (uintptr_t)p), a);
	ck_assert_ptr_ne(tc_heap_spanof(&h, (uintptr_t)p), b);
	ck_assert(on_swept_list(&h, a, TC_LIST_FULL));
	ck_assert(on_swept_list(&h, b, TC_LIST_FULL));
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_mcache_release_all(&c);
	tc_heap_destroy(&h);
}
END_TEST

START_TEST(allocating_black_survives_sweep_and_free_slots_stay_free)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 8 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	int cls = tc_size_to_class(32);
	void *white[10], *black[5];
	for (int i = 0; i < 10; i++)
		white[i] = alloc(&c, 32, 1);
	/* The collector is marking: the first black allocation switches
	 * the span's new objects to black flags; the white ones stay
	 * white. */
	for (int i = 0; i < 5; i++) {
		black[i] = tc_mcache_alloc_fast(&c, cls, 1, true);
		ck_assert_ptr_nonnull(black[i]);
		tc_span *s = tc_heap_spanof(&h, (uintptr_t)black[i]);
		ck_assert_int_eq(
			tc_span_color(s, tc_span_slot(s, (uintptr_t)black[i])),
			TC_BLACK);
	}
	tc_span *s = tc_heap_spanof(&h, (uintptr_t)black[0]);
	ck_assert(c.cur[cls].black);
	ck_assert_int_eq(tc_span_color(s, tc_span_slot(s, (uintptr_t)white[0])),
			 TC_WHITE);
	sweep_all(&h, &c);
	/* Only the black ones live; free slots stay free whatever their
	 * flags say. */
	ck_assert_uint_eq(atomic_load(&s->nalloc), 5);
	ck_assert_uint_eq(tc_span_count_alloc(s, s->allocbits), 5);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(
			tc_span_color(s, tc_span_slot(s, (uintptr_t)white[i])),
			TC_FREE);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

/* Info words are one byte up to TC_INFO8_MAX_SIZE and two above: both
 * widths keep every pointer count a class allows, and setting one
 * object's scan flag leaves its neighbours' words alone. */
START_TEST(info_words_keep_pointer_counts_and_scan_flags_in_both_widths)
{
	static const size_t sizes[] = {8,    24,   1008, TC_INFO8_MAX_SIZE,
				       1024, 4096, 32768};
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 16 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t size = sizes[k];
		uint32_t most = (uint32_t)(tc_classes[tc_size_to_class(size)]
						   .size /
					   8);
		uint32_t want[3] = {most, 0, most > 1 ? most - 1 : 1};
		void *p[3];
		for (int i = 0; i < 3; i++) {
			p[i] = alloc(&c, size, want[i]);
			ck_assert_ptr_nonnull(p[i]);
		}
		tc_span *s = tc_heap_spanof(&h, (uintptr_t)p[1]);
		uint32_t slot = tc_span_slot(s, (uintptr_t)p[1]);
		mark(&h, p[1]);
		ck_assert_int_eq(tc_span_color(s, slot), TC_BLACK);
		for (int i = 0; i < 3; i++) {
			tc_span *si = tc_heap_spanof(&h, (uintptr_t)p[i]);
			uint32_t sl = tc_span_slot(si, (uintptr_t)p[i]);
			ck_assert_uint_eq(tc_span_nptrs(si, sl), want[i]);
			if (i != 1)
				ck_assert_int_eq(tc_span_color(si, sl),
						 TC_WHITE);
		}
	}
	tc_heap_destroy(&h);
}
END_TEST

START_TEST(large_objects_get_their_own_span_and_coalesce_back)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 4 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	void *a = tc_heap_alloc_large(&h, 100000, 3);
	void *b = tc_heap_alloc_large(&h, 40000, 0);
	void *d = tc_heap_alloc_large(&h, 100000, 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(d);
	tc_span *s = tc_heap_spanof(&h, (uintptr_t)a + 99999);
	ck_assert_uint_eq(s->base, (uintptr_t)a);
	ck_assert_uint_eq(atomic_load(&s->sizeclass), 0);
	ck_assert_uint_eq(atomic_load(&s->npages), 13);
	ck_assert_uint_eq(tc_span_nptrs(s, 0), 3);
	ck_assert_uint_eq(atomic_load(&h.pages_inuse), 13 + 5 + 13);
	mark(&h, d);
	sweep_all(&h, &c);
	ck_assert_uint_eq(atomic_load(&h.pages_inuse), 13);
	/* a and b were neighbours: their 18 pages coalesced into one run
	 * that a 140 KiB object fits in, at a's address. */
	void *e = tc_heap_alloc_large(&h, 18 * TC_PAGE_SIZE, 0);
	ck_assert_ptr_eq(e, a);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

/* Pages are handed out first fit: the lowest free run that is long
 * enough, even after a search has passed over shorter holes (the page
 * allocator's hint must not skip a hole it found too short). */
START_TEST(page_runs_are_first_fit_across_short_holes)
{
	tc_heap h;
	tc_span *s[20];
	ck_assert_int_eq(tc_heap_init(&h, 4 << 20, false, NULL), 0);
	for (int i = 0; i < 20; i++) {
		s[i] = tc_heap_alloc_span(&h, 0, 1);
		ck_assert_ptr_nonnull(s[i]);
		ck_assert_uint_eq(s[i]->page, (uint32_t)i);
	}
	tc_heap_free_span(&h, s[3]);
	tc_heap_free_span(&h, s[7]);
	tc_heap_free_span(&h, s[8]);
	tc_heap_free_span(&h, s[12]);
	/* Two pages: not the hole at 3, the run at 7. */
	tc_span *two = tc_heap_alloc_span(&h, 0, 2);
	ck_assert_ptr_nonnull(two);
	ck_assert_uint_eq(two->page, 7);
	/* One page, twice: the holes at 3 and 12, lowest first. */
	tc_span *one = tc_heap_alloc_span(&h, 0, 1);
	ck_assert_ptr_nonnull(one);
	ck_assert_uint_eq(one->page, 3);
	one = tc_heap_alloc_span(&h, 0, 1);
	ck_assert_ptr_nonnull(one);
	ck_assert_uint_eq(one->page, 12);
	/* No hole left: the next page past the last span. */
	one = tc_heap_alloc_span(&h, 0, 1);
	ck_assert_ptr_nonnull(one);
	ck_assert_uint_eq(one->page, 20);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

/* Sweep reads marks a word of 64 objects at a time (eight info bytes at
 * once where it can): the word must say, bit for bit, what each object's
 * own flags say, in both cycle parities, with the span's short last word
 * included. */
START_TEST(mark_words_agree_with_each_objects_flags)
{
	static const size_t sizes[] = {24, 48, 1024};
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 16 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		for (int parity = 0; parity < 2; parity++) {
			uint32_t ne = tc_classes[tc_size_to_class(sizes[k])].nelems;
			void *first = alloc(&c, sizes[k], 1);
			tc_span *s = tc_heap_spanof(&h, (uintptr_t)first);
			for (uint32_t i = 1; i < ne; i++)
				ck_assert_ptr_nonnull(alloc(&c, sizes[k], 1));
			unsigned seed = 7 + (unsigned)k;
			for (uint32_t i = 0; i < ne; i++) {
				seed = seed * 1103515245u + 12345u;
				if ((seed >> 16) & 1)
					mark(&h, (void *)tc_span_objaddr(s, i));
			}
			for (uint32_t w = 0; w * 64 < ne; w++) {
				uint64_t want = 0;
				for (uint32_t i = 0; i < 64 && w * 64 + i < ne; i++)
					if (tc_span_marked(s, w * 64 + i))
						want |= (uint64_t)1 << i;
				ck_assert_uint_eq(
					tc_span_mark_word(s, w * 64, ne,
							  tc_span_black(s)),
					want);
			}
			/* The next cycle has the other parity. */
			sweep_all(&h, &c);
		}
	}
	tc_heap_destroy(&h);
}
END_TEST

START_TEST(exhaustion_returns_null_and_never_writes_outside)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, 1 << 20, false, NULL), 0);
	tc_mcache c = {.heap = &h};
	size_t n = 0;
	void *p;
	while ((p = alloc(&c, 1000, 0)) != NULL) {
		ck_assert_uint_ge((uintptr_t)p, h.arena);
		ck_assert_uint_le((uintptr_t)p + 1000, h.arena + h.arena_bytes);
		n++;
	}
	ck_assert_uint_gt(n, 800);
	ck_assert_ptr_null(tc_heap_alloc_large(&h, 64 * 1024, 0));
	ck_assert_ptr_null(tc_heap_alloc_large(&h, (size_t)1 << 40, 0));
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_mcache_release_all(&c);
	tc_heap_destroy(&h);
}
END_TEST

/* With huge pages the heap hands out only pages it has populated: the
 * limit starts at zero, tc_heap_populate moves it in whole huge pages
 * (a step past what the frontier and the allocation need), and freed big
 * spans are not handed back to the kernel.  Without huge pages there is
 * no limit.  Skipped where the kernel has no transparent huge pages. */
START_TEST(huge_pages_hand_out_only_populated_pages)
{
	tc_heap h;
	const uint32_t step = (uint32_t)((2u << 20) >> TC_PAGE_SHIFT);
	ck_assert_int_eq(tc_heap_init(&h, 64 << 20, false, NULL), 0);
	ck_assert_uint_eq(h.arena % (2u << 20), 0);
	ck_assert(!tc_heap_populate_needed(&h, 1 << 20));
	ck_assert_uint_eq(atomic_load(&h.populated), h.npages);
	if (!tc_heap_use_hugepages(&h)) {
		tc_heap_destroy(&h);
		return;
	}
	ck_assert_uint_eq(atomic_load(&h.populated), 0);
	ck_assert_ptr_null(tc_heap_alloc_large(&h, 3 * TC_PAGE_SIZE, 0));
	ck_assert(tc_heap_populate_needed(&h, 0));
	tc_heap_populate(&h, 0);
	ck_assert_uint_eq(atomic_load(&h.populated), step);
	ck_assert(!tc_heap_populate_needed(&h, 0));

	/* Up to the limit and no further. */
	size_t n = 0;
	void *p, *first = NULL;
	while ((p = tc_heap_alloc_large(&h, 3 * TC_PAGE_SIZE, 0)) != NULL) {
		ck_assert_uint_le((uintptr_t)p + 3 * TC_PAGE_SIZE,
				  h.arena + ((uintptr_t)step << TC_PAGE_SHIFT));
		ck_assert_uint_eq(((unsigned char *)p)[100], 0);
		((unsigned char *)p)[100] = 1;
		if (!first)
			first = p;
		n++;
	}
	ck_assert_uint_eq(n, step / 3);
	ck_assert_uint_eq(atomic_load(&h.frontier), step / 3 * 3);

	/* A big allocation populates what it needs, plus a step, rounded
	 * up to whole huge pages. */
	ck_assert(tc_heap_populate_needed(&h, 0));
	tc_heap_populate(&h, (size_t)5 << 20);
	uint32_t lim = atomic_load(&h.populated);
	ck_assert_uint_eq(lim % step, 0);
	ck_assert_uint_ge(lim, step / 3 * 3 + (5u << 20 >> TC_PAGE_SHIFT) +
				       step);
	ck_assert_uint_lt(lim, step / 3 * 3 + (5u << 20 >> TC_PAGE_SHIFT) +
				       2 * step);
	void *big = tc_heap_alloc_large(&h, (size_t)5 << 20, 0);
	ck_assert_ptr_nonnull(big);
	ck_assert_uint_eq(((unsigned char *)big)[(5 << 20) - 1], 0);

	ck_assert_uint_eq(((unsigned char *)first)[100], 1);

	/* Nothing marked: sweep frees everything.  The big span's pages
	 * stay mapped with their bytes instead of going back to the kernel
	 * (which makes them zero and clean without huge pages), so they
	 * count as dirty: a span made from them zeroes what it hands out. */
	tc_mcache c = {.heap = &h};
	sweep_all(&h, &c);
	ck_assert_uint_eq(atomic_load(&h.pages_inuse), 0);
	uint32_t pg = (uint32_t)(((uintptr_t)big - h.arena) >> TC_PAGE_SHIFT);
	ck_assert((h.dirtybits[pg >> 6] >> (pg & 63)) & 1);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

static long minor_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* A heap with the default arena (2 GiB, 30 MiB of descriptors reserved)
 * of which 1000 small objects use a few pages. */
static void few_pages_of_a_big_arena(tc_heap *h, tc_mcache *c)
{
	ck_assert_int_eq(tc_heap_init(h, (size_t)2 << 30, false, NULL), 0);
	*c = (tc_mcache){.heap = h};
	for (int i = 0; i < 1000; i++)
		ck_assert_ptr_nonnull(alloc(c, 48, 1));
}

/* A 2 GiB arena reserves 30 MiB of span descriptors; tearing down a heap
 * that used a few pages must not read the rest (a zero page faulted in
 * per 4 KiB: 7680 faults). */
START_TEST(destroy_reads_only_the_descriptors_it_wrote)
{
	tc_heap h;
	tc_mcache c;
	few_pages_of_a_big_arena(&h, &c);
	ck_assert_ptr_nonnull(tc_heap_alloc_large(&h, 1 << 20, 0));
	tc_mcache_release_all(&c);
	long before = minor_faults();
	tc_heap_destroy(&h);
	ck_assert_int_lt(minor_faults() - before, 1000);
}
END_TEST

/* Whether minor_faults counts this program's own page faults: not under
 * ThreadSanitizer or valgrind (whose preloaded libraries say it runs). */
static bool counted_faults(void)
{
#if defined(__SANITIZE_THREAD__)
	return false;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
	return false;
#endif
#endif
	const char *pre = getenv("LD_PRELOAD");
	return !(pre && strstr(pre, "vgpreload"));
}

/* A span made at a page no span ever started at writes its descriptor
 * before it reads it.  The descriptors are reserved memory: a read
 * first maps the kernel's zero page, and the write after it copies that
 * page and sends the other CPUs a TLB flush, a second fault on that
 * 4 KiB of descriptors.  The count is set against a control: as much
 * fresh memory, written once per descriptor's length (so that a
 * sanitizer's shadow memory faults in alike on both sides).  The
 * metadata pool is warmed first; the page map's entries are fresh too.
 * Not counted under ThreadSanitizer, whose shadow takes several faults
 * per descriptor page on the heap's side (1622 against 1078), nor under
 * valgrind, where the heap's side took 176 faults to the control's 120
 * (a program that writes fresh pages first takes one fault per page there
 * as natively: the rest is valgrind's); both still run the allocations. */
START_TEST(fresh_descriptors_are_written_before_they_are_read)
{
	enum { N = 4096 };
	static tc_span *s[N];
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, (size_t)2 << 30, false, NULL), 0);
	for (int i = 0; i < N; i++)
		ck_assert_ptr_nonnull(s[i] = tc_heap_alloc_span(&h, 0, 1));
	for (int i = 0; i < N; i++)
		tc_heap_free_span(&h, s[i]);
	/* Pages [0, N) taken by one span: the next ones start at N, past
	 * every descriptor written so far. */
	ck_assert_ptr_nonnull(tc_heap_alloc_span(&h, 0, N));
	ck_assert_uint_eq(atomic_load(&h.frontier), N);
	long before = minor_faults();
	for (int i = 0; i < N; i++)
		s[i] = tc_heap_alloc_span(&h, 0, 1);
	long faults = minor_faults() - before;

	size_t bytes = N * sizeof(tc_span);
	tc_span *fresh = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			      0);
	ck_assert_ptr_ne(fresh, MAP_FAILED);
	before = minor_faults();
	for (int i = 0; i < N; i++)
		atomic_store_explicit(&fresh[i].seq, 2, memory_order_relaxed);
	long control = minor_faults() - before;
	munmap(fresh, bytes);

	for (int i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(s[i]);
		ck_assert_uint_eq(s[i]->page, (uint32_t)(N + i));
		ck_assert_uint_eq(s[i]->base,
				  h.arena + ((uintptr_t)(N + i) << TC_PAGE_SHIFT));
		ck_assert_uint_eq(atomic_load(&s[i]->seq), 2);
	}
	long map = (long)(N * sizeof(*h.spanof) / 4096);
	if (counted_faults()) {
		ck_assert_int_ge(control, (long)(bytes / 4096));
		ck_assert_int_le(faults, control + map + control / 10);
	}
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

/* The heap check reads descriptors and page-map entries below the
 * frontier only (above it they were never written, and reading them
 * would fault in a zero page per 4 KiB: some 8000 for a 2 GiB arena),
 * and still finds a page the bitmap says is in use without a span, below
 * the frontier or above it. */
START_TEST(heap_check_reads_only_below_the_frontier_and_finds_stray_pages)
{
	tc_heap h;
	tc_mcache c;
	few_pages_of_a_big_arena(&h, &c);
	tc_span *gap = tc_heap_alloc_span(&h, 0, 1);
	ck_assert_ptr_nonnull(gap);
	ck_assert_ptr_nonnull(tc_heap_alloc_large(&h, 1 << 20, 0));
	uint32_t hole = gap->page;
	tc_heap_free_span(&h, gap);
	long before = minor_faults();
	ck_assert_int_eq(tc_heap_check(&h), 0);
	ck_assert_int_lt(minor_faults() - before, 1000);

	uint32_t top = atomic_load(&h.frontier);
	uint32_t stray[2] = {hole, top + 1000};
	for (int k = 0; k < 2; k++) {
		uint32_t p = stray[k];
		h.freebits[p >> 6] &= ~((uint64_t)1 << (p & 63));
		ck_assert_int_gt(tc_heap_check(&h), 0);
		h.freebits[p >> 6] |= (uint64_t)1 << (p & 63);
	}
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_mcache_release_all(&c);
	tc_heap_destroy(&h);

	/* The bitmap's last word, part of it past the arena's end. */
	ck_assert_int_eq(tc_heap_init(&h, (1 << 20) + 3 * TC_PAGE_SIZE, false,
				      NULL),
			 0);
	uint32_t last = h.npages - 1;
	ck_assert_uint_ne(h.npages % 64, 0);
	ck_assert_int_eq(tc_heap_check(&h), 0);
	h.freebits[last >> 6] &= ~((uint64_t)1 << (last & 63));
	ck_assert_int_gt(tc_heap_check(&h), 0);
	h.freebits[last >> 6] |= (uint64_t)1 << (last & 63);
	tc_heap_destroy(&h);
}
END_TEST

START_TEST(bad_arena_sizes_are_refused)
{
	tc_heap h;
	const char *err = NULL;
	ck_assert_int_eq(tc_heap_init(&h, 1000, false, &err), TC_EINVAL);
	ck_assert_str_eq(err, "heap size must be between 1 MiB and 64 GiB");
	ck_assert_int_eq(tc_heap_init(&h, (size_t)128 << 30, false, &err),
			 TC_EINVAL);
}
END_TEST

typedef struct owner_arg {
	tc_heap *h;
	uint64_t id;
	int n;
	uint64_t **objs;
	uint64_t held, released; /* tc_mcache_read_allocs, before/after */
} owner_arg;

static void *owner_thread(void *arg)
{
	owner_arg *a = arg;
	tc_mcache c = {.heap = a->h};
	for (int i = 0; i < a->n; i++) {
		/* sizes 16, 32 and 48 mixed */
		uint64_t *p = alloc(&c, 16 * (size_t)(1 + i % 3), 0);
		if (!p)
			return NULL;
		p[0] = a->id;
		p[1] = (uint64_t)i;
		a->objs[i] = p;
	}
	uint64_t bytes = 0;
	tc_mcache_read_allocs(&c, &a->held, &bytes);
	tc_mcache_release_all(&c);
	tc_mcache_read_allocs(&c, &a->released, &bytes);
	return a;
}

START_TEST(threads_allocate_from_private_caches_without_overlap)
{
	tc_heap h;
	ck_assert_int_eq(tc_heap_init(&h, (size_t)512 << 20, false, NULL), 0);
	enum { T = 4 };
	int n = scale(1000000);
	pthread_t th[T];
	owner_arg args[T];
	for (int t = 0; t < T; t++) {
		args[t] = (owner_arg){&h, 0xab00 + (uint64_t)t, n,
				      calloc((size_t)n, sizeof(uint64_t *)), 0,
				      0};
		pthread_create(&th[t], NULL, owner_thread, &args[t]);
	}
	for (int t = 0; t < T; t++) {
		void *r;
		pthread_join(th[t], &r);
		ck_assert_ptr_nonnull(r);
	}
	long bad = 0;
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < n; i++)
			bad += args[t].objs[i][0] != 0xab00 + (uint64_t)t ||
			       args[t].objs[i][1] != (uint64_t)i;
		free(args[t].objs);
	}
	ck_assert_int_eq(bad, 0); /* no object handed to two owners */
	/* Each cache counted its own: with its spans held (read from their
	 * alloc bits) and after giving them back (summed as they went). */
	for (int t = 0; t < T; t++) {
		ck_assert_uint_eq(args[t].held, (uint64_t)n);
		ck_assert_uint_eq(args[t].released, (uint64_t)n);
	}
	ck_assert_uint_eq(atomic_load(&h.alloc_objects), 0); /* no large */
	ck_assert_int_eq(tc_heap_check(&h), 0);
	tc_heap_destroy(&h);
}
END_TEST

static Suite *heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = tcase_create("heap");
	tcase_add_test(tc, size_class_is_smallest_fitting_with_bounded_waste);
	tcase_add_test(tc, span_tail_waste_is_at_most_an_eighth);
	tcase_add_test(tc, object_index_by_multiplication_matches_division);
	tcase_add_test(
		tc, info_words_keep_pointer_counts_and_scan_flags_in_both_widths);
	tcase_add_loop_test(
		tc, sweep_frees_unmarked_keeps_marked_and_slots_are_reused, 0, 2);
	tcase_add_test(tc, empty_spans_return_their_pages_but_a_few_per_class);
	tcase_add_test(tc, background_sweep_takes_batches_of_one_class);
	tcase_add_test(tc, large_objects_get_their_own_span_and_coalesce_back);
	tcase_add_test(tc, page_runs_are_first_fit_across_short_holes);
	tcase_add_test(tc,
		       a_refill_files_the_full_span_and_the_ones_it_swept_full);
	tcase_add_test(tc,
		       allocating_black_survives_sweep_and_free_slots_stay_free);
	tcase_add_test(tc, mark_words_agree_with_each_objects_flags);
	tcase_add_test(tc, exhaustion_returns_null_and_never_writes_outside);
	tcase_add_test(tc, destroy_reads_only_the_descriptors_it_wrote);
	tcase_add_test(tc, fresh_descriptors_are_written_before_they_are_read);
	tcase_add_test(
		tc, heap_check_reads_only_below_the_frontier_and_finds_stray_pages);
	tcase_add_test(tc, bad_arena_sizes_are_refused);
	tcase_add_test(tc, huge_pages_hand_out_only_populated_pages);
	tcase_add_test(tc, threads_allocate_from_private_caches_without_overlap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(heap_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
