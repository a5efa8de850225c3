/*
 * object.c - checked workload objects.
 *
 * Layout of the scalar part of every workload object (after its nptrs
 * pointer fields), in 64-bit words:
 *
 *   h[0]  magic << 32 | kind << 24 | payload words
 *   h[1]  serial: unique per object (mutator slot in the top 8 bits)
 *   h[2]  checksum of kind, serial, value and payload
 *   h[3]  value (what the program stores: a depth, a key, a sequence)
 *   h[4 + i]  for each pointer field i, the serial of the object last
 *             linked there (0 for NULL)
 *   then the payload words, derived from the serial.
 *
 * A read checks magic, kind and checksum of the object, and that its serial
 * is the one its parent recorded at link time.  An object the collector
 * freed too early fails one of these: poisoned memory loses the magic, and
 * a reused slot carries another serial.  All of this is written and read by
 * the owning mutator only (structures are per mutator), but written with
 * relaxed atomic stores (put()): an observer (tc_object_describe, the
 * demo's inspector) that read a slot's pointer count before the sweeper
 * freed it and a mutator took it again reads words that are now these
 * scalars, atomically; plain stores would race with it (ThreadSanitizer
 * caught one in the monkey test).  The owner's own reads stay plain: a
 * read does not race with a read.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "workload/internal.h"

#define HDR_WORDS 4

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* A scalar word's store: relaxed atomic (see above); an x86 mov. */
static inline void put(uint64_t *word, uint64_t v)
{
	__atomic_store_n(word, v, __ATOMIC_RELAXED);
}

static uint64_t *hdr(const wl_mutator *w, void *obj, int kind)
{
	return tc_scalars(obj, wl_kind_nptrs(w, kind));
}

static uint64_t checksum(const uint64_t *h, size_t nptrs)
{
	size_t nwords = h[0] & 0xffffff;
	const uint64_t *p = h + HDR_WORDS + nptrs;
	uint64_t s = mix64(h[0] ^ 0x5eed) ^ mix64(h[1]) ^ mix64(h[3] + 1);

	for (size_t i = 0; i < nwords; i++)
		s = mix64(s ^ p[i]);
	return s;
}

void wl_fail(wl_mutator *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->failmsg, sizeof(w->failmsg), fmt, ap);
	va_end(ap);
	atomic_fetch_add_explicit(&w->failures, 1, memory_order_release);
}

void *wl_obj_new(wl_mutator *w, int slot, int kind, int64_t value,
                 size_t payload)
{
	size_t nptrs = wl_kind_nptrs(w, kind);
	size_t nwords = (payload + 7) / 8;
	size_t scalars = (HDR_WORDS + nptrs + nwords) * 8;
	void *obj = tc_alloc_slot(w->m, slot, nptrs, scalars);
	uint64_t *h;

	if (!obj) {
		snprintf(w->errmsg, sizeof(w->errmsg), "%s",
		         tc_last_error(w->m));
		atomic_fetch_add_explicit(&w->alloc_fail, 1,
		                          memory_order_relaxed);
		return NULL;
	}
	h = tc_scalars(obj, nptrs);
	put(&h[0], (uint64_t)WL_MAGIC << 32 | (uint64_t)kind << 24 | nwords);
	put(&h[1], w->serial++);
	put(&h[3], (uint64_t)value);
	for (size_t i = 0; i < nwords; i++)
		put(&h[HDR_WORDS + nptrs + i], mix64(h[1] + i));
	put(&h[2], checksum(h, nptrs));
	return obj;
}

bool wl_obj_check(wl_mutator *w, void *obj, int kind, const char *what)
{
	uint64_t *h = hdr(w, obj, kind);
	size_t nptrs = wl_kind_nptrs(w, kind);

	if (h[0] >> 32 != WL_MAGIC) {
		wl_fail(w,
		        "%s: object %p has lost its magic (%#llx): freed "
		        "while live?",
		        what, obj, (unsigned long long)(h[0] >> 32));
		return false;
	}
	if ((int)(h[0] >> 24 & 0xff) != kind) {
		wl_fail(w, "%s: object %p is of kind %d, expected %d", what,
		        obj, (int)(h[0] >> 24 & 0xff), kind);
		return false;
	}
	if (checksum(h, nptrs) != h[2]) {
		wl_fail(w, "%s: object %p (serial %llu) fails its checksum",
		        what, obj, (unsigned long long)h[1]);
		return false;
	}
	return true;
}

uint64_t wl_obj_serial(wl_mutator *w, void *obj, int kind)
{
	return hdr(w, obj, kind)[1];
}

int64_t wl_obj_value(wl_mutator *w, void *obj, int kind)
{
	return (int64_t)hdr(w, obj, kind)[3];
}

void *wl_obj_get(wl_mutator *w, void *parent, int pkind, size_t i, int ckind,
                 const char *what)
{
	void *child = tc_read(parent, i);
	uint64_t want = hdr(w, parent, pkind)[HDR_WORDS + i];
	uint64_t got;

	if (!child) {
		if (want != 0)
			wl_fail(w,
			        "%s: field %zu of %p is NULL, expected "
			        "serial %llu",
			        what, i, parent, (unsigned long long)want);
		return NULL;
	}
	if (!wl_obj_check(w, child, ckind, what))
		return NULL;
	got = hdr(w, child, ckind)[1];
	if (got != want) {
		wl_fail(w,
		        "%s: field %zu of %p points to serial %llu, "
		        "linked was %llu: object freed and reused",
		        what, i, parent, (unsigned long long)got,
		        (unsigned long long)want);
		return NULL;
	}
	return child;
}

void wl_obj_link(wl_mutator *w, void *parent, int pkind, size_t i, void *child,
                 int ckind)
{
	uint64_t *h = hdr(w, parent, pkind);

	tc_write(w->m, parent, i, child);
	put(&h[HDR_WORDS + i], child ? hdr(w, child, ckind)[1] : 0);
}
