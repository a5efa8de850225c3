/*
 * runtime.c - creating a runtime, attaching and detaching mutators,
 * parking, safepoints and stop-the-world (the tc_world the collector uses).
 *
 * Stop-the-world (Go's stopTheWorldWithSema, in miniature): the collector
 * sets rt->stw and every mutator's poll word, then, under sched_lock,
 * claims every parked mutator, counts the others and waits until each of
 * those has stopped at a safepoint, parked or detached (counting the
 * stopped, below).  Starting the world clears rt->stw, hands claimed
 * mutators back to PARKED, makes the stopped ones RUNNING and wakes them.
 * A parked mutator that wants to run again waits while it is claimed, so
 * the collector can scan a parked mutator's stack, or stop the world,
 * without waiting for a thread that may sleep for seconds.  Each pause is
 * measured from the request to the restart (gc.c records it).
 *
 * Who does the stop's work (world_stopped).  In Go, the goroutine that
 * stops the world sleeps until the last P to stop wakes it, then does the
 * work with the world stopped and starts it again.  Every pause then
 * includes one wake-up of a sleeping thread, and on a virtual machine
 * whose idle CPUs halt that wake-up goes through the host: in the
 * project's runs, half the pauses over 1 ms were the collector noticing
 * late that the last mutator had stopped, woken onto a halted CPU or
 * queued behind another thread (docs/benchmarks-history.md, fifteenth
 * session).  Here the collector hands the work (a function and its
 * argument) over with the request, and the thread whose count finds the
 * world stopped takes it: the collector, if none was running when it
 * counted, or the last mutator to stop at a safepoint or as it parks,
 * which is on its CPU at that moment.  That
 * mutator runs the work, releases the world itself and then wakes the
 * collector, outside the pause (run_stop).  Only a safepoint (wait_stw:
 * a poll, or the return from tc_unpark) or a park (park_locked) takes it:
 * there the mutator holds none of the runtime's locks, and the work needs
 * none of the program's.  A parking runner stays parked when it releases
 * the world; one that detaches last only signals, and the collector does
 * the work.  The work touches the collector's state and, through
 * tc_world.each, the stopped mutators', never the thread it runs on, so
 * the stop is the same stop whichever thread runs it.  Measured with
 * bench/binarytrees against the collector doing it all: in the runs'
 * longest pauses that waited on a late mutator, from that mutator's stop
 * to the release took 3-6 us at the median instead of 24-28, and the
 * median pause did not move (docs/benchmarks-history.md, sixteenth
 * session).
 *
 * Counting the stopped.  A mutator that stops at a safepoint takes no lock
 * unless it is the last: it makes itself STOPPED, subtracts one from
 * rt->stw_pending and sleeps on the futex word rt->stw_epoch until the
 * release bumps it.  Go's Ps each take sched.lock to count themselves
 * stopped, and so did these until the twenty-second session: on the
 * project's VM the host sometimes took a stopping mutator's virtual CPU
 * while it held sched_lock, and the next to stop (the last, often) waited
 * for it, 50 to 670 us (docs/benchmarks-history.md, twenty-first
 * session).  Now not even the last takes it before the world is
 * released: it takes the work (take_stop) and runs it without the lock,
 * so a thread that holds sched_lock meanwhile, the collector in a nudge's
 * system call say, no longer holds up the pause.  The count works so:
 *
 *  - A mutator becomes RUNNING only under sched_lock with rt->stw clear
 *    (p_acquire_and_run, release_world), and the collector sets rt->stw
 *    and counts in one hold of the lock.  So every mutator RUNNING or
 *    STOPPED then is in this stop, and no other can join it.  A STOPPED
 *    one has stopped for this stop, since a release makes every stopped
 *    mutator RUNNING again (it need not wake first).
 *  - The count starts at 0, each counted mutator subtracts one when it
 *    stops, parks or detaches (the last two under the lock, where they
 *    see rt->stw set), and the collector adds what it counted.  Those
 *    may come in any order; the one whose operation leaves 0 is the last,
 *    exactly one of them.  If that is the collector, none was running;
 *    if a detach, the world is stopped but its thread is leaving, and
 *    the collector takes the work (stw_gc_takes).
 *  - Any value the count takes before the collector's addition is
 *    negative, so no mutator takes the collector's addition for its own.
 *  - A stopped mutator reads the epoch before it subtracts, and the
 *    release that bumps it cannot come before: it sleeps until its own
 *    stop's release, never a later one.
 */
#include "config.h"

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "util.h"

/* ---- configuration ---- */

/* Whether $GODEBUG (comma-separated name=value settings, as Go reads
 * it) sets gctrace to a nonzero number.  The last setting wins. */
