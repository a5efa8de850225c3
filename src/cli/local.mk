# src/cli/local.mk - build fragment for src/cli (included by Makefile.am).
