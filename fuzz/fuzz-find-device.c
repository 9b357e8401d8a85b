/* SPDX-License-Identifier: MIT */
/* FindDevice keys: any caller on the bus may send any string. The input is
 * the key, and optionally after a NUL a netdev name that a device of the
 * table claims for this one run, so that names are fuzzed too. Whatever
 * the key, a hit must really be the device it names, and a device the key
 * names must be found. */
#include <errno.h>
#include <stdbool.h>

#include "device-table.h"
#include "fuzz.h"
#include "pci-address.h"
#include "strv.h"

static const struct {
        const char *address;
        DeviceRole role;
        const char *netdevs[3];
} host[] = {
        { "0000:3b:00.0", DEVICE_ROLE_PF, { "enp59s0f0np0" } },
        { "0000:3b:00.1", DEVICE_ROLE_PF, { "enp59s0f1np1", "ib0" } },
        { "0000:3b:00.2", DEVICE_ROLE_VF, { "enp59s0f0v0" } },
        { "0000:3b:00.3", DEVICE_ROLE_VF, {} },      /* vfio: no netdev */
        { "0000:af:00.0", DEVICE_ROLE_PF, { "eth0" } },
        { "0001:af:00.1", DEVICE_ROLE_VF, { "eth\xc3\xa9" } },
        { "ffffffff:ff:1f.7", DEVICE_ROLE_VF, { "x" } },
};

#define EXTRA_ADDRESS "0000:5e:00.5"

static DeviceTable *table;

static Device *make(const char *address, DeviceRole role, const char *const *netdevs, size_t n) {
        Device *d = NULL;

        if (device_new(address, role, &d) < 0)
                abort();
        for (size_t i = 0; i < n && netdevs[i]; i++)
                if (strv_consume(&d->netdevs, strdup(netdevs[i])) < 0)
                        abort();
        strv_sort(d->netdevs);
        return d;
}

static void put(Device *d) {
        Device *old = NULL;

        if (device_table_put(table, d, &old) < 0)
                abort();
        device_free(old);
}

static void setup(void) {
        if (device_table_new(&table) < 0)
                abort();
        for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
                put(make(host[i].address, host[i].role, host[i].netdevs, 3));
}

/* Which device claims the name, by looking at every device, not the index. */
static const Device *owner_of(const char *name) {
        Device **all = NULL;
        const Device *found = NULL;
        size_t n;

        if (device_table_list(table, -1, &all, &n) < 0)
                abort();
        for (size_t i = 0; i < n; i++)
                if (strv_contains(all[i]->netdevs, name))
                        found = found ? (Device *) -1 : all[i];
        free(all);
        return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *f[2], *key, *extra_name;
        char canonical[PCI_ADDRESS_MAX];
        const Device *named = NULL, *owner;
        Device *d = NULL;
        size_t n;
        char *buf;
        int r;

        if (!table)
                setup();
        n = fuzz_split(data, size, f, 2, &buf);
        key = f[0];
        /* The kernel's names have no ':' or '/' (dev_valid_name()), so no
         * name looks like an address; a name that did would be shadowed. */
        extra_name = n == 2 && !isempty(f[1]) && !strpbrk(f[1], ":/") ? f[1] : NULL;
        if (extra_name)
                put(make(EXTRA_ADDRESS, DEVICE_ROLE_VF, &extra_name, 1));

        r = device_table_find_key(table, key, &d);
        if (key[0] == '\0')
                fuzz_assert(r == -EINVAL);
        else if (strlen(key) > DEVICE_KEY_MAX)
                fuzz_assert(r == -E2BIG);
        else {
                fuzz_assert(r == 0 || r == -ENODEV);
                fuzz_assert((r == 0) == (device_table_find(table, key) != NULL));
        }

        if (r == 0) {
                /* A hit is published, and the key really names it. */
                fuzz_assert(device_table_get(table, d->address) == d);
                fuzz_assert((pci_address_normalize(key, 1, canonical) == 0 && strcmp(canonical, d->address) == 0) ||
                            strv_contains(d->netdevs, key));
        }

        /* Completeness: what the key names is found. */
        if (pci_address_normalize(key, 1, canonical) == 0)
                named = device_table_get(table, canonical);
        else if ((owner = owner_of(key)) && owner != (Device *) -1)
                named = owner;
        if (named && strlen(key) <= DEVICE_KEY_MAX)
                fuzz_assert(r == 0 && d == named);

        if (extra_name) {
                device_free(device_table_remove(table, EXTRA_ADDRESS));
                /* A name the table's own devices list outlives the device
                 * that claimed it last. */
                owner = owner_of(extra_name);
                if (owner != (Device *) -1)
                        fuzz_assert(device_table_find(table, extra_name) == owner);
        }
        free(buf);
        return 0;
}
