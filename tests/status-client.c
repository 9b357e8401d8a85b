/* SPDX-License-Identifier: MIT */
/* sriov-status, run by the tests: see status-client.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "status-client.h"

Harness *start_demo(void) {
        Harness *h = harness_new();

        sim_build_demo_host(h->sim);
        harness_start_daemon(h, NULL);
        return h;
}

int status(Harness *h, const char *const *args, char **out, char **err) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();

        g_ptr_array_add(argv, (char *) g_getenv("SRIOV_STATUS"));
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        return harness_run(h, (const char *const *) argv->pdata, out, err);
}

/* The table's columns are separated by two or more spaces. */
char **row_fields(const char *line) {
        g_auto(GStrv) parts = g_regex_split_simple("\\s{2,}", line, 0, 0);
        g_autoptr(GPtrArray) a = g_ptr_array_new();

        for (char **p = parts; *p; p++)
                if (**p)
                        g_ptr_array_add(a, g_strdup(*p));
        g_ptr_array_add(a, NULL);
        return (char **) g_ptr_array_free(g_steal_pointer(&a), FALSE);
}

int find_line(char **lines, const char *prefix) {
        for (int i = 0; lines[i]; i++)
                if (g_str_has_prefix(lines[i], prefix))
                        return i;
        return -1;
}

/* Runs jq's boolean expression over a JSON text; TRUE when it holds. */
gboolean jq_holds(Harness *h, const char *json, const char *expr) {
        g_autofree char *file = NULL, *out = NULL, *err = NULL;
        g_autoptr(GError) error = NULL;
        int fd = g_file_open_tmp("sriov-status-XXXXXX.json", &file, &error);
        int rc;

        g_assert_no_error(error);
        g_assert_true(g_file_set_contents(file, json, -1, &error));
        close(fd);
        rc = harness_run(h, (const char *[]) { "jq", "-e", expr, file, NULL }, &out, &err);
        (void) unlink(file);
        if (rc != 0)
                g_test_message("jq '%s' failed on: %s", expr, json);
        return rc == 0;
}

void assert_fails(Harness *h, const char *const *args, int code, const char *message_part) {
        g_autofree char *out = NULL, *err = NULL;

        g_assert_cmpint(status(h, args, &out, &err), ==, code);
        /* One line on stderr, nothing on stdout. */
        g_assert_cmpstr(out, ==, "");
        g_assert_true(g_str_has_prefix(err, "sriov-status: "));
        g_assert_nonnull(strchr(err, '\n'));
        g_assert_cmpstr(strchr(err, '\n') + 1, ==, "");
        if (message_part)
                g_assert_nonnull(strstr(err, message_part));
}


/* Generous: a deadline for an outcome, scaled like every test's
 * (harness_timeout_ms(): valgrind, sanitizers, SRIOV_TEST_TIMEOUT_SCALE). */
static gint64 watch_timeout_ms(void) {
        return harness_timeout_ms(WATCH_TIMEOUT_MS);
}

static void watch_child_setup(gpointer unused) {
        /* Its own process group, so that the test can signal all of it (as
         * timeout(1) and a terminal do) and kill leftovers; and it dies with
         * the test. */
        (void) setpgid(0, 0);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
}

Watch *watch_start_as(Harness *h, gboolean as_nobody, const char *const *args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        Watch *w = g_new0(Watch, 1);

        if (as_nobody) {

                g_ptr_array_add(argv, "setpriv");
                g_ptr_array_add(argv, "--reuid=65534");
                g_ptr_array_add(argv, "--regid=65534");
                g_ptr_array_add(argv, "--clear-groups");
                g_ptr_array_add(argv, "sh");
                g_ptr_array_add(argv, (char *) harness_copy_for_anyone(h, g_getenv("SRIOV_STATUS")));
                /* A directory nobody may write in. */
                env = g_environ_setenv(env, "TMPDIR", "/tmp", TRUE);
        } else
                g_ptr_array_add(argv, (char *) g_getenv("SRIOV_STATUS"));
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        /* Times in the text format are local: make local UTC. */
        env = g_environ_setenv(env, "TZ", "UTC", TRUE);

        w->h = h;
        w->out_buf = g_string_new(NULL);
        w->lines = g_ptr_array_new_with_free_func(g_free);
        w->err = g_string_new(NULL);
        if (!g_spawn_async_with_pipes(NULL, (char **) argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                      watch_child_setup, NULL, &w->pid, NULL, &w->out_fd, &w->err_fd, &error))
                g_error("Cannot run sriov-status: %s", error->message);
        return w;
}

