/* SPDX-License-Identifier: MIT */
/*
 * Refresh is guarded by polkit (action org.sriov.monitor1.refresh), and the
 * bus policy (dbus/org.sriov.Monitor1.conf, loaded by the test bus) decides
 * who may call what. Callers are a real non-root user (nobody, through
 * setpriv) running gdbus; polkit is python3-dbusmock's polkitd template or a
 * template of ours.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define ACTION "org.sriov.monitor1.refresh"

static gboolean name_owned(gpointer p) {
        return harness_name_has_owner(p, POLKIT_NAME);
}

/* Starts a polkit mock from a dbusmock template (a name or a file). */
static GPid start_polkit(Harness *h, const char *template) {
        const char *argv[] = { "/usr/bin/python3", "-m", "dbusmock", "--system", "--template", template, NULL };
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        GPid pid;

        if (!g_spawn_async(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                           NULL, &pid, &error))
                g_error("Cannot start the polkit mock: %s", error->message);
        g_assert_true(harness_wait_until(name_owned, h, 15000));
        return pid;
}

static void stop_polkit(GPid pid) {
        (void) kill(pid, SIGTERM);
        (void) waitpid(pid, NULL, 0);
        g_spawn_close_pid(pid);
}

static GVariant *mock_call(Harness *h, const char *method, GVariant *params) {
        g_autoptr(GError) error = NULL;
        GVariant *r = g_dbus_connection_call_sync(h->conn, POLKIT_NAME, POLKIT_PATH, "org.freedesktop.DBus.Mock",
                                                  method, params, NULL, G_DBUS_CALL_FLAGS_NONE,
                                                  (int) harness_timeout_ms(10000), NULL, &error);

        g_assert_no_error(error);
        return r;
}

static void allow_refresh(Harness *h, gboolean allow) {
        const char *actions[] = { ACTION };
        g_autoptr(GVariant) r = mock_call(h, "SetAllowed", g_variant_new("(@as)", g_variant_new_strv(actions, allow)));
}

/* gdbus's own timeout ("Timeout was reached"): its 25 s, scaled. */
static const char *gdbus_timeout(void) {
        static char arg[32];

        g_snprintf(arg, sizeof(arg), "--timeout=%u", harness_timeout_ms(25000) / 1000);
        return arg;
}

/* gdbus as user nobody; returns its exit status and stderr. */
static int call_as_nobody(Harness *h, const char *method, gboolean interactive, char **err) {
        g_autofree char *full = g_strconcat(MANAGER_IFACE, ".", method, NULL);
        g_autofree char *out = NULL;
        const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call",
                               "--system", "--dest", BUS_NAME, "--object-path", MANAGER_PATH, "--method", full,
                               gdbus_timeout(), interactive ? "--interactive" : NULL, NULL };

        return harness_run(h, argv, &out, err);
}

/* The daemon with sd-bus's timeout for its own calls (polkit's): `timeout`,
 * or its default of 25 s scaled for a slow machine. */
static Harness *start_with_call_timeout(const char *timeout) {
        Harness *h = harness_new();
        g_autofree char *scaled = g_strdup_printf("%us", harness_timeout_ms(25000) / 1000);

        if (getuid() != 0) {
                harness_free(h);
                return NULL;
        }
        sim_build_demo_host(h->sim);
        g_setenv("SYSTEMD_BUS_TIMEOUT", timeout ? timeout : scaled, TRUE);
        harness_start_daemon(h, NULL);
        g_unsetenv("SYSTEMD_BUS_TIMEOUT");
        return h;
}

static Harness *start(void) {
        return start_with_call_timeout(NULL);
}

#define START_OR_SKIP(h)                                                           \
        g_autoptr(Harness) h = start();                                            \
        if (!h) {                                                                  \
                g_test_skip("needs root to run callers as another user (setpriv)"); \
                return;                                                            \
        }

static void test_allowed(void) {
        START_OR_SKIP(h);
        g_autofree char *err = NULL;
        GPid polkit = start_polkit(h, "polkitd");
        guint64 before = harness_last_refresh(h);

        allow_refresh(h, TRUE);
        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err), ==, 0);
        g_assert_cmpuint(harness_last_refresh(h), >, before);
        stop_polkit(polkit);
}

