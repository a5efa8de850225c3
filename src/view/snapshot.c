/*
 * snapshot.c - the read side: heap pictures, stacks, the inspector.
 *
 * Everything here is built from the runtime's lock-free observation calls
 * (tc_heap_span, tc_stack_snapshot, tc_object_describe, tc_get_global), so
 * drawing never stops a mutator or the collector.  A picture is consistent
 * per span and per stack; while the engine is paused nothing moves and it
 * is exact.
 */
#include "config.h"

#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/engine.h"

static void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q) {
		fprintf(stderr, "tricolor: out of memory\n");
		abort();
	}
	return q;
}

/* Most objects one span can hold: its pages over its element size. */
static size_t max_span_elems(void)
{
	static atomic_size_t cached;
	size_t m = atomic_load_explicit(&cached, memory_order_relaxed);

	if (m)
		return m;
	for (int c = 1; c < tc_nsizeclasses(); c++) {
		size_t sz = tc_sizeclass_size(c);
		size_t n =
		    sz ? tc_sizeclass_npages(c) * tc_heap_page_size() / sz : 0;

		if (n > m)
			m = n;
	}
	if (m == 0)
		m = tc_heap_page_size();
	atomic_store_explicit(&cached, m, memory_order_relaxed);
	return m;
}

void tv_heap_snapshot(tv_engine *e, tv_heap *h)
{
	size_t npages = tc_heap_npages(e->rt), room = max_span_elems();

	h->nspans = 0;
	h->ncolors = 0;
	h->npages = npages;
	h->free_pages = 0;
	memset(h->counts, 0, sizeof(h->counts));
	for (size_t p = 0; p < npages;) {
		tc_span_info info;
		size_t skip;

		if (h->nspans == h->cap_spans) {
			h->cap_spans = h->cap_spans ? 2 * h->cap_spans : 256;
			h->spans = xrealloc(h->spans,
			                    h->cap_spans * sizeof(*h->spans));
			h->first_color =
			    xrealloc(h->first_color,
			             h->cap_spans * sizeof(*h->first_color));
		}
		if (h->cap_colors - h->ncolors < room) {
			h->cap_colors = 2 * (h->cap_colors + room);
			h->colors = xrealloc(h->colors, h->cap_colors);
		}
		memset(&info, 0, sizeof(info));
		skip = tc_heap_span(e->rt, (uint32_t)p, &info,
		                    h->colors + h->ncolors,
		                    h->cap_colors - h->ncolors);
		if (skip == 0)
			skip = 1;
		if (info.npages == 0) {
			h->free_pages += skip;
			p += skip;
			continue;
		}
		size_t n = info.nelems < h->cap_colors - h->ncolors
		               ? info.nelems
		               : h->cap_colors - h->ncolors;

		h->spans[h->nspans] = info;
		h->first_color[h->nspans] = h->ncolors;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = h->colors[h->ncolors + i];

			if (c <= TC_BLACK)
				h->counts[c]++;
		}
		h->ncolors += n;
		h->nspans++;
		p += skip;
	}
}

void tv_heap_release(tv_heap *h)
{
	free(h->spans);
	free(h->first_color);
	free(h->colors);
	memset(h, 0, sizeof(*h));
}

/* Copy a stack view: its fields and the used part of its arrays. */
static void copy_stack_view(tc_stack_view *to, const tc_stack_view *from)
{
	memcpy(to, from, offsetof(tc_stack_view, frames));
	memcpy(to->frames, from->frames,
	       (size_t)from->nframes * sizeof(from->frames[0]));
	memcpy(to->slots, from->slots,
	       (size_t)from->nslots * sizeof(from->slots[0]));
}

/* Copies of one stack tried per frame: each is tc_stack_snapshot's own
 * bounded seqlock retries, after a yield to let a busy owner finish. */
#define STACK_COPY_TRIES 3

