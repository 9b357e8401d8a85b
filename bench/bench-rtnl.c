/* SPDX-License-Identifier: MIT */
/* Network facts (issue 15): the daemon's side of one VF configuration
 * query on a 256-VF PF, without the kernel's: parsing the answer (~50 KiB,
 * every attribute the kernel fills) and comparing it with the last one, VF
 * by VF, as rtnl-reader.c does. What the kernel spends filling the answer
 * (under the RTNL lock) needs real SR-IOV hardware; make check-vm shows the
 * query on igb. Prints the median of --runs timings of --iterations each. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtnl-parse.h"

#define BUF_SIZE (256 * 1024)

static double now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void put_vf(struct nlmsghdr *nlh, uint32_t vf) {
        struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO), *list;
        struct ifla_vf_mac mac = { .vf = vf, .mac = { 2, 0, 0, 0, (uint8_t) (vf >> 8), (uint8_t) vf } };
        struct ifla_vf_vlan vlan = { .vf = vf, .vlan = 100, .qos = 3 };
        struct ifla_vf_vlan_info vinfo = { .vf = vf, .vlan = 100, .qos = 3, .vlan_proto = htons(0x8100) };
        struct ifla_vf_tx_rate tx = { .vf = vf, .rate = 1000 };
        struct ifla_vf_rate rate = { .vf = vf, .max_tx_rate = 1000 };
        struct ifla_vf_spoofchk spoof = { .vf = vf, .setting = 1 };
        struct ifla_vf_link_state ls = { .vf = vf };
        struct ifla_vf_rss_query_en rss = { .vf = vf };
        struct ifla_vf_trust trust = { .vf = vf };

        mnl_attr_put(nlh, IFLA_VF_MAC, sizeof(mac), &mac);
        mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof(vlan), &vlan);
        list = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
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

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        unsigned vfs = argc > 1 ? (unsigned) atoi(argv[1]) : 256, runs = 9, iterations = 200;
        uint8_t *buf = calloc(1, BUF_SIZE);
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;
        struct nlattr *list;
        RtnlLink last = {};
        double wall[32], cpu[32];

        nlh->nlmsg_type = RTM_NEWLINK;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_index = 7;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "enp59s0f0np0");
        mnl_attr_put(nlh, IFLA_ADDRESS, 6, "\x52\x54\x00\x12\x34\x56");
        mnl_attr_put_u32(nlh, IFLA_NUM_VF, vfs);
        list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
        for (unsigned i = 0; i < vfs; i++)
                put_vf(nlh, i);
        mnl_attr_nest_end(nlh, list);

        if (rtnl_parse_link(nlh, nlh->nlmsg_len, &last) != 1 || last.n_vfs != vfs || !last.vfs_complete) {
                fprintf(stderr, "bench-rtnl: the answer does not parse as %u VFs\n", vfs);
                return 1;
        }
        for (unsigned r = 0; r < runs; r++) {
                double w0 = now_us(), c0 = cpu_us();
                unsigned changed = 0;

                for (unsigned k = 0; k < iterations; k++) {
                        RtnlLink l;

                        if (rtnl_parse_link(nlh, nlh->nlmsg_len, &l) != 1)
                                return 1;
                        /* The reader's diff: each VF against the last answer. */
                        for (size_t i = 0; i < l.n_vfs; i++)
                                changed += !vf_config_equal(&l.vfs[i], &last.vfs[i]);
                        rtnl_link_done(&l);
                }
                if (changed)
                        return 1;
                wall[r] = (now_us() - w0) / iterations;
                cpu[r] = (cpu_us() - c0) / iterations;
        }
        qsort(wall, runs, sizeof(double), cmp_double);
        qsort(cpu, runs, sizeof(double), cmp_double);
        printf("%u-VF answer of %u bytes: parse + compare, median of %u runs of %u: %.1f us wall, %.1f us CPU\n",
               vfs, nlh->nlmsg_len, runs, iterations, wall[runs / 2], cpu[runs / 2]);
        printf("BENCH-RESULT kind=rtnl-vf-answer vfs=%u bytes=%u wall_us=%.1f cpu_us=%.1f\n", vfs, nlh->nlmsg_len,
               wall[runs / 2], cpu[runs / 2]);
        rtnl_link_done(&last);
        free(buf);
        return 0;
}
