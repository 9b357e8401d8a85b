/* SPDX-License-Identifier: MIT */
/* The rtnetlink parser (issue 15) on messages built the way the kernel's
 * rtnl_fill_ifinfo() builds them: link facts, and a PF's VF list with 0,
 * 1, 64 and 256 VFs, both VLAN protocols, a truncated list, unknown and
 * malformed attributes. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "rtnl-parse.h"

/* 256 VFs with every attribute are ~50 KiB, in a 64 KiB nest. */
#define BUF_SIZE (256 * 1024)

typedef struct VfSpec {
        uint8_t mac[6];
        uint32_t vlan, qos;
        uint16_t proto;
        uint32_t spoofchk, trust, link_state, min_rate, max_rate, rss;
} VfSpec;

static uint8_t *buffer(void) {
        uint8_t *b = calloc(1, BUF_SIZE);

        assert_non_null(b);
        return b;
}

static struct nlmsghdr *link_header(uint8_t *buf, uint16_t type, int ifindex, const char *ifname) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_index = ifindex;
        if (ifname)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
        return nlh;
}

/* An up link with carrier: its flags as dev_get_flags() sets them. */
static void put_link_facts(struct nlmsghdr *nlh) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

        ifi->ifi_flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;

        mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
        mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6 /* IF_OPER_UP */);
        mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
        mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
}

static VfSpec spec_of(uint32_t i) {
        return (VfSpec) {
                .mac = { 0x02, 0, 0, 0, (uint8_t) (i >> 8), (uint8_t) i },
                .vlan = i % 4095 + 1,
                .qos = i % 8,
                .proto = i % 2 ? 0x88a8 : 0x8100,
                .spoofchk = i % 2,
                .trust = (i / 2) % 2,
                .link_state = i % 3,
                .min_rate = i,
                .max_rate = 1000 + i,
                .rss = (i / 4) % 2,
        };
}

/* One IFLA_VF_INFO as the kernel fills it (with the old VLAN and rate
 * attributes beside the new ones). */
static void put_vf(struct nlmsghdr *nlh, uint32_t vf, const VfSpec *s) {
        struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO), *list, *one;
        struct ifla_vf_mac mac = { .vf = vf };
        struct ifla_vf_vlan vlan = { .vf = vf, .vlan = s->vlan, .qos = s->qos };
        struct ifla_vf_vlan_info vinfo = { .vf = vf, .vlan = s->vlan, .qos = s->qos, .vlan_proto = htons(s->proto) };
        struct ifla_vf_tx_rate tx = { .vf = vf, .rate = s->max_rate };
        struct ifla_vf_rate rate = { .vf = vf, .min_tx_rate = s->min_rate, .max_tx_rate = s->max_rate };
        struct ifla_vf_spoofchk spoof = { .vf = vf, .setting = s->spoofchk };
        struct ifla_vf_link_state ls = { .vf = vf, .link_state = s->link_state };
        struct ifla_vf_rss_query_en rss = { .vf = vf, .setting = s->rss };
        struct ifla_vf_trust trust = { .vf = vf, .setting = s->trust };

        memcpy(mac.mac, s->mac, 6);
        mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(mac), &mac);
        mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
        list = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
        one = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_INFO);
        mnl_attr_nest_cancel(nlh, one); /* IFLA_VF_VLAN_INFO is a struct, not a nest */
        mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(vinfo), &vinfo);
        mnl_attr_nest_end(nlh, list);
        mnl_attr_put(nlh, IFLA_VF_TX_RATE, sizeof(tx), &tx);
        mnl_attr_put(nlh, IFLA_VF_RATE, sizeof(rate), &rate);
        mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof(spoof), &spoof);
        mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
        mnl_attr_put(nlh, IFLA_VF_RSS_QUERY_EN, sizeof(rss), &rss);
        mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof(trust), &trust);
        mnl_attr_nest_end(nlh, info);
}

/* A PF's answer to RTM_GETLINK with RTEXT_FILTER_VF: num_vf claimed, n listed. */
static struct nlmsghdr *pf_answer(uint8_t *buf, uint32_t num_vf, uint32_t n) {
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 7, "enp59s0f0np0");
        struct nlattr *list;

        put_link_facts(nlh);
        mnl_attr_put_u32(nlh, IFLA_NUM_VF, num_vf);
        list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
        for (uint32_t i = 0; i < n; i++) {
                VfSpec s = spec_of(i);

                put_vf(nlh, i, &s);
        }
        mnl_attr_nest_end(nlh, list);
        return nlh;
}

