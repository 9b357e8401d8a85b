/* SPDX-License-Identifier: MIT */
/*
 * Netdev names as a real host gives them (issue 12, found by make check-vm):
 * a new VF's netdev is named by the kernel (eth7), then renamed by udev; a
 * renamed netdev keeps its old name as an altname.
 */
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "live-checks.h"

/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 10000

/* Whether any recorded signal carries the string `name` anywhere. */
static gboolean recorded_anywhere(Recorder *r, const char *name) {
        for (guint i = 0; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);
                g_autofree char *text = g_variant_print(s->params, FALSE);

                if (strstr(text, name))
                        return TRUE;
        }
        return FALSE;
}

/* A VF's netdev comes with the kernel's name (eth7) and udev renames it
 * right after the bind. Following udev's events, the daemon publishes it
 * only under udev's name: one "interface created", no temporary name.
 * Following the kernel's, it publishes what the kernel says: eth7, then
 * the rename (documented in sriov-monitord(8)). */
static void test_netdev_named_by_udev_first(void) {
        const char *sources[] = { "--uevent-source=udev", "--uevent-source=kernel" };
        const char *vf = "0000:3b:00.2";

        for (size_t i = 0; i < G_N_ELEMENTS(sources); i++) {
                g_autoptr(Harness) h = harness_new();
                g_autoptr(Recorder) rec = NULL;
                gboolean udev = i == 0;

                sim_build_demo_host(h->sim);
                harness_start_daemon(h, (const char *[]) { sources[i], NULL });
                rec = recorder_new(h);
                sim_rebind_vf(h->sim, vf, SIM_VF_VFIO, NULL);
                wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("vfio"));

                sim_rebind_vf(h->sim, vf, SIM_VF_NET, "eth7");
                wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("net"));
                wait_prop(h, vf, DEVICE_IFACE, "Driver", g_variant_new_string("mlx5_core"));
                if (udev)
                        wait_prop(h, vf, DEVICE_IFACE, "NetDevices", g_variant_new_strv(NULL, 0));
                else
                        wait_prop(h, vf, DEVICE_IFACE, "NetDevices",
                                  g_variant_new_strv((const char *[]) { "eth7" }, 1));

                sim_rename_netdev(h->sim, "eth7", "ens60f0v0");
                wait_prop(h, vf, DEVICE_IFACE, "NetDevices", g_variant_new_strv((const char *[]) { "ens60f0v0" }, 1));
                recorder_sync(rec);
                if (udev) {
                        g_assert_false(recorded_anywhere(rec, "eth7"));
                        g_assert_cmpint(find_event(rec, 0, "interface", "created", "ens60f0v0"), >=, 0);
                        g_assert_cmpuint(count_events(rec, "interface", "modified"), ==, 0);
                } else {
                        g_assert_cmpint(find_event(rec, 0, "interface", "created", "eth7"), >=, 0);
                        g_assert_cmpint(find_event(rec, 0, "interface", "modified", "ens60f0v0"), >=, 0);
                }
                assert_matches_fresh_start(h);
        }
}

/* FindDevice by an altname: a renamed netdev keeps its old name as one
 * (issue 12). sysfs has no file for altnames, the kernel resolves them: so
 * a real netdev, a veth in a private network namespace, with the name the
 * simulated VF's netdev has. */
static void test_find_device_by_altname(void) {
        const char *vf = "0000:3b:00.2";
        g_autoptr(Harness) h = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) found = NULL, missing = NULL;
        g_autofree char *path = harness_device_path(vf);
        const char *got;

        if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
                g_test_skip("needs root: a veth in a private network namespace");
                return;
        }
        if (!live_run_ip("link add labvf0 type veth peer name labpeer0")) {
                g_test_skip("cannot create a veth pair");
                return;
        }
        if (!live_run_ip("link property add dev labvf0 altname oldvf0")) {
                g_test_skip("this kernel has no altnames (Linux >= 5.5)");
                return;
        }
        h = live_start_demo();
        sim_rebind_vf(h->sim, vf, SIM_VF_VFIO, NULL);
        wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("vfio"));
        sim_rebind_vf(h->sim, vf, SIM_VF_NET, "labvf0");
        wait_prop(h, vf, DEVICE_IFACE, "NetDevices", g_variant_new_strv((const char *[]) { "labvf0" }, 1));

        found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "oldvf0"), &error);
        g_assert_no_error(error);
        g_variant_get(found, "(&o)", &got);
        g_assert_cmpstr(got, ==, path);
        /* A real netdev that belongs to no SR-IOV function is still no device. */
        missing = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "labpeer0"), &error);
        g_assert_null(missing);
        g_assert_nonnull(error);
        g_autofree char *remote = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(remote, ==, "org.sriov.Monitor1.Error.NoSuchDevice");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/netdev-names/named-by-udev-first", test_netdev_named_by_udev_first);
        g_test_add_func("/netdev-names/find-device-by-altname", test_find_device_by_altname);
        return g_test_run();
}
