/* SPDX-License-Identifier: MIT */
/*
 * Bad input and faults: a host whose sysfs is broken in the ways real ones
 * (and fuzzers) are, polkit answering nonsense, and a daemon killed in the
 * middle of a burst. Each time the daemon lives on and the rest of the table
 * stays right.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CX6 "/sys/devices/pci0000:3a/0000:3a:00.0"

/* A path inside the testbed, for making what the simulator never would. */
static char *bed(Harness *h, const char *sys_path) {
        return g_strconcat(sim_root(h->sim), sys_path, NULL);
}

static void relink(Harness *h, const char *sys_link, const char *target) {
        g_autofree char *link = bed(h, sys_link);

        (void) unlink(link);
        g_assert_cmpint(symlink(target, link), ==, 0);
}

static gint32 get_i32(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        return g_variant_get_int32(v);
}

static guint32 get_u32(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        return g_variant_get_uint32(v);
}

static char *get_str(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        return g_variant_dup_string(v, NULL);
}

static void test_malformed_links(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *huge = g_strnfill(1 << 20, '7');
        g_autofree char *numa = bed(h, CX6 "/0000:3b:00.2/numa_node");
        g_autofree char *dup_dir = NULL;
        g_autoptr(GVariant) vfs = NULL, pfs = NULL;
        g_autofree char *driver = NULL, *mode = NULL, *ipf = NULL;

        sim_build_demo_host(h->sim);
        /* A driver link to nowhere, a link that points at itself, a virtfn to
         * a device that does not exist, a VF whose physfn is another VF, a
         * netdev name two devices claim, and a 1 MiB attribute. */
        relink(h, CX6 "/0000:3b:00.3/driver", "../../../../bus/pci/drivers/gone_driver");
        relink(h, CX6 "/0000:3b:00.3/iommu_group", "iommu_group");
        relink(h, CX6 "/0000:3b:00.0/virtfn7", "../0000:3b:00.7");
        relink(h, CX6 "/0000:3b:00.5/physfn", "../0000:3b:00.2");
        dup_dir = bed(h, "/sys/devices/pci0000:5d/0000:5d:00.0/0000:5e:02.0/net/enp59s0f0v0");
        g_assert_cmpint(g_mkdir_with_parents(dup_dir, 0755), ==, 0);
        g_assert_true(g_file_set_contents(numa, huge, -1, NULL));

        harness_start_daemon(h, NULL);

        /* The odd values are "unknown", and only they. */
        g_assert_cmpint(get_i32(h, "0000:3b:00.2", DEVICE_IFACE, "NumaNode"), ==, -1);
        g_assert_cmpint(get_i32(h, "0000:3b:00.3", DEVICE_IFACE, "IommuGroup"), ==, -1);
        driver = get_str(h, "0000:3b:00.3", DEVICE_IFACE, "Driver");
        g_assert_cmpstr(driver, ==, "gone_driver");
        mode = get_str(h, "0000:3b:00.2", DEVICE_IFACE, "Mode");
        g_assert_cmpstr(mode, ==, "net");
        /* The VF with a VF for a PF is still published, pointing where it points. */
        ipf = get_str(h, "0000:3b:00.5", VF_IFACE, "PhysicalFunction");
        g_assert_cmpstr(ipf, ==, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2");

        /* The PF lists and counts only VFs that exist. */
        g_autofree char *pf_path = harness_device_path("0000:3b:00.0");
        vfs = harness_get(h, pf_path, PF_IFACE, "VirtualFunctions");
        g_assert_cmpuint(g_variant_n_children(vfs), ==, 4);
        g_assert_cmpuint(get_u32(h, "0000:3b:00.0", PF_IFACE, "NumVFs"), ==, 4);

        /* The rest of the table is right. */
        pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_assert_cmpuint(g_variant_n_children(pfs), ==, 4);
        g_assert_cmpint(get_i32(h, "0000:b5:00.1", DEVICE_IFACE, "IommuGroup"), ==, 61);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice",
                                                 g_variant_new("(s)", "enp59s0f0v0"), &error);
        g_assert_no_error(error); /* one of the two claimants, never a crash */
}

typedef struct {
        Harness *h;
        gboolean want;
} AutoprobeWait;

static gboolean autoprobe_is(gpointer p) {
        AutoprobeWait *w = p;
        g_autofree char *path = harness_device_path("0000:3b:00.0");
        g_autoptr(GVariant) v = harness_get(w->h, path, PF_IFACE, "DriversAutoprobe");

        return g_variant_get_boolean(v) == w->want;
}

/* A virtfnN link whose VF is gone (as while the kernel removes VFs: the
 * link is listed, then resolves to nothing) appears while the PF is
 * re-read: NumVFs and VirtualFunctions agree on the VFs that exist. */
