/* SPDX-License-Identifier: MIT */
#pragma once

#include <syslog.h>

#include "macro.h"

/* Logs go to stderr with sd-daemon "<N>" level prefixes, which the journal
 * turns into priorities. Quiet by default (notice): a line at start, one per
 * rescan someone asked for, and warnings and worse. */

void log_set_max_level(int level);
int log_get_max_level(void);
/* Parses "err", "warning", "info", "debug" (or a syslog number). */
int log_level_from_string(const char *s);

/* Returns -abs(error) so callers can "return log_error_errno(r, ...)".
 * %m in the format expands to strerror(error). */
int log_internal(int level, int error, const char *func, const char *format, ...) _printf_(4, 5);

#define log_full_errno(level, error, ...) \
        log_internal((level), (error), __func__, __VA_ARGS__)

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, (e), __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
