/* SPDX-License-Identifier: MIT */
/*
 * The fleet interfaces of the running daemon: the Prometheus metrics file
 * (checked by promtool and scraped through Debian's real node_exporter),
 * the NFD feature file and the Hazards property (the journal entries are
 * test-journal's).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live-checks.h"

#define CX6_PF "0000:3b:00.0"
#define PROMTOOL "/usr/bin/promtool"
#define NODE_EXPORTER "/usr/bin/prometheus-node-exporter"
/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 20000

typedef struct Fleet {
        Harness *h;
        char *dir;
        char *metrics, *features;
} Fleet;

static Fleet *fleet_start(const char *const *extra) {
        Fleet *f = g_new0(Fleet, 1);
        g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);

        f->h = harness_new();
        sim_build_demo_host(f->h->sim);
        f->dir = g_dir_make_tmp("sriov-fleet-XXXXXX", NULL);
        g_assert_nonnull(f->dir);
        g_assert_cmpint(chmod(f->dir, 0755), ==, 0);
        f->metrics = g_build_filename(f->dir, "sriov-monitor.prom", NULL);
        f->features = g_build_filename(f->dir, "sriov-monitor", NULL);
        g_ptr_array_add(args, g_strconcat("--metrics-file=", f->metrics, NULL));
        g_ptr_array_add(args, g_strconcat("--features-file=", f->features, NULL));
        for (; extra && *extra; extra++)
                g_ptr_array_add(args, g_strdup(*extra));
        g_ptr_array_add(args, NULL);
        harness_start_daemon(f->h, (const char *const *) args->pdata);
        return f;
}

static void fleet_free(Fleet *f) {
        g_autoptr(GDir) d = NULL;
        const char *name;

        harness_free(f->h);
        d = g_dir_open(f->dir, 0, NULL);
        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *p = g_build_filename(f->dir, name, NULL);
                (void) unlink(p);
        }
        (void) rmdir(f->dir);
        g_free(f->metrics);
        g_free(f->features);
        g_free(f->dir);
        g_free(f);
}

static char *read_file(const char *path) {
        char *text = NULL;

        return g_file_get_contents(path, &text, NULL, NULL) ? text : NULL;
}

typedef struct FileWait {
        const char *path;
        const char *line;
} FileWait;

static gboolean file_has_line(gpointer p) {
        FileWait *w = p;
        g_autofree char *text = read_file(w->path);
        g_autofree char *needle = g_strconcat("\n", w->line, "\n", NULL);

        return text && (g_str_has_prefix(text, needle + 1) || strstr(text, needle));
}

static void wait_file_line(const char *path, const char *line) {
        FileWait w = { path, line };

        if (!harness_wait_until(file_has_line, &w, WAIT_MS)) {
                g_autofree char *text = read_file(path);
                g_error("%s has no line '%s'; it has:\n%s", path, line, text ?: "(nothing)");
        }
}

/* The value of a series ("name{labels}") in a metrics text, or -1. */
static double sample_value(const char *text, const char *series) {
        g_autofree char *needle = g_strconcat("\n", series, " ", NULL);
        const char *p = text ? strstr(text, needle) : NULL;

        if (!p && text && g_str_has_prefix(text, needle + 1))
                p = text - 1;
        return p ? g_ascii_strtod(p + strlen(needle), NULL) : -1;
}

typedef struct AtLeast {
        const char *path;
        guint16 port;
        const char *series;
        double min;
        char *last;
} AtLeast;

static char *scrape(guint16 port);

static gboolean at_least(gpointer p) {
        AtLeast *w = p;

        g_free(w->last);
        w->last = w->path ? read_file(w->path) : scrape(w->port);
        return sample_value(w->last, w->series) >= w->min;
}

/* Waits until a series is at least min: how many DeviceEvents a rebind is
 * depends on whether its unbind and bind came within one settling window,
 * which depends on the machine's speed. From the file at path, or (path
 * NULL) from node_exporter on port. */
static void wait_at_least(const char *path, guint16 port, const char *series, double min) {
        AtLeast w = { path, port, series, min, NULL };

        if (!harness_wait_until(at_least, &w, WAIT_MS))
                g_error("%s is not at least %g; last read:\n%s", series, min, w.last ?: "(nothing)");
        g_free(w.last);
}

