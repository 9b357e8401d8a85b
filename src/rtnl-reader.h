/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "hashmap.h"

/* The network facts a reading gets from rtnetlink (issue 15), on a request
 * socket of its own (the rtnetlink source listens on another). What it
 * asks the kernel, and never more:
 *   - a full scan: one dump of the links WITHOUT VF info, which the
 *     scan's readings take their link facts from;
 *   - a re-read: one RTM_GETLINK by name, without VF info or statistics;
 *   - a PF's VFs: one RTM_GETLINK by ifindex with RTEXT_FILTER_VF |
 *     RTEXT_FILTER_SKIP_STATS (the kernel holds the RTNL lock while it
 *     fills VF info: never for all links at once, never with statistics).
 * Every answer is read with a buffer sized by MSG_PEEK | MSG_TRUNC first.
 * A socket that cannot be opened leaves the facts at their defaults (said
 * once). */
typedef struct RtnlReader {
        struct mnl_socket *nl;
        uint32_t seq;
        bool failed;                /* could not open the socket: said once */
        Hashmap *dump;              /* ifname -> link facts, during a full scan */
        Hashmap *vf_configs;        /* VF address -> its last configuration */
        Hashmap *pfs;               /* PF address -> the VFs of its last answer */
        uint64_t queries;           /* how many VF queries were sent (for the bench's log) */
} RtnlReader;

int rtnl_reader_init(RtnlReader *r);
void rtnl_reader_done(RtnlReader *r);

/* The link facts of netdev `ifname` into d (its ifindex, address,
 * operstate, carrier, MTU); defaults when it is not there. */
int rtnl_reader_read_link(RtnlReader *r, const char *ifname, Device *d);
/* A full scan starts (dump) and ends (forget the dump). */
void rtnl_reader_dump(RtnlReader *r);
void rtnl_reader_dump_done(RtnlReader *r);
/* See ReaderOps.query_vf_config and fill_vf_config. */
int rtnl_reader_query_vfs(RtnlReader *r, Device *pf, char ***changed);
void rtnl_reader_fill_vf(RtnlReader *r, Device *vf);
/* A PF's VfConfigComplete: true with no VF, else from its last answer (none: false). */
bool rtnl_reader_vfs_complete(RtnlReader *r, const Device *pf);
