/* SPDX-License-Identifier: MIT */
/* The fleet sinks' pure parts: the metrics text, the NFD feature file, the
 * journal entries' fields. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "features-format.h"
#include "fleet-fixture.h"
#include "journal-fields.h"
#include "metrics-format.h"

static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

static char *format(const DeviceTable *t, bool per_vf, const HazardList *hazards) {
        uint64_t events[METRICS_N_EVENT_TYPES] = { 3, 2, 1, 0 };
        char *text = NULL;

        assert_int_equal(metrics_format(&(MetricsInput) {
                .table = t,
                .per_vf = per_vf,
                .degraded = true,
                .last_refresh_usec = 1764000000123456ULL,
                .events = events,
                .hazards = hazards,
        }, &text), 0);
        return text;
}

static void test_metrics_series(void **state) {
        DeviceTable *t = fixture_table();
        Hazard h = { .kind = HAZARD_DRIVERLESS, .address = "0000:3b:00.4", .text = (char *) "x" };
        HazardList hazards = { &h, 1 };
        Device *pf = device_table_get(t, "0000:3b:00.0"), *vf = device_table_get(t, "0000:3b:00.3");
        char *text;

        /* Issue 16's facts: the hwdb product, the eswitch mode, the VF's owner. */
        pf->product_name = strdup("MT2892 Family [ConnectX-6 Dx]");
        pf->eswitch_mode = "switchdev";
        vf->in_use = true;
        vf->owner_pid = 4242;
        vf->owner_name = strdup("vm-web-1");
        text = format(t, false, &hazards);
        assert_true(has_line(text, "sriov_monitor_pf_info{pci_address=\"0000:3b:00.0\",device=\"enp59s0f0np0\","
                                   "driver=\"mlx5_core\",vendor=\"Mellanox Technologies\","
                                   "product=\"MT2892 Family [ConnectX-6 Dx]\",eswitch_mode=\"switchdev\"} 1"));
        assert_true(has_line(text, "sriov_monitor_pf_vfs_max{pci_address=\"0000:3b:00.0\"} 8"));
        assert_true(has_line(text, "sriov_monitor_pf_vfs{pci_address=\"0000:3b:00.0\",mode=\"net\"} 1"));
        assert_true(has_line(text, "sriov_monitor_pf_vfs{pci_address=\"0000:3b:00.0\",mode=\"vfio\"} 1"));
        assert_true(has_line(text, "sriov_monitor_pf_vfs{pci_address=\"0000:3b:00.0\",mode=\"unbound\"} 1"));
        assert_true(has_line(text, "sriov_monitor_pf_vfs{pci_address=\"0000:3b:00.0\",mode=\"other\"} 0"));
        assert_true(has_line(text, "sriov_monitor_events_total{type=\"pci\"} 3"));
        assert_true(has_line(text, "sriov_monitor_events_total{type=\"driver\"} 2"));
        assert_true(has_line(text, "sriov_monitor_events_total{type=\"sriov\"} 0"));
        assert_true(has_line(text, "sriov_monitor_degraded 1"));
        assert_true(has_line(text, "sriov_monitor_last_refresh_timestamp_seconds 1764000000.123456"));
        assert_true(has_line(text, "sriov_monitor_hazards{kind=\"driverless\"} 1"));
        /* Per-VF series only when asked for. */
        assert_null(strstr(text, "sriov_monitor_vf_info"));
        free(text);

        text = format(t, true, NULL);
        assert_true(has_line(text, "sriov_monitor_vf_info{pci_address=\"0000:3b:00.3\",pf=\"0000:3b:00.0\","
                                   "device=\"\",driver=\"vfio-pci\",mode=\"vfio\",owner=\"vm-web-1\"} 1"));
        assert_true(has_line(text, "sriov_monitor_vf_info{pci_address=\"0000:3b:00.4\",pf=\"0000:3b:00.0\","
                                   "device=\"\",driver=\"\",mode=\"unbound\",owner=\"\"} 1"));
        assert_true(has_line(text, "sriov_monitor_hazards{kind=\"driverless\"} 0"));
        free(text);
        device_table_free(t);
}

