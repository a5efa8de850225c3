/*
 * tricolor.h - the public C API of libtricolor.
 *
 * libtricolor is a concurrent tri-color mark-and-sweep garbage collector
 * modelled on Go's runtime collector.  A program creates a runtime, attaches
 * one mutator per thread, and then lives by the rules of a precise collector:
 *
 *   - Heap objects are allocated with tc_alloc() and never freed by hand.
 *     Memory of unreachable objects is reclaimed by the collector.
 *   - An object's first `nptrs` words are pointer fields (NULL or a pointer
 *     returned by tc_alloc); the rest of it is scalar bytes the collector
 *     never looks at.
 *   - Roots are the global slots and the slots of each mutator's stack of
 *     frames (a goroutine-like stack).  THE PRECISE-GC RULE: a pointer held
 *     only in a C variable is NOT a root.  Store it in a stack slot, a global
 *     or a reachable object's field before the next allocation, frame push,
 *     frame pop or tc_safepoint() call, all of which may let the collector
 *     run.  The result of tc_alloc() may be kept in a C variable until then.
 *   - Every store of a pointer into a heap object or a global goes through
 *     tc_write() / tc_set_global(), which run the write barrier.  Stack slots
 *     have no barrier (as in Go: stacks are scanned, not barriered).
 *   - A mutator must poll safepoints: every tc_alloc, tc_push, tc_pop and
 *     every TC_STORES_PER_POLL stores poll for it, and a long computation
 *     without any of them should call tc_safepoint() now and then.  A thread
 *     about to block or sleep calls tc_park() first and tc_unpark() after, so
 *     that the collector never waits for it.
 *
 * Threading: a tc_mutator belongs to the thread that attached it; all calls
 * taking a tc_mutator must come from that thread.  Calls taking only a
 * tc_runtime are thread-safe unless they say otherwise.
 *
 * Errors: functions that can fail return NULL or a negative TC_E* code and
 * leave a message readable with tc_last_error().
 */
#ifndef TRICOLOR_H
#define TRICOLOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TC_VERSION "0.1.0"

typedef struct tc_runtime tc_runtime;
typedef struct tc_mutator tc_mutator;
struct tc_event;

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

/* Write barrier flavours.  HYBRID is Go's (and the only correct one with
 * stacks scanned once and never rescanned); the others exist to show what
 * goes wrong without each half. */
typedef enum tc_barrier_mode {
	TC_BARRIER_HYBRID = 0, /* shade old value; shade new while stack grey */
	TC_BARRIER_DIJKSTRA,   /* insertion only: shade the new value */
	TC_BARRIER_YUASA,      /* deletion only: shade the old value */
	TC_BARRIER_OFF,        /* no barrier: lost objects are expected */
	TC_BARRIER_NMODES
} tc_barrier_mode;

/* What the verifier does when it finds a reachable object left white. */
typedef enum tc_verify_action {
	TC_VERIFY_ABORT = 0, /* report to stderr and abort(): a collector bug */
	TC_VERIFY_RESCUE,    /* report, count, mark it so it is not freed */
} tc_verify_action;

#define TC_GOGC_OFF (-1)
#define TC_MAX_GLOBALS 4096
#define TC_STORES_PER_POLL 64

typedef struct tc_config {
	size_t heap_bytes;       /* arena size; default 64 MiB, 1 MiB..64 GiB */
	int gogc;                /* percent; TC_GOGC_OFF disables the pacer */
	size_t min_heap_bytes;   /* smallest heap goal at GOGC 100, scaled
				  * by GOGC/100 as Go's heapMinimum;
				  * default 4 MiB */
	int nglobals;            /* number of global root slots; default 64 */
	tc_barrier_mode barrier; /* default TC_BARRIER_HYBRID */
	bool verify;             /* checkmark verifier at mark termination
				  * (always on, rescuing, for a cycle that
				  * ran with a barrier weaker than hybrid) */
	tc_verify_action on_violation;
	bool poison_freed;       /* fill freed objects with 0xdeadbeef words */
	bool background;         /* start the collector thread; default true */
	int procs;               /* GOMAXPROCS: mutators that run at once;
				  * 0 = $GOMAXPROCS or the CPUs the process
				  * may use (sched_getaffinity) */
	bool pin_procs;          /* bind each P to a CPU of its own while
				  * the process may use at least `procs`
				  * CPUs; default true, $TRICOLOR_PIN=0
				  * turns it off (runtime.c says why) */
	bool huge_pages;         /* transparent huge pages for the heap,
				  * where the kernel has them; default
				  * true, $TRICOLOR_HUGEPAGES=0 turns it
				  * off (src/heap/heap.h says why) */
	bool gctrace;            /* one line per cycle on stderr in the
				  * format of Go's gctrace
				  * (tc_format_gctrace); default false,
				  * $GODEBUG with gctrace=1 turns it on */
	/* Optional observer hook, called on the thread that caused the event
	 * (collector or mutator: the phase changes inside a stop-the-world
	 * come from whichever thread does the stop's work, often the last
	 * mutator to stop, inside its tc_alloc, tc_safepoint, tc_park or
	 * tc_unpark); it must not block nor call back into the runtime.
	 * May be NULL. */
	void (*on_event)(void *ctx, const struct tc_event *ev);
	void *event_ctx;
} tc_config;

/* Fill *cfg with the defaults above. */
void tc_config_init(tc_config *cfg);

/* ------------------------------------------------------------------ */
/* Runtime and mutators                                                */
/* ------------------------------------------------------------------ */

/* Create a runtime: reserve the arena, start the collector thread.
 * On error, NULL is returned and *err (if not NULL) points to a static
 * message, e.g. "heap size must be between 1 MiB and 64 GiB". */
