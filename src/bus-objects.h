/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "device-table.h"
#include "marks.h"
#include "polkit.h"
#include "sink.h"
#include "status.h"

/* The D-Bus objects: the Manager, the ObjectManager and a device object per
 * published function, the same on every connection they are registered on
 * (the system bus, each private socket peer). */
typedef struct BusObjects {
        const DeviceTable *table;   /* what the device objects show */
        const Status *status;       /* what the Manager object shows */
        Marks *marks;               /* Refresh asks it for a rescan */
        Polkit polkit;
        /* Authorized Refresh callers waiting for the one rescan they share. */
        sd_bus_message **refresh_waiters;
        size_t n_refresh_waiters;
} BusObjects;

void bus_objects_done(BusObjects *bo);
/* Registers the objects on one connection. */
int bus_objects_register(BusObjects *bo, sd_bus *bus);
/* A full rescan ended (error: negative errno or 0): answers the Refresh callers. */
void bus_objects_finish_refresh(BusObjects *bo, int error);

/* Publishing on one connection, best effort: a failure to send is logged
 * (at `level`: a warning on the bus, debug on a peer, whose stall the
 * private socket deals with), and the table stays right. */
void bus_publish_added(sd_bus *bus, int level, const Device *d);
/* While d is still in the table (sd-bus asks it for its interfaces). */
void bus_publish_removed(sd_bus *bus, int level, const Device *d);
void bus_publish_changed(sd_bus *bus, int level, const Device *old, const Device *new);
void bus_publish_batch_done(sd_bus *bus, int level, const BatchDone *done);

/* The sink that publishes on one bus connection (the system bus). */
typedef struct BusSink {
        Sink sink;
        sd_bus *bus;
} BusSink;

void bus_sink_init(BusSink *s, sd_bus *bus);
