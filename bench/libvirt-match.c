/* SPDX-License-Identifier: MIT */
/* What bench-libvirt sent and what each side's client received, and the
 * matching of one to the other per event kind (issue 14; see
 * bench-libvirt.c). */
#include <string.h>

#include "bench-host.h"
#include "harness.h"
#include "libvirt-match.h"

/* ------------------------------------------------------------------ */
/* What was sent, what was received                                   */

typedef struct Receipt {
        int side;
        gint64 ns;
        char *what; /* ours: "type action device"; libvirt: "lifecycle NAME Created", "update NAME" */
} Receipt;

GPtrArray *sent;             /* of Sent, main thread only */
static GMutex lock;
static GCond cond;
static GPtrArray *receipts;  /* of Receipt, under lock */

gboolean __real_umockdev_testbed_uevent(UMockdevTestbed *testbed, const gchar *devpath, const gchar *action);
gboolean __wrap_umockdev_testbed_uevent(UMockdevTestbed *testbed, const gchar *devpath, const gchar *action);

gboolean __wrap_umockdev_testbed_uevent(UMockdevTestbed *testbed, const gchar *devpath, const gchar *action) {
        Sent *s = g_new0(Sent, 1);

        *s = (Sent) { g_strdup(devpath), g_strdup(action), bench_now_ns() };
        g_ptr_array_add(sent, s);
        return __real_umockdev_testbed_uevent(testbed, devpath, action);
}

static void sent_free(gpointer p) {
        Sent *s = p;

        g_free(s->devpath);
        g_free(s->action);
        g_free(s);
}

static void receipt_free(gpointer p) {
        Receipt *r = p;

        g_free(r->what);
        g_free(r);
}

static void receipt_add(int side, gint64 ns, char *what) {
        Receipt *r = g_new0(Receipt, 1);

        *r = (Receipt) { side, ns, what };
        g_mutex_lock(&lock);
        g_ptr_array_add(receipts, r);
        g_cond_broadcast(&cond);
        g_mutex_unlock(&lock);
}

/* The first uevent of the device at syspath (or of its children) since the
 * operation began; the last one of all when syspath is NULL. */
gint64 sent_ns(const char *syspath, guint from) {
        size_t len = syspath ? strlen(syspath) : 0;

        if (!syspath)
                return sent->len > from ? ((Sent *) sent->pdata[sent->len - 1])->ns : 0;
        for (guint i = from; i < sent->len; i++) {
                const Sent *s = sent->pdata[i];

                if (g_str_has_prefix(s->devpath, syspath) && (s->devpath[len] == '\0' || s->devpath[len] == '/'))
                        return s->ns;
        }
        return 0;
}

/* The D-Bus side: every DeviceEvent, stamped in GDBus's worker thread. */
GDBusMessage *on_message(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer userdata) {
        GVariant *body;
        const char *type, *action, *device;

        if (!incoming || g_dbus_message_get_message_type(m) != G_DBUS_MESSAGE_TYPE_SIGNAL ||
            g_strcmp0(g_dbus_message_get_member(m), "DeviceEvent") != 0)
                return m;
        body = g_dbus_message_get_body(m);
        if (!body || !g_variant_is_of_type(body, G_VARIANT_TYPE("(sssot)")))
                return m;
        g_variant_get(body, "(&s&s&s&ot)", &type, &action, &device, NULL, NULL);
        receipt_add(OURS, bench_now_ns(), g_strdup_printf("%s %s %s", type, action, device));
        return m;
}

void on_peer_line(gint64 ns, char *what) {
        receipt_add(PEER, ns, what);
}

void on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
                      const char *member, GVariant *params, gpointer userdata) {
}


/* ------------------------------------------------------------------ */
/* Event kinds, operations and what each side should say               */



Kind kinds[N_KINDS] = {
        [K_VF_CREATED] = { "new VF (its add -> announced)" },
        [K_VF_NETDEV] = { "new VF's netdev (its add -> announced)" },
        [K_PF_ENABLED] = { "PF's VFs after enable (its change -> its last announcement)" },
        [K_ENABLE_LAST] = { "enable: last uevent -> last notification" },
        [K_VF_REMOVED] = { "VF removed (its first uevent -> announced)" },
        [K_PF_DISABLED] = { "PF's VFs after disable (first uevent -> announced)" },
        [K_DISABLE_LAST] = { "disable: last uevent -> last notification" },
        [K_DRIVER] = { "VF driver rebound (first uevent -> announced)" },
        [K_NETDEV_GONE] = { "netdev gone with a rebind to vfio-pci" },
        [K_NETDEV_BACK] = { "netdev back with a rebind to the net driver" },
        [K_RENAME] = { "netdev renamed (move -> announced)" },
        [K_AUTOPROBE] = { "sriov_drivers_autoprobe written (write -> announced)" },
        [K_PF_REMOVED] = { "PF removed (its first uevent -> announced)" },
        [K_PF_ADDED] = { "PF added (its add -> announced)" },
};

/* One notification awaited from each side; want: prefixes separated by
 * '|', "*" for the last notification of the operation, NULL for none. */
typedef struct Expect {
        int kind;
        gint64 t0, t_end;
        char *want[N_SIDES];
} Expect;

static GPtrArray *expects; /* of Expect */
int rep;
guint op_from;
const char *op_dev;