void tv_stacks_snapshot(tv_engine *e, tv_stacks *s)
{
	unsigned ids[TV_MAX_MUTATORS + 8];
	int n = tc_mutator_ids(e->rt, ids, TV_MAX_MUTATORS + 8);
	int old = s->n, prev = 0;

	if (n > TV_MAX_MUTATORS + 8)
		n = TV_MAX_MUTATORS + 8;
	if (n > s->cap) {
		s->stacks = xrealloc(s->stacks, (size_t)n * sizeof(*s->stacks));
		s->cap = n;
	}
	if (!s->scratch)
		s->scratch = xrealloc(NULL, sizeof(*s->scratch));
	/* Id order. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			unsigned t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	/* Entries from s->n on still hold the last pictures, in id order:
	 * a stack that cannot be copied now (its owner pushed or popped
	 * throughout) keeps its last one, found there by a merge walk. */
	s->n = 0;
	for (int i = 0; i < n; i++) {
		tc_stack_view *to = &s->stacks[s->n];
		bool ok = false;

		for (int t = 0; t < STACK_COPY_TRIES && !ok; t++) {
			if (t > 0)
				sched_yield();
			ok = tc_stack_snapshot(e->rt, ids[i], s->scratch) == 0;
		}
		if (ok) {
			copy_stack_view(to, s->scratch);
			s->n++;
			continue;
		}
		while (prev < old &&
		       (prev < s->n || s->stacks[prev].id < ids[i]))
			prev++;
		if (prev < old && s->stacks[prev].id == ids[i]) {
			if (prev != s->n)
				copy_stack_view(to, &s->stacks[prev]);
			s->n++;
		}
	}
}

void tv_stacks_release(tv_stacks *s)
{
	free(s->stacks);
	free(s->scratch);
	memset(s, 0, sizeof(*s));
}

size_t tv_recent_shades(tv_engine *e, uint64_t *since, tc_objid *ids,
                        size_t max)
{
	return tc_recent_shades(e->rt, since, ids, max);
}

static bool same(tc_objid a, tc_objid b)
{
	return a.page == b.page && a.slot == b.slot;
}

