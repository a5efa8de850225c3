/*
 * util.h - small helpers shared by every layer: allocation wrappers that
 * abort on out-of-memory (zero-size requests are bugs), fatal errors, a
 * monotonic clock, a thread's scheduler statistics, a mutex that spins
 * before it sleeps, and how a message quotes a word of the user's input.
 */
#ifndef TRICOLOR_UTIL_H
#define TRICOLOR_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *tc_xmalloc(size_t n);
void *tc_xcalloc(size_t n, size_t size);
void *tc_xrealloc(void *p, size_t n);
char *tc_xstrdup(const char *s);
_Noreturn void tc_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

uint64_t tc_now_ns(void);        /* CLOCK_MONOTONIC */
uint64_t tc_thread_cpu_ns(void); /* CLOCK_THREAD_CPUTIME_ID */
uint64_t tc_tid_cpu_ns(int tid);  /* another thread's, by kernel tid; 0
				   * if it is gone */
bool tc_tid_on_cpu(int tid);      /* whether it is on a CPU right now */
int tc_self_tid(void);            /* the calling thread's kernel tid */

/* A thread's scheduler statistics, as Linux keeps them (schedstat in
 * /proc, util.c): time on a CPU, time queued for one (runnable, not
 * running), and how many times it was put on a CPU. */
typedef struct tc_schedstat {
	uint64_t run_ns;
	uint64_t wait_ns;
	uint64_t slices;
} tc_schedstat;
/* Parse the file's text; 0 on success, -1 if it is not three numbers. */
int tc_schedstat_parse(const char *text, tc_schedstat *out);
/* Another thread's, by kernel tid; -1 if it is gone or the kernel keeps
 * none (CONFIG_SCHED_INFO off). */
int tc_tid_schedstat(int tid, tc_schedstat *out);
/* The calling thread's. */
int tc_self_schedstat(tc_schedstat *out);

/* A mutex that spins briefly before it sleeps, for short critical
 * sections that threads holding a P contend for (util.c says why). */
void tc_mutex_init_spin(pthread_mutex_t *mu);

/* A word of the user's input (a flag's value, a scenario key, a file
 * name) as a message shows it: each control character (which would act
 * on the terminal, or hide) as \xNN, and at most outlen - 1 bytes in all,
 * so that what the message exists to say (the allowed values, the known
 * keys) is never cut off.  When it is too long, its head is kept, or with
 * `tail` (a path, whose end names the file) its tail, and the rest shown
 * as "..."; never half a UTF-8 sequence.  s need not be NUL-terminated
 * (n bytes).  outlen must be at least 8.  Returns out. */
#define TC_QUOTE_WORD 44 /* a key or a value: 40 bytes and "..." */
#define TC_QUOTE_PATH 68 /* a file name: "..." and its last 64 bytes */
const char *tc_quote(char *out, size_t outlen, const char *s, size_t n,
                     bool tail);

#endif /* TRICOLOR_UTIL_H */
