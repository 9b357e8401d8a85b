/* SPDX-License-Identifier: MIT */
/*
 * bench-events: what one host change costs sriov-monitord (issue 3).
 *
 * On a simulated host (1 PF x 16 VFs, or 8 PFs x 256 VFs, built silently
 * before the daemon starts), it renames one VF's netdev back and forth: each
 * rename is exactly one `move` uevent, answered by exactly one
 * DeviceEvent('interface', 'modified', <new name>).
 *
 *   --latency   the time from the simulator sending that uevent to this
 *               client receiving the matching DeviceEvent, one event in
 *               flight, over --events renames (after --warmup unmeasured ones).
 *   --callgrind the daemon's instructions per event: the daemon is run twice
 *               under `valgrind --tool=callgrind` on the same host, once
 *               started and stopped with no event, once with
 *               --callgrind-events renames; (Ir_with - Ir_without) / N.
 *
 * Run it through `make bench` (it needs umockdev-wrapper and the environment
 * of make check). Each result ends in a "BENCH-RESULT key=value ..." line.
 */
#include <errno.h>
#include <sys/eventfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libudev.h>
#include <poll.h>

#include "bench-host.h"
#include "harness.h"

#define EVENT_TIMEOUT_MS 10000
/* Under callgrind a rename takes the daemon a few ms, not a few us. */
#define CALLGRIND_EVENT_TIMEOUT_MS 120000

/* ------------------------------------------------------------------ */
/* The send time of each uevent: the simulator calls umockdev, and the link
 * (-Wl,--wrap=umockdev_testbed_uevent) routes that call through here, so the
 * clock is read immediately before the uevent goes out, after the
 * simulator's own bookkeeping (sysfs rename, waiting for listeners). */

gboolean __real_umockdev_testbed_uevent(UMockdevTestbed *testbed, const gchar *devpath, const gchar *action);
gboolean __wrap_umockdev_testbed_uevent(UMockdevTestbed *testbed, const gchar *devpath, const gchar *action);

static gint64 last_send_ns, last_send_real_us;
static unsigned n_sent;

gboolean __wrap_umockdev_testbed_uevent(UMockdevTestbed *testbed, const gchar *devpath, const gchar *action) {
        last_send_ns = bench_now_ns();
        last_send_real_us = g_get_real_time();
        n_sent++;
        return __real_umockdev_testbed_uevent(testbed, devpath, action);
}

/* ------------------------------------------------------------------ */
/* The latency floor: a client that reads the same uevents straight from a
 * udev monitor, as the daemon does, and nothing else. It runs in a thread of
 * its own because the simulator waits for every listener to have room. */

typedef struct RawMonitor {
        GThread *thread;
        GMutex lock;
        GCond cond;
        gboolean stop;
        gboolean ready;
        unsigned count; /* netdev renames seen */
        gint64 last_ns;
} RawMonitor;

/* umockdev names a process's emulated uevent socket <testbed>/event<fd>, so
 * ours must not have an fd number the daemon (another process on the same
 * testbed) may use for its own: both would bind the same path. Open the
 * monitor above RAW_MONITOR_MIN_FD by filling the numbers below for a moment. */
#define RAW_MONITOR_MIN_FD 200

static struct udev_monitor *raw_monitor_open(struct udev *udev) {
        g_autoptr(GArray) fillers = g_array_new(FALSE, FALSE, sizeof(int));
        struct udev_monitor *mon;
        int fd;

        /* eventfds: umockdev tracks files it opens, up to a limit. */
        while ((fd = eventfd(0, EFD_CLOEXEC)) >= 0 && fd < RAW_MONITOR_MIN_FD)
                g_array_append_val(fillers, fd);
        if (fd >= 0)
                (void) close(fd);
        /* The daemon's --uevent-source=auto rule. */
        mon = udev_monitor_new_from_netlink(udev, access("/run/udev/control", F_OK) >= 0 ? "udev" : "kernel");
        if (!mon || udev_monitor_get_fd(mon) < RAW_MONITOR_MIN_FD ||
            udev_monitor_filter_add_match_subsystem_devtype(mon, "net", NULL) < 0 ||
            udev_monitor_enable_receiving(mon) < 0)
                g_error("bench: cannot set up the raw udev monitor");
        for (guint i = 0; i < fillers->len; i++)
                (void) close(g_array_index(fillers, int, i));
        return mon;
}

