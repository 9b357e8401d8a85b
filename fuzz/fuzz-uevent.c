/* SPDX-License-Identifier: MIT */
/* Uevent property sets: the fields the daemon reads from a udev device
 * (ACTION, SUBSYSTEM, DEVPATH, the sysname) come from the kernel or from
 * whoever can send on the netlink socket, with any bytes. The input is up
 * to four NUL-separated fields in that order; missing ones are NULL. */
#include <stdbool.h>

#include "fuzz.h"
#include "pci-address.h"
#include "uevent-classify.h"

static bool streq_or_null(const char *a, const char *b) {
        return a && strcmp(a, b) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *f[4], *action, *subsystem, *devpath, *sysname;
        char canonical[PCI_ADDRESS_MAX], from_devpath[PCI_ADDRESS_MAX];
        UeventClass c;
        UeventMark mark;
        char *buf;

        (void) fuzz_split(data, size, f, 4, &buf);
        action = f[0], subsystem = f[1], devpath = f[2], sysname = f[3];

        mark = uevent_classify(action, subsystem, devpath, sysname, &c);
        fuzz_assert(mark == c.mark);
        fuzz_assert(mark >= UEVENT_MARK_NONE && mark <= UEVENT_MARK_DIRTY);
        /* Everything but a rename is part of a sequence that settles. */
        fuzz_assert(c.settle == (mark != UEVENT_MARK_NONE && !streq_or_null(action, "move")));
        if (!action || !subsystem || !devpath)
                fuzz_assert(mark == UEVENT_MARK_NONE);
        /* A sequence step only from a PCI uevent of the function itself (issue 14). */
        fuzz_assert(c.step >= UEVENT_STEP_NONE && c.step <= UEVENT_STEP_REMOVE);
        fuzz_assert(c.step == UEVENT_STEP_NONE || (c.with_syspath && streq_or_null(subsystem, "pci")));
        fuzz_assert((c.step == UEVENT_STEP_BIND) == (mark == UEVENT_MARK_DIRTY && c.with_syspath &&
                                                     streq_or_null(action, "bind")));
        fuzz_assert((c.step == UEVENT_STEP_UNBIND) == (mark == UEVENT_MARK_DIRTY && c.with_syspath &&
                                                       streq_or_null(action, "unbind")));
        fuzz_assert((c.step == UEVENT_STEP_REMOVE) == (mark == UEVENT_MARK_PCI && c.removed));
        /* Only the subsystems the monitor subscribes to are treated specially. */
        if (mark == UEVENT_MARK_IOMMU_GROUP) {
                fuzz_assert(streq_or_null(subsystem, "vfio"));
                /* The group is the DEVPATH's last component, inside the input. */
                fuzz_assert(c.group >= devpath && c.group <= devpath + strlen(devpath));
                fuzz_assert(!strchr(c.group, '/'));
                fuzz_assert(c.group == devpath || c.group[-1] == '/');
        } else if (mark != UEVENT_MARK_NONE) {
                fuzz_assert(!streq_or_null(subsystem, "vfio"));
                /* The address is canonical and is the function the DEVPATH names. */
                fuzz_assert(pci_address_normalize(c.address, 0, canonical) == 0);
                fuzz_assert(strcmp(c.address, canonical) == 0);
                fuzz_assert(pci_address_from_devpath(subsystem, devpath, from_devpath) == 0);
                fuzz_assert(strcmp(c.address, from_devpath) == 0);
        } else if (subsystem && devpath && action && !streq_or_null(subsystem, "vfio"))
                /* Nothing of ours: no PCI function in the DEVPATH, or a netdev without a name. */
                fuzz_assert(pci_address_from_devpath(subsystem, devpath, from_devpath) < 0 ||
                            (streq_or_null(subsystem, "net") && !sysname));

        switch (mark) {
        case UEVENT_MARK_NETDEV:
                fuzz_assert(streq_or_null(subsystem, "net"));
                fuzz_assert(c.ifname == sysname);
                fuzz_assert(c.removed == streq_or_null(action, "remove"));
                fuzz_assert(!c.with_syspath);
                break;
        case UEVENT_MARK_PCI:
                fuzz_assert(streq_or_null(subsystem, "pci"));
                fuzz_assert(streq_or_null(action, "add") || streq_or_null(action, "remove") ||
                            streq_or_null(action, "change"));
                fuzz_assert(c.removed == streq_or_null(action, "remove"));
                fuzz_assert(c.with_syspath);
                break;
        case UEVENT_MARK_DIRTY:
                /* Only an add/remove of the function itself says it came or went. */
                fuzz_assert(!c.removed);
                fuzz_assert(!streq_or_null(subsystem, "net"));
                fuzz_assert(c.with_syspath == streq_or_null(subsystem, "pci"));
                break;
        default:
                fuzz_assert(!c.removed && !c.with_syspath);
                break;
        }

        free(buf);
        return 0;
}