static void test_denied(void) {
        START_OR_SKIP(h);
        g_autofree char *err = NULL;
        GPid polkit = start_polkit(h, "polkitd");
        guint64 before = harness_last_refresh(h);

        allow_refresh(h, FALSE);
        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err), !=, 0);
        g_assert_nonnull(strstr(err, "org.freedesktop.DBus.Error.AccessDenied"));
        /* What to do about it. */
        g_assert_nonnull(strstr(err, "run as root, or with a polkit agent running"));
        g_assert_cmpuint(harness_last_refresh(h), ==, before);
        stop_polkit(polkit);
}

/* The exact question asked: subject, action, flags. */
static void test_check_arguments(void) {
        START_OR_SKIP(h);
        g_autofree char *err = NULL;
        GPid polkit = start_polkit(h, "polkitd");
        g_autoptr(GVariant) calls = NULL;
        gboolean seen[2] = {};

        allow_refresh(h, TRUE);
        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err), ==, 0);
        g_assert_cmpint(call_as_nobody(h, "Refresh", TRUE, &err), ==, 0);

        calls = mock_call(h, "GetCalls", NULL);
        GVariantIter it;
        const char *method;
        GVariant *args;
        g_variant_iter_init(&it, g_variant_get_child_value(calls, 0));
        while (g_variant_iter_next(&it, "(t&s@av)", NULL, &method, &args)) {
                g_autoptr(GVariant) subject = NULL, details = NULL, action = NULL, flags = NULL, cancel = NULL;
                g_autoptr(GVariant) subject_details = NULL;
                const char *kind, *name;

                if (!g_str_equal(method, "CheckAuthorization")) {
                        g_variant_unref(args);
                        continue;
                }
                subject = g_variant_get_variant(g_variant_get_child_value(args, 0));
                action = g_variant_get_variant(g_variant_get_child_value(args, 1));
                flags = g_variant_get_variant(g_variant_get_child_value(args, 3));
                g_variant_get(subject, "(&s@a{sv})", &kind, &subject_details);
                g_assert_cmpstr(kind, ==, "system-bus-name");
                /* A unique bus name, never a PID. */
                g_assert_true(g_variant_lookup(subject_details, "name", "&s", &name));
                g_assert_true(name[0] == ':');
                g_assert_null(g_variant_lookup_value(subject_details, "pid", NULL));
                g_assert_cmpstr(g_variant_get_string(action, NULL), ==, ACTION);
                /* AllowUserInteraction only when the caller allowed it. */
                seen[g_variant_get_uint32(flags)] = TRUE;
                g_assert_cmpuint(g_variant_get_uint32(flags), <=, 1);
                g_variant_unref(args);
        }
        g_assert_true(seen[0] && seen[1]);
        stop_polkit(polkit);
}

static void test_interactive_required(void) {
        START_OR_SKIP(h);
        g_autofree char *err = NULL, *err2 = NULL;
        g_autofree char *template = g_build_filename(g_getenv("TEST_SRCDIR"), "polkitd_challenge.py", NULL);
        GPid polkit = start_polkit(h, template);

        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err), !=, 0);
        g_assert_nonnull(strstr(err, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"));
        g_assert_nonnull(strstr(err, "--allow-interactive-authorization=yes"));
        /* Interaction allowed, and still not authorized: denied. */
        g_assert_cmpint(call_as_nobody(h, "Refresh", TRUE, &err2), !=, 0);
        g_assert_nonnull(strstr(err2, "org.freedesktop.DBus.Error.AccessDenied"));
        stop_polkit(polkit);
}

/* Fail closed: no polkit, no refresh, and a message that says why. */
static void test_polkit_absent(void) {
        START_OR_SKIP(h);
        g_autofree char *err = NULL;
        guint64 before = harness_last_refresh(h);

        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err), !=, 0);
        g_assert_nonnull(strstr(err, "org.freedesktop.DBus.Error.AccessDenied"));
        g_assert_nonnull(strstr(err, "polkit"));
        g_assert_nonnull(strstr(err, "run as root"));
        g_assert_cmpuint(harness_last_refresh(h), ==, before);
}

static gboolean polkit_has_hanging_calls(gpointer p) {
        g_autoptr(GVariant) r = mock_call(p, "HaveHangingCalls", NULL);
        gboolean hanging = FALSE;

        g_variant_get(r, "(b)", &hanging);
        return hanging;
}

