# fuzz/local.mk - libFuzzer harnesses for the input parsers (included by
# Makefile.am).  Not part of `make all` or `make check`:
#
#   make fuzz CC=clang              build fuzz/fuzz-scenario, fuzz/fuzz-cli
#   make fuzz-run CC=clang FUZZ_SECONDS=60   build, then run each in turn
#
# They need clang with libFuzzer (-fsanitize=fuzzer).  Each harness is one
# clang command over its own source, the parser under test and the
# library sources it links with, all instrumented, with ASan and UBSan.
# See the Fuzzing section of docs/scenarios.md.
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS = 60
FUZZ_LIB_SRCS = $(addprefix $(srcdir)/,$(filter %.c, \
	$(libtricolor_la_SOURCES) $(libtcengine_la_SOURCES)))
FUZZ_HDRS = $(srcdir)/fuzz/doc_ranges.h
FUZZ_PROGS = fuzz/fuzz-scenario$(EXEEXT) fuzz/fuzz-cli$(EXEEXT)
# The seeds: fuzz/corpus/scenario (the built-ins as wl_scenario_format
# writes them, and inputs that once failed) with demos/*.scn, and
# fuzz/corpus/cli (command lines, one word per line).
EXTRA_DIST += fuzz/local.mk fuzz/fuzz_scenario.c fuzz/fuzz_cli.c \
	fuzz/doc_ranges.h fuzz/corpus
CLEANFILES += $(FUZZ_PROGS)

# Fail with a clear message unless $(CC) is clang and links libFuzzer.
FUZZ_CHECK_CC = \
	if ! $(CC) --version 2>/dev/null | grep -qi clang; then \
	  echo "make fuzz: needs clang with libFuzzer, but CC is '$(CC)';" \
	    "try: make fuzz CC=clang" >&2; exit 1; \
	fi; \
	t=fuzz/conftest.$$$$; \
	printf '%s\n' '\#include <stddef.h>' '\#include <stdint.h>' \
	  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	  '{ return (int)(d == 0 && n); }' > $$t.c; \
	if ! $(CC) -fsanitize=fuzzer -o $$t $$t.c >/dev/null 2>&1; then \
	  rm -f $$t $$t.c; \
	  echo "make fuzz: $(CC) cannot link -fsanitize=fuzzer (libFuzzer" \
	    "missing? On Debian: apt-get install libclang-rt-NN-dev)" >&2; \
	  exit 1; \
	fi; \
	rm -f $$t $$t.c

fuzz/fuzz-scenario$(EXEEXT): $(srcdir)/fuzz/fuzz_scenario.c $(FUZZ_HDRS) \
		$(FUZZ_LIB_SRCS) config.h
	@$(MKDIR_P) fuzz
	@$(FUZZ_CHECK_CC)
	$(AM_V_CCLD)$(CC) $(FUZZ_CFLAGS) $(DEFS) $(DEFAULT_INCLUDES) \
	  $(AM_CPPFLAGS) $(PTHREAD_CFLAGS) -o $@ \
	  $(srcdir)/fuzz/fuzz_scenario.c $(FUZZ_LIB_SRCS) $(LIBS) -lm

fuzz/fuzz-cli$(EXEEXT): $(srcdir)/fuzz/fuzz_cli.c $(FUZZ_HDRS) \
		$(srcdir)/src/cli/options.c $(FUZZ_LIB_SRCS) config.h
	@$(MKDIR_P) fuzz
	@$(FUZZ_CHECK_CC)
	$(AM_V_CCLD)$(CC) $(FUZZ_CFLAGS) $(DEFS) $(DEFAULT_INCLUDES) \
	  $(AM_CPPFLAGS) $(PTHREAD_CFLAGS) -o $@ $(srcdir)/fuzz/fuzz_cli.c \
	  $(srcdir)/src/cli/options.c $(FUZZ_LIB_SRCS) $(LIBS) -lm

fuzz-scenario: fuzz/fuzz-scenario$(EXEEXT)
fuzz-cli: fuzz/fuzz-cli$(EXEEXT)
fuzz: $(FUZZ_PROGS)

# New inputs go to fuzz/work/* in the build tree; the seeds are read only.
fuzz-run: $(FUZZ_PROGS)
	$(MKDIR_P) fuzz/work/scenario fuzz/work/cli
	./fuzz/fuzz-scenario$(EXEEXT) -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=4096 fuzz/work/scenario $(srcdir)/fuzz/corpus/scenario \
	  $(srcdir)/demos
	./fuzz/fuzz-cli$(EXEEXT) -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=512 fuzz/work/cli $(srcdir)/fuzz/corpus/cli

clean-local: clean-local-fuzz
clean-local-fuzz:
	-rm -rf fuzz/work fuzz/conftest.*

.PHONY: fuzz fuzz-scenario fuzz-cli fuzz-run clean-local-fuzz
