/* SPDX-License-Identifier: MIT */
/* sriov-status, the shell client, against the running daemon on a private bus. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static Harness *start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

static int status(Harness *h, const char *const *args, char **out, char **err) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();

        g_ptr_array_add(argv, (char *) g_getenv("SRIOV_STATUS"));
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        return harness_run(h, (const char *const *) argv->pdata, out, err);
}

/* The table's columns are separated by two or more spaces. */
static char **row_fields(const char *line) {
        g_auto(GStrv) parts = g_regex_split_simple("\\s{2,}", line, 0, 0);
        g_autoptr(GPtrArray) a = g_ptr_array_new();

        for (char **p = parts; *p; p++)
                if (**p)
                        g_ptr_array_add(a, g_strdup(*p));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(g_steal_pointer(&a), FALSE);
}

static int find_line(char **lines, const char *prefix) {
        for (int i = 0; lines[i]; i++)
                if (g_str_has_prefix(lines[i], prefix))
                        return i;
        return -1;
}

static void test_table(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL;
        g_auto(GStrv) lines = NULL, pf = NULL, vf = NULL;
        int pf_line, vf_line, next_pf;

        g_assert_cmpint(status(h, (const char *[]) { NULL }, &out, &err), ==, 0);
        lines = g_strsplit(out, "\n", -1);
        g_assert_true(g_str_has_prefix(lines[0], "ADDRESS"));
        /* 4 PFs and 8 VFs, each a line, nothing else but the header. */
        g_assert_cmpuint(g_strv_length(lines), ==, 1 + 12 + 1);

        pf_line = find_line(lines, "0000:3b:00.0");
        vf_line = find_line(lines, "  0000:3b:00.4");
        next_pf = find_line(lines, "0000:5e:00.0");
        g_assert_cmpint(pf_line, ==, 1);
        g_assert_cmpint(vf_line, ==, pf_line + 3);
        g_assert_cmpint(next_pf, ==, pf_line + 5);
        g_assert_cmpint(find_line(lines, "0000:02:00.0"), ==, -1);

        pf = row_fields(lines[pf_line]);
        g_assert_cmpstrv(pf, ((const char *[]) { "0000:3b:00.0", "pf", "Mellanox Technologies", "mlx5_core", "net",
                                                 "enp59s0f0np0", "4/8", "40", NULL }));
        vf = row_fields(lines[vf_line] + 2);
        g_assert_cmpstrv(vf, ((const char *[]) { "0000:3b:00.4", "vf", "Mellanox Technologies", "vfio-pci", "vfio",
                                                 "-", "vf2", "43", NULL }));
        g_strfreev(vf);
        vf = row_fields(lines[find_line(lines, "  0000:3b:00.5")] + 2);
        g_assert_cmpstrv(vf, ((const char *[]) { "0000:3b:00.5", "vf", "Mellanox Technologies", "-", "unbound",
                                                 "-", "vf3", "44", NULL }));
}

static void test_detail(void) {
        g_autoptr(Harness) h = start_demo();
        const char *const keys[][2] = { { "3b:00.4", "0000:3b:00.4" }, { "0000:3b:00.4", "0000:3b:00.4" } };

        for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
                g_autofree char *out = NULL, *err = NULL;

                g_assert_cmpint(status(h, (const char *[]) { keys[i][0], NULL }, &out, &err), ==, 0);
                g_assert_nonnull(strstr(out, "PciAddress: 0000:3b:00.4\n"));
                g_assert_nonnull(strstr(out, "Mode: vfio\n"));
                g_assert_nonnull(strstr(out, "VfioDevice: /dev/vfio/43\n"));
                g_assert_nonnull(strstr(out, "PhysicalFunction: /org/sriov/Monitor1/Device/pci_0000_3b_00_0\n"));
        }

        g_autofree char *out = NULL, *err = NULL;
        g_assert_cmpint(status(h, (const char *[]) { "--device-name", "enp59s0f0v1", NULL }, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "PciAddress: 0000:3b:00.3\n"));
        g_assert_nonnull(strstr(out, "NetDevices: enp59s0f0v1\n"));
}

