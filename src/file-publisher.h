/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

/* A file a sink keeps up to date for another program (the metrics file,
 * the features file): rewritten whole and atomically when something
 * changed, at most once a second. A change within a second of the last
 * write arms a one-shot timer for the rest of that second; later changes
 * ride along. No timer is armed while nothing changes. */
typedef struct FilePublisher {
        sd_event *event;
        const char *path;
        const char *what;               /* "metrics", "features": for the log */
        /* Renders the whole file (a NUL-terminated text, freed by the caller). */
        int (*render)(void *userdata, char **ret);
        void *userdata;
        sd_event_source *timer;         /* one-shot, while a write waits */
        uint64_t last_write_usec;       /* CLOCK_MONOTONIC; 0: never written */
        bool failing;                   /* the last write failed: warned once */
        char *written;                  /* what the file holds: the same text is not rewritten */
} FilePublisher;

#define FILE_PUBLISHER_PERIOD_USEC 1000000ULL

void file_publisher_init(FilePublisher *p, sd_event *event, const char *path, const char *what,
                         int (*render)(void *userdata, char **ret), void *userdata);
void file_publisher_done(FilePublisher *p);
/* Something the file shows changed: write now, or once the second since
 * the last write is over. */
void file_publisher_touch(FilePublisher *p);
/* Writes now, whatever the period (at start). */
void file_publisher_write(FilePublisher *p);
