/* SPDX-License-Identifier: MIT */
/*
 * The private socket: the same API as peer-to-peer D-Bus, for containers and
 * agents without the system bus. Clients: busctl --address, GDBus peer
 * connections, gdbus monitor, sriov-status --address.
 */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include "harness.h"

static GVariant *peer_call(GDBusConnection *c, const char *path, const char *iface, const char *method,
                           GVariant *params, GError **error) {
        return g_dbus_connection_call_sync(c, NULL, path, iface, method, params, NULL, G_DBUS_CALL_FLAGS_NONE,
                                           (int) harness_timeout_ms(10000), NULL, error);
}

typedef struct {
        GPtrArray *events; /* "type action device" */
} Peer;

static void on_device_event(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                            const char *member, GVariant *params, gpointer userdata) {
        Peer *p = userdata;
        const char *type, *action, *device;

        g_variant_get(params, "(&s&s&s&ot)", &type, &action, &device, NULL, NULL);
        g_ptr_array_add(p->events, g_strdup_printf("%s %s %s", type, action, device));
}

static guint subscribe(GDBusConnection *c, Peer *p) {
        return g_dbus_connection_signal_subscribe(c, NULL, MANAGER_IFACE, "DeviceEvent", MANAGER_PATH, NULL,
                                                  G_DBUS_SIGNAL_FLAGS_NONE, on_device_event, p, NULL);
}

static gboolean peer_saw(Peer *p, const char *event) {
        for (guint i = 0; i < p->events->len; i++)
                if (g_str_equal(g_ptr_array_index(p->events, i), event))
                        return TRUE;
        return FALSE;
}

typedef struct {
        Peer *peers;
        guint n;
        const char *event;
} SawWait;

static gboolean all_saw(gpointer data) {
        SawWait *w = data;

        for (guint i = 0; i < w->n; i++)
                if (!peer_saw(&w->peers[i], w->event))
                        return FALSE;
        return TRUE;
}

static Harness *start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

static void test_socket_and_busctl(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *address = harness_socket_address(h), *addr_arg = g_strconcat("--address=", address, NULL);
        g_autofree char *out = NULL, *err = NULL;
        const char *busctl = g_getenv("BUSCTL");
        struct stat st;

        g_assert_cmpint(stat(h->private_socket, &st), ==, 0);
        g_assert_true(S_ISSOCK(st.st_mode));
        g_assert_cmpint(st.st_mode & 0777, ==, 0666);

        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, addr_arg, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                                                          "FindDevice", "s", "enp59s0f0v0", NULL },
                                    &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "o \"/org/sriov/Monitor1/Device/pci_0000_3b_00_2\"\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, addr_arg, "get-property", BUS_NAME,
                                                          "/org/sriov/Monitor1/Device/pci_0000_3b_00_4", VF_IFACE,
                                                          "VfioDevice", NULL },
                                    &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "s \"/dev/vfio/43\"\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* sriov-status over the socket: the same table. */
        g_assert_cmpint(harness_run(h, (const char *[]) { g_getenv("SRIOV_STATUS"), addr_arg, NULL }, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "  0000:3b:00.4  vf"));
}

/* Refresh on the socket: root yes (SO_PEERCRED), anyone else no. */
static void test_refresh_root_only(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *address = harness_socket_address(h), *addr_arg = g_strconcat("--address=", address, NULL);
        g_autofree char *out = NULL, *err = NULL, *err2 = NULL, *err3 = NULL;
        g_autofree char *peer_arg = g_strconcat("--peer=", address, NULL);
        const char *busctl = g_getenv("BUSCTL");

        if (getuid() != 0) {
                g_test_skip("needs root to compare a root and a non-root peer");
                return;
        }
        g_assert_cmpint(harness_run(h, (const char *[]) { busctl, addr_arg, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                                                          "Refresh", NULL },
                                    &out, &err), ==, 0);
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(harness_run(h, (const char *[]) { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                          busctl, addr_arg, "call", BUS_NAME, MANAGER_PATH,
                                                          MANAGER_IFACE, "Refresh", NULL },
                                    &out, &err2), !=, 0);
        g_assert_nonnull(strstr(err2, "Access denied"));
        /* busctl shows AccessDenied as "Access denied"; dbus-send shows the
         * daemon's message, which says what to do. */
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(harness_run(h, (const char *[]) { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                          "dbus-send", peer_arg, "--print-reply", "--dest=" BUS_NAME,
                                                          MANAGER_PATH, MANAGER_IFACE ".Refresh", NULL },
                                    &out, &err3), !=, 0);
        g_assert_nonnull(strstr(err3, "org.freedesktop.DBus.Error.AccessDenied"));
        g_assert_nonnull(strstr(err3, "only root may refresh; run as root"));
        /* sriov-status says what to do, too: the daemon's message. */
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err3, g_free);
        g_assert_cmpint(harness_run(h, (const char *[]) { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                          g_getenv("SRIOV_STATUS"), addr_arg, "--refresh", NULL },
                                    &out, &err3), ==, 1);
        g_assert_nonnull(strstr(err3, "Refresh failed: "));
        g_assert_nonnull(strstr(err3, "only root may refresh; run as root"));
}