static bool godebug_gctrace(const char *s)
{
	bool on = false;
	while (s && *s) {
		size_t n = strcspn(s, ",");
		if (n > 8 && strncmp(s, "gctrace=", 8) == 0) {
			char *end;
			long v = strtol(s + 8, &end, 10);
			if (end == s + n)
				on = v != 0;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return on;
}

void tc_config_init(tc_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->heap_bytes = (size_t)64 << 20;
	cfg->gogc = 100;
	cfg->min_heap_bytes = (size_t)4 << 20;
	cfg->nglobals = 64;
	cfg->barrier = TC_BARRIER_HYBRID;
	cfg->on_violation = TC_VERIFY_ABORT;
	cfg->background = true;
	const char *pin = getenv("TRICOLOR_PIN");
	cfg->pin_procs = !(pin && strcmp(pin, "0") == 0);
	const char *hp = getenv("TRICOLOR_HUGEPAGES");
	cfg->huge_pages = !(hp && strcmp(hp, "0") == 0);
	const char *v = getenv("TRICOLOR_VERIFY");
	if (v && *v && strcmp(v, "0") != 0)
		cfg->verify = true;
	cfg->gctrace = godebug_gctrace(getenv("GODEBUG"));
	const char *g = getenv("GOGC");
	if (g && *g) {
		if (strcmp(g, "off") == 0) {
			cfg->gogc = TC_GOGC_OFF;
		} else {
			char *end;
			long n = strtol(g, &end, 10);
			if (*end == '\0' && n >= 0 && n <= 100000)
				cfg->gogc = (int)n;
		}
	}
}

/* ---- the scheduler's lock ---- */

/* Wait on a condition of sched_lock, and name this thread as its holder
 * again once the wait has taken it back (tc_sched_held, runtime.h). */
static void sched_wait(tc_runtime *rt, pthread_cond_t *c)
{
	pthread_cond_wait(c, &rt->sched_lock);
	tc_sched_held(rt);
}

static void sched_timedwait(tc_runtime *rt, pthread_cond_t *c,
			    const struct timespec *until)
{
	pthread_cond_timedwait(c, &rt->sched_lock, until);
	tc_sched_held(rt);
}

/* ---- Ps: GOMAXPROCS slots to run in ---- */

/* ---- binding Ps to CPUs ----
 *
 * A P holder is bound to a CPU of its own (the least loaded of the CPUs
 * the process may use) for as long as it holds the P.  Ps make at most
 * GOMAXPROCS threads runnable, by design; left to itself, the kernel
 * sometimes queued two of them on one CPU while the other CPU idled:
 * scheduler traces (perf sched timehist, binary-trees with 4 workers on 2
 * CPUs) showed idle stretches of 5 to 20 ms, 0.7 s in a 6 s run, where a
 * wake-up had put the next P holder behind the running one and the load
 * balancer left it there.  Binding ended them (6.3 -> 5.6 s).  Go does not
 * bind, but its idle Ms spin looking for work, which keeps CPUs claimed.
 * The slot is chosen under sched_lock; the thread applies it to itself
 * after unlocking (pin_apply), so no lock is held across a migration, and
 * a P handed back and taken again on the same CPU costs no system call. */
static void pin_take(tc_runtime *rt, int *slot)
{
	if (rt->pin_n == 0 || *slot >= 0)
		return;
	int best = 0;
	for (int i = 1; i < rt->pin_n; i++)
		if (rt->pin_load[i] < rt->pin_load[best])
			best = i;
	rt->pin_load[best]++;
	*slot = best;
}

static void pin_drop(tc_runtime *rt, int *slot)
{
	if (*slot < 0)
		return;
	rt->pin_load[*slot]--;
	*slot = -1;
}

/* Make the calling thread's binding match `slot` (-1: every CPU). */
static void pin_apply(tc_runtime *rt, int slot, int *applied)
{
	if (rt->pin_n == 0 || slot == *applied)
		return;
	cpu_set_t set = rt->pin_all;
	if (slot >= 0) {
		CPU_ZERO(&set);
		CPU_SET(rt->pin_cpu[slot], &set);
	}
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	*applied = slot;
}

/* A mutator's pin_apply, which first takes back a binding the collector
 * lifted during a stop-the-world. */
static void mutator_pin(tc_mutator *m)
{
	if (atomic_exchange_explicit(&m->pin_lost, 0, memory_order_relaxed))
		m->pin_applied = -2; /* unknown: apply again */
	pin_apply(m->rt, m->pin, &m->pin_applied);
}

static void pin_init(tc_runtime *rt)
{
	rt->gc_pin = rt->gc_pin_applied = -1;
	cpu_set_t set;
	if (!rt->cfg.pin_procs || rt->nprocs < 2 ||
	    sched_getaffinity(0, sizeof set, &set) != 0 ||
	    CPU_COUNT(&set) < rt->nprocs)
		return;
	for (int c = 0; c < CPU_SETSIZE && rt->pin_n < TC_MAX_MUTATORS; c++)
		if (CPU_ISSET(c, &set))
			rt->pin_cpu[rt->pin_n++] = c;
	rt->pin_all = set;
}

/* Wake the first mutator waiting for a P, if it may take one now; it
 * wakes the next in turn (sched_lock held). */
static void p_wake_head(tc_runtime *rt)
{
	if (rt->pq_head && rt->procs_free > 0 && !atomic_load(&rt->stw))
		pthread_cond_signal(&rt->pq_head->wake);
}

/* Give m's P back (sched_lock held). */
static void p_release(tc_runtime *rt, tc_mutator *m)
{
	if (!m->has_p)
		return;
	m->has_p = false;
	rt->procs_free++;
	pin_drop(rt, &m->pin);
	p_wake_head(rt);
}

/* m is PARKED (and so scannable and claimable): queue for a P, wait until
 * it is first in the queue with a P free, not claimed, and no
 * stop-the-world in progress, then make it RUNNING (sched_lock held). */
static void p_acquire_and_run(tc_runtime *rt, tc_mutator *m)
{
	m->pq_next = NULL;
	if (rt->pq_tail)
		rt->pq_tail->pq_next = m;
	else
		rt->pq_head = m;
	rt->pq_tail = m;
	atomic_store_explicit(&m->queued, 1, memory_order_relaxed);
	while (rt->pq_head != m || atomic_load(&m->status) != TC_ST_PARKED ||
	       atomic_load(&rt->stw) || rt->procs_free <= 0)
		sched_wait(rt, &m->wake);
	rt->pq_head = m->pq_next;
	if (!rt->pq_head)
		rt->pq_tail = NULL;
	m->pq_next = NULL;
	rt->procs_free--;
	atomic_store_explicit(&m->queued, 0, memory_order_relaxed);
	m->has_p = true;
	pin_take(rt, &m->pin);
	m->p_since = tc_now_ns();
	atomic_store(&m->preempt, 0);
	atomic_store(&m->status, TC_ST_RUNNING);
	p_wake_head(rt); /* the next in line, if a P is still free */
}

/* A counted mutator has stopped, parked or detached in the stop in
 * progress: note when (tc_pause_info.last_stop_ns), and count it
 * (counting the stopped, in the header).  True if it was the last.  The
 * subtraction is acq_rel: the last one's read-modify-write follows every
 * earlier one's in the count's release sequence, so the stop's work sees
 * whatever each mutator wrote before it stopped. */
static bool stw_count_stop(tc_runtime *rt)
{
	uint64_t now = tc_now_ns();
	uint64_t was = atomic_load_explicit(&rt->stw_last_stop,
					    memory_order_relaxed);
	while (was < now &&
	       !atomic_compare_exchange_weak_explicit(
		   &rt->stw_last_stop, &was, now, memory_order_relaxed,
		   memory_order_relaxed))
		;
	return atomic_fetch_sub_explicit(&rt->stw_pending, 1,
					 memory_order_acq_rel) == 1;
}

static void run_stop(tc_runtime *rt, tc_mutator *m, bool locked);

/* Park m: hand its grey objects to the collector (they must not be stuck
 * in a sleeping thread's buffer), give up its P, and, in a stop, count as
 * stopped (the last to stop runs the stop's work, run_stop).  Returns with
 * sched_lock held.  m was RUNNING, so if rt->stw is set the stop counted
 * it (counting the stopped). */
static void park_locked(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	tc_gc_flush(&rt->gc, &m->g.work);
	tc_sched_lock(rt);
	atomic_store(&m->status, TC_ST_PARKED);
	p_release(rt, m);
	if (atomic_load_explicit(&rt->stw, memory_order_relaxed) &&
	    stw_count_stop(rt)) {
		run_stop(rt, m, true); /* it runs on parked */
		tc_sched_lock(rt);
	}
}

/* Yield the P to the mutators waiting for one, and queue again. */
static void p_yield(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	park_locked(m);
	p_acquire_and_run(rt, m);
	pthread_mutex_unlock(&rt->sched_lock);
	mutator_pin(m);
	atomic_fetch_add_explicit(&rt->preemptions, 1, memory_order_relaxed);
}

static int default_procs(void)
{
	const char *e = getenv("GOMAXPROCS");
	if (e && *e) {
		char *end;
		long n = strtol(e, &end, 10);
		if (*end == '\0' && n >= 1 && n <= TC_MAX_MUTATORS)
			return (int)n;
	}
	/* The CPUs this process may run on, as Go counts them
	 * (sched_getaffinity), not all the machine's: under taskset or a
	 * cpuset, more Ps than CPUs would only take turns. */
	cpu_set_t set;
	long n = sched_getaffinity(0, sizeof set, &set) == 0
			 ? CPU_COUNT(&set)
			 : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > TC_MAX_MUTATORS ? TC_MAX_MUTATORS : (int)n;
}

/* ---- the world, as the collector sees it ---- */

/* How a stop waits.  For up to TC_STW_NUDGE_NS it spins on the
 * collector's CPU (on the count, rt->stw_pending: no lock, no system
 * call), but only if no mutator it waits for can be queued on that CPU
 * (spin_ok).  Then it nudges each mutator still running but off its CPU
 * (nudge) and sleeps on stw_cond, which a mutator signals
 * as it detaches (run_stop says why not as it stops), waking every
 * TC_STW_NUDGE_NS to nudge again.
 *
 * It never sched_yield()s.  Yielding offers the CPU to any runnable task,
 * and a kernel thread that takes it (kdamond, 0.6 ms, in perf sched
 * timehist on the project's machine) keeps the collector queued behind
 * it: the kernel will not move a task that ran in the last half
 * millisecond (sched_migration_cost) to the idle CPU.  A sleeper is woken
 * onto an idle CPU.
 *
 * But a sleeper's CPU goes idle, and an idle virtual CPU halts (on the
 * project's VM at once: haltpoll.guest_halt_poll_ns=0); waking it goes
 * through the host.  In an instrumented build, 5 of the 9 stops over
 * 0.3 ms in 60 runs of bench/binarytrees 18 4 were the sleeping collector
 * noticing the last mutator's stop 0.26 to 0.36 ms late, and the median
 * pause was 20-40 us.  The spin keeps the CPU awake for the common case,
 * a stop that the mutators reach within microseconds.  It must not hold
 * a CPU a mutator needs: the one take_p preempts for the collector shares
 * the collector's CPU until it yields (the likely reason why spinning
 * regardless, 10 and 20 us before sleeping, below, did worse than not
 * spinning).  It ends at the first nudge, so a mutator nudged onto the
 * collector's CPU finds it free.
 *
 * Measured with bench/binarytrees 18 4, 60 runs each, interleaved (runs
 * whose longest pause was over 0.3 / 0.5 / 1 ms): sched_yield spin of
 * 200 us then unbinding 12/9/1; sleep, no nudge 8/7/1 (one of 9.8 ms);
 * sleep, nudge every 100 us 11/1/0; every 50 us 5/0/0; an unconditional
 * 20 us spin before sleeping 7/2/2, a 10 us one 5/4/3.  Spinning first
 * only when spin_ok, against sleeping at once: median pause 36 -> 21 us
 * (18 4, 60 runs each), 23 -> 5 us (18 1, 40 runs), 37-39 -> 15-19 us
 * (20 4, 16 runs), 23-35 -> 5-7 us (bench/pausebench -s 16); the total of
 * a 20 4 run's pauses down by a quarter to a third; runs over the bounds
 * no different (18 4: 11/3/1 -> 6/3/2).  The price is at the 99th
 * percentile, up 20-50 us at 18 4 and 20 4: a straggler still running at
 * 50 us is nudged right then, and the nudge waits for the move, where a
 * sleeping collector, woken late, often found it stopped already.
 *
 * Those figures are from before the last mutator to stop did the stop's
 * work (the header).  Now the spin decides a pause only when the
 * collector finds the world stopped first: the last mutator parked or
 * detached instead of stopping, or none was running; otherwise the
 * collector, spinning or asleep, only waits for the release.  The nudges
 * still move stragglers.
 *
 * A sleeping collector looks later than TC_STW_NUDGE_NS: its timed wait
 * ends up to the thread's timer slack late (50 us by default), and on
 * the project's VM a median 90 to 104 us late in all (bench/clockgap
 * -w), so the look comes about 145 us in; the figures above were
 * measured with that default.  A slack of 1 ns (PR_SET_TIMERSLACK)
 * brought it to about 100 us and made the 99th percentile worse (at
 * 16 4, medians 0.117 -> 0.138 and 0.076 -> 0.108 ms in two sets of
 * rotating runs): more stragglers moved that were about to stop.  A
 * look due 100 us in (about 195 in effect) was no better than 50
 * (docs/benchmarks.md, "Twenty-eighth session"). */
#define TC_STW_NUDGE_NS TC_STW_LATE_NS /* a mutator still running then
					     * is late (tc_pause_info) */

/* A mutator still running when the stop has waited TC_STW_NUDGE_NS is
 * often not running at all: a kernel thread or another process has its
 * CPU (kdamond, kworkers, for 1 to 2 ms in perf sched timehist), and the
 * kernel leaves it queued there, bound or not, while the other CPU idles.
 * Forbidding it that CPU makes the kernel move it at once; it binds again
 * at its next P operation (pin_lost).  The call returns once the move is
 * done, 50 to 110 us in the instrumented build, so a straggler that was
 * running after all, only slow to reach its safepoint, costs the stop
 * that much more, and often far more (below): so it leaves alone one it
 * sees on its CPU.  The CPU is the one its P binds it to: asking the
 * kernel (/proc/self/task/TID/stat) cost 60 to 100 us a time.  Only when
 * binding is on: with TRICOLOR_PIN=0 the runtime leaves affinities alone.
 *
 * A late mutator on its CPU (tc_tid_on_cpu: its CPU clock moves) is not
 * moved: a move cannot beat its own safepoint.  The move is made by the
 * stopper thread of the mutator's CPU, so it waits for that CPU just as
 * the mutator's next poll does, whether the mutator is about to poll, is
 * in the kernel (which PREEMPT_NONE does not preempt), or is stalled
 * with its virtual CPU held by the host.  And it lands the mutator on
 * another CPU, on two vCPUs the collector's, which may halt while the
 * collector sleeps in the move (a halted vCPU wakes through the host),
 * and there the mutator, the last to stop, runs the stop's work.  Stops
 * of one-worker runs so nudged took 1.4 to 1.9 ms again and again: the
 * mutator safe at 0.8 to 1.0 ms, the move 2.0 to 2.6 ms; once 11.5 ms
 * with the mutator safe at 0.23.  Rotating runs of bench/binarytrees
 * against the build that nudged every late mutator, 150 rounds
 * (docs/benchmarks.md, twenty-ninth session): runs with a pause over 1
 * ms 10 -> 2 at 16 1 and 17 -> 1 at 18 1; at 16 4 and 18 4, where most
 * late mutators are queued and still moved, 9 -> 14 and 11 -> 13, no
 * difference the noise lets through.  The two clock readings come after
 * the cheap tests, so a mutator this would not move costs no system
 * call.
 *
 * Called with sched_lock held, so m cannot detach (its thread id is
 * alive) and m->pin is stable.  Returns how long the move took, 0 if
 * there was none. */
static uint64_t nudge(tc_runtime *rt, tc_mutator *m)
{
	if (m->pin < 0 || atomic_load(&m->pin_lost))
		return 0;
	cpu_set_t set = rt->pin_all;
	CPU_CLR(rt->pin_cpu[m->pin], &set);
	if (CPU_COUNT(&set) == 0 || tc_tid_on_cpu(m->tid))
		return 0;
	atomic_store(&m->pin_lost, 1);
	/* How long the move took (tc_pause_info.nudge_ns).  A thread that
	 * is asleep or queued is moved at once.  One that is the running
	 * thread of its CPU after all (it got the CPU since the reading
	 * above, or its clock stood still while the guest took back time
	 * the host held its vCPU, as steal) is moved by that CPU's stopper
	 * thread, which preempts anything else the guest runs there, so
	 * the call waits for that CPU to switch: milliseconds mean the CPU
	 * ran nothing, the host held it (or its kernel ran without a
	 * preemption point, as PREEMPT_NONE allows). */
	uint64_t t0 = tc_now_ns();
	sched_setaffinity(m->tid, sizeof set, &set);
	uint64_t took = tc_now_ns() - t0;
	atomic_fetch_add_explicit(&rt->nudges, 1, memory_order_relaxed);
	return took ? took : 1;
}

/* A spinning wait's breather: a compiler barrier, not x86's pause.  Under
 * a hypervisor a run of pause instructions reads as a vCPU spinning on a
 * lock (KVM's pause-loop exiting), and the host may take the CPU away: on
 * the project's VM a loop of 8 pauses and a clock read saw the clock jump
 * by over 1 ms once in 5 s (2.8 and 3.8 ms, in two runs), the same loop
 * without pause never (at most 0.41 ms).  The spins here last at most
 * 50 us. */
static inline void cpu_relax(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* Take sched_lock during a stop: spin on it for up to TC_STW_LOCK_SPIN_NS
 * before blocking, when there is another CPU for its holder to run on.
 * The collector holds it for a few microseconds at a time while it stops
 * the world (setting the flag, poking, claiming parked mutators; longer
 * only while a nudge's system call runs), and a mutator that reached its
 * safepoint meanwhile blocked in the futex (before the twenty-second
 * session, when every stopping mutator took the lock; now none does).
 * Its CPU went idle, which on the project's VM halts it, and in perf
 * sched traces of
 * bench/binarytrees 20 4 such a mutator, woken the moment the collector
 * let go, did not run for 70-80 us: until the nudge moved it, as a
 * straggler, to the collector's CPU.  The collector still takes the lock
 * this way after its spin, when a parking or detaching mutator may hold
 * it. */
#define TC_STW_LOCK_SPIN_NS (20 * 1000)
static void stw_lock(tc_runtime *rt)
{
	if (rt->pin_n) {
		uint64_t until = tc_now_ns() + TC_STW_LOCK_SPIN_NS;
		do {
			if (pthread_mutex_trylock(&rt->sched_lock) == 0) {
				tc_sched_held(rt);
				return;
			}
			cpu_relax();
		} while (tc_now_ns() < until);
	}
	tc_sched_lock(rt);
}

/* May the stop spin on the collector's CPU for a while instead of going
 * to sleep?  Only when no mutator it waits for can be queued on that CPU:
 * every running one holds a P bound to another CPU (and has not lost that
 * binding to a nudge).  sched_lock held (m->pin is stable). */
static bool spin_ok(tc_runtime *rt)
{
	if (rt->pin_n == 0)
		return false;
	int cpu = sched_getcpu();
	if (cpu < 0)
		return false;
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (!m || atomic_load(&m->status) != TC_ST_RUNNING)
			continue;
		if (m->pin < 0 || atomic_load(&m->pin_lost) ||
		    rt->pin_cpu[m->pin] == cpu)
			return false;
	}
	return true;
}

/* The late mutators of a stop: those still running TC_STW_NUDGE_NS into
 * it, with their CPU clocks (tc_pause_info.late_cpu_ns) and the kernel's
 * count of their time queued for a CPU (late_wait_ns) then, at `look`.
 * Reading another thread's CPU clock is a system call (tc_tid_cpu_ns),
 * its schedstat three (open, read, close: about 6 us): only stops that
 * have already waited TC_STW_NUDGE_NS make any.  sched_lock held. */
typedef struct late_set {
	int n;
	uint64_t look;
	tc_mutator *m[TC_MAX_MUTATORS];
	int tid[TC_MAX_MUTATORS];
	uint64_t cpu0[TC_MAX_MUTATORS];
	bool ss_ok[TC_MAX_MUTATORS];
	uint64_t wait0[TC_MAX_MUTATORS];
} late_set;

static void late_note(tc_runtime *rt, late_set *ls, uint64_t look)
{
	ls->look = look;
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (!m || atomic_load(&m->status) != TC_ST_RUNNING)
			continue;
		ls->m[ls->n] = m;
		ls->tid[ls->n] = m->tid;
		ls->cpu0[ls->n] = tc_tid_cpu_ns(m->tid);
		tc_schedstat ss;
		ls->ss_ok[ls->n] = tc_tid_schedstat(m->tid, &ss) == 0;
		ls->wait0[ls->n] = ls->ss_ok[ls->n] ? ss.wait_ns : 0;
		ls->n++;
	}
}

/* What the late mutators did from late_note until `now`, when all have
 * stopped (so their clocks stand still): the most CPU time any got
 * (rt->stw_late_cpu_ns) and the most time any spent queued for a CPU
 * (stw_late_wait_ns, and stw_late_wait_known if any could be read).
 * Linux adds a wait to run_delay when it ends, whole, so one that began
 * before the look counts only from the look.  One that detached meanwhile
 * is skipped.  The schedstat reads, about 6 us a late mutator, are on
 * the pause.  sched_lock held. */
static void late_since(tc_runtime *rt, const late_set *ls, uint64_t now)
{
	uint64_t cpu = 0, wait = 0;
	bool known = false;
	for (int k = 0; k < ls->n; k++) {
		tc_mutator *m = ls->m[k];
		if (atomic_load(&rt->mtab[m->index]) != m ||
		    m->tid != ls->tid[k])
			continue;
		uint64_t c = tc_tid_cpu_ns(m->tid);
		if (ls->cpu0[k] && c > ls->cpu0[k] && c - ls->cpu0[k] > cpu)
			cpu = c - ls->cpu0[k];
		tc_schedstat ss;
		if (!ls->ss_ok[k] || tc_tid_schedstat(m->tid, &ss) != 0)
			continue;
		known = true;
		if (ss.wait_ns > ls->wait0[k] && ss.wait_ns - ls->wait0[k] > wait)
			wait = ss.wait_ns - ls->wait0[k];
	}
	if (wait > now - ls->look)
		wait = now - ls->look;
	rt->stw_late_cpu_ns = cpu;
	rt->stw_late_wait_ns = wait;
	rt->stw_late_wait_known = known;
}

/* Claim every parked mutator for the stop just requested, and count the
 * others, running or already stopped (counting the stopped, in the
 * header).  sched_lock held, in the hold that set rt->stw. */
static int stw_claim_and_count(tc_runtime *rt)
{
	int n = 0;
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (!m)
			continue;
		int st = atomic_load(&m->status);
		if (st == TC_ST_PARKED) {
			atomic_store(&m->status, TC_ST_CLAIMED);
			m->stw_claimed = true;
		} else if (st == TC_ST_RUNNING || st == TC_ST_STOPPED) {
			n++;
		}
	}
	return n;
}

/* Sleep until the futex word *w is no longer val (or a spurious wake-up:
 * callers loop). */
static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT_PRIVATE, val, NULL,
		NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *w)
{
	syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE_PRIVATE, INT_MAX, NULL,
		NULL, 0);
}

