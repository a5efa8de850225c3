/*
 * clockgap.c - how long this machine takes a busy thread off its CPU.
 *
 * A stop-the-world pause is only as short as the slowest of the threads
 * it waits for: if the collector or the last mutator loses its CPU to
 * another task, or its vCPU to the hypervisor, the pause lasts that long,
 * whatever the collector does.  This probe measures that floor with no
 * collector at all: THREADS threads (default: one per online CPU, so every
 * CPU is busy, as in the benchmarks) do nothing but read CLOCK_MONOTONIC
 * for SECONDS seconds, and each counts the gaps between consecutive reads
 * over 50 us, 300 us and 1 ms, and the longest.  A gap is time the thread
 * was not running.  `make bench` runs it before and after the other
 * programs, so every run's pauses can be read against the machine's own
 * stalls in the same hour (docs/benchmarks.md, "What limits each figure").
 *
 * Each thread also reads its own CPU clock (CLOCK_THREAD_CPUTIME_ID) at
 * every step, which tells the two kinds of gap apart.  If the guest took
 * the thread off its CPU, the gap costs it no CPU time.  If the
 * hypervisor stopped the virtual CPU under the running thread, the guest
 * charges the whole gap to the thread as CPU time, though all it does is
 * read clocks (so would a long interrupt the kernel handled in its time,
 * but not for milliseconds).  A stop-the-world's record (tc_pause_info)
 * shows the same two kinds of late mutator: one charged little CPU time
 * while the collector waited, and one charged nearly all of the wait.
 *
 * A third kind is the host taking a virtual CPU away and saying so: the
 * guest's kernel counts that time as steal (/proc/stat), in ticks of 10
 * ms, and keeps it out of its threads' CPU clocks.  The probe prints what
 * the counter moved by over its window, summed over the CPUs.
 *
 * With -m MIB it then measures a second stall a pause can meet: memory
 * left idle.  It writes MIB of fresh memory, leaves it alone for -i
 * seconds, then times a read of one byte per 4 KiB page and counts the
 * reads over 0.1 ms, and the page faults taken meanwhile (getrusage): a
 * slow read without a fault happened below the process.
 *
 * With -w COUNT it times a third thing a pause meets: a short sleep.  A
 * stop sleeps until 50 us into it before it looks at the mutators still
 * running (src/runtime/runtime.c), so how late such a sleep ends is how
 * late that look comes.  The probe sleeps COUNT times on a condition
 * variable with a deadline 50 us ahead, as the stop does, working 20 us
 * between sleeps, first with the thread's own timer slack (Linux lets a
 * normal thread's timer fire up to 50 us late by default, so that nearby
 * timers can share an interrupt), then with a slack of 1 ns, and prints
 * how late they ended: median, 99th percentile, longest.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bt_common.h"

#define MAX_THREADS 64

/* One thread's counts: written only by that thread, read by main after
 * pthread_join, which orders the two (no atomics needed). */
struct probe {
	pthread_t tid;
	double seconds;
	unsigned long over50us, over300us, over1ms;
	uint64_t longest_ns;
	/* Gaps over 1 ms that cost the thread at least 90 % of their length
	 * in CPU time: the virtual CPU stalled under it. */
	unsigned long charged1ms;
	uint64_t longest_charged_ns;
};

static void *probe_run(void *arg)
{
	struct probe *p = arg;
	uint64_t last = bt_now_ns();
	uint64_t last_cpu = bt_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t end = last + (uint64_t)(p->seconds * 1e9);

	for (;;) {
		uint64_t now = bt_now_ns();
		uint64_t cpu = bt_clock_ns(CLOCK_THREAD_CPUTIME_ID);
		uint64_t gap = now - last, cpu_gap = cpu - last_cpu;

		last = now;
		last_cpu = cpu;
		if (gap > 50000) {
			p->over50us++;
			p->over300us += gap > 300000;
			p->over1ms += gap > 1000000;
			if (gap > p->longest_ns)
				p->longest_ns = gap;
			if (gap > 1000000 && cpu_gap >= gap / 10 * 9) {
				p->charged1ms++;
				if (gap > p->longest_charged_ns)
					p->longest_charged_ns = gap;
			}
		}
		if (now >= end)
			return NULL;
	}
}

/* The steal counter: the eighth figure of /proc/stat's "cpu" line, all
 * CPUs, in USER_HZ ticks.  -1 where there is none to read. */
