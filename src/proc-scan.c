/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "macro.h"
#include "proc-scan.h"

static bool parse_pid(const char *s, pid_t *ret) {
        long v = 0;

        if (*s < '1' || *s > '9')
                return false;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > 4194304)
                        return false;
                v = v * 10 + (*s - '0');
        }
        *ret = (pid_t) v;
        return true;
}

/* A handful of wants (the VFs on VFIO): a linear look beats hashing. */
static void match(ProcScanWant *wants, size_t n, dev_t rdev, pid_t pid) {
        for (size_t i = 0; i < n; i++)
                if (wants[i].rdev == rdev && (wants[i].pid == 0 || pid < wants[i].pid))
                        wants[i].pid = pid;
}

static void scan_process(int proc_fd, pid_t pid, ProcScanWant *wants, size_t n,
                         ProcScanStats *stats) {
        char path[64];
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        int fd;

        (void) snprintf(path, sizeof(path), "%d/fd", (int) pid);
        fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return; /* gone, a kernel thread's, or not ours to see */
        dir = fdopendir(fd);
        if (!dir) {
                (void) close(fd);
                return;
        }
        stats->processes++;
        while ((de = readdir(dir))) {
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                stats->fds++;
                /* stat, not lstat: the open file behind the link. */
                if (fstatat(dirfd(dir), de->d_name, &st, 0) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev == 0)
                        continue;
                match(wants, n, st.st_rdev, pid);
        }
}

int proc_scan(const char *proc, pid_t self, ProcScanWant *wants, size_t n, ProcScanStats *stats) {
        ProcScanStats dummy;
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;

        if (!stats)
                stats = &dummy;
        *stats = (ProcScanStats) {};
        for (size_t i = 0; i < n; i++)
                wants[i].pid = 0;
        if (n == 0)
                return 0;
        dir = opendir(proc);
        if (!dir)
                return -errno;
        while ((de = readdir(dir))) {
                pid_t pid;

                if (!parse_pid(de->d_name, &pid) || pid == self)
                        continue;
                scan_process(dirfd(dir), pid, wants, n, stats);
        }
        return 0;
}
