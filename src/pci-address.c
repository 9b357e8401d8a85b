/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "pci-address.h"

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Reads min_digits..max_digits hex digits up to the separator `end` (or the
 * string's end when end is 0), and advances *p past the separator. */
static int parse_field(const char **p, char end, unsigned min_digits, unsigned max_digits, uint32_t *ret) {
        const char *s = *p;
        uint32_t v = 0;
        unsigned n = 0;

        for (; *s && *s != end; s++, n++) {
                int d = unhex(*s);

                if (d < 0 || n >= max_digits)
                        return -EINVAL;
                v = (v << 4) | (uint32_t) d;
        }
        if (n < min_digits || *s != end)
                return -EINVAL;
        *p = end ? s + 1 : s;
        *ret = v;
        return 0;
}

int pci_address_parse(const char *s, int allow_short, PciAddress *ret) {
        uint32_t domain = 0, bus, slot, function;
        const char *p = s;
        size_t colons = 0;

        if (!s)
                return -EINVAL;
        for (const char *c = s; *c; c++)
                colons += *c == ':';

        if (colons == 2) {
                if (parse_field(&p, ':', 1, 8, &domain) < 0)
                        return -EINVAL;
        } else if (colons != 1 || !allow_short)
                return -EINVAL;

        if (parse_field(&p, ':', 2, 2, &bus) < 0 ||
            parse_field(&p, '.', 2, 2, &slot) < 0 ||
            parse_field(&p, 0, 1, 1, &function) < 0)
                return -EINVAL;
        if (slot > 0x1f || function > 7)
                return -EINVAL;

        *ret = (PciAddress) {
                .domain = domain,
                .bus = (uint8_t) bus,
                .slot = (uint8_t) slot,
                .function = (uint8_t) function,
        };
        return 0;
}

char *pci_address_format(const PciAddress *a, char buf[static PCI_ADDRESS_MAX]) {
        (void) snprintf(buf, PCI_ADDRESS_MAX, "%04x:%02x:%02x.%x",
                        (unsigned) a->domain, a->bus, a->slot, a->function);
        return buf;
}

int pci_address_normalize(const char *s, int allow_short, char buf[static PCI_ADDRESS_MAX]) {
        PciAddress a;

        if (pci_address_parse(s, allow_short, &a) < 0)
                return -EINVAL;
        pci_address_format(&a, buf);
        return 0;
}

int pci_address_compare(const PciAddress *a, const PciAddress *b) {
        if (a->domain != b->domain)
                return a->domain < b->domain ? -1 : 1;
        if (a->bus != b->bus)
                return a->bus < b->bus ? -1 : 1;
        if (a->slot != b->slot)
                return a->slot < b->slot ? -1 : 1;
        if (a->function != b->function)
                return a->function < b->function ? -1 : 1;
        return 0;
}

int pci_address_string_compare(const char *a, const char *b) {
        PciAddress pa, pb;
        int ra = pci_address_parse(a, 0, &pa), rb = pci_address_parse(b, 0, &pb);

        if (ra >= 0 && rb >= 0)
                return pci_address_compare(&pa, &pb);
        if (ra >= 0 || rb >= 0)
                return ra >= 0 ? -1 : 1;
        return strcmp(a, b);
}

int pci_address_to_object_path(const char *address, char **ret) {
        char canonical[PCI_ADDRESS_MAX], *path;

        if (pci_address_normalize(address, 0, canonical) < 0)
                return -EINVAL;
        for (char *c = canonical; *c; c++)
                if (*c == ':' || *c == '.')
                        *c = '_';
        if (asprintf(&path, DEVICE_PATH_PREFIX "/pci_%s", canonical) < 0)
                return -ENOMEM;
        *ret = path;
        return 0;
}

int object_path_to_pci_address(const char *path, char buf[static PCI_ADDRESS_MAX]) {
        static const char prefix[] = DEVICE_PATH_PREFIX "/pci_";
        char tmp[PCI_ADDRESS_MAX];
        const char *name;
        size_t n, underscores = 0;

        if (!path || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
                return -EINVAL;
        name = path + sizeof(prefix) - 1;
        n = strlen(name);
        if (n >= sizeof(tmp))
                return -EINVAL;

        /* The last '_' was the '.', the others ':'. */
        memcpy(tmp, name, n + 1);
        for (size_t i = n; i > 0; i--)
                if (tmp[i - 1] == '_')
                        tmp[i - 1] = underscores++ == 0 ? '.' : ':';
        if (underscores != 3)
                return -EINVAL;

        if (pci_address_normalize(tmp, 0, buf) < 0)
                return -EINVAL;

        /* Only the canonical spelling names an object: encode it again and compare. */
        memcpy(tmp, buf, strlen(buf) + 1);
        for (char *c = tmp; *c; c++)
                if (*c == ':' || *c == '.')
                        *c = '_';
        return streq(tmp, name) ? 0 : -EINVAL;
}

/* The last path component that is a PCI address: the function itself for
 * a pci event, the parent function for .../0000:3b:00.2/net/eth0. */
int pci_address_from_devpath(const char *subsystem, const char *devpath, char address[static PCI_ADDRESS_MAX]) {
        const char *end, *start;

        if (!subsystem || !devpath)
                return -EINVAL;
        end = devpath + strlen(devpath);
        if (!streq(subsystem, "pci"))
                for (int up = 0; up < 2; up++) { /* net/IFNAME, vfio-dev/vfioN */
                        while (end > devpath && end[-1] != '/')
                                end--;
                        if (end > devpath)
                                end--;
                }
        start = end;
        while (start > devpath && start[-1] != '/')
                start--;
        if (end - start <= 0 || end - start >= PCI_ADDRESS_MAX)
                return -EINVAL;

        char name[PCI_ADDRESS_MAX];
        memcpy(name, start, (size_t) (end - start));
        name[end - start] = '\0';
        return pci_address_normalize(name, 0, address);
}
