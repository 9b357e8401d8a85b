/* SPDX-License-Identifier: MIT */
/* libvirtd (only its nodedev driver) on the testbed, and its virsh clients,
 * for bench-libvirt (issue 14). */
#pragma once

#include <glib.h>

#include "harness.h"

typedef struct PeerConfig {
        const char *libvirtd, *virsh, *driver; /* programs and libvirt's nodedev module */
        const char *shim;                      /* bench/libvirt-shim.so */
        const char *workdir;                   /* config, sockets, pid file, log; NULL: a temporary one */
        gboolean no_libvirt;
} PeerConfig;

extern PeerConfig peer_config;

typedef struct Peer {
        gboolean up;
        char *dir, *uri;
        GPid pid;
        GPid watchers[2];
        GThread *readers[2];
        int fds[2];
} Peer;

/* A line of `virsh nodedev-event`, stamped on receipt (bench_now_ns()):
 * "lifecycle NAME Created", "update NAME"; the callee owns `what`. Called
 * in a reader thread. */
typedef void (*PeerLine)(gint64 ns, char *what);

/* Why libvirt cannot be measured here, or NULL. */
const char *peer_missing(void);
/* libvirtd in a mount namespace of its own, on the testbed (see bench-libvirt.c). */
void peer_start(Peer *p, Harness *h);
/* PCI functions `virsh nodedev-list --cap pci` names, or -1. */
int peer_count_pci(Harness *h, Peer *p);
/* `virsh nodedev-event --loop` for lifecycle and update events. */
void peer_watch(Peer *p, Harness *h, PeerLine on_line);
void peer_stop(Peer *p);

/* utime+stime of a process, in ms; a field of /proc/PID/status in KiB. */
double proc_cpu_ms(GPid pid);
long proc_status_kib(GPid pid, const char *field);
