/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "device.h"
#include "inotify-source.h"
#include "log.h"

#define VFIO_DIR "/dev/vfio"

/* One watch descriptor: on a PF attribute, or on /dev/vfio (address NULL). */
typedef struct Watch {
        char key[16]; /* the wd as text, the map key */
        int wd;
        char *address;
} Watch;

/* A PF the batch published, as far as the watches need it. */
typedef struct WatchedPf {
        char *address;
        char *syspath;
        bool unwatched;     /* its watches ended and could not be renewed yet */
} WatchedPf;

static const char *const pf_attributes[] = { "sriov_numvfs", "sriov_drivers_autoprobe" };

static InotifySource *from_sink(Sink *s) {
        return (InotifySource *) ((char *) s - offsetof(InotifySource, sink));
}

static Watch *watch_free(Watch *w) {
        if (w) {
                free(w->address);
                free(w);
        }
        return NULL;
}

static WatchedPf *watched_pf_free(WatchedPf *p) {
        if (p) {
                free(p->address);
                free(p->syspath);
                free(p);
        }
        return NULL;
}

static void forget_watch(InotifySource *n, Watch *w) {
        (void) hashmap_remove(n->watches, w->key);
        watch_free(w);
}

static int add_watch(InotifySource *n, const char *path, uint32_t mask, const char *address) {
        Watch *w, *old;
        int wd;

        wd = inotify_add_watch(n->fd, path, mask);
        if (wd < 0)
                return -errno;
        w = calloc(1, sizeof(Watch));
        if (!w)
                return -ENOMEM;
        (void) snprintf(w->key, sizeof(w->key), "%d", wd);
        w->wd = wd;
        w->address = address ? strdup(address) : NULL;
        if (address && !w->address) {
                watch_free(w);
                return -ENOMEM;
        }
        /* The same inode watched again returns the same wd. */
        old = hashmap_get(n->watches, w->key);
        if (hashmap_replace(n->watches, w->key, w) < 0) {
                watch_free(w);
                return -ENOMEM;
        }
        if (old && old != w)
                watch_free(old);
        return 0;
}

static void watch_pf(InotifySource *n, WatchedPf *pf) {
        pf->unwatched = false;
        if (n->fd < 0)
                return;
        for (size_t i = 0; i < ELEMENTSOF(pf_attributes); i++) {
                char path[PATH_MAX];
                int r;

                (void) snprintf(path, sizeof(path), "%s/%s", pf->syspath, pf_attributes[i]);
                r = add_watch(n, path, IN_MODIFY, pf->address);
                if (r < 0) {
                        log_debug_errno(r, "Cannot watch %s: %m", path);
                        pf->unwatched = true;
                }
        }
}

static void unwatch_pf(InotifySource *n, const char *address) {
        Watch *w;

        if (n->fd < 0)
                return;
        HASHMAP_FOREACH(w, n->watches, i)
                if (w->address && streq(w->address, address)) {
                        /* The kernel answers with IN_IGNORED, which finds no watch. */
                        (void) inotify_rm_watch(n->fd, w->wd);
                        forget_watch(n, w);
                }
}

static void watch_vfio_dir(InotifySource *n) {
        int r;

        if (n->fd < 0 || n->vfio_dir_watched)
                return;
        r = add_watch(n, VFIO_DIR, IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR, NULL);
        if (r < 0) {
                log_debug_errno(r, "Cannot watch " VFIO_DIR " (yet): %m");
                return;
        }
        n->vfio_dir_watched = true;
}

static void handle_ignored(InotifySource *n, Watch *w) {
        WatchedPf *pf = w->address ? hashmap_get(n->pfs, w->address) : NULL;

        if (!w->address)
                n->vfio_dir_watched = false;
        forget_watch(n, w);
        if (!pf) {
                watch_vfio_dir(n);
                return;
        }
        /* The file was replaced or its PF removed: watch it again if the PF
         * is still there (it is re-read, as it may have changed; the end of
         * that batch tries again if the files are not back yet). */
        watch_pf(n, pf);
        marks_dirty(n->marks, pf->address, pf->syspath, false);
}

