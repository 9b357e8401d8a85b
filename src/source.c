/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "source.h"

#define RETRY_DELAY_MIN_USEC (100 * 1000ULL)
#define RETRY_DELAY_MAX_USEC (30 * 1000000ULL)

void sources_init(Sources *ss, sd_event *event, Marks *marks, Status *status) {
        *ss = (Sources) {
                .event = event,
                .marks = marks,
                .status = status,
                .retry_delay_usec = RETRY_DELAY_MIN_USEC,
        };
}

void sources_done(Sources *ss) {
        for (size_t i = 0; i < ss->n; i++)
                ss->list[i]->ops->stop(ss->list[i]);
        ss->list = mfree(ss->list);
        ss->n = 0;
        ss->retry_timer = sd_event_source_disable_unref(ss->retry_timer);
}

int sources_add(Sources *ss, Source *s) {
        Source **t = reallocarray(ss->list, ss->n + 1, sizeof(Source *));

        if (!t)
                return -ENOMEM;
        t[ss->n++] = s;
        ss->list = t;
        s->owner = ss;
        return 0;
}

static void update_degraded(Sources *ss) {
        int degraded = 0;

        for (size_t i = 0; i < ss->n; i++)
                degraded |= ss->list[i]->failed;
        if (degraded == ss->status->degraded)
                return;
        ss->status->degraded = degraded;
        if (ss->degraded_changed)
                ss->degraded_changed(ss->userdata);
}

static int on_retry(sd_event_source *t, uint64_t usec, void *userdata) {
        Sources *ss = userdata;

        for (size_t i = 0; i < ss->n; i++) {
                Source *s = ss->list[i];

                if (s->failed && s->ops->start(s) >= 0) {
                        s->failed = false;
                        log_notice("The %s source is back.", s->ops->name);
                }
        }
        update_degraded(ss);
        if (ss->status->degraded) {
                ss->retry_delay_usec = ss->retry_delay_usec * 2 > RETRY_DELAY_MAX_USEC ? RETRY_DELAY_MAX_USEC
                                                                                        : ss->retry_delay_usec * 2;
                (void) sd_event_source_set_time_relative(t, ss->retry_delay_usec);
                (void) sd_event_source_set_enabled(t, SD_EVENT_ONESHOT);
                return 0;
        }
        ss->retry_delay_usec = RETRY_DELAY_MIN_USEC;
        /* What happened while a source was down is only known to a rescan. */
        marks_resync(ss->marks, "a source recovered");
        return 0;
}

void source_failed(Source *s, int error) {
        Sources *ss = s->owner;
        int r;

        log_warning_errno(error, "The %s source failed (%m); degraded until it is re-created.", s->ops->name);
        s->ops->stop(s);
        s->failed = true;
        update_degraded(ss);

        if (!ss->retry_timer) {
                r = sd_event_add_time_relative(ss->event, &ss->retry_timer, CLOCK_MONOTONIC, ss->retry_delay_usec,
                                               0, on_retry, ss);
                if (r < 0)
                        log_error_errno(r, "Failed to schedule re-creating the %s source: %m", s->ops->name);
                return;
        }
        (void) sd_event_source_set_time_relative(ss->retry_timer, ss->retry_delay_usec);
        (void) sd_event_source_set_enabled(ss->retry_timer, SD_EVENT_ONESHOT);
}

void sources_start(Sources *ss) {
        for (size_t i = 0; i < ss->n; i++) {
                Source *s = ss->list[i];
                int r;

                r = s->ops->start(s);
                if (r < 0)
                        source_failed(s, r);
        }
}

void source_count_event(Source *s) {
        marks_count_event(s->owner->marks);
}
