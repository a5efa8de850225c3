/*
 * crt.c - terminal setup, teardown and signals for the TUI.
 *
 * There is exactly one way out of curses mode: crt_done().  It runs on a
 * normal quit, from the event loop when SIGINT/SIGTERM set the quit flag,
 * from crt_fatal() before its message is printed, and from atexit() in
 * case some deeper layer calls exit().  A crash (SIGSEGV, SIGABRT, ...)
 * cannot call curses safely, so its handler writes a precomputed escape
 * string (leave the alternate screen, show the cursor, reset attributes,
 * stop mouse reporting) and restores the saved termios with async-signal-
 * safe calls only, then hands the signal on to whoever had it before.
 */
#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "util.h"

#include "tui/crt.h"

/* Set by the SIGINT/SIGTERM/SIGHUP/SIGQUIT handler (on whichever thread
 * has the signal unblocked: the engine's threads block some, so mostly
 * the main thread), read by the event loop on the main thread.  A
 * lock-free atomic int is async-signal-safe; relaxed order suffices
 * because the flag carries no other data. */
static atomic_int quit_signal;

/* Main-thread-only state, except crash_restore/saved_tio which the crash
 * handler reads: both are written once by crt_init() before the handlers
 * that read them are installed (sigaction orders the writes). */
static bool curses_active;
static bool have_tio;
static struct termios saved_tio;
static char crash_restore[256];
static size_t crash_restore_len;
static bool handlers_installed;

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NCRASH (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction old_crash[NCRASH];

bool crt_check_tty(void)
{
	const char *what = NULL;

	if (!isatty(STDIN_FILENO))
		what = "standard input";
	else if (!isatty(STDOUT_FILENO))
		what = "standard output";
	if (what == NULL)
		return true;
	fprintf(stderr,
	        "tricolor: %s is not a terminal; the live demo needs one.\n"
	        "tricolor: use --headless to run without a screen, e.g.\n"
	        "  tricolor --headless --seconds 5\n",
	        what);
	return false;
}

static void on_quit_signal(int sig)
{
	atomic_store_explicit(&quit_signal, sig, memory_order_relaxed);
}

/* Async-signal-safe emergency restore, then give the signal back to the
 * previous handler (for example a sanitizer's) and let it run again:
 * returning re-executes a faulting instruction, and abort() raises
 * SIGABRT again itself. */
static void on_crash_signal(int sig)
{
	int saved_errno = errno;
	size_t i;

	if (crash_restore_len > 0) {
		ssize_t r =
		    write(STDOUT_FILENO, crash_restore, crash_restore_len);
		(void)r;
	}
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	for (i = 0; i < NCRASH; i++) {
		if (crash_signals[i] == sig) {
			sigaction(sig, &old_crash[i], NULL);
			break;
		}
	}
	if (sig == SIGFPE || sig == SIGILL)
		raise(sig); /* may not be re-executed if sent by kill */
	errno = saved_errno;
}

static void append_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (crash_restore_len + n >= sizeof crash_restore)
		return;
	memcpy(crash_restore + crash_restore_len, s, n);
	crash_restore_len += n;
}

static void install_handlers(bool mouse)
{
	struct sigaction sa;
	size_t i;

	crash_restore_len = 0;
	if (mouse) {
		static const char mouse_off[] = "\033[?1000l\033[?1006l";
		memcpy(crash_restore, mouse_off, sizeof mouse_off - 1);
		crash_restore_len = sizeof mouse_off - 1;
	}
	append_cap("sgr0");
	append_cap("cnorm");
	append_cap("rmcup");

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* ^\ is a key too: quit cleanly (like htop), not with a core dump
	 * that leaves the terminal in curses mode. */
	sigaction(SIGQUIT, &sa, NULL);

	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_NODEFER;
	for (i = 0; i < NCRASH; i++)
		sigaction(crash_signals[i], &sa, &old_crash[i]);
	handlers_installed = true;
}

