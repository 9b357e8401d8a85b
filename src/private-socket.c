/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sockios.h>
#include <malloc.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus-names.h"
#include "bus-objects.h"
#include "log.h"
#include "private-socket.h"

/* Accepts per wake-up: what the backlog holds is taken in rounds of this
 * many, so that a flood of connections still leaves the loop to the others
 * between rounds. */
#define ACCEPT_PER_DISPATCH 64
/* Out of descriptors (or another accept() failure), the socket stays
 * readable: we stop listening for this long rather than spin. */
#define ACCEPT_PAUSE_USEC (250 * 1000ULL)
/* A uid refused for holding too many connections is told once per minute. */
#define REFUSAL_LOG_INTERVAL_USEC (60 * 1000 * 1000ULL)
#define REFUSAL_LOG_SLOTS 16
/* After the last of a burst of connections is freed, the heap goes back to
 * the system (malloc_trim): a flood leaves no resident memory behind. */
#define TRIM_DELAY_USEC (1000 * 1000ULL)

typedef struct Peer {
        sd_bus *bus;
        uid_t uid; /* SO_PEERCRED when accepted */
} Peer;

/* peers[0, n_greeted) have sent a message and get signals; the rest have
 * not yet. A client written for a bus sends Hello first and takes anything
 * but its answer before it for a broken connection (sd-bus fails with EIO),
 * so nothing is sent to a peer before it has spoken. */

typedef struct Refusal {
        uid_t uid;
        uint64_t logged; /* CLOCK_MONOTONIC usec; 0: free slot */
} Refusal;

struct PrivateSocket {
        sd_event *event;
        BusObjects *objects;             /* registered on every peer */
        char *path;
        sd_event_source *listener;
        sd_event_source *resume_timer;   /* armed while accepting is paused */
        bool accept_failing;             /* said so once, until one is accepted */

        Peer *peers;
        size_t n_peers;
        size_t n_greeted;
        sd_bus **starting;               /* accepted, not yet driven past authentication */
        size_t n_starting;
        sd_event_source *starter;
        sd_bus **dead;                   /* closed, freed on the next iteration */
        size_t n_dead;
        sd_event_source *reaper;
        sd_event_source *trim_timer;
        uint64_t serial;                 /* for the unique names Hello hands out */
        Refusal refusals[REFUSAL_LOG_SLOTS];
};

/* Small unordered arrays of connections (the list does not own them). */
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

static ssize_t peers_find(PrivateSocket *ps, sd_bus *bus) {
        for (size_t i = 0; i < ps->n_peers; i++)
                if (ps->peers[i].bus == bus)
                        return (ssize_t) i;
        return -1;
}

static void peers_swap(PrivateSocket *ps, size_t a, size_t b) {
        Peer t = ps->peers[a];

        ps->peers[a] = ps->peers[b];
        ps->peers[b] = t;
}

/* Keeps the greeted ones at the front. */
static bool peers_remove(PrivateSocket *ps, sd_bus *bus) {
        ssize_t i = peers_find(ps, bus);

        if (i < 0)
                return false;
        if ((size_t) i < ps->n_greeted) {
                peers_swap(ps, (size_t) i, --ps->n_greeted);
                i = (ssize_t) ps->n_greeted;
        }
        peers_swap(ps, (size_t) i, --ps->n_peers);
        return true;
}

static void peers_greet(PrivateSocket *ps, sd_bus *bus) {
        ssize_t i = peers_find(ps, bus);

        if (i >= 0 && (size_t) i >= ps->n_greeted)
                peers_swap(ps, (size_t) i, ps->n_greeted++);
}

static void drop_peer(PrivateSocket *ps, sd_bus *peer);

static unsigned peers_of_uid(PrivateSocket *ps, uid_t uid) {
        unsigned n = 0;

        for (size_t i = 0; i < ps->n_peers; i++)
                n += ps->peers[i].uid == uid;
        return n;
}

/* Those of uid's connections its client has closed (a client that
 * reconnects at once) count no more, even before the loop sees them go. */
static void drop_hung_up(PrivateSocket *ps, uid_t uid) {
        for (size_t i = ps->n_peers; i > 0; i--) {
                Peer *p = &ps->peers[i - 1];
                struct pollfd pfd = { .fd = sd_bus_get_fd(p->bus), .events = POLLIN };

                /* POLLHUP: closed both ways, nothing can reach it any more. */
                if (p->uid == uid && pfd.fd >= 0 && poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLHUP))
                        drop_peer(ps, p->bus);
        }
}

