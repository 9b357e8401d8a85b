/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* Generous: under valgrind a start takes seconds (and is scaled). */
#define STARTUP_TIMEOUT_MS 60000
/* A method call, a Ping round trip, a daemon's exit on SIGTERM. */
#define CALL_TIMEOUT_MS 10000
#define EXIT_TIMEOUT_MS 30000

/* A test that aborts must not leave its bus and daemon behind. */
static void die_with_parent(gpointer unused) {
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static const char *env_or_die(const char *name) {
        const char *v = g_getenv(name);

        if (!v)
                g_error("%s is not set: run the tests through 'make check'", name);
        return v;
}

/* Processes we spawn get neither umockdev's preload nor its testbed, unless
 * they are the daemon. */
static char **clean_environ(const char *bus_address) {
        char **env = g_get_environ();

        env = g_environ_unsetenv(env, "LD_PRELOAD");
        env = g_environ_unsetenv(env, "UMOCKDEV_DIR");
        env = g_environ_unsetenv(env, "DBUS_SESSION_BUS_ADDRESS");
        if (bus_address)
                env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
        return env;
}

/* The demo's choice: dbus-daemon's own messages are not part of its output. */
static gboolean bus_quiet;

void harness_set_quiet_bus(gboolean quiet) {
        bus_quiet = quiet;
}

static void start_bus(Harness *h) {
        const char *argv[] = { env_or_die("DBUS_DAEMON"), "--nofork", "--print-address=1", NULL, NULL };
        g_autofree char *config = g_strdup_printf("--config-file=%s", env_or_die("TEST_BUS_CONFIG"));
        g_auto(GStrv) env = clean_environ(NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GIOChannel) ch = NULL;
        g_autofree char *line = NULL;
        int out_fd;

        argv[3] = config;
        if (!g_spawn_async_with_pipes(NULL, (char **) argv, env,
                                      G_SPAWN_DO_NOT_REAP_CHILD | (bus_quiet ? G_SPAWN_STDERR_TO_DEV_NULL : 0),
                                      die_with_parent, NULL, &h->bus_pid, NULL, &out_fd, NULL, &error))
                g_error("Cannot start dbus-daemon: %s", error->message);
        ch = g_io_channel_unix_new(out_fd);
        g_io_channel_set_close_on_unref(ch, TRUE);
        if (g_io_channel_read_line(ch, &line, NULL, NULL, &error) != G_IO_STATUS_NORMAL)
                g_error("dbus-daemon printed no address");
        h->bus_address = g_strstrip(g_steal_pointer(&line));

        h->conn = g_dbus_connection_new_for_address_sync(
                h->bus_address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                NULL, NULL, &error);
        if (!h->conn)
                g_error("Cannot connect to the private bus: %s", error->message);
        g_dbus_connection_set_exit_on_close(h->conn, FALSE);
}

/* Machine-wide inotify limits (fs.inotify.*) that some tests lower for a
 * moment apply to every process that creates an instance meanwhile: the
 * daemon and the bus of a test running beside it (make -j2 check). A lock
 * file shared by the build tree's tests: lowering takes it exclusively,
 * until the limit is back; starting a bus or a daemon takes it shared. */
#define INOTIFY_SYSCTL "/proc/sys/fs/inotify/"
static int limit_lock_fd = -1; /* held exclusively by this process */
/* What to write back if the test aborts meanwhile (g_error, a failed
 * assertion): a limit left at 0 would break every later test. */
static char limit_path[128], limit_old[32];

static void restore_limit_on_abort(int sig) {
        int fd = open(limit_path, O_WRONLY | O_CLOEXEC);

        if (fd >= 0) {
                (void) !write(fd, limit_old, strlen(limit_old));
                (void) close(fd);
        }
        signal(sig, SIG_DFL);
        raise(sig);
}

static int machine_lock(int operation) {
        const char *dir = g_getenv("abs_top_builddir");
        g_autofree char *path = g_build_filename(dir ? dir : g_get_tmp_dir(), "tests", "machine-limits.lock", NULL);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

        if (fd < 0) {
                g_free(path);
                path = g_build_filename(g_get_tmp_dir(), "sriov-monitor-machine-limits.lock", NULL);
                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        }
        g_assert_cmpint(fd, >=, 0);
        while (flock(fd, operation) < 0)
                g_assert_cmpint(errno, ==, EINTR);
        return fd;
}

/* Shared while a bus or a daemon starts; not needed (and it would wait for
 * itself) while this process holds it exclusively. */
static int machine_lock_shared(void) {
        return limit_lock_fd >= 0 ? -1 : machine_lock(LOCK_SH);
}

static void machine_unlock(int fd) {
        if (fd >= 0)
                (void) close(fd);
}

/* /proc files take one write(), not GLib's write-and-rename. */
static gboolean sysctl_write(const char *name, const char *value) {
        g_autofree char *path = g_strconcat(INOTIFY_SYSCTL, name, NULL);
        FILE *f = fopen(path, "we");
        gboolean ok;

        if (!f)
                return FALSE;
        ok = fputs(value, f) >= 0;
        return fclose(f) == 0 && ok;
}

char *harness_inotify_limit_lower(const char *name, const char *value) {
        g_autofree char *path = g_strconcat(INOTIFY_SYSCTL, name, NULL);
        g_autofree char *old = NULL;

        g_assert_cmpint(limit_lock_fd, <, 0);
        limit_lock_fd = machine_lock(LOCK_EX);
        if (!g_file_get_contents(path, &old, NULL, NULL) || !sysctl_write(name, value)) {
                machine_unlock(limit_lock_fd);
                limit_lock_fd = -1;
                return NULL;
        }
        g_strstrip(old);
        g_assert_cmpuint(strlen(path), <, sizeof(limit_path));
        g_assert_cmpuint(strlen(old), <, sizeof(limit_old));
        strcpy(limit_path, path);
        strcpy(limit_old, old);
        signal(SIGABRT, restore_limit_on_abort);
        return g_steal_pointer(&old);
}

void harness_inotify_limit_restore(const char *name, const char *old) {
        g_assert_cmpint(limit_lock_fd, >=, 0);
        g_assert_true(sysctl_write(name, old));
        signal(SIGABRT, SIG_DFL);
        machine_unlock(limit_lock_fd);
        limit_lock_fd = -1;
}

Harness *harness_new(void) {
        Harness *h = g_new0(Harness, 1);
        int lock;

        h->sim = sim_new();
        sim_set_listener_timeout(h->sim, harness_timeout_ms(10000));
        lock = machine_lock_shared();
        start_bus(h);
        machine_unlock(lock);
        h->private_dir = g_dir_make_tmp("sriov-monitor-XXXXXX", NULL);
        g_assert_nonnull(h->private_dir);
        /* Like /run/sriov-monitor: other users reach the socket. */
        g_assert_cmpint(chmod(h->private_dir, 0755), ==, 0);
        h->private_socket = g_build_filename(h->private_dir, "private", NULL);
        h->daemon_log = g_build_filename(h->private_dir, "daemon.log", NULL);
        return h;
}

static void kill_and_reap(GPid *pid) {
        if (*pid <= 0)
                return;
        (void) kill(*pid, SIGKILL);
        (void) waitpid(*pid, NULL, 0);
        g_spawn_close_pid(*pid);
        *pid = 0;
}

/* SIGTERM: dbus-daemon removes its socket (unix:tmpdir=/tmp) as it exits;
 * SIGKILL would leave a /tmp/dbus-XXXX behind per run. SIGKILL only when it
 * does not exit, and then the socket goes by hand. */
static void stop_bus(Harness *h) {
        gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
        const char *path;

        if (h->bus_pid > 0) {
                (void) kill(h->bus_pid, SIGTERM);
                while (waitpid(h->bus_pid, NULL, WNOHANG) == 0) {
                        if (g_get_monotonic_time() > deadline) {
                                kill_and_reap(&h->bus_pid);
                                break;
                        }
                        g_usleep(2000);
                }
                if (h->bus_pid > 0)
                        g_spawn_close_pid(h->bus_pid);
                h->bus_pid = 0;
        }
        path = h->bus_address ? strstr(h->bus_address, "unix:path=") : NULL;
        if (path) {
                g_autofree char *socket = g_strndup(path + strlen("unix:path="),
                                                    strcspn(path + strlen("unix:path="), ",;"));
                (void) unlink(socket);
        }
}

void harness_free(Harness *h) {
        if (!h)
                return;
        if (h->daemon_pid > 0)
                harness_stop_daemon(h);
        if (h->conn) {
                g_dbus_connection_close_sync(h->conn, NULL, NULL);
                g_object_unref(h->conn);
        }
        stop_bus(h);
        (void) unlink(h->private_socket);
        (void) unlink(h->daemon_log);
        for (guint i = 0; h->copies && i < h->copies->len; i++)
                (void) unlink(g_ptr_array_index(h->copies, i));
        g_clear_pointer(&h->copies, g_ptr_array_unref);
        (void) rmdir(h->private_dir);
        g_free(h->daemon_log);
        g_free(h->private_socket);
        g_free(h->private_dir);
        g_free(h->bus_address);
        sim_free(h->sim);
        g_free(h);
}

const char *harness_copy_for_anyone(Harness *h, const char *path) {
        g_autofree char *base = g_path_get_basename(path), *text = NULL;
        char *copy = g_strdup_printf("%s/%u-%s", h->private_dir, h->copies ? h->copies->len : 0, base);
        gsize len;

        g_assert_true(g_file_get_contents(path, &text, &len, NULL));
        g_assert_true(g_file_set_contents(copy, text, (gssize) len, NULL));
        g_assert_cmpint(chmod(copy, 0755), ==, 0);
        if (!h->copies)
                h->copies = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(h->copies, copy);
        return copy;
}

char *harness_daemon_log(Harness *h) {
        char *log = NULL;

        g_assert_true(h->capture_log);
        if (!g_file_get_contents(h->daemon_log, &log, NULL, NULL))
                return g_strdup("");
        return log;
}

char *harness_socket_address(Harness *h) {
        return g_strconcat("unix:path=", h->private_socket, NULL);
}

GDBusConnection *harness_connect_peer(Harness *h) {
        g_autofree char *address = harness_socket_address(h);
        g_autoptr(GError) error = NULL;
        GDBusConnection *c = g_dbus_connection_new_for_address_sync(
                address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
        g_autoptr(GVariant) pong = NULL;

        g_assert_no_error(error);
        g_dbus_connection_set_exit_on_close(c, FALSE);
        /* A peer gets signals from its first message on (a bus client's
         * Hello): speak once, so every signal from here on reaches it. */
        pong = g_dbus_connection_call_sync(c, NULL, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                           G_DBUS_CALL_FLAGS_NONE, (int) harness_timeout_ms(10000), NULL, &error);
        g_assert_no_error(error);
        return c;
}

gboolean harness_name_has_owner(Harness *h, const char *name) {
        g_autoptr(GVariant) r = g_dbus_connection_call_sync(
                h->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        gboolean owned = FALSE;

        if (r)
                g_variant_get(r, "(b)", &owned);
        return owned;
}

void harness_start_daemon(Harness *h, const char *const *args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;
        gint64 deadline;

        g_assert_cmpint(h->daemon_pid, ==, 0);
        g_autofree char *socket_arg = g_strconcat("--private-socket=", h->private_socket, NULL);
        g_auto(GStrv) wrapper = NULL;
        gboolean own_socket = FALSE, own_grace = FALSE, own_owner_interval = FALSE;
        int log_fd, lock;

        /* e.g. valgrind, whose report then fails the daemon's exit status. */
        if (g_getenv("SRIOV_MONITORD_WRAPPER") &&
            !g_shell_parse_argv(g_getenv("SRIOV_MONITORD_WRAPPER"), NULL, &wrapper, &error))
                g_error("Bad SRIOV_MONITORD_WRAPPER: %s", error->message);
        for (char **w = wrapper; w && *w; w++)
                g_ptr_array_add(argv, *w);
        g_ptr_array_add(argv, (char *) env_or_die("SRIOV_MONITORD"));
        /* Parallel tests must not share the default socket; an explicit one wins. */
        g_ptr_array_add(argv, socket_arg);
        for (; args && *args; args++) {
                own_socket |= g_str_has_prefix(*args, "--private-socket");
                own_grace |= g_str_has_prefix(*args, "--driverless-grace");
                own_owner_interval |= g_str_has_prefix(*args, "--owner-scan-interval");
                g_ptr_array_add(argv, (char *) *args);
        }
        /* The demo host's unbound VF would become a driverless hazard 10 s
         * after start, a signal and a timer the tests written before hazards
         * do not expect at a moment that depends on the machine's speed:
         * off, unless a test asks (test-fleet). */
        if (!own_grace)
                g_ptr_array_add(argv, (char *) "--driverless-grace=0");
        /* The periodic look at who holds VFs on VFIO (issue 16) arms a timer
         * while some VF is on VFIO, as the demo host's is; the tests that
         * check that nothing is scheduled mean everything else. test-owner
         * and the benches ask for it. */
        if (!own_owner_interval)
                g_ptr_array_add(argv, (char *) "--owner-scan-interval=0");
        g_ptr_array_add(argv, NULL);

        /* The daemon reads the testbed through umockdev's preload, which it
         * inherits; UMOCKDEV_DIR points it at our testbed. */
        if (h->real_host) {
                env = g_environ_unsetenv(env, "LD_PRELOAD");
                env = g_environ_unsetenv(env, "UMOCKDEV_DIR");
        } else
                env = g_environ_setenv(env, "UMOCKDEV_DIR", sim_root(h->sim), TRUE);
        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, TRUE);
        if (h->notify_socket)
                env = g_environ_setenv(env, "NOTIFY_SOCKET", h->notify_socket, TRUE);
        log_fd = h->capture_log ? open(h->daemon_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
        g_assert_true(!h->capture_log || log_fd >= 0);
        lock = machine_lock_shared();
        if (!g_spawn_async_with_fds(NULL, (char **) argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                    die_with_parent, NULL, &h->daemon_pid, -1, -1, log_fd, &error))
                g_error("Cannot start sriov-monitord: %s", error->message);
        if (log_fd >= 0)
                (void) close(log_fd);

        deadline = g_get_monotonic_time() + harness_timeout_ms(STARTUP_TIMEOUT_MS) * 1000LL;
        /* Up means: the name is owned and, unless the test chose its own,
         * the private socket is served (it comes right after the name). */
        while (!harness_name_has_owner(h, BUS_NAME) ||
               (!own_socket && !g_file_test(h->private_socket, G_FILE_TEST_EXISTS))) {
                int status;

                if (waitpid(h->daemon_pid, &status, WNOHANG) == h->daemon_pid)
                        g_error("sriov-monitord exited during start-up (status %d)", status);
                if (g_get_monotonic_time() > deadline)
                        g_error("sriov-monitord did not take its bus name in time");
                g_usleep(5000);
        }
        machine_unlock(lock);
}

int harness_wait_daemon_exit(Harness *h, unsigned timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + harness_timeout_ms(timeout_ms) * 1000LL;
        int status = 0;
        pid_t r;

        g_assert_cmpint(h->daemon_pid, >, 0);
        /* Polled, so that a daemon that hangs fails the test instead. */
        while ((r = waitpid(h->daemon_pid, &status, WNOHANG)) == 0) {
                if (g_get_monotonic_time() > deadline) {
                        kill_and_reap(&h->daemon_pid);
                        g_error("sriov-monitord did not exit within %u ms", harness_timeout_ms(timeout_ms));
                }
                g_usleep(10 * 1000);
        }
        g_assert_cmpint(r, ==, h->daemon_pid);
        g_spawn_close_pid(h->daemon_pid);
        h->daemon_pid = 0;
        return status;
}

void harness_stop_daemon(Harness *h) {
        int status;

        g_assert_cmpint(h->daemon_pid, >, 0);
        g_assert_cmpint(kill(h->daemon_pid, SIGTERM), ==, 0);
        status = harness_wait_daemon_exit(h, EXIT_TIMEOUT_MS);
        /* A crash or a non-zero exit fails the test that stopped it. */
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

char **harness_client_environ(Harness *h) {
        return clean_environ(h->bus_address);
}

int harness_run(Harness *h, const char *const *argv, char **out, char **err) {
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status, &error))
                g_error("Cannot run %s: %s", argv[0], error->message);
        g_assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

GVariant *harness_call(Harness *h, const char *path, const char *iface, const char *method, GVariant *params,
                       GError **error) {
        return g_dbus_connection_call_sync(h->conn, BUS_NAME, path, iface, method, params, NULL,
                                           G_DBUS_CALL_FLAGS_NONE, (int) harness_timeout_ms(CALL_TIMEOUT_MS), NULL,
                                           error);
}

GVariant *harness_get(Harness *h, const char *path, const char *iface, const char *prop) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, path, "org.freedesktop.DBus.Properties", "Get",
                                             g_variant_new("(ss)", iface, prop), &error);
        GVariant *v;

        g_assert_no_error(error);
        g_variant_get(r, "(v)", &v);
        return v;
}

char *harness_device_path(const char *address) {
        char *p = g_strdup_printf("/org/sriov/Monitor1/Device/pci_%s", address);

        for (char *c = p + strlen("/org/sriov/Monitor1/Device/pci_"); *c; c++)
                if (*c == ':' || *c == '.')
                        *c = '_';
        return p;
}

gboolean harness_daemon_idle(Harness *h) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) h->daemon_pid);
        g_autofree char *stat = NULL;
        const char *end;

        g_assert_cmpint(h->daemon_pid, >, 0);
        g_assert_true(g_file_get_contents(path, &stat, NULL, NULL));
        /* "pid (comm) S ...": comm may hold anything but the last ')'. */
        end = strrchr(stat, ')');
        g_assert_nonnull(end);
        return end[1] == ' ' && end[2] == 'S';
}

