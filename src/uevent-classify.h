/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "pci-address.h"

/* What a uevent asks the daemon to re-read, decided from the fields it reads
 * from the udev device alone, so that any bytes a uevent may carry can be
 * tested and fuzzed without a udev device or a manager. */
typedef enum UeventMark {
        UEVENT_MARK_NONE,        /* not ours: a virtual netdev, a bridge's child, a field missing */
        UEVENT_MARK_IOMMU_GROUP, /* group: a /dev/vfio group node came or went */
        UEVENT_MARK_NETDEV,      /* address, ifname, removed */
        UEVENT_MARK_PCI,         /* address, removed: the function's own add/remove/change */
        UEVENT_MARK_DIRTY,       /* address (with the syspath when with_syspath) */
} UeventMark;

/* Where a PCI uevent of the function itself puts it in the kernel's
 * sequence (issue 14: a held mark is released once its sequence is complete).
 * Anything else (netdevs, vfio children) is mid-sequence. */
typedef enum UeventStep {
        UEVENT_STEP_NONE,
        UEVENT_STEP_ADD,    /* it exists; a new VF has no physfn link yet */
        UEVENT_STEP_CHANGE, /* a VF's links exist; a PF's VFs are all enabled */
        UEVENT_STEP_BIND,   /* its driver probed: its children are registered */
        UEVENT_STEP_UNBIND, /* its driver let it go: a probe that follows is a new one */
        UEVENT_STEP_REMOVE,
} UeventStep;

typedef struct UeventClass {
        UeventMark mark;
        char address[PCI_ADDRESS_MAX]; /* canonical */
        const char *group;             /* points into devpath */
        const char *ifname;            /* the sysname */
        bool removed;
        bool with_syspath;             /* the event's syspath names the function itself */
        /* Part of a sequence the kernel is in the middle of (add, bind,
         * netdev registration, unbind, remove...): the change settles
         * before it is published. A rename ("move") stands alone. */
        bool settle;
        UeventStep step;
} UeventClass;

/* Any argument may be NULL (libudev returns NULL for a missing field). */
UeventMark uevent_classify(const char *action, const char *subsystem, const char *devpath, const char *sysname,
                           UeventClass *ret);
