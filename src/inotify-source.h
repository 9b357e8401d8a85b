/* SPDX-License-Identifier: MIT */
#pragma once

typedef struct Manager Manager;
typedef struct Device Device;

/* inotify: IN_MODIFY on each PF's sriov_numvfs and sriov_drivers_autoprobe
 * (a user's write; autoprobe has no uevent at all) and the group nodes of
 * /dev/vfio. sysfs sends nothing else to inotify: devices coming and going
 * are the uevent source's business. */
int inotify_source_start(Manager *m);
void inotify_source_stop(Manager *m);

/* Watches follow the PFs in the table. Best effort: a PF that cannot be
 * watched is logged and still published. */
void inotify_watch_pf(Manager *m, const Device *pf);
void inotify_unwatch_pf(Manager *m, const char *address);
/* Tries again to watch /dev/vfio, which appears with the vfio module. */
void inotify_watch_vfio_dir(Manager *m);
