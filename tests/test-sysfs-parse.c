/* SPDX-License-Identifier: MIT */
/* Parsers of sysfs attribute values: whatever the kernel (or a broken host)
 * puts there, the answer is a value or an error, never a guess. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sysfs-parse.h"

static void test_hex_u16(void **state) {
        uint16_t v = 0;

        assert_int_equal(parse_hex_u16("0x15b3\n", &v), 0);
        assert_int_equal(v, 0x15b3);
        assert_int_equal(parse_hex_u16("101e", &v), 0); /* sriov_vf_device: bare hex */
        assert_int_equal(v, 0x101e);
        assert_int_equal(parse_hex_u16("0XFFFF", &v), 0);
        assert_int_equal(v, 0xffff);

        v = 42;
        assert_int_equal(parse_hex_u16("0x10000", &v), -ERANGE);
        assert_int_equal(parse_hex_u16("", &v), -EINVAL);
        assert_int_equal(parse_hex_u16("\n", &v), -EINVAL);
        assert_int_equal(parse_hex_u16("0x", &v), -EINVAL);
        assert_int_equal(parse_hex_u16("0x15g3", &v), -EINVAL);
        assert_int_equal(parse_hex_u16(" 0x15b3", &v), -EINVAL);
        assert_int_equal(parse_hex_u16("0x15b3\n\n", &v), -EINVAL);
        assert_int_equal(parse_hex_u16("-1", &v), -EINVAL);
        assert_int_equal(parse_hex_u16(NULL, &v), -EINVAL);
        assert_int_equal(v, 42); /* untouched on failure */
}

static void test_u32(void **state) {
        uint32_t v = 0;

        assert_int_equal(parse_u32("8\n", &v), 0);
        assert_int_equal(v, 8);
        assert_int_equal(parse_u32("4294967295", &v), 0);
        assert_int_equal(v, UINT32_MAX);
        assert_int_equal(parse_u32("4294967296", &v), -ERANGE);
        assert_int_equal(parse_u32("99999999999999999999999", &v), -EINVAL);
        assert_int_equal(parse_u32("-1", &v), -EINVAL);
        assert_int_equal(parse_u32("1a", &v), -EINVAL);
        assert_int_equal(parse_u32("0x10", &v), -EINVAL);
        assert_int_equal(parse_u32("\xff\xfe", &v), -EINVAL);
}

static void test_i32(void **state) {
        int32_t v = 0;

        assert_int_equal(parse_i32("-1\n", &v), 0);
        assert_int_equal(v, -1);
        assert_int_equal(parse_i32("3", &v), 0);
        assert_int_equal(v, 3);
        assert_int_equal(parse_i32("-2147483648", &v), 0);
        assert_int_equal(v, INT32_MIN);
        assert_int_equal(parse_i32("2147483647", &v), 0);
        assert_int_equal(v, INT32_MAX);
        assert_int_equal(parse_i32("2147483648", &v), -ERANGE);
        assert_int_equal(parse_i32("-2147483649", &v), -ERANGE);
        assert_int_equal(parse_i32("-", &v), -EINVAL);
        assert_int_equal(parse_i32("--1", &v), -EINVAL);
        assert_int_equal(parse_i32("+1", &v), -EINVAL);
}

static void test_bool(void **state) {
        bool b = false;

        assert_int_equal(parse_bool("1\n", &b), 0);
        assert_true(b);
        assert_int_equal(parse_bool("0", &b), 0);
        assert_false(b);
        assert_int_equal(parse_bool("Y", &b), -EINVAL);
        assert_int_equal(parse_bool("2", &b), -EINVAL);
        assert_int_equal(parse_bool("", &b), -EINVAL);
        assert_int_equal(parse_bool("yesyesyes", &b), -EINVAL);
}

static void test_virtfn_name(void **state) {
        uint32_t i = 99;

        assert_int_equal(parse_virtfn_name("virtfn0", &i), 0);
        assert_int_equal(i, 0);
        assert_int_equal(parse_virtfn_name("virtfn255", &i), 0);
        assert_int_equal(i, 255);
        assert_int_equal(parse_virtfn_name("virtfn", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name("virtfn01", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name("virtfn-1", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name("virtfn1x", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name("virtfn1\n", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name("physfn", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name("Virtfn1", &i), -EINVAL);
        assert_int_equal(parse_virtfn_name(NULL, &i), -EINVAL);
}

static void test_link_basename(void **state) {
        assert_string_equal(link_target_basename("../../../../bus/pci/drivers/mlx5_core"), "mlx5_core");
        assert_string_equal(link_target_basename("ice"), "ice");
        assert_null(link_target_basename(""));
        assert_null(link_target_basename(NULL));
        assert_null(link_target_basename("../drivers/"));
}

static void test_link_resolve(void **state) {
        char buf[PATH_MAX], *long_target;

        assert_int_equal(link_target_resolve("/sys/bus/pci/devices", "../../../devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2",
                                             buf), 0);
        assert_string_equal(buf, "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2");
        assert_int_equal(link_target_resolve("/sys/bus/pci/devices/", "./..//x/.", buf), 0);
        assert_string_equal(buf, "/sys/bus/pci/x");
        assert_int_equal(link_target_resolve("/sys/a", "/sys/devices/y", buf), 0);
        assert_string_equal(buf, "/sys/devices/y");
        assert_int_equal(link_target_resolve("/sys", "../../etc", buf), -EINVAL);
        assert_int_equal(link_target_resolve("/sys", "..", buf), -EINVAL);

        long_target = malloc(PATH_MAX + 2);
        assert_non_null(long_target);
        memset(long_target, 'a', PATH_MAX + 1);
        long_target[PATH_MAX + 1] = '\0';
        assert_int_equal(link_target_resolve("/sys", long_target, buf), -ENAMETOOLONG);
        long_target[0] = '/';
        assert_int_equal(link_target_resolve("/sys", long_target, buf), -ENAMETOOLONG);
        free(long_target);
}

static void test_driver_is_vfio(void **state) {
        assert_true(driver_is_vfio("vfio-pci"));
        assert_true(driver_is_vfio("mlx5_vfio_pci"));
        assert_true(driver_is_vfio("pds_vfio_pci"));
        assert_false(driver_is_vfio("mlx5_core"));
        assert_false(driver_is_vfio("vfio"));
        assert_false(driver_is_vfio(""));
        assert_false(driver_is_vfio(NULL));
}

static void test_utf8(void **state) {
        assert_true(utf8_is_valid("enp59s0f0v0"));
        assert_true(utf8_is_valid("eth\xc3\xa9"));          /* é */
        assert_true(utf8_is_valid("\xf0\x9f\x98\x80"));     /* U+1F600 */
        assert_false(utf8_is_valid("eth\xff"));
        assert_false(utf8_is_valid("\xc0\xaf"));            /* overlong '/' */
        assert_false(utf8_is_valid("\xed\xa0\x80"));        /* surrogate */
        assert_false(utf8_is_valid("\xf4\x90\x80\x80"));    /* > U+10FFFF */
        assert_false(utf8_is_valid("\xc3"));                /* truncated */
        assert_false(utf8_is_valid(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hex_u16),
                cmocka_unit_test(test_u32),
                cmocka_unit_test(test_i32),
                cmocka_unit_test(test_bool),
                cmocka_unit_test(test_virtfn_name),
                cmocka_unit_test(test_link_basename),
                cmocka_unit_test(test_link_resolve),
                cmocka_unit_test(test_driver_is_vfio),
                cmocka_unit_test(test_utf8),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