static gpointer raw_monitor_thread(gpointer userdata) {
        RawMonitor *raw = userdata;
        struct udev *udev = udev_new();
        struct udev_monitor *mon = raw_monitor_open(udev);

        g_mutex_lock(&raw->lock);
        raw->ready = TRUE;
        g_cond_broadcast(&raw->cond);
        g_mutex_unlock(&raw->lock);
        for (;;) {
                struct pollfd p = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
                struct udev_device *dev;
                gboolean stop;

                g_mutex_lock(&raw->lock);
                stop = raw->stop;
                g_mutex_unlock(&raw->lock);
                if (stop)
                        break;
                if (poll(&p, 1, 100) <= 0)
                        continue;
                dev = udev_monitor_receive_device(mon);
                if (!dev)
                        continue;
                if (g_strcmp0(udev_device_get_action(dev), "move") == 0) {
                        gint64 t = bench_now_ns();

                        g_mutex_lock(&raw->lock);
                        raw->count++;
                        raw->last_ns = t;
                        g_cond_broadcast(&raw->cond);
                        g_mutex_unlock(&raw->lock);
                }
                udev_device_unref(dev);
        }
        udev_monitor_unref(mon);
        udev_unref(udev);
        return NULL;
}

static void raw_monitor_start(RawMonitor *raw) {
        g_mutex_init(&raw->lock);
        g_cond_init(&raw->cond);
        raw->thread = g_thread_new("raw-udev-monitor", raw_monitor_thread, raw);
        g_mutex_lock(&raw->lock);
        while (!raw->ready)
                g_cond_wait(&raw->cond, &raw->lock);
        g_mutex_unlock(&raw->lock);
}

static void raw_monitor_stop(RawMonitor *raw) {
        g_mutex_lock(&raw->lock);
        raw->stop = TRUE;
        g_mutex_unlock(&raw->lock);
        g_thread_join(raw->thread);
        g_mutex_clear(&raw->lock);
        g_cond_clear(&raw->cond);
}

/* When the raw monitor saw rename number `count`. */
static gint64 raw_monitor_wait(RawMonitor *raw, unsigned count) {
        gint64 deadline = g_get_monotonic_time() + harness_timeout_ms(EVENT_TIMEOUT_MS) * 1000LL, t;

        g_mutex_lock(&raw->lock);
        while (raw->count < count)
                if (!g_cond_wait_until(&raw->cond, &raw->lock, deadline))
                        g_error("bench: the raw udev monitor did not see rename %u", count);
        if (raw->count != count)
                g_error("bench: the raw udev monitor saw %u renames, expected %u", raw->count, count);
        t = raw->last_ns;
        g_mutex_unlock(&raw->lock);
        return t;
}

/* ------------------------------------------------------------------ */
/* Options */

static int opt_vfs = 16;
static int opt_pfs = 0; /* 0: 1 PF up to 256 VFs, else 8 */
static int opt_events = 1000;
static int opt_warmup = 20;
static int opt_rounds = 1;
static gboolean opt_latency;
static gboolean opt_callgrind;
static int opt_cg_events = 1000;
static char *opt_cg_dir;
static char *opt_valgrind;
static gboolean opt_samples;

static const GOptionEntry options[] = {
        { "vfs", 0, 0, G_OPTION_ARG_INT, &opt_vfs, "VFs on the host (default 16)", "N" },
        { "pfs", 0, 0, G_OPTION_ARG_INT, &opt_pfs, "PFs sharing them (default 1 up to 256 VFs, else 8)", "P" },
        { "latency", 0, 0, G_OPTION_ARG_NONE, &opt_latency, "Measure uevent -> DeviceEvent latency (default)", NULL },
        { "events", 0, 0, G_OPTION_ARG_INT, &opt_events, "Measured events for --latency (default 1000)", "N" },
        { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds,
          "Repeat the --events measurement this many times, pooled (default 1)", "R" },
        { "warmup", 0, 0, G_OPTION_ARG_INT, &opt_warmup, "Unmeasured events before them (default 20)", "N" },
        { "callgrind", 0, 0, G_OPTION_ARG_NONE, &opt_callgrind, "Measure the daemon's instructions per event", NULL },
        { "callgrind-events", 0, 0, G_OPTION_ARG_INT, &opt_cg_events, "Events under callgrind (default 1000)", "N" },
        { "callgrind-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_cg_dir,
          "Keep the callgrind output files here (default: a temporary dir, removed)", "DIR" },
        { "valgrind", 0, 0, G_OPTION_ARG_FILENAME, &opt_valgrind, "valgrind binary (default: valgrind on PATH)", "PATH" },
        { "samples", 0, 0, G_OPTION_ARG_NONE, &opt_samples, "Print every latency sample (us)", NULL },
        {}
};

