/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "hashmap.h"

typedef struct Entry {
        struct Entry *next;
        const char *key;
        void *value;
} Entry;

struct Hashmap {
        Entry **buckets;
        size_t n_buckets; /* a power of two */
        size_t n_entries;
};

/* FNV-1a: keys are PCI addresses and interface names from sysfs, short and not
 * chosen by an attacker over the bus, so a keyed hash buys nothing here. */
static size_t hash_string(const char *s) {
        uint64_t h = 1469598103934665603ULL;

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 1099511628211ULL;
        }
        return (size_t) (h ^ (h >> 32));
}

Hashmap *hashmap_new(void) {
        Hashmap *h = calloc(1, sizeof(Hashmap));

        if (!h)
                return NULL;
        h->n_buckets = 16;
        h->buckets = calloc(h->n_buckets, sizeof(Entry *));
        if (!h->buckets) {
                free(h);
                return NULL;
        }
        return h;
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        for (size_t b = 0; b < h->n_buckets; b++)
                for (Entry *e = h->buckets[b], *n; e; e = n) {
                        n = e->next;
                        free(e);
                }
        free(h->buckets);
        free(h);
        return NULL;
}

static Entry **find_slot(const Hashmap *h, const char *key) {
        Entry **p = &h->buckets[hash_string(key) & (h->n_buckets - 1)];

        for (; *p; p = &(*p)->next)
                if (streq((*p)->key, key))
                        break;
        return p;
}

static int grow(Hashmap *h) {
        size_t n = h->n_buckets * 2;
        Entry **b = calloc(n, sizeof(Entry *));

        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_buckets; i++)
                for (Entry *e = h->buckets[i], *next; e; e = next) {
                        size_t k = hash_string(e->key) & (n - 1);

                        next = e->next;
                        e->next = b[k];
                        b[k] = e;
                }
        free(h->buckets);
        h->buckets = b;
        h->n_buckets = n;
        return 0;
}

int hashmap_replace(Hashmap *h, const char *key, void *value) {
        Entry **p = find_slot(h, key), *e;

        if (*p) {
                (*p)->key = key;
                (*p)->value = value;
                return 0;
        }
        if (h->n_entries >= h->n_buckets && grow(h) >= 0)
                p = find_slot(h, key);

        e = malloc(sizeof(Entry));
        if (!e)
                return -ENOMEM;
        *e = (Entry) { .key = key, .value = value };
        *p = e;
        h->n_entries++;
        return 0;
}

void *hashmap_get(const Hashmap *h, const char *key) {
        Entry *e = *find_slot(h, key);

        return e ? e->value : NULL;
}

void *hashmap_remove(Hashmap *h, const char *key) {
        Entry **p = find_slot(h, key), *e = *p;
        void *v;

        if (!e)
                return NULL;
        *p = e->next;
        v = e->value;
        free(e);
        h->n_entries--;
        return v;
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_entries : 0;
}

bool hashmap_iterate(const Hashmap *h, HashmapIter *i, void **value, const char **key) {
        Entry *e = i->next;

        if (!h)
                return false;
        while (!e) {
                if (i->bucket >= h->n_buckets)
                        return false;
                e = h->buckets[i->bucket++];
        }
        /* Remember the successor now, so removing e is safe. */
        i->next = e->next;
        if (value)
                *value = e->value;
        if (key)
                *key = e->key;
        return true;
}
