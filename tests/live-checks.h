/* SPDX-License-Identifier: MIT */
/*
 * Checks the integration tests of live changes share: waiting for a
 * property or an object, the table against a fresh start's, and looking
 * up DeviceEvents in a recording.
 */
#pragma once

#include "harness.h"
#include "replay.h"

/* The demo host with the daemon started on it. */
Harness *live_start_demo(void);
/* Waits until a property has a value (takes the floating reference); address
 * is a PCI address or an object path. */
void wait_prop(Harness *h, const char *address, const char *iface, const char *prop, GVariant *want);
/* Waits until the device's object is there (present) or gone. */
void wait_object(Harness *h, const char *address, gboolean present);
GVariant *managed_objects(Harness *h);
/* The live table equals what a daemon started now publishes (restarts it). */
void assert_matches_fresh_start(Harness *h);
/* Index of the first DeviceEvent (type, action, device) at or after `from`, or -1. */
int find_event(Recorder *r, guint from, const char *type, const char *action, const char *device);
unsigned count_events(Recorder *r, const char *type, const char *action);
/* Runs "ip ARGS" (iproute2); whether it succeeded. */
gboolean live_run_ip(const char *args);
