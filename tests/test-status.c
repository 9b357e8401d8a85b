/* SPDX-License-Identifier: MIT */
/* sriov-status, the shell client, against the running daemon on a private
 * bus: the table, one device, JSON, filters, --status, pipes and errors.
 * --watch is in test-status-watch.c. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status-client.h"

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

        pf_line = find_line(lines, CX6_PF);
        vf_line = find_line(lines, "  0000:3b:00.4");
        next_pf = find_line(lines, E810_PF);
        g_assert_cmpint(pf_line, ==, 1);
        g_assert_cmpint(vf_line, ==, pf_line + 3);
        g_assert_cmpint(next_pf, ==, pf_line + 5);
        g_assert_cmpint(find_line(lines, "0000:02:00.0"), ==, -1);

        pf = row_fields(lines[pf_line]);
        g_assert_cmpstrv(pf, ((const char *[]) { CX6_PF, "pf", "15b3:101d", "Mellanox Technologies", "mlx5_core",
                                                 "net", "enp59s0f0np0", "4/8", "40", NULL }));
        vf = row_fields(lines[vf_line] + 2);
        g_assert_cmpstrv(vf, ((const char *[]) { "0000:3b:00.4", "vf", "15b3:101e", "Mellanox Technologies", "vfio-pci",
                                                 "vfio", "-", "vf2", "43", NULL }));
        g_strfreev(vf);
        vf = row_fields(lines[find_line(lines, "  0000:3b:00.5")] + 2);
        g_assert_cmpstrv(vf, ((const char *[]) { "0000:3b:00.5", "vf", "15b3:101e", "Mellanox Technologies", "-",
                                                 "unbound", "-", "vf3", "44", NULL }));
}

/* -o/--output picks the columns; --no-legend drops the header; no
 * indentation then, for scripts. */
static void test_output_fields(void) {
        g_autoptr(Harness) h = start_demo();
        const char *const spellings[][4] = {
                { "-o", "address,pf,vf-index,vendor-id,device-id", "--no-legend", NULL },
                { "--output=ADDRESS,PF,VF-INDEX,VENDOR-ID,DEVICE-ID", "--no-legend", NULL },
                { "-oaddress,pf,vf-index,vendor-id,device-id", "--no-legend", NULL },
        };

        for (guint i = 0; i < G_N_ELEMENTS(spellings); i++) {
                g_autofree char *out = NULL, *err = NULL;
                g_auto(GStrv) lines = NULL, vf = NULL, pf = NULL;

                g_assert_cmpint(status(h, spellings[i], &out, &err), ==, 0);
                lines = g_strsplit(out, "\n", -1);
                g_assert_cmpuint(g_strv_length(lines), ==, 12 + 1);
                pf = row_fields(lines[0]);
                g_assert_cmpstrv(pf, ((const char *[]) { CX6_PF, "-", "-", "0x15b3", "0x101d", NULL }));
                vf = row_fields(lines[find_line(lines, CX6_VF1)]);
                g_assert_cmpstrv(vf, ((const char *[]) { CX6_VF1, CX6_PF, "1", "0x15b3", "0x101e", NULL }));
        }

        g_autofree char *out = NULL, *err = NULL;
        g_assert_cmpint(status(h, (const char *[]) { "--output", "driver", NULL }, &out, &err), ==, 0);
        g_assert_true(g_str_has_prefix(out, "DRIVER\nmlx5_core\n"));
}

