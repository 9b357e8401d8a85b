/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch-apply.h"
#include "batch.h"
#include "log.h"
#include "strv.h"

static uint64_t now_realtime(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

static const char *syspath_of(const DeviceTable *t, const char *address, const char *hint, char buf[static PATH_MAX]) {
        const Device *d = device_table_get(t, address);

        if (hint)
                return hint;
        if (d && d->syspath)
                return d->syspath;
        (void) snprintf(buf, PATH_MAX, READER_PCI_DEVICES "/%s", address);
        return buf;
}

static bool in_table(const char *address, void *userdata) {
        const Device *d = device_table_get(userdata, address);

        return d && d->role == DEVICE_ROLE_VF;
}

/* A PF names only VFs that are published too (one that could not be read is not). */
static int name_published_vfs(const DeviceTable *t, Device *pf) {
        VfLink *vfs;
        size_t n;
        int r;

        r = vf_links_filter(pf->vfs, pf->n_vfs, in_table, (void *) t, &vfs, &n);
        if (r < 0)
                return r;
        vf_links_free(pf->vfs, pf->n_vfs);
        pf->vfs = vfs;
        pf->n_vfs = n;
        return 0;
}

/* Network facts (issue 15): one VF configuration query per PF, then every
 * VF takes its PF's answer. Before the PFs' links are filtered: the answer
 * is by VF index. */
static int query_all_vf_configs(Batch *b, DeviceTable *t) {
        const ReaderOps *ops = b->reader->ops;
        Device *d;
        int r;

        if (ops->query_vf_config)
                HASHMAP_FOREACH(d, t->by_address, i)
                        if (d->role == DEVICE_ROLE_PF) {
                                _cleanup_strv_free_ char **changed = NULL;

                                r = ops->query_vf_config(b->reader, d, &changed);
                                if (r < 0)
                                        return r;
                        }
        if (ops->fill_vf_config)
                HASHMAP_FOREACH(d, t->by_address, i)
                        if (d->role == DEVICE_ROLE_VF)
                                ops->fill_vf_config(b->reader, d);
        return 0;
}

static int scan_all_read(Batch *b, DeviceTable **ret);

/* Reads every SR-IOV function into a new table, VF indexes resolved. What
 * the reader gathered for the scan (rescan()) is dropped however it ends:
 * a later re-read must not take its facts from it. */
static int scan_all(Batch *b, DeviceTable **ret) {
        int r = scan_all_read(b, ret);

        if (b->reader->ops->scan_done)
                b->reader->ops->scan_done(b->reader);
        return r;
}

static int scan_all_read(Batch *b, DeviceTable **ret) {
        _cleanup_(device_table_freep) DeviceTable *t = NULL;
        _cleanup_strv_free_ char **syspaths = NULL;
        Device *d;
        int r;

        r = device_table_new(&t);
        if (r < 0)
                return r;
        r = b->reader->ops->list(b->reader, &syspaths);
        if (r < 0)
                return log_error_errno(r, "Failed to list PCI devices in " READER_PCI_DEVICES ": %m");
        if (b->reader->ops->rescan)
                b->reader->ops->rescan(b->reader);
        for (char **syspath = syspaths; syspath && *syspath; syspath++) {
                Device *old;

                r = b->reader->ops->read(b->reader, *syspath, NULL, &d);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = device_table_put(t, d, &old);
                if (r < 0)
                        return r;
                device_free(old); /* the same address twice: keep the later reading */
        }
        r = query_all_vf_configs(b, t);
        if (r < 0)
                return r;
        HASHMAP_FOREACH(d, t->by_address, i)
                device_table_resolve_vf_index(t, d);
        HASHMAP_FOREACH(d, t->by_address, i)
                if (d->role == DEVICE_ROLE_PF) {
                        r = name_published_vfs(t, d);
                        if (r < 0)
                                return r;
                }

        *ret = TAKE_PTR(t);
        return 0;
}

static void swap_tables(DeviceTable *a, DeviceTable *b) {
        DeviceTable t = *a;

        *a = *b;
        *b = t;
}

int batch_scan_initial(Batch *b) {
        _cleanup_(device_table_freep) DeviceTable *fresh = NULL;
        int r;

        r = scan_all(b, &fresh);
        if (r < 0)
                return r;
        swap_tables(b->table, fresh);
        b->status->last_refresh = now_realtime();
        sinks_batch_done(b->sinks, &(BatchDone) { .table = b->table, .initial = true });
        return 0;
}

static int rescan(Batch *b, Applied *a) {
        _cleanup_(device_table_freep) DeviceTable *fresh = NULL;
        _cleanup_free_ Device **current = NULL;
        Reading *readings;
        size_t n_current, n = 0, allocated;
        Device *d;
        int r;

        /* A full scan covers whatever was pending. */
        marks_clear(b->marks);
        r = scan_all(b, &fresh);
        if (r < 0)
                return r;

        /* Every address either reading knows: gone ones, and fresh ones. */
        r = device_table_list(b->table, -1, &current, &n_current);
        if (r < 0)
                return r;
        allocated = 2 * (n_current + device_table_size(fresh)) + 1;
        readings = calloc(allocated, sizeof(Reading));
        if (!readings)
                return -ENOMEM;
        for (size_t i = 0; i < n_current; i++)
                if (!device_table_get(fresh, current[i]->address))
                        (void) snprintf(readings[n++].address, PCI_ADDRESS_MAX, "%s", current[i]->address);
        HASHMAP_FOREACH(d, fresh->by_address, i) {
                (void) hashmap_remove(fresh->by_address, d->address);
                (void) snprintf(readings[n].address, PCI_ADDRESS_MAX, "%s", d->address);
                readings[n].fresh = d;
                reading_take_links(&readings[n++]);
        }
        batch_apply(b, readings, n, allocated, a);
        readings_free(readings, allocated);

        b->status->last_refresh = now_realtime();
        log_debug("Scan done: %zu SR-IOV functions, %u changed.", device_table_size(b->table), a->changed);
        return 0;
}

static void forget_removed_netdev(Device *d, const char *name) {
        if (strv_remove(d->netdevs, name))
                d->mode = device_mode(d->driver, d->netdevs);
        if (streq_ptr(d->link_netdev, name))
                device_reset_link(d);
        /* A representor is a netdev of its PF too (issue 16). */
        (void) strv_remove(d->representors, name);
        for (size_t i = 0; i < d->n_vf_representors; i++)
                if (streq(d->vf_representors[i].netdev, name)) {
                        free(d->vf_representors[i].netdev);
                        memmove(d->vf_representors + i, d->vf_representors + i + 1,
                                (d->n_vf_representors - i - 1) * sizeof(RepresentorLink));
                        d->n_vf_representors--;
                        break;
                }
}

/* Whether a fresh PF's VF configuration is asked for in this batch: its
 * link said so, or it is new, or its VFs or its netdev changed (creating
 * VFs sends no link notification), or its last answer left VFs out: in the
 * middle of an enable a driver lists a VF only once it has set it up (igb:
 * after the VF's links), and nothing else would ask again. The PF's own
 * events bound how often a list the kernel always truncates is asked for. */
static bool wants_vf_config(const Mark *e, const Device *cur, const Device *fresh) {
        if (!fresh || fresh->role != DEVICE_ROLE_PF)
                return false;
        return e->vf_config || !cur || cur->role != DEVICE_ROLE_PF || cur->ifindex != fresh->ifindex ||
               !device_vfs_equal(cur, fresh) || (!fresh->vf_config_complete && fresh->ifindex > 0);
}

/* Reads one marked function into rd; a PF's VFs whose configuration changed
 * go to *changed. False: it is held again instead (its netdev is not named
 * yet), rd left empty. */
static bool read_mark(Batch *b, const Mark *e, Reading *rd, char ***changed) {
        const Device *cur = device_table_get(b->table, e->address);
        char buf[PATH_MAX];
        int r;

        memcpy(rd->address, e->address, sizeof(rd->address));
        r = e->removed ? 0
                       : b->reader->ops->read(b->reader, syspath_of(b->table, e->address, e->syspath, buf), cur,
                                              &rd->fresh);
        if (r < 0)
                log_warning_errno(r, "Failed to read %s: %m", e->address);
        /* A function the kernel was bringing up, whose netdev udev is still
         * renaming: the name's event comes next, so the function is
         * announced once, with it (issue 14). */
        if (rd->fresh && rd->fresh->netdev_unnamed && marks_hold_again(b->marks, e)) {
                device_free(rd->fresh);
                *rd = (Reading) {};
                return false;
        }
        /* Gone on a re-read, before its own remove (the kernel takes a VF's
         * links away first): by then nothing says whose VF it was, and its
         * PF still lists it. */
        if (!rd->fresh && !e->removed && cur && cur->role == DEVICE_ROLE_VF)
                marks_dirty(b->marks, cur->pf_address, NULL, false);
        if (rd->fresh)
                for (char **name = e->removed_netdevs; name && *name; name++)
                        forget_removed_netdev(rd->fresh, *name);
        if (b->reader->ops->query_vf_config && wants_vf_config(e, cur, rd->fresh) &&
            b->reader->ops->query_vf_config(b->reader, rd->fresh, changed) < 0)
                marks_resync(b->marks, "out of memory");
        reading_take_links(rd);
        return true;
}

/* New VFs whose PF is held, in the middle of its VF set's change (issue 14),
 * are announced with their configuration all the same: the PF, read now
 * with every VF it lists, is asked in this batch (once). */
static void query_held_pfs(Batch *b, const Reading *readings, size_t n, Hashmap *batch, char ***changed) {
        _cleanup_strv_free_ char **asked = NULL;

        for (size_t i = 0; i < n; i++) {
                const Device *vf = readings[i].fresh, *cur;
                _cleanup_(device_freep) Device *pf = NULL;

                if (!vf || vf->role != DEVICE_ROLE_VF || device_table_get(b->table, vf->address) || !vf->pf_address ||
                    hashmap_get(batch, vf->pf_address) || !marks_held(b->marks, vf->pf_address) ||
                    strv_contains(asked, vf->pf_address))
                        continue;
                if (strv_consume(&asked, strdup(vf->pf_address)) < 0)
                        return;
                cur = device_table_get(b->table, vf->pf_address);
                if (cur && cur->syspath && b->reader->ops->read(b->reader, cur->syspath, cur, &pf) > 0 &&
                    pf->role == DEVICE_ROLE_PF && b->reader->ops->query_vf_config(b->reader, pf, changed) < 0)
                        marks_resync(b->marks, "out of memory");
        }
}

static void process_marks(Batch *b, Applied *a) {
        _cleanup_(hashmap_freep) Hashmap *batch = NULL;
        _cleanup_strv_free_ char **changed = NULL;
        Reading *readings;
        size_t n = 0, allocated;
        Mark *e;

        batch = marks_take_ready(b->marks);
        if (!batch)
                return;
        allocated = 2 * hashmap_size(batch) + 1;
        readings = calloc(allocated, sizeof(Reading));
        if (!readings) {
                log_oom();
                marks_resync(b->marks, "out of memory");
                marks_map_clear(batch);
                return;
        }
        HASHMAP_FOREACH(e, batch, i)
                if (read_mark(b, e, &readings[n], &changed))
                        n++;
        if (b->reader->ops->query_vf_config)
                query_held_pfs(b, readings, n, batch, &changed);
        /* The VFs read now take their PF's latest answer; those whose
         * configuration changed and are not in this batch are read in the
         * next one (only they: a change on a 256-VF PF re-reads one VF). */
        for (size_t i = 0; i < n && b->reader->ops->fill_vf_config; i++)
                if (readings[i].fresh && readings[i].fresh->role == DEVICE_ROLE_VF)
                        b->reader->ops->fill_vf_config(b->reader, readings[i].fresh);
        for (char **vf = changed; vf && *vf; vf++)
                if (!hashmap_get(batch, *vf) && device_table_get(b->table, *vf))
                        marks_dirty(b->marks, *vf, NULL, false);
        /* A new VF read without its PF (no uevent led to it) has no answer
         * yet: its PF is asked in the next batch. */
        for (size_t i = 0; i < n && b->reader->ops->query_vf_config; i++) {
                const Device *vf = readings[i].fresh;

                if (vf && vf->role == DEVICE_ROLE_VF && !device_table_get(b->table, vf->address) &&
                    vf->pf_address && !hashmap_get(batch, vf->pf_address))
                        marks_vf_config(b->marks, vf->pf_address);
        }
        marks_map_clear(batch);

        batch_apply(b, readings, n, allocated, a);
        readings_free(readings, allocated);
}

/* A rescan someone asked for (SIGHUP, Refresh) gets its line in the log at
 * the default level; the daemon's own stay quiet unless they find drift. */
static void log_rescan(const Batch *b, const char *reason, const Applied *a) {
        char list[8 * (PCI_ADDRESS_MAX + 1)] = "";
        unsigned pfs, vfs;

        for (char **n = a->names; n && *n; n++)
                (void) snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", n == a->names ? "" : " ",
                                *n);
        if (marks_resync_requested(reason)) {
                device_table_count(b->table, &pfs, &vfs);
                log_notice("Rescanned (%s): %u PFs, %u VFs, %u changed%s%s%s.", reason, pfs, vfs, a->changed,
                           a->changed > 0 ? ": " : "", list, a->changed > 8 ? " ..." : "");
                return;
        }
        if (a->changed == 0)
                return;
        /* The sources should have told us: drift is worth a warning. */
        log_full_errno(streq(reason, "periodic resync") ? LOG_WARNING : LOG_INFO, 0,
                       "Resync (%s): %u device(s) had changed without an event: %s%s", reason, a->changed, list,
                       a->changed > 8 ? " ..." : "");
}

void batch_run(Batch *b, BatchResult *ret) {
        Applied a = {};
        const char *reason = TAKE_PTR(b->marks->resync_reason);
        BatchResult result = { .rescan = reason != NULL };

        if (reason) {
                result.error = rescan(b, &a);
                if (result.error < 0)
                        log_warning_errno(result.error, "Resync (%s) failed: %m", reason);
        } else
                process_marks(b, &a);

        sinks_batch_done(b->sinks, &(BatchDone) {
                .table = b->table,
                .rescan = reason && result.error >= 0,
                .pfs_changed = a.pfs_changed,
                .reason = reason,
                .changed = a.changed,
        });
        if (reason && result.error >= 0)
                log_rescan(b, reason, &a);
        strv_free(a.names);
        if (ret)
                *ret = result;
}
