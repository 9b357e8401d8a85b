/* SPDX-License-Identifier: MIT */
/*
 * bench-abuse: what abuse costs sriov-monitord, as figures (issue 10: they
 * depend on the machine's load, so tests/test-abuse and tests/test-polkit
 * assert the outcomes and leave the numbers here).
 *
 *   --refresh-flood=N  N Refresh calls from root at once, over 10 bus
 *                      connections, sent while the daemon is stopped: how
 *                      many rescans served them, and the time until the
 *                      last answer.
 *   --out-of-fds=S     the daemon under RLIMIT_NOFILE 64 while 80
 *                      connections to its private socket wait to be
 *                      accepted: its share of a CPU and its context
 *                      switches over S seconds.
 *
 * On the demo host (4 PFs, 8 VFs). Run it through `make bench`. Each result
 * ends in a "BENCH-RESULT key=value ..." line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench-host.h"
#include "harness.h"

#define CONNECTIONS 10 /* the bus allows 128 pending calls per connection */
#define NOFILE_LIMIT 64
#define HOGS 80

static int opt_flood;
static int opt_out_of_fds;

static const GOptionEntry options[] = {
        { "refresh-flood", 0, 0, G_OPTION_ARG_INT, &opt_flood, "N Refresh calls at once", "N" },
        { "out-of-fds", 0, 0, G_OPTION_ARG_INT, &opt_out_of_fds, "CPU while accept() fails, for S seconds", "S" },
        {}
};

typedef struct {
        unsigned done, failed, want;
} Flood;

static void on_refresh_done(GObject *source, GAsyncResult *res, gpointer userdata) {
        Flood *f = userdata;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

        f->done++;
        f->failed += error != NULL;
}

static gboolean flood_done(gpointer p) {
        Flood *f = p;

        return f->done == f->want;
}

static GDBusConnection *connect_bus(Harness *h) {
        g_autoptr(GError) error = NULL;
        GDBusConnection *c = g_dbus_connection_new_for_address_sync(
                h->bus_address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
                NULL, &error);

        if (!c)
                g_error("bench: cannot connect to the bus: %s", error->message);
        return c;
}

static void bench_refresh_flood(Harness *h) {
        g_autoptr(Recorder) rec = recorder_new(h);
        GDBusConnection *conns[CONNECTIONS];
        Flood f = { .want = (unsigned) opt_flood };
        gint64 t0;
        unsigned rescans;

        for (guint i = 0; i < CONNECTIONS; i++)
                conns[i] = connect_bus(h);
        if (kill(h->daemon_pid, SIGSTOP) < 0)
                g_error("bench: cannot stop the daemon");
        for (unsigned i = 0; i < f.want; i++)
                g_dbus_connection_call(conns[i % CONNECTIONS], BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL,
                                       NULL, G_DBUS_CALL_FLAGS_NONE, (int) harness_timeout_ms(60000), NULL,
                                       on_refresh_done, &f);
        for (guint i = 0; i < CONNECTIONS; i++)
                (void) g_dbus_connection_flush_sync(conns[i], NULL, NULL);
        t0 = bench_now_ns();
        (void) kill(h->daemon_pid, SIGCONT);
        if (!harness_wait_until(flood_done, &f, 60000))
                g_error("bench: %u of %u Refresh calls answered", f.done, f.want);
        t0 = bench_now_ns() - t0;
        recorder_sync(rec);
        rescans = recorder_count_manager_property(rec, "LastRefresh");
        for (guint i = 0; i < CONNECTIONS; i++)
                g_object_unref(conns[i]);
        if (f.failed)
                g_error("bench: %u Refresh calls failed", f.failed);
        printf("Refresh flood: %u calls at once, %u rescans, the last answer %.1f ms after the daemon went on\n",
               f.want, rescans, t0 / 1e6);
        printf("BENCH-RESULT kind=refresh_flood vfs=8 calls=%u rescans=%u ms=%.1f\n", f.want, rescans, t0 / 1e6);
}

/* Voluntary plus involuntary context switches: each wake-up is at least one. */
static unsigned long context_switches(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *text = NULL;
        unsigned long total = 0;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                g_error("bench: cannot read %s", path);
        for (const char *p = text; (p = strstr(p, "ctxt_switches:")); p += strlen("ctxt_switches:"))
                total += strtoul(p + strlen("ctxt_switches:"), NULL, 10);
        return total;
}

static void ping(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, &error);

        if (!r)
                g_error("bench: Ping: %s", error->message);
}

static void bench_out_of_fds(Harness *h) {
        struct rlimit old, low;
        int hogs[HOGS];
        guint64 cpu;
        unsigned long switches;
        gint64 t0;

        if (getrlimit(RLIMIT_NOFILE, &old) < 0)
                g_error("bench: getrlimit");
        low = old;
        low.rlim_cur = NOFILE_LIMIT;
        /* The daemon inherits it. */
        if (setrlimit(RLIMIT_NOFILE, &low) < 0)
                g_error("bench: setrlimit");
        harness_start_daemon(h, NULL);
        (void) setrlimit(RLIMIT_NOFILE, &old);
        for (guint i = 0; i < HOGS; i++) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };

                g_strlcpy(sa.sun_path, h->private_socket, sizeof(sa.sun_path));
                hogs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (hogs[i] < 0 || connect(hogs[i], (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        g_error("bench: cannot connect to the private socket");
        }
        /* Until the daemon has taken what it could, and some are left. */
        ping(h);
        switches = context_switches(h->daemon_pid);
        cpu = bench_cpu_ns(h->daemon_pid);
        t0 = bench_now_ns();
        g_usleep((gulong) opt_out_of_fds * G_USEC_PER_SEC);
        cpu = bench_cpu_ns(h->daemon_pid) - cpu;
        switches = context_switches(h->daemon_pid) - switches;
        t0 = bench_now_ns() - t0;
        ping(h);
        for (guint i = 0; i < HOGS; i++)
                close(hogs[i]);
        harness_stop_daemon(h);
        printf("out of descriptors: %d connections waiting past RLIMIT_NOFILE %d, %d s: the daemon at %.2f%% of a "
               "CPU, %lu context switches\n", HOGS, NOFILE_LIMIT, opt_out_of_fds, 100.0 * cpu / t0, switches);
        printf("BENCH-RESULT kind=out_of_fds vfs=8 seconds=%d hogs=%d cpu_percent=%.2f context_switches=%lu\n",
               opt_out_of_fds, HOGS, 100.0 * cpu / t0, switches);
}

int main(int argc, char *argv[]) {
        g_autoptr(GOptionContext) ctx = g_option_context_new("- what abuse costs sriov-monitord");
        g_autoptr(GError) error = NULL;
        Harness *h;

        g_option_context_add_main_entries(ctx, options, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error) || opt_flood < 0 || opt_out_of_fds < 0) {
                fprintf(stderr, "bench-abuse: %s\n", error ? error->message : "negative count");
                return 2;
        }
        if (!g_getenv("SRIOV_MONITORD")) {
                fprintf(stderr, "bench-abuse: run it through 'make bench'\n");
                return 2;
        }
        if (opt_flood && getuid() != 0) {
                fprintf(stderr, "bench-abuse: --refresh-flood needs root (Refresh without polkit)\n");
                return 2;
        }
        h = harness_new();
        sim_build_demo_host(h->sim);
        if (opt_flood) {
                harness_start_daemon(h, NULL);
                bench_refresh_flood(h);
                harness_stop_daemon(h);
        }
        if (opt_out_of_fds)
                bench_out_of_fds(h);
        harness_free(h);
        fflush(stdout);
        return 0;
}
