/*
 * crt.h - the terminal: the one module that sets up and tears down curses.
 *
 * Like htop's CRT, everything about the terminal itself lives here: the
 * not-a-terminal check, curses initialisation, the locale and color
 * capabilities, signal handling and the single restore path that runs on
 * quit, on SIGINT/SIGTERM and on any fatal error, before a message is
 * printed.  Only the main thread calls these functions.
 */
#ifndef TRICOLOR_TUI_CRT_H
#define TRICOLOR_TUI_CRT_H

#include <stdbool.h>

/* What the terminal can do, decided once by crt_init(). */
typedef struct crt_caps {
	bool utf8;  /* UTF-8 glyphs (half blocks, box drawing) */
	int colors; /* 0 (monochrome), 8 or 256 */
	bool mouse; /* mouse clicks are reported */
} crt_caps;

/* Return true if stdin and stdout are both terminals.  Otherwise print
 * "tricolor: ... is not a terminal ... use --headless" to stderr and
 * return false. */
bool crt_check_tty(void);

/* Initialise curses on the controlling terminal.  want_ascii / want_mono
 * force the fallbacks; NO_COLOR (set and non-empty) forces monochrome, a
 * non-UTF-8 locale forces ASCII.  Installs the SIGINT/SIGTERM handlers and
 * the emergency restore for crashes.  Returns 0 and fills *caps, or -1
 * with a message in err (the terminal is left untouched). */
int crt_init(bool want_ascii, bool want_mono, crt_caps *caps, char *err,
             size_t errlen);

/* Restore the terminal (idempotent; safe if crt_init failed or never ran). */
void crt_done(void);

/* Restore the terminal, print "tricolor: <message>" to stderr and exit
 * with status 1.  Never returns. */
void crt_fatal(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

/* True once SIGINT or SIGTERM has arrived (checked by the event loop). */
bool crt_quit_requested(void);
/* The signal that asked to quit, or 0. */
int crt_quit_signal(void);

/* Monotonic clock in nanoseconds. */
unsigned long long crt_now_ns(void);

#endif /* TRICOLOR_TUI_CRT_H */
