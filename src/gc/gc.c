/*
 * gc.c - the collector's cycle: phases, pacer, pausing and stepping.
 * Modelled on Go's mgc.go; read this comment first.
 *
 * tricolor is a non-moving, non-generational, concurrent tri-color
 * mark-and-sweep collector.  Every heap object is, at any moment of a mark
 * phase, one of:
 *
 *   white  not reached yet: garbage if still white when marking ends;
 *   grey   reached (mark flag set) but its pointer fields not scanned yet;
 *   black  reached and scanned: everything it points to is grey or black.
 *
 * Marking makes grey objects black one at a time, shading (white -> grey)
 * what they point to, until no grey object is left; then every white
 * object is unreachable and sweep frees it.  Because mutators keep running
 * while this happens, a write barrier (barrier.c) keeps the tri-color
 * invariant: no black object may hide a white one from the collector.
 *
 * A cycle, driven by the collector thread (collector_main):
 *
 *  0. off: the collector sleeps until the pacer's trigger is crossed (the
 *     heap grew to live_after_last_mark * (1 + GOGC/100), started early so
 *     marking ends near that goal), or someone asks for a collection.
 *
 *  1. sweep termination (stop the world): finish sweeping the previous
 *     cycle's spans (most of it is done concurrently before stopping),
 *     then, with every mutator at a safepoint or parked: enable the write
 *     barrier, start allocating black, and mark every mutator's stack grey
 *     ("must be scanned").  That is all: the pause does no work
 *     proportional to the heap, to stack depth or to the number of
 *     globals.
 *
 *  2. mark (concurrent): the world restarts.  The collector first shades
 *     the globals, as Go's mark workers scan the data and bss segments
 *     while the world runs: every store into a global goes through the
 *     barrier, whose deletion half shades the pointer a store overwrites,
 *     so a pointer taken out of a global before this scan reached it was
 *     shaded when it was taken out.  (Inside the pause, that would also
 *     touch memory idle since the last cycle, which on a VM can stall for
 *     a tenth of a millisecond or more: benchmarks.md.)  Each running
 *     mutator scans its own stack at its next safepoint (in Go a mark
 *     worker suspends the goroutine and scans it); the collector scans
 *     the stacks of parked mutators, claiming them so they cannot wake
 *     meanwhile.  A stack is scanned once per cycle and never
 *     rescanned (the hybrid barrier makes that sound).  The collector
 *     drains grey objects from its buffer and the global list (mark.c);
 *     mutators that allocate during mark pay for it in scan work, in
 *     proportion to what they allocate: out of the collector's credit
 *     while it keeps ahead, with mark assists of their own when it does
 *     not, so they cannot outrun it.
 *
 *  3. mark termination (stop the world): when the collector finds no grey
 *     work anywhere, it stops the world, flushes every mutator's private
 *     grey buffer and scans any stack still grey; if that produced work,
 *     it restarts the world and goes back to marking.  Otherwise marking
 *     is complete: run the verifier if asked (verify.c), disable the
 *     barrier, stop allocating black, take back every allocation cache,
 *     advance the sweep generation (every span becomes "unswept" at once),
 *     and compute the next heap goal from the bytes marked.
 *
 *  4. sweep (concurrent): the collector sweeps spans in the background
 *     while mutators sweep lazily any span they are about to allocate from
 *     (heap/mcentral.c).  Sweeping frees white objects and turns the mark
 *     bits into the next cycle's allocation bits.  Then back to off.
 *
 * The work of the two stops (sweep_term_stopped, mark_term_stopped) is
 * handed to the world with the request, and runs on the collector's
 * thread or on the last mutator to stop, whichever finds the world
 * stopped first (runtime.c says why); the collector records the pause
 * when the world has restarted.
 *
 * Pausing and stepping (for the front end): when paused, the collector
 * holds at its next step point - between two grey objects, two stacks, two
 * swept spans, or two phases - and advances one unit (TC_STEP_OBJECT) or
 * to the next phase (TC_STEP_PHASE) on request.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc/gc.h"
#include "util.h"


#define MARK_CHUNK (256 * 1024) /* scan bytes between checks */

const char *tc_phase_name(tc_phase p)
{
	static const char *names[] = {"off", "sweep termination", "mark",
				      "mark termination", "sweep"};
	return p < TC_NPHASES ? names[p] : "?";
}

/* Milliseconds the way Go's gctrace prints them (fmtNSAsMS): whole
 * milliseconds from 10 ms, below that two significant digits, truncated,
 * with at most three decimals, and "0" under a microsecond. */
static void trace_ms(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 10000000) {
		snprintf(buf, len, "%llu", (unsigned long long)(ns / 1000000));
		return;
	}
	uint64_t x = ns / 1000; /* microseconds, under 10000 */
	if (x == 0) {
		snprintf(buf, len, "0");
		return;
	}
	int dec = 3;
	uint64_t scale = 1000;
	while (x >= 100) {
		x /= 10;
		dec--;
		scale /= 10;
	}
	snprintf(buf, len, "%llu.%0*llu", (unsigned long long)(x / scale), dec,
		 (unsigned long long)(x % scale));
}

