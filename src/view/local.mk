# src/view/local.mk - build fragment for src/view (included by Makefile.am).