/* The last uevent of the device at syspath (or its children) since from. */
gint64 sent_last_ns(const char *syspath, guint from) {
        size_t len = syspath ? strlen(syspath) : 0;
        gint64 last = 0;

        for (guint i = from; syspath && i < sent->len; i++) {
                const Sent *s = sent->pdata[i];

                if (g_str_has_prefix(s->devpath, syspath) && (s->devpath[len] == '\0' || s->devpath[len] == '/'))
                        last = s->ns;
        }
        return last;
}

/* The device's uevent with this action since from, or 0. */
gint64 sent_action_ns(const char *syspath, const char *action, guint from) {
        for (guint i = from; i < sent->len; i++) {
                const Sent *s = sent->pdata[i];

                if (g_str_equal(s->devpath, syspath) && g_str_equal(s->action, action))
                        return s->ns;
        }
        return 0;
}

gint64 op_end;

void expect(int kind, gint64 t0, char *ours, char *peer) {
        Expect *e = g_new0(Expect, 1);
        gint64 t_end = op_end ?: sent_last_ns(op_dev, op_from);

        op_end = 0;
        *e = (Expect) { kind, t0, MAX(t_end, t0), { ours, peer } };
        g_ptr_array_add(expects, e);
        op_dev = NULL;
}

static void expect_free(gpointer p) {
        Expect *e = p;

        g_free(e->want[OURS]);
        g_free(e->want[PEER]);
        g_free(e);
}

char *nodedev_name(const char *address) {
        char *s = g_strdup_printf("pci_%s", address);

        g_strdelimit(s, ":.", '_');
        return s;
}

static gboolean matches(const char *want, const char *what) {
        g_auto(GStrv) alts = g_strsplit(want, "|", -1);

        for (char **a = alts; *a; a++)
                if (g_str_has_prefix(what, *a))
                        return TRUE;
        return FALSE;
}

/* The receipt of side matching e (under lock), or 0. */
static gint64 found(const Expect *e, int side) {
        const char *want = e->want[side];
        gboolean want_last = want[0] == '$';
        gint64 last = 0;

        for (guint i = 0; i < receipts->len; i++) {
                const Receipt *r = receipts->pdata[i];

                if (r->side != side)
                        continue;
                if (g_str_equal(want, "*"))
                        last = r->ns;
                else if (matches(want + want_last, r->what)) {
                        if (!want_last)
                                return r->ns;
                        last = r->ns;
                }
        }
        return last;
}

/* Whether side is still to be waited for: after the first reps, only for
 * what it has reported before. */
static gboolean awaited(const Expect *e, int side, gboolean peer_up) {
        if (!e->want[side] || (side == PEER && !peer_up) || g_str_equal(e->want[side], "*"))
                return FALSE;
        return rep < 2 || kinds[e->kind].reported[side] > 0;
}

static gint64 last_receipt_ns(void) {
        return receipts->len ? ((Receipt *) receipts->pdata[receipts->len - 1])->ns : 0;
}

/* Waits for every awaited notification (or the deadline), then until both
 * sides have been quiet for 100 ms; books the samples and forgets the
 * receipts. */
void settle_op(gboolean peer_up, int timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + harness_timeout_ms((unsigned) timeout_ms) * 1000LL;

        g_mutex_lock(&lock);
        for (;;) {
                gboolean missing = FALSE;

                for (guint i = 0; i < expects->len && !missing; i++)
                        for (int side = 0; side < N_SIDES && !missing; side++)
                                missing = awaited(expects->pdata[i], side, peer_up) &&
                                          !found(expects->pdata[i], side);
                if (!missing || !g_cond_wait_until(&cond, &lock, deadline))
                        break;
        }
        /* Stragglers belong to this operation too. */
        for (gint64 start = bench_now_ns();;) {
                gint64 quiet_us = MAX(last_receipt_ns(), start) / 1000 + 100 * 1000;

                if (g_get_monotonic_time() >= quiet_us)
                        break;
                (void) g_cond_wait_until(&cond, &lock, quiet_us);
        }
        for (guint i = 0; i < expects->len; i++) {
                const Expect *e = expects->pdata[i];
                Kind *k = &kinds[e->kind];

                k->tried++;
                if (!k->span)
                        k->span = g_array_new(FALSE, FALSE, sizeof(gint64));
                if (e->t0 > 0) {
                        gint64 d = e->t_end - e->t0;

                        g_array_append_val(k->span, d);
                }
                for (int side = 0; side < N_SIDES; side++) {
                        gint64 ns = e->want[side] ? found(e, side) : 0;

                        if (!k->lat[side])
                                k->lat[side] = g_array_new(FALSE, FALSE, sizeof(gint64));
                        if (ns > 0 && e->t0 > 0) {
                                gint64 d = ns - e->t0;

                                k->reported[side]++;
                                g_array_append_val(k->lat[side], d);
                        }
                }
        }
        g_ptr_array_set_size(receipts, 0);
        g_mutex_unlock(&lock);
        g_ptr_array_set_size(expects, 0);
}


void match_init(void) {
        sent = g_ptr_array_new_with_free_func(sent_free);
        receipts = g_ptr_array_new_with_free_func(receipt_free);
        expects = g_ptr_array_new_with_free_func(expect_free);
}
