/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hazards-sink.h"
#include "log.h"

typedef struct Driverless {
        char address[PCI_ADDRESS_MAX];
        uint64_t since;
} Driverless;

static uint64_t now_monotonic(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

static void forget(HazardsSink *s, const char *address) {
        free(hashmap_remove(s->driverless, address));
}

/* A VF seen without a driver keeps its first such moment; one with a
 * driver is forgotten, so the next unbind starts a new grace time. */
static void note(HazardsSink *s, const Device *d) {
        Driverless *e;

        if (d->role != DEVICE_ROLE_VF || d->driver) {
                forget(s, d->address);
                return;
        }
        if (hashmap_get(s->driverless, d->address))
                return;
        e = calloc(1, sizeof(Driverless));
        if (!e) {
                log_oom();
                return;
        }
        (void) snprintf(e->address, sizeof(e->address), "%s", d->address);
        e->since = s->clock() ?: 1;
        if (hashmap_replace(s->driverless, e->address, e) < 0) {
                free(e);
                log_oom();
        }
}

static uint64_t driverless_since(const char *address, void *userdata) {
        const Driverless *e = hashmap_get(((HazardsSink *) userdata)->driverless, address);

        return e ? e->since : 0;
}

static int on_timer(sd_event_source *t, uint64_t usec, void *userdata) {
        hazards_sink_update(userdata);
        return 0;
}

static void arm(HazardsSink *s) {
        int r = 0;

        if (!s->event)
                return;
        if (s->next_usec == 0) {
                if (s->timer)
                        r = sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
        } else if (!s->timer)
                r = sd_event_add_time(s->event, &s->timer, CLOCK_MONOTONIC, s->next_usec, 0, on_timer, s);
        else {
                r = sd_event_source_set_time(s->timer, s->next_usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                log_warning_errno(r, "Failed to schedule the next hazard check: %m");
}

void hazards_sink_update(HazardsSink *s) {
        HazardList fresh = {};
        int r;

        r = hazards_detect(&(HazardInput) {
                .table = s->table,
                .now = s->clock(),
                .driverless_grace_usec = s->driverless_grace_usec,
                .driverless_since = driverless_since,
                .userdata = s,
        }, &fresh, &s->next_usec);
        if (r < 0) {
                log_oom();
                return;
        }
        s->dirty = false;
        arm(s);
        if (hazard_list_equal(&fresh, &s->status->hazards)) {
                hazard_list_clear(&fresh);
                return;
        }
        hazard_list_clear(&s->status->hazards);
        s->status->hazards = fresh;
        if (s->changed)
                s->changed(s->userdata);
}

static void sink_added(Sink *sink, const Device *d) {
        HazardsSink *s = (HazardsSink *) sink;

        note(s, d);
        s->dirty = true;
}

static void sink_changed(Sink *sink, const Device *old, const Device *new) {
        HazardsSink *s = (HazardsSink *) sink;

        note(s, new);
        s->dirty = true;
}

static void sink_removed(Sink *sink, const Device *d) {
        HazardsSink *s = (HazardsSink *) sink;

        forget(s, d->address);
        s->dirty = true;
}

static void sink_batch_done(Sink *sink, const BatchDone *done) {
        HazardsSink *s = (HazardsSink *) sink;
        Device *d;

        /* The first scan fills the table without added() calls. */
        if (done->initial)
                HASHMAP_FOREACH(d, s->table->by_address, i)
                        note(s, d);
        if (done->initial || s->dirty)
                hazards_sink_update(s);
}

int hazards_sink_init(HazardsSink *s, sd_event *event, Status *status, const DeviceTable *table,
                      uint64_t driverless_grace_usec) {
        static const SinkOps ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };

        *s = (HazardsSink) {
                .sink.ops = &ops,
                .event = event,
                .status = status,
                .table = table,
                .driverless_grace_usec = driverless_grace_usec,
                .clock = now_monotonic,
                .driverless = hashmap_new(),
        };
        return s->driverless ? 0 : -ENOMEM;
}

void hazards_sink_done(HazardsSink *s) {
        Driverless *e;

        if (s->driverless)
                HASHMAP_FOREACH(e, s->driverless, i) {
                        (void) hashmap_remove(s->driverless, e->address);
                        free(e);
                }
        s->driverless = hashmap_free(s->driverless);
        s->timer = sd_event_source_disable_unref(s->timer);
        if (s->status)
                hazard_list_clear(&s->status->hazards);
}
