/*
 * options.c - parsing tricolor's command line.  Every flag's value is
 * validated; an error names the flag and the allowed values.  Both
 * `--flag value` and `--flag=value` are accepted.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util.h"
#include "workload/workload.h"

void cli_options_init(cli_options *o)
{
	tui_options t = o->tui;

	memset(o, 0, sizeof(*o));
	o->tui = t;
	o->seconds = 10;
	o->trace_shift = 20;
	tv_options_init(&o->eng);
}

void cli_usage(FILE *f)
{
	fputs("usage: tricolor [OPTIONS]             live terminal demo\n"
	      "       tricolor --headless [OPTIONS]  run without a terminal, "
	      "print a gctrace\n"
	      "\n"
	      "Engine (both modes):\n"
	      "  --mutators N      mutator threads, 1..64 (default 4)\n"
	      "  --rate R|max      operations/s per mutator, 1..1000000000, "
	      "or max (default)\n"
	      "  --gogc N|off      GOGC percent, 1..10000, or off (default "
	      "$GOGC, else 100)\n"
	      "  --heap SIZE       arena size, 1M..64G; suffix K, M, G "
	      "(default 64M)\n"
	      "  --scenario NAME|FILE  trees, list, graph, cache, escape, or "
	      "a scenario file\n"
	      "  --seed N          random seed, 0 = from the clock (default "
	      "0)\n"
	      "  --barrier MODE    hybrid, dijkstra, yuasa or off (default "
	      "hybrid)\n"
	      "  --verify          check every mark with an independent "
	      "trace\n"
	      "\n"
	      "Headless only:\n"
	      "  --headless        no terminal: one gctrace line per cycle "
	      "on stderr\n"
	      "  --seconds N       run time, 0..86400, 0 = until SIGINT "
	      "(default 10)\n"
	      "  --trace-units U   MB (Go's) or KB for small heaps (default "
	      "MB)\n"
	      "  --json            print the summary as JSON\n"
	      "\n"
	      "Terminal only:\n"
	      "  --fps N           frames per second, 1..120 (default 30)\n"
	      "  --ascii           no UTF-8 glyphs\n"
	      "  --mono            no colors\n"
	      "  --frames N        quit after N frames, 0..1000000000, 0 = "
	      "never (default)\n"
	      "\n"
	      "  --help, --version\n"
	      "\n"
	      "Exit status: 0 ok; 1 a fatal error, or with --headless a "
	      "verifier or\nworkload failure or a full heap (the demo shows "
	      "those on screen);\n2 bad usage.\n",
	      f);
}

/* A word of the command line as a message shows it (util.h, tc_quote):
 * a message must never be cut short before it says what is allowed. */
static const char *quote_n(char out[TC_QUOTE_WORD], const char *s, size_t n)
{
	return tc_quote(out, TC_QUOTE_WORD, s, n, false);
}

static const char *quote(char out[TC_QUOTE_WORD], const char *s)
{
	return quote_n(out, s, strlen(s));
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 2;
}

/* An integer in [lo, hi]. */
static int parse_int(const char *flag, const char *v, long long lo,
                     long long hi, long long *out, char *err, size_t errlen)
{
	char *end, q[TC_QUOTE_WORD];
	long long x;

	errno = 0;
	x = strtoll(v, &end, 10);
	if (end == v || *end || errno == EINVAL || isspace((unsigned char)*v))
		return fail(err, errlen,
		            "%s: '%s' is not an integer (allowed %lld..%lld)",
		            flag, quote(q, v), lo, hi);
	if (errno == ERANGE || x < lo || x > hi)
		return fail(err, errlen,
		            "%s: '%s' is out of range (allowed %lld..%lld)",
		            flag, quote(q, v), lo, hi);
	*out = x;
	return 0;
}

static int parse_double(const char *flag, const char *v, double lo, double hi,
                        const char *range, double *out, char *err,
                        size_t errlen)
{
	char *end, q[TC_QUOTE_WORD];
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (end == v || *end || isspace((unsigned char)*v) || isnan(x))
		return fail(err, errlen,
		            "%s: '%s' is not a number (allowed %s)", flag,
		            quote(q, v), range);
	/* ERANGE on underflow (1e-400) comes with a value next to 0, which
	 * the range decides; only an overflow is out of range by itself. */
	if ((errno == ERANGE && fabs(x) == HUGE_VAL) || !(x >= lo && x <= hi))
		return fail(err, errlen,
		            "%s: '%s' is out of range (allowed %s)", flag,
		            quote(q, v), range);
	*out = x;
	return 0;
}