/* Filters, alone and combined, for the table and JSON. */
static void test_filters(void) {
        g_autoptr(Harness) h = start_demo();
        const struct {
                const char *args[4];
                const char *addresses; /* the table's ADDRESS column, in order */
        } cases[] = {
                { { "--pf=" CX6_PF, NULL }, CX6_PF ",0000:3b:00.2,0000:3b:00.3,0000:3b:00.4,0000:3b:00.5" },
                { { "--pf", "enp59s0f0np0", NULL }, CX6_PF ",0000:3b:00.2,0000:3b:00.3,0000:3b:00.4,0000:3b:00.5" },
                { { "--pf=b5:00.0", NULL }, "0000:b5:00.0,0000:b5:00.1,0000:b5:00.2" },
                { { "--driver=vfio-pci", NULL }, "0000:3b:00.4" },
                { { "--mode=unbound", NULL }, "0000:3b:00.5" },
                { { "--mode=net", "--role=vf", "--pf=5e:00.0", NULL }, "0000:5e:02.0,0000:5e:02.1" },
                { { "--role=pf", NULL }, CX6_PF "," E810_PF ",0000:af:00.0,0000:b5:00.0" },
                { { "--role=pf", "--driver=ice", NULL }, E810_PF },
                { { "--mode=vfio", "--pf=" E810_PF, NULL }, "" },
        };

        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *out = NULL, *err = NULL, *json = NULL, *expr = NULL;
                g_autoptr(GPtrArray) args = g_ptr_array_new();

                for (const char *const *a = cases[i].args; *a; a++)
                        g_ptr_array_add(args, (char *) *a);
                g_ptr_array_add(args, "--no-legend");
                g_ptr_array_add(args, "-o");
                g_ptr_array_add(args, "address");
                g_ptr_array_add(args, NULL);
                g_assert_cmpint(status(h, (const char *const *) args->pdata, &out, &err), ==, 0);
                g_strdelimit(out, "\n", ',');
                if (*out)
                        out[strlen(out) - 1] = '\0';
                g_assert_cmpstr(out, ==, cases[i].addresses);

                /* The same devices in JSON. */
                g_ptr_array_set_size(args, args->len - 4);
                g_ptr_array_add(args, "--json");
                g_ptr_array_add(args, NULL);
                g_assert_cmpint(status(h, (const char *const *) args->pdata, &json, &err), ==, 0);
                expr = g_strdup_printf("map(.PciAddress) | join(\",\") == \"%s\"", cases[i].addresses);
                g_assert_true(jq_holds(h, json, expr));
        }

        /* With no match, the legend says so; without the legend, nothing. */
        {
                g_autofree char *out = NULL, *err = NULL;

                g_assert_cmpint(status(h, (const char *[]) { "--driver=e1000e", NULL }, &out, &err), ==, 0);
                g_assert_true(g_str_has_suffix(out, "No SR-IOV devices.\n"));
                g_clear_pointer(&out, g_free);
                g_assert_cmpint(status(h, (const char *[]) { "--driver=e1000e", "--no-legend", NULL }, &out, &err),
                                ==, 0);
                g_assert_cmpstr(out, ==, "");
        }
        assert_fails(h, (const char *[]) { "--pf=" CX6_VF0, NULL }, 4, "not a PF");
        assert_fails(h, (const char *[]) { "--pf=eth99", NULL }, 4, "eth99");
        assert_fails(h, (const char *[]) { "--mode=bridge", NULL }, 2, "bridge");
        assert_fails(h, (const char *[]) { "--role=xf", NULL }, 2, "xf");
        assert_fails(h, (const char *[]) { "--driver=", NULL }, 2, "--driver");
        assert_fails(h, (const char *[]) { "--mode=net", CX6_VF0, NULL }, 2, "not to one DEVICE");
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
                g_assert_nonnull(strstr(out, "VendorId: 0x15b3\nDeviceId: 0x101e\n"));
                /* Addresses, not object paths. */
                g_assert_nonnull(strstr(out, "PhysicalFunction: " CX6_PF "\n"));
                g_assert_null(strstr(out, "/org/sriov"));
                /* Network facts (issue 15): a VF on vfio-pci whose PF's netdev
                 * is not on this host: the defaults, in the view's spelling. */
                g_assert_nonnull(strstr(out, "HwAddress: -\nOperState: -\nCarrier: false\nMtu: 0\nSpeed: -1\n"));
                g_assert_nonnull(strstr(out, "AdminMac: -\nVlans: -\n"));
        }

        g_autofree char *out = NULL, *err = NULL, *pf = NULL;
        g_assert_cmpint(status(h, (const char *[]) { "--device-name", "enp59s0f0v1", NULL }, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "PciAddress: " CX6_VF1 "\n"));
        g_assert_nonnull(strstr(out, "NetDevices: enp59s0f0v1\n"));
        g_assert_cmpint(status(h, (const char *[]) { CX6_PF, NULL }, &pf, &err), ==, 0);
        g_assert_nonnull(strstr(pf, "VirtualFunctions: 0000:3b:00.2,0000:3b:00.3,0000:3b:00.4,0000:3b:00.5\n"));
        g_assert_nonnull(strstr(pf, "NumVFs: 4\n"));
        g_assert_nonnull(strstr(pf, "VfConfigComplete: false\n"));
        g_assert_null(strstr(pf, "/org/sriov"));
}

