/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "bus-names.h"
#include "bus-objects.h"
#include "config.h"
#include "device-event.h"
#include "device-vtable.h"
#include "log.h"
#include "pci-address.h"
#include "polkit.h"
#include "strv.h"

static int property_get_physical_functions(
                sd_bus *bus, const char *path, const char *interface, const char *property,
                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        BusObjects *bo = userdata;
        _cleanup_free_ Device **pfs = NULL;
        size_t n;
        int r;

        r = device_table_list(bo->table, DEVICE_ROLE_PF, &pfs, &n);
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

static void refresh_authorized(void *userdata, sd_bus_message *call, AuthResult result) {
        BusObjects *bo = userdata;
        sd_bus_message **t;

        if (result != AUTH_ALLOWED) {
                (void) polkit_reply_refusal(call, result);
                return;
        }
        t = reallocarray(bo->refresh_waiters, bo->n_refresh_waiters + 1, sizeof(sd_bus_message *));
        if (!t) {
                (void) sd_bus_reply_method_errorf(call, SD_BUS_ERROR_NO_MEMORY, "Out of memory.");
                return;
        }
        bo->refresh_waiters = t;
        bo->refresh_waiters[bo->n_refresh_waiters++] = sd_bus_message_ref(call);
        marks_resync(bo->marks, "Refresh");
}

void bus_objects_finish_refresh(BusObjects *bo, int error) {
        size_t n = bo->n_refresh_waiters;
        sd_bus_message **waiters = TAKE_PTR(bo->refresh_waiters);

        bo->n_refresh_waiters = 0;
        for (size_t i = 0; i < n; i++) {
                if (error < 0)
                        (void) sd_bus_reply_method_errorf(waiters[i], SD_BUS_ERROR_FAILED,
                                                          "Failed to rescan devices: %s", strerror(-error));
                else
                        (void) sd_bus_reply_method_return(waiters[i], NULL);
                sd_bus_message_unref(waiters[i]);
        }
        free(waiters);
}

void bus_objects_done(BusObjects *bo) {
        polkit_done(&bo->polkit);
        for (size_t i = 0; i < bo->n_refresh_waiters; i++)
                sd_bus_message_unref(bo->refresh_waiters[i]);
        bo->refresh_waiters = mfree(bo->refresh_waiters);
        bo->n_refresh_waiters = 0;
}

static int method_refresh(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        BusObjects *bo = userdata;
        int r;

        /* Answered later: by polkit's verdict, or after the shared rescan. */
        r = polkit_authorize(&bo->polkit, msg, POLKIT_ACTION_REFRESH, refresh_authorized, bo);
        if (r < 0)
                return r;
        return 1;
}

/* A netdev's altname (its old name after a rename, or one added with `ip
 * link property add`) has no file in sysfs, but the kernel resolves it like
 * the name: ask it for the ifindex, then for the name it has now. Only in
 * the daemon's network namespace, the host's. */
static Device *find_by_altname(BusObjects *bo, const char *key) {
        char name[IF_NAMESIZE];
        unsigned ifindex;

        if (strlen(key) >= IF_NAMESIZE || strchr(key, '/'))
                return NULL;
        ifindex = if_nametoindex(key);
        if (ifindex == 0 || !if_indextoname(ifindex, name) || streq(name, key))
                return NULL;
        return device_table_find(bo->table, name);
}

static int method_find_device(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        BusObjects *bo = userdata;
        const char *key;
        Device *d;
        int r;

        r = sd_bus_message_read(msg, "s", &key);
        if (r < 0)
                return r;
        r = device_table_find_key(bo->table, key, &d);
        if (r == -ENODEV && (d = find_by_altname(bo, key)))
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

/* The Manager's own properties live in the daemon's Status. */
static int property_get_status(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const Status *st = ((BusObjects *) userdata)->status;

        if (streq(property, "Version"))
                return sd_bus_message_append(reply, "s", st->version);
        if (streq(property, "LastRefresh"))
                return sd_bus_message_append(reply, "t", st->last_refresh);
        if (streq(property, "Degraded"))
                return sd_bus_message_append(reply, "b", st->degraded);
        return sd_bus_message_append(reply, "t", st->events_processed);
}

/* Fleet (issue 17): Hazards a(sss), kind, PCI address, text. */
static int property_get_hazards(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const HazardList *l = &((BusObjects *) userdata)->status->hazards;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sss)");
        for (size_t i = 0; r >= 0 && i < l->n; i++)
                r = sd_bus_message_append(reply, "(sss)", hazard_kind_to_string(l->items[i].kind),
                                          l->items[i].address, l->items[i].text);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_status, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("PhysicalFunctions", "ao", property_get_physical_functions, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastRefresh", "t", property_get_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Degraded", "b", property_get_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("EventsProcessed", "t", property_get_status, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        /* Fleet (issue 17). */
        SD_BUS_PROPERTY("Hazards", "a(sss)", property_get_hazards, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD("Refresh", "", "", method_refresh, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("FindDevice", SD_BUS_ARGS("s", key), SD_BUS_RESULT("o", device),
                                method_find_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("DeviceEvent",
                                SD_BUS_ARGS("s", type, "s", action, "s", device, "o", object, "t", timestamp), 0),
        SD_BUS_VTABLE_END,
};

static Device *device_from_path(BusObjects *bo, const char *path) {
        char address[PCI_ADDRESS_MAX];

        if (object_path_to_pci_address(path, address) < 0)
                return NULL;
        return device_table_get(bo->table, address);
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

static int find_role(BusObjects *bo, const char *path, DeviceRole role, void **found) {
        Device *d = device_from_path(bo, path);

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
        BusObjects *bo = userdata;
        _cleanup_free_ Device **devices = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t n;
        int r;

        r = device_table_list(bo->table, -1, &devices, &n);
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

int bus_objects_register(BusObjects *bo, sd_bus *bus) {
        int r;

        r = sd_bus_add_object_vtable(bus, NULL, MANAGER_PATH, MANAGER_IFACE, manager_vtable, bo);
        if (r < 0)
                return log_error_errno(r, "Failed to register the manager object: %m");
        r = sd_bus_add_object_manager(bus, NULL, MANAGER_PATH);
        if (r < 0)
                return log_error_errno(r, "Failed to register the object manager: %m");
        for (size_t i = 0; i < n_device_interfaces; i++) {
                const DeviceInterface *iface = &device_interfaces[i];
                sd_bus_object_find_t find = iface->role < 0 ? find_device
                                            : iface->role == DEVICE_ROLE_PF ? find_pf : find_vf;

                r = sd_bus_add_fallback_vtable(bus, NULL, DEVICE_PATH_PREFIX, iface->name, iface->vtable, find, bo);
                if (r < 0)
                        return log_error_errno(r, "Failed to register %s: %m", iface->name);
        }
        r = sd_bus_add_node_enumerator(bus, NULL, DEVICE_PATH_PREFIX, enumerate_devices, bo);
        if (r < 0)
                return log_error_errno(r, "Failed to register the device enumerator: %m");
        return 0;
}

static void emit_failed(int level, int r, const char *what, const char *name) {
        log_full_errno(level, r, "Failed to send %s for %s: %m", what, name);
}


static void emit_device_event(const DeviceEvent *e, void *userdata) {
        const struct {
                sd_bus *bus;
                int level;
                const Device *d;
                uint64_t timestamp;
        } *ctx = userdata;
        int r;

        r = sd_bus_emit_signal(ctx->bus, MANAGER_PATH, MANAGER_IFACE, "DeviceEvent", "sssot", e->type, e->action,
                               e->device, ctx->d->object_path, ctx->timestamp);
        if (r < 0)
                emit_failed(ctx->level, r, "DeviceEvent", e->device);
}

static void publish_events(sd_bus *bus, int level, const Device *old, const Device *new) {
        struct timespec ts;
        struct {
                sd_bus *bus;
                int level;
                const Device *d;
                uint64_t timestamp;
        } ctx = { bus, level, new ?: old, 0 };

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        ctx.timestamp = (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
        device_events_derive(old, new, emit_device_event, &ctx);
}

void bus_publish_added(sd_bus *bus, int level, const Device *d) {
        int r;

        r = sd_bus_emit_object_added(bus, d->object_path);
        if (r < 0)
                emit_failed(level, r, "InterfacesAdded", d->address);
        publish_events(bus, level, NULL, d);
}

void bus_publish_removed(sd_bus *bus, int level, const Device *d) {
        int r;

        r = sd_bus_emit_object_removed(bus, d->object_path);
        if (r < 0)
                emit_failed(level, r, "InterfacesRemoved", d->address);
        publish_events(bus, level, d, NULL);
}

void bus_publish_changed(sd_bus *bus, int level, const Device *old, const Device *new) {
        for (size_t i = 0; i < n_device_interfaces; i++) {
                const DeviceInterface *iface = &device_interfaces[i];
                _cleanup_free_ const char **names = NULL;
                int r;

                if (iface->role >= 0 && iface->role != (int) new->role)
                        continue;
                r = device_changed_properties(iface->vtable, old, new, &names);
                if (r < 0)
                        log_oom();
                if (r <= 0)
                        continue;
                r = sd_bus_emit_properties_changed_strv(bus, new->object_path, iface->name, (char **) names);
                if (r < 0)
                        emit_failed(level, r, "PropertiesChanged", new->address);
        }
        publish_events(bus, level, old, new);
}

void bus_publish_batch_done(sd_bus *bus, int level, const BatchDone *done) {
        const char *names[8] = {};
        size_t n = 0;
        int r;

        if (done->pfs_changed)
                names[n++] = "PhysicalFunctions";
        if (done->rescan)
                names[n++] = "LastRefresh";
        for (const char *const *p = done->manager_properties; p && *p && n < ELEMENTSOF(names) - 1; p++)
                names[n++] = *p;
        if (n == 0)
                return;
        r = sd_bus_emit_properties_changed_strv(bus, MANAGER_PATH, MANAGER_IFACE, (char **) names);
        if (r < 0)
                emit_failed(level, r, "PropertiesChanged", MANAGER_PATH);
}

static void sink_added(Sink *s, const Device *d) {
        bus_publish_added(((BusSink *) s)->bus, LOG_WARNING, d);
}

static void sink_changed(Sink *s, const Device *old, const Device *new) {
        bus_publish_changed(((BusSink *) s)->bus, LOG_WARNING, old, new);
}

static void sink_removed(Sink *s, const Device *d) {
        bus_publish_removed(((BusSink *) s)->bus, LOG_WARNING, d);
}

static void sink_batch_done(Sink *s, const BatchDone *done) {
        bus_publish_batch_done(((BusSink *) s)->bus, LOG_WARNING, done);
}

void bus_sink_init(BusSink *s, sd_bus *bus) {
        static const SinkOps ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };

        *s = (BusSink) { .sink.ops = &ops, .bus = bus };
}
