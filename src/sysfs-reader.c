/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pci-address.h"
#include "representors.h"
#include "strv.h"
#include "sysfs-parse.h"
#include "sysfs-reader.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);

#define ATTR_MAX SYSFS_ATTR_MAX

static int child_path(const char *syspath, const char *name, char path[static PATH_MAX]) {
        return (size_t) snprintf(path, PATH_MAX, "%s/%s", syspath, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int sysfs_read_attribute(const char *syspath, const char *name, char buf[static ATTR_MAX]) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        if (child_path(syspath, name, path) < 0)
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, ATTR_MAX);
        if (n < 0)
                return -errno;
        if (n >= ATTR_MAX)
                return -E2BIG;
        if (memchr(buf, '\0', (size_t) n))
                return -EINVAL;
        buf[n] = '\0';
        return 0;
}

#define read_attribute sysfs_read_attribute

static int read_link(const char *syspath, const char *name, char buf[static PATH_MAX]) {
        char path[PATH_MAX];
        ssize_t n;

        if (child_path(syspath, name, path) < 0)
                return -ENAMETOOLONG;
        n = readlink(path, buf, PATH_MAX);
        if (n < 0)
                return -errno;
        if (n >= PATH_MAX)
                return -ENAMETOOLONG;
        buf[n] = '\0';
        return 0;
}

/* A link to a PCI device ("../0000:3b:00.2") as a canonical address. */
static int read_address_link(const char *syspath, const char *name, char address[static PCI_ADDRESS_MAX]) {
        char target[PATH_MAX];
        int r;

        r = read_link(syspath, name, target);
        if (r < 0)
                return r;
        return pci_address_normalize(link_target_basename(target), 0, address);
}

/* Reads and parses one attribute; on any failure logs and returns r < 0,
 * leaving *ret untouched (the caller's "unknown" default). */
#define READ_PARSED(syspath, name, parser, ret)                                              \
        ({                                                                                   \
                char _b[ATTR_MAX];                                                           \
                int _r = read_attribute((syspath), (name), _b);                             \
                if (_r >= 0)                                                                 \
                        _r = parser(_b, (ret));                                              \
                if (_r < 0)                                                                  \
                        log_debug_errno(_r, "%s/%s: unreadable or malformed, ignoring: %m", \
                                        (syspath), (name));                                  \
                _r;                                                                          \
        })

int sysfs_read_physfn(const char *syspath, char address[static PCI_ADDRESS_MAX]) {
        return read_address_link(syspath, "physfn", address);
}

/* 1 with *ret, the driver the driver link names; 0 when unbound (or the link is odd). */
static int read_driver_name(const char *syspath, char **ret) {
        char target[PATH_MAX];
        const char *name;
        int r;

        r = read_link(syspath, "driver", target);
        if (r < 0) {
                if (r != -ENOENT)
                        log_debug_errno(r, "%s/driver: unreadable, treating as unbound: %m", syspath);
                return 0;
        }
        name = link_target_basename(target);
        if (!name || !utf8_is_valid(name)) {
                log_debug("%s/driver: odd link target, treating as unbound.", syspath);
                return 0;
        }
        *ret = strdup(name);
        return *ret ? 1 : -ENOMEM;
}

static int read_driver(Device *d) {
        int r = read_driver_name(d->syspath, &d->driver);

        return r < 0 ? r : 0;
}

static int read_iommu_group(Device *d) {
        char target[PATH_MAX];
        int32_t group;
        int r;

        r = read_link(d->syspath, "iommu_group", target);
        if (r < 0)
                return 0; /* no IOMMU, or no group: -1 */
        r = parse_i32(link_target_basename(target), &group);
        if (r < 0 || group < 0)
                log_debug("%s/iommu_group: odd link target '%s', ignoring.", d->syspath, target);
        else
                d->iommu_group = group;
        return 0;
}

