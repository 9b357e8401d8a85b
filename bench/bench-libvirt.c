/* SPDX-License-Identifier: MIT */
/*
 * bench-libvirt: sriov-monitord side by side with libvirt's node-device
 * driver (issue 14), on the same simulated host, from the same uevents, in
 * one run.
 *
 * libvirtd (Debian's libvirt-daemon) runs with only its nodedev driver
 * (LIBVIRT_DRIVER_DIR names a directory holding that module alone), its
 * config, sockets and pid file under --workdir, in a mount namespace of its
 * own with a tmpfs on /run and /var/lib/libvirt (so nothing of the host's
 * /run, /var or /etc changes), on the umockdev testbed, with
 * bench/libvirt-shim.so preloaded before umockdev's (see there). Two
 * `virsh nodedev-event --loop` (--event lifecycle, --event update) and a
 * GDBus connection to the daemon's bus are the clients; every line or
 * DeviceEvent is stamped on receipt (CLOCK_MONOTONIC) in this process: the
 * D-Bus signals in GDBus's worker thread (a message filter), virsh's lines
 * in a reader thread per pipe. The uevents' send times come from a wrapper
 * around umockdev's send (-Wl,--wrap=umockdev_testbed_uevent).
 *
 *   --events     on 2 PFs x --vfs VFs, --reps times each: VFs disabled,
 *                enabled, a VF rebound net -> vfio-pci -> net, a netdev
 *                renamed and back, sriov_drivers_autoprobe written twice, a
 *                PF removed and re-added. Per event kind: p50/p99 for each
 *                side (from the device's first uevent of the operation, or
 *                the operation's last uevent for the "last" kinds), the
 *                ratio, how many each reported; CPU (utime+stime) and VmRSS
 *                of each daemon over the phase.
 *   --probe-ms   how long each driver's probe takes in --events (0: no
 *                time; the simulator's own pace, 1 ms on tmpfs). A real
 *                one takes milliseconds to seconds: it lies between a VF's
 *                add and its bind, which libvirt announces the VF before
 *                and the daemon after.
 *   --startup    on --startup-pfs x --startup-vfs VFs: process start -> a
 *                client lists every SR-IOV function (ours: the bus name,
 *                which the daemon takes once all objects are published;
 *                libvirt: `virsh nodedev-list --cap pci` polled until it
 *                names them all), and VmRSS then.
 *   --no-libvirt or libvirt missing: the peer's figures are "not measured".
 *
 * Run it through `make bench` (umockdev-wrapper, make check's environment,
 * root for libvirtd's mount namespace). Results end in BENCH-RESULT lines.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-host.h"
#include "harness.h"
#include "libvirt-match.h"
#include "libvirt-peer.h"

static int opt_probe_ms = 0, opt_vfs = 8, opt_reps = 30, opt_startup_pfs = 8, opt_startup_vfs = 64, opt_timeout_ms = 2000;
static gboolean opt_events, opt_startup, opt_no_libvirt;
static char *opt_libvirtd, *opt_virsh, *opt_driver, *opt_shim, *opt_workdir, *opt_label = (char *) "1";

static const GOptionEntry options[] = {
        { "events", 0, 0, G_OPTION_ARG_NONE, &opt_events, "Event latencies, side by side", NULL },
        { "startup", 0, 0, G_OPTION_ARG_NONE, &opt_startup, "Start-up to a full listing", NULL },
        { "vfs", 0, 0, G_OPTION_ARG_INT, &opt_vfs, "VFs per PF for --events (2 PFs)", "N" },
        { "reps", 0, 0, G_OPTION_ARG_INT, &opt_reps, "Repetitions of each operation", "N" },
        { "probe-ms", 0, 0, G_OPTION_ARG_INT, &opt_probe_ms, "How long each driver's probe takes (simulated)", "MS" },
        { "startup-pfs", 0, 0, G_OPTION_ARG_INT, &opt_startup_pfs, "PFs for --startup", "N" },
        { "startup-vfs", 0, 0, G_OPTION_ARG_INT, &opt_startup_vfs, "VFs per PF for --startup", "N" },
        { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &opt_timeout_ms, "How long a notification is awaited", "MS" },
        { "no-libvirt", 0, 0, G_OPTION_ARG_NONE, &opt_no_libvirt, "Measure sriov-monitord alone", NULL },
        { "libvirtd", 0, 0, G_OPTION_ARG_FILENAME, &opt_libvirtd, "libvirtd", "PATH" },
        { "virsh", 0, 0, G_OPTION_ARG_FILENAME, &opt_virsh, "virsh", "PATH" },
        { "nodedev-driver", 0, 0, G_OPTION_ARG_FILENAME, &opt_driver, "libvirt's nodedev module", "PATH" },
        { "shim", 0, 0, G_OPTION_ARG_FILENAME, &opt_shim, "bench/libvirt-shim.so", "PATH" },
        { "workdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_workdir, "libvirtd's config and sockets", "DIR" },
        { "label", 0, 0, G_OPTION_ARG_STRING, &opt_label, "run=LABEL in the results", "LABEL" },
        {}
};

typedef struct Bench {
        Harness *h;
        Peer peer;
        char *pf[2];
} Bench;

/* VF i's netdev on PF k of the bench host (bench-host.c's names). */
static const char *vf_netdev(Bench *b, int k, unsigned i) {
        static char buf[2][32];

        (void) snprintf(buf[k], sizeof(buf[k]), "ens%uf0v%u", (unsigned) k + 1, i);
        return buf[k];
}

