/* SPDX-License-Identifier: MIT */
#pragma once

#include <libudev.h>
#include <systemd/sd-event.h>

typedef struct Manager Manager;

typedef enum UeventSourceKind {
        UEVENT_SOURCE_AUTO,
        UEVENT_SOURCE_UDEV,   /* udevd's processed events ("udev" netlink group) */
        UEVENT_SOURCE_KERNEL, /* raw kernel uevents: hosts and containers without udevd */
} UeventSourceKind;

int uevent_source_kind_from_string(const char *s, UeventSourceKind *ret);

/* The udev monitor on pci, net, vfio and vfio-dev, in the manager's loop. */
int uevent_source_start(Manager *m);
void uevent_source_stop(Manager *m);
