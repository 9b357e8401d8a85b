#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make bench-libvirt (and the end of make bench): sriov-monitord side by side
# with libvirt's node-device driver on the same simulated host (issue 14),
# BENCH_LIBVIRT_RUNS runs; prints the tables and writes them into
# BENCHMARKS.md between the bench-libvirt markers (the rest is kept).
# Without libvirtd and virsh (Debian: libvirt-daemon, libvirt-clients; an
# optional bench dependency) or without root, libvirt's figures read "not
# measured". Environment (set by make): UMOCKDEV_WRAPPER, BENCH_LIBVIRT,
# BENCH_LIBVIRT_SHIM, BENCH_LIBVIRT_REPS, BENCH_LIBVIRT_RUNS, BENCH_OUT_DIR,
# BENCH_MD, and make check's (SRIOV_MONITORD, TEST_BUS_CONFIG, ...).
set -eu

: "${BENCH_LIBVIRT:?run this through make bench-libvirt}" "${BENCH_LIBVIRT_SHIM:?}" "${UMOCKDEV_WRAPPER:?}"
: "${BENCH_OUT_DIR:?}" "${BENCH_MD:?}"
BENCH_LIBVIRT_REPS=${BENCH_LIBVIRT_REPS:-30}
BENCH_LIBVIRT_RUNS=${BENCH_LIBVIRT_RUNS:-2}
# Each run's simulated driver probe in ms, in turn (the last one repeats):
# 0, the simulator's own pace, then a short real one.
BENCH_LIBVIRT_PROBE_MS=${BENCH_LIBVIRT_PROBE_MS:-0 20}

BEGIN_MARK='<!-- bench-libvirt:begin (written by make bench-libvirt and make bench; edits here are overwritten) -->'
END_MARK='<!-- bench-libvirt:end -->'

# Where the testbeds go. Not /dev/shm: umockdev's preload tracks every file
# opened under a path beginning with /dev/ (as if it were a device node) in
# a table of 50, which this benchmark's mix of operations overflows. Not a
# disk either if it can be helped: on ext4 the simulator's pace is set by
# the filesystem (its inode allocator skips recently deleted inodes, and the
# simulator creates and deletes thousands), 2-4 ms from a VF's add to its
# bind against 0.9 ms on tmpfs, where sysfs, in memory, is closer. So, as
# root where mount namespaces work, each run gets a tmpfs of its own on a
# directory of the build tree, in a mount namespace that ends with it (the
# host's mounts are untouched); else /tmp. BENCH_LIBVIRT_TMPDIR overrides.
workdir=$BENCH_OUT_DIR/libvirt
in_tmpfs=
if [ -n "${BENCH_LIBVIRT_TMPDIR:-}" ]; then
        TMPDIR=$BENCH_LIBVIRT_TMPDIR
        testbeds="Testbeds in $TMPDIR"
elif [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
        TMPDIR=$BENCH_OUT_DIR/libvirt-tmpfs
        mkdir -p "$TMPDIR"
        in_tmpfs="unshare -m --propagation private sh -c"
        testbeds="Testbeds on a tmpfs ($TMPDIR, in a mount namespace of the run)"
else
        TMPDIR=/tmp
        testbeds="Testbeds in /tmp (no tmpfs: not root, or no mount namespace)"
fi
export TMPDIR
mkdir -p "$workdir"
results=$BENCH_OUT_DIR/bench-libvirt-results.txt
: >"$results"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
started=$(date -u '+%Y-%m-%d %H:%M UTC')
t_start=$(date +%s)
head=$(git -C "$(dirname "$BENCH_MD")" rev-parse --short HEAD 2>/dev/null || echo "?")
libvirt_version=$( (/usr/sbin/libvirtd --version 2>/dev/null || echo "libvirtd not installed") | head -n 1)

run=1
probes=$BENCH_LIBVIRT_PROBE_MS
while [ "$run" -le "$BENCH_LIBVIRT_RUNS" ]; do
        probe=${probes%% *}
        [ "$probes" = "$probe" ] || probes=${probes#* }
        echo "== bench-libvirt --label=$run --reps=$BENCH_LIBVIRT_REPS --probe-ms=$probe"
        log=$BENCH_OUT_DIR/bench-libvirt-$run.log
        set -- "$UMOCKDEV_WRAPPER" "$BENCH_LIBVIRT" --label="$run" --reps="$BENCH_LIBVIRT_REPS" \
                --probe-ms="$probe" --shim="$BENCH_LIBVIRT_SHIM" --workdir="$workdir"
        [ -z "$in_tmpfs" ] || set -- $in_tmpfs 'mount -t tmpfs -o size=1g,mode=0755 tmpfs "$TMPDIR" && exec "$@"' sh "$@"
        if ! "$@" >"$log" 2>"$BENCH_OUT_DIR/bench-libvirt-$run.err"; then
                cat "$log" "$BENCH_OUT_DIR/bench-libvirt-$run.err"
                echo "make bench-libvirt: run $run failed" >&2
                exit 1
        fi
        grep -v '^BENCH-RESULT ' "$log" || true
        grep '^BENCH-RESULT ' "$log" >>"$results"
        run=$((run + 1))
done
loadend=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

tables=$(awk -f "$(dirname "$0")/libvirt-table.awk" "$results")
block=$(cat <<BLOCK
$BEGIN_MARK
Last run: $started, HEAD $head (plus any uncommitted changes); it took $(( $(date +%s) - t_start )) s; $libvirt_version; load average $load at the start, $loadend at the end (the machine is shared: 2 CPUs for several users). $testbeds.

Command: \`make bench-libvirt\` (BENCH_LIBVIRT_REPS=$BENCH_LIBVIRT_REPS BENCH_LIBVIRT_RUNS=$BENCH_LIBVIRT_RUNS BENCH_LIBVIRT_PROBE_MS='$BENCH_LIBVIRT_PROBE_MS'), which runs \`bench-libvirt --label=N --reps=$BENCH_LIBVIRT_REPS --probe-ms=P\` under umockdev-wrapper with make check's environment, $BENCH_LIBVIRT_RUNS times, P in turn from BENCH_LIBVIRT_PROBE_MS.

$tables
$END_MARK
BLOCK
)

echo
printf '%s\n' "$tables"

BLOCK=$block sh "$(dirname "$0")/md-block.sh" bench-libvirt "## Next to libvirt (issue 14)" "$BENCH_MD"
echo
echo "Written into $BENCH_MD; logs in $BENCH_OUT_DIR/bench-libvirt-*.log, libvirtd's in $workdir/libvirtd.log."