static void uninstall_crash_handlers(void)
{
	size_t i;

	if (!handlers_installed)
		return;
	for (i = 0; i < NCRASH; i++)
		sigaction(crash_signals[i], &old_crash[i], NULL);
	handlers_installed = false;
}

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL &&
	       (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Turn off XON/XOFF flow control while curses runs: with it on, a ^S
 * (pressed by accident, or in a burst of keys) stops the terminal's
 * output, the next frame's write blocks, and the demo hangs, q included,
 * until a ^Q.  ncurses keeps the mode as the program mode, and endwin()
 * puts back the shell's. */
static void no_flow_control(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &t) != 0)
		return;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		def_prog_mode();
}

int crt_init(bool want_ascii, bool want_mono, crt_caps *caps, char *err,
             size_t errlen)
{
	static bool atexit_done;
	const char *no_color = getenv("NO_COLOR"), *tn = getenv("TERM");
	char term[TC_QUOTE_WORD];
	int terr = 0;

	memset(caps, 0, sizeof *caps);
	setlocale(LC_CTYPE, "");
	caps->utf8 = !want_ascii && locale_is_utf8();

	if (tn == NULL || tn[0] == '\0') {
		snprintf(err, errlen,
		         "TERM is not set; set it (e.g. TERM=xterm-256color) "
		         "or use --headless");
		return -1;
	}
	/* TERM as the messages show it: it is the user's input, and a
	 * control character in it would act on the terminal. */
	tc_quote(term, sizeof term, tn, strlen(tn), false);
	if (setupterm(NULL, STDOUT_FILENO, &terr) != OK) {
		snprintf(err, errlen,
		         "terminal type '%s' is unknown to terminfo; set TERM "
		         "(e.g. TERM=xterm-256color) or use --headless",
		         term);
		return -1;
	}
	/* A terminal that cannot move its cursor (TERM=dumb, a hardcopy or
	 * a generic type) would get curses' fallback of drawing line by
	 * line: one garbled line, not a screen.  Refuse it, with the advice
	 * an unknown type gets. */
	bool addressable =
	    cursor_address != NULL && !hard_copy && !generic_type;
	del_curterm(cur_term); /* newterm() sets up its own */
	if (!addressable) {
		snprintf(err, errlen,
		         "terminal type '%s' cannot move its cursor, and the "
		         "live demo draws a full screen; set TERM (e.g. "
		         "TERM=xterm-256color) or use --headless",
		         term);
		return -1;
	}
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;

	if (newterm(NULL, stdout, stdin) == NULL) {
		snprintf(err, errlen, "cannot initialise the terminal '%s'",
		         term);
		return -1;
	}
	curses_active = true;
	if (!atexit_done) {
		atexit(crt_done);
		atexit_done = true;
	}
	cbreak(); /* ^C still raises SIGINT: the loop sees the flag */
	noecho();
	nonl();
	no_flow_control();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);

	if (!want_mono && (no_color == NULL || no_color[0] == '\0') &&
	    has_colors()) {
		start_color();
		use_default_colors();
		if (COLORS >= 256 && COLOR_PAIRS >= 64)
			caps->colors = 256;
		else if (COLORS >= 8 && COLOR_PAIRS >= 64)
			caps->colors = 8;
	}
	caps->mouse = mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL) != 0;
	mouseinterval(0);
	install_handlers(caps->mouse);
	return 0;
}

void crt_done(void)
{
	if (!curses_active)
		return;
	curses_active = false;
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	fflush(stdout);
	uninstall_crash_handlers();
}

void crt_fatal(const char *fmt, ...)
{
	va_list ap;

	crt_done();
	fputs("tricolor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

bool crt_quit_requested(void)
{
	return atomic_load_explicit(&quit_signal, memory_order_relaxed) != 0;
}

int crt_quit_signal(void)
{
	return atomic_load_explicit(&quit_signal, memory_order_relaxed);
}

unsigned long long crt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull +
	       (unsigned long long)ts.tv_nsec;
}
