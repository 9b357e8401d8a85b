/* SPDX-License-Identifier: MIT */
#pragma once

#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link-facts.h"

/* Pure: one RTM_NEWLINK (a notification, a dump entry or the answer to a
 * query) as facts. Outside data: every attribute is checked for its
 * length, an odd one is skipped, never trusted. */
typedef struct RtnlLink {
        int ifindex;
        char ifname[IFNAMSIZ];          /* "" when absent or malformed */
        char hw_address[HW_ADDRESS_MAX];
        uint32_t address_len;           /* bytes of IFLA_ADDRESS: a VF MAC has as many */
        const char *oper_state;         /* static; "" when absent */
        bool carrier;                   /* IFF_LOWER_UP: up, and with carrier */
        uint32_t mtu;

        /* Only in an answer with RTEXT_FILTER_VF. */
        bool has_num_vf;
        uint32_t num_vf;
        bool has_vf_list;
        VfConfig *vfs;                  /* by VF index, each index once, below num_vf */
        size_t n_vfs;
        /* Every VF 0..num_vf-1 is in vfs. False when the kernel's list was
         * cut short (a nest of more than 64 KiB does not fit its length)
         * or is missing while num_vf says there are VFs. */
        bool vfs_complete;
} RtnlLink;

void rtnl_link_done(RtnlLink *l);

/* 1 and *ret for an RTM_NEWLINK/RTM_DELLINK message with its ifinfomsg, 0
 * for another message type, -EBADMSG for one too short to hold its header,
 * -ENOMEM. *ret is to be released with rtnl_link_done() after 1. */
int rtnl_parse_link(const struct nlmsghdr *nlh, size_t len, RtnlLink *ret);

/* Walks a buffer of netlink messages as recv() returned it, calling fn for
 * each link message; stops at NLMSG_DONE or the first malformed header.
 * Returns the number of links, or -errno of an NLMSG_ERROR, or -ENOMEM. */
/* fn may take link->vfs over (leaving NULL and 0 behind). */
typedef void (*rtnl_link_fn)(const struct nlmsghdr *nlh, RtnlLink *link, void *userdata);
int rtnl_parse_buffer(const void *buf, size_t len, rtnl_link_fn fn, void *userdata);
/* Whether a buffer of a dump's answer holds its end (NLMSG_DONE or an
 * error), or is malformed: no more is to be read. */
bool rtnl_buffer_ends_dump(const void *buf, size_t len);