/* Runs jq's boolean expression over a JSON text; TRUE when it holds. */
static gboolean jq_holds(Harness *h, const char *json, const char *expr) {
        g_autofree char *file = NULL, *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        int fd = g_file_open_tmp("sriov-status-XXXXXX.json", &file, &error);
        int rc;

        g_assert_no_error(error);
        g_assert_true(g_file_set_contents(file, json, -1, &error));
        close(fd);
        rc = harness_run(h, (const char *[]) { "jq", "-e", expr, file, NULL }, &out, &err);
        (void) unlink(file);
        if (rc != 0)
                g_test_message("jq '%s' failed on: %s", expr, json);
        return rc == 0;
}

static void test_json(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL, *one = NULL;

        g_assert_cmpint(status(h, (const char *[]) { "--format", "json", NULL }, &out, &err), ==, 0);
        g_assert_true(jq_holds(h, out, "length == 12"));
        g_assert_true(jq_holds(h, out, ".[0].PciAddress == \"0000:3b:00.0\" and .[0].Role == \"pf\" and "
                                       ".[0].VendorId == 5555 and .[0].NumVFs == 4 and .[0].TotalVFs == 8 and "
                                       ".[0].DriversAutoprobe == true and (.[0].VirtualFunctions | length) == 4"));
        g_assert_true(jq_holds(h, out, ".[3] | .PciAddress == \"0000:3b:00.4\" and .VFIndex == 2 and "
                                       ".Mode == \"vfio\" and .VfioDevice == \"/dev/vfio/43\" and .NetDevices == []"));
        /* Keys are exactly the D-Bus property names. */
        g_assert_true(jq_holds(h, out, ".[1] | keys == ([\"Object\",\"PciAddress\",\"Role\",\"VendorId\",\"DeviceId\","
                                       "\"VendorName\",\"Driver\",\"Mode\",\"NetDevices\",\"NumaNode\",\"IommuGroup\","
                                       "\"PhysicalFunction\",\"VFIndex\",\"VfioDevice\"] | sort)"));

        g_assert_cmpint(status(h, (const char *[]) { "--json", "enp59s0f0v0", NULL }, &one, &err), ==, 0);
        g_assert_true(jq_holds(h, one, "length == 1 and .[0].PciAddress == \"0000:3b:00.2\""));
}

static void assert_fails(Harness *h, const char *const *args, int code, const char *message_part) {
        g_autofree char *out = NULL, *err = NULL;

        g_assert_cmpint(status(h, args, &out, &err), ==, code);
        /* One line on stderr, nothing on stdout. */
        g_assert_cmpstr(out, ==, "");
        g_assert_true(g_str_has_prefix(err, "sriov-status: "));
        g_assert_nonnull(strchr(err, '\n'));
        g_assert_cmpstr(strchr(err, '\n') + 1, ==, "");
        if (message_part)
                g_assert_nonnull(strstr(err, message_part));
}

/* ------------------------------------------------------------------------
 * sriov-status --watch, run in the background: its output read line by line
 * with timeouts, its exit awaited with a timeout. */

#define WATCH_TIMEOUT_MS 10000
#define CX6_VF0 "0000:3b:00.2"
#define CX6_VF1 "0000:3b:00.3"
#define E810_PF "0000:5e:00.0"

typedef struct Watch {
        Harness *h;
        GPid pid; /* also its process group: busctl and jq are in it */
        int out_fd, err_fd;
        GString *out_buf;
        GPtrArray *lines; /* complete lines of stdout, without '\n' */
        GString *err;
        gboolean exited;
        int status;
        unsigned pokes;
} Watch;

