/* SPDX-License-Identifier: MIT */
#include "device-event.h"
#include "metrics-sink.h"

static void count_event(const DeviceEvent *e, void *userdata) {
        MetricsSink *s = userdata;
        int i = metrics_event_type_index(e->type);

        if (i >= 0)
                s->events[i]++;
}

static void sink_added(Sink *sink, const Device *d) {
        MetricsSink *s = (MetricsSink *) sink;

        device_events_derive(NULL, d, count_event, s);
        s->changed = true;
}

static void sink_changed(Sink *sink, const Device *old, const Device *new) {
        MetricsSink *s = (MetricsSink *) sink;

        device_events_derive(old, new, count_event, s);
        s->changed = true;
}

static void sink_removed(Sink *sink, const Device *d) {
        MetricsSink *s = (MetricsSink *) sink;

        device_events_derive(d, NULL, count_event, s);
        s->changed = true;
}

static bool shows(const char *const *properties) {
        for (const char *const *p = properties; p && *p; p++)
                if (streq(*p, "Degraded") || streq(*p, "Hazards"))
                        return true;
        return false;
}

static void sink_batch_done(Sink *sink, const BatchDone *done) {
        MetricsSink *s = (MetricsSink *) sink;

        if (done->initial)
                file_publisher_write(&s->file);
        else if (s->changed || done->rescan || shows(done->manager_properties))
                file_publisher_touch(&s->file);
        s->changed = false;
}

static int render(void *userdata, char **ret) {
        MetricsSink *s = userdata;

        return metrics_format(&(MetricsInput) {
                .table = s->table,
                .per_vf = s->per_vf,
                .degraded = s->status->degraded,
                .last_refresh_usec = s->status->last_refresh,
                .events = s->events,
                .hazards = &s->status->hazards,
        }, ret);
}

void metrics_sink_init(MetricsSink *s, sd_event *event, const char *path, bool per_vf, const Status *status,
                       const DeviceTable *table) {
        static const SinkOps ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };

        *s = (MetricsSink) { .sink.ops = &ops, .status = status, .table = table, .per_vf = per_vf };
        file_publisher_init(&s->file, event, path, "metrics", render, s);
}

void metrics_sink_done(MetricsSink *s) {
        file_publisher_done(&s->file);
}
