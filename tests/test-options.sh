#!/bin/sh
# Each program's --help and its man page's OPTIONS section list the same
# options: every option --help shows is documented, and every documented
# option is in --help. Generic: it reads both, whatever the options are.
set -u
: "${abs_top_builddir:?run through make check}" "${abs_top_srcdir:?run through make check}"

fail=0
pass=0

# The options of --help: on each line that starts (after spaces) with a
# dash, the leading words that are options ("-h, --help", "--format=FMT").
help_options() {
        "$1" --help | awk '/^[ \t]+-/ {
                for (i = 1; i <= NF && $i ~ /^-/; i++) {
                        o = $i
                        sub(/[,;]$/, "", o); sub(/\[?=.*/, "", o)
                        if (o ~ /^--?[A-Za-z0-9]/) print o
                }
        }' | sort -u
}

# The options of the man page: the tags (the line after .TP or .TQ) of the
# OPTIONS section, with roff's "\-" read as "-".
man_options() {
        awk '/^\.SH / { in_opts = ($0 ~ /^\.SH "?OPTIONS"?$/); next }
             in_opts && /^\.(TP|TQ)/ { tag = 1; next }
             in_opts && tag { print; tag = 0 }' "$1" |
                sed 's/\\-/-/g; s/\\f[BIRP]//g' |
                grep -oE '(^|[^A-Za-z0-9-])--?[A-Za-z0-9][A-Za-z0-9-]*' |
                sed 's/^[^-]*//' | sort -u
}

for pair in sriov-monitord:sriov-monitord.8 sriov-status:sriov-status.1; do
        program=$abs_top_builddir/${pair%%:*}
        page=$abs_top_srcdir/man/${pair#*:}
        help_options "$program" >"${TMPDIR:-/tmp}/help.$$"
        man_options "$page" >"${TMPDIR:-/tmp}/man.$$"
        if [ ! -s "${TMPDIR:-/tmp}/help.$$" ] || [ ! -s "${TMPDIR:-/tmp}/man.$$" ]; then
                echo "FAIL: ${pair%%:*}: no options found in --help or in ${pair#*:}'s OPTIONS" >&2
                fail=$((fail + 1))
        fi
        missing=$(comm -23 "${TMPDIR:-/tmp}/help.$$" "${TMPDIR:-/tmp}/man.$$")
        extra=$(comm -13 "${TMPDIR:-/tmp}/help.$$" "${TMPDIR:-/tmp}/man.$$")
        rm -f "${TMPDIR:-/tmp}/help.$$" "${TMPDIR:-/tmp}/man.$$"
        for o in $missing; do
                echo "FAIL: ${pair%%:*} --help shows $o, which ${pair#*:} OPTIONS does not document" >&2
                fail=$((fail + 1))
        done
        for o in $extra; do
                echo "FAIL: ${pair#*:} OPTIONS documents $o, which ${pair%%:*} --help does not show" >&2
                fail=$((fail + 1))
        done
        [ -z "$missing$extra" ] && pass=$((pass + 1)) && echo "ok: ${pair%%:*}: --help and ${pair#*:} agree"
done
# Usage errors of the fleet options (issue 17): status 2 and a message,
# before anything starts.
for bad in --metrics-file=relative.prom --metrics-file=/tmp/dir/ --features-file=features \
        --driverless-grace=-1 --driverless-grace=86401 --driverless-grace=ten --metrics-file; do
        err=$("$abs_top_builddir/sriov-monitord" "$bad" 2>&1 >/dev/null)
        status=$?
        if [ "$status" -eq 2 ] && [ -n "$err" ]; then
                pass=$((pass + 1))
        else
                echo "FAIL: sriov-monitord $bad: status $status (expected 2), '$err'" >&2
                fail=$((fail + 1))
        fi
done

echo "$pass passed, $fail failed"
test "$fail" -eq 0
