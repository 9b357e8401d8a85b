/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus-names.h"
#include "log.h"
#include "private-socket.h"

struct PrivateSocket {
        sd_event *event;
        BusObjects *objects;        /* registered on every peer */
        char *path;
        sd_event_source *listener;
        sd_bus **peers;
        size_t n_peers;
        sd_bus **dead_peers;        /* closed, freed on the next iteration */
        size_t n_dead_peers;
        sd_event_source *reaper;
        sd_bus **starting_peers;    /* accepted, not yet driven past authentication */
        size_t n_starting_peers;
        sd_event_source *starter;
        uint64_t serial;            /* for the unique names Hello hands out */
        bool accept_failing;        /* out of descriptors, said so once */
};

/* Unsent messages a peer may have before it is dropped as stalled. */
#define PEER_QUEUE_MAX 4096
/* New connections accepted per interval, at most. */
#define PRIVATE_SOCKET_ACCEPT_INTERVAL_USEC (1000 * 1000ULL)
#define PRIVATE_SOCKET_ACCEPT_BURST 64

/* The peers, those still starting, and those to free: small unordered
 * arrays of connections (the list does not own the reference). */
static int bus_list_add(sd_bus ***l, size_t *n, sd_bus *bus) {
        sd_bus **t = reallocarray(*l, *n + 1, sizeof(sd_bus *));

        if (!t)
                return -ENOMEM;
        t[(*n)++] = bus;
        *l = t;
        return 0;
}

static bool bus_list_remove(sd_bus **l, size_t *n, sd_bus *bus) {
        for (size_t i = 0; i < *n; i++)
                if (l[i] == bus) {
                        l[i] = l[--*n];
                        return true;
                }
        return false;
}

static void drop_peer(PrivateSocket *ps, sd_bus *peer);

/* sd-bus leaves a message that came in the same read as the client's BEGIN
 * in its buffer when authentication completes, and its event glue does not
 * wake up for it: the call would wait for the client's next write. Until a
 * peer is running, drive it by hand after every loop iteration. */
