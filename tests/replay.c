/* SPDX-License-Identifier: MIT */
/*
 * What a client that follows the daemon's signals has: the table it read
 * first, with every InterfacesAdded, InterfacesRemoved and PropertiesChanged
 * since applied. Tests compare it with the daemon's table: an outcome,
 * whatever the batching (so the machine's speed) made of the events.
 */
#include <string.h>

#include "replay.h"

/* Records every property of an object's a{sa{sv}} as "path iface prop". */
static void remember_properties(GHashTable *last, const char *path, GVariant *ifmap) {
        GVariantIter ifaces, props;
        const char *iface, *prop;
        GVariant *pmap, *v;

        g_variant_iter_init(&ifaces, ifmap);
        while (g_variant_iter_next(&ifaces, "{&s@a{sv}}", &iface, &pmap)) {
                g_variant_iter_init(&props, pmap);
                while (g_variant_iter_next(&props, "{&sv}", &prop, &v))
                        g_hash_table_insert(last, g_strdup_printf("%s %s %s", path, iface, prop), v);
                g_variant_unref(pmap);
        }
}

/* Remembers each published property value, and fails on a PropertiesChanged
 * that repeats the value a client already has. */
void assert_no_redundant_changes(GVariant *initial, Recorder *rec) {
        g_autoptr(GHashTable) last = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) g_variant_unref);
        g_autoptr(GVariant) objects = g_variant_get_child_value(initial, 0);
        GVariantIter objs, props;
        const char *path, *iface, *prop;
        GVariant *ifmap, *pmap, *v;

        g_variant_iter_init(&objs, objects);
        while (g_variant_iter_next(&objs, "{&o@a{sa{sv}}}", &path, &ifmap)) {
                remember_properties(last, path, ifmap);
                g_variant_unref(ifmap);
        }
        for (guint i = 0; i < rec->signals->len; i++) {
                Signal *s = g_ptr_array_index(rec->signals, i);

                if (g_str_equal(s->member, "InterfacesAdded")) {
                        g_variant_get(s->params, "(&o@a{sa{sv}})", &path, &ifmap);
                        remember_properties(last, path, ifmap);
                        g_variant_unref(ifmap);
                } else if (g_str_equal(s->member, "PropertiesChanged") && !g_str_equal(s->path, MANAGER_PATH)) {
                        g_variant_get(s->params, "(&s@a{sv}@as)", &iface, &pmap, NULL);
                        g_variant_iter_init(&props, pmap);
                        while (g_variant_iter_next(&props, "{&sv}", &prop, &v)) {
                                char *key = g_strdup_printf("%s %s %s", s->path, iface, prop);
                                GVariant *prev = g_hash_table_lookup(last, key);

                                if (prev && g_variant_equal(prev, v))
                                        g_error("PropertiesChanged repeats %s", key);
                                g_hash_table_insert(last, key, v);
                        }
                        g_variant_unref(pmap);
                }
        }
}

/* Every property of a{oa{sa{sv}}} objects as "path iface prop" -> value. */
static void flatten_objects(GHashTable *t, GVariant *objects) {
        GVariantIter objs, ifaces, props;
        const char *path, *iface, *prop;
        GVariant *ifmap, *pmap, *v;

        g_variant_iter_init(&objs, objects);
        while (g_variant_iter_next(&objs, "{&o@a{sa{sv}}}", &path, &ifmap)) {
                g_variant_iter_init(&ifaces, ifmap);
                while (g_variant_iter_next(&ifaces, "{&s@a{sv}}", &iface, &pmap)) {
                        g_variant_iter_init(&props, pmap);
                        while (g_variant_iter_next(&props, "{&sv}", &prop, &v))
                                g_hash_table_insert(t, g_strdup_printf("%s %s %s", path, iface, prop), v);
                        g_variant_unref(pmap);
                }
                g_variant_unref(ifmap);
        }
}

static gboolean has_prefix_of(gpointer key, gpointer value, gpointer prefix) {
        return g_str_has_prefix(key, prefix);
}

/* What a client has that read the table (`initial`) and then followed the
 * device signals recorded: objects added and removed, properties changed. */
