/* SPDX-License-Identifier: MIT */
/*
 * The private socket is mode 0666: every local user may be hostile. Here an
 * unprivileged user (setpriv to nobody, tests/hostile-peer.py) stalls a
 * connection, floods the socket with connections and churns through them;
 * the daemon stops promptly on SIGTERM whatever that peer does, bounds what
 * the kernel holds for it, refuses what one uid holds past its share at
 * once, serves everyone else meanwhile, and gives its memory back.
 *
 * Durations here are outcomes with generous deadlines (a stop that takes
 * many seconds is a hang), scaled when the daemon runs under a wrapper.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "hostile.h"
#include "private-socket.h"

#define WAIT_MS 20000
/* A stop that takes longer is a hang; valgrind's own exit takes seconds. */
#define STOP_MS 10000
#define FLOOD_CLOSED 1000
#define FLOOD_HELD (PEER_PER_UID_MAX + 36)
#define CHURN_ROUNDS 2
#define CHURN_CALLS 100

static Harness *start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

/* The daemon is there and serving: a Ping on the bus or on a peer. */
static void assert_answers(GDBusConnection *c) {
        gboolean bus = g_dbus_connection_get_unique_name(c) != NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(c, bus ? BUS_NAME : NULL, MANAGER_PATH,
                                                            "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                                            G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, &error);

        g_assert_no_error(error);
}

/* A user connects, asks for far more than the kernel's buffer holds and
 * never reads; signals pile up behind the replies. What the kernel holds
 * for it is bounded, and SIGTERM still ends the daemon at once. */
static void test_stop_with_stalled_peer(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *line = NULL;
        Hostile p;
        long unread;

        hostile_start(&p, h, "stall", "2000");
        line = hostile_line(&p, harness_timeout_ms(WAIT_MS) * 3);
        g_assert_true(g_str_has_prefix(line, "unread "));
        unread = strtol(line + strlen("unread "), NULL, 10);
        g_test_message("the kernel holds %ld bytes the stalled peer has not read", unread);
        g_assert_cmpint(unread, >, 0);
        /* SO_SNDBUF, which the kernel doubles, counts more than the bytes. */
        g_assert_cmpint(unread, <=, 2 * PEER_SNDBUF);
        /* Signals queue behind the replies; everyone else is served. */
        for (guint i = 0; i < 20; i++)
                sim_write_autoprobe(h->sim, "0000:3b:00.0", i % 2);
        assert_answers(h->conn);

        g_test_message("stopped in %.0f ms", harness_stop_within(h, harness_timeout_ms(STOP_MS)));
        hostile_finish(&p);
}

/* The same user asks and never reads, past the daemon's queue too: it is
 * dropped, and the others never notice. */
static void test_stalled_peer_dropped(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *source = g_build_filename(g_getenv("TEST_SRCDIR"), "stalled-peer.py", NULL);
        const char *script = harness_copy_for_anyone(h, source);
        g_autoptr(GDBusConnection) healthy = harness_connect_peer(h);
        unsigned fds = harness_daemon_fd_count(h);

        const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
                               script, h->private_socket, NULL };

        /* As nobody; run by an unprivileged user, as that user. */
        g_assert_cmpint(harness_run(h, getuid() == 0 ? argv : argv + 4, NULL, NULL), ==, 0);
        assert_answers(healthy);
        assert_answers(h->conn);
        harness_assert_fds_back(h, fds);
}

/* A user asks far more than the kernel's buffer holds without reading:
 * past a short backlog the daemon answers with a small error instead of
 * queueing big answers; every call gets one or the other. */
static void test_asking_without_reading(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *line = NULL;
        unsigned answered = 0, refused = 0;
        Hostile p;

        hostile_start(&p, h, "ask", "300");
        line = hostile_line(&p, harness_timeout_ms(WAIT_MS) * 3);
        g_test_message("%s", line);
        g_assert_cmpint(sscanf(line, "answered %u refused %u", &answered, &refused), ==, 2);
        g_assert_cmpuint(answered + refused, ==, 300);
        g_assert_cmpuint(answered, >, PEER_CALL_BACKLOG);
        g_assert_cmpuint(refused, >, 0);
        hostile_finish(&p);
        assert_answers(h->conn);
}

typedef struct {
        GDBusConnection *conn;
        gboolean done;
} PeerWait;

static void on_peer_connected(GObject *source, GAsyncResult *res, gpointer userdata) {
        PeerWait *w = userdata;
        g_autoptr(GError) error = NULL;

        w->conn = g_dbus_connection_new_for_address_finish(res, &error);
        g_assert_no_error(error);
        w->done = TRUE;
}

static gboolean peer_connected(gpointer p) {
        return ((PeerWait *) p)->done;
}

/* A user fills the listen backlog while the daemon is stopped: a thousand
 * connections already hung up, then more held open than one uid may hold.
 * A newcomer behind them all is served; the uid's excess is refused at
 * once, its share served; nothing is left behind. */
