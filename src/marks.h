/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "device-table.h"
#include "hashmap.h"
#include "pci-address.h"
#include "reader.h"
#include "status.h"
#include "uevent-classify.h"

/* Devices the kernel is in the middle of a sequence with are held until the
 * sequence is complete (issue 14): a new VF's ends with its `bind` (or, with
 * sriov_drivers_autoprobe 0, with its `change` after its links), a rebind
 * with its `bind`, a removal with its `remove`; a PF's VF set is complete
 * once every VF its virtfnN links list is known: at its `change` after VFs
 * are enabled, and at its `add` (it lists none yet), so a new PF is
 * announced at once and its probe is a change of it. A sequence that
 * does not complete (a probe that fails, an unbind that stays alone, VFs
 * being disabled, which the kernel ends without a PF event) is released once
 * its uevents pause this long, and at the latest this long after the first
 * mark was held. */
#define SETTLE_QUIET_USEC (20 * 1000ULL)
#define SETTLE_MAX_USEC (250 * 1000ULL)
/* What a held function awaits that surely comes keeps it held past a pause,
 * this long at most after it was first held: its driver's probe, running
 * while its driver link is there and no bind came (a real one takes up to
 * seconds: mlx5; 0.1-0.4 s for igbvf under TCG), and udev's name for its
 * netdev (0.3-2 s late under load in issue 12's lab). So a new VF is still
 * announced once, bound, with its netdev. A PF whose VF set is changing
 * waits with its VFs. A probe that fails takes its link away: the function
 * is released at the next pause after that. */
#define SETTLE_AWAIT_MAX_USEC (5 * 1000 * 1000ULL)

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

        /* Issue 14: how far the kernel's sequence for it has come. */
        uint64_t held_since;        /* clock usec it was first held; 0: never held */
        char pf[PCI_ADDRESS_MAX];   /* a VF's PF, once its physfn link was seen; "" */
        bool bound;                 /* its pci "bind" came: the probe is over */
        bool changed;               /* its pci "change" came */
        bool unbound;               /* its pci "unbind" came (and no bind since) */
        uint64_t await_until;       /* marks_settle()'s: until when it waits past a pause; 0 */
        bool pf_read;               /* read as a PF at its "add" or "change" */
        bool netdev_unnamed;        /* read with a netdev udev had not named yet: wait for its event */
        char **expected_vfs;        /* a PF, read at its "change": the VFs its virtfnN links list */
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
 * whatever sysfs still shows) or "add"/"change" (there): step is
 * UEVENT_STEP_ADD, _CHANGE or _REMOVE. Its PF's VF set needs a re-read too.
 * It settles until its sequence is complete. */
void marks_pci(Marks *k, const char *address, const char *syspath, UeventStep step);
/* A PCI "bind" of the function: it settles, and its sequence is complete
 * (a new VF's, a rebind's) unless something else is still awaited. */
void marks_bind(Marks *k, const char *address, const char *syspath);
/* A PCI "bind" (bound) or "unbind" of the function. After an unbind it
 * settles, and a driver link that shows again before a bind is a probe
 * running, even of the driver it had. */
void marks_driver(Marks *k, const char *address, const char *syspath, bool bound);
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
/* Whether the function's mark is held (its sequence is not complete). */
bool marks_held(const Marks *k, const char *address);
bool marks_batch_due(const Marks *k);
/* Moves the held marks to the ready ones once the clock passed their deadline. */
void marks_settle(Marks *k);
/* The batch read a held mark's function with a netdev udev has not named yet
 * (its event with the name follows): true, and the function is held again
 * (e stays the caller's), unless it was held SETTLE_AWAIT_MAX_USEC already. */
bool marks_hold_again(Marks *k, const Mark *e);
/* The ready marks, for a batch; marks made meanwhile go to the next one. */
Hashmap *marks_take_ready(Marks *k);
/* A full scan covers everything pending: forgets every mark. */
void marks_clear(Marks *k);