static void watch_child_setup(gpointer unused) {
        /* Its own process group, so that the test can signal all of it (as
         * timeout(1) and a terminal do) and kill leftovers; and it dies with
         * the test. */
        (void) setpgid(0, 0);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static Watch *watch_start(Harness *h, const char *const *args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        Watch *w = g_new0(Watch, 1);

        g_ptr_array_add(argv, (char *) g_getenv("SRIOV_STATUS"));
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        /* Times in the text format are local: make local UTC. */
        env = g_environ_setenv(env, "TZ", "UTC", TRUE);

        w->h = h;
        w->out_buf = g_string_new(NULL);
        w->lines = g_ptr_array_new_with_free_func(g_free);
        w->err = g_string_new(NULL);
        if (!g_spawn_async_with_pipes(NULL, (char **) argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                      watch_child_setup, NULL, &w->pid, NULL, &w->out_fd, &w->err_fd, &error))
                g_error("Cannot run sriov-status: %s", error->message);
        return w;
}

static void watch_free(Watch *w) {
        if (!w)
                return;
        if (!w->exited) {
                (void) kill(-w->pid, SIGKILL);
                (void) waitpid(w->pid, NULL, 0);
        }
        g_spawn_close_pid(w->pid);
        if (w->out_fd >= 0)
                close(w->out_fd);
        if (w->err_fd >= 0)
                close(w->err_fd);
        g_string_free(w->out_buf, TRUE);
        g_ptr_array_unref(w->lines);
        g_string_free(w->err, TRUE);
        g_free(w);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Watch, watch_free)

/* Reads whatever stdout and stderr offer until `deadline` (monotonic µs) or
 * until something was read; returns whether something was. At end of file a
 * descriptor is closed (-1). */
static gboolean watch_pump(Watch *w, gint64 deadline) {
        struct pollfd fds[2] = { { .fd = w->out_fd, .events = POLLIN }, { .fd = w->err_fd, .events = POLLIN } };
        gint64 left = deadline - g_get_monotonic_time();
        gboolean got = FALSE;
        int r;

        if (w->out_fd < 0 && w->err_fd < 0)
                return FALSE;
        r = poll(fds, 2, left > 0 ? (int) ((left + 999) / 1000) : 0);
        if (r < 0 && errno == EINTR)
                return FALSE;
        g_assert_cmpint(r, >=, 0);
        for (int i = 0; i < 2; i++) {
                int *fd = i == 0 ? &w->out_fd : &w->err_fd;
                char buf[4096];
                ssize_t n;

                if (*fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                n = read(*fd, buf, sizeof(buf));
                if (n <= 0) {
                        close(*fd);
                        *fd = -1;
                        continue;
                }
                got = TRUE;
                g_string_append_len(i == 0 ? w->out_buf : w->err, buf, n);
        }
        for (char *nl; (nl = memchr(w->out_buf->str, '\n', w->out_buf->len));) {
                g_ptr_array_add(w->lines, g_strndup(w->out_buf->str, nl - w->out_buf->str));
                g_string_erase(w->out_buf, 0, nl - w->out_buf->str + 1);
        }
        return got;
}

/* Whether line `i` is the event (type, action, device): text lines are
 * "DATE TIME  TYPE  ACTION  DEVICE", JSON lines objects with those keys. */
static gboolean line_is(const char *line, const char *type, const char *action, const char *device) {
        g_auto(GStrv) f = NULL;
        g_autofree char *json = NULL;

        if (line[0] == '{') {
                json = g_strdup_printf("\"Type\":\"%s\",\"Action\":\"%s\",\"Device\":\"%s\",", type, action, device);
                return strstr(line, json) != NULL;
        }
        f = g_regex_split_simple(" +", line, 0, 0);
        return g_strv_length(f) == 5 && g_str_equal(f[2], type) && g_str_equal(f[3], action) &&
               g_str_equal(f[4], device);
}

static int watch_find(Watch *w, guint from, const char *type, const char *action, const char *device) {
        for (guint i = from; i < w->lines->len; i++)
                if (line_is(g_ptr_array_index(w->lines, i), type, action, device))
                        return (int) i;
        return -1;
}

static char *watch_output(Watch *w) {
        GString *s = g_string_new(w->lines->len ? NULL : "(none)\n");

        for (guint i = 0; i < w->lines->len; i++)
                g_string_append_printf(s, "%s\n", (char *) g_ptr_array_index(w->lines, i));
        return g_string_free(s, FALSE);
}

/* Waits for the event at or after line `from`; returns its line index. */
static int watch_wait_event(Watch *w, guint from, const char *type, const char *action, const char *device) {
        gint64 deadline = g_get_monotonic_time() + WATCH_TIMEOUT_MS * 1000;
        int i;

        while ((i = watch_find(w, from, type, action, device)) < 0) {
                if (g_get_monotonic_time() > deadline || (w->out_fd < 0 && w->err_fd < 0))
                        g_error("no '%s %s %s' line from sriov-status --watch; stdout:\n%sstderr:\n%s", type,
                                action, device, watch_output(w), w->err->str);
                (void) watch_pump(w, deadline);
        }
        return i;
}

/* A change the watch should report: a write of sriov_drivers_autoprobe of
 * the E810 PF, alternately off and on. */
static void poke_autoprobe(Watch *w) {
        sim_write_autoprobe(w->h->sim, E810_PF, w->pokes++ % 2 == 1);
}

/* A change of CX6_VF1 only: its netdev renamed, alternately. */
static void poke_rename(Watch *w) {
        g_autofree char *name = g_strdup_printf("vf1prime%u", w->pokes++);

        sim_rename_netdev(w->h->sim, sim_netdev(w->h->sim, CX6_VF1), name);
}

/* busctl monitor listens some time after the script starts, and nothing
 * shows when: make changes until one is reported (each is, once it
 * listens). Returns the number of lines seen so far, all of them from the
 * pokes. */
static guint watch_wait_listening(Watch *w, void (*poke)(Watch *w)) {
        gint64 deadline = g_get_monotonic_time() + WATCH_TIMEOUT_MS * 1000;

        while (w->lines->len == 0) {
                gint64 next = MIN(g_get_monotonic_time() + 200 * 1000, deadline);

                if (g_get_monotonic_time() > deadline || (w->out_fd < 0 && w->err_fd < 0))
                        g_error("sriov-status --watch reported nothing; stderr:\n%s", w->err->str);
                poke(w);
                while (w->lines->len == 0 && g_get_monotonic_time() < next)
                        (void) watch_pump(w, next);
        }
        return w->lines->len;
}

/* Sends `sig` to the script (or its whole process group), waits for its exit
 * and its output to end; returns the wait status. Its children must be gone. */
static int watch_stop(Watch *w, int sig, gboolean group) {
        gint64 deadline = g_get_monotonic_time() + WATCH_TIMEOUT_MS * 1000;

        g_assert_cmpint(kill(group ? -w->pid : w->pid, sig), ==, 0);
        while (!w->exited) {
                pid_t p = waitpid(w->pid, &w->status, WNOHANG);

                g_assert_cmpint(p, >=, 0);
                if (p == w->pid) {
                        w->exited = TRUE;
                        break;
                }
                if (g_get_monotonic_time() > deadline)
                        g_error("sriov-status --watch did not exit on signal %d", sig);
                (void) watch_pump(w, MIN(g_get_monotonic_time() + 10 * 1000, deadline));
        }
        /* End of file on both pipes: nobody (jq) holds them any more. */
        while (w->out_fd >= 0 || w->err_fd >= 0) {
                if (g_get_monotonic_time() > deadline)
                        g_error("the output of sriov-status --watch did not end after it exited");
                (void) watch_pump(w, deadline);
        }
        {
                g_autofree char *out = watch_output(w);
                g_test_message("sriov-status --watch printed:\n%s", out);
        }
        /* busctl and jq were stopped and reaped by the script. */
        g_assert_cmpint(kill(-w->pid, 0), ==, -1);
        g_assert_cmpint(errno, ==, ESRCH);
        return w->status;
}

/* Waits for the script to exit on its own; returns its exit status. */
static int watch_wait_exit(Watch *w) {
        gint64 deadline = g_get_monotonic_time() + WATCH_TIMEOUT_MS * 1000;

        while (w->out_fd >= 0 || w->err_fd >= 0) {
                if (g_get_monotonic_time() > deadline)
                        g_error("sriov-status --watch did not exit; stderr:\n%s", w->err->str);
                (void) watch_pump(w, deadline);
        }
        g_assert_cmpint(waitpid(w->pid, &w->status, 0), ==, w->pid);
        w->exited = TRUE;
        g_test_message("sriov-status exited with %d; stderr: %s", w->status, w->err->str);
        g_assert_true(WIFEXITED(w->status));
        return WEXITSTATUS(w->status);
}

static void assert_clean_exit(Watch *w, int status) {
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        g_assert_cmpstr(w->err->str, ==, "");
        g_assert_cmpstr(w->out_buf->str, ==, ""); /* no partial line */
}

/* Waits until a property of the daemon has a value. */
typedef struct PropWait {
        Harness *h;
        const char *path, *iface, *prop, *want;
} PropWait;

static gboolean prop_is(gpointer p) {
        PropWait *pw = p;
        g_autoptr(GVariant) got = harness_get(pw->h, pw->path, pw->iface, pw->prop);

        return g_str_equal(g_variant_get_string(got, NULL), pw->want);
}

static void wait_driver(Harness *h, const char *address, const char *driver) {
        g_autofree char *path = harness_device_path(address);
        PropWait pw = { h, path, DEVICE_IFACE, "Driver", driver };

        g_assert_true(harness_wait_until(prop_is, &pw, WATCH_TIMEOUT_MS));
}

/* Passthrough: a VF's netdev goes away, then its driver changes. */
static void test_watch(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--watch", NULL });
        gint64 start = g_get_real_time();
        g_autoptr(GRegex) time_re = g_regex_new("^(\\d{4})-(\\d\\d)-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3})  ", 0,
                                                0, NULL);
        g_autoptr(GMatchInfo) m = NULL;
        g_autoptr(GDateTime) t = NULL;
        guint mark = watch_wait_listening(w, poke_autoprobe);
        int gone, driver;
        gint64 when;

        g_assert_true(line_is(g_ptr_array_index(w->lines, 0), "sriov", "modified", E810_PF));

        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        gone = watch_wait_event(w, mark, "interface", "deleted", "enp59s0f0v0");
        driver = watch_wait_event(w, gone + 1, "driver", "modified", CX6_VF0);
        g_assert_cmpint(gone, <, driver);

        /* The columns line up: TYPE and ACTION are padded. */
        g_assert_cmpstr(strchr(g_ptr_array_index(w->lines, gone), ' ') + 13, ==,
                        "  interface  deleted   enp59s0f0v0");
        g_assert_cmpstr(strchr(g_ptr_array_index(w->lines, driver), ' ') + 13, ==,
                        "  driver     modified  " CX6_VF0);
        /* The time of the event, in local time (here UTC) with milliseconds. */
        g_assert_true(g_regex_match(time_re, g_ptr_array_index(w->lines, driver), 0, &m));
        {
                int f[7];

                for (int i = 0; i < 7; i++) {
                        g_autofree char *s = g_match_info_fetch(m, i + 1);
                        f[i] = atoi(s);
                }
                t = g_date_time_new_utc(f[0], f[1], f[2], f[3], f[4], f[5] + f[6] / 1000.0);
        }
        when = g_date_time_to_unix(t) * G_USEC_PER_SEC + g_date_time_get_microsecond(t);
        g_assert_cmpint(when, >=, start - 1000);
        g_assert_cmpint(when, <=, g_get_real_time());

        /* SIGTERM to the script alone (as kill(1) or systemd would send it). */
        assert_clean_exit(w, watch_stop(w, SIGTERM, FALSE));
}

/* One JSON object per line. */
static void test_watch_json(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--json", "--watch", NULL });
        gint64 start = g_get_real_time();
        guint mark = watch_wait_listening(w, poke_autoprobe);
        g_autofree char *expr = NULL;
        int gone, driver;

        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        gone = watch_wait_event(w, mark, "interface", "deleted", "enp59s0f0v0");
        driver = watch_wait_event(w, gone + 1, "driver", "modified", CX6_VF0);

        for (guint i = 0; i < w->lines->len; i++)
                g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, i),
                                       "type == \"object\" and (keys_unsorted == "
                                       "[\"Timestamp\",\"Type\",\"Action\",\"Device\",\"Object\"]) and "
                                       "(.Timestamp | type) == \"number\" and "
                                       "([.Type, .Action, .Device, .Object] | map(type) | unique) == [\"string\"]"));
        expr = g_strdup_printf(".Type == \"interface\" and .Action == \"deleted\" and .Device == \"enp59s0f0v0\" and "
                               ".Object == \"/org/sriov/Monitor1/Device/pci_0000_3b_00_2\" and "
                               ".Timestamp >= %" G_GINT64_FORMAT " and .Timestamp <= %" G_GINT64_FORMAT,
                               start, g_get_real_time());
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, gone), expr));
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, driver),
                               ".Type == \"driver\" and .Action == \"modified\" and .Device == \"0000:3b:00.2\" and "
                               ".Object == \"/org/sriov/Monitor1/Device/pci_0000_3b_00_2\""));
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, 0),
                               ".Type == \"sriov\" and .Object == \"/org/sriov/Monitor1/Device/pci_0000_5e_00_0\""));

        /* SIGTERM to the whole process group, as timeout(1) sends it. */
        assert_clean_exit(w, watch_stop(w, SIGTERM, TRUE));
}

