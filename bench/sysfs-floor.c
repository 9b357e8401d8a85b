/* SPDX-License-Identifier: MIT */
/*
 * sysfs-floor: the start-up floor of make bench. The least a program can do
 * to learn what sriov-monitord publishes: list /sys/bus/pci/devices and read
 * every attribute and link the daemon reads (sriov_totalvfs, physfn, vendor,
 * device, numa_node, driver, net/, iommu_group, sriov_drivers_autoprobe,
 * virtfnN), with plain libc and no udev, no bus, no table. Run under the
 * same umockdev testbed as the daemon, it pays the same preload costs.
 * Prints how many functions it saw, so the run can be checked.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

static int read_attr(const char *dev, const char *name, char *buf, size_t size) {
        char path[PATH_MAX];
        ssize_t n;
        int fd;

        (void) snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/%s", dev, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, size - 1);
        (void) close(fd);
        if (n < 0)
                return -1;
        buf[n] = '\0';
        return 0;
}

static int read_link(const char *dev, const char *name, char *buf, size_t size) {
        char path[PATH_MAX];
        ssize_t n;

        (void) snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/%s", dev, name);
        n = readlink(path, buf, size - 1);
        if (n < 0)
                return -1;
        buf[n] = '\0';
        return 0;
}

static unsigned count_entries(const char *dev, const char *sub, int virtfns) {
        char path[PATH_MAX], target[PATH_MAX];
        struct dirent *de;
        unsigned n = 0;
        DIR *d;

        (void) snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s%s%s", dev, sub ? "/" : "", sub ? sub : "");
        d = opendir(path);
        if (!d)
                return 0;
        while ((de = readdir(d)))
                if (virtfns ? strncmp(de->d_name, "virtfn", 6) == 0 &&
                                      read_link(dev, de->d_name, target, sizeof(target)) == 0
                            : de->d_name[0] != '.')
                        n++;
        (void) closedir(d);
        return n;
}

int main(void) {
        char buf[4096];
        unsigned pfs = 0, vfs = 0, links = 0, netdevs = 0;
        struct dirent *de;
        DIR *d;

        d = opendir(SYSFS_PCI_DEVICES);
        if (!d) {
                perror(SYSFS_PCI_DEVICES);
                return 1;
        }
        while ((de = readdir(d))) {
                int pf;

                if (de->d_name[0] == '.')
                        continue;
                pf = read_attr(de->d_name, "sriov_totalvfs", buf, sizeof(buf)) == 0;
                if (!pf && read_link(de->d_name, "physfn", buf, sizeof(buf)) < 0)
                        continue;
                pf ? pfs++ : vfs++;
                (void) read_attr(de->d_name, "vendor", buf, sizeof(buf));
                (void) read_attr(de->d_name, "device", buf, sizeof(buf));
                (void) read_attr(de->d_name, "numa_node", buf, sizeof(buf));
                (void) read_link(de->d_name, "driver", buf, sizeof(buf));
                netdevs += count_entries(de->d_name, "net", 0);
                (void) read_link(de->d_name, "iommu_group", buf, sizeof(buf));
                if (pf) {
                        (void) read_attr(de->d_name, "sriov_drivers_autoprobe", buf, sizeof(buf));
                        links += count_entries(de->d_name, NULL, 1);
                }
        }
        (void) closedir(d);
        printf("pfs=%u vfs=%u virtfn_links=%u netdevs=%u\n", pfs, vfs, links, netdevs);
        return 0;
}
