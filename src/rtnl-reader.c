/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "pci-address.h"
#include "rtnl-parse.h"
#include "rtnl-reader.h"
#include "strv.h"

/* A stuck kernel answer must not stall the daemon: give up after this. */
#define RTNL_RECV_TIMEOUT_SEC 2
/* A request: its header, IFLA_EXT_MASK and at most an IFLA_IFNAME. */
#define RTNL_REQUEST_MAX 256

typedef struct LinkEntry {
        char ifname[IFNAMSIZ];
        int ifindex;
        char hw_address[HW_ADDRESS_MAX];
        const char *oper_state;
        bool carrier;
        uint32_t mtu;
} LinkEntry;

typedef struct VfEntry {
        char address[PCI_ADDRESS_MAX];
        VfConfig config;
} VfEntry;

typedef struct PfEntry {
        char address[PCI_ADDRESS_MAX];
        char **vfs;                 /* the addresses this PF's answer configured */
        bool complete;
} PfEntry;

static void vf_entry_free(VfEntry *e) {
        if (e) {
                vf_config_done(&e->config);
                free(e);
        }
}

static void pf_entry_free(PfEntry *e) {
        if (e) {
                strv_free(e->vfs);
                free(e);
        }
}

int rtnl_reader_init(RtnlReader *r) {
        *r = (RtnlReader) {};
        r->vf_configs = hashmap_new();
        r->pfs = hashmap_new();
        return r->vf_configs && r->pfs ? 0 : -ENOMEM;
}

static void dump_clear(RtnlReader *r) {
        LinkEntry *e;

        HASHMAP_FOREACH(e, r->dump, i) {
                (void) hashmap_remove(r->dump, e->ifname);
                free(e);
        }
        r->dump = hashmap_free(r->dump);
}

void rtnl_reader_done(RtnlReader *r) {
        VfEntry *v;
        PfEntry *p;

        dump_clear(r);
        HASHMAP_FOREACH(v, r->vf_configs, i) {
                (void) hashmap_remove(r->vf_configs, v->address);
                vf_entry_free(v);
        }
        hashmap_free(r->vf_configs);
        HASHMAP_FOREACH(p, r->pfs, i) {
                (void) hashmap_remove(r->pfs, p->address);
                pf_entry_free(p);
        }
        hashmap_free(r->pfs);
        if (r->nl)
                mnl_socket_close(r->nl);
        *r = (RtnlReader) {};
}

static int open_socket(RtnlReader *r) {
        struct timeval tv = { .tv_sec = RTNL_RECV_TIMEOUT_SEC };
        int one = 1;

        if (r->nl)
                return 0;
        if (r->failed)
                return -ENOTCONN;
        r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!r->nl || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                int e = errno ?: ENOMEM;

                if (r->nl)
                        mnl_socket_close(r->nl);
                r->nl = NULL;
                r->failed = true;
                return log_warning_errno(e, "Cannot open an rtnetlink socket, link facts are not published: %m");
        }
        /* Errors as answers (a vanished link), and no answer never blocking forever. */
        (void) mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
        (void) setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        return 0;
}

/* Sends a request and hands each answer buffer to rtnl_parse_buffer until
 * the answer is complete (NLMSG_DONE for a dump, the one message else). */
static int request(RtnlReader *r, struct nlmsghdr *nlh, bool dump, rtnl_link_fn fn, void *userdata) {
        int fd, k, total = 0;

        if (open_socket(r) < 0)
                return -ENOTCONN;
        fd = mnl_socket_get_fd(r->nl);
        nlh->nlmsg_seq = ++r->seq;
        if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                _cleanup_free_ void *buf = NULL;
                struct sockaddr_nl from = {};
                socklen_t from_len = sizeof(from);
                const struct nlmsghdr *m;
                ssize_t size, n;

                /* The size of the next datagram first: a 256-VF answer is
                 * ~50 KiB, a truncated read would lose VFs. */
                size = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
                if (size < 0)
                        return -errno;
                buf = malloc(size > 0 ? (size_t) size : 1);
                if (!buf)
                        return -ENOMEM;
                n = recvfrom(fd, buf, (size_t) size, 0, (struct sockaddr *) &from, &from_len);
                if (n < 0)
                        return -errno;
                m = buf;
                /* Only the kernel answers; any local user may send to our port. */
                if (from.nl_pid != 0 || n < (ssize_t) sizeof(*m) || m->nlmsg_seq != r->seq)
                        continue; /* or an old answer of a query that timed out */
                k = rtnl_parse_buffer(buf, (size_t) n, fn, userdata);
                if (k < 0)
                        return k;
                total += k;
                if (!dump || rtnl_buffer_ends_dump(buf, (size_t) n))
                        return total;
        }
}