/* promtool check metrics: exit 0 and not a word (no lint complaint either). */
static void assert_promtool_clean(const char *path) {
        g_autofree char *text = read_file(path), *out = NULL, *err = NULL;
        g_autofree char *cmd = g_strdup_printf("sh -c '%s check metrics <\"%s\"'", PROMTOOL, path);
        int status = 0;

        if (!g_file_test(PROMTOOL, G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_message("promtool is not installed (package prometheus): not checked");
                return;
        }
        g_assert_nonnull(text);
        g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
        if (!g_spawn_check_wait_status(status, NULL) || *out || *err)
                g_error("promtool check metrics on %s: status %d\n%s%s\nthe file:\n%s", path, status, out, err, text);
}

/* The hidden temporary files are all renamed: the directory holds our two files only. */
static void assert_no_leftovers(Fleet *f) {
        g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
        const char *name;
        unsigned n = 0;

        while ((name = g_dir_read_name(d))) {
                g_assert_true(g_str_equal(name, "sriov-monitor.prom") || g_str_equal(name, "sriov-monitor"));
                n++;
        }
        g_assert_cmpuint(n, ==, 2);
}

static void test_files_follow_the_host(void) {
        const char *args[] = { "--metrics-per-vf", NULL };
        Fleet *f = fleet_start(args);
        const char *vf0 = sim_vf_address(f->h->sim, CX6_PF, 0);
        g_autofree char *vf0_info = NULL;
        struct stat st;

        /* At start. */
        wait_file_line(f->metrics, "sriov_monitor_pf_vfs{pci_address=\"" CX6_PF "\",mode=\"vfio\"} 1");
        wait_file_line(f->metrics, "sriov_monitor_pf_vfs_max{pci_address=\"" CX6_PF "\"} 8");
        wait_file_line(f->metrics, "sriov_monitor_degraded 0");
        wait_file_line(f->features, "sriov.monitor/pfs=4");
        wait_file_line(f->features, "sriov.monitor/vfs-vfio=1");
        /* Nothing holds the simulated VF on VFIO: it is free. */
        wait_file_line(f->features, "sriov.monitor/vfs-vfio-free=1");
        wait_file_line(f->features, "sriov.monitor/driver-mlx5_core=true");
        assert_promtool_clean(f->metrics);
        g_assert_cmpint(stat(f->metrics, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0644);

        /* A live change: a net VF goes to vfio-pci. */
        sim_rebind_vf(f->h->sim, vf0, SIM_VF_VFIO, NULL);
        wait_file_line(f->metrics, "sriov_monitor_pf_vfs{pci_address=\"" CX6_PF "\",mode=\"vfio\"} 2");
        wait_file_line(f->metrics, "sriov_monitor_pf_vfs{pci_address=\"" CX6_PF "\",mode=\"net\"} 1");
        vf0_info = g_strdup_printf("sriov_monitor_vf_info{pci_address=\"%s\",pf=\"" CX6_PF "\",device=\"\","
                                   "driver=\"vfio-pci\",mode=\"vfio\",owner=\"\"} 1", vf0);
        wait_file_line(f->metrics, vf0_info);
        wait_at_least(f->metrics, 0, "sriov_monitor_events_total{type=\"driver\"}", 1);
        wait_at_least(f->metrics, 0, "sriov_monitor_events_total{type=\"interface\"}", 1);
        wait_file_line(f->features, "sriov.monitor/vfs-vfio=2");
        wait_file_line(f->features, "sriov.monitor/vfs-vfio-free=2");
        assert_promtool_clean(f->metrics);
        assert_no_leftovers(f);
        fleet_free(f);
}

/* A free TCP port on loopback (the kernel's choice, released again). */
static guint16 free_port(void) {
        g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
        g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
        g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
        g_autoptr(GSocketAddress) bound = NULL;

        g_assert_true(g_socket_bind(s, any, FALSE, NULL));
        bound = g_socket_get_local_address(s, NULL);
        return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

/* GET /metrics; NULL while nothing answers. */
static char *scrape(guint16 port) {
        g_autoptr(GSocketClient) c = g_socket_client_new();
        g_autoptr(GSocketConnection) conn = NULL;
        g_autoptr(GString) body = g_string_new(NULL);
        const char *request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        char buf[4096];
        gssize n;

        g_socket_client_set_timeout(c, 10);
        conn = g_socket_client_connect_to_host(c, "127.0.0.1", port, NULL, NULL);
        if (!conn)
                return NULL;
        if (!g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), request, strlen(request),
                                       NULL, NULL, NULL))
                return NULL;
        while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(conn)), buf, sizeof(buf), NULL,
                                        NULL)) > 0)
                g_string_append_len(body, buf, n);
        return g_string_free(g_steal_pointer(&body), FALSE);
}

