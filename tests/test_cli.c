/*
 * test_cli.c - the command line: every bad value is rejected with a
 * message naming the flag and the allowed range; TUI-only flags do not mix
 * with --headless; and the real binary, run headless for a couple of
 * seconds, prints gctrace lines in Go's layout and a summary.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

static cli_options o;
static char err[320];

static int parse(const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "tricolor %s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	o.tui.fps = 30;
	cli_options_init(&o);
	err[0] = '\0';
	return cli_parse(argc, argv, &o, err, sizeof(err));
}

static void rejects(const char *line, const char *msg)
{
	ck_assert_msg(parse(line) == 2, "accepted: %s", line);
	ck_assert_msg(strcmp(err, msg) == 0,
	              "for '%s':\n got  '%s'\n want '%s'", line, err, msg);
}

START_TEST(test_defaults_and_good_values)
{
	ck_assert_int_eq(parse("--headless"), 0);
	ck_assert(o.headless);
	ck_assert_int_eq(o.eng.mutators, 4);
	ck_assert(o.eng.rate == TV_RATE_MAX);
	ck_assert_int_eq(o.eng.gogc, TV_GOGC_ENV); /* $GOGC, else 100 */
	ck_assert(o.seconds == 10);
	ck_assert_int_eq(o.trace_shift, 20);
	ck_assert_int_eq(o.tui.fps, 30); /* the caller's TUI defaults kept */

	ck_assert_int_eq(parse("--headless --seconds 1.5 --mutators 64 "
	                       "--rate 250 --gogc off --heap 16M "
	                       "--scenario cache --seed 99 --verify --json "
	                       "--trace-units KB --barrier yuasa"),
	                 0);
	ck_assert(o.seconds == 1.5);
	ck_assert_int_eq(o.eng.mutators, 64);
	ck_assert(o.eng.rate == 250);
	ck_assert_int_eq(o.eng.gogc, TC_GOGC_OFF);
	ck_assert_uint_eq(o.eng.heap_bytes, 16u << 20);
	ck_assert_str_eq(o.eng.scenario, "cache");
	ck_assert_uint_eq(o.eng.seed, 99);
	ck_assert(o.eng.verify && o.json);
	ck_assert_int_eq(o.trace_shift, 10);
	ck_assert_int_eq(o.eng.barrier, TC_BARRIER_YUASA);

	ck_assert_int_eq(parse("--rate=max --gogc=50 --heap=2G --fps=60 "
	                       "--ascii --mono --frames 100"),
	                 0);
	ck_assert(o.eng.rate == TV_RATE_MAX);
	ck_assert_int_eq(o.eng.gogc, 50);
	ck_assert_uint_eq(o.eng.heap_bytes, 2ull << 30);
	ck_assert_int_eq(o.tui.fps, 60);
	ck_assert(o.tui.ascii && o.tui.mono);
	ck_assert_int_eq(o.tui.frames, 100);
	ck_assert(!o.headless);

	ck_assert_int_eq(parse("--seed +18446744073709551615"), 0);
	ck_assert_uint_eq(o.eng.seed, UINT64_MAX);
	ck_assert_int_eq(parse("--heap 1048576"), 0);
	ck_assert_int_eq(parse("--heap 64GiB"), 0);
	ck_assert_int_eq(parse("--help"), 0);
	ck_assert(o.help);
	ck_assert_int_eq(parse("--version"), 0);
	ck_assert(o.version);
}
END_TEST

