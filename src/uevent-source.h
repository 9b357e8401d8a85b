/* SPDX-License-Identifier: MIT */
#pragma once

#include <libudev.h>
#include <systemd/sd-event.h>

#include "source.h"

typedef enum UeventSourceKind {
        UEVENT_SOURCE_AUTO,
        UEVENT_SOURCE_UDEV,   /* udevd's processed events ("udev" netlink group) */
        UEVENT_SOURCE_KERNEL, /* raw kernel uevents: hosts and containers without udevd */
} UeventSourceKind;

int uevent_source_kind_from_string(const char *s, UeventSourceKind *ret);

/* The udev monitor on pci, net, vfio and vfio-dev. */
typedef struct UeventSource {
        Source source;
        sd_event *event;
        struct udev *udev;
        Marks *marks;
        UeventSourceKind kind;
        int buffer_size;            /* 0: the default */
        bool *netdevs_named_by_udev; /* set on start: whether udev's events are followed */
        struct udev_monitor *monitor;
        sd_event_source *io;
} UeventSource;

void uevent_source_init(UeventSource *u, sd_event *event, struct udev *udev, Marks *marks);
