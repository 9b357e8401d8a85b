/* SPDX-License-Identifier: MIT */
/*
 * Discovery and the D-Bus contract, end to end: a simulated host, a private
 * system bus, the real daemon, and real clients (GDBus, its
 * GDBusObjectManagerClient, busctl).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "harness.h"

#define CX6_PF "0000:3b:00.0"

static Harness *start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

static void assert_str_prop(Harness *h, const char *address, const char *iface, const char *prop,
                            const char *expected) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        g_assert_cmpstr(g_variant_get_string(v, NULL), ==, expected);
}

static void assert_netdevs(Harness *h, const char *address, const char *const *expected) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, DEVICE_IFACE, "NetDevices");
        g_autofree const char **got = g_variant_get_strv(v, NULL);

        g_assert_cmpstrv(got, expected);
}

static gint32 get_i32(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        return g_variant_get_int32(v);
}

static guint32 get_u32(Harness *h, const char *address, const char *iface, const char *prop) {
        g_autofree char *path = harness_device_path(address);
        g_autoptr(GVariant) v = harness_get(h, path, iface, prop);

        return g_variant_get_uint32(v);
}

static char **object_paths(GVariant *v) {
        g_autoptr(GPtrArray) a = g_ptr_array_new();
        GVariantIter it;
        const char *p;

        g_variant_iter_init(&it, v);
        while (g_variant_iter_next(&it, "&o", &p))
                g_ptr_array_add(a, g_strdup(p));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(g_steal_pointer(&a), FALSE);
}

static void test_empty_host(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(GVariant) pfs = NULL, version = NULL, last = NULL, objects = NULL;
        g_autoptr(GError) error = NULL;

        /* A host with PCI devices, none of them SR-IOV capable. */
        sim_add_plain_device(h->sim, "0000:02:00.0", 0x8086, 0x1533, "igb");
        harness_start_daemon(h, NULL);

        pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_assert_cmpuint(g_variant_n_children(pfs), ==, 0);
        version = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "Version");
        g_assert_cmpstr(g_variant_get_string(version, NULL), ==, PACKAGE_VERSION);
        last = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        g_assert_cmpuint(g_variant_get_uint64(last), >, 1600000000ULL * 1000000ULL);

        objects = harness_call(h, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                               NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_variant_n_children(g_variant_get_child_value(objects, 0)), ==, 0);

        /* The plain NIC is not published. */
        g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice",
                                             g_variant_new("(s)", "0000:02:00.0"), &error);
        g_assert_null(r);
        g_assert_true(g_dbus_error_is_remote_error(error));
        g_autofree char *name = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(name, ==, "org.sriov.Monitor1.Error.NoSuchDevice");
}

static void test_mellanox_pf(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *path = harness_device_path(CX6_PF);
        g_autoptr(GVariant) vfs = harness_get(h, path, PF_IFACE, "VirtualFunctions");
        g_auto(GStrv) vf_paths = object_paths(vfs);
        g_autoptr(GVariant) vendor = harness_get(h, path, DEVICE_IFACE, "VendorId");
        g_autoptr(GVariant) device = harness_get(h, path, DEVICE_IFACE, "DeviceId");
        g_autoptr(GVariant) autoprobe = harness_get(h, path, PF_IFACE, "DriversAutoprobe");
        const char *expected_vfs[] = {
                "/org/sriov/Monitor1/Device/pci_0000_3b_00_2", "/org/sriov/Monitor1/Device/pci_0000_3b_00_3",
                "/org/sriov/Monitor1/Device/pci_0000_3b_00_4", "/org/sriov/Monitor1/Device/pci_0000_3b_00_5", NULL,
        };

        assert_str_prop(h, CX6_PF, DEVICE_IFACE, "PciAddress", CX6_PF);
        assert_str_prop(h, CX6_PF, DEVICE_IFACE, "Role", "pf");
        g_assert_cmpuint(g_variant_get_uint16(vendor), ==, 0x15b3);
        g_assert_cmpuint(g_variant_get_uint16(device), ==, 0x101d);
        assert_str_prop(h, CX6_PF, DEVICE_IFACE, "VendorName", "Mellanox Technologies");
        assert_str_prop(h, CX6_PF, DEVICE_IFACE, "Driver", "mlx5_core");
        assert_str_prop(h, CX6_PF, DEVICE_IFACE, "Mode", "net");
        assert_netdevs(h, CX6_PF, (const char *[]) { "enp59s0f0np0", NULL });
        g_assert_cmpint(get_i32(h, CX6_PF, DEVICE_IFACE, "NumaNode"), ==, 0);
        g_assert_cmpint(get_i32(h, CX6_PF, DEVICE_IFACE, "IommuGroup"), ==, 40);
        g_assert_cmpuint(get_u32(h, CX6_PF, PF_IFACE, "TotalVFs"), ==, 8);
        g_assert_cmpuint(get_u32(h, CX6_PF, PF_IFACE, "NumVFs"), ==, 4);
        g_assert_cmpstrv(vf_paths, expected_vfs);
        g_assert_true(g_variant_get_boolean(autoprobe));
}

