/* SPDX-License-Identifier: MIT */
/* Sysfs attribute values and link targets: whatever bytes a driver or a
 * broken host puts in an attribute or a link, each parser must give either
 * exactly the value a reference reading gives or an error, and a parsed
 * value must read back the same once printed the way the kernel prints it. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>

#include "fuzz.h"
#include "sysfs-parse.h"

/* The value without its one optional trailing newline. */
static size_t value_length(const char *s) {
        size_t n = strlen(s);

        return n > 0 && s[n - 1] == '\n' ? n - 1 : n;
}

/* The reference: 1 to 20 digits of base, nothing else, at most max. */
static bool ref_unsigned(const char *s, size_t n, unsigned base, unsigned long long max, unsigned long long *ret) {
        unsigned long long v = 0;

        if (n == 0 || n > 20)
                return false;
        for (size_t i = 0; i < n; i++) {
                const char *digits = "0123456789abcdef", *p;
                char c = s[i] >= 'A' && s[i] <= 'F' && base == 16 ? (char) (s[i] - 'A' + 'a') : s[i];

                p = c ? memchr(digits, c, base) : NULL;
                if (!p)
                        return false;
                if (v > max / base || v * base > max - (unsigned long long) (p - digits))
                        return false;
                v = v * base + (unsigned long long) (p - digits);
        }
        *ret = v;
        return true;
}

static void check_hex_u16(const char *s) {
        const char *digits = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s + 2 : s;
        unsigned long long expected;
        bool ok = ref_unsigned(digits, value_length(digits), 16, UINT16_MAX, &expected);
        uint16_t v = 0x5a5a, w;
        char buf[16];
        int r = parse_hex_u16(s, &v);

        fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE);
        fuzz_assert((r == 0) == ok);
        if (r < 0) {
                fuzz_assert(v == 0x5a5a);
                return;
        }
        fuzz_assert(v == expected);
        /* vendor/device print "0x%04x\n"; sriov_vf_device prints bare hex. */
        snprintf(buf, sizeof(buf), "0x%04x\n", v);
        fuzz_assert(parse_hex_u16(buf, &w) == 0 && w == v);
        snprintf(buf, sizeof(buf), "%X", v);
        fuzz_assert(parse_hex_u16(buf, &w) == 0 && w == v);
}

static void check_u32(const char *s) {
        unsigned long long expected;
        bool ok = ref_unsigned(s, value_length(s), 10, UINT32_MAX, &expected);
        uint32_t v = 0x5a5a5a5a, w;
        char buf[16];
        int r = parse_u32(s, &v);

        fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE);
        fuzz_assert((r == 0) == ok);
        if (r < 0) {
                fuzz_assert(v == 0x5a5a5a5a);
                return;
        }
        fuzz_assert(v == expected);
        snprintf(buf, sizeof(buf), "%u\n", v);
        fuzz_assert(parse_u32(buf, &w) == 0 && w == v);
}

static void check_i32(const char *s) {
        bool negative = s[0] == '-';
        const char *digits = negative ? s + 1 : s;
        unsigned long long expected;
        bool ok = ref_unsigned(digits, value_length(digits), 10,
                               negative ? (unsigned long long) INT32_MAX + 1 : INT32_MAX, &expected);
        int32_t v = 0x5a5a5a5a, w;
        char buf[16];
        int r = parse_i32(s, &v);

        fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE);
        fuzz_assert((r == 0) == ok);
        if (r < 0) {
                fuzz_assert(v == 0x5a5a5a5a);
                return;
        }
        fuzz_assert((long long) v == (negative ? -(long long) expected : (long long) expected));
        snprintf(buf, sizeof(buf), "%d\n", v);
        fuzz_assert(parse_i32(buf, &w) == 0 && w == v);
}

static void check_bool(const char *s) {
        static const char *const words[] = { "1", "y", "yes", "true", "on", "0", "n", "no", "false", "off" };
        size_t n = value_length(s);
        int expected = -1;
        bool v, w;
        int r;

        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
                        expected = i < 5;
        /* The opposite of the answer, so that a value left untouched shows. */
        v = expected != 1;
        r = parse_bool(s, &v);
        fuzz_assert(r == 0 || r == -EINVAL);
        fuzz_assert((r == 0) == (expected >= 0));
        if (r < 0)
                return;
        fuzz_assert(v == (expected == 1));
        fuzz_assert(parse_bool(v ? "1\n" : "0\n", &w) == 0 && w == v);
}

static void check_virtfn_name(const char *s) {
        uint32_t v = 0x5a5a5a5a;
        char buf[32];
        int r = parse_virtfn_name(s, &v);

        fuzz_assert(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r < 0) {
                /* Then s is not what the kernel names a VF link ("virtfn%d"). */
                unsigned long long n;

                fuzz_assert(v == 0x5a5a5a5a);
                fuzz_assert(strncmp(s, "virtfn", 6) != 0 || (s[6] == '0' && s[7]) ||
                            !ref_unsigned(s + 6, strlen(s + 6), 10, UINT32_MAX, &n));
                return;
        }
        /* Only the kernel's exact spelling names a VF. */
        snprintf(buf, sizeof(buf), "virtfn%u", v);
        fuzz_assert(strcmp(buf, s) == 0);
}