sd_bus *private_socket_peer(PrivateSocket *ps, size_t i) {
        return ps && i < ps->n_greeted ? ps->peers[i].bus : NULL;
}

/* sd-bus leaves a message that came in the same read as the client's BEGIN
 * in its buffer when authentication completes, and its event glue does not
 * wake up for it: the call would wait for the client's next write. Until a
 * peer is running, drive it by hand after every loop iteration. */
static int on_post_iteration(sd_event_source *s, void *userdata) {
        PrivateSocket *ps = userdata;

        for (size_t i = ps->n_starting; i > 0; i--) {
                sd_bus *peer = ps->starting[i - 1];
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
                        (void) bus_list_remove(ps->starting, &ps->n_starting, peer);
        }
        return sd_event_source_set_enabled(s, ps->n_starting > 0 ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void drop_peer(PrivateSocket *ps, sd_bus *peer) {
        (void) bus_list_remove(ps->starting, &ps->n_starting, peer);
        if (!peers_remove(ps, peer))
                return;
        /* Closed without flushing (a peer that does not read would block
         * us), and not freed here: we may be inside one of its callbacks. */
        sd_bus_close(peer);
        if (bus_list_add(&ps->dead, &ps->n_dead, peer) < 0) {
                log_oom();
                return; /* leaked rather than freed under a running callback */
        }
        (void) sd_event_source_set_enabled(ps->reaper, SD_EVENT_ONESHOT);
}

static int on_trim(sd_event_source *s, uint64_t usec, void *userdata) {
        /* The peers' buffers were freed in whatever order they closed:
         * without this the heap keeps its high-water mark resident. */
        (void) malloc_trim(0);
        return 0;
}

static void free_dead_peers(PrivateSocket *ps) {
        for (size_t i = 0; i < ps->n_dead; i++)
                sd_bus_close_unref(ps->dead[i]);
        ps->dead = mfree(ps->dead);
        ps->n_dead = 0;
}

static int on_reap(sd_event_source *s, void *userdata) {
        PrivateSocket *ps = userdata;

        free_dead_peers(ps);
        /* Once the burst is over: each departure pushes the trim back. */
        if (sd_event_source_set_time_relative(ps->trim_timer, TRIM_DELAY_USEC) >= 0)
                (void) sd_event_source_set_enabled(ps->trim_timer, SD_EVENT_ONESHOT);
        return 0;
}

static int on_peer_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        log_debug("A private socket peer disconnected.");
        drop_peer(userdata, sd_bus_message_get_bus(msg));
        return 0;
}

/* What the peer has not read: the messages sd-bus still holds for it (it
 * queues only once the kernel's buffer, PEER_SNDBUF, is full) and, for the
 * log, the bytes the kernel holds. */
static bool check_peer(PrivateSocket *ps, sd_bus *peer) {
        uint64_t queued = 0;
        int in_kernel = 0;

        if (sd_bus_get_n_queued_write(peer, &queued) < 0 || queued <= PEER_QUEUE_MAX)
                return false;
        (void) ioctl(sd_bus_get_fd(peer), SIOCOUTQ, &in_kernel);
        log_warning("A private socket peer does not read its messages (%d bytes in the kernel's buffer and %" PRIu64
                    " messages queued); dropping it.", in_kernel, queued);
        drop_peer(ps, peer);
        return true;
}

void private_socket_check_peers(PrivateSocket *ps) {
        /* Backwards: dropping moves the last peer into the hole. */
        for (size_t i = ps ? ps->n_peers : 0; i > 0; i--)
                (void) check_peer(ps, ps->peers[i - 1].bus);
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
        sd_bus *peer = sd_bus_message_get_bus(msg);
        uint64_t queued = 0;

        /* Dropped: the message is not dispatched on a closed connection. */
        if (check_peer(userdata, peer))
                return 1;
        peers_greet(userdata, peer);
        /* An answer can be big (GetManagedObjects: about 250 bytes a
         * device): one that would only join a backlog is refused with a
         * small error instead, so the backlog holds at most
         * PEER_CALL_BACKLOG answers of any size, the rest small. */
        if (sd_bus_message_is_method_call(msg, NULL, NULL) > 0 && sd_bus_get_n_queued_write(peer, &queued) >= 0 &&
            queued > PEER_CALL_BACKLOG) {
                if (sd_bus_message_get_expect_reply(msg) > 0)
                        (void) sd_bus_reply_method_errorf(msg, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                                          "%" PRIu64 " messages wait for you to read them.", queued);
                return 1;
        }
        return 0;
}

static int setup_peer(PrivateSocket *ps, sd_bus *peer) {
        sd_id128_t id;
        int r;

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
        return sd_bus_match_signal(peer, NULL, "org.freedesktop.DBus.Local", NULL, "org.freedesktop.DBus.Local",
                                   "Disconnected", on_peer_disconnected, ps);
}

static int add_peer(PrivateSocket *ps, int fd, uid_t uid) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *peer = NULL;
        Peer *t;
        int r;

        r = sd_bus_new(&peer);
        if (r >= 0)
                r = sd_bus_set_fd(peer, fd, fd);
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        /* From here on the connection owns fd. */
        r = setup_peer(ps, peer);
        if (r < 0)
                return r;
        r = sd_bus_start(peer);
        if (r < 0)
                return r;
        /* sd-bus asked for an 8 MiB send buffer (16 MiB as root): what a
         * peer leaves unread in the kernel is bounded by ours instead. */
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int) { PEER_SNDBUF }, sizeof(int)) < 0)
                return -errno;
        r = sd_bus_attach_event(peer, ps->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        /* sd-bus would flush it when the loop exits, which blocks for as
         * long as the peer does not read: SIGTERM must not wait for anyone. */
        r = sd_bus_set_close_on_exit(peer, false);
        if (r < 0)
                return r;

        t = reallocarray(ps->peers, ps->n_peers + 1, sizeof(Peer));
        if (!t)
                return -ENOMEM;
        ps->peers = t;
        r = bus_list_add(&ps->starting, &ps->n_starting, peer);
        if (r < 0)
                return r;
        ps->peers[ps->n_peers++] = (Peer) { TAKE_PTR(peer), uid }; /* the list holds the reference now */
        (void) sd_event_source_set_enabled(ps->starter, SD_EVENT_ON);
        return 0;
}

