/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "batch-fixture.h"

/* Issue 14's settle rule: a device the kernel is in the middle of a sequence
 * with is held until the sequence is complete, and no longer; a sequence
 * that never completes is released after a pause (or an upper bound). */
/* Issue 14: a new VF's sequence (add, links and change, netdev, bind) is
 * complete at its bind: announced then, once, bound, with its netdev, with
 * no pause awaited. Its PF, in the middle of its VF set's change, names it
 * at its own "change", once every VF it lists is known. */
static void test_new_vf_complete_on_bind(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        fake(VF2)->max_tx_rate = 7;
        vf_enabled(f, VF2, 1);
        run_until(f, 1 * MSEC);
        EXPECT(f, NULL);
        vf_probed(f, VF2, "v1");
        run_until(f, 2 * MSEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "done");
        /* With its configuration (issue 15): its held PF was asked for it. */
        assert_int_equal(device_table_get(f->table, VF2)->vf_config.max_tx_rate, 7);
        /* The PF is still held: its VF set is being changed. */
        assert_true(marks_held(f->marks, PF0));
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, 2 * MSEC);
        EXPECT(f, "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
        /* Nothing is held any more, nothing comes later. */
        assert_int_equal(f->marks->settle_deadline, 0);
        run_until(f, 300 * MSEC);
        EXPECT(f, NULL);
}

/* The PF of a host with no VF hot-removed, then back in sysfs (bound as
 * before) for its "add". */
static void pf_back(Fixture *f) {
        start_host(f, 0);
        fake(PF0)->present = false;
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_REMOVE);
        run_until(f, 1 * MSEC);
        f->rec.n = 0;
        fake(PF0)->present = true;
}

/* A new PF lists no VF at its "add": its VF set is complete, so it is
 * announced at once, unbound, as libvirt announces it; its probe (netdev,
 * bind) is then one change of it. A VF at its "add" is held (no physfn
 * link yet, no sriov_totalvfs). */
static void test_new_pf_complete_on_add(void **state) {
        Fixture *f = *state;

        pf_back(f);
        fake(PF0)->driver = NULL;
        fake(PF0)->netdev = NULL;
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_ADD);
        assert_false(marks_held(f->marks, PF0));
        run_until(f, 1 * MSEC);
        EXPECT(f, "added 00.0 vfs= num=0", "event pci created 0000:3b:00.0", "done pfs");
        assert_string_equal(device_table_get(f->table, PF0)->mode, "unbound");
        fake(PF0)->driver = "mlx5_core";
        fake(PF0)->netdev = "p0";
        marks_netdev(f->marks, PF0, "p0", false, true);
        run_until(f, 2 * MSEC);
        EXPECT(f, NULL);
        marks_bind(f->marks, PF0, SYSPATH_OF(PF0));
        run_until(f, 2 * MSEC);
        EXPECT(f, "changed 00.0 vfs= num=0", "event interface created p0", "event driver modified 0000:3b:00.0",
               "done");
        assert_string_equal(device_table_get(f->table, PF0)->mode, "net");
        assert_int_equal(f->marks->settle_deadline, 0);
}

/* Read late (the kernel has bound it and enabled VFs meanwhile), a new PF
 * lists VFs at its "add" whose own sequences wait for it to be published:
 * it does not wait for them in turn. It is announced at once naming none of
 * them, and names each VF as soon as it is announced, at its bind. */
static void test_new_pf_read_late(void **state) {
        Fixture *f = *state;

        pf_back(f);
        fake(VF1)->present = true;
        fake(VF1)->physfn = PF0;
        fake(PF0)->virtfn[0] = VF1;
        fake(VF1)->driver = "mlx5_core";
        fake(VF1)->netdev = "v0";
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_ADD);
        marks_bind(f->marks, PF0, SYSPATH_OF(PF0));
        marks_pci(f->marks, VF1, SYSPATH_OF(VF1), UEVENT_STEP_ADD);
        marks_pci(f->marks, VF1, SYSPATH_OF(VF1), UEVENT_STEP_CHANGE);
        run_until(f, 1 * MSEC);
        EXPECT(f, "added 00.0 vfs= num=0", "event pci created 0000:3b:00.0", "event interface created p0",
               "done pfs");
        marks_bind(f->marks, VF1, SYSPATH_OF(VF1));
        run_until(f, 2 * MSEC);
        EXPECT(f, "added 00.1 mlx5_core/v0 idx=0", "event pci created 0000:3b:00.1", "event interface created v0",
               "changed 00.0 vfs=00.1 num=1", "event sriov modified 0000:3b:00.0", "done");
        /* Its "change" finds it as published. */
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, 3 * MSEC);
        EXPECT(f, "done");
        assert_int_equal(f->marks->settle_deadline, 0);
}