static void test_json(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL, *one = NULL, *pf = NULL;

        g_assert_cmpint(status(h, (const char *[]) { "--format", "json", NULL }, &out, &err), ==, 0);
        g_assert_true(jq_holds(h, out, "length == 12"));
        g_assert_true(jq_holds(h, out, ".[0].PciAddress == \"0000:3b:00.0\" and .[0].Role == \"pf\" and "
                                       ".[0].VendorId == \"0x15b3\" and .[0].DeviceId == \"0x101d\" and "
                                       ".[0].NumVFs == 4 and .[0].TotalVFs == 8 and "
                                       ".[0].DriversAutoprobe == true and (.[0].VirtualFunctions | length) == 4 and "
                                       ".[0].VirtualFunctionAddresses == "
                                       "[\"0000:3b:00.2\",\"0000:3b:00.3\",\"0000:3b:00.4\",\"0000:3b:00.5\"]"));
        g_assert_true(jq_holds(h, out, ".[3] | .PciAddress == \"0000:3b:00.4\" and .VFIndex == 2 and "
                                       ".Mode == \"vfio\" and .VfioDevice == \"/dev/vfio/43\" and .NetDevices == [] and "
                                       ".PhysicalFunction == \"/org/sriov/Monitor1/Device/pci_0000_3b_00_0\" and "
                                       ".PhysicalFunctionAddress == \"0000:3b:00.0\""));
        /* Keys are the D-Bus property names, plus Object and the addresses. */
        g_assert_true(jq_holds(h, out, ".[1] | keys == ([\"Object\",\"PciAddress\",\"Role\",\"VendorId\",\"DeviceId\","
                                       "\"VendorName\",\"Driver\",\"Mode\",\"NetDevices\",\"NumaNode\",\"IommuGroup\","
                                       "\"PhysicalFunction\",\"VFIndex\",\"VfioDevice\",\"PhysicalFunctionAddress\","
                                       /* the network facts of issue 15 */
                                       "\"HwAddress\",\"OperState\",\"Carrier\",\"Mtu\",\"Speed\","
                                       "\"AdminMac\",\"Vlans\",\"SpoofCheck\",\"Trust\",\"LinkState\","
                                       "\"MinTxRate\",\"MaxTxRate\",\"QueryRss\","
                                       /* issue 16 */
                                       "\"IommuGroupDevices\",\"ProductName\",\"PcieLinkSpeed\",\"PcieLinkWidth\","
                                       "\"VfioCdev\",\"InUse\",\"OwnerPid\",\"OwnerName\",\"Representor\"] "
                                       "| sort)"));

        /* One device: the same object as in the list. */
        g_assert_cmpint(status(h, (const char *[]) { "-j", "enp59s0f0v0", NULL }, &one, &err), ==, 0);
        g_assert_true(jq_holds(h, one, "length == 1 and .[0].PciAddress == \"0000:3b:00.2\" and "
                                       ".[0].VendorId == \"0x15b3\" and .[0].PhysicalFunctionAddress == \"0000:3b:00.0\""));
        g_assert_cmpint(status(h, (const char *[]) { "--json", CX6_PF, NULL }, &pf, &err), ==, 0);
        {
                g_autofree char *expr = g_strdup_printf("(.[0] | del(.Object)) == (%s | .[0] | del(.Object))", out);

                g_assert_true(jq_holds(h, pf, expr));
        }
}

/* --status: the daemon's own state, Degraded spelled out. */
static void test_status(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL, *json = NULL;
        g_auto(GStrv) lines = NULL;

        g_assert_cmpint(status(h, (const char *[]) { "--status", NULL }, &out, &err), ==, 0);
        lines = g_strsplit(out, "\n", -1);
        g_assert_cmpstr(lines[0], ==, "Version: " PACKAGE_VERSION);
        g_assert_cmpstr(lines[1], ==, "Degraded: no");
        g_assert_true(g_regex_match_simple("^LastRefresh: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ", lines[2], 0, 0));
        g_assert_true(g_regex_match_simple("^EventsProcessed: \\d+$", lines[3], 0, 0));
        g_assert_cmpstr(lines[4], ==, "PhysicalFunctions: 4");
        g_assert_cmpstr(lines[5], ==, "Hazards: none");

        g_assert_cmpint(status(h, (const char *[]) { "--status", "--json", NULL }, &json, &err), ==, 0);
        g_assert_true(jq_holds(h, json, ".Version == \"" PACKAGE_VERSION "\" and .Degraded == false and "
                                        "(.LastRefresh | type) == \"number\" and .LastRefresh > 0 and "
                                        "(.EventsProcessed | type) == \"number\" and .Hazards == []"));
        assert_fails(h, (const char *[]) { "--status", CX6_VF0, NULL }, 2, "--status");
        assert_fails(h, (const char *[]) { "--status", "--watch", NULL }, 2, "--status");
}