/* Release the world: the flag clears, which ends the pause, claimed
 * mutators go back to PARKED, the stopped ones become RUNNING, the epoch
 * moves on and they are woken, all with one system call, after the lock
 * is dropped.  The wake-up is not part of the pause: a waker preempted by
 * its wakees would count a scheduler tick of running mutators as pause.
 * runner is the mutator that ran the stop's work, NULL for the collector:
 * it runs on (or, if it parked, stays parked), and the collector is told
 * the stop is done.  Returns the release time.
 *
 * The epoch moves on under the lock, before the next stop can set rt->stw
 * (it does that under the lock too): a mutator that stops in the next
 * stop reads the new epoch, and sleeps until that stop's release. */
static uint64_t release_world(tc_runtime *rt, tc_mutator *runner)
{
	bool wake = false;
	atomic_store(&rt->stw, 0);
	uint64_t released = tc_now_ns();
	tc_sched_lock(rt);
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (!m)
			continue;
		if (m->stw_claimed) {
			m->stw_claimed = false;
			atomic_store(&m->status, TC_ST_PARKED);
		} else if (atomic_load(&m->status) == TC_ST_STOPPED) {
			atomic_store(&m->status, TC_ST_RUNNING);
			wake = wake || m != runner;
		}
	}
	atomic_fetch_add_explicit(&rt->stw_epoch, 1, memory_order_release);
	p_wake_head(rt);
	if (runner) {
		rt->stw_released = released;
		atomic_store_explicit(&rt->stw_work, STW_DONE,
				      memory_order_relaxed);
	} else {
		atomic_store_explicit(&rt->stw_work, STW_NONE,
				      memory_order_relaxed);
	}
	pthread_mutex_unlock(&rt->sched_lock);
	if (runner) /* rt outlives it: runner is still attached */
		pthread_cond_signal(&rt->stw_cond);
	if (wake) /* rt outlives it: they are still attached */
		futex_wake_all(&rt->stw_epoch);
	pthread_cond_broadcast(&rt->sched_cond); /* tc_attach */
	return released;
}

