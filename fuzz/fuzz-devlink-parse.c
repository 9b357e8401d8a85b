/* SPDX-License-Identifier: MIT */
/* Generic netlink replies to the devlink eswitch query: any datagram. The
 * answer is a known mode, a family id that is no reserved message type, a
 * negative errno, or "read on" (0); never a read beyond the datagram. */
#include <errno.h>
#include <stdbool.h>

#include "devlink-parse.h"
#include "fuzz.h"

static void on_port(const DevlinkPort *p, void *userdata) {
        size_t n = strnlen(p->netdev, sizeof(p->netdev));

        fuzz_assert(n < sizeof(p->netdev));
        (*(unsigned *) userdata)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        unsigned ports = 0;
        /* The seq the test looks for comes from the first byte. */
        uint32_t seq = size > 0 ? data[0] : 0;
        uint8_t *buf = malloc(size ? size : 1);
        const char *mode = NULL;
        uint16_t id = 0;
        int r;

        if (!buf)
                abort();
        memcpy(buf, data, size);
        r = devlink_parse_eswitch_mode(buf, size, seq, &mode);
        fuzz_assert(r == 0 || r == 1 || (r < 0 && r >= -4095));
        fuzz_assert(r != 1 || (mode && (strcmp(mode, "legacy") == 0 || strcmp(mode, "switchdev") == 0 ||
                                        strcmp(mode, "") == 0)));
        r = genl_parse_family_id(buf, size, seq, &id);
        fuzz_assert(r == 0 || r == 1 || (r < 0 && r >= -4095));
        fuzz_assert(r != 1 || id >= 0x10);
        r = devlink_parse_ports(buf, size, seq, "0000:3b:00.0", on_port, &ports);
        fuzz_assert(r == 0 || r == 1 || (r < 0 && r >= -4095));
        free(buf);
        return 0;
}
