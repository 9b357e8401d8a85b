/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus-objects.h"
#include "config.h"
#include "inotify-source.h"
#include "log.h"
#include "manager.h"
#include "pci-address.h"
#include "polkit.h"
#include "private-socket.h"
#include "strv.h"
#include "sysfs-parse.h"
#include "sysfs-reader.h"

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL
#define RETRY_DELAY_MIN_USEC (100 * 1000ULL)
#define RETRY_DELAY_MAX_USEC (30 * USEC_PER_SEC)
/* Appearing devices are published once their uevents pause this long (a VF's
 * add, change, netdev and bind come within a few milliseconds), and at the
 * latest this long after the first was held. */
#define SETTLE_QUIET_USEC (20 * 1000ULL)
#define SETTLE_MAX_USEC (250 * 1000ULL)
/* EventsProcessed changes with every event: announce it at most once a second. */
#define EVENTS_PROCESSED_PERIOD_USEC USEC_PER_SEC

typedef struct DirtyDevice {
        char address[PCI_ADDRESS_MAX];
        char *syspath;
        /* Netdevs whose "remove" uevent arrived: gone, even if their sysfs
         * directory lingers (the kernel sends the uevent before deleting it). */
        char **removed_netdevs;
        /* Its own "remove" uevent arrived: gone, for the same reason. */
        bool removed;
} DirtyDevice;

static DirtyDevice *dirty_device_free(DirtyDevice *e) {
        if (e) {
                strv_free(e->removed_netdevs);
                free(e->syspath);
                free(e);
        }
        return NULL;
}

static void dirty_clear(Hashmap *dirty) {
        DirtyDevice *e;

        HASHMAP_FOREACH(e, dirty, i) {
                (void) hashmap_remove(dirty, e->address);
                dirty_device_free(e);
        }
}

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;

        (void) clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000ULL;
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return log_oom();
        m->version = PACKAGE_VERSION;
        m->inotify_fd = -EBADF;
        m->retry_delay_usec = RETRY_DELAY_MIN_USEC;

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");
        m->udev = udev_new();
        if (!m->udev)
                return log_error_errno(errno ?: ENOMEM, "Failed to create the udev context: %m");
        r = device_table_new(&m->table);
        if (r < 0)
                return log_oom();
        m->dirty = hashmap_new();
        m->settling = hashmap_new();
        if (!m->dirty || !m->settling)
                return log_oom();

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        while (m->auth_queries)
                auth_query_free(m->auth_queries);
        private_socket_stop(m);
        for (size_t i = 0; i < m->n_refresh_waiters; i++)
                sd_bus_message_unref(m->refresh_waiters[i]);
        free(m->refresh_waiters);
        uevent_source_stop(m);
        inotify_source_stop(m);
        hashmap_free(m->watches);
        sd_event_source_disable_unref(m->retry_timer);
        sd_event_source_disable_unref(m->resync_timer);
        sd_event_source_disable_unref(m->batch);
        sd_event_source_disable_unref(m->events_timer);
        sd_event_source_disable_unref(m->settle_timer);
        dirty_clear(m->dirty);
        hashmap_free(m->dirty);
        dirty_clear(m->settling);
        hashmap_free(m->settling);
        if (m->bus) {
                (void) sd_bus_release_name(m->bus, BUS_NAME);
                sd_bus_flush_close_unref(m->bus);
        }
        device_table_free(m->table);
        vendor_names_clear(&m->vendor_names);
        udev_unref(m->udev);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

/* One device from sysfs, its netdevs as udev will have named them (see
 * sysfs_drop_unnamed_netdevs()) when the daemon follows udev's events. */
static int read_device(Manager *m, const char *syspath, const Device *previous, Device **ret) {
        int r;

        r = sysfs_read_device_cached(m->udev, &m->vendor_names, syspath, previous, ret);
        if (r > 0 && m->netdevs_named_by_udev)
                (void) sysfs_drop_unnamed_netdevs(m->udev, *ret);
        return r;
}

