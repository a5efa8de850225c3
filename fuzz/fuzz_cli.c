/*
 * fuzz_cli.c - libFuzzer harness for the command line: the input is split
 * into argv words at newlines (and NUL bytes, which no argv word can
 * hold) and given to cli_parse.  Built by `make fuzz` (see the Fuzzing
 * section of docs/scenarios.md), never by `make all` or `check`.
 *
 * A rejected command line must come with a message that is non-empty and
 * NUL-terminated within errlen; an accepted one must leave every option
 * within the range `tricolor --help` states, and no terminal option with
 * --headless nor headless option without it.
 *
 * `--scenario` reads files: every '/' in a word becomes '_', so that only
 * files of the current directory can be opened (never /dev/stdin or a
 * FIFO, which would block the fuzzer).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "doc_ranges.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The caller's TUI defaults (tui_options_init lives in the TUI library,
 * which needs ncurses); cli_parse must keep them unless told. */
static void tui_defaults(tui_options *t)
{
	memset(t, 0, sizeof(*t));
	t->fps = 30;
}

static void check_options(const cli_options *o)
{
	cli_options def;
	const tv_options *e = &o->eng;

	memset(&def, 0, sizeof(def));
	tui_defaults(&def.tui);
	cli_options_init(&def);
	FUZZ_REQUIRE(e->mutators >= 1 && e->mutators <= 64, "--mutators");
	FUZZ_REQUIRE(e->rate == TV_RATE_MAX || (e->rate >= 1 && e->rate <= 1e9),
	             "--rate");
	FUZZ_REQUIRE(e->gogc == TC_GOGC_OFF || e->gogc == TV_GOGC_ENV ||
	                 (e->gogc >= 1 && e->gogc <= 10000),
	             "--gogc");
	FUZZ_REQUIRE(e->heap_bytes >= (1ull << 20) &&
	                 e->heap_bytes <= (64ull << 30),
	             "--heap");
	FUZZ_REQUIRE(e->barrier >= 0 && e->barrier < TC_BARRIER_NMODES,
	             "--barrier");
	FUZZ_REQUIRE(o->seconds >= 0 && o->seconds <= 86400, "--seconds");
	FUZZ_REQUIRE(o->trace_shift == 10 || o->trace_shift == 20,
	             "--trace-units");
	FUZZ_REQUIRE(o->tui.fps >= 1 && o->tui.fps <= 120, "--fps");
	FUZZ_REQUIRE(o->tui.frames >= 0 && o->tui.frames <= 1000000000,
	             "--frames");
	FUZZ_REQUIRE(e->scenario != NULL, "a scenario is named");
	if (e->loaded)
		doc_check_scenario(e->loaded);
	if (o->help || o->version)
		return;
	if (o->headless)
		FUZZ_REQUIRE(!o->tui.ascii && !o->tui.mono &&
		                 o->tui.frames == def.tui.frames &&
		                 o->tui.fps == def.tui.fps,
		             "no terminal option with --headless");
	else
		FUZZ_REQUIRE(!o->json && o->seconds == def.seconds &&
		                 o->trace_shift == def.trace_shift,
		             "no headless option without --headless");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096 + 1];
	static cli_options o;
	char *argv[MAX_WORDS + 2], err[320];
	size_t errlen = sizeof(err) - 8; /* bytes past errlen: canaries */
	int argc = 0;

	if (size > sizeof(buf) - 1)
		return -1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "tricolor";
	for (size_t i = 0, start = 0; i <= size; i++) {
		if (i < size && buf[i] != '\n' && buf[i] != '\0') {
			if (buf[i] == '/')
				buf[i] = '_';
			continue;
		}
		buf[i] = '\0';
		if (argc == MAX_WORDS + 1)
			return -1;
		/* A trailing newline ends the last word, not a new one. */
		if (i < size || i > start)
			argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	tui_defaults(&o.tui);
	cli_options_init(&o);
	memset(err, 0x5a, sizeof(err));
	if (cli_parse(argc, argv, &o, err, errlen) != 0) {
		doc_check_error(err, errlen);
		for (size_t i = errlen; i < sizeof(err); i++)
			FUZZ_REQUIRE((unsigned char)err[i] == 0x5a,
			             "error written within errlen");
		return 0;
	}
	check_options(&o);
	return 0;
}
