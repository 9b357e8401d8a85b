#!/bin/sh
# make bench's tables (bench/bench-table.awk): a figure that was not
# measured (its step skipped or failed, or it came out as nan) reads "not
# measured", never a verdict on a 0; measured figures get theirs.
set -u
: "${abs_top_srcdir:?run through make check}"
table() { awk -f "$abs_top_srcdir/bench/bench-table.awk" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
        desc=$1
        shift
        if "$@"; then echo "ok: $desc"; else echo "FAIL: $desc" >&2; fail=1; fi
}
rows() { grep -c "$1" "$2"; }

# Every step, every figure.
for v in 0 16 256 2048; do
        echo "BENCH-RESULT kind=startup vfs=$v pfs=8 runs=5 daemon_ms=12.5 floor_ms=10.0 rss_kib=$((2000 + v))"
done >"$tmp/full"
for v in 16 2048; do
        cat <<LINES
BENCH-RESULT kind=managed_objects vfs=$v pfs=8 objects=$((v + 8)) ms=3.2 us_per_object=1.5 cpu_us_per_object=0.8
BENCH-RESULT kind=latency vfs=$v pfs=8 events=1000 rounds=3 p50_us=300 p99_us=800 raw_p50_us=200 raw_p99_us=600 over_p50_us=100 over_p99_us=200
BENCH-RESULT kind=callgrind vfs=$v pfs=8 events=1000 ir_per_event=52000
BENCH-RESULT kind=one_device vfs=$v pfs=8 runs=5 cpu_us=300.0 ms=25.00
LINES
done >>"$tmp/full"
cat >>"$tmp/full" <<LINES
BENCH-RESULT kind=calls vfs=2048 pfs=8 calls=10000 get_per_s=9500 ping_per_s=10000
BENCH-RESULT kind=burst vfs=2048 pfs=8 vfs_added=256 messages=512 per_vf=2.00 last_added_ms=400 uevents=1300 sent_ms=300 members=InterfacesAdded:256
BENCH-RESULT kind=idle vfs=2048 pfs=8 seconds=10 context_switches=0 syscalls=0
BENCH-RESULT kind=refresh vfs=2048 pfs=8 runs=5 ms=40 device_signals=0 signals=5 members=PropertiesChanged:5
BENCH-RESULT kind=refresh_flood vfs=8 pfs=4 calls=200 rescans=3 ms=900
BENCH-RESULT kind=out_of_fds vfs=8 pfs=4 hogs=100 seconds=5 cpu_percent=0.0 context_switches=12
LINES
table "$tmp/full" >"$tmp/full.md"
check "all measured: no row reads 'not measured'" test "$(rows 'not measured' "$tmp/full.md")" = 0
check "all measured: 14 verdicts" test "$(grep -c '\*\*met\*\*\|\*\*missed\*\*' "$tmp/full.md")" = 14
check "all measured: the idle daemon's zeros are met" grep -q '^| idle 10 s: .* | 0; 0 | .* \*\*met\*\* |$' "$tmp/full.md"

# Nothing measured at all (every step failed).
table /dev/null >"$tmp/none.md"
check "nothing measured: no verdict" test "$(grep -c 'met\*\*\|missed\*\*' "$tmp/none.md")" = 0
check "nothing measured: 14 rows 'not measured'" test "$(rows '| not measured |$' "$tmp/none.md")" = 14

# callgrind skipped, the 2048-VF latency came out nan, no empty-host start-up.
grep -v 'kind=callgrind\|kind=startup vfs=0 ' "$tmp/full" |
        sed '/kind=latency vfs=2048/s/p99_us=800/p99_us=-nan/' >"$tmp/some"
table "$tmp/some" >"$tmp/some.md"
for figure in 'instructions per event' 'uevent → DeviceEvent at 2048 VFs' 'memory: VmRSS'; do
        check "skipped: '$figure' is not measured" grep -q "^| $figure.* | not measured |\$" "$tmp/some.md"
done
check "skipped: the other 11 keep their verdicts" test "$(grep -c '\*\*met\*\*\|\*\*missed\*\*' "$tmp/some.md")" = 11
check "skipped: growth per VF is not measured without the empty host" grep -q '^| 16 | .* | not measured |$' "$tmp/some.md"
for f in full none some; do
        check "$f: no nan, inf or 0.0 ms anywhere" sh -c "! grep -qi 'nan\\|inf\\| 0\\.0 ms' '$tmp/$f.md'"
done

# Into BENCHMARKS.md (bench/md-block.sh): the block between its markers is
# replaced, the rest kept; without one, it is appended under its heading.
md() { BLOCK=$1 sh "$abs_top_srcdir/bench/md-block.sh" bench-results "## Results" "$2"; }
printf '%s\n' "# Doc" "before" "<!-- bench-results:begin old -->" "old figure" "<!-- bench-results:end -->" "after" >"$tmp/doc.md"
md "$(printf '%s\n' '<!-- bench-results:begin new -->' 'new figure' '<!-- bench-results:end -->')" "$tmp/doc.md"
check "md-block: the block replaced, the rest kept" sh -c "[ \"\$(cat '$tmp/doc.md')\" = \"\$(printf '%s\\n' '# Doc' before '<!-- bench-results:begin new -->' 'new figure' '<!-- bench-results:end -->' after)\" ]"
printf '%s\n' "# Doc" >"$tmp/bare.md"
md "$(printf '%s\n' '<!-- bench-results:begin -->' 'figure' '<!-- bench-results:end -->')" "$tmp/bare.md"
check "md-block: appended under its heading when absent" sh -c "grep -q '^## Results\$' '$tmp/bare.md' && grep -q '^figure\$' '$tmp/bare.md' && grep -q '^# Doc\$' '$tmp/bare.md'"
exit "$fail"
