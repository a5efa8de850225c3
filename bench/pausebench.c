/*
 * pausebench.c - how libtricolor's stop-the-world pauses scale with the
 * live heap.  For each live-heap size (default 16 MiB, 256 MiB, 1 GiB) a
 * fresh runtime gets:
 *
 *   1. the live set: binary trees of depth 14 whose nodes are 2 pointers +
 *      48 scalar bytes (64 bytes requested), hung from one root object in
 *      global 0, until the requested bytes reach the size;
 *   2. the same mutator load at every size: MUTATORS threads (default 1)
 *      build, check and drop depth-10 binary trees of 24-byte nodes (the
 *      binary-trees node) for SECONDS seconds, and keep going until at
 *      least CYCLES collections have completed during the load;
 *   3. GOGC as in the environment (default 100): the pacer decides when
 *      cycles start; nothing is forced.
 *
 * Per size it prints the STW pauses of the load window (each TC_EV_PAUSE
 * event's duration, collected through tc_config.on_event): count, p50,
 * p99, max, and how many were over 0.1 ms and over 1 ms; where the longest
 * of them went (its tc_pause_info: time-to-safepoint, late mutators' and
 * the collector's CPU time in it); the run's
 * p50/p99/max from tc_read_stats for comparison; the mark rate (marked
 * bytes and objects per second of concurrent mark wall time, i.e. per
 * marker if one thread marks); and the collector's CPU share (gc_cpu_ns /
 * wall of the window).  Last, two summary lines judge the pause
 * targets over the windows: no pause over 1 ms, and the largest size's
 * longest pause within 2x of the smallest size's.  See
 * docs/benchmarks.md.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tricolor.h>

#include "bt_common.h"

#define LIVE_DEPTH   14
#define LIVE_SCALARS 48
#define LOAD_DEPTH   10
#define MAX_TREES    2048 /* pointer fields of the root object */
#define MAX_PAUSES   (1u << 20)

/* Pause log of the measured window.  Written by the on_event hook (on
 * whichever thread ended the pause): a slot index is claimed with a
 * relaxed fetch_add and the slot written once; read by main after the
 * load threads are joined and the runtime's cycles have stopped mattering
 * (`recording` cleared with release, and main reads after the joins). */
static uint64_t pause_log[MAX_PAUSES];
static atomic_uint pause_n;
static atomic_bool recording;

/* Per-cycle STW wall and collector-CPU times (TC_EV_CYCLE, emitted by the
 * collector thread only; read by main after the window, same ordering as
 * the pause log).  Wall far above CPU means the collector waited: for
 * mutators to reach a safepoint, or for a CPU. */
#define MAX_CYCLES 65536
static struct {
	uint64_t stw1, cpu1, stw2, cpu2;
} cycle_log[MAX_CYCLES];
static atomic_uint cycle_n;

/* The window's longest pause, with where it went (TC_EV_PAUSE's
 * tc_pause_info, valid only during the call, so copied).  Under
 * worst_lock: written by the hook, read by main after the window. */
static pthread_mutex_t worst_lock = PTHREAD_MUTEX_INITIALIZER;
static tc_pause_info worst_pause;

/* Set by main (release) when the load should stop; polled by the load
 * threads (acquire). */
static atomic_bool stop_load;

static tc_runtime *rt;

static void on_event(void *ctx, const struct tc_event *ev)
{
	unsigned i;

	(void)ctx;
	if (!atomic_load_explicit(&recording, memory_order_acquire))
		return;
	if (ev->kind == TC_EV_PAUSE) {
		i = atomic_fetch_add_explicit(&pause_n, 1,
		                              memory_order_relaxed);
		if (i < MAX_PAUSES)
			pause_log[i] = ev->ns;
		pthread_mutex_lock(&worst_lock);
		if (ev->pause != NULL && ev->pause->ns > worst_pause.ns)
			worst_pause = *ev->pause;
		pthread_mutex_unlock(&worst_lock);
	} else if (ev->kind == TC_EV_CYCLE && ev->cycle != NULL) {
		i = atomic_fetch_add_explicit(&cycle_n, 1,
		                              memory_order_relaxed);
		if (i < MAX_CYCLES) {
			cycle_log[i].stw1 = ev->cycle->stw1_ns;
			cycle_log[i].cpu1 = ev->cycle->cpu_stw1_ns;
			cycle_log[i].stw2 = ev->cycle->stw2_ns;
			cycle_log[i].cpu2 = ev->cycle->cpu_stw2_ns;
		}
	}
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "pausebench: %s: %s\n", what, msg);
	exit(1);
}