/* The reader goes away early (| head -1, | true): exit 0, nothing on
 * stderr, every time; with SIGPIPE at its default and ignored. */
static void ignore_sigpipe(gpointer unused) {
        (void) signal(SIGPIPE, SIG_IGN);
}

static void run_closed_pipe(Harness *h, const char *const *args, gboolean read_one_line, gboolean sigpipe_ignored) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        g_autofree char *err = NULL;
        int out_fd, err_fd, wstatus;
        GPid pid;

        g_ptr_array_add(argv, (char *) g_getenv("SRIOV_STATUS"));
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        if (!g_spawn_async_with_pipes(NULL, (char **) argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                      sigpipe_ignored ? ignore_sigpipe : NULL, NULL, &pid, NULL, &out_fd, &err_fd,
                                      &error))
                g_error("Cannot run sriov-status: %s", error->message);
        if (read_one_line) {
                char c = 0;

                /* As head -1: one line, then close. */
                while (c != '\n' && read(out_fd, &c, 1) == 1)
                        ;
        }
        close(out_fd);
        {
                g_autoptr(GIOChannel) ch = g_io_channel_unix_new(err_fd);

                g_io_channel_set_close_on_unref(ch, TRUE);
                g_assert_cmpint(g_io_channel_read_to_end(ch, &err, NULL, NULL), ==, G_IO_STATUS_NORMAL);
        }
        g_assert_cmpint(waitpid(pid, &wstatus, 0), ==, pid);
        g_spawn_close_pid(pid);
        g_assert_cmpstr(err, ==, "");
        g_assert_true(WIFEXITED(wstatus));
        g_assert_cmpint(WEXITSTATUS(wstatus), ==, 0);
}

static void test_closed_pipe(void) {
        g_autoptr(Harness) h = start_demo();
        const char *const *cases[] = {
                (const char *[]) { NULL },
                (const char *[]) { "--json", NULL },
                (const char *[]) { CX6_PF, NULL },
                (const char *[]) { "--status", NULL },
        };

        /* 20 times each the table and JSON (the failure this guards
         * against came in about half of the runs), fewer the others. */
        for (int run = 0; run < 20; run++)
                for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                        if (i >= 2 && run >= 5)
                                continue;
                        run_closed_pipe(h, cases[i], TRUE, FALSE);
                        run_closed_pipe(h, cases[i], FALSE, FALSE);
                        if (run < 3) {
                                run_closed_pipe(h, cases[i], TRUE, TRUE);
                                run_closed_pipe(h, cases[i], FALSE, TRUE);
                        }
                }
}

/* One device costs FindDevice and one GetAll of that device, never the whole
 * table (GetManagedObjects): watched with dbus-monitor, which needs root
 * (BecomeMonitor). */
static void test_one_device_calls(void) {
        g_autoptr(Harness) h = NULL;
        g_autoptr(Watch) mon = NULL;
        g_autofree char *out = NULL, *err = NULL, *ping = NULL;
        guint find = 0, getall = 0, all = 0;

        if (getuid() != 0) {
                g_test_skip("needs root: dbus-monitor must become a monitor of the test bus");
                return;
        }
        h = start_demo();
        {
                g_autofree char *address = g_strdup(h->bus_address);
                const char *argv[] = { "dbus-monitor", "--address", address,
                                       "type='method_call',destination='org.sriov.Monitor1'", NULL };

                mon = watch_spawn(h, argv);
        }
        /* It monitors once the bus took its name away (NameLost). */
        for (;;) {
                gboolean lost = FALSE;

                for (guint i = 0; i < mon->lines->len; i++)
                        lost |= strstr(g_ptr_array_index(mon->lines, i), "member=NameLost") != NULL;
                if (lost)
                        break;
                g_assert_true(watch_pump(mon, g_get_monotonic_time() + 20 * G_USEC_PER_SEC));
        }
        g_assert_cmpstr(mon->err->str, ==, "");

        g_assert_cmpint(status(h, (const char *[]) { "3b:00.3", NULL }, &out, &err), ==, 0);
        g_clear_pointer(&out, g_free);
        g_assert_cmpint(status(h, (const char *[]) { "--json", "enp59s0f0v1", NULL }, &out, &err), ==, 0);
        /* A last call of our own marks the end of what to look at. */
        {
                const char *argv[] = { "busctl", "--address", h->bus_address, "call", "org.sriov.Monitor1",
                                       "/org/sriov/Monitor1", "org.freedesktop.DBus.Peer", "Ping", NULL };

                g_assert_cmpint(harness_run(h, argv, &ping, NULL), ==, 0);
        }
        for (;;) {
                gboolean pinged = FALSE;

                for (guint i = 0; i < mon->lines->len; i++)
                        pinged |= strstr(g_ptr_array_index(mon->lines, i), "member=Ping") != NULL;
                if (pinged)
                        break;
                g_assert_true(watch_pump(mon, g_get_monotonic_time() + 20 * G_USEC_PER_SEC));
        }
        for (guint i = 0; i < mon->lines->len; i++) {
                const char *line = g_ptr_array_index(mon->lines, i);

                find += strstr(line, "member=FindDevice") != NULL;
                getall += strstr(line, "member=GetAll") != NULL;
                all += strstr(line, "member=GetManagedObjects") != NULL;
        }
        g_assert_cmpuint(find, ==, 2);
        g_assert_cmpuint(getall, ==, 2);
        g_assert_cmpuint(all, ==, 0);
}

