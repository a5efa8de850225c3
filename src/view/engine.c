/*
 * engine.c - the control plane: the runtime, the mutator threads (workers)
 * running a scenario, and every live control (mutator count, rate, GOGC,
 * barrier, scenario, pause, stepping).
 *
 * A worker runs the loop
 *
 *     attach; start the scenario
 *     while its slot's gen is its own:
 *         [operation boundary]  pause?  step token?  scenario switch?
 *         wl_step: exactly one operation; safepoint
 *         throttled?  park, sleep until the next deadline, unpark
 *     stop the scenario (its globals cleared); detach
 *
 * Control calls only change state under `lock` and broadcast `cond`; they
 * never wait for a worker (starting one is pthread_create; retiring one
 * bumps its slot's gen and the next worker of that slot, or
 * tv_engine_free, joins it).  Only tv_step_* wait, for that step.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view/engine.h"

/* How long tv_step_mutators waits for all mutators to ack a step. */
#define STEP_TIMEOUT_NS 5000000000ull

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fprintf(stderr, "tricolor: out of memory\n");
		abort();
	}
	return p;
}

void tv_options_init(tv_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mutators = 4;
	o->rate = TV_RATE_MAX;
	o->gogc = TV_GOGC_ENV;
	o->heap_bytes = 64u << 20;
	o->scenario = "trees";
	o->seed = 0;
	o->verify = false;
	o->barrier = TC_BARRIER_HYBRID;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void abs_deadline(struct timespec *ts, uint64_t mono_ns)
{
	/* Condition variables below use CLOCK_MONOTONIC. */
	ts->tv_sec = (time_t)(mono_ns / 1000000000ull);
	ts->tv_nsec = (long)(mono_ns % 1000000000ull);
}

static bool still_mine(tv_worker *k)
{
	return atomic_load_explicit(&k->e->slots[k->slot].gen,
	                            memory_order_acquire) == k->gen;
}

/* Note new check failures and allocation failures of the worker. */
static void collect_failures(tv_worker *k)
{
	tv_engine *e = k->e;
	uint64_t f = atomic_load_explicit(&k->w.failures, memory_order_acquire);
	uint64_t a =
	    atomic_load_explicit(&k->w.alloc_fail, memory_order_relaxed);

	if (f != k->fails_seen) {
		pthread_mutex_lock(&e->lock);
		if (e->failures == 0)
			snprintf(e->failure, sizeof(e->failure),
			         "worker %d: %.140s", k->slot, k->w.failmsg);
		e->failures += f - k->fails_seen;
		pthread_mutex_unlock(&e->lock);
		tv_log(e, -1, "CHECK FAILED worker %d: %s", k->slot,
		       k->w.failmsg);
		k->fails_seen = f;
	}
	if (a != k->allocfail_seen) {
		pthread_mutex_lock(&e->lock);
		if (e->alloc_failures == 0)
			snprintf(e->alloc_error, sizeof(e->alloc_error),
			         "worker %d: %.140s", k->slot, k->w.errmsg);
		e->alloc_failures += a - k->allocfail_seen;
		pthread_mutex_unlock(&e->lock);
		tv_log(e, -1, "worker %d: %s; scenario restarted", k->slot,
		       k->w.errmsg);
		k->allocfail_seen = a;
	}
}

static void one_op(tv_worker *k)
{
	tv_engine *e = k->e;
	uint64_t g = atomic_load_explicit(&e->scen_gen, memory_order_acquire);

	if (g != k->scen_gen) {
		wl_scenario sc;

		pthread_mutex_lock(&e->lock);
		sc = e->scen;
		g = atomic_load_explicit(&e->scen_gen, memory_order_relaxed);
		pthread_mutex_unlock(&e->lock);
		wl_stop(&k->w);
		wl_start(&k->w, k->w.m, k->slot, &sc, k->w.rng);
		k->scen_gen = g;
	}
	wl_step(&k->w);
	atomic_fetch_add_explicit(&e->slots[k->slot].ops, 1,
	                          memory_order_relaxed);
	tc_safepoint(k->w.m);
	collect_failures(k);
}

/* At an operation boundary while paused: park until resumed, retired or
 * given a step token; perform the step.  Returns when not paused. */
static void hold(tv_worker *k)
{
	tv_engine *e = k->e;

	tc_park(k->w.m);
	pthread_mutex_lock(&e->lock);
	e->held++;
	for (;;) {
		if (!still_mine(k) ||
		    !atomic_load_explicit(&e->paused, memory_order_acquire))
			break;
		if (e->step_gen != k->step_done) {
			uint64_t target = e->step_gen;

			e->held--;
			pthread_mutex_unlock(&e->lock);
			tc_unpark(k->w.m);
			one_op(k);
			tc_park(k->w.m);
			pthread_mutex_lock(&e->lock);
			e->held++;
			k->step_done = target;
			pthread_cond_broadcast(&e->done);
			continue;
		}
		pthread_cond_wait(&e->cond, &e->lock);
	}
	e->held--;
	pthread_mutex_unlock(&e->lock);
	tc_unpark(k->w.m);
}

/* Rate limiting: sleep (parked) until the next operation is due. */
static void throttle(tv_worker *k, uint64_t *deadline)
{
	tv_engine *e = k->e;
	double rate = atomic_load_explicit(&e->rate, memory_order_relaxed);
	uint64_t now = tv_now_ns();
	struct timespec ts;

	if (rate <= 0) {
		*deadline = now;
		return;
	}
	*deadline += (uint64_t)(1e9 / rate);
	if (*deadline + 100000000ull < now) /* far behind: no catching up */
		*deadline = now;
	if (*deadline <= now + 1000000ull) /* less than 1 ms ahead: go on */
		return;
	tc_park(k->w.m);
	abs_deadline(&ts, *deadline);
	pthread_mutex_lock(&e->lock);
	while (still_mine(k) &&
	       !atomic_load_explicit(&e->paused, memory_order_acquire) &&
	       atomic_load_explicit(&e->rate, memory_order_relaxed) == rate &&
	       tv_now_ns() < *deadline)
		if (pthread_cond_timedwait(&e->cond, &e->lock, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&e->lock);
	tc_unpark(k->w.m);
	if (atomic_load_explicit(&e->rate, memory_order_relaxed) != rate)
		*deadline = tv_now_ns();
}

static void *worker_main(void *arg)
{
	tv_worker *k = arg;
	tv_engine *e = k->e;
	char name[16];
	wl_scenario sc;
	uint64_t deadline = tv_now_ns();

	if (k->has_prev)
		pthread_join(k->prev, NULL);
	/* Named by its slot, which outlives it: a restarted worker keeps
	 * the name and gets a new runtime id (the "m<id>" the Stacks pane
	 * shows beside it). */
	snprintf(name, sizeof(name), "worker %d", k->slot);
	k->w.m = tc_attach(e->rt, name);
	if (!k->w.m)
		goto out;
	pthread_mutex_lock(&e->lock);
	sc = e->scen;
	k->scen_gen = atomic_load_explicit(&e->scen_gen, memory_order_relaxed);
	pthread_mutex_unlock(&e->lock);
	wl_start(&k->w, k->w.m, k->slot, &sc,
	         mix(e->seed ^ mix((uint64_t)k->slot << 32 ^ k->gen)) | 1);
	while (still_mine(k)) {
		if (atomic_load_explicit(&e->paused, memory_order_acquire)) {
			hold(k);
			deadline = tv_now_ns();
			continue;
		}
		one_op(k);
		throttle(k, &deadline);
	}
	wl_stop(&k->w);
	tc_detach(k->w.m);
out:
	pthread_mutex_lock(&e->lock);
	k->exited = true;
	if (e->slots[k->slot].cur == k)
		e->slots[k->slot].cur = NULL;
	pthread_cond_broadcast(&e->done);
	pthread_mutex_unlock(&e->lock);
	free(k);
	return NULL;
}

/* view.h says why. */
void tv_block_front_end_signals(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, old);
}

/* Start a worker in slot i.  Called with e->lock held. */
static int start_worker(tv_engine *e, int i)
{
	tv_slot *s = &e->slots[i];
	tv_worker *k = xcalloc(1, sizeof(*k));
	sigset_t old;
	pthread_t t;
	int rc;

	k->e = e;
	k->slot = i;
	k->gen = atomic_load_explicit(&s->gen, memory_order_relaxed) + 1;
	k->step_done = e->step_gen;
	k->has_prev = s->has_thread;
	k->prev = s->thread;
	atomic_store_explicit(&s->gen, k->gen, memory_order_release);
	tv_block_front_end_signals(&old);
	rc = pthread_create(&t, NULL, worker_main, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		atomic_store_explicit(&s->gen, k->gen + 1,
		                      memory_order_release);
		free(k);
		return -1;
	}
	s->thread = t;
	s->has_thread = true;
	s->cur = k;
	return 0;
}

static void retire_worker(tv_engine *e, int i)
{
	tv_slot *s = &e->slots[i];

	atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
	s->cur = NULL;
}

tc_runtime *tv_runtime(tv_engine *e)
{
	return e->rt;
}

uint64_t tv_slot_ops(tv_engine *e, int i)
{
	if (i < 0 || i >= TV_MAX_MUTATORS)
		return 0;
	return atomic_load_explicit(&e->slots[i].ops, memory_order_relaxed);
}

/* The engine's locks and condition variables, made in tv_engine_new. */
static void destroy_sync(tv_engine *e)
{
	pthread_mutex_destroy(&e->step_lock);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->ev_lock);
	pthread_mutex_destroy(&e->insp_lock);
	pthread_cond_destroy(&e->cond);
	pthread_cond_destroy(&e->done);
}

