# Owned by the benchmark suite; included from Makefile.am.
#
# make bench: the figures of issues 3, 5 and 11 on this machine, each next to its
# floor, written into BENCHMARKS.md (between its markers). Not part of make
# check. Variables:
#   BENCH_EVENTS           latency events per round (default 1000)
#   BENCH_ROUNDS           latency rounds per size, pooled (default 3)
#   BENCH_CALLGRIND_EVENTS events per size under callgrind (default 1000)
#   BENCH_RUNS             start-up runs (median), GetManagedObjects, Refresh and sriov-status DEVICE calls (default 5)
#   BENCH_CALLS            Properties.Get and Peer.Ping calls, each (default 10000)
#   BENCH_IDLE             seconds the idle daemon is watched (default 10)
#   BENCH_CURVE            host sizes of the start-up/RSS curve (default "16 256 1024 2048")
#   BENCH_TMPDIR           where the testbeds go (default /dev/shm: in memory, like sysfs)
#   BENCH_VALGRIND         the valgrind to run the daemon under (default valgrind)
#   BENCH_LIBVIRT_REPS     repetitions of each operation next to libvirt (default 30; issue 14)
#   BENCH_LIBVIRT_RUNS     runs of that comparison (default 2)
#   BENCH_LIBVIRT_PROBE_MS each run's simulated driver probe in ms, in turn (default "0 20")
# make bench-libvirt runs only the comparison with libvirt (issue 14), and
# writes only its block of BENCHMARKS.md.
EXTRA_DIST += bench/bench.mk bench/run-bench.sh bench/bench-table.awk BENCHMARKS.md bench/libvirt-shim.c \
	bench/run-bench-libvirt.sh bench/libvirt-table.awk bench/md-block.sh

BENCH_EVENTS = 1000
BENCH_ROUNDS = 3
BENCH_CALLGRIND_EVENTS = 1000
BENCH_RUNS = 5
BENCH_CALLS = 10000
BENCH_IDLE = 10
BENCH_CURVE = 16 256 1024 2048
BENCH_TMPDIR =
BENCH_LIBVIRT_REPS = 30
BENCH_LIBVIRT_RUNS = 2
BENCH_LIBVIRT_PROBE_MS = 0 20
BENCH_VALGRIND = valgrind

if ENABLE_TESTS
# Built by make check too, for its smoke run (bench/test-bench-smoke.sh).
check_PROGRAMS += bench/bench-events bench/bench-scale bench/bench-abuse bench/sysfs-floor bench/bench-hostile \
	bench/bench-libvirt
dist_check_SCRIPTS += bench/test-bench-smoke.sh bench/test-bench-table.sh bench/test-libvirt-table.sh
TESTS += bench/test-bench-smoke.sh bench/test-bench-table.sh bench/test-libvirt-table.sh
BENCH_CFLAGS = $(INTEG_CFLAGS) -I$(top_srcdir)/tests
bench_bench_events_SOURCES = bench/bench-events.c bench/bench-host.c bench/bench-host.h
bench_bench_events_CFLAGS = $(BENCH_CFLAGS)
bench_bench_events_LDADD = $(INTEG_LDADD)
bench_bench_scale_SOURCES = bench/bench-scale.c bench/bench-host.c bench/bench-host.h bench/bench-lookup.c
bench_bench_scale_CFLAGS = $(BENCH_CFLAGS)
bench_bench_scale_LDADD = $(INTEG_LDADD)
bench_bench_abuse_SOURCES = bench/bench-abuse.c bench/bench-host.c bench/bench-host.h
bench_bench_abuse_CFLAGS = $(BENCH_CFLAGS)
bench_bench_abuse_LDADD = $(INTEG_LDADD)
bench_bench_hostile_SOURCES = bench/bench-hostile.c
bench_bench_hostile_CFLAGS = $(BENCH_CFLAGS)
bench_bench_hostile_LDADD = $(INTEG_LDADD)
# Network facts (issue 15): the daemon's side of a 256-VF PF's VF query.
check_PROGRAMS += bench/bench-rtnl
bench_bench_rtnl_SOURCES = bench/bench-rtnl.c
bench_bench_rtnl_CFLAGS = $(AM_CFLAGS) $(LIBMNL_CFLAGS)
bench_bench_rtnl_LDADD = libsriov-util.a $(LIBMNL_LIBS)
# Issue 14: next to libvirt's nodedev driver; the uevents' send times as in bench-events.
bench_bench_libvirt_SOURCES = bench/bench-libvirt.c bench/libvirt-match.c bench/libvirt-match.h \
	bench/libvirt-peer.c bench/libvirt-peer.h bench/bench-host.c bench/bench-host.h
bench_bench_libvirt_CFLAGS = $(BENCH_CFLAGS)
bench_bench_libvirt_LDADD = $(INTEG_LDADD)
bench_bench_libvirt_LDFLAGS = -Wl,--wrap=umockdev_testbed_uevent
# Preloaded into libvirtd before umockdev's library (see the file).
bench/libvirt-shim.so: bench/libvirt-shim.c
	$(AM_V_CC)$(CC) $(AM_CFLAGS) $(CFLAGS) -shared -fPIC -o $@ $(srcdir)/bench/libvirt-shim.c -ldl
