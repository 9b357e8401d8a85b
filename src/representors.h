/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "devlink-parse.h"

/* A PF's number among the PFs of its switch when its uplink does not say:
 * its PCI function ("0000:3b:00.1" is 1); UINT32_MAX when odd. */
uint32_t pf_number_from_address(const char *address);
/* Maps VF vf_index of the PF to a representor (the first claim wins). */
int representor_add_link(Device *pf, uint32_t vf_index, const char *netdev);
/* Representors sorted by name, the VF links by index. */
void representors_sort(Device *pf);
/* A PF's representors from devlink's ports, which name the function each
 * represents (flavour, pfnum, vfnum, controller, external) rather than a
 * name to parse: preferred when devlink answers. Replaces what sysfs said:
 * netdevs of ports that are no PCI PF/VF/SF port go back to NetDevices.
 * -ENOMEM only. */
int representors_from_ports(Device *pf, const DevlinkPort *ports, size_t n);
