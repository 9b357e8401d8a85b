/* SPDX-License-Identifier: MIT */
/*
 * Storm: 10,000 random events on a simulated host, from a seeded PRNG (the
 * seed is printed; STORM_SEED replays a run, STORM_EVENTS changes the
 * count). An event is what the daemon is sent: a uevent, or a user's write
 * of a sysfs attribute it watches. Random steps make them: VF counts
 * changed, VFs rebound between their net driver, vfio-pci, another driver
 * and none, netdevs renamed, PFs hot-removed and re-added,
 * sriov_drivers_autoprobe written, and uevents that the testbed contradicts
 * (for functions that are gone or never were, binds that sysfs does not bear
 * out, netdev and VFIO group events for names and groups nobody has).
 * Afterwards the daemon still answers, and its table equals, property for
 * property, what a daemon started on the final host publishes, and what the
 * simulator says the host is.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define DEFAULT_EVENTS 10000
#define MAX_VFS 6          /* per PF, so that a step stays cheap */
#define SETTLE_TIMEOUT_MS 120000

static const char *const pfs[] = { "0000:3b:00.0", "0000:5e:00.0", "0000:af:00.0", "0000:b5:00.0" };

typedef enum {
        OP_NUMVFS,
        OP_REBIND,
        OP_BIND_OTHER,
        OP_RENAME,
        OP_REMOVE_PF,
        OP_READD_PF,
        OP_AUTOPROBE,
        OP_STALE_GONE,     /* an event for a function that is not there (any more) */
        OP_STALE_NEVER,    /* an event for an address that never existed, a remove included */
        OP_CONTRADICT,     /* a bind/unbind whose DRIVER= sysfs does not bear out */
        OP_REPEAT,         /* the same event again, built from the testbed */
        OP_STALE_NETDEV,   /* net add/move/remove for a name the device does not have */
        OP_STALE_VFIO,     /* a VFIO group node event for a group in any state */
        N_OPS,
} Op;

static const char *const op_names[N_OPS] = {
        "numvfs", "rebind", "bind-other", "rename", "remove-pf", "readd-pf", "autoprobe",
        "stale-gone", "stale-never", "contradict", "repeat", "stale-netdev", "stale-vfio",
};

/* Relative weights: mostly real changes, a good fifth of nonsense. */
static const unsigned op_weights[N_OPS] = { 12, 22, 4, 12, 2, 4, 4, 8, 4, 6, 6, 8, 4 };

typedef struct Storm {
        Harness *h;
        GRand *rand;
        unsigned done[N_OPS];
        unsigned names;   /* fresh netdev names handed out */
        unsigned writes;  /* sriov_numvfs and sriov_drivers_autoprobe writes */
} Storm;

static unsigned pick(Storm *s, unsigned n) {
        return (unsigned) g_rand_int_range(s->rand, 0, (gint32) n);
}

static SimVfBinding pick_binding(Storm *s) {
        return (SimVfBinding) pick(s, 3);
}

/* The functions present now: PFs and VFs, optionally only those with a netdev. */
static GPtrArray *present(Storm *s, gboolean pf, gboolean vf, gboolean with_netdev) {
        GPtrArray *a = g_ptr_array_new();

        for (guint p = 0; p < G_N_ELEMENTS(pfs); p++) {
                if (!sim_pf_present(s->h->sim, pfs[p]))
                        continue;
                if (pf && (!with_netdev || sim_netdev(s->h->sim, pfs[p])))
                        g_ptr_array_add(a, (gpointer) pfs[p]);
                for (unsigned i = 0; vf && i < sim_num_vfs(s->h->sim, pfs[p]); i++) {
                        const char *v = sim_vf_address(s->h->sim, pfs[p], i);

                        if (!with_netdev || sim_netdev(s->h->sim, v))
                                g_ptr_array_add(a, (gpointer) v);
                }
        }
        return a;
}

