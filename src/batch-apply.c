/* SPDX-License-Identifier: MIT */
/*
 * The order of a batch. A client must never see an object path in a
 * property before that object's InterfacesAdded, nor after its
 * InterfacesRemoved; a VF names its PF (PhysicalFunction) and a PF its VFs
 * (VirtualFunctions). So a PF's record in the table lists only the VFs
 * published at that moment, and the batch goes:
 *
 *   A. PFs that stop naming a VF (gone, or going in this batch) drop it;
 *   B. gone VFs are removed, then gone PFs;
 *   C. new PFs are added (naming only VFs already published);
 *   D. VFs are added or changed (their PF is published);
 *   E. the other PFs change, naming their new VFs now published.
 *
 * One PF is normally one change, in A or in E.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch-apply.h"
#include "device-vtable.h"
#include "log.h"
#include "strv.h"

typedef struct Work {
        Batch *b;
        Reading *readings;
        size_t n, allocated;
        Hashmap *by_address;        /* address -> Reading */
        Applied *a;
} Work;

void reading_take_links(Reading *rd) {
        if (!rd->fresh || rd->fresh->role != DEVICE_ROLE_PF)
                return;
        rd->links = TAKE_PTR(rd->fresh->vfs);
        rd->n_links = rd->fresh->n_vfs;
        rd->fresh->n_vfs = 0;
}

void readings_free(Reading *readings, size_t n) {
        for (size_t i = 0; i < n; i++) {
                device_free(readings[i].fresh);
                vf_links_free(readings[i].links, readings[i].n_links);
        }
        free(readings);
}

static void note_changed(Applied *a, const char *address) {
        if (a->changed++ < 8)
                (void) strv_consume(&a->names, strdup(address));
}

static void unpublish(Work *w, Device *cur) {
        char address[PCI_ADDRESS_MAX];

        if (cur->role == DEVICE_ROLE_PF)
                w->a->pfs_changed = true;
        sinks_removed(w->b->sinks, cur);
        (void) snprintf(address, sizeof(address), "%s", cur->address);
        device_free(device_table_remove(w->b->table, address));
        note_changed(w->a, address);
}

/* Makes the table's entry for the reading's address equal to its fresh
 * record (taking it), and tells the sinks. */
static void apply(Work *w, Reading *rd) {
        Device *cur = device_table_get(w->b->table, rd->address), *fresh = TAKE_PTR(rd->fresh), *old = NULL;

        rd->applied = true;
        if (cur && (!fresh || device_identity_changed(cur, fresh)))
                unpublish(w, cur);
        if (!fresh)
                return;
        if (device_table_put(w->b->table, fresh, &old) < 0) {
                log_oom();
                marks_resync(w->b->marks, "out of memory");
                return;
        }
        if (!old) {
                if (fresh->role == DEVICE_ROLE_PF)
                        w->a->pfs_changed = true;
                sinks_added(w->b->sinks, fresh);
                note_changed(w->a, fresh->address);
                return;
        }
        if (!device_equal(old, fresh)) {
                sinks_changed(w->b->sinks, old, fresh);
                note_changed(w->a, fresh->address);
        }
        /* Representors came, went or were renamed: its VFs' Representor
         * follows from it, read in the next batch. */
        if (fresh->role == DEVICE_ROLE_PF && old->role == DEVICE_ROLE_PF && !device_vf_representors_equal(old, fresh))
                for (size_t i = 0; i < fresh->n_vfs; i++)
                        marks_dirty(w->b->marks, fresh->vfs[i].address, NULL, false);
        device_free(old);
}

/* A VF a PF may name: published, and (when `staying`) not leaving now. */
typedef struct Keep {
        Work *w;
        bool staying;
} Keep;

static bool keep_vf(const char *address, void *userdata) {
        Keep *k = userdata;
        const Device *d = device_table_get(k->w->b->table, address);
        const Reading *rd;

        if (!d || d->role != DEVICE_ROLE_VF)
                return false;
        rd = k->staying ? hashmap_get(k->w->by_address, address) : NULL;
        return !rd || !rd->leaving;
}

static int filter_links(Work *w, const VfLink *links, size_t n, bool staying, VfLink **ret, size_t *ret_n) {
        int r = vf_links_filter(links, n, keep_vf, &(Keep) { w, staying }, ret, ret_n);

        if (r < 0) {
                log_oom();
                marks_resync(w->b->marks, "out of memory");
        }
        return r;
}

