/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "sink.h"

int sink_list_add(SinkList *l, Sink *s) {
        Sink **t = reallocarray(l->sinks, l->n + 1, sizeof(Sink *));

        if (!t)
                return -ENOMEM;
        t[l->n++] = s;
        l->sinks = t;
        return 0;
}

void sink_list_clear(SinkList *l) {
        l->sinks = mfree(l->sinks);
        l->n = 0;
}

#define FOREACH_SINK(s, l) for (Sink **_p = (l)->sinks, *s; _p < (l)->sinks + (l)->n && (s = *_p); _p++)

void sinks_added(const SinkList *l, const Device *d) {
        FOREACH_SINK(s, l)
                if (s->ops->added)
                        s->ops->added(s, d);
}

void sinks_changed(const SinkList *l, const Device *old, const Device *new) {
        FOREACH_SINK(s, l)
                if (s->ops->changed)
                        s->ops->changed(s, old, new);
}

void sinks_removed(const SinkList *l, const Device *d) {
        FOREACH_SINK(s, l)
                if (s->ops->removed)
                        s->ops->removed(s, d);
}

void sinks_batch_done(const SinkList *l, const BatchDone *done) {
        FOREACH_SINK(s, l)
                if (s->ops->batch_done)
                        s->ops->batch_done(s, done);
}
