/*
 * stackspane.h - the stacks pane: one column per mutator.
 *
 * A column shows the mutator's name and thread state (running, runnable,
 * parked, at safepoint, in STW, assisting), whether its stack is grey (not
 * yet scanned this cycle) or black (scanned), the result register, and its
 * frames top-down: each frame's function name, then its slots (a pointer
 * slot as its target's id printed on the target's color, "nil", or an
 * integer as "=42").  Drawn from plain tv_stacks / tv_heap data.
 */
#ifndef TRICOLOR_TUI_STACKSPANE_H
#define TRICOLOR_TUI_STACKSPANE_H

#include <stdbool.h>

#include <curses.h>

#include "tui/theme.h"
#include "view/view.h"

#define STACKS_COL_W 18 /* narrowest mutator column */

/* Number of mutator columns that fit in a pane of this width. */
int stackspane_columns(int width);

/* Draw the pane (box included) into w: mutators first, first+1, ..., each
 * from its top frame down, skipping the top `skip` frames (scrolled; a
 * line says how many are above).  The phase tells "in STW" from "at
 * safepoint" for a stopped mutator.  Returns skip clamped to 0..what the
 * deepest stack shown can scroll (its bottom frame stays in view): the
 * caller keeps that, so that a key after End or PgDn moves at once. */
int stackspane_draw(WINDOW *w, const tv_stacks *s, const tv_heap *h,
                    tc_phase phase, int first, int skip, const theme *th,
                    bool focus);

/* Short name of a mutator state in a phase ("running", "in STW", ...). */
const char *stackspane_state_name(tc_mutator_state st, tc_phase phase);

#endif /* TRICOLOR_TUI_STACKSPANE_H */
