/*
 * fuzz_scenario.c - libFuzzer harness for scenario files: the input is a
 * file's text, given to wl_scenario_parse.  Built by `make fuzz` (see the
 * Fuzzing section of docs/scenarios.md), never by `make all` or `check`.
 *
 * A rejected file must come with a message that names the file (and a
 * line that exists).  An accepted one must have every field within the
 * ranges docs/scenarios.md states, and must round-trip:
 * wl_scenario_format writes it, wl_scenario_parse reads that back to an
 * equal scenario, and formatting again gives the same text.  Formatting
 * into a short buffer must truncate like snprintf.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_ranges.h"
#include "workload/workload.h"

#define FNAME "fuzz.scn"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The error names the file; a line number, if any, is a line of text. */
static void check_error(const char *text, const char *err, size_t errlen)
{
	size_t lines = 1;
	const char *p = err + strlen(FNAME);

	doc_check_error(err, errlen);
	FUZZ_REQUIRE(strncmp(err, FNAME ":", strlen(FNAME ":")) == 0,
	             "error names the file");
	for (const char *t = text; *t; t++)
		lines += *t == '\n';
	if (p[1] >= '0' && p[1] <= '9') {
		long l = strtol(p + 1, NULL, 10);

		FUZZ_REQUIRE(l >= 1 && (size_t)l <= lines,
		             "error names a line of the file");
	}
}

static void check_round_trip(const wl_scenario *sc)
{
	static char out[4096], again[4096], shortbuf[4096];
	static char err[256];
	wl_scenario back;
	int n, m;

	n = wl_scenario_format(sc, out, sizeof(out));
	FUZZ_REQUIRE(n > 0 && (size_t)n < sizeof(out), "format fits");
	FUZZ_REQUIRE(strlen(out) == (size_t)n, "format returns its length");
	memset(&back, 0x5a, sizeof(back));
	if (wl_scenario_parse(out, "round-trip.scn", &back, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "fuzz: formatted text rejected: %s\n%s", err,
		        out);
		abort();
	}
	FUZZ_REQUIRE(back.program == sc->program, "round trip: program");
	FUZZ_REQUIRE(strcmp(back.name, sc->name) == 0, "round trip: name");
	FUZZ_REQUIRE(memcmp(back.param, sc->param, sizeof(sc->param)) == 0,
	             "round trip: parameters");
	m = wl_scenario_format(&back, again, sizeof(again));
	FUZZ_REQUIRE(m == n && strcmp(out, again) == 0,
	             "format(parse(format(s))) == format(s)");
	/* Truncation like snprintf: same length returned, a prefix. */
	for (size_t len = 1; len <= (size_t)n + 1; len += 1 + len / 3) {
		memset(shortbuf, 0x5a, sizeof(shortbuf));
		m = wl_scenario_format(sc, shortbuf, len);
		FUZZ_REQUIRE(m == n, "short format returns the full length");
		FUZZ_REQUIRE(strlen(shortbuf) == len - 1 &&
		                 memcmp(shortbuf, out, len - 1) == 0,
		             "short format writes a NUL-terminated prefix");
		FUZZ_REQUIRE((unsigned char)shortbuf[len] == 0x5a,
		             "short format writes within len");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The loader reads at most 64 KiB + 1; past that, the parser's
	 * size check only repeats itself. */
	static char text[65536 + 2];
	static char err[256];
	wl_scenario sc;

	if (size > sizeof(text) - 1)
		return -1;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 0x5a, sizeof(err));
	memset(&sc, 0xa5, sizeof(sc));
	if (wl_scenario_parse(text, FNAME, &sc, err, sizeof(err)) != 0) {
		check_error(text, err, sizeof(err));
		return 0;
	}
	doc_check_scenario(&sc);
	check_round_trip(&sc);
	return 0;
}
