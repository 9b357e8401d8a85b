/* SPDX-License-Identifier: MIT */
/* phys_port_name: uplinks and the representors of PFs, VFs and SFs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "port-name.h"

static PortName parse_ok(const char *s) {
        PortName p;

        assert_int_equal(port_name_parse(s, &p), 0);
        return p;
}

static void test_forms(void **state) {
        PortName p;

        p = parse_ok("p0");
        assert_int_equal(p.kind, PORT_NAME_UPLINK);
        assert_int_equal(p.pf, 0);
        assert_int_equal(p.number, UINT32_MAX);
        assert_false(port_name_is_representor(&p));
        p = parse_ok("p1s2\n");
        assert_int_equal(p.kind, PORT_NAME_UPLINK);
        assert_int_equal(p.pf, 1);
        assert_int_equal(p.number, 2);

        p = parse_ok("pf0vf3"); /* mlx5, ice, bnxt */
        assert_int_equal(p.kind, PORT_NAME_VF);
        assert_int_equal(p.pf, 0);
        assert_int_equal(p.number, 3);
        assert_false(p.external);
        assert_true(port_name_is_representor(&p));
        p = parse_ok("pf1vfr12"); /* older ice */
        assert_int_equal(p.kind, PORT_NAME_VF);
        assert_int_equal(p.pf, 1);
        assert_int_equal(p.number, 12);
        p = parse_ok("c1pf0vf3"); /* a DPU's host side */
        assert_int_equal(p.kind, PORT_NAME_VF);
        assert_int_equal(p.controller, 1);
        assert_true(p.external);
        assert_int_equal(p.number, 3);
        p = parse_ok("c0pf0vf3"); /* controller 0 is the local host */
        assert_false(p.external);
        p = parse_ok("pf0");
        assert_int_equal(p.kind, PORT_NAME_PF);
        p = parse_ok("c2pf1");
        assert_int_equal(p.kind, PORT_NAME_PF);
        assert_true(p.external);
        p = parse_ok("pf0sf88");
        assert_int_equal(p.kind, PORT_NAME_SF);
        assert_int_equal(p.number, 88);
        p = parse_ok("pf0vf4294967295");
        assert_int_equal(p.number, UINT32_MAX);
}

static void test_malformed(void **state) {
        static const char *const bad[] = {
                "", "\n", "p", "pf", "pfvf3", "pf0vf", "pf0vf3x", "pf0vf03", "pf00vf3", "pf0vf4294967296",
                "c", "c1", "c1p0", "cpf0vf1", "eth0", "P0", "p0s", "pf0vr3", " pf0vf3", "pf0vf3\n\n", "pf-1vf3",
                "pf0sf", "p0vf1",
        };
        PortName p = { .pf = 42 };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(port_name_parse(bad[i], &p), -EINVAL);
        assert_int_equal(port_name_parse(NULL, &p), -EINVAL);
        assert_int_equal(p.pf, 42); /* untouched */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_malformed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
