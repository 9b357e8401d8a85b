/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "pci-address.h"
#include "strv.h"
#include "sysfs-parse.h"

Device *device_free(Device *d) {
        if (!d)
                return NULL;
        free(d->address);
        free(d->object_path);
        free(d->syspath);
        free(d->vendor_name);
        free(d->driver);
        strv_free(d->netdevs);
        vf_links_free(d->vfs, d->n_vfs);
        free(d->pf_address);
        free(d->pf_object_path);
        free(d->vfio_device);
        free(d->link_netdev);
        free(d->hw_address);
        vf_config_done(&d->vf_config);
        strv_free(d->iommu_group_devices);
        free(d->product_name);
        free(d->pcie_link_speed);
        free(d->vfio_cdev);
        free(d->owner_name);
        free(d->representor);
        strv_free(d->representors);
        representor_links_free(d->vf_representors, d->n_vf_representors);
        free(d);
        return NULL;
}

int device_new(const char *address, DeviceRole role, Device **ret) {
        _cleanup_(device_freep) Device *d = NULL;
        int r;

        d = calloc(1, sizeof(Device));
        if (!d)
                return -ENOMEM;
        *d = (Device) {
                .role = role,
                .role_name = role == DEVICE_ROLE_PF ? "pf" : "vf",
                .mode = device_mode(NULL, NULL),
                .numa_node = -1,
                .iommu_group = -1,
                .vf_index = VF_INDEX_UNKNOWN,
                .oper_state = "",
                .speed = -1,
                .eswitch_mode = "",
        };
        vf_config_init(&d->vf_config);
        d->address = strdup(address);
        if (!d->address)
                return -ENOMEM;
        r = pci_address_to_object_path(address, &d->object_path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

void device_reset_link(Device *d) {
        d->link_netdev = mfree(d->link_netdev);
        d->hw_address = mfree(d->hw_address);
        d->oper_state = "";
        d->carrier = false;
        d->mtu = 0;
        d->speed = -1;
        d->ifindex = 0;
}

const char *device_mode(const char *driver, char *const *netdevs) {
        if (driver_is_vfio(driver))
                return "vfio";
        if (isempty(driver))
                return "unbound";
        if (strv_length(netdevs) > 0)
                return "net";
        return "other";
}

const char *vendor_builtin_name(uint16_t vendor_id) {
        switch (vendor_id) {
        case 0x15b3:
                return "Mellanox Technologies";
        case 0x1dd8:
                return "Pensando Systems";
        case 0x8086:
                return "Intel Corporation";
        case 0x14e4:
                return "Broadcom Inc. and subsidiaries";
        default:
                return NULL;
        }
}

const VfLink *device_find_vf(const Device *pf, const char *address) {
        for (size_t i = 0; i < pf->n_vfs; i++)
                if (streq(pf->vfs[i].address, address))
                        return &pf->vfs[i];
        return NULL;
}

bool device_vfs_equal(const Device *a, const Device *b) {
        if (a->n_vfs != b->n_vfs)
                return false;
        for (size_t i = 0; i < a->n_vfs; i++)
                if (a->vfs[i].index != b->vfs[i].index || !streq(a->vfs[i].address, b->vfs[i].address))
                        return false;
        return true;
}

const char *device_vf_representor(const Device *pf, uint32_t vf_index) {
        for (size_t i = 0; i < pf->n_vf_representors; i++)
                if (pf->vf_representors[i].vf_index == vf_index)
                        return pf->vf_representors[i].netdev;
        return NULL;
}

bool device_vf_representors_equal(const Device *a, const Device *b) {
        if (a->n_vf_representors != b->n_vf_representors)
                return false;
        for (size_t i = 0; i < a->n_vf_representors; i++)
                if (a->vf_representors[i].vf_index != b->vf_representors[i].vf_index ||
                    !streq(a->vf_representors[i].netdev, b->vf_representors[i].netdev))
                        return false;
        return true;
}

void representor_links_free(RepresentorLink *links, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(links[i].netdev);
        free(links);
}

void vf_links_free(VfLink *links, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(links[i].address);
        free(links);
}

int vf_links_filter(const VfLink *links, size_t n, bool (*keep)(const char *address, void *userdata), void *userdata,
                    VfLink **ret, size_t *ret_n) {
        VfLink *l = NULL;
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                if (!keep(links[i].address, userdata))
                        continue;
                if (!l) {
                        l = calloc(n, sizeof(VfLink));
                        if (!l)
                                return -ENOMEM;
                }
                l[k].index = links[i].index;
                l[k].address = strdup(links[i].address);
                if (!l[k].address) {
                        vf_links_free(l, k);
                        return -ENOMEM;
                }
                k++;
        }
        *ret = l;
        *ret_n = k;
        return 0;
}
