/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "netlink-msg.h"

int nlmsg_walk(const void *buf, size_t len, nlmsg_fn fn, void *userdata) {
        const uint8_t *p = buf;

        while (len >= NLMSG_HDRLEN) {
                struct nlmsghdr h;
                size_t step;
                int r;

                memcpy(&h, p, sizeof(h));
                if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
                        return -EBADMSG;
                r = fn(&h, p, userdata);
                if (r != 0)
                        return r;
                step = NLMSG_ALIGN((size_t) h.nlmsg_len);
                if (step >= len)
                        break;
                p += step;
                len -= step;
        }
        return 0;
}

int nlmsg_error(const struct nlmsghdr *h, const uint8_t *msg) {
        struct nlmsgerr e;

        if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(e))
                return -EBADMSG;
        memcpy(&e, msg + NLMSG_HDRLEN, sizeof(e));
        if (e.error > 0 || e.error < -4095)
                return -EBADMSG;
        return e.error;
}
