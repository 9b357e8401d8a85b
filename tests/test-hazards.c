/* SPDX-License-Identifier: MIT */
/* Hazards: the rules over the table (hazards.c), and the sink that knows
 * since when a VF has had no driver, driven by a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fleet-fixture.h"
#include "hazards-sink.h"
#include "strv.h"

#define SEC 1000000ULL
#define PF "0000:3b:00.0"
#define VF_UNBOUND "0000:3b:00.4"
#define VF_NET "0000:3b:00.2"
#define VF_VFIO "0000:3b:00.3"
#define HOST_NIC "0000:00:1f.6"

static uint64_t fake_now;

static uint64_t fake_clock(void) {
        return fake_now;
}

static uint64_t since_zero(const char *address, void *userdata) {
        return streq(address, VF_UNBOUND) ? 1 : 0;
}

static void test_detect_driverless(void **state) {
        DeviceTable *t = fixture_table();
        HazardList l = {};
        uint64_t next = 0;
        HazardInput in = { .table = t, .driverless_grace_usec = 10 * SEC, .driverless_since = since_zero };

        /* Within the grace time: nothing yet, and when to look again. */
        in.now = 1 + 5 * SEC;
        assert_int_equal(hazards_detect(&in, &l, &next), 0);
        assert_int_equal(l.n, 0);
        assert_int_equal(next, 1 + 10 * SEC);
        hazard_list_clear(&l);

        in.now = 1 + 10 * SEC;
        assert_int_equal(hazards_detect(&in, &l, &next), 0);
        assert_int_equal(l.n, 1);
        assert_int_equal(l.items[0].kind, HAZARD_DRIVERLESS);
        assert_string_equal(l.items[0].address, VF_UNBOUND);
        assert_string_equal(hazard_kind_to_string(l.items[0].kind), "driverless");
        assert_non_null(strstr(l.items[0].text, VF_UNBOUND));
        assert_int_equal(next, 0);
        hazard_list_clear(&l);

        /* With autoprobe off an unbound VF is on purpose. */
        device_table_get(t, PF)->drivers_autoprobe = 0;
        assert_int_equal(hazards_detect(&in, &l, &next), 0);
        assert_int_equal(l.n, 0);
        hazard_list_clear(&l);
        device_table_free(t);
}

typedef struct Fixture {
        DeviceTable *table;
        Status status;
        HazardsSink sink;
        unsigned changes;
} Fixture;

static void on_changed(void *userdata) {
        ((Fixture *) userdata)->changes++;
}

static Fixture *start(void) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->table = fixture_table();
        fake_now = 100 * SEC;
        assert_int_equal(hazards_sink_init(&f->sink, NULL, &f->status, f->table, 10 * SEC), 0);
        f->sink.clock = fake_clock;
        f->sink.changed = on_changed;
        f->sink.userdata = f;
        /* The first scan: the unbound VF is seen now. */
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table, .initial = true });
        return f;
}

static void stop(Fixture *f) {
        hazards_sink_done(&f->sink);
        device_table_free(f->table);
        free(f);
}

/* Replaces a VF's driver in the table, telling the sink as a batch does. */
static void rebind(Fixture *f, const char *address, const char *driver) {
        Device *old = device_table_get(f->table, address), *new = NULL, *prev = NULL;

        assert_int_equal(device_new(address, DEVICE_ROLE_VF, &new), 0);
        new->pf_address = strdup(old->pf_address);
        new->driver = driver ? strdup(driver) : NULL;
        new->mode = device_mode(new->driver, NULL);
        assert_int_equal(device_table_put(f->table, new, &prev), 0);
        f->sink.sink.ops->changed(&f->sink.sink, prev, new);
        device_free(prev);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
}

static void tick(Fixture *f, uint64_t seconds) {
        fake_now += seconds * SEC;
        /* The timer fires when it is due (the sink says when). */
        if (f->sink.next_usec != 0 && f->sink.next_usec <= fake_now)
                hazards_sink_tick(&f->sink);
}