/* With a device: only the events of its object, its interfaces' included. */
static void test_watch_device(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Recorder) rec = recorder_new(h);
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--device-name", CX6_VF1, "--watch", NULL });
        g_autofree char *vf0_path = harness_device_path(CX6_VF0);
        const char *netdev;
        guint mark = watch_wait_listening(w, poke_rename);
        unsigned vf0_events = 0;

        g_assert_nonnull(strstr(g_ptr_array_index(w->lines, 0), "  interface  modified  vf1prime"));

        /* Another device's events, all published before the next change. */
        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        wait_driver(h, CX6_VF0, "vfio-pci");
        netdev = sim_netdev(h->sim, CX6_VF1);
        sim_rebind_vf(h->sim, CX6_VF1, SIM_VF_UNBOUND, NULL);
        watch_wait_event(w, mark, "interface", "deleted", netdev);
        watch_wait_event(w, mark, "driver", "modified", CX6_VF1);

        /* The other device's events were sent, and not shown. */
        recorder_sync(rec);
        for (guint i = 0; i < rec->signals->len; i++) {
                Signal *s = g_ptr_array_index(rec->signals, i);
                const char *o;

                if (g_str_equal(s->member, "DeviceEvent")) {
                        g_variant_get(s->params, "(&s&s&s&ot)", NULL, NULL, NULL, &o, NULL);
                        vf0_events += g_str_equal(o, vf0_path);
                }
        }
        g_assert_cmpuint(vf0_events, >=, 2);
        for (guint i = 0; i < w->lines->len; i++) {
                const char *line = g_ptr_array_index(w->lines, i);

                g_assert_null(strstr(line, CX6_VF0));
                g_assert_null(strstr(line, "enp59s0f0v0"));
        }

        /* SIGINT to the process group, as a terminal sends it on ^C. */
        assert_clean_exit(w, watch_stop(w, SIGINT, TRUE));
}

