/* SPDX-License-Identifier: MIT */
#include "live-checks.h"

/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 10000

typedef struct PropWait {
        Harness *h;
        const char *path, *iface, *prop;
        GVariant *want;
} PropWait;

static gboolean prop_is(gpointer p) {
        PropWait *w = p;
        g_autoptr(GVariant) r = harness_call(w->h, w->path, "org.freedesktop.DBus.Properties", "Get",
                                             g_variant_new("(ss)", w->iface, w->prop), NULL);
        g_autoptr(GVariant) got = NULL;

        /* The object may not be there yet (a device being re-added). */
        if (!r)
                return FALSE;
        g_variant_get(r, "(v)", &got);
        return g_variant_equal(got, w->want);
}

/* Waits until a property has a value (takes the floating reference). */
void wait_prop(Harness *h, const char *address, const char *iface, const char *prop, GVariant *want) {
        g_autofree char *path = address[0] == '/' ? g_strdup(address) : harness_device_path(address);
        PropWait w = { h, path, iface, prop, g_variant_ref_sink(want) };

        if (!harness_wait_until(prop_is, &w, WAIT_MS)) {
                g_autoptr(GVariant) got = harness_get(h, path, iface, prop);
                g_autofree char *a = g_variant_print(got, TRUE), *b = g_variant_print(want, TRUE);
                g_error("%s %s.%s is %s, expected %s", path, iface, prop, a, b);
        }
        g_variant_unref(w.want);
}

typedef struct ObjectWait {
        Harness *h;
        char *path;
        gboolean present;
} ObjectWait;

static gboolean object_is(gpointer p) {
        ObjectWait *w = p;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(w->h, w->path, "org.freedesktop.DBus.Properties", "GetAll",
                                             g_variant_new("(s)", DEVICE_IFACE), &error);

        return (r != NULL) == w->present;
}

void wait_object(Harness *h, const char *address, gboolean present) {
        ObjectWait w = { h, harness_device_path(address), present };

        if (!harness_wait_until(object_is, &w, WAIT_MS))
                g_error("%s did not %s", w.path, present ? "appear" : "vanish");
        g_free(w.path);
}

GVariant *managed_objects(Harness *h) {
        g_autoptr(GError) error = NULL;
        GVariant *r = harness_call(h, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                                   &error);

        g_assert_no_error(error);
        return r;
}

/* The live table equals what a daemon started now publishes. */
void assert_matches_fresh_start(Harness *h) {
        g_autoptr(GVariant) live = managed_objects(h), fresh = NULL;

        harness_stop_daemon(h);
        harness_start_daemon(h, NULL);
        fresh = managed_objects(h);
        if (!g_variant_equal(live, fresh)) {
                g_autofree char *a = g_variant_print(live, FALSE), *b = g_variant_print(fresh, FALSE);
                g_error("live table differs from a fresh scan:\nlive:  %s\nfresh: %s", a, b);
        }
}

/* Index of the first DeviceEvent (type, action, device) at or after `from`, or -1. */
int find_event(Recorder *r, guint from, const char *type, const char *action, const char *device) {
        for (guint i = from; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);
                const char *t, *a, *d;

                if (!g_str_equal(s->member, "DeviceEvent"))
                        continue;
                g_variant_get(s->params, "(&s&s&s&ot)", &t, &a, &d, NULL, NULL);
                if (g_str_equal(t, type) && g_str_equal(a, action) && g_str_equal(d, device))
                        return (int) i;
        }
        return -1;
}

unsigned count_events(Recorder *r, const char *type, const char *action) {
        unsigned n = 0;

        for (guint i = 0; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);
                const char *t, *a;

                if (!g_str_equal(s->member, "DeviceEvent"))
                        continue;
                g_variant_get(s->params, "(&s&s&s&ot)", &t, &a, NULL, NULL, NULL);
                if (g_str_equal(t, type) && g_str_equal(a, action))
                        n++;
        }
        return n;
}

Harness *live_start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

gboolean live_run_ip(const char *args) {
        g_autofree char *cmd = g_strdup_printf("ip %s", args);
        int status = -1;

        return g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) && g_spawn_check_wait_status(status, NULL);
}