/* The world has just been found stopped: take the stop's work, for the
 * last mutator to stop (m) or for the collector (m NULL), and note what
 * the pause record needs from this instant.  The late mutators' clocks
 * stand still now, so their CPU time and queueing are read here, whoever
 * takes it, if the collector has published its look (stw_late).  No lock
 * needed: the count makes the taker the only one (counting the stopped,
 * in the header), no mutator can detach or attach while the world is
 * stopped (so the late mutators' records stay valid), and the collector
 * reads these fields only after it loads TAKEN (the release below) or
 * under sched_lock after the release of the world. */
static void take_stop(tc_runtime *rt, tc_mutator *m)
{
	rt->stw_runner = m ? m->g.id : 0;
	rt->stw_reach = tc_now_ns();
	rt->stw_late_cpu_ns = rt->stw_late_wait_ns = 0;
	rt->stw_late_wait_known = false;
	late_set *ls = atomic_exchange_explicit(&rt->stw_late, NULL,
						memory_order_acq_rel);
	if (ls)
		late_since(rt, ls, rt->stw_reach);
	atomic_store_explicit(&rt->stw_work, STW_TAKEN, memory_order_release);
}

/* m was the last to stop at a safepoint or park (its status says which)
 * in the stop in progress: run the stop's work here and release the
 * world, and return with m running again, or parked.  A parking m holds
 * sched_lock (locked), which is dropped for the work; a stopping one
 * takes none before the release.  See world_stopped.
 *
 * No stopping mutator wakes the collector.  Until m, a mutator still ran,
 * and only the last to stop or park takes the work (only a detach leaves
 * it to the collector, and tc_detach signals); the collector waits for
 * the release, which signals.  Waking it at each stop, as before the
 * twenty-first session, cost the stop dearly: the wake-up of a halted
 * virtual CPU is an IPI through the host, and on the project's VM the
 * host often took the waker's CPU away right there, for 30 to 450 us in
 * which the guest charged the waker CPU time, all of it with sched_lock
 * held, and the next mutator to stop waited for the lock.  Time to stop
 * at the 99th percentile, median of 12 runs of bench/binarytrees 20 4:
 * 0.258 ms with the wake-up, 0.139 without (docs/benchmarks-history.md,
 * twenty-first session). */
