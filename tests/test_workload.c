/*
 * test_workload.c - scenario files (parse errors name file and line;
 * built-ins and demos load; format round-trips) and the checked objects
 * that catch a live object freed and reused without trusting the
 * collector.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload/workload.h"

static char err[256];
static wl_scenario sc;

static void bad(const char *text, const char *want)
{
	int rc = wl_scenario_parse(text, "t.scn", &sc, err, sizeof(err));

	ck_assert_msg(rc == -1, "accepted: %s", text);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' lacks '%s'", err,
	              want);
}

START_TEST(test_parse_minimal_and_defaults)
{
	ck_assert_int_eq(wl_scenario_parse("program list\n", "dir/q.scn", &sc,
	                                   err, sizeof(err)),
	                 0);
	ck_assert_int_eq(sc.program, WL_LIST);
	ck_assert_str_eq(sc.name, "q"); /* from the file name */
	ck_assert_int_eq(sc.param[0], 16);
	ck_assert_int_eq(sc.param[1], 512);
}
END_TEST

START_TEST(test_parse_comments_names_params)
{
	const char *t = "# a deep tree\n"
	                "\n"
	                "program trees   # the program\n"
	                "name deep-trees\n"
	                "  long_depth 14\n"
	                "short_depth\t3\n";

	ck_assert_int_eq(wl_scenario_parse(t, "x.scn", &sc, err, sizeof(err)),
	                 0);
	ck_assert_str_eq(sc.name, "deep-trees");
	ck_assert_int_eq(sc.param[0], 14);
	ck_assert_int_eq(sc.param[1], 3);
}
END_TEST

START_TEST(test_parse_errors_name_the_line)
{
	bad("", "t.scn: no `program` line");
	bad("# only a comment\n", "no `program` line");
	bad("program heap\n", "t.scn:1: unknown program 'heap'");
	bad("\n\nprogram trees\nlong_depth 99\n",
	    "t.scn:4: long_depth 99 out of range 0..18");
	bad("program trees\nwidth 3\n", "t.scn:2: unknown key 'width' for "
	                                "program trees");
	bad("program trees\nlong_depth\n", "t.scn:2: expected `key value`");
	bad("program trees\nlong_depth 3 4\n", "t.scn:2: expected `key "
	                                       "value`");
	bad("program trees\nlong_depth ten\n",
	    "t.scn:2: long_depth: 'ten' is not an integer");
	bad("program trees\nlong_depth 3x\n", "'3x' is not an integer");
	bad("program trees\nlong_depth ten\n", "(allowed 0..18)");
	/* Too big for any integer type: out of range, as the flags say. */
	bad("program trees\nlong_depth 99999999999999999999\n",
	    "t.scn:2: long_depth 99999999999999999999 out of range 0..18");
	bad("program trees\nlong_depth -99999999999999999999\n",
	    "t.scn:2: long_depth -99999999999999999999 out of range 0..18");
	bad("long_depth 3\nprogram trees\n", "t.scn:1: 'long_depth' before "
	                                     "`program`");
	bad("program trees\nprogram list\n", "t.scn:2: program given twice");
	bad("program trees\nlong_depth 3\nlong_depth 4\n",
	    "t.scn:3: long_depth given twice (first on line 2)");
	bad("program list\nlen_max 10\nlen_min 20\n",
	    "t.scn:3: len_min 20 is greater than len_max 10");
	bad("program trees\nname bad/name\n", "t.scn:2: bad name");
	bad("program cache\nvalue_min 900\nvalue_max 100\n",
	    "t.scn:3: value_min 900 is greater than value_max 100");
}
END_TEST

/* Found by fuzz/fuzz_scenario: a word quoted in full (up to 255 bytes of
 * a line) pushed the end of the message, which says what is allowed, out
 * of the caller's buffer; a control character in it went to the terminal
 * as is; and more than two words on a line were counted as 3. */
static void bad_exactly(const char *text, const char *fname, const char *want)
{
	int rc = wl_scenario_parse(text, fname, &sc, err, sizeof(err));

	ck_assert_msg(rc == -1, "accepted: %s", text);
	ck_assert_str_eq(err, want);
}

START_TEST(test_parse_errors_quote_words_short_and_escaped)
{
	char text[400], fname[200], want[400];
	const char *known = "(known: program, name, long_depth, "
	                    "short_depth, payload, check_every)";

	bad_exactly("program trees\nlong_depth 3 4 5 6\n", "t.scn",
	            "t.scn:2: expected `key value`, got 5 words");
	snprintf(text, sizeof(text), "program trees\n%0200d 1\n", 0);
	snprintf(want, sizeof(want),
	         "t.scn:2: unknown key '%040d...' for program trees %s", 0,
	         known);
	bad_exactly(text, "t.scn", want);
	snprintf(text, sizeof(text), "program trees\nlong_depth 1%0240d\n", 0);
	snprintf(want, sizeof(want),
	         "t.scn:2: long_depth 1%039d... out of range 0..18", 0);
	bad_exactly(text, "t.scn", want);
	snprintf(want, sizeof(want),
	         "t.scn:2: unknown key '\\x1b[2J' for program trees %s", known);
	bad_exactly("program trees\n\x1b[2J 1\n", "t.scn", want);
	/* A long path: its end, which names the file, is kept. */
	snprintf(fname, sizeof(fname), "/%0100d/deep.scn", 0);
	snprintf(want, sizeof(want),
	         "...%055d/deep.scn:1: unknown program 'heap' (one of: "
	         "trees, list, graph, cache, escape)",
	         0);
	bad_exactly("program heap\n", fname, want);
}
END_TEST

