/* SPDX-License-Identifier: MIT */
/* The devlink eswitch query's messages: requests as the kernel expects
 * them, replies as it sends them, and what else a datagram may hold. */
#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devlink-parse.h"

typedef struct Msg {
        uint8_t buf[512] __attribute__((aligned(4)));
        size_t len;
} Msg;

/* Appends a message; returns its offset. */
static size_t msg_start(Msg *m, uint16_t type, uint32_t seq) {
        struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_seq = seq };
        size_t at = m->len;

        memcpy(m->buf + at, &h, sizeof(h));
        m->len += NLMSG_HDRLEN;
        if (type >= NLMSG_MIN_TYPE) {
                struct genlmsghdr g = { .cmd = DEVLINK_CMD_ESWITCH_GET, .version = 1 };

                memcpy(m->buf + m->len, &g, sizeof(g));
                m->len += GENL_HDRLEN;
        }
        return at;
}

static void msg_attr(Msg *m, uint16_t type, const void *data, uint16_t n) {
        struct nlattr a = { .nla_len = (uint16_t) (NLA_HDRLEN + n), .nla_type = type };

        memcpy(m->buf + m->len, &a, sizeof(a));
        memcpy(m->buf + m->len + NLA_HDRLEN, data, n);
        m->len += NLA_ALIGN(NLA_HDRLEN + n);
}

static void msg_end(Msg *m, size_t at) {
        uint32_t len = (uint32_t) (m->len - at);

        memcpy(m->buf + at, &len, sizeof(len));
}

static void error_msg(Msg *m, uint32_t seq, int error) {
        size_t at = msg_start(m, NLMSG_ERROR, seq);
        struct nlmsgerr e = { .error = error };

        memcpy(m->buf + m->len, &e, sizeof(e));
        m->len += sizeof(e);
        msg_end(m, at);
}

static void test_requests(void **state) {
        uint8_t buf[GENL_REQUEST_MAX] __attribute__((aligned(4)));
        struct nlmsghdr h;
        struct nlattr a;
        int n;

        n = devlink_build_eswitch_get(buf, sizeof(buf), 0x1a, 7, "0000:3b:00.0");
        assert_true(n > 0);
        memcpy(&h, buf, sizeof(h));
        assert_int_equal(h.nlmsg_len, n);
        assert_int_equal(h.nlmsg_type, 0x1a);
        assert_int_equal(h.nlmsg_seq, 7);
        assert_int_equal(buf[NLMSG_HDRLEN], DEVLINK_CMD_ESWITCH_GET);
        memcpy(&a, buf + NLMSG_HDRLEN + GENL_HDRLEN, sizeof(a));
        assert_int_equal(a.nla_type, DEVLINK_ATTR_BUS_NAME);
        assert_string_equal((char *) buf + NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN, "pci");
        memcpy(&a, buf + NLMSG_HDRLEN + GENL_HDRLEN + 8, sizeof(a));
        assert_int_equal(a.nla_type, DEVLINK_ATTR_DEV_NAME);
        assert_string_equal((char *) buf + NLMSG_HDRLEN + GENL_HDRLEN + 8 + NLA_HDRLEN, "0000:3b:00.0");

        n = genl_build_get_family(buf, sizeof(buf), 1, "devlink");
        assert_true(n > 0);
        memcpy(&h, buf, sizeof(h));
        assert_int_equal(h.nlmsg_type, GENL_ID_CTRL);
        assert_int_equal(buf[NLMSG_HDRLEN], CTRL_CMD_GETFAMILY);
        assert_int_equal(genl_build_get_family(buf, 24, 1, "devlink"), -ENAMETOOLONG);
}

static void test_eswitch_reply(void **state) {
        uint16_t switchdev = DEVLINK_ESWITCH_MODE_SWITCHDEV, legacy = DEVLINK_ESWITCH_MODE_LEGACY, odd = 7;
        const char *mode = NULL;
        Msg m = {};
        size_t at;

        /* A stray message of another request, then ours. */
        error_msg(&m, 3, -ENODEV);
        at = msg_start(&m, 0x1a, 4);
        msg_attr(&m, DEVLINK_ATTR_BUS_NAME, "pci", 4);
        msg_attr(&m, DEVLINK_ATTR_ESWITCH_MODE, &switchdev, 2);
        msg_end(&m, at);
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 4, &mode), 1);
        assert_string_equal(mode, "switchdev");

        m = (Msg) {};
        msg_end(&m, (at = msg_start(&m, 0x1a, 5), msg_attr(&m, DEVLINK_ATTR_ESWITCH_MODE, &legacy, 2), at));
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 5, &mode), 1);
        assert_string_equal(mode, "legacy");

        m = (Msg) {};
        msg_end(&m, (at = msg_start(&m, 0x1a, 5), msg_attr(&m, DEVLINK_ATTR_ESWITCH_MODE, &odd, 2), at));
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 5, &mode), 1);
        assert_string_equal(mode, "");

        /* The driver has no eswitch; an ACK alone; nothing of ours. */
        m = (Msg) {};
        error_msg(&m, 6, -EOPNOTSUPP);
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 6, &mode), -EOPNOTSUPP);
        m = (Msg) {};
        error_msg(&m, 6, 0);
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 6, &mode), 0);
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 9, &mode), 0);

        /* Malformed: a length beyond the datagram, a mode of 3 bytes, no mode. */
        m = (Msg) {};
        msg_end(&m, (at = msg_start(&m, 0x1a, 5), msg_attr(&m, DEVLINK_ATTR_ESWITCH_MODE, &legacy, 2), at));
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len - 1, 5, &mode), -EBADMSG);
        m = (Msg) {};
        msg_end(&m, (at = msg_start(&m, 0x1a, 5), msg_attr(&m, DEVLINK_ATTR_ESWITCH_MODE, "abc", 3), at));
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 5, &mode), -EBADMSG);
        m = (Msg) {};
        msg_end(&m, (at = msg_start(&m, 0x1a, 5), msg_attr(&m, DEVLINK_ATTR_BUS_NAME, "pci", 4), at));
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, m.len, 5, &mode), -EBADMSG);
        assert_int_equal(devlink_parse_eswitch_mode(m.buf, 3, 5, &mode), 0);
}