tv_engine *tv_engine_new(const tv_options *o, char *err, size_t errlen)
{
	tv_engine *e;
	tc_config cfg;
	pthread_condattr_t ca;
	const char *rerr = NULL;
	wl_scenario sc;
	sigset_t old;

	if (o->mutators < 1 || o->mutators > TV_MAX_MUTATORS) {
		snprintf(err, errlen, "mutators must be between 1 and %d",
		         TV_MAX_MUTATORS);
		return NULL;
	}
	if (o->gogc != TC_GOGC_OFF && o->gogc != TV_GOGC_ENV &&
	    (o->gogc < 1 || o->gogc > 10000)) {
		snprintf(err, errlen,
		         "GOGC must be off or between 1 and "
		         "10000");
		return NULL;
	}
	if (!(o->rate >= 0) || o->rate > 1e9) {
		snprintf(err, errlen,
		         "rate must be max or between 1 and "
		         "1000000000 operations/s");
		return NULL;
	}
	if ((int)o->barrier < 0 || o->barrier >= TC_BARRIER_NMODES) {
		snprintf(err, errlen, "unknown barrier mode");
		return NULL;
	}
	if (o->loaded)
		sc = *o->loaded; /* read by the caller: never twice */
	else if (wl_scenario_load(o->scenario ? o->scenario : "trees", &sc, err,
	                          errlen))
		return NULL;

	e = xcalloc(1, sizeof(*e));
	e->t0_ns = tv_now_ns();
	e->heap_bytes = o->heap_bytes;
	e->seed = o->seed ? o->seed : tv_now_ns();
	e->trace_shift = o->heap_bytes < (64u << 20) ? 10 : 20;
	e->procs = 1; /* until the runtime says how many Ps it has */
	pthread_mutex_init(&e->step_lock, NULL);
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->ev_lock, NULL);
	pthread_mutex_init(&e->insp_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cond, &ca);
	pthread_cond_init(&e->done, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&e->paused, false);
	atomic_init(&e->nmut, 0);
	atomic_init(&e->rate, o->rate);
	atomic_init(&e->scen_gen, 1);
	atomic_init(&e->shutdown, false);
	e->scen = sc;
	for (int i = 0; i < TV_MAX_MUTATORS; i++) {
		atomic_init(&e->slots[i].gen, 0);
		atomic_init(&e->slots[i].ops, 0);
	}

	tc_config_init(&cfg);
	cfg.heap_bytes = o->heap_bytes;
	/* tc_config_init took $GOGC (as Go does); an option given wins. */
	if (o->gogc != TV_GOGC_ENV)
		cfg.gogc = o->gogc;
	/* The default smallest goal (4 MiB) would not trigger a cycle before
	 * a small arena is full: keep the goal well inside the arena. */
	if (cfg.min_heap_bytes > o->heap_bytes / 4)
		cfg.min_heap_bytes = o->heap_bytes / 4;
	cfg.nglobals = WL_NGLOBALS;
	cfg.barrier = o->barrier;
	/* Cycles run with a weaker barrier than hybrid are verified (lost
	 * objects found and rescued) by the collector whatever this says. */
	cfg.verify = o->verify || cfg.verify;
	e->verify = cfg.verify;
	cfg.on_violation = TC_VERIFY_RESCUE;
	/* The front end shows each cycle itself (the event log, and
	 * --headless's gctrace lines): GODEBUG=gctrace=1 must not also have
	 * the library write to stderr, which is the TUI's screen. */
	cfg.gctrace = false;
	cfg.on_event = tv_on_event;
	cfg.event_ctx = e;
	/* The collector thread is created inside: it must not take the
	 * front end's signals either. */
	tv_block_front_end_signals(&old);
	e->rt = tc_runtime_new(&cfg, &rerr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->rt) {
		snprintf(err, errlen, "%s", rerr ? rerr : "runtime failed");
		destroy_sync(e);
		free(e);
		return NULL;
	}
	{
		tc_stats st;
		char g[16];

		tc_read_stats(e->rt, &st);
		pthread_mutex_lock(&e->ev_lock);
		e->procs = st.procs > 0 ? st.procs : 1;
		pthread_mutex_unlock(&e->ev_lock);
		if (cfg.gogc == TC_GOGC_OFF)
			snprintf(g, sizeof(g), "off");
		else
			snprintf(g, sizeof(g), "%d", cfg.gogc);
		tv_log(e, -1,
		       "engine: scenario %s, %d mutator%s, GOGC %s, %d P%s",
		       sc.name, o->mutators, o->mutators == 1 ? "" : "s", g,
		       e->procs,
		       cfg.verify ? ", verifier on" : "");
	}
	if (tv_set_mutators(e, o->mutators) != 0) {
		snprintf(err, errlen, "cannot start mutator threads");
		tv_engine_free(e);
		return NULL;
	}
	return e;
}

