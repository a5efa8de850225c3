/*
 * runtime.h - the mutator runtime: the runtime object, mutator threads and
 * their registry, safepoints, parking and stop-the-world.  Implements the
 * tc_world contract the collector relies on (gc/gc.h).
 *
 * A mutator is RUNNING (may touch the heap and its stack), PARKED (promised
 * not to: sleeping, blocked, or waiting for a P), STOPPED (held at a
 * safepoint for a stop-the-world) or CLAIMED (parked and held by the
 * collector, which is scanning its stack or stopping the world; it cannot
 * unpark until released).  A RUNNING or STOPPED mutator holds a P.  Every
 * change of status happens under rt->sched_lock but one: a mutator that
 * stops at a safepoint makes itself STOPPED without the lock (runtime.c,
 * wait_stw).  status is an atomic so that observers may read it without
 * the lock.
 *
 * Waking is targeted, never a broadcast to every mutator: each mutator
 * sleeps on its own condition variable (wake) for a P, mutators waiting
 * for a P queue in FIFO order and only the head is woken when a P frees
 * up, and the end of a stop-the-world wakes just the mutators it stopped
 * (they sleep on rt->stw_epoch, a futex word).  With
 * more mutator threads than CPUs, a broadcast made every waiter runnable
 * at once; they then queued for the CPUs, and for sched_lock behind each
 * other, and a stop-the-world waited milliseconds for the mutators it
 * needed to get a turn.
 *
 * The safepoint poll is one relaxed load of the mutator's own `poll` word;
 * the collector sets it (release) when it wants something: a stop, a stack
 * scan.  The slow path clears it and looks at what is wanted.
 */
#ifndef TRICOLOR_RUNTIME_H
#define TRICOLOR_RUNTIME_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "gc/gc.h"
#include "heap/heap.h"
#include "tricolor.h"
#include "util.h"

#define TC_MAX_MUTATORS 256

/* What became of a stop's work (tc_runtime.stw_work). */
enum { STW_NONE, STW_OFFERED, STW_TAKEN, STW_DONE };

enum {
	TC_ST_RUNNING = 0,
	TC_ST_PARKED,
	TC_ST_STOPPED,
	TC_ST_CLAIMED,
	TC_ST_DETACHED,
};

struct tc_mutator {
	/* First: the state the inline API in tricolor.h works on (poll word,
	 * store counter, barrier flag pointer, the stack). */
	tc_mutator_hot hot;
	tc_gcmut g;           /* what the collector sees (stack, work, cache) */
	tc_runtime *rt;
	_Atomic int status;   /* TC_ST_*; changed under sched_lock, but
			       * for a stop at a safepoint (wait_stw) */
	_Atomic int assisting; /* for display */
	_Atomic unsigned id;  /* for observers; 0 while unused */
	bool stw_claimed;     /* under sched_lock */
	bool has_p;           /* holds one of the GOMAXPROCS slots; sched_lock */
	uint64_t p_since;     /* when it got it (ns); under sched_lock */
	_Atomic int preempt;  /* yield the P at the next safepoint */
	_Atomic int queued;   /* parked only because it waits for a P */
	tc_mutator *pq_next;  /* the P queue, under sched_lock */
	int pin;              /* CPU it is bound to while it holds a P, or
			       * -1; written by its own thread under
			       * sched_lock */
	int pin_applied;      /* the binding its thread has now; own only */
	_Atomic int pin_lost; /* the collector changed its binding in a
			       * stop (nudge): bind again */
	int tid;              /* its thread id (for that), set at attach
			       * under sched_lock, where the collector
			       * reads it */
	pthread_cond_t wake;  /* it waits for a P here (with sched_lock) */
	int index;            /* in rt->mtab */
	_Atomic char name[32]; /* written at attach; observers read */
	char err[160];
	tc_mutator *free_next; /* recycling list, under sched_lock */
};

struct tc_runtime {
	tc_config cfg;
	tc_heap heap;
	tc_collector gc;

	pthread_mutex_t sched_lock;
	_Atomic int sched_owner;   /* kernel tid of the last thread to take
				    * sched_lock (tc_sched_lock), so that a
				    * stop kept waiting for it can say who
				    * holds it; relaxed, a hint only */
	pthread_cond_t sched_cond; /* tc_attach waits for the end of a
				    * stop-the-world */
	pthread_cond_t stw_cond;   /* the collector waits: for a mutator to
				    * detach, or for the one that took the
				    * stop's work to release the world */
	_Atomic(tc_mutator *) mtab[TC_MAX_MUTATORS];
	/* One past the highest mtab index ever used (tc_mtab_end): loops
	 * over the table stop there, not at TC_MAX_MUTATORS.  Raised under
	 * sched_lock before the slot is filled, never lowered. */
	_Atomic int mtab_end;
	_Atomic int nmutators;
	/* Every mutator struct ever made (at most TC_MAX_MUTATORS: detached
	 * ones are reused, never freed before the runtime): each keeps its
	 * allocation cache's counts, which tc_read_stats adds up, detached
	 * or not.  Appended under sched_lock; nall is stored with release
	 * after the entry. */
	tc_mutator *mall[TC_MAX_MUTATORS];
	_Atomic int nall;
	unsigned next_id;          /* under sched_lock */
	tc_mutator *free_mutators; /* under sched_lock; never freed early */
	_Atomic int stw;           /* a stop-the-world is in progress */
	bool shutting_down;

