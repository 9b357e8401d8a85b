/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

char **strv_free(char **l) {
        if (!l)
                return NULL;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
        return NULL;
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_equal(char *const *a, char *const *b) {
        size_t na = strv_length(a), nb = strv_length(b);

        if (na != nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

bool strv_contains(char *const *l, const char *s) {
        if (l)
                for (; *l; l++)
                        if (streq(*l, s))
                                return true;
        return false;
}

int strv_consume(char ***l, char *s) {
        size_t n = strv_length(*l);
        char **t;

        t = reallocarray(*l, n + 2, sizeof(char *));
        if (!t) {
                free(s);
                return -ENOMEM;
        }
        t[n] = s;
        t[n + 1] = NULL;
        *l = t;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void strv_sort(char **l) {
        size_t n = strv_length(l);

        if (n > 1)
                qsort(l, n, sizeof(char *), cmp_str);
}

bool strv_remove(char **l, const char *s) {
        size_t k = 0;
        bool found = false;

        if (!l)
                return false;
        for (size_t i = 0; l[i]; i++)
                if (streq(l[i], s)) {
                        free(l[i]);
                        found = true;
                } else
                        l[k++] = l[i];
        l[k] = NULL;
        return found;
}

static char *vstrdupf(const char *format, va_list ap) {
        char *s = NULL;

        return vasprintf(&s, format, ap) < 0 ? NULL : s;
}

char *strdupf(const char *format, ...) {
        va_list ap;
        char *s;

        va_start(ap, format);
        s = vstrdupf(format, ap);
        va_end(ap);
        return s;
}

int strv_extendf(char ***l, const char *format, ...) {
        va_list ap;
        char *s;

        va_start(ap, format);
        s = vstrdupf(format, ap);
        va_end(ap);
        return s ? strv_consume(l, s) : -ENOMEM;
}
