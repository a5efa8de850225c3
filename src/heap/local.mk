# src/heap/local.mk - build fragment for src/heap (included by Makefile.am).
