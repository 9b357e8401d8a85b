/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "device-table.h"
#include "hashmap.h"
#include "pci-address.h"
#include "reader.h"
#include "status.h"

/* Appearing devices are published once their uevents pause this long (a VF's
 * add, change, netdev and bind come within a few milliseconds), and at the
 * latest this long after the first was held. */
#define SETTLE_QUIET_USEC (20 * 1000ULL)
#define SETTLE_MAX_USEC (250 * 1000ULL)

/* "This function needs a re-read", and what the events said about it that
 * sysfs may not show yet. */
typedef struct Mark {
        char address[PCI_ADDRESS_MAX];
        char *syspath;
        /* Netdevs whose "remove" uevent arrived: gone, even if their sysfs
         * directory lingers (the kernel sends the uevent before deleting it). */
        char **removed_netdevs;
        /* Its own "remove" uevent arrived: gone, for the same reason. */
        bool removed;
        /* A PF's link changed: its VFs' admin configuration is asked again
         * (one query per batch however many notifications came). */
        bool vf_config;
} Mark;

Mark *mark_free(Mark *k);
/* Frees every mark of a map, leaving it empty. */
void marks_map_clear(Hashmap *map);

/* The inbox: sources push marks, the wiring runs a batch when some are
 * ready. Marks of devices the kernel is still bringing up wait in `settling`
 * until their events pause, so one appearing VF is one change. */
typedef struct Marks {
        Hashmap *ready;             /* address -> Mark, for the next batch */
        Hashmap *settling;          /* address -> Mark, held */
        uint64_t settle_since;      /* clock usec of the first held mark; 0: none held */
        uint64_t settle_deadline;   /* when the held marks become ready; 0: none held */
        const char *resync_reason;  /* non-NULL: the next batch is a full rescan */
        bool wanted;                /* a batch is due even without marks */

        const DeviceTable *table;   /* read only: known devices, a VF's PF, an IOMMU group's members */
        Reader *reader;             /* for the physfn link of a VF not known yet */
        Status *status;             /* events are counted there */
        uint64_t (*clock)(void);    /* CLOCK_MONOTONIC usec; a fake one in tests */
        /* Called after every change of the inbox: the wiring (re)arms the
         * batch and the settle timer from marks_batch_due() and settle_deadline. */
        void (*wake)(void *userdata);
        void *userdata;
} Marks;

int marks_new(Marks **ret, const DeviceTable *table, Reader *reader, Status *status);
Marks *marks_free(Marks *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(Marks *, marks_free);

/* For the sources. */
void marks_count_event(Marks *k);
/* The function at address needs a re-read. syspath may be NULL. settle:
 * the kernel is in the middle of a sequence (add, bind, netdev, unbind,
 * remove): the mark waits until the events pause, for a known device as for
 * a new one, so that one rebind is one change to its final state. A new
 * device's marks always settle. */
void marks_dirty(Marks *k, const char *address, const char *syspath, bool settle);
/* A PCI uevent that says whether the function exists: "remove" (gone,
 * whatever sysfs still shows) or "add"/"change" (there). Its PF's VF set
 * needs a re-read too. It settles. */
void marks_pci(Marks *k, const char *address, const char *syspath, bool removed);
/* A netdev uevent of a function: "remove" means the name is gone. */
void marks_netdev(Marks *k, const char *address, const char *ifname, bool removed, bool settle);
/* An rtnetlink notification about the netdev `ifname`: its function (if
 * published) is re-read, and a PF's VF configuration asked again. */
void marks_link(Marks *k, const char *ifname);
/* A PF's VFs' configuration is to be asked again (a new VF was read
 * without its PF). Not held. */
void marks_vf_config(Marks *k, const char *pf_address);
/* Every function in an IOMMU group (its /dev/vfio node came or went). */
void marks_iommu_group(Marks *k, const char *group, bool settle);
/* Events were lost, or someone asked: the next batch rescans everything.
 * A rescan someone asked for (SIGHUP, Refresh) names the batch's reason. */
void marks_resync(Marks *k, const char *reason);
/* The reasons of the sources that lost events. */
#define MARKS_RESYNC_UEVENT_OVERRUN "uevent buffer overrun"
#define MARKS_RESYNC_INOTIFY_OVERFLOW "inotify queue overflow"
/* Whether someone asked for this rescan (its line is logged at notice level). */
bool marks_resync_requested(const char *reason);
/* Whether this rescan is for events a source lost (an overrun, an overflow). */
bool marks_resync_lost_events(const char *reason);

/* For the wiring and the batch. */
bool marks_batch_due(const Marks *k);
/* Moves the held marks to the ready ones once the clock passed their deadline. */
void marks_settle(Marks *k);
/* The ready marks, for a batch; marks made meanwhile go to the next one. */
Hashmap *marks_take_ready(Marks *k);
/* A full scan covers everything pending: forgets every mark. */
void marks_clear(Marks *k);
