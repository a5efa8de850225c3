# tests/core.mk - test fragment (included by Makefile.am).