static GHashTable *replay_signals(GVariant *initial, Recorder *rec) {
        GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
        g_autoptr(GVariant) objects = g_variant_get_child_value(initial, 0);

        flatten_objects(t, objects);
        for (guint i = 0; i < rec->signals->len; i++) {
                Signal *s = g_ptr_array_index(rec->signals, i);

                if (g_str_equal(s->member, "InterfacesAdded")) {
                        g_autoptr(GVariant) path = g_variant_get_child_value(s->params, 0);
                        g_autoptr(GVariant) ifmap = g_variant_get_child_value(s->params, 1);
                        GVariant *entry = g_variant_new_dict_entry(path, ifmap);
                        g_autoptr(GVariant) one = g_variant_ref_sink(g_variant_new_array(NULL, &entry, 1));

                        flatten_objects(t, one);
                } else if (g_str_equal(s->member, "InterfacesRemoved")) {
                        const char *path, *iface;
                        g_autoptr(GVariantIter) it = NULL;

                        g_variant_get(s->params, "(&oas)", &path, &it);
                        while (g_variant_iter_next(it, "&s", &iface)) {
                                g_autofree char *prefix = g_strdup_printf("%s %s ", path, iface);

                                g_hash_table_foreach_remove(t, has_prefix_of, prefix);
                        }
                } else if (g_str_equal(s->member, "PropertiesChanged") && !g_str_equal(s->path, MANAGER_PATH)) {
                        const char *iface, *prop;
                        g_autoptr(GVariantIter) changed = NULL, invalidated = NULL;
                        GVariant *v;

                        g_variant_get(s->params, "(&sa{sv}as)", &iface, &changed, &invalidated);
                        while (g_variant_iter_next(changed, "{&sv}", &prop, &v))
                                g_hash_table_insert(t, g_strdup_printf("%s %s %s", s->path, iface, prop), v);
                        while (g_variant_iter_next(invalidated, "&s", &prop)) {
                                g_autofree char *key = g_strdup_printf("%s %s %s", s->path, iface, prop);

                                g_hash_table_remove(t, key);
                        }
                }
        }
        return t;
}

/* The first difference between two flattened tables, or NULL. */
static char *table_difference(GHashTable *have, GHashTable *want) {
        GHashTableIter it;
        gpointer key, value;

        g_hash_table_iter_init(&it, want);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                GVariant *got = g_hash_table_lookup(have, key);

                if (!got || !g_variant_equal(got, value)) {
                        g_autofree char *a = got ? g_variant_print(got, TRUE) : g_strdup("(nothing)");
                        g_autofree char *b = g_variant_print(value, TRUE);

                        return g_strdup_printf("%s: the signals say %s, the table %s", (char *) key, a, b);
                }
        }
        g_hash_table_iter_init(&it, have);
        while (g_hash_table_iter_next(&it, &key, &value))
                if (!g_hash_table_contains(want, key))
                        return g_strdup_printf("%s: the signals have it, the table does not", (char *) key);
        return NULL;
}

typedef struct {
        Harness *h;
        GVariant *initial;
        Recorder *rec;
        char *difference;
} TableWait;

static gboolean signals_give_table(gpointer p) {
        TableWait *w = p;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) now = harness_call(w->h, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
                                               "GetManagedObjects", NULL, &error);
        g_autoptr(GVariant) objects = NULL;
        g_autoptr(GHashTable) want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) g_variant_unref);
        g_autoptr(GHashTable) have = NULL;

        g_assert_no_error(error);
        objects = g_variant_get_child_value(now, 0);
        /* Every signal sent before that reply is recorded now. */
        recorder_sync(w->rec);
        flatten_objects(want, objects);
        have = replay_signals(w->initial, w->rec);
        g_free(w->difference);
        w->difference = table_difference(have, want);
        return w->difference == NULL;
}

/* A client that read `initial` and followed the signals since has the
 * daemon's table, once the daemon has caught up. */
void assert_signals_give_table(Harness *h, GVariant *initial, Recorder *rec) {
        TableWait w = { h, initial, rec, NULL };

        if (!harness_wait_until(signals_give_table, &w, 10000))
                g_error("the signals do not give the table: %s", w.difference);
        g_free(w.difference);
}