static void test_family_reply(void **state) {
        uint16_t id = 0x1a, bad = 3;
        Msg m = {};
        size_t at;

        at = msg_start(&m, GENL_ID_CTRL, 1);
        msg_attr(&m, CTRL_ATTR_FAMILY_NAME, "devlink", 8);
        msg_attr(&m, CTRL_ATTR_FAMILY_ID, &id, 2);
        msg_end(&m, at);
        id = 0;
        assert_int_equal(genl_parse_family_id(m.buf, m.len, 1, &id), 1);
        assert_int_equal(id, 0x1a);

        m = (Msg) {};
        error_msg(&m, 2, -ENOENT); /* no such family */
        assert_int_equal(genl_parse_family_id(m.buf, m.len, 2, &id), -ENOENT);

        m = (Msg) {};
        msg_end(&m, (at = msg_start(&m, GENL_ID_CTRL, 1), msg_attr(&m, CTRL_ATTR_FAMILY_ID, &bad, 2), at));
        assert_int_equal(genl_parse_family_id(m.buf, m.len, 1, &id), -EBADMSG);
}

static void on_port(const DevlinkPort *p, void *userdata) {
        DevlinkPort *got = userdata;
        size_t i = 0;

        while (got[i].netdev[0])
                i++;
        assert_true(i < 3);
        got[i] = *p;
}

static void port_msg(Msg *m, uint32_t seq, const char *dev, uint16_t flavour, uint16_t pf, uint16_t vf,
                     const char *netdev) {
        size_t at = msg_start(m, 0x1a, seq);

        msg_attr(m, DEVLINK_ATTR_BUS_NAME, "pci", 4);
        msg_attr(m, DEVLINK_ATTR_DEV_NAME, dev, (uint16_t) (strlen(dev) + 1));
        msg_attr(m, DEVLINK_ATTR_PORT_FLAVOUR, &flavour, 2);
        msg_attr(m, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, &pf, 2);
        msg_attr(m, DEVLINK_ATTR_PORT_PCI_VF_NUMBER, &vf, 2);
        msg_attr(m, DEVLINK_ATTR_PORT_NETDEV_NAME, netdev, (uint16_t) (strlen(netdev) + 1));
        msg_end(m, at);
}

static void test_port_dump(void **state) {
        uint8_t buf[GENL_REQUEST_MAX] __attribute__((aligned(4)));
        DevlinkPort got[4] = {};
        struct nlmsghdr h;
        Msg m = {};
        size_t at;

        assert_true(devlink_build_port_dump(buf, sizeof(buf), 0x1a, 9, "0000:3b:00.0") > 0);
        memcpy(&h, buf, sizeof(h));
        assert_true(h.nlmsg_flags & NLM_F_DUMP);
        assert_int_equal(buf[NLMSG_HDRLEN], DEVLINK_CMD_PORT_GET);

        /* Two ports of ours, one of another device (no dump filter), then the end. */
        port_msg(&m, 9, "0000:3b:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 3, "rep3");
        port_msg(&m, 9, "0000:af:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 1, "other");
        port_msg(&m, 9, "0000:3b:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 1, "rep1");
        assert_int_equal(devlink_parse_ports(m.buf, m.len, 9, "0000:3b:00.0", on_port, got), 0);
        assert_string_equal(got[0].netdev, "rep3");
        assert_int_equal(got[0].vf, 3);
        assert_int_equal(got[0].flavour, DEVLINK_PORT_FLAVOUR_PCI_VF);
        assert_string_equal(got[1].netdev, "rep1");
        assert_string_equal(got[2].netdev, "");
        m = (Msg) {};
        at = msg_start(&m, NLMSG_DONE, 9);
        m.len += 4;
        msg_end(&m, at);
        assert_int_equal(devlink_parse_ports(m.buf, m.len, 9, "0000:3b:00.0", on_port, got), 1);
        m = (Msg) {};
        error_msg(&m, 9, -EOPNOTSUPP);
        assert_int_equal(devlink_parse_ports(m.buf, m.len, 9, "0000:3b:00.0", on_port, got), -EOPNOTSUPP);
        /* A netdev name without its NUL, or too long: that port is skipped. */
        m = (Msg) {};
        at = msg_start(&m, 0x1a, 9);
        msg_attr(&m, DEVLINK_ATTR_BUS_NAME, "pci", 4);
        msg_attr(&m, DEVLINK_ATTR_DEV_NAME, "0000:3b:00.0", 13);
        msg_attr(&m, DEVLINK_ATTR_PORT_NETDEV_NAME, "abcdefghijklmnopqrstuvwxyz", 27);
        msg_end(&m, at);
        memset(got, 0, sizeof(got));
        assert_int_equal(devlink_parse_ports(m.buf, m.len, 9, "0000:3b:00.0", on_port, got), 0);
        assert_string_equal(got[0].netdev, "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_requests),
                cmocka_unit_test(test_eswitch_reply),
                cmocka_unit_test(test_family_reply),
                cmocka_unit_test(test_port_dump),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
