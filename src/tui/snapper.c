/*
 * snapper.c - the heap snapshot thread (see snapper.h).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "tui/snapper.h"

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *snapper_main(void *arg)
{
	snapper *s = arg;
	double start = thread_cpu();

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec deadline;
		unsigned long long wait;
		double c0;
		tv_heap *t;

		s->request = false;
		pthread_mutex_unlock(&s->lock);

		c0 = thread_cpu();
		tv_heap_snapshot(s->e, s->back);
		wait = (unsigned long long)((thread_cpu() - c0) * 1e9 *
		                            (double)s->share);
		if (wait < s->period_ns)
			wait = s->period_ns;

		pthread_mutex_lock(&s->lock);
		t = s->ready;
		s->ready = s->back;
		s->back = t;
		s->fresh = true;
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += (time_t)(wait / 1000000000ull);
		deadline.tv_nsec += (long)(wait % 1000000000ull);
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
		while (!s->stop && !s->request) {
			if (pthread_cond_timedwait(&s->wake, &s->lock,
			                           &deadline) == ETIMEDOUT)
				break;
		}
	}
	s->cpu_s = thread_cpu() - start;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int snapper_start(snapper *s, tv_engine *e, tv_heap **front,
                  unsigned long long period_ns, int share)
{
	sigset_t old;
	int rc;

	memset(s, 0, sizeof *s);
	s->e = e;
	s->period_ns = period_ns;
	s->share = share;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	*front = &s->bufs[0];
	s->ready = &s->bufs[1];
	s->back = &s->bufs[2];
	tv_heap_snapshot(e, *front);

	/* The main thread alone handles the front end's signals. */
	tv_block_front_end_signals(&old);
	rc = pthread_create(&s->thread, NULL, snapper_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	s->started = true;
	return 0;
}

bool snapper_take(snapper *s, tv_heap **front)
{
	bool fresh;

	if (!s->started)
		return false;
	pthread_mutex_lock(&s->lock);
	fresh = s->fresh;
	if (fresh) {
		tv_heap *t = *front;

		*front = s->ready;
		s->ready = t;
		s->fresh = false;
	}
	pthread_mutex_unlock(&s->lock);
	return fresh;
}

void snapper_request(snapper *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->request = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

double snapper_stop(snapper *s, tv_heap *front)
{
	int i;

	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
		s->started = false;
	}
	for (i = 0; i < 3; i++)
		if (&s->bufs[i] != front)
			tv_heap_release(&s->bufs[i]);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	return s->cpu_s;
}
