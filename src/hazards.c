/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hazards.h"
#include "strv.h"

const char *hazard_kind_to_string(HazardKind k) {
        static const char *const names[_HAZARD_KIND_MAX] = {
                [HAZARD_DRIVERLESS] = "driverless",
                [HAZARD_PF_DOWN] = "pf-down",
                [HAZARD_SPOOFCHECK_NO_MAC] = "spoofcheck-no-mac",
                [HAZARD_VF_CONFIG_INCOMPLETE] = "vf-config-incomplete",
                [HAZARD_SHARED_IOMMU_GROUP] = "shared-iommu-group",
        };

        return k >= 0 && k < _HAZARD_KIND_MAX ? names[k] : NULL;
}

typedef struct Detect {
        const HazardInput *in;
        const DeviceTable *table;
        HazardList *out;
        uint64_t *next;
} Detect;

static int add(Detect *dt, HazardKind kind, const Device *d, char *text) {
        Hazard *t;

        if (!text)
                return -ENOMEM;
        t = reallocarray(dt->out->items, dt->out->n + 1, sizeof(Hazard));
        if (!t) {
                free(text);
                return -ENOMEM;
        }
        dt->out->items = t;
        t[dt->out->n] = (Hazard) { .kind = kind, .text = text };
        (void) snprintf(t[dt->out->n].address, sizeof(t[0].address), "%s", d->address);
        dt->out->n++;
        return 0;
}

static void wake_at(Detect *dt, uint64_t when) {
        if (when > dt->in->now && (*dt->next == 0 || when < *dt->next))
                *dt->next = when;
}

/* driverless: a VF with no driver for longer than the grace time while its
 * PF probes drivers for new VFs (sriov_drivers_autoprobe 1): the kernel
 * meant to bind it and nothing did. A rebind's unbound moment is shorter
 * than the grace time; with autoprobe off, unbound VFs are on purpose. */
static int rule_driverless(Detect *dt, const Device *d) {
        const Device *pf;
        uint64_t since, due;

        if (dt->in->driverless_grace_usec == 0 || d->role != DEVICE_ROLE_VF || d->driver || !d->pf_address)
                return 0;
        pf = device_table_get(dt->table, d->pf_address);
        if (!pf || pf->role != DEVICE_ROLE_PF || pf->drivers_autoprobe != 1)
                return 0;
        since = dt->in->driverless_since ? dt->in->driverless_since(d->address, dt->in->userdata) : 0;
        if (since == 0)
                return 0;
        due = since + dt->in->driverless_grace_usec;
        if (dt->in->now < due) {
                wake_at(dt, due);
                return 0;
        }
        return add(dt, HAZARD_DRIVERLESS, d,
                   strdupf("VF %s of PF %s has had no driver for more than %llu s while sriov_drivers_autoprobe is on.",
                         d->address, d->pf_address,
                         (unsigned long long) (dt->in->driverless_grace_usec / 1000000ULL)));
}

/* pf-down: a PF whose link is down (its netdev has no carrier) while some
 * of its VFs are in use: their traffic goes nowhere. In use: a process
 * holds the VF open (InUse: a VM has it), or its own netdev has carrier. */
static int rule_pf_down(Detect *dt, const Device *d) {
        unsigned in_use = 0;

        if (d->role != DEVICE_ROLE_PF || !d->link_netdev || d->carrier)
                return 0;
        for (size_t i = 0; i < d->n_vfs; i++) {
                const Device *vf = device_table_get(dt->table, d->vfs[i].address);

                in_use += vf && vf->role == DEVICE_ROLE_VF && (vf->in_use || (vf->link_netdev && vf->carrier));
        }
        if (in_use == 0)
                return 0;
        return add(dt, HAZARD_PF_DOWN, d,
                   strdupf("PF %s (%s) has no link while %u of its VFs are in use (held by a process or with link up).",
                         d->address, d->link_netdev, in_use));
}

/* spoofcheck-no-mac: spoof checking on while the PF set no MAC for the VF
 * (00:00:00:00:00:00): the VF is checked against an address nobody gave
 * it, and on drivers that enforce it its traffic is dropped. An unknown
 * configuration ("", see VfConfigComplete) is not this. */
static int rule_spoofcheck_no_mac(Detect *dt, const Device *d) {
        if (d->role != DEVICE_ROLE_VF || d->vf_config.spoof_check != 1 || !d->vf_config.mac ||
            !streq(d->vf_config.mac, "00:00:00:00:00:00"))
                return 0;
        return add(dt, HAZARD_SPOOFCHECK_NO_MAC, d,
                   strdupf("VF %s of PF %s has spoof checking on but no admin MAC (00:00:00:00:00:00).", d->address,
                         strempty(d->pf_address)));
}

/* vf-config-incomplete: the kernel answered for the PF's netdev but its VF
 * list is short (IFLA_NUM_VF above what it listed: the attribute overflows
 * with very many VFs) or the VF query failed, so some VFs' admin
 * configuration is not published. A PF the kernel has no link for (no
 * netdev, unbound, a simulated host) has no list to be short of: not this. */
static int rule_vf_config_incomplete(Detect *dt, const Device *d) {
        if (d->role != DEVICE_ROLE_PF || d->n_vfs == 0 || d->ifindex <= 0 || d->vf_config_complete)
                return 0;
        return add(dt, HAZARD_VF_CONFIG_INCOMPLETE, d,
                   strdupf("PF %s (%s): the kernel did not list the configuration of all its %zu VFs.", d->address,
                         strempty(d->link_netdev), d->n_vfs));
}