/* SIZE: digits with an optional K, M, G (binary) suffix and optional B
 * or iB; a bare number is bytes. */
static int parse_size(const char *flag, const char *v, size_t *out, char *err,
                      size_t errlen)
{
	const char *range = "1M..64G, e.g. 16M or 2G";
	char *end, q[TC_QUOTE_WORD];
	unsigned long long x;
	unsigned shift = 0;

	errno = 0;
	if (!isdigit((unsigned char)*v))
		return fail(err, errlen, "%s: '%s' is not a size (allowed %s)",
		            flag, quote(q, v), range);
	x = strtoull(v, &end, 10);
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10, end++;
		break;
	case 'M':
		shift = 20, end++;
		break;
	case 'G':
		shift = 30, end++;
		break;
	default:
		break;
	}
	if (shift && (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0))
		end += strlen(end);
	if (*end)
		return fail(err, errlen, "%s: '%s' is not a size (allowed %s)",
		            flag, quote(q, v), range);
	if (errno == ERANGE || x > (64ull << 30) >> shift ||
	    (x << shift) < (1ull << 20) || (x << shift) > (64ull << 30))
		return fail(err, errlen,
		            "%s: '%s' is out of range (allowed %s)", flag,
		            quote(q, v), range);
	*out = (size_t)(x << shift);
	return 0;
}

enum flag_mode { BOTH, HEADLESS_ONLY, TUI_ONLY };

struct flag {
	const char *name;
	bool has_value;
	enum flag_mode mode;
};

static const struct flag flags[] = {
    {"--headless", false, HEADLESS_ONLY},
    {"--seconds", true, HEADLESS_ONLY},
    {"--json", false, HEADLESS_ONLY},
    {"--trace-units", true, HEADLESS_ONLY},
    {"--mutators", true, BOTH},
    {"--rate", true, BOTH},
    {"--gogc", true, BOTH},
    {"--heap", true, BOTH},
    {"--scenario", true, BOTH},
    {"--seed", true, BOTH},
    {"--barrier", true, BOTH},
    {"--verify", false, BOTH},
    {"--fps", true, TUI_ONLY},
    {"--ascii", false, TUI_ONLY},
    {"--mono", false, TUI_ONLY},
    {"--frames", true, TUI_ONLY},
    {"--help", false, BOTH},
    {"--version", false, BOTH},
};

