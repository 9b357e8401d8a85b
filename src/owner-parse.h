/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* What names the process that holds a VF, from its /proc files (outside
 * data: any bytes). Pure; fuzzed (fuzz-owner-parse). */

/* QEMU's guest name from /proc/PID/cmdline (NUL-separated arguments, the
 * last one maybe unterminated): the value of "-name" or "--name", either
 * "guest=NAME[,opt=...]" (libvirt's form) or "NAME[,opt=...]", with QEMU's
 * ",," for a literal comma. 1 with *ret (malloc'ed, valid UTF-8, not empty)
 * when there is one, 0 when not, -ENOMEM. */
int owner_name_from_cmdline(const char *buf, size_t len, char **ret);

/* The process name from /proc/PID/comm ("qemu-system-x86\n"): 1 with *ret
 * (malloc'ed, valid UTF-8 or with each bad byte as '?', not empty), 0 when
 * empty, -ENOMEM. */
int owner_name_from_comm(const char *buf, size_t len, char **ret);
