#!/bin/sh
# make demo's program, as make demo runs it: it succeeds, prints nothing on
# standard error (dbus-daemon's own messages are not part of it), and leaves
# nothing behind: no private bus socket (/tmp/dbus-XXXX), no testbed.
set -u
: "${abs_top_builddir:?run through make check}"

out=$("$abs_top_builddir/tests/sriov-demo" 2>"${TMPDIR:-/tmp}/demo-err.$$")
status=$?
err=$(cat "${TMPDIR:-/tmp}/demo-err.$$")
rm -f "${TMPDIR:-/tmp}/demo-err.$$"
fail=0
check() { # check DESCRIPTION COMMAND...
        desc=$1
        shift
        if "$@"; then echo "ok: $desc"; else echo "FAIL: $desc" >&2; fail=1; fi
}
check "the demo exits 0" test "$status" -eq 0
check "the demo prints nothing on stderr" test -z "$err"
[ -z "$err" ] || printf 'its stderr:\n%s\n' "$err" >&2
check "the demo shows the daemon's start line" sh -c 'printf "%s\n" "$1" | grep -q "^<5>Monitoring 4 PFs, 8 VFs\.$"' sh "$out"
check "the daemon stopped cleanly" sh -c 'printf "%s\n" "$1" | grep -q "^sriov-monitord stopped cleanly\.$"' sh "$out"
bus=$(printf '%s\n' "$out" | sed -n 's/^sriov-monitord is running on a private system bus: unix:path=\([^,]*\).*/\1/p')
testbed=$(printf '%s\n' "$out" | sed -n 's/^Simulated host: .*(testbed \(.*\))$/\1/p')
check "the demo says where its bus is" test -n "$bus"
check "its bus socket ($bus) is gone" test ! -e "$bus"
check "its testbed ($testbed) is gone" test -n "$testbed" -a ! -e "$testbed"
exit "$fail"
