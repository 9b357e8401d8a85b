/* SPDX-License-Identifier: MIT */
/* The fleet files carry outside strings (vendor names from udev's hwdb,
 * driver and netdev names from sysfs) into formats other programs parse.
 * The input gives them (split at NULs: vendor, PF driver, PF netdev, VF
 * driver, VF netdev, JOURNAL_STREAM). Invariants: every metrics line is a
 * HELP, a TYPE or a sample whose label values, unescaped by a reader
 * written here, are the strings given; every feature line is a valid
 * Kubernetes label, and a driver whose name is one is listed. */
#include <stdbool.h>

#include "features-format.h"
#include "fuzz.h"
#include "journal-fields.h"
#include "metrics-format.h"
#include "strv.h"

static Device *make(const char *address, DeviceRole role, const char *driver, const char *netdev) {
        Device *d = NULL;

        if (device_new(address, role, &d) < 0)
                abort();
        d->driver = driver && *driver ? strdup(driver) : NULL;
        if (netdev && *netdev && strv_consume(&d->netdevs, strdup(netdev)) < 0)
                abort();
        d->mode = device_mode(d->driver, d->netdevs);
        return d;
}

/* Reads one label value at p (after the opening quote) into out; returns
 * the character after the closing quote, or NULL if the value is malformed. */
static const char *read_value(const char *p, char *out, size_t n) {
        size_t k = 0;

        for (; *p && *p != '"'; p++) {
                char c = *p;

                fuzz_assert(c != '\n');
                if (c == '\\') {
                        p++;
                        c = *p == 'n' ? '\n' : *p;
                        fuzz_assert(*p == 'n' || *p == '\\' || *p == '"');
                }
                fuzz_assert(k + 1 < n);
                out[k++] = c;
        }
        out[k] = '\0';
        return *p == '"' ? p + 1 : NULL;
}

/* A sample line: name{label="value",...} number. Checks the label named
 * `want_label` (if any) has the value `want`. */
static void check_sample(const char *line, const char *want_label, const char *want) {
        const char *p = line;
        char value[4096];
        bool seen = false;

        while ((*p >= 'a' && *p <= 'z') || *p == '_')
                p++;
        fuzz_assert(p > line);
        if (*p == '{') {
                p++;
                while (*p != '}') {
                        const char *name = p;
                        size_t len;

                        while ((*p >= 'a' && *p <= 'z') || *p == '_')
                                p++;
                        len = (size_t) (p - name);
                        fuzz_assert(len > 0 && p[0] == '=' && p[1] == '"');
                        p = read_value(p + 2, value, sizeof(value));
                        fuzz_assert(p);
                        if (want_label && strlen(want_label) == len && strncmp(name, want_label, len) == 0) {
                                fuzz_assert(strcmp(value, want) == 0);
                                seen = true;
                        }
                        if (*p == ',')
                                p++;
                        else
                                fuzz_assert(*p == '}');
                }
                p++;
        }
        fuzz_assert(*p == ' ');
        for (p++; *p; p++)
                fuzz_assert((*p >= '0' && *p <= '9') || *p == '.');
        fuzz_assert(!want_label || seen);
}

static bool label_ok(const char *s, size_t len, bool may_be_empty) {
        if (len == 0)
                return may_be_empty;
        if (len > 63)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

                if (!alnum && ((i == 0 || i == len - 1) || (c != '-' && c != '_' && c != '.')))
                        return false;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *f[6];
        char *buf = NULL, *text = NULL, *save = NULL;
        DeviceTable *t = NULL;
        Device *pf, *vf, *old = NULL;
        uint64_t events[METRICS_N_EVENT_TYPES] = { 1, 2, 3, 4 };

        if (size > 4096)
                return 0;
        fuzz_split(data, size, f, 6, &buf);
        if (device_table_new(&t) < 0)
                abort();
        pf = make("0000:3b:00.0", DEVICE_ROLE_PF, f[1], f[2]);
        pf->vendor_name = strdup(f[0] ?: "");
        vf = make("0000:3b:00.2", DEVICE_ROLE_VF, f[3], f[4]);
        vf->pf_address = strdup("0000:3b:00.0");
        /* Two devices may not claim one netdev: then the VF has none. */
        if (device_table_put(t, pf, &old) < 0)
                abort();
        if (device_table_put(t, vf, &old) < 0)
                vf = NULL;

        fuzz_assert(metrics_format(&(MetricsInput) { .table = t, .per_vf = true, .events = events }, &text) == 0);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (strncmp(line, "# HELP sriov_monitor_", 21) == 0 || strncmp(line, "# TYPE sriov_monitor_", 21) == 0)
                        continue;
                fuzz_assert(strncmp(line, "sriov_monitor_", 14) == 0);
                if (strncmp(line, "sriov_monitor_pf_info{", 22) == 0)
                        check_sample(line, "vendor", f[0] ?: "");
                else if (strncmp(line, "sriov_monitor_vf_info{", 22) == 0)
                        check_sample(line, "driver", f[3] ?: "");
                else
                        check_sample(line, NULL, NULL);
        }
        free(text);
        text = NULL;

        fuzz_assert(features_format(t, &text) == 0);
        fuzz_assert(strlen(text) < FEATURES_FILE_MAX);
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *eq = strchr(line, '=');

                fuzz_assert(eq && strncmp(line, "sriov.monitor/", 14) == 0);
                fuzz_assert(label_ok(line + 14, (size_t) (eq - line - 14), false));
                fuzz_assert(label_ok(eq + 1, strlen(eq + 1), true));
        }
        for (int i = 1; i <= 3; i += 2)
                if (f[i] && *f[i] && (i == 1 || vf) && label_ok(f[i], strlen(f[i]), false) && strlen(f[i]) <= 56) {
                        char want[128];

                        snprintf(want, sizeof(want), "sriov.monitor/driver-%s=true", f[i]);
                        /* text was cut by strtok_r: search the lines again. */
                        free(text);
                        fuzz_assert(features_format(t, &text) == 0);
                        fuzz_assert(strstr(text, want));
                }
        free(text);
        (void) journal_stream_matches(f[5], 8, 1234);
        device_table_free(t);
        free(buf);
        return 0;
}