static void test_mellanox_vfs(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *pf_path = harness_device_path(CX6_PF);
        const struct {
                const char *address, *driver, *mode, *netdev, *vfio;
                int group;
        } vfs[] = {
                { "0000:3b:00.2", "mlx5_core", "net", "enp59s0f0v0", "", 41 },
                { "0000:3b:00.3", "mlx5_core", "net", "enp59s0f0v1", "", 42 },
                { "0000:3b:00.4", "vfio-pci", "vfio", NULL, "/dev/vfio/43", 43 },
                { "0000:3b:00.5", "", "unbound", NULL, "", 44 },
        };

        for (guint i = 0; i < G_N_ELEMENTS(vfs); i++) {
                g_autofree char *path = harness_device_path(vfs[i].address);
                g_autoptr(GVariant) pf = harness_get(h, path, VF_IFACE, "PhysicalFunction");
                g_autoptr(GVariant) device = harness_get(h, path, DEVICE_IFACE, "DeviceId");

                assert_str_prop(h, vfs[i].address, DEVICE_IFACE, "Role", "vf");
                g_assert_cmpuint(g_variant_get_uint16(device), ==, 0x101e);
                assert_str_prop(h, vfs[i].address, DEVICE_IFACE, "Driver", vfs[i].driver);
                assert_str_prop(h, vfs[i].address, DEVICE_IFACE, "Mode", vfs[i].mode);
                assert_netdevs(h, vfs[i].address, (const char *[]) { vfs[i].netdev, NULL });
                g_assert_cmpint(get_i32(h, vfs[i].address, DEVICE_IFACE, "IommuGroup"), ==, vfs[i].group);
                g_assert_cmpstr(g_variant_get_string(pf, NULL), ==, pf_path);
                g_assert_cmpuint(get_u32(h, vfs[i].address, VF_IFACE, "VFIndex"), ==, i);
                assert_str_prop(h, vfs[i].address, VF_IFACE, "VfioDevice", vfs[i].vfio);
        }
}