static void op_disable(Bench *b, int k) {
        SriovSim *sim = b->h->sim;
        unsigned n = sim_num_vfs(sim, b->pf[k]);
        guint from = sent->len;
        g_autofree char *pf_name = nodedev_name(b->pf[k]);

        sim_disable_vfs(sim, b->pf[k], 0);
        for (unsigned i = 0; i < n; i++) {
                const char *vf = sim_vf_address(sim, b->pf[k], i);
                g_autofree char *name = nodedev_name(vf);

                op_from = from, op_dev = sim_syspath(sim, vf);
                expect(K_VF_REMOVED, sent_ns(sim_syspath(sim, vf), from), g_strdup_printf("pci deleted %s", vf),
                       g_strdup_printf("lifecycle %s Deleted", name));
        }
        expect(K_PF_DISABLED, sent_ns(NULL, from) ? ((Sent *) sent->pdata[from])->ns : 0,
               g_strdup_printf("sriov modified %s", b->pf[k]), g_strdup_printf("update %s", pf_name));
        expect(K_DISABLE_LAST, sent_ns(NULL, from), g_strdup("*"), g_strdup("*"));
}

static void op_enable(Bench *b, int k, unsigned n) {
        SriovSim *sim = b->h->sim;
        guint from = sent->len;
        g_autofree char *pf_name = nodedev_name(b->pf[k]);

        sim_enable_vfs(sim, b->pf[k], n, SIM_VF_NET);
        for (unsigned i = 0; i < n; i++) {
                const char *vf = sim_vf_address(sim, b->pf[k], i);
                g_autofree char *name = nodedev_name(vf);
                gint64 t0 = sent_ns(sim_syspath(sim, vf), from);

                op_from = from, op_dev = sim_syspath(sim, vf);
                expect(K_VF_CREATED, t0, g_strdup_printf("pci created %s", vf),
                       g_strdup_printf("lifecycle %s Created", name));
                op_dev = sim_syspath(sim, vf);
                expect(K_VF_NETDEV, t0, g_strdup_printf("interface created %s", vf_netdev(b, k, i)),
                       g_strdup_printf("lifecycle net_%s_", vf_netdev(b, k, i)));
        }
        /* The PF's last announcement: the one that names every VF (it may
         * have changed before, if the enable paused). */
        expect(K_PF_ENABLED, sent_ns(sim_syspath(sim, b->pf[k]), from), g_strdup_printf("$sriov modified %s", b->pf[k]),
               g_strdup_printf("$update %s", pf_name));
        expect(K_ENABLE_LAST, sent_ns(NULL, from), g_strdup("*"), g_strdup("*"));
}