/* Whether any of the daemon's timerfds (sd-event's timers) is armed. */
static gboolean daemon_timer_armed(Harness *h) {
        g_autofree char *dir = g_strdup_printf("/proc/%d/fdinfo", (int) h->daemon_pid);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        g_assert_nonnull(d);
        while ((name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                g_autofree char *info = NULL;
                const char *value;

                if (!g_file_get_contents(path, &info, NULL, NULL))
                        continue;
                value = strstr(info, "\nit_value: ");
                if (value && !g_str_has_prefix(value, "\nit_value: (0, 0)"))
                        return TRUE;
        }
        return FALSE;
}

gboolean harness_daemon_quiescent(Harness *h) {
        g_autofree char *path = g_strdup_printf("/proc/%d/syscall", (int) h->daemon_pid);
        g_autofree char *text = NULL;
        g_auto(GStrv) f = NULL;
        long nr;

        g_assert_cmpint(h->daemon_pid, >, 0);
        /* Asleep first: woken for events that came (or stopped and
         * continued), it is runnable while still "in" epoll_wait(). */
        if (!harness_daemon_idle(h))
                return FALSE;
        /* "running", or "nr arg1 ... arg6 sp pc" while in a system call. */
        if (!g_file_get_contents(path, &text, NULL, NULL))
                return FALSE;
        f = g_strsplit(g_strstrip(text), " ", -1);
        if (g_strv_length(f) < 5)
                return FALSE;
        nr = strtol(f[0], NULL, 10);
        /* sd-event waits with epoll_wait(..., -1) when nothing is pending;
         * its timers are timerfds, armed while one is due. */
#ifdef SYS_epoll_wait
        if (nr != SYS_epoll_wait && nr != SYS_epoll_pwait)
#else
        if (nr != SYS_epoll_pwait)
#endif
                return FALSE;
        if (!g_str_equal(f[4], "0xffffffffffffffff") && !g_str_equal(f[4], "0xffffffff"))
                return FALSE;
        return !daemon_timer_armed(h);
}

unsigned harness_daemon_fd_count(Harness *h) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) h->daemon_pid);
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        unsigned n = 0;

        g_assert_nonnull(dir);
        while (g_dir_read_name(dir))
                n++;
        return n;
}

