/* SPDX-License-Identifier: MIT */
#pragma once

#include "device.h"
#include "pci-address.h"

/* Where the batch gets its facts: sysfs today (sysfs-reader.c), a fake in
 * test-batch. More facts (rtnetlink, devlink) join the same record. */
typedef struct Reader Reader;

typedef struct ReaderOps {
        /* 1 with *ret for a PF or VF, 0 when syspath is not an SR-IOV function
         * (or is gone), -ENOMEM. `previous` (or NULL) is the last reading. */
        int (*read)(Reader *r, const char *syspath, const Device *previous, Device **ret);
        /* The syspaths of every PCI function. */
        int (*list)(Reader *r, char ***ret);
        /* The PF a VF's physfn link points to. */
        int (*physfn)(Reader *r, const char *syspath, char address[static PCI_ADDRESS_MAX]);
        /* The IOMMU group a function's iommu_group link names; < 0 when
         * none. May be NULL (then group peers are not followed). */
        int (*iommu_group)(Reader *r, const char *syspath, int32_t *ret);
        /* The driver a function's driver link names now: 1 with *ret (the
         * kernel makes the link before it calls the probe), 0 with none, or
         * a negative errno. May be NULL (then no probe is seen running). */
        int (*driver)(Reader *r, const char *syspath, char **ret);
        /* A full scan starts: forget what is cached. May be NULL. */
        void (*rescan)(Reader *r);

        /* Network facts (issue 15); each may be NULL. */
        /* Asks the kernel for a PF's VF admin configuration (pf->vfs still
         * holds its links), sets pf->vf_config_complete, and appends to
         * *changed the addresses of the VFs whose configuration differs
         * from the last answer. -ENOMEM only. */
        int (*query_vf_config)(Reader *r, Device *pf, char ***changed);
        /* Sets a VF's configuration from its PF's last answer. */
        void (*fill_vf_config)(Reader *r, Device *vf);
        /* A full scan ended: what rescan() gathered for it is stale now. */
        void (*scan_done)(Reader *r);
} ReaderOps;

struct Reader {
        const ReaderOps *ops;
};

/* Where a function's syspath is when nothing told us: /sys/bus/pci/devices/ADDRESS. */
#define READER_PCI_DEVICES "/sys/bus/pci/devices"
