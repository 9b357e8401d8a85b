/* SPDX-License-Identifier: MIT */
/*
 * Live monitoring: every scenario of a real host, driven through the
 * simulator in the kernel's event order, checked through GDBus for the final
 * properties, the signals seen, and a table equal to a fresh start's.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "live-checks.h"

#define CX6_PF "0000:3b:00.0"
#define BNXT_PF "0000:af:00.0"
/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 10000

static unsigned count_object_signal(Recorder *r, const char *member, const char *object) {
        unsigned n = 0;

        for (guint i = 0; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);
                const char *o;

                if (!g_str_equal(s->member, member))
                        continue;
                g_variant_get_child(s->params, 0, "&o", &o);
                if (g_str_equal(o, object))
                        n++;
        }
        return n;
}

/* The properties an InterfacesAdded of `object` carried for `iface`, or NULL. */
static GVariant *added_properties(Recorder *r, const char *object, const char *iface) {
        for (guint i = 0; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);
                const char *o;
                GVariant *props;

                if (!g_str_equal(s->member, "InterfacesAdded"))
                        continue;
                g_variant_get_child(s->params, 0, "&o", &o);
                if (!g_str_equal(o, object))
                        continue;
                g_autoptr(GVariant) ifaces = g_variant_get_child_value(s->params, 1);
                if (g_variant_lookup(ifaces, iface, "@a{sv}", &props))
                        return props;
        }
        return NULL;
}

typedef struct {
        Harness *h;
        Recorder *rec;
} EventsAnnounced;

/* The last EventsProcessed announced is the property's value. */
static gboolean events_processed_announced(gpointer p) {
        EventsAnnounced *w = p;
        g_autoptr(GVariant) now = harness_get(w->h, MANAGER_PATH, MANAGER_IFACE, "EventsProcessed");
        g_autoptr(GVariant) last = NULL;

        recorder_sync(w->rec);
        for (guint i = 0; i < w->rec->signals->len; i++) {
                Signal *s = g_ptr_array_index(w->rec->signals, i);
                g_autoptr(GVariant) changed = NULL;
                GVariant *v;

                if (!g_str_equal(s->member, "PropertiesChanged") || !g_str_equal(s->path, MANAGER_PATH))
                        continue;
                changed = g_variant_get_child_value(s->params, 1);
                v = g_variant_lookup_value(changed, "EventsProcessed", G_VARIANT_TYPE_UINT64);
                if (v) {
                        g_clear_pointer(&last, g_variant_unref);
                        last = v;
                }
        }
        return last && g_variant_equal(last, now);
}

/* 1. echo 4 > sriov_numvfs */
static void test_vf_creation(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);
        g_autoptr(GVariant) initial = managed_objects(h);

        sim_enable_vfs(h->sim, BNXT_PF, 4, SIM_VF_NET);
        wait_prop(h, BNXT_PF, PF_IFACE, "NumVFs", g_variant_new_uint32(4));
        for (unsigned i = 0; i < 4; i++) {
                const char *vf = sim_vf_address(h->sim, BNXT_PF, i);
                g_autofree char *path = harness_device_path(vf);

                wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("net"));
                wait_prop(h, vf, VF_IFACE, "VFIndex", g_variant_new_uint32(i));
                recorder_sync(rec);
                /* Announced once, with its Device and VF interfaces. */
                g_assert_cmpuint(count_object_signal(rec, "InterfacesAdded", path), ==, 1);
                g_assert_cmpint(find_event(rec, 0, "pci", "created", vf), >=, 0);
                /* Its netdev is announced too, right after it (with it, or
                 * once it appears). */
                g_assert_cmpint(find_event(rec, find_event(rec, 0, "pci", "created", vf), "interface", "created",
                                           sim_netdev(h->sim, vf)), >, find_event(rec, 0, "pci", "created", vf));
                g_autoptr(GVariant) props = added_properties(rec, path, DEVICE_IFACE);
                g_autoptr(GVariant) vf_props = added_properties(rec, path, VF_IFACE);

                g_assert_nonnull(props);
                g_assert_nonnull(vf_props);
        }
        /* Whether its add, change, netdev and bind went into that one
         * announcement (they usually do: make bench counts the messages) or
         * some came after it depends on the machine's speed; what a client
         * that follows the signals ends up with does not. */
        /* One 'interface created' per VF netdev either way (issue 12). */
        g_assert_cmpuint(count_events(rec, "interface", "created"), ==, 4);
        g_assert_cmpuint(count_events(rec, "interface", "modified"), ==, 0);
        g_assert_cmpint(find_event(rec, 0, "sriov", "modified", BNXT_PF), >=, 0);
        g_assert_cmpuint(count_events(rec, "pci", "created"), ==, 4);
        g_assert_cmpuint(recorder_count(rec, "InterfacesRemoved", NULL), ==, 0);
        assert_signals_give_table(h, initial, rec);
        assert_no_redundant_changes(initial, rec);
        assert_matches_fresh_start(h);
}

