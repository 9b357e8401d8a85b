/* Build and run (from tests/sim/):
 * gcc -std=c11 -Wall -Wextra -o test-sim test-sim.c sriov-sim.c $(pkg-config --cflags --libs umockdev-1.0 glib-2.0 gio-2.0 libudev) && umockdev-wrapper ./test-sim
 *
 * SPDX-License-Identifier: MIT
 *
 * Self-test of the SR-IOV simulator: the sysfs layout it builds, read back
 * through umockdev's redirection of /sys and /dev (plain open, readlink,
 * opendir, realpath, inotify), and the uevents it sends, received through a
 * libudev monitor as the daemon receives them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sriov-sim.h"
#include "../harness.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <libudev.h>

#define MLX "0000:3b:00.0"
#define MLX_DIR "/sys/devices/pci0000:3a/0000:3a:00.0"
#define MLX_PATH MLX_DIR "/" MLX
#define PDS "0000:b5:00.0"
#define PDS_PATH "/sys/devices/pci0000:b4/0000:b4:00.0/" PDS
/* Scaled for slow machines (harness_timeout_ms()). */
#define EVENT_TIMEOUT_US (harness_timeout_ms(5000) * 1000LL)

/* ------------------------------------------------------------------ */
/* A libudev monitor read by a thread, so the simulator never waits on us */

typedef struct {
        SriovSim *sim;
        struct udev *udev;
        struct udev_monitor *monitor;
        GAsyncQueue *events;    /* "action subsystem devpath[ DRIVER=driver]" strings */
        GThread *reader;
        gint stop;
        unsigned seen;          /* uevents_sent when last checked */
        char *devpath_old;      /* DEVPATH_OLD of the last move */
} Fixture;

static gpointer reader_main(gpointer data)
{
        Fixture *f = data;
        struct pollfd pfd = { .fd = udev_monitor_get_fd(f->monitor), .events = POLLIN };

        while (!g_atomic_int_get(&f->stop)) {
                struct udev_device *d;

                if (poll(&pfd, 1, 50) <= 0)
                        continue;
                while ((d = udev_monitor_receive_device(f->monitor))) {
                        const char *old = udev_device_get_property_value(d, "DEVPATH_OLD");
                        const char *drv = udev_device_get_property_value(d, "DRIVER");

                        if (old && strcmp(udev_device_get_action(d), "move") == 0)
                                g_free(g_atomic_pointer_exchange(&f->devpath_old, g_strdup(old)));
                        g_async_queue_push(f->events, g_strdup_printf("%s %s %s%s%s",
                                           udev_device_get_action(d), udev_device_get_subsystem(d),
                                           udev_device_get_devpath(d), drv ? " DRIVER=" : "",
                                           drv ? drv : ""));
                        udev_device_unref(d);
                }
        }
        return NULL;
}

static void fixture_setup(Fixture *f, gconstpointer demo)
{
        f->sim = sim_new();
        sim_set_listener_timeout(f->sim, harness_timeout_ms(10000));
        if (demo)
                sim_build_demo_host(f->sim);
        /* The monitor binds its socket under the testbed, so after sim_new(). */
        f->udev = udev_new();
        f->monitor = udev_monitor_new_from_netlink(f->udev, "udev");
        g_assert_nonnull(f->monitor);
        g_assert_cmpint(udev_monitor_enable_receiving(f->monitor), ==, 0);
        f->events = g_async_queue_new_full(g_free);
        f->seen = sim_uevents_sent(f->sim);
        f->reader = g_thread_new("uevents", reader_main, f);
}

static void fixture_teardown(Fixture *f, gconstpointer unused)
{
        (void) unused;
        g_atomic_int_set(&f->stop, 1);
        g_thread_join(f->reader);
        udev_monitor_unref(f->monitor);
        udev_unref(f->udev);
        g_async_queue_unref(f->events);
        g_free(f->devpath_old);
        sim_free(f->sim);
}

/* The uevents sent since the last check are exactly `expected`, in order:
 * "action subsystem devpath[ DRIVER=driver]", devpath relative to /sys. umockdev
 * sends the uevent file's lines with each uevent, as read at send time. */
static void expect_events(Fixture *f, const char *const *expected)
{
        unsigned n = g_strv_length((char **) expected);
        unsigned sent = sim_uevents_sent(f->sim);
        char *extra;

        g_assert_cmpuint(sent - f->seen, ==, n);
        f->seen = sent;
        for (unsigned i = 0; i < n; i++) {
                g_autofree char *got = g_async_queue_timeout_pop(f->events, EVENT_TIMEOUT_US);

                g_assert_nonnull(got);
                g_assert_cmpstr(got, ==, expected[i]);
        }
        extra = g_async_queue_timeout_pop(f->events, 100 * 1000);
        g_assert_null(extra);
}

/* Build an expected list: ev(list, "add", "pci", "/sys/devices/..."), and
 * ev_drv() for an event of a device bound to `driver` (DRIVER= is sent). */
static void ev_drv(GPtrArray *list, const char *action, const char *subsystem,
                   const char *syspath, const char *driver)
{
        g_assert_true(g_str_has_prefix(syspath, "/sys/"));
        g_ptr_array_add(list, g_strdup_printf("%s %s %s%s%s", action, subsystem, syspath + 4,
                                              driver ? " DRIVER=" : "", driver ? driver : ""));
}

