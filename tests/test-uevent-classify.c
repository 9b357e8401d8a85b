/* SPDX-License-Identifier: MIT */
/* What each uevent the daemon listens to makes it re-read: the kernel's real
 * events, and the ones that are none of its business. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "uevent-classify.h"

#define VF "/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2"

static UeventMark classify(const char *action, const char *subsystem, const char *devpath, const char *sysname,
                           UeventClass *c) {
        UeventMark mark = uevent_classify(action, subsystem, devpath, sysname, c);

        assert_int_equal(c->mark, mark);
        return mark;
}

static void test_pci(void **state) {
        UeventClass c;

        assert_int_equal(classify("add", "pci", VF, "0000:3b:00.2", &c), UEVENT_MARK_PCI);
        assert_string_equal(c.address, "0000:3b:00.2");
        assert_false(c.removed);
        assert_true(c.with_syspath);
        assert_int_equal(c.step, UEVENT_STEP_ADD);

        assert_int_equal(classify("remove", "pci", VF, "0000:3b:00.2", &c), UEVENT_MARK_PCI);
        assert_true(c.removed);
        assert_int_equal(c.step, UEVENT_STEP_REMOVE);
        assert_int_equal(classify("change", "pci", VF, NULL, &c), UEVENT_MARK_PCI);
        assert_false(c.removed);
        assert_int_equal(c.step, UEVENT_STEP_CHANGE);

        /* A driver came or went: the function is still there. */
        assert_int_equal(classify("bind", "pci", VF, "0000:3b:00.2", &c), UEVENT_MARK_DIRTY);
        assert_string_equal(c.address, "0000:3b:00.2");
        assert_true(c.with_syspath);
        /* The end of a probe: what completes a new VF's sequence (issue 14). */
        assert_int_equal(c.step, UEVENT_STEP_BIND);
        assert_int_equal(classify("unbind", "pci", VF, "0000:3b:00.2", &c), UEVENT_MARK_DIRTY);
        /* Mid-sequence: an unbind is followed by a bind, or stays alone. */
        assert_true(c.settle);
        assert_int_equal(c.step, UEVENT_STEP_UNBIND);
        /* A vfio-dev child's: no step of the function's own. */
        assert_int_equal(classify("unbind", "vfio-dev", VF "/vfio-dev/vfio0", "vfio0", &c), UEVENT_MARK_DIRTY);
        assert_int_equal(c.step, UEVENT_STEP_NONE);

        /* Upper-case hex is the same function. */
        assert_int_equal(classify("add", "pci", "/devices/pci0000:3a/0000:3A:00.0", NULL, &c), UEVENT_MARK_PCI);
        assert_string_equal(c.address, "0000:3a:00.0");
        /* The host bridge is no PCI function. */
        assert_int_equal(classify("add", "pci", "/devices/pci0000:3a", NULL, &c), UEVENT_MARK_NONE);
        assert_false(c.settle);
}

static void test_net(void **state) {
        UeventClass c;

        assert_int_equal(classify("add", "net", VF "/net/eth0", "eth0", &c), UEVENT_MARK_NETDEV);
        assert_string_equal(c.address, "0000:3b:00.2");
        assert_string_equal(c.ifname, "eth0");
        assert_false(c.removed);
        assert_false(c.with_syspath);

        assert_int_equal(classify("remove", "net", VF "/net/enp59s0f0v0", "enp59s0f0v0", &c), UEVENT_MARK_NETDEV);
        assert_true(c.removed);
        assert_true(c.settle);
        /* A rename: the new name exists, and nothing follows it. */
        assert_int_equal(classify("move", "net", VF "/net/enp59s0f0v0", "enp59s0f0v0", &c), UEVENT_MARK_NETDEV);
        assert_false(c.settle);
        assert_false(c.removed);

        assert_int_equal(classify("add", "net", VF "/net/eth0", NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "net", "/devices/virtual/net/veth0", "veth0", &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "net", "/devices/virtual/net/lo", "lo", &c), UEVENT_MARK_NONE);
}

static void test_vfio(void **state) {
        UeventClass c;

        assert_int_equal(classify("add", "vfio", "/devices/virtual/vfio/44", "44", &c), UEVENT_MARK_IOMMU_GROUP);
        assert_string_equal(c.group, "44");
        assert_int_equal(classify("remove", "vfio", "44", NULL, &c), UEVENT_MARK_IOMMU_GROUP);
        assert_string_equal(c.group, "44");

        /* The VF's own vfio-dev child: re-read the VF, not the child's syspath. */
        assert_int_equal(classify("add", "vfio-dev", VF "/vfio-dev/vfio0", "vfio0", &c), UEVENT_MARK_DIRTY);
        assert_string_equal(c.address, "0000:3b:00.2");
        assert_false(c.with_syspath);
        assert_false(c.removed);
}

static void test_missing_or_odd_fields(void **state) {
        UeventClass c;

        assert_int_equal(classify(NULL, "pci", VF, NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", NULL, VF, NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "pci", NULL, NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "vfio", NULL, NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("", "", "", "", &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "pci", "", NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "pci", VF "/", NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "pci", "/devices/0000:3b:00.8", NULL, &c), UEVENT_MARK_NONE);
        assert_int_equal(classify("add", "pci", "/devices/\xff\xfe", NULL, &c), UEVENT_MARK_NONE);
        /* Another subsystem under a function: whatever it is, the function is re-read. */
        assert_int_equal(classify("add", "infiniband", VF "/infiniband/mlx5_2", "mlx5_2", &c), UEVENT_MARK_DIRTY);
        assert_string_equal(c.address, "0000:3b:00.2");
        assert_false(c.with_syspath);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pci),
                cmocka_unit_test(test_net),
                cmocka_unit_test(test_vfio),
                cmocka_unit_test(test_missing_or_odd_fields),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
