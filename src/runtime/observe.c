/*
 * observe.c - the public control and read-only observation calls: stats,
 * phase, spans and object colors, object descriptions, stack snapshots,
 * collector control (GOGC, barrier, pause, step, forced collection).
 *
 * Every read here is lock-free and never makes a mutator or the collector
 * wait: span identities are read under their seqlock, bitmaps and fields
 * with relaxed atomic loads, stacks under their seqlock with a bounded
 * number of retries.  Mutator descriptors are recycled, never freed while
 * the runtime lives, so a racing reader always reads valid memory and
 * checks the mutator's id to know whether it is still the one it wanted.
 */
#include "config.h"

#include <string.h>

#include "runtime/runtime.h"
#include "util.h"


/* ---- control ---- */

uint64_t tc_gc(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	if (!rt->gc.running)
		return atomic_load(&rt->gc.cycles_done);
	tc_park(m);
	uint64_t n = tc_gc_wait_full(&rt->gc);
	tc_unpark(m);
	return n;
}

void tc_gc_request(tc_runtime *rt)
{
	tc_gc_trigger(&rt->gc, true);
}

void tc_set_gogc(tc_runtime *rt, int gogc)
{
	if (gogc < TC_GOGC_OFF)
		gogc = TC_GOGC_OFF;
	tc_set_gogc_gc(&rt->gc, gogc);
}

int tc_get_gogc(tc_runtime *rt)
{
	return atomic_load(&rt->gc.gogc);
}

void tc_set_barrier(tc_runtime *rt, tc_barrier_mode mode)
{
	if ((unsigned)mode >= TC_BARRIER_NMODES)
		return;
	atomic_store(&rt->gc.barrier, mode);
	if (mode != TC_BARRIER_HYBRID) /* this cycle gets verified */
		atomic_store(&rt->gc.weak_barrier, 1);
}

tc_barrier_mode tc_get_barrier(tc_runtime *rt)
{
	return (tc_barrier_mode)atomic_load(&rt->gc.barrier);
}

void tc_gc_set_paused(tc_runtime *rt, bool paused)
{
	tc_gc_pause(&rt->gc, paused);
}

bool tc_gc_paused(tc_runtime *rt)
{
	return atomic_load(&rt->gc.paused);
}

int tc_gc_step(tc_runtime *rt, tc_step_kind kind)
{
	if (kind != TC_STEP_OBJECT && kind != TC_STEP_PHASE)
		return TC_EINVAL;
	return tc_gc_step_wait(&rt->gc, kind);
}

/* ---- reading ---- */

tc_phase tc_get_phase(tc_runtime *rt)
{
	return (tc_phase)atomic_load_explicit(&rt->gc.phase,
					      memory_order_acquire);
}

void tc_read_stats(tc_runtime *rt, tc_stats *st)
{
	tc_gc_read_stats(&rt->gc, st);
	st->procs = rt->nprocs;
	st->preemptions = atomic_load_explicit(&rt->preemptions,
					       memory_order_relaxed);
	st->stw_nudges = atomic_load_explicit(&rt->nudges, memory_order_relaxed);
	st->stw_handoffs = atomic_load_explicit(&rt->stw_handoffs,
						memory_order_relaxed);
	/* Small objects are counted in each mutator's allocation cache, the
	 * ones its spans hold now included (heap.h, tc_mcache): a mutator
	 * that allocates slowly shows what it allocated, not 0 until its
	 * span fills.  Each cache is read at one instant of its own. */
	int nall = atomic_load_explicit(&rt->nall, memory_order_acquire);
	for (int i = 0; i < nall; i++)
		tc_mcache_read_allocs(&rt->mall[i]->g.cache,
				      &st->alloc_objects, &st->alloc_bytes);
	/* Grey work held in mutators' private buffers counts too. */
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (m)
			st->grey_objects += atomic_load_explicit(
				&m->g.work.nlocal, memory_order_relaxed);
	}
}

int tc_last_cycle(tc_runtime *rt, tc_cycle_info *out)
{
	return tc_gc_last_cycle(&rt->gc, out);
}

size_t tc_recent_shades(tc_runtime *rt, uint64_t *since, tc_objid *ids,
			size_t max)
{
	return tc_gc_recent_shades(&rt->gc, since, ids, max);
}

size_t tc_heap_npages(tc_runtime *rt)
{
	return rt->heap.npages;
}

size_t tc_heap_page_size(void)
{
	return TC_PAGE_SIZE;
}

/* Observers derive a span's first page and address from the descriptor's
 * place in the array instead of reading its page/base fields, which the
 * span's first birth writes without synchronising with them. */
static uint32_t span_page(const tc_heap *h, const tc_span *s)
{
	return (uint32_t)(s - h->spans);
}

static uintptr_t span_base(const tc_heap *h, const tc_span *s)
{
	return h->arena + ((uintptr_t)span_page(h, s) << TC_PAGE_SHIFT);
}

