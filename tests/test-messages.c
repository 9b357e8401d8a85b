/* SPDX-License-Identifier: MIT */
/*
 * What the daemon says, at its default log level: one line at start, one
 * per rescan someone asked for, and errors an administrator can act on (a
 * second instance, a missing bus policy, a host without PCI sysfs).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Generous: an outcome, not a duration (valgrind, a loaded machine). */
#define DEADLINE_MS 60000

typedef struct LogWait {
        Harness *h;
        const char *line;
} LogWait;

static gboolean log_has_line(gpointer p) {
        LogWait *w = p;
        g_autofree char *log = harness_daemon_log(w->h);
        g_autofree char *needle = g_strconcat("\n", w->line, "\n", NULL);

        return g_str_has_prefix(log, needle + 1) || strstr(log, needle) != NULL;
}

static void wait_log_line(Harness *h, const char *line) {
        LogWait w = { h, line };

        if (!harness_wait_until(log_has_line, &w, DEADLINE_MS)) {
                g_autofree char *log = harness_daemon_log(h);
                g_error("the daemon did not log '%s'; its log:\n%s", line, log);
        }
}

/* The lines with a level prefix ("<5>..."), in order: what the journal gets. */
static char *leveled_lines(Harness *h) {
        g_autofree char *log = harness_daemon_log(h);
        g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
        GString *out = g_string_new(NULL);

        for (char **l = lines; *l; l++)
                if ((*l)[0] == '<')
                        g_string_append_printf(out, "%s\n", *l);
        return g_string_free(out, FALSE);
}

static void test_start_and_rescans(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;
        g_autofree char *lines = NULL;

        sim_build_demo_host(h->sim);
        h->capture_log = TRUE;
        harness_start_daemon(h, NULL);
        wait_log_line(h, "<5>Monitoring 4 PFs, 8 VFs.");

        g_assert_cmpint(kill(h->daemon_pid, SIGHUP), ==, 0);
        wait_log_line(h, "<5>Rescanned (SIGHUP): 4 PFs, 8 VFs, 0 changed.");

        /* Root is allowed without polkit. */
        if (getuid() == 0) {
                r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
                g_assert_no_error(error);
                wait_log_line(h, "<5>Rescanned (Refresh): 4 PFs, 8 VFs, 0 changed.");
        }
        harness_stop_daemon(h);

        /* And nothing else: no per-event chatter at the default level. */
        lines = leveled_lines(h);
        g_assert_cmpstr(lines, ==,
                        getuid() == 0 ? "<5>Monitoring 4 PFs, 8 VFs.\n"
                                        "<5>Rescanned (SIGHUP): 4 PFs, 8 VFs, 0 changed.\n"
                                        "<5>Rescanned (Refresh): 4 PFs, 8 VFs, 0 changed.\n"
                                      : "<5>Monitoring 4 PFs, 8 VFs.\n"
                                        "<5>Rescanned (SIGHUP): 4 PFs, 8 VFs, 0 changed.\n");
}

/* A rescan that finds something changed names it. */
static void test_rescan_names_changes(void) {
        g_autoptr(Harness) h = harness_new();

        sim_build_demo_host(h->sim);
        h->capture_log = TRUE;
        harness_start_daemon(h, NULL);
        /* Written without a uevent: only a rescan can see it. */
        sim_write_attribute(h->sim, "0000:3b:00.2", "numa_node", "1");
        g_assert_cmpint(kill(h->daemon_pid, SIGHUP), ==, 0);
        wait_log_line(h, "<5>Rescanned (SIGHUP): 4 PFs, 8 VFs, 1 changed: 0000:3b:00.2.");
}

static int run_second_daemon(Harness *h, gboolean as_nobody, char **err) {
        const char *daemon = g_getenv("SRIOV_MONITORD");
        const char *const nobody[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", daemon,
                                       "--private-socket=none", NULL };
        g_autofree char *out = NULL;

        return harness_run(h, as_nobody ? nobody : nobody + 4, &out, err);
}

