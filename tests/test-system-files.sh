#!/bin/sh
# The files a distribution ships: the unit verifies and is hardened, man
# pages render without warnings, and `make install DESTDIR=` puts every file
# where it belongs.
set -u
: "${abs_top_builddir:?run through make check}" "${abs_top_srcdir:?run through make check}"

fail=0
pass=0
check() { # check DESCRIPTION COMMAND...
        desc=$1
        shift
        if "$@"; then
                pass=$((pass + 1))
        else
                echo "FAIL: $desc" >&2
                fail=$((fail + 1))
        fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Man pages, in a tree man(1) can search.
for section in 1 5 8; do
        mkdir -p "$tmp/man/man$section"
        for page in "$abs_top_srcdir"/man/*."$section"; do
                ln -s "$page" "$tmp/man/man$section/"
                check "$(basename "$page") renders without warnings" \
                        sh -c "test -z \"\$(MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null)\""
        done
done

# The unit, pointed at the daemon we built.
if command -v systemd-analyze >/dev/null 2>&1; then
        sed "s|^ExecStart=.*|ExecStart=$abs_top_builddir/sriov-monitord|" \
                "$abs_top_builddir/systemd/sriov-monitord.service" >"$tmp/sriov-monitord.service"
        check "systemd-analyze verify" env MANPATH="$tmp/man" systemd-analyze verify "$tmp/sriov-monitord.service"
        security=$(systemd-analyze security --offline=true "$tmp/sriov-monitord.service" 2>&1 | tail -n 1)
        echo "systemd-analyze security: $security"
        check "hardening keeps the exposure at or below 3.0" \
                sh -c "echo '$security' | awk '{ for (i = 1; i <= NF; i++) if (\$i ~ /^[0-9]+\\.[0-9]+\$/) exit !(\$i <= 3.0); exit 1 }'"
        for forbidden in PrivateNetwork PrivateDevices; do
                check "the unit does not set $forbidden" sh -c "! grep -q '^$forbidden=' '$tmp/sriov-monitord.service'"
        done
else
        echo "SKIP: systemd-analyze is not installed; the unit is not verified"
fi

# The installed tree, as configured, under DESTDIR.
root=$tmp/root
make -s -C "$abs_top_builddir" install DESTDIR="$root" >/dev/null
installed() { # installed RELATIVE-PATH-PATTERN: the one file that matches, under the root
        find "$root" -path "$root/$1" \( -type f -o -type l \) | head -n 1
}
for f in '*/sbin/sriov-monitord' '*/bin/sriov-status' '*/systemd/system/sriov-monitord.service' \
        '*/dbus-1/system.d/org.sriov.Monitor1.conf' '*/dbus-1/system-services/org.sriov.Monitor1.service' \
        '*/dbus-1/interfaces/org.sriov.Monitor1.xml' '*/polkit-1/actions/org.sriov.Monitor1.policy' \
        '*/man/man1/sriov-status.1' '*/man/man5/org.sriov.Monitor1.5' '*/man/man8/sriov-monitord.8'; do
        check "installed: $f" test -s "$(installed "$f")"
done
unit=$(installed '*/systemd/system/sriov-monitord.service')
service=$(installed '*/dbus-1/system-services/org.sriov.Monitor1.service')
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
check "the unit runs the installed daemon ($exec_start)" test -x "$root$exec_start"
check "activation runs the same daemon" grep -qx "Exec=$exec_start" "$service"
check "activation goes through the unit" grep -q '^SystemdService=sriov-monitord.service$' "$service"
check "sriov-status is versioned" sh -c "'$(installed '*/bin/sriov-status')' --version | grep -q '^sriov-status [0-9]'"
check "the polkit action is declared" grep -q 'action id="org.sriov.monitor1.refresh"' \
        "$(installed '*/polkit-1/actions/org.sriov.Monitor1.policy')"

echo "$pass passed, $fail failed"
test "$fail" -eq 0