static void test_other_vendors(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(GVariant) pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_auto(GStrv) pf_paths = object_paths(pfs);
        const char *expected_pfs[] = {
                "/org/sriov/Monitor1/Device/pci_0000_3b_00_0", "/org/sriov/Monitor1/Device/pci_0000_5e_00_0",
                "/org/sriov/Monitor1/Device/pci_0000_af_00_0", "/org/sriov/Monitor1/Device/pci_0000_b5_00_0", NULL,
        };

        /* Sorted by PCI address; the plain NIC is not among them. */
        g_assert_cmpstrv(pf_paths, expected_pfs);

        /* Pensando: ionic on both sides. */
        assert_str_prop(h, "0000:b5:00.0", DEVICE_IFACE, "Driver", "ionic");
        assert_str_prop(h, "0000:b5:00.0", DEVICE_IFACE, "VendorName", "Pensando Systems");
        g_assert_cmpuint(get_u32(h, "0000:b5:00.0", PF_IFACE, "NumVFs"), ==, 2);
        g_assert_cmpint(get_i32(h, "0000:b5:00.0", DEVICE_IFACE, "NumaNode"), ==, 1);
        assert_str_prop(h, "0000:b5:00.1", DEVICE_IFACE, "Driver", "ionic");
        assert_netdevs(h, "0000:b5:00.2", (const char *[]) { "enp181s0v1", NULL });

        /* Intel E810: ice PF, iavf VFs at offset 16. */
        assert_str_prop(h, "0000:5e:00.0", DEVICE_IFACE, "Driver", "ice");
        g_assert_cmpuint(get_u32(h, "0000:5e:00.0", PF_IFACE, "TotalVFs"), ==, 128);
        assert_str_prop(h, "0000:5e:02.0", DEVICE_IFACE, "Driver", "iavf");
        assert_str_prop(h, "0000:5e:02.1", DEVICE_IFACE, "Mode", "net");
        g_assert_cmpuint(get_u32(h, "0000:5e:02.1", VF_IFACE, "VFIndex"), ==, 1);

        /* Broadcom with sriov_numvfs 0: still a PF, no VFs. */
        assert_str_prop(h, "0000:af:00.0", DEVICE_IFACE, "Role", "pf");
        g_assert_cmpuint(get_u32(h, "0000:af:00.0", PF_IFACE, "NumVFs"), ==, 0);
        g_assert_cmpuint(get_u32(h, "0000:af:00.0", PF_IFACE, "TotalVFs"), ==, 8);
}

static void assert_find(Harness *h, const char *key, const char *address) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", key),
                                             &error);
        g_autofree char *expected = harness_device_path(address);
        const char *path;

        g_assert_no_error(error);
        g_variant_get(r, "(&o)", &path);
        g_assert_cmpstr(path, ==, expected);
}

static void assert_find_fails(Harness *h, const char *key, const char *error_name, const char *message_part) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", key),
                                             &error);
        g_autofree char *name = NULL;

        g_assert_null(r);
        g_assert_nonnull(error);
        name = g_dbus_error_get_remote_error(error);
        g_assert_cmpstr(name, ==, error_name);
        if (message_part)
                g_assert_nonnull(strstr(error->message, message_part));
}

static void test_find_device(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *long_key = g_strnfill(65, 'x');
        g_autofree char *max_key = g_strnfill(64, 'x');

        assert_find(h, "0000:3b:00.2", "0000:3b:00.2");
        assert_find(h, "3b:00.2", "0000:3b:00.2");
        assert_find(h, "0000:3B:00.2", "0000:3b:00.2");
        assert_find(h, "enp59s0f0v1", "0000:3b:00.3");
        assert_find(h, "enp59s0f0np0", CX6_PF);
        assert_find(h, "ens785f0v0", "0000:5e:02.0");
        assert_find(h, "5e:00.0", "0000:5e:00.0");

        assert_find_fails(h, "0000:3b:00.7", "org.sriov.Monitor1.Error.NoSuchDevice", "0000:3b:00.7");
        assert_find_fails(h, "eth99", "org.sriov.Monitor1.Error.NoSuchDevice", "eth99");
        assert_find_fails(h, "eno1", "org.sriov.Monitor1.Error.NoSuchDevice", "eno1"); /* not SR-IOV */
        assert_find_fails(h, max_key, "org.sriov.Monitor1.Error.NoSuchDevice", NULL);
        assert_find_fails(h, "", "org.freedesktop.DBus.Error.InvalidArgs", NULL);
        assert_find_fails(h, long_key, "org.freedesktop.DBus.Error.InvalidArgs", "64");
}