static gboolean daemon_asleep(gpointer p) {
        return harness_daemon_idle(p);
}

/* The daemon has handled every message sent to it so far (a Ping after
 * them) and gone to sleep (its batch, where a Refresh runs, comes before
 * it sleeps). */
static void settled(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) pong = harness_call(h, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, &error);

        g_assert_no_error(error);
        g_assert_true(harness_wait_until(daemon_asleep, h, 30000));
}

/* polkit takes its time: others are served meanwhile, and a caller that
 * hangs up gets nothing run for it, even when polkit later says yes. */
static void test_polkit_hangs_caller_leaves(void) {
        START_OR_SKIP(h);
        GPid polkit = start_polkit(h, "polkitd"), caller;
        const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call", "--system",
                               "--dest", BUS_NAME, "--object-path", MANAGER_PATH, "--method", MANAGER_IFACE ".Refresh",
                               gdbus_timeout(), NULL };
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) found = NULL, r = NULL;
        guint64 before = harness_last_refresh(h);

        allow_refresh(h, TRUE);
        r = mock_call(h, "SimulateHang", g_variant_new("(b)", TRUE));
        g_assert_true(g_spawn_async(NULL, (char **) argv, env,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                    NULL, &caller, &error));
        g_assert_true(harness_wait_until(polkit_has_hanging_calls, h, 10000));

        /* The loop is not blocked. */
        found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "3b:00.2"), &error);
        g_assert_no_error(error);

        (void) kill(caller, SIGKILL);
        (void) waitpid(caller, NULL, 0);
        g_spawn_close_pid(caller);
        g_clear_pointer(&r, g_variant_unref);
        /* polkit's yes goes to the daemon before the mock answers us, so
         * before a Ping of ours: once that is answered and the daemon
         * asleep, a wrongly run refresh has run. */
        r = mock_call(h, "ReleaseHangingCalls", NULL);
        settled(h);
        g_assert_cmpuint(harness_last_refresh(h), ==, before);
        stop_polkit(polkit);
}

/* How many CheckAuthorization calls the mock has seen. */
static unsigned count_checks(Harness *h) {
        g_autoptr(GVariant) calls = mock_call(h, "GetCalls", NULL);
        g_autoptr(GVariant) list = g_variant_get_child_value(calls, 0);
        GVariantIter it;
        const char *method;
        unsigned n = 0;

        g_variant_iter_init(&it, list);
        while (g_variant_iter_next(&it, "(t&s@av)", NULL, &method, NULL))
                n += g_str_equal(method, "CheckAuthorization");
        return n;
}

/* Root needs no polkit; polkit is not even asked. */
static void test_root_bypass(void) {
        START_OR_SKIP(h);
        GPid polkit = start_polkit(h, "polkitd");
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = NULL;
        guint64 before = harness_last_refresh(h);

        allow_refresh(h, FALSE);
        r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(harness_last_refresh(h), >, before);
        g_assert_cmpuint(count_checks(h), ==, 0);
        stop_polkit(polkit);
}

static void on_refresh_done(GObject *source, GAsyncResult *res, gpointer userdata) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

        g_assert_no_error(error);
        (*(guint *) userdata)++;
}

static gboolean all_done(gpointer p) {
        return *(guint *) p == 20;
}

/* A flood of Refresh calls from an authorized caller: every call answered,
 * by a rescan that ran after it came. How many rescans served them (one in
 * flight, the waiting ones share it) depends on how fast the calls came in,
 * so on the machine: a figure of make bench (bench-scale --refresh-flood),
 * not an assertion. */
static void test_refresh_flood_coalesced(void) {
        g_autoptr(Harness) h = harness_new();
        g_autoptr(Recorder) rec = NULL;
        guint done = 0, rescans = 0;
        guint64 before;

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        rec = recorder_new(h);
        before = harness_last_refresh(h);
        for (int i = 0; i < 20; i++)
                g_dbus_connection_call(h->conn, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, (int) harness_timeout_ms(10000), NULL,
                                       on_refresh_done, &done);
        g_assert_true(harness_wait_until(all_done, &done, 10000));
        recorder_sync(rec);
        rescans = recorder_count_manager_property(rec, "LastRefresh");
        g_test_message("20 Refresh calls, %u rescans", rescans);
        g_assert_cmpuint(rescans, >=, 1);
        g_assert_cmpuint(rescans, <=, 20);
        g_assert_cmpuint(harness_last_refresh(h), >, before);
}