static void run_stop(tc_runtime *rt, tc_mutator *m, bool locked)
{
	take_stop(rt, m);
	void (*fn)(void *, uint64_t) = rt->stw_fn;
	void *arg = rt->stw_arg;
	uint64_t t0 = rt->stw_t0;
	if (locked)
		pthread_mutex_unlock(&rt->sched_lock);
	fn(arg, t0);
	atomic_fetch_add_explicit(&rt->stw_handoffs, 1, memory_order_relaxed);
	release_world(rt, m);
}

/* The stop's first hold of sched_lock, the one that makes the request,
 * and what kept it waiting (tc_pause_info.lock_*).  The wait is part of
 * the pause, as Go's stopTheWorldWithSema counts its wait for sched.lock.
 * Holds are a few microseconds, unless the holder loses its CPU while it
 * holds the lock.  A pause of 2.0 ms at bench/binarytrees 16 4 in the
 * twenty-seventh session, none of whose mutators had to stop, took 1.98
 * ms to find the world stopped with 0.05 ms of collector CPU and no time
 * queued: a wait here behind a holder off its CPU, or the collector's own
 * virtual CPU held by the host, which its record could not tell apart
 * (docs/benchmarks.md).  So it waits TC_STW_LATE_NS for the lock, as a stop
 * waits that long for its mutators, then looks at the holder as at a
 * late mutator (late_note): its CPU clock and its schedstat, then again
 * once it has let go, and its own queueing over the same: woken when
 * the holder lets go, it may wait for a CPU, which is then the wait's
 * longer part.  The holder is the last thread to name itself
 * (tc_sched_held), read at the look; a lock that passed through several
 * holders meanwhile is charged to that one, and one that has detached by
 * the time the collector has the lock is not named (lock_holder 0).  The
 * reads cost about 20 us, only in waits already 50 us long.  The timed
 * wait is on CLOCK_REALTIME (pthread_mutex_timedlock's clock), a deadline
 * 50 us off: a step of the clock would only move the look. */
static void request_lock(tc_runtime *rt, uint64_t t0, tc_pause_info *info)
{
	if (pthread_mutex_trylock(&rt->sched_lock) == 0) {
		tc_sched_held(rt);
		info->lock_ns = tc_now_ns() - t0;
		return;
	}
	uint64_t now = tc_now_ns();
	uint64_t due = t0 + TC_STW_LATE_NS;
	uint64_t left = due > now ? due - now : 0;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	uint64_t nsec = (uint64_t)until.tv_nsec + left;
	until.tv_sec += (time_t)(nsec / 1000000000u);
	until.tv_nsec = (long)(nsec % 1000000000u);
	if (pthread_mutex_timedlock(&rt->sched_lock, &until) == 0) {
		tc_sched_held(rt);
		info->lock_ns = tc_now_ns() - t0;
		return;
	}
	uint64_t look = tc_now_ns();
	int tid = atomic_load_explicit(&rt->sched_owner, memory_order_relaxed);
	if (tid == tc_self_tid())
		tid = 0; /* its own name, from its last hold: not known */
	uint64_t cpu0 = tid ? tc_tid_cpu_ns(tid) : 0;
	tc_schedstat ss;
	bool ss_ok = tid && tc_tid_schedstat(tid, &ss) == 0;
	uint64_t wait0 = ss_ok ? ss.wait_ns : 0;
	tc_schedstat me;
	bool me_ok = tc_self_schedstat(&me) == 0;
	uint64_t me0 = me_ok ? me.wait_ns : 0;
	tc_sched_lock(rt);
	now = tc_now_ns();
	info->lock_ns = now - t0;
	info->lock_look = true;
	if (me_ok && tc_self_schedstat(&me) == 0) {
		info->lock_gc_wait_known = true;
		uint64_t w = me.wait_ns > me0 ? me.wait_ns - me0 : 0;
		info->lock_gc_wait_ns = w < now - look ? w : now - look;
	}
	if (!tid)
		return;
	uint64_t cpu1 = tc_tid_cpu_ns(tid);
	if (cpu0 && cpu1 > cpu0)
		info->lock_cpu_ns = cpu1 - cpu0;
	if (ss_ok && tc_tid_schedstat(tid, &ss) == 0) {
		info->lock_wait_known = true;
		uint64_t w = ss.wait_ns > wait0 ? ss.wait_ns - wait0 : 0;
		info->lock_wait_ns = w < now - look ? w : now - look;
	}
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (m && m->tid == tid) {
			info->lock_holder = atomic_load(&m->id);
			break;
		}
	}
}