static const char *pick_from(Storm *s, GPtrArray *a) {
        return a->len ? g_ptr_array_index(a, pick(s, a->len)) : NULL;
}

static const char *pick_pf(Storm *s, gboolean want_present) {
        const char *c[G_N_ELEMENTS(pfs)];
        unsigned n = 0;

        for (guint p = 0; p < G_N_ELEMENTS(pfs); p++)
                if (sim_pf_present(s->h->sim, pfs[p]) == want_present)
                        c[n++] = pfs[p];
        return n ? c[pick(s, n)] : NULL;
}

/* Any address a VF of ours could have, present or not. */
static const char *any_vf_address(Storm *s) {
        return sim_vf_address(s->h->sim, pfs[pick(s, G_N_ELEMENTS(pfs))], pick(s, MAX_VFS));
}

static const char *fresh_name(Storm *s) {
        char name[16];

        g_snprintf(name, sizeof(name), "storm%u", s->names++);
        return g_intern_string(name);
}

static gboolean name_in_use(Storm *s, const char *name) {
        g_autoptr(GPtrArray) a = present(s, TRUE, TRUE, TRUE);

        for (guint i = 0; i < a->len; i++)
                if (g_strcmp0(sim_netdev(s->h->sim, g_ptr_array_index(a, i)), name) == 0)
                        return TRUE;
        return FALSE;
}

static void raw(Storm *s, const char *action, const char *syspath, const char *subsystem, const char *prop) {
        const char *props[] = { prop, NULL };

        g_assert_true(g_str_has_prefix(syspath, "/sys/"));
        sim_send_raw_uevent(s->h->sim, action, syspath + strlen("/sys"), subsystem, props);
}

/* Each returns FALSE when the host offers nothing to do it to. */
static gboolean op_numvfs(Storm *s) {
        const char *pf = pick_pf(s, TRUE);
        unsigned cur, want;

        if (!pf)
                return FALSE;
        cur = sim_num_vfs(s->h->sim, pf);
        want = pick(s, MAX_VFS + 1);
        if (want == cur)
                return FALSE;
        /* As the kernel wants it: N -> M > 0 goes through 0. */
        if (want < cur)
                sim_disable_vfs(s->h->sim, pf, want);
        else {
                if (cur > 0) {
                        sim_disable_vfs(s->h->sim, pf, 0);
                        s->writes++;
                }
                sim_enable_vfs(s->h->sim, pf, want, pick_binding(s));
        }
        s->writes++;
        return TRUE;
}

static gboolean op_rebind(Storm *s) {
        g_autoptr(GPtrArray) vfs = present(s, FALSE, TRUE, FALSE);
        const char *vf = pick_from(s, vfs);
        SimVfBinding b = pick_binding(s);

        if (!vf)
                return FALSE;
        /* Back to the net driver under its kernel name, or one udev chose. */
        sim_rebind_vf(s->h->sim, vf, b, b == SIM_VF_NET && pick(s, 2) ? fresh_name(s) : NULL);
        return TRUE;
}

static gboolean op_bind_other(Storm *s) {
        g_autoptr(GPtrArray) vfs = present(s, FALSE, TRUE, FALSE);
        g_autoptr(GPtrArray) unbound = g_ptr_array_new();

        for (guint i = 0; i < vfs->len; i++)
                if (!sim_driver(s->h->sim, g_ptr_array_index(vfs, i)))
                        g_ptr_array_add(unbound, g_ptr_array_index(vfs, i));
        if (!unbound->len)
                return FALSE;
        sim_bind_other(s->h->sim, pick_from(s, unbound), pick(s, 2) ? "pci-stub" : "vfio-pci");
        return TRUE;
}

static gboolean op_rename(Storm *s) {
        g_autoptr(GPtrArray) devs = present(s, TRUE, TRUE, TRUE);
        const char *dev = pick_from(s, devs);

        if (!dev)
                return FALSE;
        sim_rename_netdev(s->h->sim, sim_netdev(s->h->sim, dev), fresh_name(s));
        return TRUE;
}

