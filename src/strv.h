/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* NULL-terminated string vectors, owned element by element. */

char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
bool strv_equal(char *const *a, char *const *b);
bool strv_contains(char *const *l, const char *s);
/* Appends s (taking ownership) and returns 0 or -ENOMEM (s is freed then). */
int strv_consume(char ***l, char *s);
/* Appends a formatted string; 0 or -ENOMEM. */
int strv_extendf(char ***l, const char *format, ...) _printf_(2, 3);
/* A formatted string, malloc()ed; NULL: out of memory. */
char *strdupf(const char *format, ...) _printf_(1, 2);
void strv_sort(char **l);
/* Removes (and frees) every entry equal to s, in place; true if any was there. */
bool strv_remove(char **l, const char *s);