/* Two VFs enabled: each is announced at its bind, the PF once, at its
 * change. */
static void test_enable_two(void **state) {
        Fixture *f = *state;

        start_host(f, 0);
        vf_enabled(f, VF1, 0);
        vf_probed(f, VF1, "v0");
        run_until(f, 1 * MSEC);
        EXPECT(f, "added 00.1 mlx5_core/v0 idx=0", "event pci created 0000:3b:00.1", "event interface created v0",
               "done");
        vf_enabled(f, VF2, 1);
        vf_probed(f, VF2, "v1");
        run_until(f, 2 * MSEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "done");
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, 3 * MSEC);
        EXPECT(f, "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
}

/* udev may hand the PF's change over before its VFs' events: the PF waits
 * until every VF its virtfnN links list is known, and names them all with
 * the last one. */
static void test_pf_change_before_its_vfs(void **state) {
        Fixture *f = *state;

        start_host(f, 0);
        fake(VF1)->present = fake(VF2)->present = true;
        fake(VF1)->physfn = fake(VF2)->physfn = PF0;
        fake(PF0)->virtfn[0] = VF1;
        fake(PF0)->virtfn[1] = VF2;
        fake(VF1)->driver = fake(VF2)->driver = "mlx5_core";
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, 1 * MSEC);
        EXPECT(f, NULL);
        marks_pci(f->marks, VF1, SYSPATH_OF(VF1), UEVENT_STEP_CHANGE);
        marks_bind(f->marks, VF1, SYSPATH_OF(VF1));
        run_until(f, 2 * MSEC);
        EXPECT(f, "added 00.1 mlx5_core/v0 idx=0", "event pci created 0000:3b:00.1", "event interface created v0",
               "done");
        marks_pci(f->marks, VF2, SYSPATH_OF(VF2), UEVENT_STEP_CHANGE);
        marks_bind(f->marks, VF2, SYSPATH_OF(VF2));
        run_until(f, 3 * MSEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
}

/* With sriov_drivers_autoprobe 0 nothing probes a new VF: its change, after
 * its links, ends its sequence. */
static void test_autoprobe_off(void **state) {
        Fixture *f = *state;

        start_host(f, 0);
        fake(PF0)->no_autoprobe = true;
        marks_dirty(f->marks, PF0, NULL, false);
        run_until(f, 0);
        EXPECT(f, "changed 00.0 vfs= num=0", "event sriov modified 0000:3b:00.0", "done");
        vf_enabled(f, VF1, 0);
        run_until(f, 1 * MSEC);
        EXPECT(f, "added 00.1 -/- idx=0", "event pci created 0000:3b:00.1", "done");
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, 1 * MSEC);
        EXPECT(f, "changed 00.0 vfs=00.1 num=1", "event sriov modified 0000:3b:00.0", "done");
        assert_string_equal(device_table_get(f->table, VF1)->mode, "unbound");
}

/* A probe that fails (or no driver): no bind comes. The VF is announced
 * unbound once its events pause for SETTLE_QUIET_USEC, with its PF. */
static void test_vf_never_bound(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_enabled(f, VF2, 1);
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, SETTLE_QUIET_USEC - 1);
        EXPECT(f, NULL);
        run_until(f, SETTLE_QUIET_USEC);
        EXPECT(f, "added 00.2 -/- idx=1", "event pci created 0000:3b:00.2", "changed 00.0 vfs=00.1,00.2 num=2",
               "event sriov modified 0000:3b:00.0", "done");
        /* A late bind (the driver was loaded) is one change. */
        fake(VF2)->driver = "mlx5_core";
        marks_bind(f->marks, VF2, SYSPATH_OF(VF2));
        run_until(f, SETTLE_QUIET_USEC);
        EXPECT(f, "changed 00.2 mlx5_core/- idx=1", "event driver modified 0000:3b:00.2", "done");
}

/* A real probe takes up to seconds with no uevent (0.1-0.4 s per igbvf VF
 * under TCG, the lab's kernel): while the VF's driver link is there and no
 * bind came, pauses do not release it, nor its PF, whose VF set waits with
 * it. Both are announced at the bind, the VF once, bound, with its netdev. */
