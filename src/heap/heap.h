/*
 * heap.h - the heap: arena, pages, spans, size classes and the metadata the
 * collector colors objects with.  Modelled on Go's mheap / mcentral /
 * mcache / mspan.
 *
 *   arena   one mmap'd reservation, cut into 8 KiB pages.  Nothing is ever
 *           written outside it.
 *   page    the page heap hands out runs of pages under heap->lock, from a
 *           free-page bitmap (free runs coalesce by construction).
 *   span    a run of pages holding objects of one size class (class 0: one
 *           large object).  A span is named by its first page; its
 *           descriptor lives at heap->spans[first page] for its whole life,
 *           so descriptors never move and observers can read them.
 *   mcentral per class, lists of spans with free slots ("partial") and
 *           without ("full"), each in two generations: swept and unswept
 *           (see "Sweep generations" below).  Under a per-class lock.
 *   mcache  per mutator thread: one span per class to allocate from, with no
 *           lock and no atomic read-modify-write on the fast path (which
 *           is inline in tricolor.h's tc_alloc, over the cache's cursor).
 *
 * Per span, one bit per object in an alloc bitmap and one info word per
 * object (one or two bytes, TC_INFO8_MAX_SIZE):
 *   alloc   the slot holds an object (set by the owning mcache; rebuilt by
 *           sweep as "allocated and marked");
 *   info    the object's pointer-word count (scanning is precise: its
 *           first nptrs words are pointers and the rest is never looked
 *           at), its mark flag and its scan flag.
 * Both flags are read against the span's cycle parity, bit 1 of its
 * sweepgen (tc_span_black): a flag equal to it means "marked" (or
 * "scanned") this cycle.  Every mark termination flips the parity (sweep
 * moves each span to the next sweepgen), so what was black last cycle
 * reads white in the next one without anybody clearing a bit: sweep only
 * reads the flags, and objects allocated between cycles are written
 * white for the coming one.
 *
 * Why flags in a byte per object, not mark bits in a shared bitmap: the
 * byte is the marker's only access to the object's metadata (it needs the
 * pointer count anyway), and a byte can be written with a plain store
 * without touching its neighbours, where a bit in a shared word needs an
 * atomic read-modify-write.  Shading (white -> grey) is therefore a load
 * and a store, not a locked instruction (perf put the `lock or` at half of
 * the shade path; mark.c has the measurement).  Two markers racing for the
 * same white object may both see it white and both queue it; each then
 * scans it, which is harmless since scanning only shades (Boehm's
 * collector uses mark bytes for its parallel marker for the same reason).
 * Whoever stores last, the object ends black: every marker that queued it
 * scans it and stores "marked and scanned".
 * An object's color is derived from the flags, never stored separately:
 *   free = !alloc, white = alloc & !marked, grey = marked & !scanned,
 *   black = marked & scanned.
 * Objects allocated during the mark phase are born marked and scanned
 * ("allocate black"): the allocation writes the info word with both flags,
 * so it costs nothing more than a white allocation.
 *
 * Sweep generations (as in Go's mgcsweep.go): heap->sweepgen grows by 2 at
 * every mark termination.  A span with sweepgen == sg-2 needs sweeping,
 * sg-1 is being swept (claimed by CAS), sg is swept.  The mcentral lists are
 * indexed by sweepgen parity, so bumping sweepgen turns every "swept" list
 * into an "unswept" one in O(1).  A mutator never allocates from an unswept
 * span: mcentral sweeps a span before handing it out.
 *
 * Concurrency summary (who writes / who reads / what orders it):
 *   - span identity fields (npages, sizeclass, elemsize, nelems, divmul)
 *     change only under heap->lock when a span is made or freed, inside a
 *     seqlock (span->seq) that observers use; they are relaxed atomics so
 *     racing observers are well defined.  Markers reach a span only through
 *     a pointer to a live object, which was published (release store in
 *     tc_write, or a stop-the-world) after the span was made.
 *   - alloc bits: written by the single owner (the mcache holding the span,
 *     or the sweeper that claimed it), read by observers: relaxed atomics.
 *   - info words: written by the allocating owner for a free slot, and by
 *     markers for an allocated one (relaxed atomic loads and stores: a
 *     marker never reaches a free slot, as no pointer leads there, so the
 *     two never meet; the grey queue hands objects over with locks or
 *     release stores); read by markers, the sweeper (after mark
 *     termination's stop-the-world) and observers.
 */
