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

#include "batch.h"
#include "device-event.h"
#include "strv.h"

#define MSEC 1000ULL
#define PF0 "0000:3b:00.0"
#define VF1 "0000:3b:00.1"
#define VF2 "0000:3b:00.2"
#define VF3 "0000:3b:00.3"
#define MAX_VFS 4

/* ------------------------------------------------------------ fake host */

/* One PCI function as sysfs shows it. */
typedef struct FakeDev {
        const char *address;
        bool present;                   /* its directory exists */
        bool pf;
        const char *driver;             /* NULL: unbound */
        const char *netdev;             /* NULL: none */
        const char *physfn;             /* VF: its PF, NULL once the link is gone */
        const char *virtfn[MAX_VFS];    /* PF: virtfnN links */
} FakeDev;

static FakeDev host[8];
static unsigned reads;

static FakeDev *fake(const char *address) {
        for (size_t i = 0; i < ELEMENTSOF(host); i++)
                if (host[i].address && streq(host[i].address, address))
                        return &host[i];
        fail_msg("no fake device %s", address);
        return NULL;
}

static FakeDev *fake_add(const char *address, bool pf) {
        for (size_t i = 0; i < ELEMENTSOF(host); i++)
                if (!host[i].address) {
                        host[i] = (FakeDev) { .address = address, .present = true, .pf = pf };
                        return &host[i];
                }
        fail_msg("fake host full");
        return NULL;
}

static const char *basename_of(const char *syspath) {
        const char *s = strrchr(syspath, '/');

        return s ? s + 1 : syspath;
}

static int fake_read(Reader *r, const char *syspath, const Device *previous, Device **ret) {
        FakeDev *f = fake(basename_of(syspath));
        Device *d = NULL;

        reads++;
        if (!f->present || (!f->pf && !f->physfn))
                return 0; /* gone, or no SR-IOV function any more */
        assert_int_equal(device_new(f->address, f->pf ? DEVICE_ROLE_PF : DEVICE_ROLE_VF, &d), 0);
        assert_int_equal(asprintf(&d->syspath, READER_PCI_DEVICES "/%s", f->address) > 0, 1);
        d->vendor_id = 0x15b3;
        d->driver = f->driver ? strdup(f->driver) : NULL;
        if (f->netdev)
                assert_int_equal(strv_consume(&d->netdevs, strdup(f->netdev)), 0);
        d->mode = device_mode(d->driver, d->netdevs);
        if (f->pf) {
                d->total_vfs = MAX_VFS;
                d->vfs = calloc(MAX_VFS, sizeof(VfLink));
                for (uint32_t i = 0; i < MAX_VFS; i++)
                        if (f->virtfn[i]) {
                                d->vfs[d->n_vfs].index = i;
                                d->vfs[d->n_vfs++].address = strdup(f->virtfn[i]);
                        }
                d->num_vfs = (uint32_t) d->n_vfs;
        } else {
                d->pf_address = strdup(f->physfn);
                assert_int_equal(pci_address_to_object_path(f->physfn, &d->pf_object_path), 0);
        }
        *ret = d;
        return 1;
}

static int fake_list(Reader *r, char ***ret) {
        char **l = NULL;

        for (size_t i = 0; i < ELEMENTSOF(host); i++)
                if (host[i].address && host[i].present) {
                        char *p = NULL;

                        assert_int_equal(asprintf(&p, READER_PCI_DEVICES "/%s", host[i].address) > 0, 1);
                        assert_int_equal(strv_consume(&l, p), 0);
                }
        *ret = l;
        return 0;
}

static int fake_physfn(Reader *r, const char *syspath, char address[static PCI_ADDRESS_MAX]) {
        FakeDev *f = fake(basename_of(syspath));

        if (!f->present || !f->physfn)
                return -ENOENT;
        (void) snprintf(address, PCI_ADDRESS_MAX, "%s", f->physfn);
        return 0;
}

static const ReaderOps fake_reader_ops = { .read = fake_read, .list = fake_list, .physfn = fake_physfn };
static Reader fake_reader = { .ops = &fake_reader_ops };

static uint64_t now;

static uint64_t fake_clock(void) {
        return now;
}

/* ------------------------------------------------------------ recording sink */

typedef struct Record {
        Sink sink;
        const DeviceTable *table;
        char log[64][128];
        size_t n;
} Record;

static void logf_(Record *r, const char *fmt, ...) {
        va_list ap;

        assert_true(r->n < ELEMENTSOF(r->log));
        va_start(ap, fmt);
        (void) vsnprintf(r->log[r->n++], sizeof(r->log[0]), fmt, ap);
        va_end(ap);
}

/* The VFs a PF names, as "a,b". */
static const char *vf_list(const Device *pf, char buf[static 96]) {
        buf[0] = '\0';
        for (size_t i = 0; i < pf->n_vfs; i++)
                (void) snprintf(buf + strlen(buf), 96 - strlen(buf), "%s%s", i ? "," : "", pf->vfs[i].address + 8);
        return buf;
}

/* What a client could see right now: every path a published device names
 * is published, except `leaving` (still in the table while removed() runs),
 * and a PF's NumVFs is the number of VFs it names. */
