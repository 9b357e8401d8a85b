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
                strv_free(k->expected_vfs);
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

bool marks_held(const Marks *k, const char *address) {
        return hashmap_get(k->settling, address);
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

static void put_ready(Marks *k, Mark *e) {
        if (hashmap_replace(k->ready, e->address, e) < 0) {
                mark_free(e);
                k->resync_reason = k->resync_reason ?: "out of memory";
        }
}

/* Its driver's probe is running: the driver link is there (the kernel
 * makes it before it calls the probe, and takes it away if the probe
 * fails) and no bind came, for a function that is new, was unbound since,
 * or was bound to another driver (not a bound one held for its netdev). */
static bool probing(const Marks *k, const Mark *e) {
        _cleanup_free_ char *driver = NULL;
        const Device *d;

        if (e->bound || e->removed || !e->syspath || !k->reader->ops->driver ||
            k->reader->ops->driver(k->reader, e->syspath, &driver) <= 0)
                return false;
        d = device_table_get(k->table, e->address);
        return !d || !d->driver || e->unbound || !streq(d->driver, driver);
}

/* Until when a held mark goes on waiting past a pause for what surely comes
 * (SETTLE_AWAIT_MAX_USEC after it was first held); 0: it does not. */
static uint64_t own_await(const Marks *k, const Mark *e) {
        if (e->held_since == 0 || e->removed || !(e->netdev_unnamed || probing(k, e)))
                return 0;
        return e->held_since + SETTLE_AWAIT_MAX_USEC;
}

void marks_settle(Marks *k) {
        uint64_t now = k->clock(), next = 0;
        Mark *e;

        if (k->settle_deadline == 0 || now < k->settle_deadline)
                return;
        /* Each mark's own wait first (a sysfs look at a probe), once: a PF
         * whose VF set is changing waits with its VFs. */
        HASHMAP_FOREACH(e, k->settling, i)
                e->await_until = own_await(k, e);
        /* Into the next batch, but what awaits something that surely comes.
         * An address cannot be in both maps: a mark finds an existing entry
         * in either before it makes one. */
        HASHMAP_FOREACH(e, k->settling, i) {
                uint64_t until = e->await_until;

                for (char **vf = e->expected_vfs; vf && *vf; vf++) {
                        const Mark *v = hashmap_get(k->settling, *vf);

                        if (v && v->await_until > until)
                                until = v->await_until;
                }
                if (until > now) {
                        /* Looked at again after a pause: a failed probe
                         * shows only as its link gone. */
                        if (until > now + SETTLE_QUIET_USEC)
                                until = now + SETTLE_QUIET_USEC;
                        if (next == 0 || until < next)
                                next = until;
                        continue;
                }
                (void) hashmap_remove(k->settling, e->address);
                put_ready(k, e);
        }
        k->settle_since = next ? now : 0;
        k->settle_deadline = next;
        wake(k);
}

/* Published, or in the next batch (which adds VFs before their PF names them). */
static bool known(const Marks *k, const char *address, DeviceRole role) {
        const Device *d = device_table_get(k->table, address);

        return (d && d->role == role) || hashmap_get(k->ready, address);
}

/* Whether a held mark's sequence is over, so that one read shows its end. */
static bool sequence_complete(const Marks *k, const Mark *e) {
        const Device *d = device_table_get(k->table, e->address), *pf;
        const char *pf_address = e->pf[0] ? e->pf : d && d->role == DEVICE_ROLE_VF ? d->pf_address : NULL;

        if (e->removed)
                return true;
        if (e->netdev_unnamed)
                return false;
        if (pf_address) {
                /* A VF names its PF: never before the PF is published. */
                if (!known(k, pf_address, DEVICE_ROLE_PF))
                        return false;
                if (e->bound)
                        return true;
                /* With sriov_drivers_autoprobe 0 nothing probes a new VF:
                 * its "change" (its links exist) is its last event. */
                pf = device_table_get(k->table, pf_address);
                return e->changed && !d && pf && pf->role == DEVICE_ROLE_PF && !pf->drivers_autoprobe;
        }
        /* A PF (or a function that is no VF): read as a PF (a new one lists
         * no VF at its "add": complete; its probe is a change of it, as
         * libvirt reports it), bound, or its VFs enabled, and every VF it
         * lists known. A function that is no VF has no physfn link at its
         * "add" either, so only sriov_totalvfs tells a PF then. */
        if (!e->bound && !e->changed && !e->pf_read)
                return false;
        for (char **vf = e->expected_vfs; vf && *vf; vf++)
                if (!known(k, *vf, DEVICE_ROLE_VF))
                        return false;
        return true;
}

/* Releases every held mark whose sequence is complete, at once: one may
 * complete another (a VF its PF's VF set, a PF its VFs). */
static void release_complete(Marks *k) {
        bool released = true;
        Mark *e;

        while (released) {
                released = false;
                HASHMAP_FOREACH(e, k->settling, i)
                        if (sequence_complete(k, e)) {
                                (void) hashmap_remove(k->settling, e->address);
                                put_ready(k, e);
                                released = true;
                        }
        }
        if (hashmap_size(k->settling) == 0)
                k->settle_since = k->settle_deadline = 0;
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

static Mark *mark(Marks *k, const char *address, const char *syspath, bool existence_changed, bool hold);

/* A function came or went: the published members of its IOMMU group list
 * it (IommuGroupDevices). A new one names its group; a gone one (its link
 * is gone by its "remove") is found in the lists that name it. */
static void mark_group_peers(Marks *k, const char *address, const char *syspath, bool hold) {
        int32_t group = -1;
        Device *d;

        if (syspath && k->reader->ops->iommu_group)
                (void) k->reader->ops->iommu_group(k->reader, syspath, &group);
        HASHMAP_FOREACH(d, k->table->by_address, i) {
                if (streq(d->address, address) || d->iommu_group < 0)
                        continue;
                if (d->iommu_group == group || strv_contains(d->iommu_group_devices, address))
                        (void) mark(k, d->address, d->syspath, false, hold);
        }
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
                /* The PF's VF set follows its virtfnN links, which change with
                 * the VF; its VFs' configuration is asked again when it is read
                 * (no link notification says so), also when a batch of its
                 * own, after its VFs', reads it (issue 14). */
                const Device *d = device_table_get(k->table, address);
                char pf[PCI_ADDRESS_MAX];
                Mark *p = NULL;

                if (d && d->role == DEVICE_ROLE_VF)
                        p = mark(k, d->pf_address, NULL, false, held);
                else if (syspath && k->reader->ops->physfn(k->reader, syspath, pf) >= 0) {
                        p = mark(k, pf, NULL, false, held);
                        memcpy(e->pf, pf, sizeof(e->pf));
                }
                if (p)
                        p->vf_config = true;
                mark_group_peers(k, address, syspath, held);
        }
        if (held) {
                if (e->held_since == 0)
                        e->held_since = k->clock();
                settle_hold(k);
        }
        return e;
}

/* A new VF's PF, once its physfn link exists (from its "change" on). */
static void learn_physfn(Marks *k, Mark *e) {
        char pf[PCI_ADDRESS_MAX];

        if (e->pf[0] || !e->syspath || device_table_get(k->table, e->address))
                return;
        if (k->reader->ops->physfn(k->reader, e->syspath, pf) >= 0)
                memcpy(e->pf, pf, sizeof(e->pf));
}

/* Whether a function reads as a PF, and at its "change" (its VF set's
 * change is over) the VFs it lists now. At its "add" a new PF lists none,
 * or, read late, VFs whose own sequences name it: it does not wait for them
 * (they wait for it, and it names only those published). A VF reads as
 * nothing at its "add" (no physfn link, no sriov_totalvfs): two lookups. */
static void learn_pf(Marks *k, Mark *e, bool vf_set) {
        _cleanup_(device_freep) Device *d = NULL;
        char **vfs = NULL;
        const Device *cur = device_table_get(k->table, e->address);

        if (e->pf[0] || !e->syspath || (cur && cur->role == DEVICE_ROLE_VF) ||
            k->reader->ops->read(k->reader, e->syspath, cur, &d) <= 0 ||
            d->role != DEVICE_ROLE_PF)
                return;
        e->pf_read = true;
        if (!vf_set)
                return;
        for (size_t i = 0; i < d->n_vfs; i++)
                if (strv_consume(&vfs, strdup(d->vfs[i].address)) < 0) {
                        /* Nothing expected: the PF is then released with what is known. */
                        vfs = strv_free(vfs);
                        break;
                }
        strv_free(e->expected_vfs);
        e->expected_vfs = vfs;
}

void marks_dirty(Marks *k, const char *address, const char *syspath, bool settle) {
        if (mark(k, address, syspath, false, settle))
                release_complete(k);
        wake(k);
}

void marks_pci(Marks *k, const char *address, const char *syspath, UeventStep step) {
        Mark *e = mark(k, address, syspath, true, true);

        if (e) {
                e->removed = step == UEVENT_STEP_REMOVE;
                if (step == UEVENT_STEP_CHANGE) {
                        e->changed = true;
                        learn_physfn(k, e);
                }
                if (step != UEVENT_STEP_REMOVE)
                        learn_pf(k, e, step == UEVENT_STEP_CHANGE);
                release_complete(k);
        }
        wake(k);
}

void marks_bind(Marks *k, const char *address, const char *syspath) {
        Mark *e = mark(k, address, syspath, false, true);

        if (e) {
                e->bound = true;
                e->unbound = false;
                learn_physfn(k, e);
                release_complete(k);
        }
        wake(k);
}

void marks_driver(Marks *k, const char *address, const char *syspath, bool bound) {
        Mark *e;

        if (bound) {
                marks_bind(k, address, syspath);
                return;
        }
        e = mark(k, address, syspath, false, true);
        if (e) {
                e->unbound = true;
                e->bound = false;
        }
        wake(k);
}

bool marks_hold_again(Marks *k, const Mark *e) {
        Mark *held;

        if (e->held_since == 0 || k->clock() >= e->held_since + SETTLE_AWAIT_MAX_USEC)
                return false;
        /* Marked again since the batch took it, or a new held mark: it goes
         * on knowing what this one knew. */
        held = mark_get(k, e->address, true);
        if (!held)
                return true; /* a rescan comes */
        if (hashmap_get(k->settling, e->address) == held) {
                held->netdev_unnamed = true;
                held->held_since = held->held_since ?: e->held_since;
                held->bound = held->bound || e->bound;
                held->changed = held->changed || e->changed;
                held->unbound = held->unbound || e->unbound;
                held->pf_read = held->pf_read || e->pf_read;
                if (!held->pf[0])
                        memcpy(held->pf, e->pf, sizeof(held->pf));
        }
        if (!held->syspath && e->syspath)
                held->syspath = strdup(e->syspath);
        for (char **name = e->removed_netdevs; name && *name; name++)
                if (!strv_contains(held->removed_netdevs, *name))
                        (void) strv_consume(&held->removed_netdevs, strdup(*name));
        settle_hold(k);
        wake(k);
        return true;
}

void marks_netdev(Marks *k, const char *address, const char *ifname, bool removed, bool settle) {
        Mark *e = mark(k, address, NULL, false, settle);

        if (e) {
                if (removed) {
                        if (!strv_contains(e->removed_netdevs, ifname))
                                (void) strv_consume(&e->removed_netdevs, strdup(ifname));
                } else {
                        /* Back under the same name: it exists again. */
                        (void) strv_remove(e->removed_netdevs, ifname);
                        /* udev named it (its events come once it has). */
                        e->netdev_unnamed = false;
                }
                release_complete(k);
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
