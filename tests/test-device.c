/* SPDX-License-Identifier: MIT */
/* The device model: mode derivation, vendor names, and the diff that decides
 * which signals a refresh emits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus-names.h"
#include "device.h"
#include "device-vtable.h"
#include "strv.h"

static char **strv_make(const char *a, const char *b) {
        char **l = NULL;

        if (a)
                assert_int_equal(strv_consume(&l, strdup(a)), 0);
        if (b)
                assert_int_equal(strv_consume(&l, strdup(b)), 0);
        return l;
}

static void test_mode(void **state) {
        char **net = strv_make("enp59s0f0v0", NULL);

        assert_string_equal(device_mode("vfio-pci", NULL), "vfio");
        assert_string_equal(device_mode("mlx5_vfio_pci", NULL), "vfio");
        assert_string_equal(device_mode("pds_vfio_pci", net), "vfio"); /* VFIO wins */
        assert_string_equal(device_mode(NULL, NULL), "unbound");
        assert_string_equal(device_mode("", net), "unbound");
        assert_string_equal(device_mode("mlx5_core", net), "net");
        assert_string_equal(device_mode("mlx5_core", NULL), "other"); /* bound, netdev not there (yet) */
        assert_string_equal(device_mode("pci-stub", NULL), "other");
        strv_free(net);
}

static void test_vendor_names(void **state) {
        assert_non_null(vendor_builtin_name(0x15b3));
        assert_non_null(vendor_builtin_name(0x1dd8));
        assert_non_null(vendor_builtin_name(0x8086));
        assert_non_null(vendor_builtin_name(0x14e4));
        assert_null(vendor_builtin_name(0x10de));
        assert_null(vendor_builtin_name(0));
}

static Device *make_vf(void) {
        Device *d = NULL;

        assert_int_equal(device_new("0000:3b:00.2", DEVICE_ROLE_VF, &d), 0);
        d->vendor_id = 0x15b3;
        d->device_id = 0x101e;
        d->driver = strdup("mlx5_core");
        d->netdevs = strv_make("enp59s0f0v0", NULL);
        d->mode = device_mode(d->driver, d->netdevs);
        d->pf_address = strdup("0000:3b:00.0");
        d->pf_object_path = strdup("/org/sriov/Monitor1/Device/pci_0000_3b_00_0");
        d->vf_index = 0;
        return d;
}

static Device *make_pf(size_t n_vfs) {
        Device *d = NULL;

        assert_int_equal(device_new("0000:3b:00.0", DEVICE_ROLE_PF, &d), 0);
        d->total_vfs = 8;
        d->vfs = calloc(n_vfs + 1, sizeof(VfLink));
        for (size_t i = 0; i < n_vfs; i++) {
                d->vfs[i].index = (uint32_t) i;
                assert_true(asprintf(&d->vfs[i].address, "0000:3b:00.%zu", i + 2) > 0);
        }
        d->n_vfs = n_vfs;
        d->num_vfs = (uint32_t) n_vfs;
        return d;
}

