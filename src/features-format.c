/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features-format.h"
#include "strv.h"

#define PREFIX "sriov.monitor/"

static bool label_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
}

static bool label_alnum(char c) {
        return label_char(c) && c != '-' && c != '_' && c != '.';
}

/* "driver-NAME" when NAME makes a label name (alphanumerics, '-', '_',
 * '.', starting and ending with an alphanumeric, 63 characters in all). */
static bool driver_label_ok(const char *driver) {
        size_t n = strlen(driver);

        if (n == 0 || strlen("driver-") + n > FEATURE_NAME_MAX || !label_alnum(driver[n - 1]))
                return false;
        for (const char *p = driver; *p; p++)
                if (!label_char(*p))
                        return false;
        return true;
}

static int add_driver(char ***drivers, const char *driver) {
        if (!driver || !driver_label_ok(driver) || strv_contains(*drivers, driver))
                return 0;
        return strv_consume(drivers, strdup(driver));
}

int features_format(const DeviceTable *table, char **ret) {
        _cleanup_free_ Device **devices = NULL;
        _cleanup_strv_free_ char **drivers = NULL;
        unsigned pfs = 0, vfs = 0, vfio = 0, vfio_free = 0;
        size_t n, size = 0;
        char *text = NULL;
        FILE *f;
        int r;

        r = device_table_list(table, -1, &devices, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const Device *d = devices[i];

                if (d->role == DEVICE_ROLE_PF)
                        pfs++;
                else {
                        vfs++;
                        vfio += streq_ptr(d->mode, "vfio");
                        /* Free for a new VM: on VFIO, and no process holds
                         * its group node or cdev open. */
                        vfio_free += streq_ptr(d->mode, "vfio") && !d->in_use;
                }
                r = add_driver(&drivers, d->driver);
                if (r < 0)
                        return r;
        }
        strv_sort(drivers);

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, PREFIX "pfs=%u\n" PREFIX "vfs=%u\n" PREFIX "vfs-vfio=%u\n" PREFIX "vfs-vfio-free=%u\n", pfs,
                vfs, vfio, vfio_free);
        for (char **d = drivers; d && *d; d++)
                fprintf(f, PREFIX "driver-%s=true\n", *d);
        if (fclose(f) != 0 || !text) {
                free(text);
                return -ENOMEM;
        }
        /* A few dozen drivers at most: far below NFD's limit. */
        if (strlen(text) >= FEATURES_FILE_MAX) {
                free(text);
                return -E2BIG;
        }
        *ret = text;
        return 0;
}
