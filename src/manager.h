/* SPDX-License-Identifier: MIT */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-names.h"
#include "device-table.h"
#include "sysfs-reader.h"
#include "uevent-source.h"


typedef enum ManagerSource {
        MANAGER_SOURCE_UEVENT = 1 << 0,
        MANAGER_SOURCE_INOTIFY = 1 << 1,
} ManagerSource;

/* The daemon's one context: everything mutable lives here. */
typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        struct udev *udev;
        VendorNames vendor_names;   /* hwdb answers, by vendor id */
        DeviceTable *table;

        /* Published on the Manager interface. */
        const char *version;
        uint64_t last_refresh;      /* CLOCK_REALTIME usec of the last full scan */
        uint64_t events_processed;  /* source events handled */
        int degraded;               /* 'b': a source is down */

        /* Options. */
        bool use_session_bus;
        UeventSourceKind uevent_source;
        bool netdevs_named_by_udev; /* the uevents come from udev: it names netdevs first */
        int uevent_buffer_size;     /* 0: the default */
        uint64_t resync_interval_usec;
        const char *private_socket;  /* NULL: none */

        /* Sources. */
        struct udev_monitor *monitor;
        sd_event_source *uevent_event_source;
        int inotify_fd;
        sd_event_source *inotify_event_source;
        Hashmap *watches;           /* wd -> Watch */
        bool vfio_dir_watched;
        unsigned failed_sources;    /* ManagerSource bits */
        sd_event_source *retry_timer;
        uint64_t retry_delay_usec;
        sd_event_source *resync_timer;

        /* The pipeline: source events mark devices dirty; one batch at idle
         * priority, after the sources are drained, re-reads only those. */
        Hashmap *dirty;             /* address -> DirtyDevice */
        sd_event_source *batch;
        /* Devices appearing (not yet published) and the PFs they belong to
         * wait here until their uevents pause: a VF's add, change, netdev
         * and bind then make one InterfacesAdded, and a burst of VFs one
         * change of their PF, instead of a signal per uevent. */
        Hashmap *settling;          /* address -> DirtyDevice */
        sd_event_source *settle_timer;
        uint64_t settle_since;      /* CLOCK_MONOTONIC usec of the first held mark; 0: none held */
        const char *resync_reason;  /* non-NULL: the next batch is a full rescan */
        bool warned_no_pci;         /* said once that the host has no PCI sysfs */

        uint64_t events_processed_published;
        sd_event_source *events_timer;

        /* Refresh: polkit checks in flight, and authorized callers waiting
         * for the one rescan they share. */
        struct AuthQuery *auth_queries;
        sd_bus_message **refresh_waiters;
        size_t n_refresh_waiters;

        /* The private socket and its peer-to-peer connections. */
        struct PrivateSocket *private_server; /* NULL: not served (private-socket.c owns it) */
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Connects the bus, registers the objects, scans, starts the sources, then takes the name. */
int manager_start(Manager *m);
/* Answers `call` once the next full rescan (which publishes only the
 * differences) is done; concurrent callers share one rescan. */
int manager_queue_refresh(Manager *m, sd_bus_message *call);

/* For the sources. */
void manager_count_event(Manager *m);
/* The function at address needs a re-read; existence_changed: it may have
 * appeared or vanished, so its PF's VF set needs one too. syspath may be NULL. */
void manager_mark_dirty(Manager *m, const char *address, const char *syspath, bool existence_changed);
/* A PCI uevent that says whether the function exists: "remove" (gone,
 * whatever sysfs still shows) or "add"/"change" (there). */
void manager_mark_removed(Manager *m, const char *address, const char *syspath, bool removed);
/* A netdev uevent of a function: "remove" means the name is gone. */
void manager_mark_netdev(Manager *m, const char *address, const char *ifname, bool removed);
/* Every function in an IOMMU group (its /dev/vfio node came or went). */
void manager_mark_iommu_group(Manager *m, const char *group);
/* Events were lost: the next batch rescans everything. */
void manager_request_resync(Manager *m, const char *reason);
/* A source broke: it is stopped, Degraded set, and re-created with backoff. */
void manager_source_failed(Manager *m, ManagerSource source, int error);