/* A watch outlives the daemon (a restarted daemon's events show), not the bus. */
static void test_watch_restart(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--watch", NULL });
        guint mark = watch_wait_listening(w, poke_autoprobe);
        int status;

        harness_stop_daemon(h);
        harness_start_daemon(h, NULL);
        poke_autoprobe(w);
        watch_wait_event(w, mark, "sriov", "modified", E810_PF);

        /* The bus goes away (after the daemon, which would exit 1). */
        harness_stop_daemon(h);
        g_assert_cmpint(kill(h->bus_pid, SIGTERM), ==, 0);
        g_assert_cmpint(waitpid(h->bus_pid, &status, 0), ==, h->bus_pid);
        g_spawn_close_pid(h->bus_pid);
        h->bus_pid = 0;
        g_assert_cmpint(watch_wait_exit(w), ==, 3);
        g_assert_true(g_str_has_prefix(w->err->str, "sriov-status: "));
        g_assert_nonnull(strstr(w->err->str, "lost the connection to the bus"));
        g_assert_cmpstr(strchr(w->err->str, '\n') + 1, ==, "");
}

static void test_watch_errors(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL;

        assert_fails(h, (const char *[]) { "--watch", "0000:3b:00.7", NULL }, 4, "0000:3b:00.7");
        assert_fails(h, (const char *[]) { "--watch", "--refresh", NULL }, 2, "--watch");
        assert_fails(h, (const char *[]) { "--watch=yes", NULL }, 2, "--watch");
        assert_fails(h, (const char *[]) { "--watch", "--address", "unix:path=/nonexistent/bus", NULL }, 3, NULL);

        /* The daemon gone: its own exit code, before any listening. */
        harness_stop_daemon(h);
        for (int i = 0; i < 2; i++) {
                g_autoptr(Watch) w = watch_start(h, i == 0 ? (const char *[]) { "--watch", NULL }
                                                           : (const char *[]) { "--watch", CX6_VF1, NULL });

                g_assert_cmpint(watch_wait_exit(w), ==, 3);
                g_assert_cmpuint(w->lines->len, ==, 0);
                g_assert_cmpstr(w->out_buf->str, ==, "");
                g_assert_true(g_str_has_prefix(w->err->str, "sriov-status: "));
                g_assert_nonnull(strstr(w->err->str, "not reachable"));
                g_assert_cmpstr(strchr(w->err->str, '\n') + 1, ==, "");
        }
}