/* Reads every SR-IOV function into a new table, VF indexes resolved. */
static int scan_all(Manager *m, DeviceTable **ret) {
        _cleanup_(device_table_freep) DeviceTable *t = NULL;
        _cleanup_strv_free_ char **syspaths = NULL;
        Device *d;
        int r;

        r = device_table_new(&t);
        if (r < 0)
                return r;
        r = sysfs_list_pci_devices(&syspaths);
        if (r == -ENOENT) {
                /* A container without PCI sysfs, a machine without PCI: an
                 * empty table, still served; said once, not per rescan. */
                if (!m->warned_no_pci)
                        log_warning("No " SYSFS_PCI_DEVICES " on this host: no PCI devices to monitor.");
                m->warned_no_pci = true;
        } else if (r < 0)
                return log_error_errno(r, "Failed to list PCI devices in " SYSFS_PCI_DEVICES ": %m");

        /* A full scan asks udev's hwdb afresh, once per vendor. */
        vendor_names_clear(&m->vendor_names);
        for (char **syspath = syspaths; syspath && *syspath; syspath++) {
                Device *old;

                r = read_device(m, *syspath, NULL, &d);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = device_table_put(t, d, &old);
                if (r < 0)
                        return r;
                device_free(old); /* the same address twice: keep the later reading */
        }
        HASHMAP_FOREACH(d, t->by_address, i)
                device_table_resolve_vf_index(t, d);

        *ret = TAKE_PTR(t);
        return 0;
}

static void emit_device_event(Manager *m, const char *type, const char *action, const char *device,
                              const Device *d) {
        bus_emit_device_event(m, type, action, device, d->object_path, now_usec(CLOCK_REALTIME));
}

/* DeviceEvents follow from what changed, not from which uevents arrived, so
 * coalesced events and a Refresh say the same thing. */
static void emit_device_events(Manager *m, const Device *old, const Device *new, unsigned changed) {
        size_t gone = 0, came = 0;
        const char *came_name = NULL;

        /* Interfaces first: the kernel removes a netdev before it unbinds. */
        if (changed & DEVICE_PROP_NET_DEVICES) {
                for (char **n = old->netdevs; n && *n; n++)
                        if (!strv_contains(new->netdevs, *n))
                                gone++;
                for (char **n = new->netdevs; n && *n; n++)
                        if (!strv_contains(old->netdevs, *n))
                                came++, came_name = *n;
                /* One name replaced by another on a device that kept its driver: a rename. */
                if (gone == 1 && came == 1 && !(changed & DEVICE_PROP_DRIVER))
                        emit_device_event(m, "interface", "modified", came_name, new);
                else {
                        for (char **n = old->netdevs; n && *n; n++)
                                if (!strv_contains(new->netdevs, *n))
                                        emit_device_event(m, "interface", "deleted", *n, new);
                        for (char **n = new->netdevs; n && *n; n++)
                                if (!strv_contains(old->netdevs, *n))
                                        emit_device_event(m, "interface", "created", *n, new);
                }
        }
        if (changed & DEVICE_PROP_DRIVER)
                emit_device_event(m, "driver", "modified", new->address, new);
        if (changed & DEVICE_PROPS_PF_IFACE)
                emit_device_event(m, "sriov", "modified", new->address, new);
}

static void unpublish(Manager *m, Device *cur, bool *pfs_changed) {
        char address[PCI_ADDRESS_MAX];
        bool pf = cur->role == DEVICE_ROLE_PF;

        bus_emit_device_removed(m, cur);
        emit_device_event(m, "pci", "deleted", cur->address, cur);
        (void) snprintf(address, sizeof(address), "%s", cur->address);
        device_free(device_table_remove(m->table, address));
        if (pf) {
                inotify_unwatch_pf(m, address);
                *pfs_changed = true;
        }
}

/* Makes the table's entry for one address equal to `fresh` (NULL: the device
 * is gone), taking ownership of it, and publishes the difference. Returns 1
 * when something changed. */
