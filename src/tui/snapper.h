/*
 * snapper.h - heap snapshots taken on a helper thread.
 *
 * A heap snapshot costs time in proportion to the whole heap (a million
 * objects take milliseconds), and on a machine whose cores are busy with
 * mutators a main thread that does that work gets preempted mid-frame and
 * drops frames.  So one helper thread takes the snapshots (the engine's
 * read side is thread-safe) into a triple buffer, and the main thread
 * picks up the newest at the start of a frame by swapping pointers: the
 * frame itself never waits for a heap walk.  The helper never calls curses
 * and blocks the signals the main thread handles.
 *
 * Pacing: after a snapshot that took c seconds of CPU, the helper waits
 * max(period, c * share) before the next, so it uses at most 1/share of a
 * core; snapper_request() asks for one at once (after a key press, so that
 * a single step shows in the next frames).
 */
#ifndef TRICOLOR_TUI_SNAPPER_H
#define TRICOLOR_TUI_SNAPPER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "view/view.h"

typedef struct snapper {
	tv_engine *e;
	pthread_t thread;
	bool started;
	/* lock orders everything below, between the helper and main. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;      /* main -> helper: exit */
	bool request;   /* main -> helper: snapshot now */
	bool fresh;     /* helper -> main: ready holds a new snapshot */
	tv_heap *ready; /* the newest published snapshot */
	tv_heap *back;  /* helper only, outside the lock: being filled */
	unsigned long long period_ns;
	int share;
	double cpu_s; /* helper's CPU time, written at exit */
	tv_heap bufs[3];
} snapper;

/* Start the helper for engine e; the first snapshot is taken before this
 * returns, into *front (owned by the caller from then on). Returns 0, or
 * -1 if the thread cannot be created (then the caller snapshots itself). */
int snapper_start(snapper *s, tv_engine *e, tv_heap **front,
                  unsigned long long period_ns, int share);

/* If a newer snapshot is ready, swap it with *front and return true. */
bool snapper_take(snapper *s, tv_heap **front);

/* Ask for a snapshot as soon as possible. */
void snapper_request(snapper *s);

/* Stop and join the helper; free the buffers except *front's, which the
 * caller releases.  Returns the helper's CPU time in seconds. */
double snapper_stop(snapper *s, tv_heap *front);

#endif /* TRICOLOR_TUI_SNAPPER_H */
