/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bus-objects.h"
#include "config.h"
#include "log.h"
#include "manager.h"
#include "pci-address.h"
#include "sysfs-reader.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref);

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return log_oom();
        m->version = PACKAGE_VERSION;

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");
        m->udev = udev_new();
        if (!m->udev)
                return log_error_errno(errno ?: ENOMEM, "Failed to create the udev context: %m");
        r = device_table_new(&m->table);
        if (r < 0)
                return log_oom();

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        if (m->bus) {
                (void) sd_bus_release_name(m->bus, BUS_NAME);
                sd_bus_flush_close_unref(m->bus);
        }
        device_table_free(m->table);
        udev_unref(m->udev);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

/* Reads every SR-IOV function into a new table, VF indexes resolved. */
static int scan_all(Manager *m, DeviceTable **ret) {
        _cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = NULL;
        _cleanup_(device_table_freep) DeviceTable *t = NULL;
        struct udev_list_entry *entry;
        Device *d;
        int r;

        r = device_table_new(&t);
        if (r < 0)
                return r;
        e = udev_enumerate_new(m->udev);
        if (!e)
                return -ENOMEM;
        r = udev_enumerate_add_match_subsystem(e, "pci");
        if (r < 0)
                return r;
        r = udev_enumerate_scan_devices(e);
        if (r < 0)
                return log_error_errno(r, "Failed to enumerate PCI devices: %m");

        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                Device *old;

                r = sysfs_read_device(m->udev, udev_list_entry_get_name(entry), &d);
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

/* Makes the table's entry for one address equal to `fresh` (NULL: the device
 * is gone), taking ownership of it, and publishes the difference. */
static int manager_apply_device(Manager *m, const char *address, Device *fresh, bool *pfs_changed) {
        Device *cur = device_table_get(m->table, address), *old = NULL;
        unsigned changed;
        int r;

        if (cur && (!fresh || (device_diff(cur, fresh) & DEVICE_PROP_IDENTITY))) {
                bus_emit_device_removed(m, cur);
                *pfs_changed |= cur->role == DEVICE_ROLE_PF;
                device_free(device_table_remove(m->table, address));
                cur = NULL;
        }
        if (!fresh)
                return 0;

        r = device_table_put(m->table, fresh, &old);
        if (r < 0)
                return log_oom();
        if (!old) {
                bus_emit_device_added(m, fresh);
                *pfs_changed |= fresh->role == DEVICE_ROLE_PF;
                return 0;
        }
        changed = device_diff(old, fresh);
        device_free(old);
        if (changed)
                bus_emit_device_changed(m, fresh, changed);
        return 0;
}

/* Publishes a fresh scan: removals first (VFs before their PFs), then PFs,
 * then VFs, so a client never sees a VF whose PF it does not know. */
static int manager_apply_scan(Manager *m, DeviceTable *fresh, bool *pfs_changed) {
        _cleanup_free_ Device **current = NULL, **devices = NULL;
        size_t n;
        int r;

        r = device_table_list(m->table, -1, &current, &n);
        if (r < 0)
                return log_oom();
        for (int pass = DEVICE_ROLE_VF; pass >= DEVICE_ROLE_PF; pass--)
                for (size_t i = 0; i < n; i++) {
                        char address[PCI_ADDRESS_MAX];

                        if ((int) current[i]->role != pass || device_table_get(fresh, current[i]->address))
                                continue;
                        /* The device is freed by the call: keep its key. */
                        (void) snprintf(address, sizeof(address), "%s", current[i]->address);
                        (void) manager_apply_device(m, address, NULL, pfs_changed);
                }

        r = device_table_list(fresh, -1, &devices, &n);
        if (r < 0)
                return log_oom();
        for (int pass = DEVICE_ROLE_PF; pass <= DEVICE_ROLE_VF; pass++)
                for (size_t i = 0; i < n; i++) {
                        Device *d = devices[i];

                        if ((int) d->role != pass)
                                continue;
                        (void) device_table_remove(fresh, d->address);
                        r = manager_apply_device(m, d->address, d, pfs_changed);
                        if (r < 0)
                                return r;
                }
        return 0;
}

int manager_refresh(Manager *m) {
        _cleanup_(device_table_freep) DeviceTable *fresh = NULL;
        bool pfs_changed = false;
        int r;

        r = scan_all(m, &fresh);
        if (r < 0)
                return r;
        r = manager_apply_scan(m, fresh, &pfs_changed);
        if (r < 0)
                return r;

        m->last_refresh = now_realtime_usec();
        if (m->bus)
                bus_emit_manager_changed(m, pfs_changed ? (const char *const[]) { "PhysicalFunctions", "LastRefresh", NULL }
                                                        : (const char *const[]) { "LastRefresh", NULL });
        log_debug("Scan done: %zu SR-IOV functions.", device_table_size(m->table));
        return 0;
}

int manager_start(Manager *m) {
        _cleanup_(device_table_freep) DeviceTable *fresh = NULL;
        int r;

        r = m->use_session_bus ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m",
                                       m->use_session_bus ? "session" : "system");
        r = bus_register_objects(m, m->bus);
        if (r < 0)
                return r;

        /* The first scan is in place before the name is taken: a client that
         * sees the name sees every device, and no signal is needed for them. */
        r = scan_all(m, &fresh);
        if (r < 0)
                return log_error_errno(r, "Failed to scan devices: %m");
        device_table_free(m->table);
        m->table = TAKE_PTR(fresh);
        m->last_refresh = now_realtime_usec();
        log_info("Found %zu SR-IOV functions.", device_table_size(m->table));

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        /* Losing the bus leaves nothing to serve: stop the loop. */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the bus: %m");
        r = sd_bus_request_name(m->bus, BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", BUS_NAME);
        return 0;
}