#ifndef TRICOLOR_HEAP_H
#define TRICOLOR_HEAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tricolor.h"

#define TC_PAGE_SHIFT 13
#define TC_PAGE_SIZE ((size_t)1 << TC_PAGE_SHIFT)
#define TC_MAX_CLASSES 96  /* upper bound on tc_nclasses */
_Static_assert(TC_MAX_CLASSES == TC_NCLASSES_MAX_,
	       "tricolor.h sizes the cursor array");
#define TC_MAX_SPAN_OBJS 1024 /* 8 KiB / 8 B */
#define TC_MIN_HEAP ((size_t)1 << 20)
#define TC_MAX_HEAP ((size_t)64 << 30)
#define TC_POISON 0xdeadbeefdeadbeefULL

/* ---- size classes (sizeclass.c) ---- */

typedef struct tc_sizeclass {
	uint32_t size;   /* object size in bytes */
	uint32_t npages; /* pages per span */
	uint32_t nelems; /* objects per span */
	uint32_t divmul; /* offset * divmul >> 32 == offset / size */
} tc_sizeclass;

extern int tc_nclasses; /* classes 1..tc_nclasses-1 are small; 0 = large */
extern tc_sizeclass tc_classes[TC_MAX_CLASSES];
extern uint8_t tc_class_by8[1024 / 8 + 1];
extern uint8_t tc_class_by128[(TC_MAX_SMALL - 1024) / 128 + 1];
void tc_sizeclass_init(void);

/* The class of a small request, 0 if > TC_MAX_SMALL (two table loads). */
static inline int tc_size_to_class(size_t bytes)
{
	if (bytes <= 1024)
		return tc_class_by8[(bytes + 7) / 8];
	if (bytes <= TC_MAX_SMALL)
		return tc_class_by128[(bytes - 1024 + 127) / 128];
	return 0;
}

/* ---- spans ---- */

/* An object's info word (see the header comment), as the accessors below
 * return it: pointer count in the low bits, then the mark and scan flags.
 * Stored in one byte (count in bits 0-5, flags in bits 6 and 7) for
 * objects of up to 63 words, the classes that have many objects per span,
 * and in two bytes for bigger ones: binary-trees' 24-byte nodes then carry
 * 4% of metadata for it, not 8%. */
#define TC_INFO_NPTRS 0x3fffu
#define TC_INFO_MARKED 0x4000u
#define TC_INFO_SCANNED 0x8000u
#define TC_INFO_FLAGS (TC_INFO_MARKED | TC_INFO_SCANNED)
#define TC_INFO8_MAX_SIZE (63 * 8)
/* The one-byte form, for code that works on the byte itself (marking). */
#define TC_INFO8_NPTRS 0x3fu
#define TC_INFO8_MARKED 0x40u
#define TC_INFO8_SCANNED 0x80u
#define TC_INFO8_FLAGS (TC_INFO8_MARKED | TC_INFO8_SCANNED)
_Static_assert(TC_INFO8_MARKED << 8 == TC_INFO_MARKED &&
		       TC_INFO8_SCANNED << 8 == TC_INFO_SCANNED,
	       "the one-byte form keeps the flags in the same order");
_Static_assert(TC_ALLOC_INLINE_MAX_ <= TC_INFO8_MAX_SIZE,
	       "tc_alloc's inline path stores one-byte info words");

enum {
	TC_SPAN_FREE = 0, /* no span starts here */
	TC_SPAN_INUSE = 1,
};

/* Which list a span is on (for assertions and observers). */
enum {
	TC_LIST_NONE = 0, /* cached, being swept, or free */
	TC_LIST_PARTIAL,
	TC_LIST_FULL,
};

typedef struct tc_span tc_span;
struct tc_span {
	/* Identity: see the seqlock rule in the header comment. */
	_Atomic uint32_t seq;
	_Atomic uint32_t state;
	_Atomic uint32_t npages;
	_Atomic uint32_t sizeclass;
	_Atomic uint32_t elemsize;
	_Atomic uint32_t nelems;
	_Atomic uint32_t divmul;
	_Atomic uint32_t large_nptrs; /* class 0: pointer words */
	/* Index and address of the first page: set when a span first starts
	 * here (under heap->lock, inside the seqlock), constant after. */
	uint32_t page;
	uintptr_t base;

