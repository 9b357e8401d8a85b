/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "log.h"
#include "manager.h"
#include "sysfs-parse.h"

typedef struct Options {
        bool session;
        int log_level;
        UeventSourceKind uevent_source;
        uint64_t resync_interval_usec;
        int uevent_buffer_size;
        const char *private_socket;
        /* Fleet (issue 17). */
        const char *metrics_file;
        bool metrics_per_vf;
        const char *features_file;
        uint64_t driverless_grace_usec;
        uint64_t owner_scan_interval_usec;
} Options;

static void help(void) {
        printf("Usage: %s [OPTIONS]\n"
               "\n"
               "Publishes the SR-IOV physical and virtual functions of this host on D-Bus\n"
               "as %s.\n"
               "\n"
               "  -h --help                Show this help and exit\n"
               "     --version             Show the version and exit\n"
               "     --session             Use the session bus instead of the system bus\n"
               "     --uevent-source=SOURCE\n"
               "                           auto (default), udev or kernel\n"
               "     --resync-interval=SECONDS\n"
               "                           Rescan periodically as a safety net (default: 0, off)\n"
               "     --uevent-buffer-size=BYTES\n"
               "                           Receive buffer of the uevent socket (default: 16 MiB)\n"
               "     --owner-scan-interval=SECONDS\n"
               "                           Rescan who holds VFs on VFIO this often while\n"
               "                           any is (default: 10, 0: only on events)\n"
               "     --private-socket=PATH Serve peer-to-peer D-Bus on PATH, or 'none'\n"
               "                           (default: " PRIVATE_SOCKET_DEFAULT ")\n"
               "     --metrics-file=PATH   Keep Prometheus metrics in PATH (node_exporter's\n"
               "                           textfile collector)\n"
               "     --metrics-per-vf      Also a series per VF in the metrics file\n"
               "     --features-file=PATH  Keep Node Feature Discovery features in PATH\n"
               "     --driverless-grace=SECONDS\n"
               "                           A VF without a driver this long is a hazard\n"
               "                           (default: 10; 0: never)\n"
               "     --log-level=LEVEL     err, warning, notice (default), info\n"
               "                           or debug\n"
               "\n"
               "See sriov-monitord(8).\n",
               program_invocation_short_name, BUS_NAME);
}

static int parse_resync_interval(const char *arg, Options *o) {
        uint32_t seconds;

        if (parse_u32(arg, &seconds) < 0 || seconds > 86400 * 7) {
                fprintf(stderr, "%s: invalid resync interval '%s' (seconds, 0 to 604800)\n",
                        program_invocation_short_name, arg);
                return -EINVAL;
        }
        o->resync_interval_usec = (uint64_t) seconds * 1000000ULL;
        return 0;
}

/* An absolute path whose directory exists is checked at the first write,
 * not here: the directory may be mounted later. */
static int parse_file_path(const char *option, const char *arg, const char **ret) {
        if (arg[0] != '/' || arg[strlen(arg) - 1] == '/') {
                fprintf(stderr, "%s: --%s needs an absolute file path: '%s'\n", program_invocation_short_name,
                        option, arg);
                return -EINVAL;
        }
        *ret = arg;
        return 0;
}

static int parse_grace(const char *arg, Options *o) {
        uint32_t seconds;

        if (parse_u32(arg, &seconds) < 0 || seconds > 86400) {
                fprintf(stderr, "%s: invalid driverless grace '%s' (seconds, 0 to 86400)\n",
                        program_invocation_short_name, arg);
                return -EINVAL;
        }
        o->driverless_grace_usec = (uint64_t) seconds * 1000000ULL;
        return 0;
}

static int parse_owner_scan_interval(const char *arg, Options *o) {
        uint32_t seconds;

        if (parse_u32(arg, &seconds) < 0 || seconds > 86400) {
                fprintf(stderr, "%s: invalid owner scan interval '%s' (seconds, 0 to 86400)\n",
                        program_invocation_short_name, arg);
                return -EINVAL;
        }
        o->owner_scan_interval_usec = (uint64_t) seconds * 1000000ULL;
        return 0;
}

static int parse_buffer_size(const char *arg, Options *o) {
        uint32_t bytes;

        if (parse_u32(arg, &bytes) < 0 || bytes < 1024 || bytes > INT32_MAX) {
                fprintf(stderr, "%s: invalid buffer size '%s' (bytes, at least 1024)\n",
                        program_invocation_short_name, arg);
                return -EINVAL;
        }
        o->uevent_buffer_size = (int) bytes;
        return 0;
}