/* Whether to say that uid was refused: once per uid and minute. */
static bool refusal_to_log(PrivateSocket *ps, uid_t uid) {
        uint64_t now = 0;
        Refusal *slot = &ps->refusals[0];

        (void) sd_event_now(ps->event, CLOCK_MONOTONIC, &now);
        for (size_t i = 0; i < REFUSAL_LOG_SLOTS; i++) {
                Refusal *f = &ps->refusals[i];

                if (f->logged != 0 && f->uid == uid) {
                        if (now - f->logged < REFUSAL_LOG_INTERVAL_USEC)
                                return false;
                        slot = f;
                        break;
                }
                if (f->logged < slot->logged) /* free (0) or the oldest */
                        slot = f;
        }
        *slot = (Refusal) { uid, now ?: 1 };
        return true;
}

/* One accepted connection: served, or closed at once. */
static void take_connection(PrivateSocket *ps, int fd) {
        struct ucred cred = {};
        socklen_t len = sizeof(cred);
        char c;
        int r;

        /* Already hung up by its client (a flood of connect-and-close
         * leaves many in the backlog): nothing to set up. */
        if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0 ||
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                (void) close(fd);
                return;
        }
        if (peers_of_uid(ps, cred.uid) >= PEER_PER_UID_MAX)
                drop_hung_up(ps, cred.uid);
        if (peers_of_uid(ps, cred.uid) >= PEER_PER_UID_MAX) {
                if (refusal_to_log(ps, cred.uid))
                        log_warning("uid %u holds %u private socket connections; refusing more (said once a minute).",
                                    (unsigned) cred.uid, PEER_PER_UID_MAX);
                (void) close(fd);
                return;
        }
        r = add_peer(ps, fd, cred.uid);
        if (r < 0)
                log_warning_errno(r, "Failed to set up a private socket connection: %m");
}

static int on_resume(sd_event_source *s, uint64_t usec, void *userdata) {
        PrivateSocket *ps = userdata;

        return sd_event_source_set_enabled(ps->listener, SD_EVENT_ON);
}

