/* SPDX-License-Identifier: MIT */
/*
 * sriov-sim: a simulated SR-IOV host on a umockdev testbed. See sriov-sim.h
 * and shared/reference/sysfs-and-events.md for what is reproduced.
 *
 * The sysfs tree is built with plain file operations inside the testbed root:
 * device dirs with their `subsystem` link and /sys/bus/pci/devices or
 * /sys/class/<subsystem> link, attribute files written in place, relative
 * symlinks as the kernel makes them. Not umockdev_testbed_add_devicev(): in
 * umockdev 0.17 it sends an `add` uevent of its own, which would break both
 * the silent construction and the kernel's order. The uevents are sent with
 * umockdev_testbed_uevent().
 */
#include "sriov-sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#define LISTENER_TIMEOUT_MS 10000 /* unless sim_set_listener_timeout() says otherwise */
#define VFIO_GROUP_MAJOR 243   /* dynamic on a real host */
#define VFIO_DEV_MAJOR 242     /* dynamic on a real host */
#define PCI_CLASS_ETHERNET 0x020000
#define PCI_CLASS_BRIDGE 0x060400
#define FIRST_IFINDEX 2        /* 1 is lo */

typedef struct SimPf SimPf;

/* A PCI device: PF, VF, bridge or plain device. Strings live in sim->strings. */
typedef struct {
        const char *address;    /* "0000:3b:00.2" */
        const char *syspath;    /* "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2" */
        unsigned vendor, device, class;
        const char *vendor_db;  /* ID_VENDOR_FROM_DATABASE or NULL */
        const char *model_db;   /* ID_MODEL_FROM_DATABASE or NULL */
        int iommu_group;        /* -1: none */
        const char *driver;     /* NULL: unbound */
        const char *netdev;     /* NULL: no netdev */
        unsigned ifindex;       /* of the netdev */
        int vfio_dev;           /* N of vfio-dev/vfioN, -1: none */
        SimPf *pf;              /* VFs: their PF */
        unsigned vf_index;
} SimDev;

struct SimPf {
        SimPfSpec spec;             /* strings in sim->strings */
        SimDev *dev;                /* NULL while hot-removed */
        const char *syspath;        /* where it is, or was before its removal */
        const char *vf_addresses[]; /* spec.total_vfs entries */
};

struct SriovSim {
        UMockdevTestbed *testbed;
        char *root;
        GStringChunk *strings;
        GHashTable *devices;    /* address -> SimDev*, owned */
        GHashTable *pfs;        /* address -> SimPf*, owned */
        unsigned uevents;
        unsigned long long raw_seqnum; /* SEQNUM of made-up uevents */
        unsigned next_ifindex;
        int quiet;              /* > 0: silent construction, no uevents */
        int listener_timeout_ms;
        unsigned netdev_speed;  /* Mb/s in each new netdev's `speed`; 0: no such file */
        unsigned probe_delay_us; /* how long a driver's probe takes; 0: no time */
};

/* What a driver's probe creates below the device. */
typedef enum {
        CHILD_NONE,
        CHILD_NET,
        CHILD_VFIO,
} ChildKind;

/* Strings live in the simulator's arena (sim->strings), freed with it: paths,
 * names and addresses need no bookkeeping. */
static const char *keep(SriovSim *sim, const char *s)
{
        return s ? g_string_chunk_insert_const(sim->strings, s) : NULL;
}

