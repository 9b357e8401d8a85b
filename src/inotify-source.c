/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "device.h"
#include "inotify-source.h"
#include "log.h"
#include "manager.h"

#define VFIO_DIR "/dev/vfio"

/* One watch descriptor: on a PF attribute, or on /dev/vfio (address NULL). */
typedef struct Watch {
        char key[16]; /* the wd as text, the map key */
        int wd;
        char *address;
        char *path;
} Watch;

static const char *const pf_attributes[] = { "sriov_numvfs", "sriov_drivers_autoprobe" };

static Watch *watch_free(Watch *w) {
        if (w) {
                free(w->address);
                free(w->path);
                free(w);
        }
        return NULL;
}

static void forget_watch(Manager *m, Watch *w) {
        (void) hashmap_remove(m->watches, w->key);
        watch_free(w);
}

static int add_watch(Manager *m, const char *path, uint32_t mask, const char *address) {
        Watch *w, *old;
        int wd;

        wd = inotify_add_watch(m->inotify_fd, path, mask);
        if (wd < 0)
                return -errno;
        w = calloc(1, sizeof(Watch));
        if (!w)
                return -ENOMEM;
        (void) snprintf(w->key, sizeof(w->key), "%d", wd);
        w->wd = wd;
        w->path = strdup(path);
        w->address = address ? strdup(address) : NULL;
        if (!w->path || (address && !w->address)) {
                watch_free(w);
                return -ENOMEM;
        }
        /* The same inode watched again returns the same wd. */
        old = hashmap_get(m->watches, w->key);
        if (hashmap_replace(m->watches, w->key, w) < 0) {
                watch_free(w);
                return -ENOMEM;
        }
        if (old && old != w)
                watch_free(old);
        return 0;
}

void inotify_watch_pf(Manager *m, const Device *pf) {
        if (m->inotify_fd < 0 || !pf->syspath)
                return;
        for (size_t i = 0; i < ELEMENTSOF(pf_attributes); i++) {
                char path[PATH_MAX];
                int r;

                (void) snprintf(path, sizeof(path), "%s/%s", pf->syspath, pf_attributes[i]);
                r = add_watch(m, path, IN_MODIFY, pf->address);
                if (r < 0)
                        log_debug_errno(r, "Cannot watch %s: %m", path);
        }
}

void inotify_unwatch_pf(Manager *m, const char *address) {
        Watch *w;

        if (m->inotify_fd < 0)
                return;
        HASHMAP_FOREACH(w, m->watches, i)
                if (w->address && streq(w->address, address)) {
                        /* The kernel answers with IN_IGNORED, which finds no watch. */
                        (void) inotify_rm_watch(m->inotify_fd, w->wd);
                        forget_watch(m, w);
                }
}

void inotify_watch_vfio_dir(Manager *m) {
        int r;

        if (m->inotify_fd < 0 || m->vfio_dir_watched)
                return;
        r = add_watch(m, VFIO_DIR, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR, NULL);
        if (r < 0) {
                log_debug_errno(r, "Cannot watch " VFIO_DIR " (yet): %m");
                return;
        }
        m->vfio_dir_watched = true;
}

static void handle_event(Manager *m, const struct inotify_event *e) {
        Watch *w;
        char key[16];

        manager_count_event(m);
        if (e->mask & IN_Q_OVERFLOW) {
                log_warning("inotify queue overflow, events were lost; resyncing.");
                manager_request_resync(m, "inotify queue overflow");
                return;
        }
        (void) snprintf(key, sizeof(key), "%d", e->wd);
        w = hashmap_get(m->watches, key);
        if (!w)
                return;

        if (e->mask & IN_IGNORED) {
                /* The file was replaced or its PF removed: watch it again if
                 * the PF is still there (it is re-read, as it may have changed). */
                char *address = w->address ? strdup(w->address) : NULL;

                if (!w->address)
                        m->vfio_dir_watched = false;
                forget_watch(m, w);
                if (address) {
                        const Device *pf = device_table_get(m->table, address);

                        if (pf) {
                                inotify_watch_pf(m, pf);
                                manager_mark_dirty(m, address, pf->syspath, false);
                        }
                        free(address);
                } else
                        inotify_watch_vfio_dir(m);
                return;
        }
        if (!w->address) {
                /* /dev/vfio/<group> came or went ("vfio" itself is the container). */
                if (e->len > 0 && e->name[0] >= '0' && e->name[0] <= '9')
                        manager_mark_iommu_group(m, e->name);
                return;
        }
        if (e->mask & IN_MODIFY) {
                const Device *pf = device_table_get(m->table, w->address);

                /* Only a trigger: the VF set is read from the virtfnN links. */
                manager_mark_dirty(m, w->address, pf ? pf->syspath : NULL, false);
        }
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        union {
                struct inotify_event ev;
                char raw[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
        } buf;
        ssize_t n;

        n = read(fd, &buf, sizeof(buf));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                manager_source_failed(m, MANAGER_SOURCE_INOTIFY, -errno);
                return 0;
        }
        for (char *p = buf.raw; p < buf.raw + n;) {
                const struct inotify_event *e = (const struct inotify_event *) p;

                handle_event(m, e);
                p += sizeof(struct inotify_event) + e->len;
        }
        return 0;
}

int inotify_source_start(Manager *m) {
        Device *d;
        int r;

        m->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (m->inotify_fd < 0)
                return log_warning_errno(errno, "Failed to create an inotify instance: %m");
        if (!m->watches) {
                m->watches = hashmap_new();
                if (!m->watches)
                        return log_oom();
        }
        r = sd_event_add_io(m->event, &m->inotify_event_source, m->inotify_fd, EPOLLIN, on_inotify, m);
        if (r < 0) {
                m->inotify_fd = (close(m->inotify_fd), -EBADF);
                return log_warning_errno(r, "Failed to watch the inotify instance: %m");
        }
        inotify_watch_vfio_dir(m);
        HASHMAP_FOREACH(d, m->table->by_address, i)
                if (d->role == DEVICE_ROLE_PF)
                        inotify_watch_pf(m, d);
        return 0;
}

void inotify_source_stop(Manager *m) {
        Watch *w;

        m->inotify_event_source = sd_event_source_disable_unref(m->inotify_event_source);
        HASHMAP_FOREACH(w, m->watches, i)
                forget_watch(m, w);
        m->vfio_dir_watched = false;
        if (m->inotify_fd >= 0)
                m->inotify_fd = (close(m->inotify_fd), -EBADF);
}
