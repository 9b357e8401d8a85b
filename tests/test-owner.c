/* SPDX-License-Identifier: MIT */
/*
 * Who holds a VF on VFIO (issue 16): InUse, OwnerPid, OwnerName and the
 * 'owner' DeviceEvents, with real processes holding a real character device.
 *
 * The simulator's /dev/vfio/43 (the group of the demo's VF on vfio-pci) is
 * replaced with a real node made with mknod (root only), of a device that
 * nothing else here holds open (/dev/full's 1:7), so that its st_rdev is real
 * and a process can open it; the daemon finds the holder by device number in
 * /proc/PID/fd. A fake systemd-machined on the private bus answers
 * GetMachineByPID for one registered pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live-checks.h"

#define VF2 "0000:3b:00.4" /* on vfio-pci, IOMMU group 43, cdev vfio0 */
#define HELD_DEVICE makedev(1, 7)

/* ---- a fake systemd-machined */

static const char machined_xml[] =
        "<node>"
        " <interface name='org.freedesktop.machine1.Manager'>"
        "  <method name='GetMachineByPID'><arg type='u' direction='in'/><arg type='o' direction='out'/></method>"
        "  <signal name='MachineNew'><arg type='s'/><arg type='o'/></signal>"
        " </interface>"
        " <interface name='org.freedesktop.machine1.Machine'>"
        "  <property name='Name' type='s' access='read'/>"
        " </interface>"
        "</node>";
#define MACHINE_PATH "/org/freedesktop/machine1/machine/vm_2dlab"

typedef struct Machined {
        GDBusNodeInfo *info;
        guint manager_id, machine_id, name_id;
        guint32 registered_pid; /* the pid of "vm-lab", 0 none */
        gboolean owned;
} Machined;

static void on_manager_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                            const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data) {
        Machined *m = data;
        guint32 pid;

        g_variant_get(params, "(u)", &pid);
        if (m->registered_pid && pid == m->registered_pid)
                g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", MACHINE_PATH));
        else
                g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.machine1.NoMachineForPID",
                                                           "PID does not belong to any known machine");
}

static GVariant *on_machine_get(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                                const char *prop, GError **error, gpointer data) {
        return g_variant_new_string("vm-lab");
}

static void on_name_acquired(GDBusConnection *c, const char *name, gpointer data) {
        ((Machined *) data)->owned = TRUE;
}

static gboolean machined_owned(gpointer data) {
        return ((Machined *) data)->owned;
}

static void machined_start(Harness *h, Machined *m) {
        static const GDBusInterfaceVTable manager_vtable = { on_manager_call, NULL, NULL, { 0 } };
        static const GDBusInterfaceVTable machine_vtable = { NULL, on_machine_get, NULL, { 0 } };
        g_autoptr(GError) error = NULL;

        m->info = g_dbus_node_info_new_for_xml(machined_xml, &error);
        g_assert_no_error(error);
        m->manager_id = g_dbus_connection_register_object(h->conn, "/org/freedesktop/machine1",
                                                          m->info->interfaces[0], &manager_vtable, m, NULL, &error);
        g_assert_no_error(error);
        m->machine_id = g_dbus_connection_register_object(h->conn, MACHINE_PATH, m->info->interfaces[1],
                                                          &machine_vtable, m, NULL, &error);
        g_assert_no_error(error);
        m->name_id = g_bus_own_name_on_connection(h->conn, "org.freedesktop.machine1", G_BUS_NAME_OWNER_FLAGS_NONE,
                                                  on_name_acquired, NULL, m, NULL);
        g_assert_true(harness_wait_until(machined_owned, m, 10000));
}

static void machined_register(Harness *h, Machined *m, guint32 pid) {
        g_autoptr(GError) error = NULL;

        m->registered_pid = pid;
        g_dbus_connection_emit_signal(h->conn, NULL, "/org/freedesktop/machine1", "org.freedesktop.machine1.Manager",
                                      "MachineNew", g_variant_new("(so)", "vm-lab", MACHINE_PATH), &error);
        g_assert_no_error(error);
}

