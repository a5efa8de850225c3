# src/gc/local.mk - build fragment for src/gc (included by Makefile.am).