START_TEST(test_each_bad_value_names_flag_and_range)
{
	rejects("--mutators 0",
	        "--mutators: '0' is out of range (allowed 1..64)");
	rejects("--mutators 65",
	        "--mutators: '65' is out of range (allowed 1..64)");
	rejects("--mutators four",
	        "--mutators: 'four' is not an integer (allowed 1..64)");
	rejects("--mutators", "--mutators needs a value (see --help)");
	rejects("--rate 0",
	        "--rate: '0' is out of range (allowed 1..1000000000 or max)");
	rejects("--rate fast",
	        "--rate: 'fast' is not a number (allowed 1..1000000000 or "
	        "max)");
	rejects("--gogc 0",
	        "--gogc: '0' is out of range (allowed 1..10000 or off)");
	rejects("--gogc on",
	        "--gogc: 'on' is not an integer (allowed 1..10000 or off)");
	rejects("--gogc 10001",
	        "--gogc: '10001' is out of range (allowed 1..10000 or off)");
	rejects("--heap 512K",
	        "--heap: '512K' is out of range (allowed 1M..64G, e.g. 16M "
	        "or 2G)");
	rejects("--heap 65G",
	        "--heap: '65G' is out of range (allowed 1M..64G, e.g. 16M or "
	        "2G)");
	rejects("--heap lots",
	        "--heap: 'lots' is not a size (allowed 1M..64G, e.g. 16M or "
	        "2G)");
	rejects("--heap 16Q",
	        "--heap: '16Q' is not a size (allowed 1M..64G, e.g. 16M or "
	        "2G)");
	rejects("--scenario nosuch",
	        "--scenario: unknown scenario 'nosuch' (built-in: trees, "
	        "list, graph, cache, escape; or a path to a scenario file)");
	rejects("--seed -1", "--seed: '-1' is out of range (allowed "
	                     "0..18446744073709551615)");
	rejects("--seed 18446744073709551616",
	        "--seed: '18446744073709551616' is out of range (allowed "
	        "0..18446744073709551615)");
	rejects("--seed 0x10", "--seed: '0x10' is not an integer (allowed "
	                       "0..18446744073709551615)");
	rejects("--seed +", "--seed: '+' is not an integer (allowed "
	                    "0..18446744073709551615)");
	rejects("--barrier none", "--barrier: 'none' is not a barrier mode "
	                          "(allowed hybrid, dijkstra, yuasa or off)");
	rejects("--headless --seconds -1",
	        "--seconds: '-1' is out of range (allowed 0..86400)");
	rejects("--headless --seconds 1e9",
	        "--seconds: '1e9' is out of range (allowed 0..86400)");
	rejects("--headless --trace-units GB",
	        "--trace-units: 'GB' is not a unit (allowed MB or KB)");
	rejects("--fps 0", "--fps: '0' is out of range (allowed 1..120)");
	rejects("--fps 121", "--fps: '121' is out of range (allowed 1..120)");
	rejects("--frames -5",
	        "--frames: '-5' is out of range (allowed 0..1000000000)");
	rejects("--bogus", "unknown option '--bogus' (see --help)");
	rejects("-x", "unexpected argument '-x' (options start with --; see "
	              "--help)");
	rejects("trees", "unexpected argument 'trees' (options start with "
	                 "--; see --help)");
	rejects("--verify=yes", "--verify takes no value");
}
END_TEST

/* Found by fuzz/fuzz_cli: a long value or option name, quoted in full,
 * pushed the end of the message (the allowed values) out of the buffer,
 * or was cut to 31 bytes without a sign; a control character went to the
 * terminal as is; and a scenario file's message was cut at 200 bytes, so
 * a long path lost the list of known keys. */
