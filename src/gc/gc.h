/*
 * gc.h - the collector: phases, grey work, write barrier, marking, assists,
 * sweeping, pacer and verifier.  The algorithm is explained once, at the
 * top of gc.c; the barrier's proof at the top of barrier.c.
 *
 * The collector sits below the runtime: it does not know about threads.
 * What it needs from the world of mutators (stop it, start it, visit every
 * mutator's roots) it gets through tc_world, a small table of functions the
 * runtime fills in.  What it knows of one mutator is a tc_gcmut: the
 * mutator's stack of root slots (tc_gstack), its grey work buffer
 * (tc_gcwork) and its allocation cache.
 */
#ifndef TRICOLOR_GC_H
#define TRICOLOR_GC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "heap/heap.h"
#include "tricolor.h"

/* ---- grey work ---- */

#define TC_WORKBUF_N 254 /* pointers per global work buffer */
#define TC_LOCALWORK_N 512

typedef struct tc_workbuf {
	struct tc_workbuf *next;
	uint32_t n;
	uintptr_t obj[TC_WORKBUF_N];
} tc_workbuf;

/* A marker's private grey stack plus its counters.  Owner: the marker
 * (a mutator thread, or the collector).  The collector touches a mutator's
 * tc_gcwork only while that mutator is stopped or claimed (parked).
 * `nlocal` is mirrored as a relaxed atomic for observers. */
typedef struct tc_gcwork {
	uintptr_t obj[TC_LOCALWORK_N];
	uint32_t n;
	_Atomic uint32_t nlocal;
	uint64_t scan_bytes;    /* scan work done, bytes of objects scanned */
	uint64_t marked_bytes;  /* bytes of objects this marker marked */
	uint64_t shades;        /* barrier shades */
	/* Not next to marked_bytes: GCC then added the two per shade as
	 * one 16-byte vector (six instructions for two adds). */
	uint64_t marked_objs;
} tc_gcwork;

/* Stack scan state of one mutator for the current cycle. */
enum {
	TC_STACK_BLACK = 0, /* scanned this cycle (or not marking) */
	TC_STACK_GREY,      /* must be scanned before mark termination */
	TC_STACK_SCANNING,  /* claimed by a scanner */
};
_Static_assert(TC_STACK_BLACK == TC_STACK_BLACK_,
	       "tc_write (tricolor.h) tests a black stack inline");

/* A goroutine-like stack: slots (values and kinds), frames, and the result
 * register.  Its layout is tc_stack, in include/tricolor.h, because the
 * mutator's own stack operations are inline there.  Written only by its
 * mutator (relaxed __atomic stores, inside the seqlock `seq` for snapshot
 * readers); scanned by its own mutator at a safepoint, or by the collector
 * while the mutator is parked or stopped (ordered by the park/claim
 * handshake).  `state` is TC_STACK_*, set grey by the collector at mark
 * start, claimed by CAS by whoever scans it. */
typedef tc_stack tc_gstack;

/* What the collector knows of one mutator. */
typedef struct tc_gcmut {
	tc_gcwork work;
	tc_gstack *stack; /* the mutator's (in its tc_mutator_hot) */
	tc_mcache cache;
	int64_t assist_debt; /* bytes allocated during mark not yet paid
			      * (owner; the collector resets it only with
			      * the world stopped) */
	_Atomic uint64_t assist_ns; /* in assists this cycle: read and
				     * restarted at mark termination */
	unsigned id;
} tc_gcmut;

