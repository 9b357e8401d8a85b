/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "hashmap.h"
#include "sink.h"
#include "source.h"

/* inotify: IN_MODIFY on each PF's sriov_numvfs and sriov_drivers_autoprobe
 * (a user's write; autoprobe has no uevent at all) and the group nodes of
 * /dev/vfio. sysfs sends nothing else to inotify: devices coming and going
 * are the uevent source's business.
 *
 * A source, and a sink too: the watches follow the PFs the batch publishes.
 * Best effort: a PF that cannot be watched is logged and still published. */
typedef struct InotifySource {
        Source source;
        Sink sink;
        sd_event *event;
        Marks *marks;
        int fd;
        sd_event_source *io;
        Hashmap *watches;           /* wd as text -> Watch */
        Hashmap *pfs;               /* address -> WatchedPf: the PFs to watch */
        bool vfio_dir_watched;
} InotifySource;

int inotify_source_init(InotifySource *n, sd_event *event, Marks *marks);
void inotify_source_done(InotifySource *n);
