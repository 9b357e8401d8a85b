/* SPDX-License-Identifier: MIT */
/*
 * tests/hostile-peer.py run as an unprivileged user (nobody, through
 * setpriv) against the daemon's private socket, its stdin and stdout ours:
 * for the tests (tests/test-hostile.c) and make bench (bench/bench-hostile.c).
 */
#pragma once

#include "harness.h"

typedef struct Hostile {
        GPid pid;
        int in, out;
        GString *buf;
} Hostile;

/* Starts `hostile-peer.py MODE SOCKET ARGS...` (as nobody when we are root);
 * args: numbers, space-separated. */
void hostile_start(Hostile *p, Harness *h, const char *mode, const char *args);
/* Its next line of output, within timeout_ms; a silence that long fails. */
char *hostile_line(Hostile *p, unsigned timeout_ms);
/* Whether it has written something not read yet, waiting up to timeout_ms. */
gboolean hostile_has_output(Hostile *p, unsigned timeout_ms);
/* A line to its stdin. */
void hostile_say(Hostile *p);
/* Closes its stdin (it then ends) and asserts it ended with status 0. */
void hostile_finish(Hostile *p);

/* SIGTERM; the daemon must be gone within timeout_ms, with status 0 and its
 * socket removed (a hang is killed and fails). Returns how long it took, in ms. */
double harness_stop_within(Harness *h, unsigned timeout_ms);
