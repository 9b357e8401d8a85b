/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h> /* before linux/if.h: its libc-compat then adds only IFF_LOWER_UP */
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "netlink-msg.h"
#include "rtnl-parse.h"

void rtnl_link_done(RtnlLink *l) {
        for (size_t i = 0; i < l->n_vfs; i++)
                vf_config_done(&l->vfs[i]);
        free(l->vfs);
        *l = (RtnlLink) {};
}

/* The payload of an attribute if it holds at least `size` bytes. */
static const void *payload_of(const struct nlattr *a, size_t size) {
        return mnl_attr_get_payload_len(a) >= size ? mnl_attr_get_payload(a) : NULL;
}

static bool get_u32(const struct nlattr *a, uint32_t *ret) {
        const void *p = payload_of(a, sizeof(uint32_t));

        if (p)
                memcpy(ret, p, sizeof(uint32_t));
        return p;
}

static bool get_u8(const struct nlattr *a, uint8_t *ret) {
        const uint8_t *p = payload_of(a, 1);

        if (p)
                *ret = *p;
        return p;
}

static int add_vlan(VfConfig *c, uint32_t id, uint32_t qos, uint16_t proto) {
        VfVlan *t;

        /* VLAN 0 and QoS 0 is how the kernel says "none". Out of range: not a VLAN. */
        if ((id == 0 && qos == 0) || id > 4095 || qos > 7)
                return 0;
        t = reallocarray(c->vlans, c->n_vlans + 1, sizeof(VfVlan));
        if (!t)
                return -ENOMEM;
        c->vlans = t;
        c->vlans[c->n_vlans++] = (VfVlan) { .id = (uint16_t) id, .qos = (uint16_t) qos, .proto = proto };
        return 0;
}

