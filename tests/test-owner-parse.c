/* SPDX-License-Identifier: MIT */
/* The names of a VF's owner from /proc: QEMU's -name and comm. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "owner-parse.h"

/* A cmdline as the kernel shows it: NUL after each argument. */
static int from_argv(const char *const *argv, char **ret) {
        char buf[1024];
        size_t n = 0;

        for (const char *const *a = argv; *a; a++) {
                size_t l = strlen(*a) + 1;

                memcpy(buf + n, *a, l);
                n += l;
        }
        return owner_name_from_cmdline(buf, n, ret);
}

static void assert_name(const char *const *argv, const char *expected) {
        char *name = NULL;

        assert_int_equal(from_argv(argv, &name), expected ? 1 : 0);
        if (expected)
                assert_string_equal(name, expected);
        else
                assert_null(name);
        free(name);
}

static void test_cmdline(void **state) {
        /* libvirt's form. */
        assert_name((const char *[]) { "/usr/bin/qemu-system-x86_64", "-name", "guest=vm1,debug-threads=on",
                                       "-S", NULL }, "vm1");
        /* The plain form, --name, -name=, and ",," for a comma. */
        assert_name((const char *[]) { "qemu", "-name", "web01", NULL }, "web01");
        assert_name((const char *[]) { "qemu", "--name", "a,,b,process=x", NULL }, "a,b");
        assert_name((const char *[]) { "qemu", "-name=guest=x", NULL }, "x");
        /* guest= after another option. */
        assert_name((const char *[]) { "qemu", "-name", "process=qemu:vm,guest=vm2", NULL }, "vm2");
        /* The first -name decides. */
        assert_name((const char *[]) { "qemu", "-name", "one", "-name", "two", NULL }, "one");
        /* No name: none, an empty one, only other options, -name last. */
        assert_name((const char *[]) { "dpdk-testpmd", "-l", "0-3", NULL }, NULL);
        assert_name((const char *[]) { "qemu", "-name", "guest=,debug-threads=on", NULL }, NULL);
        assert_name((const char *[]) { "qemu", "-name", "debug-threads=on", NULL }, NULL);
        assert_name((const char *[]) { "qemu", "-name", NULL }, NULL);
        assert_name((const char *[]) { "qemu", "-name", "", NULL }, NULL);
        /* Not UTF-8. */
        assert_name((const char *[]) { "qemu", "-name", "guest=\xff\xfe", NULL }, NULL);
}

static void test_cmdline_unterminated(void **state) {
        static const char buf[] = { 'q', 0, '-', 'n', 'a', 'm', 'e', 0, 'v', 'm' }; /* no final NUL */
        char *name = NULL;

        assert_int_equal(owner_name_from_cmdline(buf, sizeof(buf), &name), 1);
        assert_string_equal(name, "vm");
        free(name);
        assert_int_equal(owner_name_from_cmdline(NULL, 0, &name), 0);
        assert_int_equal(owner_name_from_cmdline("", 0, &name), 0);
}

static void test_comm(void **state) {
        char *name = NULL;

        assert_int_equal(owner_name_from_comm("qemu-system-x86\n", 16, &name), 1);
        assert_string_equal(name, "qemu-system-x86");
        free(name);
        assert_int_equal(owner_name_from_comm("a\x01\xff" "b\n", 5, &name), 1);
        assert_string_equal(name, "a??b");
        free(name);
        assert_int_equal(owner_name_from_comm("\n", 1, &name), 0);
        assert_int_equal(owner_name_from_comm("", 0, &name), 0);
        assert_int_equal(owner_name_from_comm(NULL, 0, &name), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cmdline),
                cmocka_unit_test(test_cmdline_unterminated),
                cmocka_unit_test(test_comm),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