static int read_netdevs(Device *d) {
        char path[PATH_MAX];
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        int r;

        if ((size_t) snprintf(path, sizeof(path), "%s/net", d->syspath) >= sizeof(path))
                return 0;
        dir = opendir(path);
        if (!dir)
                return 0; /* no netdev */
        while ((de = readdir(dir))) {
                char *name;

                if (de->d_name[0] == '.')
                        continue;
                if (!utf8_is_valid(de->d_name)) {
                        log_debug("%s: netdev name is not UTF-8, skipping.", path);
                        continue;
                }
                name = strdup(de->d_name);
                if (!name)
                        return -ENOMEM;
                r = strv_consume(&d->netdevs, name);
                if (r < 0)
                        return r;
        }
        strv_sort(d->netdevs);
        return 0;
}

static char *strstrip_newline(char *s) {
        s[strcspn(s, "\n")] = '\0';
        return s;
}

/* Whether udev has processed a netdev's "add" and renamed it, if its rules
 * do: its database entry exists and does not say it is being renamed. */
static bool netdev_udev_initialized(struct udev *udev, const char *syspath) {
        _cleanup_(udev_device_unrefp) struct udev_device *dev = NULL;

        dev = udev ? udev_device_new_from_syspath(udev, syspath) : NULL;
        if (!dev || udev_device_get_is_initialized(dev) <= 0)
                return false;
        /* udevd saves its database with ID_RENAMING=1 just before it renames
         * a netdev (so that rtnetlink clients can tell), and drops it with
         * the "move": until then the name is still the kernel's. */
        return !udev_device_get_property_value(dev, "ID_RENAMING");
}

int sysfs_drop_unnamed_netdevs(struct udev *udev, Device *d) {
        size_t i = 0;

        while (d->netdevs && d->netdevs[i]) {
                char path[PATH_MAX], buf[ATTR_MAX];

                bool unnamed = false;
                int r;

                if ((size_t) snprintf(path, sizeof(path), "%s/net/%s", d->syspath, d->netdevs[i]) < sizeof(path)) {
                        r = read_attribute(path, "name_assign_type", buf);
                        /* Gone since the listing: udev renamed it meanwhile,
                         * and its event with the new name is on its way. */
                        if (r == -ENOENT && access(path, F_OK) < 0)
                                unnamed = true;
                        else if (r >= 0 && streq(strstrip_newline(buf), NET_NAME_ENUM))
                                unnamed = !netdev_udev_initialized(udev, path);
                }
                if (unnamed) {
                        log_debug("%s: netdev %s is not named by udev yet, not published.", d->address,
                                  d->netdevs[i]);
                        d->netdev_unnamed = true;
                        /* Out of the list, keeping the order of the rest. */
                        free(d->netdevs[i]);
                        memmove(d->netdevs + i, d->netdevs + i + 1, (strv_length(d->netdevs + i + 1) + 1) * sizeof(char *));
                        continue;
                }
                i++;
        }
        return 0;
}

static int cmp_vf_link(const void *a, const void *b) {
        uint32_t x = ((const VfLink *) a)->index, y = ((const VfLink *) b)->index;

        return x < y ? -1 : x > y;
}

int sysfs_read_vf_links(Device *pf) {
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        size_t allocated = 0;

        for (size_t i = 0; i < pf->n_vfs; i++)
                free(pf->vfs[i].address);
        pf->n_vfs = 0;
        pf->num_vfs = 0;

        dir = opendir(pf->syspath);
        if (!dir)
                return 0;
        while ((de = readdir(dir))) {
                char address[PCI_ADDRESS_MAX];
                uint32_t index;

                if (parse_virtfn_name(de->d_name, &index) < 0)
                        continue;
                if (read_address_link(pf->syspath, de->d_name, address) < 0) {
                        log_debug("%s/%s: not a link to a PCI device, ignoring.", pf->syspath, de->d_name);
                        continue;
                }
                /* Only VFs that exist, for VirtualFunctions and NumVFs
                 * alike: a link whose VF the kernel is removing right now
                 * (readdir listed it, then it went) counts in neither. */
                char path[PATH_MAX];
                if (child_path(pf->syspath, de->d_name, path) < 0 || access(path, F_OK) < 0) {
                        log_debug("%s/%s: points to a device that does not exist, ignoring.", pf->syspath,
                                  de->d_name);
                        continue;
                }
                if (pf->n_vfs == allocated) {
                        size_t n = allocated ? allocated * 2 : 8;
                        VfLink *t = reallocarray(pf->vfs, n, sizeof(VfLink));

                        if (!t)
                                return -ENOMEM;
                        pf->vfs = t;
                        allocated = n;
                }
                pf->vfs[pf->n_vfs].index = index;
                pf->vfs[pf->n_vfs].address = strdup(address);
                if (!pf->vfs[pf->n_vfs].address)
                        return -ENOMEM;
                pf->n_vfs++;
                pf->num_vfs = pf->n_vfs;
        }
        if (pf->n_vfs > 1)
                qsort(pf->vfs, pf->n_vfs, sizeof(VfLink), cmp_vf_link);
        return 0;
}