static gboolean op_remove_pf(Storm *s) {
        const char *pf = pick_pf(s, TRUE);

        if (!pf)
                return FALSE;
        sim_remove_pf(s->h->sim, pf);
        return TRUE;
}

static gboolean op_readd_pf(Storm *s) {
        const char *pf = pick_pf(s, FALSE);
        unsigned n;

        if (!pf)
                return FALSE;
        n = pick(s, MAX_VFS + 1);
        sim_readd_pf(s->h->sim, pf, n, pick_binding(s));
        s->writes += n > 0;
        return TRUE;
}

static gboolean op_autoprobe(Storm *s) {
        const char *pf = pick_pf(s, TRUE);

        if (!pf)
                return FALSE;
        sim_write_autoprobe(s->h->sim, pf, pick(s, 2));
        s->writes++;
        return TRUE;
}

static const char *const pci_actions[] = { "add", "change", "bind", "unbind", "remove", "move" };

/* Any PCI event for a function that is not there: a VF above the PF's
 * count, or anything of a removed PF. The device may have just gone, so the
 * daemon may still know it. */
static gboolean op_stale_gone(Storm *s) {
        const char *address = NULL;

        for (int tries = 0; tries < 8 && !address; tries++) {
                const char *a = pick(s, 4) ? any_vf_address(s) : pfs[pick(s, G_N_ELEMENTS(pfs))];

                /* Under umockdev's preload, /sys is the testbed's. */
                if (!g_file_test(sim_syspath(s->h->sim, a), G_FILE_TEST_EXISTS))
                        address = a;
        }
        if (!address)
                return FALSE;
        raw(s, pci_actions[pick(s, G_N_ELEMENTS(pci_actions))], sim_syspath(s->h->sim, address), "pci",
            pick(s, 2) ? "DRIVER=mlx5_core" : NULL);
        return TRUE;
}

/* Addresses that never existed: on a bus of ours and on one nobody has. */
static gboolean op_stale_never(Storm *s) {
        char path[128];

        if (pick(s, 2))
                g_snprintf(path, sizeof(path), "/sys/devices/pci0000:99/0000:99:%02x.%u", pick(s, 32), pick(s, 8));
        else
                g_snprintf(path, sizeof(path), "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:1%u.%u", pick(s, 8),
                           pick(s, 8));
        raw(s, pci_actions[pick(s, G_N_ELEMENTS(pci_actions))], path, "pci", NULL);
        return TRUE;
}

/* bind says DRIVER=x, sysfs says another driver or none; unbind of a bound one. */
static gboolean op_contradict(Storm *s) {
        static const char *const drivers[] = { "vfio-pci", "mlx5_core", "iavf", "pci-stub" };
        g_autoptr(GPtrArray) devs = present(s, TRUE, TRUE, FALSE);
        const char *dev = pick_from(s, devs);
        const char *driver = drivers[pick(s, G_N_ELEMENTS(drivers))];
        g_autofree char *prop = NULL;

        if (!dev)
                return FALSE;
        if (g_strcmp0(sim_driver(s->h->sim, dev), driver) == 0 || pick(s, 4) == 0) {
                raw(s, "unbind", sim_syspath(s->h->sim, dev), "pci", NULL);
                return TRUE;
        }
        prop = g_strconcat("DRIVER=", driver, NULL);
        raw(s, "bind", sim_syspath(s->h->sim, dev), "pci", prop);
        return TRUE;
}

/* A present function's event again; never a remove (the daemon believes a
 * remove whatever sysfs shows, as the kernel sends it before the removal). */
