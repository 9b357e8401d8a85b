/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "facts.h"
#include "hashmap.h"
#include "marks.h"
#include "sink.h"
#include "source.h"

/* Default period of the ownership rescan while some VF is on VFIO. */
#define OWNER_SCAN_INTERVAL_USEC (10 * 1000000ULL)

/* Who holds each VF on a VFIO driver open (InUse, OwnerPid, OwnerName).
 *
 * A source: it scans /proc (proc-scan.c) when a VF binds to VFIO, when a
 * VFIO node it waited for appears, when machined announces a machine, after
 * a full rescan (Refresh, SIGHUP), and every `interval` while some VF is on
 * VFIO (never otherwise: an idle host without VFIO VFs never wakes). What
 * changed becomes marks. A sink: the batch tells it which VFs are on VFIO.
 * Facts: the reader fills a VF's owner from it. Names come from machined
 * (GetMachineByPID, asynchronous, on the daemon's bus), else QEMU's -name,
 * else comm; an owner is published once its name is known. */
typedef struct OwnerSource {
        Source source;
        Sink sink;
        Facts facts;

        sd_event *event;
        sd_bus *bus;                /* for machined; NULL: names from /proc only */
        Marks *marks;
        uint64_t interval_usec;     /* 0: no periodic rescan */
        const char *proc;           /* "/proc" */

        Hashmap *vfs;               /* address -> OwnerVf: the VFs on VFIO */
        Hashmap *names;             /* pid as text -> OwnerName */
        sd_event_source *timer;
        sd_bus_slot *machine_new, *machine_removed;
        bool machined_absent_logged;
        bool scan_pending;          /* a VF came on VFIO in this batch */
        uint64_t scans;             /* for the log and tests */
} OwnerSource;

int owner_source_init(OwnerSource *o, sd_event *event, Marks *marks);
void owner_source_done(OwnerSource *o);
/* Scans now (tests, bench). */
void owner_source_scan(OwnerSource *o);