/* Every sample belongs to a family announced by HELP and TYPE just before
 * its samples; counters, and only they, end in _total; no timestamps. */
static void test_metrics_shape(void **state) {
        DeviceTable *t = fixture_table();
        char *text = format(t, true, NULL), *save = NULL, family[128] = "", type[16] = "";
        unsigned families = 0;
        regex_t sample;

        assert_int_equal(regcomp(&sample, "^([a-z_]+)(\\{.*\\})? [0-9.]+$", REG_EXTENDED), 0);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                regmatch_t m[3];
                char name[128];

                if (strncmp(line, "# HELP ", 7) == 0) {
                        assert_int_equal(sscanf(line, "# HELP %127s", family), 1);
                        assert_true(strncmp(family, "sriov_monitor_", 14) == 0);
                        families++;
                        continue;
                }
                if (strncmp(line, "# TYPE ", 7) == 0) {
                        assert_int_equal(sscanf(line, "# TYPE %127s %15s", name, type), 2);
                        assert_string_equal(name, family);
                        assert_int_equal(strcmp(type, "counter") == 0,
                                         strlen(name) > 6 && strcmp(name + strlen(name) - 6, "_total") == 0);
                        continue;
                }
                /* A sample: name, labels, one value, no timestamp. */
                assert_int_equal(regexec(&sample, line, 3, m, 0), 0);
                (void) snprintf(name, sizeof(name), "%.*s", (int) (m[1].rm_eo - m[1].rm_so), line);
                assert_string_equal(name, family);
        }
        assert_int_equal(families, 8);
        regfree(&sample);
        free(text);
        device_table_free(t);
}

/* Label values are escaped as the exposition format says; promtool (when
 * installed) accepts the result. */
static void test_metrics_escaping(void **state) {
        DeviceTable *t = fixture_table();
        Device *pf = device_table_get(t, "0000:3b:00.0"), *vf = device_table_get(t, "0000:3b:00.3");
        char *text, path[] = "/tmp/sriov-metrics-XXXXXX";
        FILE *f;
        int fd;

        free(pf->vendor_name);
        pf->vendor_name = strdup("Odd \"Vendor\" \\ Inc.\nLine two");
        pf->product_name = strdup("Odd \"Product\"");
        pf->eswitch_mode = "legacy";
        vf->owner_name = strdup("qemu \"vm\\1\"\n");
        text = format(t, true, NULL);
        assert_non_null(strstr(text, "vendor=\"Odd \\\"Vendor\\\" \\\\ Inc.\\nLine two\""));
        assert_non_null(strstr(text, "product=\"Odd \\\"Product\\\"\",eswitch_mode=\"legacy\""));
        assert_non_null(strstr(text, "owner=\"qemu \\\"vm\\\\1\\\"\\n\""));

        fd = mkstemp(path);
        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        fputs(text, f);
        fclose(f);
        if (access("/usr/bin/promtool", X_OK) == 0) {
                char cmd[256];

                (void) snprintf(cmd, sizeof(cmd), "/usr/bin/promtool check metrics <%s >%s.out 2>&1", path, path);
                assert_int_equal(system(cmd), 0);
                (void) snprintf(cmd, sizeof(cmd), "%s.out", path);
                struct stat st;
                assert_int_equal(stat(cmd, &st), 0);
                assert_int_equal(st.st_size, 0); /* not even a lint warning */
                (void) unlink(cmd);
        } else
                print_message("promtool not installed: the text is checked by the shape test only\n");
        (void) unlink(path);
        free(text);
        device_table_free(t);
}

/* NFD's documented rules for a feature file line: NAME=VALUE where NAME is
 * an optional DNS-subdomain prefix and '/', then a name of at most 63
 * characters, alphanumerics, '-', '_', '.', starting and ending with an
 * alphanumeric; VALUE at most 63 characters of the same, or empty. Written
 * apart from the formatter, from the Kubernetes label syntax. */