static void ev(GPtrArray *list, const char *action, const char *subsystem, const char *syspath)
{
        ev_drv(list, action, subsystem, syspath, NULL);
}

static GPtrArray *ev_list(void)
{
        return g_ptr_array_new_with_free_func(g_free);
}

static void expect_list(Fixture *f, GPtrArray *list)
{
        g_ptr_array_add(list, NULL);
        expect_events(f, (const char *const *) list->pdata);
}

/* ------------------------------------------------------------------ */
/* Reading the testbed the way the daemon does                         */

static char *read_attr(const char *dir, const char *name)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return NULL;
        g_assert_true(g_str_has_suffix(text, "\n")); /* sysfs shows a trailing newline */
        return g_strchomp(text);
}

static void assert_attr(const char *dir, const char *name, const char *value)
{
        g_autofree char *got = read_attr(dir, name);

        g_assert_cmpstr(got, ==, value);
}

static void assert_no_file(const char *dir, const char *name)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);

        g_assert_cmpint(access(path, F_OK), ==, -1);
        g_assert_cmpint(errno, ==, ENOENT);
}

static void assert_exists(const char *dir, const char *name)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (access(path, F_OK) < 0)
                g_error("%s does not exist", path);
}

static void assert_link(const char *dir, const char *name, const char *target)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        char buf[PATH_MAX];
        ssize_t len = readlink(path, buf, sizeof(buf) - 1);

        g_assert_cmpint(len, >, 0);
        buf[len] = '\0';
        g_assert_cmpstr(buf, ==, target);
}

/* realpath() resolves through the testbed and returns a /sys path. */
static void assert_resolves(const char *path, const char *expected)
{
        g_autofree char *real = realpath(path, NULL);

        g_assert_cmpstr(real, ==, expected);
}

static char *subsystem_of(const char *dir)
{
        g_autofree char *path = g_build_filename(dir, "subsystem", NULL);
        g_autofree char *real = realpath(path, NULL);

        g_assert_nonnull(real);
        return g_path_get_basename(real);
}

static void assert_subsystem(const char *dir, const char *subsystem)
{
        g_autofree char *got = subsystem_of(dir);

        g_assert_cmpstr(got, ==, subsystem);
}

static void assert_uevent_has(const char *dir, const char *line, bool present)
{
        g_autofree char *path = g_build_filename(dir, "uevent", NULL);
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;

        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        lines = g_strsplit(text, "\n", -1);
        g_assert_true(g_strv_contains((const char *const *) lines, line) == present);
}

static unsigned count_entries(const char *dir, const char *prefix)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        unsigned n = 0;

        g_assert_nonnull(d);
        while ((de = readdir(d)))
                n += de->d_name[0] != '.' && g_str_has_prefix(de->d_name, prefix);
        closedir(d);
        return n;
}

static char *vf_path(Fixture *f, const char *pf, unsigned index, const char *parent_dir)
{
        return g_build_filename(parent_dir, sim_vf_address(f->sim, pf, index), NULL);
}

/* The IN_MODIFY of an in-place write, seen by a watch set before it. */
static int watch(const char *dir, const char *name)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(inotify_add_watch(fd, path, IN_MODIFY | IN_IGNORED), >=, 0);
        return fd;
}

static void assert_modified(int fd)
{
        char buf[4096] __attribute__((aligned(8)));
        ssize_t len = read(fd, buf, sizeof(buf));
        const struct inotify_event *e = (const struct inotify_event *) buf;

        g_assert_cmpint(len, >=, (ssize_t) sizeof(*e));
        g_assert_cmphex(e->mask, ==, IN_MODIFY);
        close(fd);
}

/* ------------------------------------------------------------------ */
/* Layout                                                              */