typedef struct {
        Harness *h;
        unsigned want;
} FdWait;

static gboolean fds_back(gpointer p) {
        FdWait *w = p;

        return harness_daemon_fd_count(w->h) == w->want;
}

void harness_assert_fds_back(Harness *h, unsigned baseline) {
        FdWait w = { h, baseline };

        if (!harness_wait_until(fds_back, &w, 20000))
                g_error("the daemon has %u file descriptors open, %u before", harness_daemon_fd_count(h), baseline);
}

unsigned harness_daemon_fd_baseline(Harness *h) {
        unsigned before = harness_daemon_fd_count(h);
        g_autoptr(GDBusConnection) first = harness_connect_peer(h);

        /* Closed, not only unreferenced: GDBus's worker thread may hold the
         * connection a while longer, and the daemon counts its end until it
         * sees the hang-up. Counting before that raced (10 after, 11 before). */
        g_assert_true(g_dbus_connection_close_sync(first, NULL, NULL));
        harness_assert_fds_back(h, before);
        return before;
}

guint64 harness_daemon_rss_kib(Harness *h) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) h->daemon_pid);
        g_autofree char *status = NULL;
        const char *line;

        g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
        line = strstr(status, "\nVmRSS:");
        g_assert_nonnull(line);
        return g_ascii_strtoull(line + strlen("\nVmRSS:"), NULL, 10);
}

