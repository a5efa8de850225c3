# src/runtime/local.mk - build fragment for src/runtime (included by Makefile.am).