/* bottomUpTree as in binarytrees.c: frames root l, r and the node; the
 * tree comes back in the result register. */
static void bottom_up_tree(tc_mutator *m, int depth, size_t scalars)
{
	void *n;

	if (tc_push(m, "bottomUpTree", 3) != 0)
		die("tc_push", "stack overflow");
	if (depth > 0) {
		bottom_up_tree(m, depth - 1, scalars);
		tc_set_ptr(m, 0, tc_result(m));
		bottom_up_tree(m, depth - 1, scalars);
		tc_set_ptr(m, 1, tc_result(m));
	}
	n = tc_alloc_slot(m, 2, 2, scalars);
	if (n == NULL)
		die("tc_alloc", tc_last_error(m));
	if (depth > 0) {
		tc_write(m, n, 0, tc_get_ptr(m, 0));
		tc_write(m, n, 1, tc_get_ptr(m, 1));
	}
	tc_return(m, n);
}

/* itemCheck as in binarytrees.c: a safepoint poll at every node. */
static int64_t item_check(tc_mutator *m, const void *n)
{
	const void *l = tc_read(n, 0);

	tc_safepoint(m);
	if (l == NULL)
		return 1;
	return 1 + item_check(m, l) + item_check(m, tc_read(n, 1));
}

struct loader {
	pthread_t thread;
	uint64_t trees; /* written by the thread, read after join */
};