Watch *watch_spawn(Harness *h, const char *const *argv) {
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GError) error = NULL;
        Watch *w = g_new0(Watch, 1);

        w->h = h;
        w->out_buf = g_string_new(NULL);
        w->lines = g_ptr_array_new_with_free_func(g_free);
        w->err = g_string_new(NULL);
        if (!g_spawn_async_with_pipes(NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                      watch_child_setup, NULL, &w->pid, NULL, &w->out_fd, &w->err_fd, &error))
                g_error("Cannot run %s: %s", argv[0], error->message);
        return w;
}

Watch *watch_start(Harness *h, const char *const *args) {
        return watch_start_as(h, FALSE, args);
}

void watch_free(Watch *w) {
        if (!w)
                return;
        if (!w->exited) {
                (void) kill(-w->pid, SIGKILL);
                (void) waitpid(w->pid, NULL, 0);
        }
        g_spawn_close_pid(w->pid);
        if (w->out_fd >= 0)
                close(w->out_fd);
        if (w->err_fd >= 0)
                close(w->err_fd);
        g_string_free(w->out_buf, TRUE);
        g_ptr_array_unref(w->lines);
        g_string_free(w->err, TRUE);
        g_free(w);
}

/* Reads whatever stdout and stderr offer until `deadline` (monotonic µs) or
 * until something was read; returns whether something was. At end of file a
 * descriptor is closed (-1). */
