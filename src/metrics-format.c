/* SPDX-License-Identifier: MIT */
/*
 * The metrics file. Names are under sriov_monitor_ (sriov_vf_* belongs to
 * the SR-IOV network metrics exporter); `device` is the netdev, the label
 * node_exporter's network metrics use, so series join theirs; counters
 * end in _total and nothing else does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics-format.h"

static const char *const event_types[METRICS_N_EVENT_TYPES] = METRICS_EVENT_TYPES;
static const char *const modes[] = { "net", "vfio", "unbound", "other" };

int metrics_event_type_index(const char *type) {
        for (size_t i = 0; i < METRICS_N_EVENT_TYPES; i++)
                if (streq(event_types[i], type))
                        return (int) i;
        return -1;
}

/* A label value: backslash, double quote and line feed escaped. */
static void put_label(FILE *f, const char *name, const char *value, bool first) {
        fprintf(f, "%s%s=\"", first ? "" : ",", name);
        for (const char *p = strempty(value); *p; p++)
                if (*p == '\\')
                        fputs("\\\\", f);
                else if (*p == '"')
                        fputs("\\\"", f);
                else if (*p == '\n')
                        fputs("\\n", f);
                else
                        fputc(*p, f);
        fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *first_netdev(const Device *d) {
        return d->netdevs && d->netdevs[0] ? d->netdevs[0] : "";
}

static void pf_families(FILE *f, Device **pfs, size_t n_pfs, Device **vfs, size_t n_vfs) {
        family(f, "sriov_monitor_pf_info", "gauge", "An SR-IOV physical function (PF); always 1.");
        for (size_t i = 0; i < n_pfs; i++) {
                fputs("sriov_monitor_pf_info{", f);
                put_label(f, "pci_address", pfs[i]->address, true);
                put_label(f, "device", first_netdev(pfs[i]), false);
                put_label(f, "driver", pfs[i]->driver, false);
                put_label(f, "vendor", pfs[i]->vendor_name, false);
                put_label(f, "product", pfs[i]->product_name, false);
                put_label(f, "eswitch_mode", pfs[i]->eswitch_mode, false);
                fputs("} 1\n", f);
        }
        family(f, "sriov_monitor_pf_vfs_max", "gauge", "The VFs a PF can have (sriov_totalvfs).");
        for (size_t i = 0; i < n_pfs; i++) {
                fputs("sriov_monitor_pf_vfs_max{", f);
                put_label(f, "pci_address", pfs[i]->address, true);
                fprintf(f, "} %u\n", pfs[i]->total_vfs);
        }
        family(f, "sriov_monitor_pf_vfs", "gauge", "The VFs of a PF by mode: net, vfio, unbound or other.");
        for (size_t i = 0; i < n_pfs; i++)
                for (size_t m = 0; m < ELEMENTSOF(modes); m++) {
                        unsigned count = 0;

                        for (size_t j = 0; j < n_vfs; j++)
                                count += streq_ptr(vfs[j]->pf_address, pfs[i]->address) &&
                                         streq_ptr(vfs[j]->mode, modes[m]);
                        fputs("sriov_monitor_pf_vfs{", f);
                        put_label(f, "pci_address", pfs[i]->address, true);
                        put_label(f, "mode", modes[m], false);
                        fprintf(f, "} %u\n", count);
                }
}

static void vf_family(FILE *f, Device **vfs, size_t n_vfs) {
        family(f, "sriov_monitor_vf_info", "gauge", "An SR-IOV virtual function (VF); always 1.");
        for (size_t i = 0; i < n_vfs; i++) {
                fputs("sriov_monitor_vf_info{", f);
                put_label(f, "pci_address", vfs[i]->address, true);
                put_label(f, "pf", vfs[i]->pf_address, false);
                put_label(f, "device", first_netdev(vfs[i]), false);
                put_label(f, "driver", vfs[i]->driver, false);
                put_label(f, "mode", vfs[i]->mode, false);
                /* The VM's or process's name; "" when nobody holds it. */
                put_label(f, "owner", vfs[i]->owner_name, false);
                fputs("} 1\n", f);
        }
}

static void daemon_families(FILE *f, const MetricsInput *in) {
        unsigned counts[_HAZARD_KIND_MAX];

        family(f, "sriov_monitor_events_total", "counter", "DeviceEvents published since the daemon started, by type.");
        for (size_t i = 0; i < METRICS_N_EVENT_TYPES; i++) {
                fputs("sriov_monitor_events_total{", f);
                put_label(f, "type", event_types[i], true);
                fprintf(f, "} %llu\n", (unsigned long long) (in->events ? in->events[i] : 0));
        }
        family(f, "sriov_monitor_degraded", "gauge",
               "1 while an event source is down and the published table may lag behind the host.");
        fprintf(f, "sriov_monitor_degraded %d\n", in->degraded ? 1 : 0);
        family(f, "sriov_monitor_last_refresh_timestamp_seconds", "gauge",
               "When the last full scan of /sys ran, in seconds since the epoch.");
        fprintf(f, "sriov_monitor_last_refresh_timestamp_seconds %llu.%06llu\n",
                (unsigned long long) (in->last_refresh_usec / 1000000ULL),
                (unsigned long long) (in->last_refresh_usec % 1000000ULL));
        family(f, "sriov_monitor_hazards", "gauge", "Hazards present now, by kind (see the Hazards property).");
        if (in->hazards)
                hazard_list_count(in->hazards, counts);
        else
                memset(counts, 0, sizeof(counts));
        for (size_t k = 0; k < _HAZARD_KIND_MAX; k++) {
                fputs("sriov_monitor_hazards{", f);
                put_label(f, "kind", hazard_kind_to_string(k), true);
                fprintf(f, "} %u\n", counts[k]);
        }
}

int metrics_format(const MetricsInput *in, char **ret) {
        _cleanup_free_ Device **pfs = NULL, **vfs = NULL;
        size_t n_pfs = 0, n_vfs = 0, size = 0;
        char *text = NULL;
        FILE *f;
        int r;

        r = device_table_list(in->table, DEVICE_ROLE_PF, &pfs, &n_pfs);
        if (r >= 0)
                r = device_table_list(in->table, DEVICE_ROLE_VF, &vfs, &n_vfs);
        if (r < 0)
                return r;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        pf_families(f, pfs, n_pfs, vfs, n_vfs);
        if (in->per_vf)
                vf_family(f, vfs, n_vfs);
        daemon_families(f, in);
        if (fclose(f) != 0 || !text) {
                free(text);
                return -ENOMEM;
        }
        *ret = text;
        return 0;
}
