/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sysfs-parse.h"

/* Length of s without one trailing newline; -1 when there is nothing else. */
static int value_length(const char *s, size_t *ret) {
        size_t n;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        if (n > 0 && s[n - 1] == '\n')
                n--;
        if (n == 0)
                return -EINVAL;
        *ret = n;
        return 0;
}

static int parse_unsigned(const char *s, int base, unsigned long long max, unsigned long long *ret) {
        unsigned long long v = 0;
        size_t n;

        if (value_length(s, &n) < 0 || n > 20)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                unsigned d;
                char c = s[i];

                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (base == 16 && c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (base == 16 && c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        return -EINVAL;
                if (v > (max - d) / (unsigned) base)
                        return -ERANGE;
                v = v * (unsigned) base + d;
        }
        *ret = v;
        return 0;
}

int parse_hex_u16(const char *s, uint16_t *ret) {
        unsigned long long v;
        int r;

        if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        r = parse_unsigned(s, 16, UINT16_MAX, &v);
        if (r < 0)
                return r;
        *ret = (uint16_t) v;
        return 0;
}

int parse_u32(const char *s, uint32_t *ret) {
        unsigned long long v;
        int r;

        r = parse_unsigned(s, 10, UINT32_MAX, &v);
        if (r < 0)
                return r;
        *ret = (uint32_t) v;
        return 0;
}

int parse_i32(const char *s, int32_t *ret) {
        unsigned long long v;
        bool negative = s && s[0] == '-';
        int r;

        r = parse_unsigned(negative ? s + 1 : s, 10, negative ? (unsigned long long) INT32_MAX + 1 : INT32_MAX, &v);
        if (r < 0)
                return r;
        *ret = negative ? (int32_t) -(long long) v : (int32_t) v;
        return 0;
}

int parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "1", "y", "yes", "true", "on" };
        static const char *const no[] = { "0", "n", "no", "false", "off" };
        char buf[8];
        size_t n;

        if (value_length(s, &n) < 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (streq(buf, yes[i])) {
                        *ret = true;
                        return 0;
                }
                if (streq(buf, no[i])) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int parse_virtfn_name(const char *name, uint32_t *ret) {
        static const char prefix[] = "virtfn";

        if (!name || strncmp(name, prefix, sizeof(prefix) - 1) != 0)
                return -EINVAL;
        name += sizeof(prefix) - 1;
        /* The kernel prints "%d": no sign, no leading zeros, no newline. */
        if ((name[0] == '0' && name[1]) || strchr(name, '\n'))
                return -EINVAL;
        return parse_u32(name, ret);
}

const char *link_target_basename(const char *target) {
        const char *slash;

        if (isempty(target))
                return NULL;
        slash = strrchr(target, '/');
        if (!slash)
                return target;
        return slash[1] ? slash + 1 : NULL;
}

static bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && streq(s + n - m, suffix);
}

bool driver_is_vfio(const char *driver) {
        return !isempty(driver) && (endswith(driver, "vfio-pci") || endswith(driver, "vfio_pci"));
}

bool utf8_is_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        if (!s)
                return false;
        while (*p) {
                unsigned n, cp;

                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if ((*p & 0xe0) == 0xc0)
                        n = 1, cp = *p & 0x1f;
                else if ((*p & 0xf0) == 0xe0)
                        n = 2, cp = *p & 0x0f;
                else if ((*p & 0xf8) == 0xf0)
                        n = 3, cp = *p & 0x07;
                else
                        return false;
                for (unsigned i = 1; i <= n; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3f);
                }
                /* Overlong forms, surrogates and values past U+10FFFF. */
                if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
                p += n + 1;
        }
        return true;
}

/* "/sys/bus/pci/devices" + "../../../devices/pci0000:00/0000:00:02.0" ->
 * "/sys/devices/pci0000:00/0000:00:02.0", by text alone: the kernel's links
 * hold no symlinked components, and resolving them would cost a syscall each. */
int link_target_resolve(const char *dir, const char *target, char *buf) {
        size_t n;

        if (target[0] == '/') {
                if (strlen(target) >= PATH_MAX)
                        return -ENAMETOOLONG;
                strcpy(buf, target);
                return 0;
        }
        n = strlen(dir);
        if (n >= PATH_MAX)
                return -ENAMETOOLONG;
        memcpy(buf, dir, n + 1);
        while (n > 0 && buf[n - 1] == '/')
                buf[--n] = '\0';
        for (const char *p = target; *p;) {
                size_t len = strcspn(p, "/");

                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        char *slash = strrchr(buf, '/');

                        if (!slash || slash == buf)
                                return -EINVAL; /* above the root */
                        n = (size_t) (slash - buf);
                        buf[n] = '\0';
                } else if (len > 0 && !(len == 1 && p[0] == '.')) {
                        if (n + 1 + len >= PATH_MAX)
                                return -ENAMETOOLONG;
                        buf[n++] = '/';
                        memcpy(buf + n, p, len);
                        n += len;
                        buf[n] = '\0';
                }
                p += len;
                p += *p == '/';
        }
        return n > 0 ? 0 : -EINVAL;
}