gboolean watch_pump(Watch *w, gint64 deadline) {
        struct pollfd fds[2] = { { .fd = w->out_fd, .events = POLLIN }, { .fd = w->err_fd, .events = POLLIN } };
        gint64 left = deadline - g_get_monotonic_time();
        gboolean got = FALSE;
        int r;

        if (w->out_fd < 0 && w->err_fd < 0)
                return FALSE;
        r = poll(fds, 2, left > 0 ? (int) ((left + 999) / 1000) : 0);
        if (r < 0 && errno == EINTR)
                return FALSE;
        g_assert_cmpint(r, >=, 0);
        for (int i = 0; i < 2; i++) {
                int *fd = i == 0 ? &w->out_fd : &w->err_fd;
                char buf[4096];
                ssize_t n;

                if (*fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                n = read(*fd, buf, sizeof(buf));
                if (n <= 0) {
                        close(*fd);
                        *fd = -1;
                        continue;
                }
                got = TRUE;
                g_string_append_len(i == 0 ? w->out_buf : w->err, buf, n);
        }
        for (char *nl; (nl = memchr(w->out_buf->str, '\n', w->out_buf->len));) {
                g_ptr_array_add(w->lines, g_strndup(w->out_buf->str, nl - w->out_buf->str));
                g_string_erase(w->out_buf, 0, nl - w->out_buf->str + 1);
        }
        return got;
}

/* Whether line `i` is the event (type, action, device): text lines are
 * "DATE TIME  TYPE  ACTION  DEVICE", JSON lines objects with those keys. */
gboolean line_is(const char *line, const char *type, const char *action, const char *device) {
        g_auto(GStrv) f = NULL;
        g_autofree char *json = NULL;

        if (line[0] == '{') {
                json = g_strdup_printf("\"Type\":\"%s\",\"Action\":\"%s\",\"Device\":\"%s\",", type, action, device);
                return strstr(line, json) != NULL;
        }
        /* DATE TIME  TYPE  ACTION  DEVICE  WHAT-CHANGED... */
        f = g_regex_split_simple(" +", line, 0, 0);
        return g_strv_length(f) >= 5 && g_str_equal(f[2], type) && g_str_equal(f[3], action) &&
               g_str_equal(f[4], device);
}

int watch_find(Watch *w, guint from, const char *type, const char *action, const char *device) {
        for (guint i = from; i < w->lines->len; i++)
                if (line_is(g_ptr_array_index(w->lines, i), type, action, device))
                        return (int) i;
        return -1;
}

char *watch_output(Watch *w) {
        GString *s = g_string_new(w->lines->len ? NULL : "(none)\n");

        for (guint i = 0; i < w->lines->len; i++)
                g_string_append_printf(s, "%s\n", (char *) g_ptr_array_index(w->lines, i));
        return g_string_free(s, FALSE);
}

/* Waits for the event at or after line `from`; returns its line index. */
int watch_wait_event(Watch *w, guint from, const char *type, const char *action, const char *device) {
        gint64 deadline = g_get_monotonic_time() + watch_timeout_ms() * 1000;
        int i;

        while ((i = watch_find(w, from, type, action, device)) < 0) {
                if (g_get_monotonic_time() > deadline || (w->out_fd < 0 && w->err_fd < 0))
                        g_error("no '%s %s %s' line from sriov-status --watch; stdout:\n%sstderr:\n%s", type,
                                action, device, watch_output(w), w->err->str);
                (void) watch_pump(w, deadline);
        }
        return i;
}

/* A change the watch should report: a write of sriov_drivers_autoprobe of
 * the E810 PF, alternately off and on. */
void poke_autoprobe(Watch *w) {
        sim_write_autoprobe(w->h->sim, E810_PF, w->pokes++ % 2 == 1);
}

/* A change of CX6_VF1 only: its netdev renamed, alternately. */
void poke_rename(Watch *w) {
        g_autofree char *name = g_strdup_printf("vf1prime%u", w->pokes++);

        sim_rename_netdev(w->h->sim, sim_netdev(w->h->sim, CX6_VF1), name);
}

/* dbus-monitor listens some time after the script starts, and nothing
 * shows when: make changes until one is reported (each is, once it
 * listens). Returns the number of lines seen so far, all of them from the
 * pokes. */
guint watch_wait_listening(Watch *w, void (*poke)(Watch *w)) {
        gint64 deadline = g_get_monotonic_time() + watch_timeout_ms() * 1000;

        while (w->lines->len == 0) {
                gint64 next = MIN(g_get_monotonic_time() + 200 * 1000, deadline);

                if (g_get_monotonic_time() > deadline || (w->out_fd < 0 && w->err_fd < 0))
                        g_error("sriov-status --watch reported nothing; stderr:\n%s", w->err->str);
                poke(w);
                while (w->lines->len == 0 && g_get_monotonic_time() < next)
                        (void) watch_pump(w, next);
        }
        return w->lines->len;
}

/* Sends `sig` to the script (or its whole process group), waits for its exit
 * and its output to end; returns the wait status. Its children must be gone. */
int watch_stop(Watch *w, int sig, gboolean group) {
        gint64 deadline = g_get_monotonic_time() + watch_timeout_ms() * 1000;

        g_assert_cmpint(kill(group ? -w->pid : w->pid, sig), ==, 0);
        while (!w->exited) {
                pid_t p = waitpid(w->pid, &w->status, WNOHANG);

                g_assert_cmpint(p, >=, 0);
                if (p == w->pid) {
                        w->exited = TRUE;
                        break;
                }
                if (g_get_monotonic_time() > deadline)
                        g_error("sriov-status --watch did not exit on signal %d", sig);
                (void) watch_pump(w, MIN(g_get_monotonic_time() + 10 * 1000, deadline));
        }
        /* End of file on both pipes: nobody (jq) holds them any more. */
        while (w->out_fd >= 0 || w->err_fd >= 0) {
                if (g_get_monotonic_time() > deadline)
                        g_error("the output of sriov-status --watch did not end after it exited");
                (void) watch_pump(w, deadline);
        }
        {
                g_autofree char *out = watch_output(w);
                g_test_message("sriov-status --watch printed:\n%s", out);
        }
        /* dbus-monitor and jq were stopped and reaped by the script. */
        g_assert_cmpint(kill(-w->pid, 0), ==, -1);
        g_assert_cmpint(errno, ==, ESRCH);
        return w->status;
}

/* Waits for the script to exit on its own; returns its exit status. */
int watch_wait_exit(Watch *w) {
        gint64 deadline = g_get_monotonic_time() + watch_timeout_ms() * 1000;

        while (w->out_fd >= 0 || w->err_fd >= 0) {
                if (g_get_monotonic_time() > deadline)
                        g_error("sriov-status --watch did not exit; stderr:\n%s", w->err->str);
                (void) watch_pump(w, deadline);
        }
        g_assert_cmpint(waitpid(w->pid, &w->status, 0), ==, w->pid);
        w->exited = TRUE;
        g_test_message("sriov-status exited with %d; stderr: %s", w->status, w->err->str);
        g_assert_true(WIFEXITED(w->status));
        return WEXITSTATUS(w->status);
}

void assert_clean_exit(Watch *w, int status) {
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        g_assert_cmpstr(w->err->str, ==, "");
        g_assert_cmpstr(w->out_buf->str, ==, ""); /* no partial line */
}

