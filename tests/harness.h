/* SPDX-License-Identifier: MIT */
/*
 * The integration test harness: a simulated host (sriov-sim), a private
 * system-type dbus-daemon, and sriov-monitord started on both, plus helpers
 * to talk to it through GDBus and to run real clients (busctl, sriov-status).
 * Paths come from the environment make check sets (SRIOV_MONITORD, ...).
 */
#pragma once

#include <gio/gio.h>

#include "bus-names.h"
#include "sriov-sim.h"


typedef struct Harness {
        SriovSim *sim;
        char *bus_address;
        GPid bus_pid;
        GPid daemon_pid;
        GDBusConnection *conn;
        /* Start the daemon on this machine's real /sys and uevents, not the testbed. */
        gboolean real_host;
        /* The daemon's private socket, in a directory of this harness. */
        char *private_dir;
        char *private_socket;
        /* When set, the daemon gets it as NOTIFY_SOCKET (sd_notify). */
        const char *notify_socket;
        /* When set before harness_start_daemon(): the daemon's stderr goes to
         * daemon_log (appended across restarts), for harness_daemon_log(). */
        gboolean capture_log;
        char *daemon_log;
        /* harness_copy_for_anyone()'s copies, removed by harness_free(). */
        GPtrArray *copies;
} Harness;

/* Before harness_new(): dbus-daemon's own messages (stderr) to /dev/null. */
void harness_set_quiet_bus(gboolean quiet);
/* A fresh testbed and private bus; no daemon yet. */
Harness *harness_new(void);
/* Stops whatever still runs (the bus with SIGTERM, so it removes its
 * socket) and removes the testbed. */
void harness_free(Harness *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Harness, harness_free)

/* Starts sriov-monitord (extra arguments NULL-terminated, may be NULL) and
 * waits until it owns the bus name. Unless args name an
 * --owner-scan-interval, it gets --owner-scan-interval=0 (no periodic
 * ownership scan, whose timer runs while some VF is on VFIO). */
void harness_start_daemon(Harness *h, const char *const *args);
/* SIGTERM; asserts it exits 0 and returns once it has. */
void harness_stop_daemon(Harness *h);

gboolean harness_name_has_owner(Harness *h, const char *name);
/* What the daemon logged so far (capture_log); "" before it logged. */
char *harness_daemon_log(Harness *h);

/* A copy of the file at path that any user may read and run, in the
 * harness's own directory: the build tree may be in a directory another
 * user cannot enter (a clone under /root), and tests run programs and
 * scripts as nobody. Owned by the harness. */
const char *harness_copy_for_anyone(Harness *h, const char *path);

/* "unix:path=..." of the daemon's private socket. */
char *harness_socket_address(Harness *h);
/* A peer-to-peer connection to the private socket; asserts it is made. */
GDBusConnection *harness_connect_peer(Harness *h);

/* Environment for a client process: the private bus as system bus, no umockdev. */
char **harness_client_environ(Harness *h);
/* Runs a client to completion; returns its exit status, stdout and stderr. */
int harness_run(Harness *h, const char *const *argv, char **out, char **err);

/* org.freedesktop.DBus.Properties.Get; the unboxed value. */
GVariant *harness_get(Harness *h, const char *path, const char *iface, const char *prop);
/* A method call on the daemon; NULL and *error set on a D-Bus error. */
GVariant *harness_call(Harness *h, const char *path, const char *iface, const char *method,
                       GVariant *params, GError **error);
/* "/org/sriov/Monitor1/Device/pci_0000_3b_00_2" for "0000:3b:00.2". */
char *harness_device_path(const char *address);

/* Records every signal the daemon sends, in order. */
typedef struct Signal {
        char *path;
        char *iface;
        char *member;
        GVariant *params;
} Signal;

typedef struct Recorder {
        GDBusConnection *conn;
        guint subscription;
        GPtrArray *signals; /* of Signal */
} Recorder;

Recorder *recorder_new(Harness *h);
void recorder_free(Recorder *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Recorder, recorder_free)
/* Waits until the daemon has handled every message sent so far (a Ping
 * round trip), then lets the recorder see what it sent before. */
void recorder_sync(Recorder *r);
void recorder_clear(Recorder *r);
/* Signals whose member (and, when non-NULL, path) match. */
unsigned recorder_count(Recorder *r, const char *member, const char *path);

/* Manager.LastRefresh, and a wait until it is past `after` (a full rescan ran). */
guint64 harness_last_refresh(Harness *h);
gboolean harness_wait_refresh_after(Harness *h, guint64 after, unsigned timeout_ms);
/* How many recorded Manager PropertiesChanged carried `prop`. */
unsigned recorder_count_manager_property(Recorder *r, const char *prop);

/* The daemon as a process, from /proc. Asleep (state S): blocked waiting
 * for its sources with nothing pending, as its deferred work runs before it
 * sleeps. */
gboolean harness_daemon_idle(Harness *h);
/* Quiescent: asleep in epoll_wait() with nothing pending and none of its
 * timers (timerfds) armed, so with nothing scheduled at all: no devices
 * held until their uevents pause, no EventsProcessed announcement due, no
 * call to polkit waiting. */
gboolean harness_daemon_quiescent(Harness *h);
/* How many file descriptors it has open. */
unsigned harness_daemon_fd_count(Harness *h);
/* Waits until the daemon has `baseline` descriptors open again (peers are
 * freed on its next iteration); fails the test if it does not. */
void harness_assert_fds_back(Harness *h, unsigned baseline);
/* The daemon's descriptors once a first private socket peer has come and
 * gone (it sets up what every later peer shares): the count to come back to. */
unsigned harness_daemon_fd_baseline(Harness *h);

/* Lowers /proc/sys/fs/inotify/NAME to value and returns the old value, or
 * NULL when it cannot be written (not root). Until the restore, no other
 * test of the build tree starts a bus or a daemon (which would get the
 * limit too); this one may. */
char *harness_inotify_limit_lower(const char *name, const char *value);
void harness_inotify_limit_restore(const char *name, const char *old);
/* Its resident memory (VmRSS), in KiB. */
guint64 harness_daemon_rss_kib(Harness *h);

/* Spins the default main context until cond(data) or the timeout; returns
 * cond's last answer. The timeout is scaled by harness_timeout_ms(). */
gboolean harness_wait_until(gboolean (*cond)(gpointer), gpointer data, unsigned timeout_ms);

/* A deadline for an outcome, generous on an idle machine, scaled for a
 * slower daemon: `ms` times SRIOV_TEST_TIMEOUT_SCALE when that is set (a
 * number >= 1), else 10 under a valgrind SRIOV_MONITORD_WRAPPER, 3 under
 * any other wrapper (sanitizers), 1 without one. Tests wait for outcomes
 * with it; they never assert how long something took (that is make bench's). */
unsigned harness_timeout_ms(unsigned ms);
/* Waits (scaled) for the daemon to exit on its own; its wait status. Fails
 * the test rather than hang if it does not. */
int harness_wait_daemon_exit(Harness *h, unsigned timeout_ms);
