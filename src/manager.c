/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "log.h"
#include "manager.h"

#define USEC_PER_SEC 1000000ULL
#define USEC_PER_MSEC 1000ULL
/* EventsProcessed changes with every event: announce it at most once a second. */
#define EVENTS_PROCESSED_PERIOD_USEC USEC_PER_SEC

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return log_oom();
        m->status.version = PACKAGE_VERSION;
        m->driverless_grace_usec = DRIVERLESS_GRACE_USEC_DEFAULT;

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate the event loop: %m");
        m->udev = udev_new();
        if (!m->udev)
                return log_error_errno(errno ?: ENOMEM, "Failed to create the udev context: %m");
        r = device_table_new(&m->table);
        if (r < 0)
                return log_oom();
        r = sysfs_reader_init(&m->reader, m->udev, true);
        if (r < 0)
                return log_oom();
        r = marks_new(&m->marks, m->table, &m->reader.reader, &m->status);
        if (r < 0)
                return log_oom();
        m->batch = (Batch) {
                .table = m->table,
                .reader = &m->reader.reader,
                .marks = m->marks,
                .sinks = &m->sinks,
                .status = &m->status,
        };
        m->objects = (BusObjects) { .table = m->table, .status = &m->status, .marks = m->marks };
        sources_init(&m->sources, m->event, m->marks, &m->status);
        uevent_source_init(&m->uevent, m->event, m->udev, m->marks);
        r = inotify_source_init(&m->inotify, m->event, m->marks);
        if (r < 0)
                return log_oom();
        peers_sink_init(&m->peers_sink, &m->private_server);
        rtnl_source_init(&m->rtnl, m->event, m->marks);
        r = owner_source_init(&m->owner, m->event, m->marks);
        if (r >= 0)
                r = sysfs_reader_add_facts(&m->reader, &m->owner.facts);
        if (r < 0)
                return log_oom();
        m->owner_scan_interval_usec = OWNER_SCAN_INTERVAL_USEC;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        bus_objects_done(&m->objects);
        m->private_server = private_socket_stop(m->private_server);
        sources_done(&m->sources);
        inotify_source_done(&m->inotify);
        owner_source_done(&m->owner);
        sink_list_clear(&m->sinks);
        metrics_sink_done(&m->metrics_sink);
        features_sink_done(&m->features_sink);
        journal_sink_done(&m->journal_sink);
        hazards_sink_done(&m->hazards_sink);
        sd_event_source_disable_unref(m->resync_timer);
        sd_event_source_disable_unref(m->batch_event);
        sd_event_source_disable_unref(m->events_timer);
        sd_event_source_disable_unref(m->settle_timer);
        marks_free(m->marks);
        if (m->bus) {
                (void) sd_bus_release_name(m->bus, BUS_NAME);
                sd_bus_flush_close_unref(m->bus);
        }
        device_table_free(m->table);
        sysfs_reader_done(&m->reader);
        udev_unref(m->udev);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

/* Tells the sinks that Manager properties changed outside a batch. */
static void manager_properties_changed(Manager *m, const char *property) {
        sinks_batch_done(&m->sinks, &(BatchDone) {
                .table = m->table,
                .manager_properties = (const char *const[]) { property, NULL },
        });
}

static int on_batch(sd_event_source *s, void *userdata) {
        Manager *m = userdata;
        BatchResult result;

        batch_run(&m->batch, &result);
        if (result.rescan)
                bus_objects_finish_refresh(&m->objects, result.error);
        return 0;
}

static void on_marks(void *userdata);

static int on_settle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        marks_settle(m->marks);
        on_marks(m); /* woken a little early: wait on */
        return 0;
}

static int on_events_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        if (m->status.events_processed != m->events_published) {
                m->events_published = m->status.events_processed;
                manager_properties_changed(m, "EventsProcessed");
        }
        return 0;
}

/* The inbox changed: run the batch when marks are ready, wake up for the
 * held ones, and announce the event count (no timer runs while nothing
 * happens: an idle daemon never wakes). */
static void on_marks(void *userdata) {
        Manager *m = userdata;
        int enabled = SD_EVENT_OFF;

        if (m->batch_event && marks_batch_due(m->marks))
                (void) sd_event_source_set_enabled(m->batch_event, SD_EVENT_ONESHOT);
        if (m->settle_timer && m->marks->settle_deadline > 0) {
                (void) sd_event_source_set_time(m->settle_timer, m->marks->settle_deadline);
                (void) sd_event_source_set_enabled(m->settle_timer, SD_EVENT_ONESHOT);
        }
        if (m->events_timer && m->status.events_processed != m->events_published &&
            sd_event_source_get_enabled(m->events_timer, &enabled) >= 0 && enabled == SD_EVENT_OFF) {
                (void) sd_event_source_set_time_relative(m->events_timer, EVENTS_PROCESSED_PERIOD_USEC);
                (void) sd_event_source_set_enabled(m->events_timer, SD_EVENT_ONESHOT);
        }
}

static void on_degraded(void *userdata) {
        Manager *m = userdata;

        if (m->bus)
                manager_properties_changed(m, "Degraded");
}

static void on_hazards(void *userdata) {
        manager_properties_changed(userdata, "Hazards");
}

