/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "log.h"
#include "owner-parse.h"
#include "owner-source.h"
#include "proc-scan.h"

#define MACHINED "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"
/* machined answers at once or not at all: an owner waits this long at most. */
#define MACHINED_TIMEOUT_USEC (2 * 1000000ULL)
#define CMDLINE_MAX 65536
#define TAKE_FLAG(f)                    \
        ({                              \
                bool _f = (f);          \
                (f) = false;            \
                _f;                     \
        })

/* A VF on a VFIO driver: the device numbers of its group node and cdev. */
typedef struct OwnerVf {
        char address[PCI_ADDRESS_MAX];
        char *group_node, *cdev;    /* paths in /dev (cdev may be NULL) */
        dev_t group_rdev, cdev_rdev; /* 0: the node is not there (yet) */
        pid_t pid;                  /* the last scan's owner, 0 none */
} OwnerVf;

/* The name of an owning process, asked once per pid. */
typedef struct OwnerName {
        char key[16];
        pid_t pid;
        char *name;                 /* NULL while asked */
        sd_bus_slot *slot;          /* the call to machined in flight */
        OwnerSource *owner;
} OwnerName;

static OwnerSource *from_source(Source *s) {
        return (OwnerSource *) ((char *) s - offsetof(OwnerSource, source));
}
static OwnerSource *from_sink(Sink *s) {
        return (OwnerSource *) ((char *) s - offsetof(OwnerSource, sink));
}
static OwnerSource *from_facts(Facts *f) {
        return (OwnerSource *) ((char *) f - offsetof(OwnerSource, facts));
}

static OwnerVf *owner_vf_free(OwnerVf *v) {
        if (v) {
                free(v->group_node);
                free(v->cdev);
                free(v);
        }
        return NULL;
}

static OwnerName *owner_name_free(OwnerName *n) {
        if (n) {
                sd_bus_slot_unref(n->slot);
                free(n->name);
                free(n);
        }
        return NULL;
}

static void names_clear(OwnerSource *o) {
        OwnerName *n;

        HASHMAP_FOREACH(n, o->names, i) {
                (void) hashmap_remove(o->names, n->key);
                owner_name_free(n);
        }
}

static const OwnerName *name_of(const OwnerSource *o, pid_t pid) {
        char key[16];

        (void) snprintf(key, sizeof(key), "%d", (int) pid);
        return hashmap_get(o->names, key);
}

/* Facts: a VF on VFIO whose owner is known and named. */
static int facts_fill(Facts *f, Device *d) {
        OwnerSource *o = from_facts(f);
        const OwnerVf *v;
        const OwnerName *n;

        if (d->role != DEVICE_ROLE_VF || !streq(d->mode, "vfio"))
                return 0;
        v = hashmap_get(o->vfs, d->address);
        n = v && v->pid > 0 ? name_of(o, v->pid) : NULL;
        if (!n || !n->name)
                return 0;
        d->owner_name = strdup(n->name);
        if (!d->owner_name)
                return -ENOMEM;
        d->in_use = true;
        d->owner_pid = (uint32_t) v->pid;
        return 0;
}

/* Every VF this pid holds is re-read: its name is known now. */
static void mark_holders(OwnerSource *o, pid_t pid) {
        OwnerVf *v;

        HASHMAP_FOREACH(v, o->vfs, i)
                if (v->pid == pid)
                        marks_dirty(o->marks, v->address, NULL, false);
}

static char *read_proc_file(OwnerSource *o, pid_t pid, const char *file, size_t max, size_t *ret_len) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -EBADF;
        char *buf;
        ssize_t n;

        (void) snprintf(path, sizeof(path), "%s/%d/%s", o->proc, (int) pid, file);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return NULL;
        buf = malloc(max);
        if (!buf)
                return NULL;
        n = read(fd, buf, max);
        if (n < 0) {
                free(buf);
                return NULL;
        }
        *ret_len = (size_t) n;
        return buf;
}

/* Not a registered machine: QEMU's -name guest=NAME, else comm, else "". */
static void name_from_proc(OwnerName *n) {
        OwnerSource *o = n->owner;
        _cleanup_free_ char *cmdline = NULL, *comm = NULL;
        char *name = NULL;
        size_t len = 0;

        cmdline = read_proc_file(o, n->pid, "cmdline", CMDLINE_MAX, &len);
        if (cmdline && owner_name_from_cmdline(cmdline, len, &name) > 0)
                goto done;
        comm = read_proc_file(o, n->pid, "comm", 64, &len);
        if (comm && owner_name_from_comm(comm, len, &name) > 0)
                goto done;
        name = strdup("");
done:
        if (!name)
                return (void) log_oom();
        free(n->name);
        n->name = name;
        mark_holders(o, n->pid);
}