static uint64_t world_stopped(void *ctx, tc_pause_info *info,
			      void (*fn)(void *arg, uint64_t t0), void *arg,
			      uint64_t *released)
{
	tc_runtime *rt = ctx;
	/* The collector lifts its own binding while the world stops, so that
	 * it can run on whichever CPU is free, and binds again once the world
	 * runs.  That comes before the request, and so before the pause
	 * starts: the mutators run on until rt->stw is set.  A kernel thread
	 * that preempts the collector in this system call (for up to 2.9 ms
	 * in an instrumented build on the project's machine; kdamond, where
	 * perf sched caught one) delays the collection, not the mutators.
	 * The pause counts from before the lock, as Go's counts from before
	 * stopTheWorldWithSema takes sched.lock. */
	pin_apply(rt, -1, &rt->gc_pin_applied);
	/* The record is this function's to fill, whatever the caller left
	 * in it (the collector clears it; a test may not). */
	memset(info, 0, sizeof *info);
	uint64_t t0 = tc_now_ns();
	late_set ls;
	ls.n = 0;
	ls.look = 0; /* no look yet */
	request_lock(rt, t0, info);
	/* The count and the work's fields first: a mutator that sees rt->stw
	 * set may count itself stopped at once (counting the stopped). */
	atomic_store_explicit(&rt->stw_pending, 0, memory_order_relaxed);
	atomic_store_explicit(&rt->stw_last_stop, 0, memory_order_relaxed);
	rt->stw_gc_takes = false;
	rt->stw_fn = fn;
	rt->stw_arg = arg;
	rt->stw_t0 = t0;
	atomic_store_explicit(&rt->stw_late, NULL, memory_order_relaxed);
	atomic_store_explicit(&rt->stw_work, STW_OFFERED,
			      memory_order_relaxed);
	atomic_store(&rt->stw, 1);
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (m)
			tc_poke(m);
	}
	int counted = stw_claim_and_count(rt);
	if (atomic_fetch_add_explicit(&rt->stw_pending, counted,
				      memory_order_acq_rel) == -counted)
		rt->stw_gc_takes = true; /* every one counted has stopped */
	uint64_t nudge_at = t0 + TC_STW_NUDGE_NS;
	uint64_t nudge_ns = 0;
	bool spun = false;
	while (atomic_load_explicit(&rt->stw_work, memory_order_acquire) ==
	       STW_OFFERED) {
		if (rt->stw_gc_takes) {
			take_stop(rt, NULL);
			break;
		}
		if (!atomic_load_explicit(&rt->stw_pending,
					  memory_order_relaxed)) {
			/* The last mutator stopped at a safepoint and is
			 * about to take the work (run_stop); none is left to
			 * nudge.  Wait for the release without a timeout,
			 * which would only wake this thread during the work
			 * every TC_STW_NUDGE_NS, for nothing. */
			sched_wait(rt, &rt->stw_cond);
			continue;
		}
		if (!spun && spin_ok(rt)) {
			spun = true;
			pthread_mutex_unlock(&rt->sched_lock);
			while (atomic_load_explicit(&rt->stw_pending,
						    memory_order_relaxed) &&
			       tc_now_ns() < nudge_at)
				cpu_relax();
			stw_lock(rt);
			continue;
		}
		uint64_t now = tc_now_ns();
		if (now >= nudge_at) {
			if (!ls.look) {
				late_note(rt, &ls, now); /* before the nudges */
				atomic_store_explicit(&rt->stw_late, &ls,
						      memory_order_release);
			}
			for (int i = 0, end = tc_mtab_end(rt);
			     rt->pin_n && i < end; i++) {
				tc_mutator *m = atomic_load(&rt->mtab[i]);
				if (m &&
				    atomic_load(&m->status) == TC_ST_RUNNING) {
					uint64_t took = nudge(rt, m);
					if (took > nudge_ns)
						nudge_ns = took;
				}
			}
			nudge_at = tc_now_ns() + TC_STW_NUDGE_NS;
		}
		struct timespec ts = {.tv_sec = (time_t)(nudge_at / 1000000000u),
				      .tv_nsec = (long)(nudge_at % 1000000000u)};
		if (ls.look || info->look_slept) {
			/* Only the first sleep before the look is timed. */
			sched_timedwait(rt, &rt->stw_cond, &ts);
			continue;
		}
		/* The sleep before the look (tc_pause_info.look_slept): how
		 * late it ended, and whether the thread was switched out
		 * at all.  In the twenty-seventh session's logged stops,
		 * looks 0.6 to 0.9 ms late were this sleep ending that late
		 * without a switch: its virtual CPU had not run.  One
		 * getrusage either side, about 0.5 us each, while the
		 * collector only waits. */
		struct rusage ru0, ru1;
		bool ru = getrusage(RUSAGE_THREAD, &ru0) == 0;
		sched_timedwait(rt, &rt->stw_cond, &ts);
		uint64_t woke = tc_now_ns();
		info->look_slept = true;
		info->sleep_late_ns = woke > nudge_at ? woke - nudge_at : 0;
		if (ru && getrusage(RUSAGE_THREAD, &ru1) == 0) {
			info->sleep_switches_known = true;
			info->sleep_switches =
			    (unsigned)((ru1.ru_nvcsw - ru0.ru_nvcsw) +
				       (ru1.ru_nivcsw - ru0.ru_nivcsw));
		}
	}
	/* The work is taken, so its taker has exchanged stw_late out; a look
	 * published after that would leave a pointer into this frame. */
	atomic_store_explicit(&rt->stw_late, NULL, memory_order_relaxed);
	uint64_t last_stop =
	    atomic_load_explicit(&rt->stw_last_stop, memory_order_relaxed);
	info->last_stop_ns = last_stop > t0 ? last_stop - t0 : 0;
	info->late_look_ns = ls.look ? ls.look - t0 : 0;
	info->late = ls.n;
	info->reach_ns = rt->stw_reach - t0;
	info->late_cpu_ns = rt->stw_late_cpu_ns;
	info->late_wait_ns = rt->stw_late_wait_ns;
	info->late_wait_known = rt->stw_late_wait_known;
	info->nudge_ns = nudge_ns;
	if (rt->stw_runner == 0) {
		pthread_mutex_unlock(&rt->sched_lock);
		fn(arg, t0);
		*released = release_world(rt, NULL);
	} else {
		/* A mutator runs it: wait until it has released the world. */
		while (atomic_load_explicit(&rt->stw_work,
					    memory_order_relaxed) != STW_DONE)
			sched_wait(rt, &rt->stw_cond);
		atomic_store_explicit(&rt->stw_work, STW_NONE,
				      memory_order_relaxed);
		info->runner = rt->stw_runner;
		/* Its CPU time, taken as the work's wall time: reading its CPU
		 * clock is a system call (0.65 us on the project's VM), and two
		 * of them lengthened the median pause by a third and more.  Go
		 * counts a stop's CPU time from its wall time too. */
		info->gc_cpu_ns = rt->stw_released - rt->stw_reach;
		*released = rt->stw_released;
		pthread_mutex_unlock(&rt->sched_lock);
	}
	pin_apply(rt, rt->gc_pin, &rt->gc_pin_applied);
	return t0;
}

static void world_each(void *ctx, void (*fn)(void *arg, tc_gcmut *m),
		       void *arg)
{
	tc_runtime *rt = ctx;
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (m)
			fn(arg, &m->g);
	}
}

static int world_scan_parked(void *ctx, tc_gcwork *w)
{
	tc_runtime *rt = ctx;
	tc_mutator *claimed[TC_MAX_MUTATORS];
	int nclaimed = 0, grey = 0;
	tc_sched_lock(rt);
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (!m)
			continue;
		uint32_t state = __atomic_load_n(&m->hot.stack.state,
						 __ATOMIC_RELAXED);
		if (state == TC_STACK_SCANNING) {
			/* Its mutator is scanning it: the roots reach the
			 * global list when it is done, so it still counts
			 * as grey (else the collector would try to end the
			 * mark just before they arrive). */
			grey++;
			continue;
		}
		if (state != TC_STACK_GREY)
			continue;
		if (atomic_load(&m->status) == TC_ST_PARKED) {
			atomic_store(&m->status, TC_ST_CLAIMED);
			claimed[nclaimed++] = m;
		} else {
			grey++;
		}
	}
	pthread_mutex_unlock(&rt->sched_lock);
	for (int i = 0; i < nclaimed; i++) {
		tc_mutator *m = claimed[i];
		uint32_t want = TC_STACK_GREY;
		if (__atomic_compare_exchange_n(&m->hot.stack.state, &want,
						TC_STACK_SCANNING, false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED)) {
			tc_gc_scan_stack(&rt->gc, w, &m->hot.stack);
			__atomic_store_n(&m->hot.stack.state, TC_STACK_BLACK,
					 __ATOMIC_RELEASE);
			atomic_fetch_add_explicit(&rt->gc.stacks_gc, 1,
						  memory_order_relaxed);
		}
	}
	if (nclaimed) {
		tc_sched_lock(rt);
		for (int i = 0; i < nclaimed; i++)
			atomic_store(&claimed[i]->status, TC_ST_PARKED);
		p_wake_head(rt);
		pthread_mutex_unlock(&rt->sched_lock);
	}
	return grey;
}

