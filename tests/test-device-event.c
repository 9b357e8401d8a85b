/* SPDX-License-Identifier: MIT */
/* DeviceEvent derivation: what a change of a published device says, from
 * the old and new records alone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "device-event.h"
#include "strv.h"

typedef struct Events {
        char lines[8][96];
        size_t n;
} Events;

static void record(const DeviceEvent *e, void *userdata) {
        Events *ev = userdata;

        assert_true(ev->n < ELEMENTSOF(ev->lines));
        (void) snprintf(ev->lines[ev->n++], sizeof(ev->lines[0]), "%s %s %s", e->type, e->action, e->device);
}

static void expect(const Device *old, const Device *new, const char *const *want) {
        Events ev = {};
        size_t n = 0;

        device_events_derive(old, new, record, &ev);
        for (; want[n]; n++) {
                assert_true(n < ev.n);
                assert_string_equal(ev.lines[n], want[n]);
        }
        assert_int_equal(ev.n, n);
}

#define EXPECT(old, new, ...) expect((old), (new), (const char *const[]) { __VA_ARGS__ })

static Device *vf(const char *driver, const char *netdev) {
        Device *d = NULL;

        assert_int_equal(device_new("0000:3b:00.2", DEVICE_ROLE_VF, &d), 0);
        d->driver = driver ? strdup(driver) : NULL;
        if (netdev)
                assert_int_equal(strv_consume(&d->netdevs, strdup(netdev)), 0);
        d->mode = device_mode(d->driver, d->netdevs);
        return d;
}

static void test_created_deleted(void **state) {
        _cleanup_(device_freep) Device *a = vf("mlx5_core", "v0");

        EXPECT(NULL, a, "pci created 0000:3b:00.2", "interface created v0", NULL);
        EXPECT(a, NULL, "pci deleted 0000:3b:00.2", NULL);
        EXPECT(NULL, NULL, NULL);
}

static void test_rename(void **state) {
        _cleanup_(device_freep) Device *a = vf("mlx5_core", "v0"), *b = vf("mlx5_core", "ens1f0v0");

        /* One name replaced by another, same driver: one "modified" with the new name. */
        EXPECT(a, b, "interface modified ens1f0v0", NULL);
        EXPECT(a, a, NULL);
}

static void test_rebind(void **state) {
        _cleanup_(device_freep) Device *net = vf("mlx5_core", "v0"), *vfio = vf("vfio-pci", NULL),
                                       *iavf = vf("iavf", "v0new");

        /* Interfaces first: the kernel removes a netdev before it unbinds. */
        EXPECT(net, vfio, "interface deleted v0", "driver modified 0000:3b:00.2", NULL);
        EXPECT(vfio, iavf, "interface created v0new", "driver modified 0000:3b:00.2", NULL);
        /* A new name with a new driver is no rename. */
        EXPECT(net, iavf, "interface deleted v0", "interface created v0new", "driver modified 0000:3b:00.2", NULL);
}

static void test_sriov(void **state) {
        Device *a = NULL, *b = NULL;

        assert_int_equal(device_new("0000:3b:00.0", DEVICE_ROLE_PF, &a), 0);
        assert_int_equal(device_new("0000:3b:00.0", DEVICE_ROLE_PF, &b), 0);
        b->num_vfs = 1;
        EXPECT(a, b, "sriov modified 0000:3b:00.0", NULL);
        b->num_vfs = 0;
        b->drivers_autoprobe = 1;
        EXPECT(a, b, "sriov modified 0000:3b:00.0", NULL);
        b->drivers_autoprobe = 0;
        /* What no event names (NUMA node) says nothing. */
        b->numa_node = 1;
        EXPECT(a, b, NULL);
        device_free(a);
        device_free(b);
}

