/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "port-name.h"

/* Decimal digits at *s, no leading zero unless "0", at most UINT32_MAX. */
static int number(const char **s, uint32_t *ret) {
        uint64_t v = 0;
        const char *p = *s;

        if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                v = v * 10 + (uint64_t) (*p - '0');
                if (v > UINT32_MAX)
                        return -EINVAL;
        }
        *s = p;
        *ret = (uint32_t) v;
        return 0;
}

static bool skip(const char **s, const char *prefix) {
        size_t n = strlen(prefix);

        if (strncmp(*s, prefix, n) != 0)
                return false;
        *s += n;
        return true;
}

int port_name_parse(const char *s, PortName *ret) {
        PortName p = { .number = UINT32_MAX };
        size_t len;

        if (!s)
                return -EINVAL;
        len = strlen(s);
        if (len > 0 && s[len - 1] == '\n')
                len--;
        if (len == 0 || len > 64)
                return -EINVAL;
        char buf[65];
        memcpy(buf, s, len);
        buf[len] = '\0';
        s = buf;

        if (skip(&s, "c")) {
                if (number(&s, &p.controller) < 0)
                        return -EINVAL;
                p.external = p.controller != 0;
                if (!skip(&s, "pf"))
                        return -EINVAL;
                goto pf;
        }
        if (skip(&s, "pf"))
                goto pf;
        if (!skip(&s, "p") || number(&s, &p.pf) < 0)
                return -EINVAL;
        p.kind = PORT_NAME_UPLINK;
        if (skip(&s, "s") && number(&s, &p.number) < 0)
                return -EINVAL;
        goto end;
pf:
        if (number(&s, &p.pf) < 0)
                return -EINVAL;
        p.kind = PORT_NAME_PF;
        /* "vfr" before "vf": older ice. */
        if (skip(&s, "vfr") || skip(&s, "vf"))
                p.kind = PORT_NAME_VF;
        else if (skip(&s, "sf"))
                p.kind = PORT_NAME_SF;
        if (p.kind != PORT_NAME_PF && number(&s, &p.number) < 0)
                return -EINVAL;
end:
        if (*s != '\0')
                return -EINVAL;
        *ret = p;
        return 0;
}

bool port_name_is_representor(const PortName *p) {
        return p->kind != PORT_NAME_UPLINK;
}