static void *load_main(void *arg)
{
	struct loader *ld = arg;
	tc_mutator *m = tc_attach(rt, "load");
	const int64_t want = ((int64_t)2 << LOAD_DEPTH) - 1;

	if (m == NULL)
		die("tc_attach", "failed");
	if (tc_push(m, "load", 1) != 0)
		die("tc_push", "stack overflow");
	while (!atomic_load_explicit(&stop_load, memory_order_acquire)) {
		bottom_up_tree(m, LOAD_DEPTH, sizeof(int32_t));
		tc_set_ptr(m, 0, tc_result(m));
		if (item_check(m, tc_get_ptr(m, 0)) != want)
			die("load", "tree check failed");
		tc_set_ptr(m, 0, NULL);
		ld->trees++;
	}
	tc_pop(m);
	tc_detach(m);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static double msf(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* One heap size's window: prints its figures, and returns its longest
 * pause in *max_ns and its pauses over 1 ms in *over_1ms. */
static void run_size(long live_mb, int mutators, long seconds, long min_cycles,
                     uint64_t *max_ns, unsigned *over_1ms)
{
	const uint64_t node_bytes = 2 * 8 + LIVE_SCALARS;
	const uint64_t tree_bytes =
	    (((uint64_t)2 << LIVE_DEPTH) - 1) * node_bytes;
	uint64_t want = (uint64_t)live_mb << 20, built = 0, t0, t1, c0;
	struct loader ld[BT_MAX_WORKERS];
	tc_config cfg;
	tc_mutator *m;
	tc_stats s0, s1;
	const char *err = NULL;
	int ntrees = 0;
	void *root;
	unsigned np;

	tc_config_init(&cfg);
	/* Reservation: live set, GOGC headroom, fragmentation; reported. */
	cfg.heap_bytes = ((size_t)live_mb << 20) * 4 + (512u << 20);
	cfg.on_event = on_event;
	rt = tc_runtime_new(&cfg, &err);
	if (rt == NULL)
		die("tc_runtime_new", err != NULL ? err : "failed");
	m = tc_attach(rt, "main");
	if (m == NULL)
		die("tc_attach", "failed");
	if (tc_push(m, "main", 1) != 0)
		die("tc_push", "stack overflow");

	root = tc_alloc_slot(m, 0, MAX_TREES, 0);
	if (root == NULL)
		die("tc_alloc", tc_last_error(m));
	tc_set_global(m, 0, root);
	while (built < want) {
		if (ntrees == MAX_TREES)
			die("live set", "too many trees");
		bottom_up_tree(m, LIVE_DEPTH, LIVE_SCALARS);
		tc_write(m, tc_get_ptr(m, 0), (size_t)ntrees++, tc_result(m));
		built += tree_bytes;
	}

	/* The load window. */
	atomic_store_explicit(&pause_n, 0, memory_order_relaxed);
	atomic_store_explicit(&cycle_n, 0, memory_order_relaxed);
	pthread_mutex_lock(&worst_lock);
	memset(&worst_pause, 0, sizeof worst_pause);
	pthread_mutex_unlock(&worst_lock);
	atomic_store_explicit(&stop_load, false, memory_order_relaxed);
	atomic_store_explicit(&recording, true, memory_order_release);
	tc_read_stats(rt, &s0);
	t0 = bt_now_ns();
	/* Parked first: creating a thread takes as long as a pause. */
	tc_park(m);
	for (int i = 0; i < mutators; i++) {
		ld[i].trees = 0;
		if (pthread_create(&ld[i].thread, NULL, load_main, &ld[i]))
			die("pthread_create", "failed");
	}
	c0 = s0.cycles;
	for (long waited = 0;; waited += 100) {
		tc_stats s;

		sleep_ms(100);
		tc_read_stats(rt, &s);
		if (waited >= seconds * 1000 &&
		    s.cycles - c0 >= (uint64_t)min_cycles)
			break;
		if (waited >= 600 * 1000)
			break; /* a stuck pacer must not hang the benchmark */
	}
	atomic_store_explicit(&stop_load, true, memory_order_release);
	for (int i = 0; i < mutators; i++)
		pthread_join(ld[i].thread, NULL);
	t1 = bt_now_ns();
	atomic_store_explicit(&recording, false, memory_order_release);
	tc_unpark(m);
	tc_read_stats(rt, &s1);

	np = atomic_load_explicit(&pause_n, memory_order_relaxed);
	if (np > MAX_PAUSES)
		np = MAX_PAUSES;
	qsort(pause_log, np, sizeof(pause_log[0]), bt_cmp_u64);

	/* The worst STW of any cycle, and how much of it was collector CPU;
	 * and the most CPU any one STW took. */
	unsigned nc = atomic_load_explicit(&cycle_n, memory_order_relaxed);
	uint64_t worst = 0, worst_cpu = 0, cpu_max = 0;
	if (nc > MAX_CYCLES)
		nc = MAX_CYCLES;
	for (unsigned i = 0; i < nc; i++) {
		uint64_t w[2] = {cycle_log[i].stw1, cycle_log[i].stw2};
		uint64_t c[2] = {cycle_log[i].cpu1, cycle_log[i].cpu2};
		for (int k = 0; k < 2; k++) {
			if (w[k] > worst) {
				worst = w[k];
				worst_cpu = c[k];
			}
			if (c[k] > cpu_max)
				cpu_max = c[k];
		}
	}

	uint64_t trees = 0;
	for (int i = 0; i < mutators; i++)
		trees += ld[i].trees;
	double mark_s = (double)(s1.mark_ns - s0.mark_ns) / 1e9;
	double wall_s = (double)(t1 - t0) / 1e9;
	printf(
	    "live_mib=%ld trees=%d live_requested_mib=%.1f heap_arena_mib=%zu "
	    "mutators=%d gogc=%d\n",
	    live_mb, ntrees, (double)built / 1048576.0, cfg.heap_bytes >> 20,
	    mutators, s1.gogc);
	unsigned over100us = 0, over1ms = 0;
	for (unsigned i = 0; i < np; i++) {
		over100us += pause_log[i] > 100000;
		over1ms += pause_log[i] > 1000000;
	}
	printf("  window_s=%.2f cycles=%llu pauses=%u pause_p50_ms=%.3f "
	       "pause_p99_ms=%.3f pause_max_ms=%.3f over_0.1ms=%u "
	       "over_1ms=%u\n",
	       wall_s, (unsigned long long)(s1.cycles - s0.cycles), np,
	       msf(bt_pct(pause_log, np, 50)), msf(bt_pct(pause_log, np, 99)),
	       msf(np ? pause_log[np - 1] : 0), over100us, over1ms);
	*max_ns = np ? pause_log[np - 1] : 0;
	*over_1ms = over1ms;
	printf("  worst_cycle_stw_ms=%.3f collector_cpu_in_it_ms=%.3f "
	       "max_stw_cpu_ms=%.3f (TC_EV_CYCLE: stw1/stw2 per cycle)\n",
	       msf(worst), msf(worst_cpu), msf(cpu_max));
	pthread_mutex_lock(&worst_lock);
	tc_pause_info wp = worst_pause;
	pthread_mutex_unlock(&worst_lock);
	/* "-": not measured, or (nudge) no late mutator moved */
	char late_wait[32], gc_wait[32], nudge[32];
	bt_ms_or_dash(late_wait, sizeof late_wait, wp.late_wait_known,
	              wp.late_wait_ns);
	bt_ms_or_dash(gc_wait, sizeof gc_wait, wp.gc_wait_known, wp.gc_wait_ns);
	bt_ms_or_dash(nudge, sizeof nudge, wp.nudge_ns != 0, wp.nudge_ns);
	/* The scheduler's lock, if the collector waited 50 us for it:
	 * "-" if not (or, for the holder, a thread that is not an attached
	 * mutator). */
	char lock_holder[16], lock_cpu[32], lock_wait[32];
	char sleep_late[32], sleep_switches[16];
	bt_ms_or_dash(sleep_late, sizeof sleep_late, wp.look_slept,
	              wp.sleep_late_ns);
	bt_u_or_dash(sleep_switches, sizeof sleep_switches,
	             wp.look_slept && wp.sleep_switches_known,
	             wp.sleep_switches);
	bt_u_or_dash(lock_holder, sizeof lock_holder,
	             wp.lock_look && wp.lock_holder, wp.lock_holder);
	bt_ms_or_dash(lock_cpu, sizeof lock_cpu, wp.lock_look, wp.lock_cpu_ns);
	bt_ms_or_dash(lock_wait, sizeof lock_wait, wp.lock_wait_known,
	              wp.lock_wait_ns);
	char lock_gc_wait[32];
	bt_ms_or_dash(lock_gc_wait, sizeof lock_gc_wait, wp.lock_gc_wait_known,
	              wp.lock_gc_wait_ns);
	printf("  worst_pause_ms=%.3f lock_ms=%.3f lock_holder=%s "
	       "lock_cpu_ms=%s lock_wait_ms=%s lock_gc_wait_ms=%s "
	       "reach_ms=%.3f last_stop_ms=%.3f "
	       "late_look_ms=%.3f sleep_late_ms=%s sleep_switches=%s "
	       "late=%d late_cpu_ms=%.3f late_wait_ms=%s "
	       "nudge_ms=%s gc_cpu_ms=%.3f gc_wait_ms=%s runner=%u "
	       "(TC_EV_PAUSE: where the window's longest pause went)\n",
	       msf(wp.ns), msf(wp.lock_ns), lock_holder, lock_cpu, lock_wait,
	       lock_gc_wait,
	       msf(wp.reach_ns), msf(wp.last_stop_ns),
	       msf(wp.late_look_ns), sleep_late, sleep_switches, wp.late,
	       msf(wp.late_cpu_ns), late_wait,
	       nudge, msf(wp.gc_cpu_ns), gc_wait, wp.runner);
	printf("  run_pause_p50_ms=%.3f run_pause_p99_ms=%.3f "
	       "run_pause_max_ms=%.3f run_stop_p99_ms=%.3f "
	       "run_stop_max_ms=%.3f (tc_read_stats, whole run)\n",
	       msf(s1.pause_p50_ns), msf(s1.pause_p99_ns),
	       msf(s1.pause_max_ns), msf(s1.stop_p99_ns),
	       msf(s1.stop_max_ns));
	printf("  mark_s=%.3f marked_mib=%.1f marked_objects=%llu "
	       "mark_rate_mib_s=%.1f mark_rate_mobj_s=%.2f\n",
	       mark_s, (double)(s1.marked_bytes - s0.marked_bytes) / 1048576.0,
	       (unsigned long long)(s1.marked_objects - s0.marked_objects),
	       mark_s > 0 ? (double)(s1.marked_bytes - s0.marked_bytes) /
	                        1048576.0 / mark_s
	                  : 0.0,
	       mark_s > 0 ? (double)(s1.marked_objects - s0.marked_objects) /
	                        1e6 / mark_s
	                  : 0.0);
	printf("  gc_cpu_share=%.3f assist_ms=%.1f heap_peak_mib=%.1f "
	       "load_trees_per_s=%.0f\n",
	       (double)(s1.gc_cpu_ns - s0.gc_cpu_ns) / 1e9 / wall_s,
	       msf(s1.assist_ns - s0.assist_ns),
	       (double)s1.heap_peak / 1048576.0, (double)trees / wall_s);
	fflush(stdout);

	tc_pop(m);
	tc_detach(m);
	tc_runtime_free(rt);
	rt = NULL;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: pausebench [-s MIB,MIB,...] [-t SECONDS] [-c CYCLES] "
	        "[-m MUTATORS]\n"
	        "  -s live-heap sizes in MiB (default 16,256,1024)\n"
	        "  -t load seconds per size (default 5)\n"
	        "  -c at least this many cycles during the load (default 5)\n"
	        "  -m load threads (default 1)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long sizes[16], nsizes = 0, seconds = 5, cycles = 5, mutators = 1;
	const char *spec = "16,256,1024";

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		if (strcmp(argv[i], "-s") == 0)
			spec = v;
		else if (strcmp(argv[i], "-t") == 0) {
			if (bt_parse_int(v, 0, 3600, &seconds))
				usage();
		} else if (strcmp(argv[i], "-c") == 0) {
			if (bt_parse_int(v, 0, 100000, &cycles))
				usage();
		} else if (strcmp(argv[i], "-m") == 0) {
			if (bt_parse_int(v, 1, BT_MAX_WORKERS, &mutators))
				usage();
		} else
			usage();
		i++;
	}
	{
		char buf[256], *save = NULL, *tok;

		if (strlen(spec) >= sizeof(buf))
			usage();
		strcpy(buf, spec);
		for (tok = strtok_r(buf, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			if (nsizes == 16 ||
			    bt_parse_int(tok, 1, 8192, &sizes[nsizes]))
				usage();
			nsizes++;
		}
		if (nsizes == 0)
			usage();
	}
	uint64_t max_ns[16];
	unsigned over = 0, n1;
	long lo = 0, hi = 0;

	for (long i = 0; i < nsizes; i++) {
		run_size(sizes[i], (int)mutators, seconds, cycles, &max_ns[i],
		         &n1);
		over += n1;
		if (sizes[i] < sizes[lo])
			lo = i;
		if (sizes[i] > sizes[hi])
			hi = i;
	}
	/* The two pause targets, over the windows: no pause of 1 ms
	 * or more, and the largest heap's longest pause within 2x of the
	 * smallest's (a pause must not grow with the heap). */
	printf("summary: pauses over 1 ms: %u  %s\n", over,
	       over == 0 ? "met" : "MISSED");
	if (sizes[hi] > sizes[lo] && max_ns[lo] == 0) {
		printf("summary: no pause at %ld MiB to compare the largest "
		       "heap's with\n",
		       sizes[lo]);
	} else if (sizes[hi] > sizes[lo]) {
		double r = (double)max_ns[hi] / (double)max_ns[lo];
		printf("summary: max pause at %ld MiB %.3f ms, at %ld MiB "
		       "%.3f ms: %.2fx (target: within 2x)  %s\n",
		       sizes[lo], msf(max_ns[lo]), sizes[hi], msf(max_ns[hi]),
		       r, r <= 2.0 ? "met" : "MISSED");
	}
	return 0;
}