static long long steal_ticks(void)
{
	long long v[8];
	int n = 0;
	FILE *f = fopen("/proc/stat", "r");

	if (f) {
		n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]);
		fclose(f);
	}
	return n == 8 ? v[7] : -1;
}

/* Write `mib` MiB, leave it idle for `idle` seconds, then time a read of
 * one byte per page.  Returns 0, or 1 if the memory cannot be had. */
static int idle_memory(long mib, long idle)
{
	size_t bytes = (size_t)mib << 20, page = 4096;
	volatile unsigned char *buf = malloc(bytes);
	struct rusage r0, r1;
	unsigned long slow = 0;
	uint64_t longest = 0;

	if (!buf) {
		fprintf(stderr, "clockgap: cannot allocate %ld MiB\n", mib);
		return 1;
	}
	memset((void *)buf, 1, bytes);
	sleep((unsigned)idle);
	getrusage(RUSAGE_SELF, &r0);
	for (size_t i = 0; i < bytes; i += page) {
		uint64_t t = bt_now_ns();
		(void)buf[i]; /* volatile: the load happens */
		t = bt_now_ns() - t;
		slow += t > 100000;
		if (t > longest)
			longest = t;
	}
	getrusage(RUSAGE_SELF, &r1);
	printf("clockgap: %ld MiB idle for %ld s, then one read per page: %lu "
	       "of %zu reads over 0.1 ms, longest %.3f ms; page faults "
	       "meanwhile %ld minor, %ld major\n",
	       mib, idle, slow, bytes / page, (double)longest / 1e6,
	       r1.ru_minflt - r0.ru_minflt, r1.ru_majflt - r0.ru_majflt);
	free((void *)buf);
	return 0;
}

/* COUNT sleeps 50 us ahead on a condition variable, with the calling
 * thread's timer slack as it is: how late each ended, in `late`. */
static void timed_waits(long count, uint64_t *late)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_condattr_t ca;
	pthread_cond_t cv;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&mu);
	for (long i = 0; i < count; i++) {
		uint64_t due = bt_now_ns() + 50000;
		struct timespec ts = {.tv_sec = (time_t)(due / 1000000000u),
				      .tv_nsec = (long)(due % 1000000000u)};
		/* Nothing signals cv: only the deadline ends the wait. */
		while (pthread_cond_timedwait(&cv, &mu, &ts) == 0)
			;
		uint64_t woke = bt_now_ns();
		late[i] = woke > due ? woke - due : 0;
		while (bt_now_ns() < woke + 20000)
			; /* the stop's own work between looks */
	}
	pthread_mutex_unlock(&mu);
	pthread_cond_destroy(&cv);
	qsort(late, (size_t)count, sizeof *late, bt_cmp_u64);
}

/* -w: the waits with the thread's own slack, then with 1 ns.  Returns 0,
 * or 1 if the memory for the figures cannot be had. */
static int sleep_lateness(long count)
{
	uint64_t *late = malloc((size_t)count * sizeof *late);
	if (!late) {
		fprintf(stderr, "clockgap: cannot allocate %ld figures\n",
			count);
		return 1;
	}
	int own = prctl(PR_GET_TIMERSLACK, 0UL, 0UL, 0UL, 0UL);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 &&
		    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) != 0) {
			printf("clockgap: cannot set a timer slack of 1 ns\n");
			break;
		}
		timed_waits(count, late);
		char slack[48];
		if (pass == 1)
			snprintf(slack, sizeof slack, "a timer slack of 1 ns");
		else if (own >= 0)
			snprintf(slack, sizeof slack,
				 "the thread's timer slack, %d ns", own);
		else
			snprintf(slack, sizeof slack, "the thread's timer slack");
		printf("clockgap: %ld sleeps 50 us ahead with %s: late by "
		       "median %.1f us, 99th percentile %.1f us, longest "
		       "%.3f ms\n",
		       count, slack,
		       (double)bt_pct(late, (size_t)count, 50) / 1e3,
		       (double)bt_pct(late, (size_t)count, 99) / 1e3,
		       (double)late[count - 1] / 1e6);
	}
	free(late);
	return 0;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-n THREADS] [-m MIB [-i SECONDS]] "
		"[-w COUNT]\n"
		"  -t SECONDS  how long each thread reads the clock, 1..600 "
		"(default 5)\n"
		"  -n THREADS  1..%d (default: one per online CPU)\n"
		"  -m MIB      then time reads of MIB of memory left idle, "
		"1..65536\n"
		"  -i SECONDS  how long it is left idle, 0..600 (default 2)\n"
		"  -w COUNT    then time COUNT sleeps 50 us ahead, with the "
		"thread's timer\n"
		"              slack and with 1 ns, 1..1000000\n",
		prog, MAX_THREADS);
	exit(2);
}