int tc_format_gctrace(const tc_cycle_info *c, int procs,
		      uint64_t globals_bytes, int unit_shift, char *buf,
		      size_t len)
{
	char a[16], b[16], d[16], ca[16], cas[16], cbg[16], cid[16], cb[16];
	const char *unit = unit_shift == 10 ? "KB" : "MB";
	int pct = (int)(c->gc_cpu_fraction * 100 + 0.5);
	trace_ms(a, sizeof a, c->stw1_ns);
	trace_ms(b, sizeof b, c->mark_ns);
	trace_ms(d, sizeof d, c->stw2_ns);
	trace_ms(ca, sizeof ca, c->cpu_stw1_ns);
	trace_ms(cas, sizeof cas, c->cpu_assist_ns);
	trace_ms(cbg, sizeof cbg, c->cpu_bg_ns);
	trace_ms(cid, sizeof cid, c->cpu_idle_ns);
	trace_ms(cb, sizeof cb, c->cpu_stw2_ns);
	return snprintf(
		buf, len,
		"gc %llu @%.3fs %d%%: %s+%s+%s ms clock, %s+%s/%s/%s+%s ms "
		"cpu, %llu->%llu->%llu %s, %llu %s goal, %llu %s stacks, "
		"%llu %s globals, %d P%s",
		(unsigned long long)c->n, (double)c->start_ns / 1e9, pct, a, b,
		d, ca, cas, cbg, cid, cb,
		(unsigned long long)(c->heap_start >> unit_shift),
		(unsigned long long)(c->heap_end >> unit_shift),
		(unsigned long long)(c->heap_marked >> unit_shift), unit,
		(unsigned long long)(c->heap_goal >> unit_shift), unit,
		(unsigned long long)(c->stack_bytes >> unit_shift), unit,
		(unsigned long long)(globals_bytes >> unit_shift), unit, procs,
		c->forced ? " (forced)" : "");
}

/* cfg.gctrace: the cycle's line on stderr, as Go prints it, after the
 * world has started again (never inside a pause). */
static void gctrace(tc_collector *gc, const tc_cycle_info *c)
{
	char line[256];
	tc_format_gctrace(c, gc->world.procs(gc->world.ctx),
			  (uint64_t)gc->cfg.nglobals * 8, 20, line,
			  sizeof line);
	fprintf(stderr, "%s\n", line);
}

static void emit(tc_collector *gc, tc_event *ev)
{
	if (gc->cfg.on_event)
		gc->cfg.on_event(gc->cfg.event_ctx, ev);
}

static void set_phase(tc_collector *gc, tc_phase p)
{
	atomic_store_explicit(&gc->phase, p, memory_order_release);
	tc_event ev = {.kind = TC_EV_PHASE, .phase = p};
	emit(gc, &ev);
}

/* ---- pacer ---- */

/* Next cycle's goal and trigger from the bytes marked (after Go's
 * gcControllerState.commit): goal = marked * (1 + GOGC/100), at least the
 * minimum heap (Go before 1.18; since then Go also adds the stacks and
 * globals it scanned to what GOGC scales); the trigger sits a fraction of
 * the way from marked to goal (70% at first) so that concurrent marking,
 * with assists, finishes near the goal.  pacer_feedback moves that
 * fraction after each cycle. */
static void pacer_commit(tc_collector *gc)
{
	uint64_t marked = atomic_load_explicit(&gc->heap_marked,
					       memory_order_relaxed);
	int gogc = atomic_load_explicit(&gc->gogc, memory_order_relaxed);
	uint64_t goal, trigger;
	if (gogc < 0) {
		goal = trigger = UINT64_MAX;
	} else {
		/* The minimum heap scales with GOGC, as Go's heapMinimum
		 * (4 MiB * GOGC/100, setGCPercent): a small heap at GOGC 50
		 * collects twice as often as at 100, as a big one does.  The
		 * arena bounds everything: the minimum heap is at most a
		 * quarter of it, and the goal stays an eighth short of it, so
		 * that cycles start before the arena runs out rather than
		 * being forced by exhaustion. */
		uint64_t arena = gc->heap->arena_bytes;
		uint64_t min = (uint64_t)gc->cfg.min_heap_bytes *
			       (uint64_t)gogc / 100;
		if (min > arena / 4)
			min = arena / 4;
		goal = marked + marked * (uint64_t)gogc / 100;
		if (goal < min)
			goal = min;
		if (goal > arena - arena / 8)
			goal = marked + 64 * 1024 > arena - arena / 8
				       ? marked + 64 * 1024
				       : arena - arena / 8;
		uint64_t frac = atomic_load_explicit(&gc->trigger_milli,
						     memory_order_relaxed);
		trigger = marked + (goal - marked) / 1000 * frac;
		if (trigger < marked + 64 * 1024)
			trigger = marked + 64 * 1024;
		if (trigger > goal)
			trigger = goal;
	}
	atomic_store_explicit(&gc->heap_goal, goal, memory_order_relaxed);
	atomic_store_explicit(&gc->trigger, trigger, memory_order_relaxed);
}

/* The trigger controller (a proportional version of the trigger-ratio
 * feedback Go used until 1.18, which now places the trigger from its
 * measured allocation-to-mark ratio): a cycle that ended past 95% of its
 * goal starts the next one earlier, one that ended well short starts it
 * later. */
static void pacer_feedback(tc_collector *gc, uint64_t marked_before,
			   uint64_t goal, uint64_t end)
{
	if (goal == UINT64_MAX || goal <= marked_before)
		return;
	double room = (double)(goal - marked_before);
	double err = ((double)end - 0.95 * (double)goal) / room;
	double f = atomic_load_explicit(&gc->trigger_milli,
					memory_order_relaxed) /
		   1000.0;
	f -= 0.5 * err;
	if (f < 0.4)
		f = 0.4;
	if (f > 0.95)
		f = 0.95;
	atomic_store_explicit(&gc->trigger_milli, (uint64_t)(f * 1000),
			      memory_order_relaxed);
}