static void assert_nfd_line(const char *line) {
        regex_t name, value;
        const char *eq = strchr(line, '='), *slash;
        char n[256], v[256];

        assert_non_null(eq);
        (void) snprintf(n, sizeof(n), "%.*s", (int) (eq - line), line);
        (void) snprintf(v, sizeof(v), "%s", eq + 1);
        slash = strchr(n, '/');
        assert_non_null(slash);
        assert_true(strncmp(n, "sriov.monitor/", 14) == 0);
        assert_true(strlen(slash + 1) <= 63);
        assert_true(strlen(v) <= 63);
        assert_int_equal(regcomp(&name, "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", REG_EXTENDED), 0);
        assert_int_equal(regcomp(&value, "^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$", REG_EXTENDED), 0);
        assert_int_equal(regexec(&name, slash + 1, 0, NULL, 0), 0);
        assert_int_equal(regexec(&value, v, 0, NULL, 0), 0);
        /* NFD's own labels are not repeated. */
        assert_null(strstr(n, "capable"));
        assert_null(strstr(n, "configured"));
        regfree(&name);
        regfree(&value);
}

static void test_features(void **state) {
        DeviceTable *t = fixture_table();
        char *text = NULL, *save = NULL;
        unsigned lines = 0;

        /* Drivers whose names make no label are left out. */
        fixture_device(t, "0000:af:00.0", DEVICE_ROLE_PF, "bad driver!", NULL, NULL);
        fixture_device(t, "0000:af:00.1", DEVICE_ROLE_VF, "ends-with-dash-", NULL, "0000:af:00.0");
        fixture_device(t, "0000:af:00.2", DEVICE_ROLE_VF,
                       "a-driver-name-far-too-long-for-a-label-name-of-sixty-three-chars", NULL, "0000:af:00.0");
        assert_int_equal(features_format(t, &text), 0);
        assert_string_equal(text, "sriov.monitor/pfs=2\n"
                                  "sriov.monitor/vfs=5\n"
                                  "sriov.monitor/vfs-vfio=1\n"
                                  "sriov.monitor/vfs-vfio-free=1\n"
                                  "sriov.monitor/driver-mlx5_core=true\n"
                                  "sriov.monitor/driver-vfio-pci=true\n");
        assert_true(strlen(text) < FEATURES_FILE_MAX);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++)
                assert_nfd_line(line);
        assert_int_equal(lines, 6);
        free(text);

        /* A VM opens the VFIO VF: still on VFIO, no longer free; an
         * owned VF on a net driver never counts. */
        device_table_get(t, "0000:3b:00.3")->in_use = true;
        device_table_get(t, "0000:3b:00.2")->in_use = true;
        assert_int_equal(features_format(t, &text), 0);
        assert_non_null(strstr(text, "sriov.monitor/vfs-vfio=1\nsriov.monitor/vfs-vfio-free=0\n"));
        free(text);
        fixture_device(t, "0000:3b:00.5", DEVICE_ROLE_VF, "vfio-pci", NULL, "0000:3b:00.0");
        assert_int_equal(features_format(t, &text), 0);
        assert_non_null(strstr(text, "sriov.monitor/vfs-vfio=2\nsriov.monitor/vfs-vfio-free=1\n"));
        free(text);
        device_table_free(t);
}

static bool has_field(char **fields, const char *field) {
        for (char **f = fields; f && *f; f++)
                if (streq(*f, field))
                        return true;
        return false;
}

