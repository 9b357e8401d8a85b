/* SPDX-License-Identifier: MIT */
#include "features-format.h"
#include "features-sink.h"

static void sink_added(Sink *sink, const Device *d) {
        ((FeaturesSink *) sink)->changed = true;
}

static void sink_changed(Sink *sink, const Device *old, const Device *new) {
        ((FeaturesSink *) sink)->changed = true;
}

static void sink_removed(Sink *sink, const Device *d) {
        ((FeaturesSink *) sink)->changed = true;
}

static void sink_batch_done(Sink *sink, const BatchDone *done) {
        FeaturesSink *s = (FeaturesSink *) sink;

        if (done->initial)
                file_publisher_write(&s->file);
        else if (s->changed)
                file_publisher_touch(&s->file);
        s->changed = false;
}

static int render(void *userdata, char **ret) {
        return features_format(((FeaturesSink *) userdata)->table, ret);
}

void features_sink_init(FeaturesSink *s, sd_event *event, const char *path, const DeviceTable *table) {
        static const SinkOps ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };

        *s = (FeaturesSink) { .sink.ops = &ops, .table = table };
        file_publisher_init(&s->file, event, path, "features", render, s);
}

void features_sink_done(FeaturesSink *s) {
        file_publisher_done(&s->file);
}
