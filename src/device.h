/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "macro.h"

typedef enum DeviceRole {
        DEVICE_ROLE_PF,
        DEVICE_ROLE_VF,
} DeviceRole;

/* One VF of a PF: the N of its virtfnN link and the address it points to. */
typedef struct VfLink {
        uint32_t index;
        char *address;
} VfLink;

#define VF_INDEX_UNKNOWN UINT32_MAX

/* A published SR-IOV function. The property fields have the C types sd-bus's
 * default getters read ('b' is an int, 's' a char *, 'as' a char **). */
typedef struct Device {
        char *address;          /* canonical "0000:3b:00.2", the table key */
        char *object_path;
        char *syspath;
        DeviceRole role;
        const char *role_name;  /* "pf" / "vf", static */

        uint16_t vendor_id;
        uint16_t device_id;
        char *vendor_name;
        char *driver;           /* NULL when unbound */
        const char *mode;       /* static, see device_mode() */
        char **netdevs;         /* sorted */
        int32_t numa_node;      /* -1: unknown */
        int32_t iommu_group;    /* -1: none */

        /* PF */
        uint32_t total_vfs;
        uint32_t num_vfs;       /* virtfnN links to a device that exists: n_vfs */
        VfLink *vfs;            /* sorted by index */
        size_t n_vfs;
        int drivers_autoprobe;

        /* VF */
        char *pf_address;
        char *pf_object_path;
        uint32_t vf_index;
        char *vfio_device;      /* NULL unless bound to a VFIO driver */
} Device;

Device *device_free(Device *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Device *, device_free);

/* Allocates a device with "unknown" defaults for the given canonical address. */
int device_new(const char *address, DeviceRole role, Device **ret);

/* "vfio", "unbound", "net" or "other". */
const char *device_mode(const char *driver, char *const *netdevs);
/* Built-in vendor names for the SR-IOV NIC vendors we know; NULL otherwise. */
const char *vendor_builtin_name(uint16_t vendor_id);
/* The VF with this address in a PF's list, or NULL. */
const VfLink *device_find_vf(const Device *pf, const char *address);

/* Properties, as bits, so a refresh can say what changed. */
typedef enum DeviceProperty {
        /* org.sriov.Monitor1.Device */
        DEVICE_PROP_VENDOR_NAME       = 1u << 0,
        DEVICE_PROP_DRIVER            = 1u << 1,
        DEVICE_PROP_MODE              = 1u << 2,
        DEVICE_PROP_NET_DEVICES       = 1u << 3,
        DEVICE_PROP_NUMA_NODE         = 1u << 4,
        DEVICE_PROP_IOMMU_GROUP       = 1u << 5,
        /* org.sriov.Monitor1.PhysicalFunction */
        DEVICE_PROP_TOTAL_VFS         = 1u << 6,
        DEVICE_PROP_NUM_VFS           = 1u << 7,
        DEVICE_PROP_VIRTUAL_FUNCTIONS = 1u << 8,
        DEVICE_PROP_DRIVERS_AUTOPROBE = 1u << 9,
        /* org.sriov.Monitor1.VirtualFunction */
        DEVICE_PROP_VFIO_DEVICE       = 1u << 10,
        /* Something declared const changed (role, ids, PF, VF index): the
         * object must be removed and added again. */
        DEVICE_PROP_IDENTITY          = 1u << 31,
} DeviceProperty;

#define DEVICE_PROPS_DEVICE_IFACE (DEVICE_PROP_VENDOR_NAME | DEVICE_PROP_DRIVER | DEVICE_PROP_MODE | \
                                   DEVICE_PROP_NET_DEVICES | DEVICE_PROP_NUMA_NODE | DEVICE_PROP_IOMMU_GROUP)
#define DEVICE_PROPS_PF_IFACE (DEVICE_PROP_TOTAL_VFS | DEVICE_PROP_NUM_VFS | \
                               DEVICE_PROP_VIRTUAL_FUNCTIONS | DEVICE_PROP_DRIVERS_AUTOPROBE)
#define DEVICE_PROPS_VF_IFACE (DEVICE_PROP_VFIO_DEVICE)

/* Which published properties differ between two readings of the same address. */
unsigned device_diff(const Device *old, const Device *new);
/* The D-Bus names of the properties in mask that belong to one interface,
 * NULL-terminated into names (room for 12). Returns how many. */
size_t device_property_names(unsigned mask, unsigned iface_mask, const char *names[static 12]);