static void test_demo_mlx_layout(Fixture *f, gconstpointer unused)
{
        g_autofree char *vf0 = vf_path(f, MLX, 0, MLX_DIR);
        g_autofree char *vf2 = vf_path(f, MLX, 2, MLX_DIR);
        g_autofree char *vf3 = vf_path(f, MLX, 3, MLX_DIR);
        g_autofree char *vf0_net = g_build_filename(vf0, "net/enp59s0f0v0", NULL);
        g_autofree char *vf2_vfio_dev = g_build_filename(vf2, "vfio-dev/vfio0", NULL);
        (void) unused;

        /* The PF */
        assert_attr(MLX_PATH, "vendor", "0x15b3");
        assert_attr(MLX_PATH, "device", "0x101d");
        assert_attr(MLX_PATH, "class", "0x020000");
        assert_attr(MLX_PATH, "numa_node", "0");
        assert_attr(MLX_PATH, "driver_override", "(null)");
        assert_attr(MLX_PATH, "sriov_totalvfs", "8");
        assert_attr(MLX_PATH, "sriov_numvfs", "4");
        assert_attr(MLX_PATH, "sriov_offset", "2");
        assert_attr(MLX_PATH, "sriov_stride", "1");
        assert_attr(MLX_PATH, "sriov_vf_device", "101e");
        assert_attr(MLX_PATH, "sriov_drivers_autoprobe", "1");
        assert_subsystem(MLX_PATH, "pci");
        assert_link(MLX_PATH, "driver", "../../../../bus/pci/drivers/mlx5_core");
        assert_link(MLX_PATH, "iommu_group", "../../../../kernel/iommu_groups/40");
        assert_link(MLX_PATH, "virtfn0", "../0000:3b:00.2");
        assert_link(MLX_PATH, "virtfn3", "../0000:3b:00.5");
        assert_no_file(MLX_PATH, "virtfn4");
        assert_no_file(MLX_PATH, "physfn");
        assert_subsystem(MLX_PATH "/net/enp59s0f0np0", "net");
        assert_link("/sys/bus/pci/devices", MLX, "../../../devices/pci0000:3a/0000:3a:00.0/" MLX);
        assert_resolves("/sys/bus/pci/devices/" MLX, MLX_PATH);
        assert_resolves(MLX_PATH "/driver", "/sys/bus/pci/drivers/mlx5_core");
        assert_resolves(MLX_PATH "/iommu_group", "/sys/kernel/iommu_groups/40");
        assert_resolves("/sys/kernel/iommu_groups/40/devices/" MLX, MLX_PATH);
        assert_resolves("/sys/bus/pci/drivers/mlx5_core/" MLX, MLX_PATH);
        assert_uevent_has(MLX_PATH, "DRIVER=mlx5_core", true);
        assert_uevent_has(MLX_PATH, "PCI_ID=15B3:101D", true);
        /* the bridge is a PCI device too */
        assert_attr(MLX_DIR, "class", "0x060400");
        assert_link(MLX_DIR, "driver", "../../../bus/pci/drivers/pcieport");

        /* VF0: on mlx5_core with a netdev */
        g_assert_cmpstr(sim_vf_address(f->sim, MLX, 0), ==, "0000:3b:00.2");
        assert_attr(vf0, "vendor", "0x15b3");
        assert_attr(vf0, "device", "0x101e");
        assert_attr(vf0, "numa_node", "0");
        assert_no_file(vf0, "sriov_totalvfs");
        assert_no_file(vf0, "sriov_numvfs");
        assert_link(vf0, "physfn", "../" MLX);
        assert_link(vf0, "driver", "../../../../bus/pci/drivers/mlx5_core");
        assert_link(vf0, "iommu_group", "../../../../kernel/iommu_groups/41");
        assert_attr(vf0, "uevent", "DRIVER=mlx5_core\nPCI_CLASS=20000\nPCI_ID=15B3:101E\n"
                    "PCI_SUBSYS_ID=15B3:101E\nPCI_SLOT_NAME=0000:3b:00.2\n"
                    "MODALIAS=pci:v000015B3d0000101Esv000015B3sd0000101Ebc02sc00i00\n"
                    "ID_VENDOR_FROM_DATABASE=Mellanox Technologies\n"
                    "ID_MODEL_FROM_DATABASE=ConnectX Family mlx5Gen Virtual Function");
        assert_subsystem(vf0_net, "net");
        assert_attr(vf0_net, "operstate", "up");
        assert_exists(vf0_net, "ifindex");
        assert_exists(vf0_net, "address");
        assert_uevent_has(vf0_net, "INTERFACE=enp59s0f0v0", true);
        assert_resolves("/sys/class/net/enp59s0f0v0", vf0_net);
        g_assert_cmpstr(sim_netdev(f->sim, "0000:3b:00.2"), ==, "enp59s0f0v0");
        g_assert_cmpstr(sim_netdev(f->sim, "0000:3b:00.3"), ==, "enp59s0f0v1");

        /* VF2: on vfio-pci */
        assert_link(vf2, "driver", "../../../../bus/pci/drivers/vfio-pci");
        assert_attr(vf2, "driver_override", "vfio-pci");
        assert_link(vf2, "iommu_group", "../../../../kernel/iommu_groups/43");
        assert_no_file(vf2, "net");
        assert_subsystem(vf2_vfio_dev, "vfio-dev");
        assert_subsystem("/sys/devices/virtual/vfio/43", "vfio");
        assert_uevent_has("/sys/devices/virtual/vfio/43", "DEVNAME=vfio/43", true);
        assert_resolves("/sys/class/vfio/43", "/sys/devices/virtual/vfio/43");
        assert_exists("/dev/vfio", "43");
        assert_exists("/dev/vfio", "vfio");
        g_assert_null(sim_netdev(f->sim, "0000:3b:00.4"));

        /* VF3: unbound */
        assert_no_file(vf3, "driver");
        assert_uevent_has(vf3, "PCI_SLOT_NAME=0000:3b:00.5", true);
        assert_uevent_has(vf3, "DRIVER=mlx5_core", false);
        assert_attr(vf3, "driver_override", "(null)");
        assert_link(vf3, "iommu_group", "../../../../kernel/iommu_groups/44");
        assert_no_file("/dev/vfio", "44");

        /* construction is silent */
        expect_events(f, (const char *const[]) { NULL });
}