/* ------------------------------------------------------------------ */
/* The host */

typedef struct Bench {
        Harness *h;
        unsigned pfs, vfs_per_pf;
        const char *vf;           /* the VF whose netdev is renamed */
        char *vf_path;            /* its object path */
        char *names[2];           /* its netdev's two names */
        unsigned flip;            /* which name it has now */

        /* The DeviceEvent awaited, and what arrived. */
        guint subscription;
        const char *want;         /* the new name; NULL: none awaited */
        gboolean got;
        gint64 recv_ns;
        guint64 stamp_us;         /* the DeviceEvent's timestamp (the daemon's CLOCK_REALTIME) */
        char *error;

        /* The latency floor, while it runs. */
        RawMonitor *raw;
        unsigned raw_expected;
} Bench;

static void build_host(Bench *b) {
        bench_build_host(b->h->sim, b->pfs, b->vfs_per_pf, FALSE);

        /* A VF with a netdev in the middle of the host. */
        {
                g_autofree char *pf = bench_pf_address(b->pfs / 2);

                b->vf = sim_vf_address(b->h->sim, pf, (b->vfs_per_pf / 2) & ~3u);
        }
        b->vf_path = harness_device_path(b->vf);
        b->names[0] = g_strdup(sim_netdev(b->h->sim, b->vf));
        b->names[1] = g_strdup_printf("%sr", b->names[0]);
        b->flip = 0;
        if (!b->names[0])
                g_error("bench: %s has no netdev", b->vf);
}

/* ------------------------------------------------------------------ */
/* Events */

static void on_device_event(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
                            const char *member, GVariant *params, gpointer userdata) {
        gint64 t = bench_now_ns();
        Bench *b = userdata;
        const char *type, *action, *device, *object;
        guint64 stamp;

        if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sssot)"))) {
                b->error = g_strdup_printf("DeviceEvent of type %s", g_variant_get_type_string(params));
                return;
        }
        g_variant_get(params, "(&s&s&s&ot)", &type, &action, &device, &object, &stamp);
        if (!b->want || b->got) {
                g_free(b->error);
                b->error = g_strdup_printf("unexpected DeviceEvent (%s, %s, %s, %s)", type, action, device, object);
                return;
        }
        if (!g_str_equal(type, "interface") || !g_str_equal(action, "modified") || !g_str_equal(device, b->want) ||
            !g_str_equal(object, b->vf_path)) {
                b->error = g_strdup_printf("DeviceEvent (%s, %s, %s, %s), expected (interface, modified, %s, %s)",
                                           type, action, device, object, b->want, b->vf_path);
                return;
        }
        b->recv_ns = t;
        b->stamp_us = stamp;
        b->got = TRUE;
}

static void subscribe(Bench *b) {
        g_autoptr(GVariant) r = NULL;
        g_autoptr(GError) error = NULL;

        b->subscription = g_dbus_connection_signal_subscribe(b->h->conn, BUS_NAME, MANAGER_IFACE, "DeviceEvent",
                                                             MANAGER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                             on_device_event, b, NULL);
        /* A round trip to the daemon: the match rule is in place after it. */
        r = harness_call(b->h, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, &error);
        g_assert_no_error(error);
}

static void unsubscribe(Bench *b) {
        g_dbus_connection_signal_unsubscribe(b->h->conn, b->subscription);
        b->subscription = 0;
        while (g_main_context_iteration(NULL, FALSE))
                ;
}

static gboolean on_timeout(gpointer p) {
        *(gboolean *) p = TRUE;
        return G_SOURCE_REMOVE;
}

