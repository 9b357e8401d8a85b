/* SPDX-License-Identifier: MIT */
#include "bus-objects.h"
#include "log.h"
#include "peers-sink.h"

#define FOREACH_PEER(peer, s) \
        for (size_t _i = 0; ((peer) = private_socket_peer(*((PeersSink *) (s))->server, _i)); _i++)

static void sink_added(Sink *s, const Device *d) {
        sd_bus *peer;

        FOREACH_PEER(peer, s)
                bus_publish_added(peer, LOG_DEBUG, d);
}

static void sink_changed(Sink *s, const Device *old, const Device *new) {
        sd_bus *peer;

        FOREACH_PEER(peer, s)
                bus_publish_changed(peer, LOG_DEBUG, old, new);
}

static void sink_removed(Sink *s, const Device *d) {
        sd_bus *peer;

        FOREACH_PEER(peer, s)
                bus_publish_removed(peer, LOG_DEBUG, d);
}

static void sink_batch_done(Sink *s, const BatchDone *done) {
        sd_bus *peer;

        FOREACH_PEER(peer, s)
                bus_publish_batch_done(peer, LOG_DEBUG, done);
        private_socket_check_peers(*((PeersSink *) s)->server);
}

void peers_sink_init(PeersSink *s, PrivateSocket **server) {
        static const SinkOps ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };

        *s = (PeersSink) { .sink.ops = &ops, .server = server };
}