/* Assist ratio: scan work still expected / heap distance left to the goal,
 * in bytes of scan work per 1000 bytes allocated (Go's
 * assistWorkPerByte).  Recomputed by the collector as marking goes. */
static void pacer_assist_ratio(tc_collector *gc)
{
	uint64_t expected = atomic_load_explicit(&gc->scan_expected,
						 memory_order_relaxed);
	uint64_t done = atomic_load_explicit(&gc->scan_done,
					     memory_order_relaxed);
	uint64_t live = atomic_load_explicit(&gc->heap->heap_live,
					     memory_order_relaxed);
	uint64_t goal = atomic_load_explicit(&gc->heap_goal,
					     memory_order_relaxed);
	uint64_t left = expected > done ? expected - done : expected / 10;
	uint64_t room = goal > live ? goal - live : 0;
	if (room < left / 50 + 64 * 1024)
		room = left / 50 + 64 * 1024; /* past the goal: cap at 50x */
	atomic_store_explicit(&gc->assist_ratio_milli, left * 1000 / room,
			      memory_order_relaxed);
}

void tc_set_gogc_gc(tc_collector *gc, int gogc)
{
	atomic_store_explicit(&gc->gogc, gogc, memory_order_relaxed);
	pacer_commit(gc);
}

/* ---- pauses ---- */

static size_t pause_bucket(uint64_t ns)
{
	if (ns < 1024)
		return ns / 16;
	int e = 63 - __builtin_clzll(ns); /* >= 10 */
	size_t b = 64 + (size_t)(e - 10) * 64 + ((ns >> (e - 6)) & 63);
	return b < TC_PAUSE_BUCKETS ? b : TC_PAUSE_BUCKETS - 1;
}

static uint64_t bucket_value(size_t b)
{
	if (b < 64)
		return b * 16 + 8;
	int e = (int)((b - 64) / 64) + 10;
	uint64_t sub = (b - 64) % 64;
	return ((uint64_t)1 << e) + ((sub * 2 + 1) << (e - 7));
}

void tc_gc_record_pause(tc_collector *gc, const tc_pause_info *pi,
			tc_phase phase)
{
	uint64_t ns = pi->ns;
	atomic_fetch_add_explicit(&gc->pauses, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&gc->pause_total_ns, ns,
				  memory_order_relaxed);
	atomic_store_explicit(&gc->pause_last_ns, ns, memory_order_relaxed);
	if (ns > atomic_load_explicit(&gc->pause_max_ns, memory_order_relaxed)) {
		/* The max and its record change together (cycle_lock), so
		 * that tc_gc_read_stats returns the record of the max it
		 * returns.  Only the collector thread records pauses
		 * (stop_the_world), so testing the max outside the lock cannot
		 * let a smaller pause replace a larger one. */
		pthread_mutex_lock(&gc->cycle_lock);
		atomic_store_explicit(&gc->pause_max_ns, ns,
				      memory_order_relaxed);
		gc->pause_max_info = *pi;
		pthread_mutex_unlock(&gc->cycle_lock);
	}
	atomic_fetch_add_explicit(&gc->pause_hist[pause_bucket(ns)], 1,
				  memory_order_relaxed);
	/* One writer (this thread), so load-then-store keeps the max;
	 * readers (tc_gc_read_stats) load it atomically. */
	if (pi->reach_ns > atomic_load_explicit(&gc->stop_max_ns,
						memory_order_relaxed))
		atomic_store_explicit(&gc->stop_max_ns, pi->reach_ns,
				      memory_order_relaxed);
	atomic_fetch_add_explicit(&gc->stop_hist[pause_bucket(pi->reach_ns)],
				  1, memory_order_relaxed);
	tc_event ev = {
	    .kind = TC_EV_PAUSE, .ns = ns, .phase = phase, .pause = pi};
	emit(gc, &ev);
}

/* The q-quantile of the n pauses counted in hist (at most max_ns). */
static uint64_t percentile(const _Atomic uint64_t *hist,
			   const _Atomic uint64_t *max_ns, uint64_t n, double q)
{
	if (n == 0)
		return 0;
	uint64_t want = (uint64_t)(q * (double)n + 0.5);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (size_t b = 0; b < TC_PAUSE_BUCKETS; b++) {
		seen += atomic_load_explicit(&hist[b],
					     memory_order_relaxed);
		if (seen >= want) {
			uint64_t v = bucket_value(b);
			uint64_t mx = atomic_load_explicit(
				max_ns, memory_order_relaxed);
			return v < mx ? v : mx;
		}
	}
	return atomic_load_explicit(max_ns, memory_order_relaxed);
}

/* A stop-the-world: fn(arg, t0) runs with the world stopped, on this
 * thread or on the last mutator to stop (tc_world.stopped), and the pause
 * is recorded here, before any observer hears of it, with the CPU time
 * this thread used from just before the request to its return added to
 * the runner's (gc->stop_info.gc_cpu_ns), and the time it spent queued
 * for a CPU meanwhile (gc_wait_ns: two schedstat reads, about 6 us each,
 * both outside the pause); that CPU time alone is also added to *own_cpu
 * if given.  Returns the pause. */