static const char *keepf(SriovSim *sim, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static const char *keepf(SriovSim *sim, const char *fmt, ...)
{
        g_autofree char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        s = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        return keep(sim, s);
}

/* ------------------------------------------------------------------ */
/* Files, directories and links inside the testbed root                */

/* The testbed file behind a /sys or /dev path, optionally with a name below it. */
static const char *host_path(SriovSim *sim, const char *path, const char *name)
{
        return keepf(sim, "%s%s%s%s", sim->root, path, name ? "/" : "", name ? name : "");
}

static const char *dirname_of(SriovSim *sim, const char *path)
{
        return keepf(sim, "%.*s", (int) (strrchr(path, '/') - path), path);
}

static void mkdirs(SriovSim *sim, const char *path)
{
        const char *p = host_path(sim, path, NULL);

        if (g_mkdir_with_parents(p, 0755) < 0)
                g_error("sriov-sim: cannot create %s: %s", p, g_strerror(errno));
}

/* Write in place, as a user's write to sysfs: an inotify watch sees IN_MODIFY
 * (a second one when the length changes). No O_TRUNC, so a reader never sees
 * an empty file. */
static void file_write(SriovSim *sim, const char *dir, const char *name, const char *text)
{
        const char *path = host_path(sim, dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        size_t len = strlen(text);

        if (fd < 0 || pwrite(fd, text, len, 0) != (ssize_t) len || ftruncate(fd, len) < 0)
                g_error("sriov-sim: cannot write %s: %s", path, g_strerror(errno));
        close(fd);
}

/* Replace atomically (rename), for uevent files: a concurrent reader (the
 * daemon, libudev) sees the old or the new content, never a part. */
static void file_replace(SriovSim *sim, const char *dir, const char *name, const char *text)
{
        const char *path = host_path(sim, dir, name);
        const char *tmp = keepf(sim, "%s.sim-tmp", path);
        g_autoptr(GError) error = NULL;

        if (!g_file_set_contents_full(tmp, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error) ||
            rename(tmp, path) < 0)
                g_error("sriov-sim: cannot write %s: %s", path,
                        error ? error->message : g_strerror(errno));
}

/* A sysfs attribute, shown with a trailing newline as sysfs does. */
static void attr_write(SriovSim *sim, const char *syspath, const char *name, const char *fmt, ...)
        G_GNUC_PRINTF(4, 5);
static void attr_write(SriovSim *sim, const char *syspath, const char *name, const char *fmt, ...)
{
        g_autofree char *value = NULL;
        va_list ap;

        va_start(ap, fmt);
        value = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        file_write(sim, syspath, name,
                   keepf(sim, "%s%s", value, g_str_has_suffix(value, "\n") ? "" : "\n"));
}

static void file_remove(SriovSim *sim, const char *dir, const char *name)
{
        const char *path = host_path(sim, dir, name);

        if (unlink(path) < 0 && errno != ENOENT)
                g_error("sriov-sim: cannot remove %s: %s", path, g_strerror(errno));
}

/* rmdir only if empty (like an IOMMU group that lost its last device). */
static void dir_remove_if_empty(SriovSim *sim, const char *dir)
{
        const char *path = host_path(sim, dir, NULL);

        (void) g_rmdir(path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st; (void) flag; (void) ftw;
        return remove(path);
}

static void rm_rf(SriovSim *sim, const char *dir)
{
        const char *path = host_path(sim, dir, NULL);

        if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
                g_error("sriov-sim: cannot remove %s: %s", path, g_strerror(errno));
}

/* The kernel's sysfs links are relative, through the nearest common ancestor:
 * physfn -> ../0000:3b:00.0, driver -> ../../../../bus/pci/drivers/mlx5_core. */
static const char *relative_target(SriovSim *sim, const char *from_dir, const char *target)
{
        g_auto(GStrv) from = g_strsplit(from_dir + 1, "/", -1);
        g_auto(GStrv) to = g_strsplit(target + 1, "/", -1);
        g_autoptr(GString) rel = g_string_new(NULL);
        unsigned common = 0;

        while (from[common] && to[common] && strcmp(from[common], to[common]) == 0)
                common++;
        for (unsigned i = common; from[i]; i++)
                g_string_append(rel, "../");
        for (unsigned i = common; to[i]; i++)
                g_string_append_printf(rel, "%s%s", to[i], to[i + 1] ? "/" : "");
        return keep(sim, rel->str);
}

/* Symlink `dir`/`name` -> `target` (both /sys paths), replacing an old one. */
static void sys_link(SriovSim *sim, const char *dir, const char *name, const char *target)
{
        const char *link = host_path(sim, dir, name);
        const char *rel = relative_target(sim, dir, target);

        file_remove(sim, dir, name);
        if (symlink(rel, link) < 0)
                g_error("sriov-sim: cannot link %s -> %s: %s", link, rel, g_strerror(errno));
}

/* ------------------------------------------------------------------ */
/* uevents                                                             */

static bool is_listener_socket(const char *name)
{
        if (!g_str_has_prefix(name, "event") || name[5] == '\0')
                return false;
        for (const char *c = name + 5; *c; c++)
                if (!g_ascii_isdigit(*c))
                        return false;
        return true;
}

/* umockdev sends each uevent to every listener socket (<root>/eventN, one per
 * netlink socket opened under the preload) without blocking, and aborts when a
 * listener's queue is full (net.unix.max_dgram_qlen, 10 by default). So wait
 * until the listener can take one more datagram: poll() on a connected
 * datagram socket reports POLLOUT only then. */
static void wait_for_listener(SriovSim *sim, const char *name)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct pollfd pfd = { .events = POLLOUT };
        int r;

        g_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", sim->root, name);
        pfd.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (pfd.fd < 0)
                g_error("sriov-sim: socket: %s", g_strerror(errno));
        if (connect(pfd.fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                close(pfd.fd); /* listener gone: umockdev skips it too */
                return;
        }
        do
                r = poll(&pfd, 1, sim->listener_timeout_ms);
        while (r < 0 && errno == EINTR);
        close(pfd.fd);
        if (r == 0)
                g_error("sriov-sim: uevent listener %s has not read its queue for %d ms; "
                        "umockdev would abort on the next uevent", sa.sun_path, sim->listener_timeout_ms);
}

static void uevent(SriovSim *sim, const char *syspath, const char *action)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) dir = NULL;
        const char *name;

        if (sim->quiet)
                return;
        dir = g_dir_open(sim->root, 0, &error);
        if (!dir)
                g_error("sriov-sim: %s", error->message);
        while ((name = g_dir_read_name(dir)))
                if (is_listener_socket(name))
                        wait_for_listener(sim, name);
        umockdev_testbed_uevent(sim->testbed, syspath, action);
        sim->uevents++;
}

/* The header libudev puts before the properties of a monitor message
 * (systemd's device-monitor.c), the format umockdev's own sender uses. */
#define MONITOR_MAGIC 0xfeedcafe
typedef struct {
        char prefix[8];                 /* "libudev" */
        uint32_t magic;                 /* network order */
        uint32_t header_size;
        uint32_t properties_off;
        uint32_t properties_len;
        uint32_t filter_subsystem_hash; /* network order: the receiver's socket filter checks it */
        uint32_t filter_devtype_hash;
        uint32_t filter_tag_bloom_hi;
        uint32_t filter_tag_bloom_lo;
} MonitorHeader;

/* MurmurHash2 with seed 0, as libudev hashes the subsystem for its filter. */
static uint32_t murmur2(const char *s)
{
        const uint32_t m = 0x5bd1e995;
        size_t len = strlen(s);
        const unsigned char *p = (const unsigned char *) s;
        uint32_t h = (uint32_t) len;

        for (; len >= 4; len -= 4, p += 4) {
                uint32_t k;

                memcpy(&k, p, sizeof(k));
                k *= m;
                k ^= k >> 24;
                k *= m;
                h = h * m ^ k;
        }
        switch (len) {
        case 3:
                h ^= (uint32_t) p[2] << 16;
                /* fall through */
        case 2:
                h ^= (uint32_t) p[1] << 8;
                /* fall through */
        case 1:
                h ^= p[0];
                h *= m;
        }
        h ^= h >> 13;
        h *= m;
        return h ^ (h >> 15);
}

/* One datagram to every listener, each waited for as in uevent(). */
static void send_to_listeners(SriovSim *sim, const void *data, size_t len)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) dir = g_dir_open(sim->root, 0, &error);
        const char *name;

        if (!dir)
                g_error("sriov-sim: %s", error->message);
        while ((name = g_dir_read_name(dir))) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                int fd;

                if (!is_listener_socket(name))
                        continue;
                wait_for_listener(sim, name);
                g_snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", sim->root, name);
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        g_error("sriov-sim: socket: %s", g_strerror(errno));
                /* A listener that went away meanwhile is skipped, as umockdev does. */
                if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0 &&
                    send(fd, data, len, 0) < 0 && errno != ECONNREFUSED)
                        g_error("sriov-sim: cannot send a uevent to %s: %s", sa.sun_path, g_strerror(errno));
                close(fd);
        }
}

/* ------------------------------------------------------------------ */
/* Generic devices                                                     */

/* A device dir with its `subsystem` link and its /sys/bus/pci/devices or
 * /sys/class/<subsystem> link; the caller writes attributes and `uevent`. */
static void device_create(SriovSim *sim, const char *subsystem, const char *syspath)
{
        bool pci = strcmp(subsystem, "pci") == 0;
        const char *subsys = keepf(sim, "/sys/%s/%s", pci ? "bus" : "class", subsystem);
        const char *listing = pci ? "/sys/bus/pci/devices" : subsys;
        const char *name = strrchr(syspath, '/') + 1;

        if (g_file_test(host_path(sim, syspath, NULL), G_FILE_TEST_EXISTS))
                g_error("sriov-sim: %s exists already", syspath);
        mkdirs(sim, syspath);
        mkdirs(sim, listing);
        sys_link(sim, syspath, "subsystem", subsys);
        sys_link(sim, listing, name, syspath);
}

/* Delete a device dir with its links. Callers send `remove` first: umockdev
 * builds the uevent from the sysfs dir. */
static void device_delete(SriovSim *sim, const char *syspath)
{
        g_autofree char *subsys_target = g_file_read_link(host_path(sim, syspath, "subsystem"), NULL);
        g_autofree char *devnum = NULL;
        const char *subsystem = subsys_target ? strrchr(subsys_target, '/') + 1 : NULL;
        bool pci = g_strcmp0(subsystem, "pci") == 0;

        if (!subsystem)
                g_error("sriov-sim: %s is not a device", syspath);
        file_remove(sim, pci ? "/sys/bus/pci/devices" : keepf(sim, "/sys/class/%s", subsystem),
                    strrchr(syspath, '/') + 1);
        if (g_file_get_contents(host_path(sim, syspath, "dev"), &devnum, NULL, NULL))
                file_remove(sim, "/sys/dev/char", g_strstrip(devnum));
        rm_rf(sim, syspath);
        /* The kernel drops a class glue dir (net/, vfio-dev/) with its last device. */
        if (!pci)
                dir_remove_if_empty(sim, dirname_of(sim, syspath));
}

/* The `dev/.node/<name>` link tells umockdev's preload to make stat() of the
 * /dev file report a char device with that major:minor. */
