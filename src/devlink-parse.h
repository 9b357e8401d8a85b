/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Generic netlink messages of the devlink eswitch query: the requests we
 * send, and the replies (outside data: the kernel's, or anything a broken
 * or hostile peer sends). Pure; fuzzed (fuzz-devlink). */

#define GENL_REQUEST_MAX 256
#define DEVLINK_NETDEV_MAX 16 /* IFNAMSIZ */

/* One devlink port of a port dump. */
typedef struct DevlinkPort {
        uint16_t flavour;           /* DEVLINK_PORT_FLAVOUR_* */
        uint32_t number;            /* a physical port's number */
        uint16_t pf;                /* PCI_PF/VF/SF ports: the PF number */
        uint16_t vf;                /* PCI_VF ports */
        uint32_t controller;
        int external;               /* a port of an external host's function */
        char netdev[DEVLINK_NETDEV_MAX]; /* "" none */
} DevlinkPort;

/* CTRL_CMD_GETFAMILY for `family`; the message length, or -ENAMETOOLONG. */
int genl_build_get_family(void *buf, size_t size, uint32_t seq, const char *family);
/* DEVLINK_CMD_ESWITCH_GET on pci/ADDRESS; the message length or < 0. */
int devlink_build_eswitch_get(void *buf, size_t size, uint16_t family_id, uint32_t seq, const char *pci_address);

/* One received datagram (several messages maybe), for the request `seq`:
 * 1 with the answer, 0 when it holds no answer for us (read on), or the
 * negative errno of the request's NLMSG_ERROR, -EBADMSG for a malformed
 * message of ours. */
int genl_parse_family_id(const void *buf, size_t len, uint32_t seq, uint16_t *ret_id);
/* DEVLINK_CMD_PORT_GET as a dump, filtered to pci/ADDRESS (kernels that
 * know no dump filter send every port; the parser filters too). */
int devlink_build_port_dump(void *buf, size_t size, uint16_t family_id, uint32_t seq, const char *pci_address);
/* One datagram of the dump: found() for each port of pci/ADDRESS (malformed
 * ones skipped); 1 at its end (NLMSG_DONE), 0 to read on, or the dump's
 * negative errno, -EBADMSG when the datagram itself is malformed. */
int devlink_parse_ports(const void *buf, size_t len, uint32_t seq, const char *pci_address,
                        void (*found)(const DevlinkPort *p, void *userdata), void *userdata);

/* The mode: "legacy", "switchdev", or "" for a value we do not know. */
int devlink_parse_eswitch_mode(const void *buf, size_t len, uint32_t seq, const char **ret_mode);