tc_runtime *tc_runtime_new(const tc_config *cfg, const char **err);

/* Stop the collector and release everything.  All mutators must have been
 * detached. */
void tc_runtime_free(tc_runtime *rt);

/* Attach the calling thread as a mutator.  `name` is copied (for display).
 * Returns NULL if the runtime is shutting down. */
tc_mutator *tc_attach(tc_runtime *rt, const char *name);

/* Detach: the mutator's stack stops being a root; its allocation cache is
 * released.  Safe at any phase of a cycle. */
void tc_detach(tc_mutator *m);

tc_runtime *tc_mutator_runtime(const tc_mutator *m);
unsigned tc_mutator_id(const tc_mutator *m);

/* The last error message on this mutator ("heap limit of 64 MiB reached
 * allocating 48 bytes"), or "" if none. */
const char *tc_last_error(const tc_mutator *m);

/* ------------------------------------------------------------------ */
/* Stack frames                                                        */
/* ------------------------------------------------------------------ */

#define TC_MAX_FRAMES 256
#define TC_MAX_FRAME_SLOTS 32
#define TC_MAX_STACK_SLOTS 4096

/* Push a frame named `fn` (a string with static lifetime) with `nslots`
 * slots (at most TC_MAX_FRAME_SLOTS), each a NULL pointer.  Polls a
 * safepoint.  Returns 0, or TC_ESTACK if the stack would overflow.
 *   static inline int tc_push(tc_mutator *m, const char *fn, int nslots);
 *
 * Pop the top frame.  Polls a safepoint.
 *   static inline void tc_pop(tc_mutator *m);
 *
 * Pop the top frame and hand `ret` back to the caller through the
 * mutator's result register, which is a root: read it with tc_result().
 * This is how a function returns a pointer without the gap in which the
 * object is held only by a C variable.
 *   static inline void tc_return(tc_mutator *m, void *ret);
 *   static inline void *tc_result(const tc_mutator *m);
 *
 * Slots of the top frame (`slot` < its nslots; out of range is a fatal
 * error).  A slot holds either a pointer (a root) or a 63-bit scalar
 * (tagged in its low bit, like OCaml's ints); setting one changes its
 * kind.  tc_get_ptr of a scalar slot returns NULL.
 *   static inline void tc_set_ptr(tc_mutator *m, int slot, void *obj);
 *   static inline void *tc_get_ptr(const tc_mutator *m, int slot);
 *   static inline void tc_set_int(tc_mutator *m, int slot, int64_t v);
 *   static inline int64_t tc_get_int(const tc_mutator *m, int slot);
 *   static inline int tc_depth(const tc_mutator *m);   (number of frames)
 *
 * These are defined inline at the end of this header. */

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

#define TC_MAX_SMALL 32768 /* larger objects get a span of their own */

/* Allocate an object of nptrs pointer words followed by scalar_bytes of
 * scalars, zeroed.  Polls a safepoint first; may assist marking or sweep.
 * On heap exhaustion (after a full collection) returns NULL and sets
 * tc_last_error().  nptrs*8 + scalar_bytes must be > 0.
 *   static inline void *tc_alloc(tc_mutator *m, size_t nptrs,
 *                                size_t scalar_bytes);
 * (inline below: small objects come from the mutator's own span without
 * a call; everything else goes out of line). */

/* Allocate and store the result in slot `slot` of the top frame, with no
 * safepoint in between.  Returns the object or NULL as tc_alloc.
 *   static inline void *tc_alloc_slot(tc_mutator *m, int slot,
 *                                     size_t nptrs, size_t scalar_bytes);
 *
 * Store a pointer into field `i` (< nptrs) of obj, through the write
 * barrier.  No safepoint is polled between barrier and store; one is
 * polled every TC_STORES_PER_POLL stores.
 *   static inline void tc_write(tc_mutator *m, void *obj, size_t i,
 *                               void *val);
 */

/* Read pointer field i of obj. */
static inline void *tc_read(const void *obj, size_t i)
{
	return __atomic_load_n(&((void *const *)obj)[i], __ATOMIC_ACQUIRE);
}

/* The scalar part of an object with nptrs pointer fields. */
static inline void *tc_scalars(void *obj, size_t nptrs)
{
	return (void **)obj + nptrs;
}

/* Globals: roots shared by all mutators, written through the barrier. */
void tc_set_global(tc_mutator *m, int idx, void *val);
void *tc_get_global(tc_runtime *rt, int idx);

/* Poll for a safepoint explicitly (inline, below):
 *   static inline void tc_safepoint(tc_mutator *m); */

/* Park before blocking (sleep, lock, I/O, creating or joining a thread)
 * and unpark after: a stop-the-world waits for every unparked mutator to
 * reach a safepoint.  While parked the mutator must not touch the heap or
 * its stack; the collector may scan its stack and stop the world without
 * it. */
void tc_park(tc_mutator *m);
void tc_unpark(tc_mutator *m);

/* ------------------------------------------------------------------ */
/* Collector control                                                   */
/* ------------------------------------------------------------------ */

/* Run a full collection and wait for it (from a mutator: parks while
 * waiting).  Returns the number of the completed cycle. */
uint64_t tc_gc(tc_mutator *m);
/* Ask for a collection without waiting (any thread). */
void tc_gc_request(tc_runtime *rt);

void tc_set_gogc(tc_runtime *rt, int gogc);
int tc_get_gogc(tc_runtime *rt);
void tc_set_barrier(tc_runtime *rt, tc_barrier_mode mode);
tc_barrier_mode tc_get_barrier(tc_runtime *rt);
const char *tc_barrier_name(tc_barrier_mode mode);

/* Pausing the collector: it stops at its next step point (between two
 * objects while marking or sweeping, or between phases) and holds.  Mutators
 * are not affected; the engine pauses them itself.  While paused,
 * tc_gc_step() advances it. */
