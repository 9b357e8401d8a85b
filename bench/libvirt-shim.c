/* SPDX-License-Identifier: MIT */
/*
 * libvirt-shim: what libvirtd needs to run on a umockdev testbed, for the
 * side-by-side benchmark of issue 14 (bench/bench-libvirt). Preloaded
 * BEFORE umockdev's preload library.
 *
 * - libvirtd always opens a NETLINK_KOBJECT_UEVENT socket through libnl (its
 *   netlink event service). umockdev's preload turns every such socket into
 *   an AF_UNIX one, on which libnl's bind fails, and libvirtd exits. A
 *   socket libnl asks for gets a real kernel netlink socket instead (made
 *   with the raw syscall, which umockdev does not see); libvirt's udev
 *   monitor (libudev's socket) stays on umockdev.
 * - umockdev names a process's emulated uevent socket <testbed>/event<fd>:
 *   two processes on one testbed with the same fd number would bind the
 *   same path. The descriptors below SHIM_MIN_FD are filled at start, so
 *   libvirtd's fall above those sriov-monitord uses.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/netlink.h>

#define SHIM_MIN_FD 300

static int (*next_socket)(int, int, int);

static int from_libnl(const void *caller) {
        Dl_info info;

        return dladdr(caller, &info) && info.dli_fname && strstr(info.dli_fname, "libnl");
}

int socket(int domain, int type, int protocol) {
        if (domain == AF_NETLINK && protocol == NETLINK_KOBJECT_UEVENT && from_libnl(__builtin_return_address(0)))
                return (int) syscall(SYS_socket, domain, type, protocol);
        if (!next_socket)
                next_socket = (int (*)(int, int, int)) dlsym(RTLD_NEXT, "socket");
        return next_socket(domain, type, protocol);
}

__attribute__((constructor)) static void fill_low_fds(void) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return;
        for (int i = fd + 1; i < SHIM_MIN_FD; i++)
                if (fcntl(i, F_GETFD) < 0)
                        (void) dup3(fd, i, O_CLOEXEC);
}
