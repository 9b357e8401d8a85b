/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal-fields.h"
#include "strv.h"

const char *journal_message_id(const char *event_type) {
        static const struct {
                const char *type, *id;
        } ids[] = {
                { "pci", SRIOV_MESSAGE_PCI },
                { "driver", SRIOV_MESSAGE_DRIVER },
                { "interface", SRIOV_MESSAGE_INTERFACE },
                { "sriov", SRIOV_MESSAGE_SRIOV },
                { "link", SRIOV_MESSAGE_LINK },
                { "config", SRIOV_MESSAGE_CONFIG },
                { "owner", SRIOV_MESSAGE_OWNER },
        };

        for (size_t i = 0; i < ELEMENTSOF(ids); i++)
                if (streq(ids[i].type, event_type))
                        return ids[i].id;
        return NULL;
}

/* The common tail: priority info, and who logged it. */
static int finish(char ***l, int r, char ***ret) {
        if (r >= 0)
                r = strv_extendf(l, "PRIORITY=%d", 6);
        if (r >= 0)
                r = strv_extendf(l, "SYSLOG_IDENTIFIER=sriov-monitord");
        if (r < 0) {
                *l = strv_free(*l);
                return r;
        }
        *ret = TAKE_PTR(*l);
        return 0;
}

static const char *what(const DeviceEvent *e, const Device *d) {
        if (streq(e->type, "interface"))
                return "Network interface";
        return d->role == DEVICE_ROLE_PF ? "SR-IOV PF" : "SR-IOV VF";
}

int journal_event_fields(const DeviceEvent *e, const Device *d, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *id = journal_message_id(e->type);
        const char *netdev = streq(e->type, "interface") || streq(e->type, "link") ? e->device
                             : d->netdevs                                         ? d->netdevs[0]
                                                                                  : NULL;
        const char *pf = d->role == DEVICE_ROLE_PF ? d->address : d->pf_address;
        int r;

        if (!id)
                return -EINVAL;
        if (streq(e->type, "driver"))
                r = strv_extendf(&l, "MESSAGE=%s %s: driver %s.", what(e, d), d->address, d->driver ?: "none (unbound)");
        else if (streq(e->type, "sriov"))
                r = strv_extendf(&l, "MESSAGE=SR-IOV PF %s: %u VFs of %u, drivers autoprobe %s.", d->address, d->num_vfs,
                         d->total_vfs, d->drivers_autoprobe == 1 ? "on" : "off");
        else if (streq(e->type, "interface"))
                r = strv_extendf(&l, "MESSAGE=Network interface %s of %s %s.", e->device, d->address, e->action);
        else if (streq(e->type, "link"))
                r = strv_extendf(&l, "MESSAGE=Network interface %s of %s: link %s, carrier %s, MTU %" PRIu32 ".",
                                 e->device, d->address, d->oper_state && *d->oper_state ? d->oper_state : "unknown",
                                 d->carrier ? "on" : "off", d->mtu);
        else if (streq(e->type, "config"))
                r = strv_extendf(&l, "MESSAGE=SR-IOV VF %s: its PF changed its admin configuration (MAC %s, spoof "
                                 "checking %s, trust %s).", d->address, d->vf_config.mac ?: "unknown",
                                 d->vf_config.spoof_check ? "on" : "off", d->vf_config.trust ? "on" : "off");
        else if (streq(e->type, "owner") && streq(e->action, "created"))
                r = strv_extendf(&l, "MESSAGE=SR-IOV VF %s is held by %s (pid %" PRIu32 ").", d->address,
                                 d->owner_name && *d->owner_name ? d->owner_name : "a process", d->owner_pid);
        else if (streq(e->type, "owner"))
                r = strv_extendf(&l, "MESSAGE=SR-IOV VF %s is no longer held by a process.", d->address);
        else
                r = strv_extendf(&l, "MESSAGE=%s %s %s.", what(e, d), d->address, e->action);
        if (r >= 0)
                r = strv_extendf(&l, "MESSAGE_ID=%s", id);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_TYPE=%s", e->type);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_ACTION=%s", e->action);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_PCI_ADDRESS=%s", d->address);
        if (r >= 0 && netdev)
                r = strv_extendf(&l, "SRIOV_NETDEV=%s", netdev);
        if (r >= 0 && pf)
                r = strv_extendf(&l, "SRIOV_PF=%s", pf);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_ROLE=%s", d->role == DEVICE_ROLE_PF ? "pf" : "vf");
        if (r >= 0 && d->driver)
                r = strv_extendf(&l, "SRIOV_DRIVER=%s", d->driver);
        return finish(&l, r, ret);
}

int journal_resync_fields(const char *reason, unsigned changed, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = strv_extendf(&l, "MESSAGE=Events were lost (%s): rescanned, %u device(s) had changed.", reason, changed);
        if (r >= 0)
                r = strv_extendf(&l, "MESSAGE_ID=%s", SRIOV_MESSAGE_RESYNC);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_REASON=%s", reason);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_CHANGED=%u", changed);
        return finish(&l, r, ret);
}

int journal_degraded_fields(bool degraded, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        r = strv_extendf(&l, "MESSAGE=%s", degraded ? "Degraded: an event source is down; the published devices may lag behind."
                                            : "No longer degraded: every event source is back.");
        if (r >= 0)
                r = strv_extendf(&l, "MESSAGE_ID=%s", SRIOV_MESSAGE_DEGRADED);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_DEGRADED=%d", degraded ? 1 : 0);
        return finish(&l, r, ret);
}

int journal_hazard_fields(const Hazard *h, bool begins, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        if (begins)
                r = strv_extendf(&l, "MESSAGE=Hazard %s on %s: %s", hazard_kind_to_string(h->kind), h->address, h->text);
        else
                r = strv_extendf(&l, "MESSAGE=Hazard %s on %s is over.", hazard_kind_to_string(h->kind), h->address);
        if (r >= 0)
                r = strv_extendf(&l, "MESSAGE_ID=%s", begins ? SRIOV_MESSAGE_HAZARD_BEGIN : SRIOV_MESSAGE_HAZARD_END);
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_HAZARD=%s", hazard_kind_to_string(h->kind));
        if (r >= 0)
                r = strv_extendf(&l, "SRIOV_PCI_ADDRESS=%s", h->address);
        return finish(&l, r, ret);
}

bool journal_stream_matches(const char *journal_stream, dev_t dev, ino_t ino) {
        uintmax_t d, i;
        int n = 0;

        if (!journal_stream || sscanf(journal_stream, "%ju:%ju%n", &d, &i, &n) != 2 ||
            journal_stream[n] != '\0')
                return false;
        return d == (uintmax_t) dev && i == (uintmax_t) ino;
}