/* The runtime's side of the contract. */
typedef struct tc_world {
	void *ctx;
	/* Stop every mutator at a safepoint (or hold it parked), call
	 * fn(arg, t0) with the world stopped, and start it again; returns t0,
	 * the time (tc_now_ns) at which the request began, which starts the
	 * pause, and sets *released to the time at which the mutators were
	 * free to run again, which ends it.  Preparation the mutators do not
	 * wait for (the collector lifting its own CPU binding: they still
	 * run meanwhile) is not part of the pause, nor is waking sleepers
	 * after the release (a waker preempted by its wakees would count a
	 * scheduler tick of running mutators as pause).  fn runs on the
	 * collector's thread, or on the last mutator to stop, which then
	 * starts the world itself (runtime.c says why): it must only touch
	 * the collector's state and the mutators' through `each`.  The
	 * world fills in info's reach_ns, last_stop_ns, late_look_ns, late,
	 * late_cpu_ns and runner (tricolor.h), and sets gc_cpu_ns to fn's
	 * wall time when a mutator ran it; the collector adds its own CPU
	 * time. */
	uint64_t (*stopped)(void *ctx, tc_pause_info *info,
			    void (*fn)(void *arg, uint64_t t0), void *arg,
			    uint64_t *released);
	/* With the world stopped: call fn for every attached mutator. */
	void (*each)(void *ctx, void (*fn)(void *arg, tc_gcmut *m), void *arg);
	/* World running: scan the grey stack of every parked mutator (claim
	 * it, call tc_gc_scan_stack, release).  Returns the number of stacks
	 * still grey afterwards, counting those their mutators are scanning
	 * (their roots are not on the global list yet). */
	int (*scan_parked)(void *ctx, tc_gcwork *w);
	/* Ask every running mutator to poll its slow path soon. */
	void (*poke)(void *ctx);
	int (*count)(void *ctx); /* attached mutators */
	/* The collector takes one P (one of the GOMAXPROCS slots mutators
	 * run in) for all the CPU work of a cycle: from sweep termination,
	 * through mark, to the end of the background sweep.  Go's mark
	 * workers and sweeper run on Ps too; a collector thread running
	 * beside GOMAXPROCS busy mutators would make more runnable threads
	 * than CPUs, and the kernel would then preempt whichever held a
	 * scheduler lock for a whole time slice (measured: 2-5 ms pauses at
	 * 4 workers on 2 CPUs).  If every P is busy, take_p makes the
	 * longest holder yield at its next safepoint. */
	void (*take_p)(void *ctx);
	void (*give_p)(void *ctx);
	/* Go's sysmon: make mutators that held a P too long while others
	 * wait yield it at their next safepoint.  Called now and then. */
	void (*preempt)(void *ctx, uint64_t now_ns);
	int (*procs)(void *ctx); /* GOMAXPROCS */
} tc_world;

#define TC_PAUSE_BUCKETS 2048
#define TC_SHADE_RING 1024