/* 2. echo 0 > sriov_numvfs (no event on the PF), and N -> M. */
static void test_vf_destruction(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);

        sim_disable_vfs(h->sim, CX6_PF, 0);
        wait_prop(h, CX6_PF, PF_IFACE, "NumVFs", g_variant_new_uint32(0));
        wait_prop(h, CX6_PF, PF_IFACE, "VirtualFunctions", g_variant_new_objv(NULL, 0));
        for (unsigned i = 0; i < 4; i++)
                wait_object(h, sim_vf_address(h->sim, CX6_PF, i), FALSE);
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count(rec, "InterfacesRemoved", NULL), ==, 4);
        g_assert_cmpuint(count_events(rec, "pci", "deleted"), ==, 4);

        recorder_clear(rec);
        sim_disable_vfs(h->sim, "0000:b5:00.0", 1);
        wait_prop(h, "0000:b5:00.0", PF_IFACE, "NumVFs", g_variant_new_uint32(1));
        wait_object(h, "0000:b5:00.2", FALSE);
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count(rec, "InterfacesRemoved", NULL), ==, 1);
        assert_matches_fresh_start(h);
}

/* 3. and 4. Passthrough: net driver -> vfio-pci, and back under a new name. */
static void test_rebind_vfio_and_back(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);
        const char *vf = "0000:3b:00.2";
        int deleted, driver;

        sim_rebind_vf(h->sim, vf, SIM_VF_VFIO, NULL);
        wait_prop(h, vf, DEVICE_IFACE, "Driver", g_variant_new_string("vfio-pci"));
        wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("vfio"));
        wait_prop(h, vf, DEVICE_IFACE, "NetDevices", g_variant_new_strv(NULL, 0));
        wait_prop(h, vf, VF_IFACE, "VfioDevice", g_variant_new_string("/dev/vfio/41"));
        recorder_sync(rec);
        deleted = find_event(rec, 0, "interface", "deleted", "enp59s0f0v0");
        driver = find_event(rec, 0, "driver", "modified", vf);
        g_assert_cmpint(deleted, >=, 0);
        g_assert_cmpint(driver, >, deleted); /* the netdev goes before the unbind */
        g_assert_cmpuint(recorder_count(rec, "InterfacesAdded", NULL), ==, 0);
        g_assert_cmpuint(recorder_count(rec, "InterfacesRemoved", NULL), ==, 0);

        recorder_clear(rec);
        sim_rebind_vf(h->sim, vf, SIM_VF_NET, "ens60f0v0");
        wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("net"));
        wait_prop(h, vf, DEVICE_IFACE, "Driver", g_variant_new_string("mlx5_core"));
        wait_prop(h, vf, DEVICE_IFACE, "NetDevices", g_variant_new_strv((const char *[]) { "ens60f0v0" }, 1));
        wait_prop(h, vf, VF_IFACE, "VfioDevice", g_variant_new_string(""));
        recorder_sync(rec);
        g_assert_cmpint(find_event(rec, 0, "interface", "created", "ens60f0v0"), >=, 0);
        g_assert_cmpint(find_event(rec, 0, "driver", "modified", vf), >=, 0);
        assert_matches_fresh_start(h);
}

/* 5. Unbind without rebind, then a driver that is neither net nor VFIO. */
static void test_unbind_and_other_driver(void) {
        g_autoptr(Harness) h = live_start_demo();
        const char *vf = "0000:3b:00.3";

        sim_rebind_vf(h->sim, vf, SIM_VF_UNBOUND, NULL);
        wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("unbound"));
        wait_prop(h, vf, DEVICE_IFACE, "Driver", g_variant_new_string(""));
        sim_bind_other(h->sim, vf, "pci-stub");
        wait_prop(h, vf, DEVICE_IFACE, "Mode", g_variant_new_string("other"));
        wait_prop(h, vf, DEVICE_IFACE, "Driver", g_variant_new_string("pci-stub"));
        assert_matches_fresh_start(h);
}

