/* SPDX-License-Identifier: MIT */
/* The owner's name from /proc/PID/cmdline and /proc/PID/comm, which the
 * process writes itself: any bytes. A name is valid UTF-8, not empty, has
 * no lone ',' (QEMU's separator), and appears in the input (with ",," for
 * each comma); comm gives printable ASCII only. */
#include <stdbool.h>

#include "fuzz.h"
#include "owner-parse.h"
#include "sysfs-parse.h"

/* Whether name, with each ',' written ",,", occurs in data. */
static bool occurs_escaped(const uint8_t *data, size_t size, const char *name) {
        size_t n = strlen(name), k = 0;
        char *esc = malloc(2 * n + 1);
        bool found = false;

        if (!esc)
                abort();
        for (size_t i = 0; i < n; i++) {
                esc[k++] = name[i];
                if (name[i] == ',')
                        esc[k++] = ',';
        }
        for (size_t i = 0; k <= size && i + k <= size && !found; i++)
                found = memcmp(data + i, esc, k) == 0;
        free(esc);
        return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *name = NULL;
        int r;

        r = owner_name_from_cmdline((const char *) data, size, &name);
        fuzz_assert(r == 0 || r == 1);
        fuzz_assert((r == 1) == (name != NULL));
        if (name) {
                fuzz_assert(name[0] != '\0' && utf8_is_valid(name));
                fuzz_assert(occurs_escaped(data, size, name));
                free(name);
                name = NULL;
        }

        r = owner_name_from_comm((const char *) data, size, &name);
        fuzz_assert(r == 0 || r == 1);
        if (name) {
                fuzz_assert(name[0] != '\0');
                for (const char *c = name; *c; c++)
                        fuzz_assert(*c >= 0x20 && *c < 0x7f);
                free(name);
        }
        return 0;
}