# The floor: plain libc, nothing of ours.
bench_sysfs_floor_SOURCES = bench/sysfs-floor.c
# The uevent's send time is read in a wrapper around umockdev's send.
bench_bench_events_LDFLAGS = -Wl,--wrap=umockdev_testbed_uevent
CLEANFILES += bench/bench-results.txt bench/bench-*.log bench/bench-*.err \
	bench/callgrind/callgrind.out.* bench/callgrind/sriov-monitord-callgrind.sh bench/libvirt-shim.so \
	bench/bench-libvirt-results.txt

bench: sriov-monitord sriov-status bench/bench-events bench/bench-scale bench/bench-abuse bench/sysfs-floor \
	bench/bench-hostile bench/bench-libvirt bench/libvirt-shim.so
	$(AM_TESTS_ENVIRONMENT) \
	UMOCKDEV_WRAPPER='$(UMOCKDEV_WRAPPER)' \
	BENCH_PROGRAM='$(abs_top_builddir)/bench/bench-events' \
	BENCH_SCALE='$(abs_top_builddir)/bench/bench-scale' \
	BENCH_ABUSE='$(abs_top_builddir)/bench/bench-abuse' \
	BENCH_FLOOR='$(abs_top_builddir)/bench/sysfs-floor' \
	BENCH_HOSTILE='$(abs_top_builddir)/bench/bench-hostile' \
	BENCH_OUT_DIR='$(abs_top_builddir)/bench' \
	BENCH_MD='$(abs_top_srcdir)/BENCHMARKS.md' \
	BENCH_EVENTS='$(BENCH_EVENTS)' BENCH_ROUNDS='$(BENCH_ROUNDS)' \
	BENCH_CALLGRIND_EVENTS='$(BENCH_CALLGRIND_EVENTS)' VALGRIND='$(BENCH_VALGRIND)' \
	BENCH_RUNS='$(BENCH_RUNS)' BENCH_CALLS='$(BENCH_CALLS)' BENCH_IDLE='$(BENCH_IDLE)' \
	BENCH_CURVE='$(BENCH_CURVE)' BENCH_TMPDIR='$(BENCH_TMPDIR)' \
	$(SHELL) $(srcdir)/bench/run-bench.sh
	$(MAKE) $(AM_MAKEFLAGS) bench-libvirt

bench-libvirt: sriov-monitord bench/bench-libvirt bench/libvirt-shim.so
	$(AM_TESTS_ENVIRONMENT) \
	UMOCKDEV_WRAPPER='$(UMOCKDEV_WRAPPER)' \
	BENCH_LIBVIRT='$(abs_top_builddir)/bench/bench-libvirt' \
	BENCH_LIBVIRT_SHIM='$(abs_top_builddir)/bench/libvirt-shim.so' \
	BENCH_LIBVIRT_REPS='$(BENCH_LIBVIRT_REPS)' BENCH_LIBVIRT_RUNS='$(BENCH_LIBVIRT_RUNS)' \
	BENCH_LIBVIRT_PROBE_MS='$(BENCH_LIBVIRT_PROBE_MS)' \
	BENCH_OUT_DIR='$(abs_top_builddir)/bench' \
	BENCH_MD='$(abs_top_srcdir)/BENCHMARKS.md' \
	$(SHELL) $(srcdir)/bench/run-bench-libvirt.sh

# make bench-owner: the cost of finding a VF's owner (issue 16), printed;
# BENCHMARKS.md records a run. BENCH_OWNER_ARGS: e.g. --processes=5000 --idle=30.
BENCH_OWNER_ARGS =
CLEANFILES += bench/bench-owner
bench_bench_owner_SOURCES = bench/bench-owner.c bench/bench-host.c bench/bench-host.h src/proc-scan.c src/proc-scan.h
bench_bench_owner_CFLAGS = $(BENCH_CFLAGS)
bench_bench_owner_LDADD = $(INTEG_LDADD)
bench-owner: sriov-monitord bench/bench-owner
	$(abs_top_builddir)/bench/bench-owner --scan-only $(BENCH_OWNER_ARGS)
	$(AM_TESTS_ENVIRONMENT) $(UMOCKDEV_WRAPPER) $(abs_top_builddir)/bench/bench-owner $(BENCH_OWNER_ARGS)

else
bench:
	@echo "make bench needs the test dependencies (GLib/GIO, umockdev, dbus-daemon) and valgrind; see README.md" >&2; exit 1
bench-libvirt: bench
endif
.PHONY: bench bench-libvirt bench-owner

# make bench-fleet: the fleet sinks' costs (issue 17), printed as a table for
# BENCHMARKS.md. Not part of make bench's run.
EXTRA_PROGRAMS = bench/bench-fleet bench/bench-owner
CLEANFILES += bench/bench-fleet
bench_bench_fleet_SOURCES = bench/bench-fleet.c
bench_bench_fleet_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
bench_bench_fleet_LDADD = libsriov-util.a $(SYSTEMD_LIBS)
bench-fleet: bench/bench-fleet
	$(builddir)/bench/bench-fleet
.PHONY: bench-fleet