/* One rename, waited for; returns its latency in ns from the uevent's send. */
static gint64 one_event(Bench *b, unsigned timeout_ms, gint64 *ret_from_call, gint64 *ret_in_daemon,
                        gint64 *ret_raw) {
        const char *from = b->names[b->flip], *to = b->names[!b->flip];
        unsigned sent = n_sent;
        gboolean timed_out = FALSE;
        guint timer;
        gint64 t_call;

        b->want = to;
        b->got = FALSE;
        t_call = bench_now_ns();
        sim_rename_netdev(b->h->sim, from, to);
        b->flip = !b->flip;
        if (n_sent != sent + 1)
                g_error("bench: a netdev rename sent %u uevents, expected 1 (is the program linked "
                        "with -Wl,--wrap=umockdev_testbed_uevent?)", n_sent - sent);

        timer = g_timeout_add(timeout_ms, on_timeout, &timed_out);
        while (!b->got && !b->error && !timed_out)
                g_main_context_iteration(NULL, TRUE);
        if (!timed_out)
                g_source_remove(timer);
        if (b->error)
                g_error("bench: %s", b->error);
        if (!b->got)
                g_error("bench: no DeviceEvent for the rename %s -> %s within %u ms", from, to, timeout_ms);
        b->want = NULL;
        if (ret_from_call)
                *ret_from_call = b->recv_ns - t_call;
        /* Sent -> the daemon's emission stamp: the daemon's share (same clock, microseconds). */
        if (ret_in_daemon)
                *ret_in_daemon = ((gint64) b->stamp_us - last_send_real_us) * 1000;
        if (b->raw) {
                gint64 raw_ns = raw_monitor_wait(b->raw, ++b->raw_expected);

                if (ret_raw)
                        *ret_raw = raw_ns - last_send_ns;
        }
        return b->recv_ns - last_send_ns;
}

/* ------------------------------------------------------------------ */
/* Latency */

/* Nearest rank, in us. */
static double pct_us(const gint64 *sorted, unsigned n, double q) {
        return bench_percentile(sorted, n, q, 1000.0);
}

static void run_latency(Bench *b) {
        unsigned n = (unsigned) (opt_events * opt_rounds);
        g_autofree gint64 *lat = g_new(gint64, n), *call = g_new(gint64, n), *daemon = g_new(gint64, n);
        g_autofree gint64 *raw = g_new(gint64, n), *over = g_new(gint64, n);
        g_autofree gint64 *round = g_new(gint64, opt_events);
        g_autoptr(GString) rounds = g_string_new(NULL);
        RawMonitor monitor = {};
        double sum = 0;

        raw_monitor_start(&monitor);
        b->raw = &monitor;
        b->raw_expected = 0;
        harness_start_daemon(b->h, NULL);
        subscribe(b);
        for (int i = 0; i < opt_warmup; i++)
                (void) one_event(b, harness_timeout_ms(EVENT_TIMEOUT_MS), NULL, NULL, NULL);
        for (int r = 0; r < opt_rounds; r++) {
                gint64 *l = lat + (size_t) r * opt_events;

                for (int i = 0; i < opt_events; i++) {
                        size_t k = (size_t) r * opt_events + i;

                        l[i] = one_event(b, harness_timeout_ms(EVENT_TIMEOUT_MS), &call[k], &daemon[k], &raw[k]);
                        /* Paired: what the daemon adds to this very uevent. */
                        over[k] = l[i] - raw[k];
                }
                memcpy(round, l, opt_events * sizeof(gint64));
                qsort(round, opt_events, sizeof(gint64), bench_cmp_i64);
                g_string_append_printf(rounds, "%s%.0f", r ? "/" : "", pct_us(round, opt_events, 0.99));
        }
        unsubscribe(b);
        harness_stop_daemon(b->h);
        b->raw = NULL;
        raw_monitor_stop(&monitor);

        if (opt_samples)
                for (unsigned i = 0; i < n; i++)
                        printf("sample %u %.1f %.1f %.1f\n", i, lat[i] / 1000.0, raw[i] / 1000.0, daemon[i] / 1000.0);
        for (unsigned i = 0; i < n; i++)
                sum += lat[i];
        qsort(lat, n, sizeof(gint64), bench_cmp_i64);
        qsort(call, n, sizeof(gint64), bench_cmp_i64);
        qsort(daemon, n, sizeof(gint64), bench_cmp_i64);
        qsort(raw, n, sizeof(gint64), bench_cmp_i64);
        qsort(over, n, sizeof(gint64), bench_cmp_i64);

        printf("latency, uevent sent -> DeviceEvent received, %u events (%d round(s) of %d, after %d unmeasured), us:\n",
               n, opt_rounds, opt_events, opt_warmup);
        printf("  min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f;  p99 of each round: %s\n",
               lat[0] / 1000.0, pct_us(lat, n, 0.50), pct_us(lat, n, 0.90), pct_us(lat, n, 0.99),
               lat[n - 1] / 1000.0, sum / n / 1000.0, rounds->str);
        printf("  floor, the same uevent read straight from a udev monitor: p50 %.1f  p99 %.1f\n",
               pct_us(raw, n, 0.50), pct_us(raw, n, 0.99));
        printf("  overhead, DeviceEvent minus the floor, per event: p50 %.1f  p99 %.1f\n", pct_us(over, n, 0.50),
               pct_us(over, n, 0.99));
        printf("  of which sent -> the daemon's DeviceEvent timestamp: p50 %.0f  p99 %.0f\n",
               pct_us(daemon, n, 0.50), pct_us(daemon, n, 0.99));
        printf("  (from the simulator call, with its own sysfs work: p50 %.1f  p99 %.1f)\n", pct_us(call, n, 0.50),
               pct_us(call, n, 0.99));
        printf("BENCH-RESULT kind=latency vfs=%u pfs=%u events=%u rounds=%d min_us=%.1f p50_us=%.1f p90_us=%.1f "
               "p99_us=%.1f max_us=%.1f mean_us=%.1f p99_rounds_us=%s daemon_p50_us=%.0f daemon_p99_us=%.0f "
               "raw_p50_us=%.1f raw_p99_us=%.1f over_p50_us=%.1f over_p99_us=%.1f\n",
               b->pfs * b->vfs_per_pf, b->pfs, n, opt_rounds, lat[0] / 1000.0, pct_us(lat, n, 0.50),
               pct_us(lat, n, 0.90), pct_us(lat, n, 0.99), lat[n - 1] / 1000.0, sum / n / 1000.0, rounds->str,
               pct_us(daemon, n, 0.50), pct_us(daemon, n, 0.99), pct_us(raw, n, 0.50), pct_us(raw, n, 0.99),
               pct_us(over, n, 0.50), pct_us(over, n, 0.99));
        fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* Instructions per event */

/* The "summary:" (or "totals:") line of a callgrind output file: Ir. */
static guint64 callgrind_total(const char *file) {
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) lines = NULL;
        guint64 total = 0;

        if (!g_file_get_contents(file, &text, NULL, &error))
                g_error("bench: %s", error->message);
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
                if (g_str_has_prefix(*l, "summary:") || (total == 0 && g_str_has_prefix(*l, "totals:"))) {
                        total = g_ascii_strtoull(strchr(*l, ':') + 1, NULL, 10);
                        if (g_str_has_prefix(*l, "summary:"))
                                break;
                }
        if (total == 0)
                g_error("bench: no summary: or totals: line in %s", file);
        return total;
}

