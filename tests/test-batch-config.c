/* SPDX-License-Identifier: MIT */
/* Network facts in the pipeline (issue 15), with the fake reader of
 * batch-fixture.c: a PF's link notifications coalesce into one VF
 * configuration query per batch, only the VFs whose configuration changed
 * are read again, a configuration that reads the same emits nothing, a
 * VF's link change is a "link" event, and Refresh asks every PF again. */
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

/* Five notifications for the PF, one query; the VF re-read in the next
 * batch is the only one, and its change is one 'config' event. */
static void test_config_change(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        /* Start-up: one query per PF with VFs. */
        assert_int_equal(vf_queries, 1);
        fake(VF2)->max_tx_rate = 100;
        for (int i = 0; i < 5; i++)
                marks_link(f->marks, "p0");
        reads = 0;
        run_until(f, 0);
        assert_int_equal(vf_queries, 2);
        EXPECT(f, "done");
        run_until(f, 0);
        EXPECT(f, "changed 00.2 mlx5_core/v1 idx=1", "event config modified 0000:3b:00.2", "done");
        /* The PF, then VF2 alone: not VF1, whose configuration is the same. */
        assert_int_equal(reads, 2);
        assert_int_equal(device_table_get(f->table, VF2)->vf_config.max_tx_rate, 100);
        assert_false(marks_batch_due(f->marks));
}

/* A PF notification whose answer says what it said before: nothing. */
static void test_same_config_emits_nothing(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        marks_link(f->marks, "p0");
        run_until(f, 0);
        assert_int_equal(vf_queries, 2);
        EXPECT(f, "done");
        assert_false(marks_batch_due(f->marks));
}

/* A VF's own link: re-read, a 'link' event, and no VF query. A netdev that
 * is not a published function's marks nothing. */
static void test_vf_link_change(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        marks_link(f->marks, "veth0");
        assert_false(marks_batch_due(f->marks));
        fake(VF1)->mtu = 9000;
        marks_link(f->marks, "v0");
        run_until(f, 0);
        EXPECT(f, "changed 00.1 mlx5_core/v0 idx=0", "event link modified v0", "done");
        assert_int_equal(vf_queries, 1);
        assert_int_equal(device_table_get(f->table, VF1)->mtu, 9000);
}

/* Drivers that change a VF's configuration without a notification (a PF
 * whose link is down): Refresh (and the periodic resync) asks every PF. */
static void test_refresh_requeries(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        fake(VF1)->spoof_check = true;
        marks_resync(f->marks, "Refresh");
        run_until(f, 0);
        assert_int_equal(vf_queries, 2);
        EXPECT(f, "changed 00.1 mlx5_core/v0 idx=0", "event config modified 0000:3b:00.1", "done rescan");
        assert_true(device_table_get(f->table, VF1)->vf_config.spoof_check);
}

/* A VF moved to vfio-pci (no netdev) keeps its admin configuration, and a
 * change in the same batch as its PF's query is one change, with every event. */
static void test_config_on_vfio(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        fake(VF2)->driver = "vfio-pci";
        fake(VF2)->netdev = NULL;
        fake(VF2)->max_tx_rate = 50;
        marks_dirty(f->marks, VF2, NULL, false);
        marks_link(f->marks, "p0");
        run_until(f, 0);
        EXPECT(f, "changed 00.2 vfio-pci/- idx=1", "event interface deleted v1",
               "event driver modified 0000:3b:00.2", "event config modified 0000:3b:00.2", "done");
        assert_false(marks_batch_due(f->marks));
        assert_int_equal(device_table_get(f->table, VF2)->vf_config.max_tx_rate, 50);
        assert_string_equal(device_table_get(f->table, VF2)->vf_config.link_state, "auto");
}

/* VFs created send no link notification: the PF's new VF set is asked, and
 * a new VF is announced with its configuration, no 'config' event after. */
static void test_new_vf_has_its_config(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        fake(VF2)->max_tx_rate = 7;
        fake(VF2)->present = true;
        fake(VF2)->driver = "mlx5_core";
        fake(VF2)->netdev = "v1";
        fake(PF0)->virtfn[1] = VF2;
        /* Its uevent's syspath leads to its PF, which is read with it. */
        marks_pci(f->marks, VF2, READER_PCI_DEVICES "/" VF2, UEVENT_STEP_ADD);
        /* Bound: its probe is over (a driver link with no bind is a probe
         * still running, held). */
        marks_bind(f->marks, VF2, READER_PCI_DEVICES "/" VF2);
        run_until(f, SETTLE_MAX_USEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
        assert_int_equal(vf_queries, 2);
        assert_int_equal(device_table_get(f->table, VF2)->vf_config.max_tx_rate, 7);
        assert_false(marks_batch_due(f->marks));
}

/* A new VF read without its PF (no uevent named a syspath that leads to
 * it): the PF is asked in the next batch, and the VF's configuration
 * follows as one 'config' change. */
static void test_new_vf_without_its_pf(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        fake(VF2)->max_tx_rate = 9;
        vf_appears(f, VF2, 1);
        fake(VF2)->driver = "mlx5_core";
        fake(VF2)->netdev = "v1";
        run_until(f, SETTLE_MAX_USEC);
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1", "event pci created 0000:3b:00.2", "event interface created v1",
               "changed 00.0 vfs=00.1,00.2 num=2", "event sriov modified 0000:3b:00.0", "done");
        assert_int_equal(vf_queries, 1);
        run_until(f, SETTLE_MAX_USEC);
        assert_int_equal(vf_queries, 2);
        EXPECT(f, "done");
        run_until(f, SETTLE_MAX_USEC);
        EXPECT(f, "changed 00.2 mlx5_core/v1 idx=1", "event config modified 0000:3b:00.2", "done");
        assert_int_equal(device_table_get(f->table, VF2)->vf_config.max_tx_rate, 9);
        assert_false(marks_batch_due(f->marks));
}

/* Mid-enable, a driver lists a VF only once it has set it up (igb), after
 * the VF's links: an answer then is short. The PF's next reading (its
 * change at the end of the enable) asks again, though its VFs are the
 * same, and VfConfigComplete comes back. */
static void test_short_answer_asked_again(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        assert_true(device_table_get(f->table, PF0)->vf_config_complete);
        fake(PF0)->vfs_unlisted = true;
        marks_link(f->marks, "p0");
        run_until(f, 0);
        assert_int_equal(vf_queries, 2);
        assert_false(device_table_get(f->table, PF0)->vf_config_complete);
        fake(PF0)->vfs_unlisted = false;
        marks_dirty(f->marks, PF0, NULL, false);
        run_until(f, 0);
        assert_int_equal(vf_queries, 3);
        assert_true(device_table_get(f->table, PF0)->vf_config_complete);
        /* Complete: a reading of the PF alone asks nothing. */
        marks_dirty(f->marks, PF0, NULL, false);
        run_until(f, 0);
        assert_int_equal(vf_queries, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_config_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_config_emits_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vf_link_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refresh_requeries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_config_on_vfio, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_vf_has_its_config, setup, teardown),
                cmocka_unit_test_setup_teardown(test_new_vf_without_its_pf, setup, teardown),
                cmocka_unit_test_setup_teardown(test_short_answer_asked_again, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
