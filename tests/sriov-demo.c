/* SPDX-License-Identifier: MIT */
/*
 * The README's demo: a simulated SR-IOV host (the test simulator), the real
 * sriov-monitord on a private system-type bus, and the real sriov-status and
 * busctl looking at it. Run through 'make demo'.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "harness.h"

static gboolean num_vfs_is_2(gpointer p) {
        Harness *h = p;
        g_autoptr(GVariant) v = harness_get(h, "/org/sriov/Monitor1/Device/pci_0000_af_00_0",
                                            "org.sriov.Monitor1.PhysicalFunction", "NumVFs");

        return g_variant_get_uint32(v) == 2;
}

/* Plays real-world changes while `sriov-status --watch` prints the events. */
static void play_live_changes(Harness *h, const char *status) {
        const char *argv[] = { status, "--watch", NULL };
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        GPid watch;

        printf("\n$ sriov-status --watch    (while the host changes)\n");
        fflush(stdout);
        if (!g_spawn_async(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &watch, &error))
                g_error("Cannot start sriov-status --watch: %s", error->message);
        g_usleep(2000 * 1000); /* let it subscribe and read the devices */

        printf("# passthrough: VF 0000:3b:00.2 moves from mlx5_core to vfio-pci (its netdev vanishes)\n");
        fflush(stdout);
        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        g_usleep(300 * 1000);
        printf("# echo 2 > /sys/bus/pci/devices/0000:af:00.0/sriov_numvfs\n");
        fflush(stdout);
        sim_enable_vfs(h->sim, "0000:af:00.0", 2, SIM_VF_NET);
        harness_wait_until(num_vfs_is_2, h, 10000);
        g_usleep(300 * 1000);

        (void) kill(watch, SIGTERM);
        (void) waitpid(watch, NULL, 0);
        g_spawn_close_pid(watch);
}

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
        g_autofree char *log = NULL;
        const char *status = g_getenv("SRIOV_STATUS"), *busctl = g_getenv("BUSCTL");

        if (!status || !busctl) {
                fprintf(stderr, "sriov-demo: run it through 'make demo'\n");
                return 2;
        }
        /* Its notices ("Failed to set fd limit", monitors) are not the demo. */
        harness_set_quiet_bus(TRUE);
        h = harness_new();
        sim_build_demo_host(h->sim);
        printf("Simulated host: ConnectX-6 Dx, Pensando, Intel E810 and Broadcom PFs (testbed %s)\n",
               sim_root(h->sim));
        /* The daemon's log is shown as what it is, not mixed into stderr. */
        h->capture_log = TRUE;
        harness_start_daemon(h, NULL);
        printf("sriov-monitord is running on a private system bus: %s\n", h->bus_address);
        log = harness_daemon_log(h);
        printf("Its log (the journal, under systemd):\n%s", log);

        show(h, "sriov-status", (const char *[]) { status, NULL });
        show(h, "sriov-status 3b:00.4", (const char *[]) { status, "3b:00.4", NULL });
        show(h, "sriov-status --device-name enp59s0f0v0 --json",
             (const char *[]) { status, "--device-name", "enp59s0f0v0", "--json", NULL });
        show(h, "busctl --system call org.sriov.Monitor1 /org/sriov/Monitor1 org.sriov.Monitor1.Manager FindDevice s ens785f0v1",
             (const char *[]) { busctl, "--system", "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "FindDevice", "s",
                                "ens785f0v1", NULL });

        play_live_changes(h, status);
        show(h, "sriov-status    (afterwards)", (const char *[]) { status, NULL });

        harness_stop_daemon(h);
        printf("\nsriov-monitord stopped cleanly.\n");
        return 0;
}
