/* SPDX-License-Identifier: MIT */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

void hostile_start(Hostile *p, Harness *h, const char *mode, const char *args) {
        g_autofree char *script = g_build_filename(g_getenv("TEST_SRCDIR"), "hostile-peer.py", NULL);
        g_auto(GStrv) numbers = g_strsplit(args, " ", -1);
        g_auto(GStrv) env = harness_client_environ(h);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autoptr(GError) error = NULL;
        const char *const start[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                      "/usr/bin/python3", script, mode, h->private_socket };

        /* Run by an unprivileged user, we are one already. */
        for (guint i = getuid() == 0 ? 0 : 4; i < G_N_ELEMENTS(start); i++)
                g_ptr_array_add(argv, (char *) start[i]);
        for (char **n = numbers; *n; n++)
                g_ptr_array_add(argv, *n);
        g_ptr_array_add(argv, NULL);
        p->buf = g_string_new(NULL);
        if (!g_spawn_async_with_pipes(NULL, (char **) argv->pdata, env,
                                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL, &p->pid, &p->in,
                                      &p->out, NULL, &error))
                g_error("Cannot run %s: %s", script, error->message);
}

gboolean hostile_has_output(Hostile *p, unsigned timeout_ms) {
        struct pollfd pfd = { p->out, POLLIN, 0 };

        return p->buf->len > 0 || poll(&pfd, 1, (int) timeout_ms) > 0;
}

char *hostile_line(Hostile *p, unsigned timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

        for (;;) {
                const char *nl = strchr(p->buf->str, '\n');
                struct pollfd pfd = { p->out, POLLIN, 0 };
                char chunk[256];
                ssize_t n;

                if (nl) {
                        char *line = g_strndup(p->buf->str, nl - p->buf->str);

                        g_string_erase(p->buf, 0, nl - p->buf->str + 1);
                        return line;
                }
                if (g_get_monotonic_time() > deadline)
                        g_error("hostile-peer.py said nothing in %u ms (so far: '%s')", timeout_ms, p->buf->str);
                if (poll(&pfd, 1, 100) <= 0)
                        continue;
                n = read(p->out, chunk, sizeof(chunk));
                if (n <= 0)
                        g_error("hostile-peer.py ended early (so far: '%s')", p->buf->str);
                g_string_append_len(p->buf, chunk, n);
        }
}

void hostile_say(Hostile *p) {
        g_assert_cmpint(write(p->in, "\n", 1), ==, 1);
}

void hostile_finish(Hostile *p) {
        int status = 0;

        close(p->in);
        g_assert_cmpint(waitpid(p->pid, &status, 0), ==, p->pid);
        g_spawn_close_pid(p->pid);
        close(p->out);
        g_string_free(p->buf, TRUE);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

double harness_stop_within(Harness *h, unsigned timeout_ms) {
        gint64 started = g_get_monotonic_time();
        double took;
        int status = 0;
        pid_t r;

        g_assert_cmpint(kill(h->daemon_pid, SIGTERM), ==, 0);
        while ((r = waitpid(h->daemon_pid, &status, WNOHANG)) == 0) {
                if (g_get_monotonic_time() - started > (gint64) timeout_ms * 1000) {
                        (void) kill(h->daemon_pid, SIGKILL);
                        (void) waitpid(h->daemon_pid, &status, 0);
                        h->daemon_pid = 0;
                        g_error("sriov-monitord did not exit within %u ms of SIGTERM", timeout_ms);
                }
                g_usleep(1000);
        }
        took = (g_get_monotonic_time() - started) / 1000.0;
        g_assert_cmpint(r, ==, h->daemon_pid);
        g_spawn_close_pid(h->daemon_pid);
        h->daemon_pid = 0;
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        g_assert_false(g_file_test(h->private_socket, G_FILE_TEST_EXISTS));
        return took;
}