static void test_demo_other_layout(Fixture *f, gconstpointer unused)
{
        const char *e810 = "/sys/devices/pci0000:5d/0000:5d:00.0/0000:5e:00.0";
        const char *bnxt = "/sys/devices/pci0000:ae/0000:ae:00.0/0000:af:00.0";
        const char *plain = "/sys/devices/pci0000:00/0000:00:1c.0/0000:02:00.0";
        g_autofree char *e810_vf1 = g_build_filename("/sys/bus/pci/devices", "0000:5e:02.1", NULL);
        g_autofree char *bnxt_net = g_build_filename(bnxt, "net/ens2f0np0", NULL);
        g_autofree char *plain_net = g_build_filename(plain, "net/eno1", NULL);
        struct stat st;
        (void) unused;

        /* Intel: offset 16 puts the VFs at 5e:02.0 and 5e:02.1 */
        g_assert_cmpstr(sim_vf_address(f->sim, "0000:5e:00.0", 0), ==, "0000:5e:02.0");
        g_assert_cmpstr(sim_vf_address(f->sim, "0000:5e:00.0", 1), ==, "0000:5e:02.1");
        assert_attr(e810, "sriov_totalvfs", "128");
        assert_attr(e810, "sriov_offset", "16");
        assert_attr(e810, "sriov_vf_device", "1889");
        assert_link(e810, "virtfn1", "../0000:5e:02.1");
        assert_link(e810, "driver", "../../../../bus/pci/drivers/ice");
        assert_link(e810_vf1, "driver", "../../../../bus/pci/drivers/iavf");
        assert_link(e810_vf1, "physfn", "../0000:5e:00.0");
        assert_resolves("/sys/class/net/ens785f0v1",
                        "/sys/devices/pci0000:5d/0000:5d:00.0/0000:5e:02.1/net/ens785f0v1");

        /* Pensando: ionic for PF and VFs, NUMA 1 */
        assert_attr(PDS_PATH, "numa_node", "1");
        assert_attr(PDS_PATH, "sriov_numvfs", "2");
        assert_link(PDS_PATH, "virtfn1", "../0000:b5:00.2");
        assert_resolves("/sys/class/net/enp181s0v1",
                        "/sys/devices/pci0000:b4/0000:b4:00.0/0000:b5:00.2/net/enp181s0v1");
        assert_attr("/sys/bus/pci/devices/0000:b5:00.1", "device", "0x1003");

        /* Broadcom: SR-IOV capable, no VFs */
        assert_attr(bnxt, "sriov_numvfs", "0");
        assert_attr(bnxt, "sriov_totalvfs", "8");
        assert_no_file(bnxt, "virtfn0");
        assert_resolves("/sys/class/net/ens2f0np0", bnxt_net);

        /* The plain NIC has no sriov_* at all */
        assert_attr(plain, "device", "0x1533");
        assert_no_file(plain, "sriov_totalvfs");
        assert_no_file(plain, "sriov_numvfs");
        assert_link(plain, "driver", "../../../../bus/pci/drivers/igb");
        assert_resolves("/sys/class/net/eno1", plain_net);
        assert_attr(plain, "numa_node", "-1");

        /* 5 bridges, 4 PFs, 1 plain NIC, 8 VFs */
        g_assert_cmpuint(count_entries("/sys/bus/pci/devices", "0000:"), ==, 18);
        g_assert_cmpuint(count_entries("/sys/class/net", ""), ==, 11);
        g_assert_cmpuint(count_entries("/sys/kernel/iommu_groups", ""), ==, 5 + 3 + 3 + 1);
        /* /dev/vfio holds the container, group 43 and devices/ (the vfio-dev cdevs) */
        g_assert_cmpuint(count_entries("/dev/vfio", ""), ==, 3);
        /* umockdev makes the node look like a char device */
        g_assert_cmpint(stat("/dev/vfio/43", &st), ==, 0);
        g_assert_true(S_ISCHR(st.st_mode));
        expect_events(f, (const char *const[]) { NULL });
}

static void test_vf_addresses(Fixture *f, gconstpointer unused)
{
        /* Intel I350: offset 0x80, stride 4; no bridge given: 0000:04:00.0 */
        const SimPfSpec i350 = {
                .address = "0000:05:00.0", .vendor = 0x8086, .device = 0x1521,
                .vf_device = 0x1520, .pf_driver = "igb", .vf_driver = "igbvf",
                .netdev = "enp5s0f0", .vf_netdev_prefix = "enp5s0f0v", .total_vfs = 7,
                .vf_offset = 0x80, .vf_stride = 4, .numa_node = -1, .iommu_group = -1,
        };
        (void) unused;

        sim_add_pf(f->sim, &i350);
        g_assert_cmpstr(sim_vf_address(f->sim, i350.address, 0), ==, "0000:05:10.0");
        g_assert_cmpstr(sim_vf_address(f->sim, i350.address, 1), ==, "0000:05:10.4");
        g_assert_cmpstr(sim_vf_address(f->sim, i350.address, 2), ==, "0000:05:11.0");
        assert_exists("/sys/devices/pci0000:04/0000:04:00.0", "0000:05:00.0");
        assert_attr("/sys/bus/pci/devices/0000:05:00.0", "numa_node", "-1");
        assert_no_file("/sys/bus/pci/devices/0000:05:00.0", "iommu_group");
        sim_add_vf(f->sim, i350.address, 1, SIM_VF_UNBOUND);
        assert_link("/sys/bus/pci/devices/0000:05:00.0", "virtfn1", "../0000:05:10.4");
        expect_events(f, (const char *const[]) { NULL });
}

