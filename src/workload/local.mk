# src/workload/local.mk - build fragment for src/workload (included by Makefile.am).