/* Returns 1 to run, 0 to exit successfully, -EINVAL on a usage error (already reported). */
static int parse_argv(int argc, char *argv[], Options *o) {
        enum { ARG_VERSION = 0x100, ARG_SESSION, ARG_LOG_LEVEL, ARG_UEVENT_SOURCE, ARG_RESYNC_INTERVAL,
               ARG_UEVENT_BUFFER_SIZE, ARG_PRIVATE_SOCKET, ARG_METRICS_FILE, ARG_METRICS_PER_VF, ARG_FEATURES_FILE,
               ARG_DRIVERLESS_GRACE, ARG_OWNER_SCAN_INTERVAL };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "session", no_argument, NULL, ARG_SESSION },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "uevent-source", required_argument, NULL, ARG_UEVENT_SOURCE },
                { "resync-interval", required_argument, NULL, ARG_RESYNC_INTERVAL },
                { "uevent-buffer-size", required_argument, NULL, ARG_UEVENT_BUFFER_SIZE },
                { "private-socket", required_argument, NULL, ARG_PRIVATE_SOCKET },
                { "metrics-file", required_argument, NULL, ARG_METRICS_FILE },
                { "metrics-per-vf", no_argument, NULL, ARG_METRICS_PER_VF },
                { "features-file", required_argument, NULL, ARG_FEATURES_FILE },
                { "driverless-grace", required_argument, NULL, ARG_DRIVERLESS_GRACE },
                { "owner-scan-interval", required_argument, NULL, ARG_OWNER_SCAN_INTERVAL },
                {}
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("sriov-monitord %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_SESSION:
                        o->session = true;
                        break;
                case ARG_LOG_LEVEL:
                        o->log_level = log_level_from_string(optarg);
                        if (o->log_level < 0 || o->log_level > LOG_DEBUG) {
                                fprintf(stderr, "%s: invalid log level '%s' (err, warning, info, debug)\n",
                                        program_invocation_short_name, optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_UEVENT_SOURCE:
                        if (uevent_source_kind_from_string(optarg, &o->uevent_source) < 0) {
                                fprintf(stderr, "%s: invalid uevent source '%s' (auto, udev, kernel)\n",
                                        program_invocation_short_name, optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_RESYNC_INTERVAL:
                        if (parse_resync_interval(optarg, o) < 0)
                                return -EINVAL;
                        break;
                case ARG_UEVENT_BUFFER_SIZE:
                        if (parse_buffer_size(optarg, o) < 0)
                                return -EINVAL;
                        break;
                case ARG_PRIVATE_SOCKET:
                        if (streq(optarg, "none"))
                                o->private_socket = NULL;
                        else if (optarg[0] != '/') {
                                fprintf(stderr, "%s: the private socket must be an absolute path or 'none': '%s'\n",
                                        program_invocation_short_name, optarg);
                                return -EINVAL;
                        } else
                                o->private_socket = optarg;
                        break;
                case ARG_METRICS_FILE:
                        if (parse_file_path("metrics-file", optarg, &o->metrics_file) < 0)
                                return -EINVAL;
                        break;
                case ARG_METRICS_PER_VF:
                        o->metrics_per_vf = true;
                        break;
                case ARG_FEATURES_FILE:
                        if (parse_file_path("features-file", optarg, &o->features_file) < 0)
                                return -EINVAL;
                        break;
                case ARG_DRIVERLESS_GRACE:
                        if (parse_grace(optarg, o) < 0)
                                return -EINVAL;
                        break;
                case ARG_OWNER_SCAN_INTERVAL:
                        if (parse_owner_scan_interval(optarg, o) < 0)
                                return -EINVAL;
                        break;
                case ':':
                        fprintf(stderr, "%s: option '%s' needs a value\n", program_invocation_short_name,
                                argv[optind - 1]);
                        return -EINVAL;
                default:
                        fprintf(stderr, "%s: unknown option '%s' (see --help)\n", program_invocation_short_name,
                                argv[optind - 1]);
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "%s: unexpected argument '%s'\n", program_invocation_short_name, argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        log_info("Received %s, exiting.", si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
        (void) sd_notify(false, "STOPPING=1");
        return sd_event_exit(m->event, 0);
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        log_debug("Received SIGHUP, rescanning.");
        marks_resync(m->marks, "SIGHUP");
        return 0;
}

static int run(int argc, char *argv[]) {
        Options o = {
                .log_level = LOG_NOTICE,
                .private_socket = PRIVATE_SOCKET_DEFAULT,
                .driverless_grace_usec = DRIVERLESS_GRACE_USEC_DEFAULT,
                .owner_scan_interval_usec = OWNER_SCAN_INTERVAL_USEC,
        };
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t mask;
        int r;

        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        log_set_max_level(o.log_level);

        /* Signals are delivered through the loop: block them first. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m"), 1;

        r = manager_new(&m);
        if (r < 0)
                return 1;
        m->use_session_bus = o.session;
        m->uevent_source = o.uevent_source;
        m->resync_interval_usec = o.resync_interval_usec;
        m->uevent_buffer_size = o.uevent_buffer_size;
        m->private_socket = o.private_socket;
        m->metrics_file = o.metrics_file;
        m->metrics_per_vf = o.metrics_per_vf;
        m->features_file = o.features_file;
        m->driverless_grace_usec = o.driverless_grace_usec;
        m->owner_scan_interval_usec = o.owner_scan_interval_usec;

        r = sd_event_add_signal(m->event, NULL, SIGTERM, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGHUP, on_reload, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up signal handling: %m"), 1;

        r = manager_start(m);
        if (r < 0)
                return 1;

        (void) sd_notify(false, "READY=1\nSTATUS=Monitoring SR-IOV devices.");
        /* The loop's exit code: 0 from our signal handlers, EXIT_FAILURE from
         * sd-bus when the bus connection is lost. */
        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m"), 1;
        if (r != 0)
                return log_error("Lost the connection to the bus."), 1;
        return 0;
}

int main(int argc, char *argv[]) {
        return run(argc, argv);
}