static void assert_vf(const VfConfig *c, uint32_t i) {
        VfSpec s = spec_of(i);
        char mac[32];

        (void) snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
        assert_int_equal(c->index, i);
        assert_string_equal(c->mac, mac);
        assert_int_equal(c->n_vlans, 1);
        assert_int_equal(c->vlans[0].id, s.vlan);
        assert_int_equal(c->vlans[0].qos, s.qos);
        assert_int_equal(c->vlans[0].proto, s.proto);
        assert_int_equal(c->spoof_check, s.spoofchk);
        assert_int_equal(c->trust, s.trust);
        assert_string_equal(c->link_state, ((const char *[]) { "auto", "enable", "disable" })[s.link_state]);
        assert_int_equal(c->min_tx_rate, s.min_rate);
        assert_int_equal(c->max_tx_rate, s.max_rate);
        assert_int_equal(c->query_rss, s.rss);
}

static void test_link_facts(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 12, "enp59s0f0v0");
        RtnlLink l;

        put_link_facts(nlh);
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_int_equal(l.ifindex, 12);
        assert_string_equal(l.ifname, "enp59s0f0v0");
        assert_string_equal(l.hw_address, "52:54:00:12:34:56");
        assert_string_equal(l.oper_state, "up");
        assert_true(l.carrier);
        assert_int_equal(l.mtu, 9000);
        /* A notification has no VF info: nothing says it is complete. */
        assert_false(l.has_num_vf);
        assert_false(l.has_vf_list);
        assert_false(l.vfs_complete);
        rtnl_link_done(&l);
}

/* A link set down keeps IFLA_CARRIER 1 when its driver does not clear
 * it (ifb, recorded in a network namespace), or sets it again after its
 * close: sysfs "carrier" then fails with EINVAL and IFF_LOWER_UP is off.
 * No carrier, as sysfs and `ip link` say (the VM lab compares with sysfs). */
static void test_carrier_of_down_link(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 7, "enp1s0");
        struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        RtnlLink l;

        ifi->ifi_flags = IFF_BROADCAST | IFF_MULTICAST;
        mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 2 /* IF_OPER_DOWN */);
        mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_string_equal(l.oper_state, "down");
        assert_false(l.carrier);
        rtnl_link_done(&l);

        /* Up, the peer down (a veth): no carrier either. */
        nlh = link_header(buf, RTM_NEWLINK, 7, "enp1s0");
        ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
        mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 3 /* IF_OPER_LOWERLAYERDOWN */);
        mnl_attr_put_u8(nlh, IFLA_CARRIER, 0);
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_false(l.carrier);
        rtnl_link_done(&l);
}

static void test_oper_states(void **state) {
        static const char *const names[] = { "unknown", "notpresent", "down", "lowerlayerdown",
                                             "testing", "dormant", "up", "unknown" };
        _cleanup_free_ uint8_t *buf = buffer();

        for (uint8_t i = 0; i < ELEMENTSOF(names); i++) {
                struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 3, "x");
                RtnlLink l;

                mnl_attr_put_u8(nlh, IFLA_OPERSTATE, i == 7 ? 200 : i);
                assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
                assert_string_equal(l.oper_state, names[i]);
                rtnl_link_done(&l);
        }
}

static void check_vfs(uint32_t n) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = pf_answer(buf, n, n);
        RtnlLink l;

        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_true(l.has_num_vf);
        assert_int_equal(l.num_vf, n);
        assert_int_equal(l.n_vfs, n);
        assert_true(l.vfs_complete);
        for (uint32_t i = 0; i < n; i++)
                assert_vf(&l.vfs[i], i);
        rtnl_link_done(&l);
}

static void test_vfs_0(void **state) {
        check_vfs(0);
}
static void test_vfs_1(void **state) {
        check_vfs(1);
}
static void test_vfs_64(void **state) {
        check_vfs(64);
}
static void test_vfs_256(void **state) {
        check_vfs(256);
}

