/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus-vtable.h>

#include "device.h"

/* The device objects' D-Bus interfaces. Their vtables are the one list of
 * device properties: what a PropertiesChanged names, what makes a device
 * changed, and what makes it another device (a CONST property) all follow
 * from them. Adding a property is a field in Device plus its vtable entry. */
typedef struct DeviceInterface {
        const char *name;
        const sd_bus_vtable *vtable;
        int role;                   /* DeviceRole, or -1: every device */
} DeviceInterface;

extern const DeviceInterface device_interfaces[];
extern const size_t n_device_interfaces;

/* The EMITS_CHANGE properties of one interface whose values differ, as a
 * NULL-terminated array of names (static strings; free only the array).
 * 0 with *ret NULL when none differ; -ENOMEM. */
int device_changed_properties(const sd_bus_vtable *vtable, const Device *old, const Device *new, const char ***ret);
/* Something declared const changed (role, ids, PF, VF index): the object
 * must be removed and added again. */
bool device_identity_changed(const Device *old, const Device *new);
/* Every published property is the same. */
bool device_equal(const Device *old, const Device *new);
/* Whether every property of the vtables can be compared (for the unit test). */
bool device_vtables_comparable(void);