void tc_gc_set_paused(tc_runtime *rt, bool paused);
bool tc_gc_paused(tc_runtime *rt);

typedef enum tc_step_kind {
	TC_STEP_OBJECT, /* scan exactly one grey object (or one root) */
	TC_STEP_PHASE,  /* run until the phase changes */
} tc_step_kind;

/* Advance a paused collector and wait until the step is done.  Returns 0,
 * or TC_EINVAL if the collector is not paused.  A step that needs mutators
 * at a safepoint (a stop-the-world) only completes if they can reach one,
 * i.e. they must be parked or running. */
int tc_gc_step(tc_runtime *rt, tc_step_kind kind);

/* ------------------------------------------------------------------ */
/* Observation (lock-free; safe from any thread)                       */
/* ------------------------------------------------------------------ */

typedef enum tc_phase {
	TC_PHASE_OFF = 0,
	TC_PHASE_SWEEP_TERM, /* STW: finish sweep, enable barrier */
	TC_PHASE_MARK,       /* concurrent mark */
	TC_PHASE_MARK_TERM,  /* STW: check no grey left, disable barrier */
	TC_PHASE_SWEEP,      /* concurrent sweep */
	TC_NPHASES
} tc_phase;

const char *tc_phase_name(tc_phase p);
tc_phase tc_get_phase(tc_runtime *rt);

typedef enum tc_color {
	TC_FREE = 0,
	TC_WHITE,
	TC_GREY,
	TC_BLACK,
} tc_color;

/* A stable small id for an object: the first page of its span and its
 * slot in the span. */
typedef struct tc_objid {
	uint32_t page;
	uint32_t slot;
} tc_objid;

/* Returns 0 and fills *id if p points into an allocated object. */
int tc_object_id(tc_runtime *rt, const void *p, tc_objid *id);

/* Summary of one span for drawing. */
typedef struct tc_span_info {
	uint32_t page;     /* first page: the span's id */
	uint32_t npages;
	uint32_t sizeclass; /* 0 = large object */
	uint32_t elemsize;
	uint32_t nelems;
	uint32_t nalloc;   /* allocated objects (approximate while changing) */
	bool swept;        /* swept this cycle */
	bool cached;       /* owned by a mutator's allocation cache */
} tc_span_info;

size_t tc_heap_npages(tc_runtime *rt);
size_t tc_heap_page_size(void);

/* If a span starts at `page`, fill *info, and if colors != NULL write up
 * to max per-object colors (tc_color values) into colors; return the
 * number of pages to skip to the next candidate (>= 1).  If no span
 * starts there, return 1 and set info->nelems = 0, info->npages = 0. */
size_t tc_heap_span(tc_runtime *rt, uint32_t page, tc_span_info *info,
		    uint8_t *colors, size_t max);

/* Describe one object by id: color, size, pointer fields (targets as ids,
 * up to max).  Returns the number of pointer fields, or -1 if the id does
 * not name an allocated object.  Field values are read atomically; they
 * may be stale by the time the caller looks at them.  The slot may be
 * freed and allocated again while they are read (the span's seqlock
 * covers the span, not the slot), and then the words read are the new
 * object's, scalars among them: a program observed while it runs must
 * store its scalars with relaxed atomic stores, as the allocator's
 * zeroing and tc_write do, or those stores race with these reads (the
 * demo's workload does, src/workload/object.c). */
typedef struct tc_object_info {
	tc_objid id;
	tc_color color;
	uint32_t sizeclass;
	uint32_t elemsize;
	uint32_t nptrs;
	uintptr_t addr;
} tc_object_info;
int tc_object_describe(tc_runtime *rt, tc_objid id, tc_object_info *info,
		       tc_objid *fields, bool *field_nonnull, size_t max);

/* Stack snapshot of one mutator: copied consistently under its seqlock,
 * never blocking it (retries while it changes, and gives up after a few
 * tries returning -1). */
typedef enum tc_mutator_state {
	TC_MS_RUNNING = 0,
	TC_MS_PARKED,
	TC_MS_STOPPED,   /* held at a safepoint for a stop-the-world */
	TC_MS_ASSISTING, /* doing mark assist work */
	TC_MS_DETACHED,
	TC_MS_RUNNABLE,  /* ready, waiting for a P (GOMAXPROCS) */
} tc_mutator_state;

typedef struct tc_slot_view {
	bool is_ptr;
	bool nonnull;
	tc_objid target; /* when is_ptr && nonnull */
	int64_t value;   /* when !is_ptr */
} tc_slot_view;

typedef struct tc_frame_view {
	const char *fn;
	int nslots;
	int first; /* index of its first slot in the slots array */
} tc_frame_view;

typedef struct tc_stack_view {
	unsigned id;
	char name[32];
	tc_mutator_state state;
	bool stack_black; /* scanned this cycle */
	int nframes;
	int nslots;
	tc_slot_view result; /* the result register */
	tc_frame_view frames[TC_MAX_FRAMES];
	tc_slot_view slots[TC_MAX_STACK_SLOTS];
} tc_stack_view;

/* Number of attached mutators and their ids (up to max). */
int tc_mutator_ids(tc_runtime *rt, unsigned *ids, int max);
/* Snapshot the stack of mutator `id`; 0 on success, -1 if gone or busy. */
int tc_stack_snapshot(tc_runtime *rt, unsigned id, tc_stack_view *out);

