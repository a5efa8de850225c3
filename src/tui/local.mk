# src/tui/local.mk - build fragment for src/tui (included by Makefile.am).
