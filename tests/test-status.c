/* SPDX-License-Identifier: MIT */
/* sriov-status, the shell client, against the running daemon on a private bus. */
#include <string.h>
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
        return g_test_run();
}
