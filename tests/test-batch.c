/* SPDX-License-Identifier: MIT */
/* The pipeline's rules without choreography: marks -> settle -> batch ->
 * sinks, driven with a fake reader (a host described in a table) and a fake
 * clock, and a sink that records what it is told and checks, at every call,
 * what a D-Bus client could see then. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "batch-fixture.h"
#include "strv.h"

/* ------------------------------------------------------------ tests */

/* Issue 13, bug 1, and the pass order: a PF and its new VFs in one batch.
 * The VFs are added (their PF is published) before the PF names them. */
static void test_pf_and_vfs_in_one_batch(void **state) {
        Fixture *f = *state;

        start_host(f, 0);
        vf_appears(f, VF1, 0);
        vf_appears(f, VF2, 1);
        fake(VF1)->driver = fake(VF2)->driver = "mlx5_core";
        run_until(f, SETTLE_QUIET_USEC);
        EXPECT(f, "added 00.1 mlx5_core/- idx=0", "event pci created 0000:3b:00.1",
               "added 00.2 mlx5_core/- idx=1", "event pci created 0000:3b:00.2",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
}

/* A new PF with VFs (hotplug, or a rescan): the PF first, naming nothing
 * yet, then its VFs, then the PF names them. */
static void test_new_pf_with_vfs(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        fake(PF0)->present = false;
        fake(VF1)->present = fake(VF2)->present = false;
        marks_resync(f->marks, "test");
        run_until(f, 0);
        /* A PF going stops naming its VFs before they go, and goes last. */
        EXPECT(f, "changed 00.0 vfs= num=0", "event sriov modified 0000:3b:00.0",
               "removed 00.1", "event pci deleted 0000:3b:00.1", "removed 00.2",
               "event pci deleted 0000:3b:00.2", "removed 00.0", "event pci deleted 0000:3b:00.0", "done rescan pfs");

        fake(PF0)->present = fake(VF1)->present = fake(VF2)->present = true;
        marks_resync(f->marks, "test");
        run_until(f, 0);
        EXPECT(f, "added 00.0 vfs= num=0", "event pci created 0000:3b:00.0", "event interface created p0",
               "added 00.1 mlx5_core/v0 idx=0", "event pci created 0000:3b:00.1", "event interface created v0",
               "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done rescan pfs");
}

/* VFs going: the PF stops naming them before they are removed. */
static void test_vfs_going(void **state) {
        Fixture *f = *state;

        start_host(f, 3);
        fake(PF0)->virtfn[1] = fake(PF0)->virtfn[2] = NULL;
        fake(VF2)->present = fake(VF3)->present = false;
        marks_pci(f->marks, VF2, NULL, UEVENT_STEP_REMOVE);
        marks_pci(f->marks, VF3, NULL, UEVENT_STEP_REMOVE);
        /* A removal is complete at its "remove" (issue 14): no pause awaited. */
        run_until(f, 0);
        EXPECT(f, "changed 00.0 vfs=00.1 num=1", "event sriov modified 0000:3b:00.0",
               "removed 00.2", "event pci deleted 0000:3b:00.2",
               "removed 00.3", "event pci deleted 0000:3b:00.3", "done");
        /* The PF, held meanwhile (the kernel ends a disable with no PF
         * event), is read again after the pause: nothing new. */
        run_until(f, SETTLE_QUIET_USEC);
        EXPECT(f, "done");
}

/* The kernel takes a VF's links away before its unbind and remove: a
 * re-read finds it gone first. It goes then, its PF (not in the batch) stops
 * naming it first, and the PF is re-read in the next batch. */
static void test_vf_gone_before_its_remove(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        fake(PF0)->virtfn[1] = NULL;
        fake(VF2)->physfn = NULL;
        /* Its netdev goes: a known device's re-read (its PF is not marked). */
        fake(VF2)->netdev = NULL;
        marks_netdev(f->marks, VF2, "v1", true, false);
        run_until(f, 0);
        EXPECT(f, "changed 00.0 vfs=00.1 num=1", "event sriov modified 0000:3b:00.0",
               "removed 00.2", "event pci deleted 0000:3b:00.2", "done");
        /* Its PF, re-read in the next batch, already says so; the remove
         * finds nothing. */
        marks_pci(f->marks, VF2, NULL, UEVENT_STEP_REMOVE);
        run_until(f, 20 * MSEC);
        EXPECT(f, "done");
}

/* A "remove" uevent is believed over a sysfs directory that lingers (the
 * kernel sends it before deleting the directory); the PF's lingering
 * virtfn link does not name it either. */
static void test_remove_over_lingering_directory(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        marks_pci(f->marks, VF2, NULL, UEVENT_STEP_REMOVE);
        run_until(f, 20 * MSEC);
        EXPECT(f, "changed 00.0 vfs=00.1 num=1", "event sriov modified 0000:3b:00.0",
               "removed 00.2", "event pci deleted 0000:3b:00.2", "done");
        assert_null(device_table_get(f->table, VF2));
        /* A netdev's remove is believed the same way. */
        marks_netdev(f->marks, VF1, "v0", true, false);
        run_until(f, 20 * MSEC);
        EXPECT(f, "changed 00.1 mlx5_core/- idx=0", "event interface deleted v0", "done");
}

/* One name replaced by another on a device that kept its driver: a rename,
 * one "interface modified"; with a driver change, deleted and created. */
static void test_rename_detection(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        fake(VF1)->netdev = "v0new";
        marks_netdev(f->marks, VF1, "v0new", false, false);
        run_until(f, 0);
        EXPECT(f, "changed 00.1 mlx5_core/v0new idx=0", "event interface modified v0new", "done");

        fake(VF1)->netdev = "v0iavf";
        fake(VF1)->driver = "iavf";
        marks_dirty(f->marks, VF1, NULL, false);
        run_until(f, 0);
        EXPECT(f, "changed 00.1 iavf/v0iavf idx=0", "event interface deleted v0new",
               "event interface created v0iavf", "event driver modified 0000:3b:00.1", "done");
}

/* A rescan that finds nothing changed says nothing but LastRefresh; a mark
 * of an unchanged device says nothing at all. */
static void test_nothing_changed(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        marks_dirty(f->marks, VF1, NULL, false);
        marks_dirty(f->marks, PF0, NULL, false);
        run_until(f, 0);
        EXPECT(f, "done");
        marks_resync(f->marks, "test");
        run_until(f, 0);
        EXPECT(f, "done rescan");
        assert_true(f->status.last_refresh > 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_pf_and_vfs_in_one_batch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_pf_with_vfs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vfs_going, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vf_gone_before_its_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_over_lingering_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rename_detection, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nothing_changed, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