/* Network facts (issue 15): a VF with its netdev's link and admin configuration. */
static Device *vf_with_link(const char *netdev, int ifindex, uint32_t mtu) {
        Device *d = vf("mlx5_core", netdev);

        d->link_netdev = strdup(netdev);
        d->ifindex = ifindex;
        d->mtu = mtu;
        d->oper_state = "up";
        d->vf_config.link_state = "auto";
        return d;
}

static void test_link(void **state) {
        _cleanup_(device_freep) Device *a = vf_with_link("v0", 5, 1500), *b = vf_with_link("v0", 5, 9000),
                                       *c = vf_with_link("v0", 5, 1500), *moved = vf_with_link("v0", 6, 9000);

        EXPECT(a, b, "link modified v0", NULL);
        c->carrier = true;
        EXPECT(a, c, "link modified v0", NULL);
        c->carrier = false;
        c->oper_state = "down";
        EXPECT(a, c, "link modified v0", NULL);
        c->oper_state = "up";
        c->speed = 25000;
        EXPECT(a, c, "link modified v0", NULL);
        c->speed = a->speed;
        c->hw_address = strdup("52:54:00:00:00:01");
        EXPECT(a, c, "link modified v0", NULL);
        c->hw_address = mfree(c->hw_address);
        EXPECT(a, c, NULL);
        /* Another netdev under the same name (deleted and created again):
         * no link event for what is another interface. */
        EXPECT(a, moved, NULL);
}

static void test_config(void **state) {
        _cleanup_(device_freep) Device *a = vf_with_link("v0", 5, 1500), *b = vf_with_link("v0", 5, 1500);
        VfVlan vlan = { .id = 100, .qos = 0, .proto = 0x88a8 };

        /* The same values: nothing, whatever index the answer had. */
        b->vf_config.index = 3;
        EXPECT(a, b, NULL);
        b->vf_config.max_tx_rate = 1000;
        EXPECT(a, b, "config modified 0000:3b:00.2", NULL);
        b->vf_config.max_tx_rate = 0;
        b->vf_config.vlans = malloc(sizeof(VfVlan));
        memcpy(b->vf_config.vlans, &vlan, sizeof(vlan));
        b->vf_config.n_vlans = 1;
        EXPECT(a, b, "config modified 0000:3b:00.2", NULL);
        b->vf_config.n_vlans = 0;
        b->vf_config.link_state = "disable";
        EXPECT(a, b, "config modified 0000:3b:00.2", NULL);
        b->vf_config.link_state = "auto";
        b->vf_config.mac = strdup("02:00:00:00:00:01");
        EXPECT(a, b, "config modified 0000:3b:00.2", NULL);
        /* With a rebind: after the driver's event. */
        free(b->driver);
        b->driver = strdup("vfio-pci");
        EXPECT(a, b, "driver modified 0000:3b:00.2", "config modified 0000:3b:00.2", NULL);
}

static void set_owner(Device *d, uint32_t pid) {
        d->in_use = pid > 0;
        d->owner_pid = pid;
}

static void test_owner(void **state) {
        _cleanup_(device_freep) Device *free_ = vf("vfio-pci", NULL), *held = vf("vfio-pci", NULL),
                                       *other = vf("vfio-pci", NULL), *renamed = vf("vfio-pci", NULL);

        set_owner(held, 1234);
        set_owner(other, 5678);
        set_owner(renamed, 1234);
        renamed->owner_name = strdup("vm-lab");
        EXPECT(free_, held, "owner created 0000:3b:00.2", NULL);
        EXPECT(held, free_, "owner deleted 0000:3b:00.2", NULL);
        /* Another process: one owner gone, one come. */
        EXPECT(held, other, "owner deleted 0000:3b:00.2", "owner created 0000:3b:00.2", NULL);
        /* The same process, now named by machined: no ownership change. */
        EXPECT(held, renamed, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_created_deleted),
                cmocka_unit_test(test_rename),
                cmocka_unit_test(test_rebind),
                cmocka_unit_test(test_sriov),
                cmocka_unit_test(test_link),
                cmocka_unit_test(test_config),
                cmocka_unit_test(test_owner),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