static void op_rebind(Bench *b, SimVfBinding to) {
        SriovSim *sim = b->h->sim;
        const char *vf = sim_vf_address(sim, b->pf[1], 0), *netdev = vf_netdev(b, 1, 0);
        g_autofree char *name = nodedev_name(vf);
        guint from = sent->len;
        gint64 t0;

        sim_rebind_vf(sim, vf, to, NULL);
        t0 = sent_ns(sim_syspath(sim, vf), from);
        op_from = from, op_dev = sim_syspath(sim, vf);
        expect(K_DRIVER, t0, g_strdup_printf("driver modified %s", vf), g_strdup_printf("update %s", name));
        op_dev = sim_syspath(sim, vf);
        if (to == SIM_VF_VFIO)
                expect(K_NETDEV_GONE, t0, g_strdup_printf("interface deleted %s", netdev),
                       g_strdup_printf("lifecycle net_%s_", netdev));
        else
                expect(K_NETDEV_BACK, t0, g_strdup_printf("interface created %s", netdev),
                       g_strdup_printf("lifecycle net_%s_", netdev));
}

static void op_rename(Bench *b, const char *from_name, const char *to_name) {
        guint from = sent->len;

        sim_rename_netdev(b->h->sim, from_name, to_name);
        expect(K_RENAME, sent_ns(NULL, from), g_strdup_printf("interface modified %s", to_name),
               g_strdup_printf("lifecycle net_%s_|update net_%s_", to_name, to_name));
}

static void op_autoprobe(Bench *b, gboolean value) {
        g_autofree char *pf_name = nodedev_name(b->pf[1]);
        gint64 t0 = bench_now_ns();

        sim_write_autoprobe(b->h->sim, b->pf[1], value);
        expect(K_AUTOPROBE, t0, g_strdup_printf("sriov modified %s", b->pf[1]), g_strdup_printf("update %s", pf_name));
}

static void op_remove_pf(Bench *b) {
        SriovSim *sim = b->h->sim;
        unsigned n = sim_num_vfs(sim, b->pf[1]);
        g_autofree char *pf_name = nodedev_name(b->pf[1]);
        const char *pf_syspath = g_strdup(sim_syspath(sim, b->pf[1]));
        guint from = sent->len;

        sim_remove_pf(sim, b->pf[1]);
        for (unsigned i = 0; i < n; i++) {
                const char *vf = sim_vf_address(sim, b->pf[1], i);
                g_autofree char *name = nodedev_name(vf);

                op_from = from, op_dev = sim_syspath(sim, vf);
                expect(K_VF_REMOVED, sent_ns(sim_syspath(sim, vf), from), g_strdup_printf("pci deleted %s", vf),
                       g_strdup_printf("lifecycle %s Deleted", name));
        }
        op_from = from, op_dev = pf_syspath;
        expect(K_PF_REMOVED, sent_ns(pf_syspath, from), g_strdup_printf("pci deleted %s", b->pf[1]),
               g_strdup_printf("lifecycle %s Deleted", pf_name));
        g_free((char *) pf_syspath);
}

static void op_readd_pf(Bench *b, unsigned n) {
        SriovSim *sim = b->h->sim;
        g_autofree char *pf_name = nodedev_name(b->pf[1]);
        guint from = sent->len;

        sim_readd_pf(sim, b->pf[1], n, SIM_VF_NET);
        /* Its own sequence ends with its bind (its change comes after its VFs). */
        op_end = sent_action_ns(sim_syspath(sim, b->pf[1]), "bind", from);
        expect(K_PF_ADDED, sent_ns(sim_syspath(sim, b->pf[1]), from), g_strdup_printf("pci created %s", b->pf[1]),
               g_strdup_printf("lifecycle %s Created", pf_name));
        for (unsigned i = 0; i < n; i++) {
                const char *vf = sim_vf_address(sim, b->pf[1], i);
                g_autofree char *name = nodedev_name(vf);

                op_from = from, op_dev = sim_syspath(sim, vf);
                expect(K_VF_CREATED, sent_ns(sim_syspath(sim, vf), from), g_strdup_printf("pci created %s", vf),
                       g_strdup_printf("lifecycle %s Created", name));
        }
}

/* ------------------------------------------------------------------ */
/* Phases                                                              */

/* NAN when there is no sample; negative when the notification came before
 * the uevent it is measured from (a PF announced before its own change). */
static double pct_ms(GArray *a, double q) {
        if (!a || a->len == 0)
                return NAN;
        g_array_sort(a, bench_cmp_i64);
        return bench_percentile((const gint64 *) a->data, a->len, q, 1e6);
}

static void fmt_ms(char *buf, size_t size, double v) {
        if (isnan(v))
                (void) snprintf(buf, size, "nan");
        else
                (void) snprintf(buf, size, "%.2f", v);
}