int tc_object_id(tc_runtime *rt, const void *p, tc_objid *id)
{
	tc_heap *h = &rt->heap;
	tc_span *s = tc_heap_spanof(h, (uintptr_t)p);
	if (!s)
		return -1;
	uint64_t off = (uintptr_t)p - span_base(h, s);
	uint32_t dm = atomic_load_explicit(&s->divmul, memory_order_relaxed);
	uint32_t slot = (uint32_t)((off * dm) >> 32);
	if (slot >= atomic_load_explicit(&s->nelems, memory_order_relaxed))
		return -1;
	id->page = span_page(h, s);
	id->slot = slot;
	return 0;
}

/* A span's metadata pointers as an observer loads them: atomically, since
 * a span can be reborn (and its metadata swapped) while it reads.  The
 * span's seqlock tells whether what was read belongs to one life. */
typedef struct span_bits {
	_Atomic(uint64_t) *alloc;
	void *info;
	uint16_t black; /* the info flags that mean black (tc_span_black) */
} span_bits;

static void load_bits(tc_span *s, span_bits *b)
{
	b->alloc = __atomic_load_n(&s->allocbits, __ATOMIC_RELAXED);
	b->info = __atomic_load_n(&s->info, __ATOMIC_RELAXED);
	b->black = tc_span_black(s);
}

/* An allocated object's color from its info word. */
static uint8_t info_color(uint16_t info, uint16_t black)
{
	if (!tc_info_marked(info, black))
		return TC_WHITE;
	return tc_info_scanned(info, black) ? TC_BLACK : TC_GREY;
}

size_t tc_heap_span(tc_runtime *rt, uint32_t page, tc_span_info *info,
		    uint8_t *colors, size_t max)
{
	tc_heap *h = &rt->heap;
	memset(info, 0, sizeof *info);
	if (page >= h->npages)
		return 1;
	tc_span *s = &h->spans[page];
	for (int tries = 0; tries < 16; tries++) {
		uint32_t s1 = atomic_load_explicit(&s->seq,
						   memory_order_acquire);
		if (s1 & 1)
			continue;
		uint32_t state = atomic_load_explicit(&s->state,
						      memory_order_relaxed);
		info->page = page;
		info->npages = atomic_load_explicit(&s->npages,
						    memory_order_relaxed);
		info->sizeclass = atomic_load_explicit(&s->sizeclass,
						       memory_order_relaxed);
		info->elemsize = atomic_load_explicit(&s->elemsize,
						      memory_order_relaxed);
		info->nelems = atomic_load_explicit(&s->nelems,
						    memory_order_relaxed);
		info->cached = atomic_load_explicit(&s->cached,
						    memory_order_relaxed);
		info->swept = atomic_load_explicit(&s->sweepgen,
						   memory_order_relaxed) ==
			      atomic_load_explicit(&h->sweepgen,
						   memory_order_relaxed);
		span_bits b;
		load_bits(s, &b);
		_Atomic(uint64_t) *ab = b.alloc;
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) != s1)
			continue;
		if (state != TC_SPAN_INUSE || info->npages == 0 || !ab) {
			memset(info, 0, sizeof *info);
			return 1;
		}
		/* A cached span's nalloc is stale: count its alloc bits. */
		info->nalloc = info->cached
				       ? tc_span_count_alloc(s, ab)
				       : atomic_load_explicit(
						 &s->nalloc, memory_order_relaxed);
		if (colors) {
			size_t n = info->nelems < max ? info->nelems : max;
			for (size_t w = 0; w * 64 < n; w++) {
				uint64_t a = atomic_load_explicit(
					&ab[w], memory_order_relaxed);
				for (size_t i = 0; i < 64 && w * 64 + i < n;
				     i++) {
					uint8_t c = TC_FREE;
					if ((a >> i) & 1)
						c = info_color(
							tc_info_load(
								b.info,
								info->elemsize,
								(uint32_t)(w * 64 +
									   i)),
							b.black);
					colors[w * 64 + i] = c;
				}
			}
		}
		/* Bitmaps may have been recycled meanwhile: check again. */
		if (atomic_load_explicit(&s->seq, memory_order_acquire) != s1)
			continue;
		return info->npages;
	}
	memset(info, 0, sizeof *info);
	return 1;
}