/* Where one stop-the-world pause went.  The pause runs from the stop
 * request to the release of the world (tricolor counts time-to-safepoint
 * in it, as Go does).  The collector looks again TC_STW_LATE_NS into a
 * stop, or as soon after as it runs; a mutator still running then is
 * late.  Of the wait for the late mutators after that look (reach_ns -
 * late_look_ns), the figures tell what the slowest one did: ran without
 * reaching a safepoint (late_cpu_ns near the wait: a long stretch without
 * one, or, under a hypervisor, a stall the guest charges to the running
 * thread); waited in the guest's run queue while other threads had the
 * CPUs (late_wait_ns near the wait); or neither (both near 0: it slept in
 * the kernel, or, under a hypervisor that reports steal time, the host
 * held the virtual CPU it was running on, which the guest charges to
 * nobody).  Where the runtime binds threads to CPUs, a late mutator
 * whose CPU clock stands still at the look (queued, or asleep) is moved
 * off its CPU; one seen running there is left to reach its safepoint, as
 * a move, made by that CPU's stopper thread, would wait for that CPU too.
 * A move (nudge_ns) of about the wait says the CPU ran nothing, its
 * virtual CPU held by the host (or, rarely, kernel code there without a
 * preemption point); a quick one says the mutator was queued, or slept.
 * They also tell a collector that was itself off its CPU
 * (late_look_ns well past TC_STW_LATE_NS, or reach_ns well past
 * last_stop_ns; gc_wait_ns then says whether it was queued), and the
 * stop's own work (ns - reach_ns, with gc_cpu_ns telling whether the
 * collector ran through it).  CPU times are the kernel's per-thread
 * clocks, queueing its schedstat (Linux's sched_info.run_delay).
 *
 * Before any of that, the collector takes the scheduler's lock to make
 * the request, as Go's stopTheWorldWithSema takes sched.lock, and a
 * thread that holds it (a mutator parking, or getting or giving back a
 * P) holds up the pause.  lock_ns says how long; if it waited
 * TC_STW_LATE_NS, the collector looked at the holder too, and the same
 * two figures (lock_cpu_ns, lock_wait_ns) say what it did until it let
 * go, and lock_gc_wait_ns how long the collector then queued for a CPU
 * to take the lock.  And when the collector has no CPU of its own to
 * spin on until its look, it sleeps, and the sleep_* figures say
 * whether that sleep ended late, and whether the thread was switched
 * out at all. */
#define TC_STW_LATE_NS 50000u
typedef struct tc_pause_info {
	uint64_t ns;           /* the pause */
	uint64_t reach_ns;     /* request until the collector found every
				* mutator stopped (or parked) */
	uint64_t last_stop_ns; /* request until the last mutator to stop
				* did so, by its own clock; 0 if none had
				* to (all parked already) */
	uint64_t late_look_ns; /* request until the collector's look at or
				* after TC_STW_LATE_NS; 0 if it found every
				* mutator stopped before then */
	uint64_t late_cpu_ns;  /* the most CPU time any late mutator got
				* from that look until the collector found
				* them all stopped */
	uint64_t late_wait_ns; /* the most time any late mutator spent
				* queued for a CPU from that look until the
				* collector found them all stopped: waits
				* that ended then, as the kernel counts
				* them, at most that long */
	bool late_wait_known;  /* late_wait_ns was read (the kernel keeps
				* schedstat; some late mutator was still
				* attached) */
	uint64_t nudge_ns;     /* the longest the kernel took to move a late
				* mutator off its CPU at that look (the
				* runtime's nudge, when it binds threads to
				* CPUs); 0 if none was moved */
	bool look_slept;       /* the collector slept until its look (it
				* had no CPU of its own to spin on) */
	uint64_t sleep_late_ns; /* how long after its deadline, TC_STW_LATE_NS
				* in, that sleep ended (0: on time, or
				* woken early) */
	unsigned sleep_switches; /* times the collector was switched out
				* in that sleep: a sleep that ended late
				* with none never slept, its virtual CPU
				* not running (the host held it) */
	bool sleep_switches_known; /* sleep_switches was read */
	uint64_t lock_ns;      /* request until the collector held the
				* scheduler's lock to make it */
	bool lock_look;        /* it waited TC_STW_LATE_NS for that lock,
				* and looked at the thread holding it */
	unsigned lock_holder;  /* that thread's mutator id; 0 if it is not
				* an attached mutator (any more), or none
				* was looked at */
	uint64_t lock_cpu_ns;  /* the holder's CPU time from that look
				* until the collector took the lock */
	uint64_t lock_wait_ns; /* its time queued for a CPU over the same */
	bool lock_wait_known;  /* lock_wait_ns was read (schedstat) */
	uint64_t lock_gc_wait_ns; /* the collector's own time queued for a
				* CPU over the same: once the holder lets
				* go, the collector must get a CPU to take
				* the lock */
	bool lock_gc_wait_known; /* lock_gc_wait_ns was read */
	uint64_t gc_cpu_ns;    /* the collector thread's CPU time from just
				* before the request to just after the
				* release (with the two system calls that
				* move its CPU binding either side), plus,
				* if a mutator ran the stop's work, the
				* wall time of that work (runtime.c) */
	uint64_t gc_wait_ns;   /* the collector thread's time queued for a
				* CPU over the same span as its CPU time
				* (waits that ended in it, whole, and its
				* wake-up when a mutator released the
				* world) */
	bool gc_wait_known;    /* gc_wait_ns was read (schedstat) */
	int late;              /* mutators still running at that look */
	unsigned runner;       /* 0 if the collector ran the stop's work;
				* else the id of the mutator that did: the
				* last to stop, which found the world
				* stopped before the collector did */
} tc_pause_info;

/* Statistics, all read with atomic loads (each field is exact, the set is
 * not one instant). */
