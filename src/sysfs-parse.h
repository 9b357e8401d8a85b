/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Parsers for sysfs attribute values. Each accepts one optional trailing
 * newline and nothing else around the value; anything odd is -EINVAL or
 * -ERANGE, never a guess. */

/* "0x15b3" (vendor, device: "0x%04x") or bare hex ("101e", sriov_vf_device). */
int parse_hex_u16(const char *s, uint16_t *ret);
/* Decimal, e.g. sriov_totalvfs. */
int parse_u32(const char *s, uint32_t *ret);
/* Decimal with sign, e.g. numa_node ("-1"). */
int parse_i32(const char *s, int32_t *ret);
/* "1"/"0" (also "y"/"n", "yes"/"no", "true"/"false", "on"/"off"). */
int parse_bool(const char *s, bool *ret);
/* "virtfn12" -> 12; -EINVAL for anything else ("virtfn", "virtfn01x", "virtfn-1"). */
int parse_virtfn_name(const char *name, uint32_t *ret);
/* The last path component of a link target ("../../bus/pci/drivers/ice" ->
 * "ice"); NULL for an empty target or one ending in '/'. Points into target. */
const char *link_target_basename(const char *target);
/* The path a link in `dir` points to: dir joined with a relative target,
 * "." and ".." folded by text alone (sysfs links hold no symlinked
 * components). An absolute target is copied. 0, -EINVAL (climbs above the
 * root) or -ENAMETOOLONG; buf must hold PATH_MAX. */
int link_target_resolve(const char *dir, const char *target, char *buf);
/* True for vfio-pci and the vendor VFIO variant drivers (mlx5_vfio_pci, ...). */
bool driver_is_vfio(const char *driver);
/* D-Bus strings must be valid UTF-8 (no NUL); netdev names and link targets
 * from the kernel need not be. */
bool utf8_is_valid(const char *s);