static void test_bad_calls(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;

        /* Wrong signature, unknown method, unknown object: errors, and the daemon lives on. */
        r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(u)", 7), &error);
        g_assert_null(r);
        g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
        g_clear_error(&error);
        /* The bus policy refuses what it does not list, before the daemon sees it. */
        r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Frobnicate", NULL, &error);
        g_assert_null(r);
        g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
        g_clear_error(&error);
        r = harness_call(h, "/org/sriov/Monitor1/Device/pci_0000_3b_00_7", DEVICE_IFACE, "Get", NULL, &error);
        g_assert_null(r);
        g_assert_nonnull(error);
        g_clear_error(&error);

        assert_find(h, "3b:00.2", "0000:3b:00.2");
}

static void test_managed_objects(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                                             "GetManagedObjects", NULL, &error);
        g_autoptr(GVariant) objects = NULL;
        g_autoptr(GVariant) props = NULL;
        GVariantIter it;
        const char *path;
        GVariant *ifaces;
        guint n = 0;

        g_assert_no_error(error);
        objects = g_variant_get_child_value(r, 0);
        /* 4 PFs, 4 + 2 + 2 VFs. */
        g_assert_cmpuint(g_variant_n_children(objects), ==, 12);

        g_variant_iter_init(&it, objects);
        while (g_variant_iter_next(&it, "{&o@a{sa{sv}}}", &path, &ifaces)) {
                g_autoptr(GVariant) dev = g_variant_lookup_value(ifaces, DEVICE_IFACE, NULL);
                g_autoptr(GVariant) pf = g_variant_lookup_value(ifaces, PF_IFACE, NULL);
                g_autoptr(GVariant) vf = g_variant_lookup_value(ifaces, VF_IFACE, NULL);
                const char *role = NULL;

                g_assert_true(g_str_has_prefix(path, "/org/sriov/Monitor1/Device/pci_"));
                g_assert_nonnull(dev);
                g_assert_true(g_variant_lookup(dev, "Role", "&s", &role));
                /* Exactly one of the role interfaces, the right one. */
                g_assert_true(g_str_equal(role, "pf") ? pf && !vf : vf && !pf);
                /* With the network facts of issue 15: 5 on Device, 1 on PF, 8 on VF;
                 * issue 16's IommuGroupDevices, ProductName, PcieLinkSpeed and
                 * -Width on Device, VfioCdev on VF. */
                g_assert_cmpuint(g_variant_n_children(dev), ==, 19);
                /* and issue 16's InUse, OwnerPid, OwnerName, Representor on VF,
                 * EswitchMode and Representors on PF */
                g_assert_cmpuint(g_variant_n_children(g_str_equal(role, "pf") ? pf : vf), ==,
                                 g_str_equal(role, "pf") ? 7 : 16);
                g_variant_unref(ifaces);
                n++;
        }
        g_assert_cmpuint(n, ==, 12);

        props = g_variant_lookup_value(objects, "/org/sriov/Monitor1/Device/pci_0000_3b_00_4", NULL);
        g_assert_nonnull(props);
        g_autoptr(GVariant) vf = g_variant_lookup_value(props, VF_IFACE, NULL);
        const char *vfio;
        g_assert_true(g_variant_lookup(vf, "VfioDevice", "&s", &vfio));
        g_assert_cmpstr(vfio, ==, "/dev/vfio/43");
}

static void test_object_manager_client(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusObjectManager) om = g_dbus_object_manager_client_new_sync(
                h->conn, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, BUS_NAME, MANAGER_PATH, NULL, NULL, NULL,
                NULL, &error);
        g_autolist(GDBusObject) objects = NULL;
        g_autoptr(GDBusInterface) iface = NULL;
        g_autoptr(GVariant) mode = NULL;

        g_assert_no_error(error);
        objects = g_dbus_object_manager_get_objects(om);
        g_assert_cmpuint(g_list_length(objects), ==, 12);

        iface = g_dbus_object_manager_get_interface(om, "/org/sriov/Monitor1/Device/pci_0000_3b_00_4", VF_IFACE);
        g_assert_nonnull(iface);
        g_clear_object(&iface);
        iface = g_dbus_object_manager_get_interface(om, "/org/sriov/Monitor1/Device/pci_0000_3b_00_4", DEVICE_IFACE);
        g_assert_nonnull(iface);
        /* The cached property, as a desktop integration would read it. */
        mode = g_dbus_proxy_get_cached_property(G_DBUS_PROXY(iface), "Mode");
        g_assert_cmpstr(g_variant_get_string(mode, NULL), ==, "vfio");
        /* A VF has no PhysicalFunction interface. */
        g_assert_null(g_dbus_object_manager_get_interface(om, "/org/sriov/Monitor1/Device/pci_0000_3b_00_4",
                                                          PF_IFACE));
}

