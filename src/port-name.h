/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* What a netdev's phys_port_name says it is, in the forms switchdev drivers
 * use (mlx5, ice, bnxt, nfp): "p0" (an uplink, "p0s1" split), "pf0vf3" (the
 * representor of VF 3 of PF 0), "pf0vfr3" (older ice), "c1pf0vf3" (of a VF
 * of controller 1: an external host, a DPU's host side), "pf0" / "c1pf0" (of
 * a PF), "pf0sf8" (of a subfunction). Pure; fuzzed (fuzz-port-name). */
typedef enum PortNameKind {
        PORT_NAME_UPLINK,
        PORT_NAME_PF,
        PORT_NAME_VF,
        PORT_NAME_SF,
} PortNameKind;

typedef struct PortName {
        PortNameKind kind;
        uint32_t controller;    /* 0 when absent: the local host */
        bool external;          /* a "cC" prefix with C != 0 */
        uint32_t pf;            /* uplink: the port number */
        uint32_t number;        /* VF or SF number; uplink: the split, UINT32_MAX none */
} PortName;

/* 0 with *ret, -EINVAL for anything else (one trailing newline allowed). */
int port_name_parse(const char *s, PortName *ret);
/* Whether a netdev with this port name is a representor (of a PF, VF or SF). */
bool port_name_is_representor(const PortName *p);
