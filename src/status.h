/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "hazards.h"

/* What the daemon says about itself on the Manager interface. The wiring
 * owns it; the inbox counts events into it, the batch stamps a full rescan,
 * the sources' supervisor sets degraded; the bus sinks only read it. */
typedef struct Status {
        const char *version;
        uint64_t last_refresh;      /* CLOCK_REALTIME usec of the last full scan */
        uint64_t events_processed;  /* source events handled */
        int degraded;               /* 'b': a source is down */

        /* Fleet (issue 17): the hazards now, set by the hazards sink. */
        HazardList hazards;
} Status;
