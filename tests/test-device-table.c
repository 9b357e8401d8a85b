/* SPDX-License-Identifier: MIT */
/* The device table: indexes by address and netdev, lookups by every key
 * form, sorting, VF index resolution; and the hash map under it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "device-table.h"
#include "strv.h"

static Device *make(const char *address, DeviceRole role, const char *netdev) {
        Device *d = NULL;

        assert_int_equal(device_new(address, role, &d), 0);
        if (netdev)
                assert_int_equal(strv_consume(&d->netdevs, strdup(netdev)), 0);
        return d;
}

static void put(DeviceTable *t, Device *d) {
        Device *old = NULL;

        assert_int_equal(device_table_put(t, d, &old), 0);
        device_free(old);
}

static void test_find_by_every_key(void **state) {
        DeviceTable *t = NULL;

        assert_int_equal(device_table_new(&t), 0);
        put(t, make("0000:3b:00.0", DEVICE_ROLE_PF, "enp59s0f0np0"));
        put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "enp59s0f0v0"));

        assert_string_equal(device_table_find(t, "0000:3b:00.2")->address, "0000:3b:00.2");
        assert_string_equal(device_table_find(t, "3b:00.2")->address, "0000:3b:00.2");
        assert_string_equal(device_table_find(t, "0000:3B:00.2")->address, "0000:3b:00.2");
        assert_string_equal(device_table_find(t, "enp59s0f0v0")->address, "0000:3b:00.2");
        assert_string_equal(device_table_find(t, "enp59s0f0np0")->address, "0000:3b:00.0");
        assert_null(device_table_find(t, "0000:3b:00.3"));
        assert_null(device_table_find(t, "0001:3b:00.2"));
        assert_null(device_table_find(t, "eth0"));
        assert_null(device_table_find(t, ""));
        device_table_free(t);
}

/* FindDevice's checks come before the lookup: a key a caller sends is never
 * empty and never long, whatever the table holds. */
static void test_find_key(void **state) {
        char long_key[DEVICE_KEY_MAX + 2];
        DeviceTable *t = NULL;
        Device *d = NULL;

        assert_int_equal(device_table_new(&t), 0);
        put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "enp59s0f0v0"));

        assert_int_equal(device_table_find_key(t, "3b:00.2", &d), 0);
        assert_string_equal(d->address, "0000:3b:00.2");
        assert_int_equal(device_table_find_key(t, "enp59s0f0v0", &d), 0);
        assert_string_equal(d->address, "0000:3b:00.2");
        assert_int_equal(device_table_find_key(t, "", &d), -EINVAL);
        assert_int_equal(device_table_find_key(t, NULL, &d), -EINVAL);
        assert_int_equal(device_table_find_key(t, "eth0", &d), -ENODEV);

        memset(long_key, 'a', sizeof(long_key) - 2);
        long_key[sizeof(long_key) - 2] = '\0';
        assert_int_equal(device_table_find_key(t, long_key, &d), -ENODEV);
        long_key[sizeof(long_key) - 2] = 'a';
        long_key[sizeof(long_key) - 1] = '\0';
        assert_int_equal(device_table_find_key(t, long_key, &d), -E2BIG);
        device_table_free(t);
}

static void test_replace_reindexes_netdevs(void **state) {
        DeviceTable *t = NULL;
        Device *old = NULL;

        assert_int_equal(device_table_new(&t), 0);
        put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "eth3"));
        /* Renamed: the new reading replaces the old one. */
        assert_int_equal(device_table_put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "enp59s0f0v0"), &old), 0);
        assert_non_null(old);
        assert_string_equal(old->netdevs[0], "eth3");
        device_free(old);
        assert_null(device_table_find(t, "eth3"));
        assert_non_null(device_table_find(t, "enp59s0f0v0"));
        assert_int_equal(device_table_size(t), 1);

        /* Same name kept across a refresh stays findable. */
        put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "enp59s0f0v0"));
        assert_non_null(device_table_find(t, "enp59s0f0v0"));
        device_table_free(t);
}

static void test_duplicate_netdev_names(void **state) {
        DeviceTable *t = NULL;

        assert_int_equal(device_table_new(&t), 0);
        put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "dup0"));
        put(t, make("0000:3b:00.3", DEVICE_ROLE_VF, "dup0"));
        assert_string_equal(device_table_find(t, "dup0")->address, "0000:3b:00.3");
        /* Removing the device that lost the name must not drop the winner's. */
        device_free(device_table_remove(t, "0000:3b:00.2"));
        assert_string_equal(device_table_find(t, "dup0")->address, "0000:3b:00.3");
        device_free(device_table_remove(t, "0000:3b:00.3"));
        assert_null(device_table_find(t, "dup0"));
        assert_null(device_table_remove(t, "0000:3b:00.3"));
        device_table_free(t);
}

/* Found by fuzzing FindDevice: when the device that claimed a name last
 * dropped it, the name was gone from the index although another published
 * device still listed it. */