static void check_link_target_basename(const char *s) {
        const char *base = link_target_basename(s), *slash = strrchr(s, '/');

        if (!base) {
                fuzz_assert(s[0] == '\0' || s[strlen(s) - 1] == '/');
                return;
        }
        fuzz_assert(base >= s && base < s + strlen(s));
        fuzz_assert(base == (slash ? slash + 1 : s));
        fuzz_assert(*base && !strchr(base, '/'));
}

static void check_driver_is_vfio(const char *s) {
        size_t n = strlen(s);
        bool expected = n >= 8 && (strcmp(s + n - 8, "vfio-pci") == 0 || strcmp(s + n - 8, "vfio_pci") == 0);

        fuzz_assert(driver_is_vfio(s) == expected);
}

/* The reference: the well-formed byte sequences of the Unicode standard's
 * table 3-7, row by row, written independently of utf8_is_valid(). */
static bool ref_utf8_is_valid(const unsigned char *s) {
        static const struct {
                unsigned char lead_min, lead_max, second_min, second_max, trailing;
        } rows[] = {
                { 0x00, 0x7f, 0, 0, 0 },
                { 0xc2, 0xdf, 0x80, 0xbf, 0 },
                { 0xe0, 0xe0, 0xa0, 0xbf, 1 },
                { 0xe1, 0xec, 0x80, 0xbf, 1 },
                { 0xed, 0xed, 0x80, 0x9f, 1 },
                { 0xee, 0xef, 0x80, 0xbf, 1 },
                { 0xf0, 0xf0, 0x90, 0xbf, 2 },
                { 0xf1, 0xf3, 0x80, 0xbf, 2 },
                { 0xf4, 0xf4, 0x80, 0x8f, 2 },
        };

        while (*s) {
                size_t i, k;

                for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
                        if (*s >= rows[i].lead_min && *s <= rows[i].lead_max)
                                break;
                if (i == sizeof(rows) / sizeof(rows[0]))
                        return false;
                if (i == 0) {
                        s++;
                        continue;
                }
                if (s[1] < rows[i].second_min || s[1] > rows[i].second_max)
                        return false;
                for (k = 0; k < rows[i].trailing; k++)
                        if (s[2 + k] < 0x80 || s[2 + k] > 0xbf)
                                return false;
                s += 2 + rows[i].trailing;
        }
        return true;
}

/* The reference for link_target_resolve(): a stack of components, "."
 * skipped, ".." popped, never emptied (that would be above the root), and
 * never longer than PATH_MAX on the way. */
static int ref_link_target_resolve(const char *dir, const char *target, char *buf) {
        static struct {
                const char *s;
                size_t len;
        } stack[PATH_MAX];
        size_t depth = 0, total = 0;

        if (target[0] == '/') {
                if (strlen(target) >= PATH_MAX)
                        return -ENAMETOOLONG;
                strcpy(buf, target);
                return 0;
        }
        for (const char *const *part = (const char *const[]) { dir, target, NULL }; *part; part++)
                for (const char *c = *part; *c;) {
                        size_t len = strcspn(c, "/");

                        if (len == 2 && c[0] == '.' && c[1] == '.') {
                                if (part[0] == dir)
                                        return -2; /* not a dir the daemon uses: not checked */
                                if (depth <= 1)
                                        return -EINVAL;
                                total -= stack[--depth].len + 1;
                        } else if (len > 0 && !(len == 1 && c[0] == '.')) {
                                if (total + 1 + len >= PATH_MAX)
                                        return -ENAMETOOLONG;
                                stack[depth].s = c;
                                stack[depth++].len = len;
                                total += len + 1;
                        }
                        c += len;
                        if (*c)
                                c++;
                }
        if (depth == 0)
                return -EINVAL;
        buf[0] = '\0';
        for (size_t i = 0, n = 0; i < depth; i++) {
                buf[n++] = '/';
                memcpy(buf + n, stack[i].s, stack[i].len);
                n += stack[i].len;
                buf[n] = '\0';
        }
        return 0;
}

static void check_link_target_resolve(const char *dir, const char *target) {
        static char buf[PATH_MAX], expected[PATH_MAX], again[PATH_MAX];
        int r = link_target_resolve(dir, target, buf);
        int e = ref_link_target_resolve(dir, target, expected);

        fuzz_assert(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
        if (e == -2)
                return;
        fuzz_assert(r == e);
        if (r < 0)
                return;
        fuzz_assert(strcmp(buf, expected) == 0);
        if (target[0] == '/')
                return;
        /* A resolved path is a fixed point: nothing left to fold. */
        fuzz_assert(buf[0] == '/' && !strstr(buf, "//") && !strstr(buf, "/./") && !strstr(buf, "/../"));
        fuzz_assert(link_target_resolve(buf, ".", again) == 0 && strcmp(again, buf) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);

        if (!s)
                abort();
        /* Attribute files are read whole and then used as C strings: bytes
         * after a NUL are invisible to the parsers, as they are here. */
        memcpy(s, data, size);
        s[size] = '\0';

        check_hex_u16(s);
        check_u32(s);
        check_i32(s);
        check_bool(s);
        check_virtfn_name(s);
        check_link_target_basename(s);
        check_driver_is_vfio(s);
        /* Where the daemon resolves links (SYSFS_PCI_DEVICES), and a shallow one. */
        check_link_target_resolve("/sys/bus/pci/devices", s);
        check_link_target_resolve("/sys/", s);
        fuzz_assert(utf8_is_valid(s) == ref_utf8_is_valid((const unsigned char *) s));

        free(s);
        return 0;
}