static void test_slow_probe_held(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_enabled(f, VF2, 1);
        /* really_probe(): the driver link, then the driver's probe. */
        fake(VF2)->driver = "mlx5_core";
        /* udev may hand the PF's change over before the VF's bind. */
        marks_pci(f->marks, PF0, SYSPATH_OF(PF0), UEVENT_STEP_CHANGE);
        run_until(f, 400 * MSEC);
        EXPECT(f, NULL);
        assert_true(marks_held(f->marks, VF2));
        assert_true(marks_held(f->marks, PF0));
        vf_probed(f, VF2, "v1");
        run_until(f, 401 * MSEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
        assert_int_equal(f->marks->settle_deadline, 0);
}

/* A probe that fails takes the driver link away, with no uevent: the VF is
 * announced unbound at the next pause after that. One that never ends is
 * given up SETTLE_AWAIT_MAX_USEC after the VF was first held. */
static void test_failed_probe_released(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_enabled(f, VF2, 1);
        fake(VF2)->driver = "mlx5_core";
        run_until(f, 100 * MSEC);
        /* The PF, held with it (its VF set is not known to be changing:
         * no PF change yet), was read at the first pause, as it was. */
        EXPECT(f, "done");
        fake(VF2)->driver = NULL;
        run_until(f, 100 * MSEC + SETTLE_QUIET_USEC);
        EXPECT(f, "added 00.2 -/- idx=1", "event pci created 0000:3b:00.2", "changed 00.0 vfs=00.1,00.2 num=2",
               "event sriov modified 0000:3b:00.0", "done");

        vf_enabled(f, VF3, 2);
        fake(VF3)->driver = "mlx5_core";
        run_until(f, 100 * MSEC + SETTLE_AWAIT_MAX_USEC - MSEC);
        EXPECT(f, "done");
        run_until(f, 100 * MSEC + SETTLE_AWAIT_MAX_USEC + SETTLE_QUIET_USEC);
        EXPECT(f, "added 00.3 mlx5_core/- idx=2", "event pci created 0000:3b:00.3",
               "changed 00.0 vfs=00.1,00.2,00.3 num=3", "event sriov modified 0000:3b:00.0", "done");
}

/* Events that never pause and never complete are published
 * SETTLE_MAX_USEC after the first. */
static void test_settle_max(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_enabled(f, VF2, 1);
        for (uint64_t t = 10 * MSEC; t < 250 * MSEC; t += 10 * MSEC) {
                marks_dirty(f->marks, VF2, NULL, true);
                run_until(f, t);
                EXPECT(f, NULL);
        }
        run_until(f, 250 * MSEC);
        EXPECT(f, "added 00.2 -/- idx=1", "event pci created 0000:3b:00.2", "changed 00.0 vfs=00.1,00.2 num=2",
               "event sriov modified 0000:3b:00.0", "done");
}

/* udev renames a new VF's netdev after its bind: the batch finds it not
 * named yet and holds the VF again until the netdev's event, so the VF is
 * announced once, with its final name. */
static void test_unnamed_netdev_held(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_enabled(f, VF2, 1);
        fake(VF2)->netdev_unnamed = true;
        vf_probed(f, VF2, "eth7");
        /* Read at its bind: held again, nothing published. */
        run_until(f, 1 * MSEC);
        EXPECT(f, "done");
        assert_true(marks_held(f->marks, VF2));
        fake(VF2)->netdev = "v1";
        fake(VF2)->netdev_unnamed = false;
        marks_netdev(f->marks, VF2, "v1", false, true);
        run_until(f, 2 * MSEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "done");
}

/* ... but not forever: a netdev udev never names is left out after
 * SETTLE_AWAIT_MAX_USEC, and the VF announced without it. */
static void test_unnamed_netdev_bounded(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_enabled(f, VF2, 1);
        fake(VF2)->netdev_unnamed = true;
        vf_probed(f, VF2, "eth7");
        for (uint64_t t = 0; t < SETTLE_AWAIT_MAX_USEC; t += MSEC) {
                run_until(f, t);
                /* Held past every pause, announced never. */
                for (size_t i = 0; i < f->rec.n; i++)
                        if (!streq(f->rec.log[i], "done"))
                                fail_msg("at %" PRIu64 " ms: '%s'", t / MSEC, f->rec.log[i]);
                f->rec.n = 0;
        }
        run_until(f, SETTLE_AWAIT_MAX_USEC + SETTLE_QUIET_USEC);
        /* Its PF, released meanwhile, names it as soon as it is published. */
        EXPECT(f, "added 00.2 mlx5_core/- idx=1", "event pci created 0000:3b:00.2",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
}

/* Issue 13, bug 2: rebinding a known VF is one change to its final state,
 * made at its bind (issue 14). */
static void test_rebind_settles(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        /* net remove, unbind, bind vfio-pci. */
        fake(VF1)->netdev = NULL;
        marks_netdev(f->marks, VF1, "v0", true, true);
        run_until(f, 2 * MSEC);
        fake(VF1)->driver = NULL;
        marks_dirty(f->marks, VF1, NULL, true);
        run_until(f, 15 * MSEC);
        EXPECT(f, NULL);
        fake(VF1)->driver = "vfio-pci";
        marks_bind(f->marks, VF1, SYSPATH_OF(VF1));
        run_until(f, 15 * MSEC);
        EXPECT(f, "changed 00.1 vfio-pci/- idx=0",
               "event interface deleted v0",
               "event driver modified 0000:3b:00.1",
               "done");
}

/* A rebind to the driver it had (unbind, bind, a slow probe): after its
 * unbind the driver link that shows again is a new probe, held past
 * pauses; the rebind is one change, at its bind. */
static void test_rebind_same_driver_slow_probe(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        fake(VF1)->netdev = NULL;
        marks_netdev(f->marks, VF1, "v0", true, true);
        fake(VF1)->driver = NULL;
        marks_driver(f->marks, VF1, SYSPATH_OF(VF1), false);
        /* The bind written at once: the link, then a long probe. */
        fake(VF1)->driver = "mlx5_core";
        run_until(f, 300 * MSEC);
        EXPECT(f, NULL);
        assert_true(marks_held(f->marks, VF1));
        fake(VF1)->netdev = "v0";
        marks_netdev(f->marks, VF1, "v0", false, true);
        marks_driver(f->marks, VF1, SYSPATH_OF(VF1), true);
        run_until(f, 301 * MSEC);
        /* Back as it was: nothing to say. */
        EXPECT(f, "done");
        assert_int_equal(f->marks->settle_deadline, 0);
}

/* A VF that really stays unbound is published unbound. */
static void test_unbind_alone(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        fake(VF1)->netdev = NULL;
        fake(VF1)->driver = NULL;
        marks_netdev(f->marks, VF1, "v0", true, true);
        marks_dirty(f->marks, VF1, NULL, true);
        run_until(f, 20 * MSEC);
        EXPECT(f, "changed 00.1 -/- idx=0", "event interface deleted v0", "event driver modified 0000:3b:00.1",
               "done");
        assert_string_equal(device_table_get(f->table, VF1)->mode, "unbound");
}

/* VFs disabled: each goes at its remove; the PF, read after the pause with
 * no VF left, is asked for its VFs' configuration again (issue 15's
 * VfConfigComplete is true with no VF). */
static void test_disable_asks_pf_again(void **state) {
        Fixture *f = *state;
        unsigned queries;

        start_host(f, 2);
        queries = vf_queries;
        fake(PF0)->virtfn[0] = fake(PF0)->virtfn[1] = NULL;
        fake(VF1)->physfn = fake(VF2)->physfn = NULL;
        fake(VF1)->present = fake(VF2)->present = false;
        marks_pci(f->marks, VF2, SYSPATH_OF(VF2), UEVENT_STEP_REMOVE);
        run_until(f, 1 * MSEC);
        marks_pci(f->marks, VF1, SYSPATH_OF(VF1), UEVENT_STEP_REMOVE);
        run_until(f, 2 * MSEC);
        run_until(f, 2 * MSEC + SETTLE_QUIET_USEC);
        assert_true(vf_queries > queries);
        assert_true(device_table_get(f->table, PF0)->vf_config_complete);
        assert_false(marks_batch_due(f->marks));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_new_vf_complete_on_bind, setup, teardown),
                cmocka_unit_test_setup_teardown(test_enable_two, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_pf_complete_on_add, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_pf_read_late, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pf_change_before_its_vfs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_autoprobe_off, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vf_never_bound, setup, teardown),
                cmocka_unit_test_setup_teardown(test_slow_probe_held, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failed_probe_released, setup, teardown),
                cmocka_unit_test_setup_teardown(test_settle_max, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unnamed_netdev_held, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unnamed_netdev_bounded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rebind_settles, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rebind_same_driver_slow_probe, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unbind_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_disable_asks_pf_again, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