static int on_resync_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        marks_resync(m->marks, "periodic resync");
        (void) sd_event_source_set_time_relative(s, m->resync_interval_usec);
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int setup_pipeline(Manager *m) {
        int r;

        r = sd_event_add_defer(m->event, &m->batch_event, on_batch, m);
        if (r < 0)
                return r;
        /* After every pending source event: a burst is drained before work starts. */
        r = sd_event_source_set_priority(m->batch_event, SD_EVENT_PRIORITY_IDLE);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(m->batch_event, SD_EVENT_OFF);
        if (r < 0)
                return r;
        r = sd_event_add_time(m->event, &m->settle_timer, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_settle_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->settle_timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(m->event, &m->events_timer, CLOCK_MONOTONIC, EVENTS_PROCESSED_PERIOD_USEC,
                                       0, on_events_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->events_timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        if (m->resync_interval_usec > 0) {
                r = sd_event_add_time_relative(m->event, &m->resync_timer, CLOCK_MONOTONIC, m->resync_interval_usec,
                                               0, on_resync_timer, m);
                if (r < 0)
                        return r;
        }
        m->marks->wake = on_marks;
        m->marks->userdata = m;
        m->sources.degraded_changed = on_degraded;
        m->sources.userdata = m;
        return 0;
}

/* The one list of sinks, in the order they are told. */
static int setup_sinks(Manager *m) {
        int r;

        bus_sink_init(&m->bus_sink, m->bus);
        r = sink_list_add(&m->sinks, &m->inotify.sink);
        if (r >= 0)
                r = sink_list_add(&m->sinks, &m->bus_sink.sink);
        if (r >= 0)
                r = sink_list_add(&m->sinks, &m->peers_sink.sink);
        /* Fleet (issue 17): the files, the journal, and last the hazards,
         * whose change every sink above hears as a Manager property's. */
        if (r >= 0 && m->metrics_file) {
                metrics_sink_init(&m->metrics_sink, m->event, m->metrics_file, m->metrics_per_vf, &m->status,
                                  m->table);
                r = sink_list_add(&m->sinks, &m->metrics_sink.sink);
        }
        if (r >= 0 && m->features_file) {
                features_sink_init(&m->features_sink, m->event, m->features_file, m->table);
                r = sink_list_add(&m->sinks, &m->features_sink.sink);
        }
        if (r >= 0) {
                journal_sink_init(&m->journal_sink, &m->status);
                r = sink_list_add(&m->sinks, &m->journal_sink.sink);
        }
        if (r >= 0)
                r = hazards_sink_init(&m->hazards_sink, m->event, &m->status, m->table, m->driverless_grace_usec);
        if (r >= 0) {
                m->hazards_sink.changed = on_hazards;
                m->hazards_sink.userdata = m;
                r = sink_list_add(&m->sinks, &m->hazards_sink.sink);
        }
        if (r >= 0)
                r = sources_add(&m->sources, &m->uevent.source);
        if (r >= 0)
                r = sources_add(&m->sources, &m->inotify.source);
        if (r >= 0 && m->reader.link_facts)
                r = sources_add(&m->sources, &m->rtnl.source);
        /* Who owns a VF: machined is asked on the daemon's own bus. */
        m->owner.bus = m->bus;
        m->owner.interval_usec = m->owner_scan_interval_usec;
        if (r >= 0)
                r = sink_list_add(&m->sinks, &m->owner.sink);
        if (r >= 0)
                r = sources_add(&m->sources, &m->owner.source);
        return r;
}

int manager_start(Manager *m) {
        unsigned pfs, vfs;
        int r;

        r = m->use_session_bus ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the %s bus: %m",
                                       m->use_session_bus ? "session" : "system");
        r = bus_objects_register(&m->objects, m->bus);
        if (r < 0)
                return r;
        r = setup_sinks(m);
        if (r < 0)
                return log_oom();
        r = setup_pipeline(m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event pipeline: %m");

        /* Listen before the first scan, so nothing between the two is lost;
         * a source that cannot start leaves the daemon degraded, not dead. */
        m->uevent.kind = m->uevent_source;
        m->uevent.buffer_size = m->uevent_buffer_size;
        m->uevent.netdevs_named_by_udev = &m->reader.netdevs_named_by_udev;
        sources_start(&m->sources);

        /* The first scan is in place before the name is taken: a client that
         * sees the name sees every device, and no signal is needed for them. */
        r = batch_scan_initial(&m->batch);
        if (r < 0)
                return log_error_errno(r, "Failed to scan devices: %m");

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");
        /* Losing the bus leaves nothing to serve: stop the loop. */
        r = sd_bus_set_exit_on_disconnect(m->bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the bus: %m");
        r = sd_bus_request_name(m->bus, BUS_NAME, 0);
        if (r == -EEXIST)
                return log_error_errno(r, "Another sriov-monitord owns %s: not starting a second one.", BUS_NAME);
        if (r == -EACCES || r == -EPERM)
                return log_error_errno(r, "Not allowed to own %s: run as root, with %s.conf installed in "
                                       "the D-Bus system policy directory (see sriov-monitord(8)).",
                                       BUS_NAME, BUS_NAME);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire the bus name %s: %m", BUS_NAME);
        device_table_count(m->table, &pfs, &vfs);
        log_notice("Monitoring %u PFs, %u VFs.", pfs, vfs);

        /* Only the instance that owns the name may take over the socket path.
         * A socket that cannot be served is a warning: the bus still is. */
        if (m->private_socket)
                (void) private_socket_start(m->event, &m->objects, m->private_socket, &m->private_server);
        return 0;
}