/* IFLA_NUM_VF larger than the list: the kernel cut it short. */
static void test_truncated(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = pf_answer(buf, 300, 256);
        RtnlLink l;

        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_int_equal(l.num_vf, 300);
        assert_int_equal(l.n_vfs, 256);
        assert_false(l.vfs_complete);
        assert_vf(&l.vfs[255], 255);
        rtnl_link_done(&l);

        /* VFs but no list at all. */
        nlh = link_header(buf, RTM_NEWLINK, 7, "pf");
        mnl_attr_put_u32(nlh, IFLA_NUM_VF, 4);
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_false(l.vfs_complete);
        assert_int_equal(l.n_vfs, 0);
        rtnl_link_done(&l);

        /* A list whose nest length overflowed 16 bits: the nest ends early. */
        nlh = pf_answer(buf, 4, 4);
        {
                struct nlattr *a;

                mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
                        if (mnl_attr_get_type(a) == IFLA_VFINFO_LIST)
                                a->nla_len = (uint16_t) (a->nla_len - 100); /* about half of the last VF */
        }
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_false(l.vfs_complete);
        assert_int_equal(l.n_vfs, 3);
        rtnl_link_done(&l);
}

/* No VLAN (the kernel's VLAN 0, QoS 0), QinQ, the old attribute alone. */
static void test_vlans(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 7, "pf");
        struct nlattr *list, *info, *vl;
        struct ifla_vf_vlan_info none = { .vf = 0, .vlan_proto = htons(0x8100) };
        struct ifla_vf_vlan_info ad = { .vf = 1, .vlan = 4094, .qos = 7, .vlan_proto = htons(0x88a8) };
        struct ifla_vf_vlan old = { .vf = 2, .vlan = 100, .qos = 0 };
        RtnlLink l;

        mnl_attr_put_u32(nlh, IFLA_NUM_VF, 3);
        list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
        info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
        vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
        mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(none), &none);
        mnl_attr_nest_end(nlh, vl);
        mnl_attr_nest_end(nlh, info);
        info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
        mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(old), &(struct ifla_vf_vlan) { .vf = 1 });
        vl = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
        mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof(ad), &ad);
        mnl_attr_nest_end(nlh, vl);
        mnl_attr_nest_end(nlh, info);
        info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
        mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(old), &old);
        mnl_attr_nest_end(nlh, info);
        mnl_attr_nest_end(nlh, list);

        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_int_equal(l.n_vfs, 3);
        assert_true(l.vfs_complete);
        assert_int_equal(l.vfs[0].n_vlans, 0);
        assert_int_equal(l.vfs[1].n_vlans, 1);
        assert_int_equal(l.vfs[1].vlans[0].id, 4094);
        assert_int_equal(l.vfs[1].vlans[0].qos, 7);
        assert_int_equal(l.vfs[1].vlans[0].proto, 0x88a8);
        assert_int_equal(l.vfs[2].n_vlans, 1);
        assert_int_equal(l.vfs[2].vlans[0].id, 100);
        assert_int_equal(l.vfs[2].vlans[0].proto, 0x8100);
        /* A VF no attribute configures shows the defaults. */
        assert_null(l.vfs[0].mac);
        assert_string_equal(l.vfs[0].link_state, "");
        rtnl_link_done(&l);
}

/* Unknown attributes are skipped; short ones are not read; a duplicate VF
 * index counts once; an index beyond IFLA_NUM_VF is not a VF. */
static void test_unknown_and_malformed(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 7, NULL);
        struct nlattr *list, *info;
        VfSpec s = spec_of(0);
        RtnlLink l;

        mnl_attr_put_u32(nlh, 999, 1);                       /* unknown, top level */
        mnl_attr_put(nlh, IFLA_IFNAME, 3, "abc");            /* no NUL: no name */
        mnl_attr_put_u16(nlh, IFLA_MTU, 1500);               /* too short */
        mnl_attr_put(nlh, IFLA_ADDRESS, 40, buf + BUF_SIZE - 64); /* longer than any link address */
        mnl_attr_put_u32(nlh, IFLA_NUM_VF, 2);
        list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
        mnl_attr_put_u32(nlh, 77, 0);                        /* not an IFLA_VF_INFO */
        put_vf(nlh, 0, &s);
        put_vf(nlh, 0, &(VfSpec) { .max_rate = 5 });         /* the same VF again */
        put_vf(nlh, 9, &s);                                  /* beyond IFLA_NUM_VF */
        info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
        mnl_attr_put_u16(nlh, IFLA_VF_TRUST, 1);             /* too short: no index either */
        mnl_attr_put(nlh, IFLA_VF_MAC, 8, "\1\0\0\0\1\2\3\4"); /* shorter than ifla_vf_mac */
        mnl_attr_put_u32(nlh, 55, 1);                        /* a newer kernel's attribute */
        mnl_attr_nest_end(nlh, info);
        mnl_attr_nest_end(nlh, list);

        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 1);
        assert_string_equal(l.ifname, "");
        assert_int_equal(l.mtu, 0);
        assert_string_equal(l.hw_address, "");
        assert_int_equal(l.n_vfs, 2);
        assert_vf(&l.vfs[0], 0);
        /* The last one's index is the leading u32 of its (short) MAC
         * attribute; the MAC itself is not read from it. */
        assert_int_equal(l.vfs[1].index, 1);
        assert_int_equal(l.vfs[1].trust, 0);
        assert_null(l.vfs[1].mac);
        rtnl_link_done(&l);
}