/* Sets the VFs a published PF names, telling the sinks if that changes it. */
static void renew_vfs(Work *w, Device *pf, const VfLink *links, size_t n, bool staying) {
        Device old = *pf;
        VfLink *vfs;
        size_t n_vfs;

        if (filter_links(w, links, n, staying, &vfs, &n_vfs) < 0)
                return;
        pf->vfs = vfs;
        pf->n_vfs = n_vfs;
        pf->num_vfs = (uint32_t) n_vfs; /* NumVFs counts what VirtualFunctions names */
        /* A PF naming no VF has every VF's configuration: its own reading,
         * held until a disable has paused (issue 14), comes later. */
        if (n_vfs == 0)
                pf->vf_config_complete = true;
        if (device_vfs_equal(&old, pf) && old.num_vfs == pf->num_vfs &&
            old.vf_config_complete == pf->vf_config_complete) {
                pf->vfs = old.vfs;
                pf->n_vfs = old.n_vfs;
                vf_links_free(vfs, n_vfs);
                return;
        }
        sinks_changed(w->b->sinks, &old, pf);
        vf_links_free(old.vfs, old.n_vfs);
        note_changed(w->a, pf->address);
}

/* A fresh PF's record names the VFs of its links that pass the filter. */
static int set_fresh_vfs(Work *w, Reading *rd, bool staying) {
        int r = filter_links(w, rd->links, rd->n_links, staying, &rd->fresh->vfs, &rd->fresh->n_vfs);

        /* NumVFs counts what VirtualFunctions names: never a VF whose object
         * is not there (yet). */
        if (r >= 0)
                rd->fresh->num_vfs = (uint32_t) rd->fresh->n_vfs;
        return r;
}

static bool is_fresh(const Reading *rd, DeviceRole role) {
        return rd->fresh && rd->fresh->role == role;
}

/* A VF's representor is its PF's business too (issue 16): the netdev the
 * PF's reading maps to its index. */
static void set_representor(Device *vf, const VfLink *link, const Device *pf) {
        const char *rep = link && pf && pf->role == DEVICE_ROLE_PF ? device_vf_representor(pf, link->index) : NULL;

        free(vf->representor);
        vf->representor = rep ? strdup(rep) : NULL;
        if (rep && !vf->representor)
                log_oom();
}

/* The links of a VF's PF: from this batch's reading, else the table's
 * record, else read now (a reading added to the batch). */
static void resolve_vf_index(Work *w, Device *vf) {
        Reading *pf = hashmap_get(w->by_address, vf->pf_address);
        const Device *cur = device_table_get(w->b->table, vf->pf_address);
        const VfLink *link;
        Device tmp = {};

        if (!pf && cur && cur->role == DEVICE_ROLE_PF) {
                tmp = (Device) { .vfs = cur->vfs, .n_vfs = cur->n_vfs };
                if (!device_find_vf(&tmp, vf->address) && cur->syspath && w->n < w->allocated) {
                        /* Not among the VFs it names: its links were not read yet. */
                        pf = &w->readings[w->n];
                        *pf = (Reading) {};
                        (void) snprintf(pf->address, sizeof(pf->address), "%s", cur->address);
                        if (w->b->reader->ops->read(w->b->reader, cur->syspath, cur, &pf->fresh) < 0)
                                log_warning("Failed to read %s.", cur->address);
                        reading_take_links(pf);
                        /* Its own mark, held, publishes what it names. */
                        pf->index_only = pf->applied = marks_held(w->b->marks, cur->address);
                        w->n++;
                        if (hashmap_replace(w->by_address, pf->address, pf) < 0)
                                marks_resync(w->b->marks, "out of memory");
                }
        }
        if (pf)
                tmp = (Device) { .vfs = pf->links, .n_vfs = pf->n_links };
        link = device_find_vf(&tmp, vf->address);
        vf->vf_index = link ? link->index : VF_INDEX_UNKNOWN;
        set_representor(vf, link, pf ? pf->fresh : cur);
}

static int cmp_reading(const void *a, const void *b) {
        return strcmp(((const Reading *) a)->address, ((const Reading *) b)->address);
}