/* shared-iommu-group: a VF on a VFIO driver whose IOMMU group has other
 * members bound to host drivers. The group is the unit VFIO hands to a VM:
 * the group is not usable (not viable) while a member is on a host driver,
 * and unbinding that member to make it usable takes a device from the host.
 * A member in the table is host-bound when it has a driver that is not a
 * VFIO one (unbound is harmless). A member not in the table (not an SR-IOV
 * function: the daemon does not read its driver) counts as host-bound: the
 * daemon cannot tell, and saying so is the cautious answer. */
static int rule_shared_iommu_group(Detect *dt, const Device *d) {
        _cleanup_free_ char *members = NULL;
        unsigned host = 0;
        size_t size = 0;
        FILE *f;

        if (d->role != DEVICE_ROLE_VF || !streq_ptr(d->mode, "vfio") || strv_length(d->iommu_group_devices) < 2)
                return 0;
        f = open_memstream(&members, &size);
        if (!f)
                return -ENOMEM;
        for (char **a = d->iommu_group_devices; *a; a++) {
                const Device *m;

                if (streq(*a, d->address))
                        continue;
                m = device_table_get(dt->table, *a);
                if (m && (!m->driver || streq_ptr(m->mode, "vfio")))
                        continue;
                fprintf(f, "%s%s (%s)", host++ > 0 ? ", " : "", *a, m ? m->driver : "driver not read");
        }
        if (fclose(f) != 0 || !members)
                return -ENOMEM;
        if (host == 0)
                return 0;
        return add(dt, HAZARD_SHARED_IOMMU_GROUP, d,
                   strdupf("VF %s on %s shares IOMMU group %d with %u device(s) on host drivers: %s.", d->address,
                         strempty(d->driver), (int) d->iommu_group, host, members));
}

typedef int (*HazardRule)(Detect *dt, const Device *d);

/* One rule per kind, in kind order: the list comes out sorted. */
static const HazardRule rules[_HAZARD_KIND_MAX] = {
        [HAZARD_DRIVERLESS] = rule_driverless,
        [HAZARD_PF_DOWN] = rule_pf_down,
        [HAZARD_SPOOFCHECK_NO_MAC] = rule_spoofcheck_no_mac,
        [HAZARD_VF_CONFIG_INCOMPLETE] = rule_vf_config_incomplete,
        [HAZARD_SHARED_IOMMU_GROUP] = rule_shared_iommu_group,
};

int hazards_of_device(const HazardInput *in, const Device *d, HazardList *list, uint64_t *next) {
        Detect dt = { .in = in, .table = in->table, .out = list, .next = next };

        for (size_t k = 0; k < _HAZARD_KIND_MAX; k++) {
                int r = rules[k](&dt, d);

                if (r < 0)
                        return r;
        }
        return 0;
}

int hazards_detect(const HazardInput *in, HazardList *ret, uint64_t *ret_next) {
        _cleanup_free_ Device **devices = NULL;
        HazardList out = {};
        uint64_t next = 0;
        size_t n;
        int r;

        r = device_table_list(in->table, -1, &devices, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                HazardList one = {};

                r = hazards_of_device(in, devices[i], &one, &next);
                if (r >= 0)
                        r = hazard_list_replace_address(&out, devices[i]->address, &one);
                if (r < 0) {
                        hazard_list_clear(&one);
                        hazard_list_clear(&out);
                        return r;
                }
        }
        *ret = out;
        if (ret_next)
                *ret_next = next;
        return 0;
}

static int cmp_hazard(const Hazard *a, const Hazard *b) {
        if (a->kind != b->kind)
                return a->kind < b->kind ? -1 : 1;
        return strcmp(a->address, b->address);
}

int hazard_list_replace_address(HazardList *l, const char *address, HazardList *fresh) {
        unsigned old_kinds = 0, new_kinds = 0;
        size_t n = 0;
        Hazard *t;

        for (size_t i = 0; i < fresh->n; i++)
                new_kinds |= 1U << fresh->items[i].kind;
        t = l->items;
        if (fresh->n > 0) {
                t = reallocarray(l->items, l->n + fresh->n, sizeof(Hazard));
                if (!t) {
                        hazard_list_clear(fresh);
                        return -ENOMEM;
                }
                l->items = t;
        }
        /* Drop this address's hazards... */
        for (size_t i = 0; i < l->n; i++) {
                if (streq(t[i].address, address)) {
                        old_kinds |= 1U << t[i].kind;
                        free(t[i].text);
                        continue;
                }
                t[n++] = t[i];
        }
        l->n = n;
        /* ... and insert the fresh ones where they sort. */
        for (size_t i = 0; i < fresh->n; i++) {
                size_t at = l->n;

                while (at > 0 && cmp_hazard(&t[at - 1], &fresh->items[i]) > 0)
                        at--;
                memmove(t + at + 1, t + at, (l->n - at) * sizeof(Hazard));
                t[at] = fresh->items[i];
                l->n++;
        }
        fresh->items = mfree(fresh->items);
        fresh->n = 0;
        return old_kinds != new_kinds;
}

void hazard_list_clear(HazardList *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].text);
        l->items = mfree(l->items);
        l->n = 0;
}

/* The same hazards on the same functions: a longer "for N s" is no change. */
bool hazard_list_equal(const HazardList *a, const HazardList *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (a->items[i].kind != b->items[i].kind || !streq(a->items[i].address, b->items[i].address))
                        return false;
        return true;
}

bool hazard_list_contains(const HazardList *l, HazardKind kind, const char *address) {
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].kind == kind && streq(l->items[i].address, address))
                        return true;
        return false;
}

void hazard_list_count(const HazardList *l, unsigned *counts) {
        memset(counts, 0, sizeof(unsigned) * _HAZARD_KIND_MAX);
        for (size_t i = 0; i < l->n; i++)
                counts[l->items[i].kind]++;
}
