/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link-facts.h"
#include "macro.h"

void vf_config_init(VfConfig *c) {
        *c = (VfConfig) { .link_state = "" };
}

void vf_config_done(VfConfig *c) {
        free(c->mac);
        free(c->vlans);
        vf_config_init(c);
}

bool vf_config_equal(const VfConfig *a, const VfConfig *b) {
        /* The index is where it came from, not part of the configuration. */
        return streq_ptr(a->mac, b->mac) && a->n_vlans == b->n_vlans &&
               (a->n_vlans == 0 || memcmp(a->vlans, b->vlans, a->n_vlans * sizeof(VfVlan)) == 0) &&
               a->spoof_check == b->spoof_check && a->trust == b->trust &&
               streq_ptr(a->link_state, b->link_state) && a->min_tx_rate == b->min_tx_rate &&
               a->max_tx_rate == b->max_tx_rate && a->query_rss == b->query_rss;
}

int vf_config_copy(VfConfig *dst, const VfConfig *src) {
        VfConfig c = *src;

        c.mac = NULL;
        c.vlans = NULL;
        if (src->mac && !(c.mac = strdup(src->mac)))
                goto oom;
        if (src->n_vlans > 0) {
                c.vlans = malloc(src->n_vlans * sizeof(VfVlan));
                if (!c.vlans)
                        goto oom;
                memcpy(c.vlans, src->vlans, src->n_vlans * sizeof(VfVlan));
        }
        vf_config_done(dst);
        *dst = c;
        return 0;
oom:
        free(c.mac);
        vf_config_done(dst);
        return -ENOMEM;
}

const char *oper_state_name(uint8_t operstate) {
        static const char *const names[] = {
                "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up",
        };

        return operstate < ELEMENTSOF(names) ? names[operstate] : "unknown";
}

const char *vf_link_state_name(uint32_t state) {
        static const char *const names[] = { "auto", "enable", "disable" };

        return state < ELEMENTSOF(names) ? names[state] : "";
}

void hw_address_format(const uint8_t *bytes, size_t n, char buf[static HW_ADDRESS_MAX]) {
        buf[0] = '\0';
        /* 3n - 1 characters and the NUL: HW_ADDRESS_MAX is enough. */
        for (size_t i = 0, at = 0; i < n && i < HW_ADDRESS_BYTES_MAX; i++, at = 3 * i - 1)
                (void) snprintf(buf + at, HW_ADDRESS_MAX - at, "%s%02x", i > 0 ? ":" : "", bytes[i]);
}
