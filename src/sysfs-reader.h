/* SPDX-License-Identifier: MIT */
#pragma once

#include <libudev.h>
#include <stdint.h>

#include "device.h"
#include "devlink.h"

/* Reads one PCI function from /sys. Returns 1 with *ret for a PF or VF, 0
 * when the device is not an SR-IOV function (or is gone), never a partial
 * failure: an attribute that is missing, malformed or vanishes mid-read is
 * logged at debug level and left "unknown". -ENOMEM is the only error.
 * A VF's vf_index is left VF_INDEX_UNKNOWN: it is its PF's business.
 * `previous`, the last reading of the same device (or NULL), lets an event's
 * re-read skip what cannot have changed: the hwdb vendor name of the same
 * vendor id, which costs a udev device object to look up. */
int sysfs_read_device(struct udev *udev, const char *syspath, const Device *previous, Device **ret);

/* hwdb names already asked of udev: vendor names by vendor id (the hwdb
 * matches ID_VENDOR_FROM_DATABASE on the vendor alone, so one lookup per
 * vendor serves every function of it), product names by vendor << 16 |
 * device (ID_MODEL_FROM_DATABASE; "" remembers "none"). A full scan clears
 * them and asks afresh. */
typedef struct VendorNames {
        size_t n;
        struct {
                uint32_t id;
                char *name;
        } entries[32];
} VendorNames;

void vendor_names_clear(VendorNames *v);
/* sysfs-hwdb.c: d's VendorName and ProductName, from the previous reading of
 * the same ids, else the caches (either may be NULL), else udev. -ENOMEM only. */
int sysfs_read_hwdb_names(struct udev *udev, VendorNames *vendors, VendorNames *products, const Device *previous,
                          Device *d);
/* sysfs_read_device, asking udev only for ids not in `vendors` and
 * `products` (either may be NULL). */
int sysfs_read_device_cached(struct udev *udev, VendorNames *vendors, VendorNames *products, const char *syspath,
                             const Device *previous, Device **ret);

/* Sysfs values we parse are short; a longer one is malformed anyway. */
#define SYSFS_ATTR_MAX 256
/* Reads one attribute (NUL-free, shorter than SYSFS_ATTR_MAX); -errno. */
int sysfs_read_attribute(const char *syspath, const char *name, char buf[static SYSFS_ATTR_MAX]);
/* sysfs-placement.c: IOMMU group members, PCIe link, a VF's vfio cdev
 * (needs iommu_group and role read first). -ENOMEM is the only error. */
int sysfs_read_placement(Device *d);
/* sysfs-representors.c: a PF's representors out of its netdevs (needs them
 * read first). -ENOMEM is the only error. */
int sysfs_read_representors(Device *pf);


/* name_assign_type of a netdev the kernel named itself ("eth3"). */
#define NET_NAME_ENUM "1"

/* For a daemon that follows udev's events: drops from d->netdevs (not from
 * its Mode) each netdev still under the name the kernel gave it
 * (name_assign_type NET_NAME_ENUM) that udev has not processed yet. udev
 * renames such a netdev right after its "add", then announces it under the
 * final name; publishing it before would show a temporary name, maybe one
 * another VF gets a moment later. Returns 0. */
int sysfs_drop_unnamed_netdevs(struct udev *udev, Device *d);

/* The syspaths of every PCI function, from the links in /sys/bus/pci/devices
 * (what udev's enumerator lists for subsystem "pci", at a fraction of the cost). */
int sysfs_list_pci_devices(char ***ret);


/* The PF a VF's physfn link points to, as a canonical address. */
int sysfs_read_physfn(const char *syspath, char address[static 17]);

/* Reads the VF links of a PF: fills pf->vfs/n_vfs, and num_vfs with the
 * same count: a link to a device that does not exist is in neither. */
int sysfs_read_vf_links(Device *pf);

/* Where the PCI devices live; "/sys/bus/pci/devices/ADDRESS" resolves to the syspath. */
#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

#include "facts.h"
#include "reader.h"
#include "rtnl-reader.h"

/* The Reader the daemon runs on: sysfs, and udev's hwdb for vendor names
 * (one lookup per vendor, cleared by a full scan). */
typedef struct SysfsReader {
        Reader reader;
        struct udev *udev;
        VendorNames vendor_names;
        VendorNames product_names;
        bool warned_no_pci;         /* said once that the host has no PCI sysfs */
        /* The uevents come from udev: it names netdevs first (see
         * sysfs_drop_unnamed_netdevs()); set by the uevent source. */
        bool netdevs_named_by_udev;
        /* Network facts (issue 15): rtnetlink joins each reading. */
        RtnlReader rtnl;
        bool link_facts;
        /* Modules whose facts join each reading (facts.h): the VF's owner. */
        Facts *facts[4];
        size_t n_facts;
        Devlink devlink;            /* a PF's EswitchMode */
} SysfsReader;

/* -ENOMEM. link_facts: ask rtnetlink too (false: the sysfs facts only). */
int sysfs_reader_init(SysfsReader *s, struct udev *udev, bool link_facts);
void sysfs_reader_done(SysfsReader *s);
/* Another module's facts join every reading from now on. */
int sysfs_reader_add_facts(SysfsReader *s, Facts *f);
