/* SPDX-License-Identifier: MIT */
/* PCI address parsing, formatting, ordering, and the object path codec. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pci-address.h"

static void assert_normalizes(const char *in, int allow_short, const char *out) {
        char buf[PCI_ADDRESS_MAX];

        assert_int_equal(pci_address_normalize(in, allow_short, buf), 0);
        assert_string_equal(buf, out);
}

static void assert_rejected(const char *in, int allow_short) {
        char buf[PCI_ADDRESS_MAX];

        assert_int_equal(pci_address_normalize(in, allow_short, buf), -EINVAL);
}

static void test_parse_full(void **state) {
        assert_normalizes("0000:3b:00.2", 0, "0000:3b:00.2");
        assert_normalizes("0000:3B:1F.7", 0, "0000:3b:1f.7");
        /* VMD domains have five digits. */
        assert_normalizes("10000:e1:00.0", 0, "10000:e1:00.0");
        assert_normalizes("1:05:10.4", 0, "0001:05:10.4");
}

static void test_parse_short(void **state) {
        assert_normalizes("3b:00.2", 1, "0000:3b:00.2");
        assert_rejected("3b:00.2", 0);
}

static void test_parse_rejects(void **state) {
        const char *bad[] = {
                "", "0000", "0000:3b:00", "0000:3b:00.", "0000:3b:20.0" /* slot > 0x1f */,
                "0000:3b:00.8" /* function > 7 */, "0000:3b:0.2", "0000:3bb:00.2", "0000:3b:000.2",
                "0000:3b:00.2 ", " 0000:3b:00.2", "0000:3b:00.2\n", "000000000:3b:00.2" /* 9-digit domain */,
                "0000:3g:00.2", "0000::3b:00.2", "0000:3b:00:2", "0000:3b.00.2", "eth0", "enp59s0f0v0",
                "0000:3b:00.22", "x:3b:00.2",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_rejected(bad[i], 1);
        assert_int_equal(pci_address_normalize(NULL, 1, (char[PCI_ADDRESS_MAX]) {}), -EINVAL);
}

static void test_compare(void **state) {
        /* Numeric, not lexical: domain 10000 sorts after ffff. */
        assert_true(pci_address_string_compare("ffff:00:00.0", "10000:00:00.0") < 0);
        /* Bus 0x3b before bus 0xb5 even in a 5-digit domain listing. */
        assert_true(pci_address_string_compare("0000:3b:00.2", "0000:b5:00.0") < 0);
        assert_true(pci_address_string_compare("0000:3b:00.7", "0000:3b:01.0") < 0);
        assert_true(pci_address_string_compare("0000:5e:00.0", "0000:3b:00.0") > 0);
        assert_int_equal(pci_address_string_compare("0000:3b:00.0", "0000:3b:00.0"), 0);
        /* Garbage sorts last, deterministically. */
        assert_true(pci_address_string_compare("0000:3b:00.0", "zzz") < 0);
        assert_true(pci_address_string_compare("zzz", "0000:3b:00.0") > 0);
        assert_true(pci_address_string_compare("aaa", "bbb") < 0);
}

static void test_object_path_roundtrip(void **state) {
        const char *addresses[] = { "0000:3b:00.2", "0000:00:00.0", "ffff:ff:1f.7", "10000:e1:00.0" };

        for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++) {
                char *path = NULL, back[PCI_ADDRESS_MAX];

                assert_int_equal(pci_address_to_object_path(addresses[i], &path), 0);
                assert_int_equal(object_path_to_pci_address(path, back), 0);
                assert_string_equal(back, addresses[i]);
                free(path);
        }
}

static void test_object_path_encoding(void **state) {
        char *path = NULL;

        assert_int_equal(pci_address_to_object_path("0000:3B:00.2", &path), 0);
        assert_string_equal(path, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2");
        free(path);
        assert_int_equal(pci_address_to_object_path("3b:00.2", &path), -EINVAL);
        assert_int_equal(pci_address_to_object_path("eth0", &path), -EINVAL);
}

static void test_object_path_rejects(void **state) {
        const char *bad[] = {
                "/org/sriov/Monitor1/Device", "/org/sriov/Monitor1/Device/", "/org/sriov/Monitor1/Device/pci_",
                "/org/sriov/Monitor1/Device/pci_0000_3B_00_2" /* not canonical */,
                "/org/sriov/Monitor1/Device/pci_0_3b_00_2" /* not canonical */,
                "/org/sriov/Monitor1/Device/pci_0000_3b_00_2_1", "/org/sriov/Monitor1/Device/pci_0000_3b_00",
                "/org/sriov/Monitor1/Device/pci_0000_3b_00_2/x", "/org/sriov/Monitor1/Device/usb_0000_3b_00_2",
                "/org/sriov/Monitor1/Device/pci_0000_3b_20_0", "/org/sriov/Monitor1",
                "/org/sriov/Monitor1/Device/pci_0000_3b_00_2_______________________",
        };
        char buf[PCI_ADDRESS_MAX];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(object_path_to_pci_address(bad[i], buf), -EINVAL);
        assert_int_equal(object_path_to_pci_address(NULL, buf), -EINVAL);
}

static void assert_devpath(const char *subsystem, const char *devpath, const char *expected) {
        char buf[PCI_ADDRESS_MAX];

        if (!expected) {
                assert_int_equal(pci_address_from_devpath(subsystem, devpath, buf), -EINVAL);
                return;
        }
        assert_int_equal(pci_address_from_devpath(subsystem, devpath, buf), 0);
        assert_string_equal(buf, expected);
}

static void test_from_devpath(void **state) {
        assert_devpath("pci", "/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2", "0000:3b:00.2");
        assert_devpath("net", "/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2/net/enp59s0f0v0", "0000:3b:00.2");
        assert_devpath("vfio-dev", "/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.5/vfio-dev/vfio0", "0000:3b:00.5");
        /* Virtual netdevs and odd paths concern no PCI function. */
        assert_devpath("net", "/devices/virtual/net/veth0", NULL);
        assert_devpath("net", "/devices/virtual/net/lo", NULL);
        assert_devpath("pci", "/devices/pci0000:3a", NULL);
        assert_devpath("pci", "", NULL);
        assert_devpath("net", "eth0", NULL);
        assert_devpath("net", "/", NULL);
        assert_devpath("pci", "/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2/", NULL);
        assert_devpath(NULL, "/devices/x", NULL);
        assert_devpath("pci", NULL, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_full),
                cmocka_unit_test(test_parse_short),
                cmocka_unit_test(test_parse_rejects),
                cmocka_unit_test(test_compare),
                cmocka_unit_test(test_object_path_roundtrip),
                cmocka_unit_test(test_object_path_encoding),
                cmocka_unit_test(test_object_path_rejects),
                cmocka_unit_test(test_from_devpath),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