static void handle_event(InotifySource *n, const struct inotify_event *e) {
        WatchedPf *pf;
        Watch *w;
        char key[16];

        source_count_event(&n->source);
        if (e->mask & IN_Q_OVERFLOW) {
                log_warning("inotify queue overflow, events were lost; resyncing.");
                marks_resync(n->marks, MARKS_RESYNC_INOTIFY_OVERFLOW);
                return;
        }
        (void) snprintf(key, sizeof(key), "%d", e->wd);
        w = hashmap_get(n->watches, key);
        if (!w)
                return;
        if (e->mask & IN_IGNORED) {
                handle_ignored(n, w);
                return;
        }
        if (!w->address) {
                /* /dev/vfio/<group> came or went ("vfio" itself is the container). */
                if (e->len > 0 && e->name[0] >= '0' && e->name[0] <= '9')
                        marks_iommu_group(n->marks, e->name, false);
                return;
        }
        if (e->mask & IN_MODIFY) {
                pf = hashmap_get(n->pfs, w->address);
                /* Only a trigger: the VF set is read from the virtfnN links. */
                marks_dirty(n->marks, w->address, pf ? pf->syspath : NULL, false);
        }
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        InotifySource *n = userdata;
        union {
                struct inotify_event ev;
                char raw[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
        } buf;
        ssize_t len;

        len = read(fd, &buf, sizeof(buf));
        if (len < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                source_failed(&n->source, -errno);
                return 0;
        }
        for (char *p = buf.raw; p < buf.raw + len;) {
                const struct inotify_event *e = (const struct inotify_event *) p;

                handle_event(n, e);
                p += sizeof(struct inotify_event) + e->len;
        }
        return 0;
}

static int source_start(Source *s) {
        InotifySource *n = (InotifySource *) s;
        WatchedPf *pf;
        int r;

        n->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (n->fd < 0)
                return log_warning_errno(errno, "Failed to create an inotify instance: %m");
        r = sd_event_add_io(n->event, &n->io, n->fd, EPOLLIN, on_inotify, n);
        if (r < 0) {
                n->fd = (close(n->fd), -EBADF);
                return log_warning_errno(r, "Failed to watch the inotify instance: %m");
        }
        watch_vfio_dir(n);
        HASHMAP_FOREACH(pf, n->pfs, i)
                watch_pf(n, pf);
        return 0;
}

static void source_stop(Source *s) {
        InotifySource *n = (InotifySource *) s;
        Watch *w;

        n->io = sd_event_source_disable_unref(n->io);
        HASHMAP_FOREACH(w, n->watches, i)
                forget_watch(n, w);
        n->vfio_dir_watched = false;
        if (n->fd >= 0)
                n->fd = (close(n->fd), -EBADF);
}

/* The sink: the PFs to watch are the published ones. */
static void follow_pf(InotifySource *n, const Device *d) {
        WatchedPf *pf;

        if (d->role != DEVICE_ROLE_PF || !d->syspath)
                return;
        pf = hashmap_get(n->pfs, d->address);
        if (!pf) {
                pf = calloc(1, sizeof(WatchedPf));
                if (!pf || !(pf->address = strdup(d->address)) || hashmap_replace(n->pfs, pf->address, pf) < 0) {
                        watched_pf_free(pf);
                        log_oom();
                        return;
                }
        }
        if (!pf->syspath || !streq(pf->syspath, d->syspath)) {
                free(pf->syspath);
                pf->syspath = strdup(d->syspath);
                if (!pf->syspath) {
                        (void) hashmap_remove(n->pfs, pf->address);
                        watched_pf_free(pf);
                        log_oom();
                        return;
                }
        }
        watch_pf(n, pf);
}

static void sink_added(Sink *s, const Device *d) {
        follow_pf(from_sink(s), d);
}

static void sink_changed(Sink *s, const Device *old, const Device *new) {
        follow_pf(from_sink(s), new);
}

static void sink_removed(Sink *s, const Device *d) {
        InotifySource *n = from_sink(s);
        WatchedPf *pf = hashmap_get(n->pfs, d->address);

        if (!pf)
                return;
        unwatch_pf(n, pf->address);
        (void) hashmap_remove(n->pfs, pf->address);
        watched_pf_free(pf);
}

static void sink_batch_done(Sink *s, const BatchDone *done) {
        InotifySource *n = from_sink(s);
        WatchedPf *pf;
        Device *d;

        if (done->initial)
                HASHMAP_FOREACH(d, done->table->by_address, i)
                        follow_pf(n, d);
        /* A PF removed and back within one batch reads as unchanged, but its
         * attribute files are new: the watches on the old ones ended
         * (IN_IGNORED), maybe while they were gone. */
        HASHMAP_FOREACH(pf, n->pfs, i)
                if (pf->unwatched)
                        watch_pf(n, pf);
        /* /dev/vfio appears with the vfio module, which a group node's uevent says. */
        watch_vfio_dir(n);
}

int inotify_source_init(InotifySource *n, sd_event *event, Marks *marks) {
        static const SourceOps source_ops = {
                .name = "inotify",
                .start = source_start,
                .stop = source_stop,
        };
        static const SinkOps sink_ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };

        *n = (InotifySource) {
                .source.ops = &source_ops,
                .sink.ops = &sink_ops,
                .event = event,
                .marks = marks,
                .fd = -EBADF,
        };
        n->watches = hashmap_new();
        n->pfs = hashmap_new();
        return n->watches && n->pfs ? 0 : -ENOMEM;
}

void inotify_source_done(InotifySource *n) {
        WatchedPf *pf;

        source_stop(&n->source);
        hashmap_free(n->watches);
        HASHMAP_FOREACH(pf, n->pfs, i) {
                (void) hashmap_remove(n->pfs, pf->address);
                watched_pf_free(pf);
        }
        hashmap_free(n->pfs);
        n->watches = n->pfs = NULL;
}
