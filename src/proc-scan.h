/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Which processes hold character devices open, by device number: every
 * /proc/PID/fd/N is stat()ed (following the link to the open file, without
 * opening anything) and its st_rdev compared. Never by path or inode: a VM
 * run by libvirt opens its own /dev nodes in its own mount namespace. */

typedef struct ProcScanWant {
        dev_t rdev;         /* a character device number, never 0 */
        pid_t pid;          /* out: the lowest pid that holds it, 0 none */
} ProcScanWant;

typedef struct ProcScanStats {
        unsigned processes; /* /proc/PID directories looked at */
        unsigned fds;       /* descriptors stat()ed */
} ProcScanStats;

/* Fills each want's pid. `proc` is "/proc" (another root in tests). Processes
 * that vanish or deny access are skipped; `self` (the caller) too. Returns 0,
 * or -errno when `proc` cannot be listed. `stats` may be NULL. */
int proc_scan(const char *proc, pid_t self, ProcScanWant *wants, size_t n, ProcScanStats *stats);
