/*
 * util.c - allocation wrappers, fatal errors and clocks (see util.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

uint64_t tc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t tc_thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
