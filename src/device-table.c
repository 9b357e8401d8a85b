/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "device-table.h"
#include "pci-address.h"
#include "strv.h"

/* A netdev name and how many devices list it: one, or two for a moment (a
 * rename in flight, or a broken host). The name answers for the device that
 * claimed it last; when that one lets go while another still lists it, the
 * other answers, so that every published name stays findable. */
typedef struct NetdevClaim {
        Device *device;
        unsigned claims;
        char name[];
} NetdevClaim;

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
        NetdevClaim *c;

        if (!t)
                return NULL;
        HASHMAP_FOREACH(d, t->by_address, i)
                device_free(d);
        HASHMAP_FOREACH(c, t->by_netdev, i)
                free(c);
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
        NetdevClaim *c;

        if (pci_address_normalize(key, 1, address) >= 0)
                return device_table_get(t, address);
        c = hashmap_get(t->by_netdev, key);
        return c ? c->device : NULL;
}

Device *device_table_get_by_netdev(const DeviceTable *t, const char *name) {
        NetdevClaim *c = hashmap_get(t->by_netdev, name);

        return c ? c->device : NULL;
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

static void release_netdev(DeviceTable *t, const Device *d, const char *name) {
        NetdevClaim *c = hashmap_get(t->by_netdev, name);
        Device *other;

        if (!c)
                return;
        if (--c->claims == 0) {
                free(hashmap_remove(t->by_netdev, name));
                return;
        }
        if (c->device != d)
                return;
        /* Only a duplicate name gets here: the scan costs nothing per event. */
        c->device = NULL;
        HASHMAP_FOREACH(other, t->by_address, i)
                if (other != d && strv_contains(other->netdevs, name)) {
                        c->device = other;
                        break;
                }
}

/* Releases d's names up to end (NULL: all). */
static void release_netdevs(DeviceTable *t, const Device *d, char **end) {
        for (char **n = d->netdevs; n && *n && n != end; n++)
                release_netdev(t, d, *n);
}

static int claim_netdevs(DeviceTable *t, Device *d) {
        for (char **n = d->netdevs; n && *n; n++) {
                NetdevClaim *c = hashmap_get(t->by_netdev, *n);

                if (!c) {
                        c = malloc(offsetof(NetdevClaim, name) + strlen(*n) + 1);
                        if (c) {
                                strcpy(c->name, *n);
                                c->claims = 0;
                        }
                        if (!c || hashmap_replace(t->by_netdev, c->name, c) < 0) {
                                free(c);
                                release_netdevs(t, d, n);
                                return -ENOMEM;
                        }
                }
                c->device = d;
                c->claims++;
        }
        return 0;
}

/* d claims its names before it is in by_address, and the device it replaces
 * releases its names once it is out of it: a release's scan finds only
 * devices that really hold a name, never d on a rollback, never old after. */
int device_table_put(DeviceTable *t, Device *d, Device **ret_old) {
        Device *old = hashmap_get(t->by_address, d->address);

        if (claim_netdevs(t, d) < 0) {
                device_free(d);
                return -ENOMEM;
        }
        if (hashmap_replace(t->by_address, d->address, d) < 0) {
                release_netdevs(t, d, NULL);
                device_free(d);
                return -ENOMEM;
        }
        if (old)
                release_netdevs(t, old, NULL);
        *ret_old = old;
        return 0;
}

Device *device_table_remove(DeviceTable *t, const char *address) {
        Device *d = hashmap_remove(t->by_address, address);

        if (d)
                release_netdevs(t, d, NULL);
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
        /* Its representor, which its PF's reading maps to the index (issue 16). */
        const char *rep = link ? device_vf_representor(pf, link->index) : NULL;
        free(vf->representor);
        vf->representor = rep ? strdup(rep) : NULL;
}

void device_table_count(const DeviceTable *t, unsigned *ret_pfs, unsigned *ret_vfs) {
        Device *d;

        *ret_pfs = *ret_vfs = 0;
        HASHMAP_FOREACH(d, t->by_address, i)
                (*(d->role == DEVICE_ROLE_PF ? ret_pfs : ret_vfs))++;
}