static uint64_t stop_the_world(tc_collector *gc, tc_phase stw,
			       void (*fn)(void *arg, uint64_t t0), void *arg,
			       uint64_t *own_cpu)
{
	memset(&gc->stop_info, 0, sizeof gc->stop_info);
	tc_schedstat ss0, ss1;
	bool ss = tc_self_schedstat(&ss0) == 0;
	uint64_t cpu0 = tc_thread_cpu_ns();
	uint64_t released;
	uint64_t t0 = gc->world.stopped(gc->world.ctx, &gc->stop_info, fn, arg,
					&released);
	uint64_t own = tc_thread_cpu_ns() - cpu0;
	gc->stop_info.gc_cpu_ns += own;
	if (own_cpu)
		*own_cpu += own;
	if (ss && tc_self_schedstat(&ss1) == 0) {
		gc->stop_info.gc_wait_known = true;
		gc->stop_info.gc_wait_ns = ss1.wait_ns > ss0.wait_ns
						   ? ss1.wait_ns - ss0.wait_ns
						   : 0;
	}
	gc->stop_info.ns = released - t0;
	tc_gc_record_pause(gc, &gc->stop_info, stw);
	return gc->stop_info.ns;
}

/* ---- pausing and stepping ---- */

/* Called by the collector between units of work.  Returns at once unless
 * paused; when paused, holds until a step is requested (and ends the step
 * that was running once it has done what it asked for). */
static void step_point(tc_collector *gc)
{
	if (!atomic_load_explicit(&gc->paused, memory_order_acquire) &&
	    !gc->step_active)
		return;
	pthread_mutex_lock(&gc->ctl_lock);
	for (;;) {
		tc_phase ph = atomic_load_explicit(&gc->phase,
						   memory_order_relaxed);
		if (gc->step_active) {
			/* A phase step ends in the next concurrent phase
			 * (off, mark or sweep): the stop-the-world phases in
			 * between cannot hold still. */
			bool stable = ph == TC_PHASE_OFF ||
				      ph == TC_PHASE_MARK ||
				      ph == TC_PHASE_SWEEP;
			bool done = gc->step_kind == TC_STEP_OBJECT
					    ? gc->units > gc->step_units
					    : stable && (int)ph != gc->step_phase;
			if (!done && !gc->shutdown &&
			    atomic_load(&gc->paused))
				break; /* keep working on this step */
			gc->step_active = false;
			gc->steps_done++;
			pthread_cond_broadcast(&gc->done_cond);
		}
		if (gc->shutdown || !atomic_load(&gc->paused))
			break;
		if (gc->steps_requested > gc->steps_done) {
			gc->step_active = true;
			gc->step_units = gc->units;
			gc->step_phase = (int)ph;
			break;
		}
		pthread_cond_wait(&gc->ctl_cond, &gc->ctl_lock);
	}
	pthread_mutex_unlock(&gc->ctl_lock);
}

void tc_gc_pause(tc_collector *gc, bool paused)
{
	pthread_mutex_lock(&gc->ctl_lock);
	atomic_store_explicit(&gc->paused, paused, memory_order_release);
	pthread_cond_broadcast(&gc->ctl_cond);
	/* An allocation parked until the cycle ends (tc_gc_wait_mark) must
	 * not sleep through the pause: a paused cycle ends only by steps, and
	 * the first step would then let that mutator finish its operation
	 * while the user single-steps the collector. */
	pthread_cond_broadcast(&gc->done_cond);
	pthread_mutex_unlock(&gc->ctl_lock);
}

int tc_gc_step_wait(tc_collector *gc, int kind)
{
	pthread_mutex_lock(&gc->ctl_lock);
	if (!atomic_load(&gc->paused) || !gc->running) {
		pthread_mutex_unlock(&gc->ctl_lock);
		return TC_EINVAL;
	}
	gc->step_kind = kind;
	uint64_t mine = ++gc->steps_requested;
	pthread_cond_broadcast(&gc->ctl_cond);
	while (gc->steps_done < mine && !gc->shutdown &&
	       atomic_load(&gc->paused))
		pthread_cond_wait(&gc->done_cond, &gc->ctl_lock);
	if (gc->steps_done < mine) /* unpaused or shut down meanwhile */
		gc->steps_done = mine;
	pthread_mutex_unlock(&gc->ctl_lock);
	return 0;
}

/* Go's sysmon, folded into the collector's loops: time-slice the Ps. */
static void sysmon(tc_collector *gc)
{
	uint64_t now = tc_now_ns();
	if (now - gc->sysmon_last < 2 * 1000 * 1000)
		return;
	gc->sysmon_last = now;
	gc->world.preempt(gc->world.ctx, now);
}

/* ---- the phases ---- */

static void finish_sweep(tc_collector *gc)
{
	while (tc_heap_sweep_some(gc->heap, TC_SWEEP_BATCH))
		;
	/* Spans claimed by lazy sweepers are done in a moment. */
	while (atomic_load_explicit(&gc->heap->nunswept,
				    memory_order_acquire) > 0)
		sched_yield();
}

static void start_mark_mutator(void *arg, tc_gcmut *m)
{
	(void)arg;
	__atomic_store_n(&m->stack->state, TC_STACK_GREY, __ATOMIC_RELAXED);
	m->cache.black_bytes = 0;
	m->assist_debt = 0;
}

/* Sweep termination's stop: arm the barrier and allocate black from
 * here on (tc_world.stopped: possibly on a mutator's thread). */