/* ------------------------------------------------------------------ */
/* Scenarios                                                           */

/* A VF's events on enable: add (no physfn yet), change, the probe's children
 * (net, or vfio and vfio-dev), bind; `driver` NULL: not probed. */
static void vf_enable_events(GPtrArray *l, const char *vf, const char *driver,
                             const char *const *children)
{
        bool vfio = g_strcmp0(driver, "vfio-pci") == 0;

        ev(l, "add", "pci", vf);
        ev(l, "change", "pci", vf);
        for (unsigned i = 0; children && children[i]; i++)
                ev(l, "add", vfio ? (i == 0 ? "vfio" : "vfio-dev") : "net", children[i]);
        if (driver)
                ev_drv(l, "bind", "pci", vf, driver);
}

static void test_enable_vfs(Fixture *f, gconstpointer unused)
{
        const char *bnxt = "/sys/devices/pci0000:ae/0000:ae:00.0/0000:af:00.0";
        const char *dir = "/sys/devices/pci0000:ae/0000:ae:00.0";
        g_autofree char *vf0 = vf_path(f, "0000:af:00.0", 0, dir);
        g_autofree char *vf1 = vf_path(f, "0000:af:00.0", 1, dir);
        g_autofree char *net0 = g_build_filename(vf0, "net/ens2f0v0", NULL);
        g_autofree char *net1 = g_build_filename(vf1, "net/ens2f0v1", NULL);
        g_autoptr(GPtrArray) l = ev_list();
        int wd = watch(bnxt, "sriov_numvfs");
        (void) unused;

        sim_enable_vfs(f->sim, "0000:af:00.0", 2, SIM_VF_NET);
        vf_enable_events(l, vf0, "bnxt_en", (const char *const[]) { net0, NULL });
        vf_enable_events(l, vf1, "bnxt_en", (const char *const[]) { net1, NULL });
        ev_drv(l, "change", "pci", bnxt, "bnxt_en");
        expect_list(f, l);

        assert_modified(wd);
        assert_attr(bnxt, "sriov_numvfs", "2");
        assert_link(bnxt, "virtfn1", "../0000:af:00.2");
        assert_link(vf1, "physfn", "../0000:af:00.0");
        assert_link(vf1, "driver", "../../../../bus/pci/drivers/bnxt_en");
        assert_uevent_has(vf1, "DRIVER=bnxt_en", true);
        assert_link(vf1, "iommu_group", "../../../../kernel/iommu_groups/92");
        assert_resolves("/sys/class/net/ens2f0v1", net1);
}

static void test_enable_vfs_vfio_and_unbound(Fixture *f, gconstpointer unused)
{
        const char *dir = "/sys/devices/pci0000:ae/0000:ae:00.0";
        const char *bnxt = "/sys/devices/pci0000:ae/0000:ae:00.0/0000:af:00.0";
        g_autofree char *vf0 = vf_path(f, "0000:af:00.0", 0, dir);
        g_autofree char *vfio_dev = g_build_filename(vf0, "vfio-dev/vfio1", NULL);
        g_autoptr(GPtrArray) l = ev_list();
        g_autoptr(GPtrArray) l2 = ev_list();
        (void) unused;

        sim_enable_vfs(f->sim, "0000:af:00.0", 1, SIM_VF_VFIO);
        /* VF2 of the ConnectX holds vfio-dev/vfio0, so this one gets vfio1 */
        vf_enable_events(l, vf0, "vfio-pci",
                         (const char *const[]) { "/sys/devices/virtual/vfio/91", vfio_dev, NULL });
        ev_drv(l, "change", "pci", bnxt, "bnxt_en");
        expect_list(f, l);
        assert_link(vf0, "driver", "../../../../bus/pci/drivers/vfio-pci");
        assert_attr(vf0, "driver_override", "vfio-pci");
        assert_exists("/dev/vfio", "91");
        assert_exists("/dev/vfio/devices", "vfio1");

        sim_disable_vfs(f->sim, "0000:af:00.0", 0);
        sim_enable_vfs(f->sim, "0000:af:00.0", 1, SIM_VF_UNBOUND);
        ev(l2, "remove", "vfio-dev", vfio_dev);
        ev(l2, "remove", "vfio", "/sys/devices/virtual/vfio/91");
        ev(l2, "unbind", "pci", vf0);
        ev(l2, "remove", "pci", vf0);
        vf_enable_events(l2, vf0, NULL, NULL);
        ev_drv(l2, "change", "pci", bnxt, "bnxt_en");
        expect_list(f, l2);
        assert_no_file(vf0, "driver");
        assert_no_file("/dev/vfio", "91");
}