static void test_duplicate_netdev_name_outlives_winner(void **state) {
        DeviceTable *t = NULL;

        assert_int_equal(device_table_new(&t), 0);
        put(t, make("0000:3b:00.2", DEVICE_ROLE_VF, "dup0"));
        put(t, make("0000:3b:00.3", DEVICE_ROLE_VF, "dup0"));
        /* The winner is re-read without the name. */
        put(t, make("0000:3b:00.3", DEVICE_ROLE_VF, "eth7"));
        assert_string_equal(device_table_find(t, "dup0")->address, "0000:3b:00.2");
        assert_string_equal(device_table_find(t, "eth7")->address, "0000:3b:00.3");

        /* The winner goes away. */
        put(t, make("0000:3b:00.4", DEVICE_ROLE_VF, "dup0"));
        assert_string_equal(device_table_find(t, "dup0")->address, "0000:3b:00.4");
        device_free(device_table_remove(t, "0000:3b:00.4"));
        assert_string_equal(device_table_find(t, "dup0")->address, "0000:3b:00.2");

        device_free(device_table_remove(t, "0000:3b:00.2"));
        assert_null(device_table_find(t, "dup0"));
        device_table_free(t);
}

static void test_list_sorted(void **state) {
        const char *addresses[] = { "0000:b5:00.0", "0000:3b:00.5", "10000:01:00.0", "0000:3b:00.0",
                                    "0000:5e:02.1", "0000:3b:00.2", "ffff:00:00.0", "0000:5e:00.0" };
        const char *pfs[] = { "0000:3b:00.0", "0000:5e:00.0", "0000:b5:00.0", "ffff:00:00.0", "10000:01:00.0" };
        DeviceTable *t = NULL;
        Device **l = NULL;
        size_t n;

        assert_int_equal(device_table_new(&t), 0);
        for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++) {
                bool pf = strstr(addresses[i], ":00.0") != NULL;
                put(t, make(addresses[i], pf ? DEVICE_ROLE_PF : DEVICE_ROLE_VF, NULL));
        }
        assert_int_equal(device_table_list(t, DEVICE_ROLE_PF, &l, &n), 0);
        assert_int_equal(n, 5);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(l[i]->address, pfs[i]);
        free(l);

        assert_int_equal(device_table_list(t, -1, &l, &n), 0);
        assert_int_equal(n, 8);
        assert_string_equal(l[0]->address, "0000:3b:00.0");
        assert_string_equal(l[1]->address, "0000:3b:00.2");
        assert_string_equal(l[2]->address, "0000:3b:00.5");
        assert_string_equal(l[7]->address, "10000:01:00.0");
        free(l);
        device_table_free(t);
}

static void test_resolve_vf_index(void **state) {
        DeviceTable *t = NULL;
        Device *pf = make("0000:05:00.0", DEVICE_ROLE_PF, NULL);
        Device *vf = make("0000:05:10.4", DEVICE_ROLE_VF, NULL), *orphan = make("0000:06:10.0", DEVICE_ROLE_VF, NULL);

        /* Intel I350 style: offset 0x80, stride 4; the index comes from the link, not arithmetic. */
        pf->vfs = calloc(2, sizeof(VfLink));
        pf->vfs[0] = (VfLink) { .index = 0, .address = strdup("0000:05:10.0") };
        pf->vfs[1] = (VfLink) { .index = 1, .address = strdup("0000:05:10.4") };
        pf->n_vfs = pf->num_vfs = 2;
        vf->pf_address = strdup("0000:05:00.0");
        orphan->pf_address = strdup("0000:06:00.0");

        assert_int_equal(device_table_new(&t), 0);
        put(t, pf);
        put(t, vf);
        put(t, orphan);
        device_table_resolve_vf_index(t, vf);
        assert_int_equal(vf->vf_index, 1);
        device_table_resolve_vf_index(t, orphan);
        assert_int_equal(orphan->vf_index, VF_INDEX_UNKNOWN);
        device_table_free(t);
}

static void test_hashmap_many(void **state) {
        enum { N = 5000 };
        Hashmap *h = hashmap_new();
        char (*keys)[16] = calloc(N, 16);
        size_t seen = 0;
        void *v;

        for (size_t i = 0; i < N; i++) {
                snprintf(keys[i], 16, "k%zu", i);
                assert_int_equal(hashmap_replace(h, keys[i], keys[i]), 0);
        }
        assert_int_equal(hashmap_size(h), N);
        for (size_t i = 0; i < N; i++)
                assert_ptr_equal(hashmap_get(h, keys[i]), keys[i]);
        assert_null(hashmap_get(h, "missing"));

        /* Removing the entry just returned is allowed while iterating. */
        HASHMAP_FOREACH(v, h, i) {
                assert_ptr_equal(hashmap_remove(h, v), v);
                seen++;
        }
        assert_int_equal(seen, N);
        assert_int_equal(hashmap_size(h), 0);
        hashmap_free(h);
        free(keys);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_find_by_every_key),
                cmocka_unit_test(test_find_key),
                cmocka_unit_test(test_replace_reindexes_netdevs),
                cmocka_unit_test(test_duplicate_netdev_names),
                cmocka_unit_test(test_duplicate_netdev_name_outlives_winner),
                cmocka_unit_test(test_list_sorted),
                cmocka_unit_test(test_resolve_vf_index),
                cmocka_unit_test(test_hashmap_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
