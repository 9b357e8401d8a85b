/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "file-publisher.h"
#include "sink.h"

/* The sink that keeps Node Feature Discovery's feature file
 * (--features-file) like the metrics file: at start and after changes, at
 * most once a second, atomically, and only when its text changes. */
typedef struct FeaturesSink {
        Sink sink;
        FilePublisher file;
        const DeviceTable *table;
        bool changed;
} FeaturesSink;

void features_sink_init(FeaturesSink *s, sd_event *event, const char *path, const DeviceTable *table);
void features_sink_done(FeaturesSink *s);