static void test_disable_vfs(Fixture *f, gconstpointer unused)
{
        g_autofree char *vf1 = vf_path(f, MLX, 1, MLX_DIR);
        g_autofree char *vf2 = vf_path(f, MLX, 2, MLX_DIR);
        g_autofree char *vf3 = vf_path(f, MLX, 3, MLX_DIR);
        g_autofree char *net1 = g_build_filename(vf1, "net/enp59s0f0v1", NULL);
        g_autofree char *vfio_dev = g_build_filename(vf2, "vfio-dev/vfio0", NULL);
        g_autoptr(GPtrArray) l = ev_list();
        int wd = watch(MLX_PATH, "sriov_numvfs");
        (void) unused;

        sim_disable_vfs(f->sim, MLX, 1);
        ev(l, "remove", "pci", vf3);             /* unbound: no unbind */
        ev(l, "remove", "vfio-dev", vfio_dev);
        ev(l, "remove", "vfio", "/sys/devices/virtual/vfio/43");
        ev(l, "unbind", "pci", vf2);
        ev(l, "remove", "pci", vf2);
        ev(l, "remove", "net", net1);
        ev(l, "unbind", "pci", vf1);
        ev(l, "remove", "pci", vf1);
        expect_list(f, l);                       /* and nothing for the PF */

        assert_modified(wd);
        assert_attr(MLX_PATH, "sriov_numvfs", "1");
        assert_exists(MLX_PATH, "virtfn0");
        assert_no_file(MLX_PATH, "virtfn1");
        assert_no_file(MLX_PATH, "virtfn3");
        assert_no_file(MLX_DIR, "0000:3b:00.3");
        assert_no_file("/sys/bus/pci/devices", "0000:3b:00.4");
        assert_no_file("/sys/class/net", "enp59s0f0v1");
        assert_no_file("/sys/class/vfio", "43");
        assert_no_file("/sys/devices/virtual/vfio", "43");
        assert_no_file("/dev/vfio", "43");
        assert_no_file("/sys/kernel/iommu_groups", "42");
        assert_no_file("/sys/bus/pci/drivers/vfio-pci", "0000:3b:00.4");
        g_assert_cmpuint(count_entries("/dev/vfio", ""), ==, 1); /* the container alone */
        assert_exists("/dev/vfio", "vfio");
        assert_no_file(vf2, "");
        g_assert_cmpuint(count_entries("/sys/bus/pci/devices", "0000:3b"), ==, 2);
}