static void assert_args_equal(GDBusArgInfo **want, GDBusArgInfo **got) {
        for (; (want && *want) || (got && *got); want++, got++) {
                g_assert_true(want && *want && got && *got);
                g_assert_cmpstr((*want)->name, ==, (*got)->name);
                g_assert_cmpstr((*want)->signature, ==, (*got)->signature);
        }
}

/* Compares one interface of the contract with the daemon's introspection:
 * members, argument names, types and directions, and annotations. */
static void assert_interface_equal(GDBusInterfaceInfo *want, GDBusInterfaceInfo *got) {
        g_assert_nonnull(got);
        for (guint i = 0; want->methods && want->methods[i]; i++) {
                GDBusMethodInfo *w = want->methods[i], *g = g_dbus_interface_info_lookup_method(got, w->name);

                g_assert_nonnull(g);
                assert_args_equal(w->in_args, g->in_args);
                assert_args_equal(w->out_args, g->out_args);
        }
        for (guint i = 0; want->signals && want->signals[i]; i++) {
                GDBusSignalInfo *w = want->signals[i], *g = g_dbus_interface_info_lookup_signal(got, w->name);

                g_assert_nonnull(g);
                assert_args_equal(w->args, g->args);
        }
        for (guint i = 0; want->properties && want->properties[i]; i++) {
                GDBusPropertyInfo *w = want->properties[i], *g = g_dbus_interface_info_lookup_property(got, w->name);
                const char *wc, *gc;

                g_assert_nonnull(g);
                g_assert_cmpstr(w->signature, ==, g->signature);
                g_assert_cmpint(w->flags, ==, g->flags);
                wc = g_dbus_annotation_info_lookup(w->annotations, "org.freedesktop.DBus.Property.EmitsChangedSignal");
                gc = g_dbus_annotation_info_lookup(g->annotations, "org.freedesktop.DBus.Property.EmitsChangedSignal");
                g_assert_cmpstr(wc ?: "true", ==, gc ?: "true");
        }
        /* Nothing the contract does not list. */
        for (guint i = 0; got->methods && got->methods[i]; i++)
                g_assert_nonnull(g_dbus_interface_info_lookup_method(want, got->methods[i]->name));
        for (guint i = 0; got->signals && got->signals[i]; i++)
                g_assert_nonnull(g_dbus_interface_info_lookup_signal(want, got->signals[i]->name));
        for (guint i = 0; got->properties && got->properties[i]; i++)
                g_assert_nonnull(g_dbus_interface_info_lookup_property(want, got->properties[i]->name));
}

static GDBusNodeInfo *introspect(Harness *h, const char *path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
                                             &error);
        const char *xml;
        GDBusNodeInfo *node;

        g_assert_no_error(error);
        g_variant_get(r, "(&s)", &xml);
        node = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        return node;
}

