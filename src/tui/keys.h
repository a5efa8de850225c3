/*
 * keys.h - the key map: one table that the key bar, the help screen and
 * the --help text are all drawn from, so they cannot disagree.
 */
#ifndef TRICOLOR_TUI_KEYS_H
#define TRICOLOR_TUI_KEYS_H

typedef struct tui_key {
	const char *keys;   /* as shown in help, e.g. "+ -" */
	const char *barkey; /* as shown in the key bar, e.g. "+-" */
	const char *bar;    /* short label for the key bar, or NULL */
	const char *help;   /* one line for the help screen and --help */
} tui_key;

extern const tui_key tui_keys[];
extern const int tui_nkeys;

#endif /* TRICOLOR_TUI_KEYS_H */
