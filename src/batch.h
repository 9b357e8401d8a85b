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

/* The first scan: fills the table, telling the sinks only batch_done(initial). */
int batch_scan_initial(Batch *b);

/* What batch_run did. */
typedef struct BatchResult {
        bool rescan;        /* it was a full rescan (Refresh waits for one) */
        int error;          /* of the rescan: negative errno, or 0 */
} BatchResult;

/* One batch: a full rescan if one was asked for, else the ready marks. */
void batch_run(Batch *b, BatchResult *ret);
