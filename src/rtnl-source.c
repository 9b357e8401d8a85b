/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "log.h"
#include "rtnl-parse.h"
#include "rtnl-source.h"

/* Link notifications carry no VF info and no statistics unless asked: ~1-2
 * KiB each. A datagram larger than this is cut: treated as lost events. */
#define RTNL_NOTIFICATION_MAX (64 * 1024)
/* Drain at most this many per wake-up, so a flood cannot starve the bus. */
#define RTNL_PER_DISPATCH 256
/* A link flapping on every VF of a host: thousands of notifications. */
#define RTNL_RCVBUF (4 * 1024 * 1024)

static void on_link(const struct nlmsghdr *nlh, RtnlLink *l, void *userdata) {
        RtnlSource *s = userdata;

        if (!isempty(l->ifname)) {
                log_debug("rtnetlink %s %s", nlh->nlmsg_type == RTM_NEWLINK ? "newlink" : "dellink", l->ifname);
                marks_link(s->marks, l->ifname);
        }
}

static int on_rtnl(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        RtnlSource *s = userdata;
        static uint8_t buf[RTNL_NOTIFICATION_MAX];

        for (unsigned i = 0; i < RTNL_PER_DISPATCH; i++) {
                struct sockaddr_nl from = {};
                socklen_t from_len = sizeof(from);
                ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *) &from,
                                     &from_len);
                int k;

                if (n < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                                return 0;
                        if (errno == ENOBUFS) {
                                /* Notifications were dropped: only a rescan knows what they said. */
                                log_warning("rtnetlink receive buffer overrun, events were lost; resyncing.");
                                marks_resync(s->marks, "rtnetlink buffer overrun");
                                continue;
                        }
                        source_failed(&s->source, -errno);
                        return 0;
                }
                /* Only the kernel notifies; any local user may send to our port. */
                if (from.nl_pid != 0)
                        continue;
                source_count_event(&s->source);
                if ((size_t) n > sizeof(buf)) {
                        log_warning("rtnetlink notification of %zd bytes cut short; resyncing.", n);
                        marks_resync(s->marks, "rtnetlink message truncated");
                        continue;
                }
                k = rtnl_parse_buffer(buf, (size_t) n, on_link, s);
                if (k < 0 && k != -ENOMEM)
                        log_debug_errno(k, "Malformed rtnetlink message, ignoring: %m");
                else if (k == -ENOMEM)
                        marks_resync(s->marks, "out of memory");
        }
        return 0;
}

static int rtnl_source_start(Source *source) {
        RtnlSource *s = (RtnlSource *) source;
        int size = RTNL_RCVBUF, r;

        s->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (!s->nl)
                return log_warning_errno(errno ?: ENOMEM, "Failed to open the rtnetlink socket: %m");
        /* FORCE needs CAP_NET_ADMIN; the plain one is capped by rmem_max. */
        if (setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        if (mnl_socket_bind(s->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(s->event, &s->io, mnl_socket_get_fd(s->nl), EPOLLIN, on_rtnl, s);
        if (r < 0)
                goto fail;
        log_debug("Listening to rtnetlink link notifications.");
        return 0;

fail:
        mnl_socket_close(s->nl);
        s->nl = NULL;
        return log_warning_errno(r, "Failed to listen to rtnetlink: %m");
}

static void rtnl_source_stop(Source *source) {
        RtnlSource *s = (RtnlSource *) source;

        s->io = sd_event_source_disable_unref(s->io);
        if (s->nl)
                mnl_socket_close(s->nl);
        s->nl = NULL;
}

void rtnl_source_init(RtnlSource *s, sd_event *event, Marks *marks) {
        static const SourceOps ops = {
                .name = "rtnetlink",
                .start = rtnl_source_start,
                .stop = rtnl_source_stop,
        };

        *s = (RtnlSource) { .source.ops = &ops, .event = event, .marks = marks };
}