	/* Sweep state: sweepgen is CAS-claimed by sweepers.  nalloc is the
	 * number of allocated objects, written by the owner when it gives the
	 * span up (uncache, sweep); while cached it is stale, and readers
	 * count the alloc bits instead (tc_span_count_alloc). */
	_Atomic uint32_t sweepgen;
	_Atomic uint32_t nalloc;
	_Atomic uint32_t cached; /* 1 while owned by an mcache */
	/* The sweepgen of the last mark phase that marked an object here
	 * (Go's pageMarks): markers store it, plain and relaxed, when it
	 * differs (racing markers store the same value).  A span whose
	 * objects nobody marked is freed whole by sweep without reading a
	 * flag. */
	_Atomic uint32_t markgen;

	/* Free slots may hold old bytes (sweep does not clear what it
	 * frees; pages given back to the kernel come back zero): the
	 * allocation cursor zeroes what it hands out.  Written by whoever
	 * owns the span (maker, sweeper), copied into the cursor when a
	 * cache takes it. */
	bool needzero;

	/* Metadata block: alloc bitmap and info words.  Recycled per class,
	 * never freed while the heap lives, so a racing observer reads valid
	 * memory. */
	_Atomic(uint64_t) *allocbits;
	void *info; /* one or two bytes per object: tc_span_info_get */
	void *meta;

	/* mcentral list links: under the class's central lock. */
	tc_span *next, *prev;
	int list;
	int listgen; /* index into partial[]/full[] */
};

typedef struct tc_spanlist {
	tc_span *head;
	size_t n;
} tc_spanlist;

typedef struct tc_mcentral {
	pthread_mutex_t lock;
	tc_spanlist partial[2]; /* [sg/2%2] swept, [1-sg/2%2] unswept */
	tc_spanlist full[2];
} tc_mcentral;

typedef struct tc_heap {
	uintptr_t arena;
	size_t arena_bytes;
	uint32_t npages;
	tc_span *spans;            /* npages descriptors, by first page */
	_Atomic(tc_span *) *spanof; /* npages: page -> span, NULL if free */

	pthread_mutex_t lock;      /* page bitmap, metadata pools */
	uint64_t *freebits;        /* 1 = page free */
	uint64_t *dirtybits;       /* 1 = page was used before */
	uint32_t hint;             /* no free page below this */
	void *metapool[TC_MAX_CLASSES];

	tc_mcentral central[TC_MAX_CLASSES];

	/* Counters (relaxed atomics; writers noted). */
	_Atomic uint64_t pages_inuse;   /* under lock; read anywhere */
	_Atomic uint64_t pages_peak;
	_Atomic uint64_t nspans;        /* spans in use */
	_Atomic uint64_t heap_live;     /* bytes handed to caches + large */
	_Atomic uint64_t alloc_bytes;   /* large objects; small ones are */
	_Atomic uint64_t alloc_objects; /* each tc_mcache's (read_allocs) */
	_Atomic uint64_t freed_bytes;   /* by sweep */
	_Atomic uint64_t freed_objects;
	_Atomic uint64_t black_large;   /* bytes allocated black this cycle
					 * outside any live cache: large
					 * objects, detached mutators */

	/* GC interface. */
	_Atomic uint32_t sweepgen;      /* written at STW only */
	_Atomic uint32_t allocblack;    /* 1 during mark: written at STW */
	_Atomic int64_t nunswept;       /* spans left to sweep this cycle */
	_Atomic int32_t sweep_cls;      /* no unswept span in a class below
					 * this one: reset at the flip */
	bool poison;                    /* constant */

	/* Huge pages and the populated limit (tc_heap_use_hugepages).
	 * frontier: one past the highest page ever handed out (written under
	 * lock).  populated: no page at or above it is handed out; it only
	 * grows, under populate_lock, over steps whose pages were populated.
	 * claimed: steps below it are taken by a populating mutator;
	 * stepdone: which of them are done (both under populate_lock). */
	bool hugepages;                 /* constant once set */
	bool populate;                  /* constant once set */
	_Atomic uint32_t frontier;
	_Atomic uint32_t populated;
	uint32_t claimed;
	uint8_t *stepdone;
	pthread_mutex_t populate_lock;
	pthread_cond_t populate_cond;   /* populated grew */
	void *map;                      /* the arena's mapping, for munmap */
	size_t map_bytes;
} tc_heap;