/* Several peers at once: objects, and live signals to each; one leaving
 * does not disturb the others. */
static void test_several_peers(void) {
        g_autoptr(Harness) h = start_demo();
        GDBusConnection *c[3];
        Peer peers[3];
        guint subs[3];
        SawWait w;

        for (guint i = 0; i < 3; i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) objects = NULL, inner = NULL;

                c[i] = harness_connect_peer(h);
                peers[i].events = g_ptr_array_new_with_free_func(g_free);
                subs[i] = subscribe(c[i], &peers[i]);
                objects = peer_call(c[i], MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL,
                                    &error);
                g_assert_no_error(error);
                inner = g_variant_get_child_value(objects, 0);
                g_assert_cmpuint(g_variant_n_children(inner), ==, 12);
        }

        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        w = (SawWait) { peers, 3, "interface deleted enp59s0f0v0" };
        g_assert_true(harness_wait_until(all_saw, &w, 10000));

        /* One leaves; the others still hear. */
        g_dbus_connection_signal_unsubscribe(c[0], subs[0]);
        g_dbus_connection_close_sync(c[0], NULL, NULL);
        sim_rebind_vf(h->sim, "0000:3b:00.3", SIM_VF_UNBOUND, NULL);
        w = (SawWait) { peers + 1, 2, "interface deleted enp59s0f0v1" };
        g_assert_true(harness_wait_until(all_saw, &w, 10000));

        for (guint i = 0; i < 3; i++) {
                if (i > 0)
                        g_dbus_connection_signal_unsubscribe(c[i], subs[i]);
                g_object_unref(c[i]);
                g_ptr_array_unref(peers[i].events);
        }
}

/* A peer that never reads its replies is dropped once they pile up; the
 * daemon and a healthy peer carry on. */
static void test_stalled_peer_dropped(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *script = g_build_filename(g_getenv("TEST_SRCDIR"), "stalled-peer.py", NULL);
        g_autofree char *out = NULL, *err = NULL;
        GDBusConnection *healthy = harness_connect_peer(h);
        Peer peer = { g_ptr_array_new_with_free_func(g_free) };
        guint sub = subscribe(healthy, &peer);
        SawWait w = { &peer, 1, "interface deleted enp59s0f0v0" };
        /* For the daemon to hang up on it: a deadline, not a speed. */
        g_autofree char *deadline = g_strdup_printf("%u", harness_timeout_ms(30000) / 1000);

        g_assert_cmpint(harness_run(h, (const char *[]) { "/usr/bin/python3", script, h->private_socket, deadline,
                                                          NULL }, &out, &err), ==, 0);
        /* The others were not disturbed. */
        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        g_assert_true(harness_wait_until(all_saw, &w, 10000));

        g_dbus_connection_signal_unsubscribe(healthy, sub);
        g_object_unref(healthy);
        g_ptr_array_unref(peer.events);
}

/* A second instance cannot get the name, and must leave the first one's
 * socket alone; a file that is not a socket is never removed. */
static void test_second_instance_keeps_socket(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *arg = g_strconcat("--private-socket=", h->private_socket, NULL);
        g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
        g_autofree char *file = g_build_filename(h->private_dir, "not-a-socket", NULL);
        g_autofree char *file_arg = g_strconcat("--private-socket=", file, NULL);
        g_autoptr(GError) error = NULL;
        GDBusConnection *c;
        struct stat st;

        g_assert_cmpint(harness_run(h, (const char *[]) { g_getenv("SRIOV_MONITORD"), arg, NULL }, &out, &err), ==, 1);
        g_assert_cmpint(stat(h->private_socket, &st), ==, 0);
        c = harness_connect_peer(h);
        g_autoptr(GVariant) r = peer_call(c, MANAGER_PATH, MANAGER_IFACE, "FindDevice", g_variant_new("(s)", "3b:00.2"),
                                          &error);
        g_assert_no_error(error);
        g_object_unref(c);

        /* The running daemon stopped, a new one must not delete a regular file. */
        harness_stop_daemon(h);
        g_assert_true(g_file_set_contents(file, "precious", -1, NULL));
        harness_start_daemon(h, (const char *[]) { file_arg, NULL });
        g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
        g_autofree char *contents = NULL;
        g_assert_true(g_file_get_contents(file, &contents, NULL, NULL));
        g_assert_cmpstr(contents, ==, "precious");
        harness_stop_daemon(h);
        (void) unlink(file);
}

/* Runs in GDBus's worker thread: notes the sender of DeviceEvent signals. */
static GDBusMessage *note_sender(GDBusConnection *c, GDBusMessage *msg, gboolean incoming, gpointer userdata) {
        if (incoming && g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_SIGNAL &&
            g_strcmp0(g_dbus_message_get_member(msg), "DeviceEvent") == 0)
                g_atomic_int_set((gint *) userdata, g_strcmp0(g_dbus_message_get_sender(msg), ":1.0") == 0 ? 1 : 2);
        return msg;
}

static gboolean sender_noted(gpointer p) {
        return g_atomic_int_get((gint *) p) != 0;
}