static gboolean op_repeat(Storm *s) {
        static const char *const actions[] = { "add", "change", "bind", "unbind", "move" };
        g_autoptr(GPtrArray) devs = present(s, TRUE, TRUE, FALSE);
        const char *dev = pick_from(s, devs);

        if (!dev)
                return FALSE;
        sim_send_uevent(s->h->sim, dev, actions[pick(s, G_N_ELEMENTS(actions))]);
        return TRUE;
}

/* Net events for a name the device does not have: one of the names handed
 * out before (maybe another device's now), or one never used. A remove only
 * for a name nobody has, so that it cannot hide a real netdev. */
static gboolean op_stale_netdev(Storm *s) {
        static const char *const actions[] = { "add", "move", "change", "remove" };
        const char *address = pick(s, 3) ? any_vf_address(s) : pfs[pick(s, G_N_ELEMENTS(pfs))];
        const char *action = actions[pick(s, G_N_ELEMENTS(actions))];
        g_autofree char *name = s->names && pick(s, 2) ? g_strdup_printf("storm%u", pick(s, s->names))
                                                      : g_strdup_printf("ghost%u", pick(s, 1000));
        g_autofree char *path = NULL;

        if (g_strcmp0(sim_netdev(s->h->sim, address), name) == 0 ||
            (g_str_equal(action, "remove") && name_in_use(s, name)))
                return FALSE;
        path = g_strdup_printf("%s/net/%s", sim_syspath(s->h->sim, address), name);
        raw(s, action, path, "net", g_str_equal(action, "move") ? "DEVPATH_OLD=/devices/virtual/net/eth9" : NULL);
        return TRUE;
}

/* /dev/vfio group nodes come and go in other orders than the testbed's. */
static gboolean op_stale_vfio(Storm *s) {
        char path[64];

        g_snprintf(path, sizeof(path), "/sys/devices/virtual/vfio/%u", 40 + pick(s, 100));
        raw(s, pick(s, 2) ? "add" : "remove", path, "vfio", NULL);
        return TRUE;
}

static gboolean (*const ops[N_OPS])(Storm *) = {
        op_numvfs, op_rebind, op_bind_other, op_rename, op_remove_pf, op_readd_pf, op_autoprobe,
        op_stale_gone, op_stale_never, op_contradict, op_repeat, op_stale_netdev, op_stale_vfio,
};

static Op pick_op(Storm *s) {
        unsigned total = 0, r;

        for (int i = 0; i < N_OPS; i++)
                total += op_weights[i];
        r = pick(s, total);
        for (int i = 0; i < N_OPS; i++) {
                if (r < op_weights[i])
                        return (Op) i;
                r -= op_weights[i];
        }
        g_assert_not_reached();
}

static GVariant *managed_objects(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                                             "GetManagedObjects", NULL, &error);

        g_assert_no_error(error);
        return g_variant_get_child_value(r, 0);
}

/* Everything published: every property of every object, and the manager's
 * own properties that a rescan does not change by itself. */
static GVariant *published(Harness *h) {
        g_autoptr(GVariant) pfs_prop = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_autoptr(GVariant) degraded = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "Degraded");
        g_autoptr(GVariant) objects = managed_objects(h);

        return g_variant_ref_sink(g_variant_new("(@a{oa{sa{sv}}}@ao@b)", objects, pfs_prop, degraded));
}

static guint64 events_processed(Harness *h) {
        g_autoptr(GVariant) v = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "EventsProcessed");

        return g_variant_get_uint64(v);
}

typedef struct {
        Harness *h;
        guint64 want;
} CountWait;

static gboolean counted(gpointer p) {
        CountWait *w = p;

        return events_processed(w->h) >= w->want;
}

/* Settled: every uevent sent has been counted, and then the daemon sleeps
 * with nothing pending or scheduled (no batch, no devices held until their
 * uevents pause, no timer at all) twice in a row with EventsProcessed
 * unchanged. */
