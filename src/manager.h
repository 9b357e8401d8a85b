/* SPDX-License-Identifier: MIT */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "batch.h"
#include "bus-names.h"
#include "bus-objects.h"
#include "device-table.h"
#include "features-sink.h"
#include "hazards-sink.h"
#include "journal-sink.h"
#include "metrics-sink.h"
#include "inotify-source.h"
#include "marks.h"
#include "owner-source.h"
#include "peers-sink.h"
#include "private-socket.h"
#include "rtnl-source.h"
#include "sink.h"
#include "source.h"
#include "status.h"
#include "sysfs-reader.h"
#include "uevent-source.h"

/* The wiring: sources -> marks (settling) -> batch -> sinks. Each module
 * owns its state; the Manager only holds them together. */
typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        struct udev *udev;
        Status status;
        DeviceTable *table;

        /* Options. */
        bool use_session_bus;
        UeventSourceKind uevent_source;
        int uevent_buffer_size;     /* 0: the default */
        uint64_t resync_interval_usec;
        const char *private_socket;  /* NULL: none */
        /* Fleet (issue 17). */
        const char *metrics_file;    /* NULL: none */
        bool metrics_per_vf;
        const char *features_file;   /* NULL: none */
        uint64_t driverless_grace_usec;
        uint64_t owner_scan_interval_usec;

        SysfsReader reader;
        Marks *marks;
        Batch batch;
        Sources sources;
        UeventSource uevent;
        InotifySource inotify;
        RtnlSource rtnl;            /* network facts (issue 15) */
        OwnerSource owner;          /* who holds each VF on VFIO (issue 16) */
        SinkList sinks;
        BusObjects objects;
        BusSink bus_sink;
        PrivateSocket *private_server;  /* NULL: not served */
        PeersSink peers_sink;
        /* Fleet (issue 17). */
        MetricsSink metrics_sink;
        FeaturesSink features_sink;
        JournalSink journal_sink;
        HazardsSink hazards_sink;

        sd_event_source *batch_event;   /* runs the batch at idle priority */
        sd_event_source *settle_timer;
        sd_event_source *events_timer;  /* EventsProcessed, at most once a second */
        uint64_t events_published;
        sd_event_source *resync_timer;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Connects the bus, registers the objects, scans, starts the sources, then takes the name. */
int manager_start(Manager *m);
