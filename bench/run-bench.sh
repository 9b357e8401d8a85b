#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make bench: runs bench/bench-events for each host size, prints the table
# and writes it into BENCHMARKS.md between its markers (the rest of the file
# is kept). Run through 'make bench', which sets the environment:
#   SRIOV_MONITORD, TEST_BUS_CONFIG, DBUS_DAEMON, ...  (as for make check)
#   UMOCKDEV_WRAPPER, BENCH_PROGRAM, BENCH_OUT_DIR, BENCH_MD,
#   BENCH_VFS, BENCH_EVENTS, BENCH_ROUNDS, BENCH_CALLGRIND_EVENTS, VALGRIND
set -eu

: "${BENCH_PROGRAM:?run this through make bench}"
: "${UMOCKDEV_WRAPPER:?run this through make bench}"
: "${BENCH_OUT_DIR:?}" "${BENCH_MD:?}"
BENCH_VFS=${BENCH_VFS:-16 2048}
BENCH_EVENTS=${BENCH_EVENTS:-1000}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_CALLGRIND_EVENTS=${BENCH_CALLGRIND_EVENTS:-1000}
VALGRIND=${VALGRIND:-valgrind}

BEGIN_MARK='<!-- bench-results:begin (written by make bench; edits here are overwritten) -->'
END_MARK='<!-- bench-results:end -->'

if ! command -v "$VALGRIND" >/dev/null 2>&1; then
        echo "make bench: $VALGRIND not found (the instruction counts need valgrind's callgrind)" >&2
        exit 1
fi

cg_dir=$BENCH_OUT_DIR/callgrind
mkdir -p "$cg_dir"
results=$BENCH_OUT_DIR/bench-results.txt
: >"$results"

# The machine, before the runs.
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
[ -n "$cpu" ] || cpu=$(uname -m)
ncpu=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
kernel="$(uname -sr)"
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}") || os=
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
vg_version=$("$VALGRIND" --version 2>/dev/null || echo "?")
started=$(date -u '+%Y-%m-%d %H:%M UTC')
head=$(git -C "$(dirname "$BENCH_MD")" rev-parse --short HEAD 2>/dev/null || echo "?")

commands=
for vfs in $BENCH_VFS; do
        cmd="bench/bench-events --vfs=$vfs --latency --events=$BENCH_EVENTS --rounds=$BENCH_ROUNDS --callgrind --callgrind-events=$BENCH_CALLGRIND_EVENTS --callgrind-dir=bench/callgrind"
        commands="$commands$cmd
"
        echo "== $cmd"
        t0=$(date +%s)
        load1=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
        "$UMOCKDEV_WRAPPER" "$BENCH_PROGRAM" --vfs="$vfs" --latency --events="$BENCH_EVENTS" --rounds="$BENCH_ROUNDS" \
                --callgrind --callgrind-events="$BENCH_CALLGRIND_EVENTS" --callgrind-dir="$cg_dir" \
                --valgrind="$VALGRIND" >"$BENCH_OUT_DIR/bench-$vfs.log" ||
                { cat "$BENCH_OUT_DIR/bench-$vfs.log"; echo "make bench: bench-events --vfs=$vfs failed" >&2; exit 1; }
        cat "$BENCH_OUT_DIR/bench-$vfs.log"
        grep '^BENCH-RESULT ' "$BENCH_OUT_DIR/bench-$vfs.log" | sed "s/^BENCH-RESULT /BENCH-RESULT load=$load1 /" >>"$results"
        echo "   ($(($(date +%s) - t0)) s)"
done

