/* SPDX-License-Identifier: MIT */
#pragma once

#include "device.h"

/* One DeviceEvent signal: (type, action, device). */
typedef struct DeviceEvent {
        const char *type;    /* "pci", "interface", "driver", "sriov"; "link", "config" (issue 15); "owner" (16) */
        const char *action;  /* "created", "deleted", "modified" */
        const char *device;  /* the PCI address or the interface name */
} DeviceEvent;

typedef void (*device_event_fn)(const DeviceEvent *e, void *userdata);

/* The DeviceEvents of one change of a published device, in order: old NULL
 * for a device that appeared, new NULL for one that went. They follow from
 * what changed, not from which uevents arrived, so coalesced events and a
 * Refresh say the same thing. A pure function: the bus sink sends them. */
void device_events_derive(const Device *old, const Device *new, device_event_fn fn, void *userdata);