/* 6. udev renames a netdev ("move" with DEVPATH_OLD). */
static void test_netdev_rename(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) found = NULL, missing = NULL;
        g_autofree char *path = harness_device_path("0000:3b:00.3");
        const char *got;

        sim_rename_netdev(h->sim, "enp59s0f0v1", "ens60f0v1");
        wait_prop(h, "0000:3b:00.3", DEVICE_IFACE, "NetDevices", g_variant_new_strv((const char *[]) { "ens60f0v1" }, 1));
        recorder_sync(rec);
        g_assert_cmpint(find_event(rec, 0, "interface", "modified", "ens60f0v1"), >=, 0);
        g_assert_cmpuint(count_events(rec, "interface", "deleted"), ==, 0);

        found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "ens60f0v1"), &error);
        g_assert_no_error(error);
        g_variant_get(found, "(&o)", &got);
        g_assert_cmpstr(got, ==, path);
        missing = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "enp59s0f0v1"), &error);
        g_assert_null(missing);
        g_assert_nonnull(error);
        assert_matches_fresh_start(h);
}

/* 7. PF hot-removal and re-add. */
static void test_pf_removal_and_readd(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);
        g_autofree char *pf_path = harness_device_path(CX6_PF);

        sim_remove_pf(h->sim, CX6_PF);
        wait_object(h, CX6_PF, FALSE);
        for (unsigned i = 0; i < 4; i++)
                wait_object(h, sim_vf_address(h->sim, CX6_PF, i), FALSE);
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count(rec, "InterfacesRemoved", NULL), ==, 5);
        g_autoptr(GVariant) pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_assert_cmpuint(g_variant_n_children(pfs), ==, 3);

        recorder_clear(rec);
        sim_readd_pf(h->sim, CX6_PF, 4, SIM_VF_NET);
        wait_prop(h, CX6_PF, PF_IFACE, "NumVFs", g_variant_new_uint32(4));
        for (unsigned i = 0; i < 4; i++)
                wait_prop(h, sim_vf_address(h->sim, CX6_PF, i), DEVICE_IFACE, "Mode", g_variant_new_string("net"));
        recorder_sync(rec);
        g_assert_cmpuint(count_object_signal(rec, "InterfacesAdded", pf_path), ==, 1);
        g_assert_cmpuint(recorder_count(rec, "InterfacesAdded", NULL), ==, 5);
        /* The re-added PF is watched again: a user's write is seen. */
        sim_write_autoprobe(h->sim, CX6_PF, false);
        wait_prop(h, CX6_PF, PF_IFACE, "DriversAutoprobe", g_variant_new_boolean(FALSE));
        assert_matches_fresh_start(h);
}

/* 8. A user writes sriov_drivers_autoprobe: no uevent, only inotify. */
static void test_autoprobe_write(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);

        sim_write_autoprobe(h->sim, CX6_PF, false);
        wait_prop(h, CX6_PF, PF_IFACE, "DriversAutoprobe", g_variant_new_boolean(FALSE));
        recorder_sync(rec);
        g_assert_cmpint(find_event(rec, 0, "sriov", "modified", CX6_PF), >=, 0);
        sim_write_autoprobe(h->sim, CX6_PF, true);
        wait_prop(h, CX6_PF, PF_IFACE, "DriversAutoprobe", g_variant_new_boolean(TRUE));
        assert_matches_fresh_start(h);
}

/* The kernel takes a VF's virtfnN and physfn links away before its unbind
 * and remove uevents; a batch that runs in between reads the VF as gone.
 * Its PF must follow, with no sriov_numvfs write to say so (a PF driver
 * that disables its VFs writes none). */
static void test_vf_gone_before_its_remove(void) {
        g_autoptr(Harness) h = live_start_demo();
        const char *vf = "0000:3b:00.3";
        g_autofree char *virtfn = g_strconcat(sim_root(h->sim), sim_syspath(h->sim, CX6_PF), "/virtfn1", NULL);
        g_autofree char *physfn = g_strconcat(sim_root(h->sim), sim_syspath(h->sim, vf), "/physfn", NULL);
        const char *left[] = { "/org/sriov/Monitor1/Device/pci_0000_3b_00_2", "/org/sriov/Monitor1/Device/pci_0000_3b_00_4",
                               "/org/sriov/Monitor1/Device/pci_0000_3b_00_5" };

        g_assert_cmpint(unlink(virtfn), ==, 0);
        g_assert_cmpint(unlink(physfn), ==, 0);
        sim_send_uevent(h->sim, vf, "unbind");
        wait_object(h, vf, FALSE);
        /* Its remove comes once the daemon no longer knows whose VF it was. */
        sim_send_raw_uevent(h->sim, "remove", sim_syspath(h->sim, vf) + strlen("/sys"), "pci", NULL);
        wait_prop(h, CX6_PF, PF_IFACE, "NumVFs", g_variant_new_uint32(3));
        wait_prop(h, CX6_PF, PF_IFACE, "VirtualFunctions", g_variant_new_objv(left, G_N_ELEMENTS(left)));
        assert_matches_fresh_start(h);
}

