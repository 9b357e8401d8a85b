/* SPDX-License-Identifier: MIT */
/*
 * make bench-owner: what looking for a VF's owner costs (issue 16).
 *
 *  1. proc_scan(), the daemon's own code, on this host with --processes
 *     extra processes (sleeping children, every 20th holding /dev/full open,
 *     the "VF" of the scan) and --vfs device numbers wanted (one of them
 *     /dev/full's): wall and CPU time per scan, median of --rounds, next to
 *     its floor: listing /proc and every /proc/PID/fd without stat().
 *     (--scan-only, run without umockdev-wrapper: its preload wraps stat.)
 *  2. The daemon on a simulated host of 256 VFs, --idle seconds each, with
 *     the default --owner-scan-interval=10: how often it runs (context
 *     switches) and its CPU, with no VF on VFIO (it must never wake) and
 *     with all 256 on vfio-pci (a scan every 10 s, the extra processes alive).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-host.h"
#include "harness.h"
#include "proc-scan.h"

static int opt_processes = 5000;
static int opt_vfs = 256;
static int opt_rounds = 20;
static int opt_idle = 30;
static gboolean opt_scan_only;

static const GOptionEntry options[] = {
        { "processes", 0, 0, G_OPTION_ARG_INT, &opt_processes, "Extra processes (default 5000)", "N" },
        { "vfs", 0, 0, G_OPTION_ARG_INT, &opt_vfs, "VFs on VFIO, i.e. device numbers wanted (default 256)", "N" },
        { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds, "Scans timed (default 20)", "R" },
        { "idle", 0, 0, G_OPTION_ARG_INT, &opt_idle, "Seconds each daemon is watched (default 30; 0: skip)", "S" },
        { "scan-only", 0, 0, G_OPTION_ARG_NONE, &opt_scan_only,
          "Only the scan (run it without umockdev, whose preload wraps every stat)", NULL },
        {}
};

static pid_t *children;
static int n_children;

static void spawn_children(int n) {
        children = g_new0(pid_t, n);
        for (int i = 0; i < n; i++) {
                pid_t pid = fork();

                if (pid < 0)
                        g_error("bench-owner: fork: %s (after %d processes)", g_strerror(errno), i);
                if (pid == 0) {
                        if (i % 20 == 0 && open("/dev/full", O_RDONLY | O_CLOEXEC) < 0)
                                _exit(1);
                        for (;;)
                                pause();
                }
                children[n_children++] = pid;
        }
}

static void kill_children(void) {
        for (int i = 0; i < n_children; i++)
                (void) kill(children[i], SIGKILL);
        for (int i = 0; i < n_children; i++)
                (void) waitpid(children[i], NULL, 0);
        n_children = 0;
}

static gint64 cpu_ns(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The floor: the same directories listed, nothing stat()ed. */
static unsigned list_only(void) {
        g_autoptr(GDir) proc = g_dir_open("/proc", 0, NULL);
        const char *name;
        unsigned fds = 0;

        while (proc && (name = g_dir_read_name(proc))) {
                g_autofree char *path = NULL;
                g_autoptr(GDir) fd = NULL;

                if (name[0] < '1' || name[0] > '9')
                        continue;
                path = g_strdup_printf("/proc/%s/fd", name);
                fd = g_dir_open(path, 0, NULL);
                while (fd && g_dir_read_name(fd))
                        fds++;
        }
        return fds;
}