static int read_pf(Device *d) {
        bool autoprobe = false;
        int r;

        (void) READ_PARSED(d->syspath, "sriov_totalvfs", parse_u32, &d->total_vfs);
        (void) READ_PARSED(d->syspath, "sriov_drivers_autoprobe", parse_bool, &autoprobe);
        d->drivers_autoprobe = autoprobe;

        r = sysfs_read_vf_links(d);
        return r == -ENOMEM ? r : 0;
}

static int read_vf(Device *d, const char *pf_address) {
        int r;

        d->pf_address = strdup(pf_address);
        if (!d->pf_address)
                return -ENOMEM;
        r = pci_address_to_object_path(pf_address, &d->pf_object_path);
        if (r < 0)
                return r;
        if (streq(d->mode, "vfio") && d->iommu_group >= 0 &&
            asprintf(&d->vfio_device, "/dev/vfio/%" PRIi32, d->iommu_group) < 0) {
                d->vfio_device = NULL;
                return -ENOMEM;
        }
        return 0;
}

int sysfs_read_device_cached(struct udev *udev, VendorNames *vendors, VendorNames *products, const char *syspath,
                             const Device *previous, Device **ret) {
        _cleanup_(device_freep) Device *d = NULL;
        char address[PCI_ADDRESS_MAX], pf_address[PCI_ADDRESS_MAX], buf[ATTR_MAX];
        const char *name = link_target_basename(syspath);
        DeviceRole role;
        int r;

        if (pci_address_normalize(name, 0, address) < 0)
                return 0;

        /* A PF whose sriov_totalvfs exists but cannot be read is still a PF. */
        r = read_attribute(syspath, "sriov_totalvfs", buf);
        if (r != -ENOENT && r != -ENOTDIR)
                role = DEVICE_ROLE_PF;
        else if (sysfs_read_physfn(syspath, pf_address) >= 0)
                role = DEVICE_ROLE_VF;
        else
                return 0;

        r = device_new(address, role, &d);
        if (r < 0)
                return r;
        d->syspath = strdup(syspath);
        if (!d->syspath)
                return -ENOMEM;

        (void) READ_PARSED(syspath, "vendor", parse_hex_u16, &d->vendor_id);
        (void) READ_PARSED(syspath, "device", parse_hex_u16, &d->device_id);
        (void) READ_PARSED(syspath, "numa_node", parse_i32, &d->numa_node);

        r = read_driver(d);
        if (r < 0)
                return r;
        r = read_netdevs(d);
        if (r < 0)
                return r;
        if (role == DEVICE_ROLE_PF) {
                r = sysfs_read_representors(d);
                if (r < 0)
                        return r;
        }
        d->mode = device_mode(d->driver, d->netdevs);
        r = read_iommu_group(d);
        if (r < 0)
                return r;
        r = sysfs_read_hwdb_names(udev, vendors, products, previous, d);
        if (r < 0)
                return r;
        r = sysfs_read_placement(d);
        if (r < 0)
                return r;

        r = role == DEVICE_ROLE_PF ? read_pf(d) : read_vf(d, pf_address);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(d);
        return 1;
}

int sysfs_read_device(struct udev *udev, const char *syspath, const Device *previous, Device **ret) {
        return sysfs_read_device_cached(udev, NULL, NULL, syspath, previous, ret);
}