static void test_accept_flood(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *address = harness_socket_address(h);
        g_autofree char *line = NULL, *served = NULL;
        g_autofree char *want = g_strdup_printf("refused %u open %u", FLOOD_HELD - PEER_PER_UID_MAX,
                                                PEER_PER_UID_MAX);
        g_autofree char *want_served = g_strdup_printf("served %u", PEER_PER_UID_MAX);
        g_autofree char *args = g_strdup_printf("%u %u", FLOOD_CLOSED, FLOOD_HELD);
        PeerWait w = { NULL, FALSE };
        unsigned fds = harness_daemon_fd_count(h);
        Hostile p;

        if (getuid() != 0) {
                g_test_skip("needs root: the newcomer must be another uid than the flood's (nobody)");
                return;
        }
        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        hostile_start(&p, h, "flood", args);
        line = hostile_line(&p, harness_timeout_ms(WAIT_MS) * 3);
        g_assert_cmpstr(line, ==, "connected");
        /* Root's newcomer, last in the backlog. */
        g_dbus_connection_new_for_address(address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL,
                                          on_peer_connected, &w);
        g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);
        if (!harness_wait_until(peer_connected, &w, WAIT_MS))
                g_error("a newcomer behind the flood was not served");
        assert_answers(w.conn);
        assert_answers(h->conn);

        /* Everything before the newcomer was accepted: the excess is closed. */
        hostile_say(&p);
        g_free(line);
        line = hostile_line(&p, harness_timeout_ms(WAIT_MS));
        g_assert_cmpstr(line, ==, want);
        served = hostile_line(&p, harness_timeout_ms(WAIT_MS) * 3);
        g_assert_cmpstr(served, ==, want_served);
        assert_answers(w.conn);

        hostile_finish(&p);
        g_object_unref(w.conn);
        harness_assert_fds_back(h, fds);
        assert_answers(h->conn);
}

/* ASan keeps freed memory in quarantine, and valgrind's allocator is not
 * glibc's: VmRSS says nothing about ours under either. */
static gboolean rss_meaningful(Harness *h) {
        g_autofree char *path = g_strdup_printf("/proc/%d/maps", (int) h->daemon_pid);
        g_autofree char *maps = NULL;

        g_assert_true(g_file_get_contents(path, &maps, NULL, NULL));
        return !strstr(maps, "libasan") && !g_getenv("SRIOV_MONITORD_WRAPPER");
}

typedef struct {
        Harness *h;
        guint64 max_kib;
} RssWait;

static gboolean rss_down(gpointer p) {
        RssWait *w = p;

        return harness_daemon_rss_kib(w->h) <= w->max_kib;
}

/* A user churns through many connections, as many at once as it may hold,
 * each asking more than the kernel holds and not reading, so the answers
 * pile up in the daemon: once they are gone, the daemon's resident memory
 * comes back within twice what it was. */
static void test_memory_after_flood(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *line = NULL;
        /* Under a wrapper VmRSS is not checked: just the churn, lighter. */
        g_autofree char *args = g_strdup_printf("%u %u %u", CHURN_ROUNDS, PEER_PER_UID_MAX,
                                                g_getenv("SRIOV_MONITORD_WRAPPER") ? 10 : CHURN_CALLS);
        guint64 before, peak = 0;
        RssWait w = { h, 0 };
        unsigned fds;
        Hostile p;

        fds = harness_daemon_fd_baseline(h);
        assert_answers(h->conn);
        before = harness_daemon_rss_kib(h);

        hostile_start(&p, h, "churn", args);
        /* Sampled while it runs: the peak is a figure, not a bound. */
        while (!hostile_has_output(&p, 200))
                peak = MAX(peak, harness_daemon_rss_kib(h));
        line = hostile_line(&p, harness_timeout_ms(WAIT_MS) * 6);
        g_assert_cmpstr(line, ==, "done");
        hostile_finish(&p);
        harness_assert_fds_back(h, fds);
        assert_answers(h->conn);

        w.max_kib = 2 * before;
        if (!rss_meaningful(h)) {
                g_test_message("VmRSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT
                               " KiB at most during, not checked under ASan or a wrapper",
                               before, peak);
                return;
        }
        if (!harness_wait_until(rss_down, &w, WAIT_MS))
                g_error("VmRSS stayed at %" G_GUINT64_FORMAT " KiB after the flood, %" G_GUINT64_FORMAT
                        " KiB before (%" G_GUINT64_FORMAT " at most during)",
                        harness_daemon_rss_kib(h), before, peak);
        g_test_message("VmRSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " at most during, %" G_GUINT64_FORMAT
                       " after", before, peak, harness_daemon_rss_kib(h));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/hostile/stop-with-stalled-peer", test_stop_with_stalled_peer);
        g_test_add_func("/hostile/stalled-peer-dropped", test_stalled_peer_dropped);
        g_test_add_func("/hostile/asking-without-reading", test_asking_without_reading);
        g_test_add_func("/hostile/accept-flood", test_accept_flood);
        g_test_add_func("/hostile/memory-after-flood", test_memory_after_flood);
        return g_test_run();
}