static void add_root(tv_object *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_root(tv_object *o, const char *fmt, ...)
{
	va_list ap;

	if (o->nroot_refs < 4) {
		va_start(ap, fmt);
		vsnprintf(o->roots[o->nroot_refs], sizeof(o->roots[0]), fmt,
		          ap);
		va_end(ap);
	}
	o->nroot_refs++;
}

/* Objects scanned at most when looking for referrers. */
#define INSPECT_SCAN_MAX 400000
#define REFERRERS_TTL_NS 500000000ull

/* Fill o->referrers with objects whose pointer fields name id. */
static void find_referrers(tv_engine *e, tc_objid id, tv_object *o)
{
	tc_runtime *rt = e->rt;
	size_t npages = tc_heap_npages(rt), scanned = 0;

	for (size_t p = 0; p < npages && scanned < INSPECT_SCAN_MAX;) {
		tc_span_info si;
		size_t skip = tc_heap_span(rt, (uint32_t)p, &si, NULL, 0);

		if (si.npages && si.nelems) {
			for (uint32_t s = 0; s < si.nelems; s++) {
				tc_object_info oi;
				tc_objid oid = {si.page, s};
				bool *nn = e->insp_nonnull;
				size_t maxf = e->insp_nfields;
				int k = tc_object_describe(
				    rt, oid, &oi, e->insp_fields, nn, maxf);

				scanned++;
				if (k <= 0)
					continue;
				for (int f = 0; f < k && (size_t)f < maxf; f++)
					if (nn[f] &&
					    same(e->insp_fields[f], id)) {
						if (o->nreferrers <
						    TV_INSPECT_REFERRERS)
							o->referrers
							    [o->nreferrers] =
							    oid;
						o->nreferrers++;
						break;
					}
			}
		}
		p += skip ? skip : 1;
	}
	if (o->nreferrers > TV_INSPECT_REFERRERS)
		o->nreferrers = TV_INSPECT_REFERRERS;
}

int tv_inspect(tv_engine *e, tc_objid id, tv_object *o)
{
	tc_runtime *rt = e->rt;
	unsigned ids[TV_MAX_MUTATORS + 8];
	int n;

	memset(o, 0, sizeof(*o));
	pthread_mutex_lock(&e->insp_lock);
	if (!e->insp_fields) {
		e->insp_nfields = 8192;
		e->insp_fields =
		    xrealloc(NULL, e->insp_nfields * sizeof(tc_objid));
		e->insp_nonnull = xrealloc(NULL, e->insp_nfields);
		e->insp_stack = xrealloc(NULL, sizeof(*e->insp_stack));
	}
	n = tc_object_describe(rt, id, &o->info, o->fields, o->field_nonnull,
	                       TV_INSPECT_FIELDS);
	if (n < 0) {
		pthread_mutex_unlock(&e->insp_lock);
		return -1;
	}
	o->nfields = n < TV_INSPECT_FIELDS ? n : TV_INSPECT_FIELDS;
	for (int i = 0; i < o->nfields; i++) {
		tc_object_info fi;

		o->field_color[i] = TC_FREE;
		if (o->field_nonnull[i] &&
		    tc_object_describe(rt, o->fields[i], &fi, NULL, NULL, 0) >=
		        0)
			o->field_color[i] = fi.color;
	}

	/* Referrers: every allocated object whose fields name id.  That is
	 * a walk of the whole heap, so a front end that inspects the same
	 * object every frame gets the last walk for up to REFERRERS_TTL. */
	uint64_t now = tv_now_ns();

	if (e->insp_valid && same(e->insp_id, id) &&
	    now - e->insp_ns < REFERRERS_TTL_NS) {
		o->nreferrers = e->insp_nref;
		memcpy(o->referrers, e->insp_refs, sizeof(o->referrers));
	} else {
		find_referrers(e, id, o);
		e->insp_valid = true;
		e->insp_id = id;
		e->insp_ns = now;
		e->insp_nref = o->nreferrers;
		memcpy(e->insp_refs, o->referrers, sizeof(o->referrers));
	}

	/* Roots: stack slots, result registers, globals. */
	n = tc_mutator_ids(rt, ids, TV_MAX_MUTATORS + 8);
	if (n > TV_MAX_MUTATORS + 8)
		n = TV_MAX_MUTATORS + 8;
	for (int i = 0; i < n; i++) {
		tc_stack_view *sv = e->insp_stack;

		if (tc_stack_snapshot(rt, ids[i], sv) != 0)
			continue;
		for (int f = 0; f < sv->nframes; f++)
			for (int j = 0; j < sv->frames[f].nslots; j++) {
				tc_slot_view *sl =
				    &sv->slots[sv->frames[f].first + j];

				if (sl->is_ptr && sl->nonnull &&
				    same(sl->target, id))
					add_root(o, "%s %s[%d]", sv->name,
					         sv->frames[f].fn, j);
			}
		if (sv->result.is_ptr && sv->result.nonnull &&
		    same(sv->result.target, id))
			add_root(o, "%s result", sv->name);
	}
	for (int g = 0; g < WL_NGLOBALS; g++) {
		void *p = tc_get_global(rt, g);
		tc_objid gid;

		if (!p || tc_object_id(rt, p, &gid) != 0 || !same(gid, id))
			continue;
		if (g < WL_SHARED_GLOBALS)
			add_root(o, "global %d", g);
		else
			add_root(o, "global %d (worker %d's g%d)", g,
			         (g - WL_SHARED_GLOBALS) / WL_GLOBALS_PER_SLOT,
			         (g - WL_SHARED_GLOBALS) % WL_GLOBALS_PER_SLOT);
	}
	pthread_mutex_unlock(&e->insp_lock);
	return 0;
}