/* Waits for libvirtd to answer and to list what the testbed has. */
static gboolean peer_ready(Bench *b, int want, unsigned timeout_ms, gint64 *ret_ns) {
        gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

        while (g_get_monotonic_time() < deadline) {
                int n;

                if (waitpid(b->peer.pid, NULL, WNOHANG) == b->peer.pid) {
                        b->peer.pid = 0;
                        return FALSE;
                }
                n = peer_count_pci(b->h, &b->peer);
                if (n >= want) {
                        if (ret_ns)
                                *ret_ns = bench_now_ns();
                        return TRUE;
                }
                g_usleep(5 * 1000);
        }
        return FALSE;
}

/* The PCI functions on the testbed (every one is a nodedev for libvirt). */
static int testbed_pci_count(Bench *b) {
        g_autofree char *path = g_build_filename(sim_root(b->h->sim), "sys/bus/pci/devices", NULL);
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        int n = 0;

        while (dir && g_dir_read_name(dir))
                n++;
        return n;
}

static void start_peer_or_say(Bench *b, const char *missing, int want) {
        if (missing) {
                printf("libvirt: not measured (%s)\n", missing);
                return;
        }
        peer_start(&b->peer, b->h);
        if (!peer_ready(b, want, harness_timeout_ms(60000), NULL)) {
                g_autofree char *log = g_build_filename(b->peer.dir, "libvirtd.log", NULL), *text = NULL;

                (void) g_file_get_contents(log, &text, NULL, NULL);
                g_error("bench: libvirtd did not list the %d PCI functions of the testbed; its log:\n%s", want,
                        text ?: "");
        }
}

