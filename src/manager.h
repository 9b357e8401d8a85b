/* SPDX-License-Identifier: MIT */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "device-table.h"

#define BUS_NAME "org.sriov.Monitor1"
#define MANAGER_PATH "/org/sriov/Monitor1"
#define MANAGER_IFACE "org.sriov.Monitor1.Manager"
#define DEVICE_IFACE "org.sriov.Monitor1.Device"
#define PF_IFACE "org.sriov.Monitor1.PhysicalFunction"
#define VF_IFACE "org.sriov.Monitor1.VirtualFunction"
#define ERROR_NO_SUCH_DEVICE "org.sriov.Monitor1.Error.NoSuchDevice"

/* The daemon's one context: everything mutable lives here. */
typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        struct udev *udev;
        DeviceTable *table;

        const char *version;
        uint64_t last_refresh; /* CLOCK_REALTIME usec of the last full scan */
        bool use_session_bus;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Connects the bus, registers the objects, scans, then takes the name. */
int manager_start(Manager *m);
/* Full rescan of /sys; publishes only the differences. */
int manager_refresh(Manager *m);
