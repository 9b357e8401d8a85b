/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "marks.h"

/* A producer of marks (uevent-source.c, inotify-source.c): it owns its fds
 * and state in its own struct, which embeds a Source first, and pushes
 * marks into the inbox. It never calls the bus or the table. */
typedef struct Source Source;
typedef struct Sources Sources;

typedef struct SourceOps {
        const char *name;
        /* Opens its fds and adds them to the loop; logs and returns < 0 on failure. */
        int (*start)(Source *s);
        /* Closes everything start() opened; safe to call twice. */
        void (*stop)(Source *s);
} SourceOps;

struct Source {
        const SourceOps *ops;
        Sources *owner;
        bool failed;
};

/* Start, stop, failure and backoff of all the sources, and whether the
 * daemon is Degraded (a source is down), in one place. */
struct Sources {
        sd_event *event;
        Marks *marks;
        Source **list;
        size_t n;
        sd_event_source *retry_timer;
        uint64_t retry_delay_usec;
        /* Called when Degraded changes (status->degraded is set first). */
        Status *status;
        void (*degraded_changed)(void *userdata);
        void *userdata;
};

void sources_init(Sources *ss, sd_event *event, Marks *marks, Status *status);
void sources_done(Sources *ss);
int sources_add(Sources *ss, Source *s);
/* Starts each; one that cannot start leaves the daemon degraded, not dead. */
void sources_start(Sources *ss);

/* For a source: count an event, or report that it broke. A broken source is
 * stopped, Degraded set, and it is started again with backoff; once all are
 * back, a rescan covers what happened meanwhile. */
void source_count_event(Source *s);
void source_failed(Source *s, int error);
