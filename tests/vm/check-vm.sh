#!/bin/sh
# make check-vm: the daemon on a real kernel with real SR-IOV.
#
# A Debian 12 guest (systemd as PID 1, udev, dbus, polkitd) boots under QEMU
# (TCG, no KVM needed) with two emulated Intel 82576 NICs (igb: 7 VFs each,
# VF driver igbvf) behind their own PCIe root ports and an emulated IOMMU,
# so vfio-pci binds for real. The project is installed into the guest the
# way the README says (./configure --prefix=/usr --sysconfdir=/etc && make
# install), a guest service runs the scenarios (tests/vm/guest/lab-run) and
# writes the results to a 9p share, then powers the guest off.
#
# Everything lives under the build tree, in vm-lab/: the guest's base system
# (built once with mmdebstrap, keyed on tests/vm/guest-packages), the image
# of this run, the results and the guest's console log (console.log, the
# first thing to read when something fails).
#
# VM_SCENARIOS="rename two_pfs" runs only those scenarios (names in
# tests/vm/guest/lab-scenarios); VM_TIMEOUT bounds the guest's run (s).
#
# Exit: 0 all scenarios passed, 1 something failed, 77 cannot run here
# (no root, no QEMU with igb, no mmdebstrap): the reason is printed.
set -u
srcdir=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${abs_top_builddir:-$(pwd)}
lab=${VM_LAB_DIR:-$builddir/vm-lab}
qemu=${QEMU:-qemu-system-x86_64}
suite=bookworm
# How long the guest may run (boot, scenarios, power-off). Generous: under
# TCG on a loaded 2-core host the scenarios take a few minutes.
guest_timeout=${VM_TIMEOUT:-1500}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
say() { echo "check-vm: $(date -u +%H:%M:%S) $*"; }

[ "$(id -u)" = 0 ] || skip "make check-vm needs root (mmdebstrap, chroot and mkfs.ext4 -d build the guest)"
command -v "$qemu" >/dev/null 2>&1 || skip "$qemu is not installed (sh .ci/install-deps installs it from bookworm-backports)"
"$qemu" -device help 2>/dev/null | grep -q '"igb"' ||
        skip "$qemu has no igb device (QEMU >= 8.0 needed: sh .ci/install-deps installs it from bookworm-backports)"
for tool in mmdebstrap mkfs.ext4 chroot; do
        command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (sh .ci/install-deps)"
done

# The Debian mirror this host uses, for the guest too.
mirror() {
        for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
                [ -f "$f" ] || continue
                u=$(grep -Ev '^[[:space:]]*#' "$f" | grep -Eo 'https?://[^ ]+/debian/?' | grep -v security | head -n 1)
                [ -n "$u" ] && { echo "$u"; return; }
        done
        echo http://deb.debian.org/debian
}
mirror=${VM_MIRROR:-$(mirror)}

