#!/bin/sh
# make check's smoke run of the benchmark programs on a small host: each
# runs to the end and reports every figure, and the figures that are
# properties of the daemon rather than speeds hold: the idle daemon, once
# nothing is pending, does not wake, and a Refresh that finds nothing
# sends no device signal. Counts that depend on the machine's load (the
# burst's messages per VF, the rescans of a Refresh flood, CPU shares) are
# reported here and judged by make bench only.
set -u
: "${abs_top_builddir:?run through make check}"
bench=$abs_top_builddir/bench

out=$("$bench/bench-scale" --vfs=16 --startup --floor="$bench/sysfs-floor" --runs=1 --calls=20 --managed-objects \
        --idle=1 --refresh --burst=16 2>&1) || { printf '%s\n' "$out"; echo "FAIL: bench-scale" >&2; exit 1; }
out2=$("$bench/bench-events" --vfs=16 --latency --events=5 --rounds=1 --warmup=2 2>&1) ||
        { printf '%s\n' "$out2"; echo "FAIL: bench-events" >&2; exit 1; }
# A Refresh flood needs root (no polkit here).
flood=
[ "$(id -u)" = 0 ] && flood=--refresh-flood=20
# shellcheck disable=SC2086 # $flood is an option or nothing
out3=$("$bench/bench-abuse" $flood --out-of-fds=1 2>&1) ||
        { printf '%s\n' "$out3"; echo "FAIL: bench-abuse" >&2; exit 1; }
# The hostile users are nobody, against root's newcomer: root only.
hostile_kinds=
out4=
if [ "$(id -u)" = 0 ]; then
        out4=$("$bench/bench-hostile" --stall-calls=200 --signals=10 --flood-closed=50 --flood-held=66 \
                --churn-rounds=1 --churn-calls=5 2>&1) || { printf '%s\n' "$out4"; echo "FAIL: bench-hostile" >&2; exit 1; }
        hostile_kinds="stop flood churn"
fi
# Issue 14's side-by-side, here without libvirt: its figures "nan".
out5=$(TMPDIR=/tmp "$bench/bench-libvirt" --no-libvirt --reps=1 --vfs=2 --startup-pfs=1 --startup-vfs=2 2>&1) ||
        { printf '%s\n' "$out5"; echo "FAIL: bench-libvirt" >&2; exit 1; }
printf '%s\n%s\n%s\n%s\n%s\n' "$out" "$out2" "$out3" "$out4" "$out5" | grep -v '^dbus-daemon\['

fail=0
kinds="startup calls managed_objects idle refresh burst latency out_of_fds"
[ -n "$flood" ] && kinds="$kinds refresh_flood"
kinds="$kinds $hostile_kinds libvirt-event libvirt-cost libvirt-startup"
for kind in $kinds; do
        printf '%s\n%s\n%s\n%s\n%s\n' "$out" "$out2" "$out3" "$out4" "$out5" | grep -q "^BENCH-RESULT kind=$kind " ||
                { echo "FAIL: no $kind result" >&2; fail=1; }
done
# value KIND KEY
value() { printf '%s\n' "$out" | sed -n "s/^BENCH-RESULT kind=$1 .* $2=\([^ ]*\).*/\1/p"; }
[ "$(value idle context_switches)" = 0 ] || { echo "FAIL: the idle daemon woke up" >&2; fail=1; }
[ "$(value idle syscalls)" = 0 ] || { echo "FAIL: the idle daemon made syscalls" >&2; fail=1; }
[ "$(value refresh device_signals)" = 0 ] || { echo "FAIL: Refresh with nothing changed sent device signals" >&2; fail=1; }
# Without the peer, no figure of its own.
printf '%s\n' "$out5" | grep '^BENCH-RESULT kind=libvirt' | grep -Eq ' peer_[a-z0-9_]+=[0-9-]' &&
        { echo "FAIL: bench-libvirt --no-libvirt reported a figure for libvirt" >&2; fail=1; }
exit "$fail"