/* Per-thread allocation cache: one span per class, and the allocation
 * cursor over it (tc_alloc_cursor_, in tricolor.h, because tc_alloc's
 * inline fast path works on it).  The cursor is the owner's: it caches
 * the span's free slots word by word, so the span itself holds no
 * allocation state (Go keeps freeindex and allocCache in the mspan; a
 * span here is only ever allocated from through one cache at a time, and
 * starts again from slot 0 when cached anew).  An empty cursor (cache 0,
 * no span) sends the fast path out of line, to a refill. */
typedef struct tc_mcache {
	tc_alloc_cursor_ cur[TC_MAX_CLASSES];
	/* The cached span of each class and its nalloc when cached: stored
	 * with relaxed atomics, for tc_mcache_read_allocs. */
	tc_span *alloc[TC_MAX_CLASSES];
	uint32_t start_nalloc[TC_MAX_CLASSES];
	uint64_t black_bytes; /* allocated black this cycle (owner; read by
			       * the collector with the world stopped) */
	tc_heap *heap;
	/* What this cache has allocated, for observers: the spans it gave up
	 * are summed here as they go (what each held beyond start_nalloc);
	 * the ones it holds are counted from their alloc bits, which the
	 * allocation sets as it goes.  (Go's mcache counts a span's free
	 * slots as allocated when it takes the span and gives back the
	 * unused ones when it lets it go; counting at the release alone, a
	 * slow mutator here showed nothing allocated until its span
	 * filled.)  The writer (the owner, or whoever holds the
	 * world stopped) changes a span and these sums together inside an
	 * odd obs_seq, a seqlock, so that a reader adds up one state of the
	 * cache.  Never reset: a cache's sums only grow. */
	_Atomic uint32_t obs_seq;
	_Atomic uint64_t done_objects, done_bytes;
} tc_mcache;

/* Reserve the arena (bytes rounded up to pages).  Returns 0, or TC_EINVAL
 * with *err set for a bad size, TC_ENOMEM if the reservation fails. */
int tc_heap_init(tc_heap *h, size_t bytes, bool poison, const char **err);
void tc_heap_destroy(tc_heap *h);

/* Transparent huge pages for the arena, and why the heap then populates
 * its memory ahead of use.
 *
 * With 4 KiB pages, marking a heap of a gigabyte misses the TLB on
 * nearly every object.  With 2 MiB pages pausebench's mark rate at 1 GiB
 * went up by 60 to 90 %, and binary-trees' peak heap at depth 20 fell by
 * a tenth (a shorter mark is less black allocation, so a smaller next
 * goal), for 5 to 10 % more wall time with four workers on two CPUs
 * (docs/benchmarks.md has the runs).
 * The cost is the first touch: one fault zeroes 2 MiB, and on the
 * virtual machines measured here, which back guest memory only as it is
 * touched, that took 2 to 5 ms.  (Those guests hand free blocks of 2 MiB
 * and up back to the host once they have been free a while, so a huge
 * page is nearly always one the host must back again; 4 KiB pages mostly
 * come from smaller blocks, never handed back.  A process that starts right
 * after another has freed its huge pages takes those, and spends about
 * a quarter of the system time: docs/benchmarks.md, twenty-sixth
 * session.)  A mutator inside such a fault cannot reach its safepoint,
 * so a stop-the-world would wait for it.
 *
 * So with huge pages the heap never hands out a page it has not
 * populated: `populated` is a limit for the page allocator, and a
 * mutator that finds the frontier within a step (2 MiB) of it, or whose
 * allocation failed against it, parks (tc_park, as a goroutine entering
 * a system call leaves its P, so that no stop-the-world waits for it)
 * and calls tc_heap_populate, which claims the next steps and writes
 * one byte into each: one fault per huge page (or per 4 KiB page where
 * the kernel falls back to those: the rest of such a step then faults
 * as it is used, 4 KiB at a time, as without huge pages).  Pages given
 * back to the heap stay mapped (no MADV_DONTNEED, which would split a
 * huge page and put a fault back in some mutator's way).
 *
 * tc_heap_use_hugepages must be called before the first allocation; it
 * returns false, and changes nothing, if the kernel has no transparent
 * huge pages or refuses them.  tc_heap_populate_needed: whether an
 * allocation of `need` bytes should populate first (a relaxed check,
 * cheap enough for every refill).  tc_heap_populate: populate up to a
 * step past what the frontier plus `need` asks for, and wait for steps
 * other mutators are populating below that; the caller holds no heap
 * lock and must be parked. */