static void test_driverless_begins_and_ends(void **state) {
        Fixture *f = start();

        assert_int_equal(f->status.hazards.n, 0);
        assert_int_equal(f->sink.next_usec, 110 * SEC);
        tick(f, 9);
        assert_int_equal(f->status.hazards.n, 0);
        tick(f, 1);
        assert_int_equal(f->status.hazards.n, 1);
        assert_true(hazard_list_contains(&f->status.hazards, HAZARD_DRIVERLESS, VF_UNBOUND));
        assert_int_equal(f->changes, 1);
        assert_int_equal(f->sink.next_usec, 0); /* nothing left to wait for: no timer */
        /* Still there later: no new change. */
        tick(f, 100);
        assert_int_equal(f->changes, 1);
        /* Bound: it ends. */
        rebind(f, VF_UNBOUND, "iavf");
        assert_int_equal(f->status.hazards.n, 0);
        assert_int_equal(f->changes, 2);
        stop(f);
}

/* A rebind's unbound moment (unbind, then bind within the grace time) is
 * never a hazard, however long one waits afterwards. */
static void test_rebind_is_not_driverless(void **state) {
        Fixture *f = start();

        rebind(f, VF_UNBOUND, "iavf");
        rebind(f, VF_NET, NULL);
        tick(f, 3);
        rebind(f, VF_NET, "vfio-pci");
        tick(f, 8);
        tick(f, 100);
        assert_int_equal(f->status.hazards.n, 0);
        assert_int_equal(f->changes, 0);
        assert_int_equal(f->sink.next_usec, 0);
        /* A second unbind starts a fresh grace time. */
        rebind(f, VF_NET, NULL);
        tick(f, 9);
        assert_int_equal(f->status.hazards.n, 0);
        tick(f, 1);
        assert_true(hazard_list_contains(&f->status.hazards, HAZARD_DRIVERLESS, VF_NET));
        stop(f);
}

/* A VF that goes away takes its hazard with it. */
static void test_removed_vf(void **state) {
        Fixture *f = start();
        Device *d;

        tick(f, 10);
        assert_int_equal(f->status.hazards.n, 1);
        d = device_table_get(f->table, VF_UNBOUND);
        f->sink.sink.ops->removed(&f->sink.sink, d);
        device_free(device_table_remove(f->table, VF_UNBOUND));
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 0);
        assert_int_equal(f->changes, 2);
        stop(f);
}

/* sriov_drivers_autoprobe turned off ends it; on again, it is back. */
static void test_autoprobe(void **state) {
        Fixture *f = start();
        Device *pf = device_table_get(f->table, PF);

        tick(f, 10);
        assert_int_equal(f->status.hazards.n, 1);
        pf->drivers_autoprobe = 0;
        f->sink.sink.ops->changed(&f->sink.sink, pf, pf);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 0);
        pf->drivers_autoprobe = 1;
        f->sink.sink.ops->changed(&f->sink.sink, pf, pf);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 1);
        assert_int_equal(f->changes, 3);
        stop(f);
}

static size_t detect(DeviceTable *t, HazardList *l) {
        HazardInput in = { .table = t, .now = 100 * SEC, .driverless_grace_usec = 10 * SEC };
        uint64_t next = 0;

        hazard_list_clear(l);
        assert_int_equal(hazards_detect(&in, l, &next), 0);
        return l->n;
}

