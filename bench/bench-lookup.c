/* SPDX-License-Identifier: MIT */
/* One device looked up by the real client, sriov-status DEVICE: what it costs
 * the daemon (FindDevice and one GetAll), to compare host sizes. */
#include <stdlib.h>

#include "bench-host.h"
#include "harness.h"

void bench_one_device(Harness *h, const char *address, int runs, double *ret_ms, double *ret_cpu_us) {
        const char *argv[] = { g_getenv("SRIOV_STATUS"), address, NULL };
        g_autofree double *ms = g_new(double, runs);
        guint64 cpu0 = 0;

        if (!argv[0])
                g_error("bench: SRIOV_STATUS is not set (run through make bench)");
        for (int i = -1; i < runs; i++) { /* one warm-up run */
                g_autofree char *out = NULL, *err = NULL;
                gint64 t0 = bench_now_ns();
                int rc;

                if (i == 0)
                        cpu0 = bench_cpu_ns(h->daemon_pid);
                rc = harness_run(h, argv, &out, &err);
                if (rc != 0)
                        g_error("bench: sriov-status %s failed (%d): %s", address, rc, err);
                if (i >= 0)
                        ms[i] = (bench_now_ns() - t0) / 1e6;
        }
        *ret_cpu_us = (bench_cpu_ns(h->daemon_pid) - cpu0) / 1e3 / runs;
        qsort(ms, runs, sizeof(double), bench_cmp_double);
        *ret_ms = ms[runs / 2];
}
