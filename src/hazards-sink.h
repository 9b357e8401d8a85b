/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
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
        char (*touched)[PCI_ADDRESS_MAX];  /* addresses to look at again in this batch */
        size_t n_touched, allocated_touched;
        sd_event_source *timer;
        uint64_t next_usec;             /* when a grace time runs out; 0: none runs */
        void (*changed)(void *userdata);
        void *userdata;
} HazardsSink;

int hazards_sink_init(HazardsSink *s, sd_event *event, Status *status, const DeviceTable *table,
                      uint64_t driverless_grace_usec);
void hazards_sink_done(HazardsSink *s);
/* Looks again at the devices a batch touched: what batch_done does. */
void hazards_sink_update(HazardsSink *s);
/* Looks again at the VFs whose grace time ran out: what the timer does
 * (a test with a fake clock calls it). */
void hazards_sink_tick(HazardsSink *s);
