/* SPDX-License-Identifier: MIT */
/* libvirtd and its virsh clients for bench-libvirt (issue 14): started,
 * watched and stopped; see bench-libvirt.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-host.h"
#include "libvirt-peer.h"

PeerConfig peer_config = {
        .libvirtd = "/usr/sbin/libvirtd",
        .virsh = "/usr/bin/virsh",
        .driver = "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_nodedev.so",
};


/* libvirtd and virsh do not outlive a benchmark that aborts. */
static void die_with_parent(gpointer userdata) {
        (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static char *which(const char *path) {
        return path && g_file_test(path, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup(path) : NULL;
}

/* Why libvirt cannot be measured here, or NULL. */
const char *peer_missing(void) {
        g_autofree char *d = which(peer_config.libvirtd), *v = which(peer_config.virsh);

        if (peer_config.no_libvirt)
                return "--no-libvirt";
        if (!d || !v)
                return "libvirtd or virsh not installed (Debian: libvirt-daemon, libvirt-clients)";
        if (!g_file_test(peer_config.driver, G_FILE_TEST_EXISTS))
                return "libvirt's nodedev driver module not found";
        if (!peer_config.shim || !g_file_test(peer_config.shim, G_FILE_TEST_EXISTS))
                return "bench/libvirt-shim.so not built";
        if (geteuid() != 0)
                return "not root (libvirtd runs in a mount namespace of its own)";
        return NULL;
}

static void write_file(const char *path, const char *text) {
        g_autoptr(GError) error = NULL;

        if (!g_file_set_contents(path, text, -1, &error))
                g_error("bench: %s", error->message);
}

void peer_start(Peer *p, Harness *h) {
        g_autofree char *conf = NULL, *drivers = NULL, *link = NULL, *run = NULL, *preload = NULL, *log = NULL;
        g_autofree char *script = NULL;
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;
        const char *argv[16];
        int n = 0, logfd;

        if (!peer_config.workdir)
                peer_config.workdir = g_dir_make_tmp("bench-libvirt-XXXXXX", NULL);
        p->dir = g_strdup(peer_config.workdir);
        drivers = g_build_filename(p->dir, "drivers", NULL);
        run = g_build_filename(p->dir, "run", NULL);
        conf = g_build_filename(p->dir, "libvirtd.conf", NULL);
        link = g_build_filename(drivers, "libvirt_driver_nodedev.so", NULL);
        log = g_build_filename(p->dir, "libvirtd.log", NULL);
        (void) g_mkdir_with_parents(drivers, 0755);
        (void) g_mkdir_with_parents(run, 0755);
        (void) unlink(link);
        if (symlink(peer_config.driver, link) < 0)
                g_error("bench: symlink %s: %s", link, g_strerror(errno));
        write_file(conf, g_strdup_printf("unix_sock_dir = \"%s\"\nauth_unix_ro = \"none\"\nauth_unix_rw = \"none\"\n"
                                         "log_outputs = \"3:stderr\"\nmax_clients = 100\n", run));
        p->uri = g_strdup_printf("nodedev:///system?socket=%s/libvirt-sock", run);

        preload = g_strdup_printf("%s%s%s", peer_config.shim, g_getenv("LD_PRELOAD") ? ":" : "",
                                  g_getenv("LD_PRELOAD") ?: "");
        env = g_environ_setenv(env, "LD_PRELOAD", preload, TRUE);
        env = g_environ_setenv(env, "LIBVIRT_DRIVER_DIR", drivers, TRUE);
        /* A tmpfs on /run and /var/lib/libvirt, in a mount namespace of its own. */
        script = g_strdup("mount -t tmpfs tmpfs /run && mkdir -p /var/lib/libvirt && "
                          "mount -t tmpfs tmpfs /var/lib/libvirt && exec \"$@\"");
        argv[n++] = "unshare";
        argv[n++] = "-m";
        argv[n++] = "--propagation";
        argv[n++] = "private";
        argv[n++] = "sh";
        argv[n++] = "-c";
        argv[n++] = script;
        argv[n++] = "sh";
        argv[n++] = peer_config.libvirtd;
        argv[n++] = "--config";
        argv[n++] = conf;
        argv[n++] = "--pid-file";
        argv[n++] = g_build_filename(p->dir, "libvirtd.pid", NULL);
        argv[n] = NULL;
        logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (!g_spawn_async_with_pipes_and_fds(NULL, argv, (const char *const *) env, G_SPAWN_DO_NOT_REAP_CHILD |
                                              G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                                              die_with_parent, NULL, -1, -1, logfd, NULL, NULL, 0, &p->pid, NULL,
                                              NULL, NULL, &error))
                g_error("bench: cannot start libvirtd: %s", error->message);
        close(logfd);
        p->up = TRUE;
}

/* virsh as a client of libvirtd: not under umockdev. */
static int virsh_run(Harness *h, Peer *p, const char *cmd, const char *arg, char **out) {
        const char *argv[] = { peer_config.virsh, "-q", "-c", p->uri, cmd, arg, NULL };
        g_auto(GStrv) env = harness_client_environ(h);
        int status = -1;

        if (!g_spawn_sync(NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, out, NULL, &status,
                          NULL))
                return -1;
        return status;
}

/* Its nodedev names of PCI functions (virsh nodedev-list --cap pci), or -1. */
int peer_count_pci(Harness *h, Peer *p) {
        g_autofree char *out = NULL;
        int n = 0;

        if (virsh_run(h, p, "nodedev-list", "--cap=pci", &out) != 0 || !out)
                return -1;
        for (char *s = out; (s = strstr(s, "pci_")); s++)
                n++;
        return n;
}

typedef struct Reader {
        int fd;
        PeerLine on_line;
} Reader;

/* "event 'lifecycle' for node device pci_0000_10_00_1: Created" ->
 * "lifecycle pci_0000_10_00_1 Created". */
static gpointer read_virsh(gpointer data) {
        Reader *reader = data;
        FILE *f = fdopen(reader->fd, "r");
        char *line = NULL;
        size_t size = 0;

        while (f && getline(&line, &size, f) > 0) {
                gint64 ns = bench_now_ns();
                char kind[32], name[256], rest[64] = "";

                if (sscanf(line, "event '%31[^']' for node device %255[^:\n]: %63s", kind, name, rest) < 2 &&
                    sscanf(line, "event '%31[^']' for node device %255s", kind, name) < 2)
                        continue;
                reader->on_line(ns, g_strdup_printf("%s %s%s%s", kind, name, rest[0] ? " " : "", rest));
        }
        free(line);
        if (f)
                fclose(f);
        g_free(reader);
        return NULL;
}

void peer_watch(Peer *p, Harness *h, PeerLine on_line) {
        static const char *const events[] = { "lifecycle", "update" };
        g_auto(GStrv) env = harness_client_environ(h);
        Reader *reader;

        for (int i = 0; i < 2; i++) {
                /* Line-buffered through a pipe: each event reaches us as printed. */
                const char *argv[] = { "stdbuf", "-oL", peer_config.virsh, "-q", "-c", p->uri, "nodedev-event", "--loop",
                                       "--event", events[i], NULL };
                g_autoptr(GError) error = NULL;

                if (!g_spawn_async_with_pipes(NULL, (char **) argv, env, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                              G_SPAWN_STDERR_TO_DEV_NULL, die_with_parent, NULL, &p->watchers[i], NULL,
                                              &p->fds[i], NULL, &error))
                        g_error("bench: cannot start virsh nodedev-event: %s", error->message);
                reader = g_new0(Reader, 1);
                *reader = (Reader) { p->fds[i], on_line };
                p->readers[i] = g_thread_new("virsh", read_virsh, reader);
        }
}

void peer_stop(Peer *p) {
        for (int i = 0; i < 2; i++)
                if (p->watchers[i] > 0) {
                        (void) kill(p->watchers[i], SIGTERM);
                        (void) waitpid(p->watchers[i], NULL, 0);
                        g_thread_join(p->readers[i]);
                }
        if (p->pid > 0) {
                (void) kill(p->pid, SIGTERM);
                (void) waitpid(p->pid, NULL, 0);
        }
        g_free(p->uri);
        g_free(p->dir);
        *p = (Peer) {};
}

/* utime+stime (ms) and VmRSS (KiB) of a process. */
double proc_cpu_ms(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid), *text = NULL;
        unsigned long long ut, st;
        const char *s;

        if (!g_file_get_contents(path, &text, NULL, NULL) || !(s = strrchr(text, ')')) ||
            sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
                return -1;
        return (double) (ut + st) * 1000.0 / (double) sysconf(_SC_CLK_TCK);
}

long proc_status_kib(GPid pid, const char *field) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid), *text = NULL;
        const char *s;

        if (!g_file_get_contents(path, &text, NULL, NULL) || !(s = strstr(text, field)))
                return -1;
        return strtol(s + strlen(field) + 1, NULL, 10);
}
