/* SPDX-License-Identifier: MIT */
/*
 * The journal entries of the running daemon, end to end: the daemon runs in
 * a mount namespace where /run/systemd is a directory of the test's, whose
 * journal/socket the test reads (sd_journal_sendv's datagrams), with
 * JOURNAL_STREAM naming its stderr as systemd does for a unit. The real
 * journald and the catalog are checked in make check-vm.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

#define CX6_PF "0000:3b:00.0"
/* For an outcome; harness_wait_until() scales it for slow machines. */
#define WAIT_MS 20000

typedef struct Journal {
        Harness *h;
        char *dir, *sockdir;
        struct sockaddr_un sa;
        int fd;
        GPtrArray *entries;     /* of char *: "KEY=value\n..." */
} Journal;

static gboolean journal_has(gpointer p) {
        Journal *j = p;
        char buf[65536];
        ssize_t n;

        while ((n = recv(j->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
                buf[n] = '\0';
                g_ptr_array_add(j->entries, g_strdup(buf));
        }
        return FALSE;
}

/* The entry with all these fields ("KEY=value"), or NULL. */
static const char *journal_find(Journal *j, const char *const *fields) {
        for (guint i = 0; i < j->entries->len; i++) {
                g_autofree char *e = g_strconcat("\n", (char *) g_ptr_array_index(j->entries, i), NULL);
                gboolean all = TRUE;

                for (const char *const *f = fields; *f && all; f++) {
                        g_autofree char *needle = g_strconcat("\n", *f, "\n", NULL);
                        all = strstr(e, needle) != NULL;
                }
                if (all)
                        return g_ptr_array_index(j->entries, i);
        }
        return NULL;
}

typedef struct EntryWait {
        Journal *j;
        const char *const *fields;
} EntryWait;

static gboolean entry_there(gpointer p) {
        EntryWait *w = p;

        journal_has(w->j);
        return journal_find(w->j, w->fields) != NULL;
}

static void wait_entry(Journal *j, const char *const *fields) {
        EntryWait w = { j, fields };

        if (!harness_wait_until(entry_there, &w, WAIT_MS)) {
                for (guint i = 0; i < j->entries->len; i++)
                        g_printerr("entry %u:\n%s\n", i, (char *) g_ptr_array_index(j->entries, i));
                g_error("no journal entry with %s, %s ...", fields[0], fields[1]);
        }
}

/* A journal socket of the test's, and a demo host whose daemon (started by
 * journal_start()) logs there. NULL (the test skipped) without root,
 * unshare or /run/systemd. */
static Journal *journal_new(void) {
        Journal *j;

        const char *probe[] = { "unshare", "-m", "--propagation", "private", "true", NULL };
        int status = -1;

        if (geteuid() != 0 || !g_file_test("/usr/bin/unshare", G_FILE_TEST_IS_EXECUTABLE) ||
            !g_file_test("/run/systemd", G_FILE_TEST_IS_DIR)) {
                g_test_skip("needs root, unshare and /run/systemd (a mount namespace over it)");
                return NULL;
        }
        /* In a chroot whose / is no mount point (a fresh-machine check, some
         * CI runners) the mount namespace cannot be made private, and a bind
         * mount over /run/systemd would show outside it: skip there. The
         * real journal is checked in the VM lab (make check-vm). */
        if (!g_spawn_sync(NULL, (char **) probe, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                          NULL, NULL, NULL, &status, NULL) ||
            !g_spawn_check_wait_status(status, NULL)) {
                g_test_skip("unshare -m --propagation private fails here (a chroot whose / is not a mount "
                            "point?); the real journal is checked by make check-vm");
                return NULL;
        }
        j = g_new0(Journal, 1);
        j->dir = g_dir_make_tmp("sriov-journal-XXXXXX", NULL);
        j->sockdir = g_build_filename(j->dir, "journal", NULL);
        g_assert_cmpint(mkdir(j->sockdir, 0755), ==, 0);
        j->sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        (void) snprintf(j->sa.sun_path, sizeof(j->sa.sun_path), "%s/socket", j->sockdir);
        j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(j->fd, >=, 0);
        g_assert_cmpint(bind(j->fd, (struct sockaddr *) &j->sa, sizeof(j->sa)), ==, 0);
        j->entries = g_ptr_array_new_with_free_func(g_free);
        j->h = harness_new();
        sim_build_demo_host(j->h->sim);
        return j;
}

/* Starts the daemon with stderr a file that JOURNAL_STREAM names, in a
 * mount namespace whose /run/systemd is the test's directory. */
static void journal_start(Journal *j) {
        g_autofree char *wrapper = NULL, *stream = NULL, *old_wrapper = NULL;
        struct stat st;

        j->h->capture_log = TRUE;
        g_assert_true(g_file_set_contents(j->h->daemon_log, "", 0, NULL));
        g_assert_cmpint(stat(j->h->daemon_log, &st), ==, 0);
        stream = g_strdup_printf("%ju:%ju", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino);
        old_wrapper = g_strdup(g_getenv("SRIOV_MONITORD_WRAPPER"));
        /* unshare and sh exec: the daemon keeps the PID the harness knows. */
        wrapper = g_strdup_printf("unshare -m --propagation private sh -c 'mount --bind %s /run/systemd && exec \"$@\"' "
                                  "sh %s", j->dir, old_wrapper ?: "");
        g_setenv("SRIOV_MONITORD_WRAPPER", wrapper, TRUE);
        g_setenv("JOURNAL_STREAM", stream, TRUE);
        harness_start_daemon(j->h, NULL);
        g_unsetenv("JOURNAL_STREAM");
        if (old_wrapper)
                g_setenv("SRIOV_MONITORD_WRAPPER", old_wrapper, TRUE);
        else
                g_unsetenv("SRIOV_MONITORD_WRAPPER");
}

static void journal_free(Journal *j) {
        harness_free(j->h);
        (void) close(j->fd);
        (void) unlink(j->sa.sun_path);
        (void) rmdir(j->sockdir);
        (void) rmdir(j->dir);
        g_ptr_array_unref(j->entries);
        g_free(j->sockdir);
        g_free(j->dir);
        g_free(j);
}

static void test_device_events(void) {
        Journal *j = journal_new();
        g_autofree char *log = NULL;
        Harness *h;
        const char *vf0;

        if (!j)
                return;
        journal_start(j);
        h = j->h;
        vf0 = sim_vf_address(h->sim, CX6_PF, 0);
        sim_rebind_vf(h->sim, vf0, SIM_VF_VFIO, NULL);
        {
                g_autofree char *addr = g_strconcat("SRIOV_PCI_ADDRESS=", vf0, NULL);
                const char *driver[] = { "MESSAGE_ID=a1e0c3569b584cdc864b5679f47dfa5d", "SRIOV_TYPE=driver",
                                         "SRIOV_ACTION=modified", addr, "SRIOV_PF=" CX6_PF, "PRIORITY=6",
                                         "SRIOV_DRIVER=vfio-pci", NULL };
                const char *netdev[] = { "MESSAGE_ID=64f516fb489849868438ce176444a995", "SRIOV_TYPE=interface",
                                         "SRIOV_ACTION=deleted", addr, "SRIOV_NETDEV=enp59s0f0v0",
                                         "SRIOV_PF=" CX6_PF, NULL };

                wait_entry(j, driver);
                wait_entry(j, netdev);
                g_assert_true(g_str_has_prefix(journal_find(j, driver), "MESSAGE="));
        }
        /* Quiet after start on stderr: the events went to the journal only. */
        log = harness_daemon_log(h);
        g_assert_cmpstr(log, ==, "<5>Monitoring 4 PFs, 8 VFs.\n");
        journal_free(j);
}



/* The kernel refuses the inotify instance (as in test-recovery): Degraded
 * becomes true, then false once it is back; each change is an entry. */
static void test_degraded(void) {
        Journal *j = journal_new();
        g_autofree char *old = NULL;
        const char *down[] = { "MESSAGE_ID=f0c60eafd57947389bbe927c4aed4255", "SRIOV_DEGRADED=1", NULL };
        const char *up[] = { "MESSAGE_ID=f0c60eafd57947389bbe927c4aed4255", "SRIOV_DEGRADED=0", NULL };

        if (!j)
                return;
        old = harness_inotify_limit_lower("max_user_instances", "0");
        g_assert_nonnull(old);
        journal_start(j);
        harness_inotify_limit_restore("max_user_instances", old);
        wait_entry(j, down);
        wait_entry(j, up);
        journal_free(j);
}

/* An inotify queue overflow (as in test-recovery) loses events: the rescan
 * after it is an entry with its reason. */
static void test_lost_events_resync(void) {
        Journal *j = journal_new();
        g_autofree char *old = NULL;
        const char *pfs[] = { "0000:3b:00.0", "0000:5e:00.0", "0000:af:00.0", "0000:b5:00.0" };
        const char *resync[] = { "MESSAGE_ID=69bd9d4dac0946e9aa31629ab7f88128", "SRIOV_REASON=inotify queue overflow",
                                 NULL };

        if (!j)
                return;
        old = harness_inotify_limit_lower("max_queued_events", "2");
        g_assert_nonnull(old);
        journal_start(j);
        harness_inotify_limit_restore("max_queued_events", old);
        g_assert_cmpint(kill(j->h->daemon_pid, SIGSTOP), ==, 0);
        for (guint i = 0; i < G_N_ELEMENTS(pfs); i++)
                sim_write_autoprobe(j->h->sim, pfs[i], false);
        g_assert_cmpint(kill(j->h->daemon_pid, SIGCONT), ==, 0);
        wait_entry(j, resync);
        journal_free(j);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/journal/device-events", test_device_events);
        g_test_add_func("/journal/degraded", test_degraded);
        g_test_add_func("/journal/lost-events-resync", test_lost_events_resync);
        return g_test_run();
}
