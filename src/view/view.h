/*
 * view.h - the engine: control plane and read side of a live tricolor run.
 *
 * The engine owns a runtime (include/tricolor.h), a pool of mutator threads
 * running a workload scenario, and the read side the front ends draw from.
 * It is the only module the TUI and the headless driver talk to: they never
 * call tc_* functions themselves (they may use the plain data types of
 * tricolor.h, such as tc_stats, tc_span_info and tc_stack_view, which the
 * snapshots below are made of).
 *
 * Contract:
 *  - Every function here is thread-safe and never blocks on mutators or
 *    the collector for longer than one step takes, except tv_engine_free
 *    (joins threads) and the tv_step_* calls (wait for that step).
 *  - Snapshots are filled from atomic loads and seqlock-copied stacks: they
 *    never stop the world, and a snapshot is self-consistent per span and
 *    per stack, not across the whole heap (unless paused, when the picture
 *    holds still and is exact).
 *  - Threads created by the engine block SIGINT, SIGTERM, SIGHUP, SIGQUIT
 *    and SIGWINCH, so the front end's main thread is the one that sees
 *    them.
 */
#ifndef TRICOLOR_VIEW_H
#define TRICOLOR_VIEW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tricolor.h"

#define TV_MAX_MUTATORS 64
#define TV_RATE_MAX     0.0 /* rate value meaning "unthrottled" */
/* gogc value meaning "$GOGC as the runtime reads it (tc_config_init),
 * else 100". */
#define TV_GOGC_ENV 0

typedef struct tv_engine tv_engine;
struct wl_scenario; /* src/workload/workload.h */

typedef struct tv_options {
	int mutators;         /* 1..TV_MAX_MUTATORS; default 4 */
	double rate;          /* operations/s per mutator; TV_RATE_MAX = max */
	int gogc;             /* TC_GOGC_OFF, 1..10000, or TV_GOGC_ENV
	                       * (the default) */
	size_t heap_bytes;    /* arena; default 64 MiB */
	const char *scenario; /* name or path of a scenario file; "trees" */
	uint64_t seed;        /* 0 = from the clock */
	bool verify;
	tc_barrier_mode barrier;
	/* Added (append-only): `scenario` already loaded by the caller
	 * (wl_scenario_load), so that a file is read once and may be a
	 * pipe; NULL: the engine loads `scenario` itself.  Copied by
	 * tv_engine_new. */
	const struct wl_scenario *loaded;
} tv_options;

void tv_options_init(tv_options *o);

/* Block, in the calling thread, the signals the front end handles
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH), saving its mask in *old:
 * threads created meanwhile inherit the mask, so only the front end's
 * main thread takes them.  The engine uses it for its own threads, and a
 * front end for any it starts.  Put *old back with
 * pthread_sigmask(SIG_SETMASK, old, NULL). */
void tv_block_front_end_signals(sigset_t *old);

/* Start an engine: runtime, collector, o->mutators mutator threads.  On
 * error returns NULL and writes a message into err (errlen bytes). */
tv_engine *tv_engine_new(const tv_options *o, char *err, size_t errlen);
/* Stop all threads and free everything (a paused engine is resumed). */
void tv_engine_free(tv_engine *e);

/* ---- control (each change is visible in tv_status at once) ---- */
int tv_set_mutators(tv_engine *e, int n); /* 0 or TC_EINVAL */
int tv_get_mutators(tv_engine *e);
void tv_set_rate(tv_engine *e, double ops_per_sec);
double tv_get_rate(tv_engine *e);
/* Next/previous rate on the log ladder (1, 2, 5, ..., 100000, max);
 * dir = +1 or -1.  Returns 0, or TC_EINVAL (and changes nothing) when the
 * rate is already at that end of the ladder. */
int tv_step_rate(tv_engine *e, int dir);
void tv_set_gogc(tv_engine *e, int gogc);
/* Next/previous GOGC on 10, 25, 50, 100, 200, 400, off; returns as
 * tv_step_rate. */
int tv_step_gogc(tv_engine *e, int dir);
void tv_set_barrier(tv_engine *e, tc_barrier_mode mode);
void tv_cycle_barrier(tv_engine *e);
int tv_set_scenario(tv_engine *e, const char *name_or_path, char *err,
                    size_t errlen);
void tv_next_scenario(tv_engine *e);
void tv_force_gc(tv_engine *e);

/* Pause: mutators park at their next safepoint, the collector holds at its
 * next step point.  The picture holds still. */
void tv_pause(tv_engine *e, bool paused);
bool tv_paused(tv_engine *e);
/* While paused: do one unit of the collector's work (in mark, scan one
 * grey object or the parked mutators' stacks; in sweep, sweep one span;
 * with none left, go on into the next phase, starting a cycle from off);
 * run to the next phase; let each mutator perform exactly one operation.
 * Return 0 or TC_EINVAL when not paused.  The two collector steps say
 * what they did in tv_status.message ("step: swept one span"). */
int tv_step_object(tv_engine *e);
int tv_step_phase(tv_engine *e);
int tv_step_mutators(tv_engine *e);

/* ---- read side ---- */

