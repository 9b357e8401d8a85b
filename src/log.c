/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

/* Set once from the command line before the loop starts. */
static int max_level = LOG_NOTICE;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int) i;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
                return s[0] - '0';
        return -EINVAL;
}

int log_internal(int level, int error, const char *func, const char *format, ...) {
        int saved = errno;
        char buf[2048];
        va_list ap;

        error = abs(error);
        if (level > max_level)
                return -error;

        /* glibc expands %m from errno: make it describe the error we were given. */
        errno = error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);

        if (max_level >= LOG_DEBUG)
                fprintf(stderr, "<%d>%s: %s\n", level, func, buf);
        else
                fprintf(stderr, "<%d>%s\n", level, buf);

        errno = saved;
        return -error;
}
