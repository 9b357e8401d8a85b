/* SPDX-License-Identifier: MIT */
#pragma once

#include "batch-apply.h"

/* The first scan: fills the table, telling the sinks only batch_done(initial). */
int batch_scan_initial(Batch *b);

/* What batch_run did. */
typedef struct BatchResult {
        bool rescan;        /* it was a full rescan (Refresh waits for one) */
        int error;          /* of the rescan: negative errno, or 0 */
} BatchResult;

/* One batch: a full rescan if one was asked for, else the ready marks. */
void batch_run(Batch *b, BatchResult *ret);
