/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The earliest grace time still running, over every driverless VF. */
static uint64_t next_deadline(HazardsSink *s, uint64_t now) {
        uint64_t next = 0;
        Driverless *e;

        if (s->driverless_grace_usec == 0)
                return 0;
        HASHMAP_FOREACH(e, s->driverless, i) {
                uint64_t due = e->since + s->driverless_grace_usec;

                if (due > now && (next == 0 || due < next))
                        next = due;
        }
        return next;
}

static void forget(HazardsSink *s, const char *address) {
        Driverless *e = hashmap_remove(s->driverless, address);

        /* Its grace time was the next to run out: find the next one. */
        if (e && s->driverless_grace_usec > 0 && e->since + s->driverless_grace_usec == s->next_usec)
                s->next_usec = next_deadline(s, s->clock());
        free(e);
}

/* A VF seen without a driver keeps its first such moment; one with a
 * driver is forgotten, so the next unbind starts a new grace time. */
static void note(HazardsSink *s, const Device *d) {
        Driverless *e;
        uint64_t due;

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
                return;
        }
        due = e->since + s->driverless_grace_usec;
        if (s->driverless_grace_usec > 0 && (s->next_usec == 0 || due < s->next_usec))
                s->next_usec = due;
}

static uint64_t driverless_since(const char *address, void *userdata) {
        const Driverless *e = hashmap_get(((HazardsSink *) userdata)->driverless, address);

        return e ? e->since : 0;
}

static int on_timer(sd_event_source *t, uint64_t usec, void *userdata);

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

static int on_timer(sd_event_source *t, uint64_t usec, void *userdata) {
        hazards_sink_tick(userdata);
        return 0;
}

/* This address needs a new look at the end of the batch. A list, not a
 * set: looking twice is harmless, and its cost stays the batch's, whatever
 * the first scan touched. */
static void touch(HazardsSink *s, const char *address) {
        if (s->n_touched == s->allocated_touched) {
                size_t n = s->allocated_touched ? 2 * s->allocated_touched : 16;
                void *t = reallocarray(s->touched, n, PCI_ADDRESS_MAX);

                if (!t) {
                        log_oom();
                        return;
                }
                s->touched = t;
                s->allocated_touched = n;
        }
        (void) snprintf(s->touched[s->n_touched++], PCI_ADDRESS_MAX, "%s", address);
}

/* Re-examines the touched devices, updating Status.hazards in place, and
 * arms the timer for the next grace time to run out. */
void hazards_sink_update(HazardsSink *s) {
        HazardInput in = {
                .table = s->table,
                .now = s->clock(),
                .driverless_grace_usec = s->driverless_grace_usec,
                .driverless_since = driverless_since,
                .userdata = s,
        };
        bool changed = false;
        uint64_t ignored = 0;

        for (size_t i = 0; i < s->n_touched; i++) {
                const char *k = s->touched[i];
                const Device *d = device_table_get(s->table, k);
                HazardList fresh = {};
                int r = d ? hazards_of_device(&in, d, &fresh, &ignored) : 0;

                if (r >= 0)
                        r = hazard_list_replace_address(&s->status->hazards, k, &fresh);
                if (r < 0) {
                        hazard_list_clear(&fresh);
                        log_oom();
                }
                changed |= r > 0;
        }
        s->n_touched = 0;
        arm(s);
        if (changed && s->changed)
                s->changed(s->userdata);
}

void hazards_sink_tick(HazardsSink *s) {
        uint64_t now = s->clock();
        Driverless *e;

        HASHMAP_FOREACH(e, s->driverless, i)
                if (e->since + s->driverless_grace_usec <= now)
                        touch(s, e->address);
        s->next_usec = next_deadline(s, now);
        hazards_sink_update(s);
}

/* A device's hazards may depend on its PF (a VF's), its VFs (a PF's) or
 * the other members of its IOMMU group (shared-iommu-group): those are
 * looked at again too. Called with the old and the new record, so a device
 * leaving a group or a PF also has the ones it left looked at. */
static void touch_related(HazardsSink *s, const Device *d) {
        touch(s, d->address);
        if (d->role == DEVICE_ROLE_VF && d->pf_address)
                touch(s, d->pf_address);
        for (size_t i = 0; d->role == DEVICE_ROLE_PF && i < d->n_vfs; i++)
                touch(s, d->vfs[i].address);
        for (char **a = d->iommu_group_devices; a && *a; a++)
                if (!streq(*a, d->address))
                        touch(s, *a);
}

static void sink_added(Sink *sink, const Device *d) {
        HazardsSink *s = (HazardsSink *) sink;

        note(s, d);
        touch_related(s, d);
}

static void sink_changed(Sink *sink, const Device *old, const Device *new) {
        HazardsSink *s = (HazardsSink *) sink;

        note(s, new);
        touch_related(s, old);
        touch_related(s, new);
}

static void sink_removed(Sink *sink, const Device *d) {
        HazardsSink *s = (HazardsSink *) sink;

        forget(s, d->address);
        touch_related(s, d);
}

static void sink_batch_done(Sink *sink, const BatchDone *done) {
        HazardsSink *s = (HazardsSink *) sink;
        Device *d;

        /* The first scan fills the table without added() calls. */
        if (done->initial)
                HASHMAP_FOREACH(d, s->table->by_address, i) {
                        note(s, d);
                        touch(s, d->address);
                }
        if (s->n_touched > 0)
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
        s->touched = mfree(s->touched);
        s->n_touched = s->allocated_touched = 0;
        s->timer = sd_event_source_disable_unref(s->timer);
        if (s->status)
                hazard_list_clear(&s->status->hazards);
}