static void world_poke(void *ctx)
{
	tc_runtime *rt = ctx;
	for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
		tc_mutator *m = atomic_load(&rt->mtab[i]);
		if (m && __atomic_load_n(&m->hot.stack.state,
					 __ATOMIC_RELAXED) == TC_STACK_GREY)
			tc_poke(m);
	}
}

static int world_count(void *ctx)
{
	tc_runtime *rt = ctx;
	return atomic_load_explicit(&rt->nmutators, memory_order_relaxed);
}

/* The collector takes a P for a cycle's work (gc.h).  With one P only, it
 * shares it (marking then runs beside the mutators only through assists
 * and the OS). */
static void world_take_p(void *ctx)
{
	tc_runtime *rt = ctx;
	tc_sched_lock(rt);
	if (rt->nprocs >= 2 && !rt->gc_has_p) {
		rt->gc_has_p = true;
		rt->procs_free--;
		if (rt->procs_free >= 0)
			pin_take(rt, &rt->gc_pin);
		if (rt->procs_free < 0) {
			/* Every P is held: the longest holder yields one at
			 * its next safepoint (or as soon as the world
			 * restarts), and the collector takes its CPU. */
			tc_mutator *victim = NULL;
			for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
				tc_mutator *m = atomic_load(&rt->mtab[i]);
				if (m && m->has_p && !atomic_load(&m->preempt) &&
				    (!victim || m->p_since < victim->p_since))
					victim = m;
			}
			if (victim) {
				atomic_store(&victim->preempt, 1);
				tc_poke(victim);
				if (rt->pin_n && victim->pin >= 0) {
					rt->gc_pin = victim->pin;
					rt->pin_load[victim->pin]++;
				}
			}
		}
	}
	pthread_mutex_unlock(&rt->sched_lock);
	pin_apply(rt, rt->gc_pin, &rt->gc_pin_applied);
}

static int world_procs(void *ctx)
{
	return ((tc_runtime *)ctx)->nprocs;
}

static void world_give_p(void *ctx)
{
	tc_runtime *rt = ctx;
	tc_sched_lock(rt);
	if (rt->gc_has_p) {
		rt->gc_has_p = false;
		pin_drop(rt, &rt->gc_pin);
		rt->procs_free++;
		p_wake_head(rt);
	}
	pthread_mutex_unlock(&rt->sched_lock);
	pin_apply(rt, rt->gc_pin, &rt->gc_pin_applied);
}

/* How long a mutator may hold its P while others wait for one.  Go's is
 * 10 ms (forcePreemptNS), where passing the P on switches goroutines in
 * user space; here it parks one OS thread and wakes another, and the
 * CPU goes idle in between (on the project's VM an idle virtual CPU
 * halts, and waking it goes through the host).  Measured with 10, 20
 * and 50 ms (bench/binarytrees 20 4, two sets of 4 rounds, and 18 4, 8
 * rounds, rotating with Boehm; AMD EPYC): at d20/4 CPU time over wall
 * time 1.74-1.77 at 10 ms, 1.77-1.85 at 20 and 1.80-1.87 at 50 (the
 * CPUs idle less); median wall against Boehm 1.05x, 0.92x, 0.93x in
 * the first set, 1.00x, 1.04x, 0.99x in the second, and at d18/4
 * 0.98x, 0.92x, 0.95x.  20 ms takes most of it for the smallest step
 * away from Go's figure. */
#define TC_TIMESLICE_NS (20 * 1000 * 1000)

static void world_preempt(void *ctx, uint64_t now)
{
	tc_runtime *rt = ctx;
	tc_sched_lock(rt);
	if (rt->pq_head) { /* someone is waiting */
		for (int i = 0, end = tc_mtab_end(rt); i < end; i++) {
			tc_mutator *m = atomic_load(&rt->mtab[i]);
			if (m && m->has_p &&
			    now - m->p_since > TC_TIMESLICE_NS &&
			    !atomic_load(&m->preempt)) {
				atomic_store(&m->preempt, 1);
				tc_poke(m);
			}
		}
	}
	pthread_mutex_unlock(&rt->sched_lock);
}

/* ---- runtime ---- */

tc_runtime *tc_runtime_new(const tc_config *cfg, const char **err)
{
	tc_config def;
	if (!cfg) {
		tc_config_init(&def);
		cfg = &def;
	}
	if (cfg->nglobals < 0 || cfg->nglobals > TC_MAX_GLOBALS) {
		if (err)
			*err = "number of globals must be between 0 and 4096";
		return NULL;
	}
	if (cfg->gogc < TC_GOGC_OFF || cfg->gogc > 100000) {
		if (err)
			*err = "GOGC must be off or between 0 and 100000";
		return NULL;
	}
	if ((unsigned)cfg->barrier >= TC_BARRIER_NMODES) {
		if (err)
			*err = "unknown barrier mode";
		return NULL;
	}
	tc_runtime *rt = tc_xcalloc(1, sizeof *rt);
	rt->cfg = *cfg;
	if (tc_heap_init(&rt->heap, cfg->heap_bytes, cfg->poison_freed,
			 err) != 0) {
		free(rt);
		return NULL;
	}
	if (cfg->huge_pages)
		tc_heap_use_hugepages(&rt->heap);
	pthread_mutex_init(&rt->sched_lock, NULL);
	pthread_cond_init(&rt->sched_cond, NULL);
	/* stw_cond's timed waits count on the clock tc_now_ns reads. */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rt->stw_cond, &ca);
	pthread_condattr_destroy(&ca);
	rt->next_id = 1;
	rt->nprocs = cfg->procs > 0 ? cfg->procs : default_procs();
	rt->procs_free = rt->nprocs;
	pin_init(rt);
	tc_world w = {
		.ctx = rt,
		.stopped = world_stopped,
		.each = world_each,
		.scan_parked = world_scan_parked,
		.poke = world_poke,
		.count = world_count,
		.take_p = world_take_p,
		.give_p = world_give_p,
		.preempt = world_preempt,
		.procs = world_procs,
	};
	tc_gc_init(&rt->gc, &rt->heap, cfg, &w);
	if (cfg->background)
		tc_gc_start(&rt->gc);
	return rt;
}

void tc_runtime_free(tc_runtime *rt)
{
	if (!rt)
		return;
	if (atomic_load(&rt->nmutators) != 0)
		tc_fatal("tc_runtime_free with %d mutators still attached",
			 atomic_load(&rt->nmutators));
	tc_gc_destroy(&rt->gc);
	tc_mutator *m = rt->free_mutators;
	while (m) {
		tc_mutator *n = m->free_next;
		pthread_cond_destroy(&m->wake);
		free(m);
		m = n;
	}
	tc_heap_destroy(&rt->heap);
	pthread_mutex_destroy(&rt->sched_lock);
	pthread_cond_destroy(&rt->sched_cond);
	pthread_cond_destroy(&rt->stw_cond);
	free(rt);
}

