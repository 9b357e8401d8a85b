/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-objects.h"

#define PRIVATE_SOCKET_DEFAULT "/run/sriov-monitor/private"

typedef struct PrivateSocket PrivateSocket;

/* Serves the objects (registered on each peer), signals and methods as
 * peer-to-peer D-Bus on a Unix socket (mode 0666), for containers and agents
 * without the system bus. peers-sink.c tells the peers what the bus hears. */
int private_socket_start(sd_event *event, BusObjects *objects, const char *path, PrivateSocket **ret);
/* Closes every peer and removes the socket; NULL is fine. Returns NULL. */
PrivateSocket *private_socket_stop(PrivateSocket *ps);

/* The i-th connected peer, NULL past the last (ps may be NULL). */
sd_bus *private_socket_peer(PrivateSocket *ps, size_t i);
/* Drops the peers whose unsent messages pile up (they do not read their
 * socket), so that none can hold memory or slow the others (ps may be NULL). */
void private_socket_check_peers(PrivateSocket *ps);