static const char *devnode_info(SriovSim *sim, const char *devname)
{
        g_autofree char *flat = g_strdelimit(g_strdup(devname), "/", '_');

        return keepf(sim, "/dev/.node/%s", flat);
}

/* A /dev node: a regular file under the testbed's dev/. */
static void devnode_create(SriovSim *sim, const char *devname, unsigned major, unsigned minor)
{
        const char *path = keepf(sim, "/dev/%s", devname);
        const char *info = devnode_info(sim, devname);
        const char *info_path = host_path(sim, info, NULL);
        const char *devnum = keepf(sim, "%u:%u", major, minor);

        mkdirs(sim, dirname_of(sim, path));
        mkdirs(sim, "/dev/.node");
        file_write(sim, path, NULL, "");
        file_remove(sim, info, NULL);
        if (symlink(devnum, info_path) < 0)
                g_error("sriov-sim: cannot link %s: %s", info_path, g_strerror(errno));
}

static void devnode_remove(SriovSim *sim, const char *devname)
{
        const char *path = keepf(sim, "/dev/%s", devname);

        file_remove(sim, path, NULL);
        file_remove(sim, devnode_info(sim, devname), NULL);
        /* devtmpfs drops /dev/vfio/devices with its last node */
        dir_remove_if_empty(sim, dirname_of(sim, path));
}

/* A char device (class device with `dev`, MAJOR/MINOR/DEVNAME); devtmpfs
 * makes the node before the `add` is sent. */
static void chardev_add(SriovSim *sim, const char *subsystem, const char *syspath,
                        unsigned major, unsigned minor, const char *devname)
{
        const char *devnum = keepf(sim, "%u:%u", major, minor);

        device_create(sim, subsystem, syspath);
        attr_write(sim, syspath, "dev", "%s", devnum);
        file_replace(sim, syspath, "uevent",
                     keepf(sim, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", major, minor, devname));
        mkdirs(sim, "/sys/dev/char");
        sys_link(sim, "/sys/dev/char", devnum, syspath);
        devnode_create(sim, devname, major, minor);
        uevent(sim, syspath, "add");
}

/* device_del(): devtmpfs deletes the node before the `remove` is sent. */
static void chardev_remove(SriovSim *sim, const char *syspath, const char *devname)
{
        devnode_remove(sim, devname);
        uevent(sim, syspath, "remove");
        device_delete(sim, syspath);
}

/* ------------------------------------------------------------------ */
/* PCI addresses                                                       */

typedef struct {
        unsigned domain, bus, slot, func;
} PciAddr;

static PciAddr pci_addr_parse(const char *s)
{
        PciAddr a;
        char end;

        if (sscanf(s, "%x:%x:%x.%x%c", &a.domain, &a.bus, &a.slot, &a.func, &end) != 4 ||
            a.bus > 0xff || a.slot > 0x1f || a.func > 7)
                g_error("sriov-sim: bad PCI address '%s'", s);
        return a;
}

static const char *pci_addr_keep(SriovSim *sim, PciAddr a)
{
        return keepf(sim, "%04x:%02x:%02x.%x", a.domain, a.bus, a.slot, a.func);
}

/* VF address: routing id (bus << 8 | slot << 3 | func) of the PF + offset + index * stride. */
static const char *vf_address_compute(SriovSim *sim, const SimPfSpec *s, unsigned index)
{
        PciAddr a = pci_addr_parse(s->address);
        unsigned rid = (a.bus << 8 | a.slot << 3 | a.func) + s->vf_offset + index * s->vf_stride;

        if (rid > 0xffff)
                g_error("sriov-sim: VF %u of %s lies beyond bus ff", index, s->address);
        return pci_addr_keep(sim, (PciAddr) { a.domain, rid >> 8, (rid >> 3) & 0x1f, rid & 7 });
}

/* "/sys/devices/pci0000:3a", the host bridge dir of the bus `address` is on. */
static const char *root_bus_dir(SriovSim *sim, const char *address)
{
        PciAddr a = pci_addr_parse(address);

        return keepf(sim, "/sys/devices/pci%04x:%02x", a.domain, a.bus);
}

/* ------------------------------------------------------------------ */
/* PCI devices                                                         */

static SimDev *dev_lookup(SriovSim *sim, const char *address)
{
        SimDev *dev = g_hash_table_lookup(sim->devices, address);

        if (!dev)
                g_error("sriov-sim: no PCI device %s", address);
        return dev;
}

/* The kernel's uevent file: DRIVER (when bound), then the PCI bus's variables. */
static void pci_write_uevent(SriovSim *sim, SimDev *dev)
{
        g_autoptr(GString) text = g_string_new(NULL);
        unsigned c = dev->class;

        if (dev->driver)
                g_string_append_printf(text, "DRIVER=%s\n", dev->driver);
        g_string_append_printf(text, "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
                               "PCI_SLOT_NAME=%s\n"
                               "MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
                               c, dev->vendor, dev->device, dev->vendor, dev->device,
                               dev->address, dev->vendor, dev->device, dev->vendor, dev->device,
                               c >> 16, (c >> 8) & 0xff, c & 0xff);
        /* A udev property: umockdev 0.17 has no udev database, and sends the
         * uevent file's lines with each uevent. */
        if (dev->vendor_db)
                g_string_append_printf(text, "ID_VENDOR_FROM_DATABASE=%s\n", dev->vendor_db);
        if (dev->model_db)
                g_string_append_printf(text, "ID_MODEL_FROM_DATABASE=%s\n", dev->model_db);
        file_replace(sim, dev->syspath, "uevent", text->str);
}

static void iommu_group_join(SriovSim *sim, SimDev *dev)
{
        const char *group = keepf(sim, "/sys/kernel/iommu_groups/%d", dev->iommu_group);
        const char *members = keepf(sim, "%s/devices", group);

        mkdirs(sim, members);
        sys_link(sim, members, dev->address, dev->syspath);
        sys_link(sim, dev->syspath, "iommu_group", group);
}

static void iommu_group_leave(SriovSim *sim, SimDev *dev)
{
        const char *group = keepf(sim, "/sys/kernel/iommu_groups/%d", dev->iommu_group);
        const char *members = keepf(sim, "%s/devices", group);

        file_remove(sim, members, dev->address);
        dir_remove_if_empty(sim, members);
        dir_remove_if_empty(sim, group);
}

/* What a PCI device gets at creation. */
typedef struct {
        unsigned vendor, device, class;
        int numa_node;
        int iommu_group;
        const char *vendor_db;
        const char *model_db;
        const char *driver_override; /* NULL: "(null)" */
        SimPf *pf;                   /* for a VF */
        unsigned vf_index;
} PciIdent;

/* The first 64 bytes of its configuration space, as the kernel's `config`
 * file shows them to an unprivileged reader: ids, class, header type (1 for
 * a bridge), no capability list. libvirt's node-device driver skips a
 * function without it (issue 14's side-by-side benchmark). */
static void pci_write_config(SriovSim *sim, SimDev *dev)
{
        guint8 config[64] = {
                dev->vendor & 0xff, dev->vendor >> 8, dev->device & 0xff, dev->device >> 8,
                [9] = dev->class & 0xff, [10] = (dev->class >> 8) & 0xff, [11] = (dev->class >> 16) & 0xff,
                [14] = (dev->class >> 8) == 0x0604 ? 1 : 0,
        };
        /* open() and close() themselves: umockdev's preload tracks an open
         * file whose path begins with /dev/ (the testbed in /dev/shm) and
         * loses track of g_file_set_contents()'s. */
        const char *path = host_path(sim, dev->syspath, "config");
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0 || write(fd, config, sizeof(config)) != (ssize_t) sizeof(config))
                g_error("sriov-sim: cannot write %s: %s", path, g_strerror(errno));
        close(fd);
}

/* A PCI device dir below `parent` with its attributes, uevent file and IOMMU
 * group. The caller adds more attributes and sends `add`. */
static SimDev *pci_dev_new(SriovSim *sim, const char *parent, const char *address,
                           const PciIdent *id)
{
        SimDev *dev = g_new0(SimDev, 1);

        *dev = (SimDev) {
                .address = keep(sim, address),
                .syspath = keepf(sim, "%s/%s", parent, address),
                .vendor = id->vendor, .device = id->device, .class = id->class,
                .vendor_db = keep(sim, id->vendor_db), .model_db = keep(sim, id->model_db),
                .iommu_group = id->iommu_group,
                .vfio_dev = -1, .pf = id->pf, .vf_index = id->vf_index,
        };
        device_create(sim, "pci", dev->syspath);
        g_hash_table_insert(sim->devices, (gpointer) dev->address, dev);
        attr_write(sim, dev->syspath, "vendor", "0x%04x", id->vendor);
        attr_write(sim, dev->syspath, "device", "0x%04x", id->device);
        attr_write(sim, dev->syspath, "subsystem_vendor", "0x%04x", id->vendor);
        attr_write(sim, dev->syspath, "subsystem_device", "0x%04x", id->device);
        attr_write(sim, dev->syspath, "class", "0x%06x", id->class);
        attr_write(sim, dev->syspath, "numa_node", "%d", id->numa_node);
        attr_write(sim, dev->syspath, "driver_override", "%s",
                   id->driver_override ? id->driver_override : "(null)");
        pci_write_config(sim, dev);
        pci_write_uevent(sim, dev);
        if (dev->iommu_group >= 0)
                iommu_group_join(sim, dev);
        return dev;
}

/* Send `remove`, then delete the device (its children are gone already). */
static void pci_dev_remove(SriovSim *sim, SimDev *dev)
{
        uevent(sim, dev->syspath, "remove");
        if (dev->iommu_group >= 0)
                iommu_group_leave(sim, dev);
        device_delete(sim, dev->syspath);
        g_hash_table_remove(sim->devices, dev->address);
}

/* ------------------------------------------------------------------ */
/* Drivers and what their probe creates                                */

/* really_probe(): dev->driver is set and the links are made before the probe runs. */
static void driver_attach(SriovSim *sim, SimDev *dev, const char *driver)
{
        const char *dir = keepf(sim, "/sys/bus/pci/drivers/%s", driver);

        mkdirs(sim, dir);
        sys_link(sim, dev->syspath, "driver", dir);
        sys_link(sim, dir, dev->address, dev->syspath);
        dev->driver = keep(sim, driver);
        pci_write_uevent(sim, dev);
}

/* __device_release_driver(): the links go first, before the driver's remove. */
static void driver_unlink(SriovSim *sim, SimDev *dev)
{
        const char *dir = keepf(sim, "/sys/bus/pci/drivers/%s", dev->driver);

        file_remove(sim, dev->syspath, "driver");
        file_remove(sim, dir, dev->address);
}

static const char *net_syspath(SriovSim *sim, SimDev *dev, const char *name)
{
        return keepf(sim, "%s/net/%s", dev->syspath, name);
}

/* INTERFACE/IFINDEX as the kernel shows them; DEVPATH_OLD only while a `move`
 * is sent, see sim_rename_netdev(). */
static void net_write_uevent(SriovSim *sim, SimDev *dev, const char *devpath_old)
{
        file_replace(sim, net_syspath(sim, dev, dev->netdev), "uevent",
                     keepf(sim, "INTERFACE=%s\nIFINDEX=%u\n%s%s%s", dev->netdev, dev->ifindex,
                           devpath_old ? "DEVPATH_OLD=" : "", devpath_old ? devpath_old : "",
                           devpath_old ? "\n" : ""));
}

static void net_add(SriovSim *sim, SimDev *dev, const char *name)
{
        const char *syspath = net_syspath(sim, dev, name);
        unsigned ifindex = sim->next_ifindex++;

        device_create(sim, "net", syspath);
        attr_write(sim, syspath, "ifindex", "%u", ifindex);
        attr_write(sim, syspath, "address", "02:00:00:00:%02x:%02x", (ifindex >> 8) & 0xff,
                   ifindex & 0xff);
        attr_write(sim, syspath, "operstate", "up");
        if (sim->netdev_speed)
                attr_write(sim, syspath, "speed", "%u", sim->netdev_speed);
        /* NET_NAME_ENUM for the kernel's own names (eth3, which udev then
         * renames), else as if udev had named it already (NET_NAME_RENAMED). */
        attr_write(sim, syspath, "name_assign_type", "%d", g_str_has_prefix(name, "eth") ? 1 : 4);
        dev->netdev = keep(sim, name);
        dev->ifindex = ifindex;
        net_write_uevent(sim, dev, NULL);
        uevent(sim, syspath, "add");
}

static void net_remove(SriovSim *sim, SimDev *dev)
{
        const char *syspath = net_syspath(sim, dev, dev->netdev);

        uevent(sim, syspath, "remove");
        device_delete(sim, syspath);
        dev->netdev = NULL;
}

static bool vfio_group_in_use(SriovSim *sim, int group)
{
        GHashTableIter it;
        SimDev *dev;

        g_hash_table_iter_init(&it, sim->devices);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &dev))
                if (dev->iommu_group == group && dev->vfio_dev >= 0)
                        return true;
        return false;
}