/* busctl monitor needs a privileged caller (root, or the bus's user): anyone
 * else gets one clear line and exit status 1. Needs root to switch users. */
static void test_watch_refused(void) {
        g_autoptr(Harness) h = NULL;
        g_autofree char *setpriv = g_find_program_in_path("setpriv");
        g_autofree char *script = NULL;

        if (getuid() != 0 || !setpriv) {
                g_test_skip("needs root and setpriv(1) to run as another user");
                return;
        }
        h = start_demo();
        /* The script must be readable by nobody: a copy in /tmp. */
        script = g_build_filename(g_get_tmp_dir(), "sriov-status-refused-XXXXXX", NULL);
        {
                g_autofree char *text = NULL;
                int fd = g_mkstemp(script);

                g_assert_cmpint(fd, >=, 0);
                close(fd);
                g_assert_true(g_file_get_contents(g_getenv("SRIOV_STATUS"), &text, NULL, NULL));
                g_assert_true(g_file_set_contents(script, text, -1, NULL));
                g_assert_cmpint(chmod(script, 0755), ==, 0);
        }

        g_autoptr(Watch) w = NULL;
        const char *args[] = { "--reuid=65534", "--regid=65534", "--clear-groups", "sh", script, "--watch", NULL };
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;

        w = g_new0(Watch, 1);
        w->h = h;
        w->out_buf = g_string_new(NULL);
        w->lines = g_ptr_array_new_with_free_func(g_free);
        w->err = g_string_new(NULL);
        g_ptr_array_add(argv, setpriv);
        for (const char *const *a = args; *a; a++)
                g_ptr_array_add(argv, (char *) *a);
        g_ptr_array_add(argv, NULL);
        env = g_environ_setenv(env, "TMPDIR", "/tmp", TRUE);
        if (!g_spawn_async_with_pipes(NULL, (char **) argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                      watch_child_setup, NULL, &w->pid, NULL, &w->out_fd, &w->err_fd, &error))
                g_error("Cannot run setpriv: %s", error->message);

        g_assert_cmpint(watch_wait_exit(w), ==, 1);
        (void) unlink(script);
        g_assert_cmpuint(w->lines->len, ==, 0);
        g_assert_true(g_str_has_prefix(w->err->str, "sriov-status: "));
        g_assert_nonnull(strstr(w->err->str, "needs root"));
        g_assert_cmpstr(strchr(w->err->str, '\n') + 1, ==, "");
}

