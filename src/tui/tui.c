/*
 * tui.c - the live demo's event loop.
 *
 * One loop on the main thread: wait for a key until the next frame is due
 * (a short getch timeout, so SIGINT/SIGTERM flags are seen promptly), turn
 * keys into engine controls, and at each frame take snapshots from the
 * engine and draw every pane with one doupdate().  The engine's threads
 * never touch curses.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "tui/crt.h"
#include "tui/tui.h"

void tui_options_init(tui_options *t)
{
	memset(t, 0, sizeof *t);
	t->fps = 30;
}

int tui_run(const tv_options *eo, const tui_options *t)
{
	char err[256];
	crt_caps caps;
	tv_engine *e;
	tv_status st;
	int fps = t->fps < 1 ? 1 : t->fps > 120 ? 120 : t->fps;
	unsigned long long frame_ns = 1000000000ull / (unsigned)fps;
	unsigned long long next;
	long frames = 0;
	bool quit = false;

	if (!crt_check_tty())
		return 2;
	if (crt_init(t->ascii, t->mono, &caps, err, sizeof err) != 0) {
		fprintf(stderr, "tricolor: %s\n", err);
		return 1;
	}
	e = tv_engine_new(eo, err, sizeof err);
	if (e == NULL) {
		crt_done();
		fprintf(stderr, "tricolor: %s\n", err);
		return 1;
	}
	next = crt_now_ns();
	while (!quit && !crt_quit_requested()) {
		unsigned long long now = crt_now_ns();
		int ch;

		if (now >= next) {
			tv_get_status(e, &st);
			erase();
			mvprintw(0, 0, "tricolor  cycle %llu  %s  mutators %d",
				 (unsigned long long)st.gc.cycles,
				 tc_phase_name(st.gc.phase), st.mutators);
			wnoutrefresh(stdscr);
			doupdate();
			frames++;
			if (t->frames > 0 && frames >= t->frames)
				break;
			next += frame_ns;
			if (next < now)
				next = now + frame_ns;
			continue;
		}
		timeout((int)((next - now) / 1000000ull) + 1);
		ch = getch();
		switch (ch) {
		case 'q':
			quit = true;
			break;
		case ' ':
			tv_pause(e, !tv_paused(e));
			break;
		default:
			break;
		}
	}
	crt_done();
	tv_engine_free(e);
	if (crt_quit_signal() != 0)
		return 128 + crt_quit_signal();
	return 0;
}
