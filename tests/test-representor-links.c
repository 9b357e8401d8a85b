/* SPDX-License-Identifier: MIT */
/* A PF's representors from devlink's ports: which leave NetDevices, which
 * map to a local VF. */
#include <errno.h>
#include <linux/devlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "representors.h"
#include "strv.h"

static DevlinkPort port(uint16_t flavour, uint16_t pf, uint16_t vf, uint32_t controller, int external,
                        const char *netdev) {
        DevlinkPort p = { .flavour = flavour, .pf = pf, .vf = vf, .controller = controller, .external = external };

        strcpy(p.netdev, netdev);
        return p;
}

static void test_from_ports(void **state) {
        _cleanup_(device_freep) Device *pf = NULL;
        const DevlinkPort ports[] = {
                { .flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL, .number = 0, .netdev = "enp59s0f0np0" },
                port(DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 3, 0, 0, "rep3"),
                port(DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 1, 0, 0, "rep1"),
                /* An external host's VF: listed, no local VF. */
                port(DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 2, 1, 1, "ext2"),
                /* Another PF's VF on the same eswitch. */
                port(DEVLINK_PORT_FLAVOUR_PCI_VF, 1, 0, 0, 0, "pf1rep0"),
                port(DEVLINK_PORT_FLAVOUR_PCI_PF, 0, 0, 0, 0, "pfrep"),
                /* No netdev (yet): nothing to list. */
                port(DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 5, 0, 0, ""),
        };

        assert_int_equal(device_new("0000:3b:00.0", DEVICE_ROLE_PF, &pf), 0);
        /* What sysfs names found: "rep1" already taken out, "old" a stale guess. */
        assert_int_equal(strv_consume(&pf->netdevs, strdup("enp59s0f0np0")), 0);
        assert_int_equal(strv_consume(&pf->netdevs, strdup("rep3")), 0);
        assert_int_equal(strv_consume(&pf->representors, strdup("rep1")), 0);
        assert_int_equal(strv_consume(&pf->representors, strdup("old")), 0);
        assert_int_equal(representor_add_link(pf, 9, "old"), 0);

        assert_int_equal(representors_from_ports(pf, ports, sizeof(ports) / sizeof(ports[0])), 0);
        assert_true(strv_equal(pf->netdevs, (char *[]) { "enp59s0f0np0", "old", NULL }));
        assert_true(strv_equal(pf->representors, (char *[]) { "ext2", "pf1rep0", "pfrep", "rep1", "rep3", NULL }));
        assert_int_equal(pf->n_vf_representors, 2);
        assert_string_equal(device_vf_representor(pf, 1), "rep1");
        assert_string_equal(device_vf_representor(pf, 3), "rep3");
        assert_null(device_vf_representor(pf, 2));
        assert_null(device_vf_representor(pf, 9));
}

static void test_pf_number(void **state) {
        assert_int_equal(pf_number_from_address("0000:3b:00.1"), 1);
        assert_int_equal(pf_number_from_address("0000:3b:00.7"), 7);
        assert_int_equal(pf_number_from_address("0000:3b:00"), UINT32_MAX);
        assert_int_equal(pf_number_from_address(NULL), UINT32_MAX);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_from_ports),
                cmocka_unit_test(test_pf_number),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