/* The lowest free N of vfio-dev/vfioN, as the kernel's ida gives it. */
static int vfio_dev_alloc(SriovSim *sim)
{
        for (int n = 0;; n++) {
                GHashTableIter it;
                SimDev *dev;
                bool used = false;

                g_hash_table_iter_init(&it, sim->devices);
                while (!used && g_hash_table_iter_next(&it, NULL, (gpointer *) &dev))
                        used = dev->vfio_dev == n;
                if (!used)
                        return n;
        }
}

typedef struct {
        const char *group_path, *group_node; /* /sys/devices/virtual/vfio/G, vfio/G */
        const char *dev_path, *dev_node;     /* <pci>/vfio-dev/vfioN, vfio/devices/vfioN */
} VfioNames;

static VfioNames vfio_names(SriovSim *sim, SimDev *dev)
{
        return (VfioNames) {
                keepf(sim, "/sys/devices/virtual/vfio/%d", dev->iommu_group),
                keepf(sim, "vfio/%d", dev->iommu_group),
                keepf(sim, "%s/vfio-dev/vfio%d", dev->syspath, dev->vfio_dev),
                keepf(sim, "vfio/devices/vfio%d", dev->vfio_dev),
        };
}

/* vfio-pci's probe: the group (vfio/G, /dev/vfio/G), then the device cdev (vfio-dev/vfioN). */
static void vfio_add(SriovSim *sim, SimDev *dev)
{
        bool group_exists = vfio_group_in_use(sim, dev->iommu_group);
        VfioNames n;

        if (dev->iommu_group < 0)
                g_error("sriov-sim: %s has no IOMMU group for vfio-pci", dev->address);
        dev->vfio_dev = vfio_dev_alloc(sim);
        n = vfio_names(sim, dev);
        if (!group_exists)
                chardev_add(sim, "vfio", n.group_path, VFIO_GROUP_MAJOR, dev->iommu_group,
                            n.group_node);
        chardev_add(sim, "vfio-dev", n.dev_path, VFIO_DEV_MAJOR, dev->vfio_dev, n.dev_node);
}