static void sweep_term_stopped(void *arg, uint64_t t0)
{
	tc_collector *gc = arg;
	tc_heap *h = gc->heap;
	/* The stop-the-world phases read as such only while the world is
	 * stopped (mark termination's too): an observer's timeline never
	 * shows one while a mutator runs. */
	set_phase(gc, TC_PHASE_SWEEP_TERM);
	finish_sweep(gc); /* anything swept lazily since: must be none left */
	gc->cur.n = atomic_load(&gc->cycle);
	gc->cur.start_ns = t0 - gc->start_ns;
	gc->cur.heap_start = atomic_load(&h->heap_live);
	gc->cur.heap_goal = atomic_load(&gc->heap_goal);
	gc->cur.mutators = gc->world.count(gc->world.ctx);
	gc->world.each(gc->world.ctx, start_mark_mutator, NULL);
	atomic_store_explicit(&h->black_large, 0, memory_order_relaxed);
	gc->marked_at_start = atomic_load(&gc->marked_bytes_total);
	atomic_store_explicit(&gc->scan_done, 0, memory_order_relaxed);
	atomic_store_explicit(&gc->bg_credit, 0, memory_order_relaxed);
	atomic_store_explicit(&gc->stack_scan_bytes, 0, memory_order_relaxed);
	/* Expect to scan what was live last time, or half the heap if it
	 * has grown past twice that (a growing live set). */
	uint64_t expect = atomic_load(&gc->heap_marked);
	if (expect < gc->cur.heap_start / 2)
		expect = gc->cur.heap_start / 2;
	if (expect < 256 * 1024)
		expect = 256 * 1024;
	atomic_store_explicit(&gc->scan_expected, expect,
			      memory_order_relaxed);
	pacer_assist_ratio(gc);
	atomic_store(&gc->weak_barrier,
		     atomic_load(&gc->barrier) != TC_BARRIER_HYBRID);
	atomic_store_explicit(&h->allocblack, 1, memory_order_relaxed);
	__atomic_store_n(&gc->wb_enabled, 1, __ATOMIC_RELAXED);
	set_phase(gc, TC_PHASE_MARK);
}

static void sweep_termination(tc_collector *gc, bool forced)
{
	/* The collector's own P, from here to the end of sweep (gc.h), and
	 * any sweeping left, with the world running and the phase still
	 * off, as Go's gcStart sweeps before it stops the world. */
	gc->world.take_p(gc->world.ctx);
	finish_sweep(gc);
	memset(&gc->cur, 0, sizeof gc->cur);
	gc->cur.forced = forced;
	gc->cur.stw1_ns = stop_the_world(gc, TC_PHASE_SWEEP_TERM,
					 sweep_term_stopped, gc, NULL);
	gc->cur.cpu_stw1_ns = gc->stop_info.gc_cpu_ns;
	gc->units++;
}

typedef struct term_ctx {
	tc_collector *gc;
	bool done; /* marking is complete (mark_term_stopped) */
	uint64_t black;
	uint64_t assist_ns;
} term_ctx;

static void flush_mutator(void *arg, tc_gcmut *m)
{
	term_ctx *t = arg;
	tc_collector *gc = t->gc;
	uint32_t st = __atomic_load_n(&m->stack->state, __ATOMIC_RELAXED);
	if (st == TC_STACK_GREY) {
		/* Stopped before its safepoint got to the scan: do it here. */
		tc_gc_scan_stack(gc, &gc->work, m->stack);
		__atomic_store_n(&m->stack->state, TC_STACK_BLACK,
				 __ATOMIC_RELAXED);
		atomic_fetch_add_explicit(&gc->stacks_gc, 1,
					  memory_order_relaxed);
	}
	tc_gc_flush(gc, &m->work);
}

static void release_mutator(void *arg, tc_gcmut *m)
{
	term_ctx *t = arg;
	tc_mcache_release_all(&m->cache);
	t->black += m->cache.black_bytes;
	m->cache.black_bytes = 0;
	m->assist_debt = 0;
	/* This cycle's assist time: the clock restarts for the next (the
	 * world is stopped, so its owner is not adding to it). */
	t->assist_ns += atomic_exchange(&m->assist_ns, 0);
}

/* The last cycle's record, copied under a lock held for one memcpy. */
static void publish_cycle(tc_collector *gc)
{
	pthread_mutex_lock(&gc->cycle_lock);
	gc->last_cycle = gc->cur;
	pthread_mutex_unlock(&gc->cycle_lock);
}

/* Mark termination's stop (tc_world.stopped: possibly on a mutator's
 * thread).  Sets t->done when marking is complete (the world restarts in
 * sweep); work found in private buffers sends it back to mark. */
static void mark_term_stopped(void *arg, uint64_t t0)
{
	term_ctx *t = arg;
	tc_collector *gc = t->gc;
	tc_heap *h = gc->heap;
	(void)t0;
	set_phase(gc, TC_PHASE_MARK_TERM);
	gc->world.each(gc->world.ctx, flush_mutator, t);
	tc_gc_flush(gc, &gc->work);
	if (atomic_load(&gc->nglobal_work) > 0) {
		/* Work appeared in private buffers: not done yet. */
		set_phase(gc, TC_PHASE_MARK);
		return;
	}
	/* A cycle that ran with a weakened barrier is always verified: the
	 * objects it lost are found and rescued before sweep could free
	 * them, so the program never touches freed memory (DESIGN.md). */
	bool weak = atomic_load(&gc->weak_barrier) ||
		    atomic_load(&gc->barrier) != TC_BARRIER_HYBRID;
	gc->verify_rescue = weak;
	if (gc->cfg.verify || weak) {
		gc->cur.violations = tc_gc_verify(gc);
		if (tc_gc_check_invariants(gc))
			tc_fatal("invariant check failed at mark termination");
	}
	__atomic_store_n(&gc->wb_enabled, 0, __ATOMIC_RELAXED);
	atomic_store_explicit(&h->allocblack, 0, memory_order_relaxed);
	gc->world.each(gc->world.ctx, release_mutator, t);
	uint64_t marked = atomic_load(&gc->marked_bytes_total) -
			  gc->marked_at_start + t->black +
			  atomic_load(&h->black_large);
	gc->cur.heap_end = atomic_load(&h->heap_live);
	if (!gc->cur.forced)
		pacer_feedback(gc, atomic_load(&gc->heap_marked),
			       gc->cur.heap_goal, gc->cur.heap_end);
	atomic_store_explicit(&gc->heap_marked, marked, memory_order_relaxed);
	atomic_store_explicit(&h->heap_live, marked, memory_order_relaxed);
	tc_heap_flip_sweepgen(h);
	pacer_commit(gc);
	gc->cur.heap_marked = marked;
	gc->cur.next_goal = atomic_load(&gc->heap_goal);
	gc->cur.stack_bytes = atomic_load_explicit(&gc->stack_scan_bytes,
						   memory_order_relaxed);
	gc->cur.cpu_assist_ns = t->assist_ns;
	atomic_fetch_add(&gc->cycles_done, 1); /* woken after (below) */
	set_phase(gc, TC_PHASE_SWEEP);
	t->done = true;
}

