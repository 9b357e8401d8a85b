/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "hazards.h"
#include "sink.h"
#include "status.h"

/* The sink that logs each DeviceEvent, each resync after lost events, each
 * Degraded change and each hazard that begins or ends as a structured
 * journal entry (MESSAGE_ID, SRIOV_* fields) at priority info. Only when
 * stderr is the journal (JOURNAL_STREAM): otherwise the same lines go to
 * stderr at level info, which the default level (notice) keeps quiet. */
typedef struct JournalSink {
        Sink sink;
        const Status *status;
        bool to_journal;
        HazardList logged;      /* the hazards already logged as begun */
} JournalSink;

void journal_sink_init(JournalSink *s, const Status *status);
void journal_sink_done(JournalSink *s);
