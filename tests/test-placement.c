/* SPDX-License-Identifier: MIT */
/*
 * Where a function sits (issue 16), on the simulated host: the members of
 * its IOMMU group, its hwdb product name, its PCIe link and a VF's iommufd
 * cdev, at start and as they change.
 */
#include <signal.h>

#include "live-checks.h"

#define CX6_PF "0000:3b:00.0"
#define CX6_VF0 "0000:3b:00.2"
#define CX6_VF1 "0000:3b:00.3"
#define CX6_VF2 "0000:3b:00.4" /* on vfio-pci in the demo */
#define PENSANDO_PF "0000:b5:00.0"

static GVariant *get(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autofree char *path = harness_device_path(address);

        return harness_get(h, path, iface, prop);
}

static void assert_str(Harness *h, const char *address, const char *iface, const char *prop, const char *expected) {
        g_autoptr(GVariant) v = get(h, address, iface, prop);

        g_assert_cmpstr(g_variant_get_string(v, NULL), ==, expected);
}

static void assert_strv(Harness *h, const char *address, const char *iface, const char *prop,
                        const char *const *expected) {
        g_autoptr(GVariant) v = get(h, address, iface, prop);
        g_autofree const char **got = g_variant_get_strv(v, NULL);

        g_assert_cmpstrv(got, expected);
}

static guint32 get_u32(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autoptr(GVariant) v = get(h, address, iface, prop);

        return g_variant_get_uint32(v);
}

static GVariant *strv(const char *const *l) {
        return g_variant_new_strv(l, -1);
}

static void test_at_start(void) {
        g_autoptr(Harness) h = live_start_demo();

        /* The PF: its hwdb model, its link, alone in its group. */
        assert_str(h, CX6_PF, DEVICE_IFACE, "ProductName", "MT2892 Family [ConnectX-6 Dx]");
        assert_str(h, CX6_PF, DEVICE_IFACE, "PcieLinkSpeed", "16.0 GT/s PCIe");
        g_assert_cmpuint(get_u32(h, CX6_PF, DEVICE_IFACE, "PcieLinkWidth"), ==, 16);
        assert_strv(h, CX6_PF, DEVICE_IFACE, "IommuGroupDevices", (const char *[]) { CX6_PF, NULL });

        /* A VF: its own model, no link files, no cdev while on its net driver. */
        assert_str(h, CX6_VF0, DEVICE_IFACE, "ProductName", "ConnectX Family mlx5Gen Virtual Function");
        assert_str(h, CX6_VF0, DEVICE_IFACE, "PcieLinkSpeed", "");
        g_assert_cmpuint(get_u32(h, CX6_VF0, DEVICE_IFACE, "PcieLinkWidth"), ==, 0);
        assert_strv(h, CX6_VF0, DEVICE_IFACE, "IommuGroupDevices", (const char *[]) { CX6_VF0, NULL });
        assert_str(h, CX6_VF0, VF_IFACE, "VfioCdev", "");

        /* The VF on vfio-pci has its iommufd cdev besides its group node. */
        assert_str(h, CX6_VF2, VF_IFACE, "VfioDevice", "/dev/vfio/43");
        assert_str(h, CX6_VF2, VF_IFACE, "VfioCdev", "/dev/vfio/devices/vfio0");

        /* No model in the hwdb: empty, the vendor still known. */
        assert_str(h, PENSANDO_PF, DEVICE_IFACE, "ProductName", "");
        assert_str(h, PENSANDO_PF, DEVICE_IFACE, "VendorName", "Pensando Systems");
}

static void test_shared_group(void) {
        g_autoptr(Harness) h = harness_new();

        /* A VF that shares its IOMMU group with another function (behind a
         * bridge without ACS): both listed, sorted. */
        sim_build_demo_host(h->sim);
        sim_add_grouped_device(h->sim, "0000:3b:00.6", 0x15b3, 0xa2d6, 41, false);
        harness_start_daemon(h, NULL);
        assert_strv(h, CX6_VF0, DEVICE_IFACE, "IommuGroupDevices", (const char *[]) { CX6_VF0, "0000:3b:00.6", NULL });

        /* A function hot-plugged into another VF's group, then removed. */
        sim_add_grouped_device(h->sim, "0000:3b:00.7", 0x15b3, 0xa2d6, 42, true);
        wait_prop(h, CX6_VF1, DEVICE_IFACE, "IommuGroupDevices", strv((const char *[]) { CX6_VF1, "0000:3b:00.7", NULL }));
        sim_remove_device(h->sim, "0000:3b:00.7");
        wait_prop(h, CX6_VF1, DEVICE_IFACE, "IommuGroupDevices", strv((const char *[]) { CX6_VF1, NULL }));
        sim_remove_device(h->sim, "0000:3b:00.6");
        wait_prop(h, CX6_VF0, DEVICE_IFACE, "IommuGroupDevices", strv((const char *[]) { CX6_VF0, NULL }));
        assert_matches_fresh_start(h);
}

static void test_live_changes(void) {
        g_autoptr(Harness) h = live_start_demo();
        guint64 before;

        /* Onto vfio-pci: a cdev (the lowest free number), and off again. */
        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        wait_prop(h, CX6_VF0, VF_IFACE, "VfioCdev", g_variant_new_string("/dev/vfio/devices/vfio1"));
        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_NET, NULL);
        wait_prop(h, CX6_VF0, VF_IFACE, "VfioCdev", g_variant_new_string(""));
        assert_str(h, CX6_VF2, VF_IFACE, "VfioCdev", "/dev/vfio/devices/vfio0");

        /* The link retrained at a lower speed: no uevent says so, a rescan
         * (SIGHUP) finds it. An "Unknown" speed is "". */
        sim_write_attribute(h->sim, CX6_PF, "current_link_speed", "8.0 GT/s PCIe\n");
        sim_write_attribute(h->sim, CX6_PF, "current_link_width", "8\n");
        before = harness_last_refresh(h);
        g_assert_cmpint(kill(h->daemon_pid, SIGHUP), ==, 0);
        g_assert_true(harness_wait_refresh_after(h, before, 10000));
        assert_str(h, CX6_PF, DEVICE_IFACE, "PcieLinkSpeed", "8.0 GT/s PCIe");
        g_assert_cmpuint(get_u32(h, CX6_PF, DEVICE_IFACE, "PcieLinkWidth"), ==, 8);
        sim_write_attribute(h->sim, CX6_PF, "current_link_speed", "Unknown\n");
        sim_write_attribute(h->sim, CX6_PF, "current_link_width", "bogus\n");
        before = harness_last_refresh(h);
        g_assert_cmpint(kill(h->daemon_pid, SIGHUP), ==, 0);
        g_assert_true(harness_wait_refresh_after(h, before, 10000));
        assert_str(h, CX6_PF, DEVICE_IFACE, "PcieLinkSpeed", "");
        g_assert_cmpuint(get_u32(h, CX6_PF, DEVICE_IFACE, "PcieLinkWidth"), ==, 0);
        assert_matches_fresh_start(h);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/placement/at-start", test_at_start);
        g_test_add_func("/placement/shared-iommu-group", test_shared_group);
        g_test_add_func("/placement/live-changes", test_live_changes);
        return g_test_run();
}
