/* SPDX-License-Identifier: MIT */
/*
 * make bench-fleet: what the fleet sinks (issue 17) cost on an 8 PF x 256
 * VF table in memory, against a 16-VF one: the size and CPU time of the
 * metrics file (with and without --metrics-per-vf) and of the feature
 * file, which are written at most once a second; and the hazards sink's
 * work per batch that changed one VF, which every batch pays.
 * CPU time (CLOCK_PROCESS_CPUTIME_ID), the median of 7 rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "features-format.h"
#include "hazards-sink.h"
#include "metrics-format.h"
#include "strv.h"

static double cpu_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static void put(DeviceTable *t, Device *d) {
        Device *old = NULL;

        if (device_table_put(t, d, &old) < 0)
                abort();
        device_free(old);
}

/* pfs PFs with vfs VFs each, a quarter of them unbound (as bench-host.c). */
static DeviceTable *host(unsigned pfs, unsigned vfs) {
        DeviceTable *t = NULL;

        if (device_table_new(&t) < 0)
                abort();
        for (unsigned p = 0; p < pfs; p++) {
                char a[PCI_ADDRESS_MAX], name[32];
                Device *pf = NULL;

                snprintf(a, sizeof(a), "0000:%02x:00.0", 0x10 + p);
                device_new(a, DEVICE_ROLE_PF, &pf);
                pf->driver = strdup("mlx5_core");
                pf->vendor_name = strdup("Mellanox Technologies");
                snprintf(name, sizeof(name), "enp%us0f0np0", 0x10 + p);
                strv_consume(&pf->netdevs, strdup(name));
                pf->mode = device_mode(pf->driver, pf->netdevs);
                pf->total_vfs = vfs;
                pf->drivers_autoprobe = 1;
                pf->vfs = calloc(vfs, sizeof(VfLink));
                for (unsigned v = 0; v < vfs; v++) {
                        char va[PCI_ADDRESS_MAX];
                        Device *vf = NULL;

                        snprintf(va, sizeof(va), "0000:%02x:%02x.%u", 0x80 + p, v / 8, v % 8);
                        device_new(va, DEVICE_ROLE_VF, &vf);
                        vf->pf_address = strdup(a);
                        if (v % 4 < 2) {
                                vf->driver = strdup("mlx5_core");
                                snprintf(name, sizeof(name), "enp%us0f0v%u", 0x10 + p, v);
                                strv_consume(&vf->netdevs, strdup(name));
                        } else if (v % 4 == 2)
                                vf->driver = strdup("vfio-pci");
                        vf->mode = device_mode(vf->driver, vf->netdevs);
                        pf->vfs[v] = (VfLink) { .index = v, .address = strdup(va) };
                        put(t, vf);
                }
                pf->n_vfs = pf->num_vfs = vfs;
                put(t, pf);
        }
        return t;
}

#define ROUNDS 7

/* The median CPU time of one call of fn, over ROUNDS rounds of n calls. */
static double measure(void (*fn)(void *), void *arg, unsigned n) {
        double r[ROUNDS];

        for (unsigned i = 0; i < ROUNDS; i++) {
                double t0 = cpu_ns();

                for (unsigned j = 0; j < n; j++)
                        fn(arg);
                r[i] = (cpu_ns() - t0) / n;
        }
        qsort(r, ROUNDS, sizeof(double), cmp_double);
        return r[ROUNDS / 2];
}

typedef struct Ctx {
        DeviceTable *t;
        bool per_vf;
        size_t size;
        HazardsSink *sink;
        Device *vf;
} Ctx;

static void run_metrics(void *p) {
        Ctx *c = p;
        uint64_t events[METRICS_N_EVENT_TYPES] = {};
        HazardList none = {};
        char *text = NULL;

        metrics_format(&(MetricsInput) { .table = c->t, .per_vf = c->per_vf, .events = events,
                                         .hazards = &none }, &text);
        c->size = strlen(text);
        free(text);
}

static void run_features(void *p) {
        Ctx *c = p;
        char *text = NULL;

        features_format(c->t, &text);
        c->size = strlen(text);
        free(text);
}

/* A batch that changed one VF (its record replaced by itself). */
static void run_batch(void *p) {
        Ctx *c = p;

        c->sink->sink.ops->changed(&c->sink->sink, c->vf, c->vf);
        c->sink->sink.ops->batch_done(&c->sink->sink, &(BatchDone) { .table = c->t });
}

static void hazards_batch(unsigned pfs, unsigned vfs) {
        DeviceTable *t = host(pfs, vfs);
        Status status = {};
        HazardsSink sink;
        Ctx c = { .t = t, .sink = &sink };

        hazards_sink_init(&sink, NULL, &status, t, DRIVERLESS_GRACE_USEC_DEFAULT);
        sink.sink.ops->batch_done(&sink.sink, &(BatchDone) { .table = t, .initial = true });
        c.vf = device_table_get(t, "0000:80:00.1");
        printf("| hazards sink, one batch that changed one VF, %u VFs (%u driverless) | %.2f µs | — |\n", pfs * vfs,
               pfs * vfs / 4, measure(run_batch, &c, 20000) / 1000);
        hazards_sink_done(&sink);
        device_table_free(t);
}

int main(void) {
        DeviceTable *big = host(8, 256);
        Ctx c = { .t = big };
        double ns;

        printf("| figure (8 PFs × 256 VFs unless said) | CPU time | size |\n|---|---:|---:|\n");
        ns = measure(run_metrics, &c, 20);
        printf("| metrics file (per PF series only) | %.2f ms | %zu bytes |\n", ns / 1e6, c.size);
        c.per_vf = true;
        ns = measure(run_metrics, &c, 20);
        printf("| metrics file with --metrics-per-vf | %.2f ms | %zu bytes |\n", ns / 1e6, c.size);
        ns = measure(run_features, &c, 20);
        printf("| feature file | %.2f ms | %zu bytes |\n", ns / 1e6, c.size);
        device_table_free(big);
        hazards_batch(1, 16);
        hazards_batch(8, 256);
        return 0;
}