static gboolean daemon_quiescent(gpointer h) {
        return harness_daemon_quiescent(h);
}

typedef struct {
        GDBusConnection *peer;
        guint64 want;
} CountWait;

static gboolean peer_counted(gpointer p) {
        CountWait *w = p;
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(
                w->peer, NULL, MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                g_variant_new("(ss)", MANAGER_IFACE, "EventsProcessed"), NULL, G_DBUS_CALL_FLAGS_NONE,
                (int) harness_timeout_ms(WAIT_MS), NULL, NULL);
        g_autoptr(GVariant) v = NULL;

        if (!r)
                return FALSE;
        g_variant_get(r, "(v)", &v);
        return g_variant_get_uint64(v) >= w->want;
}

/* A PF hot-removed and back before the daemon's next batch: one reading
 * says it is still there. Its attribute files are new ones, and the
 * watches on the old ones ended (IN_IGNORED) while they were gone: the new
 * ones must be watched, or a user's write goes unseen. The batch waits
 * while inotify events are pending: thousands of writes to another PF
 * hold it back, and the daemon is stopped while the PF comes back. */
static void test_pf_back_within_a_batch(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(GDBusConnection) peer = harness_connect_peer(h);
        g_autoptr(GVariant) count = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "EventsProcessed");
        /* The removal's uevents (net remove, unbind, remove), and the first
         * read of inotify events: 16, the IN_IGNORED of both files first. */
        CountWait w = { peer, g_variant_get_uint64(count) + 3 + 16 };
        gint64 started = g_get_monotonic_time();

        g_assert_nonnull(peer);
        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        sim_remove_pf(h->sim, BNXT_PF);
        /* Alternating between two files, so that inotify merges none; 14,000
         * events, below the default queue limit of 16,384. */
        for (int i = 0; i < 7000; i++) {
                sim_write_autoprobe(h->sim, CX6_PF, i % 2);
                sim_write_attribute(h->sim, CX6_PF, "sriov_numvfs", "4");
        }
        g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);
        /* The IN_IGNORED are handled while the files are gone; stopped
         * again while the writes still hold the batch, the PF comes back. */
        while (!peer_counted(&w))
                g_assert_cmpint(g_get_monotonic_time() - started, <, harness_timeout_ms(WAIT_MS) * 1000LL);
        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        sim_readd_pf(h->sim, BNXT_PF, 0, SIM_VF_NET);
        g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);

        /* Everything handled, the batch included: only a watch sees the write. */
        g_assert_true(harness_wait_until(daemon_quiescent, h, WAIT_MS));
        sim_write_autoprobe(h->sim, BNXT_PF, false);
        wait_prop(h, BNXT_PF, PF_IFACE, "DriversAutoprobe", g_variant_new_boolean(FALSE));
        assert_matches_fresh_start(h);
}

/* A replaced attribute file ends its inotify watch (IN_IGNORED): the daemon
 * watches the new file, and a later user write is still seen. */
static void test_watch_readded_after_replace(void) {
        g_autoptr(Harness) h = live_start_demo();

        /* umockdev replaces the file: the old watch is gone. */
        umockdev_testbed_set_attribute(sim_testbed(h->sim), "/sys/devices/pci0000:3a/0000:3a:00.0/" CX6_PF,
                                       "sriov_drivers_autoprobe", "0");
        wait_prop(h, CX6_PF, PF_IFACE, "DriversAutoprobe", g_variant_new_boolean(FALSE));
        sim_write_autoprobe(h->sim, CX6_PF, true);
        wait_prop(h, CX6_PF, PF_IFACE, "DriversAutoprobe", g_variant_new_boolean(TRUE));
}

