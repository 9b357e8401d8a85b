/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "bus-objects.h"

typedef struct PrivateSocket PrivateSocket;

#define PRIVATE_SOCKET_DEFAULT "/run/sriov-monitor/private"

/* What one peer may cost before it is dropped as stalled: the kernel holds
 * at most PEER_SNDBUF (doubled by the kernel, as SO_SNDBUF is) of what it
 * has not read, the daemon at most PEER_QUEUE_MAX messages more. */
#define PEER_SNDBUF (256 * 1024)
#define PEER_QUEUE_MAX 4096
/* A call from a peer for which more messages than this wait (beyond the
 * kernel's buffer) is answered org.freedesktop.DBus.Error.LimitsExceeded. */
#define PEER_CALL_BACKLOG 16
/* Connections one uid may hold at once; more are refused at once. */
#define PEER_PER_UID_MAX 64

/* Serves the objects (registered on each peer), signals and methods as
 * peer-to-peer D-Bus on a Unix socket (mode 0666), for containers and agents
 * without the system bus. peers-sink.c tells the peers what the bus hears.
 * *ret is set (for private_socket_stop()) even when setting up fails. */
int private_socket_start(sd_event *event, BusObjects *objects, const char *path, PrivateSocket **ret);
/* Closes every peer without waiting for it to read (whatever a peer does,
 * this never blocks) and removes the socket; NULL is fine. Returns NULL. */
PrivateSocket *private_socket_stop(PrivateSocket *ps);

/* The i-th connected peer, NULL past the last (ps may be NULL). */
sd_bus *private_socket_peer(PrivateSocket *ps, size_t i);

/* Drops the peers whose unread messages pile up (they do not read their
 * socket), so that none can hold memory or slow the others. */
void private_socket_check_peers(PrivateSocket *ps);
