/* SPDX-License-Identifier: MIT */
/* sriov-status --watch against the running daemon: what each line says, for
 * root and for any user, on the bus and on the private socket, with filters,
 * and how it ends. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status-client.h"

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

static gboolean is_root_with_setpriv(void) {
        g_autofree char *setpriv = g_find_program_in_path("setpriv");

        if (getuid() != 0 || !setpriv) {
                g_test_skip("needs root and setpriv(1) to run as another user");
                return FALSE;
        }
        return TRUE;
}

/* The text after DEVICE on a text line ("DATE TIME  TYPE  ACTION  DEVICE  ..."). */
static const char *what_changed(const char *line) {
        const char *p = line;

        /* date, time, type, action, device: five fields */
        for (int f = 0; f < 5; f++) {
                p += strcspn(p, " ");
                p += strspn(p, " ");
        }
        return p;
}

/* The driver lines of CX6_VF0 from line `from` until one ends with
 * "-> vfio-pci": a chain from mlx5_core (the daemon may merge the unbind
 * and the bind into one change, or not). */
static void assert_driver_chain_text(Watch *w, guint from) {
        g_autofree char *prev = g_strdup("mlx5_core");

        for (;;) {
                int i = watch_wait_event(w, from, "driver", "modified", CX6_VF0);
                g_auto(GStrv) f = g_strsplit(what_changed(g_ptr_array_index(w->lines, i)), " -> ", 2);

                g_assert_cmpuint(g_strv_length(f), ==, 2);
                g_assert_cmpstr(f[0], ==, prev);
                if (g_str_equal(f[1], "vfio-pci"))
                        return;
                g_assert_cmpstr(f[1], ==, "(none)");
                g_free(prev);
                prev = g_strdup(f[1]);
                from = i + 1;
        }
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
        assert_driver_chain_text(w, gone + 1);

        /* The columns line up: TYPE and ACTION are padded; then what changed. */
        g_assert_cmpstr(strchr(g_ptr_array_index(w->lines, gone), ' ') + 13, ==,
                        "  interface  deleted   enp59s0f0v0  on " CX6_VF0);
        g_assert_true(g_str_has_prefix(strchr(g_ptr_array_index(w->lines, driver), ' ') + 13,
                                       "  driver     modified  " CX6_VF0 "  mlx5_core -> "));
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

        /* A rename says old -> new. */
        mark = w->lines->len;
        sim_rename_netdev(h->sim, sim_netdev(h->sim, CX6_VF1), "labvf1");
        {
                int i = watch_wait_event(w, mark, "interface", "modified", "enp59s0f0v1");

                g_assert_cmpstr(what_changed(g_ptr_array_index(w->lines, i)), ==, "-> labvf1  on " CX6_VF1);
        }
        /* numvfs 0 -> 2, in one step or two, and the new VFs. */
        mark = w->lines->len;
        sim_enable_vfs(h->sim, "0000:af:00.0", 2, SIM_VF_NET);
        watch_wait_event(w, mark, "pci", "created", "0000:af:00.1");
        watch_wait_event(w, mark, "pci", "created", "0000:af:00.2");
        {
                int i = watch_wait_event(w, mark, "sriov", "modified", "0000:af:00.0");
                const char *first = what_changed(g_ptr_array_index(w->lines, i));

                g_assert_true(g_str_equal(first, "numvfs 0 -> 1") || g_str_equal(first, "numvfs 0 -> 2"));
        }
        {
                int i = watch_find(w, mark, "pci", "created", "0000:af:00.1");

                g_assert_true(g_str_has_prefix(what_changed(g_ptr_array_index(w->lines, i)),
                                               "vf 0 of 0000:af:00.0, 14e4:"));
        }

        /* SIGTERM to the script alone (as kill(1) or systemd would send it). */
        assert_clean_exit(w, watch_stop(w, SIGTERM, FALSE));
}