static int on_post_iteration(sd_event_source *s, void *userdata) {
        PrivateSocket *ps = userdata;

        for (size_t i = ps->n_starting_peers; i > 0; i--) {
                sd_bus *peer = ps->starting_peers[i - 1];
                int r;

                while ((r = sd_bus_process(peer, NULL)) > 0)
                        ;
                if (r < 0) {
                        /* As sd-bus's own I/O callback does: a peer whose
                         * first message is malformed is hung up on, not left
                         * waiting with its bytes unread. */
                        log_debug_errno(r, "A private socket peer failed while starting (%m); dropping it.");
                        drop_peer(ps, peer);
                } else if (sd_bus_is_ready(peer) > 0)
                        (void) bus_list_remove(ps->starting_peers, &ps->n_starting_peers, peer);
        }
        return sd_event_source_set_enabled(s, ps->n_starting_peers > 0 ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void drop_peer(PrivateSocket *ps, sd_bus *peer) {
        (void) bus_list_remove(ps->starting_peers, &ps->n_starting_peers, peer);
        if (!bus_list_remove(ps->peers, &ps->n_peers, peer))
                return;
        /* Not freed here: we may be inside one of its callbacks. */
        sd_bus_close(peer);
        if (bus_list_add(&ps->dead_peers, &ps->n_dead_peers, peer) < 0) {
                log_oom();
                return; /* leaked rather than freed under a running callback */
        }
        (void) sd_event_source_set_enabled(ps->reaper, SD_EVENT_ONESHOT);
}

static int on_reap(sd_event_source *s, void *userdata) {
        PrivateSocket *ps = userdata;

        for (size_t i = 0; i < ps->n_dead_peers; i++)
                sd_bus_flush_close_unref(ps->dead_peers[i]);
        ps->dead_peers = mfree(ps->dead_peers);
        ps->n_dead_peers = 0;
        return 0;
}

static int on_peer_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        PrivateSocket *ps = userdata;

        log_debug("A private socket peer disconnected.");
        drop_peer(ps, sd_bus_message_get_bus(msg));
        return 0;
}

static bool check_peer(PrivateSocket *ps, sd_bus *peer) {
        uint64_t queued = 0;

        if (sd_bus_get_n_queued_write(peer, &queued) < 0 || queued <= PEER_QUEUE_MAX)
                return false;
        log_warning("A private socket peer does not read its messages (%" PRIu64 " queued); dropping it.", queued);
        drop_peer(ps, peer);
        return true;
}

/* Clients written for a bus (busctl --address, sd-bus bus clients) greet
 * the bus driver first and may add match rules; a peer gets every signal
 * anyway. Just enough of org.freedesktop.DBus for them. */
static int method_hello(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        PrivateSocket *ps = userdata;
        char name[32];

        (void) snprintf(name, sizeof(name), ":1.%" PRIu64, ++ps->serial);
        return sd_bus_reply_method_return(msg, "s", name);
}

static int method_match(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(msg, NULL);
}

static int method_get_name_owner(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        const char *name;
        int r;

        r = sd_bus_message_read(msg, "s", &name);
        if (r < 0)
                return r;
        if (!streq(name, BUS_NAME))
                return sd_bus_error_setf(error, "org.freedesktop.DBus.Error.NameHasNoOwner",
                                         "Only %s is served here.", BUS_NAME);
        return sd_bus_reply_method_return(msg, "s", ":1.0");
}

static const sd_bus_vtable driver_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Hello", "", "s", method_hello, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("AddMatch", "s", "", method_match, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RemoveMatch", "s", "", method_match, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetNameOwner", "s", "s", method_get_name_owner, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

/* Every message a peer sends: one that keeps asking without reading the
 * answers shows here, even when no device changes. */
static int on_peer_message(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        /* Dropped: the message is not dispatched on a closed connection. */
        return check_peer(userdata, sd_bus_message_get_bus(msg));
}

static int add_peer(PrivateSocket *ps, int fd) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *peer = NULL;
        sd_id128_t id;
        int r;

        r = sd_bus_new(&peer);
        if (r >= 0)
                r = sd_bus_set_fd(peer, fd, fd);
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        /* From here on the connection owns fd. */
        r = sd_id128_randomize(&id);
        if (r < 0)
                return r;
        r = sd_bus_set_server(peer, 1, id);
        if (r < 0)
                return r;
        /* SO_PEERCRED, for Refresh (root only here). */
        r = sd_bus_negotiate_creds(peer, 1, SD_BUS_CREDS_PID | SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID);
        if (r < 0)
                return r;
        /* The name GetNameOwner gives: clients that match signals by sender
         * (gdbus monitor --dest) find ours. */
        r = sd_bus_set_sender(peer, ":1.0");
        if (r < 0)
                return r;
        r = bus_objects_register(ps->objects, peer);
        if (r < 0)
                return r;
        r = sd_bus_add_object_vtable(peer, NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus", driver_vtable, ps);
        if (r < 0)
                return r;
        r = sd_bus_add_filter(peer, NULL, on_peer_message, ps);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(peer, NULL, "org.freedesktop.DBus.Local", NULL, "org.freedesktop.DBus.Local",
                                "Disconnected", on_peer_disconnected, ps);
        if (r < 0)
                return r;
        r = sd_bus_start(peer);
        if (r < 0)
                return r;
        r = sd_bus_attach_event(peer, ps->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;

        r = bus_list_add(&ps->starting_peers, &ps->n_starting_peers, peer);
        if (r < 0)
                return r;
        r = bus_list_add(&ps->peers, &ps->n_peers, peer);
        if (r < 0) {
                (void) bus_list_remove(ps->starting_peers, &ps->n_starting_peers, peer);
                return r;
        }
        TAKE_PTR(peer); /* the peers list holds the reference now */
        (void) sd_event_source_set_enabled(ps->starter, SD_EVENT_ON);
        return 0;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        PrivateSocket *ps = userdata;
        int cfd, r;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                bool exhausted = errno == EMFILE || errno == ENFILE;

                /* Out of descriptors the socket stays readable: the rate
                 * limit keeps us from spinning, and it is said once. */
                if (errno != EAGAIN && errno != EINTR && !(exhausted && ps->accept_failing))
                        log_warning_errno(errno, "Failed to accept a private socket connection: %m%s",
                                          exhausted ? " (quiet until one is accepted again)" : "");
                ps->accept_failing = exhausted;
                return 0;
        }
        ps->accept_failing = false;
        r = add_peer(ps, cfd);
        if (r < 0)
                log_warning_errno(r, "Failed to set up a private socket connection: %m");
        return 0;
}

static int serve(PrivateSocket *ps, const char *path) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int r;

        /* Bound under a temporary name and renamed into place once it
         * listens: a client finds no socket or a working one, never one that
         * refuses connections. */
        if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", path) >= sizeof(sa.sun_path))
                return log_warning_errno(ENAMETOOLONG, "Private socket path too long: %s", path);

        /* Without systemd's RuntimeDirectory=, make the directory ourselves. */
        if (streq(path, PRIVATE_SOCKET_DEFAULT) && mkdir("/run/sriov-monitor", 0755) < 0 && errno != EEXIST)
                return log_warning_errno(errno, "Failed to create /run/sriov-monitor: %m");

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_warning_errno(errno, "Failed to create the private socket: %m");
        /* A socket left by a previous instance is ours to replace (we own
         * the bus name); anything else at that path is not ours to remove. */
        if (lstat(path, &st) >= 0 && !S_ISSOCK(st.st_mode))
                return log_warning_errno(EEXIST, "%s exists and is not a socket; not serving it.", path);
        (void) unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_warning_errno(errno, "Failed to bind the private socket %s: %m", sa.sun_path);
        /* Anyone may connect and read; Refresh there is root's only. */
        if (chmod(sa.sun_path, 0666) < 0 || listen(fd, SOMAXCONN) < 0 || rename(sa.sun_path, path) < 0) {
                r = -errno;
                (void) unlink(sa.sun_path);
                return log_warning_errno(r, "Failed to set up the private socket %s: %m", path);
        }

        r = sd_event_add_io(ps->event, &ps->listener, fd, EPOLLIN, on_connection, ps);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the private socket: %m");
        r = sd_event_source_set_io_fd_own(ps->listener, true);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the private socket: %m");
        fd = -EBADF; /* the event source owns it now */
        /* At most 64 accepts a second: when a user holds more connections
         * than we may have descriptors, accept() fails on a socket that
         * stays readable, and the loop would spin. */
        r = sd_event_source_set_ratelimit(ps->listener, PRIVATE_SOCKET_ACCEPT_INTERVAL_USEC,
                                          PRIVATE_SOCKET_ACCEPT_BURST);
        if (r < 0)
                return log_error_errno(r, "Failed to rate limit the private socket: %m");
        r = sd_event_add_defer(ps->event, &ps->reaper, on_reap, ps);
        if (r >= 0)
                r = sd_event_source_set_enabled(ps->reaper, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_post(ps->event, &ps->starter, on_post_iteration, ps);
        if (r >= 0)
                r = sd_event_source_set_enabled(ps->starter, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the private socket: %m");
        ps->path = strdup(path);
        if (!ps->path)
                return log_oom();
        log_debug("Serving peer-to-peer D-Bus on %s.", path);
        return 0;
}

PrivateSocket *private_socket_stop(PrivateSocket *ps) {
        if (!ps)
                return NULL;
        for (size_t i = 0; i < ps->n_peers; i++)
                sd_bus_flush_close_unref(ps->peers[i]);
        free(ps->peers);
        ps->peers = NULL;
        ps->n_peers = 0;
        on_reap(NULL, ps);
        ps->reaper = sd_event_source_disable_unref(ps->reaper);
        ps->starter = sd_event_source_disable_unref(ps->starter);
        ps->starting_peers = mfree(ps->starting_peers);
        ps->n_starting_peers = 0;
        ps->listener = sd_event_source_disable_unref(ps->listener);
        if (ps->path) {
                (void) unlink(ps->path);
                free(ps->path);
                ps->path = NULL;
        }
        free(ps);
        return NULL;
}

int private_socket_start(sd_event *event, BusObjects *objects, const char *path, PrivateSocket **ret) {
        PrivateSocket *ps = calloc(1, sizeof(PrivateSocket));
        int r;

        if (!ps)
                return log_oom();
        *ps = (PrivateSocket) { .event = event, .objects = objects };
        r = serve(ps, path);
        if (r < 0) {
                private_socket_stop(ps);
                return r;
        }
        *ret = ps;
        return 0;
}

sd_bus *private_socket_peer(PrivateSocket *ps, size_t i) {
        return ps && i < ps->n_peers ? ps->peers[i] : NULL;
}

void private_socket_check_peers(PrivateSocket *ps) {
        if (!ps)
                return;
        /* Backwards: dropping shrinks the array from the end. */
        for (size_t i = ps->n_peers; i > 0; i--)
                (void) check_peer(ps, ps->peers[i - 1]);
}