/* Returns true when marking is complete and the world is back in sweep.
 * Adds the collector's own CPU in the stop to *own_cpu: mark_phase leaves
 * it out of background marking. */
static bool mark_termination(tc_collector *gc, uint64_t *own_cpu)
{
	term_ctx t = {.gc = gc};
	gc->cur.stw2_ns += stop_the_world(gc, TC_PHASE_MARK_TERM,
					  mark_term_stopped, &t, own_cpu);
	/* Every try counts, as in stw2_ns. */
	gc->cur.cpu_stw2_ns += gc->stop_info.gc_cpu_ns;
	if (!t.done)
		return false;
	/* Wake the assists parked for the cycle's end (tc_gc_wait_mark) now
	 * that the world runs: they could not run before it did, and a
	 * wake-up in the pause is a futex call on the pause, an IPI through
	 * the host when their CPU has halted.  A waiter holds ctl_lock from
	 * its test of cycles_done until it sleeps, so this broadcast, under
	 * the lock and after the count moved, cannot miss it. */
	pthread_mutex_lock(&gc->ctl_lock);
	pthread_cond_broadcast(&gc->done_cond);
	pthread_mutex_unlock(&gc->ctl_lock);
	gc->units++;
	return true;
}

static void mark_phase(tc_collector *gc)
{
	tc_gcwork *w = &gc->work;
	uint64_t t0 = tc_now_ns();
	uint64_t cpu0 = tc_thread_cpu_ns();
	uint64_t stops_cpu = 0; /* the collector's own, in mark terminations */
	/* Before the first step point, so that a phase step into mark ends
	 * with the globals grey. */
	tc_gc_scan_globals(gc, w);
	for (;;) {
		if (atomic_load_explicit(&gc->paused, memory_order_relaxed)) {
			step_point(gc);
			if (tc_gc_drain_one(gc, w)) {
				gc->units++;
				continue;
			}
			int before = gc->world.scan_parked(gc->world.ctx, w);
			(void)before;
			if (w->n || atomic_load(&gc->nglobal_work)) {
				gc->units++;
				continue;
			}
		} else {
			atomic_store_explicit(&gc->collector_idle, 0,
					      memory_order_relaxed);
			uint64_t done = tc_gc_drain(gc, w, MARK_CHUNK);
			atomic_fetch_add_explicit(&gc->bg_credit, (int64_t)done,
						  memory_order_relaxed);
			tc_gc_flush(gc, w);
			pacer_assist_ratio(gc);
			sysmon(gc);
			int grey = gc->world.scan_parked(gc->world.ctx, w);
			if (w->n || atomic_load(&gc->nglobal_work))
				continue;
			if (grey > 0) {
				/* Running mutators scan their own stacks at
				 * their next safepoint; give them a moment. */
				gc->world.poke(gc->world.ctx);
				sched_yield();
				continue;
			}
			if (atomic_load_explicit(&gc->assists_active,
						 memory_order_acquire) > 0) {
				/* An assist holds grey objects it took from
				 * the global list, and hands back what it has
				 * not scanned when it ends: stopping the world
				 * now would find that work and have to
				 * restart it (measured: 1.5 to 2.5 wasted
				 * mark terminations per cycle in
				 * binary-trees).  It ends within 16 KiB of
				 * scanning, sooner when told the collector
				 * is idle. */
				atomic_store_explicit(&gc->collector_idle, 1,
						      memory_order_relaxed);
				sched_yield();
				continue;
			}
		}
		if (mark_termination(gc, &stops_cpu))
			break;
	}
	gc->cur.mark_ns = tc_now_ns() - t0 - gc->cur.stw2_ns;
	gc->cur.cpu_bg_ns = tc_thread_cpu_ns() - cpu0 - stops_cpu;
	/* Go's P%: collector CPU (its thread and the assists) since start,
	 * over the CPU the Ps had in that time. */
	uint64_t cpu = tc_thread_cpu_ns() - gc->cpu_at_start +
		       atomic_load(&gc->assist_ns_total);
	uint64_t avail = (tc_now_ns() - gc->start_ns) *
			 (uint64_t)gc->world.procs(gc->world.ctx);
	gc->cur.gc_cpu_fraction = avail ? (double)cpu / (double)avail : 0;
	atomic_fetch_add(&gc->mark_ns_total, gc->cur.mark_ns);
	publish_cycle(gc);
	if (gc->cfg.gctrace)
		gctrace(gc, &gc->cur);
	tc_event ev = {.kind = TC_EV_CYCLE, .cycle = &gc->cur};
	emit(gc, &ev);
}