/* Runs the daemon once under callgrind with `events` renames; returns its Ir. */
static guint64 callgrind_run(Bench *b, const char *dir, const char *tag, int events, double *ret_secs,
                             double *ret_startup_secs) {
        const char *real = g_getenv("SRIOV_MONITORD");
        g_autofree char *real_daemon = g_strdup(real);
        g_autofree char *out = g_strdup_printf("%s/callgrind.out.%uvfs.%s", dir, b->pfs * b->vfs_per_pf, tag);
        g_autofree char *log = g_strdup_printf("%s.log", out);
        g_autofree char *wrapper = g_strdup_printf("%s/sriov-monitord-callgrind.sh", dir);
        g_autofree char *script = NULL;
        g_autoptr(GError) error = NULL;
        gint64 t0;

        /* The harness starts $SRIOV_MONITORD: point it at a script that execs
         * the daemon under callgrind (same pid, so the harness's SIGTERM and
         * exit-status check apply to the daemon itself). */
        script = g_strdup_printf("#!/bin/sh\nexec '%s' --tool=callgrind --callgrind-out-file='%s' --log-file='%s' "
                                 "'%s' \"$@\"\n",
                                 opt_valgrind ? opt_valgrind : "valgrind", out, log, real_daemon);
        if (!g_file_set_contents(wrapper, script, -1, &error) || g_chmod(wrapper, 0755) < 0)
                g_error("bench: cannot write %s: %s", wrapper, error ? error->message : g_strerror(errno));
        (void) unlink(out);

        t0 = g_get_monotonic_time();
        g_setenv("SRIOV_MONITORD", wrapper, TRUE);
        /* Start-up must fit in the harness's STARTUP_TIMEOUT_MS (20 s). */
        harness_start_daemon(b->h, NULL);
        *ret_startup_secs = (g_get_monotonic_time() - t0) / 1e6;
        g_setenv("SRIOV_MONITORD", real_daemon, TRUE);
        if (events > 0) {
                subscribe(b);
                for (int i = 0; i < events; i++)
                        (void) one_event(b, CALLGRIND_EVENT_TIMEOUT_MS, NULL, NULL, NULL);
                unsubscribe(b);
        }
        harness_stop_daemon(b->h);
        *ret_secs = (g_get_monotonic_time() - t0) / 1e6;
        return callgrind_total(out);
}