static void check_view(Record *r, const char *leaving) {
        Device *d;

        HASHMAP_FOREACH(d, r->table->by_address, i) {
                if (leaving && streq(d->address, leaving))
                        continue;
                for (size_t j = 0; j < d->n_vfs; j++) {
                        const Device *vf = device_table_get(r->table, d->vfs[j].address);

                        if (!vf || streq(vf->address, leaving ?: ""))
                                fail_msg("%s names %s, not published", d->address, d->vfs[j].address);
                }
                if (d->role == DEVICE_ROLE_VF && !device_table_get(r->table, d->pf_address))
                        fail_msg("%s names its PF %s, not published", d->address, d->pf_address);
                /* NumVFs and VirtualFunctions always agree (issue 12). */
                if (d->role == DEVICE_ROLE_PF && d->num_vfs != d->n_vfs)
                        fail_msg("%s has NumVFs %u and %zu VirtualFunctions", d->address, d->num_vfs, d->n_vfs);
        }
}

static void describe(const Device *d, char buf[static 96]) {
        char vfs[96];

        if (d->role == DEVICE_ROLE_PF)
                (void) snprintf(buf, 96, "%s vfs=%s num=%u", d->address + 8, vf_list(d, vfs), d->num_vfs);
        else
                (void) snprintf(buf, 96, "%s %s/%s idx=%d", d->address + 8, d->driver ?: "-",
                                d->netdevs && d->netdevs[0] ? d->netdevs[0] : "-", (int) d->vf_index);
}

static void on_event(const DeviceEvent *e, void *userdata) {
        logf_(userdata, "event %s %s %s", e->type, e->action, e->device);
}

static void rec_added(Sink *s, const Device *d) {
        char buf[96];

        logf_((Record *) s, "added %s", (describe(d, buf), buf));
        device_events_derive(NULL, d, on_event, s);
        check_view((Record *) s, NULL);
}

static void rec_changed(Sink *s, const Device *old, const Device *new) {
        char buf[96];

        logf_((Record *) s, "changed %s", (describe(new, buf), buf));
        device_events_derive(old, new, on_event, s);
        check_view((Record *) s, NULL);
}

static void rec_removed(Sink *s, const Device *d) {
        logf_((Record *) s, "removed %s", d->address + 8);
        device_events_derive(d, NULL, on_event, s);
        check_view((Record *) s, d->address);
}

static void rec_done(Sink *s, const BatchDone *done) {
        if (!done->initial)
                logf_((Record *) s, "done%s%s", done->rescan ? " rescan" : "", done->pfs_changed ? " pfs" : "");
}

static const SinkOps rec_ops = { rec_added, rec_changed, rec_removed, rec_done };

/* ------------------------------------------------------------ fixture */

typedef struct Fixture {
        DeviceTable *table;
        Marks *marks;
        SinkList sinks;
        Record rec;
        Status status;
        Batch batch;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        memset(host, 0, sizeof(host));
        now = 1000 * MSEC;
        assert_int_equal(device_table_new(&f->table), 0);
        assert_int_equal(marks_new(&f->marks, f->table, &fake_reader, &f->status), 0);
        f->marks->clock = fake_clock;
        f->rec = (Record) { .sink.ops = &rec_ops, .table = f->table };
        assert_int_equal(sink_list_add(&f->sinks, &f->rec.sink), 0);
        f->batch = (Batch) { f->table, &fake_reader, f->marks, &f->sinks, &f->status };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        marks_free(f->marks);
        device_table_free(f->table);
        sink_list_clear(&f->sinks);
        free(f);
        return 0;
}

/* A PF with n VFs bound to a net driver, scanned at start. */
static void start_host(Fixture *f, unsigned n) {
        static const char *const vfs[] = { VF1, VF2, VF3 };
        FakeDev *pf = fake_add(PF0, true);

        pf->driver = "mlx5_core";
        pf->netdev = "p0";
        for (unsigned i = 0; i < 3; i++) {
                FakeDev *vf = fake_add(vfs[i], false);

                vf->present = i < n;
                vf->physfn = PF0;
                vf->driver = "mlx5_core";
                vf->netdev = i == 0 ? "v0" : i == 1 ? "v1" : "v2";
                if (i < n)
                        pf->virtfn[i] = vfs[i];
        }
        assert_int_equal(batch_scan_initial(&f->batch), 0);
        assert_int_equal(device_table_size(f->table), 1 + n);
        f->rec.n = 0;
}

/* Lets the clock run to t (from the test's start) and does what the loop
 * would: settle, then a batch if one is due. */
static void run_until(Fixture *f, uint64_t t) {
        now = 1000 * MSEC + t;
        marks_settle(f->marks);
        if (marks_batch_due(f->marks))
                batch_run(&f->batch, NULL);
}