static void test_bad_messages(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 7, "pf");
        RtnlLink l;

        /* Shorter than it says, or than its header. */
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len - 1, &l), -EBADMSG);
        assert_int_equal(rtnl_parse_link(nlh, 8, &l), -EBADMSG);
        nlh->nlmsg_len = sizeof(*nlh) + 4;
        assert_int_equal(rtnl_parse_link(nlh, BUF_SIZE, &l), -EBADMSG);
        /* Not a link message. */
        nlh = link_header(buf, RTM_NEWADDR, 7, "pf");
        assert_int_equal(rtnl_parse_link(nlh, nlh->nlmsg_len, &l), 0);
}

static void count_link(const struct nlmsghdr *nlh, RtnlLink *l, void *userdata) {
        (*(int *) userdata)++;
        assert_string_equal(l->ifname, "b");
}

/* A buffer of messages: links counted, an error returned, a bad length stops. */
static void test_buffer(void **state) {
        _cleanup_free_ uint8_t *buf = buffer();
        struct nlmsghdr *nlh = link_header(buf, RTM_NEWLINK, 1, "b"), *e;
        struct nlmsgerr *err;
        size_t len;
        int n = 0;

        len = nlh->nlmsg_len;
        nlh = link_header(buf + len, RTM_NEWLINK, 2, "b");
        len += nlh->nlmsg_len;
        assert_int_equal(rtnl_parse_buffer(buf, len, count_link, &n), 2);
        assert_int_equal(n, 2);

        e = mnl_nlmsg_put_header(buf + len);
        e->nlmsg_type = NLMSG_ERROR;
        err = mnl_nlmsg_put_extra_header(e, sizeof(*err));
        err->error = -ENODEV;
        assert_int_equal(rtnl_parse_buffer(buf, len + e->nlmsg_len, NULL, NULL), -ENODEV);
        err->error = 5; /* nonsense from outside */
        assert_int_equal(rtnl_parse_buffer(buf, len + e->nlmsg_len, NULL, NULL), -EBADMSG);
        /* A length beyond the buffer ends the walk after the good ones. */
        e->nlmsg_len = BUF_SIZE;
        assert_int_equal(rtnl_parse_buffer(buf, len + 32, NULL, NULL), 2);
        /* 2 GiB and more, which libmnl's walk takes for a negative int (the fuzzer's find). */
        e->nlmsg_len = 0x80000010u;
        assert_int_equal(rtnl_parse_buffer(buf, len + 32, NULL, NULL), 2);
        assert_true(rtnl_buffer_ends_dump(buf, len + 32));
        assert_false(rtnl_buffer_ends_dump(buf, len));
        e->nlmsg_type = NLMSG_DONE;
        e->nlmsg_len = sizeof(*e);
        assert_int_equal(rtnl_parse_buffer(buf, len + e->nlmsg_len, NULL, NULL), 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_link_facts),
                cmocka_unit_test(test_carrier_of_down_link),
                cmocka_unit_test(test_oper_states),
                cmocka_unit_test(test_vfs_0),
                cmocka_unit_test(test_vfs_1),
                cmocka_unit_test(test_vfs_64),
                cmocka_unit_test(test_vfs_256),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_vlans),
                cmocka_unit_test(test_unknown_and_malformed),
                cmocka_unit_test(test_bad_messages),
                cmocka_unit_test(test_buffer),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
