/* SPDX-License-Identifier: MIT */
/*
 * bench-hostile: what hostile users of the private socket cost the daemon
 * (issue 11), on the demo host, each attack run as nobody by
 * tests/hostile-peer.py:
 *
 *   stop   a peer asks GetManagedObjects --stall-calls times and never reads,
 *          while --signals autoprobe writes make signals pile up behind the
 *          answers; then SIGTERM: the time to stop, what the kernel held.
 *   flood  with the daemon stopped (SIGSTOP), --flood-closed connections
 *          made and hung up and --flood-held held open fill the backlog; a
 *          newcomer (root) connects last; SIGCONT: the time the newcomer
 *          waits for its connection and a Ping, the slowest Ping on the bus
 *          and on a peer meanwhile, the uid's connections refused.
 *   churn  --churn-rounds times, 64 connections each asking
 *          GetManagedObjects --churn-calls times without reading, then
 *          closed: VmRSS before, at its peak, and 3 s after.
 *
 * Run it through `make bench` (umockdev-wrapper and make check's
 * environment). Each result ends in a "BENCH-RESULT key=value ..." line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hostile.h"
#include "private-socket.h"

#define WAIT_MS 120000

static int opt_stall_calls = 2000;
static int opt_signals = 500;
static int opt_flood_closed = 2000;
static int opt_flood_held = 100;
static int opt_churn_rounds = 5;
static int opt_churn_calls = 100;

static const GOptionEntry options[] = {
        { "stall-calls", 0, 0, G_OPTION_ARG_INT, &opt_stall_calls, "Calls the stalled peer makes (2000)", "N" },
        { "signals", 0, 0, G_OPTION_ARG_INT, &opt_signals, "Autoprobe writes while it stalls (500)", "N" },
        { "flood-closed", 0, 0, G_OPTION_ARG_INT, &opt_flood_closed, "Connections made and hung up (2000)", "N" },
        { "flood-held", 0, 0, G_OPTION_ARG_INT, &opt_flood_held, "Connections held by the same uid (100)", "N" },
        { "churn-rounds", 0, 0, G_OPTION_ARG_INT, &opt_churn_rounds, "Rounds of 64 stalled connections (5)", "N" },
        { "churn-calls", 0, 0, G_OPTION_ARG_INT, &opt_churn_calls, "Calls each of them makes (100)", "N" },
        {}
};

static void result(const char *kind, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void result(const char *kind, const char *fmt, ...) {
        va_list ap;

        printf("BENCH-RESULT kind=%s ", kind);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
}

static Harness *start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

/* A Ping, its round trip in ms. */
static double ping_ms(GDBusConnection *c, gboolean bus) {
        g_autoptr(GError) error = NULL;
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(c, bus ? BUS_NAME : NULL, MANAGER_PATH,
                                                            "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                                            G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, &error);

        g_assert_no_error(error);
        return (g_get_monotonic_time() - t0) / 1000.0;
}

static void bench_stop(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *args = g_strdup_printf("%d", opt_stall_calls);
        g_autofree char *line = NULL;
        guint64 before = harness_daemon_rss_kib(h), peak;
        long unread;
        double ms;
        Hostile p;

        hostile_start(&p, h, "stall", args);
        line = hostile_line(&p, WAIT_MS);
        g_assert_true(g_str_has_prefix(line, "unread "));
        unread = strtol(line + strlen("unread "), NULL, 10);
        for (int i = 0; i < opt_signals; i++) {
                sim_write_autoprobe(h->sim, "0000:3b:00.0", i % 2);
                if (i % 50 == 49)
                        (void) ping_ms(h->conn, TRUE);
        }
        (void) ping_ms(h->conn, TRUE);
        peak = harness_daemon_rss_kib(h);
        ms = harness_stop_within(h, WAIT_MS);
        hostile_finish(&p);
        result("stop", "calls=%d signals=%d unread_kib=%ld stop_ms=%.1f rss_before_kib=%" G_GUINT64_FORMAT
               " rss_stalled_kib=%" G_GUINT64_FORMAT, opt_stall_calls, opt_signals, unread / 1024, ms, before, peak);
}

typedef struct {
        GDBusConnection *conn;
        gboolean done;
        gint64 at;
} PeerWait;

static void on_peer_connected(GObject *source, GAsyncResult *res, gpointer userdata) {
        PeerWait *w = userdata;
        g_autoptr(GError) error = NULL;

        w->conn = g_dbus_connection_new_for_address_finish(res, &error);
        g_assert_no_error(error);
        w->at = g_get_monotonic_time();
        w->done = TRUE;
}

static void bench_flood(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(GDBusConnection) peer = harness_connect_peer(h);
        g_autofree char *address = harness_socket_address(h);
        g_autofree char *args = g_strdup_printf("%d %d", opt_flood_closed, opt_flood_held);
        g_autofree char *line = NULL, *counts = NULL, *served = NULL;
        guint64 before, peak, after;
        double bus_max = 0, peer_max = 0, newcomer_ms;
        PeerWait w = { NULL, FALSE, 0 };
        unsigned pings = 0;
        gint64 t0;
        Hostile p;

        (void) ping_ms(peer, FALSE);
        before = harness_daemon_rss_kib(h);
        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        hostile_start(&p, h, "flood", args);
        line = hostile_line(&p, WAIT_MS);
        g_assert_cmpstr(line, ==, "connected");
        g_dbus_connection_new_for_address(address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL,
                                          on_peer_connected, &w);
        t0 = g_get_monotonic_time();
        g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);
        /* Others are served meanwhile: the slowest of their Pings. */
        while (!w.done) {
                bus_max = MAX(bus_max, ping_ms(h->conn, TRUE));
                peer_max = MAX(peer_max, ping_ms(peer, FALSE));
                pings++;
                g_main_context_iteration(NULL, FALSE);
                g_assert_cmpint(g_get_monotonic_time() - t0, <, (gint64) WAIT_MS * 1000);
        }
        (void) ping_ms(w.conn, FALSE);
        newcomer_ms = (g_get_monotonic_time() - t0) / 1000.0;
        peak = harness_daemon_rss_kib(h);
        hostile_say(&p);
        counts = hostile_line(&p, WAIT_MS);
        served = hostile_line(&p, WAIT_MS);
        peak = MAX(peak, harness_daemon_rss_kib(h));
        hostile_finish(&p);
        g_object_unref(w.conn);
        g_usleep(3 * G_USEC_PER_SEC);
        (void) ping_ms(h->conn, TRUE);
        after = harness_daemon_rss_kib(h);
        /* "refused R open O" */
        g_strdelimit(counts, " ", '_');
        result("flood", "closed=%d held=%d per_uid=%d outcome=%s newcomer_ms=%.1f bus_ping_max_ms=%.1f "
               "peer_ping_max_ms=%.1f pings=%u rss_before_kib=%" G_GUINT64_FORMAT " rss_peak_kib=%" G_GUINT64_FORMAT
               " rss_after_kib=%" G_GUINT64_FORMAT, opt_flood_closed, opt_flood_held, PEER_PER_UID_MAX, counts,
               newcomer_ms, bus_max, peer_max, pings, before, peak, after);
}