/* ------------------------------------------------------------------ */
/* polkit faults: killed while deciding, answering too late             */

typedef struct Caller {
        GPid pid;
        int err_fd;
} Caller;

/* Refresh as nobody, in the background: polkit will be asked. */
static Caller spawn_refresh_as_nobody(Harness *h) {
        const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call", "--system",
                               "--dest", BUS_NAME, "--object-path", MANAGER_PATH, "--method", MANAGER_IFACE ".Refresh",
                               gdbus_timeout(), NULL };
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        Caller c;

        if (!g_spawn_async_with_pipes(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                                      G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &c.pid, NULL, NULL, &c.err_fd, &error))
                g_error("Cannot run gdbus: %s", error->message);
        return c;
}

/* Its exit status once it is answered (gdbus gives up by itself after
 * 25 s: a daemon that never answers shows as "Timeout was reached"). */
static int caller_finish(Caller *c, char **err) {
        g_autoptr(GIOChannel) ch = g_io_channel_unix_new(c->err_fd);
        int status = 0;

        g_io_channel_set_close_on_unref(ch, TRUE);
        g_assert_cmpint(g_io_channel_read_to_end(ch, err, NULL, NULL), ==, G_IO_STATUS_NORMAL);
        g_assert_cmpint(waitpid(c->pid, &status, 0), ==, c->pid);
        g_spawn_close_pid(c->pid);
        g_assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* How many rescans ran, once the daemon has handled every message sent to
 * it so far (a Ping after them) and gone to sleep (its batch, where a
 * Refresh runs, comes before it sleeps). */
static unsigned rescans_settled(Harness *h, Recorder *rec) {
        recorder_sync(rec);
        g_assert_true(harness_wait_until(daemon_asleep, h, 30000));
        recorder_sync(rec);
        return recorder_count_manager_property(rec, "LastRefresh");
}

/* Root is served while polkit decides for someone else. */
static void assert_root_served(Harness *h) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) found = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "FindDevice",
                                                 g_variant_new("(s)", "3b:00.2"), &error);
        g_autoptr(GVariant) refreshed = NULL;

        g_assert_no_error(error);
        refreshed = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
        g_assert_no_error(error);
}

/* polkit dies while it decides: the caller is denied at once (the bus
 * answers for the dead), nothing runs for it, root is served throughout;
 * while polkit is gone callers get a clean denial, and once it is back
 * they are authorized again. */
static void test_polkit_killed_mid_check(void) {
        START_OR_SKIP(h);
        g_autoptr(Recorder) rec = recorder_new(h);
        g_autofree char *err = NULL, *err2 = NULL, *err3 = NULL;
        g_autoptr(GVariant) r = NULL;
        GPid polkit = start_polkit(h, "polkitd");
        Caller caller;
        int status;

        allow_refresh(h, TRUE);
        r = mock_call(h, "SimulateHang", g_variant_new("(b)", TRUE));
        caller = spawn_refresh_as_nobody(h);
        g_assert_true(harness_wait_until(polkit_has_hanging_calls, h, 10000));
        assert_root_served(h);
        g_assert_cmpuint(rescans_settled(h, rec), ==, 1);

        g_assert_cmpint(kill(polkit, SIGKILL), ==, 0);
        g_assert_cmpint(waitpid(polkit, &status, 0), ==, polkit);
        g_spawn_close_pid(polkit);
        g_assert_cmpint(caller_finish(&caller, &err), !=, 0);
        g_test_message("killed mid-check: %s", err);
        g_assert_nonnull(strstr(err, "org.freedesktop.DBus.Error.AccessDenied"));
        g_assert_nonnull(strstr(err, "polkit could not be reached"));
        g_assert_cmpuint(rescans_settled(h, rec), ==, 1);

        /* polkit gone: a clean denial, root still served. */
        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err2), !=, 0);
        g_assert_nonnull(strstr(err2, "org.freedesktop.DBus.Error.AccessDenied"));
        assert_root_served(h);
        g_assert_cmpuint(rescans_settled(h, rec), ==, 2);

        /* polkit back: authorized again. */
        polkit = start_polkit(h, "polkitd");
        allow_refresh(h, TRUE);
        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err3), ==, 0);
        g_assert_cmpuint(rescans_settled(h, rec), ==, 3);
        stop_polkit(polkit);
}

