/* SPDX-License-Identifier: MIT */
/* The PCI address / object path codec: addresses come from sysfs names,
 * uevent DEVPATHs and FindDevice callers, object paths from any D-Bus
 * client. The input is up to three NUL-separated strings; each is tried as
 * an address and as an object path, the first two as a uevent's subsystem
 * and DEVPATH, and all three against each other for the sort order. */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "pci-address.h"

static int sign(int x) {
        return (x > 0) - (x < 0);
}

/* The reference grammar, written apart from pci_address_parse(): min to
 * max hex digits and then `end`. */
static bool ref_field(const char **p, unsigned min, unsigned max, char end, unsigned long *ret) {
        const char *s = *p;
        unsigned long v = 0;
        unsigned n = 0;

        for (; *s && strchr("0123456789abcdefABCDEF", *s); s++, n++)
                v = v * 16 + (unsigned long) (*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
        if (n < min || n > max || *s != end)
                return false;
        *p = end ? s + 1 : s;
        *ret = v;
        return true;
}

/* "DDDD:BB:SS.F", else (when allowed) "BB:SS.F": the two cannot both match. */
static bool ref_parse_form(const char *s, bool with_domain, PciAddress *ret) {
        unsigned long domain = 0, bus, slot, function;
        const char *p = s;

        if ((with_domain && !ref_field(&p, 1, 8, ':', &domain)) || !ref_field(&p, 2, 2, ':', &bus) ||
            !ref_field(&p, 2, 2, '.', &slot) || !ref_field(&p, 1, 1, '\0', &function) || slot > 0x1f ||
            function > 7)
                return false;
        *ret = (PciAddress) { .domain = (uint32_t) domain, .bus = (uint8_t) bus, .slot = (uint8_t) slot,
                              .function = (uint8_t) function };
        return true;
}

static bool ref_parse(const char *s, bool allow_short, PciAddress *ret) {
        return ref_parse_form(s, true, ret) || (allow_short && ref_parse_form(s, false, ret));
}

static void check_address(const char *s) {
        char canonical[PCI_ADDRESS_MAX], again[PCI_ADDRESS_MAX], buf[PCI_ADDRESS_MAX];
        PciAddress a, b, ref;
        char *path = NULL;

        for (int allow_short = 0; allow_short <= 1; allow_short++) {
                int r = pci_address_parse(s, allow_short, &a);

                fuzz_assert(r == 0 || r == -EINVAL);
                fuzz_assert((r == 0) == ref_parse(s, allow_short, &ref));
                if (r < 0) {
                        fuzz_assert(pci_address_normalize(s, allow_short, buf) == -EINVAL);
                        continue;
                }
                fuzz_assert(pci_address_compare(&a, &ref) == 0);
                /* The canonical form parses back to itself, and is a fixed point. */
                pci_address_format(&a, canonical);
                fuzz_assert(strlen(canonical) < PCI_ADDRESS_MAX);
                fuzz_assert(pci_address_parse(canonical, 0, &b) == 0 && pci_address_compare(&a, &b) == 0);
                fuzz_assert(strcmp(pci_address_format(&b, again), canonical) == 0);
                fuzz_assert(pci_address_normalize(s, allow_short, buf) == 0 && strcmp(buf, canonical) == 0);
                fuzz_assert(pci_address_normalize(canonical, 0, buf) == 0 && strcmp(buf, canonical) == 0);
                fuzz_assert(pci_address_string_compare(s, canonical) == 0 || allow_short);
        }

        /* Address -> object path -> the same canonical address. */
        if (pci_address_to_object_path(s, &path) == 0) {
                fuzz_assert(pci_address_normalize(s, 0, canonical) == 0);
                fuzz_assert(strncmp(path, DEVICE_PATH_PREFIX "/pci_", strlen(DEVICE_PATH_PREFIX "/pci_")) == 0);
                fuzz_assert(!strpbrk(path + strlen(DEVICE_PATH_PREFIX) + 1, ":./"));
                fuzz_assert(object_path_to_pci_address(path, buf) == 0 && strcmp(buf, canonical) == 0);
                free(path);
                path = NULL;
        } else
                fuzz_assert(pci_address_parse(s, 0, &a) < 0);

        /* Object path -> address: only the one spelling the daemon publishes. */
        if (object_path_to_pci_address(s, buf) == 0) {
                fuzz_assert(pci_address_normalize(buf, 0, canonical) == 0 && strcmp(buf, canonical) == 0);
                fuzz_assert(pci_address_to_object_path(buf, &path) == 0);
                fuzz_assert(strcmp(path, s) == 0);
                free(path);
        }
}

/* The reference for pci_address_from_devpath(): the last component for a
 * pci event, the one two levels up for a child (net/IFNAME, vfio-dev/vfioN). */
static int ref_from_devpath(const char *subsystem, const char *devpath, char address[static PCI_ADDRESS_MAX]) {
        const char *components[4096];
        size_t n = 0, want;
        char name[64];
        const char *c = devpath;

        for (;;) {
                if (n == sizeof(components) / sizeof(components[0]))
                        return -2; /* too deep for the reference: not checked */
                components[n++] = c;
                c = strchr(c, '/');
                if (!c)
                        break;
                c++;
        }
        want = strcmp(subsystem, "pci") == 0 ? 1 : 3;
        if (n < want)
                return -EINVAL;
        c = components[n - want];
        size_t len = strcspn(c, "/");
        if (len == 0 || len >= sizeof(name))
                return -EINVAL;
        memcpy(name, c, len);
        name[len] = '\0';
        return pci_address_normalize(name, 0, address);
}

static void check_devpath(const char *subsystem, const char *devpath) {
        char address[PCI_ADDRESS_MAX], expected[PCI_ADDRESS_MAX], canonical[PCI_ADDRESS_MAX];
        int r = pci_address_from_devpath(subsystem, devpath, address);
        int e = ref_from_devpath(subsystem, devpath, expected);

        fuzz_assert(r == 0 || r == -EINVAL);
        if (e == -2)
                return;
        fuzz_assert((r == 0) == (e == 0));
        if (r < 0)
                return;
        fuzz_assert(strcmp(address, expected) == 0);
        fuzz_assert(pci_address_normalize(address, 0, canonical) == 0 && strcmp(address, canonical) == 0);
}

static void check_order(const char *a, const char *b) {
        PciAddress pa, pb;
        int ab = pci_address_string_compare(a, b), ba = pci_address_string_compare(b, a);

        /* qsort needs a consistent order, or the published lists are garbage. */
        fuzz_assert(sign(ab) == -sign(ba));
        fuzz_assert(pci_address_string_compare(a, a) == 0);
        if (pci_address_parse(a, 0, &pa) == 0 && pci_address_parse(b, 0, &pb) == 0) {
                char ca[PCI_ADDRESS_MAX], cb[PCI_ADDRESS_MAX];

                fuzz_assert(sign(ab) == pci_address_compare(&pa, &pb));
                fuzz_assert(pci_address_compare(&pa, &pb) == -pci_address_compare(&pb, &pa));
                /* Equal addresses are equal strings once canonical; and the
                 * canonical strings sort the same. */
                pci_address_format(&pa, ca);
                pci_address_format(&pb, cb);
                fuzz_assert((pci_address_compare(&pa, &pb) == 0) == (strcmp(ca, cb) == 0));
                fuzz_assert(sign(pci_address_string_compare(ca, cb)) == sign(ab));
        }
}

static void check_transitive(const char *a, const char *b, const char *c) {
        if (pci_address_string_compare(a, b) <= 0 && pci_address_string_compare(b, c) <= 0)
                fuzz_assert(pci_address_string_compare(a, c) <= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *f[3];
        char *buf;
        size_t n = fuzz_split(data, size, f, 3, &buf);

        for (size_t i = 0; i < n; i++)
                check_address(f[i]);
        if (n >= 2) {
                check_devpath(f[0], f[1]);
                check_devpath("pci", f[1]);
                check_devpath("net", f[1]);
                check_order(f[0], f[1]);
        } else {
                check_devpath("pci", f[0]);
                check_devpath("net", f[0]);
        }
        if (n == 3) {
                const char *const perms[6][3] = {
                        { f[0], f[1], f[2] }, { f[0], f[2], f[1] }, { f[1], f[0], f[2] },
                        { f[1], f[2], f[0] }, { f[2], f[0], f[1] }, { f[2], f[1], f[0] },
                };

                check_order(f[1], f[2]);
                check_order(f[0], f[2]);
                for (size_t i = 0; i < 6; i++)
                        check_transitive(perms[i][0], perms[i][1], perms[i][2]);
        }
        free(buf);
        return 0;
}