static int manager_apply_device(Manager *m, const char *address, Device *fresh, bool *pfs_changed) {
        Device *cur = device_table_get(m->table, address), *old = NULL;
        unsigned changed;
        int r;

        if (cur && (!fresh || (device_diff(cur, fresh) & DEVICE_PROP_IDENTITY))) {
                unpublish(m, cur, pfs_changed);
                if (!fresh)
                        return 1;
        }
        if (!fresh)
                return 0;

        r = device_table_put(m->table, fresh, &old);
        if (r < 0)
                return log_oom();
        if (!old) {
                bus_emit_device_added(m, fresh);
                emit_device_event(m, "pci", "created", fresh->address, fresh);
                for (char **n = fresh->netdevs; n && *n; n++)
                        emit_device_event(m, "interface", "created", *n, fresh);
                if (fresh->role == DEVICE_ROLE_PF) {
                        inotify_watch_pf(m, fresh);
                        *pfs_changed = true;
                }
                return 1;
        }
        /* A PF removed and back within one batch reads as unchanged, but its
         * attribute files are new: the watches on the old ones ended
         * (IN_IGNORED), maybe while they were gone. Watch them again (the
         * same inode gives the same watch). */
        if (fresh->role == DEVICE_ROLE_PF)
                inotify_watch_pf(m, fresh);
        changed = device_diff(old, fresh);
        if (changed) {
                bus_emit_device_changed(m, fresh, changed);
                emit_device_events(m, old, fresh, changed);
        }
        device_free(old);
        return changed != 0;
}

static void emit_manager_changes(Manager *m, bool pfs_changed, bool refreshed) {
        const char *names[3] = {};
        size_t n = 0;

        if (pfs_changed)
                names[n++] = "PhysicalFunctions";
        if (refreshed)
                names[n++] = "LastRefresh";
        if (n > 0 && m->bus)
                bus_emit_manager_changed(m, names);
}

/* One device's new reading (NULL: it is gone), to be published. */
typedef struct Reading {
        char address[PCI_ADDRESS_MAX];
        Device *fresh;
} Reading;

/* Refreshes a device now (the PF a new VF needs to find its index). */
static int refresh_one(Manager *m, const char *address, const char *syspath, bool *pfs_changed);

/* Publishes readings, taking their devices, in the one order that never
 * shows a client a VF whose PF it does not know: gone VFs, gone PFs, PFs,
 * then VFs (whose index comes from their PF's links). Returns how many
 * devices changed, naming the first few in *names when asked. */
static unsigned apply_readings(Manager *m, Reading *readings, size_t n, bool *pfs_changed, char ***names) {
        unsigned changed = 0;

        for (int pass = 0; pass < 4; pass++)
                for (size_t i = 0; i < n; i++) {
                        Reading *rd = &readings[i];
                        const Device *cur = device_table_get(m->table, rd->address);

                        switch (pass) {
                        case 0:
                        case 1:
                                if (rd->fresh || !cur || (int) cur->role != (pass == 0 ? DEVICE_ROLE_VF : DEVICE_ROLE_PF))
                                        continue;
                                break;
                        case 2:
                                if (!rd->fresh || rd->fresh->role != DEVICE_ROLE_PF)
                                        continue;
                                break;
                        case 3:
                                if (!rd->fresh || rd->fresh->role != DEVICE_ROLE_VF)
                                        continue;
                                device_table_resolve_vf_index(m->table, rd->fresh);
                                if (rd->fresh->vf_index == VF_INDEX_UNKNOWN) {
                                        /* Its PF's links were not re-read yet: do it now. */
                                        const Device *pf = device_table_get(m->table, rd->fresh->pf_address);

                                        if (pf && pf->syspath)
                                                (void) refresh_one(m, pf->address, pf->syspath, pfs_changed);
                                        device_table_resolve_vf_index(m->table, rd->fresh);
                                }
                                break;
                        }
                        if (manager_apply_device(m, rd->address, TAKE_PTR(rd->fresh), pfs_changed) <= 0)
                                continue;
                        if (names && changed < 8)
                                (void) strv_consume(names, strdup(rd->address));
                        changed++;
                }
        return changed;
}