mkdir -p "$lab"
start=$(date +%s)
packages=$(grep -v '^#' "$srcdir/tests/vm/guest-packages" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
# An initrd with just what finds the root disk: the default (MODULES=most)
# copies most of the kernel's modules, and is rebuilt by several packages'
# triggers, minutes each under load.
initramfs_setup='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"
echo MODULES=list >"$1/etc/initramfs-tools/conf.d/sriov-lab"
printf "%s\n" "#!/bin/sh" "[ \"\$1\" = prereqs ] && exit 0" ". /usr/share/initramfs-tools/hook-functions" \
        "for m in virtio_pci virtio_blk ext4; do force_load \$m; done" >"$1/etc/initramfs-tools/hooks/sriov-lab"
chmod +x "$1/etc/initramfs-tools/hooks/sriov-lab"'
key=$(printf '%s\n%s\n%s\n%s\n' "$suite" "$mirror" "$packages" "$initramfs_setup" | sha256sum | cut -c1-16)
base=$lab/base-$key.tar

# 1. The guest's base system, once per package list.
if [ ! -s "$base" ]; then
        say "building the guest's base system ($suite, minbase + guest-packages) from $mirror; log: $lab/mmdebstrap.log"
        rm -f "$lab"/base-*.tar
        if ! mmdebstrap --variant=minbase --include="$packages" \
                --setup-hook="$initramfs_setup" \
                --customize-hook='echo sriov-lab >"$1/etc/hostname"' \
                --format=tar "$suite" "$lab/base.tmp.tar" "$mirror" >"$lab/mmdebstrap.log" 2>&1; then
                tail -n 20 "$lab/mmdebstrap.log"
                rm -f "$lab/base.tmp.tar"
                fail "mmdebstrap could not build the guest (log: $lab/mmdebstrap.log)"
        fi
        mv "$lab/base.tmp.tar" "$base"
        say "base system built in $(($(date +%s) - start)) s"
fi

# 2. This run's root: the base, the project installed as the README says,
#    and the lab's own files.
root=$lab/root
# A run killed during the install may have left its /proc mounted.
umount "$root/proc" 2>/dev/null
rm -rf "$root" "$lab/src" "$lab/results" "$lab/console.log" "$lab/root.img"
mkdir -p "$root" "$lab/results"
tar -C "$root" -xf "$base" || fail "cannot unpack $base"
say "copying the project's sources (make distdir)"
make -s -C "$builddir" distdir distdir="$lab/src" top_distdir="$lab/src" >"$lab/distdir.log" 2>&1 ||
        { tail -n 20 "$lab/distdir.log"; fail "make distdir failed"; }
rm -rf "$root/usr/src/sriov-monitor"
mv "$lab/src" "$root/usr/src/sriov-monitor"
guest=$srcdir/tests/vm/guest
mkdir -p "$root/usr/lib/sriov-lab"
cp "$guest"/lab-run "$guest"/lab-check "$guest"/lab-scenarios "$guest"/lab-watch.c "$root/usr/lib/sriov-lab/"
cp "$guest/sriov-lab.service" "$root/etc/systemd/system/"
mkdir -p "$root/etc/sriov-lab"
[ -z "${VM_SCENARIOS:-}" ] || echo "$VM_SCENARIOS" >"$root/etc/sriov-lab/scenarios"
say "installing the project into the guest (./configure --prefix=/usr --sysconfdir=/etc && make install)"
# The base has its own /dev nodes; /proc only for the time of the chroot.
# (Not unshare -m: inside a chroot, as in CI's, it cannot make / private.)
mount -t proc proc "$root/proc" || fail "cannot mount /proc for the guest's chroot"
trap 'umount -l "$root/proc" 2>/dev/null; exit 1' INT TERM
chroot "$root" sh -ec "
        cd /usr/src/sriov-monitor
        ./configure --prefix=/usr --sysconfdir=/etc
        make -j2
        make install
        cc -O2 -Wall -Wextra -o /usr/lib/sriov-lab/lab-watch /usr/lib/sriov-lab/lab-watch.c \$(pkg-config --cflags --libs libsystemd)
        systemctl enable sriov-lab.service
        mandb -q || true" >"$lab/install.log" 2>&1
install_status=$?
umount "$root/proc" || umount -l "$root/proc"
trap - INT TERM
if [ "$install_status" != 0 ]; then
        tail -n 30 "$lab/install.log"
        fail "installing the project into the guest failed (log: $lab/install.log)"
fi
chmod +x "$root"/usr/lib/sriov-lab/lab-run "$root"/usr/lib/sriov-lab/lab-check

kernel=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
initrd=$(ls "$root"/boot/initrd.img-* 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] && [ -n "$initrd" ] || fail "the guest has no kernel or initrd under /boot"
cp "$kernel" "$lab/vmlinuz"
cp "$initrd" "$lab/initrd.img"

size=$(($(du -sm "$root" | cut -f1) + 768))
truncate -s "${size}M" "$lab/root.img"
mkfs.ext4 -q -F -L sriov-lab -d "$root" "$lab/root.img" >"$lab/mkfs.log" 2>&1 ||
        { cat "$lab/mkfs.log"; fail "mkfs.ext4 -d failed"; }
rm -rf "$root"
say "guest image ready (${size} MiB) after $(($(date +%s) - start)) s; booting (console: $lab/console.log)"

# 3. Boot it. Two igb PFs, each behind its own root port; the IOMMU first.
boot() { # boot ACCEL
        rm -rf "$lab/results" && mkdir -p "$lab/results"
        timeout -k 15 "$guest_timeout" "$qemu" \
                -machine q35,kernel-irqchip=split -accel "$1" -cpu max -smp 2 -m 1536 \
                -device intel-iommu,intremap=on \
                -display none -monitor none -serial "file:$lab/console.log" -no-reboot \
                -kernel "$lab/vmlinuz" -initrd "$lab/initrd.img" \
                -append "root=/dev/vda rw console=ttyS0 intel_iommu=on iommu=pt panic=-1 systemd.show_status=0" \
                -drive "file=$lab/root.img,if=virtio,format=raw,cache=unsafe" \
                -fsdev "local,id=results,path=$lab/results,security_model=none" \
                -device virtio-9p-pci,fsdev=results,mount_tag=results \
                -device pcie-root-port,id=rp1,chassis=1,slot=1 \
                -netdev user,id=n1,restrict=on -device igb,bus=rp1,netdev=n1 \
                -device pcie-root-port,id=rp2,chassis=2,slot=2 \
                -netdev user,id=n2,restrict=on -device igb,bus=rp2,netdev=n2 \
                >"$lab/qemu.log" 2>&1
}
boot tcg,thread=multi
qemu_status=$?
# QEMU 10's multi-threaded TCG with the emulated IOMMU now and then aborts
# early (an assertion in iotlb_to_section): once more, single-threaded.
if [ ! -f "$lab/results/done" ] && [ "$qemu_status" != 124 ] && [ "$qemu_status" != 0 ]; then
        say "QEMU stopped with status $qemu_status ($(tail -n 1 "$lab/qemu.log")); booting again with one TCG thread"
        cp "$lab/console.log" "$lab/console-first.log" 2>/dev/null
        boot tcg,thread=single
        qemu_status=$?
fi
elapsed=$(($(date +%s) - start))

# 4. The verdict.
if [ -s "$lab/results/lab.log" ]; then
        cat "$lab/results/lab.log"
fi
if [ ! -f "$lab/results/done" ]; then
        echo "--- the last lines of the guest's console ($lab/console.log):"
        tail -n 40 "$lab/console.log" 2>/dev/null
        cat "$lab/qemu.log" 2>/dev/null
        [ "$qemu_status" = 124 ] && fail "the guest did not finish within ${guest_timeout} s (VM_TIMEOUT)"
        fail "the guest stopped before writing its results (QEMU exit status $qemu_status)"
fi
say "done in ${elapsed} s"
# A figure, not a check (udev's pace under TCG is the machine's load): of
# the VFs announced bound to igbvf, how many came with their netdev at
# once (issue 14: one announcement per new VF, bound, with its netdev).
if [ -f "$lab/results/signals.log" ]; then
        grep 'InterfacesAdded .* Role=vf .*Driver=igbvf' "$lab/results/signals.log" |
                awk '{ n++ } /NetDevices=\[\]/ { bare++ } END { printf "VFs announced bound to igbvf: %d, %d of them with their netdev, %d without (named later)\n", n, n - bare, bare }' \
                >"$lab/results/announced.txt"
        say "$(cat "$lab/results/announced.txt")"
fi
status=$(cat "$lab/results/done")
[ "$status" = 0 ] || fail "scenarios failed in the guest (results: $lab/results, console: $lab/console.log)"
exit 0