static void test_introspection_matches_contract(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *xml = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusNodeInfo) contract = NULL, manager = NULL, pf = NULL, vf = NULL;
        const char *objects[][2] = {
                { MANAGER_IFACE, MANAGER_PATH },
                { DEVICE_IFACE, "/org/sriov/Monitor1/Device/pci_0000_3b_00_0" },
                { PF_IFACE, "/org/sriov/Monitor1/Device/pci_0000_3b_00_0" },
                { DEVICE_IFACE, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2" },
                { VF_IFACE, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2" },
        };

        g_assert_true(g_file_get_contents(g_getenv("SRIOV_XML"), &xml, NULL, &error));
        contract = g_dbus_node_info_new_for_xml(xml, &error);
        g_assert_no_error(error);
        /* Every interface of the contract is covered below. */
        g_assert_cmpuint(g_strv_length((char **) contract->interfaces), ==, 4);

        for (guint i = 0; i < G_N_ELEMENTS(objects); i++) {
                g_autoptr(GDBusNodeInfo) node = introspect(h, objects[i][1]);

                assert_interface_equal(g_dbus_node_info_lookup_interface(contract, objects[i][0]),
                                       g_dbus_node_info_lookup_interface(node, objects[i][0]));
        }
        /* A PF has no VF interface and the other way round. */
        pf = introspect(h, "/org/sriov/Monitor1/Device/pci_0000_3b_00_0");
        g_assert_null(g_dbus_node_info_lookup_interface(pf, VF_IFACE));
        vf = introspect(h, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2");
        g_assert_null(g_dbus_node_info_lookup_interface(vf, PF_IFACE));
        manager = introspect(h, MANAGER_PATH);
        g_assert_nonnull(g_dbus_node_info_lookup_interface(manager, "org.freedesktop.DBus.ObjectManager"));
}

static void test_refresh_emits_only_differences(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL, before = NULL, after = NULL;
        Signal *s;
        const char *iface;
        g_autoptr(GVariant) changed = NULL;
        gint32 node = 0;

        before = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
        g_assert_no_error(error);
        recorder_sync(rec);
        /* Nothing changed: no device signal, only LastRefresh moves. */
        g_assert_cmpuint(recorder_count(rec, "InterfacesAdded", NULL), ==, 0);
        g_assert_cmpuint(recorder_count(rec, "InterfacesRemoved", NULL), ==, 0);
        g_assert_cmpuint(recorder_count(rec, "PropertiesChanged", NULL), ==, 1);
        g_assert_cmpuint(recorder_count(rec, "PropertiesChanged", MANAGER_PATH), ==, 1);
        after = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        g_assert_cmpuint(g_variant_get_uint64(after), >, g_variant_get_uint64(before));

        /* Behind the daemon's back: one attribute of one VF. */
        recorder_clear(rec);
        sim_write_attribute(h->sim, "0000:3b:00.3", "numa_node", "1");
        g_clear_pointer(&r, g_variant_unref);
        r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
        g_assert_no_error(error);
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count(rec, "PropertiesChanged", NULL), ==, 2);
        g_assert_cmpuint(recorder_count(rec, "PropertiesChanged", "/org/sriov/Monitor1/Device/pci_0000_3b_00_3"), ==, 1);
        for (guint i = 0; i < rec->signals->len; i++) {
                s = g_ptr_array_index(rec->signals, i);
                if (!g_str_equal(s->path, "/org/sriov/Monitor1/Device/pci_0000_3b_00_3"))
                        continue;
                g_variant_get(s->params, "(&s@a{sv}@as)", &iface, &changed, NULL);
                g_assert_cmpstr(iface, ==, DEVICE_IFACE);
                /* The signal carries the new value, and only it. */
                g_assert_cmpuint(g_variant_n_children(changed), ==, 1);
                g_assert_true(g_variant_lookup(changed, "NumaNode", "i", &node));
                g_assert_cmpint(node, ==, 1);
        }
        g_assert_cmpint(get_i32(h, "0000:3b:00.3", DEVICE_IFACE, "NumaNode"), ==, 1);
}

static void test_busctl(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL;
        const char *busctl = g_getenv("BUSCTL");

        /* The tree a person browses. */
        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, "--system", "tree", "--list", BUS_NAME, NULL },
                                    &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "/org/sriov/Monitor1/Device/pci_0000_3b_00_4\n"));
        g_assert_nonnull(strstr(out, "/org/sriov/Monitor1/Device/pci_0000_5e_02_1\n"));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, "--system", "call", BUS_NAME, MANAGER_PATH,
                                                          MANAGER_IFACE, "FindDevice", "s", "enp59s0f0v0", NULL },
                                    &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "o \"/org/sriov/Monitor1/Device/pci_0000_3b_00_2\"\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, "--system", "get-property", BUS_NAME,
                                                          "/org/sriov/Monitor1/Device/pci_0000_3b_00_0", PF_IFACE,
                                                          "NumVFs", NULL },
                                    &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "u 4\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, "--system", "introspect", BUS_NAME,
                                                          "/org/sriov/Monitor1/Device/pci_0000_3b_00_4", NULL },
                                    &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, ".VfioDevice"));
        g_assert_nonnull(strstr(out, "\"/dev/vfio/43\""));
}

