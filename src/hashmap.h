/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A string-keyed hash map. Keys are not copied: each key must stay valid while
 * its entry is in the map (in practice it lives inside the value). */

typedef struct Hashmap Hashmap;

typedef struct HashmapIter {
        size_t bucket;
        void *next;
} HashmapIter;
#define HASHMAP_ITER_INIT ((HashmapIter) {})

Hashmap *hashmap_new(void);
Hashmap *hashmap_free(Hashmap *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Hashmap *, hashmap_free);

/* Inserts or replaces. Returns 0, or -ENOMEM. */
int hashmap_replace(Hashmap *h, const char *key, void *value);
void *hashmap_get(const Hashmap *h, const char *key);
/* Removes the entry and returns its value, or NULL. */
void *hashmap_remove(Hashmap *h, const char *key);
size_t hashmap_size(const Hashmap *h);
/* Iterates in unspecified order; the map must not change meanwhile, except
 * by removing the entry just returned. */
bool hashmap_iterate(const Hashmap *h, HashmapIter *i, void **value, const char **key);

#define HASHMAP_FOREACH(v, h, i) \
        for (HashmapIter i = HASHMAP_ITER_INIT; hashmap_iterate((h), &i, (void **) &(v), NULL);)