int tc_object_describe(tc_runtime *rt, tc_objid id, tc_object_info *info,
		       tc_objid *fields, bool *field_nonnull, size_t max)
{
	tc_heap *h = &rt->heap;
	memset(info, 0, sizeof *info);
	if (id.page >= h->npages)
		return -1;
	tc_span *s = &h->spans[id.page];
	uint32_t s1 = atomic_load_explicit(&s->seq, memory_order_acquire);
	if ((s1 & 1) ||
	    atomic_load_explicit(&s->state, memory_order_relaxed) !=
		    TC_SPAN_INUSE ||
	    id.slot >= atomic_load_explicit(&s->nelems, memory_order_relaxed))
		return -1;
	span_bits b;
	load_bits(s, &b);
	uint32_t elemsize = atomic_load_explicit(&s->elemsize,
						 memory_order_relaxed);
	uint32_t sizeclass = atomic_load_explicit(&s->sizeclass,
						  memory_order_relaxed);
	/* The pointers, nelems and elemsize must be of one life before any
	 * array is indexed (blocks are recycled within their class only, so
	 * after this check every index is in bounds). */
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->seq, memory_order_relaxed) != s1)
		return -1;
	if (!b.alloc || !tc_bit_test(b.alloc, id.slot))
		return -1;
	info->id = id;
	info->color = info_color(tc_info_load(b.info, elemsize, id.slot),
				 b.black);
	info->sizeclass = sizeclass;
	info->elemsize = elemsize;
	info->nptrs = info->sizeclass == 0
			      ? atomic_load_explicit(&s->large_nptrs,
						     memory_order_relaxed)
			      : tc_info_load(b.info, elemsize, id.slot) &
					TC_INFO_NPTRS;
	info->addr = span_base(h, s) + (uintptr_t)id.slot * info->elemsize;
	_Atomic(uintptr_t) *f = (_Atomic(uintptr_t) *)info->addr;
	size_t n = info->nptrs < max ? info->nptrs : max;
	for (size_t i = 0; i < n; i++) {
		uintptr_t p = atomic_load_explicit(&f[i], memory_order_relaxed);
		field_nonnull[i] = p != 0;
		fields[i].page = fields[i].slot = 0;
		if (p)
			tc_object_id(rt, (void *)p, &fields[i]);
	}
	if (atomic_load_explicit(&s->seq, memory_order_acquire) != s1)
		return -1;
	return (int)info->nptrs;
}

int tc_mutator_ids(tc_runtime *rt, unsigned *ids, int max)
{
	int n = 0;
	for (int i = 0, end = tc_mtab_end(rt); i < end && n < max; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (!m)
			continue;
		unsigned id = atomic_load(&m->id);
		if (id)
			ids[n++] = id;
	}
	/* Slots are reused, so sort by id for a stable display order. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			unsigned t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return n;
}

static void slot_view(tc_runtime *rt, tc_slot_view *v, uint64_t w)
{
	memset(v, 0, sizeof *v);
	v->is_ptr = TC_SLOT_IS_PTR(w);
	if (!v->is_ptr) {
		v->value = TC_SLOT_VALUE(w);
		return;
	}
	uint64_t val = w;
	v->nonnull = val != 0;
	if (val)
		tc_object_id(rt, (void *)(uintptr_t)val, &v->target);
}

int tc_stack_snapshot(tc_runtime *rt, unsigned id, tc_stack_view *out)
{
	tc_mutator *m = NULL;
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *c = atomic_load(&rt->mtab[i]);
		if (c && atomic_load(&c->id) == id) {
			m = c;
			break;
		}
	}
	if (!m)
		return -1;
	tc_stack *st = &m->hot.stack;
	for (int tries = 0; tries < 32; tries++) {
		uint32_t s1 = __atomic_load_n(&st->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		out->id = id;
		for (size_t i = 0; i < sizeof out->name; i++)
			out->name[i] = atomic_load_explicit(
				&m->name[i], memory_order_relaxed);
		out->name[sizeof out->name - 1] = '\0';
		int status = atomic_load(&m->status);
		out->state = status == TC_ST_RUNNING
				     ? (atomic_load(&m->assisting)
						? TC_MS_ASSISTING
						: TC_MS_RUNNING)
			     : status == TC_ST_STOPPED ? TC_MS_STOPPED
			     : status == TC_ST_DETACHED ? TC_MS_DETACHED
			     : atomic_load_explicit(&m->queued,
						    memory_order_relaxed)
				     ? TC_MS_RUNNABLE
				     : TC_MS_PARKED;
		out->stack_black = __atomic_load_n(&st->state,
						   __ATOMIC_RELAXED) ==
				   TC_STACK_BLACK;
		int nf = __atomic_load_n(&st->nframes, __ATOMIC_RELAXED);
		int sp = __atomic_load_n(&st->sp, __ATOMIC_RELAXED);
		if (nf < 0 || nf > TC_MAX_FRAMES || sp < 0 ||
		    sp > TC_MAX_STACK_SLOTS)
			continue;
		out->nframes = nf;
		out->nslots = sp;
		for (int f = 0; f < nf; f++) {
			const tc_frame_rec *r = &st->frames[f + 1];
			out->frames[f].fn = __atomic_load_n(&r->fn,
							    __ATOMIC_RELAXED);
			out->frames[f].first = __atomic_load_n(
				&r->base, __ATOMIC_RELAXED);
			out->frames[f].nslots = __atomic_load_n(
				&r->nslots, __ATOMIC_RELAXED);
		}
		for (int i = 0; i < sp; i++)
			slot_view(rt, &out->slots[i],
				  __atomic_load_n(&st->slot[i],
						  __ATOMIC_RELAXED));
		slot_view(rt, &out->result,
			  __atomic_load_n(&st->result, __ATOMIC_RELAXED));
		atomic_thread_fence(memory_order_acquire);
		if (__atomic_load_n(&st->seq, __ATOMIC_RELAXED) == s1 &&
		    atomic_load(&m->id) == id)
			return 0;
	}
	return -1;
}