/* pf-down: the PF's netdev without carrier while a VF's link is up. */
static void test_pf_down(void **state) {
        DeviceTable *t = fixture_table();
        Device *pf = device_table_get(t, PF), *vf = device_table_get(t, VF_NET);
        HazardList l = {};

        pf->link_netdev = strdup("enp59s0f0np0");
        pf->carrier = 1;
        vf->link_netdev = strdup("enp59s0f0v0");
        vf->carrier = 1;
        assert_int_equal(detect(t, &l), 0);
        /* The PF loses its link: a hazard on the PF. */
        pf->carrier = 0;
        assert_int_equal(detect(t, &l), 1);
        assert_int_equal(l.items[0].kind, HAZARD_PF_DOWN);
        assert_string_equal(l.items[0].address, PF);
        assert_string_equal(hazard_kind_to_string(HAZARD_PF_DOWN), "pf-down");
        assert_non_null(strstr(l.items[0].text, "1 of its VFs"));
        /* No VF in use: no hazard. */
        vf->carrier = 0;
        assert_int_equal(detect(t, &l), 0);
        /* A VF a process holds (a VM on VFIO: no netdev, no carrier) is in use too. */
        device_table_get(t, VF_VFIO)->in_use = true;
        assert_int_equal(detect(t, &l), 1);
        assert_int_equal(l.items[0].kind, HAZARD_PF_DOWN);
        assert_non_null(strstr(l.items[0].text, "1 of its VFs"));
        vf->carrier = 1;
        assert_int_equal(detect(t, &l), 1);
        assert_non_null(strstr(l.items[0].text, "2 of its VFs"));
        device_table_get(t, VF_VFIO)->in_use = false;
        /* A PF without a netdev has no link to lose. */
        vf->carrier = 1;
        pf->link_netdev = mfree(pf->link_netdev);
        assert_int_equal(detect(t, &l), 0);
        hazard_list_clear(&l);
        device_table_free(t);
}

/* spoofcheck-no-mac: spoof checking on with a zero admin MAC; an unknown
 * configuration is not one. */
static void test_spoofcheck_no_mac(void **state) {
        DeviceTable *t = fixture_table();
        Device *vf = device_table_get(t, VF_NET);
        HazardList l = {};

        vf->vf_config.spoof_check = 1;
        assert_int_equal(detect(t, &l), 0); /* mac unknown */
        vf->vf_config.mac = strdup("00:00:00:00:00:00");
        assert_int_equal(detect(t, &l), 1);
        assert_int_equal(l.items[0].kind, HAZARD_SPOOFCHECK_NO_MAC);
        assert_string_equal(l.items[0].address, VF_NET);
        assert_string_equal(hazard_kind_to_string(HAZARD_SPOOFCHECK_NO_MAC), "spoofcheck-no-mac");
        vf->vf_config.spoof_check = 0;
        assert_int_equal(detect(t, &l), 0);
        vf->vf_config.spoof_check = 1;
        free(vf->vf_config.mac);
        vf->vf_config.mac = strdup("52:54:00:aa:bb:01");
        assert_int_equal(detect(t, &l), 0);
        hazard_list_clear(&l);
        device_table_free(t);
}

/* vf-config-incomplete: a PF the kernel has a link for whose VF list is
 * short; a PF with no link (the simulator's) or no VFs is not one. */
static void test_vf_config_incomplete(void **state) {
        DeviceTable *t = fixture_table();
        Device *pf = device_table_get(t, PF);
        HazardList l = {};

        pf->vf_config_complete = 0;
        pf->ifindex = 0;
        assert_int_equal(detect(t, &l), 0); /* no link: nothing to be short of */
        pf->ifindex = 7;
        pf->link_netdev = strdup("enp59s0f0np0");
        assert_int_equal(detect(t, &l), 1);
        assert_int_equal(l.items[0].kind, HAZARD_VF_CONFIG_INCOMPLETE);
        assert_string_equal(l.items[0].address, PF);
        assert_string_equal(hazard_kind_to_string(HAZARD_VF_CONFIG_INCOMPLETE), "vf-config-incomplete");
        assert_non_null(strstr(l.items[0].text, "enp59s0f0np0"));
        pf->vf_config_complete = 1;
        assert_int_equal(detect(t, &l), 0);
        hazard_list_clear(&l);
        device_table_free(t);
}

/* Through the sink: a VF's link going up under a PF without link touches
 * the PF, whose hazard begins; sorted by kind, then address. */
