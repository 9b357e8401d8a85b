/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bus-objects.h"
#include "config.h"
#include "log.h"
#include "pci-address.h"
#include "polkit.h"
#include "private-socket.h"
#include "strv.h"

static int property_get_physical_functions(
                sd_bus *bus, const char *path, const char *interface, const char *property,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ Device **pfs = NULL;
        size_t n;
        int r;

        r = device_table_list(m->table, DEVICE_ROLE_PF, &pfs, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_message_append_basic(reply, 'o', pfs[i]->object_path);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int property_get_virtual_functions(
                sd_bus *bus, const char *path, const char *interface, const char *property,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const Device *pf = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        for (size_t i = 0; i < pf->n_vfs; i++) {
                _cleanup_free_ char *p = NULL;

                r = pci_address_to_object_path(pf->vfs[i].address, &p);
                if (r < 0)
                        return r;
                r = sd_bus_message_append_basic(reply, 'o', p);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static void refresh_authorized(Manager *m, sd_bus_message *call, AuthResult result) {
        if (result != AUTH_ALLOWED) {
                (void) polkit_reply_refusal(call, result);
                return;
        }
        if (manager_queue_refresh(m, call) < 0)
                (void) sd_bus_reply_method_errorf(call, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
}

static int method_refresh(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        int r;

        /* Answered later: by polkit's verdict, or after the shared rescan. */
        r = polkit_authorize(userdata, msg, POLKIT_ACTION_REFRESH, refresh_authorized);
        if (r < 0)
                return r;
        return 1;
}

/* A netdev's altname (its old name after a rename, or one added with `ip
 * link property add`) has no file in sysfs, but the kernel resolves it like
 * the name: ask it for the ifindex, then for the name it has now. Only in
 * the daemon's network namespace, the host's. */
static Device *find_by_altname(Manager *m, const char *key) {
        char name[IF_NAMESIZE];
        unsigned ifindex;

        if (strlen(key) >= IF_NAMESIZE || strchr(key, '/'))
                return NULL;
        ifindex = if_nametoindex(key);
        if (ifindex == 0 || !if_indextoname(ifindex, name) || streq(name, key))
                return NULL;
        return device_table_find(m->table, name);
}

static int method_find_device(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *key;
        Device *d;
        int r;

        r = sd_bus_message_read(msg, "s", &key);
        if (r < 0)
                return r;
        r = device_table_find_key(m->table, key, &d);
        if (r == -ENODEV && (d = find_by_altname(m, key)))
                r = 0;
        if (r == -EINVAL)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Device key must not be empty.");
        if (r == -E2BIG)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Device key is longer than %d bytes.", DEVICE_KEY_MAX);
        if (r < 0)
                return sd_bus_error_setf(error, ERROR_NO_SUCH_DEVICE, "No SR-IOV device matches '%s'.", key);
        return sd_bus_reply_method_return(msg, "o", d->object_path);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", NULL, offsetof(Manager, version), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PhysicalFunctions", "ao", property_get_physical_functions, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastRefresh", "t", NULL, offsetof(Manager, last_refresh),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Degraded", "b", NULL, offsetof(Manager, degraded), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("EventsProcessed", "t", NULL, offsetof(Manager, events_processed),
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("Refresh", "", "", method_refresh, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("FindDevice", SD_BUS_ARGS("s", key), SD_BUS_RESULT("o", device),
                                method_find_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("DeviceEvent",
                                SD_BUS_ARGS("s", type, "s", action, "s", device, "o", object, "t", timestamp), 0),
        SD_BUS_VTABLE_END,
};

#define DEVICE_PROPERTY(name, sig, field) \
        SD_BUS_PROPERTY(name, sig, NULL, offsetof(Device, field), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)
#define DEVICE_CONST_PROPERTY(name, sig, field) \
        SD_BUS_PROPERTY(name, sig, NULL, offsetof(Device, field), SD_BUS_VTABLE_PROPERTY_CONST)

static const sd_bus_vtable device_vtable[] = {
        SD_BUS_VTABLE_START(0),
        DEVICE_CONST_PROPERTY("PciAddress", "s", address),
        DEVICE_CONST_PROPERTY("Role", "s", role_name),
        DEVICE_CONST_PROPERTY("VendorId", "q", vendor_id),
        DEVICE_CONST_PROPERTY("DeviceId", "q", device_id),
        DEVICE_PROPERTY("VendorName", "s", vendor_name),
        DEVICE_PROPERTY("Driver", "s", driver),
        DEVICE_PROPERTY("Mode", "s", mode),
        DEVICE_PROPERTY("NetDevices", "as", netdevs),
        DEVICE_PROPERTY("NumaNode", "i", numa_node),
        DEVICE_PROPERTY("IommuGroup", "i", iommu_group),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable pf_vtable[] = {
        SD_BUS_VTABLE_START(0),
        DEVICE_PROPERTY("TotalVFs", "u", total_vfs),
        DEVICE_PROPERTY("NumVFs", "u", num_vfs),
        SD_BUS_PROPERTY("VirtualFunctions", "ao", property_get_virtual_functions, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        DEVICE_PROPERTY("DriversAutoprobe", "b", drivers_autoprobe),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable vf_vtable[] = {
        SD_BUS_VTABLE_START(0),
        DEVICE_CONST_PROPERTY("PhysicalFunction", "o", pf_object_path),
        DEVICE_CONST_PROPERTY("VFIndex", "u", vf_index),
        DEVICE_PROPERTY("VfioDevice", "s", vfio_device),
        SD_BUS_VTABLE_END,
};

static Device *device_from_path(Manager *m, const char *path) {
        char address[PCI_ADDRESS_MAX];

        if (object_path_to_pci_address(path, address) < 0)
                return NULL;
        return device_table_get(m->table, address);
}

/* object_find callbacks: return 1 with the Device as userdata when the path
 * names a device that has the interface, 0 otherwise. The table is asked on
 * every call, so a message never sees a freed device. */
static int find_device(sd_bus *bus, const char *path, const char *interface, void *userdata,
                       void **found, sd_bus_error *error) {
        Device *d = device_from_path(userdata, path);

        if (!d)
                return 0;
        *found = d;
        return 1;
}

static int find_role(Manager *m, const char *path, DeviceRole role, void **found) {
        Device *d = device_from_path(m, path);

        if (!d || d->role != role)
                return 0;
        *found = d;
        return 1;
}

static int find_pf(sd_bus *bus, const char *path, const char *interface, void *userdata,
                   void **found, sd_bus_error *error) {
        return find_role(userdata, path, DEVICE_ROLE_PF, found);
}

static int find_vf(sd_bus *bus, const char *path, const char *interface, void *userdata,
                   void **found, sd_bus_error *error) {
        return find_role(userdata, path, DEVICE_ROLE_VF, found);
}

static int enumerate_devices(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
                             sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_free_ Device **devices = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        r = device_table_list(m->table, -1, &devices, &n);
        if (r < 0)
                return r;
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                l[i] = strdup(devices[i]->object_path);
                if (!l[i])
                        return -ENOMEM;
        }
        *nodes = TAKE_PTR(l);
        return 0;
}

int bus_register_objects(Manager *m, sd_bus *bus) {
        static const struct {
                const char *iface;
                const sd_bus_vtable *vtable;
                sd_bus_object_find_t find;
        } device_ifaces[] = {
                { DEVICE_IFACE, device_vtable, find_device },
                { PF_IFACE, pf_vtable, find_pf },
                { VF_IFACE, vf_vtable, find_vf },
        };
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, MANAGER_PATH, MANAGER_IFACE, manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the manager object: %m");
        r = sd_bus_add_object_manager(bus, NULL, MANAGER_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object manager: %m");
        for (size_t i = 0; i < ELEMENTSOF(device_ifaces); i++) {
                r = sd_bus_add_fallback_vtable(bus, NULL, DEVICE_PATH_PREFIX, device_ifaces[i].iface,
                                               device_ifaces[i].vtable, device_ifaces[i].find, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to register %s: %m", device_ifaces[i].iface);
        }
        r = sd_bus_add_node_enumerator(bus, NULL, DEVICE_PATH_PREFIX, enumerate_devices, m);
        if (r < 0)
                return log_error_errno(r, "Failed to register the device enumerator: %m");
        return 0;
}

/* The system bus connection and every private socket peer, in turn. */
static sd_bus *nth_bus(Manager *m, size_t i) {
        if (m->bus) {
                if (i == 0)
                        return m->bus;
                i--;
        }
        return private_socket_peer(m->private_server, i);
}

#define FOREACH_BUS(bus, m, i) for (size_t i = 0; ((bus) = nth_bus((m), i)); i++)

/* A failure to send is worth a warning on the bus; on a peer it is that
 * peer's problem (it went away or stalls), and private_socket_check_peer
 * deals with it. */
static void emit_failed(Manager *m, sd_bus *bus, int r, const char *what, const char *name) {
        log_full_errno(bus == m->bus ? LOG_WARNING : LOG_DEBUG, r, "Failed to send %s for %s: %m", what, name);
}

void bus_emit_device_added(Manager *m, const Device *d) {
        sd_bus *bus;
        int r;

        FOREACH_BUS(bus, m, i) {
                r = sd_bus_emit_object_added(bus, d->object_path);
                if (r < 0)
                        emit_failed(m, bus, r, "InterfacesAdded", d->address);
        }
}

void bus_emit_device_removed(Manager *m, const Device *d) {
        sd_bus *bus;
        int r;

        FOREACH_BUS(bus, m, i) {
                r = sd_bus_emit_object_removed(bus, d->object_path);
                if (r < 0)
                        emit_failed(m, bus, r, "InterfacesRemoved", d->address);
        }
}

static void emit_properties(Manager *m, const Device *d, const char *iface, unsigned changed, unsigned iface_mask) {
        const char *names[12];
        sd_bus *bus;
        int r;

        if (device_property_names(changed, iface_mask, names) == 0)
                return;
        FOREACH_BUS(bus, m, i) {
                r = sd_bus_emit_properties_changed_strv(bus, d->object_path, iface, (char **) names);
                if (r < 0)
                        emit_failed(m, bus, r, "PropertiesChanged", d->address);
        }
}

void bus_emit_device_changed(Manager *m, const Device *d, unsigned changed) {
        emit_properties(m, d, DEVICE_IFACE, changed, DEVICE_PROPS_DEVICE_IFACE);
        if (d->role == DEVICE_ROLE_PF)
                emit_properties(m, d, PF_IFACE, changed, DEVICE_PROPS_PF_IFACE);
        else
                emit_properties(m, d, VF_IFACE, changed, DEVICE_PROPS_VF_IFACE);
}

void bus_emit_device_event(Manager *m, const char *type, const char *action, const char *device,
                           const char *object_path, uint64_t timestamp) {
        sd_bus *bus;
        int r;

        FOREACH_BUS(bus, m, i) {
                r = sd_bus_emit_signal(bus, MANAGER_PATH, MANAGER_IFACE, "DeviceEvent", "sssot", type, action,
                                       device, object_path, timestamp);
                if (r < 0)
                        emit_failed(m, bus, r, "DeviceEvent", device);
        }
}

void bus_emit_manager_changed(Manager *m, const char *const *names) {
        sd_bus *bus;
        int r;

        FOREACH_BUS(bus, m, i) {
                r = sd_bus_emit_properties_changed_strv(bus, MANAGER_PATH, MANAGER_IFACE, (char **) names);
                if (r < 0)
                        emit_failed(m, bus, r, "PropertiesChanged", MANAGER_PATH);
        }
}