/* vfio-pci's remove: the reverse. */
static void vfio_remove(SriovSim *sim, SimDev *dev)
{
        VfioNames n = vfio_names(sim, dev);

        chardev_remove(sim, n.dev_path, n.dev_node);
        dev->vfio_dev = -1;
        if (!vfio_group_in_use(sim, dev->iommu_group))
                chardev_remove(sim, n.group_path, n.group_node);
}

/* Bind: driver link + DRIVER=, the probe's children, then `bind`. */
static void dev_bind(SriovSim *sim, SimDev *dev, const char *driver, ChildKind child,
                     const char *netdev)
{
        if (dev->driver)
                g_error("sriov-sim: %s is bound to %s already", dev->address, dev->driver);
        driver_attach(sim, dev, driver);
        /* The driver's probe: really_probe() makes the driver link first
         * (a bridge's pcieport, or a host being built silently, takes no
         * time). */
        if (sim->probe_delay_us && !sim->quiet && strcmp(driver, "pcieport") != 0)
                g_usleep(sim->probe_delay_us);
        if (child == CHILD_NET && netdev)
                net_add(sim, dev, netdev);
        else if (child == CHILD_VFIO)
                vfio_add(sim, dev);
        uevent(sim, dev->syspath, "bind");
}

/* Unbind: links gone, the driver's remove deletes its children, DRIVER=
 * cleared, then `unbind`. Nothing for an unbound device. */
static void dev_unbind(SriovSim *sim, SimDev *dev)
{
        if (!dev->driver)
                return;
        driver_unlink(sim, dev);
        if (dev->netdev)
                net_remove(sim, dev);
        if (dev->vfio_dev >= 0)
                vfio_remove(sim, dev);
        dev->driver = NULL;
        pci_write_uevent(sim, dev);
        uevent(sim, dev->syspath, "unbind");
}

/* ------------------------------------------------------------------ */
/* Bridges, PFs and VFs                                                */

/* The parent of a PF or plain device: its bridge (a root port on pcieport,
 * made once), or the root bus. `bridge` NULL: "DDDD:(BB-1):00.0". */
static const char *parent_dir(SriovSim *sim, const char *address, const char *bridge,
                              int numa_node)
{
        PciAddr a = pci_addr_parse(address);
        PciIdent id = {
                .vendor = 0x8086, .device = 0x2030, .class = PCI_CLASS_BRIDGE,
                .numa_node = numa_node, .iommu_group = -1,
        };
        SimDev *dev;

        if (!bridge && a.bus == 0)
                return root_bus_dir(sim, address);
        if (!bridge)
                bridge = pci_addr_keep(sim, (PciAddr) { a.domain, a.bus - 1, 0, 0 });
        dev = g_hash_table_lookup(sim->devices, bridge);
        if (!dev) {
                dev = pci_dev_new(sim, root_bus_dir(sim, bridge), bridge, &id);
                uevent(sim, dev->syspath, "add");
                dev_bind(sim, dev, "pcieport", CHILD_NONE, NULL);
        }
        return dev->syspath;
}

static SimPf *pf_lookup(SriovSim *sim, const char *address, bool present)
{
        SimPf *pf = g_hash_table_lookup(sim->pfs, address);

        if (!pf)
                g_error("sriov-sim: %s is not a PF of the simulator", address);
        if (present && !pf->dev)
                g_error("sriov-sim: PF %s is removed", address);
        return pf;
}

static SimDev *vf_lookup(SriovSim *sim, SimPf *pf, unsigned index)
{
        return index < pf->spec.total_vfs ?
                g_hash_table_lookup(sim->devices, pf->vf_addresses[index]) : NULL;
}

static unsigned pf_num_vfs(SriovSim *sim, SimPf *pf)
{
        unsigned n = 0;

        while (vf_lookup(sim, pf, n))
                n++;
        return n;
}

/* A user's write of sriov_numvfs has succeeded: the value, in place. */
static void pf_write_numvfs(SriovSim *sim, SimPf *pf)
{
        attr_write(sim, pf->dev->syspath, "sriov_numvfs", "%u", pf_num_vfs(sim, pf));
}

static void vf_bind(SriovSim *sim, SimDev *vf, SimVfBinding binding, const char *netdev)
{
        const SimPfSpec *s = &vf->pf->spec;

        if (binding == SIM_VF_VFIO)
                dev_bind(sim, vf, "vfio-pci", CHILD_VFIO, NULL);
        if (binding != SIM_VF_NET)
                return;
        if (!s->vf_driver || (!netdev && !s->vf_netdev_prefix))
                g_error("sriov-sim: PF %s has no vf_driver or vf_netdev_prefix", s->address);
        dev_bind(sim, vf, s->vf_driver, CHILD_NET,
                 netdev ? netdev : keepf(sim, "%s%u", s->vf_netdev_prefix, vf->vf_index));
}

/* pci_iov_add_virtfn(): `add` before the links, `change` after them, then the probe. */
static void vf_create(SriovSim *sim, SimPf *pf, unsigned index, SimVfBinding binding)
{
        const SimPfSpec *s = &pf->spec;
        const char *parent = dirname_of(sim, pf->dev->syspath);
        const char *virtfn = keepf(sim, "virtfn%u", index);
        PciIdent id = {
                .vendor = s->vendor, .device = s->vf_device, .class = PCI_CLASS_ETHERNET,
                .numa_node = s->numa_node,
                .iommu_group = s->iommu_group < 0 ? -1 : s->iommu_group + 1 + (int) index,
                .vendor_db = s->vendor_db_name, .model_db = s->vf_model_db_name,
                .driver_override = binding == SIM_VF_VFIO ? "vfio-pci" : NULL,
                .pf = pf, .vf_index = index,
        };
        SimDev *vf;

        if (index >= s->total_vfs)
                g_error("sriov-sim: %s has only %u VFs", s->address, s->total_vfs);
        vf = pci_dev_new(sim, parent, pf->vf_addresses[index], &id);
        uevent(sim, vf->syspath, "add");
        sys_link(sim, pf->dev->syspath, virtfn, vf->syspath);
        sys_link(sim, vf->syspath, "physfn", pf->dev->syspath);
        uevent(sim, vf->syspath, "change");
        vf_bind(sim, vf, binding, NULL);
}

/* pci_iov_remove_virtfn(): links, release the driver, `remove`. */
static void vf_destroy(SriovSim *sim, SimDev *vf)
{
        file_remove(sim, vf->pf->dev->syspath, keepf(sim, "virtfn%u", vf->vf_index));
        file_remove(sim, vf->syspath, "physfn");
        dev_unbind(sim, vf);
        pci_dev_remove(sim, vf);
}