typedef struct tc_stats {
	uint64_t cycles;          /* completed cycles */
	tc_phase phase;
	uint64_t heap_arena;      /* arena bytes */
	uint64_t heap_inuse;      /* bytes of pages in spans */
	uint64_t heap_live;       /* pacer's live estimate */
	uint64_t heap_marked;     /* bytes marked by the last cycle */
	uint64_t heap_goal;
	uint64_t heap_trigger;    /* heap_live that starts the next cycle */
	uint64_t heap_peak;       /* max heap_inuse */
	uint64_t alloc_bytes;     /* total allocated */
	uint64_t alloc_objects;
	uint64_t freed_bytes;
	uint64_t freed_objects;
	uint64_t marked_objects;  /* total over all cycles */
	uint64_t marked_bytes;
	uint64_t grey_objects;    /* current grey queue length (approx) */
	uint64_t barrier_shades;  /* objects shaded by the write barrier */
	uint64_t assist_ns;       /* time mutators spent in mark assists */
	uint64_t assist_bytes;    /* scan work done by assists */
	uint64_t mark_ns;         /* total concurrent mark wall time */
	uint64_t sweep_ns;        /* total concurrent sweep wall time */
	uint64_t gc_cpu_ns;       /* collector thread CPU time */
	uint64_t pauses;          /* number of STW pauses */
	uint64_t pause_total_ns;
	uint64_t pause_max_ns;
	uint64_t pause_last_ns;
	uint64_t pause_p50_ns;
	uint64_t pause_p99_ns;
	uint64_t stop_p99_ns;     /* time to stop the world (each pause's
				   * reach_ns, below; Go's
				   * /sched/pauses/stopping/gc): p99 */
	uint64_t stop_max_ns;     /* and longest, of any pause */
	tc_pause_info pause_max_info; /* where the longest pause went: the
				       * record of pause_max_ns, read with
				       * it */
	uint64_t verify_violations; /* lost objects found by the verifier */
	uint64_t verify_runs;
	uint64_t stacks_scanned_by_self;
	uint64_t stacks_scanned_by_gc;
	int gogc;
	tc_barrier_mode barrier;
	int mutators;
	int procs;                /* GOMAXPROCS */
	uint64_t preemptions;     /* mutators made to yield their P */
	uint64_t stw_nudges;      /* mutators moved off a CPU something else
				   * held, to end a stop-the-world */
	uint64_t stw_handoffs;    /* stops whose work the last mutator to
				   * stop ran (tc_pause_info.runner) */
} tc_stats;

void tc_read_stats(tc_runtime *rt, tc_stats *st);

/* One completed cycle, in the fields of Go's gctrace line. */
typedef struct tc_cycle_info {
	uint64_t n;            /* cycle number, from 1 */
	uint64_t start_ns;     /* since runtime creation */
	double gc_cpu_fraction; /* collector CPU / elapsed since start */
	uint64_t stw1_ns;      /* sweep termination pause */
	uint64_t mark_ns;      /* concurrent mark wall */
	uint64_t stw2_ns;      /* mark termination pause (total of retries) */
	/* CPU: the collector thread's in each stop, from its stop call to
	 * its start's return (so with the two changes of its own CPU
	 * binding either side of the pause, which can make it more than
	 * the pause's wall time times the Ps; Go's gctrace prints that
	 * product instead), plus the stop's work when a mutator ran it;
	 * for mark termination, summed over its tries; mutators' in
	 * assists; the collector's in the mark phase, its mark
	 * terminations' stops left out; idle marking, always 0 (there are
	 * no idle mark workers: the field keeps Go's gctrace shape). */
	uint64_t cpu_stw1_ns, cpu_assist_ns, cpu_bg_ns, cpu_idle_ns;
	uint64_t cpu_stw2_ns;
	uint64_t heap_start;   /* heap_live at cycle start */
	uint64_t heap_end;     /* heap_live at mark termination */
	uint64_t heap_marked;  /* live after mark */
	uint64_t heap_goal;    /* goal this cycle aimed at */
	uint64_t next_goal;
	uint64_t stack_bytes;  /* stack slots scanned this cycle, as bytes
				* (Go's "MB stacks", lastStackScan) */
	uint64_t marked_objects;
	uint64_t freed_objects; /* by the sweep of the previous cycle */
	int mutators;
	bool forced;
	uint64_t violations;
} tc_cycle_info;

/* Format cycle `c` as Go's gctrace line (GODEBUG=gctrace=1), without a
 * newline: "gc N @Ts P%: stw1+mark+stw2 ms clock, stw1+assist/bg/idle+stw2
 * ms cpu, start->end->marked MB, goal MB goal, 0 MB stacks, G MB globals,
 * N P", with " (forced)" after a requested cycle.  `procs` is GOMAXPROCS,
 * `globals_bytes` the size of the global roots, `unit_shift` 20 for MB or
 * 10 for KB (small heaps).  Returns what snprintf returns. */
int tc_format_gctrace(const tc_cycle_info *c, int procs,
		      uint64_t globals_bytes, int unit_shift, char *buf,
		      size_t len);

/* The record of the last completed cycle (published just after the cycle
 * is counted in tc_stats.cycles: compare its n).  0, or -1 if none yet. */
int tc_last_cycle(tc_runtime *rt, tc_cycle_info *out);

/* Events passed to tc_config.on_event. */
typedef enum tc_event_kind {
	TC_EV_PHASE,       /* phase changed: ev->phase */
	TC_EV_CYCLE,       /* cycle completed (at mark termination) */
	TC_EV_PAUSE,       /* a STW pause ended: ev->ns, ev->phase (the STW
			    * phase: sweep or mark termination), ev->pause */
	TC_EV_ATTACH,      /* mutator attached: ev->mutator */
	TC_EV_DETACH,
	TC_EV_VIOLATION,   /* verifier found a lost object: ev->obj */
	TC_EV_HEAP_FULL,   /* an allocation failed */
} tc_event_kind;