static void test_second_instance(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *err = NULL;

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        g_assert_cmpint(run_second_daemon(h, FALSE, &err), ==, 1);
        g_test_message("second instance: %s", err);
        g_assert_nonnull(strstr(err, "Another sriov-monitord owns org.sriov.Monitor1"));
        g_assert_null(strstr(err, "File exists"));
        /* The first one is unharmed. */
        g_assert_true(harness_name_has_owner(h, BUS_NAME));
}

/* The bus policy lets only root own the name: say so, not "Permission denied". */
static void test_not_allowed_to_own(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *err = NULL;

        if (getuid() != 0) {
                g_test_skip("needs root to run the daemon as another user (setpriv)");
                return;
        }
        g_assert_cmpint(run_second_daemon(h, TRUE, &err), ==, 1);
        g_test_message("as nobody: %s", err);
        g_assert_nonnull(strstr(err, "Not allowed to own org.sriov.Monitor1: run as root"));
}

/* A container without PCI sysfs: an empty table, one warning, still served. */
static void test_no_pci_sysfs(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *devices = g_build_filename(sim_root(h->sim), "sys/bus/pci/devices", NULL);
        g_autofree char *drivers = g_build_filename(sim_root(h->sim), "sys/bus/pci/drivers", NULL);
        g_autofree char *pci = g_build_filename(sim_root(h->sim), "sys/bus/pci", NULL);
        g_autofree char *lines = NULL;
        g_autoptr(GVariant) pfs = NULL, objects = NULL, found = NULL;
        g_autoptr(GError) error = NULL;

        g_assert_cmpint(rmdir(devices), ==, 0);
        g_assert_cmpint(rmdir(drivers), ==, 0);
        g_assert_cmpint(rmdir(pci), ==, 0);
        h->capture_log = TRUE;
        harness_start_daemon(h, NULL);
        wait_log_line(h, "<5>Monitoring 0 PFs, 0 VFs.");

        pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_assert_cmpuint(g_variant_n_children(pfs), ==, 0);
        objects = harness_call(h, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                               &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(g_variant_get_child_value(objects, 0)), ==, 0);

        /* Rescans find the same nothing, and do not warn again. */
        g_assert_cmpint(kill(h->daemon_pid, SIGHUP), ==, 0);
        wait_log_line(h, "<5>Rescanned (SIGHUP): 0 PFs, 0 VFs, 0 changed.");
        lines = leveled_lines(h);
        g_assert_cmpstr(lines, ==,
                        "<4>No /sys/bus/pci/devices on this host: no PCI devices to monitor.\n"
                        "<5>Monitoring 0 PFs, 0 VFs.\n"
                        "<5>Rescanned (SIGHUP): 0 PFs, 0 VFs, 0 changed.\n");

        /* Still serving: lookups answer, and a rescan as root succeeds. */
        found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "3b:00.2"), &error);
        g_assert_null(found);
        g_assert_true(g_dbus_error_is_remote_error(error));
        g_autofree char *name = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(name, ==, "org.sriov.Monitor1.Error.NoSuchDevice");
        g_clear_error(&error);
        if (getuid() == 0) {
                g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);

                g_assert_no_error(error);
                wait_log_line(h, "<5>Rescanned (Refresh): 0 PFs, 0 VFs, 0 changed.");
        }
        harness_stop_daemon(h);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/messages/start-and-rescans", test_start_and_rescans);
        g_test_add_func("/messages/rescan-names-changes", test_rescan_names_changes);
        g_test_add_func("/messages/second-instance", test_second_instance);
        g_test_add_func("/messages/not-allowed-to-own", test_not_allowed_to_own);
        g_test_add_func("/messages/no-pci-sysfs", test_no_pci_sysfs);
        return g_test_run();
}
