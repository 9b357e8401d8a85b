/* SPDX-License-Identifier: MIT */
#pragma once

#include "device-table.h"
#include "marks.h"
#include "reader.h"
#include "sink.h"
#include "status.h"

/* The pipeline's middle: takes the ready marks, re-reads those functions
 * through the reader, puts them in order, diffs them against the table,
 * applies the differences and tells the sinks. It knows no sink by name. */
typedef struct Batch {
        DeviceTable *table;
        Reader *reader;
        Marks *marks;
        const SinkList *sinks;
        Status *status;
} Batch;

/* One function's new reading (fresh NULL: it is gone), to be published. A
 * PF's virtfnN links are kept apart: the PF is published listing only the
 * VFs a client can resolve at that point. */
typedef struct Reading {
        char address[PCI_ADDRESS_MAX];
        Device *fresh;
        VfLink *links;      /* a PF's VFs as read */
        size_t n_links;
        bool leaving;       /* a published VF that goes (or comes back as another) */
        bool applied;       /* fresh is in the table */
        /* Read for a new VF's index only (issue 14): its PF is held, in the
         * middle of its VF set's change, and names its VFs once released. */
        bool index_only;
} Reading;

/* What one batch did so far. */
typedef struct Applied {
        bool pfs_changed;
        unsigned changed;
        char **names;       /* the first few changed addresses, for the drift log */
} Applied;

/* Moves a fresh PF's links from its record into the reading. */
void reading_take_links(Reading *rd);
void readings_free(Reading *readings, size_t n);

/* Publishes the readings (room for `allocated`: a VF may need its PF read
 * too), taking their devices, in an order that never shows a client a path
 * it cannot resolve (see batch-apply.c). */
void batch_apply(Batch *b, Reading *readings, size_t n, size_t allocated, Applied *a);