static void test_errors(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL;

        assert_fails(h, (const char *[]) { "0000:3b:00.7", NULL }, 4, "0000:3b:00.7");
        assert_fails(h, (const char *[]) { "--device-name", "eth99", NULL }, 4, "eth99");
        assert_fails(h, (const char *[]) { "--frobnicate", NULL }, 2, "--frobnicate");
        assert_fails(h, (const char *[]) { "--format", "xml", NULL }, 2, NULL);
        assert_fails(h, (const char *[]) { "--address", "unix:path=/nonexistent/bus", NULL }, 3, NULL);

        g_assert_cmpint(status(h, (const char *[]) { "--version", NULL }, &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "sriov-status " PACKAGE_VERSION "\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(status(h, (const char *[]) { "--help", NULL }, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "--device-name"));

        /* The daemon gone: its own exit code. */
        harness_stop_daemon(h);
        assert_fails(h, (const char *[]) { NULL }, 3, NULL);
}

static void test_refresh_and_address(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GVariant) before = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        g_autoptr(GVariant) after = NULL;

        /* --address names the bus explicitly (here the same private bus). */
        g_assert_cmpint(status(h, (const char *[]) { "--refresh", "--address", h->bus_address, NULL }, &out, &err),
                        ==, 0);
        g_assert_true(g_str_has_prefix(out, "ADDRESS"));
        after = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        g_assert_cmpuint(g_variant_get_uint64(after), >, g_variant_get_uint64(before));
}

static void test_empty_host(void) {
        g_autoptr(Harness) h = harness_new();
        g_autofree char *out = NULL, *err = NULL;

        harness_start_daemon(h, NULL);
        g_assert_cmpint(status(h, (const char *[]) { NULL }, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "No SR-IOV devices."));
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(status(h, (const char *[]) { "--json", NULL }, &out, &err), ==, 0);
        g_assert_true(jq_holds(h, out, ". == []"));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/status/table", test_table);
        g_test_add_func("/status/detail", test_detail);
        g_test_add_func("/status/json", test_json);
        g_test_add_func("/status/errors", test_errors);
        g_test_add_func("/status/refresh-and-address", test_refresh_and_address);
        g_test_add_func("/status/empty-host", test_empty_host);
        g_test_add_func("/status/watch", test_watch);
        g_test_add_func("/status/watch-json", test_watch_json);
        g_test_add_func("/status/watch-device", test_watch_device);
        g_test_add_func("/status/watch-restart", test_watch_restart);
        g_test_add_func("/status/watch-errors", test_watch_errors);
        g_test_add_func("/status/watch-refused", test_watch_refused);
        return g_test_run();
}
