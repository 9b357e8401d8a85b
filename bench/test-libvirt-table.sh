#!/bin/sh
# The side-by-side tables of issue 14 (bench/libvirt-table.awk): without
# libvirt, its columns read "not measured", never a number; with it, the
# ratio is sriov-monitord's figure over libvirt's.
set -u
: "${abs_top_srcdir:?run through make check}"
table() { awk -f "$abs_top_srcdir/bench/libvirt-table.awk" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
        desc=$1
        shift
        if "$@"; then echo "ok: $desc"; else echo "FAIL: $desc" >&2; fail=1; fi
}

cat >"$tmp/absent" <<LINES
BENCH-RESULT kind=libvirt-startup run=1 pfs=8 vfs=64 functions=528 ours_ms=90.5 ours_rss_kib=3800 peer=no peer_ms=nan peer_rss_kib=nan
BENCH-RESULT kind=libvirt-event run=1 event=0 name=new+VF n=60 span_p50=2.00 ours_p50=3.00 ours_p99=9.00 peer=no peer_p50=nan peer_p99=nan ours_reported=60 peer_reported=nan
BENCH-RESULT kind=libvirt-cost run=1 reps=30 vfs=8 ours_cpu_ms=70 ours_rss_kib=3600 peer=no peer_cpu_ms=nan peer_rss_kib=nan
LINES
table "$tmp/absent" >"$tmp/absent.md"
check "without libvirt, its latency reads not measured" grep -q '^| new VF | 60 | 2.00 | 3.00 / 9.00 | not measured | — | 60 / not measured |$' "$tmp/absent.md"
check "without libvirt, no number of its own" sh -c "! grep -Eq 'libvirtd? [0-9]' '$tmp/absent.md'"
check "without libvirt, its CPU and start-up are not measured" sh -c "grep -q 'libvirtd not measured' '$tmp/absent.md' && grep -q 'libvirt not measured' '$tmp/absent.md'"
check "without libvirt, no nan in the table" sh -c "! grep -q nan '$tmp/absent.md'"

cat >"$tmp/present" <<LINES
BENCH-RESULT kind=libvirt-event run=2 event=0 name=new+VF n=60 span_p50=2.00 ours_p50=3.00 ours_p99=9.00 peer=yes peer_p50=6.00 peer_p99=12.00 ours_reported=60 peer_reported=60
BENCH-RESULT kind=libvirt-event run=2 event=1 name=driver+rebound n=60 span_p50=2.00 ours_p50=4.00 ours_p99=8.00 peer=yes peer_p50=nan peer_p99=nan ours_reported=60 peer_reported=0
BENCH-RESULT kind=libvirt-cost run=2 reps=30 vfs=8 probe_ms=20 ours_cpu_ms=70 ours_rss_kib=3600 peer=yes peer_cpu_ms=350 peer_rss_kib=21000
LINES
table "$tmp/present" >"$tmp/present.md"
check "with libvirt, both figures and the ratio" grep -q '^| new VF | 60 | 2.00 | 3.00 / 9.00 | 6.00 / 12.00 | 0.50 / 0.75 | 60 / 60 |$' "$tmp/present.md"
check "a kind libvirt never reports: no figure, no ratio, 0 reported" grep -q '^| driver rebound | 60 | 2.00 | 4.00 / 8.00 | — / — | — | 60 / 0 |$' "$tmp/present.md"
check "the run's simulated probe time is said" grep -q '^Run 2: 2 PFs × 8 VFs, 30 repetitions of each operation, each driver.s probe taking 20 ms (simulated' "$tmp/present.md"
check "no probe time said where the results have none" sh -c "! grep -q 'probe taking' '$tmp/absent.md'"
check "CPU and memory ratios" grep -q 'libvirtd 350 ms (0.20×); VmRSS after them 3600 KiB and 21000 KiB (0.17×)' "$tmp/present.md"
exit $fail