static int apply(cli_options *o, const char *f, const char *v, char *err,
                 size_t errlen)
{
	char q[TC_QUOTE_WORD];
	long long x;
	double d;
	int rc;

	if (!strcmp(f, "--headless"))
		o->headless = true;
	else if (!strcmp(f, "--json"))
		o->json = true;
	else if (!strcmp(f, "--verify"))
		o->eng.verify = true;
	else if (!strcmp(f, "--ascii"))
		o->tui.ascii = true;
	else if (!strcmp(f, "--mono"))
		o->tui.mono = true;
	else if (!strcmp(f, "--help"))
		o->help = true;
	else if (!strcmp(f, "--version"))
		o->version = true;
	else if (!strcmp(f, "--seconds"))
		return parse_double(f, v, 0, 86400, "0..86400", &o->seconds,
		                    err, errlen);
	else if (!strcmp(f, "--trace-units")) {
		if (!strcasecmp(v, "MB"))
			o->trace_shift = 20;
		else if (!strcasecmp(v, "KB"))
			o->trace_shift = 10;
		else
			return fail(err, errlen,
			            "%s: '%s' is not a unit (allowed MB or "
			            "KB)",
			            f, quote(q, v));
	} else if (!strcmp(f, "--mutators")) {
		if ((rc = parse_int(f, v, 1, TV_MAX_MUTATORS, &x, err, errlen)))
			return rc;
		o->eng.mutators = (int)x;
	} else if (!strcmp(f, "--rate")) {
		if (!strcmp(v, "max")) {
			o->eng.rate = TV_RATE_MAX;
			return 0;
		}
		if ((rc = parse_double(f, v, 1, 1e9, "1..1000000000 or max", &d,
		                       err, errlen)))
			return rc;
		o->eng.rate = d;
	} else if (!strcmp(f, "--gogc")) {
		if (!strcmp(v, "off")) {
			o->eng.gogc = TC_GOGC_OFF;
			return 0;
		}
		/* parse_int's message, less "or off", decides which. */
		char why[160];

		if (parse_int(f, v, 1, 10000, &x, why, sizeof(why)))
			return fail(err, errlen,
			            "%s: '%s' is %s (allowed 1..10000 or off)",
			            f, quote(q, v),
			            strstr(why, "not an integer")
			                ? "not an integer"
			                : "out of range");
		o->eng.gogc = (int)x;
	} else if (!strcmp(f, "--heap")) {
		return parse_size(f, v, &o->eng.heap_bytes, err, errlen);
	} else if (!strcmp(f, "--scenario")) {
		static const char pre[] = "--scenario: ";

		/* Read once, here: the run uses this, so a file that can be
		 * read only once (a pipe, <(...)) works, and every mistake in
		 * it is a usage error.  Its message goes straight after the
		 * prefix, with all the room the caller gave. */
		if (errlen <= sizeof(pre))
			return fail(err, errlen, "%s", pre);
		memcpy(err, pre, sizeof(pre));
		if (wl_scenario_load(v, &o->scen, err + sizeof(pre) - 1,
		                     errlen - (sizeof(pre) - 1)))
			return 2;
		o->eng.scenario = v;
		o->eng.loaded = &o->scen;
	} else if (!strcmp(f, "--seed")) {
		char *end;
		unsigned long long s;

		/* As parse_int: a sign is allowed, and a number past either
		 * end (strtoull takes "-1" as its negation, 2^64 - 1) is out
		 * of range, not "not an integer". */
		bool neg = *v == '-';
		errno = 0;
		s = strtoull(v, &end, 10);
		if (!isdigit((unsigned char)v[neg || *v == '+']) || *end ||
		    (errno && errno != ERANGE))
			return fail(err, errlen,
			            "%s: '%s' is not an integer (allowed "
			            "0..18446744073709551615)",
			            f, quote(q, v));
		if (errno == ERANGE || (neg && s != 0))
			return fail(err, errlen,
			            "%s: '%s' is out of range (allowed "
			            "0..18446744073709551615)",
			            f, quote(q, v));
		o->eng.seed = s;
	} else if (!strcmp(f, "--barrier")) {
		for (int i = 0; i < TC_BARRIER_NMODES; i++)
			if (!strcasecmp(v,
			                tc_barrier_name((tc_barrier_mode)i))) {
				o->eng.barrier = (tc_barrier_mode)i;
				return 0;
			}
		return fail(err, errlen,
		            "%s: '%s' is not a barrier mode (allowed hybrid, "
		            "dijkstra, yuasa or off)",
		            f, quote(q, v));
	} else if (!strcmp(f, "--fps")) {
		if ((rc = parse_int(f, v, 1, 120, &x, err, errlen)))
			return rc;
		o->tui.fps = (int)x;
	} else if (!strcmp(f, "--frames")) {
		if ((rc = parse_int(f, v, 0, 1000000000, &x, err, errlen)))
			return rc;
		o->tui.frames = (long)x;
	}
	return 0;
}

int cli_parse(int argc, char **argv, cli_options *o, char *err, size_t errlen)
{
	const char *tui_flag = NULL, *headless_flag = NULL;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32], q[TC_QUOTE_WORD];
		const struct flag *fl = NULL;
		size_t n;
		int rc;

		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			return fail(err, errlen,
			            "unexpected argument '%s' (options start "
			            "with --; see --help)",
			            quote(q, arg));
		eq = strchr(arg, '=');
		n = eq ? (size_t)(eq - arg) : strlen(arg);
		/* No flag is that long: the message shows what was given. */
		if (n >= sizeof(name))
			return fail(err, errlen,
			            "unknown option '%s' (see --help)",
			            quote_n(q, arg, n));
		memcpy(name, arg, n);
		name[n] = '\0';
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (!strcmp(flags[k].name, name))
				fl = &flags[k];
		if (!fl)
			return fail(err, errlen,
			            "unknown option '%s' (see --help)",
			            quote(q, name));
		if (fl->has_value) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return fail(err, errlen,
				            "%s needs a value (see --help)",
				            name);
		} else if (eq) {
			return fail(err, errlen, "%s takes no value", name);
		}
		if (fl->mode == TUI_ONLY && !tui_flag)
			tui_flag = fl->name;
		if (fl->mode == HEADLESS_ONLY &&
		    strcmp(fl->name, "--headless") && !headless_flag)
			headless_flag = fl->name;
		if ((rc = apply(o, name, val, err, errlen)))
			return rc;
	}
	if (o->help || o->version)
		return 0;
	if (o->headless && tui_flag)
		return fail(err, errlen,
		            "%s is a terminal option and cannot be combined "
		            "with --headless",
		            tui_flag);
	if (!o->headless && headless_flag)
		return fail(err, errlen, "%s needs --headless", headless_flag);
	return 0;
}
