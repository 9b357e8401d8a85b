/* SPDX-License-Identifier: MIT */
/* The fake host, recording sink and fixture of the batch tests
 * (test-batch.c, test-batch-config.c): a host described in a table, read by
 * a fake reader, and a sink that records what it is told and checks, at
 * every call, what a D-Bus client could see then. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "batch.h"
#include "device-event.h"

#define MSEC 1000ULL
#define PF0 "0000:3b:00.0"
#define VF1 "0000:3b:00.1"
#define VF2 "0000:3b:00.2"
#define VF3 "0000:3b:00.3"
#define MAX_VFS 4
#define SYSPATH_OF(a) (strcmp((a), VF1) == 0 ? READER_PCI_DEVICES "/" VF1 : \
                       strcmp((a), VF2) == 0 ? READER_PCI_DEVICES "/" VF2 : \
                       strcmp((a), VF3) == 0 ? READER_PCI_DEVICES "/" VF3 : READER_PCI_DEVICES "/" PF0)

/* One PCI function as sysfs shows it. */
typedef struct FakeDev {
        const char *address;
        bool present;                   /* its directory exists */
        bool pf;
        const char *driver;             /* NULL: unbound */
        const char *netdev;             /* NULL: none */
        const char *physfn;             /* VF: its PF, NULL once the link is gone */
        const char *virtfn[MAX_VFS];    /* PF: virtfnN links */
        /* Network facts (issue 15). */
        uint32_t mtu;                   /* its netdev's link (ifindex: its slot + 1) */
        uint32_t max_tx_rate;           /* VF: its admin configuration, as its PF's driver says */
        bool spoof_check;
        bool vfs_unlisted;              /* PF: its driver lists none of its VFs yet (mid-enable) */
        /* Settling (issue 14). */
        bool no_autoprobe;              /* PF: sriov_drivers_autoprobe 0 */
        bool netdev_unnamed;            /* its netdev is one udev has not named yet */
} FakeDev;

extern FakeDev host[8];
extern unsigned reads;
extern unsigned vf_queries;             /* VF configuration queries, one per PF asked */
extern uint64_t now;
extern Reader fake_reader;

FakeDev *fake(const char *address);
FakeDev *fake_add(const char *address, bool pf);

typedef struct Record {
        Sink sink;
        const DeviceTable *table;
        char log[64][128];
        size_t n;
} Record;

typedef struct Fixture {
        DeviceTable *table;
        Marks *marks;
        SinkList sinks;
        Record rec;
        Status status;
        Batch batch;
} Fixture;

int setup(void **state);
int teardown(void **state);
/* A PF with n VFs bound to a net driver, scanned at start. */
void start_host(Fixture *f, unsigned n);
/* Lets the clock run to t (from the test's start) and does what the loop
 * would: settle, then a batch if one is due. */
void run_until(Fixture *f, uint64_t t);
void expect(Fixture *f, const char *const *lines);
#define EXPECT(f, ...) expect((f), (const char *const[]) { __VA_ARGS__, NULL })
/* The kernel creates a VF: links, add, driver, netdev, bind. */
void vf_appears(Fixture *f, const char *address, unsigned index);
/* Issue 14, in the kernel's order: pci_iov_add_virtfn()'s "add" (no physfn
 * link yet), the links, "change" (each with the VF's syspath); then the
 * probe: its netdev registered, and "bind". */
void vf_enabled(Fixture *f, const char *address, unsigned index);
void vf_probed(Fixture *f, const char *address, const char *netdev);