/* polkit answers yes, but after the daemon's call timeout: the caller was
 * denied at the timeout, the late yes runs nothing, root is served
 * meanwhile, and the next check is answered normally. */
static void test_polkit_answers_too_late(void) {
        g_autoptr(Harness) h = start_with_call_timeout("3s");
        g_autoptr(Recorder) rec = NULL;
        g_autofree char *err = NULL, *err2 = NULL;
        g_autoptr(GVariant) r = NULL, r2 = NULL, r3 = NULL;
        Caller caller;
        GPid polkit;

        if (!h) {
                g_test_skip("needs root to run callers as another user (setpriv)");
                return;
        }
        rec = recorder_new(h);
        polkit = start_polkit(h, "polkitd");
        allow_refresh(h, TRUE);
        r = mock_call(h, "SimulateHang", g_variant_new("(b)", TRUE));
        caller = spawn_refresh_as_nobody(h);
        g_assert_true(harness_wait_until(polkit_has_hanging_calls, h, 10000));
        assert_root_served(h);

        /* Denied when the daemon's call times out, not when gdbus's would. */
        g_assert_cmpint(caller_finish(&caller, &err), !=, 0);
        g_test_message("polkit too late: %s", err);
        g_assert_nonnull(strstr(err, "org.freedesktop.DBus.Error.AccessDenied"));
        g_assert_nonnull(strstr(err, "polkit could not be reached"));

        /* The late yes. */
        r2 = mock_call(h, "ReleaseHangingCalls", NULL);
        g_assert_cmpuint(rescans_settled(h, rec), ==, 1);

        /* polkit prompt again: authorized. */
        r3 = mock_call(h, "SimulateHang", g_variant_new("(b)", FALSE));
        g_assert_cmpint(call_as_nobody(h, "Refresh", FALSE, &err2), ==, 0);
        g_assert_cmpuint(rescans_settled(h, rec), ==, 2);
        stop_polkit(polkit);
}

/* polkit takes its time, within the timeout: everyone else is served
 * meanwhile, and its late verdict counts: no runs nothing, yes runs the
 * Refresh. */
static void test_polkit_slow_verdicts(void) {
        START_OR_SKIP(h);
        g_autoptr(Recorder) rec = recorder_new(h);
        GPid polkit = start_polkit(h, "polkitd");

        for (int allow = 0; allow <= 1; allow++) {
                g_autofree char *err = NULL;
                g_autoptr(GVariant) r = NULL, r2 = NULL;
                Caller caller;
                int rc;

                allow_refresh(h, allow);
                r = mock_call(h, "SimulateHang", g_variant_new("(b)", TRUE));
                caller = spawn_refresh_as_nobody(h);
                g_assert_true(harness_wait_until(polkit_has_hanging_calls, h, 10000));
                assert_root_served(h);
                g_assert_cmpuint(rescans_settled(h, rec), ==, (unsigned) (1 + allow));
                r2 = mock_call(h, "ReleaseHangingCalls", NULL);
                rc = caller_finish(&caller, &err);
                if (allow)
                        g_assert_cmpint(rc, ==, 0);
                else {
                        g_assert_cmpint(rc, !=, 0);
                        g_assert_nonnull(strstr(err, "org.freedesktop.DBus.Error.AccessDenied"));
                }
                g_assert_cmpuint(rescans_settled(h, rec), ==, (unsigned) (1 + 2 * allow));
                g_clear_pointer(&r, g_variant_unref);
                r = mock_call(h, "SimulateHang", g_variant_new("(b)", FALSE));
        }
        stop_polkit(polkit);
}

/* The real polkitd, with the project's action installed: a non-root caller
 * without an agent is challenged (auth_admin), never let through. */