static int parse_vlan_list(const struct nlattr *list, VfConfig *c) {
        const struct nlattr *a;
        int r;

        mnl_attr_for_each_nested(a, list) {
                const struct ifla_vf_vlan_info *v;

                if (mnl_attr_get_type(a) != IFLA_VF_VLAN_INFO || !(v = payload_of(a, sizeof(*v))))
                        continue;
                r = add_vlan(c, v->vlan, v->qos, ntohs(v->vlan_proto));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* One IFLA_VF_INFO. Every struct in it starts with the VF number; *has_index
 * says whether any of them carried one. */
static int parse_vf_info(const struct nlattr *info, size_t address_len, VfConfig *c, bool *has_index) {
        const struct nlattr *a, *vlan = NULL, *vlan_list = NULL;
        bool has_rate = false;
        int r;

        mnl_attr_for_each_nested(a, info) {
                uint32_t vf;

                /* The leading __u32 vf of every ifla_vf_* struct. */
                if (mnl_attr_get_type(a) != IFLA_VF_VLAN_LIST && get_u32(a, &vf)) {
                        if (!*has_index)
                                c->index = vf;
                        *has_index = true;
                }
                switch (mnl_attr_get_type(a)) {
                case IFLA_VF_MAC: {
                        const struct ifla_vf_mac *m = payload_of(a, sizeof(*m));
                        char buf[HW_ADDRESS_MAX];

                        if (!m)
                                break;
                        hw_address_format(m->mac, address_len, buf);
                        free(c->mac);
                        c->mac = strdup(buf);
                        if (!c->mac)
                                return -ENOMEM;
                        break;
                }
                case IFLA_VF_VLAN:
                        vlan = a;
                        break;
                case IFLA_VF_VLAN_LIST:
                        vlan_list = a;
                        break;
                case IFLA_VF_TX_RATE: {
                        const struct ifla_vf_tx_rate *t = payload_of(a, sizeof(*t));

                        /* The old attribute; IFLA_VF_RATE says the same and more. */
                        if (t && !has_rate)
                                c->max_tx_rate = t->rate;
                        break;
                }
                case IFLA_VF_RATE: {
                        const struct ifla_vf_rate *t = payload_of(a, sizeof(*t));

                        if (t) {
                                c->min_tx_rate = t->min_tx_rate;
                                c->max_tx_rate = t->max_tx_rate;
                                has_rate = true;
                        }
                        break;
                }
                case IFLA_VF_SPOOFCHK: {
                        const struct ifla_vf_spoofchk *t = payload_of(a, sizeof(*t));

                        /* (u32) -1: the driver does not say; off. */
                        if (t)
                                c->spoof_check = t->setting == 1;
                        break;
                }
                case IFLA_VF_LINK_STATE: {
                        const struct ifla_vf_link_state *t = payload_of(a, sizeof(*t));

                        if (t)
                                c->link_state = vf_link_state_name(t->link_state);
                        break;
                }
                case IFLA_VF_RSS_QUERY_EN: {
                        const struct ifla_vf_rss_query_en *t = payload_of(a, sizeof(*t));

                        if (t)
                                c->query_rss = t->setting == 1;
                        break;
                }
                case IFLA_VF_TRUST: {
                        const struct ifla_vf_trust *t = payload_of(a, sizeof(*t));

                        if (t)
                                c->trust = t->setting == 1;
                        break;
                }
                default:
                        break; /* statistics, GUIDs, a newer kernel's additions */
                }
        }
        /* The list carries the protocol (802.1ad too); the old attribute only 802.1Q. */
        if (vlan_list)
                return parse_vlan_list(vlan_list, c);
        if (vlan) {
                const struct ifla_vf_vlan *v = payload_of(vlan, sizeof(*v));

                if (v && (r = add_vlan(c, v->vlan, v->qos, 0x8100)) < 0)
                        return r;
        }
        return 0;
}

static int cmp_vf(const void *a, const void *b) {
        uint32_t x = ((const VfConfig *) a)->index, y = ((const VfConfig *) b)->index;

        return x < y ? -1 : x > y;
}

static int parse_vf_list(const struct nlattr *list, RtnlLink *l) {
        const struct nlattr *a;
        size_t allocated = 0, n = 0;
        uint32_t position = 0;
        int r;

        mnl_attr_for_each_nested(a, list) {
                bool has_index = false;

                if (mnl_attr_get_type(a) != IFLA_VF_INFO)
                        continue;
                if (l->n_vfs == allocated) {
                        size_t k = allocated ? 2 * allocated : 8;
                        VfConfig *t = reallocarray(l->vfs, k, sizeof(VfConfig));

                        if (!t)
                                return -ENOMEM;
                        l->vfs = t;
                        allocated = k;
                }
                vf_config_init(&l->vfs[l->n_vfs]);
                l->vfs[l->n_vfs].index = position++;
                r = parse_vf_info(a, l->address_len > 0 ? l->address_len : 6, &l->vfs[l->n_vfs], &has_index);
                l->n_vfs++;
                if (r < 0)
                        return r;
        }
        /* By index, each once, within IFLA_NUM_VF when it is known. */
        if (l->n_vfs > 1)
                qsort(l->vfs, l->n_vfs, sizeof(VfConfig), cmp_vf);
        for (size_t i = 0; i < l->n_vfs; i++) {
                if ((n > 0 && l->vfs[n - 1].index == l->vfs[i].index) ||
                    (l->has_num_vf && l->vfs[i].index >= l->num_vf)) {
                        vf_config_done(&l->vfs[i]);
                        continue;
                }
                l->vfs[n++] = l->vfs[i];
        }
        l->n_vfs = n;
        return 0;
}

int rtnl_parse_link(const struct nlmsghdr *nlh, size_t len, RtnlLink *ret) {
        const struct nlattr *a, *vf_list = NULL;
        const struct ifinfomsg *ifi;
        RtnlLink l = { .oper_state = "" };
        int r;

        if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
                return -EBADMSG;
        if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
                return 0;
        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
                return -EBADMSG;
        ifi = mnl_nlmsg_get_payload(nlh);
        l.ifindex = ifi->ifi_index;
        /* Carrier as sysfs "carrier" and `ip link` (LOWER_UP) mean it: the
         * kernel sets IFF_LOWER_UP only while the link is up and has carrier
         * (dev_get_flags()). Not IFLA_CARRIER: that is the driver's bit
         * alone, still 1 on a link set down whose driver does not clear it
         * on close (ifb) or sets it again after (a late link watchdog),
         * while sysfs "carrier" fails with EINVAL: no carrier. */
        l.carrier = ifi->ifi_flags & IFF_LOWER_UP;

        mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
                uint32_t u;
                uint8_t b;

                switch (mnl_attr_get_type(a)) {
                case IFLA_IFNAME: {
                        const char *s = mnl_attr_get_payload(a);
                        size_t n = strnlen(s, mnl_attr_get_payload_len(a));

                        /* A name without its NUL, or too long for one, is no name. */
                        if (n > 0 && n < mnl_attr_get_payload_len(a) && n < sizeof(l.ifname))
                                memcpy(l.ifname, s, n + 1);
                        break;
                }
                case IFLA_ADDRESS:
                        l.address_len = mnl_attr_get_payload_len(a);
                        if (l.address_len > HW_ADDRESS_BYTES_MAX)
                                l.address_len = 0;
                        hw_address_format(mnl_attr_get_payload(a), l.address_len, l.hw_address);
                        break;
                case IFLA_OPERSTATE:
                        if (get_u8(a, &b))
                                l.oper_state = oper_state_name(b);
                        break;
                case IFLA_MTU:
                        if (get_u32(a, &u))
                                l.mtu = u;
                        break;
                case IFLA_NUM_VF:
                        if (get_u32(a, &u)) {
                                l.num_vf = u;
                                l.has_num_vf = true;
                        }
                        break;
                case IFLA_VFINFO_LIST:
                        vf_list = a;
                        break;
                default:
                        break;
                }
        }
        /* After the loop: the list's MACs have the length of IFLA_ADDRESS. */
        if (vf_list) {
                l.has_vf_list = true;
                r = parse_vf_list(vf_list, &l);
                if (r < 0) {
                        rtnl_link_done(&l);
                        return r;
                }
        }
        l.vfs_complete = l.has_num_vf && l.n_vfs == l.num_vf;
        *ret = l;
        return 1;
}

typedef struct LinkWalk {
        rtnl_link_fn fn;
        void *userdata;
        int n;          /* links parsed */
        int error;
} LinkWalk;

static int link_message(const struct nlmsghdr *h, const uint8_t *msg, void *userdata) {
        const struct nlmsghdr *nlh = (const struct nlmsghdr *) msg;
        LinkWalk *w = userdata;
        RtnlLink l;
        int r;

        if (h->nlmsg_type == NLMSG_DONE)
                return 1;
        r = h->nlmsg_type == NLMSG_ERROR ? nlmsg_error(h, msg) /* 0: an acknowledgement */
                                         : rtnl_parse_link(nlh, h->nlmsg_len, &l);
        if (r < 0) {
                w->error = r;
                return 1;
        }
        if (r > 0 && h->nlmsg_type != NLMSG_ERROR) {
                w->n++;
                if (w->fn)
                        w->fn(nlh, &l, w->userdata);
                rtnl_link_done(&l);
        }
        return 0;
}

int rtnl_parse_buffer(const void *buf, size_t len, rtnl_link_fn fn, void *userdata) {
        LinkWalk w = { .fn = fn, .userdata = userdata };

        /* A message whose length does not fit ends the buffer: the links
         * before it count. */
        (void) nlmsg_walk(buf, len, link_message, &w);
        return w.error < 0 ? w.error : w.n;
}

static int ends_dump(const struct nlmsghdr *h, const uint8_t *msg, void *userdata) {
        return h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR;
}

bool rtnl_buffer_ends_dump(const void *buf, size_t len) {
        /* Malformed (-EBADMSG): nothing more will make sense either. */
        return nlmsg_walk(buf, len, ends_dump, NULL) != 0;
}