/* Editors on some systems start a UTF-8 file with a byte order mark,
 * which is invisible in the message it would cause. */
START_TEST(test_parse_skips_a_leading_utf8_bom)
{
	ck_assert_msg(wl_scenario_parse("\xef\xbb\xbfprogram list\n", "bom.scn",
	                                &sc, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_int_eq(sc.program, WL_LIST);
	/* Only at the very start: elsewhere it is part of a word. */
	bad("program list\n\xef\xbb\xbflen_max 9\n", "t.scn:2: unknown key");
}
END_TEST

START_TEST(test_load_builtins_files_and_errors)
{
	char path[512];
	const char *srcdir = getenv("top_srcdir");

	for (int i = 0; i < wl_builtin_count(); i++) {
		ck_assert_int_eq(
		    wl_scenario_load(wl_builtin_name(i), &sc, err, sizeof(err)),
		    0);
		ck_assert_str_eq(sc.name, wl_builtin_name(i));
	}
	ck_assert_int_eq(wl_scenario_load("nosuch", &sc, err, sizeof(err)), -1);
	ck_assert(strstr(err, "unknown scenario 'nosuch'"));
	ck_assert_int_eq(
	    wl_scenario_load("/nonexistent/x.scn", &sc, err, sizeof(err)), -1);
	ck_assert(strstr(err, "/nonexistent/x.scn: No such file"));
	/* A directory opens for reading; say what it is, not "read
	 * error". */
	char dir[] = "/tmp/tc-test-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(wl_scenario_load(dir, &sc, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s: is a directory, not a scenario file",
	         dir);
	ck_assert_str_eq(err, path);
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/demos/deep-trees.scn",
	         srcdir ? srcdir : ".");
	ck_assert_msg(wl_scenario_load(path, &sc, err, sizeof(err)) == 0, "%s",
	              err);
	ck_assert_str_eq(sc.name, "deep-trees");
	ck_assert_int_eq(sc.program, WL_TREES);
}
END_TEST

START_TEST(test_format_round_trips)
{
	char buf[1024];
	wl_scenario back;

	for (int i = 0; i < wl_builtin_count(); i++) {
		wl_builtin(i, &sc);
		ck_assert_int_lt(wl_scenario_format(&sc, buf, sizeof(buf)),
		                 (int)sizeof(buf));
		ck_assert_int_eq(
		    wl_scenario_parse(buf, "rt", &back, err, sizeof(err)), 0);
		ck_assert_mem_eq(&back, &sc, sizeof(sc));
	}
}
END_TEST

/* A runtime for the workload programs (their globals), the collector
 * thread running or not, the verifier on (or as $TRICOLOR_VERIFY says). */
static tc_runtime *wl_runtime(bool background, bool verify)
{
	tc_config cfg;
	tc_config_init(&cfg);
	cfg.background = background;
	if (verify)
		cfg.verify = true;
	cfg.nglobals = WL_NGLOBALS;
	tc_runtime *rt = tc_runtime_new(&cfg, NULL);
	ck_assert_ptr_nonnull(rt);
	return rt;
}

/* Start builtin program p on a fresh mutator of rt. */
static void wl_start_builtin(wl_mutator *w, tc_runtime *rt, int p,
			     uint64_t seed)
{
	memset(w, 0, sizeof *w);
	ck_assert_int_eq(wl_builtin(p, &sc), 0);
	ck_assert_int_eq(wl_start(w, tc_attach(rt, "t"), 0, &sc, seed), 0);
}

/* Checked objects on a real runtime: a freed-and-reused object is caught
 * by its serial even though magic and checksum are sound. */