START_TEST(test_messages_quote_words_short_and_escaped)
{
	char line[400], want[400], path[300], dir[200];
	int fd;

	snprintf(line, sizeof(line), "--mutators x%0299d", 0);
	snprintf(want, sizeof(want),
	         "--mutators: 'x%039d...' is not an integer (allowed 1..64)",
	         0);
	rejects(line, want);
	snprintf(line, sizeof(line), "--gogc 1%0299d", 0);
	snprintf(want, sizeof(want),
	         "--gogc: '1%039d...' is out of range (allowed 1..10000 or "
	         "off)",
	         0);
	rejects(line, want);
	snprintf(line, sizeof(line), "--mutators%060d=4", 0);
	snprintf(want, sizeof(want),
	         "unknown option '--mutators%030d...' (see --help)", 0);
	rejects(line, want);
	rejects("--barrier \x1b]0;pwned\x07",
	        "--barrier: '\\x1b]0;pwned\\x07' is not a barrier mode "
	        "(allowed hybrid, dijkstra, yuasa or off)");

	snprintf(dir, sizeof(dir), "/tmp/tc-test-%0120d-XXXXXX", 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.scn", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "program graph\nwdith 3\n", 22), 22);
	close(fd);
	snprintf(line, sizeof(line), "--scenario %s", path);
	snprintf(want, sizeof(want),
	         "--scenario: ...%s:2: unknown key 'wdith' for program "
	         "graph (known: program, name, nodes, edges, payload, "
	         "replace_pct, hold_pct, walk_pct)",
	         path + strlen(path) - 64);
	rejects(line, want);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* strtod reports ERANGE for an underflow too: 1e-400 is a number next
 * to 0, within 0..86400, and was said to be out of range. */
START_TEST(test_underflow_is_a_tiny_number_not_out_of_range)
{
	ck_assert_int_eq(parse("--headless --seconds 1e-400"), 0);
	ck_assert(o.seconds >= 0 && o.seconds < 1e-300);
	rejects("--rate 1e-400",
	        "--rate: '1e-400' is out of range (allowed 1..1000000000 or "
	        "max)");
	rejects("--headless --seconds 1e400",
	        "--seconds: '1e400' is out of range (allowed 0..86400)");
}
END_TEST

START_TEST(test_mode_mixing_rejected)
{
	rejects("--headless --fps 10", "--fps is a terminal option and "
	                               "cannot be combined with --headless");
	rejects("--ascii --headless", "--ascii is a terminal option and "
	                              "cannot be combined with --headless");
	rejects("--headless --mono", "--mono is a terminal option and cannot "
	                             "be combined with --headless");
	rejects("--headless --frames 3", "--frames is a terminal option and "
	                                 "cannot be combined with "
	                                 "--headless");
	rejects("--json", "--json needs --headless");
	rejects("--seconds 3", "--seconds needs --headless");
	rejects("--trace-units KB", "--trace-units needs --headless");
}
END_TEST

START_TEST(test_bad_scenario_file_names_line)
{
	char path[] = "/tmp/tc-test-XXXXXX.scn";
	int fd = mkstemps(path, 4);
	char want[400];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(write(fd, "program trees\n\nshort_depth 40\n", 30), 0);
	close(fd);
	snprintf(want, sizeof(want), "--scenario %s", path);
	ck_assert_int_eq(parse(want), 2);
	snprintf(want, sizeof(want),
	         "--scenario: %s:3: short_depth 40 out of range 0..16", path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

/* A scenario file is read once, when the option is parsed, and the run
 * uses what was read: the engine must not open it again. */
START_TEST(test_scenario_file_is_loaded_once_by_the_parser)
{
	char path[] = "/tmp/tc-test-XXXXXX.scn";
	int fd = mkstemps(path, 4);
	const char *text = "program graph\nname once\n";
	char line[400];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(line, sizeof(line), "--scenario %s", path);
	ck_assert_int_eq(parse(line), 0);
	unlink(path); /* gone: only what was read can run */
	ck_assert_str_eq(o.eng.scenario, path);
	ck_assert_ptr_nonnull(o.eng.loaded);
	ck_assert_str_eq(o.eng.loaded->name, "once");
	ck_assert_int_eq(o.eng.loaded->program, WL_GRAPH);
	/* A built-in name needs no file: loaded too, from the table. */
	ck_assert_int_eq(parse("--scenario cache"), 0);
	ck_assert_ptr_nonnull(o.eng.loaded);
	ck_assert_int_eq(o.eng.loaded->program, WL_CACHE);
}
END_TEST

/* Read what was written to f (at most len - 1 bytes) and close it. */
static size_t slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* The longest-pause line of the headless summary for *pm. */
static const char *longest_pause(const tc_pause_info *pm)
{
	static char line[1024];
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	cli_print_longest_pause(pm, f);
	slurp(f, line, sizeof(line));
	return line;
}

/* "none still running at 0.050 ms" is what the collector's look found:
 * without a look (late_look_ns 0) the line says nothing about it, even
 * when the last mutator stopped after that time. */
START_TEST(test_longest_pause_names_the_look_only_when_taken)
{
	tc_pause_info pm;

	memset(&pm, 0, sizeof(pm));
	pm.ns = 53000;
	pm.reach_ns = pm.last_stop_ns = 52000;
	pm.gc_cpu_ns = 10000;
	ck_assert_str_eq(longest_pause(&pm),
	                 "  longest pause  0.053 ms: every mutator stopped at "
	                 "0.052 ms (the last at 0.052); collector CPU 0.010 "
	                 "ms\n");
	/* The look taken, and every mutator already stopped then. */
	pm.late_look_ns = 61000;
	pm.reach_ns = pm.last_stop_ns = 62000;
	ck_assert_msg(strstr(longest_pause(&pm),
	                     "(the last at 0.062); none still running at "
	                     "0.061 ms; collector CPU"),
	              "%s", longest_pause(&pm));
	/* The look taken, two mutators still running. */
	pm.late = 2;
	ck_assert_msg(strstr(longest_pause(&pm), "; 2 still running at "
	                                         "0.061 ms, then at most"),
	              "%s", longest_pause(&pm));
}
END_TEST

/* Run the real binary; capture stdout and stderr (through temporary
 * files, so that a chatty child never blocks on a full pipe), keeping the
 * first outlen/errlen bytes.  Returns the exit status. */
static int run_sig(const char *const argv[], char *out, size_t outlen,
                   char *errbuf, size_t errlen, int kill_after_ms, int sig)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int status;
	pid_t pid;

	ck_assert(fo && fe);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (kill_after_ms) {
		usleep((useconds_t)kill_after_ms * 1000);
		kill(pid, sig);
	}
	waitpid(pid, &status, 0);
	slurp(fo, out, outlen);
	slurp(fe, errbuf, errlen);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int run(const char *const argv[], char *out, size_t outlen, char *errbuf,
               size_t errlen, int kill_after_ms)
{
	return run_sig(argv, out, outlen, errbuf, errlen, kill_after_ms,
	               SIGINT);
}

static char bin[512];

static void find_binary(void)
{
	const char *b = getenv("top_builddir");

	snprintf(bin, sizeof(bin), "%s/tricolor", b ? b : ".");
}

/* Go's gctrace line (runtime/mgc.go, GODEBUG=gctrace=1). */
static const char *gctrace_re =
    "^gc [0-9]+ @[0-9]+\\.[0-9]{3}s [0-9]+%: "
    "[0-9.]+\\+[0-9.]+\\+[0-9.]+ ms clock, "
    "[0-9.]+\\+[0-9.]+/[0-9.]+/[0-9.]+\\+[0-9.]+ ms cpu, "
    "[0-9]+->[0-9]+->[0-9]+ (MB|KB), [0-9]+ (MB|KB) goal, "
    "[0-9]+ (MB|KB) stacks, [0-9]+ (MB|KB) globals, [0-9]+ P"
    "( \\(forced\\))?$";

START_TEST(test_binary_prints_go_gctrace_lines)
{
	static char out[65536], errb[1 << 20];
	const char *argv[] = {bin,        "--headless", "--seconds",  "2",
	                      "--gogc",   "25",         "--mutators", "3",
	                      "--verify", "--scenario", "list",       NULL};
	regex_t re;
	int lines = 0, n = 0;

	find_binary();
	ck_assert_int_eq(regcomp(&re, gctrace_re, REG_EXTENDED | REG_NOSUB), 0);
	/* The library's own gctrace (GODEBUG) stays off in the demo: each
	 * cycle is printed once, by the front end. */
	setenv("GODEBUG", "gctrace=1", 1);
	ck_assert_int_eq(run(argv, out, sizeof(out), errb, sizeof(errb), 0), 0);
	unsetenv("GODEBUG");
	for (char *l = strtok(errb, "\n"); l; l = strtok(NULL, "\n")) {
		ck_assert_msg(regexec(&re, l, 0, NULL, 0) == 0,
		              "not a gctrace line: '%s'", l);
		lines++;
		ck_assert_int_eq(sscanf(l, "gc %d ", &n), 1);
		ck_assert_int_eq(n, lines); /* numbered from 1, none lost */
	}
	ck_assert_int_ge(lines, 2);
	ck_assert_msg(strstr(out, "verifier       on: ") &&
	                  strstr(out, " 0 violations") &&
	                  strstr(out, "result         ok"),
	              "summary: %s", out);
	/* The longest pause, taken apart: its record is the pause the
	 * summary's max names, and every mutator stopped within it. */
	double max = -1, longest = -2, reach = -3, gc_cpu = -4;
	const char *p = strstr(out, "  pauses         ");
	const char *q = strstr(out, "  longest pause  ");
	ck_assert_msg(p && q, "summary: %s", out);
	ck_assert_int_eq(sscanf(p, "  pauses %*u: p50 %*f ms, p99 %*f ms, "
	                           "max %lf ms",
	                        &max),
	                 1);
	ck_assert_int_eq(sscanf(q, "  longest pause %lf ms: ", &longest), 1);
	/* A wait for the scheduler's lock, if it was long, comes first. */
	const char *r = strstr(q, "every mutator stopped at ");
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(memchr(q, '\n', (size_t)(r - q)));
	ck_assert_int_eq(sscanf(r, "every mutator stopped at %lf ms", &reach),
	                 1);
	const char *c = strstr(q, "collector CPU ");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(sscanf(c, "collector CPU %lf ms", &gc_cpu), 1);
	ck_assert_double_eq_tol(longest, max, 0.0005);
	ck_assert_double_le(reach, longest);
	ck_assert_double_ge(gc_cpu, 0);
	regfree(&re);
}
END_TEST

/* JSON text `out` has `"key": ` followed by a number or null. */
static void expect_number_or_null(const char *out, const char *key)
{
	char want[64];
	snprintf(want, sizeof want, "\"%s\": ", key);
	const char *v = strstr(out, want);
	ck_assert_msg(v, "no %s in %s", key, out);
	v += strlen(want);
	ck_assert_msg(strncmp(v, "null,", 5) == 0 || (*v >= '0' && *v <= '9'),
	              "%s: %s", key, out);
}

START_TEST(test_binary_kb_units_json_and_sigint)
{
	static char out[65536], errb[1 << 20];
	const char *argv[] = {
	    bin,      "--headless", "--seconds",     "0",  "--heap", "8M",
	    "--gogc", "50",         "--trace-units", "KB", "--json", NULL};
	regex_t re;

	find_binary();
	ck_assert_int_eq(regcomp(&re, gctrace_re, REG_EXTENDED | REG_NOSUB), 0);
	/* --seconds 0 runs until a signal; SIGINT still gives a summary. */
	ck_assert_int_eq(run(argv, out, sizeof(out), errb, sizeof(errb), 1500),
	                 0);
	char *first = strtok(errb, "\n");
	ck_assert_ptr_nonnull(first);
	ck_assert_msg(regexec(&re, first, 0, NULL, 0) == 0, "%s", first);
	ck_assert_msg(strstr(first, " KB, "), "%s", first);
	ck_assert_msg(out[0] == '{' &&
	                  strstr(out, "\"stopped_by_signal\": "
	                              "true") &&
	                  strstr(out, "\"result\": \"ok\"}") &&
	                  strstr(out, "\"pause_p99_ms\": ") &&
	                  strstr(out, "\"stop_p99_ms\": ") &&
	                  strstr(out, "\"stop_max_ms\": ") &&
	                  strstr(out, "\"pause_max_late_cpu_ms\": ") &&
	                  strstr(out, "\"pause_max_lock_ms\": "),
	              "%s", out);
	/* Numbers, or null when not measured: no late mutator, no
	 * schedstat, or no late mutator moved. */
	expect_number_or_null(out, "pause_max_late_wait_ms");
	expect_number_or_null(out, "pause_max_gc_wait_ms");
	expect_number_or_null(out, "pause_max_nudge_ms");
	/* null unless the collector waited 50 us for the scheduler's lock. */
	expect_number_or_null(out, "pause_max_lock_holder");
	expect_number_or_null(out, "pause_max_lock_cpu_ms");
	expect_number_or_null(out, "pause_max_lock_wait_ms");
	expect_number_or_null(out, "pause_max_lock_gc_wait_ms");
	/* null unless the collector slept until its look. */
	expect_number_or_null(out, "pause_max_sleep_late_ms");
	expect_number_or_null(out, "pause_max_sleep_switches");
	regfree(&re);
}
END_TEST

START_TEST(test_binary_sigterm_still_prints_summary)
{
	static char out[65536], errb[1 << 20];
	const char *argv[] = {bin, "--headless", "--seconds", "60", NULL};

	find_binary();
	ck_assert_int_eq(
	    run_sig(argv, out, sizeof(out), errb, sizeof(errb), 1000, SIGTERM),
	    0);
	ck_assert_msg(strstr(out, "(stopped by signal)") &&
	                  strstr(out, "result         ok"),
	              "%s", out);
}
END_TEST

START_TEST(test_binary_exit_codes)
{
	static char out[65536], errb[65536];
	const char *bad[] = {bin, "--headless", "--mutators", "0", NULL};
	const char *help[] = {bin, "--help", NULL};
	const char *ver[] = {bin, "--version", NULL};
	const char *mix[] = {bin, "--headless", "--fps", "5", NULL};

	find_binary();
	ck_assert_int_eq(run(bad, out, sizeof(out), errb, sizeof(errb), 0), 2);
	ck_assert_str_eq(errb, "tricolor: --mutators: '0' is out of range "
	                       "(allowed 1..64)\n");
	ck_assert_int_eq(run(mix, out, sizeof(out), errb, sizeof(errb), 0), 2);
	ck_assert(strstr(errb, "--fps is a terminal option"));
	ck_assert_int_eq(run(help, out, sizeof(out), errb, sizeof(errb), 0), 0);
	ck_assert(strstr(out, "usage: tricolor"));
	ck_assert(strstr(out, "--trace-units"));
	/* The demo's status does not report lost objects (main.c). */
	ck_assert_msg(strstr(out, "Exit status: 0 ok; 1 a fatal error, or "
	                          "with --headless a verifier or\nworkload "
	                          "failure or a full heap (the demo shows "
	                          "those on screen);\n2 bad usage.\n"),
	              "%s", out);
	/* --frames 0 is accepted: say what it means. */
	ck_assert_msg(strstr(out, "--frames N        quit after N frames, "
	                          "0..1000000000, 0 = never (default)\n"),
	              "%s", out);
	ck_assert_int_eq(run(ver, out, sizeof(out), errb, sizeof(errb), 0), 0);
	ck_assert(strncmp(out, "tricolor ", 9) == 0);
}
END_TEST

/* GOGC in the environment is the initial GOGC; --gogc wins over it. */
START_TEST(test_binary_takes_gogc_from_the_environment)
{
	static char out[65536], errb[1 << 20];
	const char *env[] = {bin, "--headless", "--seconds", "0.3", NULL};
	const char *flag[] = {bin,      "--headless", "--seconds", "0.3",
	                      "--gogc", "50",         NULL};

	find_binary();
	setenv("GOGC", "off", 1);
	ck_assert_int_eq(run(env, out, sizeof(out), errb, sizeof(errb), 0), 0);
	ck_assert_msg(strstr(out, ", GOGC off, "), "%s", out);
	ck_assert_int_eq(run(flag, out, sizeof(out), errb, sizeof(errb), 0), 0);
	unsetenv("GOGC");
	ck_assert_msg(strstr(out, ", GOGC 50, "), "%s", out);
}
END_TEST

/* TRICOLOR_VERIFY=1 turns the verifier on without --verify: the summary
 * says so, as text and as JSON.  GOGC 10 (a 400 KiB minimum heap) so
 * that the half second holds cycles for it to check: at the default
 * 4 MiB, a ThreadSanitizer build finished one cycle in it when alone and
 * none with both CPUs busy (CI's parallel make check: runs == 0). */
START_TEST(test_binary_summary_reports_the_verifier_the_environment_set)
{
	static char out[65536], errb[1 << 20];
	const char *text[] = {bin,      "--headless", "--seconds", "0.5",
	                      "--gogc", "10",         NULL};
	const char *json[] = {bin,      "--headless", "--seconds", "0.5",
	                      "--gogc", "10",         "--json",    NULL};
	unsigned long long runs = 0;
	const char *v;

	find_binary();
	setenv("TRICOLOR_VERIFY", "1", 1);
	ck_assert_int_eq(run(text, out, sizeof(out), errb, sizeof(errb), 0), 0);
	ck_assert_msg(strstr(out, "verifier       on: "), "%s", out);
	ck_assert_int_eq(run(json, out, sizeof(out), errb, sizeof(errb), 0), 0);
	unsetenv("TRICOLOR_VERIFY");
	v = strstr(out, "\"verify\": ");
	ck_assert_msg(v && sscanf(v, "\"verify\": true, \"verify_runs\": %llu",
	                          &runs) == 1,
	              "%s", out);
	ck_assert_uint_gt(runs, 0);
	/* On with no cycle to run it in (GOGC off, and an arena that half
	 * a second of allocation does not fill): still on. */
	const char *nocycle[] = {bin,      "--headless", "--seconds", "0.5",
	                         "--heap", "4G",         NULL};
	setenv("TRICOLOR_VERIFY", "1", 1);
	setenv("GOGC", "off", 1);
	ck_assert_int_eq(
	    run(nocycle, out, sizeof(out), errb, sizeof(errb), 0), 0);
	unsetenv("GOGC");
	unsetenv("TRICOLOR_VERIFY");
	ck_assert_msg(strstr(out, "verifier       on: 0 runs"), "%s", out);
}
END_TEST

START_TEST(test_binary_says_one_mutator_in_the_singular)
{
	static char out[65536], errb[1 << 20];
	const char *one[] = {bin, "--headless", "--seconds", "0.2",
	                     "--mutators", "1", NULL};

	find_binary();
	ck_assert_int_eq(run(one, out, sizeof(out), errb, sizeof(errb), 0), 0);
	ck_assert_msg(strstr(out, "trees, 1 mutator, rate"), "%s", out);
}
END_TEST

/* Run `sh -c script` with the binary's path in $TRICOLOR; capture stdout
 * and stderr together.  Returns the exit status. */
static int run_sh(const char *script, char *out, size_t outlen)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int status;

	setenv("TRICOLOR", bin, 1);
	snprintf(cmd, sizeof(cmd), "(%s) 2>&1", script);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A scenario file that can be read only once (a pipe, <(...)) runs. */
START_TEST(test_binary_reads_scenario_from_a_pipe)
{
	static char out[1 << 20];

	find_binary();
	ck_assert_int_eq(run_sh("printf 'program list\\n' | \"$TRICOLOR\" "
	                        "--headless --scenario /dev/stdin "
	                        "--seconds 0.3",
	                        out, sizeof(out)),
	                 0);
	ck_assert_msg(strstr(out, "tricolor headless: scenario stdin, ") &&
	                  strstr(out, "result         ok"),
	              "%s", out);
	/* A mistake in it is a usage error, named after the option. */
	ck_assert_int_eq(run_sh("printf 'program heap\\n' | \"$TRICOLOR\" "
	                        "--headless --scenario /dev/stdin "
	                        "--seconds 0.3",
	                        out, sizeof(out)),
	                 2);
	ck_assert_str_eq(out, "tricolor: --scenario: /dev/stdin:1: unknown "
	                      "program 'heap' (one of: trees, list, graph, "
	                      "cache, escape)\n");
}
END_TEST

START_TEST(test_binary_lost_objects_exit_1)
{
	static char out[65536], errb[1 << 20];
	char scn[512];
	const char *src = getenv("top_srcdir");
	const char *argv[] = {bin,         "--headless", "--seconds",  "3",
	                      "--barrier", "off",        "--gogc",     "10",
	                      "--heap",    "8M",         "--scenario", scn,
	                      NULL};

	snprintf(scn, sizeof(scn), "%s/demos/lost-objects.scn",
	         src ? src : ".");
	find_binary();
	/* Barrier off turns the verifier on; it finds lost objects. */
	ck_assert_int_eq(run(argv, out, sizeof(out), errb, sizeof(errb), 0), 1);
	ck_assert_msg(strstr(out, "result         verifier found lost "
	                          "objects") &&
	                  strstr(out, "verifier       on: "),
	              "%s", out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *t = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_add_test(t, test_defaults_and_good_values);
	tcase_add_test(t, test_each_bad_value_names_flag_and_range);
	tcase_add_test(t, test_messages_quote_words_short_and_escaped);
	tcase_add_test(t, test_underflow_is_a_tiny_number_not_out_of_range);
	tcase_add_test(t, test_mode_mixing_rejected);
	tcase_add_test(t, test_bad_scenario_file_names_line);
	tcase_add_test(t, test_scenario_file_is_loaded_once_by_the_parser);
	tcase_add_test(t, test_longest_pause_names_the_look_only_when_taken);
	suite_add_tcase(s, t);
	t = tcase_create("binary");
	tcase_add_test(t, test_binary_prints_go_gctrace_lines);
	tcase_add_test(t, test_binary_kb_units_json_and_sigint);
	tcase_add_test(t, test_binary_sigterm_still_prints_summary);
	tcase_add_test(t, test_binary_exit_codes);
	tcase_add_test(t, test_binary_lost_objects_exit_1);
	tcase_add_test(t, test_binary_reads_scenario_from_a_pipe);
	tcase_add_test(t, test_binary_takes_gogc_from_the_environment);
	tcase_add_test(
	    t, test_binary_summary_reports_the_verifier_the_environment_set);
	tcase_add_test(t, test_binary_says_one_mutator_in_the_singular);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
