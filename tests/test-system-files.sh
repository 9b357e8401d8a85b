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
                # In the C locale too, as on a fresh machine without one.
                check "$(basename "$page") renders without warnings" \
                        sh -c "test -z \"\$(LC_ALL=C MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null)\""
                check "$(basename "$page") has no control characters" \
                        sh -c "! LC_ALL=C tr -d '\\t\\n' <'$page' | LC_ALL=C grep -q '[[:cntrl:]]'"
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

# The installed tree, as configured, under DESTDIR: every file at the path
# configure chose for it, and nothing else.
: "${inst_sbindir:?}" "${inst_bindir:?}" "${inst_mandir:?}" "${inst_systemdsystemunitdir:?}" "${inst_dbuspolicydir:?}" \
        "${inst_dbussystemservicedir:?}" "${inst_polkitactiondir:?}" "${inst_dbusinterfacesdir:?}" "${inst_catalogdir:?}"
root=$tmp/root
make -s -C "$abs_top_builddir" install DESTDIR="$root" >/dev/null
expected="$inst_sbindir/sriov-monitord
$inst_bindir/sriov-status
$inst_systemdsystemunitdir/sriov-monitord.service
$inst_dbuspolicydir/org.sriov.Monitor1.conf
$inst_dbussystemservicedir/org.sriov.Monitor1.service
$inst_dbusinterfacesdir/org.sriov.Monitor1.xml
$inst_polkitactiondir/org.sriov.Monitor1.policy
$inst_catalogdir/sriov-monitor.catalog
$inst_mandir/man1/sriov-status.1
$inst_mandir/man5/org.sriov.Monitor1.5
$inst_mandir/man8/sriov-monitord.8"
for f in $expected; do
        check "installed: $f" test -s "$root$f"
done
normalize() { sed 's|//*|/|g' | sort; }
echo "$expected" | normalize >"$tmp/expected"
(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||') | normalize >"$tmp/installed"
check "make install installs exactly these files" diff -u "$tmp/expected" "$tmp/installed"
installed() { # installed RELATIVE-PATH-PATTERN: the one file that matches, under the root
        find "$root" -path "$root/$1" \( -type f -o -type l \) | head -n 1
}

# Each system directory is one its reader reads, or configure warned that
# it is not (as under distcheck's own prefix): each reader's own list, not
# configure's.
dbus_datadir=$(pkg-config --variable=datadir dbus-1 2>/dev/null) || dbus_datadir=/usr/share
system_conf=$dbus_datadir/dbus-1/system.conf
reads_dbuspolicydir=$(sed -n 's|.*<includedir>\(.*\)</includedir>.*|\1|p' "$system_conf" 2>/dev/null |
        sed "s|^\([^/]\)|$dbus_datadir/dbus-1/\1|")
reads_dbussystemservicedir="$(sed -n 's|.*<servicedir>\(.*\)</servicedir>.*|\1|p' "$system_conf" 2>/dev/null)"
grep -q '<standard_system_servicedirs/>' "$system_conf" 2>/dev/null && reads_dbussystemservicedir="$reads_dbussystemservicedir
/usr/local/share/dbus-1/system-services $dbus_datadir/dbus-1/system-services /lib/dbus-1/system-services"
reads_systemdsystemunitdir=$(systemd-analyze unit-paths 2>/dev/null) ||
        reads_systemdsystemunitdir=$(pkg-config --variable=systemdsystemunitpath systemd | tr ':' ' ')
reads_polkitactiondir=$(pkg-config --variable=actiondir polkit-gobject-1 2>/dev/null) ||
        reads_polkitactiondir=/usr/share/polkit-1/actions
check "dbus-daemon's system.conf was found ($system_conf)" test -n "$reads_dbuspolicydir"
reads_catalogdir="/usr/local/lib/systemd/catalog /usr/lib/systemd/catalog"
for d in dbuspolicydir dbussystemservicedir systemdsystemunitdir polkitactiondir catalogdir; do
        eval "dir=\$inst_$d reads=\$reads_$d"
        dir=$(echo "$dir" | sed 's|//*|/|g; s|\(.\)/$|\1|')
        read=no
        for r in $reads; do
                [ "$dir" = "$(echo "$r" | sed 's|//*|/|g; s|\(.\)/$|\1|')" ] && read=yes
        done
        if grep -q "^  $d=$dir (the system reads" "$abs_top_builddir/config.log"; then warned=yes; else warned=no; fi
        if [ "$read" = yes ]; then
                check "$d $dir is read by the system, and configure did not warn" test "$warned" = no
        else
                echo "note: $d $dir is not read by this system"
                check "configure warned that $d $dir is not read by the system" test "$warned" = yes
        fi
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

# The journal catalog: journalctl compiles it and lists every MESSAGE_ID
# the daemon sends (src/journal-fields.h), with a subject.
if command -v journalctl >/dev/null 2>&1; then
        mkdir -p "$tmp/journal/usr/lib/systemd/catalog"
        cp "$abs_top_srcdir/systemd/sriov-monitor.catalog" "$tmp/journal/usr/lib/systemd/catalog/"
        check "journalctl --update-catalog takes the catalog" \
                sh -c "journalctl --root='$tmp/journal' --update-catalog 2>'$tmp/catalog.err' && ! grep -q . '$tmp/catalog.err'"
        journalctl --root="$tmp/journal" --list-catalog >"$tmp/catalog.list" 2>/dev/null
        for id in $(sed -n 's/^#define SRIOV_MESSAGE_[A-Z_]* *"\([0-9a-f]*\)"$/\1/p' "$abs_top_srcdir/src/journal-fields.h"); do
                check "the catalog explains $id" grep -q "^$id sriov-monitor: [A-Za-z]" "$tmp/catalog.list"
        done
        n_ids=$(grep -c '^#define SRIOV_MESSAGE_[A-Z_]* *"[0-9a-f]\{32\}"$' "$abs_top_srcdir/src/journal-fields.h")
        check "the catalog has the daemon's $n_ids MESSAGE_IDs, no more" \
                test "$(grep -c '^-- [0-9a-f]\{32\}$' "$abs_top_srcdir/systemd/sriov-monitor.catalog")" = "$n_ids"
else
        echo "SKIP: journalctl is not installed; the catalog is not checked"
fi

echo "$pass passed, $fail failed"
test "$fail" -eq 0
