# tests/engine.mk - test fragment (included by Makefile.am).