static void test_sink_relates_pf_and_vf(void **state) {
        Fixture *f = start();
        Device *pf = device_table_get(f->table, PF), *vf = device_table_get(f->table, VF_NET);

        pf->link_netdev = strdup("enp59s0f0np0");
        vf->link_netdev = strdup("enp59s0f0v0");
        vf->vf_config.spoof_check = 1;
        vf->vf_config.mac = strdup("00:00:00:00:00:00");
        vf->carrier = 1;
        f->sink.sink.ops->changed(&f->sink.sink, vf, vf);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 2);
        assert_int_equal(f->status.hazards.items[0].kind, HAZARD_PF_DOWN);
        assert_string_equal(f->status.hazards.items[0].address, PF);
        assert_int_equal(f->status.hazards.items[1].kind, HAZARD_SPOOFCHECK_NO_MAC);
        vf->carrier = 0;
        f->sink.sink.ops->changed(&f->sink.sink, vf, vf);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 1);
        assert_int_equal(f->status.hazards.items[0].kind, HAZARD_SPOOFCHECK_NO_MAC);
        stop(f);
}

/* The VF on VFIO and the given members share IOMMU group 42. */
static void group(DeviceTable *t, const char *const *members) {
        Device *vf = device_table_get(t, VF_VFIO);

        vf->iommu_group = 42;
        vf->iommu_group_devices = strv_free(vf->iommu_group_devices);
        for (const char *const *m = members; *m; m++)
                assert_int_equal(strv_extendf(&vf->iommu_group_devices, "%s", *m), 0);
}

/* shared-iommu-group: a VF on VFIO with a group member on a host driver;
 * members on VFIO or unbound are harmless; a member the daemon has no
 * record of (not SR-IOV) counts as host-bound. */
static void test_shared_iommu_group(void **state) {
        DeviceTable *t = fixture_table();
        Device *vfio = device_table_get(t, VF_VFIO), *other = device_table_get(t, VF_UNBOUND);
        HazardList l = {};

        group(t, (const char *const[]) { VF_VFIO, NULL });
        assert_int_equal(detect(t, &l), 0); /* alone in its group */
        group(t, (const char *const[]) { VF_VFIO, VF_UNBOUND, NULL });
        assert_int_equal(detect(t, &l), 0); /* the other member has no driver */
        other->driver = strdup("vfio-pci");
        other->mode = device_mode(other->driver, NULL);
        assert_int_equal(detect(t, &l), 0); /* on VFIO too */
        free(other->driver);
        other->driver = strdup("mlx5_core");
        other->mode = device_mode(other->driver, NULL);
        assert_int_equal(detect(t, &l), 1);
        assert_int_equal(l.items[0].kind, HAZARD_SHARED_IOMMU_GROUP);
        assert_string_equal(l.items[0].address, VF_VFIO);
        assert_string_equal(hazard_kind_to_string(HAZARD_SHARED_IOMMU_GROUP), "shared-iommu-group");
        assert_non_null(strstr(l.items[0].text, "group 42"));
        assert_non_null(strstr(l.items[0].text, VF_UNBOUND " (mlx5_core)"));
        /* A member outside the table: its driver unknown, host-bound. */
        other->driver = mfree(other->driver);
        other->mode = device_mode(NULL, NULL);
        group(t, (const char *const[]) { HOST_NIC, VF_VFIO, VF_UNBOUND, NULL });
        assert_int_equal(detect(t, &l), 1);
        assert_non_null(strstr(l.items[0].text, HOST_NIC " (driver not read)"));
        assert_non_null(strstr(l.items[0].text, "1 device(s)"));
        /* A VF that is not on VFIO is not handed to a VM by group: none. */
        free(vfio->driver);
        vfio->driver = strdup("mlx5_core");
        vfio->mode = device_mode(vfio->driver, NULL);
        assert_int_equal(detect(t, &l), 0);
        hazard_list_clear(&l);
        device_table_free(t);
}

/* Through the sink: a group member's change is a change of the VF on VFIO
 * (only the member is reported changed); an owner's change is one of its
 * PF's (pf-down). */
