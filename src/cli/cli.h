/*
 * cli.h - the command line of `tricolor`: option parsing (shared by the
 * TUI and headless modes) and the headless driver.
 *
 * Parsing is separate from running so the tests can link it without the
 * front end: cli_parse() only fills a cli_options and never exits.
 */
#ifndef TRICOLOR_CLI_H
#define TRICOLOR_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "tui/tui.h"
#include "view/view.h"
#include "workload/workload.h"

typedef struct cli_options {
	bool headless;
	bool help;
	bool version;
	bool json;       /* headless: JSON summary */
	double seconds;  /* headless: run time; 0 = until a signal */
	int trace_shift; /* headless: gctrace units, 20 = MB, 10 = KB */
	tv_options eng;  /* engine options (both modes) */
	tui_options tui; /* TUI options */
	/* --scenario as read, once: eng.loaded points here, so a
	 * cli_options is not to be copied. */
	wl_scenario scen;
} cli_options;

/* Defaults for everything but the TUI options, which the caller fills
 * (tui_options_init lives in the TUI library). */
void cli_options_init(cli_options *o);

/* Parse argv into *o (initialised by the caller).  Returns 0, or 2 with a
 * message in err that names the flag and what it accepts, e.g.
 * "--mutators: '0' is out of range (1..64)".  Never prints or exits. */
int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t errlen);

/* Write the --help text. */
void cli_usage(FILE *f);

/* Run headless: gctrace lines on `trace`, the summary on `out`.  Stops
 * after o->seconds, or on SIGINT/SIGTERM (still printing the summary).
 * Returns the exit status: 0, or 1 on a verifier failure, a failed
 * workload check, a full heap or a runtime error. */
int cli_headless(const cli_options *o, FILE *trace, FILE *out);

/* Write the headless summary's "  longest pause" line (with its newline):
 * where the longest pause went.  Separate for the tests. */
void cli_print_longest_pause(const tc_pause_info *pm, FILE *out);

#endif /* TRICOLOR_CLI_H */
