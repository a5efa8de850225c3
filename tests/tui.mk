# tests/tui.mk - test fragment (included by Makefile.am).