static struct nlmsghdr *getlink_header(char *buf, int ifindex, uint16_t flags, uint32_t ext_mask) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = RTM_GETLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        mnl_attr_put_u32(nlh, IFLA_EXT_MASK, ext_mask);
        return nlh;
}

static void link_entry_set(LinkEntry *e, const RtnlLink *l) {
        *e = (LinkEntry) { .ifindex = l->ifindex, .oper_state = l->oper_state, .carrier = l->carrier, .mtu = l->mtu };
        memcpy(e->ifname, l->ifname, sizeof(e->ifname));
        memcpy(e->hw_address, l->hw_address, sizeof(e->hw_address));
}

static void on_dump_link(const struct nlmsghdr *nlh, RtnlLink *l, void *userdata) {
        RtnlReader *r = userdata;
        LinkEntry *e;

        if (nlh->nlmsg_type != RTM_NEWLINK || isempty(l->ifname) || hashmap_get(r->dump, l->ifname))
                return;
        e = malloc(sizeof(LinkEntry));
        if (!e)
                return; /* that link is asked for by name later */
        link_entry_set(e, l);
        if (hashmap_replace(r->dump, e->ifname, e) < 0)
                free(e);
}

void rtnl_reader_dump(RtnlReader *r) {
        char buf[RTNL_REQUEST_MAX] = {}; /* zeroed: the attributes' padding is sent too */
        int k;

        dump_clear(r);
        r->dump = hashmap_new();
        if (!r->dump)
                return;
        /* Never RTEXT_FILTER_VF here: VF info for every link is what stalls hosts. */
        k = request(r, getlink_header(buf, 0, NLM_F_DUMP, RTEXT_FILTER_SKIP_STATS), true, on_dump_link, r);
        if (k < 0) {
                if (k != -ENOTCONN)
                        log_warning_errno(k, "Failed to dump the links, asking for each by name: %m");
                dump_clear(r);
        }
}

void rtnl_reader_dump_done(RtnlReader *r) {
        dump_clear(r);
}

static void on_one_link(const struct nlmsghdr *nlh, RtnlLink *l, void *userdata) {
        LinkEntry *e = userdata;

        if (nlh->nlmsg_type == RTM_NEWLINK && e->ifindex == 0)
                link_entry_set(e, l);
}

static int apply_link(Device *d, const LinkEntry *e) {
        device_reset_link(d);
        if (!e || e->ifindex <= 0)
                return 0;
        d->link_netdev = strdup(e->ifname);
        if (!isempty(e->hw_address))
                d->hw_address = strdup(e->hw_address);
        if (!d->link_netdev || (!isempty(e->hw_address) && !d->hw_address))
                return -ENOMEM;
        d->ifindex = e->ifindex;
        d->oper_state = e->oper_state;
        d->carrier = e->carrier;
        d->mtu = e->mtu;
        return 0;
}

int rtnl_reader_read_link(RtnlReader *r, const char *ifname, Device *d) {
        char buf[RTNL_REQUEST_MAX] = {}; /* zeroed: the attributes' padding is sent too */
        struct nlmsghdr *nlh;
        LinkEntry e = {};
        int k;

        if (isempty(ifname) || strlen(ifname) >= IFNAMSIZ)
                return apply_link(d, NULL);
        if (r->dump)
                return apply_link(d, hashmap_get(r->dump, ifname));
        nlh = getlink_header(buf, 0, 0, RTEXT_FILTER_SKIP_STATS);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
        k = request(r, nlh, false, on_one_link, &e);
        if (k < 0 && k != -ENODEV && k != -ENOTCONN)
                log_debug_errno(k, "Failed to ask for link %s: %m", ifname);
        /* Renamed meanwhile: the answer is of another name; its event follows. */
        return apply_link(d, k > 0 && streq(e.ifname, ifname) ? &e : NULL);
}

typedef struct VfAnswer {
        int ifindex;
        bool got;
        RtnlLink link;
} VfAnswer;

static void on_vf_answer(const struct nlmsghdr *nlh, RtnlLink *l, void *userdata) {
        VfAnswer *a = userdata;

        if (a->got || nlh->nlmsg_type != RTM_NEWLINK || l->ifindex != a->ifindex)
                return;
        /* Take the VF list over: the walker frees what is left. */
        a->link = *l;
        l->vfs = NULL;
        l->n_vfs = 0;
        a->got = true;
}