static int refresh_full(Manager *m, unsigned *ret_changed, char ***ret_names) {
        _cleanup_(device_table_freep) DeviceTable *fresh = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ Device **current = NULL;
        _cleanup_free_ Reading *readings = NULL;
        size_t n_current, n = 0;
        bool pfs_changed = false;
        unsigned changed;
        Device *d;
        int r;

        /* A full scan covers whatever was pending. */
        dirty_clear(m->dirty);
        dirty_clear(m->settling);
        m->settle_since = 0;
        if (m->settle_timer)
                (void) sd_event_source_set_enabled(m->settle_timer, SD_EVENT_OFF);
        r = scan_all(m, &fresh);
        if (r < 0)
                return r;

        /* Every address either reading knows: gone ones, and fresh ones. */
        r = device_table_list(m->table, -1, &current, &n_current);
        if (r < 0)
                return r;
        readings = calloc(n_current + device_table_size(fresh), sizeof(Reading));
        if (!readings)
                return -ENOMEM;
        for (size_t i = 0; i < n_current; i++)
                if (!device_table_get(fresh, current[i]->address))
                        (void) snprintf(readings[n++].address, PCI_ADDRESS_MAX, "%s", current[i]->address);
        HASHMAP_FOREACH(d, fresh->by_address, i) {
                (void) hashmap_remove(fresh->by_address, d->address);
                (void) snprintf(readings[n].address, PCI_ADDRESS_MAX, "%s", d->address);
                readings[n++].fresh = d;
        }
        changed = apply_readings(m, readings, n, &pfs_changed, &names);

        m->last_refresh = now_usec(CLOCK_REALTIME);
        emit_manager_changes(m, pfs_changed, true);
        log_debug("Scan done: %zu SR-IOV functions, %u changed.", device_table_size(m->table), changed);
        if (ret_changed)
                *ret_changed = changed;
        if (ret_names)
                *ret_names = TAKE_PTR(names);
        return 0;
}

/* Re-reads one device now (the PF a new VF needs to find its index). */
static int refresh_one(Manager *m, const char *address, const char *syspath, bool *pfs_changed) {
        Device *fresh = NULL;
        int r;

        r = read_device(m, syspath, device_table_get(m->table, address), &fresh);
        if (r < 0)
                return r;
        return manager_apply_device(m, address, fresh, pfs_changed);
}

static const char *dirty_syspath(Manager *m, const DirtyDevice *e, char buf[static PATH_MAX]) {
        const Device *d = device_table_get(m->table, e->address);

        if (e->syspath)
                return e->syspath;
        if (d && d->syspath)
                return d->syspath;
        (void) snprintf(buf, PATH_MAX, SYSFS_PCI_DEVICES "/%s", e->address);
        return buf;
}

static void forget_removed_netdev(Device *d, const char *name) {
        if (strv_remove(d->netdevs, name))
                d->mode = device_mode(d->driver, d->netdevs);
}