unsigned harness_timeout_ms(unsigned ms) {
        static double factor;

        if (factor == 0) {
                const char *scale = g_getenv("SRIOV_TEST_TIMEOUT_SCALE");
                const char *wrapper = g_getenv("SRIOV_MONITORD_WRAPPER");

                if (scale && *scale) {
                        factor = g_ascii_strtod(scale, NULL);
                        if (!(factor >= 1 && factor <= 1000))
                                g_error("SRIOV_TEST_TIMEOUT_SCALE=%s: expected a number from 1 to 1000", scale);
                } else if (wrapper && strstr(wrapper, "valgrind"))
                        factor = 10;
                else if (wrapper && *wrapper)
                        factor = 3;
                else
                        factor = 1;
        }
        return (unsigned) MIN(ms * factor, 24.0 * 3600 * 1000);
}

gboolean harness_wait_until(gboolean (*cond)(gpointer), gpointer data, unsigned timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + harness_timeout_ms(timeout_ms) * 1000LL;

        while (!cond(data)) {
                if (g_get_monotonic_time() > deadline)
                        return cond(data);
                g_main_context_iteration(NULL, FALSE);
                g_usleep(1000);
        }
        return TRUE;
}

static void signal_free(gpointer p) {
        Signal *s = p;

        g_free(s->path);
        g_free(s->iface);
        g_free(s->member);
        g_variant_unref(s->params);
        g_free(s);
}

