/*
 * engine.h - internals of the engine shared by its files (control, events,
 * snapshots).  Not an interface: front ends use view.h only.
 *
 * Locks, outermost first; no tc_* call that can block (park, unpark,
 * safepoints, steps) is ever made while holding one of them:
 *   step_lock  serialises the tv_step_* calls
 *   lock       control state: options, scenario, pause, step tokens,
 *              workers; `cond` wakes mutators, `done` wakes a stepper
 *   ev_lock    the event and cycle rings (a few copies inside; taken on
 *              collector and mutator threads from the on_event hook)
 *   insp_lock  the inspector's scratch buffers
 */
#ifndef TRICOLOR_VIEW_ENGINE_H
#define TRICOLOR_VIEW_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>

#include "view/view.h"
#include "workload/workload.h"

#define TV_EVENT_RING 512
#define TV_MAX_NAMES  64

typedef struct tv_worker tv_worker;

typedef struct tv_slot {
	/* Bumped (under lock) to start a new worker or retire the current
	 * one; the worker runs while it equals its own gen.  Read by the
	 * worker with acquire loads. */
	atomic_uint_fast64_t gen;
	/* Operations and check failures of all workers of this slot: the
	 * worker adds (relaxed), readers load (relaxed). */
	atomic_uint_fast64_t ops;
	/* Under lock: the newest worker's thread (joined by the next worker
	 * of the slot or by tv_engine_free) and the current worker. */
	pthread_t thread;
	bool has_thread;
	tv_worker *cur;
} tv_slot;

struct tv_worker {
	tv_engine *e;
	int slot;
	uint64_t gen;   /* immutable */
	pthread_t prev; /* previous thread of the slot, to join */
	bool has_prev;
	uint64_t step_done; /* under e->lock */
	bool exited;        /* under e->lock */
	uint64_t scen_gen;  /* worker-private: scenario generation run */
	wl_mutator w;       /* owned by the worker thread */
	uint64_t fails_seen, allocfail_seen; /* worker-private */
};

struct tv_engine {
	tc_runtime *rt;
	uint64_t t0_ns;    /* immutable: engine start, CLOCK_MONOTONIC */
	size_t heap_bytes; /* immutable */
	uint64_t seed;     /* immutable */
	bool verify;       /* immutable: the runtime runs the verifier */

	pthread_mutex_t step_lock;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* mutators wait here (pause, rate sleep) */
	pthread_cond_t done; /* tv_step_mutators waits for acks here */

	/* Read lock-free by workers (acquire/relaxed), written under lock. */
	atomic_bool paused;
	atomic_int nmut;
	_Atomic double rate;
	atomic_uint_fast64_t scen_gen;
	atomic_bool shutdown;

	/* Under lock. */
	wl_scenario scen;
	/* Scenario names handed out by tv_get_status; entries are written
	 * once and never change, so readers may keep the pointers. */
	char names[TV_MAX_NAMES][WL_NAME_MAX];
	int nnames;
	uint64_t step_gen;
	int held; /* workers parked at an operation boundary by the pause */
	char message[128];
	uint64_t message_seq; /* bumped with each message */
	uint64_t failures, alloc_failures;
	char failure[160];
	char alloc_error[160];
	/* ops/s sampler, under lock */
	uint64_t s_prev_ns, s_prev_ops, s_prev_bytes;
	uint64_t s_cur_ns, s_cur_ops, s_cur_bytes;
	/* Barrier-shade log pacing (events.c), under lock: the count at
	 * the last look, and when that look was. */
	uint64_t shades_seen, shades_ns;

	tv_slot slots[TV_MAX_MUTATORS];

	/* Event and cycle rings, under ev_lock. */
	pthread_mutex_t ev_lock;
	uint64_t ev_next; /* sequence of the next event, from 1 */
	tv_event ev[TV_EVENT_RING];
	uint64_t cy_next;
	tc_cycle_info cy[TV_CYCLE_RING];
	uint64_t gc_cpu_sum_ns; /* collector CPU of all cycles so far */
	int procs;              /* immutable after start: GOMAXPROCS */
	int trace_shift; /* immutable: 20 (MB) or 10 (KB) */

	/* Inspector scratch, under insp_lock. */
	pthread_mutex_t insp_lock;
	tc_stack_view *insp_stack;
	tc_objid *insp_fields;
	bool *insp_nonnull;
	bool insp_valid; /* the last referrer walk: object, time, result */
	tc_objid insp_id;
	uint64_t insp_ns;
	int insp_nref;
	tc_objid insp_refs[TV_INSPECT_REFERRERS];
	size_t insp_nfields;
};

uint64_t tv_now_ns(void);
void tv_log(tv_engine *e, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tv_on_event(void *ctx, const struct tc_event *ev);
/* Control message: into the status line and the event log. */
void tv_control(tv_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* TRICOLOR_VIEW_ENGINE_H */