static void sweep_phase(tc_collector *gc)
{
	uint64_t t0 = tc_now_ns();
	for (;;) {
		step_point(gc);
		/* One span a unit, so that a step by objects sweeps one.
		 * step_active is this thread's own (gc.h). */
		int n = tc_heap_sweep_some(gc->heap, gc->step_active
							     ? 1
							     : TC_SWEEP_BATCH);
		if (n == 0)
			break;
		uint64_t before = gc->units;
		gc->units += (uint64_t)n;
		if (before / 64 != gc->units / 64) /* every 64 spans */
			sysmon(gc);
	}
	while (atomic_load_explicit(&gc->heap->nunswept,
				    memory_order_acquire) > 0)
		sched_yield();
	atomic_fetch_add(&gc->sweep_ns_total, tc_now_ns() - t0);
	gc->world.give_p(gc->world.ctx);
	pthread_mutex_lock(&gc->ctl_lock);
	atomic_fetch_add(&gc->sweeps_done, 1);
	set_phase(gc, TC_PHASE_OFF);
	pthread_cond_broadcast(&gc->done_cond);
	pthread_mutex_unlock(&gc->ctl_lock);
}

static void *collector_main(void *arg)
{
	tc_collector *gc = arg;
	uint64_t cpu_start = tc_thread_cpu_ns();
	gc->cpu_at_start = cpu_start;
	for (;;) {
		/* Idle (phase off): holds here while paused with no step. */
		step_point(gc);
		pthread_mutex_lock(&gc->ctl_lock);
		if (gc->shutdown) {
			pthread_mutex_unlock(&gc->ctl_lock);
			break;
		}
		bool paused = atomic_load(&gc->paused);
		bool go = gc->request || (!paused && tc_gc_should_trigger(gc)) ||
			  (paused && gc->step_active);
		if (!go) {
			pthread_mutex_unlock(&gc->ctl_lock);
			sysmon(gc);
			pthread_mutex_lock(&gc->ctl_lock);
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 5 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&gc->ctl_cond, &gc->ctl_lock,
					       &ts);
			pthread_mutex_unlock(&gc->ctl_lock);
			continue;
		}
		bool forced = gc->forced;
		gc->request = gc->forced = false;
		atomic_fetch_add(&gc->cycle, 1);
		pthread_mutex_unlock(&gc->ctl_lock);
		sweep_termination(gc, forced);
		atomic_store(&gc->trigger_sent, 0);
		mark_phase(gc);
		sweep_phase(gc);
		atomic_store_explicit(&gc->gc_cpu_ns,
				      tc_thread_cpu_ns() - cpu_start,
				      memory_order_relaxed);
	}
	return NULL;
}

/* ---- setup and control ---- */

void tc_gc_init(tc_collector *gc, tc_heap *h, const tc_config *cfg,
		const tc_world *world)
{
	memset(gc, 0, sizeof *gc);
	gc->heap = h;
	gc->world = *world;
	gc->cfg = *cfg;
	gc->nglobals = cfg->nglobals;
	gc->globals = tc_xcalloc((size_t)(cfg->nglobals > 0 ? cfg->nglobals
							  : 1),
				 sizeof(*gc->globals));
	atomic_store(&gc->barrier, cfg->barrier);
	atomic_store(&gc->gogc, cfg->gogc);
	pthread_mutex_init(&gc->work_lock, NULL);
	pthread_mutex_init(&gc->ctl_lock, NULL);
	pthread_mutex_init(&gc->cycle_lock, NULL);
	pthread_cond_init(&gc->ctl_cond, NULL);
	pthread_cond_init(&gc->done_cond, NULL);
	gc->step_kind = -1;
	gc->start_ns = tc_now_ns();
	atomic_store(&gc->trigger_milli, 700);
	pacer_commit(gc);
}