static void on_signal(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
                      const char *member, GVariant *params, gpointer userdata) {
        Recorder *r = userdata;
        Signal *s = g_new0(Signal, 1);

        s->path = g_strdup(path);
        s->iface = g_strdup(iface);
        s->member = g_strdup(member);
        s->params = g_variant_ref(params);
        g_ptr_array_add(r->signals, s);
}

Recorder *recorder_new(Harness *h) {
        Recorder *r = g_new0(Recorder, 1);

        r->conn = g_object_ref(h->conn);
        r->signals = g_ptr_array_new_with_free_func(signal_free);
        r->subscription = g_dbus_connection_signal_subscribe(h->conn, BUS_NAME, NULL, NULL, NULL, NULL,
                                                             G_DBUS_SIGNAL_FLAGS_NONE, on_signal, r, NULL);
        /* The match rule must be in place before anything happens. */
        recorder_sync(r);
        return r;
}

void recorder_free(Recorder *r) {
        if (!r)
                return;
        g_dbus_connection_signal_unsubscribe(r->conn, r->subscription);
        g_ptr_array_unref(r->signals);
        g_object_unref(r->conn);
        g_free(r);
}

static void on_ping_done(GObject *source, GAsyncResult *res, gpointer userdata) {
        g_autoptr(GVariant) v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, NULL);

        *(gboolean *) userdata = TRUE;
}

