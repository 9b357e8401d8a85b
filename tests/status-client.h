/* SPDX-License-Identifier: MIT */
/*
 * Running sriov-status, the shell client, against the daemon of a test
 * harness: one-shot runs, and --watch in the background with its output read
 * line by line under generous deadlines. Shared by test-status and
 * test-status-watch.
 */
#pragma once

#include "harness.h"

#define WATCH_TIMEOUT_MS 60000
#define CX6_PF "0000:3b:00.0"
#define CX6_VF0 "0000:3b:00.2"
#define CX6_VF1 "0000:3b:00.3"
#define E810_PF "0000:5e:00.0"

/* The simulator's demo host (4 PFs, 8 VFs) and the daemon on it. */
Harness *start_demo(void);

/* Runs sriov-status with args (NULL-terminated); its exit status. */
int status(Harness *h, const char *const *args, char **out, char **err);
/* Fails the test unless sriov-status exits with `code`, printing nothing on
 * stdout and one line "sriov-status: ..." (containing message_part) on
 * stderr. */
void assert_fails(Harness *h, const char *const *args, int code, const char *message_part);

/* The table's cells (columns are separated by two or more spaces). */
char **row_fields(const char *line);
/* The index of the first line starting with prefix, or -1. */
int find_line(char **lines, const char *prefix);
/* Whether jq's boolean expression holds on a JSON text. */
gboolean jq_holds(Harness *h, const char *json, const char *expr);

typedef struct Watch {
        Harness *h;
        GPid pid; /* also its process group: dbus-monitor and jq are in it */
        int out_fd, err_fd;
        GString *out_buf;
        GPtrArray *lines; /* complete lines of stdout, without '\n' */
        GString *err;
        gboolean exited;
        int status;
        unsigned pokes;
} Watch;

/* sriov-status with args in the background, as root, or (as_nobody) as
 * uid/gid 65534 through setpriv(1). */
Watch *watch_start(Harness *h, const char *const *args);
Watch *watch_start_as(Harness *h, gboolean as_nobody, const char *const *args);
/* Any program, read the same way. */
Watch *watch_spawn(Harness *h, const char *const *argv);
void watch_free(Watch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Watch, watch_free)

/* Reads whatever the watch printed until `deadline` (monotonic µs) or until
 * something was read; returns whether something was. */
gboolean watch_pump(Watch *w, gint64 deadline);
/* Whether a watch line (text or JSON) is the event (type, action, device):
 * for text, the DEVICE column, which for a rename is the old name. */
gboolean line_is(const char *line, const char *type, const char *action, const char *device);
int watch_find(Watch *w, guint from, const char *type, const char *action, const char *device);
char *watch_output(Watch *w);
/* Waits for the event at or after line `from`; returns its line index. */
int watch_wait_event(Watch *w, guint from, const char *type, const char *action, const char *device);

/* Changes the watch should report: E810_PF's sriov_drivers_autoprobe
 * toggled; CX6_VF1's netdev renamed (vf1prime0, vf1prime1, ...). */
void poke_autoprobe(Watch *w);
void poke_rename(Watch *w);
/* Makes changes with poke until one is reported (the watch says nothing
 * when it listens); returns the number of lines seen so far. */
guint watch_wait_listening(Watch *w, void (*poke)(Watch *w));

/* Sends sig to the script (or its process group), waits for its exit and
 * the end of its output, asserts its children are gone; the wait status. */
int watch_stop(Watch *w, int sig, gboolean group);
/* Waits for the script to exit on its own; its exit status. */
int watch_wait_exit(Watch *w);
/* Exit 0, nothing on stderr, no partial line. */
void assert_clean_exit(Watch *w, int status);
