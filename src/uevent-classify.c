/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "macro.h"
#include "uevent-classify.h"

static UeventMark classify(const char *action, const char *subsystem, const char *devpath, const char *sysname,
                           UeventClass *ret) {
        *ret = (UeventClass) { .mark = UEVENT_MARK_NONE };

        if (!action || !subsystem || !devpath)
                return UEVENT_MARK_NONE;

        if (streq(subsystem, "vfio")) {
                /* A group node (devices/virtual/vfio/44): whoever is in the group. */
                const char *name = strrchr(devpath, '/');

                ret->group = name ? name + 1 : devpath;
                return (ret->mark = UEVENT_MARK_IOMMU_GROUP);
        }
        if (pci_address_from_devpath(subsystem, devpath, ret->address) < 0)
                return UEVENT_MARK_NONE;

        if (streq(subsystem, "net")) {
                if (!sysname)
                        return UEVENT_MARK_NONE;
                ret->ifname = sysname;
                ret->removed = streq(action, "remove");
                return (ret->mark = UEVENT_MARK_NETDEV);
        }
        if (streq(subsystem, "pci") && (streq(action, "add") || streq(action, "remove") || streq(action, "change"))) {
                ret->removed = streq(action, "remove");
                ret->step = ret->removed           ? UEVENT_STEP_REMOVE
                            : streq(action, "add") ? UEVENT_STEP_ADD
                                                   : UEVENT_STEP_CHANGE;
                ret->with_syspath = true;
                return (ret->mark = UEVENT_MARK_PCI);
        }
        /* bind/unbind of a function, or a vfio-dev child: re-read, existence unchanged. */
        ret->with_syspath = streq(subsystem, "pci");
        if (ret->with_syspath && streq(action, "bind"))
                ret->step = UEVENT_STEP_BIND;
        else if (ret->with_syspath && streq(action, "unbind"))
                ret->step = UEVENT_STEP_UNBIND;
        return (ret->mark = UEVENT_MARK_DIRTY);
}

UeventMark uevent_classify(const char *action, const char *subsystem, const char *devpath, const char *sysname,
                           UeventClass *ret) {
        UeventMark mark = classify(action, subsystem, devpath, sysname, ret);

        ret->settle = mark != UEVENT_MARK_NONE && !streq(action, "move");
        return mark;
}
