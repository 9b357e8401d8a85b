/* SPDX-License-Identifier: MIT */
#pragma once

#include "private-socket.h"
#include "sink.h"

/* The sink for the private socket's peers: each hears what the system bus
 * hears. A send that fails on a peer is its problem (it went away or
 * stalls): logged at debug level, and at the end of each batch a peer that
 * stopped reading is dropped. */
typedef struct PeersSink {
        Sink sink;
        PrivateSocket **server;     /* NULL until the socket is served */
} PeersSink;

void peers_sink_init(PeersSink *s, PrivateSocket **server);