static void test_malformed_sysfs(void) {
        g_autoptr(Harness) h = harness_new();

        sim_build_demo_host(h->sim);
        /* Odd values: each is "unknown", the rest of the device and the table stay right. */
        sim_write_attribute(h->sim, "0000:3b:00.2", "numa_node", "");
        sim_write_attribute(h->sim, "0000:3b:00.3", "vendor", "0xzzzz");
        sim_write_attribute(h->sim, "0000:5e:00.0", "sriov_totalvfs", "lots");
        sim_write_attribute(h->sim, "0000:5e:02.0", "numa_node", "99999999999999999999");
        sim_write_attribute(h->sim, "0000:b5:00.0", "sriov_drivers_autoprobe", "\xff\xfe");
        /* A second unreadable vendor, of another vendor: no name is shared by vendor id 0. */
        sim_write_attribute(h->sim, "0000:b5:00.0", "vendor", "garbage");
        harness_start_daemon(h, NULL);

        g_assert_cmpint(get_i32(h, "0000:3b:00.2", DEVICE_IFACE, "NumaNode"), ==, -1);
        assert_str_prop(h, "0000:3b:00.2", DEVICE_IFACE, "Driver", "mlx5_core");
        g_autofree char *p = harness_device_path("0000:3b:00.3");
        g_autoptr(GVariant) vendor = harness_get(h, p, DEVICE_IFACE, "VendorId");
        g_assert_cmpuint(g_variant_get_uint16(vendor), ==, 0);
        /* udev's hwdb name does not depend on the vendor file. */
        assert_str_prop(h, "0000:3b:00.3", DEVICE_IFACE, "VendorName", "Mellanox Technologies");
        assert_str_prop(h, "0000:b5:00.0", DEVICE_IFACE, "VendorName", "Pensando Systems");
        g_assert_cmpuint(get_u32(h, "0000:5e:00.0", PF_IFACE, "TotalVFs"), ==, 0);
        g_assert_cmpuint(get_u32(h, "0000:5e:00.0", PF_IFACE, "NumVFs"), ==, 2);
        g_assert_cmpint(get_i32(h, "0000:5e:02.0", DEVICE_IFACE, "NumaNode"), ==, -1);
        g_assert_cmpuint(get_u32(h, CX6_PF, PF_IFACE, "NumVFs"), ==, 4);
}

static char *receive_notification(GSocket *s) {
        char buf[512];
        gssize n;

        g_socket_set_timeout(s, harness_timeout_ms(10000) / 1000);
        n = g_socket_receive(s, buf, sizeof(buf) - 1, NULL, NULL);
        g_assert_cmpint(n, >, 0);
        buf[n] = '\0';
        return g_strdup(buf);
}

/* sd_notify: READY=1 once the name is owned and the table published,
 * STOPPING=1 on SIGTERM, as a Type=dbus/notify unit expects. */