static void process_dirty(Manager *m) {
        _cleanup_(hashmap_freep) Hashmap *batch = NULL;
        _cleanup_free_ Reading *readings = NULL;
        bool pfs_changed = false;
        size_t n = 0;
        DirtyDevice *e;

        /* Marks made while we work go to the next batch. */
        batch = m->dirty;
        m->dirty = hashmap_new();
        if (!m->dirty) {
                m->dirty = TAKE_PTR(batch);
                log_oom();
                return;
        }
        readings = calloc(hashmap_size(batch), sizeof(Reading));
        if (!readings) {
                log_oom();
                manager_request_resync(m, "out of memory");
                dirty_clear(batch);
                return;
        }

        HASHMAP_FOREACH(e, batch, i) {
                Reading *rd = &readings[n++];
                char buf[PATH_MAX];
                int r;

                memcpy(rd->address, e->address, sizeof(rd->address));
                r = e->removed ? 0
                               : read_device(m, dirty_syspath(m, e, buf), device_table_get(m->table, e->address),
                                             &rd->fresh);
                if (r < 0)
                        log_warning_errno(r, "Failed to read %s: %m", e->address);
                if (!rd->fresh && !e->removed) {
                        /* Gone on a re-read, before its own remove (the kernel
                         * takes a VF's links away first): by then nothing
                         * says whose VF it was, and its PF still lists it. */
                        const Device *cur = device_table_get(m->table, e->address);

                        if (cur && cur->role == DEVICE_ROLE_VF)
                                manager_mark_dirty(m, cur->pf_address, NULL, false);
                }
                if (rd->fresh)
                        for (char **name = e->removed_netdevs; name && *name; name++)
                                forget_removed_netdev(rd->fresh, *name);
        }
        dirty_clear(batch);

        (void) apply_readings(m, readings, n, &pfs_changed, NULL);
        emit_manager_changes(m, pfs_changed, false);
}

static void answer_refresh_waiters(Manager *m, int result) {
        size_t n = m->n_refresh_waiters;
        sd_bus_message **waiters = TAKE_PTR(m->refresh_waiters);

        m->n_refresh_waiters = 0;
        for (size_t i = 0; i < n; i++) {
                if (result < 0)
                        (void) sd_bus_reply_method_errorf(waiters[i], SD_BUS_ERROR_FAILED,
                                                          "Failed to rescan devices: %s", strerror(-result));
                else
                        (void) sd_bus_reply_method_return(waiters[i], NULL);
                sd_bus_message_unref(waiters[i]);
        }
        free(waiters);
}

int manager_queue_refresh(Manager *m, sd_bus_message *call) {
        sd_bus_message **t = reallocarray(m->refresh_waiters, m->n_refresh_waiters + 1, sizeof(sd_bus_message *));

        if (!t)
                return -ENOMEM;
        m->refresh_waiters = t;
        m->refresh_waiters[m->n_refresh_waiters++] = sd_bus_message_ref(call);
        manager_request_resync(m, "Refresh");
        return 0;
}

/* Drops private socket peers that stopped reading. */
static void check_peers(Manager *m) {
        private_socket_check_peers(m->private_server);
}

static void count_functions(const DeviceTable *t, unsigned *pfs, unsigned *vfs) {
        Device *d;

        *pfs = *vfs = 0;
        HASHMAP_FOREACH(d, t->by_address, i)
                (*(d->role == DEVICE_ROLE_PF ? pfs : vfs))++;
}

/* A rescan someone asked for (SIGHUP, Refresh) gets its line in the log at
 * the default level; the daemon's own stay quiet unless they find drift. */
static bool resync_requested(const char *reason) {
        return streq(reason, "SIGHUP") || streq(reason, "Refresh");
}

static int on_batch(sd_event_source *s, void *userdata) {
        Manager *m = userdata;

        if (m->resync_reason) {
                const char *reason = TAKE_PTR(m->resync_reason);
                _cleanup_strv_free_ char **names = NULL;
                char list[8 * (PCI_ADDRESS_MAX + 1)] = "";
                unsigned changed = 0;
                int r;

                r = refresh_full(m, &changed, &names);
                answer_refresh_waiters(m, r);
                check_peers(m);
                if (r < 0) {
                        log_warning_errno(r, "Resync (%s) failed: %m", reason);
                        return 0;
                }
                for (char **n = names; n && *n; n++)
                        (void) snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                                        n == names ? "" : " ", *n);
                if (resync_requested(reason)) {
                        unsigned pfs, vfs;

                        count_functions(m->table, &pfs, &vfs);
                        log_notice("Rescanned (%s): %u PFs, %u VFs, %u changed%s%s%s.", reason, pfs, vfs, changed,
                                   changed > 0 ? ": " : "", list, changed > 8 ? " ..." : "");
                        return 0;
                }
                if (changed == 0)
                        return 0;
                /* The sources should have told us: drift is worth a warning. */
                log_full_errno(streq(reason, "periodic resync") ? LOG_WARNING : LOG_INFO, 0,
                               "Resync (%s): %u device(s) had changed without an event: %s%s", reason, changed,
                               list, changed > 8 ? " ..." : "");
                return 0;
        }
        process_dirty(m);
        check_peers(m);
        return 0;
}