int sysfs_list_pci_devices(char ***ret) {
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_strv_free_ char **l = NULL;
        struct dirent *de;
        int r;

        dir = opendir(SYSFS_PCI_DEVICES);
        if (!dir)
                return -errno;
        while ((de = readdir(dir))) {
                char target[PATH_MAX], syspath[PATH_MAX];

                if (de->d_name[0] == '.')
                        continue;
                if (read_link(SYSFS_PCI_DEVICES, de->d_name, target) < 0 ||
                    link_target_resolve(SYSFS_PCI_DEVICES, target, syspath) < 0) {
                        log_debug("%s/%s: not a link to a device, ignoring.", SYSFS_PCI_DEVICES, de->d_name);
                        continue;
                }
                r = strv_consume(&l, strdup(syspath));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Network facts (issue 15): the netdev whose link a function publishes.
 * A switchdev PF has its uplink and a representor per VF: the uplink is
 * the one whose phys_port_name is not a representor's ("pf0vf3", "c1pf0sf1"). */
static const char *link_netdev_of(const Device *d) {
        if (strv_length(d->netdevs) <= 1)
                return d->netdevs ? d->netdevs[0] : NULL;
        for (char **n = d->netdevs; *n; n++) {
                char path[PATH_MAX], buf[ATTR_MAX];
                const char *pf;

                if ((size_t) snprintf(path, sizeof(path), "%s/net/%s", d->syspath, *n) >= sizeof(path) ||
                    read_attribute(path, "phys_port_name", buf) < 0)
                        return *n;
                pf = strstr(buf, "pf");
                if (!pf || (!strstr(pf, "vf") && !strstr(pf, "sf")))
                        return *n;
        }
        return d->netdevs[0];
}

/* Speed is not in RTM_NEWLINK. Reading it may ask the driver (and take the
 * RTNL lock): only when the link or its carrier changed. */
static void read_speed(Device *d, const Device *previous) {
        char path[PATH_MAX];

        if (previous && streq_ptr(previous->link_netdev, d->link_netdev) && previous->ifindex == d->ifindex &&
            previous->carrier == d->carrier) {
                d->speed = previous->speed;
                return;
        }
        d->speed = -1;
        if (!d->link_netdev ||
            (size_t) snprintf(path, sizeof(path), "%s/net/%s", d->syspath, d->link_netdev) >= sizeof(path))
                return;
        /* EINVAL while the carrier is down, on most drivers: unknown. */
        if (READ_PARSED(path, "speed", parse_i32, &d->speed) < 0 || d->speed < 0)
                d->speed = -1;
}

static int read_link_facts(SysfsReader *s, Device *d, const Device *previous) {
        int k;

        k = rtnl_reader_read_link(&s->rtnl, link_netdev_of(d), d);
        if (k < 0)
                return k;
        read_speed(d, previous);
        if (d->role == DEVICE_ROLE_VF)
                rtnl_reader_fill_vf(&s->rtnl, d);
        else
                d->vf_config_complete = rtnl_reader_vfs_complete(&s->rtnl, d);
        return 0;
}

/* A PF's eswitch mode, and its representors from devlink's ports when it
 * has any (sysfs names otherwise). -ENOMEM only. */
static int read_devlink(SysfsReader *s, const Device *previous, Device *pf) {
        _cleanup_free_ DevlinkPort *ports = NULL;
        size_t n = 0;

        if (devlink_eswitch_mode(&s->devlink, pf->address, &pf->eswitch_mode) == -ETIMEDOUT && previous &&
            previous->eswitch_mode)
                pf->eswitch_mode = previous->eswitch_mode; /* busy: what it was */
        if (devlink_ports(&s->devlink, pf->address, &ports, &n) < 0 || n == 0)
                return 0;
        if (representors_from_ports(pf, ports, n) < 0)
                return -ENOMEM;
        pf->mode = device_mode(pf->driver, pf->netdevs);
        return 0;
}

static int reader_read(Reader *r, const char *syspath, const Device *previous, Device **ret) {
        SysfsReader *s = (SysfsReader *) r;
        int k;

        k = sysfs_read_device_cached(s->udev, &s->vendor_names, &s->product_names, syspath, previous, ret);
        if (k > 0 && s->netdevs_named_by_udev)
                (void) sysfs_drop_unnamed_netdevs(s->udev, *ret);
        if (k > 0 && (*ret)->role == DEVICE_ROLE_PF) {
                k = read_devlink(s, previous, *ret);
                if (k < 0) {
                        *ret = device_free(*ret);
                        return k;
                }
                k = 1;
        }
        if (k > 0 && s->link_facts) {
                int q = read_link_facts(s, *ret, previous);

                if (q < 0) {
                        *ret = device_free(*ret);
                        return q;
                }
        }
        for (size_t i = 0; k > 0 && i < s->n_facts; i++)
                if (s->facts[i]->ops->fill(s->facts[i], *ret) < 0) {
                        *ret = device_free(*ret);
                        return -ENOMEM;
                }
        return k;
}

static int reader_list(Reader *r, char ***ret) {
        SysfsReader *s = (SysfsReader *) r;
        int k;

        k = sysfs_list_pci_devices(ret);
        if (k != -ENOENT)
                return k;
        /* A container without PCI sysfs, a machine without PCI: an empty
         * table, still served; said once, not per rescan. */
        if (!s->warned_no_pci)
                log_warning("No " SYSFS_PCI_DEVICES " on this host: no PCI devices to monitor.");
        s->warned_no_pci = true;
        *ret = NULL;
        return 0;
}

static int reader_physfn(Reader *r, const char *syspath, char address[static PCI_ADDRESS_MAX]) {
        return sysfs_read_physfn(syspath, address);
}

static int reader_driver(Reader *r, const char *syspath, char **ret) {
        return read_driver_name(syspath, ret);
}

static int reader_iommu_group(Reader *r, const char *syspath, int32_t *ret) {
        char target[PATH_MAX];
        int k;

        k = read_link(syspath, "iommu_group", target);
        if (k < 0)
                return k;
        return parse_i32(link_target_basename(target), ret);
}

static void reader_rescan(Reader *r) {
        SysfsReader *s = (SysfsReader *) r;

        /* A full scan asks udev's hwdb afresh, once per vendor. */
        vendor_names_clear(&s->vendor_names);
        vendor_names_clear(&s->product_names);
        /* And the links in one dump (without VF info), not one query each. */
        if (s->link_facts)
                rtnl_reader_dump(&s->rtnl);
        devlink_forget(&s->devlink);
}

static int reader_query_vf_config(Reader *r, Device *pf, char ***changed) {
        SysfsReader *s = (SysfsReader *) r;

        return s->link_facts ? rtnl_reader_query_vfs(&s->rtnl, pf, changed) : 0;
}

static void reader_fill_vf_config(Reader *r, Device *vf) {
        SysfsReader *s = (SysfsReader *) r;

        if (s->link_facts)
                rtnl_reader_fill_vf(&s->rtnl, vf);
}

static void reader_scan_done(Reader *r) {
        rtnl_reader_dump_done(&((SysfsReader *) r)->rtnl);
}

int sysfs_reader_init(SysfsReader *s, struct udev *udev, bool link_facts) {
        static const ReaderOps ops = {
                .read = reader_read,
                .list = reader_list,
                .physfn = reader_physfn,
                .driver = reader_driver,
                .iommu_group = reader_iommu_group,
                .rescan = reader_rescan,
                .query_vf_config = reader_query_vf_config,
                .fill_vf_config = reader_fill_vf_config,
                .scan_done = reader_scan_done,
        };

        *s = (SysfsReader) { .reader.ops = &ops, .udev = udev, .link_facts = link_facts, .devlink = DEVLINK_INIT };
        return rtnl_reader_init(&s->rtnl);
}

int sysfs_reader_add_facts(SysfsReader *s, Facts *f) {
        if (s->n_facts >= ELEMENTSOF(s->facts))
                return -E2BIG;
        s->facts[s->n_facts++] = f;
        return 0;
}

void sysfs_reader_done(SysfsReader *s) {
        vendor_names_clear(&s->vendor_names);
        rtnl_reader_done(&s->rtnl);
        vendor_names_clear(&s->product_names);
        devlink_done(&s->devlink);
}
