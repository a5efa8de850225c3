/*
 * util.c - allocation wrappers, fatal errors, clocks and the spinning
 * mutex (see util.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

_Noreturn void tc_fatal(const char *fmt, ...)
{
	va_list ap;
	fputs("tricolor: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *tc_xmalloc(size_t n)
{
	if (n == 0)
		tc_fatal("zero-size allocation");
	void *p = malloc(n);
	if (!p)
		tc_fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *tc_xcalloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		tc_fatal("zero-size allocation");
	void *p = calloc(n, size);
	if (!p)
		tc_fatal("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *tc_xrealloc(void *p, size_t n)
{
	if (n == 0)
		tc_fatal("zero-size reallocation");
	p = realloc(p, n);
	if (!p)
		tc_fatal("out of memory reallocating %zu bytes", n);
	return p;
}

char *tc_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = tc_xmalloc(n);
	memcpy(d, s, n);
	return d;
}

/* A clock in nanoseconds; 0 if the clock cannot be read. */
static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t tc_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t tc_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* The clock id is Linux's encoding of a per-thread CPU-time clock
 * (CPUCLOCK_SCHED, per thread), the one glibc's pthread_getcpuclockid
 * builds.  By tid rather than pthread_t because a tid stays safe to pass
 * after its thread has gone: the call fails and 0 is returned.  A system
 * call, about 0.2 us on the project's machine. */
uint64_t tc_tid_cpu_ns(int tid)
{
	return clock_ns((clockid_t)((~(unsigned)tid << 3) | 6u));
}

/* Its CPU clock moves between two readings made one after the other:
 * the kernel brings a running thread's clock up to date whenever it is
 * read (by any thread), while a queued or sleeping thread's stands
 * still.  A thread on a virtual CPU the host holds counts as on its CPU,
 * the guest still having it run (though its clock may then stand still
 * for a while, as the guest takes that time back as steal).  Two system
 * calls. */
bool tc_tid_on_cpu(int tid)
{
	uint64_t c0 = tc_tid_cpu_ns(tid);
	return c0 && tc_tid_cpu_ns(tid) > c0;
}

/* The calling thread's kernel tid, read once per thread: gettid is a
 * system call every time, and the runtime names itself with it on every
 * hold of the scheduler's lock (runtime.h, tc_sched_lock).  A forked
 * child's one thread has a new tid, so the fork handler forgets the
 * parent's; it is installed with the first read. */
static _Thread_local int self_tid;
static pthread_once_t self_tid_once = PTHREAD_ONCE_INIT;

static void self_tid_forget(void)
{
	self_tid = 0;
}

static void self_tid_atfork(void)
{
	pthread_atfork(NULL, NULL, self_tid_forget);
}

int tc_self_tid(void)
{
	if (self_tid == 0) {
		pthread_once(&self_tid_once, self_tid_atfork);
		self_tid = (int)syscall(SYS_gettid);
	}
	return self_tid;
}

int tc_schedstat_parse(const char *text, tc_schedstat *out)
{
	uint64_t v[3];
	const char *p = text;
	for (int i = 0; i < 3; i++) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		char *end;
		errno = 0;
		unsigned long long x = strtoull(p, &end, 10);
		if (errno != 0)
			return -1;
		v[i] = x;
		p = end;
	}
	if (*p != '\n' && *p != '\0')
		return -1;
	out->run_ns = v[0];
	out->wait_ns = v[1];
	out->slices = v[2];
	return 0;
}

/* /proc/self/task/TID/schedstat: the task's sum_exec_runtime, its
 * sched_info.run_delay and pcount.  Under a hypervisor with paravirtual
 * steal accounting (CONFIG_PARAVIRT_TIME_ACCOUNTING) the first leaves out
 * time the host took from the virtual CPU while the thread was the one
 * running on it, and the second counts only waits the guest's own
 * scheduler made.  Plain system calls, no stdio: about 6 us a read on the
 * project's machine. */
static int schedstat_at(const char *path, tc_schedstat *out)
{
	char buf[96];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return tc_schedstat_parse(buf, out);
}

int tc_tid_schedstat(int tid, tc_schedstat *out)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", tid);
	return schedstat_at(path, out);
}

int tc_self_schedstat(tc_schedstat *out)
{
	return schedstat_at("/proc/thread-self/schedstat", out);
}

/* glibc's adaptive mutex spins for a while (bounded, and learning from
 * how long the lock was held) before it sleeps in the kernel, as Go's
 * runtime locks do (lock_futex.go: a few rounds of spinning, then a
 * futex sleep).  A plain mutex sleeps at once: a mutator that waits for
 * the heap's lock then leaves its CPU idle, since the mutators without a
 * P are parked, and wakes some tens of microseconds after the holder,
 * which held it for one.  Without the extension, a plain mutex. */
void tc_mutex_init_spin(pthread_mutex_t *mu)
{
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(mu, &a);
	pthread_mutexattr_destroy(&a);
#else
	pthread_mutex_init(mu, NULL);
#endif
}

/* ---- quoting input in messages ---- */

static size_t esc_len(unsigned char c)
{
	return c < 0x20 || c == 0x7f ? 4 : 1;
}

const char *tc_quote(char *out, size_t outlen, const char *s, size_t n,
                     bool tail)
{
	size_t total = 0, from = 0, to = n, o = 0;

	for (size_t i = 0; i < n; i++)
		total += esc_len((unsigned char)s[i]);
	if (total > outlen - 1) {
		size_t room = outlen - 1 - 3, w = 0;

		if (tail) {
			from = n;
			while (from > 0 &&
			       w + esc_len((unsigned char)s[from - 1]) <= room)
				w += esc_len((unsigned char)s[--from]);
			/* Not inside a UTF-8 sequence. */
			while (from < n &&
			       ((unsigned char)s[from] & 0xc0) == 0x80)
				from++;
			memcpy(out, "...", 3);
			o = 3;
		} else {
			to = 0;
			while (to < n &&
			       w + esc_len((unsigned char)s[to]) <= room)
				w += esc_len((unsigned char)s[to++]);
			while (to > 0 && ((unsigned char)s[to] & 0xc0) == 0x80)
				to--;
		}
	}
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)s[i];

		if (esc_len(c) > 1)
			o +=
			    (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (to < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
