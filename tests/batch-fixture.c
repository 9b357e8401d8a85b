/* SPDX-License-Identifier: MIT */
/* The batch tests' fake host, recording sink and fixture (batch-fixture.h). */
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

/* ------------------------------------------------------------ fake host */


FakeDev host[8];
unsigned reads;
unsigned vf_queries;
/* What the fake reader's last VF query said, by host slot (the real
 * reader's cache, rtnl-reader.c). */
static VfConfig answered[8];
static bool complete[8];        /* by PF slot: its last answer had every VF */

FakeDev *fake(const char *address) {
        for (size_t i = 0; i < ELEMENTSOF(host); i++)
                if (host[i].address && streq(host[i].address, address))
                        return &host[i];
        fail_msg("no fake device %s", address);
        return NULL;
}

FakeDev *fake_add(const char *address, bool pf) {
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
        if (f->netdev && f->netdev_unnamed) {
                /* As the sysfs reader does when udev names netdevs. */
                d->netdevs = strv_free(d->netdevs);
                d->mode = device_mode(d->driver, NULL);
                d->netdev_unnamed = true;
        }
        if (f->pf) {
                d->drivers_autoprobe = !f->no_autoprobe;
                d->total_vfs = MAX_VFS;
                d->vfs = calloc(MAX_VFS, sizeof(VfLink));
                for (uint32_t i = 0; i < MAX_VFS; i++)
                        if (f->virtfn[i]) {
                                d->vfs[d->n_vfs].index = i;
                                d->vfs[d->n_vfs++].address = strdup(f->virtfn[i]);
                        }
                d->num_vfs = (uint32_t) d->n_vfs;
                /* As the real reader: the last answer's, none yet: complete when no VF. */
                d->vf_config_complete = complete[f - host] || d->n_vfs == 0;
        } else {
                d->pf_address = strdup(f->physfn);
                assert_int_equal(pci_address_to_object_path(f->physfn, &d->pf_object_path), 0);
                assert_int_equal(vf_config_copy(&d->vf_config, &answered[f - host]), 0);
        }
        if (f->netdev) {
                d->link_netdev = strdup(f->netdev);
                d->ifindex = (int) (f - host) + 1;
                d->mtu = f->mtu;
        }
        *ret = d;
        return 1;
}

/* Network facts (issue 15): the PF's answer, by VF index, against the last one. */
static int fake_query_vf_config(Reader *r, Device *pf, char ***changed) {
        vf_queries++;
        for (size_t i = 0; i < pf->n_vfs; i++) {
                FakeDev *vf = fake(pf->vfs[i].address);
                VfConfig *c = &answered[vf - host], now_says;

                vf_config_init(&now_says);
                now_says.link_state = "auto";
                now_says.max_tx_rate = vf->max_tx_rate;
                now_says.spoof_check = vf->spoof_check;
                if (vf_config_equal(c, &now_says))
                        continue;
                *c = now_says;
                assert_int_equal(strv_consume(changed, strdup(vf->address)), 0);
        }
        pf->vf_config_complete = complete[fake(pf->address) - host] = !fake(pf->address)->vfs_unlisted;
        return 0;
}

static void fake_fill_vf_config(Reader *r, Device *vf) {
        assert_int_equal(vf_config_copy(&vf->vf_config, &answered[fake(vf->address) - host]), 0);
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

/* The driver link: there from the start of a probe (FakeDev.driver set
 * before the bind is marked). */
static int fake_driver(Reader *r, const char *syspath, char **ret) {
        FakeDev *f = fake(basename_of(syspath));

        if (!f->present || !f->driver)
                return 0;
        *ret = strdup(f->driver);
        return *ret ? 1 : -ENOMEM;
}

static const ReaderOps fake_reader_ops = {
        .read = fake_read,
        .list = fake_list,
        .physfn = fake_physfn,
        .driver = fake_driver,
        .query_vf_config = fake_query_vf_config,
        .fill_vf_config = fake_fill_vf_config,
};
Reader fake_reader = { .ops = &fake_reader_ops };

uint64_t now;

static uint64_t fake_clock(void) {
        return now;
}

/* ------------------------------------------------------------ recording sink */


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


int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        memset(host, 0, sizeof(host));
        for (size_t i = 0; i < ELEMENTSOF(answered); i++) {
                vf_config_init(&answered[i]);
                complete[i] = false;
        }
        vf_queries = 0;
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

int teardown(void **state) {
        Fixture *f = *state;

        marks_free(f->marks);
        device_table_free(f->table);
        sink_list_clear(&f->sinks);
        free(f);
        return 0;
}

/* A PF with n VFs bound to a net driver, scanned at start. */
void start_host(Fixture *f, unsigned n) {
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
void run_until(Fixture *f, uint64_t t) {
        now = 1000 * MSEC + t;
        marks_settle(f->marks);
        if (marks_batch_due(f->marks))
                batch_run(&f->batch, NULL);
}

void expect(Fixture *f, const char *const *lines) {
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
void vf_appears(Fixture *f, const char *address, unsigned index) {
        FakeDev *vf = fake(address);

        vf->present = true;
        vf->driver = NULL;
        vf->netdev = NULL;
        fake(PF0)->virtfn[index] = address;
        marks_pci(f->marks, address, NULL, UEVENT_STEP_ADD);
}

void vf_enabled(Fixture *f, const char *address, unsigned index) {
        FakeDev *vf = fake(address);

        vf->present = true;
        vf->driver = NULL;
        vf->netdev = NULL;
        vf->physfn = NULL;
        marks_pci(f->marks, address, SYSPATH_OF(address), UEVENT_STEP_ADD);
        vf->physfn = PF0;
        fake(PF0)->virtfn[index] = address;
        marks_pci(f->marks, address, SYSPATH_OF(address), UEVENT_STEP_CHANGE);
}

void vf_probed(Fixture *f, const char *address, const char *netdev) {
        fake(address)->driver = "mlx5_core";
        fake(address)->netdev = netdev;
        marks_netdev(f->marks, address, netdev, false, true);
        marks_bind(f->marks, address, SYSPATH_OF(address));
}