static int on_machine_name(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        OwnerName *n = userdata;
        const char *name = NULL;

        n->slot = sd_bus_slot_unref(n->slot);
        if (!sd_bus_message_is_method_error(reply, NULL) &&
            sd_bus_message_read(reply, "v", "s", &name) >= 0 && !isempty(name)) {
                free(n->name);
                n->name = strdup(name);
                if (!n->name)
                        return log_oom();
                mark_holders(n->owner, n->pid);
                return 0;
        }
        log_debug("systemd-machined: no name for machine of %d.", (int) n->pid);
        name_from_proc(n);
        return 0;
}

static int on_machine_by_pid(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        OwnerName *n = userdata;
        OwnerSource *o = n->owner;
        const sd_bus_error *e;
        const char *path;
        int r;

        n->slot = sd_bus_slot_unref(n->slot);
        e = sd_bus_message_get_error(reply);
        if (e) {
                /* No machined at all is worth one debug line; a pid that is
                 * no machine's is the usual answer for a DPDK process. */
                if (!o->machined_absent_logged && !sd_bus_error_has_name(e, "org.freedesktop.machine1.NoMachineForPID")) {
                        log_debug("systemd-machined not available (%s): owners are named from /proc.", e->name);
                        o->machined_absent_logged = true;
                }
                name_from_proc(n);
                return 0;
        }
        r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sd_bus_call_method_async(o->bus, &n->slot, MACHINED, path, "org.freedesktop.DBus.Properties",
                                             "Get", on_machine_name, n, "ss", "org.freedesktop.machine1.Machine",
                                             "Name");
        if (r < 0)
                name_from_proc(n);
        return 0;
}

/* Asks for a pid's name: machined first, asynchronously. */
static int name_ask(OwnerSource *o, pid_t pid) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        OwnerName *n;
        int r;

        if (name_of(o, pid))
                return 0;
        n = calloc(1, sizeof(OwnerName));
        if (!n)
                return -ENOMEM;
        (void) snprintf(n->key, sizeof(n->key), "%d", (int) pid);
        n->pid = pid;
        n->owner = o;
        if (hashmap_replace(o->names, n->key, n) < 0) {
                owner_name_free(n);
                return -ENOMEM;
        }
        r = o->bus ? sd_bus_message_new_method_call(o->bus, &m, MACHINED, MACHINED_PATH, MACHINED_MANAGER,
                                                    "GetMachineByPID")
                   : -ENOTCONN;
        if (r >= 0)
                r = sd_bus_message_append(m, "u", (uint32_t) pid);
        if (r >= 0)
                r = sd_bus_call_async(o->bus, &n->slot, m, on_machine_by_pid, n, MACHINED_TIMEOUT_USEC);
        if (r < 0)
                name_from_proc(n);
        return 0;
}

static void arm_timer(OwnerSource *o) {
        bool want = o->timer && o->interval_usec > 0 && hashmap_size(o->vfs) > 0;
        int enabled = SD_EVENT_OFF;

        if (!o->timer || (sd_event_source_get_enabled(o->timer, &enabled) >= 0 && (enabled != SD_EVENT_OFF) == want))
                return;
        if (want)
                (void) sd_event_source_set_time_relative(o->timer, o->interval_usec);
        (void) sd_event_source_set_enabled(o->timer, want ? SD_EVENT_ON : SD_EVENT_OFF);
}