bool tc_heap_use_hugepages(tc_heap *h);
bool tc_heap_populate_needed(tc_heap *h, size_t need);
void tc_heap_populate(tc_heap *h, size_t need);

/* Small allocation from c's span for `cls`.  Returns NULL if the cached
 * span is full (then call tc_mcache_refill).  `black`: the collector is
 * marking (heap->allocblack), so the new object is born black; callers
 * pass a constant so that the common case compiles without the test. */
static inline __attribute__((always_inline)) void *
tc_mcache_alloc_fast(tc_mcache *c, int cls, uint32_t nptrs, bool black);
/* Replace c's span for cls with one that has a free slot.  Returns false
 * if the page heap is exhausted. */
bool tc_mcache_refill(tc_mcache *c, int cls);
/* Large object: its own span.  NULL if no run of pages is free. */
void *tc_heap_alloc_large(tc_heap *h, size_t bytes, uint32_t nptrs);
/* Give every cached span back to mcentral (at STW, or on detach). */
void tc_mcache_release_all(tc_mcache *c);
/* Add what cache c has allocated, objects and bytes, to *objects and
 * *bytes: exact at one instant of the cache, read from any thread while
 * its owner allocates.  (If the writer stays inside its window past a
 * few hundred tries, the spans it holds are left out of that read.) */
void tc_mcache_read_allocs(tc_mcache *c, uint64_t *objects,
                           uint64_t *bytes);

/* Sweeping.  tc_heap_sweep_some claims and sweeps up to `max` (at most
 * TC_SWEEP_BATCH) unswept spans of one class and returns how many, or 0
 * when none is left on the lists (claimed ones may still be in progress
 * elsewhere: see nunswept).  The spans of a batch are filed on their
 * swept lists together, after the last is swept. */
#define TC_SWEEP_BATCH 8
int tc_heap_sweep_some(tc_heap *h, int max);
/* Sweep a claimed span: free unmarked objects (alloc bits become
 * "allocated and marked"; the flags are left for the parity flip to turn
 * white).  Returns the objects still allocated.
 * If it returns 0 and `release` is set, the span's pages are given back. */
uint32_t tc_span_sweep(tc_heap *h, tc_span *s, bool release);
/* Advance the sweep generation (at mark termination, world stopped; every
 * mcache already released).  All spans become unswept. */
void tc_heap_flip_sweepgen(tc_heap *h);

/* Make a span of npages for class cls (0: a large object); NULL when no
 * run of pages is free.  Give one back (on no list, unowned). */
tc_span *tc_heap_alloc_span(tc_heap *h, int cls, uint32_t npages);
void tc_heap_free_span(tc_heap *h, tc_span *s);

/* Lookups.  tc_spanof_ takes the three fields of the heap it reads, so
 * that the marker can keep them in registers (mark.c). */
static inline tc_span *tc_spanof_(uintptr_t arena, size_t arena_bytes,
				  _Atomic(tc_span *) *spanof, uintptr_t p)
{
	uintptr_t off = p - arena;
	if (off >= arena_bytes)
		return NULL;
	return atomic_load_explicit(&spanof[off >> TC_PAGE_SHIFT],
				    memory_order_relaxed);
}

static inline tc_span *tc_heap_spanof(const tc_heap *h, uintptr_t p)
{
	return tc_spanof_(h->arena, h->arena_bytes, h->spanof, p);
}

static inline uint32_t tc_span_slot(const tc_span *s, uintptr_t p)
{
	uint64_t off = p - s->base;
	uint32_t dm = atomic_load_explicit(&s->divmul, memory_order_relaxed);
	return (uint32_t)((off * dm) >> 32);
}

static inline uintptr_t tc_span_objaddr(const tc_span *s, uint32_t slot)
{
	return s->base +
	       (uintptr_t)slot *
		       atomic_load_explicit(&s->elemsize, memory_order_relaxed);
}

static inline bool tc_bit_test(_Atomic(uint64_t) *bits, uint32_t i)
{
	return (atomic_load_explicit(&bits[i >> 6], memory_order_relaxed) >>
		(i & 63)) &
	       1;
}