static void test_rebind(Fixture *f, gconstpointer unused)
{
        g_autofree char *vf0 = vf_path(f, MLX, 0, MLX_DIR);
        g_autofree char *vf3 = vf_path(f, MLX, 3, MLX_DIR);
        g_autofree char *net0 = g_build_filename(vf0, "net/enp59s0f0v0", NULL);
        g_autofree char *net0_new = g_build_filename(vf0, "net/ens1f0v0", NULL);
        g_autofree char *net3 = g_build_filename(vf3, "net/enp59s0f0v3", NULL);
        /* VF2 of the demo holds vfio-dev/vfio0 */
        g_autofree char *vfio_dev = g_build_filename(vf0, "vfio-dev/vfio1", NULL);
        const char *group = "/sys/devices/virtual/vfio/41";
        g_autoptr(GPtrArray) to_vfio = ev_list();
        g_autoptr(GPtrArray) to_net = ev_list();
        g_autoptr(GPtrArray) to_none = ev_list();
        g_autoptr(GPtrArray) unbound_to_net = ev_list();
        (void) unused;

        sim_rebind_vf(f->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        ev(to_vfio, "remove", "net", net0);
        ev(to_vfio, "unbind", "pci", vf0);
        ev(to_vfio, "add", "vfio", group);
        ev(to_vfio, "add", "vfio-dev", vfio_dev);
        ev_drv(to_vfio, "bind", "pci", vf0, "vfio-pci");
        expect_list(f, to_vfio);
        assert_attr(vf0, "driver_override", "vfio-pci");
        assert_link(vf0, "driver", "../../../../bus/pci/drivers/vfio-pci");
        assert_uevent_has(vf0, "DRIVER=vfio-pci", true);
        assert_no_file(vf0, "net");
        assert_exists("/dev/vfio", "41");
        g_assert_null(sim_netdev(f->sim, "0000:3b:00.2"));

        sim_rebind_vf(f->sim, "0000:3b:00.2", SIM_VF_NET, "ens1f0v0");
        ev(to_net, "remove", "vfio-dev", vfio_dev);
        ev(to_net, "remove", "vfio", group);
        ev(to_net, "unbind", "pci", vf0);
        ev(to_net, "add", "net", net0_new);
        ev_drv(to_net, "bind", "pci", vf0, "mlx5_core");
        expect_list(f, to_net);
        assert_attr(vf0, "driver_override", "(null)");
        assert_link(vf0, "driver", "../../../../bus/pci/drivers/mlx5_core");
        assert_no_file("/dev/vfio", "41");
        assert_no_file(vf0, "vfio-dev/vfio1");
        assert_resolves("/sys/class/net/ens1f0v0", net0_new);
        g_assert_cmpstr(sim_netdev(f->sim, "0000:3b:00.2"), ==, "ens1f0v0");

        sim_rebind_vf(f->sim, "0000:3b:00.2", SIM_VF_UNBOUND, NULL);
        ev(to_none, "remove", "net", net0_new);
        ev(to_none, "unbind", "pci", vf0);
        expect_list(f, to_none);
        assert_no_file(vf0, "driver");
        assert_uevent_has(vf0, "DRIVER=mlx5_core", false);

        sim_rebind_vf(f->sim, "0000:3b:00.5", SIM_VF_NET, NULL);
        ev(unbound_to_net, "add", "net", net3);
        ev_drv(unbound_to_net, "bind", "pci", vf3, "mlx5_core");
        expect_list(f, unbound_to_net);
}

static void test_bind_other(Fixture *f, gconstpointer unused)
{
        g_autofree char *vf3 = vf_path(f, MLX, 3, MLX_DIR);
        g_autoptr(GPtrArray) bind = ev_list();
        g_autoptr(GPtrArray) unbind = ev_list();
        (void) unused;

        sim_bind_other(f->sim, "0000:3b:00.5", "uio_pci_generic");
        ev_drv(bind, "bind", "pci", vf3, "uio_pci_generic");
        expect_list(f, bind);
        assert_link(vf3, "driver", "../../../../bus/pci/drivers/uio_pci_generic");
        assert_uevent_has(vf3, "DRIVER=uio_pci_generic", true);

        sim_rebind_vf(f->sim, "0000:3b:00.5", SIM_VF_UNBOUND, NULL);
        ev(unbind, "unbind", "pci", vf3);
        expect_list(f, unbind);
        assert_no_file(vf3, "driver");
}

static void test_rename(Fixture *f, gconstpointer unused)
{
        g_autofree char *vf1 = vf_path(f, MLX, 1, MLX_DIR);
        g_autofree char *old_path = g_build_filename(vf1, "net/enp59s0f0v1", NULL);
        g_autofree char *new_path = g_build_filename(vf1, "net/vf1", NULL);
        g_autofree char *ifindex = read_attr(old_path, "ifindex");
        g_autofree char *uevent = g_strdup_printf("INTERFACE=vf1\nIFINDEX=%s", ifindex);
        g_autoptr(GPtrArray) l = ev_list();
        (void) unused;

        sim_rename_netdev(f->sim, "enp59s0f0v1", "vf1");
        ev(l, "move", "net", new_path);
        expect_list(f, l);
        /* umockdev sends the uevent file's lines: DEVPATH_OLD for the move only */
        g_assert_cmpstr(g_atomic_pointer_get(&f->devpath_old), ==, old_path + 4);
        assert_attr(new_path, "uevent", uevent);
        assert_no_file("/sys/class/net", "enp59s0f0v1");
        assert_no_file(vf1, "net/enp59s0f0v1");
        assert_resolves("/sys/class/net/vf1", new_path);
        assert_uevent_has(new_path, "INTERFACE=vf1", true);
        assert_attr(new_path, "ifindex", ifindex);
        g_assert_cmpstr(sim_netdev(f->sim, "0000:3b:00.3"), ==, "vf1");
}

static void test_remove_readd(Fixture *f, gconstpointer unused)
{
        const char *dir = "/sys/devices/pci0000:b4/0000:b4:00.0";
        g_autofree char *vf0 = vf_path(f, PDS, 0, dir);
        g_autofree char *vf1 = vf_path(f, PDS, 1, dir);
        g_autofree char *pf_net = g_build_filename(PDS_PATH, "net/enp181s0np0", NULL);
        g_autofree char *net0 = g_build_filename(vf0, "net/enp181s0v0", NULL);
        g_autofree char *net1 = g_build_filename(vf1, "net/enp181s0v1", NULL);
        g_autoptr(GPtrArray) removal = ev_list();
        g_autoptr(GPtrArray) readd = ev_list();
        (void) unused;

        sim_remove_pf(f->sim, PDS);
        ev(removal, "remove", "net", net1);
        ev(removal, "unbind", "pci", vf1);
        ev(removal, "remove", "pci", vf1);
        ev(removal, "remove", "net", net0);
        ev(removal, "unbind", "pci", vf0);
        ev(removal, "remove", "pci", vf0);
        ev(removal, "remove", "net", pf_net);
        ev(removal, "unbind", "pci", PDS_PATH);
        ev(removal, "remove", "pci", PDS_PATH);
        expect_list(f, removal);
        assert_no_file(dir, PDS);
        assert_no_file("/sys/bus/pci/devices", PDS);
        assert_no_file("/sys/class/net", "enp181s0np0");
        assert_no_file("/sys/kernel/iommu_groups", "60");
        assert_exists("/sys/bus/pci/devices", "0000:b4:00.0");
        g_assert_null(sim_netdev(f->sim, PDS));

        sim_readd_pf(f->sim, PDS, 1, SIM_VF_NET);
        ev(readd, "add", "pci", PDS_PATH);
        ev(readd, "add", "net", pf_net);
        ev_drv(readd, "bind", "pci", PDS_PATH, "ionic");
        vf_enable_events(readd, vf0, "ionic", (const char *const[]) { net0, NULL });
        ev_drv(readd, "change", "pci", PDS_PATH, "ionic");
        expect_list(f, readd);
        assert_attr(PDS_PATH, "sriov_numvfs", "1");
        assert_link(PDS_PATH, "virtfn0", "../0000:b5:00.1");
        assert_resolves("/sys/class/net/enp181s0v0", net0);
}

static void test_quiet_writes(Fixture *f, gconstpointer unused)
{
        int wd = watch(MLX_PATH, "sriov_drivers_autoprobe");
        int wd2;
        (void) unused;

        sim_write_autoprobe(f->sim, MLX, false);
        assert_modified(wd);
        assert_attr(MLX_PATH, "sriov_drivers_autoprobe", "0");

        wd2 = watch("/sys/bus/pci/devices/0000:3b:00.3", "numa_node");
        sim_write_attribute(f->sim, "0000:3b:00.3", "numa_node", "1");
        assert_modified(wd2);
        assert_attr(MLX_DIR "/0000:3b:00.3", "numa_node", "1");
        expect_events(f, (const char *const[]) { NULL });
}

/* Made-up uevents reach a libudev monitor as they were made, whatever the
 * testbed says; repeats are built from the testbed. */
static void test_faults(Fixture *f, gconstpointer unused)
{
        g_autoptr(GPtrArray) list = ev_list();
        const char *vf0 = MLX_DIR "/0000:3b:00.2";
        (void) unused;

        /* A remove for a device that never was, a bind that sysfs contradicts,
         * a netdev remove for a name nobody has. */
        sim_send_raw_uevent(f->sim, "remove", "/devices/pci0000:99/0000:99:00.0", "pci", NULL);
        sim_send_raw_uevent(f->sim, "bind", vf0 + 4, "pci", (const char *const[]) { "DRIVER=vfio-pci", NULL });
        sim_send_raw_uevent(f->sim, "remove", MLX_DIR "/0000:3b:00.2/net/nosuch0" + 4, "net", NULL);
        sim_send_uevent(f->sim, "0000:3b:00.2", "change");
        ev(list, "remove", "pci", "/sys/devices/pci0000:99/0000:99:00.0");
        ev_drv(list, "bind", "pci", vf0, "vfio-pci");
        ev(list, "remove", "net", MLX_DIR "/0000:3b:00.2/net/nosuch0");
        ev_drv(list, "change", "pci", vf0, "mlx5_core");
        expect_list(f, list);
        assert_link(vf0, "driver", "../../../../bus/pci/drivers/mlx5_core");
}

/* What the lookups say, present or not. */
static void test_lookups(Fixture *f, gconstpointer unused)
{
        (void) unused;

        g_assert_true(sim_pf_present(f->sim, MLX));
        g_assert_cmpuint(sim_num_vfs(f->sim, MLX), ==, 4);
        g_assert_cmpstr(sim_driver(f->sim, "0000:3b:00.4"), ==, "vfio-pci");
        g_assert_null(sim_driver(f->sim, "0000:3b:00.5"));
        g_assert_cmpstr(sim_syspath(f->sim, "0000:3b:00.2"), ==, MLX_DIR "/0000:3b:00.2");
        /* An absent VF: where it would be. */
        g_assert_cmpstr(sim_syspath(f->sim, "0000:3b:00.7"), ==, MLX_DIR "/0000:3b:00.7");
        g_assert_null(sim_syspath(f->sim, "0000:99:00.0"));

        sim_remove_pf(f->sim, MLX);
        g_assert_false(sim_pf_present(f->sim, MLX));
        g_assert_cmpuint(sim_num_vfs(f->sim, MLX), ==, 0);
        g_assert_null(sim_driver(f->sim, "0000:3b:00.2"));
        g_assert_cmpstr(sim_syspath(f->sim, MLX), ==, MLX_PATH);
        g_assert_cmpstr(sim_syspath(f->sim, "0000:3b:00.2"), ==, MLX_DIR "/0000:3b:00.2");
        /* Drain the removal's uevents: as many as were sent, however late. */
        for (unsigned n = sim_uevents_sent(f->sim) - f->seen; n > 0; n--)
                g_free(g_async_queue_timeout_pop(f->events, EVENT_TIMEOUT_US));
        f->seen = sim_uevents_sent(f->sim);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        if (!strstr(getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "", "umockdev-preload")) {
                g_printerr("run under umockdev-wrapper\n");
                return 77;
        }
#define ADD(name, fn, demo) g_test_add(name, Fixture, demo, fixture_setup, fn, fixture_teardown)
        ADD("/sim/layout/demo-connectx", test_demo_mlx_layout, "demo");
        ADD("/sim/layout/demo-others", test_demo_other_layout, "demo");
        ADD("/sim/layout/vf-addresses", test_vf_addresses, NULL);
        ADD("/sim/events/enable", test_enable_vfs, "demo");
        ADD("/sim/events/enable-vfio-unbound", test_enable_vfs_vfio_and_unbound, "demo");
        ADD("/sim/events/disable", test_disable_vfs, "demo");
        ADD("/sim/events/rebind", test_rebind, "demo");
        ADD("/sim/events/bind-other", test_bind_other, "demo");
        ADD("/sim/events/rename", test_rename, "demo");
        ADD("/sim/events/remove-readd", test_remove_readd, "demo");
        ADD("/sim/events/quiet-writes", test_quiet_writes, "demo");
        ADD("/sim/events/faults", test_faults, "demo");
        ADD("/sim/lookups", test_lookups, "demo");
        return g_test_run();
}