static dev_t node_rdev(const char *path) {
        struct stat st;

        /* stat only: a VFIO node is never opened. */
        if (!path || stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
                return 0;
        return st.st_rdev;
}

/* Re-reads the device numbers of a VF's nodes; true when one changed (a
 * node not there yet, as udev makes it, or replaced). */
static bool stat_nodes(OwnerVf *v) {
        bool changed = false;

        for (int j = 0; j < 2; j++) {
                dev_t *rdev = j == 0 ? &v->group_rdev : &v->cdev_rdev;
                dev_t now = node_rdev(j == 0 ? v->group_node : v->cdev);

                if (now != *rdev) {
                        log_debug("%s: %s is %u:%u.", v->address, j == 0 ? v->group_node : v->cdev, major(now), minor(now));
                        *rdev = now;
                        changed = true;
                }
        }
        return changed;
}

void owner_source_scan(OwnerSource *o) {
        _cleanup_free_ ProcScanWant *wants = NULL;
        ProcScanStats stats;
        size_t n = 0, k = 0;
        OwnerVf *v;
        OwnerName *name;
        int r;

        o->scans++;
        wants = calloc(2 * hashmap_size(o->vfs) + 1, sizeof(ProcScanWant));
        if (!wants)
                return (void) log_oom();
        HASHMAP_FOREACH(v, o->vfs, i) {
                (void) stat_nodes(v);
                if (v->group_rdev)
                        wants[n++].rdev = v->group_rdev;
                if (v->cdev_rdev)
                        wants[n++].rdev = v->cdev_rdev;
        }
        r = proc_scan(o->proc, getpid(), wants, n, &stats);
        if (r < 0)
                log_debug_errno(r, "Cannot list %s: %m", o->proc);
        else
                log_debug("Ownership scan: %zu device numbers, %u processes, %u descriptors.", n, stats.processes,
                          stats.fds);
        HASHMAP_FOREACH(v, o->vfs, i) {
                pid_t pid = 0;

                /* The same order as above: group node, then cdev. */
                for (int j = 0; j < 2; j++) {
                        dev_t rdev = j == 0 ? v->group_rdev : v->cdev_rdev;

                        if (!rdev)
                                continue;
                        if (wants[k].pid > 0 && (pid == 0 || wants[k].pid < pid))
                                pid = wants[k].pid;
                        k++;
                }
                if (pid == v->pid && (pid == 0 || name_of(o, pid)))
                        continue;
                if (pid == 0 || v->pid == 0 || pid != v->pid)
                        log_debug("%s: owner %d -> %d.", v->address, (int) v->pid, (int) pid);
                v->pid = pid;
                if (pid == 0)
                        marks_dirty(o->marks, v->address, NULL, false);
                else if (name_ask(o, pid) < 0)
                        log_oom();
                else if (name_of(o, pid)->name)
                        marks_dirty(o->marks, v->address, NULL, false); /* named already */
        }
        /* Names nobody holds any more. */
        HASHMAP_FOREACH(name, o->names, i) {
                bool held = false;

                HASHMAP_FOREACH(v, o->vfs, j)
                        held = held || v->pid == name->pid;
                if (!held) {
                        (void) hashmap_remove(o->names, name->key);
                        owner_name_free(name);
                }
        }
}

/* Follows one VF; true when there is something new to scan for. */
static bool track(OwnerSource *o, const Device *d) {
        OwnerVf *v = hashmap_get(o->vfs, d->address);
        bool fresh = !v;

        if (d->role != DEVICE_ROLE_VF || !streq(d->mode, "vfio")) {
                if (v) {
                        (void) hashmap_remove(o->vfs, v->address);
                        owner_vf_free(v);
                }
                return false;
        }
        if (!v) {
                v = calloc(1, sizeof(OwnerVf));
                if (!v || snprintf(v->address, sizeof(v->address), "%s", d->address) < 0 ||
                    hashmap_replace(o->vfs, v->address, v) < 0) {
                        owner_vf_free(v);
                        log_oom();
                        return false;
                }
        }
        if (!streq_ptr(v->group_node, d->vfio_device) || !streq_ptr(v->cdev, d->vfio_cdev)) {
                free(v->group_node);
                free(v->cdev);
                v->group_node = d->vfio_device ? strdup(d->vfio_device) : NULL;
                v->cdev = d->vfio_cdev ? strdup(d->vfio_cdev) : NULL;
                v->group_rdev = v->cdev_rdev = 0;
                fresh = true;
        }
        return stat_nodes(v) || fresh;
}

/* A VF came on VFIO (or its nodes changed): the batch's end scans. */
static void sink_added(Sink *s, const Device *d) {
        OwnerSource *o = from_sink(s);

        if (track(o, d))
                o->scan_pending = true;
}

static void sink_changed(Sink *s, const Device *old, const Device *new) {
        OwnerSource *o = from_sink(s);

        if (track(o, new))
                o->scan_pending = true;
}

static void sink_removed(Sink *s, const Device *d) {
        OwnerSource *o = from_sink(s);
        OwnerVf *v = hashmap_remove(o->vfs, d->address);

        owner_vf_free(v);
}

static void sink_batch_done(Sink *s, const BatchDone *done) {
        OwnerSource *o = from_sink(s);
        bool scan = TAKE_FLAG(o->scan_pending) || done->rescan;
        OwnerVf *v;
        Device *d;

        if (done->manager_properties)
                return;
        /* At start: a VM that holds a VF already. */
        if (done->initial)
                HASHMAP_FOREACH(d, done->table->by_address, i)
                        if (track(o, d))
                                scan = true;
        /* A VF whose node was not there: it may have come meanwhile (udev
         * makes it; the inotify source re-reads the group). Only those: a
         * stat() of every node per batch would cost a big host per event. */
        HASHMAP_FOREACH(v, o->vfs, i) {
                const Device *cur;

                if (v->group_rdev && (v->cdev_rdev || !v->cdev))
                        continue;
                cur = device_table_get(done->table, v->address);
                if (cur && track(o, cur))
                        scan = true;
        }
        if (done->rescan)
                names_clear(o); /* asked afresh: a VM may have been registered */
        if (scan && hashmap_size(o->vfs) > 0)
                owner_source_scan(o);
        arm_timer(o);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        OwnerSource *o = userdata;

        owner_source_scan(o);
        (void) sd_event_source_set_time_relative(s, o->interval_usec);
        return 0;
}

static int on_machine_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        OwnerSource *o = userdata;

        /* A VM registered after its QEMU opened the VF, or one gone. */
        log_debug("systemd-machined: %s.", sd_bus_message_get_member(m));
        if (hashmap_size(o->vfs) == 0)
                return 0;
        names_clear(o);
        owner_source_scan(o);
        return 0;
}