static gboolean is_true(gpointer p) {
        return *(gboolean *) p;
}

void recorder_sync(Recorder *r) {
        gboolean done = FALSE;

        /* Signals sent before the reply arrive before it, on the same connection. */
        g_dbus_connection_call(r->conn, BUS_NAME, "/", "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                               G_DBUS_CALL_FLAGS_NONE, (int) harness_timeout_ms(CALL_TIMEOUT_MS), NULL, on_ping_done,
                               &done);
        g_assert_true(harness_wait_until(is_true, &done, CALL_TIMEOUT_MS));
        /* Let queued signal callbacks run. */
        while (g_main_context_iteration(NULL, FALSE))
                ;
}

void recorder_clear(Recorder *r) {
        g_ptr_array_set_size(r->signals, 0);
}

unsigned recorder_count(Recorder *r, const char *member, const char *path) {
        unsigned n = 0;

        for (guint i = 0; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);

                if (g_str_equal(s->member, member) && (!path || g_str_equal(s->path, path)))
                        n++;
        }
        return n;
}

guint64 harness_last_refresh(Harness *h) {
        g_autoptr(GVariant) v = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");

        return g_variant_get_uint64(v);
}

typedef struct {
        Harness *h;
        guint64 after;
} RefreshWait;

static gboolean refreshed_after(gpointer p) {
        RefreshWait *w = p;

        return harness_last_refresh(w->h) > w->after;
}

gboolean harness_wait_refresh_after(Harness *h, guint64 after, unsigned timeout_ms) {
        RefreshWait w = { h, after };

        return harness_wait_until(refreshed_after, &w, timeout_ms);
}

unsigned recorder_count_manager_property(Recorder *r, const char *prop) {
        unsigned n = 0;

        for (guint i = 0; i < r->signals->len; i++) {
                Signal *s = g_ptr_array_index(r->signals, i);
                g_autoptr(GVariant) changed = NULL;
                g_autoptr(GVariant) value = NULL;

                if (!g_str_equal(s->member, "PropertiesChanged") || !g_str_equal(s->path, MANAGER_PATH))
                        continue;
                g_variant_get(s->params, "(&s@a{sv}@as)", NULL, &changed, NULL);
                value = g_variant_lookup_value(changed, prop, NULL);
                n += value != NULL;
        }
        return n;
}
