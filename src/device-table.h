/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "device.h"
#include "hashmap.h"

/* The published devices, indexed by PCI address and by netdev name, so that
 * an event costs the same however many devices the host has. */
typedef struct DeviceTable {
        Hashmap *by_address; /* address -> Device, owned */
        Hashmap *by_netdev;  /* netdev name -> its claim (device-table.c), owned */
} DeviceTable;

int device_table_new(DeviceTable **ret);
DeviceTable *device_table_free(DeviceTable *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(DeviceTable *, device_table_free);

size_t device_table_size(const DeviceTable *t);
/* How many PFs and VFs, for the log. */
void device_table_count(const DeviceTable *t, unsigned *ret_pfs, unsigned *ret_vfs);
Device *device_table_get(const DeviceTable *t, const char *address);
/* key: full or short PCI address, or a netdev name. NULL when nothing matches. */
Device *device_table_find(const DeviceTable *t, const char *key);
/* The device a netdev name belongs to, or NULL (an rtnetlink notification names only that). */
Device *device_table_get_by_netdev(const DeviceTable *t, const char *name);
/* FindDevice's keys are addresses or interface names; anything longer is a mistake. */
#define DEVICE_KEY_MAX 64
/* FindDevice as the daemon answers it, so that the fuzzer runs the same code:
 * 0 with *ret, -EINVAL for an empty key, -E2BIG for one longer than
 * DEVICE_KEY_MAX bytes, -ENODEV when nothing matches. */
int device_table_find_key(const DeviceTable *t, const char *key, Device **ret);

/* Inserts d (taking ownership), replacing the device of the same address,
 * which is returned in *ret_old (NULL if none) for the caller to diff and
 * free. On -ENOMEM, d is freed and the table is unchanged. */
int device_table_put(DeviceTable *t, Device *d, Device **ret_old);
/* Unlinks and returns the device (the caller frees it), or NULL. */
Device *device_table_remove(DeviceTable *t, const char *address);

/* Sorts devices by PCI address. */
void device_sort(Device **devices, size_t n);
/* All devices (role < 0) or those of one role, sorted by PCI address. */
int device_table_list(const DeviceTable *t, int role, Device ***ret, size_t *ret_n);

/* Sets a VF's index from its PF's virtfnN links, if the table has the PF. */
void device_table_resolve_vf_index(const DeviceTable *t, Device *vf);
