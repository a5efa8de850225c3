/*
 * headless.c - `tricolor --headless`: run the engine without a terminal,
 * print one gctrace line per cycle on stderr (Go's GODEBUG=gctrace=1
 * layout) and a summary at the end, as text or JSON.
 *
 * SIGINT and SIGTERM end the run early; the summary is still printed.
 * The engine's threads block those signals, so they land on this thread,
 * whose handler only sets a flag that the polling loop reads.
 */
#include "config.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

static atomic_int stop_signal; /* written by the handler, read by the loop */

static void on_signal(int sig)
{
	atomic_store_explicit(&stop_signal, sig, memory_order_relaxed);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The verifier's reports of lost objects, as the engine logged them: the
 * first few of a run go to the trace stream, the rest are counted in the
 * summary. */
#define MAX_VIOLATION_LINES 10

static void print_violations(tv_engine *e, uint64_t *evseq, FILE *f)
{
	static unsigned printed;
	tv_event ev[64];
	size_t n;

	while ((n = tv_events_since(e, evseq, ev, 64)) > 0)
		for (size_t i = 0; i < n; i++)
			if ((int)ev[i].kind == TC_EV_VIOLATION &&
			    printed++ < MAX_VIOLATION_LINES)
				fprintf(f, "tricolor: %s\n", ev[i].text);
}

static void print_cycles(tv_engine *e, uint64_t *seq, int shift, FILE *f)
{
	static uint64_t evseq;
	tc_cycle_info cy[64];
	size_t n;
	char line[256];

	print_violations(e, &evseq, f);
	while ((n = tv_cycles_since(e, seq, cy, 64)) > 0) {
		for (size_t i = 0; i < n; i++) {
			tv_format_gctrace(&cy[i], tv_procs(e), shift, line,
			                  sizeof(line));
			fprintf(f, "%s\n", line);
		}
	}
	fflush(f);
}

static double mb(double bytes)
{
	return bytes / (1024.0 * 1024.0);
}

static double msec(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void rate_str(double r, char *buf, size_t len)
{
	if (r <= 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%.0f", r);
}

/* A figure in ms for the JSON summary, or null if it was not measured. */
static void json_ms_or_null(char *buf, size_t len, bool measured,
                            uint64_t ns)
{
	if (measured)
		snprintf(buf, len, "%.4f", msec(ns));
	else
		snprintf(buf, len, "null");
}

/* A count for the JSON summary, or null if it was not measured. */
static void json_u_or_null(char *buf, size_t len, bool measured,
                           unsigned n)
{
	if (measured)
		snprintf(buf, len, "%u", n);
	else
		snprintf(buf, len, "null");
}

/* The summary's line on where the longest pause went (tc_pause_info in
 * tricolor.h). */
void cli_print_longest_pause(const tc_pause_info *pm, FILE *out)
{
	fprintf(out, "  longest pause  %.3f ms: ", msec(pm->ns));
	if (pm->lock_look) {
		fprintf(out,
		        "requested at %.3f ms, after a wait for the "
		        "scheduler's lock, ",
		        msec(pm->lock_ns));
		if (pm->lock_holder)
			fprintf(out, "held by mutator %u", pm->lock_holder);
		else
			fprintf(out, "held by a thread that is not an "
			             "attached mutator");
		fprintf(out, " (then %.3f ms of CPU", msec(pm->lock_cpu_ns));
		if (pm->lock_wait_known)
			fprintf(out, " and %.3f ms queued for one",
			        msec(pm->lock_wait_ns));
		fprintf(out, ")");
		if (pm->lock_gc_wait_known)
			fprintf(out, ", the collector queued %.3f ms",
			        msec(pm->lock_gc_wait_ns));
		fprintf(out, "; ");
	}
	fprintf(out, "every mutator stopped at %.3f ms (the last at %.3f); ",
	        msec(pm->reach_ns), msec(pm->last_stop_ns));
	if (pm->late > 0) {
		fprintf(out, "%d still running at %.3f ms", pm->late,
		        msec(pm->late_look_ns));
		/* A look much later than due: the collector's own sleep. */
		if (pm->look_slept && pm->sleep_late_ns >= TC_STW_LATE_NS) {
			fprintf(out, " (the collector's sleep until then ended "
			             "%.3f ms late",
			        msec(pm->sleep_late_ns));
			if (pm->sleep_switches_known)
				fprintf(out, ", switched out %u times",
				        pm->sleep_switches);
			fprintf(out, ")");
		}
		fprintf(out, ", then at most %.3f ms of CPU",
		        msec(pm->late_cpu_ns));
		if (pm->late_wait_known)
			fprintf(out, " and %.3f ms queued for one",
			        msec(pm->late_wait_ns));
		if (pm->nudge_ns)
			fprintf(out, ", moved off its CPU in %.3f ms",
			        msec(pm->nudge_ns));
		fprintf(out, "; ");
	} else if (pm->late_look_ns) {
		fprintf(out, "none still running at %.3f ms; ",
		        msec(pm->late_look_ns));
	}
	/* No look (late_look_ns 0): the work was taken before the
	 * collector looked, so it saw nothing to report, even when the last
	 * mutator stopped after TC_STW_LATE_NS. */
	fprintf(out, "collector CPU %.3f ms", msec(pm->gc_cpu_ns));
	if (pm->gc_wait_known)
		fprintf(out, ", queued %.3f ms", msec(pm->gc_wait_ns));
	if (pm->runner)
		fprintf(out, " (its work run by mutator %u, the last to stop)",
		        pm->runner);
	fputc('\n', out);
}

static void summary(const cli_options *o, const tv_status *st, double secs,
                    int sig, const char *result, FILE *out)
{
	const tc_stats *g = &st->gc;
	const tc_pause_info *pm = &g->pause_max_info;
	double mark_rate = g->mark_ns ? mb((double)g->marked_bytes) /
	                                    ((double)g->mark_ns / 1e9)
	                              : 0;
	char rate[32], gogc[16], late_wait[32], gc_wait[32], nudge[32];
	char lock_holder[16], lock_cpu[32], lock_wait[32];
	char sleep_late[32], sleep_switches[16], lock_gc_wait[32];
	/* What ran, not only what was asked for: the engine's setting
	 * (--verify, or TRICOLOR_VERIFY, which the runtime reads), and a
	 * barrier weaker than hybrid, which turns it on for its cycles. */
	bool verify = st->verify || o->eng.barrier != TC_BARRIER_HYBRID ||
	              g->verify_runs > 0;

	rate_str(o->eng.rate, rate, sizeof(rate));
	/* The runtime's: --gogc, else $GOGC, else 100. */
	if (g->gogc == TC_GOGC_OFF)
		snprintf(gogc, sizeof(gogc), "off");
	else
		snprintf(gogc, sizeof(gogc), "%d", g->gogc);
	/* null: not measured (no late mutator, no schedstat, or no late
	 * mutator moved: none, or threads not bound). */
	json_ms_or_null(late_wait, sizeof(late_wait), pm->late_wait_known,
	                pm->late_wait_ns);
	json_ms_or_null(gc_wait, sizeof(gc_wait), pm->gc_wait_known,
	                pm->gc_wait_ns);
	json_ms_or_null(nudge, sizeof(nudge), pm->nudge_ns != 0, pm->nudge_ns);
	/* null: the collector did not wait TC_STW_LATE_NS for the
	 * scheduler's lock, or the holder was no mutator. */
	json_u_or_null(lock_holder, sizeof(lock_holder),
	               pm->lock_look && pm->lock_holder, pm->lock_holder);
	json_ms_or_null(lock_cpu, sizeof(lock_cpu), pm->lock_look,
	                pm->lock_cpu_ns);
	json_ms_or_null(lock_wait, sizeof(lock_wait), pm->lock_wait_known,
	                pm->lock_wait_ns);
	json_ms_or_null(lock_gc_wait, sizeof(lock_gc_wait),
	                pm->lock_gc_wait_known, pm->lock_gc_wait_ns);
	/* null: the collector did not sleep until its look. */
	json_ms_or_null(sleep_late, sizeof(sleep_late), pm->look_slept,
	                pm->sleep_late_ns);
	json_u_or_null(sleep_switches, sizeof(sleep_switches),
	               pm->look_slept && pm->sleep_switches_known,
	               pm->sleep_switches);
	if (o->json) {
		fprintf(out,
		        "{\"scenario\": \"%s\", \"mutators\": %d, "
		        "\"rate\": \"%s\", \"gogc\": \"%s\", "
		        "\"heap_bytes\": %zu, \"barrier\": \"%s\", "
		        "\"seconds\": %.3f, \"stopped_by_signal\": %s,\n"
		        " \"ops\": %llu, \"ops_per_sec\": %.0f,\n"
		        " \"alloc_bytes\": %llu, \"alloc_objects\": %llu, "
		        "\"alloc_mb_per_sec\": %.2f, "
		        "\"alloc_objects_per_sec\": %.0f,\n"
		        " \"cycles\": %llu, \"pauses\": %llu, "
		        "\"pause_p50_ms\": %.4f, \"pause_p99_ms\": %.4f, "
		        "\"pause_max_ms\": %.4f, \"pause_total_ms\": %.3f,\n"
		        " \"stop_p99_ms\": %.4f, \"stop_max_ms\": %.4f,\n"
		        " \"pause_max_lock_ms\": %.4f, "
		        "\"pause_max_lock_holder\": %s, "
		        "\"pause_max_lock_cpu_ms\": %s, "
		        "\"pause_max_lock_wait_ms\": %s, "
		        "\"pause_max_lock_gc_wait_ms\": %s,\n"
		        " \"pause_max_reach_ms\": %.4f, "
		        "\"pause_max_last_stop_ms\": %.4f, "
		        "\"pause_max_late_look_ms\": %.4f, "
		        "\"pause_max_late\": %d, "
		        "\"pause_max_sleep_late_ms\": %s, "
		        "\"pause_max_sleep_switches\": %s, "
		        "\"pause_max_late_cpu_ms\": %.4f, "
		        "\"pause_max_late_wait_ms\": %s, "
		        "\"pause_max_nudge_ms\": %s, "
		        "\"pause_max_gc_cpu_ms\": %.4f, "
		        "\"pause_max_gc_wait_ms\": %s, "
		        "\"pause_max_runner\": %u,\n"
		        " \"mark_rate_mb_per_sec\": %.1f, "
		        "\"heap_peak_bytes\": %llu, \"gc_cpu_pct\": %d, "
		        "\"barrier_shades\": %llu,\n"
		        " \"verify\": %s, \"verify_runs\": %llu, "
		        "\"verify_violations\": %llu, "
		        "\"workload_failures\": %llu, "
		        "\"alloc_failures\": %llu, \"result\": \"%s\"}\n",
		        st->scenario, st->mutators, rate, gogc,
		        o->eng.heap_bytes, tc_barrier_name(g->barrier), secs,
		        sig ? "true" : "false", (unsigned long long)st->ops,
		        secs > 0 ? (double)st->ops / secs : 0,
		        (unsigned long long)g->alloc_bytes,
		        (unsigned long long)g->alloc_objects,
		        secs > 0 ? mb((double)g->alloc_bytes) / secs : 0,
		        secs > 0 ? (double)g->alloc_objects / secs : 0,
		        (unsigned long long)g->cycles,
		        (unsigned long long)g->pauses, msec(g->pause_p50_ns),
		        msec(g->pause_p99_ns), msec(g->pause_max_ns),
		        msec(g->pause_total_ns), msec(g->stop_p99_ns),
		        msec(g->stop_max_ns), msec(pm->lock_ns), lock_holder,
		        lock_cpu, lock_wait, lock_gc_wait, msec(pm->reach_ns),
		        msec(pm->last_stop_ns), msec(pm->late_look_ns), pm->late,
		        sleep_late, sleep_switches,
		        msec(pm->late_cpu_ns), late_wait, nudge,
		        msec(pm->gc_cpu_ns), gc_wait, pm->runner, mark_rate,
		        (unsigned long long)g->heap_peak, st->gc_cpu_pct,
		        (unsigned long long)g->barrier_shades,
		        verify ? "true" : "false",
		        (unsigned long long)g->verify_runs,
		        (unsigned long long)g->verify_violations,
		        (unsigned long long)st->failures,
		        (unsigned long long)st->alloc_failures, result);
		return;
	}
	fprintf(out,
	        "tricolor headless: scenario %s, %d mutator%s, rate %s, "
	        "GOGC %s, heap %.0f MB, barrier %s, %.1f s%s\n",
	        st->scenario, st->mutators, st->mutators == 1 ? "" : "s",
	        rate, gogc,
	        mb((double)o->eng.heap_bytes), tc_barrier_name(g->barrier),
	        secs, sig ? " (stopped by signal)" : "");
	fprintf(out, "  operations     %llu (%.0f/s)\n",
	        (unsigned long long)st->ops,
	        secs > 0 ? (double)st->ops / secs : 0);
	fprintf(out,
	        "  allocated      %.1f MB, %llu objects (%.1f MB/s, "
	        "%.0f objects/s)\n",
	        mb((double)g->alloc_bytes),
	        (unsigned long long)g->alloc_objects,
	        secs > 0 ? mb((double)g->alloc_bytes) / secs : 0,
	        secs > 0 ? (double)g->alloc_objects / secs : 0);
	fprintf(out, "  cycles         %llu\n", (unsigned long long)g->cycles);
	fprintf(out,
	        "  pauses         %llu: p50 %.3f ms, p99 %.3f ms, max %.3f "
	        "ms\n",
	        (unsigned long long)g->pauses, msec(g->pause_p50_ns),
	        msec(g->pause_p99_ns), msec(g->pause_max_ns));
	fprintf(out,
	        "  time to stop   p99 %.3f ms, max %.3f ms (request until "
	        "every mutator stopped, in each pause)\n",
	        msec(g->stop_p99_ns), msec(g->stop_max_ns));
	cli_print_longest_pause(pm, out);
	fprintf(out, "  mark rate      %.1f MB/s\n", mark_rate);
	fprintf(out, "  heap peak      %.2f MB\n", mb((double)g->heap_peak));
	fprintf(out, "  gc cpu         %d%%\n", st->gc_cpu_pct);
	fprintf(out, "  verifier       %s: %llu runs, %llu violations\n",
	        verify ? "on" : "off", (unsigned long long)g->verify_runs,
	        (unsigned long long)g->verify_violations);
	fprintf(out, "  workload checks %llu failures\n",
	        (unsigned long long)st->failures);
	fprintf(out, "  result         %s\n", result);
}

int cli_headless(const cli_options *o, FILE *trace, FILE *out)
{
	struct sigaction sa, old_int, old_term;
	char err[256];
	tv_engine *e;
	tv_status st;
	uint64_t seq = 0, t0, deadline;
	const char *result = "ok";
	int status = 0, sig;

	e = tv_engine_new(&o->eng, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "tricolor: %s\n", err);
		return 1;
	}
	atomic_store(&stop_signal, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	t0 = now_ns();
	deadline = o->seconds > 0 ? t0 + (uint64_t)(o->seconds * 1e9) : 0;
	for (;;) {
		struct timespec tick = {0, 20 * 1000 * 1000};

		print_cycles(e, &seq, o->trace_shift, trace);
		if (atomic_load(&stop_signal))
			break;
		if (deadline && now_ns() >= deadline)
			break;
		tv_get_status(e, &st);
		if (st.alloc_failures) {
			fprintf(
			    stderr,
			    "tricolor: heap full: %s (live after the last "
			    "mark: %.2f MB of a %.2f MB arena; try a larger "
			    "--heap)\n",
			    st.alloc_error, mb((double)st.gc.heap_marked),
			    mb((double)st.gc.heap_arena));
			result = "heap full";
			status = 1;
			break;
		}
		nanosleep(&tick, NULL); /* a signal cuts it short */
	}
	/* Hold everything still, take the final numbers, then stop. */
	tv_pause(e, true);
	double secs = (double)(now_ns() - t0) / 1e9;

	print_cycles(e, &seq, o->trace_shift, trace);
	tv_get_status(e, &st);
	sig = atomic_load(&stop_signal);
	if (st.gc.verify_violations) {
		result = "verifier found lost objects";
		status = 1;
	} else if (st.failures) {
		result = "workload check failed";
		status = 1;
		fprintf(stderr, "tricolor: %s\n", st.failure);
	}
	summary(o, &st, secs, sig, result, out);
	fflush(out);
	tv_engine_free(e);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return status;
}