static void pf_create(SriovSim *sim, SimPf *pf)
{
        const SimPfSpec *s = &pf->spec;
        PciIdent id = {
                .vendor = s->vendor, .device = s->device, .class = PCI_CLASS_ETHERNET,
                .numa_node = s->numa_node, .iommu_group = s->iommu_group,
                .vendor_db = s->vendor_db_name, .model_db = s->model_db_name,
        };
        const char *parent = parent_dir(sim, s->address, s->bridge, s->numa_node);
        SimDev *dev = pci_dev_new(sim, parent, s->address, &id);

        pf->syspath = dev->syspath;
        attr_write(sim, dev->syspath, "sriov_totalvfs", "%u", s->total_vfs);
        attr_write(sim, dev->syspath, "sriov_numvfs", "0");
        attr_write(sim, dev->syspath, "sriov_offset", "%u", s->vf_offset);
        attr_write(sim, dev->syspath, "sriov_stride", "%u", s->vf_stride);
        attr_write(sim, dev->syspath, "sriov_vf_device", "%x", s->vf_device);
        attr_write(sim, dev->syspath, "sriov_drivers_autoprobe", "1");
        if (s->link_speed) {
                attr_write(sim, dev->syspath, "current_link_speed", "%s", s->link_speed);
                attr_write(sim, dev->syspath, "current_link_width", "%u", s->link_width);
        }
        pf->dev = dev;
        uevent(sim, dev->syspath, "add");
        if (s->pf_driver)
                dev_bind(sim, dev, s->pf_driver, CHILD_NET, s->netdev);
}

/* A plain device below `bridge` (NULL: default), bound with an optional netdev. */
static void plain_device_add_grouped(SriovSim *sim, const char *address, const char *bridge,
                                     unsigned vendor, unsigned device, const char *driver,
                                     const char *netdev, int iommu_group, bool announce)
{
        PciIdent id = {
                .vendor = vendor, .device = device, .class = PCI_CLASS_ETHERNET,
                .numa_node = -1, .iommu_group = iommu_group,
        };
        SimDev *dev;

        if (!announce)
                sim->quiet++;
        dev = pci_dev_new(sim, parent_dir(sim, address, bridge, -1), address, &id);
        uevent(sim, dev->syspath, "add");
        if (driver)
                dev_bind(sim, dev, driver, CHILD_NET, netdev);
        if (!announce)
                sim->quiet--;
}