static void phase_events(Bench *b, const char *missing) {
        double cpu0[N_SIDES] = {}, cpu1[N_SIDES] = {};
        GPid pids[N_SIDES];
        gboolean peer_up;
        gint64 t0;

        bench_build_host(b->h->sim, 2, (unsigned) opt_vfs, FALSE);
        harness_start_daemon(b->h, NULL);
        start_peer_or_say(b, missing, testbed_pci_count(b));
        peer_up = b->peer.up;
        g_dbus_connection_add_filter(b->h->conn, on_message, NULL, NULL);
        (void) g_dbus_connection_signal_subscribe(b->h->conn, BUS_NAME, MANAGER_IFACE, "DeviceEvent", NULL, NULL,
                                                  G_DBUS_SIGNAL_FLAGS_NONE, on_signal, NULL, NULL);
        if (peer_up)
                peer_watch(&b->peer, b->h, on_peer_line);
        /* Both subscribed: a round trip each, then a warm-up operation whose
         * notifications are not counted. */
        g_usleep(1000 * 1000);
        op_disable(b, 0);
        settle_op(peer_up, opt_timeout_ms);
        op_enable(b, 0, (unsigned) opt_vfs);
        settle_op(peer_up, opt_timeout_ms);
        for (int k = 0; k < N_KINDS; k++) {
                kinds[k].tried = 0;
                if (kinds[k].span)
                        g_array_set_size(kinds[k].span, 0);
                for (int side = 0; side < N_SIDES; side++) {
                        kinds[k].reported[side] = 0;
                        if (kinds[k].lat[side])
                                g_array_set_size(kinds[k].lat[side], 0);
                }
        }

        pids[OURS] = b->h->daemon_pid;
        pids[PEER] = b->peer.pid;
        for (int side = 0; side < N_SIDES; side++)
                cpu0[side] = side == PEER && !peer_up ? -1 : proc_cpu_ms(pids[side]);
        t0 = bench_now_ns();
        for (rep = 0; rep < opt_reps; rep++) {
                op_disable(b, 0);
                settle_op(peer_up, opt_timeout_ms);
                op_enable(b, 0, (unsigned) opt_vfs);
                settle_op(peer_up, opt_timeout_ms);
                op_rebind(b, SIM_VF_VFIO);
                settle_op(peer_up, opt_timeout_ms);
                op_rebind(b, SIM_VF_NET);
                settle_op(peer_up, opt_timeout_ms);
                op_rename(b, vf_netdev(b, 1, 1), "benchren0");
                settle_op(peer_up, opt_timeout_ms);
                op_rename(b, "benchren0", vf_netdev(b, 1, 1));
                settle_op(peer_up, opt_timeout_ms);
                op_autoprobe(b, FALSE);
                settle_op(peer_up, opt_timeout_ms);
                op_autoprobe(b, TRUE);
                settle_op(peer_up, opt_timeout_ms);
                op_remove_pf(b);
                settle_op(peer_up, opt_timeout_ms);
                op_readd_pf(b, (unsigned) opt_vfs);
                settle_op(peer_up, opt_timeout_ms);
        }
        for (int side = 0; side < N_SIDES; side++)
                cpu1[side] = side == PEER && !peer_up ? -1 : proc_cpu_ms(pids[side]);

        printf("events: 2 PFs x %d VFs, %d repetitions, each probe %d ms, %u uevents, %.1f s; ms from the uevent sent "
               "to the client's receipt (uevents: p50 from that uevent to the device's last one of the operation, the "
               "simulator's pace):\n", opt_vfs, opt_reps, opt_probe_ms, sent->len, (bench_now_ns() - t0) / 1e9);
        printf("  %-54s %4s %8s %17s %17s %11s %9s\n", "event", "n", "uevents", "ours p50/p99", "libvirt p50/p99",
               "ratio", "reported");
        for (int k = 0; k < N_KINDS; k++) {
                Kind *kd = &kinds[k];
                double p50[N_SIDES], p99[N_SIDES], span = pct_ms(kd->span, 0.50);
                char a[16], c[16], d[16], e[16], f[16], ratio[32] = "-", peer_reported[16] = "nan";
                g_autofree char *slug = g_strdup(kd->name);

                for (int side = 0; side < N_SIDES; side++) {
                        p50[side] = pct_ms(kd->lat[side], 0.50);
                        p99[side] = pct_ms(kd->lat[side], 0.99);
                }
                fmt_ms(a, sizeof(a), p50[OURS]);
                fmt_ms(c, sizeof(c), p99[OURS]);
                fmt_ms(d, sizeof(d), peer_up ? p50[PEER] : NAN);
                fmt_ms(e, sizeof(e), peer_up ? p99[PEER] : NAN);
                fmt_ms(f, sizeof(f), span);
                if (peer_up && p50[PEER] > 0 && !isnan(p50[OURS]) && p99[PEER] > 0)
                        (void) snprintf(ratio, sizeof(ratio), "%.2f/%.2f", p50[OURS] / p50[PEER],
                                        p99[OURS] / p99[PEER]);
                if (peer_up)
                        (void) snprintf(peer_reported, sizeof(peer_reported), "%u", kd->reported[PEER]);
                printf("  %-54s %4u %8s %8s/%-8s %8s/%-8s %11s %4u/%-4s\n", kd->name, kd->tried, f, a, c, d, e, ratio,
                       kd->reported[OURS], peer_reported);
                g_strdelimit(slug, " ", '+');
                printf("BENCH-RESULT kind=libvirt-event run=%s event=%d name=%s n=%u span_p50=%s ours_p50=%s ours_p99=%s "
                       "peer=%s peer_p50=%s peer_p99=%s ours_reported=%u peer_reported=%s\n",
                       opt_label, k, slug, kd->tried, f, a, c, peer_up ? "yes" : "no", d, e, kd->reported[OURS], peer_reported);
        }
        printf("  CPU (utime+stime) over the phase: ours %.0f ms", cpu1[OURS] - cpu0[OURS]);
        if (peer_up)
                printf(", libvirtd %.0f ms", cpu1[PEER] - cpu0[PEER]);
        printf("; VmRSS now: ours %ld KiB", proc_status_kib(pids[OURS], "VmRSS:"));
        if (peer_up)
                printf(", libvirtd %ld KiB (VmHWM %ld)", proc_status_kib(pids[PEER], "VmRSS:"),
                       proc_status_kib(pids[PEER], "VmHWM:"));
        printf("\nBENCH-RESULT kind=libvirt-cost run=%s reps=%d vfs=%d probe_ms=%d ours_cpu_ms=%.0f ours_rss_kib=%ld "
               "peer=%s peer_cpu_ms=%s peer_rss_kib=%s\n",
               opt_label, opt_reps, opt_vfs, opt_probe_ms, cpu1[OURS] - cpu0[OURS], proc_status_kib(pids[OURS], "VmRSS:"),
               peer_up ? "yes" : "no", peer_up ? g_strdup_printf("%.0f", cpu1[PEER] - cpu0[PEER]) : "nan",
               peer_up ? g_strdup_printf("%ld", proc_status_kib(pids[PEER], "VmRSS:")) : "nan");
        peer_stop(&b->peer);
        harness_stop_daemon(b->h);
}

