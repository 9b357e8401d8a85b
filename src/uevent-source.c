/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "uevent-classify.h"
#include "uevent-source.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref);

/* Drain at most this many uevents per wake-up, so a flood cannot starve the
 * bus; the rest are read on the next iteration. */
#define UEVENTS_PER_DISPATCH 256
/* The kernel's default receive buffer is small; udevd uses 128 MiB. A burst
 * of 2048 VFs is ~10k events. */
#define UEVENT_RCVBUF (16 * 1024 * 1024)

int uevent_source_kind_from_string(const char *s, UeventSourceKind *ret) {
        if (streq(s, "auto"))
                *ret = UEVENT_SOURCE_AUTO;
        else if (streq(s, "udev"))
                *ret = UEVENT_SOURCE_UDEV;
        else if (streq(s, "kernel"))
                *ret = UEVENT_SOURCE_KERNEL;
        else
                return -EINVAL;
        return 0;
}

static void handle_uevent(UeventSource *u, struct udev_device *dev) {
        const char *action = udev_device_get_action(dev), *subsystem = udev_device_get_subsystem(dev);
        const char *devpath = udev_device_get_devpath(dev);
        UeventClass c;

        source_count_event(&u->source);
        if (action && subsystem && devpath)
                log_debug("uevent %s %s %s", action, subsystem, devpath);

        switch (uevent_classify(action, subsystem, devpath, udev_device_get_sysname(dev), &c)) {
        case UEVENT_MARK_NONE:
                break;
        case UEVENT_MARK_IOMMU_GROUP:
                marks_iommu_group(u->marks, c.group, c.settle);
                break;
        case UEVENT_MARK_NETDEV:
                marks_netdev(u->marks, c.address, c.ifname, c.removed, c.settle);
                break;
        case UEVENT_MARK_PCI:
                marks_pci(u->marks, c.address, udev_device_get_syspath(dev), c.step);
                break;
        case UEVENT_MARK_DIRTY:
                if (c.step == UEVENT_STEP_BIND || c.step == UEVENT_STEP_UNBIND) {
                        marks_driver(u->marks, c.address, udev_device_get_syspath(dev), c.step == UEVENT_STEP_BIND);
                        break;
                }
                marks_dirty(u->marks, c.address, c.with_syspath ? udev_device_get_syspath(dev) : NULL, c.settle);
                break;
        }
}

static int on_uevent(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        UeventSource *u = userdata;

        for (unsigned i = 0; i < UEVENTS_PER_DISPATCH; i++) {
                _cleanup_(udev_device_unrefp) struct udev_device *dev = NULL;

                errno = 0;
                dev = udev_monitor_receive_device(u->monitor);
                if (dev) {
                        handle_uevent(u, dev);
                        continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == 0 || errno == EINTR)
                        return 0;
                if (errno == ENOBUFS) {
                        /* The kernel dropped uevents: only a full rescan knows what they said. */
                        log_warning("uevent receive buffer overrun, events were lost; resyncing.");
                        marks_resync(u->marks, MARKS_RESYNC_UEVENT_OVERRUN);
                        continue;
                }
                /* libudev also returns NULL for messages it rejects (bad
                 * credentials or format): those leave errno alone or set EINVAL. */
                if (errno == EINVAL || errno == EPERM)
                        continue;
                source_failed(&u->source, -errno);
                return 0;
        }
        return 0;
}

static int uevent_source_start(Source *source) {
        static const char *const subsystems[] = { "pci", "net", "vfio", "vfio-dev" };
        UeventSource *u = (UeventSource *) source;
        UeventSourceKind kind = u->kind;
        int r, fd;

        if (kind == UEVENT_SOURCE_AUTO)
                kind = access("/run/udev/control", F_OK) >= 0 ? UEVENT_SOURCE_UDEV : UEVENT_SOURCE_KERNEL;

        u->monitor = udev_monitor_new_from_netlink(u->udev, kind == UEVENT_SOURCE_UDEV ? "udev" : "kernel");
        if (!u->monitor)
                return log_warning_errno(errno ?: ENOMEM, "Failed to create the uevent monitor: %m");
        for (size_t i = 0; i < ELEMENTSOF(subsystems); i++) {
                r = udev_monitor_filter_add_match_subsystem_devtype(u->monitor, subsystems[i], NULL);
                if (r < 0)
                        goto fail;
        }
        if (u->buffer_size > 0)
                (void) udev_monitor_set_receive_buffer_size(u->monitor, u->buffer_size);
        else
                (void) udev_monitor_set_receive_buffer_size(u->monitor, UEVENT_RCVBUF);
        r = udev_monitor_enable_receiving(u->monitor);
        if (r < 0)
                goto fail;
        if (u->netdevs_named_by_udev)
                *u->netdevs_named_by_udev = kind == UEVENT_SOURCE_UDEV;
        fd = udev_monitor_get_fd(u->monitor);
        r = sd_event_add_io(u->event, &u->io, fd, EPOLLIN, on_uevent, u);
        if (r < 0)
                goto fail;
        log_debug("Listening to %s uevents.", kind == UEVENT_SOURCE_UDEV ? "udev" : "kernel");
        return 0;

fail:
        u->monitor = udev_monitor_unref(u->monitor);
        return log_warning_errno(r, "Failed to set up the uevent monitor: %m");
}

static void uevent_source_stop(Source *source) {
        UeventSource *u = (UeventSource *) source;

        u->io = sd_event_source_disable_unref(u->io);
        u->monitor = udev_monitor_unref(u->monitor);
}

void uevent_source_init(UeventSource *u, sd_event *event, struct udev *udev, Marks *marks) {
        static const SourceOps ops = {
                .name = "uevent",
                .start = uevent_source_start,
                .stop = uevent_source_stop,
        };

        *u = (UeventSource) { .source.ops = &ops, .event = event, .udev = udev, .marks = marks };
}
