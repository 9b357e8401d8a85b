/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-event.h>

#include "hashmap.h"
#include "hazards.h"
#include "sink.h"
#include "status.h"

/* The sink that finds hazards (hazards.c's rules) in the published table
 * and keeps Status.hazards. It remembers since when each VF has been
 * without a driver, which the table does not say, and wakes up when a
 * grace time runs out (a timer armed only while a VF is within one). When
 * the list changes it calls `changed`, which the wiring turns into a
 * Manager property change for every sink. Registered last, so a batch's
 * own signals go out first. */
typedef struct HazardsSink {
        Sink sink;
        sd_event *event;                /* NULL in unit tests: no timer */
        Status *status;
        const DeviceTable *table;
        uint64_t driverless_grace_usec;
        uint64_t (*clock)(void);        /* CLOCK_MONOTONIC usec; a fake one in tests */
        Hashmap *driverless;            /* address -> since when it has had no driver */
        sd_event_source *timer;
        uint64_t next_usec;             /* when the list changes by the clock alone; 0: never */
        bool dirty;                     /* the table changed since the last look */
        void (*changed)(void *userdata);
        void *userdata;
} HazardsSink;

int hazards_sink_init(HazardsSink *s, sd_event *event, Status *status, const DeviceTable *table,
                      uint64_t driverless_grace_usec);
void hazards_sink_done(HazardsSink *s);
/* Looks again (the clock moved on): what the timer does, for tests. */
void hazards_sink_update(HazardsSink *s);
