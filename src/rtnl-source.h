/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-event.h>

#include "source.h"

/* Network facts (issue 15): rtnetlink's RTNLGRP_LINK. A link notification
 * marks the function owning the netdev, and a PF's VF configuration for
 * one query in the next batch. It never asks the kernel anything itself. */
typedef struct RtnlSource {
        Source source;
        sd_event *event;
        Marks *marks;
        struct mnl_socket *nl;
        sd_event_source *io;
} RtnlSource;

void rtnl_source_init(RtnlSource *s, sd_event *event, Marks *marks);