/* 10. sriov_numvfs 0 -> 64 as fast as the simulator can. */
static void test_burst(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(Recorder) rec = NULL;
        g_autoptr(GVariant) initial = NULL;
        gint64 started;
        SimPfSpec spec = {
                .address = "0000:81:00.0", .vendor = 0x15b3, .device = 0x101d, .vf_device = 0x101e,
                .pf_driver = "mlx5_core", .vf_driver = "mlx5_core", .netdev = "enp129s0f0np0",
                .vf_netdev_prefix = "enp129s0f0v", .total_vfs = 127, .vf_offset = 2, .vf_stride = 1,
                .numa_node = 1, .iommu_group = 100,
        };

        sim_add_pf(h->sim, &spec);
        harness_start_daemon(h, NULL);
        started = g_get_monotonic_time();
        rec = recorder_new(h);
        initial = managed_objects(h);

        sim_enable_vfs(h->sim, spec.address, 64, SIM_VF_NET);
        wait_prop(h, spec.address, PF_IFACE, "NumVFs", g_variant_new_uint32(64));
        for (unsigned i = 0; i < 64; i++)
                wait_prop(h, sim_vf_address(h->sim, spec.address, i), DEVICE_IFACE, "Mode", g_variant_new_string("net"));
        recorder_sync(rec);

        /* Each VF published once, and never a change that changes nothing. */
        g_assert_cmpuint(recorder_count(rec, "InterfacesAdded", NULL), ==, 64);
        g_assert_cmpuint(count_events(rec, "pci", "created"), ==, 64);
        assert_no_redundant_changes(initial, rec);
        /* What a client that follows the signals has is the table. How
         * many messages that took depends on how the uevents were batched,
         * so on the machine's speed: a figure of make bench (issue 5's
         * "at most 3 per VF"), not an assertion. */
        assert_signals_give_table(h, initial, rec);
        g_test_message("burst of %u uevents: %u signals", sim_uevents_sent(h->sim), rec->signals->len);

        /* Hundreds of events: EventsProcessed's final value is announced,
         * eventually, and never more than once a second. Every announcement
         * recorded was made since `started` (the recorder came after it),
         * each at least a second after the one before, so a slow machine
         * can only make fewer. */
        EventsAnnounced ew = { h, rec };

        g_assert_true(harness_wait_until(events_processed_announced, &ew, WAIT_MS));
        guint announced = recorder_count_manager_property(rec, "EventsProcessed");

        g_test_message("EventsProcessed announced %u times in %.1f s", announced,
                       (g_get_monotonic_time() - started) / 1e6);
        g_assert_cmpuint(announced, <=, (g_get_monotonic_time() - started) / G_USEC_PER_SEC + 1);
        assert_matches_fresh_start(h);
}

/* The uevent source chosen explicitly, and EventsProcessed counting. */
static void test_udev_source_and_counter(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(GVariant) count = NULL;

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, (const char *[]) { "--uevent-source=udev", NULL });
        sim_rebind_vf(h->sim, "0000:3b:00.3", SIM_VF_UNBOUND, NULL);
        wait_prop(h, "0000:3b:00.3", DEVICE_IFACE, "Mode", g_variant_new_string("unbound"));
        /* net remove + unbind, at least. */
        count = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "EventsProcessed");
        g_assert_cmpuint(g_variant_get_uint64(count), >=, 2);
        g_autoptr(GVariant) degraded = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "Degraded");
        g_assert_false(g_variant_get_boolean(degraded));
}

/* --resync-interval finds what no event reported. */
static void test_periodic_resync(void) {
        g_autoptr(Harness) h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, (const char *[]) { "--resync-interval=1", NULL });
        sim_write_attribute(h->sim, "0000:3b:00.2", "numa_node", "1");
        wait_prop(h, "0000:3b:00.2", DEVICE_IFACE, "NumaNode", g_variant_new_int32(1));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/live/vf-creation", test_vf_creation);
        g_test_add_func("/live/vf-destruction", test_vf_destruction);
        g_test_add_func("/live/rebind-vfio-and-back", test_rebind_vfio_and_back);
        g_test_add_func("/live/unbind-and-other-driver", test_unbind_and_other_driver);
        g_test_add_func("/live/netdev-rename", test_netdev_rename);
        g_test_add_func("/live/pf-removal-and-readd", test_pf_removal_and_readd);
        g_test_add_func("/live/autoprobe-write", test_autoprobe_write);
        g_test_add_func("/live/vf-gone-before-its-remove", test_vf_gone_before_its_remove);
        g_test_add_func("/live/pf-back-within-a-batch", test_pf_back_within_a_batch);
        g_test_add_func("/live/burst", test_burst);
        g_test_add_func("/live/watch-readded-after-replace", test_watch_readded_after_replace);
        g_test_add_func("/live/udev-source-and-counter", test_udev_source_and_counter);
        g_test_add_func("/live/periodic-resync", test_periodic_resync);
        return g_test_run();
}
