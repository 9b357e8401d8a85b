/* SPDX-License-Identifier: MIT */
#pragma once

#include "device.h"

/* Facts a module keeps that join a device's reading (who owns a VF): the
 * reader asks each module it was given to fill them into a fresh record.
 * The module owns its state; the reader only calls fill(). */
typedef struct Facts Facts;

typedef struct FactsOps {
        /* Adds this module's facts to d, just read from sysfs. 0 or -ENOMEM. */
        int (*fill)(Facts *f, Device *d);
} FactsOps;

struct Facts {
        const FactsOps *ops;
};