static void measure_scan(const char *label) {
        g_autofree ProcScanWant *wants = g_new0(ProcScanWant, MAX(opt_vfs, 1));
        g_autofree gint64 *wall = g_new0(gint64, opt_rounds), *cpu = g_new0(gint64, opt_rounds);
        g_autofree gint64 *floor_wall = g_new0(gint64, opt_rounds);
        ProcScanStats stats = {};
        unsigned holders = 0;

        for (int i = 0; i < opt_vfs; i++)
                wants[i].rdev = i == 0 ? makedev(1, 7) : makedev(243, (unsigned) i);
        for (int r = 0; r < opt_rounds; r++) {
                gint64 t0 = bench_now_ns(), c0 = cpu_ns();

                g_assert_cmpint(proc_scan("/proc", getpid(), wants, (size_t) opt_vfs, &stats), ==, 0);
                wall[r] = bench_now_ns() - t0;
                cpu[r] = cpu_ns() - c0;
                t0 = bench_now_ns();
                (void) list_only();
                floor_wall[r] = bench_now_ns() - t0;
        }
        holders = wants[0].pid > 0;
        qsort(wall, (size_t) opt_rounds, sizeof(gint64), bench_cmp_i64);
        qsort(cpu, (size_t) opt_rounds, sizeof(gint64), bench_cmp_i64);
        qsort(floor_wall, (size_t) opt_rounds, sizeof(gint64), bench_cmp_i64);
        printf("scan %-22s %5u processes %6u fds %3d wanted: %7.2f ms wall (p90 %7.2f), %7.2f ms CPU; "
               "floor (readdir only) %7.2f ms; /dev/full held: %s\n",
               label, stats.processes, stats.fds, opt_vfs, bench_percentile(wall, (unsigned) opt_rounds, 0.5, 1e6),
               bench_percentile(wall, (unsigned) opt_rounds, 0.9, 1e6),
               bench_percentile(cpu, (unsigned) opt_rounds, 0.5, 1e6),
               bench_percentile(floor_wall, (unsigned) opt_rounds, 0.5, 1e6), holders ? "found" : "not found");
}

/* Voluntary context switches: the times it went to sleep, so woke up
 * (involuntary ones are preemptions while it ran, the machine's load). */
static unsigned long wakeups(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *text = NULL;
        const char *p;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                g_error("bench-owner: cannot read %s", path);
        p = strstr(text, "\nvoluntary_ctxt_switches:");
        return p ? strtoul(p + strlen("\nvoluntary_ctxt_switches:"), NULL, 10) : 0;
}

static void measure_idle(SimVfBinding binding, const char *label) {
        g_autoptr(Harness) h = harness_new();
        SimPfSpec spec = {
                .address = "0000:10:00.0", .vendor = 0x15b3, .device = 0x101d, .vf_device = 0x101e,
                .pf_driver = "mlx5_core", .vf_driver = "mlx5_core", .netdev = "ens1f0np0",
                .vf_netdev_prefix = "ens1f0v", .total_vfs = 256, .vf_offset = 1, .vf_stride = 1,
                .iommu_group = 1000,
        };
        const char *args[] = { "--owner-scan-interval=10", NULL };
        unsigned long switches;
        guint64 cpu;

        sim_add_pf(h->sim, &spec);
        for (unsigned i = 0; i < 256; i++)
                sim_add_vf(h->sim, spec.address, i, binding);
        harness_start_daemon(h, args);
        /* Start-up over: its first scan (with VFs on VFIO) included. */
        g_usleep(G_USEC_PER_SEC);
        switches = wakeups(h->daemon_pid);
        cpu = bench_cpu_ns(h->daemon_pid);
        g_usleep((gulong) opt_idle * G_USEC_PER_SEC);
        switches = wakeups(h->daemon_pid) - switches;
        cpu = bench_cpu_ns(h->daemon_pid) - cpu;
        printf("idle %-22s %d s: %lu wake-ups (voluntary context switches), %.2f ms CPU, %.2f ms CPU per 10 s\n", label,
               opt_idle, switches, cpu / 1e6, cpu / 1e6 / MAX(opt_idle / 10.0, 1e-9));
        harness_stop_daemon(h);
}

int main(int argc, char *argv[]) {
        g_autoptr(GOptionContext) context = g_option_context_new("- the cost of finding a VF's owner");
        g_autoptr(GError) error = NULL;

        g_option_context_add_main_entries(context, options, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error))
                g_error("bench-owner: %s", error->message);
        opt_rounds = MAX(opt_rounds, 1);

        if (opt_scan_only)
                measure_scan("(this host)");
        spawn_children(opt_processes);
        g_usleep(G_USEC_PER_SEC / 2); /* every child has opened what it holds */
        if (opt_scan_only) {
                g_autofree char *label = g_strdup_printf("(+%d processes)", opt_processes);
                measure_scan(label);
        } else if (opt_idle > 0) {
                measure_idle(SIM_VF_NET, "(no VF on VFIO)");
                measure_idle(SIM_VF_VFIO, "(256 VFs on vfio-pci)");
        }
        kill_children();
        return 0;
}
