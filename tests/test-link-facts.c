/* SPDX-License-Identifier: MIT */
/*
 * Network facts live from rtnetlink (issue 15), with real RTM_NEWLINK: in
 * a private network namespace, veth links get the names of the simulated
 * VF's and PF's netdevs, and their link state, MTU, address and carrier
 * drive the published values. The daemon runs under umockdev's preload for
 * its sysfs and uevents; its rtnetlink sockets are the kernel's (umockdev
 * wraps only NETLINK_KOBJECT_UEVENT sockets, which this test proves).
 *
 * The VFs' admin configuration (IFLA_VFINFO_LIST) needs a real SR-IOV
 * driver: the parser's tests (test-rtnl-parse), the batch's
 * (test-batch-config) and make check-vm (igb) cover it. Here a veth PF
 * answers without VF info, which is the "unreadable" case.
 */
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "live-checks.h"
#include "status-client.h"

/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 10000

#define PF "0000:3b:00.0"
#define PF_NETDEV "enp59s0f0np0"
#define VF "0000:3b:00.2"
#define VF_NETDEV "enp59s0f0v0"
#define VF_PEER "lfpeer0"

static gboolean in_private_netns(void) {
        if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
                g_test_skip("needs root: veth links in a private network namespace (unshare -n)");
                return FALSE;
        }
        if (!live_run_ip("link add " VF_NETDEV " address 52:54:00:aa:00:01 type veth peer name " VF_PEER) ||
            !live_run_ip("link add " PF_NETDEV " address 52:54:00:aa:00:10 type veth peer name lfpeer1")) {
                g_test_skip("cannot create veth pairs");
                return FALSE;
        }
        return TRUE;
}

static void wait_link_event(Recorder *rec, guint from, const char *netdev) {
        for (int i = 0; i < 2; i++) {
                recorder_sync(rec);
                if (find_event(rec, from, "link", "modified", netdev) >= 0)
                        return;
        }
        g_assert_cmpint(find_event(rec, from, "link", "modified", netdev), >=, 0);
}

/* The VF's netdev: what start-up's dump says, then each change as the
 * kernel notifies it: MTU, address, up with carrier, carrier lost, gone. */
static void test_vf_link(void) {
        g_autoptr(Harness) h = NULL;
        g_autoptr(Recorder) rec = NULL;
        guint from;

        if (!in_private_netns())
                return;
        h = live_start_demo();
        wait_prop(h, VF, DEVICE_IFACE, "HwAddress", g_variant_new_string("52:54:00:aa:00:01"));
        wait_prop(h, VF, DEVICE_IFACE, "OperState", g_variant_new_string("down"));
        wait_prop(h, VF, DEVICE_IFACE, "Carrier", g_variant_new_boolean(FALSE));
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(1500));
        /* The testbed's sysfs has no speed for it. */
        wait_prop(h, VF, DEVICE_IFACE, "Speed", g_variant_new_int32(-1));
        /* A VF whose netdev is not in this namespace has none of them. */
        wait_prop(h, "0000:3b:00.3", DEVICE_IFACE, "HwAddress", g_variant_new_string(""));
        wait_prop(h, "0000:3b:00.3", DEVICE_IFACE, "Mtu", g_variant_new_uint32(0));
        rec = recorder_new(h);

        from = rec->signals->len;
        g_assert_true(live_run_ip("link set " VF_NETDEV " mtu 9000"));
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(9000));
        wait_link_event(rec, from, VF_NETDEV);

        g_assert_true(live_run_ip("link set " VF_NETDEV " address 52:54:00:aa:00:02"));
        wait_prop(h, VF, DEVICE_IFACE, "HwAddress", g_variant_new_string("52:54:00:aa:00:02"));

        from = rec->signals->len;
        g_assert_true(live_run_ip("link set " VF_PEER " up"));
        g_assert_true(live_run_ip("link set " VF_NETDEV " up"));
        wait_prop(h, VF, DEVICE_IFACE, "Carrier", g_variant_new_boolean(TRUE));
        wait_prop(h, VF, DEVICE_IFACE, "OperState", g_variant_new_string("up"));
        wait_link_event(rec, from, VF_NETDEV);

        /* The peer down: no carrier; a veth's link is then "lower layer down". */
        g_assert_true(live_run_ip("link set " VF_PEER " down"));
        wait_prop(h, VF, DEVICE_IFACE, "Carrier", g_variant_new_boolean(FALSE));
        wait_prop(h, VF, DEVICE_IFACE, "OperState", g_variant_new_string("lowerlayerdown"));

        /* Another netdev of the host changes: nothing about our devices. */
        recorder_sync(rec);
        from = rec->signals->len;
        g_assert_true(live_run_ip("link set lfpeer1 mtu 1400"));
        g_assert_true(live_run_ip("link set " VF_NETDEV " mtu 1280"));
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(1280));
        recorder_sync(rec);
        g_assert_cmpint(find_event(rec, from, "link", "modified", "lfpeer1"), <, 0);
        g_assert_cmpint(find_event(rec, from, "link", "modified", PF_NETDEV), <, 0);

        /* The link goes (its sysfs entry in the testbed stays): the defaults. */
        g_assert_true(live_run_ip("link del " VF_NETDEV));
        wait_prop(h, VF, DEVICE_IFACE, "HwAddress", g_variant_new_string(""));
        wait_prop(h, VF, DEVICE_IFACE, "OperState", g_variant_new_string(""));
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(0));
        assert_matches_fresh_start(h);
}