typedef struct tv_status {
	tc_stats gc; /* collector statistics */
	int mutators;
	double rate; /* ops/s per mutator, TV_RATE_MAX = max */
	bool paused;
	const char *scenario; /* static or engine-owned name */
	uint64_t ops;         /* total mutator operations */
	double ops_per_sec;   /* measured over the last second */
	double alloc_bytes_per_sec;
	uint64_t uptime_ns;
	char message[128]; /* last control action, e.g. "GOGC 50" */
	/* Added after the first draft (append-only): */
	uint64_t failures;       /* workload checks that failed: a live
	                          * object freed (caught by the mutators) */
	uint64_t alloc_failures; /* allocations that found the heap full */
	char failure[160];       /* the first failure, or "" */
	int gc_cpu_pct;          /* collector CPU over uptime, percent */
	char alloc_error[160];   /* the first allocation failure, or "" */
	int mutators_held;       /* mutators parked by the pause so far: the
	                          * picture holds still once it equals
	                          * `mutators` (and the collector holds) */
	bool verify;             /* the verifier runs every cycle (--verify
	                          * or TRICOLOR_VERIFY; a barrier weaker than
	                          * hybrid adds the cycles it runs in) */
	uint64_t message_seq;    /* bumped with every control message, so
	                          * that one repeated (a second forced GC)
	                          * can be told from the last one seen */
} tv_status;

void tv_get_status(tv_engine *e, tv_status *st);

/* Heap picture: every span in address order with its objects' colors.
 * The caller owns h and reuses it between frames (buffers grow). */
typedef struct tv_heap {
	size_t nspans;
	tc_span_info *spans; /* nspans entries */
	size_t *first_color; /* index into colors of each span's first */
	size_t ncolors;
	uint8_t *colors;   /* tc_color per object */
	size_t counts[4];  /* objects per tc_color (TC_FREE..TC_BLACK) */
	size_t npages;     /* arena pages */
	size_t free_pages; /* pages in no span */
	size_t cap_spans, cap_colors; /* internal */
} tv_heap;

void tv_heap_snapshot(tv_engine *e, tv_heap *h);
void tv_heap_release(tv_heap *h);

/* Stacks of all mutators, in id order.  A stack that cannot be copied
 * this time (its owner kept changing it) keeps its last picture, so a
 * mutator never goes missing for a frame. */
typedef struct tv_stacks {
	int n;
	tc_stack_view *stacks; /* n entries; internal buffer */
	int cap;
	tc_stack_view *scratch; /* internal: the copy being taken */
} tv_stacks;

void tv_stacks_snapshot(tv_engine *e, tv_stacks *s);
void tv_stacks_release(tv_stacks *s);

/* Event log: formatted one-line events (gctrace lines for cycles, pauses,
 * mutator start/retire, control actions).  Each has a sequence number;
 * pass the last one seen (0 at first) and get the newer ones (up to max),
 * oldest first.  Returns the count. */
typedef struct tv_event {
	uint64_t seq;
	uint64_t ns;        /* since engine start */
	tc_event_kind kind; /* or -1 for control messages */
	char text[160];
	uint64_t pause_ns; /* TC_EV_PAUSE: how long the world stood still */
} tv_event;

size_t tv_events_since(tv_engine *e, uint64_t *seq, tv_event *out, size_t max);

/* Objects recently shaded by the write barrier (to flash them). */
size_t tv_recent_shades(tv_engine *e, uint64_t *since, tc_objid *ids,
                        size_t max);

/* Object inspector.  Returns 0 and fills *o, or -1 if no such object. */
#define TV_INSPECT_FIELDS    16
#define TV_INSPECT_REFERRERS 8
typedef struct tv_object {
	tc_object_info info;
	int nfields; /* shown, <= TV_INSPECT_FIELDS */
	tc_objid fields[TV_INSPECT_FIELDS];
	bool field_nonnull[TV_INSPECT_FIELDS];
	tc_color field_color[TV_INSPECT_FIELDS];
	int nreferrers; /* found, <= TV_INSPECT_REFERRERS */
	tc_objid referrers[TV_INSPECT_REFERRERS];
	int nroot_refs;    /* stack slots/globals pointing here */
	char roots[4][48]; /* e.g. "worker 3 bottomUpTree[1]" */
} tv_object;

int tv_inspect(tv_engine *e, tc_objid id, tv_object *o);

/* Scenario names for the key bar / help ("trees", "list", ...). */
int tv_scenario_count(void);
const char *tv_scenario_name(int i);

/* ---- added for the headless driver and tests (append-only) ---- */

/* Completed cycles, as tv_events_since: pass the last sequence seen (0 at
 * first); the ring keeps the last TV_CYCLE_RING.  Returns the count. */
#define TV_CYCLE_RING 1024
size_t tv_cycles_since(tv_engine *e, uint64_t *seq, tc_cycle_info *out,
                       size_t max);

/* Format one cycle as a line in the layout of Go's GODEBUG=gctrace=1
 * (without a newline), heap sizes in MB (unit_shift 20) or KB (10), and
 * `procs` Ps (GOMAXPROCS, see tv_procs):
 *   gc 3 @0.512s 4%: 0.020+3.1+0.015 ms clock, 0.020+0.50/2.9/0+0.015 ms
 *   cpu, 4->5->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P
 * Returns the length as snprintf. */
int tv_format_gctrace(const tc_cycle_info *c, int procs, int unit_shift,
		      char *buf, size_t len);

/* The runtime's number of Ps (mutators that run at once). */
int tv_procs(tv_engine *e);

/* The runtime under the engine, for tests and benchmarks that need the
 * raw API (front ends must not use it). */
tc_runtime *tv_runtime(tv_engine *e);

/* Total operations performed by mutator slot i (0..63). */
uint64_t tv_slot_ops(tv_engine *e, int i);

#endif /* TRICOLOR_VIEW_H */
