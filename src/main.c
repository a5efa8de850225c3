/*
 * main.c - the tricolor program: parse the command line, then run either
 * the live terminal demo (src/tui) or the headless driver (src/cli).
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"
#include "tui/tui.h"

int main(int argc, char **argv)
{
	cli_options o;
	char err[320];

	tui_options_init(&o.tui);
	cli_options_init(&o);
	if (cli_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "tricolor: %s\n", err);
		return 2;
	}
	if (o.help) {
		cli_usage(stdout);
		fputs("\n", stdout);
		fputs(tui_keys_help(), stdout);
		return 0;
	}
	if (o.version) {
		printf("tricolor %s (libtricolor %s)\n", PACKAGE_VERSION,
		       TC_VERSION);
		return 0;
	}
	if (o.headless)
		return cli_headless(&o, stderr, stdout);
	/* No need to force the verifier on: the collector verifies (and
	 * rescues) every cycle that runs with a barrier weaker than hybrid,
	 * so the `b` key shows lost objects instead of crashing.  Its
	 * findings stay on the screen: tui_run frees its engine before it
	 * returns, so its status (0 on quit) cannot report them, unlike
	 * --headless (docs/tricolor.1, EXIT STATUS). */
	return tui_run(&o.eng, &o.tui);
}