/* Signals carry the sender GetNameOwner names, for clients that filter by
 * it (gdbus monitor --dest). */
static void test_signals_have_sender(void) {
        g_autoptr(Harness) h = start_demo();
        GDBusConnection *c = harness_connect_peer(h);
        gint seen = 0;
        guint filter = g_dbus_connection_add_filter(c, note_sender, &seen, NULL);

        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        g_assert_true(harness_wait_until(sender_noted, &seen, 10000));
        g_assert_cmpint(g_atomic_int_get(&seen), ==, 1);
        g_dbus_connection_remove_filter(c, filter);
        g_object_unref(c);
}

/* Reads one whole D-Bus message from a raw stream. */
static GDBusMessage *read_message(GInputStream *in) {
        guint8 head[16], *blob;
        gssize need;
        GDBusMessage *msg;

        g_assert_true(g_input_stream_read_all(in, head, sizeof(head), NULL, NULL, NULL));
        need = g_dbus_message_bytes_needed(head, sizeof(head), NULL);
        g_assert_cmpint(need, >=, (gssize) sizeof(head));
        blob = g_malloc(need);
        memcpy(blob, head, sizeof(head));
        g_assert_true(g_input_stream_read_all(in, blob + sizeof(head), need - sizeof(head), NULL, NULL, NULL));
        msg = g_dbus_message_new_from_blob(blob, need, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
        g_free(blob);
        g_assert_nonnull(msg);
        return msg;
}

/* A client written for a bus (sd-bus: busctl --address) takes anything
 * before the answer to its Hello for a broken connection: a peer that has
 * authenticated but not spoken yet gets no signal, even while they flow. */
static void test_nothing_before_hello(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(GSocketClient) client = g_socket_client_new();
        g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(h->private_socket);
        g_autoptr(GSocketConnection) raw = NULL;
        g_autoptr(GDBusMessage) hello = NULL, first = NULL;
        g_autofree char *auth = NULL, *uid = g_strdup_printf("%u", (unsigned) getuid());
        g_autofree guchar *blob = NULL;
        GDBusConnection *healthy = harness_connect_peer(h);
        Peer peer = { g_ptr_array_new_with_free_func(g_free) };
        guint sub = subscribe(healthy, &peer);
        SawWait w = { &peer, 1, "interface deleted enp59s0f0v0" };
        GOutputStream *out;
        GInputStream *in;
        char line[256] = "";
        gsize len;

        raw = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, NULL);
        g_assert_nonnull(raw);
        out = g_io_stream_get_output_stream(G_IO_STREAM(raw));
        in = g_io_stream_get_input_stream(G_IO_STREAM(raw));
        auth = g_strdup_printf("%cAUTH EXTERNAL ", 0);
        g_assert_true(g_output_stream_write_all(out, auth, 1 + strlen(auth + 1), NULL, NULL, NULL));
        for (const char *c = uid; *c; c++) {
                char hex[3];

                g_snprintf(hex, sizeof(hex), "%02x", (unsigned char) *c);
                g_assert_true(g_output_stream_write_all(out, hex, 2, NULL, NULL, NULL));
        }
        g_assert_true(g_output_stream_write_all(out, "\r\n", 2, NULL, NULL, NULL));
        for (gsize n = 0; n < sizeof(line) - 1 && !strstr(line, "\r\n"); n++)
                g_assert_true(g_input_stream_read_all(in, line + n, 1, NULL, NULL, NULL));
        g_assert_true(g_str_has_prefix(line, "OK "));
        g_assert_true(g_output_stream_write_all(out, "BEGIN\r\n", 7, NULL, NULL, NULL));

        /* Authenticated and silent while a change goes out to the others. */
        sim_rebind_vf(h->sim, "0000:3b:00.2", SIM_VF_VFIO, NULL);
        g_assert_true(harness_wait_until(all_saw, &w, 10000));

        hello = g_dbus_message_new_method_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                               "Hello");
        g_dbus_message_set_serial(hello, 1);
        blob = g_dbus_message_to_blob(hello, &len, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
        g_assert_true(g_output_stream_write_all(out, blob, len, NULL, NULL, NULL));
        first = read_message(in);
        g_assert_cmpint(g_dbus_message_get_message_type(first), ==, G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
        g_assert_cmpuint(g_dbus_message_get_reply_serial(first), ==, 1);

        g_dbus_connection_signal_unsubscribe(healthy, sub);
        g_object_unref(healthy);
        g_ptr_array_unref(peer.events);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/private-socket/busctl-and-status", test_socket_and_busctl);
        g_test_add_func("/private-socket/refresh-root-only", test_refresh_root_only);
        g_test_add_func("/private-socket/several-peers", test_several_peers);
        g_test_add_func("/private-socket/stalled-peer-dropped", test_stalled_peer_dropped);
        g_test_add_func("/private-socket/second-instance-keeps-socket", test_second_instance_keeps_socket);
        g_test_add_func("/private-socket/signals-have-sender", test_signals_have_sender);
        g_test_add_func("/private-socket/nothing-before-hello", test_nothing_before_hello);
        return g_test_run();
}
