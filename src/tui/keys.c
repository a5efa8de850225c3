/*
 * keys.c - the key table and the --help text made from it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/tui.h"

const tui_key tui_keys[] = {
    {"? h F1", "F1", "Help",
     "show this help (any key closes it; arrows scroll a long one)"},
    {"space", "Spc", "Pause", "pause / resume mutators and collector"},
    {"n", "n", "Step",
     "while paused: scan exactly one grey object (in sweep: one span)"},
    {"N", "N", "Phase",
     "while paused: run to the next concurrent phase (off, mark, sweep)"},
    {"m", "m", "MutStep", "while paused: each mutator performs one operation"},
    {"+ -", "+-", "Mutators", "add / retire a mutator thread (= and _ too)"},
    {"] [", "][", "Rate", "raise / lower the operation rate per mutator"},
    {"} {", "}{", "GOGC", "raise / lower GOGC (10 ... 400, off)"},
    {"g", "g", "GC", "force a collection"},
    {"b", "b", "Barrier",
     "cycle the write barrier: hybrid, dijkstra, yuasa, off"},
    {"s", "s", "Scenario", "switch to the next workload scenario"},
    {"z Z", "zZ", "Zoom", "zoom the heap map out (more objects per cell) / in"},
    {"arrows", NULL, NULL,
     "select (heap), mutators/frames (stacks), scroll (log)"},
    {"PgUp PgDn", NULL, NULL,
     "move / scroll by a page; Home End: first / last"},
    {"Tab", "Tab", "Focus", "switch focus: heap map, stacks, event log"},
    {"Enter", "Enter", "Inspect",
     "inspect the selected object (mouse click selects)"},
    {"Esc", NULL, NULL, "close the help screen or the inspector"},
    {"Ctrl-L", NULL, NULL, "redraw the screen"},
    {"q Q F10", "q", "Quit", "quit (the terminal is restored)"},
};
const int tui_nkeys = (int)(sizeof tui_keys / sizeof tui_keys[0]);

const char *tui_keys_help(void)
{
	static char text[2048];
	size_t off = 0;
	int i;

	if (text[0] != '\0')
		return text;
	off += (size_t)snprintf(text + off, sizeof text - off,
	                        "Keys in the live demo:\n");
	for (i = 0; i < tui_nkeys && off < sizeof text; i++)
		off += (size_t)snprintf(text + off, sizeof text - off,
		                        "  %-10s %s\n", tui_keys[i].keys,
		                        tui_keys[i].help);
	return text;
}
