/* SPDX-License-Identifier: MIT */
/*
 * What a D-Bus client sees while VFs come and go (issue 13): through GLib's
 * GDBusObjectManagerClient, at every signal, a path a property names is an
 * object the client has, and no object it lost.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "live-checks.h"

#define CX6_PF "0000:3b:00.0"
#define BNXT_PF "0000:af:00.0"
/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 10000

/* What a GDBusObjectManagerClient sees, checked as it sees it: a path in a
 * property names an object it already has, and no object it lost. */
typedef struct ClientView {
        GDBusObjectManager *om;
        unsigned checked;           /* paths found in a property and resolved */
        GString *violations;
} ClientView;

static void check_paths(ClientView *v, GDBusProxy *proxy, const char *prop, const char *when) {
        g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property(proxy, prop);
        GVariantIter it;
        const char *path;

        if (!value)
                return;
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_OBJECT_PATH)) {
                g_autoptr(GDBusObject) o = g_dbus_object_manager_get_object(v->om, g_variant_get_string(value, NULL));

                v->checked++;
                if (!o)
                        g_string_append_printf(v->violations, "%s %s names %s, unknown (%s)\n",
                                               g_dbus_proxy_get_object_path(proxy), prop,
                                               g_variant_get_string(value, NULL), when);
                return;
        }
        g_variant_iter_init(&it, value);
        while (g_variant_iter_next(&it, "&o", &path)) {
                g_autoptr(GDBusObject) o = g_dbus_object_manager_get_object(v->om, path);

                v->checked++;
                if (!o)
                        g_string_append_printf(v->violations, "%s %s names %s, unknown (%s)\n",
                                               g_dbus_proxy_get_object_path(proxy), prop, path, when);
        }
}

static void check_object(ClientView *v, GDBusObject *object, const char *when) {
        g_autoptr(GDBusInterface) pf = g_dbus_object_get_interface(object, PF_IFACE);
        g_autoptr(GDBusInterface) vf = g_dbus_object_get_interface(object, VF_IFACE);

        if (pf)
                check_paths(v, G_DBUS_PROXY(pf), "VirtualFunctions", when);
        if (vf)
                check_paths(v, G_DBUS_PROXY(vf), "PhysicalFunction", when);
}

static void check_all(ClientView *v, const char *when) {
        g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(v->om);

        for (GList *l = objects; l; l = l->next)
                check_object(v, l->data, when);
}

static void on_view_properties_changed(GDBusObjectManagerClient *om, GDBusObjectProxy *object, GDBusProxy *proxy,
                                       GVariant *changed, GStrv invalidated, gpointer data) {
        check_object(data, G_DBUS_OBJECT(object), "PropertiesChanged");
}

static void on_view_added(GDBusObjectManager *om, GDBusObject *object, gpointer data) {
        check_object(data, object, "InterfacesAdded");
}

static void on_view_removed(GDBusObjectManager *om, GDBusObject *object, gpointer data) {
        /* The removed object is gone from the manager now: nothing may name it. */
        check_all(data, "InterfacesRemoved");
}

/* VFs appearing and going, a PF going and coming back with its VFs. */
static void test_client_never_sees_unknown_paths(void) {
        g_autoptr(Harness) h = live_start_demo();
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusObjectManager) om = g_dbus_object_manager_client_new_sync(
                h->conn, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, BUS_NAME, MANAGER_PATH, NULL, NULL, NULL,
                NULL, &error);
        ClientView v = { .violations = g_string_new(NULL) };

        g_assert_no_error(error);
        v.om = om;
        g_signal_connect(om, "interface-proxy-properties-changed", G_CALLBACK(on_view_properties_changed), &v);
        g_signal_connect(om, "object-added", G_CALLBACK(on_view_added), &v);
        g_signal_connect(om, "object-removed", G_CALLBACK(on_view_removed), &v);
        check_all(&v, "start");

        sim_enable_vfs(h->sim, BNXT_PF, 4, SIM_VF_NET);
        wait_prop(h, BNXT_PF, PF_IFACE, "VirtualFunctions",
                  g_variant_new_objv((const char *const[]) { "/org/sriov/Monitor1/Device/pci_0000_af_00_1",
                                                             "/org/sriov/Monitor1/Device/pci_0000_af_00_2",
                                                             "/org/sriov/Monitor1/Device/pci_0000_af_00_3",
                                                             "/org/sriov/Monitor1/Device/pci_0000_af_00_4" }, 4));
        sim_disable_vfs(h->sim, BNXT_PF, 1);
        wait_prop(h, BNXT_PF, PF_IFACE, "NumVFs", g_variant_new_uint32(1));
        for (unsigned i = 1; i < 4; i++)
                wait_object(h, sim_vf_address(h->sim, BNXT_PF, i), FALSE);
        sim_remove_pf(h->sim, CX6_PF);
        wait_object(h, CX6_PF, FALSE);
        sim_readd_pf(h->sim, CX6_PF, 4, SIM_VF_NET);
        for (unsigned i = 0; i < 4; i++)
                wait_prop(h, sim_vf_address(h->sim, CX6_PF, i), DEVICE_IFACE, "Mode", g_variant_new_string("net"));
        wait_prop(h, CX6_PF, PF_IFACE, "NumVFs", g_variant_new_uint32(4));
        /* Let the client catch up with everything the daemon sent. */
        g_autoptr(Recorder) rec = recorder_new(h);
        recorder_sync(rec);
        while (g_main_context_iteration(NULL, FALSE))
                ;
        check_all(&v, "end");

        if (v.violations->len > 0)
                g_error("a client saw paths it could not resolve:\n%s", v.violations->str);
        /* The checks ran: the new VFs were named by their PF at least once. */
        g_assert_cmpuint(v.checked, >=, 8);
        g_string_free(v.violations, TRUE);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/client-view/never-unknown-paths", test_client_never_sees_unknown_paths);
        return g_test_run();
}