static void schedule_batch(Manager *m) {
        if (m->batch)
                (void) sd_event_source_set_enabled(m->batch, SD_EVENT_ONESHOT);
}

static int on_events_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        if (m->events_processed != m->events_processed_published) {
                m->events_processed_published = m->events_processed;
                bus_emit_manager_changed(m, (const char *const[]) { "EventsProcessed", NULL });
        }
        return 0;
}

void manager_count_event(Manager *m) {
        int enabled = SD_EVENT_OFF;

        m->events_processed++;
        /* No timer runs while nothing happens: an idle daemon never wakes. */
        if (m->events_timer && sd_event_source_get_enabled(m->events_timer, &enabled) >= 0 && enabled == SD_EVENT_OFF) {
                (void) sd_event_source_set_time_relative(m->events_timer, EVENTS_PROCESSED_PERIOD_USEC);
                (void) sd_event_source_set_enabled(m->events_timer, SD_EVENT_ONESHOT);
        }
}

static DirtyDevice *dirty_find(Manager *m, const char *address) {
        DirtyDevice *e = hashmap_get(m->settling, address);

        return e ?: hashmap_get(m->dirty, address);
}

static int on_settle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        DirtyDevice *e;

        /* Into the next batch. An address cannot be in both maps: a mark
         * finds an existing entry in either before it makes one. */
        HASHMAP_FOREACH(e, m->settling, i) {
                (void) hashmap_remove(m->settling, e->address);
                if (hashmap_replace(m->dirty, e->address, e) < 0) {
                        dirty_device_free(e);
                        manager_request_resync(m, "out of memory");
                }
        }
        m->settle_since = 0;
        schedule_batch(m);
        return 0;
}

static void settle_hold(Manager *m) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), deadline;
        int r;

        if (m->settle_since == 0)
                m->settle_since = now;
        deadline = now + SETTLE_QUIET_USEC;
        if (deadline > m->settle_since + SETTLE_MAX_USEC)
                deadline = m->settle_since + SETTLE_MAX_USEC;
        if (!m->settle_timer) {
                r = sd_event_add_time(m->event, &m->settle_timer, CLOCK_MONOTONIC, deadline, USEC_PER_MSEC,
                                      on_settle_timer, m);
                if (r < 0) {
                        log_warning_errno(r, "Failed to set up the settle timer, publishing now: %m");
                        (void) on_settle_timer(NULL, 0, m);
                }
                return;
        }
        (void) sd_event_source_set_time(m->settle_timer, deadline);
        (void) sd_event_source_set_enabled(m->settle_timer, SD_EVENT_ONESHOT);
}

/* The entry of an address in the next batch, made if need be: held while
 * the device is appearing (not in the table) or `hold` says it belongs to
 * one that is. */
static DirtyDevice *dirty_mark(Manager *m, const char *address, bool hold) {
        DirtyDevice *e = dirty_find(m, address);
        Hashmap *map;

        if (e)
                return e;
        map = hold || !device_table_get(m->table, address) ? m->settling : m->dirty;
        e = calloc(1, sizeof(DirtyDevice));
        if (!e || snprintf(e->address, sizeof(e->address), "%s", address) >= (int) sizeof(e->address) ||
            hashmap_replace(map, e->address, e) < 0) {
                dirty_device_free(e);
                manager_request_resync(m, "out of memory");
                return NULL;
        }
        return e;
}