/* The flags that mean "marked and scanned" - black - in the cycle of a
 * span whose sweepgen is `sg`: both set or both clear, by its parity.
 * The other values: white = black ^ TC_INFO_FLAGS, grey = black ^
 * TC_INFO_SCANNED.  tc_black8 gives them in the one-byte form (marking
 * works on the byte itself), tc_span_black in the two-byte form. */
static inline uint32_t tc_black8(uint32_t sg)
{
	return (sg & 2) ? TC_INFO8_FLAGS : 0;
}

static inline uint16_t tc_span_black(const tc_span *s)
{
	return (uint16_t)(tc_black8(atomic_load_explicit(
				  &s->sweepgen, memory_order_relaxed))
			  << 8);
}

/* Whether info word `info` says marked (or scanned), given the span's
 * black flags `black`. */
static inline bool tc_info_marked(uint16_t info, uint16_t black)
{
	return !((info ^ black) & TC_INFO_MARKED);
}

static inline bool tc_info_scanned(uint16_t info, uint16_t black)
{
	return !((info ^ black) & TC_INFO_SCANNED);
}

/* Pointer words of an object, from its info word `info`. */
static inline uint32_t tc_span_nptrs_of(const tc_span *s, uint16_t info)
{
	if (atomic_load_explicit(&s->sizeclass, memory_order_relaxed) == 0)
		return atomic_load_explicit(&s->large_nptrs,
					    memory_order_relaxed);
	return info & TC_INFO_NPTRS;
}

/* Load and store an info word in the array `info` of a span whose
 * objects are `elemsize` bytes (observers pass what they loaded). */
static inline uint16_t tc_info_load(const void *info, uint32_t elemsize,
				    uint32_t slot)
{
	if (elemsize <= TC_INFO8_MAX_SIZE) {
		uint8_t b = atomic_load_explicit(
			&((_Atomic(uint8_t) *)info)[slot], memory_order_relaxed);
		return (uint16_t)((b & TC_INFO8_NPTRS) |
				  ((b & TC_INFO8_FLAGS) << 8));
	}
	return atomic_load_explicit(&((_Atomic(uint16_t) *)info)[slot],
				    memory_order_relaxed);
}

static inline void tc_info_store(void *info, uint32_t elemsize, uint32_t slot,
				 uint16_t v)
{
	if (elemsize <= TC_INFO8_MAX_SIZE)
		atomic_store_explicit(&((_Atomic(uint8_t) *)info)[slot],
				      (uint8_t)((v & TC_INFO8_NPTRS) |
						((v >> 8) & TC_INFO8_FLAGS)),
				      memory_order_relaxed);
	else
		atomic_store_explicit(&((_Atomic(uint16_t) *)info)[slot], v,
				      memory_order_relaxed);
}

/* Bytes of info words for a span of `nelems` objects of `elemsize`. */
static inline size_t tc_info_bytes(uint32_t elemsize, uint32_t nelems)
{
	return (size_t)nelems * (elemsize <= TC_INFO8_MAX_SIZE ? 1 : 2);
}

/* Bytes of a span's metadata past its pool link word: the alloc bitmap,
 * then the info words (pageheap.c lays the block out). */
static inline size_t tc_span_meta_bytes(uint32_t elemsize, uint32_t nelems)
{
	return (size_t)(nelems + 63) / 64 * 8 + tc_info_bytes(elemsize, nelems);
}

static inline uint16_t tc_span_info_get(const tc_span *s, uint32_t slot)
{
	return tc_info_load(s->info,
			    atomic_load_explicit(&s->elemsize,
						 memory_order_relaxed),
			    slot);
}

static inline uint32_t tc_span_nptrs(const tc_span *s, uint32_t slot)
{
	return tc_span_nptrs_of(s, tc_span_info_get(s, slot));
}

/* Whether an object is marked (scanned) this cycle. */
static inline bool tc_span_marked(const tc_span *s, uint32_t slot)
{
	return tc_info_marked(tc_span_info_get(s, slot), tc_span_black(s));
}

static inline bool tc_span_scanned(const tc_span *s, uint32_t slot)
{
	return tc_info_scanned(tc_span_info_get(s, slot), tc_span_black(s));
}

/* Set an object's flags to `flags` (a combination of TC_INFO_MARKED and
 * TC_INFO_SCANNED, usually from tc_span_black), keeping its pointer count
 * from `info`.  Called by markers (see the header comment for why racing
 * markers may), the allocating owner, or with the world stopped. */
