/*
 * tui.h - entry point of the live terminal front end.
 *
 * The TUI runs on the calling (main) thread, which is the only thread that
 * ever calls ncurses.  It starts an engine (src/view/view.h) with the given
 * options, draws at a fixed frame rate from the engine's snapshots and turns
 * keys into engine controls.  The terminal is restored before it returns,
 * on SIGINT/SIGTERM, and on any fatal error.
 */
#ifndef TRICOLOR_TUI_H
#define TRICOLOR_TUI_H

#include <stdbool.h>

#include "view/view.h"

typedef struct tui_options {
	int fps;     /* frames per second, 1..120; default 30 */
	bool ascii;  /* no UTF-8 glyphs (also chosen when the locale is not
	                UTF-8) */
	bool mono;   /* no colors (also when NO_COLOR is set or the terminal has
	                none) */
	long frames; /* quit after this many frames (benchmarks); 0 = never */
	bool stats;  /* print frame statistics to stderr after the terminal
	              * is restored (also with --frames N, or when the
	              * environment has TRICOLOR_FRAME_STATS set, not 0) */
} tui_options;

void tui_options_init(tui_options *t);

/* Run the demo until the user quits.  Returns the process exit status:
 * 0 on quit, 128 + the signal number after SIGINT/SIGTERM/SIGHUP/SIGQUIT
 * (^\ included), 2 if
 * stdin/stdout is not a terminal (after printing a message that suggests
 * --headless), 1 on a fatal error (message printed after the terminal is
 * restored). */
int tui_run(const tv_options *eo, const tui_options *t);

/* The keys of the live demo as text for --help, one per line:
 * "  space      pause / resume mutators and collector\n" ... */
const char *tui_keys_help(void);

#endif /* TRICOLOR_TUI_H */
