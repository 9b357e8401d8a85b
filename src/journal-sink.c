/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "journal-fields.h"
#include "journal-sink.h"
#include "log.h"
#include "marks.h"
#include "strv.h"

static void send_fields(JournalSink *s, char **fields, int r) {
        struct iovec iov[16];
        size_t n = 0;

        if (r < 0) {
                log_error_errno(r, "Failed to build a journal entry: %m");
                return;
        }
        if (!s->to_journal) {
                /* MESSAGE= comes first. */
                log_info("%s", fields[0] + strlen("MESSAGE="));
                strv_free(fields);
                return;
        }
        for (char **f = fields; *f && n < ELEMENTSOF(iov); f++)
                iov[n++] = (struct iovec) { .iov_base = *f, .iov_len = strlen(*f) };
        r = sd_journal_sendv(iov, (int) n);
        if (r < 0)
                log_debug_errno(r, "Failed to send a journal entry: %m");
        strv_free(fields);
}

static void log_event(const DeviceEvent *e, void *userdata) {
        void **ctx = userdata;
        char **fields = NULL;
        int r = journal_event_fields(e, ctx[1], &fields);

        send_fields(ctx[0], fields, r);
}

/* Off the journal, at the default level, nobody reads these: no work. */
static bool wanted(const Sink *sink) {
        return ((const JournalSink *) sink)->to_journal || log_get_max_level() >= LOG_INFO;
}

static void sink_added(Sink *sink, const Device *d) {
        if (wanted(sink))
                device_events_derive(NULL, d, log_event, (void *[]) { sink, (void *) d });
}

static void sink_changed(Sink *sink, const Device *old, const Device *new) {
        if (wanted(sink))
                device_events_derive(old, new, log_event, (void *[]) { sink, (void *) new });
}

static void sink_removed(Sink *sink, const Device *d) {
        if (wanted(sink))
                device_events_derive(d, NULL, log_event, (void *[]) { sink, (void *) d });
}

static bool names(const char *const *properties, const char *name) {
        for (const char *const *p = properties; p && *p; p++)
                if (streq(*p, name))
                        return true;
        return false;
}

/* Logs the hazards that began and ended since the last look. */
static void log_hazards(JournalSink *s) {
        const HazardList *now = &s->status->hazards;
        HazardList copy = {};
        char **fields = NULL;
        int r;

        for (size_t i = 0; i < s->logged.n; i++)
                if (!hazard_list_contains(now, s->logged.items[i].kind, s->logged.items[i].address)) {
                        r = journal_hazard_fields(&s->logged.items[i], false, &fields);
                        send_fields(s, fields, r);
                }
        for (size_t i = 0; i < now->n; i++)
                if (!hazard_list_contains(&s->logged, now->items[i].kind, now->items[i].address)) {
                        r = journal_hazard_fields(&now->items[i], true, &fields);
                        send_fields(s, fields, r);
                }
        copy.items = calloc(now->n ?: 1, sizeof(Hazard));
        if (!copy.items) {
                log_oom();
                return;
        }
        for (size_t i = 0; i < now->n; i++) {
                copy.items[i] = now->items[i];
                copy.items[i].text = NULL;
        }
        copy.n = now->n;
        hazard_list_clear(&s->logged);
        s->logged = copy;
}

static void sink_batch_done(Sink *sink, const BatchDone *done) {
        JournalSink *s = (JournalSink *) sink;
        char **fields = NULL;
        int r;

        if (done->rescan && done->reason && marks_resync_lost_events(done->reason)) {
                r = journal_resync_fields(done->reason, done->changed, &fields);
                send_fields(s, fields, r);
        }
        if (names(done->manager_properties, "Degraded")) {
                r = journal_degraded_fields(s->status->degraded, &fields);
                send_fields(s, fields, r);
        }
        if (names(done->manager_properties, "Hazards") || done->initial)
                log_hazards(s);
}

void journal_sink_init(JournalSink *s, const Status *status) {
        static const SinkOps ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };
        struct stat st;

        *s = (JournalSink) { .sink.ops = &ops, .status = status };
        s->to_journal = fstat(STDERR_FILENO, &st) >= 0 &&
                        journal_stream_matches(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino);
}

void journal_sink_done(JournalSink *s) {
        hazard_list_clear(&s->logged);
}
