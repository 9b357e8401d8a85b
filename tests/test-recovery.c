/* SPDX-License-Identifier: MIT */
/*
 * Recovery from lost events and broken sources, with real faults: a uevent
 * socket that really overflows (the kernel's ENOBUFS), an inotify queue that
 * really overflows, and an inotify instance the kernel really refuses. These
 * need root (sysctls, veth pairs) and are skipped, saying why, without it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CX6_PF "0000:3b:00.0"

static gboolean run_quiet(const char *cmd) {
        int status = 0;

        return g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) && g_spawn_check_wait_status(status, NULL);
}


/* The kernel drops uevents for a receiver that does not read: ENOBUFS. The
 * daemon must notice, say so, and rescan. Real netlink, real veth uevents. */
static void test_uevent_overrun(void) {
        g_autoptr(Harness) h = NULL;
        guint64 before;
        char cmd[128];

        /* The veths are the host's (the kernel's uevents of another network
         * namespace do not reach the daemon's socket): named after this
         * process, so that a concurrent run, or one killed before it
         * deleted them, does not collide with this one. */
        unsigned tag = (unsigned) getpid() % 100000;

        snprintf(cmd, sizeof(cmd), "ip link add s%ut0 type veth peer name s%ut1", tag, tag);
        if (getuid() != 0 || !run_quiet(cmd)) {
                g_test_skip("needs root and veth pairs to make the kernel overrun a uevent socket");
                return;
        }
        snprintf(cmd, sizeof(cmd), "ip link del s%ut0", tag);
        (void) run_quiet(cmd);

        h = harness_new();
        h->real_host = TRUE;
        harness_start_daemon(h, (const char *[]) { "--uevent-source=kernel", "--uevent-buffer-size=1024", NULL });
        before = harness_last_refresh(h);

        /* The daemon stopped, 40 net uevents queue on its tiny buffer. */
        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        for (int i = 0; i < 20; i++) {
                snprintf(cmd, sizeof(cmd), "ip link add s%uv%da type veth peer name s%uv%db", tag, i, tag, i);
                g_assert_true(run_quiet(cmd));
        }
        g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);

        /* The overrun shows as a full rescan, and the daemon still answers. */
        g_assert_true(harness_wait_refresh_after(h, before, 10000));
        for (int i = 0; i < 20; i++) {
                snprintf(cmd, sizeof(cmd), "ip link del s%uv%da", tag, i);
                (void) run_quiet(cmd);
        }
        g_autoptr(GVariant) pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_assert_nonnull(pfs);
}

/* An inotify queue overflow (IN_Q_OVERFLOW) loses user writes: the daemon
 * rescans and ends right. */
static void test_inotify_overflow(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *old = NULL;
        const char *pfs[] = { "0000:3b:00.0", "0000:5e:00.0", "0000:af:00.0", "0000:b5:00.0" };
        guint64 before;

        sim_build_demo_host(h->sim);
        /* The limit is taken when the daemon creates its inotify instance. */
        old = harness_inotify_limit_lower("max_queued_events", "2");
        if (!old) {
                g_test_skip("needs root to lower fs.inotify.max_queued_events");
                return;
        }
        harness_start_daemon(h, NULL);
        harness_inotify_limit_restore("max_queued_events", old);
        before = harness_last_refresh(h);

        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        for (guint i = 0; i < G_N_ELEMENTS(pfs); i++)
                sim_write_autoprobe(h->sim, pfs[i], false);
        g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);

        g_assert_true(harness_wait_refresh_after(h, before, 10000));
        for (guint i = 0; i < G_N_ELEMENTS(pfs); i++) {
                g_autofree char *path = harness_device_path(pfs[i]);
                g_autoptr(GVariant) v = harness_get(h, path, PF_IFACE, "DriversAutoprobe");

                g_assert_false(g_variant_get_boolean(v));
        }
}

typedef struct {
        Harness *h;
        gboolean want;
} DegradedWait;

static gboolean degraded_is(gpointer p) {
        DegradedWait *w = p;
        g_autoptr(GVariant) v = harness_get(w->h, MANAGER_PATH, MANAGER_IFACE, "Degraded");

        return g_variant_get_boolean(v) == w->want;
}

static gboolean autoprobe_false(gpointer p) {
        Harness *h = p;
        g_autofree char *path = harness_device_path(CX6_PF);
        g_autoptr(GVariant) v = harness_get(h, path, PF_IFACE, "DriversAutoprobe");

        return !g_variant_get_boolean(v);
}

/* The kernel refuses the inotify instance: Degraded, retried with backoff,
 * and back to normal (with a resync) once it can be created. */
static void test_degraded_and_recovery(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(Recorder) rec = NULL;
        g_autofree char *old = NULL;
        DegradedWait w;
        guint64 before;

        sim_build_demo_host(h->sim);
        old = harness_inotify_limit_lower("max_user_instances", "0");
        if (!old) {
                g_test_skip("needs root to lower fs.inotify.max_user_instances");
                return;
        }
        harness_start_daemon(h, NULL);
        w = (DegradedWait) { h, TRUE };
        before = harness_last_refresh(h);
        rec = recorder_new(h);
        /* Read while the limit holds: the retries keep failing. */
        gboolean degraded = degraded_is(&w);
        harness_inotify_limit_restore("max_user_instances", old);
        g_assert_true(degraded);

        w.want = FALSE;
        g_assert_true(harness_wait_until(degraded_is, &w, 10000));
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count(rec, "PropertiesChanged", MANAGER_PATH), >=, 1);
        /* Back: a rescan covered the time it was down, and inotify works. */
        g_assert_true(harness_wait_refresh_after(h, before, 10000));
        sim_write_autoprobe(h->sim, CX6_PF, false);
        g_assert_true(harness_wait_until(autoprobe_false, h, 10000));
}

/* Losing the bus ends the daemon with a failure, not a hang. */
static void test_bus_lost(void) {
        g_autoptr(Harness) h = harness_new();
        int status = 0;

        harness_start_daemon(h, NULL);
        g_assert_cmpint(kill(h->bus_pid, SIGTERM), ==, 0);
        status = harness_wait_daemon_exit(h, 30000);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/recovery/uevent-overrun", test_uevent_overrun);
        g_test_add_func("/recovery/inotify-overflow", test_inotify_overflow);
        g_test_add_func("/recovery/degraded-and-recovery", test_degraded_and_recovery);
        g_test_add_func("/recovery/bus-lost", test_bus_lost);
        return g_test_run();
}
