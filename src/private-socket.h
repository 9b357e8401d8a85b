/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-objects.h"
#include "sink.h"

#define PRIVATE_SOCKET_DEFAULT "/run/sriov-monitor/private"

/* Serves the objects, signals and methods as peer-to-peer D-Bus on a Unix
 * socket (mode 0666), for containers and agents without the system bus.
 * A sink: every peer hears what the system bus hears. */
typedef struct PrivateSocket {
        Sink sink;
        sd_event *event;
        BusObjects *objects;        /* registered on every peer */
        char *path;
        sd_event_source *listener;
        sd_bus **peers;
        size_t n_peers;
        sd_bus **dead_peers;        /* closed, freed on the next iteration */
        size_t n_dead_peers;
        sd_event_source *reaper;
        sd_bus **starting_peers;    /* accepted, not yet driven past authentication */
        size_t n_starting_peers;
        sd_event_source *starter;
        uint64_t serial;            /* for the unique names Hello hands out */
        bool accept_failing;        /* out of descriptors, said so once */
} PrivateSocket;

void private_socket_init(PrivateSocket *ps, sd_event *event, BusObjects *objects);
int private_socket_start(PrivateSocket *ps, const char *path);
void private_socket_stop(PrivateSocket *ps);

/* A peer whose unsent messages pile up (it does not read its socket) is
 * dropped, so it cannot hold memory or slow the others. True if dropped. */
bool private_socket_check_peer(PrivateSocket *ps, sd_bus *peer);
