/* SPDX-License-Identifier: MIT */
/*
 * switchdev representors (issue 16), on the simulated host: the netdevs of
 * a PF whose phys_port_name says they represent a VF (mlx5 "pf0vf3", older
 * ice "pf0vfr3", an external host's "c1pf0vf3") and whose phys_switch_id is
 * the uplink's. They leave the PF's NetDevices for its Representors, and
 * each VF names its own; they follow switchdev on/off and renames.
 */
#include "live-checks.h"

#define CX6_PF "0000:3b:00.0"
#define CX6_VF(i) ("0000:3b:00." #i) /* VF i is function i + 2 */
#define E810_PF "0000:5e:00.0"
#define E810_VF1 "0000:5e:02.1"
#define SWITCH "0a1b2c3d4e5f"

static GVariant *strv(const char *const *l) {
        return g_variant_new_strv(l, -1);
}

static void assert_strv(Harness *h, const char *address, const char *iface, const char *prop,
                        const char *const *expected) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);
        g_autofree const char **got = g_variant_get_strv(v, NULL);

        g_assert_cmpstrv(got, expected);
}

static void assert_str(Harness *h, const char *address, const char *iface, const char *prop, const char *expected) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        g_assert_cmpstr(g_variant_get_string(v, NULL), ==, expected);
}

/* mlx5 in switchdev mode: an uplink "p0", a representor per VF. */
static void mlx5_switchdev(SriovSim *sim, unsigned n) {
        sim_set_switch_port(sim, CX6_PF, SWITCH, "p0");
        for (unsigned i = 0; i < n; i++) {
                g_autofree char *name = g_strdup_printf("enp59s0f0npf0vf%u", i);
                g_autofree char *port = g_strdup_printf("pf0vf%u", i);

                sim_add_representor(sim, CX6_PF, name, SWITCH, port);
        }
}

static void test_layouts(void) {
        g_autoptr(Harness) h = harness_new();

        sim_build_demo_host(h->sim);
        mlx5_switchdev(h->sim, 4);
        /* A DPU's host-side VF: listed, no local VF. Another switch's port:
         * not a representor of this PF. */
        sim_add_representor(h->sim, CX6_PF, "enp59s0f0nc1pf0vf3", SWITCH, "c1pf0vf3");
        sim_add_representor(h->sim, CX6_PF, "other0", "ffffffff", "pf0vf2");
        /* Older ice: "pf0vfr1", no uplink port name. */
        sim_add_representor(h->sim, E810_PF, "ens785f0vfr1", SWITCH, "pf0vfr1");
        harness_start_daemon(h, NULL);

        assert_strv(h, CX6_PF, DEVICE_IFACE, "NetDevices", (const char *[]) { "enp59s0f0np0", "other0", NULL });
        assert_strv(h, CX6_PF, PF_IFACE, "Representors",
                    (const char *[]) { "enp59s0f0nc1pf0vf3", "enp59s0f0npf0vf0", "enp59s0f0npf0vf1",
                                       "enp59s0f0npf0vf2", "enp59s0f0npf0vf3", NULL });
        assert_str(h, CX6_VF(2), VF_IFACE, "Representor", "enp59s0f0npf0vf0");
        assert_str(h, CX6_VF(5), VF_IFACE, "Representor", "enp59s0f0npf0vf3");
        assert_str(h, CX6_PF, DEVICE_IFACE, "Mode", "net");
        /* No devlink instance for a simulated PF: unknown. */
        assert_str(h, CX6_PF, PF_IFACE, "EswitchMode", "");

        assert_strv(h, E810_PF, DEVICE_IFACE, "NetDevices", (const char *[]) { "ens785f0", NULL });
        assert_strv(h, E810_PF, PF_IFACE, "Representors", (const char *[]) { "ens785f0vfr1", NULL });
        assert_str(h, E810_VF1, VF_IFACE, "Representor", "ens785f0vfr1");
        assert_str(h, "0000:5e:02.0", VF_IFACE, "Representor", "");
        /* A PF in legacy mode has none. */
        assert_strv(h, "0000:b5:00.0", PF_IFACE, "Representors", (const char *[]) { NULL });
}

static void test_live(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);

        assert_str(h, CX6_VF(2), VF_IFACE, "Representor", "");

        /* switchdev on: the representors come, each VF names its own. */
        mlx5_switchdev(h->sim, 4);
        wait_prop(h, CX6_VF(5), VF_IFACE, "Representor", g_variant_new_string("enp59s0f0npf0vf3"));
        wait_prop(h, CX6_PF, PF_IFACE, "Representors",
                  strv((const char *[]) { "enp59s0f0npf0vf0", "enp59s0f0npf0vf1", "enp59s0f0npf0vf2",
                                          "enp59s0f0npf0vf3", NULL }));
        assert_strv(h, CX6_PF, DEVICE_IFACE, "NetDevices", (const char *[]) { "enp59s0f0np0", NULL });
        recorder_sync(rec);
        /* Representors are no interfaces of the PF. */
        g_assert_cmpint(find_event(rec, 0, "interface", "created", "enp59s0f0npf0vf0"), <, 0);

        /* udev renames one: the VF follows. */
        sim_rename_representor(h->sim, CX6_PF, "enp59s0f0npf0vf1", "rep-vm1");
        wait_prop(h, CX6_VF(3), VF_IFACE, "Representor", g_variant_new_string("rep-vm1"));

        /* switchdev off: they go. */
        for (unsigned i = 0; i < 4; i++) {
                g_autofree char *name = i == 1 ? g_strdup("rep-vm1") : g_strdup_printf("enp59s0f0npf0vf%u", i);

                sim_remove_representor(h->sim, CX6_PF, name);
        }
        wait_prop(h, CX6_VF(5), VF_IFACE, "Representor", g_variant_new_string(""));
        wait_prop(h, CX6_VF(3), VF_IFACE, "Representor", g_variant_new_string(""));
        wait_prop(h, CX6_PF, PF_IFACE, "Representors", strv((const char *[]) { NULL }));
        assert_matches_fresh_start(h);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/representors/layouts", test_layouts);
        g_test_add_func("/representors/live", test_live);
        return g_test_run();
}