	/* Ps (Go's processors): at most nprocs mutators are RUNNING at once,
	 * so a stop-the-world waits only for threads that are on a CPU, not
	 * for ones the kernel has descheduled.  Waiters queue in FIFO
	 * order.  All under sched_lock. */
	int nprocs;
	int procs_free;            /* may dip below 0 while the collector
				    * takes a P back from a running mutator */
	tc_mutator *pq_head, *pq_tail;
	bool gc_has_p;
	int gc_pin;                /* the collector's slot, as m->pin:
				    * written under sched_lock, only by the
				    * collector thread (take_p, give_p), which
				    * also reads it unlocked to apply it */
	int gc_pin_applied;        /* collector thread only */
	int pin_load[TC_MAX_MUTATORS]; /* P holders bound to each */
	/* Set by tc_runtime_new, constant after (so pin_apply reads them
	 * without the lock). */
	int pin_n;                 /* CPUs Ps are bound to; 0: no binding */
	cpu_set_t pin_all;         /* all of them */
	int pin_cpu[TC_MAX_MUTATORS];  /* their numbers */
	_Atomic uint64_t preemptions;
	_Atomic uint64_t nudges;   /* stragglers moved off their CPU in a
				    * stop (world_stopped); for the stats */
	_Atomic uint64_t stw_last_stop; /* when the last mutator stopped,
				    * parked or detached in the stop in
				    * progress (tc_now_ns), 0 if none yet
				    * (stw_count_stop); relaxed */
	/* The count of a stop (runtime.c, "Counting the stopped"). */
	_Atomic int stw_pending;   /* counted mutators yet to stop, less the
				    * count while the collector counts */
	_Atomic uint32_t stw_epoch; /* stops released so far: the futex word
				     * stopped mutators sleep on */
	/* The stop's work and who runs it (world_stopped, runtime.c).  The
	 * collector writes the work's fields under sched_lock before it sets
	 * rt->stw; the last mutator to stop takes the work without the lock
	 * (take_stop), and the collector reads what it wrote once the work
	 * is TAKEN (acquire) or DONE (under the lock).  stw_late points into
	 * the collector's frame for the length of the stop. */
	_Atomic int stw_work;      /* STW_NONE, _OFFERED, _TAKEN, _DONE */
	bool stw_gc_takes;         /* the world is stopped and the work is
				    * the collector's: its own count found
				    * none running, or the last detached;
				    * under sched_lock */
	void (*stw_fn)(void *arg, uint64_t t0);
	void *stw_arg;
	uint64_t stw_t0;           /* when the stop was requested */
	_Atomic(struct late_set *) stw_late; /* the stop's late mutators,
				    * if any: published (release) once
				    * complete, taken once (exchange) */
	unsigned stw_runner;       /* id of the mutator that took the work,
				    * 0 if the collector did */
	uint64_t stw_reach;        /* when it found the world stopped */
	uint64_t stw_released;     /* when it released the world */
	uint64_t stw_late_cpu_ns;  /* late_cpu, read before it released */
	uint64_t stw_late_wait_ns; /* late_wait, read with it */
	bool stw_late_wait_known;
	_Atomic uint64_t stw_handoffs; /* stops whose work a mutator ran */
};

/* The poll: one relaxed load (tc_safepoint, inline in tricolor.h). */
#define tc_poll(m) tc_safepoint(m)

/* Where a loop over rt->mtab may stop.  Acquire pairs with tc_attach's
 * release store: a reader without sched_lock that sees the new end may
 * still read the new slot as NULL, as if it had looked just before the
 * attach. */
static inline int tc_mtab_end(tc_runtime *rt)
{
	return atomic_load_explicit(&rt->mtab_end, memory_order_acquire);
}

/* Take sched_lock, and name the taker (rt->sched_owner): every hold
 * starts with tc_sched_lock, or with tc_sched_held after a trylock or a
 * condition wait that took the lock back.  The name is written just after
 * the lock is taken and never cleared, so a reader that finds the lock
 * held reads the holder's tid, or, for the few instructions between a new
 * holder's lock and its store, the one before: world_stopped reads it
 * only when the stop has waited 50 us for the lock.  Relaxed: nothing is
 * published through it. */
static inline void tc_sched_held(tc_runtime *rt)
{
	atomic_store_explicit(&rt->sched_owner, tc_self_tid(),
			      memory_order_relaxed);
}

static inline void tc_sched_lock(tc_runtime *rt)
{
	pthread_mutex_lock(&rt->sched_lock);
	tc_sched_held(rt);
}

/* Ask mutator m to take its slow path at its next poll. */
static inline void tc_poke(tc_mutator *m)
{
	__atomic_store_n(&m->hot.poll, 1, __ATOMIC_RELEASE);
}

#endif /* TRICOLOR_RUNTIME_H */
