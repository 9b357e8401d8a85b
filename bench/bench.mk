# Owned by the benchmark suite; included from Makefile.am.
#
# make bench: the figures of issue 3 on this machine, written into
# BENCHMARKS.md (between its markers). Not part of make check.
#   BENCH_VFS             host sizes (default "16 2048")
#   BENCH_EVENTS          latency events per round (default 1000)
#   BENCH_ROUNDS          latency rounds per size, pooled (default 3)
#   BENCH_CALLGRIND_EVENTS events per size under callgrind (default 1000)
#   BENCH_VALGRIND        the valgrind to run the daemon under (default valgrind)
EXTRA_DIST += bench/bench.mk bench/run-bench.sh BENCHMARKS.md

BENCH_VFS = 16 2048
BENCH_EVENTS = 1000
BENCH_ROUNDS = 3
BENCH_CALLGRIND_EVENTS = 1000
BENCH_VALGRIND = valgrind

if ENABLE_TESTS
EXTRA_PROGRAMS = bench/bench-events
bench_bench_events_SOURCES = bench/bench-events.c
bench_bench_events_CFLAGS = $(INTEG_CFLAGS) -I$(top_srcdir)/tests
bench_bench_events_LDADD = $(INTEG_LDADD)
# The uevent's send time is read in a wrapper around umockdev's send.
bench_bench_events_LDFLAGS = -Wl,--wrap=umockdev_testbed_uevent
CLEANFILES += bench/bench-events bench/bench-results.txt bench/bench-*.log \
	bench/callgrind/callgrind.out.* bench/callgrind/sriov-monitord-callgrind.sh

bench: sriov-monitord bench/bench-events
	$(AM_TESTS_ENVIRONMENT) \
	UMOCKDEV_WRAPPER='$(UMOCKDEV_WRAPPER)' \
	BENCH_PROGRAM='$(abs_top_builddir)/bench/bench-events' \
	BENCH_OUT_DIR='$(abs_top_builddir)/bench' \
	BENCH_MD='$(abs_top_srcdir)/BENCHMARKS.md' \
	BENCH_VFS='$(BENCH_VFS)' BENCH_EVENTS='$(BENCH_EVENTS)' BENCH_ROUNDS='$(BENCH_ROUNDS)' \
	BENCH_CALLGRIND_EVENTS='$(BENCH_CALLGRIND_EVENTS)' VALGRIND='$(BENCH_VALGRIND)' \
	$(SHELL) $(srcdir)/bench/run-bench.sh
else
bench:
	@echo "make bench needs the test dependencies (GLib/GIO, umockdev, dbus-daemon) and valgrind; see README.md" >&2; exit 1
endif
.PHONY: bench