typedef struct tc_event {
	tc_event_kind kind;
	tc_phase phase;
	uint64_t ns;
	unsigned mutator;
	tc_objid obj;
	const tc_cycle_info *cycle; /* TC_EV_CYCLE */
	const tc_pause_info *pause; /* TC_EV_PAUSE; valid during the call */
	/* TC_EV_VIOLATION: "lost object 12.3 (class 3, 24 bytes): reachable
	 * but unmarked; referrer ...; root ...; barrier off".  Valid during
	 * the call only. */
	const char *detail;
} tc_event;

/* Recently barrier-shaded objects: fills up to max ids shaded since
 * sequence *since (updated); returns how many were written. */
size_t tc_recent_shades(tc_runtime *rt, uint64_t *since, tc_objid *ids,
			size_t max);

/* Size classes (for documentation and tests). */
int tc_nsizeclasses(void);                 /* including class 0 (large) */
size_t tc_sizeclass_size(int cls);        /* object size of a class */
size_t tc_sizeclass_npages(int cls);      /* span pages of a class */
int tc_sizeclass_of(size_t bytes);        /* 0 for large */

/* Error codes. */
#define TC_EINVAL (-1)
#define TC_ENOMEM (-2)
#define TC_ESTACK (-3)

/* ------------------------------------------------------------------ */
/* Inline fast paths                                                   */
/* ------------------------------------------------------------------ */

/* The calls on a mutator's own stack, pointer stores, safepoint polls and
 * small allocations are inline: they run millions of times a second.  The
 * state they touch is laid out below and is the first member of every
 * tc_mutator (the allocation cursors are reached through it).  The layout
 * is internal and may change between versions: use the functions, never
 * the fields.  Fields are accessed with __atomic builtins where other
 * threads read them: the collector (while the mutator is stopped or
 * parked) and observers (stack snapshots, alloc bits, info bytes). */

typedef struct tc_frame_rec {
	const char *fn;
	int32_t base;   /* index of the frame's first slot */
	int32_t nslots;
} tc_frame_rec;

/* A slot is one word, so that it is read and written atomically: a
 * pointer (8-byte aligned, low bit 0, or 0 for NULL) or a scalar v stored
 * as v << 1 | 1. */
#define TC_SLOT_IS_PTR(w) (((w) & 1) == 0)
#define TC_SLOT_SCALAR(v) (((uint64_t)(v) << 1) | 1)
#define TC_SLOT_VALUE(w) ((int64_t)(w) >> 1)

typedef struct tc_stack {
	uint32_t seq;     /* seqlock over the frame structure (push, pop):
			   * odd while the owner changes it */
	uint32_t state;   /* scan state this cycle (see src/gc/gc.h) */
	int32_t nframes;  /* frames in use: frames[1..nframes] */
	int32_t sp;       /* slots in use */
	uintptr_t result; /* the result register: a root */
	tc_frame_rec frames[TC_MAX_FRAMES + 1]; /* [0]: empty sentinel */
	uint64_t slot[TC_MAX_STACK_SLOTS];
} tc_stack;

/* Allocation.  A mutator allocates small objects from one span per size
 * class that it holds alone (src/heap/heap.h explains spans, alloc bits
 * and info bytes).  The cursor below is that span's allocation state,
 * kept by the mutator, written only by it (and by the collector while it
 * is stopped, when the span is given back).  Small requests take their
 * class from tc_class_by8 (filled when the first runtime starts). */
#define TC_NCLASSES_MAX_ 96      /* at least the number of size classes */
#define TC_ALLOC_INLINE_MAX_ 256 /* bigger requests go out of line */
#define TC_ASSIST_CHUNK_ 65536   /* black bytes between two mark assists */
extern uint8_t tc_class_by8[];   /* class of (bytes + 7) / 8, to 1 KiB */

typedef struct tc_alloc_cursor_ {
	uint64_t cache;      /* free slots from `index` on, bit 0 = slot
			      * `index`; no bit past the span's end.  0:
			      * look further (out of line) */
	uint32_t index;      /* next slot to consider (Go's freeindex) */
	uint32_t size;       /* object size of the class */
	uintptr_t base;      /* address of slot 0 */
	uint64_t *allocbits; /* the span's alloc bits (__atomic: observers
			      * read them) */
	uint8_t *info;       /* the span's info bytes (__atomic) */
	uint8_t flags;       /* info-byte flags of a new object: white, or
			      * this cycle's black */
	uint8_t black;       /* `flags` are black */
	uint8_t needzero;    /* free slots may hold old bytes */
} tc_alloc_cursor_;

typedef struct tc_mutator_hot {
	uint32_t poll;         /* nonzero: the collector wants a safepoint */
	uint32_t stores;       /* owner only: pointer stores since a poll */
	const int *wb_enabled; /* the runtime's write-barrier flag: set and
				* cleared in the same stops as black
				* allocation, so it also means "marking" */
	const int *barrier;    /* the runtime's tc_barrier_mode (__atomic) */
	tc_alloc_cursor_ *alloc; /* cursors by size class */
	uint64_t *black_bytes;   /* allocated black this cycle */
	int64_t *assist_debt;    /* black bytes not yet paid with scan work */
	/* The top frame's slots and their count (0 with no frame), kept by
	 * push and pop: owner only, plain fields.  A slot access then loads
	 * two words instead of the frame count and two frame fields. */
	uint64_t *top;
	int32_t top_n;
	tc_stack stack;
} tc_mutator_hot;

/* Out-of-line halves of the inline functions. */
void *tc_alloc_slow_(tc_mutator *m, size_t nptrs, size_t scalar_bytes);
void tc_safepoint_slow(tc_mutator *m);
void tc_write_barrier(tc_mutator *m, void **slot, void *val);
int tc_push_overflow(tc_mutator *m, const char *fn, int nslots);
void tc_bad_slot(const tc_mutator *m, int slot) __attribute__((noreturn));

