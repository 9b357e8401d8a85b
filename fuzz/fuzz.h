/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a finding just like a crash: abort so that libFuzzer
 * saves the input. */
#define fuzz_assert(expr)                                                                    \
        do {                                                                                 \
                if (!(expr)) {                                                               \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                                             \
                }                                                                            \
        } while (0)

/* Splits the input at NUL bytes into up to n C strings, the way a uevent's
 * or a message's fields arrive. Fields the input does not reach are NULL,
 * so that missing ones are tried too. Returns the number of fields present;
 * the strings live in *ret_buf, which the caller frees. */
static inline size_t fuzz_split(const uint8_t *data, size_t size, const char **fields, size_t n, char **ret_buf) {
        char *buf = malloc(size + 1);
        size_t k = 0, start = 0;

        if (!buf)
                abort();
        memcpy(buf, data, size);
        buf[size] = '\0';
        for (size_t i = 0; i < n; i++)
                fields[i] = NULL;
        for (size_t i = 0; i <= size && k < n; i++)
                if (i == size || buf[i] == '\0') {
                        fields[k++] = buf + start;
                        start = i + 1;
                }
        *ret_buf = buf;
        return k;
}
