/* SPDX-License-Identifier: MIT */
/* rtnetlink messages (issue 15): what the daemon reads from the kernel on
 * its notification socket and in the answers to its queries. The input is
 * a buffer of netlink messages as recv() returns it. */
#include <stdbool.h>

#include "fuzz.h"
#include "rtnl-parse.h"

static void check_link(const struct nlmsghdr *nlh, RtnlLink *l, void *userdata) {
        size_t *links = userdata;

        (*links)++;
        fuzz_assert(strlen(l->ifname) < sizeof(l->ifname));
        fuzz_assert(strlen(l->hw_address) < sizeof(l->hw_address));
        fuzz_assert(l->oper_state);
        /* The VF list is by index, each once, and within IFLA_NUM_VF. */
        for (size_t i = 0; i < l->n_vfs; i++) {
                const VfConfig *c = &l->vfs[i];

                fuzz_assert(i == 0 || l->vfs[i - 1].index < c->index);
                fuzz_assert(!l->has_num_vf || c->index < l->num_vf);
                fuzz_assert(c->link_state);
                fuzz_assert(!c->mac || strlen(c->mac) < HW_ADDRESS_MAX);
                for (uint32_t v = 0; v < c->n_vlans; v++) {
                        fuzz_assert(c->vlans[v].id <= 4095 && c->vlans[v].qos <= 7);
                        fuzz_assert(c->vlans[v].id != 0 || c->vlans[v].qos != 0);
                }
                fuzz_assert(c->spoof_check == 0 || c->spoof_check == 1);
        }
        fuzz_assert(!l->vfs_complete || (l->has_num_vf && l->n_vfs == l->num_vf));
        /* What the daemon keeps of it copies and compares as itself. */
        for (size_t i = 0; i < l->n_vfs; i++) {
                VfConfig copy;

                vf_config_init(&copy);
                fuzz_assert(vf_config_copy(&copy, &l->vfs[i]) == 0);
                fuzz_assert(vf_config_equal(&copy, &l->vfs[i]));
                vf_config_done(&copy);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* Aligned, as the daemon's receive buffers are. */
        uint32_t *buf = malloc(size + 4);
        size_t links = 0;
        int n;

        if (!buf)
                abort();
        memcpy(buf, data, size);
        n = rtnl_parse_buffer(buf, size, check_link, &links);
        fuzz_assert(n < 0 || (size_t) n == links);
        (void) rtnl_buffer_ends_dump(buf, size);
        /* The first message alone, however it is. */
        if (size >= sizeof(struct nlmsghdr)) {
                RtnlLink l;

                if (rtnl_parse_link((const struct nlmsghdr *) buf, size, &l) > 0) {
                        check_link((const struct nlmsghdr *) buf, &l, &links);
                        rtnl_link_done(&l);
                }
        }
        free(buf);
        return 0;
}