typedef struct tc_collector {
	tc_heap *heap;
	tc_world world;
	tc_config cfg; /* copy; gogc and barrier live in atomics below */

	/* Globals: roots written through the barrier (__atomic accesses). */
	int nglobals;
	uintptr_t *globals;

	/* Phase and mode, published for everyone (written by the collector
	 * at STW points; read relaxed by mutators' fast paths, acquire by
	 * observers). */
	_Atomic int phase;
	int wb_enabled; /* __atomic: inline tc_write reads it by pointer */
	_Atomic int barrier;
	_Atomic int weak_barrier; /* a weaker barrier ran this cycle */
	bool verify_rescue;       /* collector: this verify rescues */
	_Atomic int gogc;
	_Atomic uint64_t cycle;        /* cycles started */
	_Atomic uint64_t cycles_done;  /* mark terminations completed */
	_Atomic uint64_t sweeps_done;  /* sweeps completed */

	/* Global grey list: work buffers under `work_lock`. */
	pthread_mutex_t work_lock;
	tc_workbuf *full;
	tc_workbuf *empty;
	_Atomic uint64_t nglobal_work; /* pointers on the full list */
	_Atomic uint64_t stack_scan_bytes; /* stack slots scanned this
					    * cycle, as bytes (any thread) */

	/* Pacer (written by the collector, read relaxed by mutators). */
	_Atomic uint64_t heap_marked;  /* live after the last mark */
	_Atomic uint64_t heap_goal;
	_Atomic uint64_t trigger;
	_Atomic uint64_t trigger_milli; /* trigger point, in 1/1000 of the
					 * way from marked to goal */
	_Atomic uint64_t scan_expected; /* scan work expected this cycle */
	_Atomic uint64_t scan_done;     /* flushed scan work this cycle */
	_Atomic uint64_t assist_ratio_milli; /* scan bytes per 1000 B alloc */
	_Atomic int64_t bg_credit;   /* scan work the collector did that no
				      * assist has claimed yet (Go's
				      * bgScanCredit; mark.c) */
	_Atomic int assists_active;  /* mark assists draining right now */
	_Atomic int collector_idle;  /* the collector ran out of grey work:
				      * assists hand theirs back */

	/* Collector control: under ctl_lock / ctl_cond. */
	pthread_mutex_t ctl_lock;
	pthread_cond_t ctl_cond;   /* collector waits for work/steps */
	pthread_cond_t done_cond;  /* waiters for cycles/steps */
	bool running;  /* written by tc_gc_start/stop only, before any mutator
			* attaches and after all detached: attach/detach order
			* it before mutators' unlocked reads */
	bool shutdown;
	bool request;              /* a collection was asked for */
	bool forced;
	_Atomic int paused;
	int step_kind;             /* pending step (-1: none) */
	uint64_t steps_requested, steps_done;
	pthread_t thread;

	/* The collector's own grey buffer. */
	tc_gcwork work;

	/* Statistics (relaxed atomics). */
	_Atomic uint64_t marked_objects_total, marked_bytes_total;
	_Atomic uint64_t shades_total;
	_Atomic uint64_t assist_ns_total, assist_bytes_total;
	_Atomic uint64_t mark_ns_total, sweep_ns_total, gc_cpu_ns;
	_Atomic uint64_t pauses, pause_total_ns, pause_max_ns, pause_last_ns;
	_Atomic uint64_t pause_hist[TC_PAUSE_BUCKETS];
	/* Time to stop (tc_pause_info.reach_ns) of every pause. */
	_Atomic uint64_t stop_max_ns, stop_hist[TC_PAUSE_BUCKETS];
	_Atomic uint64_t violations, verify_runs;
	_Atomic uint64_t stacks_self, stacks_gc;
	_Atomic uint64_t heap_peak_live;
	uint64_t start_ns;

	/* Recently shaded objects (ring of packed ids). */
	_Atomic uint64_t shade_head;
	_Atomic uint64_t shade_ring[TC_SHADE_RING];

	/* The last completed cycle, for observers (under cycle_lock). */
	pthread_mutex_t cycle_lock;
	tc_cycle_info last_cycle;
	tc_pause_info pause_max_info; /* the longest pause; cycle_lock */
	tc_pause_info stop_info;      /* the stop in progress; collector
				       * thread only */
	tc_cycle_info cur; /* collector-private, being filled (also by
			    * the stop's work, on whichever thread runs
			    * it while the collector waits: tc_world) */

	/* Collector-private bookkeeping. */
	uint64_t units;        /* units of work done (objects, stacks, spans) */
	uint64_t step_units;   /* units when the current step began */
	int step_phase;        /* phase when the current step began */
	bool step_active;      /* written by the collector thread, under
				* ctl_lock; it alone reads it, so it may
				* read it without the lock */
	uint64_t marked_at_start;
	uint64_t sysmon_last;  /* last preemption check (ns) */
	uint64_t cpu_at_start; /* collector thread CPU when it started */
	_Atomic int trigger_sent; /* a mutator woke us for this cycle */

	/* Verifier state (allocated once when cfg.verify). */
	uint64_t *vbits;
	uintptr_t *vstack;
	size_t vcap;
} tc_collector;

/* Set up the collector (no thread yet). */
void tc_gc_init(tc_collector *gc, tc_heap *h, const tc_config *cfg,
		const tc_world *world);
/* Start / stop the collector thread. */
void tc_gc_start(tc_collector *gc);
void tc_gc_stop(tc_collector *gc);
void tc_gc_destroy(tc_collector *gc);

/* Mark p's object grey if it is white; p may be NULL. */
void tc_gc_shade(tc_collector *gc, tc_gcwork *w, uintptr_t p);
/* Scan a stack's pointer slots into w (caller has claimed it). */
void tc_gc_scan_stack(tc_collector *gc, tc_gcwork *w, tc_gstack *st);
/* Shade every global into w (the world may be running: gc.c says why). */
void tc_gc_scan_globals(tc_collector *gc, tc_gcwork *w);
/* Move w's grey objects to the global list. */
void tc_gc_flush(tc_collector *gc, tc_gcwork *w);
/* A mutator's safepoint duty: scan its grey stack if it still is. */
void tc_gc_self_scan(tc_collector *gc, tc_gcmut *m);
/* Mark assist: pay the mutator's allocation debt with scan work.  Returns
 * true when the heap is past its goal and no work was left to pay with:
 * the caller must then wait (parked) for the mark phase to end. */
