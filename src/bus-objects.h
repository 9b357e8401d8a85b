/* SPDX-License-Identifier: MIT */
#pragma once

#include "manager.h"

/* Registers the manager object, the ObjectManager and the device objects. */
int bus_register_objects(Manager *m, sd_bus *bus);

/* Signals for a change of the table. Each is best effort: a failure to emit
 * is logged, and the table stays right. */
void bus_emit_device_added(Manager *m, const Device *d);
/* Must run while d is still in the table (sd-bus asks it for its interfaces). */
void bus_emit_device_removed(Manager *m, const Device *d);
void bus_emit_device_changed(Manager *m, const Device *d, unsigned changed);
void bus_emit_device_event(Manager *m, const char *type, const char *action, const char *device,
                           const char *object_path, uint64_t timestamp);
/* NULL-terminated list of Manager property names. */
void bus_emit_manager_changed(Manager *m, const char *const *names);