static int source_start(Source *s) {
        OwnerSource *o = from_source(s);
        int r;

        if (!o->bus)
                return 0;
        r = sd_bus_match_signal_async(o->bus, &o->machine_new, MACHINED, MACHINED_PATH, MACHINED_MANAGER,
                                      "MachineNew", on_machine_signal, NULL, o);
        if (r >= 0)
                r = sd_bus_match_signal_async(o->bus, &o->machine_removed, MACHINED, MACHINED_PATH,
                                              MACHINED_MANAGER, "MachineRemoved", on_machine_signal, NULL, o);
        if (r < 0)
                log_debug_errno(r, "Cannot follow systemd-machined's machines: %m");
        return 0;
}

static void source_stop(Source *s) {
        OwnerSource *o = from_source(s);

        o->machine_new = sd_bus_slot_unref(o->machine_new);
        o->machine_removed = sd_bus_slot_unref(o->machine_removed);
}

int owner_source_init(OwnerSource *o, sd_event *event, Marks *marks) {
        static const SourceOps source_ops = { .name = "owner", .start = source_start, .stop = source_stop };
        static const SinkOps sink_ops = {
                .added = sink_added,
                .changed = sink_changed,
                .removed = sink_removed,
                .batch_done = sink_batch_done,
        };
        static const FactsOps facts_ops = { .fill = facts_fill };
        int r;

        *o = (OwnerSource) {
                .source.ops = &source_ops,
                .sink.ops = &sink_ops,
                .facts.ops = &facts_ops,
                .event = event,
                .marks = marks,
                .interval_usec = OWNER_SCAN_INTERVAL_USEC,
                .proc = "/proc",
        };
        o->vfs = hashmap_new();
        o->names = hashmap_new();
        if (!o->vfs || !o->names)
                return -ENOMEM;
        r = sd_event_add_time_relative(event, &o->timer, CLOCK_MONOTONIC, OWNER_SCAN_INTERVAL_USEC, 0, on_timer, o);
        if (r >= 0)
                r = sd_event_source_set_enabled(o->timer, SD_EVENT_OFF);
        return r;
}

void owner_source_done(OwnerSource *o) {
        OwnerVf *v;

        source_stop(&o->source);
        o->timer = sd_event_source_disable_unref(o->timer);
        if (o->names)
                names_clear(o);
        o->names = hashmap_free(o->names);
        HASHMAP_FOREACH(v, o->vfs, i) {
                (void) hashmap_remove(o->vfs, v->address);
                owner_vf_free(v);
        }
        o->vfs = hashmap_free(o->vfs);
}
