/* SPDX-License-Identifier: MIT */
/*
 * A PF's representors in switchdev mode (issue 16), from sysfs names: the
 * netdevs below the PF whose phys_port_name says they represent a PF, VF or
 * SF (port-name.c) and whose phys_switch_id is the uplink's. They leave the
 * PF's NetDevices (the uplink, "pN", stays) for its Representors; those of
 * its own VFs (pfMvfN, pfMvfrN, c0pfMvfN with M the PF's number) are mapped
 * to the VF index; a cCpfMvfN with C != 0 (a VF of an external host) is
 * listed but mapped to no local VF.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "port-name.h"
#include "representors.h"
#include "strv.h"
#include "sysfs-reader.h"

typedef struct NetPort {
        const char *name;
        bool has_port;
        PortName port;
        char switch_id[SYSFS_ATTR_MAX];  /* "" unknown */
} NetPort;

static void read_port(const Device *pf, NetPort *n) {
        char path[PATH_MAX], buf[SYSFS_ATTR_MAX];

        if ((size_t) snprintf(path, sizeof(path), "%s/net/%s", pf->syspath, n->name) >= sizeof(path))
                return;
        /* Both fail with EOPNOTSUPP on a netdev that is no switch port. */
        if (sysfs_read_attribute(path, "phys_port_name", buf) >= 0)
                n->has_port = port_name_parse(buf, &n->port) >= 0;
        if (sysfs_read_attribute(path, "phys_switch_id", n->switch_id) >= 0)
                n->switch_id[strcspn(n->switch_id, "\n")] = '\0';
        else
                n->switch_id[0] = '\0';
}

int sysfs_read_representors(Device *pf) {
        _cleanup_free_ NetPort *ports = NULL;
        const NetPort *uplink = NULL;
        size_t n = strv_length(pf->netdevs);
        uint32_t number;
        int r;

        if (n == 0)
                return 0;
        ports = calloc(n, sizeof(NetPort));
        if (!ports)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                ports[i].name = pf->netdevs[i];
                read_port(pf, &ports[i]);
                if (!uplink && ports[i].has_port && ports[i].port.kind == PORT_NAME_UPLINK)
                        uplink = &ports[i];
        }
        number = uplink ? uplink->port.pf : pf_number_from_address(pf->address);
        for (size_t i = 0; i < n; i++) {
                NetPort *p = &ports[i];

                if (!p->has_port || !port_name_is_representor(&p->port))
                        continue;
                /* Another switch's port (both known and different): not ours. */
                if (uplink && uplink->switch_id[0] && p->switch_id[0] && !streq(uplink->switch_id, p->switch_id)) {
                        log_debug("%s: %s is on another switch (%s), not a representor of it.", pf->address,
                                  p->name, p->switch_id);
                        continue;
                }
                r = strv_consume(&pf->representors, strdup(p->name));
                if (r < 0)
                        return r;
                if (p->port.kind == PORT_NAME_VF && !p->port.external && p->port.pf == number) {
                        r = representor_add_link(pf, p->port.number, p->name);
                        if (r < 0)
                                return r;
                }
        }
        /* Out of NetDevices (ports[] is not used after this). */
        for (char **s = pf->representors; s && *s; s++)
                (void) strv_remove(pf->netdevs, *s);
        representors_sort(pf);
        return 0;
}
