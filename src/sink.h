/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "device-table.h"

/* The end of a batch, as the sinks hear it. */
typedef struct BatchDone {
        const DeviceTable *table;   /* the published devices, after the batch */
        bool initial;               /* the first scan: the table was filled without added() calls */
        bool rescan;                /* a full rescan (LastRefresh changed) */
        bool pfs_changed;           /* the set of PFs changed */
        /* Manager properties changed outside any batch (Degraded,
         * EventsProcessed): NULL-terminated, or NULL. */
        const char *const *manager_properties;

        /* Fleet (issue 17): why a rescan ran (see marks_resync()), and how
         * many devices the batch changed. */
        const char *reason;
        unsigned changed;
} BatchDone;

typedef struct Sink Sink;

/* What a sink is told, in the order the batch decides (see batch.c): every
 * call sees the table as a client may see it at that point. */
typedef struct SinkOps {
        /* d is in the table now. */
        void (*added)(Sink *s, const Device *d);
        /* new replaced old in the table (old is freed after the call). */
        void (*changed)(Sink *s, const Device *old, const Device *new);
        /* d is still in the table, and leaves it after the call. */
        void (*removed)(Sink *s, const Device *d);
        void (*batch_done)(Sink *s, const BatchDone *done);
} SinkOps;

struct Sink {
        const SinkOps *ops;
};

/* The sinks, in the order they are told; registered once, at start. */
typedef struct SinkList {
        Sink **sinks;
        size_t n;
} SinkList;

int sink_list_add(SinkList *l, Sink *s);
void sink_list_clear(SinkList *l);

void sinks_added(const SinkList *l, const Device *d);
void sinks_changed(const SinkList *l, const Device *old, const Device *new);
void sinks_removed(const SinkList *l, const Device *d);
void sinks_batch_done(const SinkList *l, const BatchDone *done);
