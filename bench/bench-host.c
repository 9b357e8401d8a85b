/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <time.h>

#include "bench-host.h"
#include "harness.h"

char *bench_pf_address(unsigned k) {
        return g_strdup_printf("0000:%02x:00.0", 0x10 + 0x10 * k);
}

static void add_pf(SriovSim *sim, unsigned k, unsigned total_vfs) {
        g_autofree char *address = bench_pf_address(k);
        g_autofree char *netdev = g_strdup_printf("ens%uf0np0", k + 1);
        g_autofree char *prefix = g_strdup_printf("ens%uf0v", k + 1);
        SimPfSpec spec = {
                .address = address,
                .vendor = 0x15b3, .device = 0x101d, .vf_device = 0x101e,
                .pf_driver = "mlx5_core", .vf_driver = "mlx5_core",
                .netdev = netdev, .vf_netdev_prefix = prefix,
                .total_vfs = total_vfs, .vf_offset = 1, .vf_stride = 1,
                .numa_node = (int) (k % 2),
                .iommu_group = 1000 * (int) (k + 1),
                .vendor_db_name = "Mellanox Technologies",
        };

        sim_add_pf(sim, &spec);
}

void bench_build_host(SriovSim *sim, unsigned pfs, unsigned vfs_per_pf, gboolean spare_pf) {
        for (unsigned k = 0; k < pfs; k++) {
                g_autofree char *address = bench_pf_address(k);

                add_pf(sim, k, vfs_per_pf);
                for (unsigned i = 0; i < vfs_per_pf; i++)
                        sim_add_vf(sim, address, i,
                                   i % 4 < 2 ? SIM_VF_NET : i % 4 == 2 ? SIM_VF_VFIO : SIM_VF_UNBOUND);
        }
        if (spare_pf)
                add_pf(sim, pfs, vfs_per_pf ? vfs_per_pf : 256);
}

unsigned bench_default_pfs(unsigned vfs) {
        return vfs <= 256 ? 1 : 8;
}

gint64 bench_now_ns(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bench_cmp_i64(const void *a, const void *b) {
        gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

        return x < y ? -1 : x > y;
}

int bench_cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

double bench_percentile(const gint64 *sorted, unsigned n, double q, double scale) {
        unsigned k = (unsigned) (q * n + 0.999999);

        if (n == 0)
                return 0;
        k = CLAMP(k, 1u, n);
        return sorted[k - 1] / scale;
}

guint64 bench_cpu_ns(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/schedstat", (int) pid);
        g_autofree char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return 0;
        return g_ascii_strtoull(text, NULL, 10);
}

gboolean bench_daemon_quiescent(gpointer harness) {
        return harness_daemon_quiescent(harness);
}