/* A link set down whose driver leaves its carrier bit on (an ifb; igb when
 * its link watchdog sets it again after the close): RTM_NEWLINK still says
 * IFLA_CARRIER 1, while sysfs "carrier" fails with EINVAL and `ip link` has
 * no LOWER_UP. Carrier is false, as the VM lab's check (sysfs) says. */
static void test_down_link_carrier(void) {
        g_autoptr(Harness) h = NULL;

        if (!in_private_netns())
                return;
        if (!live_run_ip("link del " VF_NETDEV) || !live_run_ip("link add " VF_NETDEV " type ifb")) {
                g_test_skip("cannot create an ifb link");
                return;
        }
        h = live_start_demo();
        wait_prop(h, VF, DEVICE_IFACE, "OperState", g_variant_new_string("down"));
        wait_prop(h, VF, DEVICE_IFACE, "Carrier", g_variant_new_boolean(FALSE));

        g_assert_true(live_run_ip("link set " VF_NETDEV " up"));
        wait_prop(h, VF, DEVICE_IFACE, "Carrier", g_variant_new_boolean(TRUE));
        g_assert_true(live_run_ip("link set " VF_NETDEV " down"));
        wait_prop(h, VF, DEVICE_IFACE, "OperState", g_variant_new_string("down"));
        wait_prop(h, VF, DEVICE_IFACE, "Carrier", g_variant_new_boolean(FALSE));
        assert_matches_fresh_start(h);
}

/* The PF's netdev: its link facts, and its VF query, which a veth answers
 * without any VF info: VfConfigComplete false, the VFs' defaults. */
static void test_pf_link(void) {
        g_autoptr(Harness) h = NULL;
        g_autoptr(Recorder) rec = NULL;
        guint from;

        if (!in_private_netns())
                return;
        h = live_start_demo();
        wait_prop(h, PF, DEVICE_IFACE, "HwAddress", g_variant_new_string("52:54:00:aa:00:10"));
        wait_prop(h, PF, PF_IFACE, "VfConfigComplete", g_variant_new_boolean(FALSE));
        wait_prop(h, VF, VF_IFACE, "AdminMac", g_variant_new_string(""));
        wait_prop(h, VF, VF_IFACE, "LinkState", g_variant_new_string(""));
        /* A PF whose netdev is not in this namespace cannot be asked either;
         * one with no VF misses none. */
        wait_prop(h, "0000:b5:00.0", PF_IFACE, "VfConfigComplete", g_variant_new_boolean(FALSE));
        wait_prop(h, "0000:af:00.0", PF_IFACE, "VfConfigComplete", g_variant_new_boolean(TRUE));
        rec = recorder_new(h);

        from = rec->signals->len;
        g_assert_true(live_run_ip("link set " PF_NETDEV " mtu 2000"));
        wait_prop(h, PF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(2000));
        wait_link_event(rec, from, PF_NETDEV);
        /* Its VFs were asked for again: still nothing to say, no event. */
        recorder_sync(rec);
        g_assert_cmpint(count_events(rec, "config", "modified"), ==, 0);

        /* Refresh asks every PF again and finds nothing new. */
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) r = harness_call(h, MANAGER_PATH, MANAGER_IFACE, "Refresh", NULL, &error);
        g_assert_no_error(error);
        recorder_sync(rec);
        g_assert_cmpint(count_events(rec, "config", "modified"), ==, 0);
        assert_matches_fresh_start(h);
}