static void test_new_defaults(void **state) {
        Device *d = NULL;

        assert_int_equal(device_new("0000:3b:00.2", DEVICE_ROLE_VF, &d), 0);
        assert_string_equal(d->object_path, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2");
        assert_string_equal(d->role_name, "vf");
        assert_string_equal(d->mode, "unbound");
        assert_int_equal(d->numa_node, -1);
        assert_int_equal(d->iommu_group, -1);
        assert_int_equal(d->vf_index, VF_INDEX_UNKNOWN);
        device_free(d);

        assert_int_equal(device_new("not-an-address", DEVICE_ROLE_PF, &d), -EINVAL);
}

static void test_diff_equal(void **state) {
        Device *a = make_vf(), *b = make_vf();

        assert_true(device_equal(a, b));
        assert_false(device_identity_changed(a, b));
        device_free(a);
        device_free(b);
}

static const sd_bus_vtable *iface_vtable(const char *name) {
        for (size_t i = 0; i < n_device_interfaces; i++)
                if (streq(device_interfaces[i].name, name))
                        return device_interfaces[i].vtable;
        fail_msg("no interface %s", name);
        return NULL;
}

static void test_diff_rebind_to_vfio(void **state) {
        Device *a = make_vf(), *b = make_vf();
        const char **names = NULL;

        free(b->driver);
        b->driver = strdup("vfio-pci");
        b->netdevs = strv_free(b->netdevs);
        b->mode = device_mode(b->driver, b->netdevs);
        b->iommu_group = 44;
        b->vfio_device = strdup("/dev/vfio/44");
        assert_false(device_equal(a, b));
        assert_false(device_identity_changed(a, b));

        /* Split by interface, in the vtable's order. */
        assert_int_equal(device_changed_properties(iface_vtable(DEVICE_IFACE), a, b, &names), 4);
        assert_string_equal(names[0], "Driver");
        assert_string_equal(names[1], "Mode");
        assert_string_equal(names[2], "NetDevices");
        assert_string_equal(names[3], "IommuGroup");
        assert_null(names[4]);
        free(names);
        assert_int_equal(device_changed_properties(iface_vtable(VF_IFACE), a, b, &names), 1);
        assert_string_equal(names[0], "VfioDevice");
        assert_null(names[1]);
        free(names);
        assert_int_equal(device_changed_properties(iface_vtable(PF_IFACE), a, b, &names), 0);
        assert_null(names);
        device_free(a);
        device_free(b);
}

static void test_diff_identity(void **state) {
        Device *a = make_vf(), *b = make_vf();

        b->vf_index = 3;
        assert_true(device_identity_changed(a, b));
        b->vf_index = a->vf_index;
        free(b->pf_object_path);
        b->pf_object_path = strdup("/org/sriov/Monitor1/Device/pci_0000_5e_00_0");
        assert_true(device_identity_changed(a, b));
        free(b->pf_object_path);
        b->pf_object_path = strdup(a->pf_object_path);
        assert_false(device_identity_changed(a, b));
        b->device_id = 0x101d;
        assert_true(device_identity_changed(a, b));
        assert_false(device_equal(a, b));
        device_free(a);
        device_free(b);
}

static void test_diff_vfs(void **state) {
        Device *a = make_pf(2), *b = make_pf(4), *c = make_pf(2);
        const char **names = NULL;

        assert_int_equal(device_changed_properties(iface_vtable(PF_IFACE), a, b, &names), 2);
        assert_string_equal(names[0], "NumVFs");
        assert_string_equal(names[1], "VirtualFunctions");
        free(names);
        /* Same count, a different VF behind an index. */
        free(c->vfs[1].address);
        c->vfs[1].address = strdup("0000:3b:00.7");
        assert_int_equal(device_changed_properties(iface_vtable(PF_IFACE), a, c, &names), 1);
        assert_string_equal(names[0], "VirtualFunctions");
        free(names);
        c->drivers_autoprobe = 1;
        assert_int_equal(device_changed_properties(iface_vtable(PF_IFACE), a, c, &names), 2);
        assert_string_equal(names[1], "DriversAutoprobe");
        free(names);
        assert_false(device_identity_changed(a, c));

        assert_non_null(device_find_vf(b, "0000:3b:00.5"));
        assert_int_equal(device_find_vf(b, "0000:3b:00.5")->index, 3);
        assert_null(device_find_vf(a, "0000:3b:00.5"));
        device_free(a);
        device_free(b);
        device_free(c);
}

static void test_diff_netdev_order_matters_not(void **state) {
        /* NetDevices is kept sorted by the reader, so equal sets compare equal. */
        Device *a = make_vf(), *b = make_vf();

        strv_free(a->netdevs);
        strv_free(b->netdevs);
        a->netdevs = strv_make("a", "b");
        b->netdevs = strv_make("b", "a");
        strv_sort(b->netdevs);
        assert_true(device_equal(a, b));
        device_free(a);
        device_free(b);
}

static void test_vtables_comparable(void **state) {
        /* Every property of the vtables has a comparison: adding one with a
         * default getter needs nothing more than its field and entry. */
        assert_true(device_vtables_comparable());
}

static void test_strv_remove(void **state) {
        char **l = strv_make("a", "b");

        assert_int_equal(strv_consume(&l, strdup("a")), 0);
        assert_true(strv_remove(l, "a"));   /* every copy goes */
        assert_int_equal(strv_length(l), 1);
        assert_string_equal(l[0], "b");
        assert_false(strv_remove(l, "x"));
        assert_true(strv_remove(l, "b"));
        assert_int_equal(strv_length(l), 0);
        assert_false(strv_remove(NULL, "b"));
        strv_free(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mode),
                cmocka_unit_test(test_vendor_names),
                cmocka_unit_test(test_new_defaults),
                cmocka_unit_test(test_diff_equal),
                cmocka_unit_test(test_diff_rebind_to_vfio),
                cmocka_unit_test(test_diff_identity),
                cmocka_unit_test(test_diff_vfs),
                cmocka_unit_test(test_diff_netdev_order_matters_not),
                cmocka_unit_test(test_vtables_comparable),
                cmocka_unit_test(test_strv_remove),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