static void mark_dirty(Manager *m, const char *address, const char *syspath, bool existence_changed, bool hold) {
        DirtyDevice *e = dirty_mark(m, address, hold);
        bool held;

        if (!e)
                return;
        held = hashmap_get(m->settling, address) == e;
        if (syspath && (!e->syspath || !streq(e->syspath, syspath))) {
                free(e->syspath);
                e->syspath = strdup(syspath);
        }

        if (existence_changed) {
                /* The PF's VF set follows its virtfnN links, which change with the VF. */
                const Device *d = device_table_get(m->table, address);
                char pf[PCI_ADDRESS_MAX];

                if (d && d->role == DEVICE_ROLE_VF)
                        mark_dirty(m, d->pf_address, NULL, false, held);
                else if (syspath && sysfs_read_physfn(syspath, pf) >= 0)
                        mark_dirty(m, pf, NULL, false, held);
        }
        if (held)
                settle_hold(m);
        else
                schedule_batch(m);
}

void manager_mark_dirty(Manager *m, const char *address, const char *syspath, bool existence_changed) {
        mark_dirty(m, address, syspath, existence_changed, false);
}

void manager_mark_removed(Manager *m, const char *address, const char *syspath, bool removed) {
        DirtyDevice *e;

        manager_mark_dirty(m, address, syspath, true);
        e = dirty_find(m, address);
        if (e)
                e->removed = removed;
}

void manager_mark_netdev(Manager *m, const char *address, const char *ifname, bool removed) {
        DirtyDevice *e;

        manager_mark_dirty(m, address, NULL, false);
        e = dirty_find(m, address);
        if (!e)
                return;
        if (removed) {
                if (!strv_contains(e->removed_netdevs, ifname))
                        (void) strv_consume(&e->removed_netdevs, strdup(ifname));
        } else
                /* Back under the same name: it exists again. */
                (void) strv_remove(e->removed_netdevs, ifname);
}

void manager_mark_iommu_group(Manager *m, const char *group) {
        int32_t g;
        Device *d;

        if (parse_i32(group, &g) < 0)
                return;
        inotify_watch_vfio_dir(m);
        HASHMAP_FOREACH(d, m->table->by_address, i)
                if (d->iommu_group == g)
                        manager_mark_dirty(m, d->address, d->syspath, false);
}

void manager_request_resync(Manager *m, const char *reason) {
        if (!m->resync_reason || resync_requested(reason))
                m->resync_reason = reason;
        schedule_batch(m);
}

static void set_degraded(Manager *m) {
        int degraded = m->failed_sources != 0;

        if (degraded == m->degraded)
                return;
        m->degraded = degraded;
        if (m->bus)
                bus_emit_manager_changed(m, (const char *const[]) { "Degraded", NULL });
}

