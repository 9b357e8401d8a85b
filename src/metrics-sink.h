/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "file-publisher.h"
#include "metrics-format.h"
#include "sink.h"
#include "status.h"

/* The sink that keeps the Prometheus metrics file (--metrics-file) for
 * node_exporter's textfile collector: written at start and after each
 * batch that changed what it shows, at most once a second. */
typedef struct MetricsSink {
        Sink sink;
        FilePublisher file;
        const Status *status;
        const DeviceTable *table;
        bool per_vf;
        uint64_t events[METRICS_N_EVENT_TYPES];    /* DeviceEvents told so far, by type */
        bool changed;                              /* since the last batch_done */
} MetricsSink;

void metrics_sink_init(MetricsSink *s, sd_event *event, const char *path, bool per_vf, const Status *status,
                       const DeviceTable *table);
void metrics_sink_done(MetricsSink *s);