tc_mutator *tc_attach(tc_runtime *rt, const char *name)
{
	tc_sched_lock(rt);
	while (atomic_load(&rt->stw))
		sched_wait(rt, &rt->sched_cond);
	int idx = -1;
	for (int i = 0; i < TC_MAX_MUTATORS; i++)
		if (!atomic_load(&rt->mtab[i])) {
			idx = i;
			break;
		}
	if (idx < 0) {
		pthread_mutex_unlock(&rt->sched_lock);
		return NULL;
	}
	tc_mutator *m = rt->free_mutators;
	if (m) {
		rt->free_mutators = m->free_next;
	} else {
		m = tc_xcalloc(1, sizeof *m);
		pthread_cond_init(&m->wake, NULL);
		int k = atomic_load_explicit(&rt->nall, memory_order_relaxed);
		rt->mall[k] = m;
		atomic_store_explicit(&rt->nall, k + 1, memory_order_release);
	}
	m->rt = rt;
	m->index = idx;
	m->err[0] = '\0';
	m->stw_claimed = false;
	m->hot.stores = 0;
	m->hot.wb_enabled = &rt->gc.wb_enabled;
	m->hot.barrier = (const int *)&rt->gc.barrier;
	m->hot.alloc = m->g.cache.cur; /* all empty: released at detach */
	m->hot.black_bytes = &m->g.cache.black_bytes;
	m->hot.assist_debt = &m->g.assist_debt;
	m->g.stack = &m->hot.stack;
	m->g.work.n = 0;
	m->g.assist_debt = 0;
	m->g.cache.heap = &rt->heap;
	m->g.cache.black_bytes = 0;
	tc_stack *st = &m->hot.stack;
	__atomic_store_n(&st->nframes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&st->sp, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&st->result, 0, __ATOMIC_RELAXED);
	m->hot.top = st->slot;
	m->hot.top_n = 0;
	/* A new stack holds nothing yet: it is black (see barrier.c). */
	__atomic_store_n(&st->state, TC_STACK_BLACK, __ATOMIC_RELAXED);
	/* Published parked, then queued for a P like any waking mutator. */
	atomic_store(&m->status, TC_ST_PARKED);
	m->has_p = false;
	m->pin = m->pin_applied = -1;
	atomic_store(&m->pin_lost, 0);
	m->tid = (int)syscall(SYS_gettid);
	atomic_store(&m->preempt, 0);
	__atomic_store_n(&m->hot.poll, 0, __ATOMIC_RELAXED);
	atomic_store(&m->assisting, 0);
	const char *nm = name ? name : "mutator";
	size_t i = 0;
	for (; nm[i] && i < sizeof m->name - 1; i++)
		atomic_store_explicit(&m->name[i], nm[i], memory_order_relaxed);
	atomic_store_explicit(&m->name[i], 0, memory_order_relaxed);
	unsigned id = rt->next_id++;
	m->g.id = id;
	atomic_store(&m->id, id);
	if (idx >= atomic_load_explicit(&rt->mtab_end, memory_order_relaxed))
		atomic_store_explicit(&rt->mtab_end, idx + 1,
				      memory_order_release);
	atomic_store_explicit(&rt->mtab[idx], m, memory_order_release);
	atomic_fetch_add(&rt->nmutators, 1);
	p_acquire_and_run(rt, m);
	pthread_mutex_unlock(&rt->sched_lock);
	mutator_pin(m);
	tc_event ev = {.kind = TC_EV_ATTACH, .mutator = id};
	if (rt->cfg.on_event)
		rt->cfg.on_event(rt->cfg.event_ctx, &ev);
	return m;
}

void tc_detach(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	/* Running, so the world is not stopped: a stop in progress counted
	 * m and waits for it (below). */
	tc_mcache_release_all(&m->g.cache);
	/* What it allocated black this cycle still counts as marked. */
	atomic_fetch_add_explicit(&rt->heap.black_large,
				  m->g.cache.black_bytes,
				  memory_order_relaxed);
	m->g.cache.black_bytes = 0;
	tc_gc_flush(&rt->gc, &m->g.work);
	unsigned id = m->g.id;
	int applied = m->pin_applied; /* m is recycled once unlocked */
	tc_sched_lock(rt);
	p_release(rt, m);
	atomic_store(&rt->mtab[m->index], NULL);
	atomic_fetch_sub(&rt->nmutators, 1);
	atomic_store(&m->status, TC_ST_DETACHED);
	atomic_store(&m->id, 0);
	__atomic_store_n(&m->hot.stack.sp, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->hot.stack.nframes, 0, __ATOMIC_RELAXED);
	m->hot.top_n = 0;
	m->free_next = rt->free_mutators;
	rt->free_mutators = m;
	/* m was RUNNING, so a stop in progress counted it.  If it was the
	 * last, the collector takes the stop's work: this thread is leaving
	 * (run_stop is for the others). */
	if (atomic_load_explicit(&rt->stw, memory_order_relaxed) &&
	    stw_count_stop(rt)) {
		rt->stw_gc_takes = true;
		pthread_cond_signal(&rt->stw_cond);
	}
	pthread_mutex_unlock(&rt->sched_lock);
	pin_apply(rt, -1, &applied);
	tc_event ev = {.kind = TC_EV_DETACH, .mutator = id};
	if (rt->cfg.on_event)
		rt->cfg.on_event(rt->cfg.event_ctx, &ev);
}

tc_runtime *tc_mutator_runtime(const tc_mutator *m)
{
	return m->rt;
}

unsigned tc_mutator_id(const tc_mutator *m)
{
	return m->g.id;
}

const char *tc_last_error(const tc_mutator *m)
{
	return m->err;
}

/* ---- safepoints and parking ---- */

/* Hold at this safepoint while the world is stopped.  Returns true if it
 * did hold.  m is RUNNING, so if rt->stw is set the stop has counted it,
 * or will before it ends: m stops without sched_lock unless it is the
 * last (counting the stopped, in the header).  The release makes it
 * RUNNING again; if another stop has begun by the time it wakes, it
 * stops for that one too. */
static bool wait_stw(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	bool held = false;
	while (atomic_load_explicit(&rt->stw, memory_order_acquire)) {
		held = true;
		uint32_t epoch = atomic_load_explicit(&rt->stw_epoch,
						      memory_order_relaxed);
		atomic_store(&m->status, TC_ST_STOPPED);
		if (stw_count_stop(rt)) {
			run_stop(rt, m, false);
			break;
		}
		/* Sleep, do not spin: on a machine with as many running
		 * mutators as CPUs, spinning ones would take the CPU from
		 * the thread that is doing the stop-the-world's work.  The
		 * acquire pairs with the release's bump: what the stop's
		 * work wrote is visible from here on. */
		while (atomic_load_explicit(&rt->stw_epoch,
					    memory_order_acquire) == epoch)
			futex_wait(&rt->stw_epoch, epoch);
	}
	if (held)
		mutator_pin(m);
	return held;
}

/* The stack is scanned at the mutator's next safepoint after mark starts:
 * not at the stop-the-world that starts it (the STW must stay short), but
 * at the first poll after the mutator resumes.  Between the two the
 * mutator runs with a grey stack, as goroutines do in Go until the
 * collector gets to them; that is the window the insertion half of the
 * hybrid barrier covers (barrier.c). */
static void defer_scan(tc_mutator *m)
{
	if (__atomic_load_n(&m->hot.stack.state, __ATOMIC_RELAXED) ==
	    TC_STACK_GREY)
		__atomic_store_n(&m->hot.poll, 1, __ATOMIC_RELAXED);
}

void tc_safepoint_slow(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	__atomic_exchange_n(&m->hot.poll, 0, __ATOMIC_ACQ_REL);
	bool held = wait_stw(m);
	if (atomic_load_explicit(&m->preempt, memory_order_relaxed))
		p_yield(m);
	if (held) {
		defer_scan(m);
		return;
	}
	if (__atomic_load_n(&m->hot.stack.state, __ATOMIC_RELAXED) ==
	    TC_STACK_GREY)
		tc_gc_self_scan(&rt->gc, &m->g);
}

void tc_park(tc_mutator *m)
{
	park_locked(m);
	pthread_mutex_unlock(&m->rt->sched_lock);
	mutator_pin(m);
}

void tc_unpark(tc_mutator *m)
{
	tc_runtime *rt = m->rt;
	tc_sched_lock(rt);
	p_acquire_and_run(rt, m);
	pthread_mutex_unlock(&rt->sched_lock);
	mutator_pin(m);
	wait_stw(m);
	defer_scan(m);
}
