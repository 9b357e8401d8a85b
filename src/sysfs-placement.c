/* SPDX-License-Identifier: MIT */
/*
 * Where a function sits (issue 16), from sysfs alone: the members of its
 * IOMMU group (a function that shares its group cannot be assigned alone),
 * its PCIe link, and a VF's iommufd character device. Every fact is
 * optional: missing or odd files leave it "unknown" with a debug line.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pci-address.h"
#include "strv.h"
#include "sysfs-parse.h"
#include "sysfs-reader.h"

/* <syspath>/iommu_group/devices: one link per member, named by its address. */
static int read_iommu_group_devices(Device *d) {
        char path[PATH_MAX];
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        int r;

        if (d->iommu_group < 0)
                return 0;
        if ((size_t) snprintf(path, sizeof(path), "%s/iommu_group/devices", d->syspath) >= sizeof(path))
                return 0;
        dir = opendir(path);
        if (!dir) {
                log_debug("%s: cannot list the IOMMU group's members, ignoring.", path);
                return 0;
        }
        while ((de = readdir(dir))) {
                char address[PCI_ADDRESS_MAX];

                if (de->d_name[0] == '.')
                        continue;
                if (pci_address_normalize(de->d_name, 0, address) < 0) {
                        log_debug("%s/%s: not a PCI address, ignoring.", path, de->d_name);
                        continue;
                }
                if (strv_contains(d->iommu_group_devices, address))
                        continue;
                r = strv_consume(&d->iommu_group_devices, strdup(address));
                if (r < 0)
                        return r;
        }
        strv_sort(d->iommu_group_devices);
        return 0;
}

/* current_link_speed ("16.0 GT/s PCIe", "Unknown") and current_link_width. */
static int read_pcie_link(Device *d) {
        char buf[SYSFS_ATTR_MAX];
        uint32_t width;

        if (sysfs_read_attribute(d->syspath, "current_link_speed", buf) >= 0) {
                buf[strcspn(buf, "\n")] = '\0';
                if (!isempty(buf) && !streq(buf, "Unknown") && utf8_is_valid(buf)) {
                        d->pcie_link_speed = strdup(buf);
                        if (!d->pcie_link_speed)
                                return -ENOMEM;
                } else
                        log_debug("%s/current_link_speed: '%s', ignoring.", d->syspath, buf);
        }
        if (sysfs_read_attribute(d->syspath, "current_link_width", buf) >= 0) {
                if (parse_u32(buf, &width) >= 0)
                        d->pcie_link_width = width;
                else
                        log_debug("%s/current_link_width: malformed, ignoring.", d->syspath);
        }
        return 0;
}

/* Whether name is "vfioN" with N a decimal number. */
static bool is_vfio_cdev_name(const char *name) {
        uint32_t n;

        return strncmp(name, "vfio", 4) == 0 && name[4] >= '0' && name[4] <= '9' && parse_u32(name + 4, &n) >= 0;
}

/* <syspath>/vfio-dev/vfioN: the VF's /dev/vfio/devices/vfioN (kernel >= 6.6). */
static int read_vfio_cdev(Device *d) {
        char path[PATH_MAX];
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;

        if ((size_t) snprintf(path, sizeof(path), "%s/vfio-dev", d->syspath) >= sizeof(path))
                return 0;
        dir = opendir(path);
        if (!dir)
                return 0; /* none */
        while ((de = readdir(dir)))
                if (is_vfio_cdev_name(de->d_name)) {
                        if (asprintf(&d->vfio_cdev, "/dev/vfio/devices/%s", de->d_name) < 0) {
                                d->vfio_cdev = NULL;
                                return -ENOMEM;
                        }
                        return 0;
                }
        return 0;
}

int sysfs_read_placement(Device *d) {
        int r;

        r = read_iommu_group_devices(d);
        if (r < 0)
                return r;
        r = read_pcie_link(d);
        if (r < 0)
                return r;
        return d->role == DEVICE_ROLE_VF ? read_vfio_cdev(d) : 0;
}