void tc_gc_start(tc_collector *gc)
{
	sigset_t all, old;
	sigemptyset(&all);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	gc->running = true;
	if (pthread_create(&gc->thread, NULL, collector_main, gc) != 0)
		tc_fatal("cannot create the collector thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void tc_gc_stop(tc_collector *gc)
{
	if (!gc->running)
		return;
	pthread_mutex_lock(&gc->ctl_lock);
	gc->shutdown = true;
	atomic_store(&gc->paused, 0);
	pthread_cond_broadcast(&gc->ctl_cond);
	pthread_cond_broadcast(&gc->done_cond);
	pthread_mutex_unlock(&gc->ctl_lock);
	pthread_join(gc->thread, NULL);
	gc->running = false;
}

void tc_gc_destroy(tc_collector *gc)
{
	tc_gc_stop(gc);
	tc_workbuf *b = gc->full;
	while (b) {
		tc_workbuf *n = b->next;
		free(b);
		b = n;
	}
	b = gc->empty;
	while (b) {
		tc_workbuf *n = b->next;
		free(b);
		b = n;
	}
	free((void *)gc->globals);
	free(gc->vbits);
	free(gc->vstack);
	pthread_mutex_destroy(&gc->work_lock);
	pthread_mutex_destroy(&gc->ctl_lock);
	pthread_mutex_destroy(&gc->cycle_lock);
	pthread_cond_destroy(&gc->ctl_cond);
	pthread_cond_destroy(&gc->done_cond);
}

void tc_gc_trigger(tc_collector *gc, bool forced)
{
	pthread_mutex_lock(&gc->ctl_lock);
	gc->request = true;
	gc->forced |= forced;
	pthread_cond_broadcast(&gc->ctl_cond);
	pthread_mutex_unlock(&gc->ctl_lock);
}

/* Heap crossed the trigger: wake the collector once per cycle. */
void tc_gc_kick(tc_collector *gc)
{
	int zero = 0;
	if (atomic_compare_exchange_strong(&gc->trigger_sent, &zero, 1)) {
		pthread_mutex_lock(&gc->ctl_lock);
		pthread_cond_broadcast(&gc->ctl_cond);
		pthread_mutex_unlock(&gc->ctl_lock);
	}
}

uint64_t tc_gc_wait_full(tc_collector *gc)
{
	pthread_mutex_lock(&gc->ctl_lock);
	uint64_t target = atomic_load(&gc->cycle) + 1;
	gc->request = true;
	gc->forced = true;
	pthread_cond_broadcast(&gc->ctl_cond);
	while (atomic_load(&gc->sweeps_done) < target && !gc->shutdown)
		pthread_cond_wait(&gc->done_cond, &gc->ctl_lock);
	pthread_mutex_unlock(&gc->ctl_lock);
	return target;
}

/* ---- observation ---- */

void tc_gc_read_stats(tc_collector *gc, tc_stats *st)
{
	tc_heap *h = gc->heap;
	memset(st, 0, sizeof *st);
	st->cycles = atomic_load(&gc->cycles_done);
	st->phase = (tc_phase)atomic_load_explicit(&gc->phase,
						   memory_order_acquire);
	st->heap_arena = h->arena_bytes;
	st->heap_inuse = atomic_load(&h->pages_inuse) * TC_PAGE_SIZE;
	st->heap_peak = atomic_load(&h->pages_peak) * TC_PAGE_SIZE;
	st->heap_live = atomic_load(&h->heap_live);
	st->heap_marked = atomic_load(&gc->heap_marked);
	st->heap_goal = atomic_load(&gc->heap_goal);
	st->heap_trigger = atomic_load(&gc->trigger);
	st->alloc_bytes = atomic_load(&h->alloc_bytes);
	st->alloc_objects = atomic_load(&h->alloc_objects);
	st->freed_bytes = atomic_load(&h->freed_bytes);
	st->freed_objects = atomic_load(&h->freed_objects);
	st->marked_objects = atomic_load(&gc->marked_objects_total);
	st->marked_bytes = atomic_load(&gc->marked_bytes_total);
	st->grey_objects = atomic_load(&gc->nglobal_work) +
			   atomic_load(&gc->work.nlocal);
	st->barrier_shades = atomic_load(&gc->shades_total);
	st->assist_ns = atomic_load(&gc->assist_ns_total);
	st->assist_bytes = atomic_load(&gc->assist_bytes_total);
	st->mark_ns = atomic_load(&gc->mark_ns_total);
	st->sweep_ns = atomic_load(&gc->sweep_ns_total);
	st->gc_cpu_ns = atomic_load(&gc->gc_cpu_ns);
	st->pauses = atomic_load(&gc->pauses);
	st->pause_total_ns = atomic_load(&gc->pause_total_ns);
	pthread_mutex_lock(&gc->cycle_lock);
	st->pause_max_ns = atomic_load(&gc->pause_max_ns);
	st->pause_max_info = gc->pause_max_info;
	pthread_mutex_unlock(&gc->cycle_lock);
	st->pause_last_ns = atomic_load(&gc->pause_last_ns);
	/* The histograms and the count are read apart: a pause recorded
	 * meanwhile may shift a percentile by a bucket. */
	uint64_t n = st->pauses;
	st->pause_p50_ns = percentile(gc->pause_hist, &gc->pause_max_ns, n,
				      0.50);
	st->pause_p99_ns = percentile(gc->pause_hist, &gc->pause_max_ns, n,
				      0.99);
	st->stop_p99_ns = percentile(gc->stop_hist, &gc->stop_max_ns, n, 0.99);
	st->stop_max_ns = atomic_load(&gc->stop_max_ns);
	st->verify_violations = atomic_load(&gc->violations);
	st->verify_runs = atomic_load(&gc->verify_runs);
	st->stacks_scanned_by_self = atomic_load(&gc->stacks_self);
	st->stacks_scanned_by_gc = atomic_load(&gc->stacks_gc);
	st->gogc = atomic_load(&gc->gogc);
	st->barrier = (tc_barrier_mode)atomic_load(&gc->barrier);
	st->mutators = gc->world.count(gc->world.ctx);
}

size_t tc_gc_recent_shades(tc_collector *gc, uint64_t *since, tc_objid *ids,
			   size_t max)
{
	uint64_t head = atomic_load_explicit(&gc->shade_head,
					     memory_order_relaxed);
	uint64_t from = *since;
	if (head - from > TC_SHADE_RING)
		from = head - TC_SHADE_RING;
	if (head - from > max)
		from = head - max;
	size_t n = 0;
	for (uint64_t i = from; i < head; i++)
		ids[n++] = tc_objid_unpack(atomic_load_explicit(
			&gc->shade_ring[i % TC_SHADE_RING],
			memory_order_relaxed));
	*since = head;
	return n;
}

int tc_gc_last_cycle(tc_collector *gc, tc_cycle_info *out)
{
	if (atomic_load(&gc->cycles_done) == 0)
		return -1;
	pthread_mutex_lock(&gc->cycle_lock);
	*out = gc->last_cycle;
	pthread_mutex_unlock(&gc->cycle_lock);
	return 0;
}