static void machined_stop(Harness *h, Machined *m) {
        g_bus_unown_name(m->name_id);
        g_dbus_connection_unregister_object(h->conn, m->manager_id);
        g_dbus_connection_unregister_object(h->conn, m->machine_id);
        g_dbus_node_info_unref(m->info);
}

/* ---- nodes and holders */

/* Replaces the testbed's fake node (a file umockdev reports as a char
 * device) with a real one that processes open by its testbed path. The
 * daemon, under umockdev, stat()s /dev/vfio/... and umockdev reports the
 * number its dev/.node link names (0:0 without one): made the same.
 * FALSE when mknod is not allowed. */
static gboolean make_real_node(Harness *h, const char *devname) {
        g_autofree char *path = g_strdup_printf("%s/dev/%s", sim_root(h->sim), devname);
        g_autofree char *flat = g_strdelimit(g_strdup(devname), "/", '_');
        g_autofree char *info = g_strdup_printf("%s/dev/.node/%s", sim_root(h->sim), flat);
        g_autofree char *number = g_strdup_printf("%u:%u", major(HELD_DEVICE), minor(HELD_DEVICE));

        g_assert_cmpint(unlink(path), ==, 0);
        if (mknod(path, S_IFCHR | 0600, HELD_DEVICE) < 0) {
                g_assert_cmpint(errno, ==, EPERM);
                return FALSE;
        }
        (void) unlink(info);
        g_assert_cmpint(symlink(number, info), ==, 0);
        return TRUE;
}

/* A process like QEMU: "-name guest=myvm,..." on its command line, the
 * node open on fd 3, until its stdin closes. */
static GPid spawn_qemu_like(Harness *h, const char *node, int *stdin_fd) {
        g_autofree char *path = g_strdup_printf("%s/dev/%s", sim_root(h->sim), node);
        const char *argv[] = { "/bin/sh", "-c", "exec 3<\"$0\"; read x", path, "-name", "guest=myvm,debug-threads=on",
                               NULL };
        g_autoptr(GError) error = NULL;
        GPid pid;

        g_assert_true(g_spawn_async_with_pipes(NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                               &pid, stdin_fd, NULL, NULL, &error));
        g_assert_no_error(error);
        return pid;
}

/* A plain process (its comm is this test's) holding the node open. */
static pid_t fork_holder(Harness *h, const char *node) {
        g_autofree char *path = g_strdup_printf("%s/dev/%s", sim_root(h->sim), node);
        pid_t pid = fork();

        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
                if (open(path, O_RDONLY | O_CLOEXEC) < 0)
                        _exit(1);
                for (;;)
                        pause();
        }
        return pid;
}

typedef struct HoldWait {
        pid_t pid;
        const char *path;
} HoldWait;

/* Whether the process has the file open (the test may look by path). */
static gboolean holds(gpointer data) {
        HoldWait *w = data;
        g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int) w->pid);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *link = g_strdup_printf("%s/%s", dir, name);
                g_autofree char *target = g_file_read_link(link, NULL);

                if (g_strcmp0(target, w->path) == 0)
                        return TRUE;
        }
        return FALSE;
}

static void reap(pid_t pid) {
        int status;

        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
}

static void wait_owner(Harness *h, gboolean in_use, guint32 pid, const char *name) {
        wait_prop(h, VF2, VF_IFACE, "OwnerName", g_variant_new_string(name));
        wait_prop(h, VF2, VF_IFACE, "InUse", g_variant_new_boolean(in_use));
        wait_prop(h, VF2, VF_IFACE, "OwnerPid", g_variant_new_uint32(pid));
}

static gboolean has_event(Recorder *r, const char *action) {
        recorder_sync(r);
        return find_event(r, 0, "owner", action, VF2) >= 0;
}

/* ---- the fleet files name the owner (issue 17) */