static int prepare(Work *w) {
        size_t n = w->n;

        /* By PCI address: the same batch is told the same way every time. */
        qsort(w->readings, n, sizeof(Reading), cmp_reading);
        for (size_t i = 0; i < n; i++)
                if (hashmap_replace(w->by_address, w->readings[i].address, &w->readings[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (is_fresh(&w->readings[i], DEVICE_ROLE_VF))
                        resolve_vf_index(w, w->readings[i].fresh);
        for (size_t i = 0; i < w->n; i++) {
                Reading *rd = &w->readings[i];
                const Device *cur = device_table_get(w->b->table, rd->address);

                rd->leaving = cur && cur->role == DEVICE_ROLE_VF &&
                              (!rd->fresh || device_identity_changed(cur, rd->fresh));
        }
        return 0;
}

/* Whether this batch has a reading of the published PF that keeps it. */
static bool read_as_same(Work *w, const Device *pf) {
        const Reading *rd = hashmap_get(w->by_address, pf->address);

        return rd && !rd->index_only && rd->fresh && !device_identity_changed(pf, rd->fresh);
}

/* A: PFs stop naming VFs that are gone or going. */
static void pass_drop(Work *w) {
        for (size_t i = 0; i < w->n; i++) {
                Reading *rd = &w->readings[i];
                Device *cur = device_table_get(w->b->table, rd->address), *pf;

                if (rd->index_only)
                        continue;
                if (is_fresh(rd, DEVICE_ROLE_PF) && cur && cur->role == DEVICE_ROLE_PF &&
                    !device_identity_changed(cur, rd->fresh)) {
                        /* Its own reading: applied now if it names fewer VFs. */
                        Keep k = { w, true };
                        bool drops = false;

                        for (size_t j = 0; j < cur->n_vfs && !drops; j++) {
                                Device links = { .vfs = rd->links, .n_vfs = rd->n_links };

                                drops = !device_find_vf(&links, cur->vfs[j].address) ||
                                        !keep_vf(cur->vfs[j].address, &k);
                        }
                        if (drops && set_fresh_vfs(w, rd, true) >= 0)
                                apply(w, rd);
                } else if (rd->leaving && (pf = device_table_get(w->b->table, cur->pf_address)) &&
                           pf->role == DEVICE_ROLE_PF && !read_as_same(w, pf)) {
                        /* A PF not re-read in this batch (or going too) still names it. */
                        renew_vfs(w, pf, pf->vfs, pf->n_vfs, true);
                }
        }
}

void batch_apply(Batch *b, Reading *readings, size_t n, size_t allocated, Applied *a) {
        Work w = { .b = b, .readings = readings, .n = n, .allocated = allocated, .a = a };

        w.by_address = hashmap_new();
        if (!w.by_address || prepare(&w) < 0) {
                log_oom();
                marks_resync(b->marks, "out of memory");
                hashmap_free(w.by_address);
                return;
        }
        pass_drop(&w);
        /* B: gone VFs, then gone PFs (a VF names its PF). */
        for (int role = DEVICE_ROLE_VF; role >= DEVICE_ROLE_PF; role--)
                for (size_t i = 0; i < w.n; i++) {
                        Reading *rd = &w.readings[i];
                        Device *cur = device_table_get(b->table, rd->address);

                        if (!rd->applied && cur && (int) cur->role == role &&
                            (!rd->fresh || (role == DEVICE_ROLE_VF && rd->leaving)))
                                unpublish(&w, cur);
                }
        /* C: new PFs, naming the VFs published and staying. */
        for (size_t i = 0; i < w.n; i++) {
                Reading *rd = &w.readings[i];
                const Device *cur = device_table_get(b->table, rd->address);

                if (!rd->applied && is_fresh(rd, DEVICE_ROLE_PF) &&
                    (!cur || device_identity_changed(cur, rd->fresh)) && set_fresh_vfs(&w, rd, true) >= 0)
                        apply(&w, rd);
        }
        /* D: VFs. */
        for (size_t i = 0; i < w.n; i++)
                if (!w.readings[i].applied && is_fresh(&w.readings[i], DEVICE_ROLE_VF))
                        apply(&w, &w.readings[i]);
        /* E: PFs, naming their VFs now published. */
        for (size_t i = 0; i < w.n; i++) {
                Reading *rd = &w.readings[i];
                Device *pf;

                if (rd->index_only)
                        continue;
                if (!rd->applied && is_fresh(rd, DEVICE_ROLE_PF)) {
                        if (set_fresh_vfs(&w, rd, false) >= 0)
                                apply(&w, rd);
                } else if (rd->n_links > 0 && (pf = device_table_get(b->table, rd->address)) &&
                           pf->role == DEVICE_ROLE_PF)
                        renew_vfs(&w, pf, rd->links, rd->n_links, false);
        }
        hashmap_free(w.by_address);
}