static inline void tc_span_set_flags(tc_span *s, uint32_t slot, uint16_t info,
				     uint16_t flags)
{
	tc_info_store(s->info,
		      atomic_load_explicit(&s->elemsize, memory_order_relaxed),
		      slot, (uint16_t)((info & TC_INFO_NPTRS) | flags));
}

/* Record that an object of s was marked this cycle (see markgen); `sg`
 * is the span's sweepgen, for a caller that has loaded it already. */
static inline void tc_span_note_mark_at(tc_span *s, uint32_t sg)
{
	if (atomic_load_explicit(&s->markgen, memory_order_relaxed) != sg)
		atomic_store_explicit(&s->markgen, sg, memory_order_relaxed);
}

static inline void tc_span_note_mark(tc_span *s)
{
	tc_span_note_mark_at(
		s, atomic_load_explicit(&s->sweepgen, memory_order_relaxed));
}

/* The mark flags of 64 objects from slot `first` (up to nelems) as a
 * bitmap: bit i set if object first+i is marked this cycle (black is
 * tc_span_black of the span's cycle). */
uint64_t tc_span_mark_word(const tc_span *s, uint32_t first, uint32_t nelems,
			   uint16_t black);

/* Allocated objects of a span, counted from alloc bits `ab` (the span's,
 * or a copy of the pointer an observer loaded). */
uint32_t tc_span_count_alloc(tc_span *s, _Atomic(uint64_t) *ab);
/* Tests set this (before any heap is used) to take the portable population
 * count where the CPU has POPCNT (mcentral.c). */
extern _Atomic bool tc_heap_no_popcnt;

/* Color of one object, from its alloc bit and flags (relaxed loads). */
tc_color tc_span_color(tc_span *s, uint32_t slot);

/* Consistency check of all spans (world stopped): page accounting adds up,
 * nalloc matches the alloc bits of uncached spans, and no allocated object
 * reads scanned but unmarked.
 * Returns 0 or the number of problems, each described on stderr. */
int tc_heap_check(tc_heap *h);

/* ---- the fast path, inline ---- */

/* Store zero (or any word) with relaxed atomics: observers may read object
 * words concurrently, and plain stores would be data races. */
static inline void tc_words_fill(uintptr_t p, size_t bytes, uint64_t v)
{
	_Atomic(uint64_t) *w = (_Atomic(uint64_t) *)p;
	for (size_t i = 0; i < bytes / 8; i++)
		atomic_store_explicit(&w[i], v, memory_order_relaxed);
}

static inline __attribute__((always_inline)) void *
tc_mcache_alloc_fast(tc_mcache *c, int cls, uint32_t nptrs, bool black)
{
	tc_span *s = c->alloc[cls];
	if (s == NULL)
		return NULL;
	tc_alloc_cursor_ *k = &c->cur[cls];
	uint64_t cache = k->cache;
	if (cache == 0) {
		/* Refill the cache from the next word with a free slot; the
		 * bits past the span's last slot are masked off, so that the
		 * cache only ever names real slots (the inline path does not
		 * check). */
		uint32_t nelems = tc_classes[cls].nelems;
		uint32_t fi = (k->index + 63) & ~63u;
		for (;;) {
			if (fi >= nelems) {
				k->index = nelems;
				return NULL;
			}
			cache = ~atomic_load_explicit(&s->allocbits[fi >> 6],
						      memory_order_relaxed);
			if (nelems - fi < 64)
				cache &= ((uint64_t)1 << (nelems - fi)) - 1;
			if (cache)
				break;
			fi += 64;
		}
		k->index = fi;
	}
	uint32_t slot;
	uintptr_t p = tc_cursor_take_(k, cache, k->size, &slot);
	if (black && __builtin_expect(!k->black, 0)) {
		k->flags = (uint8_t)(tc_span_black(s) >> 8);
		k->black = 1;
		tc_span_note_mark(s);
	}
	uint32_t size = k->size;
	tc_info_store(s->info, size, slot,
		      (uint16_t)(nptrs | (uint16_t)k->flags << 8));
	/* Allocate black: the new object is reachable only from the
	 * allocating (already scanned or soon scanned) stack, and holds no
	 * pointers yet, so it needs no scan this cycle.  The info word
	 * stored above carries the flags: the span's first black allocation
	 * switched the cursor's flags to black. */
	if (black)
		c->black_bytes += size;
	return (void *)p;
}

#endif /* TRICOLOR_HEAP_H */
