/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devlink-parse.h"

/* The devlink eswitch mode of a PCI function, over generic netlink. Where
 * the kernel has no devlink family, or the driver no eswitch, the mode is
 * "" and the daemon says so at debug level only. */
typedef struct Devlink {
        int fd;                 /* -1: not opened yet */
        uint16_t family_id;     /* 0: not resolved */
        bool absent;            /* no devlink family: not asked again until devlink_forget() */
        uint32_t seq;
} Devlink;

#define DEVLINK_INIT ((Devlink) { .fd = -1 })

/* How long one answer may take: devlink calls wait for the driver's lock,
 * which a driver enabling many VFs holds for a while. */
#define DEVLINK_TIMEOUT_MSEC 200

/* 0 with *ret "legacy", "switchdev" or "" (unknown, no devlink, no
 * eswitch); -ETIMEDOUT when no answer came in time (keep what was known). */
int devlink_eswitch_mode(Devlink *d, const char *pci_address, const char **ret);
/* The devlink ports of pci/ADDRESS (a port dump): 0 with *ret (malloc'ed,
 * maybe none), or < 0 (no devlink, no answer in time, -ENOMEM). */
int devlink_ports(Devlink *d, const char *pci_address, DevlinkPort **ret, size_t *ret_n);
/* A full rescan: the family may have appeared (a module loaded). */
void devlink_forget(Devlink *d);
void devlink_done(Devlink *d);