static void expect(Fixture *f, const char *const *lines) {
        size_t n = 0;

        for (; lines[n]; n++) {
                if (n >= f->rec.n)
                        fail_msg("line %zu: nothing, expected '%s'", n, lines[n]);
                if (!streq(f->rec.log[n], lines[n]))
                        fail_msg("line %zu: '%s', expected '%s'", n, f->rec.log[n], lines[n]);
        }
        if (n != f->rec.n)
                fail_msg("%zu more lines, the next '%s'", f->rec.n - n, f->rec.log[n]);
        f->rec.n = 0;
}

#define EXPECT(f, ...) expect((f), (const char *const[]) { __VA_ARGS__, NULL })

/* The kernel creates a VF: links, add, driver, netdev, bind. */
static void vf_appears(Fixture *f, const char *address, unsigned index) {
        FakeDev *vf = fake(address);

        vf->present = true;
        vf->driver = NULL;
        vf->netdev = NULL;
        fake(PF0)->virtfn[index] = address;
        marks_pci(f->marks, address, NULL, false);
}

/* ------------------------------------------------------------ tests */

/* A new VF's add, netdev and bind settle into one announcement, published
 * once its events pause for SETTLE_QUIET_USEC. */
static void test_settle_quiet(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_appears(f, VF2, 1);
        run_until(f, 5 * MSEC);
        fake(VF2)->netdev = "v1";
        marks_netdev(f->marks, VF2, "v1", false, true);
        run_until(f, 10 * MSEC);
        fake(VF2)->driver = "mlx5_core";
        marks_dirty(f->marks, VF2, NULL, true);
        /* Quiet since 10 ms: nothing before 30 ms. */
        run_until(f, 29 * MSEC);
        EXPECT(f, NULL);
        run_until(f, 30 * MSEC);
        /* The VF first, already bound; then its PF names it. */
        EXPECT(f, "added 00.2 mlx5_core/v1 idx=1",
               "event pci created 0000:3b:00.2", "event interface created v1",
               "changed 00.0 vfs=00.1,00.2 num=2",
               "event sriov modified 0000:3b:00.0",
               "done");
}

/* Events that never pause are published SETTLE_MAX_USEC after the first. */
static void test_settle_max(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        vf_appears(f, VF2, 1);
        for (uint64_t t = 10 * MSEC; t < 250 * MSEC; t += 10 * MSEC) {
                marks_dirty(f->marks, VF2, NULL, true);
                run_until(f, t);
                EXPECT(f, NULL);
        }
        run_until(f, 250 * MSEC);
        EXPECT(f, "added 00.2 -/- idx=1", "event pci created 0000:3b:00.2", "changed 00.0 vfs=00.1,00.2 num=2",
               "event sriov modified 0000:3b:00.0", "done");
}

/* Issue 13, bug 2: rebinding a known VF is one change to its final state. */
static void test_rebind_settles(void **state) {
        Fixture *f = *state;

        start_host(f, 1);
        /* net remove, unbind, bind vfio-pci, with pauses shorter than the quiet time. */
        fake(VF1)->netdev = NULL;
        marks_netdev(f->marks, VF1, "v0", true, true);
        run_until(f, 2 * MSEC);
        fake(VF1)->driver = NULL;
        marks_dirty(f->marks, VF1, NULL, true);
        run_until(f, 15 * MSEC);
        fake(VF1)->driver = "vfio-pci";
        marks_dirty(f->marks, VF1, NULL, true);
        run_until(f, 30 * MSEC);
        EXPECT(f, NULL);
        run_until(f, 35 * MSEC);
        EXPECT(f, "changed 00.1 vfio-pci/- idx=0",
               "event interface deleted v0",
               "event driver modified 0000:3b:00.1",
               "done");
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

/* Issue 13, bug 1, and the pass order: a PF and its new VFs in one batch.
 * The VFs are added (their PF is published) before the PF names them. */
static void test_pf_and_vfs_in_one_batch(void **state) {
        Fixture *f = *state;

        start_host(f, 0);
        vf_appears(f, VF1, 0);
        vf_appears(f, VF2, 1);
        fake(VF1)->driver = fake(VF2)->driver = "mlx5_core";
        run_until(f, 20 * MSEC);
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
        marks_pci(f->marks, VF2, NULL, true);
        marks_pci(f->marks, VF3, NULL, true);
        run_until(f, 20 * MSEC);
        EXPECT(f, "changed 00.0 vfs=00.1 num=1", "event sriov modified 0000:3b:00.0",
               "removed 00.2", "event pci deleted 0000:3b:00.2",
               "removed 00.3", "event pci deleted 0000:3b:00.3", "done");
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
        marks_pci(f->marks, VF2, NULL, true);
        run_until(f, 20 * MSEC);
        EXPECT(f, "done");
}

/* A "remove" uevent is believed over a sysfs directory that lingers (the
 * kernel sends it before deleting the directory); the PF's lingering
 * virtfn link does not name it either. */
static void test_remove_over_lingering_directory(void **state) {
        Fixture *f = *state;

        start_host(f, 2);
        marks_pci(f->marks, VF2, NULL, true);
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
                cmocka_unit_test_setup_teardown(test_settle_quiet, setup, teardown),
                cmocka_unit_test_setup_teardown(test_settle_max, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rebind_settles, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unbind_alone, setup, teardown),
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
