/* SPDX-License-Identifier: MIT */
/* phys_port_name, which a driver writes: any bytes. A parsed name prints
 * back to exactly the input (without its one trailing newline), in the
 * form its kind says; anything else is -EINVAL. */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "port-name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1), again[160] = "", *p = again;
        size_t n;
        PortName pn;
        int r;

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        r = port_name_parse(s, &pn);
        fuzz_assert(r == 0 || r == -EINVAL);
        if (r == 0) {
                /* The printed form; "vfr" reads as "vf", so compare both. */
                bool vfr = strstr(s, "vfr") != NULL;

                if (pn.kind == PORT_NAME_UPLINK) {
                        p += sprintf(p, "p%" PRIu32, pn.pf);
                        if (pn.number != UINT32_MAX)
                                p += sprintf(p, "s%" PRIu32, pn.number);
                } else {
                        if (strncmp(s, "c", 1) == 0)
                                p += sprintf(p, "c%" PRIu32, pn.controller);
                        p += sprintf(p, "pf%" PRIu32, pn.pf);
                        if (pn.kind == PORT_NAME_VF)
                                p += sprintf(p, "%s%" PRIu32, vfr ? "vfr" : "vf", pn.number);
                        else if (pn.kind == PORT_NAME_SF)
                                p += sprintf(p, "sf%" PRIu32, pn.number);
                }
                n = strlen(s);
                if (n > 0 && s[n - 1] == '\n')
                        s[--n] = '\0';
                fuzz_assert(strcmp(again, s) == 0);
                fuzz_assert(pn.external == (pn.controller != 0));
                fuzz_assert(port_name_is_representor(&pn) == (pn.kind != PORT_NAME_UPLINK));
        }
        free(s);
        return 0;
}
