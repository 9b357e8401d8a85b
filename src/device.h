/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "link-facts.h"
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

/* A PF's representor of one of its own VFs (issue 16). */
typedef struct RepresentorLink {
        uint32_t vf_index;
        char *netdev;
} RepresentorLink;

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

        /* Network facts from rtnetlink (issue 15), of the function's netdev
         * (the first of netdevs; a switchdev PF's uplink): defaults when it
         * has none. */
        char *link_netdev;      /* which netdev they are of; NULL none (not published) */
        char *hw_address;       /* NULL: none */
        const char *oper_state; /* static; "" none */
        int carrier;
        uint32_t mtu;           /* 0: none */
        int32_t speed;          /* Mb/s from sysfs, -1 unknown */
        int ifindex;            /* not published: how the PF's VFs are asked for */
        /* VF: its admin configuration as its PF's driver reports it. */
        VfConfig vf_config;
        /* PF: every VF's configuration was read (none missing from the kernel's list). */
        int vf_config_complete;

        /* Settling (issue 14); no property: the reading left out a netdev
         * udev has not named yet, whose event with the name follows. */
        bool netdev_unnamed;
        /* Where it sits and who owns it (issue 16): IOMMU group, hwdb
         * product, PCIe link; a VF's iommufd cdev, owner and representor; a
         * PF's eswitch mode and representors. */
        char **iommu_group_devices;     /* sorted PCI addresses, itself included */
        char *product_name;             /* hwdb ID_MODEL_FROM_DATABASE, NULL unknown */
        char *pcie_link_speed;          /* current_link_speed, NULL absent */
        uint32_t pcie_link_width;       /* current_link_width, 0 absent */
        char *vfio_cdev;                /* VF: "/dev/vfio/devices/vfioN", NULL none */
        int in_use;                     /* VF: a process holds its group node or cdev open */
        uint32_t owner_pid;             /* VF: 0 none */
        char *owner_name;               /* VF: the VM's name, else the process's */
        char *representor;              /* VF: its representor netdev, NULL none */
        const char *eswitch_mode;       /* PF: "legacy", "switchdev", "" unknown (static) */
        char **representors;            /* PF: its representor netdevs, sorted */
        RepresentorLink *vf_representors; /* PF: those of its own VFs, by VF index */
        size_t n_vf_representors;
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

/* Network facts (issue 15): back to "no netdev" (its netdev went). */
void device_reset_link(Device *d);

/* Frees an array of VF links. */
void vf_links_free(VfLink *links, size_t n);
/* The links that keep() accepts, copied into *ret (NULL when none). */
int vf_links_filter(const VfLink *links, size_t n, bool (*keep)(const char *address, void *userdata), void *userdata,
                    VfLink **ret, size_t *ret_n);
/* The netdev that represents VF vf_index of a PF, or NULL. */
const char *device_vf_representor(const Device *pf, uint32_t vf_index);
/* Whether two PFs map the same VFs to the same representors. */
bool device_vf_representors_equal(const Device *a, const Device *b);
void representor_links_free(RepresentorLink *links, size_t n);

/* Whether two PFs list the same VFs behind the same indexes. */
bool device_vfs_equal(const Device *a, const Device *b);
