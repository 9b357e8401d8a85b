/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "device-table.h"
#include "pci-address.h"

int device_table_new(DeviceTable **ret) {
        DeviceTable *t = calloc(1, sizeof(DeviceTable));

        if (!t)
                return -ENOMEM;
        t->by_address = hashmap_new();
        t->by_netdev = hashmap_new();
        if (!t->by_address || !t->by_netdev) {
                device_table_free(t);
                return -ENOMEM;
        }
        *ret = t;
        return 0;
}

DeviceTable *device_table_free(DeviceTable *t) {
        Device *d;

        if (!t)
                return NULL;
        HASHMAP_FOREACH(d, t->by_address, i)
                device_free(d);
        hashmap_free(t->by_address);
        hashmap_free(t->by_netdev);
        free(t);
        return NULL;
}

size_t device_table_size(const DeviceTable *t) {
        return hashmap_size(t->by_address);
}

Device *device_table_get(const DeviceTable *t, const char *address) {
        return hashmap_get(t->by_address, address);
}

Device *device_table_find(const DeviceTable *t, const char *key) {
        char address[PCI_ADDRESS_MAX];

        if (pci_address_normalize(key, 1, address) >= 0)
                return device_table_get(t, address);
        return hashmap_get(t->by_netdev, key);
}

int device_table_find_key(const DeviceTable *t, const char *key, Device **ret) {
        Device *d;

        if (isempty(key))
                return -EINVAL;
        if (strlen(key) > DEVICE_KEY_MAX)
                return -E2BIG;
        d = device_table_find(t, key);
        if (!d)
                return -ENODEV;
        *ret = d;
        return 0;
}

/* Two devices may claim one name for a moment (a rename in flight, or a
 * broken host): the name maps to whichever claimed it last, and a device
 * only drops names that still map to it. */
static void unindex_netdevs(DeviceTable *t, Device *d) {
        for (char **n = d->netdevs; n && *n; n++)
                if (hashmap_get(t->by_netdev, *n) == d)
                        (void) hashmap_remove(t->by_netdev, *n);
}

static int index_netdevs(DeviceTable *t, Device *d) {
        for (char **n = d->netdevs; n && *n; n++)
                if (hashmap_replace(t->by_netdev, *n, d) < 0) {
                        unindex_netdevs(t, d);
                        return -ENOMEM;
                }
        return 0;
}

int device_table_put(DeviceTable *t, Device *d, Device **ret_old) {
        Device *old = hashmap_get(t->by_address, d->address);

        if (hashmap_replace(t->by_address, d->address, d) < 0 || index_netdevs(t, d) < 0) {
                if (old)
                        (void) hashmap_replace(t->by_address, old->address, old);
                else
                        (void) hashmap_remove(t->by_address, d->address);
                device_free(d);
                return -ENOMEM;
        }
        if (old) {
                unindex_netdevs(t, old);
                /* Names the old reading had and the new one still has must stay. */
                (void) index_netdevs(t, d);
        }
        *ret_old = old;
        return 0;
}

Device *device_table_remove(DeviceTable *t, const char *address) {
        Device *d = hashmap_remove(t->by_address, address);

        if (d)
                unindex_netdevs(t, d);
        return d;
}

static int cmp_device(const void *a, const void *b) {
        return pci_address_string_compare((*(Device *const *) a)->address, (*(Device *const *) b)->address);
}

void device_sort(Device **devices, size_t n) {
        if (n > 1)
                qsort(devices, n, sizeof(Device *), cmp_device);
}

int device_table_list(const DeviceTable *t, int role, Device ***ret, size_t *ret_n) {
        Device **l, *d;
        size_t n = 0;

        l = calloc(device_table_size(t) + 1, sizeof(Device *));
        if (!l)
                return -ENOMEM;
        HASHMAP_FOREACH(d, t->by_address, i)
                if (role < 0 || (int) d->role == role)
                        l[n++] = d;
        device_sort(l, n);
        *ret = l;
        *ret_n = n;
        return 0;
}

void device_table_resolve_vf_index(const DeviceTable *t, Device *vf) {
        const Device *pf;
        const VfLink *link;

        if (vf->role != DEVICE_ROLE_VF)
                return;
        pf = device_table_get(t, vf->pf_address);
        link = pf && pf->role == DEVICE_ROLE_PF ? device_find_vf(pf, vf->address) : NULL;
        vf->vf_index = link ? link->index : VF_INDEX_UNKNOWN;
}
