/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "device-table.h"
#include "hazards.h"

/* The DeviceEvent types, in the order of MetricsInput.events. */
#define METRICS_EVENT_TYPES { "pci", "driver", "interface", "sriov" }
#define METRICS_N_EVENT_TYPES 4
/* The index of a DeviceEvent type in MetricsInput.events, or -1. */
int metrics_event_type_index(const char *type);

typedef struct MetricsInput {
        const DeviceTable *table;
        bool per_vf;                    /* sriov_monitor_vf_info too */
        bool degraded;
        uint64_t last_refresh_usec;     /* CLOCK_REALTIME */
        const uint64_t *events;         /* METRICS_N_EVENT_TYPES counters */
        const HazardList *hazards;
} MetricsInput;

/* The whole metrics file, in the Prometheus text exposition format (as
 * node_exporter's textfile collector reads it): families under
 * sriov_monitor_, each with HELP and TYPE, label values escaped, series
 * sorted, no timestamps. A pure function. */
int metrics_format(const MetricsInput *in, char **ret);
