/* SPDX-License-Identifier: MIT */
/* sysfs_read_device() on a fake device directory built from the input:
 * attribute files with any contents (empty, huge, NULs, not UTF-8),
 * attributes that are directories, links to anywhere (dangling, looping,
 * odd names), virtfnN links and netdev names of any bytes. Whatever the
 * directory holds, the reading is a device or nothing, and everything it
 * would publish on D-Bus is well formed.
 *
 * The input is a list of records: an operation byte, then its fields.
 *   op % 4 == 0: file    NAME_INDEX LEN_LO LEN_HI CONTENT
 *   op % 4 == 1: link    NAME_INDEX LEN CONTENT (the target)
 *   op % 4 == 2: dir     NAME_INDEX
 *   op % 4 == 3: named   KIND LEN NAME '\0' TARGET (KIND % 3: link, net/NAME, file) */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device.h"
#include "fuzz.h"
#include "pci-address.h"
#include "sysfs-parse.h"
#include "sysfs-reader.h"

#define ADDRESS "0000:3b:00.2"
#define PF_ADDRESS "0000:3b:00.0"

static const char *const names[] = {
        "vendor", "device", "numa_node", "sriov_totalvfs", "sriov_drivers_autoprobe",
        "driver", "iommu_group", "physfn", "net", "virtfn0", "virtfn1",
};

static char root[PATH_MAX], syspath[PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static void remove_root(void) {
        (void) nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The device sits where a real one does, five levels down: root/sys/devices/
 * pci0000:3a/0000:3a:00.0/0000:3b:00.2. */
#define PARENT "sys/devices/pci0000:3a/0000:3a:00.0"
#define DEPTH 5

static void setup(void) {
        static const char *const dirs[] = {
                "sys", "sys/devices", "sys/devices/pci0000:3a", PARENT,
                /* What the usual links point to exists: the PF, and a VF beside it. */
                PARENT "/" PF_ADDRESS, PARENT "/0000:3b:00.3",
        };
        const char *tmp = getenv("TMPDIR");
        char path[PATH_MAX * 2];

        snprintf(root, sizeof(root), "%s/fuzz-sysfs-read.XXXXXX", tmp ? tmp : "/tmp");
        if (!mkdtemp(root))
                abort();
        atexit(remove_root);
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
                fuzz_assert(mkdir(path, 0755) == 0);
        }
        snprintf(syspath, sizeof(syspath), "%s/" PARENT "/" ADDRESS, root);
}

/* This runs as root, and the reader opens whatever a link leads to: a FIFO
 * would hang it, a device node could do anything. A target may climb out of
 * the device directory up to the fake root, then only descend; since every
 * link is made here, no chain of them leaves the root either. */
static bool target_is_confined(const char *t) {
        unsigned up = 0;
        bool descended = false;

        if (t[0] == '/')
                return false;
        for (const char *c = t; *c;) {
                size_t n = strcspn(c, "/");

                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        if (descended || ++up > DEPTH)
                                return false;
                } else if (n > 0 && !(n == 1 && c[0] == '.'))
                        descended = true;
                c += n;
                if (*c)
                        c++;
        }
        return true;
}

/* A name the fuzzer chose, made into one path component. */
static bool valid_name(const char *name) {
        return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
               strlen(name) < NAME_MAX;
}

/* The input makes links to anywhere, and this runs as root: never write
 * through one. Only new files, and directories in real directories. */
static void write_file(const char *path, const char *content, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        ssize_t n;

        if (fd < 0)
                return;
        n = write(fd, content, len);
        (void) n; /* a short file is as good an input as any */
        close(fd);
}

static void build(const uint8_t *p, size_t size) {
        const uint8_t *end = p + size;
        char path[PATH_MAX + NAME_MAX * 2], content[1024];

        fuzz_assert(mkdir(syspath, 0755) == 0);
        while (end - p >= 2) {
                unsigned op = p[0] % 4, arg = p[1], len;
                const char *name = names[arg % (sizeof(names) / sizeof(names[0]))];

                p += 2;
                snprintf(path, sizeof(path), "%s/%s", syspath, name);
                if (op == 2) {
                        (void) mkdir(path, 0755);
                        continue;
                }
                len = p < end ? *p++ : 0;
                if (op == 0 && p < end)
                        len |= (*p++ & 1u) << 8; /* up to 511: past the reader's 256-byte limit */
                if (len > (size_t) (end - p))
                        len = (unsigned) (end - p);
                memcpy(content, p, len);
                content[len] = '\0';
                p += len;

                if (op == 0) {
                        write_file(path, content, len);
                } else if (op == 1) {
                        if (target_is_confined(content))
                                (void) symlink(content, path);
                } else {
                        /* NAME '\0' TARGET: names of the fuzzer's choosing. */
                        const char *target = content + strnlen(content, len) + 1;

                        if (target > content + len)
                                target = "";
                        if (!valid_name(content))
                                continue;
                        if (arg % 3 == 0) {
                                snprintf(path, sizeof(path), "%s/%s", syspath, content);
                                if (!target[0])
                                        target = "../" PF_ADDRESS;
                                if (target_is_confined(target))
                                        (void) symlink(target, path);
                        } else if (arg % 3 == 1) {
                                int dfd;

                                snprintf(path, sizeof(path), "%s/net", syspath);
                                (void) mkdir(path, 0755);
                                dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (dfd >= 0) {
                                        (void) mkdirat(dfd, content, 0755);
                                        close(dfd);
                                }
                        } else {
                                snprintf(path, sizeof(path), "%s/%s", syspath, content);
                                write_file(path, target, strlen(target));
                        }
                }
        }
}