typedef struct ScrapeWait {
        guint16 port;
        const char *line;
        char *last;
} ScrapeWait;

static gboolean scrape_has(gpointer p) {
        ScrapeWait *w = p;
        g_autofree char *needle = g_strconcat("\n", w->line, "\n", NULL);

        g_free(w->last);
        w->last = scrape(w->port);
        return w->last && strstr(w->last, needle);
}

static void wait_scrape(guint16 port, const char *line) {
        ScrapeWait w = { port, line, NULL };

        if (!harness_wait_until(scrape_has, &w, WAIT_MS))
                g_error("node_exporter on port %u never served '%s'; last scrape:\n%s", port, line,
                        w.last ?: "(no answer)");
        g_free(w.last);
}

static void die_with_parent(gpointer unused) {
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Debian's node_exporter reads our file with its textfile collector and
 * serves our series (labels sorted by name, as it prints them), and the
 * new values after a live change. */
static void test_node_exporter(void) {
        Fleet *f;
        guint16 port;
        g_autofree char *listen = NULL, *textdir = NULL;
        g_autoptr(GError) error = NULL;
        GPid pid = 0;

        if (!g_file_test(NODE_EXPORTER, G_FILE_TEST_IS_EXECUTABLE)) {
                g_test_skip(NODE_EXPORTER " is not installed (package prometheus-node-exporter)");
                return;
        }
        f = fleet_start(NULL);
        wait_file_line(f->metrics, "sriov_monitor_pf_vfs{pci_address=\"" CX6_PF "\",mode=\"vfio\"} 1");
        port = free_port();
        listen = g_strdup_printf("--web.listen-address=127.0.0.1:%u", port);
        textdir = g_strconcat("--collector.textfile.directory=", f->dir, NULL);
        {
                const char *argv[] = { NODE_EXPORTER, listen, "--collector.disable-defaults", "--collector.textfile",
                                       textdir, NULL };
                g_auto(GStrv) env = harness_client_environ(f->h);

                if (!g_spawn_async(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                   G_SPAWN_STDERR_TO_DEV_NULL, die_with_parent, NULL, &pid, &error))
                        g_error("Cannot start %s: %s", NODE_EXPORTER, error->message);
        }
        wait_scrape(port, "sriov_monitor_pf_vfs{mode=\"vfio\",pci_address=\"" CX6_PF "\"} 1");
        wait_scrape(port, "sriov_monitor_pf_vfs_max{pci_address=\"" CX6_PF "\"} 8");
        wait_scrape(port, "node_textfile_scrape_error 0");

        sim_rebind_vf(f->h->sim, sim_vf_address(f->h->sim, CX6_PF, 0), SIM_VF_VFIO, NULL);
        wait_scrape(port, "sriov_monitor_pf_vfs{mode=\"vfio\",pci_address=\"" CX6_PF "\"} 2");
        wait_at_least(NULL, port, "sriov_monitor_events_total{type=\"driver\"}", 1);
        wait_scrape(port, "node_textfile_scrape_error 0");

        (void) kill(pid, SIGTERM);
        (void) waitpid(pid, NULL, 0);
        g_spawn_close_pid(pid);
        fleet_free(f);
}

typedef struct HazardWait {
        Harness *h;
        const char *address;
        gboolean present;
} HazardWait;

static gboolean hazard_is(gpointer p) {
        HazardWait *w = p;
        g_autoptr(GVariant) v = harness_get(w->h, MANAGER_PATH, MANAGER_IFACE, "Hazards");
        g_autoptr(GVariantIter) it = NULL;
        const char *kind, *address, *text;
        gboolean found = FALSE;

        g_variant_get(v, "a(sss)", &it);
        while (g_variant_iter_next(it, "(&s&s&s)", &kind, &address, &text))
                found |= g_str_equal(kind, "driverless") && g_str_equal(address, w->address) && *text;
        return found == w->present;
}

static void wait_hazard(Harness *h, const char *address, gboolean present) {
        HazardWait w = { h, address, present };

        if (!harness_wait_until(hazard_is, &w, WAIT_MS)) {
                g_autoptr(GVariant) v = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "Hazards");
                g_autofree char *s = g_variant_print(v, TRUE);
                g_error("Hazards is %s: driverless %s expected %s", s, address, present ? "there" : "gone");
        }
}

