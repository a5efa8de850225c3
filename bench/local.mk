# bench/local.mk - benchmark programs (included by Makefile.am).
bench-run:
	@echo "no benchmarks yet"
