/*
 * barrier.c - the write barrier (Go's mbarrier.go).
 *
 * While marking runs concurrently, mutators keep moving pointers around.
 * The tri-color invariant the collector relies on is:
 *
 *   (strong) no black object points to a white object, or
 *   (weak)   every white object pointed to by a black object is reachable
 *            from some grey object through a chain of white objects
 *            ("grey-protected").
 *
 * If neither held, the collector could finish with a reachable object still
 * white, and sweep would free it under the program's feet.  The pointer
 * stores that can break the invariant are stores into heap objects and
 * globals; tricolor, like Go, puts no barrier on stack slots (stacks are
 * written far too often), so stacks are handled by scanning them.
 *
 * Go's hybrid barrier (Austin Clements and Rick Hudson, proposal 17503),
 * for a store *slot = ptr by a mutator whose stack is `stack`:
 *
 *     shade(*slot)                  -- Yuasa-style deletion barrier
 *     if stack is grey: shade(ptr)  -- Dijkstra-style insertion barrier
 *     *slot = ptr
 *
 * Why each half is needed, with stacks scanned once and never rescanned:
 *
 *  - Without the deletion half (shade old): a mutator whose stack is
 *    already black can load a pointer to white object W from a heap
 *    field (stacks have no barrier, so W now sits on a black stack), then
 *    overwrite that field.  If that field was W's only grey-protected
 *    path, W is now reachable only from a black stack: the collector will
 *    never see it.  Shading the old value keeps W grey.  (tests: the
 *    "hide in black stack" sequence under TC_BARRIER_DIJKSTRA.)
 *
 *  - Without the insertion half (shade new): a mutator whose stack is
 *    still grey (not yet scanned) can hold W on its stack, store W into a
 *    black object B, then drop W from its stack before the stack is
 *    scanned.  B is black and will not be rescanned, the stack no longer
 *    has W: W is lost.  Shading the new value while the stack is grey
 *    closes that hole; once the stack is black, anything it holds was
 *    either shaded when it was scanned, allocated black, or loaded from
 *    the heap, where the deletion half protects it.  (tests: the "hide in
 *    black object" sequence under TC_BARRIER_YUASA.)
 *
 * Together they preserve the weak invariant with no stack rescan at mark
 * termination, which is what keeps that pause short and independent of
 * the number and depth of stacks.  (Go's implementation shades the new
 * value unconditionally: its Go 1.8 barrier left the stack-color check as
 * a TODO, and its buffered barrier since queues both pointers.  tricolor
 * can check it for one relaxed load, and does: inline in tc_write, which
 * calls out only when the store can shade something.)
 *
 * Barrier modes other than HYBRID exist to show what goes wrong: the
 * verifier (verify.c) catches the objects they lose.
 */
#include "config.h"

#include "gc/gc.h"


/* Called only while the barrier is enabled (mark phase).  Must not poll a
 * safepoint: the caller performs the store right after. */
void tc_gc_wb_slow(tc_collector *gc, tc_gcmut *m, uintptr_t *slot,
		   uintptr_t val)
{
	tc_gcwork *w = &m->work;
	/* The old value is loaded with acquire: another thread stored it
	 * (release) after making its span, whose metadata shading reads. */
	switch (atomic_load_explicit(&gc->barrier, memory_order_relaxed)) {
	case TC_BARRIER_HYBRID:
		tc_gc_shade_barrier(
			gc, w, __atomic_load_n(slot, __ATOMIC_ACQUIRE));
		if (__atomic_load_n(&m->stack->state, __ATOMIC_RELAXED) !=
		    TC_STACK_BLACK)
			tc_gc_shade_barrier(gc, w, val);
		break;
	case TC_BARRIER_DIJKSTRA:
		tc_gc_shade_barrier(gc, w, val);
		break;
	case TC_BARRIER_YUASA:
		tc_gc_shade_barrier(
			gc, w, __atomic_load_n(slot, __ATOMIC_ACQUIRE));
		break;
	default: /* TC_BARRIER_OFF */
		break;
	}
}

const char *tc_barrier_name(tc_barrier_mode mode)
{
	switch (mode) {
	case TC_BARRIER_HYBRID:
		return "hybrid";
	case TC_BARRIER_DIJKSTRA:
		return "dijkstra";
	case TC_BARRIER_YUASA:
		return "yuasa";
	case TC_BARRIER_OFF:
		return "off";
	default:
		return "?";
	}
}