/* Process start -> every SR-IOV function listed, each by its own client. */
static void phase_startup(Bench *b, const char *missing) {
        int want;
        gint64 t0, t1, t_peer = 0;
        long rss_ours, rss_peer = -1;
        double ours_ms, peer_ms = -1;

        bench_build_host(b->h->sim, (unsigned) opt_startup_pfs, (unsigned) opt_startup_vfs, FALSE);
        want = testbed_pci_count(b);
        t0 = bench_now_ns();
        harness_start_daemon(b->h, NULL); /* returns at the name: every object is published */
        t1 = bench_now_ns();
        ours_ms = (t1 - t0) / 1e6;
        rss_ours = proc_status_kib(b->h->daemon_pid, "VmRSS:");
        if (!missing) {
                t0 = bench_now_ns();
                peer_start(&b->peer, b->h);
                if (!peer_ready(b, want, harness_timeout_ms(120000), &t_peer))
                        g_error("bench: libvirtd did not list the %d PCI functions", want);
                peer_ms = (t_peer - t0) / 1e6;
                rss_peer = proc_status_kib(b->peer.pid, "VmRSS:");
        }
        printf("start-up, %d PFs x %d VFs (%d PCI functions on the testbed): ours %.1f ms (VmRSS %ld KiB)",
               opt_startup_pfs, opt_startup_vfs, want, ours_ms, rss_ours);
        if (missing)
                printf(", libvirt not measured (%s)\n", missing);
        else
                printf(", libvirt %.1f ms (VmRSS %ld KiB): %.1fx\n", peer_ms, rss_peer, peer_ms / ours_ms);
        printf("BENCH-RESULT kind=libvirt-startup run=%s pfs=%d vfs=%d functions=%d ours_ms=%.1f ours_rss_kib=%ld peer=%s "
               "peer_ms=%s peer_rss_kib=%s\n",
               opt_label, opt_startup_pfs, opt_startup_vfs, want, ours_ms, rss_ours, missing ? "no" : "yes",
               missing ? "nan" : g_strdup_printf("%.1f", peer_ms), missing ? "nan" : g_strdup_printf("%ld", rss_peer));
        peer_stop(&b->peer);
        harness_stop_daemon(b->h);
}

int main(int argc, char **argv) {
        g_autoptr(GOptionContext) context = g_option_context_new("- sriov-monitord next to libvirt's nodedev driver");
        g_autoptr(GError) error = NULL;
        const char *missing;

        g_option_context_add_main_entries(context, options, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error))
                g_error("%s", error->message);
        if (!opt_events && !opt_startup)
                opt_events = opt_startup = TRUE;
        if (opt_vfs < 2 || opt_vfs > 64 || opt_reps < 1 || opt_probe_ms < 0 || opt_probe_ms > 1000)
                g_error("bench-libvirt: --vfs 2..64, --reps >= 1, --probe-ms 0..1000");
        match_init();
        peer_config.no_libvirt = opt_no_libvirt;
        peer_config.shim = opt_shim;
        peer_config.workdir = opt_workdir;
        if (opt_libvirtd)
                peer_config.libvirtd = opt_libvirtd;
        if (opt_virsh)
                peer_config.virsh = opt_virsh;
        if (opt_driver)
                peer_config.driver = opt_driver;
        missing = peer_missing();
        harness_set_quiet_bus(TRUE);

        if (opt_startup) {
                Bench b = {};

                b.h = harness_new();
                sim_set_netdev_speed(b.h->sim, 25000);
                phase_startup(&b, missing);
                harness_free(b.h);
        }
        if (opt_events) {
                Bench b = {};

                b.h = harness_new();
                sim_set_netdev_speed(b.h->sim, 25000);
                sim_set_probe_delay(b.h->sim, (unsigned) opt_probe_ms * 1000U);
                b.pf[0] = bench_pf_address(0);
                b.pf[1] = bench_pf_address(1);
                phase_events(&b, missing);
                g_free(b.pf[0]);
                g_free(b.pf[1]);
                harness_free(b.h);
        }
        return 0;
}
