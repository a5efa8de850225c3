/*
 * doc_ranges.h - the ranges docs/scenarios.md and `tricolor --help` state,
 * written out again for the fuzz harnesses so that they check the parsers
 * against the documentation, not against the parsers' own tables.
 */
#ifndef TRICOLOR_FUZZ_DOC_RANGES_H
#define TRICOLOR_FUZZ_DOC_RANGES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workload/workload.h"

struct doc_param {
	const char *name;
	int64_t min, max;
};

/* docs/scenarios.md, the table of each built-in scenario, in order. */
static const struct doc_param doc_params[WL_NPROGRAMS][WL_MAX_PARAMS] = {
    [WL_TREES] = {{"long_depth", 0, 18},
                  {"short_depth", 0, 16},
                  {"payload", 0, 4096},
                  {"check_every", 1, 1000}},
    [WL_LIST] = {{"len_min", 0, 100000},
                 {"len_max", 1, 100000},
                 {"payload", 0, 4096},
                 {"flip_pct", 0, 50}},
    [WL_GRAPH] = {{"nodes", 2, 1024},
                  {"edges", 1, 16},
                  {"payload", 0, 4096},
                  {"replace_pct", 0, 100},
                  {"hold_pct", 0, 100},
                  {"walk_pct", 0, 100}},
    [WL_CACHE] = {{"capacity", 1, 100000},
                  {"buckets", 1, 4094},
                  {"keys", 1, 1000000},
                  {"value_min", 0, 16384},
                  {"value_max", 0, 16384}},
    [WL_ESCAPE] = {{"escape_pct", 0, 100},
                   {"locals", 1, 24},
                   {"depth", 1, 32},
                   {"payload", 0, 4096},
                   {"keep", 1, 1024}},
};

/* Abort (a finding for libFuzzer) unless `cond` holds. */
#define FUZZ_REQUIRE(cond, what)                                               \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz: property failed: %s (%s)\n",    \
			        what, #cond);                                  \
			abort();                                               \
		}                                                              \
	} while (0)

/* A display name as documented: 1..31 of letters, digits, - _ . */
static inline bool doc_name_ok(const char *s)
{
	size_t n = strnlen(s, WL_NAME_MAX);

	if (n == 0 || n >= WL_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz"
	                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

/* Every field of a parsed scenario within what the docs allow. */
static inline void doc_check_scenario(const wl_scenario *sc)
{
	const struct doc_param *dp;

	FUZZ_REQUIRE(sc->program >= 0 && sc->program < WL_NPROGRAMS,
	             "program is one of the five");
	FUZZ_REQUIRE(doc_name_ok(sc->name), "name is 1..31 [A-Za-z0-9._-]");
	dp = doc_params[sc->program];
	for (int i = 0; i < WL_MAX_PARAMS && dp[i].name; i++)
		FUZZ_REQUIRE(sc->param[i] >= dp[i].min &&
		                 sc->param[i] <= dp[i].max,
		             dp[i].name);
	if (sc->program == WL_LIST)
		FUZZ_REQUIRE(sc->param[0] <= sc->param[1], "len_min<=len_max");
	if (sc->program == WL_CACHE)
		FUZZ_REQUIRE(sc->param[3] <= sc->param[4],
		             "value_min<=value_max");
}

/* An error message as the parsers promise: non-empty and NUL-terminated
 * inside the errlen bytes it was given; and whole, since a message cut
 * short loses what it exists to say (the allowed values, the known keys):
 * the callers' buffers are sized for every message. */
static inline void doc_check_error(const char *err, size_t errlen)
{
	FUZZ_REQUIRE(memchr(err, '\0', errlen) != NULL,
	             "error message NUL-terminated within errlen");
	FUZZ_REQUIRE(err[0] != '\0', "error message non-empty");
	FUZZ_REQUIRE(strlen(err) < errlen - 1, "error message not cut short");
}

#endif /* TRICOLOR_FUZZ_DOC_RANGES_H */
