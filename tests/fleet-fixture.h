/* SPDX-License-Identifier: MIT */
/* A small table for the fleet sinks' unit tests (cmocka). */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device-table.h"
#include "pci-address.h"
#include "strv.h"

static inline Device *fixture_device(DeviceTable *t, const char *address, DeviceRole role, const char *driver,
                                     const char *netdev, const char *pf) {
        Device *d = NULL, *old = NULL;

        assert_int_equal(device_new(address, role, &d), 0);
        d->driver = driver ? strdup(driver) : NULL;
        if (netdev)
                assert_int_equal(strv_consume(&d->netdevs, strdup(netdev)), 0);
        d->mode = device_mode(d->driver, d->netdevs);
        if (pf)
                d->pf_address = strdup(pf);
        d->drivers_autoprobe = 1;
        assert_int_equal(device_table_put(t, d, &old), 0);
        device_free(old);
        return d;
}

/* A PF (mlx5_core, 8 VFs possible) with three VFs: net, vfio, unbound. */
static inline DeviceTable *fixture_table(void) {
        DeviceTable *t = NULL;
        Device *pf;

        assert_int_equal(device_table_new(&t), 0);
        pf = fixture_device(t, "0000:3b:00.0", DEVICE_ROLE_PF, "mlx5_core", "enp59s0f0np0", NULL);
        pf->total_vfs = 8;
        pf->vendor_name = strdup("Mellanox Technologies");
        fixture_device(t, "0000:3b:00.2", DEVICE_ROLE_VF, "mlx5_core", "enp59s0f0v0", "0000:3b:00.0");
        fixture_device(t, "0000:3b:00.3", DEVICE_ROLE_VF, "vfio-pci", NULL, "0000:3b:00.0");
        fixture_device(t, "0000:3b:00.4", DEVICE_ROLE_VF, NULL, NULL, "0000:3b:00.0");
        /* The PF names its VFs, as a published PF does. */
        pf->vfs = calloc(3, sizeof(VfLink));
        for (uint32_t i = 0; i < 3; i++) {
                char address[PCI_ADDRESS_MAX];

                (void) snprintf(address, sizeof(address), "0000:3b:00.%u", 2 + i);
                pf->vfs[i] = (VfLink) { .index = i, .address = strdup(address) };
        }
        pf->n_vfs = pf->num_vfs = 3;
        return t;
}