static void plain_device_add(SriovSim *sim, const char *address, const char *bridge,
                             unsigned vendor, unsigned device, const char *driver,
                             const char *netdev)
{
        plain_device_add_grouped(sim, address, bridge, vendor, device, driver, netdev, -1, false);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

SriovSim *sim_new(void)
{
        const char *preload = g_getenv("LD_PRELOAD");
        SriovSim *sim = g_new0(SriovSim, 1);

        /* umockdev_in_mock_environment() says no even under the wrapper (0.17). */
        if (!preload || !strstr(preload, "umockdev-preload"))
                g_error("sriov-sim: run this program under umockdev-wrapper");
        sim->testbed = umockdev_testbed_new();
        if (!sim->testbed)
                g_error("sriov-sim: cannot create a umockdev testbed");
        sim->root = umockdev_testbed_get_root_dir(sim->testbed);
        sim->strings = g_string_chunk_new(4096);
        sim->devices = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
        sim->pfs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
        sim->next_ifindex = FIRST_IFINDEX;
        sim->listener_timeout_ms = LISTENER_TIMEOUT_MS;
        /* What a host with PCI, networking and the vfio modules always has. */
        mkdirs(sim, "/sys/bus/pci/devices");
        mkdirs(sim, "/sys/bus/pci/drivers");
        mkdirs(sim, "/sys/class/net");
        mkdirs(sim, "/sys/kernel/iommu_groups");
        devnode_create(sim, "vfio/vfio", 10, 196);
        return sim;
}

void sim_set_listener_timeout(SriovSim *sim, unsigned ms)
{
        sim->listener_timeout_ms = (int) MIN(ms, (unsigned) G_MAXINT);
}

void sim_set_netdev_speed(SriovSim *sim, unsigned mbps)
{
        sim->netdev_speed = mbps;
}

void sim_set_probe_delay(SriovSim *sim, unsigned usec)
{
        sim->probe_delay_us = usec;
}

void sim_free(SriovSim *sim)
{
        if (!sim)
                return;
        g_hash_table_destroy(sim->devices);
        g_hash_table_destroy(sim->pfs);
        g_string_chunk_free(sim->strings);
        g_free(sim->root);
        g_object_unref(sim->testbed);
        g_free(sim);
}

UMockdevTestbed *sim_testbed(SriovSim *sim)
{
        return sim->testbed;
}

const char *sim_root(SriovSim *sim)
{
        return sim->root;
}

void sim_add_pf(SriovSim *sim, const SimPfSpec *spec)
{
        SimPf *pf = g_malloc0(sizeof(SimPf) + spec->total_vfs * sizeof(char *));
        SimPfSpec *s = &pf->spec;

        if (g_hash_table_contains(sim->pfs, spec->address))
                g_error("sriov-sim: PF %s exists already", spec->address);
        *s = *spec;
        s->address = keep(sim, spec->address);
        s->bridge = keep(sim, spec->bridge);
        s->pf_driver = keep(sim, spec->pf_driver);
        s->vf_driver = keep(sim, spec->vf_driver);
        s->netdev = keep(sim, spec->netdev);
        s->vf_netdev_prefix = keep(sim, spec->vf_netdev_prefix);
        s->vendor_db_name = keep(sim, spec->vendor_db_name);
        s->model_db_name = keep(sim, spec->model_db_name);
        s->vf_model_db_name = keep(sim, spec->vf_model_db_name);
        s->link_speed = keep(sim, spec->link_speed);
        for (unsigned i = 0; i < s->total_vfs; i++)
                pf->vf_addresses[i] = vf_address_compute(sim, s, i);
        g_hash_table_insert(sim->pfs, (gpointer) s->address, pf);
        sim->quiet++;
        pf_create(sim, pf);
        sim->quiet--;
}

void sim_add_plain_device(SriovSim *sim, const char *address, unsigned vendor,
                          unsigned device, const char *driver)
{
        plain_device_add(sim, address, NULL, vendor, device, driver, NULL);
}

void sim_add_grouped_device(SriovSim *sim, const char *address, unsigned vendor, unsigned device,
                            int iommu_group, bool announce)
{
        plain_device_add_grouped(sim, address, NULL, vendor, device, NULL, NULL, iommu_group, announce);
}

void sim_remove_device(SriovSim *sim, const char *address)
{
        SimDev *dev = dev_lookup(sim, address);

        if (dev->pf || g_hash_table_contains(sim->pfs, address))
                g_error("sriov-sim: %s is a PF or VF: use the SR-IOV scenarios", address);
        dev_unbind(sim, dev);
        pci_dev_remove(sim, dev);
}

void sim_add_vf(SriovSim *sim, const char *pf_address, unsigned index, SimVfBinding binding)
{
        SimPf *pf = pf_lookup(sim, pf_address, true);

        sim->quiet++;
        vf_create(sim, pf, index, binding);
        pf_write_numvfs(sim, pf);
        sim->quiet--;
}

void sim_enable_vfs(SriovSim *sim, const char *pf_address, unsigned num_vfs,
                    SimVfBinding binding)
{
        SimPf *pf = pf_lookup(sim, pf_address, true);

        if (pf_num_vfs(sim, pf) != 0)
                g_error("sriov-sim: %s has VFs already (the kernel says EBUSY)", pf_address);
        for (unsigned i = 0; i < num_vfs; i++)
                vf_create(sim, pf, i, binding);
        pf_write_numvfs(sim, pf);
        uevent(sim, pf->dev->syspath, "change");
}

void sim_disable_vfs(SriovSim *sim, const char *pf_address, unsigned remaining)
{
        SimPf *pf = pf_lookup(sim, pf_address, true);
        unsigned n = pf_num_vfs(sim, pf);

        if (remaining > n)
                g_error("sriov-sim: %s has %u VFs, cannot keep %u", pf_address, n, remaining);
        while (n-- > remaining)
                vf_destroy(sim, vf_lookup(sim, pf, n));
        pf_write_numvfs(sim, pf);
}

void sim_rebind_vf(SriovSim *sim, const char *vf_address, SimVfBinding binding,
                   const char *new_netdev)
{
        SimDev *vf = dev_lookup(sim, vf_address);

        if (!vf->pf)
                g_error("sriov-sim: %s is not a VF", vf_address);
        /* What the user (or driverctl) writes before reprobing. */
        if (binding != SIM_VF_UNBOUND)
                attr_write(sim, vf->syspath, "driver_override", "%s",
                           binding == SIM_VF_VFIO ? "vfio-pci" : "(null)");
        dev_unbind(sim, vf);
        vf_bind(sim, vf, binding, new_netdev);
}

void sim_bind_other(SriovSim *sim, const char *address, const char *driver)
{
        dev_bind(sim, dev_lookup(sim, address), driver, CHILD_NONE, NULL);
}

/* umockdev_testbed_uevent() takes no properties, but umockdev 0.17 sends every
 * line of the device's uevent file (read at send time) after ACTION, DEVPATH,
 * SUBSYSTEM and SEQNUM. So DEVPATH_OLD is in the netdev's uevent file just
 * for the `move`, and the message carries it as the kernel's does. */
/* ---- switchdev (issue 16): representors are netdevs of the PF's device */

void sim_set_switch_port(SriovSim *sim, const char *pf_address, const char *switch_id,
                         const char *port_name)
{
        SimDev *dev = dev_lookup(sim, pf_address);
        const char *syspath;

        if (!dev->netdev)
                g_error("sriov-sim: %s has no netdev", pf_address);
        syspath = net_syspath(sim, dev, dev->netdev);
        attr_write(sim, syspath, "phys_switch_id", "%s", switch_id);
        attr_write(sim, syspath, "phys_port_name", "%s", port_name);
}

static const char *representor_syspath(SriovSim *sim, const char *pf_address, const char *name)
{
        return keepf(sim, "%s/net/%s", dev_lookup(sim, pf_address)->syspath, name);
}

static void representor_write_uevent(SriovSim *sim, const char *syspath, const char *name,
                                     const char *devpath_old)
{
        g_autofree char *ifindex = NULL;

        if (!g_file_get_contents(host_path(sim, syspath, "ifindex"), &ifindex, NULL, NULL))
                g_error("sriov-sim: %s has no ifindex", syspath);
        file_replace(sim, syspath, "uevent",
                     keepf(sim, "INTERFACE=%s\nIFINDEX=%s\n%s%s%s", name, g_strstrip(ifindex),
                           devpath_old ? "DEVPATH_OLD=" : "", devpath_old ? devpath_old : "",
                           devpath_old ? "\n" : ""));
}

void sim_add_representor(SriovSim *sim, const char *pf_address, const char *name,
                         const char *switch_id, const char *port_name)
{
        const char *syspath = representor_syspath(sim, pf_address, name);
        unsigned ifindex = sim->next_ifindex++;

        device_create(sim, "net", syspath);
        attr_write(sim, syspath, "ifindex", "%u", ifindex);
        attr_write(sim, syspath, "address", "02:00:00:01:%02x:%02x", (ifindex >> 8) & 0xff,
                   ifindex & 0xff);
        attr_write(sim, syspath, "operstate", "up");
        attr_write(sim, syspath, "name_assign_type", "4");
        attr_write(sim, syspath, "phys_switch_id", "%s", switch_id);
        attr_write(sim, syspath, "phys_port_name", "%s", port_name);
        representor_write_uevent(sim, syspath, name, NULL);
        uevent(sim, syspath, "add");
}

void sim_remove_representor(SriovSim *sim, const char *pf_address, const char *name)
{
        const char *syspath = representor_syspath(sim, pf_address, name);

        uevent(sim, syspath, "remove");
        device_delete(sim, syspath);
}

void sim_rename_representor(SriovSim *sim, const char *pf_address, const char *old_name,
                            const char *new_name)
{
        const char *old_syspath = representor_syspath(sim, pf_address, old_name);
        const char *new_syspath = representor_syspath(sim, pf_address, new_name);

        if (rename(host_path(sim, old_syspath, NULL), host_path(sim, new_syspath, NULL)) < 0)
                g_error("sriov-sim: cannot rename %s: %s", old_syspath, g_strerror(errno));
        file_remove(sim, "/sys/class/net", old_name);
        sys_link(sim, "/sys/class/net", new_name, new_syspath);
        representor_write_uevent(sim, new_syspath, new_name, old_syspath + strlen("/sys"));
        uevent(sim, new_syspath, "move");
        representor_write_uevent(sim, new_syspath, new_name, NULL);
}

void sim_rename_netdev(SriovSim *sim, const char *old_name, const char *new_name)
{
        GHashTableIter it;
        SimDev *dev = NULL, *d;
        const char *old_syspath, *new_syspath, *old_dir, *new_dir;

        g_hash_table_iter_init(&it, sim->devices);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &d))
                if (g_strcmp0(d->netdev, old_name) == 0)
                        dev = d;
        if (!dev)
                g_error("sriov-sim: no netdev %s", old_name);
        old_syspath = net_syspath(sim, dev, old_name);
        new_syspath = net_syspath(sim, dev, new_name);
        old_dir = host_path(sim, old_syspath, NULL);
        new_dir = host_path(sim, new_syspath, NULL);
        if (rename(old_dir, new_dir) < 0)
                g_error("sriov-sim: cannot rename %s: %s", old_dir, g_strerror(errno));
        file_remove(sim, "/sys/class/net", old_name);
        sys_link(sim, "/sys/class/net", new_name, new_syspath);
        dev->netdev = keep(sim, new_name);
        attr_write(sim, new_syspath, "name_assign_type", "4");
        net_write_uevent(sim, dev, old_syspath + strlen("/sys"));
        uevent(sim, new_syspath, "move");
        net_write_uevent(sim, dev, NULL);
}

void sim_remove_pf(SriovSim *sim, const char *pf_address)
{
        SimPf *pf = pf_lookup(sim, pf_address, true);

        for (unsigned n = pf_num_vfs(sim, pf); n-- > 0;)
                vf_destroy(sim, vf_lookup(sim, pf, n));
        dev_unbind(sim, pf->dev);
        pci_dev_remove(sim, pf->dev);
        pf->dev = NULL;
}

void sim_readd_pf(SriovSim *sim, const char *pf_address, unsigned num_vfs, SimVfBinding binding)
{
        SimPf *pf = pf_lookup(sim, pf_address, false);

        if (pf->dev)
                g_error("sriov-sim: PF %s is present", pf_address);
        pf_create(sim, pf);
        if (num_vfs > 0)
                sim_enable_vfs(sim, pf_address, num_vfs, binding);
}