#if defined(__GNUC__)
#define TC_INLINE_ static inline __attribute__((always_inline))
#else
#define TC_INLINE_ static inline
#endif
#define TC_LD_(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define TC_ST_(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

TC_INLINE_ tc_mutator_hot *tc_hot_(const tc_mutator *m)
{
	return (tc_mutator_hot *)(void *)m;
}

TC_INLINE_ void tc_safepoint(tc_mutator *m)
{
	if (__builtin_expect(TC_LD_(&tc_hot_(m)->poll) != 0, 0))
		tc_safepoint_slow(m);
}

/* The owner is the only writer of seq: begin returns the odd value it
 * stored, and end stores the next (even) one without reloading it. */
TC_INLINE_ uint32_t tc_seq_begin_(tc_stack *st)
{
	uint32_t seq = TC_LD_(&st->seq) + 1;
	TC_ST_(&st->seq, seq);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return seq;
}

TC_INLINE_ void tc_seq_end_(tc_stack *st, uint32_t seq)
{
	__atomic_store_n(&st->seq, seq + 1, __ATOMIC_RELEASE);
}

TC_INLINE_ int tc_push(tc_mutator *m, const char *fn, int nslots)
{
	tc_safepoint(m);
	tc_stack *st = &tc_hot_(m)->stack;
	int32_t nf = TC_LD_(&st->nframes), sp = TC_LD_(&st->sp);
	if (__builtin_expect((unsigned)nslots > TC_MAX_FRAME_SLOTS ||
				     nf >= TC_MAX_FRAMES ||
				     sp + nslots > TC_MAX_STACK_SLOTS,
			     0))
		return tc_push_overflow(m, fn, nslots);
	uint32_t seq = tc_seq_begin_(st);
	/* Counted from 0, so that a constant nslots unrolls into stores
	 * (from sp, GCC kept a loop: binary-trees' stack calls took 95
	 * instructions a node, and 83 with this; docs/benchmarks.md). */
	uint64_t *s = &st->slot[sp];
	for (int i = 0; i < nslots; i++)
		TC_ST_(&s[i], (uint64_t)0);
	TC_ST_(&st->frames[nf + 1].fn, fn);
	TC_ST_(&st->frames[nf + 1].base, sp);
	TC_ST_(&st->frames[nf + 1].nslots, nslots);
	TC_ST_(&st->sp, sp + nslots);
	TC_ST_(&st->nframes, nf + 1);
	tc_seq_end_(st, seq);
	tc_hot_(m)->top = s;
	tc_hot_(m)->top_n = nslots;
	return 0;
}

TC_INLINE_ void tc_pop_(tc_mutator *m, int set_result, void *ret)
{
	tc_stack *st = &tc_hot_(m)->stack;
	int32_t nf = TC_LD_(&st->nframes);
	if (__builtin_expect(nf == 0, 0))
		tc_bad_slot(m, -1);
	uint32_t seq = tc_seq_begin_(st);
	if (set_result)
		TC_ST_(&st->result, (uintptr_t)ret);
	TC_ST_(&st->sp, TC_LD_(&st->frames[nf].base));
	TC_ST_(&st->nframes, nf - 1);
	tc_seq_end_(st, seq);
	/* The caller's frame is on top again (frames[0], the sentinel, has
	 * no slots). */
	const tc_frame_rec *f = &st->frames[nf - 1];
	tc_hot_(m)->top = &st->slot[TC_LD_(&f->base)];
	tc_hot_(m)->top_n = TC_LD_(&f->nslots);
	tc_safepoint(m);
}

TC_INLINE_ void tc_pop(tc_mutator *m)
{
	tc_pop_(m, 0, NULL);
}

TC_INLINE_ void tc_return(tc_mutator *m, void *ret)
{
	tc_pop_(m, 1, ret);
}

TC_INLINE_ void *tc_result(const tc_mutator *m)
{
	return (void *)TC_LD_(&tc_hot_(m)->stack.result);
}

TC_INLINE_ int tc_depth(const tc_mutator *m)
{
	return TC_LD_(&tc_hot_(m)->stack.nframes);
}

/* Address of a slot of the top frame.  With no frame, top_n is 0 and
 * every slot is out of range. */
TC_INLINE_ uint64_t *tc_slot_addr_(const tc_mutator *m, int slot)
{
	const tc_mutator_hot *h = tc_hot_(m);
	if (__builtin_expect((unsigned)slot >= (unsigned)h->top_n, 0))
		tc_bad_slot(m, slot);
	return &h->top[slot];
}

/* Slot stores need no seqlock: a slot is one atomic word. */
TC_INLINE_ void tc_set_ptr(tc_mutator *m, int slot, void *obj)
{
	TC_ST_(tc_slot_addr_(m, slot), (uint64_t)(uintptr_t)obj);
}

TC_INLINE_ void *tc_get_ptr(const tc_mutator *m, int slot)
{
	uint64_t w = TC_LD_(tc_slot_addr_(m, slot));
	return TC_SLOT_IS_PTR(w) ? (void *)(uintptr_t)w : NULL;
}

TC_INLINE_ void tc_set_int(tc_mutator *m, int slot, int64_t v)
{
	TC_ST_(tc_slot_addr_(m, slot), TC_SLOT_SCALAR(v));
}

TC_INLINE_ int64_t tc_get_int(const tc_mutator *m, int slot)
{
	uint64_t w = TC_LD_(tc_slot_addr_(m, slot));
	return TC_SLOT_IS_PTR(w) ? 0 : TC_SLOT_VALUE(w);
}