static void run_callgrind(Bench *b) {
        g_autofree char *tmp = NULL;
        const char *dir;
        guint64 idle, busy;
        double per_event, t_idle, t_busy, s_idle, s_busy;

        if (opt_cg_dir) {
                if (g_mkdir_with_parents(opt_cg_dir, 0755) < 0)
                        g_error("bench: cannot create %s: %s", opt_cg_dir, g_strerror(errno));
                dir = opt_cg_dir;
        } else {
                g_autoptr(GError) error = NULL;

                tmp = g_dir_make_tmp("bench-callgrind-XXXXXX", &error);
                if (!tmp)
                        g_error("bench: %s", error->message);
                dir = tmp;
        }

        idle = callgrind_run(b, dir, "idle", 0, &t_idle, &s_idle);
        busy = callgrind_run(b, dir, "events", opt_cg_events, &t_busy, &s_busy);
        per_event = ((double) busy - (double) idle) / opt_cg_events;

        printf("instructions (callgrind Ir), daemon started and stopped: %" G_GUINT64_FORMAT
               " (%.1f s, bus name after %.1f s)\n", idle, t_idle, s_idle);
        printf("instructions (callgrind Ir), with %d events:           %" G_GUINT64_FORMAT
               " (%.1f s, bus name after %.1f s)\n", opt_cg_events, busy, t_busy, s_busy);
        printf("  per event: %.0f\n", per_event);
        if (opt_cg_dir)
                printf("  files: %s/callgrind.out.%uvfs.{idle,events}\n", dir, b->pfs * b->vfs_per_pf);
        printf("BENCH-RESULT kind=callgrind vfs=%u pfs=%u events=%d ir_idle=%" G_GUINT64_FORMAT
               " ir_events=%" G_GUINT64_FORMAT " ir_per_event=%.0f\n",
               b->pfs * b->vfs_per_pf, b->pfs, opt_cg_events, idle, busy, per_event);
        fflush(stdout);

        if (tmp) {
                g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp);

                (void) system(cmd);
        }
}

/* ------------------------------------------------------------------ */

int main(int argc, char *argv[]) {
        g_autoptr(GOptionContext) ctx = g_option_context_new("- sriov-monitord event latency and cost");
        g_autoptr(GError) error = NULL;
        Bench b = {};
        gint64 t0;

        g_option_context_add_main_entries(ctx, options, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "bench-events: %s\n", error->message);
                return 2;
        }
        if (!opt_latency && !opt_callgrind)
                opt_latency = TRUE;
        if (opt_pfs <= 0)
                opt_pfs = opt_vfs <= 256 ? 1 : 8;
        if (opt_vfs < 4 || opt_vfs % opt_pfs != 0 || opt_vfs / opt_pfs < 4 || opt_vfs / opt_pfs > 256 ||
            opt_pfs > 15 || opt_events < 1 || opt_rounds < 1 || opt_warmup < 0 || opt_cg_events < 1) {
                fprintf(stderr, "bench-events: need 4 <= VFs per PF <= 256, at most 15 PFs, --events >= 1\n");
                return 2;
        }
        if (!g_getenv("SRIOV_MONITORD")) {
                fprintf(stderr, "bench-events: run it through 'make bench'\n");
                return 2;
        }

        b.pfs = opt_pfs;
        b.vfs_per_pf = opt_vfs / opt_pfs;
        b.h = harness_new();
        t0 = g_get_monotonic_time();
        build_host(&b);
        printf("host: %u PF(s) x %u VFs (half with a netdev, a quarter on vfio-pci), built in %.1f s; "
               "renaming %s's netdev %s <-> %s\n",
               b.pfs, b.vfs_per_pf, (g_get_monotonic_time() - t0) / 1e6, b.vf, b.names[0], b.names[1]);
        fflush(stdout);

        if (opt_latency)
                run_latency(&b);
        if (opt_callgrind)
                run_callgrind(&b);

        harness_free(b.h);
        g_free(b.vf_path);
        g_free(b.names[0]);
        g_free(b.names[1]);
        return 0;
}
