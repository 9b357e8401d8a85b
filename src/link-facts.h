/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What rtnetlink says about a function (issue 15): its netdev's link state,
 * and, for a VF, the admin configuration its PF's driver reports
 * (IFLA_VFINFO_LIST). Plain values, shared by the parser (rtnl-parse.c),
 * the reader and the Device record. */

/* "aa:bb:cc:dd:ee:ff"; a link address is at most 32 bytes (MAX_ADDR_LEN). */
#define HW_ADDRESS_BYTES_MAX 32
#define HW_ADDRESS_MAX (3 * HW_ADDRESS_BYTES_MAX)

typedef struct VfVlan {
        uint16_t id;
        uint16_t qos;
        uint16_t proto;         /* 0x8100 or 0x88a8 */
} VfVlan;

/* One VF's admin configuration. The field types are those sd-bus's
 * default getters read ('b' an int, 's' a char *). */
typedef struct VfConfig {
        uint32_t index;         /* the VF number on its PF */
        char *mac;              /* NULL: not reported */
        VfVlan *vlans;
        uint32_t n_vlans;
        int spoof_check;
        int trust;
        const char *link_state; /* static: "auto", "enable", "disable"; "" unknown */
        uint32_t min_tx_rate;   /* Mb/s, 0: none */
        uint32_t max_tx_rate;
        int query_rss;
} VfConfig;

/* An empty configuration: what a VF whose PF was not (or could not be) asked shows. */
void vf_config_init(VfConfig *c);
void vf_config_done(VfConfig *c);
bool vf_config_equal(const VfConfig *a, const VfConfig *b);
/* A deep copy into *dst (initialized or done); -ENOMEM leaves it empty. */
int vf_config_copy(VfConfig *dst, const VfConfig *src);

/* IF_OPER_* as the kernel names them ("up", "down", ... "unknown"). */
const char *oper_state_name(uint8_t operstate);
/* IFLA_VF_LINK_STATE_* as ip-link(8) names them; "" for another value. */
const char *vf_link_state_name(uint32_t state);
/* "aa:bb:..." of n bytes (n <= HW_ADDRESS_BYTES_MAX); "" for n == 0. */
void hw_address_format(const uint8_t *bytes, size_t n, char buf[static HW_ADDRESS_MAX]);