static void check_string(const char *s) {
        /* sd-bus refuses to send a string that is not UTF-8: the whole
         * reply or signal would be lost. */
        fuzz_assert(!s || utf8_is_valid(s));
}

static void check_device(const Device *d, bool pf_expected) {
        char address[PCI_ADDRESS_MAX];

        fuzz_assert(strcmp(d->address, ADDRESS) == 0);
        fuzz_assert(strcmp(d->syspath, syspath) == 0);
        fuzz_assert(object_path_to_pci_address(d->object_path, address) == 0 && strcmp(address, ADDRESS) == 0);
        fuzz_assert((d->role == DEVICE_ROLE_PF) == pf_expected);
        fuzz_assert(strcmp(d->role_name, pf_expected ? "pf" : "vf") == 0);

        check_string(d->driver);
        check_string(d->vendor_name);
        /* Issue 16's placement: well formed, canonical, sorted. */
        check_string(d->product_name);
        check_string(d->pcie_link_speed);
        fuzz_assert(!d->pcie_link_speed || (d->pcie_link_speed[0] && !strchr(d->pcie_link_speed, '\n')));
        fuzz_assert(d->iommu_group >= 0 || !d->iommu_group_devices);
        for (char **m = d->iommu_group_devices; m && *m; m++) {
                fuzz_assert(pci_address_normalize(*m, 0, address) == 0 && strcmp(address, *m) == 0);
                fuzz_assert(m == d->iommu_group_devices || strcmp(m[-1], *m) < 0);
        }
        check_string(d->vfio_cdev);
        /* Representors: PF only, out of NetDevices, each VF at most once. */
        fuzz_assert(d->role == DEVICE_ROLE_PF || (!d->representors && !d->n_vf_representors));
        for (char **r = d->representors; r && *r; r++) {
                check_string(*r);
                for (char **n = d->netdevs; n && *n; n++)
                        fuzz_assert(strcmp(*n, *r) != 0);
        }
        for (size_t i = 1; i < d->n_vf_representors; i++)
                fuzz_assert(d->vf_representors[i - 1].vf_index < d->vf_representors[i].vf_index);
        fuzz_assert(!d->vfio_cdev || (d->role == DEVICE_ROLE_VF && strncmp(d->vfio_cdev, "/dev/vfio/devices/vfio", 22) == 0));
        for (char **n = d->netdevs; n && *n; n++) {
                check_string(*n);
                fuzz_assert(**n && **n != '.');
                fuzz_assert(!n[1] || strcmp(n[0], n[1]) <= 0);
        }
        fuzz_assert(d->driver == NULL || (d->driver[0] && !strchr(d->driver, '/')));
        fuzz_assert(strcmp(d->mode, device_mode(d->driver, d->netdevs)) == 0);
        /* No udev and no previous reading: only the built-in names. */
        fuzz_assert(d->vendor_name == NULL ? vendor_builtin_name(d->vendor_id) == NULL
                                           : strcmp(d->vendor_name, vendor_builtin_name(d->vendor_id)) == 0);
        fuzz_assert(d->iommu_group >= -1);

        if (d->role == DEVICE_ROLE_PF) {
                fuzz_assert(d->n_vfs <= d->num_vfs);
                for (size_t i = 0; i < d->n_vfs; i++) {
                        fuzz_assert(pci_address_normalize(d->vfs[i].address, 0, address) == 0);
                        fuzz_assert(strcmp(address, d->vfs[i].address) == 0);
                        fuzz_assert(i == 0 || d->vfs[i - 1].index <= d->vfs[i].index);
                }
                fuzz_assert(!d->pf_address && !d->pf_object_path && !d->vfio_device);
                fuzz_assert(d->drivers_autoprobe == 0 || d->drivers_autoprobe == 1);
        } else {
                char *path = NULL;

                fuzz_assert(pci_address_normalize(d->pf_address, 0, address) == 0);
                fuzz_assert(strcmp(address, d->pf_address) == 0);
                fuzz_assert(pci_address_to_object_path(d->pf_address, &path) == 0);
                fuzz_assert(strcmp(path, d->pf_object_path) == 0);
                free(path);
                fuzz_assert(d->vf_index == VF_INDEX_UNKNOWN);
                fuzz_assert((d->vfio_device != NULL) == (strcmp(d->mode, "vfio") == 0 && d->iommu_group >= 0));
                check_string(d->vfio_device);
                fuzz_assert(d->n_vfs == 0);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[PATH_MAX * 2], target[PATH_MAX], address[PCI_ADDRESS_MAX];
        struct stat st;
        Device *d = NULL;
        bool pf, vf;
        ssize_t n;
        int r;

        if (!root[0])
                setup();
        build(data, size);

        /* What the reader must conclude, from the directory as built. */
        snprintf(path, sizeof(path), "%s/sriov_totalvfs", syspath);
        /* Present, even unreadable, is a PF; a link to nowhere is not. */
        pf = lstat(path, &st) == 0 &&
             (!S_ISLNK(st.st_mode) || stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR));
        snprintf(path, sizeof(path), "%s/physfn", syspath);
        n = readlink(path, target, sizeof(target) - 1);
        if (n >= 0)
                target[n] = '\0';
        vf = n >= 0 && pci_address_normalize(link_target_basename(target), 0, address) == 0;

        r = sysfs_read_device(NULL, syspath, NULL, &d);
        fuzz_assert(r == 0 || r == 1);
        fuzz_assert(r == (pf || vf));
        if (r == 1) {
                check_device(d, pf);
                device_free(d);
        }

        (void) nftw(syspath, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}