# The table, from the BENCH-RESULT lines (key=value fields).
table=$(awk -v per="$BENCH_EVENTS" '
function field(line, key,   n, i, kv, a) {
        n = split(line, a, " ")
        for (i = 2; i <= n; i++) {
                split(a[i], kv, "=")
                if (kv[1] == key)
                        return kv[2]
        }
        return ""
}
{
        v = field($0, "vfs")
        if (!(v in seen)) {
                seen[v] = 1
                order[++n] = v
        }
        pfs[v] = field($0, "pfs")
        if (field($0, "kind") == "latency") {
                lev[v] = field($0, "events")
                p50[v] = field($0, "p50_us"); p90[v] = field($0, "p90_us"); p99[v] = field($0, "p99_us")
                mn[v] = field($0, "min_us"); mx[v] = field($0, "max_us")
                rounds[v] = field($0, "p99_rounds_us"); gsub("/", " / ", rounds[v])
                dshare[v] = field($0, "daemon_p50_us") " / " field($0, "daemon_p99_us")
                load[v] = field($0, "load")
        } else {
                cev[v] = field($0, "events")
                ir[v] = field($0, "ir_per_event")
                irx[v] = field($0, "ir_idle")
        }
}
END {
        print "| host | latency events | min µs | p50 µs | p90 µs | p99 µs | max µs | p99 of each " per ", µs | daemon share p50 / p99, µs | load avg | callgrind events | Ir start+stop | Ir per event |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= n; i++) {
                v = order[i]
                host = sprintf("%d PF%s × %d VFs", pfs[v], pfs[v] == 1 ? "" : "s", v / pfs[v])
                printf "| %s | %s | %s | **%s** | %s | **%s** | %s | %s | %s | %s | %s | %s | **%s** |\n", host, lev[v],
                       mn[v], p50[v], p90[v], p99[v], mx[v], rounds[v], dshare[v], load[v], cev[v], irx[v], ir[v]
        }
        print ""
        for (i = 1; i <= n; i++) {
                v = order[i]
                if (p99[v] != "")
                        printf "- p99 at %d VFs: %s µs, aim < 2000 µs: **%s**\n", v, p99[v],
                               p99[v] + 0 < 2000 ? "met" : "missed"
        }
        if (n >= 2 && ir[order[1]] > 0 && ir[order[n]] != "")
                printf "- Ir per event at %d VFs / at %d VFs: %.3f, aim ≤ 1.2: **%s**\n", order[n], order[1],
                       ir[order[n]] / ir[order[1]], ir[order[n]] / ir[order[1]] <= 1.2 ? "met" : "missed"
}' "$results")

block=$(cat <<EOF
$BEGIN_MARK
Last run: $started, HEAD $head (plus any uncommitted changes).

Machine: $ncpu CPUs, $cpu, kernel $kernel${os:+, $os}; load average $load when the run started; $vg_version.

Command: \`make bench\` (BENCH_VFS="$BENCH_VFS" BENCH_EVENTS=$BENCH_EVENTS BENCH_ROUNDS=$BENCH_ROUNDS BENCH_CALLGRIND_EVENTS=$BENCH_CALLGRIND_EVENTS), which runs, under umockdev-wrapper with make check's environment:

\`\`\`
$(printf '%s' "$commands")
\`\`\`

$table
$END_MARK
EOF
)

echo
printf '%s\n' "$table"

# Into BENCHMARKS.md: replace what is between the markers, or append.
tmp="$BENCH_MD.tmp.$$"
if [ -f "$BENCH_MD" ] && grep -qF 'bench-results:begin' "$BENCH_MD" && grep -qF "$END_MARK" "$BENCH_MD"; then
        BLOCK=$block awk -v end="$END_MARK" '
                /<!-- bench-results:begin/ { print ENVIRON["BLOCK"]; skip = 1; next }
                skip && index($0, end) == 1 { skip = 0; next }
                !skip' "$BENCH_MD" >"$tmp"
else
        { [ -f "$BENCH_MD" ] && cat "$BENCH_MD" && echo; printf '%s\n' "## Results" "" "$block"; } >"$tmp"
fi
mv "$tmp" "$BENCH_MD"
echo
echo "Written into $BENCH_MD; callgrind files in $cg_dir (see callgrind_annotate)."
