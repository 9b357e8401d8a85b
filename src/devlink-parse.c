/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <string.h>

#include "devlink-parse.h"
#include "netlink-msg.h"

#define ALIGN4(n) (((n) + 3u) & ~3u)

typedef struct Builder {
        uint8_t *buf;
        size_t size, len;
} Builder;

static int put_attr(Builder *b, uint16_t type, const void *data, size_t n) {
        struct nlattr a = { .nla_len = (uint16_t) (NLA_HDRLEN + n), .nla_type = type };

        if (NLA_HDRLEN + n > UINT16_MAX || b->len + NLA_HDRLEN + ALIGN4(n) > b->size)
                return -ENAMETOOLONG;
        memcpy(b->buf + b->len, &a, sizeof(a));
        memcpy(b->buf + b->len + NLA_HDRLEN, data, n);
        memset(b->buf + b->len + NLA_HDRLEN + n, 0, ALIGN4(n) - n);
        b->len += NLA_HDRLEN + ALIGN4(n);
        return 0;
}

static int put_string(Builder *b, uint16_t type, const char *s) {
        return put_attr(b, type, s, strlen(s) + 1);
}

static void start_flags(Builder *b, uint16_t type, uint16_t flags, uint8_t cmd, uint8_t version, uint32_t seq) {
        struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq };
        struct genlmsghdr g = { .cmd = cmd, .version = version };

        memset(b->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
        memcpy(b->buf, &h, sizeof(h));
        memcpy(b->buf + NLMSG_HDRLEN, &g, sizeof(g));
        b->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static void start(Builder *b, uint16_t type, uint8_t cmd, uint8_t version, uint32_t seq) {
        start_flags(b, type, NLM_F_REQUEST | NLM_F_ACK, cmd, version, seq);
}

static int finish(Builder *b) {
        uint32_t len = (uint32_t) b->len;

        memcpy(b->buf, &len, sizeof(len)); /* nlmsg_len comes first */
        return (int) b->len;
}

int genl_build_get_family(void *buf, size_t size, uint32_t seq, const char *family) {
        Builder b = { buf, size, 0 };
        int r;

        if (size < NLMSG_HDRLEN + GENL_HDRLEN)
                return -ENAMETOOLONG;
        start(&b, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, seq);
        r = put_string(&b, CTRL_ATTR_FAMILY_NAME, family);
        return r < 0 ? r : finish(&b);
}

int devlink_build_eswitch_get(void *buf, size_t size, uint16_t family_id, uint32_t seq, const char *pci_address) {
        Builder b = { buf, size, 0 };
        int r;

        if (size < NLMSG_HDRLEN + GENL_HDRLEN)
                return -ENAMETOOLONG;
        start(&b, family_id, DEVLINK_CMD_ESWITCH_GET, DEVLINK_GENL_VERSION, seq);
        r = put_string(&b, DEVLINK_ATTR_BUS_NAME, "pci");
        if (r >= 0)
                r = put_string(&b, DEVLINK_ATTR_DEV_NAME, pci_address);
        return r < 0 ? r : finish(&b);
}

int devlink_build_port_dump(void *buf, size_t size, uint16_t family_id, uint32_t seq, const char *pci_address) {
        Builder b = { buf, size, 0 };
        int r;

        if (size < NLMSG_HDRLEN + GENL_HDRLEN)
                return -ENAMETOOLONG;
        start_flags(&b, family_id, NLM_F_REQUEST | NLM_F_DUMP, DEVLINK_CMD_PORT_GET, DEVLINK_GENL_VERSION, seq);
        r = put_string(&b, DEVLINK_ATTR_BUS_NAME, "pci");
        if (r >= 0)
                r = put_string(&b, DEVLINK_ATTR_DEV_NAME, pci_address);
        return r < 0 ? r : finish(&b);
}

/* A string attribute: NUL-terminated within its length, shorter than max. */
static bool attr_string(const uint8_t *data, size_t len, size_t max, const char **ret) {
        if (len == 0 || len > max || data[len - 1] != '\0' || memchr(data, '\0', len) != data + len - 1)
                return false;
        *ret = (const char *) data;
        return true;
}

/* A fixed-size attribute into *dst; false when its size is not that. */
static bool attr_fixed(const uint8_t *data, size_t len, void *dst, size_t size) {
        if (len != size)
                return false;
        memcpy(dst, data, size);
        return true;
}

/* The attributes of one port message; false when one is malformed. */
static bool parse_port(const uint8_t *p, size_t msg_len, const char *pci_address, DevlinkPort *ret) {
        const char *bus = NULL, *dev = NULL, *netdev = NULL;
        size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
        DevlinkPort port = {};

        while (off + NLA_HDRLEN <= msg_len) {
                struct nlattr a;
                const uint8_t *data;
                size_t n;

                memcpy(&a, p + off, sizeof(a));
                if (a.nla_len < NLA_HDRLEN || off + a.nla_len > msg_len)
                        return false;
                data = p + off + NLA_HDRLEN;
                n = a.nla_len - NLA_HDRLEN;
                switch (a.nla_type & NLA_TYPE_MASK) {
                case DEVLINK_ATTR_BUS_NAME:
                        if (!attr_string(data, n, 64, &bus))
                                return false;
                        break;
                case DEVLINK_ATTR_DEV_NAME:
                        if (!attr_string(data, n, 64, &dev))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_NETDEV_NAME:
                        if (!attr_string(data, n, DEVLINK_NETDEV_MAX, &netdev))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_FLAVOUR:
                        if (!attr_fixed(data, n, &port.flavour, sizeof(port.flavour)))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_NUMBER:
                        if (!attr_fixed(data, n, &port.number, sizeof(port.number)))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_PCI_PF_NUMBER:
                        if (!attr_fixed(data, n, &port.pf, sizeof(port.pf)))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_PCI_VF_NUMBER:
                        if (!attr_fixed(data, n, &port.vf, sizeof(port.vf)))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_CONTROLLER_NUMBER:
                        if (!attr_fixed(data, n, &port.controller, sizeof(port.controller)))
                                return false;
                        break;
                case DEVLINK_ATTR_PORT_EXTERNAL:
                        if (n != 1)
                                return false;
                        port.external = data[0] != 0;
                        break;
                default:
                        break;
                }
                off += ALIGN4((size_t) a.nla_len);
        }
        if (!bus || !dev || strcmp(bus, "pci") != 0 || strcmp(dev, pci_address) != 0)
                return false;
        if (netdev)
                memcpy(port.netdev, netdev, strlen(netdev) + 1);
        *ret = port;
        return true;
}

typedef struct PortWalk {
        uint32_t seq;
        const char *pci_address;
        void (*found)(const DevlinkPort *p, void *userdata);
        void *userdata;
} PortWalk;

static int port_message(const struct nlmsghdr *h, const uint8_t *msg, void *userdata) {
        PortWalk *w = userdata;
        DevlinkPort port;

        if (h->nlmsg_seq != w->seq)
                return 0;
        if (h->nlmsg_type == NLMSG_DONE)
                return 1;
        if (h->nlmsg_type == NLMSG_ERROR)
                return nlmsg_error(h, msg); /* an acknowledgement: read on */
        if (h->nlmsg_type >= NLMSG_MIN_TYPE && h->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN &&
            parse_port(msg, h->nlmsg_len, w->pci_address, &port))
                w->found(&port, w->userdata);
        return 0;
}

int devlink_parse_ports(const void *buf, size_t len, uint32_t seq, const char *pci_address,
                        void (*found)(const DevlinkPort *p, void *userdata), void *userdata) {
        return nlmsg_walk(buf, len, port_message, &(PortWalk) { seq, pci_address, found, userdata });
}

/* Calls found() for each attribute of our reply in buf; see the header for
 * the return values. */
typedef int (*attr_fn)(uint16_t type, const uint8_t *data, size_t len, void *userdata);

typedef struct AttrWalk {
        uint32_t seq;
        attr_fn found;
        void *userdata;
} AttrWalk;

static int reply_message(const struct nlmsghdr *h, const uint8_t *msg, void *userdata) {
        AttrWalk *w = userdata;
        size_t off = NLMSG_HDRLEN + GENL_HDRLEN;

        if (h->nlmsg_seq != w->seq)
                return 0;
        /* An ACK before the answer is no answer. */
        if (h->nlmsg_type == NLMSG_ERROR)
                return nlmsg_error(h, msg);
        if (h->nlmsg_type < NLMSG_MIN_TYPE)
                return 0;
        if (h->nlmsg_len < off)
                return -EBADMSG;
        while (off + NLA_HDRLEN <= h->nlmsg_len) {
                struct nlattr a;
                int r;

                memcpy(&a, msg + off, sizeof(a));
                if (a.nla_len < NLA_HDRLEN || off + a.nla_len > h->nlmsg_len)
                        return -EBADMSG;
                r = w->found(a.nla_type & NLA_TYPE_MASK, msg + off + NLA_HDRLEN, a.nla_len - NLA_HDRLEN,
                             w->userdata);
                if (r != 0)
                        return r;
                off += ALIGN4((size_t) a.nla_len);
        }
        return -EBADMSG; /* our reply, without the attribute */
}

static int parse(const void *buf, size_t len, uint32_t seq, attr_fn found, void *userdata) {
        return nlmsg_walk(buf, len, reply_message, &(AttrWalk) { seq, found, userdata });
}

static int found_family_id(uint16_t type, const uint8_t *data, size_t len, void *userdata) {
        if (type != CTRL_ATTR_FAMILY_ID)
                return 0;
        if (len != sizeof(uint16_t))
                return -EBADMSG;
        memcpy(userdata, data, sizeof(uint16_t));
        return 1;
}

int genl_parse_family_id(const void *buf, size_t len, uint32_t seq, uint16_t *ret_id) {
        uint16_t id = 0;
        int r = parse(buf, len, seq, found_family_id, &id);

        if (r > 0) {
                if (id < NLMSG_MIN_TYPE)
                        return -EBADMSG;
                *ret_id = id;
        }
        return r;
}

static int found_mode(uint16_t type, const uint8_t *data, size_t len, void *userdata) {
        uint16_t mode;

        if (type != DEVLINK_ATTR_ESWITCH_MODE)
                return 0;
        if (len != sizeof(uint16_t))
                return -EBADMSG;
        memcpy(&mode, data, sizeof(mode));
        *(const char **) userdata = mode == DEVLINK_ESWITCH_MODE_LEGACY      ? "legacy"
                                    : mode == DEVLINK_ESWITCH_MODE_SWITCHDEV ? "switchdev"
                                                                             : "";
        return 1;
}

int devlink_parse_eswitch_mode(const void *buf, size_t len, uint32_t seq, const char **ret_mode) {
        const char *mode = NULL;
        int r = parse(buf, len, seq, found_mode, &mode);

        if (r > 0)
                *ret_mode = mode;
        return r;
}