bool tc_gc_assist(tc_collector *gc, tc_gcmut *m, const uint32_t *poll);
void tc_gc_wait_mark(tc_collector *gc, uint64_t cycle);
/* Ask the collector to run a cycle (from anywhere). */
void tc_gc_trigger(tc_collector *gc, bool forced);
/* Wait until a cycle that starts after this call has finished marking and
 * sweeping (the caller must be parked or not a mutator). */
uint64_t tc_gc_wait_full(tc_collector *gc);
/* Did the heap grow past the trigger?  (Checked at cache refill.) */
static inline bool tc_gc_should_trigger(tc_collector *gc)
{
	return atomic_load_explicit(&gc->heap->heap_live,
				    memory_order_relaxed) >=
		       atomic_load_explicit(&gc->trigger,
					    memory_order_relaxed) &&
	       atomic_load_explicit(&gc->phase, memory_order_relaxed) ==
		       TC_PHASE_OFF;
}

/* Internal entry points shared by the collector's files and the runtime. */
/* Scan grey objects until `budget` bytes of scan work are done or none is
 * left (returns the work done); scan exactly one (false if none). */
uint64_t tc_gc_drain(tc_collector *gc, tc_gcwork *w, uint64_t budget);
bool tc_gc_drain_one(tc_collector *gc, tc_gcwork *w);
/* Shade for the write barrier: counts and records the shade. */
bool tc_gc_shade_barrier(tc_collector *gc, tc_gcwork *w, uintptr_t p);
void tc_gc_note_shade(tc_collector *gc, uintptr_t p);
/* The verifier (world stopped): lost objects found; invariant problems. */
uint64_t tc_gc_verify(tc_collector *gc);
int tc_gc_check_invariants(tc_collector *gc);
/* GOGC changed at run time: recompute goal and trigger. */
void tc_set_gogc_gc(tc_collector *gc, int gogc);
/* The heap crossed the trigger: wake the collector (once per cycle). */
void tc_gc_kick(tc_collector *gc);

/* The write barrier's slow path; see barrier.c. */
void tc_gc_wb_slow(tc_collector *gc, tc_gcmut *m, uintptr_t *slot,
		   uintptr_t val);

/* Store val into *slot through the write barrier.  No safepoint between
 * the barrier and the store.  (tc_write in tricolor.h is the same, inline,
 * for object fields.) */
static inline void tc_gc_write(tc_collector *gc, tc_gcmut *m, uintptr_t *slot,
			       uintptr_t val)
{
	if (__atomic_load_n(&gc->wb_enabled, __ATOMIC_RELAXED))
		tc_gc_wb_slow(gc, m, slot, val);
	__atomic_store_n(slot, val, __ATOMIC_RELEASE);
}

/* Pause control and stepping (see tricolor.h). */
void tc_gc_pause(tc_collector *gc, bool paused);
int tc_gc_step_wait(tc_collector *gc, int kind);

/* Observation. */
void tc_gc_read_stats(tc_collector *gc, tc_stats *st);
size_t tc_gc_recent_shades(tc_collector *gc, uint64_t *since, tc_objid *ids,
			   size_t max);
int tc_gc_last_cycle(tc_collector *gc, tc_cycle_info *out);
void tc_gc_record_pause(tc_collector *gc, const tc_pause_info *pi,
			tc_phase phase);

static inline uint64_t tc_objid_pack(tc_objid id)
{
	return ((uint64_t)id.page << 32) | id.slot;
}

static inline tc_objid tc_objid_unpack(uint64_t v)
{
	tc_objid id = {(uint32_t)(v >> 32), (uint32_t)v};
	return id;
}

#endif /* TRICOLOR_GC_H */
