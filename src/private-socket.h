/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

typedef struct Manager Manager;

#define PRIVATE_SOCKET_DEFAULT "/run/sriov-monitor/private"

/* Serves the objects, signals and methods as peer-to-peer D-Bus on a Unix
 * socket (mode 0666), for containers and agents without the system bus. */
int private_socket_start(Manager *m, const char *path);
void private_socket_stop(Manager *m);

/* A peer whose unsent messages pile up (it does not read its socket) is
 * dropped, so it cannot hold memory or slow the others. True if dropped. */
bool private_socket_check_peer(Manager *m, sd_bus *peer);
