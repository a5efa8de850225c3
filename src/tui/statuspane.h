/*
 * statuspane.h - the status pane at the top of the screen.
 *
 * Six lines: the phase timeline (off, sweep termination, mark, mark
 * termination, sweep) with the current phase lit, the cycle number and
 * PAUSED/RUNNING; heap live / goal / arena / in use / peak; grey queue,
 * mark progress, allocation and operation rates; last / p99 / max pause;
 * mutators, rate, GOGC, barrier mode, scenario; sparklines of heap size
 * and pauses over time; and the message of the last action.
 *
 * The first four lines are laid out by priority: on a narrow terminal the
 * less important fields take a short form or go, whole, so that the state
 * (RUNNING/PAUSED), the cycle, the phase and any warning (LOST, FAILED
 * CHECKS, HEAP FULL) always show.  No line runs past the pane's edge.
 */
#ifndef TRICOLOR_TUI_STATUSPANE_H
#define TRICOLOR_TUI_STATUSPANE_H

#include <stdint.h>

#include <curses.h>

#include "tui/theme.h"
#include "view/view.h"

#define STATUS_LINES 6
#define HIST_LEN     240

/* Samples for the sparklines, oldest first in a ring: one per sample
 * interval (the caller's, a quarter second in the TUI). */
typedef struct status_hist {
	int n;                  /* samples held, <= HIST_LEN */
	int next;               /* where the next sample goes */
	double heap[HIST_LEN];  /* heap in use, bytes */
	double pause[HIST_LEN]; /* longest pause that ended in the interval */
	double pause_max;       /* longest so far in the current interval */
} status_hist;

/* Note a pause (ns) that ended in the current interval. */
void status_hist_pause(status_hist *hs, double pause_ns);
/* End the interval: a sample of the heap in use, and the longest pause
 * noted since the last sample (0 for none). */
void status_hist_push(status_hist *hs, double heap);

/* Draw the pane into w (no box).  mark_progress is 0..1 during mark, or
 * negative when not marking; msg is the last action ("" for none). */
void statuspane_draw(WINDOW *w, const tv_status *st, const status_hist *hs,
                     double mark_progress, const char *msg, const theme *th);

/* "123ns", "45us" / "45µs", "1.2ms", "3.4s" */
void fmt_ns(char *buf, size_t len, uint64_t ns, bool utf8);

/* Draw a sparkline of the last `width` values of ring v (n held, next
 * slot next) at the cursor, scaled to their maximum. */
void sparkline_draw(WINDOW *w, const double *v, int n, int next, int width,
                    const theme *th);

#endif /* TRICOLOR_TUI_STATUSPANE_H */