/* One JSON object per line, with the change as fields. */
static void test_watch_json(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "-j", "-w", NULL });
        gint64 start = g_get_real_time();
        guint mark = watch_wait_listening(w, poke_autoprobe);
        g_autofree char *expr = NULL;
        int gone, driver, i;

        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        gone = watch_wait_event(w, mark, "interface", "deleted", "enp59s0f0v0");
        driver = watch_wait_event(w, gone + 1, "driver", "modified", CX6_VF0);
        for (i = driver; !jq_holds(h, g_ptr_array_index(w->lines, i), ".New == \"vfio-pci\"");)
                i = watch_wait_event(w, i + 1, "driver", "modified", CX6_VF0);

        for (guint l = 0; l < w->lines->len; l++)
                g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, l),
                                       "type == \"object\" and (keys_unsorted == "
                                       "[\"Timestamp\",\"Type\",\"Action\",\"Device\",\"Object\",\"PciAddress\","
                                       "\"Role\",\"Old\",\"New\",\"Changes\"]) and "
                                       "(.Timestamp | type) == \"number\" and (.Changes | type) == \"object\" and "
                                       "([.Type, .Action, .Device, .Object] | map(type) | unique) == [\"string\"]"));
        expr = g_strdup_printf(".Type == \"interface\" and .Action == \"deleted\" and .Device == \"enp59s0f0v0\" and "
                               ".Object == \"/org/sriov/Monitor1/Device/pci_0000_3b_00_2\" and "
                               ".PciAddress == \"" CX6_VF0 "\" and .Role == \"vf\" and "
                               ".Timestamp >= %" G_GINT64_FORMAT " and .Timestamp <= %" G_GINT64_FORMAT,
                               start, g_get_real_time());
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, gone), expr));
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, driver),
                               ".Device == \"" CX6_VF0 "\" and .Old == \"mlx5_core\" and "
                               ".Changes.Driver.Old == \"mlx5_core\" and .Changes.Driver.New == .New"));
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, i),
                               ".Changes.Mode.New == \"vfio\" and .Changes.VfioDevice.New == \"/dev/vfio/41\""));
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, 0),
                               ".Type == \"sriov\" and .Object == \"/org/sriov/Monitor1/Device/pci_0000_5e_00_0\" and "
                               ".PciAddress == \"" E810_PF "\" and (.Changes | keys) == [\"DriversAutoprobe\"]"));

        /* The rename: the old and the new name. */
        mark = w->lines->len;
        sim_rename_netdev(h->sim, sim_netdev(h->sim, CX6_VF1), "labvf1");
        i = watch_wait_event(w, mark, "interface", "modified", "labvf1");
        g_assert_true(jq_holds(h, g_ptr_array_index(w->lines, i),
                               ".Old == \"enp59s0f0v1\" and .New == \"labvf1\" and .PciAddress == \"" CX6_VF1 "\""));

        /* SIGTERM to the whole process group, as timeout(1) sends it. */
        assert_clean_exit(w, watch_stop(w, SIGTERM, TRUE));
}

/* With a device: only the events of its object, its interfaces' included. */
static void test_watch_device(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--device-name", CX6_VF1, "--watch", NULL });
        const char *netdev;
        guint mark = watch_wait_listening(w, poke_rename);

        g_assert_true(g_str_has_suffix(g_ptr_array_index(w->lines, 0), "on " CX6_VF1));

        /* Another device's events, all published before the next change. */
        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        wait_driver(h, CX6_VF0, "vfio-pci");
        netdev = sim_netdev(h->sim, CX6_VF1);
        sim_rebind_vf(h->sim, CX6_VF1, SIM_VF_UNBOUND, NULL);
        watch_wait_event(w, mark, "interface", "deleted", netdev);
        watch_wait_event(w, mark, "driver", "modified", CX6_VF1);

        for (guint i = 0; i < w->lines->len; i++) {
                const char *line = g_ptr_array_index(w->lines, i);

                g_assert_null(strstr(line, CX6_VF0));
                g_assert_null(strstr(line, "enp59s0f0v0"));
        }

        /* SIGINT to the process group, as a terminal sends it on ^C. */
        assert_clean_exit(w, watch_stop(w, SIGINT, TRUE));
}

/* Filters: only the PF E810_PF (by netdev) and only PFs in net mode; the
 * VF renamed meanwhile is not shown. */
/* A change of CX6_VF0 only: its driver, alternately mlx5_core and vfio-pci. */
static void poke_vf0_driver(Watch *w) {
        sim_rebind_vf(w->h->sim, CX6_VF0, w->pokes++ % 2 == 0 ? SIM_VF_NET : SIM_VF_VFIO, NULL);
}

static void test_watch_filters(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--watch", "--pf=ens785f0", "--role=pf",
                                                                  "--mode=net", NULL });
        guint mark = watch_wait_listening(w, poke_autoprobe);

        sim_rename_netdev(h->sim, sim_netdev(h->sim, "0000:5e:02.0"), "e810vf0");
        sim_rename_netdev(h->sim, sim_netdev(h->sim, CX6_VF1), "labvf1");
        sim_rebind_vf(h->sim, CX6_VF0, SIM_VF_VFIO, NULL);
        wait_driver(h, CX6_VF0, "vfio-pci");
        poke_autoprobe(w);
        watch_wait_event(w, mark, "sriov", "modified", E810_PF);
        for (guint i = 0; i < w->lines->len; i++)
                g_assert_true(line_is(g_ptr_array_index(w->lines, i), "sriov", "modified", E810_PF));
        assert_clean_exit(w, watch_stop(w, SIGTERM, FALSE));

        /* JSON with --driver: the VF leaving vfio-pci shows, as does its
         * return; a rename of another VF in between does not. (A rebind
         * from vfio-pci to vfio-pci publishes nothing: one change to the
         * final state, which is the same.) */
        g_autoptr(Watch) j = watch_start(h, (const char *[]) { "--watch", "--json", "--driver=vfio-pci", NULL });
        guint n = watch_wait_listening(j, poke_vf0_driver);
        gint64 deadline = g_get_monotonic_time() + (gint64) harness_timeout_ms(WATCH_TIMEOUT_MS) * 1000;

        sim_rename_netdev(h->sim, "labvf1", "labvf1b");
        poke_vf0_driver(j);
        while (j->lines->len == n && g_get_monotonic_time() < deadline)
                (void) watch_pump(j, deadline);
        g_assert_cmpuint(j->lines->len, >, n);
        for (guint i = 0; i < j->lines->len; i++)
                g_assert_true(jq_holds(h, g_ptr_array_index(j->lines, i), ".PciAddress == \"" CX6_VF0 "\""));
        assert_clean_exit(j, watch_stop(j, SIGTERM, FALSE));
}