static void bench_churn(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *args = g_strdup_printf("%d %d %d", opt_churn_rounds, PEER_PER_UID_MAX, opt_churn_calls);
        g_autofree char *line = NULL;
        guint64 before, peak = 0, after;
        Hostile p;

        g_object_unref(harness_connect_peer(h));
        (void) ping_ms(h->conn, TRUE);
        before = harness_daemon_rss_kib(h);
        hostile_start(&p, h, "churn", args);
        while (!hostile_has_output(&p, 100))
                peak = MAX(peak, harness_daemon_rss_kib(h));
        line = hostile_line(&p, WAIT_MS);
        g_assert_cmpstr(line, ==, "done");
        hostile_finish(&p);
        g_usleep(3 * G_USEC_PER_SEC);
        (void) ping_ms(h->conn, TRUE);
        after = harness_daemon_rss_kib(h);
        result("churn", "rounds=%d connections=%d calls=%d rss_before_kib=%" G_GUINT64_FORMAT
               " rss_peak_kib=%" G_GUINT64_FORMAT " rss_after_kib=%" G_GUINT64_FORMAT,
               opt_churn_rounds, PEER_PER_UID_MAX, opt_churn_calls, before, peak, after);
}

int main(int argc, char *argv[]) {
        g_autoptr(GOptionContext) context = g_option_context_new("- hostile private socket users");
        g_autoptr(GError) error = NULL;

        g_option_context_add_main_entries(context, options, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error)) {
                fprintf(stderr, "%s\n", error->message);
                return 2;
        }
        bench_stop();
        bench_flood();
        bench_churn();
        return 0;
}
