/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "devlink-parse.h"
#include "devlink.h"
#include "log.h"

#define RECV_MAX 32768 /* a dump's datagrams are sized by our buffer */

static int64_t now_msec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends a request and reads until parse() says it has the answer (1), an
 * error, or the time is up (-ETIMEDOUT). */
static int request(Devlink *d, const void *req, size_t len, uint32_t seq,
                   int (*parse)(const void *buf, size_t len, uint32_t seq, void *ret), void *ret) {
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        int64_t deadline = now_msec() + DEVLINK_TIMEOUT_MSEC;
        uint8_t buf[RECV_MAX] __attribute__((aligned(4)));

        if (sendto(d->fd, req, len, 0, (struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return -errno;
        for (;;) {
                struct sockaddr_nl from;
                socklen_t from_len = sizeof(from);
                int64_t left = deadline - now_msec();
                struct pollfd p = { .fd = d->fd, .events = POLLIN };
                ssize_t n;
                int r;

                if (left <= 0)
                        return -ETIMEDOUT;
                r = poll(&p, 1, (int) left);
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (r <= 0)
                        continue;
                n = recvfrom(d->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *) &from, &from_len);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                continue;
                        return -errno;
                }
                if (from.nl_pid != 0)
                        continue; /* only the kernel answers */
                r = parse(buf, (size_t) n, seq, ret);
                if (r != 0)
                        return r;
        }
}

static int parse_family(const void *buf, size_t len, uint32_t seq, void *ret) {
        return genl_parse_family_id(buf, len, seq, ret);
}

static int parse_mode(const void *buf, size_t len, uint32_t seq, void *ret) {
        return devlink_parse_eswitch_mode(buf, len, seq, ret);
}

static int resolve_family(Devlink *d) {
        uint8_t req[GENL_REQUEST_MAX] __attribute__((aligned(4)));
        int n, r;

        if (d->fd < 0) {
                d->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_GENERIC);
                if (d->fd < 0)
                        return -errno;
        }
        n = genl_build_get_family(req, sizeof(req), ++d->seq, "devlink");
        if (n < 0)
                return n;
        r = request(d, req, (size_t) n, d->seq, parse_family, &d->family_id);
        return r < 0 ? r : 0;
}

int devlink_eswitch_mode(Devlink *d, const char *pci_address, const char **ret) {
        uint8_t req[GENL_REQUEST_MAX] __attribute__((aligned(4)));
        const char *mode = "";
        int n, r;

        *ret = "";
        if (d->absent)
                return 0;
        if (d->family_id == 0) {
                r = resolve_family(d);
                if (r < 0) {
                        log_debug_errno(r, "No devlink here (generic netlink family 'devlink': %m): "
                                           "EswitchMode stays empty.");
                        d->absent = r != -ETIMEDOUT;
                        return r == -ETIMEDOUT ? r : 0;
                }
        }
        n = devlink_build_eswitch_get(req, sizeof(req), d->family_id, ++d->seq, pci_address);
        if (n < 0)
                return 0;
        r = request(d, req, (size_t) n, d->seq, parse_mode, &mode);
        if (r < 0) {
                /* -ENODEV: no devlink instance; -EOPNOTSUPP: no eswitch. */
                log_debug_errno(r, "pci/%s: no devlink eswitch mode: %m", pci_address);
                if (r == -ETIMEDOUT || r == -EBADMSG) {
                        /* A late answer must not be taken for the next one's. */
                        d->fd = d->fd >= 0 ? (close(d->fd), -1) : -1;
                        d->family_id = 0;
                }
                return r == -ETIMEDOUT ? r : 0;
        }
        *ret = mode;
        return 0;
}

typedef struct PortsDump {
        const char *address;
        DevlinkPort *ports;
        size_t n;
        bool oom;
} PortsDump;

static void found_port(const DevlinkPort *p, void *userdata) {
        PortsDump *dump = userdata;
        DevlinkPort *t;

        if (dump->oom || dump->n >= 65536)
                return;
        t = reallocarray(dump->ports, dump->n + 1, sizeof(DevlinkPort));
        if (!t) {
                dump->oom = true;
                return;
        }
        dump->ports = t;
        dump->ports[dump->n++] = *p;
}

static int parse_ports(const void *buf, size_t len, uint32_t seq, void *ret) {
        PortsDump *dump = ret;

        return devlink_parse_ports(buf, len, seq, dump->address, found_port, dump);
}

int devlink_ports(Devlink *d, const char *pci_address, DevlinkPort **ret, size_t *ret_n) {
        uint8_t req[GENL_REQUEST_MAX] __attribute__((aligned(4)));
        PortsDump dump = { .address = pci_address };
        int n, r;

        if (d->absent || d->family_id == 0)
                return -ENOENT; /* devlink_eswitch_mode() resolves the family first */
        n = devlink_build_port_dump(req, sizeof(req), d->family_id, ++d->seq, pci_address);
        if (n < 0)
                return n;
        r = request(d, req, (size_t) n, d->seq, parse_ports, &dump);
        if (r >= 0 && dump.oom)
                r = -ENOMEM;
        if (r < 0) {
                free(dump.ports);
                if (r == -ETIMEDOUT || r == -EBADMSG) {
                        d->fd = d->fd >= 0 ? (close(d->fd), -1) : -1;
                        d->family_id = 0;
                }
                return r;
        }
        *ret = dump.ports;
        *ret_n = dump.n;
        return 0;
}

void devlink_forget(Devlink *d) {
        d->absent = false;
        d->family_id = 0;
}

void devlink_done(Devlink *d) {
        if (d->fd >= 0)
                (void) close(d->fd);
        *d = DEVLINK_INIT;
}
