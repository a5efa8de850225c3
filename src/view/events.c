/*
 * events.c - the engine's event log and cycle ring, fed by the runtime's
 * on_event hook (on collector and mutator threads) and by control actions,
 * and the gctrace formatter shared by the log and the headless trace.
 *
 * The rings sit behind one small mutex (ev_lock): a push copies one entry
 * and bumps a counter, a read copies entries out; nothing else happens
 * inside, so the hook never waits for more than a few copies.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "view/engine.h"

uint64_t tv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One event into the ring; pause_ns for a pause, else 0. */
static void push(tv_engine *e, int kind, uint64_t pause_ns, const char *text)
{
	uint64_t ns = tv_now_ns() - e->t0_ns;
	tv_event *ev;

	pthread_mutex_lock(&e->ev_lock);
	ev = &e->ev[e->ev_next % TV_EVENT_RING];
	ev->seq = ++e->ev_next;
	ev->ns = ns;
	ev->kind = (tc_event_kind)kind;
	ev->pause_ns = pause_ns;
	snprintf(ev->text, sizeof(ev->text), "%s", text);
	pthread_mutex_unlock(&e->ev_lock);
}

void tv_log(tv_engine *e, int kind, const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	push(e, kind, 0, text);
}

void tv_control(tv_engine *e, const char *fmt, ...)
{
	char text[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->lock);
	snprintf(e->message, sizeof(e->message), "%s", text);
	e->message_seq++;
	pthread_mutex_unlock(&e->lock);
	push(e, -1, 0, text);
}

int tv_format_gctrace(const tc_cycle_info *c, int procs, int unit_shift,
                      char *buf, size_t len)
{
	return tc_format_gctrace(c, procs, WL_NGLOBALS * 8ull, unit_shift, buf,
	                         len);
}

void tv_on_event(void *ctx, const struct tc_event *ev)
{
	tv_engine *e = ctx;
	char line[160];

	switch (ev->kind) {
	case TC_EV_PHASE:
		tv_log(e, ev->kind, "phase: %s", tc_phase_name(ev->phase));
		break;
	case TC_EV_CYCLE: {
		tc_cycle_info c;

		if (!ev->cycle)
			break;
		c = *ev->cycle;
		pthread_mutex_lock(&e->ev_lock);
		/* Go's "P%": collector CPU since the start over the CPU the
		 * Ps had, if the core left gc_cpu_fraction 0. */
		e->gc_cpu_sum_ns += c.cpu_stw1_ns + c.cpu_assist_ns +
		                    c.cpu_bg_ns + c.cpu_idle_ns + c.cpu_stw2_ns;
		if (c.gc_cpu_fraction == 0) {
			double wall = (double)(c.start_ns + c.stw1_ns +
			                       c.mark_ns + c.stw2_ns);

			if (wall > 0)
				c.gc_cpu_fraction = (double)e->gc_cpu_sum_ns /
				                    (wall * e->procs);
		}
		e->cy[e->cy_next % TV_CYCLE_RING] = c;
		e->cy_next++;
		pthread_mutex_unlock(&e->ev_lock);
		tv_format_gctrace(&c, e->procs, e->trace_shift, line,
		                  sizeof(line));
		push(e, ev->kind, 0, line);
		if (c.violations)
			tv_log(e, ev->kind,
			       "verifier: %llu reachable object(s) left "
			       "white in cycle %llu",
			       (unsigned long long)c.violations,
			       (unsigned long long)c.n);
		break;
	}
	case TC_EV_PAUSE: {
		/* A pause that had to wait for a mutator to reach its
		 * safepoint says so: time-to-safepoint is part of every
		 * pause, and the one part a collector cannot shorten by
		 * doing less work (tc_pause_info). */
		char waited[96] = "";
		if (ev->pause && ev->pause->late > 0)
			snprintf(waited, sizeof waited,
			         ": waited %.3f ms for %d mutator%s to reach a "
			         "safepoint",
			         (double)ev->pause->last_stop_ns / 1e6,
			         ev->pause->late,
			         ev->pause->late == 1 ? "" : "s");
		/* A request that waited for the scheduler's lock (long
		 * enough that the collector looked at who held it). */
		char locked[128] = "";
		if (ev->pause && ev->pause->lock_look) {
			char who[40] = "a thread not an attached mutator";
			if (ev->pause->lock_holder)
				snprintf(who, sizeof who, "mutator %u",
				         ev->pause->lock_holder);
			snprintf(locked, sizeof locked,
			         "; waited %.3f ms for the scheduler's lock, "
			         "held by %s",
			         (double)ev->pause->lock_ns / 1e6, who);
		}
		/* And who did the stop's work, if not the collector: the last
		 * mutator to stop, when it found the world stopped first
		 * (runtime.c). */
		char runner[48] = "";
		if (ev->pause && ev->pause->runner)
			snprintf(runner, sizeof runner,
			         "; work done by mutator %u",
			         ev->pause->runner);
		snprintf(line, sizeof line,
		         "stop-the-world pause %.3f ms (%s)%s%s%s",
		         (double)ev->ns / 1e6, tc_phase_name(ev->phase), locked,
		         waited, runner);
		push(e, ev->kind, ev->ns, line);
		break;
	}
	case TC_EV_ATTACH:
		tv_log(e, ev->kind, "mutator %u started", ev->mutator);
		break;
	case TC_EV_DETACH:
		tv_log(e, ev->kind, "mutator %u retired", ev->mutator);
		break;
	case TC_EV_VIOLATION:
		tv_log(e, ev->kind, "verifier: %s",
		       ev->detail ? ev->detail : "lost object");
		break;
	case TC_EV_HEAP_FULL:
		tv_log(e, ev->kind,
		       "heap full: an allocation failed "
		       "(mutator %u)",
		       ev->mutator);
		break;
	default:
		break;
	}
}