int main(int argc, char **argv)
{
	long seconds = 5, nthreads = sysconf(_SC_NPROCESSORS_ONLN);
	long mib = 0, idle = 2, waits = 0;
	struct probe p[MAX_THREADS];

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "-t") == 0 && v &&
		    bt_parse_int(v, 1, 600, &seconds) == 0)
			i++;
		else if (strcmp(argv[i], "-n") == 0 && v &&
			 bt_parse_int(v, 1, MAX_THREADS, &nthreads) == 0)
			i++;
		else if (strcmp(argv[i], "-m") == 0 && v &&
			 bt_parse_int(v, 1, 65536, &mib) == 0)
			i++;
		else if (strcmp(argv[i], "-i") == 0 && v &&
			 bt_parse_int(v, 0, 600, &idle) == 0)
			i++;
		else if (strcmp(argv[i], "-w") == 0 && v &&
			 bt_parse_int(v, 1, 1000000, &waits) == 0)
			i++;
		else
			usage(argv[0]);
	}
	/* The probe writes all of -m: more than half the machine's memory
	 * would end in the OOM killer, not in a figure. */
	long pages = sysconf(_SC_PHYS_PAGES), pagesize = sysconf(_SC_PAGESIZE);
	long phys_mib = pages > 0 && pagesize > 0
				? (long)(((unsigned long long)pages *
					  (unsigned long long)pagesize) >> 20)
				: 0;
	if (mib > 0 && phys_mib > 0 && mib > phys_mib / 2) {
		fprintf(stderr,
			"clockgap: -m %ld MiB is more than half of this "
			"machine's %ld MiB of memory\n",
			mib, phys_mib);
		return 2;
	}
	memset(p, 0, sizeof p);
	long long steal0 = steal_ticks();
	for (long i = 0; i < nthreads; i++) {
		p[i].seconds = (double)seconds;
		int err = pthread_create(&p[i].tid, NULL, probe_run, &p[i]);
		if (err) {
			fprintf(stderr, "clockgap: pthread_create: %s\n",
				strerror(err));
			return 1;
		}
	}
	unsigned long n50 = 0, n300 = 0, n1 = 0, nc = 0;
	uint64_t longest = 0, longest_c = 0;
	for (long i = 0; i < nthreads; i++) {
		pthread_join(p[i].tid, NULL);
		n50 += p[i].over50us;
		n300 += p[i].over300us;
		n1 += p[i].over1ms;
		nc += p[i].charged1ms;
		if (p[i].longest_ns > longest)
			longest = p[i].longest_ns;
		if (p[i].longest_charged_ns > longest_c)
			longest_c = p[i].longest_charged_ns;
	}
	long long steal1 = steal_ticks();
	printf("clockgap: %ld thread(s) reading the clock for %ld s; gaps "
	       "(the thread did not run) over 50 us: %lu, over 0.3 ms: %lu, over "
	       "1 ms: %lu; longest %.3f ms\n",
	       nthreads, seconds, n50, n300, n1, (double)longest / 1e6);
	printf("clockgap: gaps over 1 ms charged to the thread as CPU time "
	       "(stalled while running: its virtual CPU held by the host, or "
	       "the kernel in its time): %lu; longest %.3f ms\n",
	       nc, (double)longest_c / 1e6);
	long hz = sysconf(_SC_CLK_TCK);
	if (steal0 >= 0 && steal1 >= steal0 && hz > 0)
		printf("clockgap: steal, time the host said it took from this "
		       "guest's CPUs (/proc/stat, in steps of %.0f ms): %.0f "
		       "ms over the window, all CPUs\n",
		       1000.0 / (double)hz,
		       (double)(steal1 - steal0) * 1000.0 / (double)hz);
	else
		printf("clockgap: steal: no counter to read (/proc/stat)\n");
	if (mib && idle_memory(mib, idle) != 0)
		return 1;
	return waits ? sleep_lateness(waits) : 0;
}
