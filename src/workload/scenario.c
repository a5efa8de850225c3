/*
 * scenario.c - scenarios as data: the built-in ones, and the scenario file
 * format (see docs/scenarios.md):
 *
 *   # a comment; blank lines are ignored
 *   program trees        # which program: trees list graph cache escape
 *   name    deep-trees   # optional display name (default: file name)
 *   long_depth 14        # parameters of that program, `key integer`
 *
 * Every error names the file and line.  A leading UTF-8 byte order mark
 * is skipped.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "workload/internal.h"

static const wl_program builtin_order[] = {WL_TREES, WL_LIST, WL_GRAPH,
                                           WL_CACHE, WL_ESCAPE};

const wl_prog *wl_prog_of(wl_program p)
{
	switch (p) {
	case WL_TREES:
		return &wl_prog_trees;
	case WL_LIST:
		return &wl_prog_list;
	case WL_GRAPH:
		return &wl_prog_graph;
	case WL_CACHE:
		return &wl_prog_cache;
	case WL_ESCAPE:
		return &wl_prog_escape;
	default:
		return NULL;
	}
}

int wl_builtin_count(void)
{
	return (int)(sizeof(builtin_order) / sizeof(builtin_order[0]));
}

const char *wl_program_name(wl_program p)
{
	const wl_prog *pr = wl_prog_of(p);

	return pr ? pr->name : "?";
}

const char *wl_builtin_name(int i)
{
	if (i < 0 || i >= wl_builtin_count())
		return NULL;
	return wl_program_name(builtin_order[i]);
}

static void defaults(wl_program p, wl_scenario *sc)
{
	const wl_prog *pr = wl_prog_of(p);

	memset(sc, 0, sizeof(*sc));
	sc->program = p;
	snprintf(sc->name, sizeof(sc->name), "%s", pr->name);
	for (int i = 0; i < pr->nparams; i++)
		sc->param[i] = pr->params[i].def;
}

int wl_builtin(int i, wl_scenario *sc)
{
	if (i < 0 || i >= wl_builtin_count())
		return -1;
	defaults(builtin_order[i], sc);
	return 0;
}

static int perr(char *err, size_t errlen, const char *fname, int line,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int perr(char *err, size_t errlen, const char *fname, int line,
                const char *fmt, ...)
{
	va_list ap;
	char qf[TC_QUOTE_PATH];
	int n = 0;

	if (errlen == 0)
		return -1;
	tc_quote(qf, sizeof(qf), fname, strlen(fname), true);
	if (line > 0)
		n = snprintf(err, errlen, "%s:%d: ", qf, line);
	else
		n = snprintf(err, errlen, "%s: ", qf);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A word for a message: see tc_quote (util.h). */
#define QWORD(buf, s) tc_quote(buf, sizeof(buf), s, strlen(s), false)

/* Split one line into words, the first `max` of them into w; returns how
 * many there are.  A '#' starts a comment. */