typedef struct FileWait {
        const char *path;
        const char *a, *b; /* both on one line */
} FileWait;

static gboolean file_has(gpointer data) {
        const FileWait *w = data;
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        if (!g_file_get_contents(w->path, &text, NULL, NULL))
                return FALSE;
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
                if (strstr(*l, w->a) && (!w->b || strstr(*l, w->b)))
                        return TRUE;
        return FALSE;
}

static void wait_file(const char *path, const char *a, const char *b) {
        FileWait w = { path, a, b };

        if (!harness_wait_until(file_has, &w, 10000))
                g_error("%s: no line with \"%s\" and \"%s\"", path, a, b ? b : "");
}

static void test_owner(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(Recorder) rec = NULL;
        Machined m = {};
        g_autofree char *dir = g_dir_make_tmp("sriov-owner-fleet-XXXXXX", NULL);
        g_autofree char *metrics = g_build_filename(dir, "sriov-monitor.prom", NULL);
        g_autofree char *features = g_build_filename(dir, "sriov-monitor", NULL);
        g_autofree char *metrics_arg = g_strdup_printf("--metrics-file=%s", metrics);
        g_autofree char *features_arg = g_strdup_printf("--features-file=%s", features);
        const char *args[] = { "--owner-scan-interval=1", metrics_arg, features_arg, "--metrics-per-vf", NULL };
        int stdin_fd;
        GPid qemu;

        if (geteuid() != 0) {
                g_test_skip("needs root: mknod of a real character device in the testbed");
                return;
        }
        sim_build_demo_host(h->sim);
        machined_start(h, &m);
        harness_start_daemon(h, args);
        rec = recorder_new(h);
        wait_owner(h, FALSE, 0, "");
        if (!make_real_node(h, "vfio/43")) {
                g_test_skip("mknod is not allowed here");
                machined_stop(h, &m);
                return;
        }

        /* A QEMU-like process opens the group node: found by the periodic
         * scan, named from its -name guest= (machined does not know it). */
        qemu = spawn_qemu_like(h, "vfio/43", &stdin_fd);
        wait_owner(h, TRUE, (guint32) qemu, "myvm");
        g_assert_true(has_event(rec, "created"));
        /* The metrics name the owner; the VF on VFIO is no longer free. */
        wait_file(metrics, "sriov_monitor_vf_info{pci_address=\"" VF2 "\"", "owner=\"myvm\"} 1");
        wait_file(features, "sriov.monitor/vfs-vfio-free=0", NULL);

        /* libvirt registers it with machined: MachineNew renames the owner. */
        machined_register(h, &m, (guint32) qemu);
        wait_owner(h, TRUE, (guint32) qemu, "vm-lab");

        /* It exits: the VF is free. */
        close(stdin_fd);
        reap(qemu);
        wait_owner(h, FALSE, 0, "");
        g_assert_true(has_event(rec, "deleted"));
        wait_file(metrics, "sriov_monitor_vf_info{pci_address=\"" VF2 "\"", "owner=\"\"} 1");
        wait_file(features, "sriov.monitor/vfs-vfio-free=1", NULL);

        /* Without the periodic scan: a holder of the iommufd cdev (named by
         * its comm) already there when the daemon starts is found by its
         * first look; once gone, Refresh finds it gone. */
        harness_stop_daemon(h);
        args[0] = "--owner-scan-interval=0";
        g_autofree char *group_node = g_strdup_printf("%s/dev/vfio/43", sim_root(h->sim));
        g_autofree char *group_info = g_strdup_printf("%s/dev/.node/vfio_43", sim_root(h->sim));
        g_assert_cmpint(unlink(group_node), ==, 0);
        g_assert_cmpint(unlink(group_info), ==, 0);
        g_assert_true(make_real_node(h, "vfio/devices/vfio0"));
        pid_t holder = fork_holder(h, "vfio/devices/vfio0");
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *cdev = g_strdup_printf("%s/dev/vfio/devices/vfio0", sim_root(h->sim));
        HoldWait hw = { holder, cdev };
        g_assert_true(harness_wait_until(holds, &hw, 10000)); /* until the child has opened it */
        harness_start_daemon(h, args);
        wait_owner(h, TRUE, (guint32) holder, "test-owner");
        kill(holder, SIGKILL);
        reap(holder);
        reply = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
        g_assert_no_error(error);
        wait_owner(h, FALSE, 0, "");
        machined_stop(h, &m);
        (void) unlink(metrics);
        (void) unlink(features);
        (void) rmdir(dir);
}