void tv_engine_free(tv_engine *e)
{
	if (!e)
		return;
	atomic_store(&e->shutdown, true);
	pthread_mutex_lock(&e->lock);
	atomic_store_explicit(&e->paused, false, memory_order_release);
	for (int i = 0; i < TV_MAX_MUTATORS; i++)
		retire_worker(e, i);
	atomic_store(&e->nmut, 0);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	tc_gc_set_paused(e->rt, false);
	for (int i = 0; i < TV_MAX_MUTATORS; i++) {
		pthread_mutex_lock(&e->lock);
		bool has = e->slots[i].has_thread;
		pthread_t t = e->slots[i].thread;

		e->slots[i].has_thread = false;
		pthread_mutex_unlock(&e->lock);
		if (has)
			pthread_join(t, NULL);
	}
	tc_runtime_free(e->rt);
	destroy_sync(e);
	free(e->insp_stack);
	free(e->insp_fields);
	free(e->insp_nonnull);
	free(e);
}

/* ---- controls ---- */

int tv_set_mutators(tv_engine *e, int n)
{
	int old, started = 0, rc = 0;

	if (n < 1 || n > TV_MAX_MUTATORS)
		return TC_EINVAL;
	pthread_mutex_lock(&e->lock);
	if (atomic_load(&e->shutdown)) {
		pthread_mutex_unlock(&e->lock);
		return TC_EINVAL;
	}
	old = atomic_load_explicit(&e->nmut, memory_order_relaxed);
	for (int i = old; i < n; i++) {
		if (start_worker(e, i) != 0) {
			rc = TC_EINVAL;
			n = i;
			break;
		}
		started++;
	}
	for (int i = n; i < old; i++)
		retire_worker(e, i);
	atomic_store_explicit(&e->nmut, n, memory_order_release);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	if (n != old)
		tv_control(e, "mutators %d -> %d", old, n);
	return rc;
}

