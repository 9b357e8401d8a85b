/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Writes a whole file so that a reader sees either the old content or the
 * new, never half of it: a hidden temporary file in the same directory
 * (".NAME.XXXXXX", which neither node_exporter's textfile collector, which
 * reads *.prom, nor NFD's local source, which skips dot files, picks up),
 * mode 0644, renamed over path. Returns 0 or a negative errno; on failure
 * the temporary file is gone and path unchanged. */
int write_file_atomic(const char *path, const char *text, size_t len);