static void test_errors(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL;

        assert_fails(h, (const char *[]) { "0000:3b:00.7", NULL }, 4, "no such device: 0000:3b:00.7");
        assert_fails(h, (const char *[]) { "--device-name", "eth99", NULL }, 4, "eth99");
        assert_fails(h, (const char *[]) { "--frobnicate", NULL }, 2, "--frobnicate");
        assert_fails(h, (const char *[]) { "-x", NULL }, 2, "'-x'");
        assert_fails(h, (const char *[]) { "--format", "xml", NULL }, 2, "xml");
        assert_fails(h, (const char *[]) { "--format", NULL }, 2, "requires an argument");
        assert_fails(h, (const char *[]) { "-o", "address,bogus", NULL }, 2, "bogus");
        assert_fails(h, (const char *[]) { "-o", "address,,role", NULL }, 2, "empty field");
        assert_fails(h, (const char *[]) { "-o", "address", "--json", NULL }, 2, "--output");
        assert_fails(h, (const char *[]) { "--no-legend=1", NULL }, 2, "--no-legend");
        assert_fails(h, (const char *[]) { CX6_VF0, CX6_VF1, NULL }, 2, "more than one device");
        assert_fails(h, (const char *[]) { "--address", "unix:path=/nonexistent/bus", NULL }, 3, NULL);

        g_assert_cmpint(status(h, (const char *[]) { "--version", NULL }, &out, &err), ==, 0);
        g_assert_cmpstr(out, ==, "sriov-status " PACKAGE_VERSION "\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        g_assert_cmpint(status(h, (const char *[]) { "--help", NULL }, &out, &err), ==, 0);
        g_assert_nonnull(strstr(out, "--device-name"));

        /* The daemon gone: its own exit code. */
        harness_stop_daemon(h);
        assert_fails(h, (const char *[]) { NULL }, 3, "not reachable");
        assert_fails(h, (const char *[]) { CX6_VF0, NULL }, 3, "not reachable");
        assert_fails(h, (const char *[]) { "--status", NULL }, 3, "not reachable");
}

static void test_refresh_and_address(void) {
        g_autoptr(Harness) h = start_demo();
        g_autofree char *out = NULL, *err = NULL, *sock = harness_socket_address(h), *p2p = NULL;
        g_autoptr(GVariant) before = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        g_autoptr(GVariant) after = NULL;

        /* --address names the bus explicitly (here the same private bus). */
        g_assert_cmpint(status(h, (const char *[]) { "--refresh", "--address", h->bus_address, NULL }, &out, &err),
                        ==, 0);
        g_assert_true(g_str_has_prefix(out, "ADDRESS"));
        after = harness_get(h, MANAGER_PATH, MANAGER_IFACE, "LastRefresh");
        g_assert_cmpuint(g_variant_get_uint64(after), >, g_variant_get_uint64(before));

        /* The private socket gives the same table. */
        g_assert_cmpint(status(h, (const char *[]) { "--address", sock, NULL }, &p2p, &err), ==, 0);
        g_assert_cmpstr(p2p, ==, out);
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
        g_test_add_func("/status/output-fields", test_output_fields);
        g_test_add_func("/status/filters", test_filters);
        g_test_add_func("/status/detail", test_detail);
        g_test_add_func("/status/json", test_json);
        g_test_add_func("/status/status", test_status);
        g_test_add_func("/status/closed-pipe", test_closed_pipe);
        g_test_add_func("/status/one-device-calls", test_one_device_calls);
        g_test_add_func("/status/errors", test_errors);
        g_test_add_func("/status/refresh-and-address", test_refresh_and_address);
        g_test_add_func("/status/empty-host", test_empty_host);
        return g_test_run();
}