START_TEST(test_checked_objects_catch_reuse)
{
	tc_runtime *rt = wl_runtime(false, false);
	wl_mutator w;
	void *a, *b, *c;

	wl_start_builtin(&w, rt, 0, 1); /* trees: K_TREE has 2 */
	ck_assert_int_eq(tc_push(w.m, "t", 4), 0);
	a = wl_obj_new(&w, 1, 1, 7, 40);
	b = wl_obj_new(&w, 2, 1, 8, 40);
	c = wl_obj_new(&w, 3, 1, 9, 40);
	ck_assert(wl_obj_check(&w, a, 1, "a"));
	wl_obj_link(&w, a, 1, 0, b, 1);
	ck_assert_ptr_eq(wl_obj_get(&w, a, 1, 0, 1, "a.0"), b);
	ck_assert_int_eq(wl_obj_value(&w, b, 1), 8);
	ck_assert_uint_eq(atomic_load(&w.failures), 0);
	/* Swap the field behind the bookkeeping's back, as a reuse would:
	 * c is a sound object, but not the one linked. */
	tc_write(w.m, a, 0, c);
	ck_assert_ptr_null(wl_obj_get(&w, a, 1, 0, 1, "a.0"));
	ck_assert_uint_eq(atomic_load(&w.failures), 1);
	ck_assert(strstr(w.failmsg, "freed and reused"));
	/* Poisoned memory: the magic is gone. */
	((uint64_t *)tc_scalars(c, 2))[0] = 0xdeadbeefdeadbeefull;
	ck_assert(!wl_obj_check(&w, c, 1, "c"));
	ck_assert(strstr(w.failmsg, "lost its magic"));
	/* A flipped payload byte: the checksum. */
	((uint8_t *)tc_scalars(b, 2))[4 * 8 + 2 * 8 + 3] ^= 1;
	ck_assert(!wl_obj_check(&w, b, 1, "b"));
	ck_assert(strstr(w.failmsg, "checksum"));
	ck_assert_uint_eq(atomic_load(&w.failures), 3);
	tc_pop(w.m);
	wl_stop(&w);
	tc_detach(w.m);
	tc_runtime_free(rt);
}
END_TEST

/* One operation per wl_step: the tc stack depth moves by at most one. */
START_TEST(test_step_is_one_operation)
{
	tc_runtime *rt = wl_runtime(true, true);
	wl_mutator w;

	for (int p = 0; p < wl_builtin_count(); p++) {
		int maxd = 0;

		wl_start_builtin(&w, rt, p, 3);
		for (int i = 0; i < 20000; i++) {
			int d0 = tc_depth(w.m), d1;

			ck_assert_int_eq(wl_step(&w), 0);
			tc_safepoint(w.m);
			d1 = tc_depth(w.m);
			ck_assert_msg(d1 - d0 <= 1 && d0 - d1 <= 1,
			              "%s: depth %d -> %d in one step", sc.name,
			              d0, d1);
			if (d1 > maxd)
				maxd = d1;
		}
		ck_assert_msg(maxd >= 2, "%s never called", sc.name);
		ck_assert_uint_eq(atomic_load(&w.ops), 20000);
		ck_assert_uint_eq(atomic_load(&w.failures), 0);
		wl_stop(&w);
		ck_assert_int_eq(tc_depth(w.m), 0);
		ck_assert_ptr_null(tc_get_global(rt, wl_slot_global(0, 0)));
		tc_detach(w.m);
	}
	tc_runtime_free(rt);
}
END_TEST

/* A frame at a pc its function lacks is reported, by program, function
 * and pc, and the program goes on, in every program. */
START_TEST(test_bad_pc_is_reported_and_resumed)
{
	tc_runtime *rt = wl_runtime(false, false);
	wl_mutator w;

	for (int p = 0; p < wl_builtin_count(); p++) {
		char want[64];

		wl_start_builtin(&w, rt, p, 5);
		/* Past main's set-up, and back in main's frame. */
		int i = 0;
		do
			ck_assert_int_eq(wl_step(&w), 0);
		while (++i < 100 || tc_depth(w.m) != 1);
		tc_set_int(w.m, 0, 999);
		ck_assert_int_eq(wl_step(&w), 0);
		ck_assert_uint_eq(atomic_load(&w.failures), 1);
		snprintf(want, sizeof want, "%s: main at bad pc 999", sc.name);
		ck_assert_str_eq(w.failmsg, want);
		ck_assert_int_ne(tc_get_int(w.m, 0), 999); /* resumed */
		/* It goes on (its checks may complain about state the lost
		 * frame left half done, which is what they are for). */
		for (i = 0; i < 1000; i++)
			ck_assert_int_eq(wl_step(&w), 0);
		wl_stop(&w);
		tc_detach(w.m);
	}
	tc_runtime_free(rt);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workload");
	TCase *t = tcase_create("scenario files");
	SRunner *sr;
	int failed;

	tcase_add_test(t, test_parse_minimal_and_defaults);
	tcase_add_test(t, test_parse_comments_names_params);
	tcase_add_test(t, test_parse_errors_name_the_line);
	tcase_add_test(t, test_parse_errors_quote_words_short_and_escaped);
	tcase_add_test(t, test_parse_skips_a_leading_utf8_bom);
	tcase_add_test(t, test_load_builtins_files_and_errors);
	tcase_add_test(t, test_format_round_trips);
	suite_add_tcase(s, t);
	t = tcase_create("programs");
	tcase_add_test(t, test_checked_objects_catch_reuse);
	tcase_add_test(t, test_step_is_one_operation);
	tcase_add_test(t, test_bad_pc_is_reported_and_resumed);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
