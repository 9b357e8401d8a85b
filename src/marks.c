/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "marks.h"
#include "strv.h"
#include "sysfs-parse.h"

Mark *mark_free(Mark *k) {
        if (k) {
                strv_free(k->removed_netdevs);
                free(k->syspath);
                free(k);
        }
        return NULL;
}

void marks_map_clear(Hashmap *map) {
        Mark *k;

        HASHMAP_FOREACH(k, map, i) {
                (void) hashmap_remove(map, k->address);
                mark_free(k);
        }
}

static uint64_t clock_monotonic(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

int marks_new(Marks **ret, const DeviceTable *table, Reader *reader, Status *status) {
        _cleanup_(marks_freep) Marks *k = NULL;

        k = calloc(1, sizeof(Marks));
        if (!k)
                return -ENOMEM;
        *k = (Marks) {
                .table = table,
                .reader = reader,
                .status = status,
                .clock = clock_monotonic,
        };
        k->ready = hashmap_new();
        k->settling = hashmap_new();
        if (!k->ready || !k->settling)
                return -ENOMEM;
        *ret = TAKE_PTR(k);
        return 0;
}

Marks *marks_free(Marks *k) {
        if (!k)
                return NULL;
        marks_map_clear(k->ready);
        hashmap_free(k->ready);
        marks_map_clear(k->settling);
        hashmap_free(k->settling);
        free(k);
        return NULL;
}

static void wake(Marks *k) {
        if (k->wake)
                k->wake(k->userdata);
}

void marks_count_event(Marks *k) {
        if (k->status)
                k->status->events_processed++;
        wake(k);
}

bool marks_resync_requested(const char *reason) {
        return streq(reason, "SIGHUP") || streq(reason, "Refresh");
}

bool marks_resync_lost_events(const char *reason) {
        return streq(reason, MARKS_RESYNC_UEVENT_OVERRUN) || streq(reason, MARKS_RESYNC_INOTIFY_OVERFLOW);
}

void marks_resync(Marks *k, const char *reason) {
        if (!k->resync_reason || marks_resync_requested(reason))
                k->resync_reason = reason;
        wake(k);
}

bool marks_batch_due(const Marks *k) {
        return k->resync_reason || k->wanted || hashmap_size(k->ready) > 0;
}

static Mark *mark_find(Marks *k, const char *address) {
        Mark *e = hashmap_get(k->settling, address);

        return e ?: hashmap_get(k->ready, address);
}

static void settle_hold(Marks *k) {
        uint64_t now = k->clock();

        if (k->settle_since == 0)
                k->settle_since = now;
        k->settle_deadline = now + SETTLE_QUIET_USEC;
        if (k->settle_deadline > k->settle_since + SETTLE_MAX_USEC)
                k->settle_deadline = k->settle_since + SETTLE_MAX_USEC;
}

void marks_settle(Marks *k) {
        Mark *e;

        if (k->settle_deadline == 0 || k->clock() < k->settle_deadline)
                return;
        /* Into the next batch. An address cannot be in both maps: a mark
         * finds an existing entry in either before it makes one. */
        HASHMAP_FOREACH(e, k->settling, i) {
                (void) hashmap_remove(k->settling, e->address);
                if (hashmap_replace(k->ready, e->address, e) < 0) {
                        mark_free(e);
                        k->resync_reason = k->resync_reason ?: "out of memory";
                }
        }
        k->settle_since = k->settle_deadline = 0;
        wake(k);
}

/* The entry of an address in the next batch, made if need be: held while
 * the device is appearing (not in the table) or `hold` says the kernel is
 * mid-sequence. A mark already waiting stays where it is: a held one is not
 * hurried by a later trigger, and a ready one is not delayed. */
static Mark *mark_get(Marks *k, const char *address, bool hold) {
        Mark *e = mark_find(k, address);
        Hashmap *map;

        if (e)
                return e;
        map = hold || !device_table_get(k->table, address) ? k->settling : k->ready;
        e = calloc(1, sizeof(Mark));
        if (!e || snprintf(e->address, sizeof(e->address), "%s", address) >= (int) sizeof(e->address) ||
            hashmap_replace(map, e->address, e) < 0) {
                mark_free(e);
                marks_resync(k, "out of memory");
                return NULL;
        }
        return e;
}

static Mark *mark(Marks *k, const char *address, const char *syspath, bool existence_changed, bool hold) {
        Mark *e = mark_get(k, address, hold);
        bool held;

        if (!e)
                return NULL;
        held = hashmap_get(k->settling, address) == e;
        if (syspath && (!e->syspath || !streq(e->syspath, syspath))) {
                free(e->syspath);
                e->syspath = strdup(syspath);
        }

        if (existence_changed) {
                /* The PF's VF set follows its virtfnN links, which change with the VF. */
                const Device *d = device_table_get(k->table, address);
                char pf[PCI_ADDRESS_MAX];

                if (d && d->role == DEVICE_ROLE_VF)
                        (void) mark(k, d->pf_address, NULL, false, held);
                else if (syspath && k->reader->ops->physfn(k->reader, syspath, pf) >= 0)
                        (void) mark(k, pf, NULL, false, held);
        }
        if (held)
                settle_hold(k);
        return e;
}

void marks_dirty(Marks *k, const char *address, const char *syspath, bool settle) {
        (void) mark(k, address, syspath, false, settle);
        wake(k);
}

void marks_pci(Marks *k, const char *address, const char *syspath, bool removed) {
        Mark *e = mark(k, address, syspath, true, true);

        if (e)
                e->removed = removed;
        wake(k);
}

void marks_netdev(Marks *k, const char *address, const char *ifname, bool removed, bool settle) {
        Mark *e = mark(k, address, NULL, false, settle);

        if (e) {
                if (removed) {
                        if (!strv_contains(e->removed_netdevs, ifname))
                                (void) strv_consume(&e->removed_netdevs, strdup(ifname));
                } else
                        /* Back under the same name: it exists again. */
                        (void) strv_remove(e->removed_netdevs, ifname);
        }
        wake(k);
}

void marks_link(Marks *k, const char *ifname) {
        const Device *d = device_table_get_by_netdev(k->table, ifname);
        Mark *e;

        /* Another netdev of the host (a veth, a bridge): not ours. */
        if (!d)
                return;
        /* Not held: a link change is no part of a kernel sequence; a mark
         * already held stays held. */
        e = mark(k, d->address, d->syspath, false, false);
        if (e && d->role == DEVICE_ROLE_PF)
                e->vf_config = true;
        wake(k);
}

void marks_vf_config(Marks *k, const char *pf_address) {
        const Device *pf = device_table_get(k->table, pf_address);
        Mark *e;

        if (!pf || pf->role != DEVICE_ROLE_PF)
                return;
        e = mark(k, pf->address, pf->syspath, false, false);
        if (e)
                e->vf_config = true;
        wake(k);
}

void marks_iommu_group(Marks *k, const char *group, bool settle) {
        int32_t g;
        Device *d;

        if (parse_i32(group, &g) < 0)
                return;
        HASHMAP_FOREACH(d, k->table->by_address, i)
                if (d->iommu_group == g)
                        (void) mark(k, d->address, d->syspath, false, settle);
        /* Even with no member known: the sinks hear of the batch (the inotify
         * source watches /dev/vfio once it exists). */
        k->wanted = true;
        wake(k);
}

Hashmap *marks_take_ready(Marks *k) {
        Hashmap *batch = k->ready, *fresh = hashmap_new();

        k->wanted = false;
        if (!fresh) {
                /* Keep them; a rescan will cover them. */
                marks_resync(k, "out of memory");
                return NULL;
        }
        k->ready = fresh;
        return batch;
}

void marks_clear(Marks *k) {
        marks_map_clear(k->ready);
        marks_map_clear(k->settling);
        k->settle_since = k->settle_deadline = 0;
        k->wanted = false;
}