static void test_readiness_notification(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *path = g_build_filename(h->private_dir, "notify", NULL);
        g_autoptr(GSocketAddress) address = g_unix_socket_address_new(path);
        g_autoptr(GError) error = NULL;
        g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, 0, &error);
        g_autofree char *ready = NULL, *stopping = NULL;
        g_autoptr(GVariant) pfs = NULL;

        g_assert_no_error(error);
        g_assert_true(g_socket_bind(s, address, TRUE, &error));
        sim_build_demo_host(h->sim);
        h->notify_socket = path;
        harness_start_daemon(h, NULL);

        ready = receive_notification(s);
        g_assert_nonnull(strstr(ready, "READY=1"));
        /* Ready means published. */
        pfs = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "PhysicalFunctions");
        g_assert_cmpuint(g_variant_n_children(pfs), ==, 4);

        harness_stop_daemon(h);
        stopping = receive_notification(s);
        g_assert_nonnull(strstr(stopping, "STOPPING=1"));
        (void) unlink(path);
}

/* SIGHUP rescans, as systemctl reload does. */
static void test_sighup_rescans(void) {
        g_autoptr(Harness) h = start_demo();
        guint64 before = harness_last_refresh(h);

        sim_write_attribute(h->sim, "0000:3b:00.2", "numa_node", "1");
        g_assert_cmpint(kill(h->daemon_pid, SIGHUP), ==, 0);
        g_assert_true(harness_wait_refresh_after(h, before, 10000));
        g_assert_cmpint(get_i32(h, "0000:3b:00.2", DEVICE_IFACE, "NumaNode"), ==, 1);
}

/* Usage errors: exit 2 and one line on stderr; --help and --version. */
static void test_command_line(void) {
        g_autoptr(Harness) h = harness_new();
        const char *daemon = g_getenv("SRIOV_MONITORD");
        const char *bad[][2] = {
                { "--frobnicate", NULL }, { "--log-level=loud", NULL }, { "--uevent-source=magic", NULL },
                { "--resync-interval=-5", NULL }, { "--resync-interval=soon", NULL }, { "--private-socket=relative", NULL },
                { "--uevent-buffer-size=12", NULL }, { "--log-level", NULL }, { "extra-argument", NULL },
        };
        g_autofree char *out = NULL, *err = NULL;

        for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *o = NULL, *e = NULL;

                g_assert_cmpint(harness_run(h, (const char *[]) { daemon, bad[i][0], NULL }, &o, &e), ==, 2);
                g_assert_cmpstr(o, ==, "");
                g_assert_true(g_str_has_prefix(e, "sriov-monitord: "));
                g_assert_cmpstr(strchr(e, '\n') + 1, ==, "");
        }
        g_assert_cmpint(harness_run(h, (const char *[]) { daemon, "--version", NULL }, &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "sriov-monitord " PACKAGE_VERSION "\n");
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(harness_run(h, (const char *[]) { daemon, "--help", NULL }, &out, &err), ==, 0);
        for (const char *const *o = (const char *const[]) { "--session", "--private-socket", "--uevent-source",
                                                            "--resync-interval", "--log-level", "--version", NULL };
             *o; o++)
                g_assert_nonnull(strstr(out, *o));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/discovery/empty-host", test_empty_host);
        g_test_add_func("/discovery/mellanox-pf", test_mellanox_pf);
        g_test_add_func("/discovery/mellanox-vfs", test_mellanox_vfs);
        g_test_add_func("/discovery/other-vendors", test_other_vendors);
        g_test_add_func("/discovery/malformed-sysfs", test_malformed_sysfs);
        g_test_add_func("/bus/find-device", test_find_device);
        g_test_add_func("/bus/bad-calls", test_bad_calls);
        g_test_add_func("/bus/managed-objects", test_managed_objects);
        g_test_add_func("/bus/object-manager-client", test_object_manager_client);
        g_test_add_func("/bus/introspection-matches-contract", test_introspection_matches_contract);
        g_test_add_func("/bus/refresh-emits-only-differences", test_refresh_emits_only_differences);
        g_test_add_func("/bus/busctl", test_busctl);
        g_test_add_func("/daemon/readiness-notification", test_readiness_notification);
        g_test_add_func("/daemon/command-line", test_command_line);
        g_test_add_func("/daemon/sighup-rescans", test_sighup_rescans);
        return g_test_run();
}
