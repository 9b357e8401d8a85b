/* SPDX-License-Identifier: MIT */
#include "device-event.h"
#include "strv.h"

static void emit(device_event_fn fn, void *userdata, const char *type, const char *action, const char *device) {
        fn(&(DeviceEvent) { .type = type, .action = action, .device = device }, userdata);
}

/* The PF's SR-IOV state: what sriov_numvfs and sriov_drivers_autoprobe say. */
static bool sriov_equal(const Device *a, const Device *b) {
        return a->total_vfs == b->total_vfs && a->num_vfs == b->num_vfs && device_vfs_equal(a, b) &&
               a->drivers_autoprobe == b->drivers_autoprobe;
}

static size_t count_missing(char *const *from, char *const *in, const char **ret_last) {
        size_t n = 0;

        for (char *const *s = from; s && *s; s++)
                if (!strv_contains(in, *s))
                        n++, *ret_last = *s;
        return n;
}

static void derive_netdevs(const Device *old, const Device *new, bool driver_changed, device_event_fn fn,
                           void *userdata) {
        const char *gone_name = NULL, *came_name = NULL;
        size_t gone = count_missing(old->netdevs, new->netdevs, &gone_name);
        size_t came = count_missing(new->netdevs, old->netdevs, &came_name);

        /* One name replaced by another on a device that kept its driver: a rename. */
        if (gone == 1 && came == 1 && !driver_changed) {
                emit(fn, userdata, "interface", "modified", came_name);
                return;
        }
        for (char **n = old->netdevs; n && *n; n++)
                if (!strv_contains(new->netdevs, *n))
                        emit(fn, userdata, "interface", "deleted", *n);
        for (char **n = new->netdevs; n && *n; n++)
                if (!strv_contains(old->netdevs, *n))
                        emit(fn, userdata, "interface", "created", *n);
}

/* Network facts (issue 15). The link of the same netdev changed: its
 * address, state, carrier, MTU or speed. A netdev that came, went or was
 * renamed is an "interface" event instead. */
static bool link_changed(const Device *old, const Device *new) {
        if (!old->link_netdev || !new->link_netdev || !streq(old->link_netdev, new->link_netdev) ||
            old->ifindex != new->ifindex)
                return false;
        return !streq_ptr(old->hw_address, new->hw_address) || !streq_ptr(old->oper_state, new->oper_state) ||
               old->carrier != new->carrier || old->mtu != new->mtu || old->speed != new->speed;
}

void device_events_derive(const Device *old, const Device *new, device_event_fn fn, void *userdata) {
        bool driver_changed;

        if (!old || !new) {
                const Device *d = new ?: old;

                if (!d)
                        return;
                emit(fn, userdata, "pci", new ? "created" : "deleted", d->address);
                /* A new device's netdevs were created with it. */
                for (char **n = new ? new->netdevs : NULL; n && *n; n++)
                        emit(fn, userdata, "interface", "created", *n);
                return;
        }
        driver_changed = !streq_ptr(old->driver, new->driver);
        /* Interfaces first: the kernel removes a netdev before it unbinds. */
        if (!strv_equal(old->netdevs, new->netdevs))
                derive_netdevs(old, new, driver_changed, fn, userdata);
        if (driver_changed)
                emit(fn, userdata, "driver", "modified", new->address);
        if (new->role == DEVICE_ROLE_PF && !sriov_equal(old, new))
                emit(fn, userdata, "sriov", "modified", new->address);
        /* Network facts (issue 15). */
        if (link_changed(old, new))
                emit(fn, userdata, "link", "modified", new->link_netdev);
        if (new->role == DEVICE_ROLE_VF && !vf_config_equal(&old->vf_config, &new->vf_config))
                emit(fn, userdata, "config", "modified", new->address);
        /* Who holds a VF (issue 16): another owner is one gone, one come. */
        if (old->in_use != new->in_use || old->owner_pid != new->owner_pid) {
                if (old->in_use)
                        emit(fn, userdata, "owner", "deleted", new->address);
                if (new->in_use)
                        emit(fn, userdata, "owner", "created", new->address);
        }
}