void sim_write_autoprobe(SriovSim *sim, const char *pf_address, bool value)
{
        attr_write(sim, pf_lookup(sim, pf_address, true)->dev->syspath,
                   "sriov_drivers_autoprobe", "%d", value ? 1 : 0);
}

void sim_write_attribute(SriovSim *sim, const char *address, const char *name, const char *value)
{
        attr_write(sim, dev_lookup(sim, address)->syspath, name, "%s", value);
}

void sim_send_uevent(SriovSim *sim, const char *address, const char *action)
{
        uevent(sim, dev_lookup(sim, address)->syspath, action);
}

void sim_send_raw_uevent(SriovSim *sim, const char *action, const char *devpath,
                         const char *subsystem, const char *const *props)
{
        g_autoptr(GByteArray) msg = g_byte_array_new();
        MonitorHeader h = {
                .prefix = "libudev",
                .magic = htonl(MONITOR_MAGIC),
                .header_size = sizeof(MonitorHeader),
                .properties_off = sizeof(MonitorHeader),
                .filter_subsystem_hash = htonl(murmur2(subsystem)),
        };
        g_autofree char *seqnum = g_strdup_printf("SEQNUM=%llu", ++sim->raw_seqnum);
        const char *fixed[] = { keepf(sim, "ACTION=%s", action), keepf(sim, "DEVPATH=%s", devpath),
                                keepf(sim, "SUBSYSTEM=%s", subsystem), seqnum };

        if (sim->quiet)
                return;
        g_byte_array_append(msg, (const guint8 *) &h, sizeof(h));
        /* KEY=VALUE strings, each with its NUL. */
        for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
                g_byte_array_append(msg, (const guint8 *) fixed[i], strlen(fixed[i]) + 1);
        for (; props && *props; props++)
                g_byte_array_append(msg, (const guint8 *) *props, strlen(*props) + 1);
        ((MonitorHeader *) msg->data)->properties_len = msg->len - sizeof(MonitorHeader);
        send_to_listeners(sim, msg->data, msg->len);
        sim->uevents++;
}

bool sim_pf_present(SriovSim *sim, const char *pf_address)
{
        return pf_lookup(sim, pf_address, false)->dev != NULL;
}

unsigned sim_num_vfs(SriovSim *sim, const char *pf_address)
{
        SimPf *pf = pf_lookup(sim, pf_address, false);

        return pf->dev ? pf_num_vfs(sim, pf) : 0;
}

const char *sim_driver(SriovSim *sim, const char *address)
{
        SimDev *dev = g_hash_table_lookup(sim->devices, address);

        return dev ? dev->driver : NULL;
}

const char *sim_syspath(SriovSim *sim, const char *address)
{
        GHashTableIter it;
        SimDev *dev = g_hash_table_lookup(sim->devices, address);
        SimPf *pf;

        if (dev)
                return dev->syspath;
        g_hash_table_iter_init(&it, sim->pfs);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &pf)) {
                if (strcmp(pf->spec.address, address) == 0)
                        return pf->syspath;
                for (unsigned i = 0; i < pf->spec.total_vfs; i++)
                        if (strcmp(pf->vf_addresses[i], address) == 0)
                                return keepf(sim, "%s/%s", dirname_of(sim, pf->syspath), address);
        }
        return NULL;
}

const char *sim_vf_address(SriovSim *sim, const char *pf_address, unsigned index)
{
        SimPf *pf = pf_lookup(sim, pf_address, false);

        if (index >= pf->spec.total_vfs)
                g_error("sriov-sim: %s has only %u VFs", pf_address, pf->spec.total_vfs);
        return pf->vf_addresses[index];
}

const char *sim_netdev(SriovSim *sim, const char *address)
{
        SimDev *dev = g_hash_table_lookup(sim->devices, address);

        return dev ? dev->netdev : NULL;
}

unsigned sim_uevents_sent(SriovSim *sim)
{
        return sim->uevents;
}

void sim_build_demo_host(SriovSim *sim)
{
        static const SimPfSpec mlx = {
                .address = "0000:3b:00.0", .bridge = "0000:3a:00.0",
                .vendor = 0x15b3, .device = 0x101d, .vf_device = 0x101e,
                .pf_driver = "mlx5_core", .vf_driver = "mlx5_core",
                .netdev = "enp59s0f0np0", .vf_netdev_prefix = "enp59s0f0v",
                .total_vfs = 8, .vf_offset = 2, .vf_stride = 1, .numa_node = 0,
                .iommu_group = 40, .vendor_db_name = "Mellanox Technologies",
                .model_db_name = "MT2892 Family [ConnectX-6 Dx]",
                .vf_model_db_name = "ConnectX Family mlx5Gen Virtual Function",
                .link_speed = "16.0 GT/s PCIe", .link_width = 16,
        };
        static const SimPfSpec pensando = {
                .address = "0000:b5:00.0", .bridge = "0000:b4:00.0",
                .vendor = 0x1dd8, .device = 0x1002, .vf_device = 0x1003,
                .pf_driver = "ionic", .vf_driver = "ionic",
                .netdev = "enp181s0np0", .vf_netdev_prefix = "enp181s0v",
                .total_vfs = 16, .vf_offset = 1, .vf_stride = 1, .numa_node = 1,
                .iommu_group = 60, .vendor_db_name = "Pensando Systems",
        };
        static const SimPfSpec e810 = {
                .address = "0000:5e:00.0", .bridge = "0000:5d:00.0",
                .vendor = 0x8086, .device = 0x1593, .vf_device = 0x1889,
                .pf_driver = "ice", .vf_driver = "iavf",
                .netdev = "ens785f0", .vf_netdev_prefix = "ens785f0v",
                .total_vfs = 128, .vf_offset = 16, .vf_stride = 1, .numa_node = 0,
                .iommu_group = 80, .vendor_db_name = "Intel Corporation",
        };
        static const SimPfSpec bnxt = {
                .address = "0000:af:00.0", .bridge = "0000:ae:00.0",
                .vendor = 0x14e4, .device = 0x16d7, .vf_device = 0x16dc,
                .pf_driver = "bnxt_en", .vf_driver = "bnxt_en",
                .netdev = "ens2f0np0", .vf_netdev_prefix = "ens2f0v",
                .total_vfs = 8, .vf_offset = 1, .vf_stride = 1, .numa_node = 1,
                .iommu_group = 90, .vendor_db_name = "Broadcom Inc. and subsidiaries",
        };
        static const SimVfBinding mlx_vfs[] = { SIM_VF_NET, SIM_VF_NET, SIM_VF_VFIO, SIM_VF_UNBOUND };

        sim_add_pf(sim, &mlx);
        for (unsigned i = 0; i < G_N_ELEMENTS(mlx_vfs); i++)
                sim_add_vf(sim, mlx.address, i, mlx_vfs[i]);
        sim_add_pf(sim, &pensando);
        sim_add_pf(sim, &e810);
        for (unsigned i = 0; i < 2; i++) {
                sim_add_vf(sim, pensando.address, i, SIM_VF_NET);
                sim_add_vf(sim, e810.address, i, SIM_VF_NET);
        }
        sim_add_pf(sim, &bnxt);
        plain_device_add(sim, "0000:02:00.0", "0000:00:1c.0", 0x8086, 0x1533, "igb", "eno1");
}