static void test_journal_fields(void **state) {
        DeviceTable *t = fixture_table();
        const Device *vf = device_table_get(t, "0000:3b:00.2");
        char **f = NULL;

        assert_int_equal(journal_event_fields(&(DeviceEvent) { "driver", "modified", "0000:3b:00.2" }, vf, &f), 0);
        assert_true(strncmp(f[0], "MESSAGE=", 8) == 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_DRIVER));
        assert_true(has_field(f, "SRIOV_TYPE=driver"));
        assert_true(has_field(f, "SRIOV_ACTION=modified"));
        assert_true(has_field(f, "SRIOV_PCI_ADDRESS=0000:3b:00.2"));
        assert_true(has_field(f, "SRIOV_NETDEV=enp59s0f0v0"));
        assert_true(has_field(f, "SRIOV_PF=0000:3b:00.0"));
        assert_true(has_field(f, "PRIORITY=6"));
        f = strv_free(f);

        /* An interface event names the interface; a device without one has no SRIOV_NETDEV. */
        assert_int_equal(journal_event_fields(&(DeviceEvent) { "interface", "deleted", "old0" }, vf, &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_INTERFACE));
        assert_true(has_field(f, "SRIOV_NETDEV=old0"));
        f = strv_free(f);
        assert_int_equal(journal_event_fields(&(DeviceEvent) { "pci", "created", "0000:3b:00.4" },
                                              device_table_get(t, "0000:3b:00.4"), &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_PCI));
        for (char **p = f; *p; p++)
                assert_true(strncmp(*p, "SRIOV_NETDEV=", 13) != 0);
        f = strv_free(f);
        /* A PF is its own SRIOV_PF. */
        assert_int_equal(journal_event_fields(&(DeviceEvent) { "sriov", "modified", "0000:3b:00.0" },
                                              device_table_get(t, "0000:3b:00.0"), &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_SRIOV));
        assert_true(has_field(f, "SRIOV_PF=0000:3b:00.0"));
        f = strv_free(f);
        assert_int_equal(journal_event_fields(&(DeviceEvent) { "bogus", "created", "x" }, vf, &f), -EINVAL);

        assert_int_equal(journal_resync_fields("uevent buffer overrun", 3, &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_RESYNC));
        assert_true(has_field(f, "SRIOV_REASON=uevent buffer overrun"));
        f = strv_free(f);
        assert_int_equal(journal_degraded_fields(true, &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_DEGRADED));
        assert_true(has_field(f, "SRIOV_DEGRADED=1"));
        f = strv_free(f);
        Hazard h = { .kind = HAZARD_DRIVERLESS, .address = "0000:3b:00.4", .text = (char *) "no driver" };
        assert_int_equal(journal_hazard_fields(&h, true, &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_HAZARD_BEGIN));
        assert_true(has_field(f, "SRIOV_HAZARD=driverless"));
        f = strv_free(f);
        assert_int_equal(journal_hazard_fields(&h, false, &f), 0);
        assert_true(has_field(f, "MESSAGE_ID=" SRIOV_MESSAGE_HAZARD_END));
        f = strv_free(f);
        device_table_free(t);
}

/* Each MESSAGE_ID is 128 bits in lower-case hex, and they all differ. */
static void test_message_ids(void **state) {
        const char *ids[] = { SRIOV_MESSAGE_PCI, SRIOV_MESSAGE_DRIVER, SRIOV_MESSAGE_INTERFACE, SRIOV_MESSAGE_SRIOV,
                              SRIOV_MESSAGE_RESYNC, SRIOV_MESSAGE_DEGRADED, SRIOV_MESSAGE_HAZARD_BEGIN,
                              SRIOV_MESSAGE_HAZARD_END, SRIOV_MESSAGE_LINK, SRIOV_MESSAGE_CONFIG,
                              SRIOV_MESSAGE_OWNER };
        /* Every DeviceEvent type has its own (a type without one was an
         * error entry per event on the real kernel). */
        const char *types[] = { "pci", "interface", "driver", "sriov", "link", "config", "owner" };

        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                assert_non_null(journal_message_id(types[i]));

        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                assert_int_equal(strlen(ids[i]), 32);
                assert_int_equal(strspn(ids[i], "0123456789abcdef"), 32);
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(ids[i], ids[j]);
        }
}

static void test_journal_stream(void **state) {
        assert_true(journal_stream_matches("8:5:1234", 8, 5) == false);
        assert_true(journal_stream_matches("8:1234", 8, 1234));
        assert_false(journal_stream_matches("8:1235", 8, 1234));
        assert_false(journal_stream_matches(NULL, 8, 1234));
        assert_false(journal_stream_matches("", 8, 1234));
        assert_false(journal_stream_matches("8:1234x", 8, 1234));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_metrics_series),
                cmocka_unit_test(test_metrics_shape),
                cmocka_unit_test(test_metrics_escaping),
                cmocka_unit_test(test_features),
                cmocka_unit_test(test_journal_fields),
                cmocka_unit_test(test_message_ids),
                cmocka_unit_test(test_journal_stream),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