/* Any user can watch: on the system bus (plain match rules) and on the
 * private socket (the daemon sends signals to every peer). */
static void test_watch_nobody(void) {
        g_autoptr(Harness) h = NULL;
        g_autofree char *sock = NULL;

        if (!is_root_with_setpriv())
                return;
        h = start_demo();
        sock = harness_socket_address(h);
        for (int i = 0; i < 2; i++) {
                g_autoptr(Watch) w = watch_start_as(h, TRUE,
                                                    i == 0 ? (const char *[]) { "--watch", NULL }
                                                           : (const char *[]) { "--watch", "--address", sock, NULL });
                guint mark = watch_wait_listening(w, poke_autoprobe);
                int gone;

                sim_rebind_vf(h->sim, CX6_VF0, i == 0 ? SIM_VF_VFIO : SIM_VF_NET, NULL);
                if (i == 0) {
                        gone = watch_wait_event(w, mark, "interface", "deleted", "enp59s0f0v0");
                        assert_driver_chain_text(w, gone + 1);
                } else
                        watch_wait_event(w, mark, "interface", "created", sim_netdev(h->sim, CX6_VF0));
                assert_clean_exit(w, watch_stop(w, SIGTERM, FALSE));
        }
}

/* A watch outlives the daemon (a restarted daemon's events show), not the bus. */
static void test_watch_restart(void) {
        g_autoptr(Harness) h = start_demo();
        g_autoptr(Watch) w = watch_start(h, (const char *[]) { "--watch", NULL });
        guint mark = watch_wait_listening(w, poke_autoprobe);
        int status;

        harness_stop_daemon(h);
        harness_start_daemon(h, NULL);
        mark = w->lines->len;
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

/* The reader goes away (| head -1): exit 0 at the next line, quietly; also
 * with SIGPIPE ignored (as systemd starts services), where writes fail with
 * EPIPE instead. */
static void test_watch_closed_pipe(void) {
        g_autoptr(Harness) h = start_demo();

        for (int run = 0; run < 4; run++) {
                const char *ignoring[] = { "sh", "-c", "trap '' PIPE; exec \"$0\" \"$@\"", g_getenv("SRIOV_STATUS"),
                                           "--watch", NULL };
                g_autoptr(Watch) w = run % 2 ? watch_spawn(h, ignoring)
                                             : watch_start(h, (const char *[]) { "--watch", NULL });

                watch_wait_listening(w, poke_autoprobe);
                close(w->out_fd);
                w->out_fd = -1;
                poke_autoprobe(w);
                g_assert_cmpint(watch_wait_exit(w), ==, 0);
                g_assert_cmpstr(w->err->str, ==, "");
                /* dbus-monitor and jq are gone too. */
                g_assert_cmpint(kill(-w->pid, 0), ==, -1);
                g_assert_cmpint(errno, ==, ESRCH);
        }
}

static void test_watch_errors(void) {
        g_autoptr(Harness) h = start_demo();

        assert_fails(h, (const char *[]) { "--watch", "0000:3b:00.7", NULL }, 4, "0000:3b:00.7");
        assert_fails(h, (const char *[]) { "--watch", "--pf=0000:3b:00.7", NULL }, 4, "0000:3b:00.7");
        assert_fails(h, (const char *[]) { "--watch", "--refresh", NULL }, 2, "--watch");
        assert_fails(h, (const char *[]) { "--watch=yes", NULL }, 2, "--watch");
        assert_fails(h, (const char *[]) { "-w", "--role=vfs", NULL }, 2, "vfs");
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

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/status-watch/text", test_watch);
        g_test_add_func("/status-watch/json", test_watch_json);
        g_test_add_func("/status-watch/device", test_watch_device);
        g_test_add_func("/status-watch/filters", test_watch_filters);
        g_test_add_func("/status-watch/nobody", test_watch_nobody);
        g_test_add_func("/status-watch/restart", test_watch_restart);
        g_test_add_func("/status-watch/closed-pipe", test_watch_closed_pipe);
        g_test_add_func("/status-watch/errors", test_watch_errors);
        return g_test_run();
}
