/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "owner-parse.h"
#include "sysfs-parse.h"

/* Longest name we publish: a VM name is short (machined allows 64). */
#define OWNER_NAME_MAX 256

/* The next argument of a cmdline buffer at *pos, or NULL at the end. The
 * last one may lack its NUL: its length comes from the buffer. */
static const char *next_arg(const char *buf, size_t len, size_t *pos, size_t *ret_len) {
        const char *arg, *end;

        if (*pos >= len)
                return NULL;
        arg = buf + *pos;
        end = memchr(arg, '\0', len - *pos);
        *ret_len = end ? (size_t) (end - arg) : len - *pos;
        *pos += *ret_len + 1;
        return arg;
}

/* The first option of a QEMU option string: up to a lone ',' (",," is a comma). */
static int first_option(const char *s, size_t len, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t n = 0;

        out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == ',') {
                        if (i + 1 < len && s[i + 1] == ',') {
                                out[n++] = ',';
                                i++;
                                continue;
                        }
                        break;
                }
                out[n++] = s[i];
        }
        out[n] = '\0';
        if (n == 0 || n > OWNER_NAME_MAX || !utf8_is_valid(out))
                return 0;
        *ret = TAKE_PTR(out);
        return 1;
}

/* The guest name in a -name value: "guest=NAME,..." or a first option without '='. */
static int name_value(const char *v, size_t len, char **ret) {
        size_t pos = 0;

        /* "guest=" may be any of the options, libvirt puts it first. */
        while (pos < len) {
                const char *opt = v + pos;
                size_t n = 0;

                while (pos + n < len && !(opt[n] == ',' && !(pos + n + 1 < len && opt[n + 1] == ',')))
                        n += opt[n] == ',' ? 2 : 1;
                if (n > 6 && strncmp(opt, "guest=", 6) == 0)
                        return first_option(opt + 6, n - 6, ret);
                if (pos == 0 && !memchr(opt, '=', n))
                        return first_option(opt, n, ret);
                pos += n + 1;
        }
        return 0;
}

int owner_name_from_cmdline(const char *buf, size_t len, char **ret) {
        size_t pos = 0, n;
        const char *arg;

        if (!buf)
                return 0;
        while ((arg = next_arg(buf, len, &pos, &n))) {
                const char *value;
                size_t value_len;

                if ((n == 5 && memcmp(arg, "-name", 5) == 0) || (n == 6 && memcmp(arg, "--name", 6) == 0)) {
                        value = next_arg(buf, len, &pos, &value_len);
                        if (!value)
                                return 0;
                } else if (n > 6 && memcmp(arg, "-name=", 6) == 0) {
                        value = arg + 6, value_len = n - 6;
                } else if (n > 7 && memcmp(arg, "--name=", 7) == 0) {
                        value = arg + 7, value_len = n - 7;
                } else
                        continue;
                return name_value(value, value_len, ret);
        }
        return 0;
}

int owner_name_from_comm(const char *buf, size_t len, char **ret) {
        char *out;

        if (!buf)
                return 0;
        if (memchr(buf, '\0', len))
                len = strlen(buf);
        while (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 0)
                return 0;
        if (len > OWNER_NAME_MAX)
                len = OWNER_NAME_MAX;
        out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        /* comm is 15 bytes the process chose: keep ASCII, mask the rest. */
        for (size_t i = 0; i < len; i++)
                out[i] = (unsigned char) buf[i] >= 0x20 && (unsigned char) buf[i] < 0x7f ? buf[i] : '?';
        out[len] = '\0';
        *ret = out;
        return 1;
}