int tv_get_mutators(tv_engine *e)
{
	return atomic_load_explicit(&e->nmut, memory_order_acquire);
}

static void rate_text(double r, char *buf, size_t len)
{
	if (r <= 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%.0f ops/s", r);
}

void tv_set_rate(tv_engine *e, double ops_per_sec)
{
	char t[32];

	if (!(ops_per_sec >= 0))
		ops_per_sec = TV_RATE_MAX;
	pthread_mutex_lock(&e->lock);
	atomic_store_explicit(&e->rate, ops_per_sec, memory_order_relaxed);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	rate_text(ops_per_sec, t, sizeof(t));
	tv_control(e, "rate %s per mutator", t);
}

double tv_get_rate(tv_engine *e)
{
	return atomic_load_explicit(&e->rate, memory_order_relaxed);
}

static const double rate_ladder[] = {1,     2,     5,     10,    20,   50,
                                     100,   200,   500,   1000,  2000, 5000,
                                     10000, 20000, 50000, 100000};
#define NRATES (sizeof(rate_ladder) / sizeof(rate_ladder[0]))

int tv_step_rate(tv_engine *e, int dir)
{
	double r = tv_get_rate(e);
	int i;

	if (r <= 0) { /* max */
		if (dir >= 0)
			return TC_EINVAL;
		tv_set_rate(e, rate_ladder[NRATES - 1]);
		return 0;
	}
	/* Position on the ladder: the first rung >= r. */
	for (i = 0; i < (int)NRATES && rate_ladder[i] < r; i++)
		;
	if (dir > 0) {
		if (i < (int)NRATES && rate_ladder[i] > r)
			tv_set_rate(e, rate_ladder[i]);
		else if (i + 1 < (int)NRATES)
			tv_set_rate(e, rate_ladder[i + 1]);
		else
			tv_set_rate(e, TV_RATE_MAX);
		return 0;
	}
	if (dir < 0 && i > 0) {
		tv_set_rate(e, rate_ladder[i - 1]);
		return 0;
	}
	return TC_EINVAL;
}

void tv_set_gogc(tv_engine *e, int gogc)
{
	if (gogc != TC_GOGC_OFF && gogc < 1)
		gogc = 1;
	if (gogc > 10000)
		gogc = 10000;
	tc_set_gogc(e->rt, gogc);
	if (gogc == TC_GOGC_OFF)
		tv_control(e, "GOGC off");
	else
		tv_control(e, "GOGC %d", gogc);
}

static const int gogc_ladder[] = {10, 25, 50, 100, 200, 400, TC_GOGC_OFF};
#define NGOGC (int)(sizeof(gogc_ladder) / sizeof(gogc_ladder[0]))

int tv_step_gogc(tv_engine *e, int dir)
{
	int g = tc_get_gogc(e->rt), i;

	if (g == TC_GOGC_OFF)
		i = NGOGC - 1;
	else
		for (i = 0; i < NGOGC - 1 && gogc_ladder[i] < g; i++)
			;
	/* i: first rung >= g (or off) */
	if (dir > 0) {
		if (g != TC_GOGC_OFF && gogc_ladder[i] != g) {
			tv_set_gogc(e, gogc_ladder[i]);
			return 0;
		}
		if (i + 1 < NGOGC) {
			tv_set_gogc(e, gogc_ladder[i + 1]);
			return 0;
		}
	} else if (dir < 0 && i > 0) {
		tv_set_gogc(e, gogc_ladder[i - 1]);
		return 0;
	}
	return TC_EINVAL;
}

void tv_set_barrier(tv_engine *e, tc_barrier_mode mode)
{
	if ((int)mode < 0 || mode >= TC_BARRIER_NMODES)
		return;
	/* A weaker barrier needs no flag: the collector verifies, and
	 * rescues what is lost in, every cycle that runs with it. */
	tc_set_barrier(e->rt, mode);
	tv_control(e, "write barrier: %s", tc_barrier_name(mode));
}

void tv_cycle_barrier(tv_engine *e)
{
	tv_set_barrier(e, (tc_barrier_mode)((tc_get_barrier(e->rt) + 1) %
	                                    TC_BARRIER_NMODES));
}

int tv_set_scenario(tv_engine *e, const char *name_or_path, char *err,
                    size_t errlen)
{
	wl_scenario sc;

	if (wl_scenario_load(name_or_path, &sc, err, errlen))
		return TC_EINVAL;
	pthread_mutex_lock(&e->lock);
	e->scen = sc;
	atomic_fetch_add_explicit(&e->scen_gen, 1, memory_order_release);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	tv_control(e, "scenario %s", sc.name);
	return 0;
}

void tv_next_scenario(tv_engine *e)
{
	char cur[WL_NAME_MAX], err[160];
	int i, n = wl_builtin_count();

	pthread_mutex_lock(&e->lock);
	snprintf(cur, sizeof(cur), "%s", e->scen.name);
	pthread_mutex_unlock(&e->lock);
	for (i = 0; i < n; i++)
		if (strcmp(cur, wl_builtin_name(i)) == 0)
			break;
	tv_set_scenario(e, wl_builtin_name(i < n ? (i + 1) % n : 0), err,
	                sizeof(err));
}

/* Paused, the collector is held too, so the cycle waits: say so, or the
 * request looks ignored. */
void tv_force_gc(tv_engine *e)
{
	tc_gc_request(e->rt);
	tv_control(e, tv_paused(e) ? "forced collection requested: starts on "
	                             "resume (or press N)"
	                           : "forced collection requested");
}

void tv_pause(tv_engine *e, bool paused)
{
	if (paused == tv_paused(e))
		return;
	/* Collector first when pausing, mutators first when resuming, so
	 * that nothing moves in between in the picture. */
	if (paused)
		tc_gc_set_paused(e->rt, true);
	pthread_mutex_lock(&e->lock);
	atomic_store_explicit(&e->paused, paused, memory_order_release);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	if (!paused)
		tc_gc_set_paused(e->rt, false);
	tv_control(e, paused ? "paused" : "resumed");
}

bool tv_paused(tv_engine *e)
{
	return atomic_load_explicit(&e->paused, memory_order_acquire);
}

/* Say what one object step did.  The collector's unit of work is the
 * phase's own (gc.c, step_point): a grey object, or the stacks of the
 * parked mutators, in mark; a span in sweep.  A step with no such unit
 * left runs on to the next one: from mark through mark termination into
 * sweep; from off, or from the end of sweep, through a new cycle's sweep
 * termination into mark.  Both stops are stop-the-world pauses. */
static void say_object_step(tv_engine *e, const tc_stats *a, const tc_stats *b)
{
	unsigned long long stacks =
	    b->stacks_scanned_by_gc - a->stacks_scanned_by_gc;
	unsigned long long cycle = b->cycles + 1; /* the one running */

	if (a->phase == TC_PHASE_MARK && b->phase == TC_PHASE_MARK) {
		if (b->pauses != a->pauses)
			tv_control(e, "step: mark termination (STW) found more "
			              "grey objects: still mark");
		else if (stacks > 0)
			tv_control(e,
			           "step: scanned the stack%s of %llu parked "
			           "mutator%s: what they point to is grey",
			           stacks == 1 ? "" : "s", stacks,
			           stacks == 1 ? "" : "s");
		else
			tv_control(e, "step: scanned one grey object: black "
			              "now, its white children grey");
	} else if (a->phase == TC_PHASE_MARK && b->phase == TC_PHASE_SWEEP) {
		tv_control(e, "step: no grey objects left: mark termination "
		              "(STW), now sweep");
	} else if (a->phase == TC_PHASE_SWEEP && b->phase == TC_PHASE_SWEEP) {
		tv_control(e, "step: swept one span");
	} else if (b->phase == TC_PHASE_MARK && a->phase == TC_PHASE_OFF) {
		tv_control(e,
		           "step: started cycle %llu: sweep termination (STW), "
		           "now mark",
		           cycle);
	} else if (b->phase == TC_PHASE_MARK && a->phase == TC_PHASE_SWEEP) {
		tv_control(e,
		           "step: sweep done, started cycle %llu: sweep "
		           "termination (STW), now mark",
		           cycle);
	} else {
		tv_control(e, "step: %s -> %s", tc_phase_name(a->phase),
		           tc_phase_name(b->phase));
	}
}

int tv_step_object(tv_engine *e)
{
	tc_stats a, b;
	int rc;

	if (!tv_paused(e))
		return TC_EINVAL;
	pthread_mutex_lock(&e->step_lock);
	tc_read_stats(e->rt, &a);
	rc = tc_gc_step(e->rt, TC_STEP_OBJECT);
	tc_read_stats(e->rt, &b);
	pthread_mutex_unlock(&e->step_lock);
	if (rc == 0)
		say_object_step(e, &a, &b);
	return rc;
}

int tv_step_phase(tv_engine *e)
{
	int rc;
	tc_phase from = tc_get_phase(e->rt);

	if (!tv_paused(e))
		return TC_EINVAL;
	pthread_mutex_lock(&e->step_lock);
	/* From "off", a step starts a cycle (the collector treats a step
	 * request as a trigger). */
	rc = tc_gc_step(e->rt, TC_STEP_PHASE);
	pthread_mutex_unlock(&e->step_lock);
	if (rc == 0)
		tv_control(e, "step: %s -> %s", tc_phase_name(from),
		           tc_phase_name(tc_get_phase(e->rt)));
	return rc;
}

int tv_step_mutators(tv_engine *e)
{
	uint64_t target, deadline;
	struct timespec ts;
	int rc = 0;

	pthread_mutex_lock(&e->step_lock);
	pthread_mutex_lock(&e->lock);
	if (!atomic_load_explicit(&e->paused, memory_order_relaxed)) {
		pthread_mutex_unlock(&e->lock);
		pthread_mutex_unlock(&e->step_lock);
		return TC_EINVAL;
	}
	target = ++e->step_gen;
	pthread_cond_broadcast(&e->cond);
	deadline = tv_now_ns() + STEP_TIMEOUT_NS;
	abs_deadline(&ts, deadline);
	for (;;) {
		bool all = true;

		for (int i = 0; i < TV_MAX_MUTATORS; i++) {
			tv_worker *k = e->slots[i].cur;

			if (k && !k->exited && k->step_done < target)
				all = false;
		}
		if (all ||
		    !atomic_load_explicit(&e->paused, memory_order_relaxed))
			break;
		if (pthread_cond_timedwait(&e->done, &e->lock, &ts) ==
		    ETIMEDOUT) {
			rc = TC_EINVAL;
			break;
		}
	}
	pthread_mutex_unlock(&e->lock);
	pthread_mutex_unlock(&e->step_lock);
	return rc;
}

/* ---- status ---- */

/* A stable copy of a scenario name: tv_status hands out pointers that
 * must stay valid while the front end draws.  Called with lock held. */
static const char *intern(tv_engine *e, const char *name)
{
	for (int i = 0; i < e->nnames; i++)
		if (strcmp(e->names[i], name) == 0)
			return e->names[i];
	if (e->nnames == TV_MAX_NAMES)
		return "(scenario)";
	snprintf(e->names[e->nnames], WL_NAME_MAX, "%s", name);
	return e->names[e->nnames++];
}

void tv_get_status(tv_engine *e, tv_status *st)
{
	uint64_t now = tv_now_ns(), ops = 0;

	memset(st, 0, sizeof(*st));
	tc_read_stats(e->rt, &st->gc);
	for (int i = 0; i < TV_MAX_MUTATORS; i++)
		ops += atomic_load_explicit(&e->slots[i].ops,
		                            memory_order_relaxed);
	st->ops = ops;
	st->mutators = tv_get_mutators(e);
	st->rate = tv_get_rate(e);
	st->paused = tv_paused(e);
	st->uptime_ns = now - e->t0_ns;
	pthread_mutex_lock(&e->lock);
	st->scenario = intern(e, e->scen.name);
	snprintf(st->message, sizeof(st->message), "%s", e->message);
	st->message_seq = e->message_seq;
	st->failures = e->failures;
	st->mutators_held = e->held;
	st->verify = e->verify;
	st->alloc_failures = e->alloc_failures;
	snprintf(st->failure, sizeof(st->failure), "%s", e->failure);
	snprintf(st->alloc_error, sizeof(st->alloc_error), "%s",
	         e->alloc_error);
	/* Rates over the last one to two seconds. */
	if (e->s_cur_ns == 0) {
		e->s_prev_ns = e->s_cur_ns = e->t0_ns;
	}
	if (now - e->s_cur_ns >= 1000000000ull) {
		e->s_prev_ns = e->s_cur_ns;
		e->s_prev_ops = e->s_cur_ops;
		e->s_prev_bytes = e->s_cur_bytes;
		e->s_cur_ns = now;
		e->s_cur_ops = ops;
		e->s_cur_bytes = st->gc.alloc_bytes;
	}
	if (now > e->s_prev_ns) {
		double dt = (double)(now - e->s_prev_ns) / 1e9;

		st->ops_per_sec = (double)(ops - e->s_prev_ops) / dt;
		/* The count only grows, but a read that found a cache's
		 * writer in its window leaves that cache's spans out
		 * (tc_mcache_read_allocs): never a wrapped difference. */
		st->alloc_bytes_per_sec =
		    st->gc.alloc_bytes >= e->s_prev_bytes
		        ? (double)(st->gc.alloc_bytes - e->s_prev_bytes) / dt
		        : 0;
	}
	pthread_mutex_unlock(&e->lock);
	if (st->uptime_ns)
		st->gc_cpu_pct = (int)(100.0 * (double)st->gc.gc_cpu_ns /
		                       (double)st->uptime_ns);
}

int tv_scenario_count(void)
{
	return wl_builtin_count();
}

const char *tv_scenario_name(int i)
{
	return wl_builtin_name(i);
}