static void test_dangling_virtfn_live(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *pf_path = harness_device_path("0000:3b:00.0");
        g_autoptr(GVariant) autoprobe = NULL, vfs = NULL;
        AutoprobeWait w = { h, FALSE };

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        autoprobe = harness_get(h, pf_path, PF_IFACE, "DriversAutoprobe");
        w.want = !g_variant_get_boolean(autoprobe);
        relink(h, CX6 "/0000:3b:00.0/virtfn6", "../0000:3b:00.6");
        sim_write_autoprobe(h->sim, "0000:3b:00.0", w.want);
        g_assert_true(harness_wait_until(autoprobe_is, &w, 20000));

        vfs = harness_get(h, pf_path, PF_IFACE, "VirtualFunctions");
        g_assert_cmpuint(g_variant_n_children(vfs), ==, 4);
        g_assert_cmpuint(get_u32(h, "0000:3b:00.0", PF_IFACE, "NumVFs"), ==, 4);
}

static gboolean name_owned(gpointer p) {
        return harness_name_has_owner(p, "org.freedesktop.PolicyKit1");
}

/* polkit answers nonsense: denied, and the daemon serves on. */
static void test_polkit_garbage(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *template = g_build_filename(g_getenv("TEST_SRCDIR"), "polkitd_garbage.py", NULL);
        const char *mock[] = { "/usr/bin/python3", "-m", "dbusmock", "--system", "--template", template, NULL };
        const char *call[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call",
                               "--system", "--dest", BUS_NAME, "--object-path", MANAGER_PATH, "--method",
                               MANAGER_IFACE ".Refresh", NULL };
        g_auto(GStrv) env = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL, *err = NULL;
        guint64 before;
        GPid pid;

        if (getuid() != 0) {
                g_test_skip("needs root to call as another user");
                return;
        }
        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        env = harness_client_environ(h);
        g_assert_true(g_spawn_async(NULL, (char **) mock, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                    NULL, NULL, &pid, &error));
        g_assert_true(harness_wait_until(name_owned, h, 15000));
        before = harness_last_refresh(h);

        g_assert_cmpint(harness_run(h, call, &out, &err), !=, 0);
        g_assert_nonnull(strstr(err, "AccessDenied"));
        g_assert_cmpuint(harness_last_refresh(h), ==, before);
        g_autoptr(GVariant) found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice",
                                                 g_variant_new("(s)", "3b:00.2"), &error);
        g_assert_no_error(error);

        (void) kill(pid, SIGTERM);
        (void) waitpid(pid, NULL, 0);
        g_spawn_close_pid(pid);
}

/* SIGKILL while a burst is being processed; the next start is right. */
static void test_killed_mid_burst(void) {
        g_autoptr(Harness) h = harness_new();
        SimPfSpec spec = {
                .address = "0000:81:00.0", .vendor = 0x8086, .device = 0x1593, .vf_device = 0x1889,
                .pf_driver = "ice", .vf_driver = "iavf", .netdev = "ens801f0", .vf_netdev_prefix = "ens801f0v",
                .total_vfs = 128, .vf_offset = 8, .vf_stride = 1, .numa_node = 0, .iommu_group = 200,
        };
        g_autofree char *pf = harness_device_path(spec.address);
        g_autoptr(GVariant) num = NULL, vfs = NULL;
        int status;

        sim_add_pf(h->sim, &spec);
        harness_start_daemon(h, NULL);
        sim_enable_vfs(h->sim, spec.address, 48, SIM_VF_NET);
        g_assert_cmpint(kill(h->daemon_pid, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(h->daemon_pid, &status, 0), ==, h->daemon_pid);
        g_spawn_close_pid(h->daemon_pid);
        h->daemon_pid = 0;

        harness_start_daemon(h, NULL);
        num = harness_get(h, pf, PF_IFACE, "NumVFs");
        g_assert_cmpuint(g_variant_get_uint32(num), ==, 48);
        vfs = harness_get(h, pf, PF_IFACE, "VirtualFunctions");
        g_assert_cmpuint(g_variant_n_children(vfs), ==, 48);
        g_autofree char *mode = get_str(h, sim_vf_address(h->sim, spec.address, 47), DEVICE_IFACE, "Mode");
        g_assert_cmpstr(mode, ==, "net");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/robustness/malformed-links", test_malformed_links);
        g_test_add_func("/robustness/dangling-virtfn-live", test_dangling_virtfn_live);
        g_test_add_func("/robustness/polkit-garbage", test_polkit_garbage);
        g_test_add_func("/robustness/killed-mid-burst", test_killed_mid_burst);
        return g_test_run();
}
