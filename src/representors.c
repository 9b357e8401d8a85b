/* SPDX-License-Identifier: MIT */
/*
 * A PF's representors (issue 16), the logic both sources share: sysfs names
 * (sysfs-representors.c) and devlink's ports (preferred when devlink
 * answers). Pure: unit-tested in test-representor-links.
 */
#include <errno.h>
#include <linux/devlink.h>
#include <stdlib.h>
#include <string.h>

#include "representors.h"
#include "strv.h"
#include "sysfs-parse.h"

uint32_t pf_number_from_address(const char *address) {
        const char *dot = address ? strrchr(address, '.') : NULL;

        return dot && dot[1] >= '0' && dot[1] <= '7' && dot[2] == '\0' ? (uint32_t) (dot[1] - '0') : UINT32_MAX;
}

int representor_add_link(Device *pf, uint32_t vf_index, const char *netdev) {
        RepresentorLink *t;

        if (device_vf_representor(pf, vf_index))
                return 0; /* two claim the same VF: the first wins */
        t = reallocarray(pf->vf_representors, pf->n_vf_representors + 1, sizeof(RepresentorLink));
        if (!t)
                return -ENOMEM;
        pf->vf_representors = t;
        t[pf->n_vf_representors].vf_index = vf_index;
        t[pf->n_vf_representors].netdev = strdup(netdev);
        if (!t[pf->n_vf_representors].netdev)
                return -ENOMEM;
        pf->n_vf_representors++;
        return 0;
}

static int cmp_link(const void *a, const void *b) {
        uint32_t x = ((const RepresentorLink *) a)->vf_index, y = ((const RepresentorLink *) b)->vf_index;

        return x < y ? -1 : x > y;
}

void representors_sort(Device *pf) {
        strv_sort(pf->representors);
        if (pf->n_vf_representors > 1)
                qsort(pf->vf_representors, pf->n_vf_representors, sizeof(RepresentorLink), cmp_link);
}

/* The same from devlink's ports, which name the function each represents
 * (flavour, pfnum, vfnum, controller, external) rather than a name to parse:
 * preferred when devlink answers. Replaces what sysfs said. */
int representors_from_ports(Device *pf, const DevlinkPort *ports, size_t n) {
        const DevlinkPort *uplink = NULL;
        uint32_t number;
        int r;

        /* Back into NetDevices first: devlink decides now. */
        for (char **s = pf->representors; s && *s; s++) {
                r = strv_consume(&pf->netdevs, strdup(*s));
                if (r < 0)
                        return r;
        }
        pf->representors = strv_free(pf->representors);
        representor_links_free(pf->vf_representors, pf->n_vf_representors);
        pf->vf_representors = NULL;
        pf->n_vf_representors = 0;

        for (size_t i = 0; i < n && !uplink; i++)
                if (ports[i].flavour == DEVLINK_PORT_FLAVOUR_PHYSICAL)
                        uplink = &ports[i];
        number = uplink ? uplink->number : pf_number_from_address(pf->address);
        for (size_t i = 0; i < n; i++) {
                const DevlinkPort *p = &ports[i];

                if (p->flavour != DEVLINK_PORT_FLAVOUR_PCI_PF && p->flavour != DEVLINK_PORT_FLAVOUR_PCI_VF &&
                    p->flavour != DEVLINK_PORT_FLAVOUR_PCI_SF)
                        continue;
                if (p->netdev[0] == '\0' || !utf8_is_valid(p->netdev) || strv_contains(pf->representors, p->netdev))
                        continue;
                r = strv_consume(&pf->representors, strdup(p->netdev));
                if (r < 0)
                        return r;
                if (p->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF && !p->external && p->controller == 0 && p->pf == number) {
                        r = representor_add_link(pf, p->vf, p->netdev);
                        if (r < 0)
                                return r;
                }
        }
        for (char **s = pf->representors; s && *s; s++)
                (void) strv_remove(pf->netdevs, *s);
        strv_sort(pf->netdevs);
        representors_sort(pf);
        return 0;
}