/* sriov-status --watch says what changed on the link, as any client sees it. */
static void test_watch(void) {
        g_autoptr(Harness) h = NULL;
        g_autoptr(Watch) w = NULL;
        guint mark;
        int i;

        if (!in_private_netns())
                return;
        h = live_start_demo();
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(1500));
        w = watch_start(h, (const char *[]) { "--watch", NULL });
        mark = watch_wait_listening(w, poke_autoprobe);
        g_assert_true(live_run_ip("link set " VF_NETDEV " mtu 9000"));
        i = watch_wait_event(w, mark, "link", "modified", VF_NETDEV);
        g_assert_true(g_str_has_suffix(g_ptr_array_index(w->lines, i),
                                       "  link       modified  " VF_NETDEV "  mtu 1500 -> 9000  on " VF));
        assert_clean_exit(w, watch_stop(w, SIGTERM, FALSE));
}

static gboolean log_says_overrun(gpointer data) {
        g_autofree char *log = harness_daemon_log(data);

        return strstr(log, "rtnetlink receive buffer overrun") != NULL;
}

/* Notifications lost (ENOBUFS: the daemon stopped while thousands of link
 * changes came) make the daemon resync: the change whose notification was
 * dropped is published all the same. */
static void test_overrun(void) {
        g_autoptr(Harness) h = NULL;
        g_autofree char *batch = NULL;
        g_autoptr(GString) lines = g_string_new(NULL);
        g_autoptr(GError) error = NULL;

        if (!in_private_netns())
                return;
        h = harness_new();
        sim_build_demo_host(h->sim);
        h->capture_log = TRUE;
        harness_start_daemon(h, NULL);
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(1500));

        /* ~1 KiB per notification: 40,000 of them overrun the 4 MiB (8 MiB
         * as the kernel counts) receive buffer. */
        for (int i = 0; i < 20000; i++)
                g_string_append_printf(lines, "link set lfpeer1 mtu %d\n", 1400 + i % 2);
        g_string_append(lines, "link set " VF_NETDEV " mtu 9000\n");
        batch = g_build_filename(g_get_tmp_dir(), "link-facts-batch.XXXXXX", NULL);
        {
                int fd = g_mkstemp(batch);

                g_assert_cmpint(fd, >=, 0);
                g_assert_true(g_file_set_contents(batch, lines->str, (gssize) lines->len, &error));
                close(fd);
        }
        g_assert_cmpint(kill(h->daemon_pid, SIGSTOP), ==, 0);
        {
                g_autofree char *args = g_strdup_printf("-batch %s", batch);
                gboolean ran = live_run_ip(args);

                g_assert_cmpint(kill(h->daemon_pid, SIGCONT), ==, 0);
                (void) unlink(batch);
                g_assert_true(ran);
        }
        wait_prop(h, VF, DEVICE_IFACE, "Mtu", g_variant_new_uint32(9000));
        g_assert_true(harness_wait_until(log_says_overrun, h, WAIT_MS));
        assert_matches_fresh_start(h);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/link-facts/vf-link", test_vf_link);
        g_test_add_func("/link-facts/down-link-carrier", test_down_link_carrier);
        g_test_add_func("/link-facts/pf-link", test_pf_link);
        g_test_add_func("/link-facts/watch", test_watch);
        g_test_add_func("/link-facts/overrun", test_overrun);
        return g_test_run();
}