static void test_real_polkitd(void) {
        const char *polkitd = "/usr/lib/polkit-1/polkitd";
        const char *action_file = "/usr/share/polkit-1/actions/org.sriov.Monitor1.policy";
        g_autoptr(Harness) h = NULL;
        g_autofree char *err = NULL;
        g_autofree char *ours = g_build_filename(g_getenv("TEST_SRCDIR"), "..", "polkit", "org.sriov.Monitor1.policy", NULL);
        g_autofree char *contents = NULL;
        g_auto(GStrv) env = NULL;
        g_autoptr(GError) error = NULL;
        gboolean placed = FALSE;
        GPid pid;

        if (getuid() != 0 || !g_file_test(polkitd, G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip("polkitd is not installed (or not root): the real polkit is not tested");
                return;
        }
        /* polkitd reads actions from one place only: put ours there for the test. */
        if (!g_file_test(action_file, G_FILE_TEST_EXISTS)) {
                g_assert_true(g_file_get_contents(ours, &contents, NULL, &error));
                g_assert_true(g_file_set_contents(action_file, contents, -1, &error));
                placed = TRUE;
        }
        h = start();
        env = harness_client_environ(h);
        gboolean started = g_spawn_async(NULL, (char *[]) { (char *) polkitd, "--no-debug", NULL }, env,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
        gboolean up = started && harness_wait_until(name_owned, h, 15000);
        int rc = up ? call_as_nobody(h, "Refresh", FALSE, &err) : -1;

        /* Clean up before any assertion can abort. */
        if (started)
                stop_polkit(pid);
        if (placed)
                (void) unlink(action_file);
        g_assert_no_error(error);
        g_assert_true(up);
        g_test_message("real polkitd: %s", err);
        g_assert_cmpint(rc, !=, 0);
        g_assert_nonnull(strstr(err, "InteractiveAuthorizationRequired"));
}

/* The bus policy: a non-root user reads and may ask for Refresh, but cannot
 * own the name or call anything the policy does not list. */
static void test_bus_policy(void) {
        START_OR_SKIP(h);
        g_autofree char *out = NULL, *err = NULL, *err2 = NULL, *err3 = NULL;
        const char *find[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call",
                               "--system", "--dest", BUS_NAME, "--object-path", MANAGER_PATH, "--method",
                               MANAGER_IFACE ".FindDevice", "enp59s0f0v0", NULL };
        const char *set[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call",
                              "--system", "--dest", BUS_NAME, "--object-path", MANAGER_PATH, "--method",
                              "org.freedesktop.DBus.Properties.Set", MANAGER_IFACE, "Version", "<'x'>", NULL };
        const char *own[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "gdbus", "call",
                              "--system", "--dest", "org.freedesktop.DBus", "--object-path", "/org/freedesktop/DBus",
                              "--method", "org.freedesktop.DBus.RequestName", BUS_NAME, "4", NULL };

        g_assert_cmpint(harness_run(h, find, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "/org/sriov/Monitor1/Device/pci_0000_3b_00_2"));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(harness_run(h, set, &out, &err2), !=, 0);
        g_assert_nonnull(strstr(err2, "AccessDenied"));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(harness_run(h, own, &out, &err3), !=, 0);
        g_assert_nonnull(strstr(err3, "AccessDenied"));
        g_assert_nonnull(strstr(err3, "not allowed to own"));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/polkit/allowed", test_allowed);
        g_test_add_func("/polkit/denied", test_denied);
        g_test_add_func("/polkit/check-arguments", test_check_arguments);
        g_test_add_func("/polkit/interactive-required", test_interactive_required);
        g_test_add_func("/polkit/absent", test_polkit_absent);
        g_test_add_func("/polkit/hangs-caller-leaves", test_polkit_hangs_caller_leaves);
        g_test_add_func("/polkit/root-bypass", test_root_bypass);
        g_test_add_func("/polkit/refresh-flood-coalesced", test_refresh_flood_coalesced);
        g_test_add_func("/polkit/killed-mid-check", test_polkit_killed_mid_check);
        g_test_add_func("/polkit/answers-too-late", test_polkit_answers_too_late);
        g_test_add_func("/polkit/slow-verdicts", test_polkit_slow_verdicts);
        g_test_add_func("/polkit/real-polkitd", test_real_polkitd);
        g_test_add_func("/policy/non-root", test_bus_policy);
        return g_test_run();
}