/* Hand out the first free slot the cursor's cache names (`avail`, the
 * nonzero cache): consume its bit, set its alloc bit (the cursor's owner
 * is the only writer, so a load and a store), and zero its first
 * `zbytes` (a multiple of 8) if the span's memory was used before.
 * Returns the object and its slot; the caller writes its info word.
 * Shared by tc_alloc below and the out-of-line tc_mcache_alloc_fast
 * (src/heap/heap.h).
 *
 * tc_alloc zeroes the bytes asked for, rounded up to a word: a constant
 * at nearly every call site, so the loop unrolls into a few stores
 * (binary-trees' allocation took 66 instructions with the slot's size,
 * known only at run time, and 55 with this; callgrind,
 * TRICOLOR_HUGEPAGES=0 bench/binarytrees 16 1).  The rest of the slot
 * may keep old bytes: nothing reads past an object's size (marking and
 * observers read its pointer words, which come first). */
TC_INLINE_ uintptr_t tc_cursor_take_(tc_alloc_cursor_ *c, uint64_t avail,
				     size_t zbytes, uint32_t *slotp)
{
	uint32_t n = (uint32_t)__builtin_ctzll(avail);
	uint32_t slot = c->index + n;
	c->cache = (avail >> n) >> 1; /* two shifts: n may be 63 */
	c->index = slot + 1;
	uint64_t *aw = &c->allocbits[slot >> 6];
	TC_ST_(aw, TC_LD_(aw) | (uint64_t)1 << (slot & 63));
	uint32_t size = c->size;
	uintptr_t p = c->base + (uintptr_t)slot * size;
	if (c->needzero)
		for (size_t i = 0; i < zbytes / 8; i++)
			TC_ST_(&((uint64_t *)p)[i], (uint64_t)0);
	*slotp = slot;
	return p;
}

/* The allocation fast path (Go's nextFreeFast, inlined here into the
 * caller, where Go's stops at mallocgc): the next free slot of the
 * class's span, from the cursor's bitmap word.  Out of line: big
 * requests, an empty word or no span (refill), and while marking the
 * span's first black object and every TC_ASSIST_CHUNK_ bytes (an assist). */
TC_INLINE_ void *tc_alloc(tc_mutator *m, size_t nptrs, size_t scalar_bytes)
{
	tc_mutator_hot *h = tc_hot_(m);
	size_t bytes = nptrs * 8 + scalar_bytes;
	if (__builtin_expect(bytes - 1 >= TC_ALLOC_INLINE_MAX_ ||
				     nptrs > TC_ALLOC_INLINE_MAX_ / 8,
			     0))
		return tc_alloc_slow_(m, nptrs, scalar_bytes);
	tc_safepoint(m);
	tc_alloc_cursor_ *c = &h->alloc[tc_class_by8[(bytes + 7) / 8]];
	uint64_t avail = c->cache;
	int marking = TC_LD_(h->wb_enabled) != 0;
	if (__builtin_expect(avail == 0 ||
				     (marking &&
				      (!c->black ||
				       *h->assist_debt + (int64_t)c->size >
					       TC_ASSIST_CHUNK_)),
			     0))
		return tc_alloc_slow_(m, nptrs, scalar_bytes);
	uint32_t slot;
	uintptr_t p = tc_cursor_take_(c, avail, (bytes + 7) & ~(size_t)7,
				      &slot);
	TC_ST_(&c->info[slot], (uint8_t)(nptrs | c->flags));
	if (marking) {
		*h->black_bytes += c->size;
		*h->assist_debt += c->size;
	}
	return (void *)p;
}

TC_INLINE_ void *tc_alloc_slot(tc_mutator *m, int slot, size_t nptrs,
				  size_t scalar_bytes)
{
	void *p = tc_alloc(m, nptrs, scalar_bytes);
	if (p)
		tc_set_ptr(m, slot, p);
	return p;
}

/* A stack's scan state when it is black (src/gc/gc.h: TC_STACK_BLACK). */
#define TC_STACK_BLACK_ 0

/* The barrier goes out of line only when it may shade something.  The
 * hybrid barrier (src/gc/barrier.c) shades the old value, and the new
 * one while this mutator's stack is grey: storing over NULL from a black
 * stack shades nothing, and is what a program building new objects does
 * all the time (binary-trees: every store while marking, after the stack
 * scan), so it is decided here.  Yuasa's barrier shades only the old
 * value; Dijkstra's always shades the new one, so it always goes out.
 * The three loads are relaxed, as in the out-of-line barrier.  The
 * stack's state changes only at a stop-the-world, by its owner (the
 * caller) at a safepoint, or by the collector while the owner is parked
 * and claimed.  The barrier mode may change at any time (tc_set_barrier:
 * the demo switches it to show what breaks), and a store racing with the
 * switch gets one mode's barrier or the other's, as out of line.  The old
 * value is loaded, then stored over, not exchanged, as barrier.c does
 * (which reloads it with acquire before shading it). */
TC_INLINE_ void tc_write(tc_mutator *m, void *obj, size_t i, void *val)
{
	tc_mutator_hot *h = tc_hot_(m);
	void **slot = &((void **)obj)[i];
	if (__builtin_expect(TC_LD_(h->wb_enabled) != 0, 0) &&
	    (TC_LD_(slot) != NULL ||
	     TC_LD_(&h->stack.state) != TC_STACK_BLACK_ ||
	     TC_LD_(h->barrier) == TC_BARRIER_DIJKSTRA))
		tc_write_barrier(m, slot, val);
	__atomic_store_n(slot, val, __ATOMIC_RELEASE);
	if (__builtin_expect(++h->stores >= TC_STORES_PER_POLL, 0)) {
		h->stores = 0;
		tc_safepoint(m);
	}
}

#ifdef __cplusplus
}
#endif

#endif /* TRICOLOR_H */