static void accept_failed(PrivateSocket *ps, int error) {
        bool exhausted = error == EMFILE || error == ENFILE;

        /* Said once while out of descriptors, which lasts. */
        if (!(exhausted && ps->accept_failing))
                log_warning_errno(error, "Failed to accept a private socket connection: %m%s",
                                  exhausted ? " (quiet until one is accepted again)" : "");
        ps->accept_failing = exhausted;
        /* The socket stays readable: listen again a little later. */
        if (sd_event_source_set_time_relative(ps->resume_timer, ACCEPT_PAUSE_USEC) >= 0 &&
            sd_event_source_set_enabled(ps->resume_timer, SD_EVENT_ONESHOT) >= 0)
                (void) sd_event_source_set_enabled(ps->listener, SD_EVENT_OFF);
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        PrivateSocket *ps = userdata;

        for (unsigned i = 0; i < ACCEPT_PER_DISPATCH; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (cfd < 0) {
                        if (errno == EAGAIN)
                                break;
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        accept_failed(ps, errno);
                        break;
                }
                ps->accept_failing = false;
                take_connection(ps, cfd);
        }
        return 0;
}

/* Bound under a temporary name and renamed into place once it listens: a
 * client finds no socket or a working one, never one that refuses
 * connections. Returns the listening fd. */
static int bind_socket(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int r;

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
        r = fd;
        fd = -EBADF;
        return r;
}

static int add_sources(PrivateSocket *ps, int fd) {
        sd_event *e = ps->event;
        int r;

        r = sd_event_add_io(e, &ps->listener, fd, EPOLLIN, on_connection, ps);
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        r = sd_event_source_set_io_fd_own(ps->listener, true);
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        r = sd_event_add_time_relative(e, &ps->resume_timer, CLOCK_MONOTONIC, ACCEPT_PAUSE_USEC, 0, on_resume, ps);
        if (r >= 0)
                r = sd_event_source_set_enabled(ps->resume_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time_relative(e, &ps->trim_timer, CLOCK_MONOTONIC, TRIM_DELAY_USEC, 0, on_trim, ps);
        if (r >= 0)
                r = sd_event_source_set_enabled(ps->trim_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_defer(e, &ps->reaper, on_reap, ps);
        if (r >= 0)
                r = sd_event_source_set_enabled(ps->reaper, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_post(e, &ps->starter, on_post_iteration, ps);
        if (r >= 0)
                r = sd_event_source_set_enabled(ps->starter, SD_EVENT_OFF);
        return r;
}

int private_socket_start(sd_event *event, BusObjects *objects, const char *path, PrivateSocket **ret) {
        PrivateSocket *ps;
        int fd, r;

        fd = bind_socket(path);
        if (fd < 0)
                return fd;
        ps = calloc(1, sizeof(PrivateSocket));
        if (!ps) {
                (void) close(fd);
                (void) unlink(path);
                return log_oom();
        }
        ps->event = event;
        ps->objects = objects;
        *ret = ps; /* freed by private_socket_stop(), even half set up */
        ps->path = strdup(path);
        if (!ps->path) {
                (void) close(fd);
                (void) unlink(path);
                return log_oom();
        }
        r = add_sources(ps, fd); /* the listener owns fd from here on, even on failure */
        if (r < 0)
                return log_error_errno(r, "Failed to set up the private socket: %m");
        log_debug("Serving peer-to-peer D-Bus on %s.", path);
        return 0;
}

PrivateSocket *private_socket_stop(PrivateSocket *ps) {
        if (!ps)
                return NULL;
        /* No flush: a peer that does not read would keep us here. */
        for (size_t i = 0; i < ps->n_peers; i++)
                sd_bus_close_unref(ps->peers[i].bus);
        free(ps->peers);
        free_dead_peers(ps);
        free(ps->starting);
        sd_event_source_disable_unref(ps->reaper);
        sd_event_source_disable_unref(ps->starter);
        sd_event_source_disable_unref(ps->trim_timer);
        sd_event_source_disable_unref(ps->resume_timer);
        sd_event_source_disable_unref(ps->listener);
        if (ps->path)
                (void) unlink(ps->path);
        free(ps->path);
        free(ps);
        return NULL;
}