static const VfConfig *answer_find(const RtnlLink *l, uint32_t index) {
        size_t lo = 0, hi = l->n_vfs;

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;

                if (l->vfs[mid].index == index)
                        return &l->vfs[mid];
                if (l->vfs[mid].index < index)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* The configuration of one VF from the answer (NULL: not in it), into the
 * cache; its address into *changed when it differs. */
static int store_vf(RtnlReader *r, const char *address, const VfConfig *c, char ***changed) {
        VfEntry *e = hashmap_get(r->vf_configs, address);
        VfConfig empty;
        int k;

        vf_config_init(&empty);
        if (e && vf_config_equal(&e->config, c ?: &empty))
                return 0;
        if (!e) {
                if (!c)
                        return 0;
                e = calloc(1, sizeof(VfEntry));
                if (!e)
                        return -ENOMEM;
                (void) snprintf(e->address, sizeof(e->address), "%s", address);
                vf_config_init(&e->config);
                if (hashmap_replace(r->vf_configs, e->address, e) < 0) {
                        free(e);
                        return -ENOMEM;
                }
        }
        if (c) {
                k = vf_config_copy(&e->config, c);
                if (k < 0)
                        return k;
        } else {
                (void) hashmap_remove(r->vf_configs, address);
                vf_entry_free(e);
        }
        return strv_consume(changed, strdup(address));
}

int rtnl_reader_query_vfs(RtnlReader *r, Device *pf, char ***changed) {
        char buf[RTNL_REQUEST_MAX] = {}; /* zeroed: the attributes' padding is sent too */
        _cleanup_strv_free_ char **answered = NULL;
        VfAnswer a = { .ifindex = pf->ifindex };
        PfEntry *p = hashmap_get(r->pfs, pf->address);
        bool complete;
        int k;

        /* No netdev (unbound, on vfio-pci): nothing to ask; the VFs' values are unknown. */
        if (pf->ifindex > 0) {
                r->queries++;
                k = request(r, getlink_header(buf, pf->ifindex, 0, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS),
                            false, on_vf_answer, &a);
                if (k < 0 && k != -ENOTCONN)
                        log_debug_errno(k, "%s: failed to ask for its VFs' configuration: %m", pf->address);
                if (k == -ENOMEM) {
                        rtnl_link_done(&a.link);
                        return k;
                }
        }
        complete = pf->n_vfs == 0 || (a.got && a.link.vfs_complete);
        if (a.got && !a.link.vfs_complete && pf->n_vfs > 0)
                log_debug("%s: the kernel listed %zu of %u VFs' configuration.", pf->address, a.link.n_vfs,
                          a.link.num_vf);

        for (size_t i = 0; i < pf->n_vfs; i++) {
                const VfConfig *c = a.got ? answer_find(&a.link, pf->vfs[i].index) : NULL;

                if (!c)
                        complete = false;
                k = store_vf(r, pf->vfs[i].address, c, changed);
                if (k >= 0 && c)
                        k = strv_consume(&answered, strdup(pf->vfs[i].address));
                if (k < 0) {
                        rtnl_link_done(&a.link);
                        return k;
                }
        }
        rtnl_link_done(&a.link);

        /* VFs of the last answer this one does not configure (gone, or no longer listed). */
        for (char **v = p ? p->vfs : NULL; v && *v; v++)
                if (!strv_contains(answered, *v) && (k = store_vf(r, *v, NULL, changed)) < 0)
                        return k;
        if (!p) {
                p = calloc(1, sizeof(PfEntry));
                if (!p)
                        return -ENOMEM;
                (void) snprintf(p->address, sizeof(p->address), "%s", pf->address);
                if (hashmap_replace(r->pfs, p->address, p) < 0) {
                        free(p);
                        return -ENOMEM;
                }
        }
        strv_free(p->vfs);
        p->vfs = TAKE_PTR(answered);
        p->complete = complete;
        pf->vf_config_complete = complete;
        return 0;
}

void rtnl_reader_fill_vf(RtnlReader *r, Device *vf) {
        const VfEntry *e = hashmap_get(r->vf_configs, vf->address);

        if (!e) {
                vf_config_done(&vf->vf_config);
                return;
        }
        if (vf_config_copy(&vf->vf_config, &e->config) < 0)
                log_oom(); /* left empty; the next query fills it */
}

bool rtnl_reader_vfs_complete(RtnlReader *r, const Device *pf) {
        const PfEntry *p;

        /* No VF, nothing missing: a PF whose VFs went is not asked again
         * (only PFs with VFs are), so its last answer may be stale. */
        if (pf->n_vfs == 0)
                return true;
        p = hashmap_get(r->pfs, pf->address);
        return p && p->complete;
}
