/*
 * workload.h - mutator programs (scenarios) written against the public API.
 *
 * A scenario is a small program a mutator thread runs forever: binary
 * trees, a queue, a rewired graph, an LRU cache, mostly-scalar frames that
 * now and then let a value escape.  Every program is a state machine whose
 * state lives where a Go program's would: in the mutator's tc frames (one
 * frame per call, locals in slots, a "pc" int in slot 0), in globals, and
 * in a handful of C scalars (wl_mutator).  wl_step() performs exactly ONE
 * operation (call = push a frame, return = pop it, allocate into a local,
 * link, unlink, store a global, check) and returns, so the engine can stop
 * a mutator between any two operations.
 *
 * Every workload object carries, in its scalars, a magic number, a serial
 * number and a checksum of its payload; every link also records, in the
 * parent, the serial of the object it points to.  Each read checks all
 * three, so a live object that the collector freed and handed out again is
 * caught independently of the collector: the read is reported, counted in
 * wl_mutator.failures, and the corrupt object is never followed.
 *
 * Threading: a wl_mutator belongs to the thread of its tc_mutator; only
 * `ops` and `failures` are read by other threads (atomics, relaxed).
 */
#ifndef TRICOLOR_WORKLOAD_H
#define TRICOLOR_WORKLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tricolor.h"

/* ---- scenarios (data) ---- */

typedef enum wl_program {
	WL_TREES = 0,
	WL_LIST,
	WL_GRAPH,
	WL_CACHE,
	WL_ESCAPE,
	WL_NPROGRAMS
} wl_program;

#define WL_MAX_PARAMS 8
#define WL_NAME_MAX   32

typedef struct wl_scenario {
	char name[WL_NAME_MAX]; /* display name */
	wl_program program;
	int64_t param[WL_MAX_PARAMS]; /* meaning depends on program */
} wl_scenario;

/* Names of the built-in scenarios, one per program ("trees", ...). */
int wl_builtin_count(void);
const char *wl_builtin_name(int i);
const char *wl_program_name(wl_program p);

/* Fill *sc with the built-in scenario `i` (0 <= i < wl_builtin_count()).
 * Returns 0, or -1 if i is out of range. */
int wl_builtin(int i, wl_scenario *sc);

/* Parse a scenario file's text.  `fname` is used in messages only.  On
 * error returns -1 and writes "FILE:LINE: what is wrong" into err. */
int wl_scenario_parse(const char *text, const char *fname, wl_scenario *sc,
                      char *err, size_t errlen);

/* Resolve a built-in name or read and parse a file.  Returns 0, or -1 with
 * a message in err ("unknown scenario 'x' (built-in: trees, list, ...)"). */
int wl_scenario_load(const char *name_or_path, wl_scenario *sc, char *err,
                     size_t errlen);

/* Write a scenario in the file format (for `--scenario` round trips and
 * the docs).  Returns the length snprintf would have written. */
int wl_scenario_format(const wl_scenario *sc, char *buf, size_t len);

/* ---- globals layout ---- */

/* Globals 0..WL_SHARED_GLOBALS-1 are shared; each mutator slot s (0..63)
 * owns WL_GLOBALS_PER_SLOT globals from wl_slot_global(s, 0). */
#define WL_SHARED_GLOBALS   8
#define WL_GLOBALS_PER_SLOT 8
#define WL_MAX_SLOTS        64
#define WL_NGLOBALS         520 /* shared ones, then 64 slots of 8 */
_Static_assert(WL_NGLOBALS ==
                   WL_SHARED_GLOBALS + WL_MAX_SLOTS * WL_GLOBALS_PER_SLOT,
               "globals layout");

static inline int wl_slot_global(int slot, int i)
{
	return WL_SHARED_GLOBALS + slot * WL_GLOBALS_PER_SLOT + i;
}

/* ---- running ---- */

#define WL_FAIL_MSG 160

typedef struct wl_mutator {
	tc_mutator *m;   /* owner thread's mutator */
	int slot;        /* engine slot, picks the mutator's globals */
	wl_scenario sc;  /* what it runs */
	uint64_t rng;    /* xorshift state */
	uint64_t serial; /* next object serial (slot in the top bits) */
	int64_t ret_int; /* scalar result register of the last return */
	int64_t var[6];  /* program scalars (lengths, counters, cursors) */
	uint8_t fn[TC_MAX_FRAMES]; /* function id of each frame */
	/* Written by the owner, read by anyone: relaxed counters. */
	atomic_uint_fast64_t ops;
	atomic_uint_fast64_t failures;   /* checks that failed */
	atomic_uint_fast64_t alloc_fail; /* tc_alloc returned NULL */
	/* Written by the owner before bumping `failures` (release), read by
	 * others after loading it (acquire). */
	char failmsg[WL_FAIL_MSG];
	char errmsg[WL_FAIL_MSG]; /* last allocation failure */
} wl_mutator;

/* Start running `sc` on mutator m: pushes the program's main frame.
 * Returns 0, or -1 if the stack cannot hold it. */
int wl_start(wl_mutator *w, tc_mutator *m, int slot, const wl_scenario *sc,
             uint64_t seed);

/* Perform exactly one operation.  Returns 0, or -1 if an allocation failed
 * (the program was reset to its start so the heap can drain; errmsg says
 * why). */
int wl_step(wl_mutator *w);

/* Unwind the stack and clear the mutator's globals: everything the program
 * held becomes garbage.  Used to retire or to switch scenarios. */
void wl_stop(wl_mutator *w);

/* ---- workload objects (exposed for tests) ---- */

#define WL_MAGIC 0x7c0105edu

/* Allocate a checked object of `kind` (its pointer count follows from the
 * kind and the scenario's parameters) holding `value` and `payload` bytes
 * of derived data, into slot `slot` of the top frame.  NULL on heap
 * exhaustion (errmsg and alloc_fail updated). */
void *wl_obj_new(wl_mutator *w, int slot, int kind, int64_t value,
                 size_t payload);
/* Check obj's magic and checksum (and kind unless kind < 0).  Returns true
 * if sound; otherwise reports a failure (with `what` in the message). */
bool wl_obj_check(wl_mutator *w, void *obj, int kind, const char *what);
uint64_t wl_obj_serial(wl_mutator *w, void *obj, int kind);
/* Read field i of parent and check the child against the serial recorded
 * when it was linked.  Returns the child, or NULL if the field is NULL or
 * the child fails a check (then a failure is counted). */
void *wl_obj_get(wl_mutator *w, void *parent, int pkind, size_t i, int ckind,
                 const char *what);
/* Store child (of kind ckind, or NULL) into field i of parent (of kind
 * pkind) through the barrier and record its serial. */
void wl_obj_link(wl_mutator *w, void *parent, int pkind, size_t i, void *child,
                 int ckind);
/* The value an object was created with (kind is needed for its layout). */
int64_t wl_obj_value(wl_mutator *w, void *obj, int kind);

#endif /* TRICOLOR_WORKLOAD_H */
