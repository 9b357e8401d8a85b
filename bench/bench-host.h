/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark programs share: the simulated hosts of issue 5 and a
 * few measuring helpers.
 */
#pragma once

#include <glib.h>

#include "sriov-sim.h"

/* PF k of a benchmark host: "0000:10:00.0", "0000:20:00.0", ... */
char *bench_pf_address(unsigned k);

/* `pfs` PFs of `vfs_per_pf` VFs each, built silently (no uevents): per PF,
 * half of the VFs on the net driver with a netdev, a quarter on vfio-pci, a
 * quarter unbound. With `spare_pf`, one more PF (the last) that can have as
 * many VFs but has none enabled, for a burst. */
void bench_build_host(SriovSim *sim, unsigned pfs, unsigned vfs_per_pf, gboolean spare_pf);

/* The host size rule of every figure: up to 256 VFs on one PF, more on 8. */
unsigned bench_default_pfs(unsigned vfs);

gint64 bench_now_ns(void);
int bench_cmp_i64(const void *a, const void *b);
int bench_cmp_double(const void *a, const void *b);
/* Nearest rank of sorted samples, in the samples' unit divided by `scale`. */
double bench_percentile(const gint64 *sorted, unsigned n, double q, double scale);
/* CPU time a process has run, in ns (/proc/PID/schedstat): what a call
 * cost the daemon itself, without the bus and the client. */
guint64 bench_cpu_ns(GPid pid);

struct Harness;
/* `sriov-status ADDRESS` (the real client, SRIOV_STATUS) `runs` times against
 * the running daemon: the median wall time and the daemon's CPU per run. */
void bench_one_device(struct Harness *h, const char *address, int runs, double *ret_ms, double *ret_cpu_us);
/* harness_daemon_quiescent() as a harness_wait_until() condition. */
gboolean bench_daemon_quiescent(gpointer harness);