static int words(char *s, char **w, int max)
{
	int n = 0;
	char *hash = strchr(s, '#');

	if (hash)
		*hash = '\0';
	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (n < max)
			w[n] = s;
		n++;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static const wl_prog *prog_by_name(const char *name, wl_program *out)
{
	for (int i = 0; i < WL_NPROGRAMS; i++) {
		const wl_prog *pr = wl_prog_of((wl_program)i);

		if (strcmp(pr->name, name) == 0) {
			*out = (wl_program)i;
			return pr;
		}
	}
	return NULL;
}

static void param_list(const wl_prog *pr, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < pr->nparams && n < len; i++) {
		int k = snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
		                 pr->params[i].name);
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= WL_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

int wl_scenario_parse(const char *text, const char *fname, wl_scenario *sc,
                      char *err, size_t errlen)
{
	const wl_prog *pr = NULL;
	int lineno = 0, set_line[WL_MAX_PARAMS] = {0}, name_line = 0;
	char name[WL_NAME_MAX] = "";
	const char *p = text;

	if (strlen(text) > 65536)
		return perr(err, errlen, fname, 0,
		            "file too large (more than 64 KiB)");
	/* A UTF-8 byte order mark, which some editors write first, is
	 * invisible in a message about the word it would be glued to. */
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (*p) {
		char line[256], *w[2], q[TC_QUOTE_WORD];
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int n;

		lineno++;
		if (len >= sizeof(line))
			return perr(err, errlen, fname, lineno,
			            "line too long (over %zu characters)",
			            sizeof(line) - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (memchr(line, '\0', len))
			return perr(err, errlen, fname, lineno,
			            "NUL byte in a text file");
		n = words(line, w, 2);
		if (n == 0)
			continue;
		if (n != 2)
			return perr(err, errlen, fname, lineno,
			            "expected `key value`, got %d word%s", n,
			            n == 1 ? "" : "s");
		if (strcmp(w[0], "program") == 0) {
			wl_program prog;

			if (pr)
				return perr(err, errlen, fname, lineno,
				            "program given twice");
			pr = prog_by_name(w[1], &prog);
			if (!pr)
				return perr(err, errlen, fname, lineno,
				            "unknown program '%s' (one of: "
				            "trees, list, graph, cache, "
				            "escape)",
				            QWORD(q, w[1]));
			defaults(prog, sc);
			continue;
		}
		if (strcmp(w[0], "name") == 0) {
			if (name_line)
				return perr(err, errlen, fname, lineno,
				            "name given twice (first on "
				            "line %d)",
				            name_line);
			if (!valid_name(w[1]))
				return perr(err, errlen, fname, lineno,
				            "bad name '%s': 1..%d letters, "
				            "digits, '-', '_' or '.'",
				            QWORD(q, w[1]), WL_NAME_MAX - 1);
			snprintf(name, sizeof(name), "%s", w[1]);
			name_line = lineno;
			continue;
		}
		if (!pr)
			return perr(err, errlen, fname, lineno,
			            "'%s' before `program`: the first "
			            "setting must be `program NAME`",
			            QWORD(q, w[0]));
		int k;
		for (k = 0; k < pr->nparams; k++)
			if (strcmp(pr->params[k].name, w[0]) == 0)
				break;
		if (k == pr->nparams) {
			char list[160];

			param_list(pr, list, sizeof(list));
			return perr(err, errlen, fname, lineno,
			            "unknown key '%s' for program %s "
			            "(known: program, name, %s)",
			            QWORD(q, w[0]), pr->name, list);
		}
		if (set_line[k])
			return perr(err, errlen, fname, lineno,
			            "%s given twice (first on line %d)", w[0],
			            set_line[k]);
		const wl_param *pa = &pr->params[k];
		char *end;
		long long v;

		errno = 0;
		v = strtoll(w[1], &end, 10);
		if (*end || end == w[1])
			return perr(err, errlen, fname, lineno,
			            "%s: '%s' is not an integer (allowed "
			            "%lld..%lld)",
			            w[0], QWORD(q, w[1]), (long long)pa->min,
			            (long long)pa->max);
		/* ERANGE: digits beyond any integer, still a number. */
		if (errno == ERANGE || v < pa->min || v > pa->max)
			return perr(err, errlen, fname, lineno,
			            "%s %s out of range %lld..%lld", w[0],
			            QWORD(q, w[1]), (long long)pa->min,
			            (long long)pa->max);
		sc->param[k] = v;
		set_line[k] = lineno;
	}
	if (!pr)
		return perr(err, errlen, fname, 0,
		            "no `program` line (one of: trees, list, graph, "
		            "cache, escape)");
	/* Cross-parameter rules: a pair (lo, hi) named by the program as
	 * params whose names end in _min/_max. */
	for (int i = 0; i + 1 < pr->nparams; i++) {
		const char *a = pr->params[i].name, *b = pr->params[i + 1].name;
		size_t la = strlen(a);

		if (la > 4 && strcmp(a + la - 4, "_min") == 0 &&
		    strlen(b) == la && strncmp(a, b, la - 4) == 0 &&
		    strcmp(b + la - 4, "_max") == 0 &&
		    sc->param[i] > sc->param[i + 1]) {
			int l = set_line[i] > set_line[i + 1] ? set_line[i]
			                                      : set_line[i + 1];
			return perr(err, errlen, fname, l,
			            "%s %lld is greater than %s %lld", a,
			            (long long)sc->param[i], b,
			            (long long)sc->param[i + 1]);
		}
	}
	if (name[0]) {
		snprintf(sc->name, sizeof(sc->name), "%s", name);
	} else {
		const char *base = strrchr(fname, '/');
		char *dot;

		base = base ? base + 1 : fname;
		snprintf(sc->name, sizeof(sc->name), "%s", base);
		dot = strrchr(sc->name, '.');
		if (dot && dot != sc->name)
			*dot = '\0';
		if (!valid_name(sc->name))
			snprintf(sc->name, sizeof(sc->name), "%s", pr->name);
	}
	return 0;
}

int wl_scenario_load(const char *name_or_path, wl_scenario *sc, char *err,
                     size_t errlen)
{
	FILE *f;
	struct stat sb;
	char *buf, qp[TC_QUOTE_PATH];
	size_t n;
	int rc;

	for (int i = 0; i < wl_builtin_count(); i++)
		if (strcmp(name_or_path, wl_builtin_name(i)) == 0)
			return wl_builtin(i, sc);
	if (!strchr(name_or_path, '/') && !strchr(name_or_path, '.')) {
		snprintf(err, errlen,
		         "unknown scenario '%s' (built-in: trees, list, "
		         "graph, cache, escape; or a path to a scenario "
		         "file)",
		         tc_quote(qp, sizeof(qp), name_or_path,
		               strlen(name_or_path), false));
		return -1;
	}
	tc_quote(qp, sizeof(qp), name_or_path, strlen(name_or_path), true);
	f = fopen(name_or_path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", qp, strerror(errno));
		return -1;
	}
	/* A directory opens for reading, and only its read fails. */
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a scenario file",
		         qp);
		fclose(f);
		return -1;
	}
	buf = malloc(65536 + 2);
	if (!buf)
		abort();
	errno = 0;
	n = fread(buf, 1, 65536 + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error: %s", qp,
		         strerror(errno ? errno : EIO));
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		snprintf(err, errlen, "%s: not a text file (NUL byte)", qp);
		free(buf);
		return -1;
	}
	rc = wl_scenario_parse(buf, name_or_path, sc, err, errlen);
	free(buf);
	return rc;
}

int wl_scenario_format(const wl_scenario *sc, char *buf, size_t len)
{
	const wl_prog *pr = wl_prog_of(sc->program);
	size_t n = 0;
	int k;

	k = snprintf(buf, len, "program %s\nname %s\n", pr->name, sc->name);
	if (k < 0)
		return k;
	n = (size_t)k;
	for (int i = 0; i < pr->nparams; i++) {
		k = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0,
		             "%s %lld\n", pr->params[i].name,
		             (long long)sc->param[i]);
		if (k < 0)
			return k;
		n += (size_t)k;
	}
	return (int)n;
}