/* The demo's unbound VF, with autoprobe on, becomes a driverless hazard
 * once the grace time is over; binding it ends the hazard. Both are
 * announced, and counted in the metrics. */
static void test_driverless_hazard(void) {
        const char *args[] = { "--driverless-grace=1", NULL };
        Fleet *f = fleet_start(args);
        const char *unbound = sim_vf_address(f->h->sim, CX6_PF, 3);
        g_autoptr(Recorder) rec = recorder_new(f->h);

        wait_hazard(f->h, unbound, TRUE);
        wait_file_line(f->metrics, "sriov_monitor_hazards{kind=\"driverless\"} 1");
        {
                /* sriov-status --status shows it, to any client. */
                const char *argv[] = { g_getenv("SRIOV_STATUS"), "--status", NULL };
                g_autofree char *out = NULL, *err = NULL, *line = g_strdup_printf("\n  driverless %s: VF %s of PF ",
                                                                                 unbound, unbound);

                g_assert_cmpint(harness_run(f->h, argv, &out, &err), ==, 0);
                g_assert_nonnull(strstr(out, "\nHazards: 1\n"));
                g_assert_nonnull(strstr(out, line));
        }
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count_manager_property(rec, "Hazards"), >=, 1);

        sim_rebind_vf(f->h->sim, unbound, SIM_VF_NET, NULL);
        wait_hazard(f->h, unbound, FALSE);
        wait_file_line(f->metrics, "sriov_monitor_hazards{kind=\"driverless\"} 0");
        recorder_sync(rec);
        g_assert_cmpuint(recorder_count_manager_property(rec, "Hazards"), >=, 2);
        assert_promtool_clean(f->metrics);
        fleet_free(f);
}

/* Once the files are written and the hazards settled, nothing is armed:
 * an idle daemon with its fleet sinks never wakes. */
static gboolean quiescent(gpointer p) {
        return harness_daemon_quiescent(p);
}

static void test_idle(void) {
        const char *args[] = { "--driverless-grace=10", NULL };
        Fleet *f = fleet_start(args);

        wait_file_line(f->features, "sriov.monitor/pfs=4");
        sim_rebind_vf(f->h->sim, sim_vf_address(f->h->sim, CX6_PF, 0), SIM_VF_VFIO, NULL);
        wait_file_line(f->features, "sriov.monitor/vfs-vfio=2");
        /* The unbound VF's grace time (10 s) is a timer too: bind it first. */
        sim_rebind_vf(f->h->sim, sim_vf_address(f->h->sim, CX6_PF, 3), SIM_VF_NET, NULL);
        wait_file_line(f->metrics, "sriov_monitor_pf_vfs{pci_address=\"" CX6_PF "\",mode=\"unbound\"} 0");
        g_assert_true(harness_wait_until(quiescent, f->h, WAIT_MS));
        fleet_free(f);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/fleet/files-follow-the-host", test_files_follow_the_host);
        g_test_add_func("/fleet/node-exporter", test_node_exporter);
        g_test_add_func("/fleet/driverless-hazard", test_driverless_hazard);
        g_test_add_func("/fleet/idle", test_idle);
        return g_test_run();
}
