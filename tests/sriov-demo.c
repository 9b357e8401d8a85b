/* SPDX-License-Identifier: MIT */
/*
 * The README's demo: a simulated SR-IOV host (the test simulator), the real
 * sriov-monitord on a private system-type bus, and the real sriov-status and
 * busctl looking at it. Run through 'make demo'.
 */
#include <stdio.h>

#include "harness.h"

static void show(Harness *h, const char *title, const char *const *argv) {
        g_autofree char *out = NULL, *err = NULL;
        int rc;

        printf("\n$ %s\n", title);
        fflush(stdout);
        rc = harness_run(h, argv, &out, &err);
        fputs(out, stdout);
        fputs(err, stderr);
        if (rc != 0)
                printf("(exit status %d)\n", rc);
        fflush(stdout);
}

int main(void) {
        g_autoptr(Harness) h = NULL;
        const char *status = g_getenv("SRIOV_STATUS"), *busctl = g_getenv("BUSCTL");

        if (!status || !busctl) {
                fprintf(stderr, "sriov-demo: run it through 'make demo'\n");
                return 2;
        }
        h = harness_new();
        sim_build_demo_host(h->sim);
        printf("Simulated host: ConnectX-6 Dx, Pensando, Intel E810 and Broadcom PFs (testbed %s)\n",
               sim_root(h->sim));
        harness_start_daemon(h, NULL);
        printf("sriov-monitord is running on a private system bus: %s\n", h->bus_address);

        show(h, "sriov-status", (const char *[]) { status, NULL });
        show(h, "sriov-status 3b:00.4", (const char *[]) { status, "3b:00.4", NULL });
        show(h, "sriov-status --device-name enp59s0f0v0 --json",
             (const char *[]) { status, "--device-name", "enp59s0f0v0", "--json", NULL });
        show(h, "busctl --system call org.sriov.Monitor1 /org/sriov/Monitor1 org.sriov.Monitor1.Manager FindDevice s ens785f0v1",
             (const char *[]) { busctl, "--system", "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "FindDevice", "s",
                                "ens785f0v1", NULL });

        harness_stop_daemon(h);
        printf("\nsriov-monitord stopped cleanly.\n");
        return 0;
}
