/* SPDX-License-Identifier: MIT */
/* bench-libvirt's bookkeeping: the uevents sent (their send times, from a
 * wrapper around umockdev's send), the notifications each side's client
 * received (stamped on receipt), and what each operation should make each
 * side say, per event kind. */
#pragma once

#include <gio/gio.h>

enum { OURS, PEER, N_SIDES };

typedef struct Sent {
        char *devpath;
        char *action;
        gint64 ns;
} Sent;

/* Every uevent sent so far, in order (main thread only). */
extern GPtrArray *sent;

typedef struct Kind {
        const char *name;
        GArray *lat[N_SIDES]; /* gint64 ns */
        GArray *span;         /* gint64 ns: from t0 to the device's last uevent of the operation */
        unsigned tried;
        unsigned reported[N_SIDES];
} Kind;

enum {
        K_VF_CREATED, K_VF_NETDEV, K_PF_ENABLED, K_ENABLE_LAST,
        K_VF_REMOVED, K_PF_DISABLED, K_DISABLE_LAST,
        K_DRIVER, K_NETDEV_GONE, K_NETDEV_BACK, K_RENAME, K_AUTOPROBE,
        K_PF_REMOVED, K_PF_ADDED, N_KINDS
};

extern Kind kinds[N_KINDS];
/* The repetition under way: in the first two, every notification is awaited. */
extern int rep;
/* For the next expect(): the operation's first entry in sent, the syspath it
 * is about (for the device's last uevent, the simulator's pace; NULL: none),
 * or that last uevent's time itself (0: look it up). */
extern guint op_from;
extern const char *op_dev;
extern gint64 op_end;

void match_init(void);
/* The first uevent of the device at syspath (or of its children) since
 * from; the last one of all when syspath is NULL. */
gint64 sent_ns(const char *syspath, guint from);
/* The device's last uevent since from (0: none); its uevent with this action. */
gint64 sent_last_ns(const char *syspath, guint from);
gint64 sent_action_ns(const char *syspath, const char *action, guint from);
/* One notification awaited from each side, timed from t0: prefixes of what
 * it says, alternatives separated by '|' (a leading '$': the last one that
 * matches, not the first); "*": the operation's last notification; NULL:
 * none. Takes the strings. */
void expect(int kind, gint64 t0, char *ours, char *peer);
/* libvirt's name of a PCI function: "pci_0000_10_00_1". */
char *nodedev_name(const char *address);
/* Waits for every awaited notification (at most timeout_ms, scaled), then
 * until both sides have been quiet for 100 ms; books the samples. */
void settle_op(gboolean peer_up, int timeout_ms);

/* The clients: a GDBus message filter (DeviceEvent, stamped in GDBus's
 * worker thread), a no-op signal handler for the match rule, and virsh's
 * lines (libvirt-peer.h's PeerLine). */
GDBusMessage *on_message(GDBusConnection *c, GDBusMessage *m, gboolean incoming, gpointer userdata);
void on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface, const char *member,
               GVariant *params, gpointer userdata);
void on_peer_line(gint64 ns, char *what);