static int start_source(Manager *m, ManagerSource source) {
        return source == MANAGER_SOURCE_UEVENT ? uevent_source_start(m) : inotify_source_start(m);
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        for (ManagerSource src = MANAGER_SOURCE_UEVENT; src <= MANAGER_SOURCE_INOTIFY; src <<= 1)
                if ((m->failed_sources & src) && start_source(m, src) >= 0) {
                        m->failed_sources &= ~src;
                        log_notice("The %s source is back.", src == MANAGER_SOURCE_UEVENT ? "uevent" : "inotify");
                }
        set_degraded(m);
        if (m->failed_sources) {
                m->retry_delay_usec = m->retry_delay_usec * 2 > RETRY_DELAY_MAX_USEC ? RETRY_DELAY_MAX_USEC
                                                                                      : m->retry_delay_usec * 2;
                (void) sd_event_source_set_time_relative(s, m->retry_delay_usec);
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        m->retry_delay_usec = RETRY_DELAY_MIN_USEC;
        /* What happened while a source was down is only known to a rescan. */
        manager_request_resync(m, "a source recovered");
        return 0;
}

void manager_source_failed(Manager *m, ManagerSource source, int error) {
        const char *name = source == MANAGER_SOURCE_UEVENT ? "uevent" : "inotify";
        int r;

        log_warning_errno(error, "The %s source failed (%m); degraded until it is re-created.", name);
        if (source == MANAGER_SOURCE_UEVENT)
                uevent_source_stop(m);
        else
                inotify_source_stop(m);
        m->failed_sources |= source;
        set_degraded(m);

        if (!m->retry_timer) {
                r = sd_event_add_time_relative(m->event, &m->retry_timer, CLOCK_MONOTONIC, m->retry_delay_usec, 0,
                                               on_retry, m);
                if (r < 0)
                        log_error_errno(r, "Failed to schedule re-creating the %s source: %m", name);
                return;
        }
        (void) sd_event_source_set_time_relative(m->retry_timer, m->retry_delay_usec);
        (void) sd_event_source_set_enabled(m->retry_timer, SD_EVENT_ONESHOT);
}

static int on_resync_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        manager_request_resync(m, "periodic resync");
        (void) sd_event_source_set_time_relative(s, m->resync_interval_usec);
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int setup_pipeline(Manager *m) {
        int r;

        r = sd_event_add_defer(m->event, &m->batch, on_batch, m);
        if (r < 0)
                return r;
        /* After every pending source event: a burst is drained before work starts. */
        r = sd_event_source_set_priority(m->batch, SD_EVENT_PRIORITY_IDLE);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(m->batch, SD_EVENT_OFF);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(m->event, &m->events_timer, CLOCK_MONOTONIC, EVENTS_PROCESSED_PERIOD_USEC,
                                       0, on_events_timer, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(m->events_timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        if (m->resync_interval_usec > 0) {
                r = sd_event_add_time_relative(m->event, &m->resync_timer, CLOCK_MONOTONIC, m->resync_interval_usec,
                                               0, on_resync_timer, m);
                if (r < 0)
                        return r;
        }
        return 0;
}

int manager_start(Manager *m) {
        _cleanup_(device_table_freep) DeviceTable *fresh = NULL;
        unsigned pfs, vfs;
        int r;

        r = m->use_session_bus ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m",
                                       m->use_session_bus ? "session" : "system");
        r = bus_register_objects(m, m->bus);
        if (r < 0)
                return r;
        r = setup_pipeline(m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event pipeline: %m");

        /* Listen before the first scan, so nothing between the two is lost;
         * a source that cannot start leaves the daemon degraded, not dead. */
        for (ManagerSource src = MANAGER_SOURCE_UEVENT; src <= MANAGER_SOURCE_INOTIFY; src <<= 1) {
                r = start_source(m, src);
                if (r < 0)
                        manager_source_failed(m, src, r);
        }

        /* The first scan is in place before the name is taken: a client that
         * sees the name sees every device, and no signal is needed for them. */
        r = scan_all(m, &fresh);
        if (r < 0)
                return log_error_errno(r, "Failed to scan devices: %m");
        device_table_free(m->table);
        m->table = TAKE_PTR(fresh);
        m->last_refresh = now_usec(CLOCK_REALTIME);
        if (m->inotify_fd >= 0) {
                Device *d;

                HASHMAP_FOREACH(d, m->table->by_address, i)
                        if (d->role == DEVICE_ROLE_PF)
                                inotify_watch_pf(m, d);
        }

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        /* Losing the bus leaves nothing to serve: stop the loop. */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the bus: %m");
        r = sd_bus_request_name(m->bus, BUS_NAME, 0);
        if (r == -EEXIST)
                return log_error_errno(r, "Another sriov-monitord owns %s: not starting a second one.", BUS_NAME);
        if (r == -EACCES || r == -EPERM)
                return log_error_errno(r, "Not allowed to own %s: run as root, with %s.conf installed in "
                                       "the D-Bus system policy directory (see sriov-monitord(8)).",
                                       BUS_NAME, BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", BUS_NAME);
        count_functions(m->table, &pfs, &vfs);
        log_notice("Monitoring %u PFs, %u VFs.", pfs, vfs);

        /* Only the instance that owns the name may take over the socket path.
         * A socket that cannot be served is a warning: the bus still is. */
        if (m->private_socket)
                (void) private_socket_start(m, m->private_socket);
        return 0;
}