static void wait_settled(Harness *h, guint64 want) {
        CountWait w = { h, want };
        gint64 deadline = g_get_monotonic_time() + harness_timeout_ms(SETTLE_TIMEOUT_MS) * 1000LL;
        guint64 last = 0;
        unsigned quiet = 0;

        g_assert_true(harness_wait_until(counted, &w, SETTLE_TIMEOUT_MS));
        while (quiet < 2) {
                guint64 now = events_processed(h);

                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                quiet = now == last && harness_daemon_quiescent(h) ? quiet + 1 : 0;
                last = now;
                g_usleep(50 * 1000);
        }
}

static GVariant *lookup_props(GVariant *objects, const char *address, const char *iface) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) ifaces = g_variant_lookup_value(objects, path, G_VARIANT_TYPE("a{sa{sv}}"));

        return ifaces ? g_variant_lookup_value(ifaces, iface, G_VARIANT_TYPE("a{sv}")) : NULL;
}

static void assert_prop_str(GVariant *props, const char *name, const char *want, const char *address) {
        const char *got = NULL;

        g_assert_true(g_variant_lookup(props, name, "&s", &got));
        if (g_strcmp0(got, want ? want : "") != 0)
                g_error("%s %s is '%s', the simulator says '%s'", address, name, got, want ? want : "");
}

/* The table says what the simulator built: which functions exist, their
 * drivers, netdevs and VF counts. */
static void assert_matches_sim(Harness *h, GVariant *table) {
        g_autoptr(GVariant) objects = g_variant_get_child_value(table, 0);
        unsigned expected = 0;

        for (guint p = 0; p < G_N_ELEMENTS(pfs); p++) {
                gboolean here = sim_pf_present(h->sim, pfs[p]);
                unsigned n = sim_num_vfs(h->sim, pfs[p]);
                g_autoptr(GVariant) dev = lookup_props(objects, pfs[p], DEVICE_IFACE);
                g_autoptr(GVariant) pf = lookup_props(objects, pfs[p], PF_IFACE);
                guint32 num = 0;

                g_assert_true((dev != NULL) == here);
                if (!here)
                        continue;
                expected += 1 + n;
                assert_prop_str(dev, "Driver", sim_driver(h->sim, pfs[p]), pfs[p]);
                g_assert_true(g_variant_lookup(pf, "NumVFs", "u", &num));
                if (num != n) {
                        g_autofree char *all = g_variant_print(objects, FALSE);

                        g_error("%s NumVFs is %u, the simulator says %u: %s", pfs[p], num, n, all);
                }
                for (unsigned i = 0; i < MAX_VFS; i++) {
                        const char *vf = sim_vf_address(h->sim, pfs[p], i);
                        g_autoptr(GVariant) vdev = lookup_props(objects, vf, DEVICE_IFACE);
                        g_autoptr(GVariant) netdevs = NULL;
                        const char *netdev = sim_netdev(h->sim, vf);

                        g_assert_true((vdev != NULL) == (i < n));
                        if (!vdev)
                                continue;
                        assert_prop_str(vdev, "Driver", sim_driver(h->sim, vf), vf);
                        netdevs = g_variant_lookup_value(vdev, "NetDevices", G_VARIANT_TYPE_STRING_ARRAY);
                        g_assert_cmpuint(g_variant_n_children(netdevs), ==, netdev ? 1 : 0);
                        if (netdev) {
                                g_autoptr(GVariant) first = g_variant_get_child_value(netdevs, 0);

                                g_assert_cmpstr(g_variant_get_string(first, NULL), ==, netdev);
                        }
                }
        }
        g_assert_cmpuint(g_variant_n_children(objects), ==, expected);
}

