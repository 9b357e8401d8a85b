/* SPDX-License-Identifier: MIT */
#pragma once

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

/* The messages of one received netlink datagram (rtnetlink, generic
 * netlink), walked with every length checked as a size_t against what is
 * left: not libmnl's mnl_nlmsg_ok(), which compares a length of 2 GiB or
 * more as a negative int and walks off the buffer (found by fuzzing). Pure. */

/* h: a copy of the message's header; msg: the message itself (h->nlmsg_len
 * bytes, its header first). Non-zero stops the walk and is returned. */
typedef int (*nlmsg_fn)(const struct nlmsghdr *h, const uint8_t *msg, void *userdata);

/* Calls fn for each message in buf in turn. 0 once every message was seen,
 * fn's non-zero value, or -EBADMSG at a message whose length does not fit
 * (nothing after it can be read). */
int nlmsg_walk(const void *buf, size_t len, nlmsg_fn fn, void *userdata);

/* An NLMSG_ERROR message's verdict: 0 for an acknowledgement, the negative
 * errno it carries, or -EBADMSG when it is short or its errno is not one
 * (positive, or beyond -4095: outside data). */
int nlmsg_error(const struct nlmsghdr *h, const uint8_t *msg);