static void test_sink_relates_group_and_owner(void **state) {
        Fixture *f = start();
        Device *member = device_table_get(f->table, VF_UNBOUND), *vfio = device_table_get(f->table, VF_VFIO);
        Device *pf = device_table_get(f->table, PF);

        group(f->table, (const char *const[]) { VF_VFIO, VF_UNBOUND, NULL });
        member->iommu_group = 42;
        assert_int_equal(strv_extendf(&member->iommu_group_devices, "%s", VF_VFIO), 0);
        assert_int_equal(strv_extendf(&member->iommu_group_devices, "%s", VF_UNBOUND), 0);
        member->driver = strdup("mlx5_core");
        member->mode = device_mode(member->driver, NULL);
        f->sink.sink.ops->changed(&f->sink.sink, member, member);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 1);
        assert_int_equal(f->status.hazards.items[0].kind, HAZARD_SHARED_IOMMU_GROUP);
        assert_string_equal(f->status.hazards.items[0].address, VF_VFIO);
        /* The member moves to VFIO: the hazard ends. */
        free(member->driver);
        member->driver = strdup("vfio-pci");
        member->mode = device_mode(member->driver, NULL);
        f->sink.sink.ops->changed(&f->sink.sink, member, member);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 0);

        /* A VM opens the VF under a PF without link: pf-down on the PF. */
        pf->link_netdev = strdup("enp59s0f0np0");
        pf->carrier = 0;
        vfio->in_use = true;
        vfio->owner_pid = 4242;
        f->sink.sink.ops->changed(&f->sink.sink, vfio, vfio);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 1);
        assert_int_equal(f->status.hazards.items[0].kind, HAZARD_PF_DOWN);
        assert_string_equal(f->status.hazards.items[0].address, PF);
        vfio->in_use = false;
        vfio->owner_pid = 0;
        f->sink.sink.ops->changed(&f->sink.sink, vfio, vfio);
        f->sink.sink.ops->batch_done(&f->sink.sink, &(BatchDone) { .table = f->table });
        assert_int_equal(f->status.hazards.n, 0);
        stop(f);
}

static HazardList one(const char *address) {
        HazardList l = { calloc(1, sizeof(Hazard)), 1 };

        l.items[0] = (Hazard) { .kind = HAZARD_DRIVERLESS, .text = strdup("t") };
        (void) snprintf(l.items[0].address, sizeof(l.items[0].address), "%s", address);
        return l;
}

/* The list stays sorted by address as hazards come and go, and says when
 * an address's kinds changed. */
static void test_list_replace(void **state) {
        HazardList l = {}, none = {}, h;

        h = one("0000:3b:00.4");
        assert_int_equal(hazard_list_replace_address(&l, "0000:3b:00.4", &h), 1);
        h = one("0000:3b:00.2");
        assert_int_equal(hazard_list_replace_address(&l, "0000:3b:00.2", &h), 1);
        h = one("0000:3b:00.3");
        assert_int_equal(hazard_list_replace_address(&l, "0000:3b:00.3", &h), 1);
        assert_int_equal(l.n, 3);
        assert_string_equal(l.items[0].address, "0000:3b:00.2");
        assert_string_equal(l.items[1].address, "0000:3b:00.3");
        assert_string_equal(l.items[2].address, "0000:3b:00.4");
        /* The same again: no change. */
        h = one("0000:3b:00.3");
        assert_int_equal(hazard_list_replace_address(&l, "0000:3b:00.3", &h), 0);
        assert_int_equal(l.n, 3);
        assert_int_equal(hazard_list_replace_address(&l, "0000:3b:00.3", &none), 1);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.items[1].address, "0000:3b:00.4");
        assert_int_equal(hazard_list_replace_address(&l, "0000:af:00.0", &none), 0);
        hazard_list_clear(&l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_detect_driverless),
                cmocka_unit_test(test_driverless_begins_and_ends),
                cmocka_unit_test(test_rebind_is_not_driverless),
                cmocka_unit_test(test_removed_vf),
                cmocka_unit_test(test_autoprobe),
                cmocka_unit_test(test_list_replace),
                cmocka_unit_test(test_pf_down),
                cmocka_unit_test(test_spoofcheck_no_mac),
                cmocka_unit_test(test_vf_config_incomplete),
                cmocka_unit_test(test_sink_relates_pf_and_vf),
                cmocka_unit_test(test_shared_iommu_group),
                cmocka_unit_test(test_sink_relates_group_and_owner),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