size_t tv_events_since(tv_engine *e, uint64_t *seq, tv_event *out, size_t max)
{
	size_t n = 0;
	tc_stats st;
	uint64_t now = tv_now_ns(), delta = 0;

	/* Barrier shades are far too many to log one by one: one line per
	 * quarter second with how many there were.  Not "grey": an object
	 * with no pointer fields is shaded straight to black (mark.c).  The
	 * count is looked at once a quarter second too, by whichever caller
	 * claims the look: callers drain the log in a loop every frame, and
	 * tc_read_stats walks every mutator's allocation cache. */
	pthread_mutex_lock(&e->lock);
	bool look = now - e->shades_ns > 250000000ull;
	if (look)
		e->shades_ns = now;
	pthread_mutex_unlock(&e->lock);
	if (look) {
		tc_read_stats(e->rt, &st);
		pthread_mutex_lock(&e->lock);
		if (st.barrier_shades > e->shades_seen) {
			delta = st.barrier_shades - e->shades_seen;
			e->shades_seen = st.barrier_shades;
		}
		pthread_mutex_unlock(&e->lock);
	}
	if (delta)
		tv_log(e, -1, "write barrier shaded %llu object%s",
		       (unsigned long long)delta, delta == 1 ? "" : "s");

	pthread_mutex_lock(&e->ev_lock);
	uint64_t first =
	    e->ev_next > TV_EVENT_RING ? e->ev_next - TV_EVENT_RING + 1 : 1;
	uint64_t s = *seq + 1 > first ? *seq + 1 : first;

	for (; s <= e->ev_next && n < max; s++)
		out[n++] = e->ev[(s - 1) % TV_EVENT_RING];
	if (n)
		*seq = out[n - 1].seq;
	pthread_mutex_unlock(&e->ev_lock);
	return n;
}

size_t tv_cycles_since(tv_engine *e, uint64_t *seq, tc_cycle_info *out,
                       size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&e->ev_lock);
	uint64_t first =
	    e->cy_next > TV_CYCLE_RING ? e->cy_next - TV_CYCLE_RING : 0;
	uint64_t s = *seq > first ? *seq : first;

	for (; s < e->cy_next && n < max; s++)
		out[n++] = e->cy[s % TV_CYCLE_RING];
	*seq = s;
	pthread_mutex_unlock(&e->ev_lock);
	return n;
}

int tv_procs(tv_engine *e)
{
	int p;

	pthread_mutex_lock(&e->ev_lock);
	p = e->procs;
	pthread_mutex_unlock(&e->ev_lock);
	return p;
}