/* FindDevice finds a present function, and says NoSuchDevice for the plain NIC. */
static void assert_answers(Harness *h) {
        g_autoptr(GPtrArray) devs = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) none = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice",
                                                g_variant_new("(s)", "0000:02:00.0"), &error);
        g_autofree char *name = error ? g_dbus_error_get_remote_error(error) : NULL;

        g_assert_null(none);
        g_assert_cmpstr(name, ==, ERROR_NO_SUCH_DEVICE);
        g_clear_error(&error);
        for (guint p = 0; p < G_N_ELEMENTS(pfs); p++) {
                const char *address = sim_pf_present(h->sim, pfs[p]) ? pfs[p] : NULL;
                g_autoptr(GVariant) r = NULL;
                g_autofree char *want = NULL;
                const char *got;

                if (!address)
                        continue;
                if (sim_num_vfs(h->sim, pfs[p]) > 0)
                        address = sim_vf_address(h->sim, pfs[p], sim_num_vfs(h->sim, pfs[p]) - 1);
                want = harness_device_path(address);
                r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", address), &error);
                g_assert_no_error(error);
                g_variant_get(r, "(&o)", &got);
                g_assert_cmpstr(got, ==, want);
        }
}

static void test_storm(void) {
        g_autoptr(Harness) h = harness_new();
        const char *seed_env = g_getenv("STORM_SEED"), *events_env = g_getenv("STORM_EVENTS");
        guint32 seed = seed_env ? (guint32) g_ascii_strtoull(seed_env, NULL, 0) : g_random_int();
        unsigned events = events_env ? (unsigned) g_ascii_strtoull(events_env, NULL, 0) : DEFAULT_EVENTS;
        Storm s = { .h = h, .rand = g_rand_new_with_seed(seed) };
        g_autoptr(GVariant) live = NULL, fresh = NULL;
        guint64 counted_before;
        unsigned sent_before, steps = 0;
        gint64 started;

        g_test_message("storm: %u events, seed %" G_GUINT32_FORMAT " (replay with STORM_SEED=%" G_GUINT32_FORMAT ")",
                       events, seed, seed);
        g_assert_cmpuint(events, >, 0);
        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        counted_before = events_processed(h);
        sent_before = sim_uevents_sent(h->sim);

        started = g_get_monotonic_time();
        while (sim_uevents_sent(h->sim) - sent_before + s.writes < events) {
                Op op = pick_op(&s);

                if (!ops[op](&s))
                        continue;
                s.done[op]++;
                steps++;
        }
        g_test_message("storm: %u events (%u uevents, %u writes) in %u random steps, sent in %.1f s",
                       sim_uevents_sent(h->sim) - sent_before + s.writes, sim_uevents_sent(h->sim) - sent_before,
                       s.writes, steps, (g_get_monotonic_time() - started) / 1e6);
        for (int i = 0; i < N_OPS; i++)
                g_test_message("  %-13s %u", op_names[i], s.done[i]);

        /* Every uevent is counted (inotify events add more). */
        wait_settled(h, counted_before + (sim_uevents_sent(h->sim) - sent_before));
        g_test_message("storm: settled %.1f s after the start", (g_get_monotonic_time() - started) / 1e6);

        /* Still answering, and right. */
        assert_answers(h);
        live = published(h);
        assert_matches_sim(h, live);

        harness_stop_daemon(h);
        harness_start_daemon(h, NULL);
        fresh = published(h);
        if (!g_variant_equal(live, fresh)) {
                g_autofree char *a = g_variant_print(live, FALSE), *b = g_variant_print(fresh, FALSE);
                g_error("seed %" G_GUINT32_FORMAT ": the table after the storm differs from a fresh start's:\n"
                        "live:  %s\nfresh: %s", seed, a, b);
        }
        g_rand_free(s.rand);
}

static void drop_message(const char *domain, GLogLevelFlags level, const char *message, gpointer unused) {
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        /* umockdev logs each of the tens of thousands of uevents at debug level. */
        g_log_set_handler(NULL, G_LOG_LEVEL_DEBUG, drop_message, NULL);
        g_test_add_func("/storm/random-events", test_storm);
        return g_test_run();
}