static gboolean quiescent(gpointer h) {
        return harness_daemon_quiescent(h);
}

/* The periodic look runs only while some VF is on VFIO: a host without one
 * has nothing scheduled (zero wake-ups), one with one has its timer armed. */
static void test_timer_only_with_vfio(void) {
        g_autoptr(Harness) h = harness_new();
        const char *args[] = { "--owner-scan-interval=10", NULL };
        gboolean ever_quiescent = FALSE;

        sim_build_demo_host(h->sim);
        sim_rebind_vf(h->sim, VF2, SIM_VF_UNBOUND, NULL); /* the demo's only VF on vfio-pci */
        harness_start_daemon(h, args);
        g_assert_true(harness_wait_until(quiescent, h, 10000));

        sim_rebind_vf(h->sim, VF2, SIM_VF_VFIO, NULL);
        wait_prop(h, VF2, VF_IFACE, "VfioDevice", g_variant_new_string("/dev/vfio/43"));
        /* Its timer stays armed: never quiescent, however often we look. */
        for (int i = 0; i < 20 && !ever_quiescent; i++) {
                ever_quiescent = harness_daemon_quiescent(h);
                g_usleep(50000);
        }
        g_assert_false(ever_quiescent);

        sim_rebind_vf(h->sim, VF2, SIM_VF_UNBOUND, NULL);
        wait_prop(h, VF2, VF_IFACE, "VfioDevice", g_variant_new_string(""));
        g_assert_true(harness_wait_until(quiescent, h, 10000));
}

static unsigned count_scans(Harness *h) {
        g_autofree char *log = harness_daemon_log(h);
        unsigned n = 0;

        for (const char *p = log; (p = strstr(p, "Ownership scan:")); p++)
                n++;
        return n;
}

typedef struct ScanWait {
        Harness *h;
        unsigned after;
} ScanWait;

static gboolean scanned(gpointer data) {
        ScanWait *w = data;

        return count_scans(w->h) > w->after;
}

/* Without the timer, a VF that binds to vfio-pci is looked at once (the
 * scan is said at debug level); a rebind to its net driver is not. */
static void test_scan_on_bind(void) {
        g_autoptr(Harness) h = harness_new();
        const char *args[] = { "--owner-scan-interval=0", "--log-level=debug", NULL };
        ScanWait w = { h, 0 };

        sim_build_demo_host(h->sim);
        h->capture_log = TRUE;
        harness_start_daemon(h, args);
        g_assert_true(harness_wait_until(scanned, &w, 10000)); /* at start: the demo's VF on vfio-pci */
        w.after = count_scans(h);
        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        wait_prop(h, "0000:3b:00.2", VF_IFACE, "VfioDevice", g_variant_new_string("/dev/vfio/41"));
        g_assert_true(harness_wait_until(scanned, &w, 10000));
        w.after = count_scans(h);
        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_NET, NULL);
        wait_prop(h, "0000:3b:00.2", VF_IFACE, "VfioDevice", g_variant_new_string(""));
        g_assert_cmpuint(count_scans(h), ==, w.after);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/owner/held-and-released", test_owner);
        g_test_add_func("/owner/timer-only-with-vfio", test_timer_only_with_vfio);
        g_test_add_func("/owner/scan-on-bind", test_scan_on_bind);
        return g_test_run();
}
