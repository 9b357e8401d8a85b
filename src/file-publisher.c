/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic-file.h"
#include "file-publisher.h"
#include "log.h"

static uint64_t now_monotonic(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

void file_publisher_init(FilePublisher *p, sd_event *event, const char *path, const char *what,
                         int (*render)(void *userdata, char **ret), void *userdata) {
        *p = (FilePublisher) { .event = event, .path = path, .what = what, .render = render, .userdata = userdata };
}

void file_publisher_done(FilePublisher *p) {
        p->timer = sd_event_source_disable_unref(p->timer);
        p->written = mfree(p->written);
}

void file_publisher_write(FilePublisher *p) {
        _cleanup_free_ char *text = NULL;
        int r;

        p->last_write_usec = now_monotonic() ?: 1;
        r = p->render(p->userdata, &text);
        if (r >= 0 && !p->failing && streq_ptr(text, p->written))
                return;
        if (r >= 0)
                r = write_file_atomic(p->path, text, strlen(text));
        free(p->written);
        p->written = r >= 0 ? TAKE_PTR(text) : NULL;
        /* Warn when writing starts failing, and say when it works again:
         * never a line per batch. */
        if (r < 0 && !p->failing)
                log_warning_errno(r, "Failed to write the %s file %s (%m); retrying on the next change.", p->what,
                                  p->path);
        else if (r >= 0 && p->failing)
                log_notice("Wrote the %s file %s again.", p->what, p->path);
        p->failing = r < 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        file_publisher_write(userdata);
        return 0;
}

void file_publisher_touch(FilePublisher *p) {
        int enabled = SD_EVENT_OFF;
        uint64_t due;
        int r;

        if (p->timer && sd_event_source_get_enabled(p->timer, &enabled) >= 0 && enabled != SD_EVENT_OFF)
                return; /* a write is due: this change rides along */
        due = p->last_write_usec + FILE_PUBLISHER_PERIOD_USEC;
        if (p->last_write_usec == 0 || now_monotonic() >= due || !p->event) {
                file_publisher_write(p);
                return;
        }
        if (!p->timer)
                r = sd_event_add_time(p->event, &p->timer, CLOCK_MONOTONIC, due, 0, on_timer, p);
        else {
                r = sd_event_source_set_time(p->timer, due);
                if (r >= 0)
                        r = sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
        }
        if (r >= 0)
                r = sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
        if (r < 0) {
                log_warning_errno(r, "Failed to schedule writing %s: %m", p->path);
                file_publisher_write(p);
        }
}
