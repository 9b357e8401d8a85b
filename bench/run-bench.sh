#!/bin/sh
# SPDX-License-Identifier: MIT
#
# make bench: every figure of issues 3 and 5, each next to its floor measured
# in the same run, on simulated hosts; prints the tables and writes them into
# BENCHMARKS.md between its markers (the rest of the file is kept). Run it
# through 'make bench', which sets the environment:
#   SRIOV_MONITORD, TEST_BUS_CONFIG, DBUS_DAEMON, ...  (as for make check)
#   UMOCKDEV_WRAPPER, BENCH_PROGRAM (bench-events), BENCH_SCALE, BENCH_ABUSE, BENCH_FLOOR,
#   BENCH_OUT_DIR, BENCH_MD, BENCH_EVENTS, BENCH_ROUNDS, BENCH_CALLGRIND_EVENTS,
#   BENCH_RUNS, BENCH_CALLS, BENCH_IDLE, BENCH_CURVE, BENCH_TMPDIR, VALGRIND
set -eu

: "${BENCH_PROGRAM:?run this through make bench}"
: "${BENCH_SCALE:?run this through make bench}" "${BENCH_FLOOR:?}" "${BENCH_ABUSE:?}" "${BENCH_HOSTILE:?}"
: "${UMOCKDEV_WRAPPER:?run this through make bench}"
: "${BENCH_OUT_DIR:?}" "${BENCH_MD:?}"
BENCH_EVENTS=${BENCH_EVENTS:-1000}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_CALLGRIND_EVENTS=${BENCH_CALLGRIND_EVENTS:-1000}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_CALLS=${BENCH_CALLS:-10000}
BENCH_IDLE=${BENCH_IDLE:-10}
BENCH_CURVE=${BENCH_CURVE:-16 256 1024 2048}
VALGRIND=${VALGRIND:-valgrind}

BEGIN_MARK='<!-- bench-results:begin (written by make bench; edits here are overwritten) -->'
END_MARK='<!-- bench-results:end -->'

for tool in "$VALGRIND" strace timeout; do
        if ! command -v "$tool" >/dev/null 2>&1; then
                echo "make bench: $tool not found (callgrind counts instructions, strace watches the idle daemon)" >&2
                exit 1
        fi
done

# The testbeds in memory, like the real sysfs: on this VM /tmp is a virtual
# disk, whose writeback stalls put milliseconds into the tails of the
# simulator, the floors and the daemon alike.
if [ -z "${BENCH_TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
        BENCH_TMPDIR=/dev/shm
fi
if [ -n "${BENCH_TMPDIR:-}" ]; then
        TMPDIR=$BENCH_TMPDIR
        export TMPDIR
fi

cg_dir=$BENCH_OUT_DIR/callgrind
mkdir -p "$cg_dir"
results=$BENCH_OUT_DIR/bench-results.txt
: >"$results"

# The machine, before the runs.
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
[ -n "$cpu" ] || cpu=$(uname -m)
ncpu=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
mem=$(awk '/^MemTotal:/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
virt=$(systemd-detect-virt 2>/dev/null || true)
kernel="$(uname -sr)"
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}") || os=
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
vg_version=$("$VALGRIND" --version 2>/dev/null || echo "?")
started=$(date -u '+%Y-%m-%d %H:%M UTC')
t_start=$(date +%s)
head=$(git -C "$(dirname "$BENCH_MD")" rev-parse --short HEAD 2>/dev/null || echo "?")

commands=
# run NAME PROGRAM ARGS...: one step, its output kept in bench/bench-NAME.log
# and its BENCH-RESULT lines collected.
run() {
        name=$1 program=$2
        shift 2
        commands="$commands$(basename "$program") $*
"
        echo "== $(basename "$program") $*"
        t0=$(date +%s)
        if ! "$UMOCKDEV_WRAPPER" "$program" "$@" >"$BENCH_OUT_DIR/bench-$name.log" 2>"$BENCH_OUT_DIR/bench-$name.err"; then
                cat "$BENCH_OUT_DIR/bench-$name.log" "$BENCH_OUT_DIR/bench-$name.err"
                echo "make bench: $(basename "$program") $* failed" >&2
                exit 1
        fi
        grep -v '^BENCH-RESULT ' "$BENCH_OUT_DIR/bench-$name.log" || true
        grep '^BENCH-RESULT ' "$BENCH_OUT_DIR/bench-$name.log" >>"$results"
        echo "   ($(($(date +%s) - t0)) s)"
}

# Events: latency against a raw udev monitor, instructions per event.
for vfs in 16 2048; do
        run "events-$vfs" "$BENCH_PROGRAM" --vfs="$vfs" --latency --events="$BENCH_EVENTS" --rounds="$BENCH_ROUNDS" \
                --callgrind --callgrind-events="$BENCH_CALLGRIND_EVENTS" --callgrind-dir="$cg_dir" --valgrind="$VALGRIND"
done
# Start-up and memory: the empty host, the growth curve; the rest at 16 and 2048.
run "scale-0" "$BENCH_SCALE" --vfs=0 --startup --floor="$BENCH_FLOOR" --runs="$BENCH_RUNS"
for vfs in $BENCH_CURVE; do
        case $vfs in
        16) extra="--managed-objects --one-device" ;;
        2048) extra="--managed-objects --one-device --calls=$BENCH_CALLS --idle=$BENCH_IDLE --refresh" ;;
        *) extra= ;;
        esac
        # shellcheck disable=SC2086 # $extra is a list of options
        run "scale-$vfs" "$BENCH_SCALE" --vfs="$vfs" --startup --floor="$BENCH_FLOOR" --runs="$BENCH_RUNS" $extra
done
run "burst" "$BENCH_SCALE" --vfs=2048 --burst=256
# Abuse (issue 10: figures, not test assertions): a Refresh flood needs root.
if [ "$(id -u)" = 0 ]; then
        run "abuse" "$BENCH_ABUSE" --refresh-flood=200 --out-of-fds=5
else
        run "abuse" "$BENCH_ABUSE" --out-of-fds=5
fi
# Hostile users of the private socket (issue 11), on the demo host.
run "hostile" "$BENCH_HOSTILE"

# The tables, from the BENCH-RESULT lines ("kind=... vfs=... key=value ...").
# A figure a step did not report (skipped, failed, nan) is "not measured".
tables=$(awk -f "$(dirname "$0")/bench-table.awk" "$results")

# Issue 11: a stalled peer, an accept flood and a churn, each by nobody.
hostile=$(awk '
{
        kind = ""
        for (i = 2; i <= NF; i++) {
                eq = index($i, "=")
                k = substr($i, 1, eq - 1); v = substr($i, eq + 1)
                if (k == "kind") kind = v
                val[k] = v
                if (kind != "") vk[kind "/" k] = v
        }
}
function g(kind, key) { return vk[kind "/" key] }
END {
        if (g("stop", "stop_ms") == "")
                exit
        print "Hostile users of the private socket (issue 11; demo host, each attack by nobody through `tests/hostile-peer.py`):"
        print ""
        print "| attack | figure | measured | target |"
        print "|---|---|---:|---|"
        printf "| a peer asks GetManagedObjects %s times and never reads; %s autoprobe writes pile signals up behind | SIGTERM → exited | %.0f ms | < 1 s |\n",
               g("stop", "calls"), g("stop", "signals"), g("stop", "stop_ms")
        printf "| (same) | what the kernel holds for it | %s KiB | ≤ 512 KiB |\n", g("stop", "unread_kib")
        printf "| (same) | VmRSS before / while it stalls | %s / %s KiB | bounded |\n", g("stop", "rss_before_kib"), g("stop", "rss_stalled_kib")
        printf "| %s connections made and hung up, then %s held by one uid, in the backlog of a stopped daemon; then SIGCONT | a newcomer (root, last in the backlog): connected and a Ping answered | %.0f ms | promptly |\n",
               g("flood", "closed"), g("flood", "held"), g("flood", "newcomer_ms")
        printf "| (same) | slowest Ping meanwhile, on the bus / on a peer (%s each) | %.1f / %.1f ms | < 100 ms |\n",
               g("flood", "pings"), g("flood", "bus_ping_max_ms"), g("flood", "peer_ping_max_ms")
        o = g("flood", "outcome"); gsub("_", " ", o)
        printf "| (same) | the uid'"'"'s held connections (%s per uid) | %s | excess refused at once |\n", g("flood", "per_uid"), o
        printf "| (same) | VmRSS before / peak / 3 s after | %s / %s / %s KiB | after ≤ 2× before |\n",
               g("flood", "rss_before_kib"), g("flood", "rss_peak_kib"), g("flood", "rss_after_kib")
        printf "| %s rounds of %s connections, each asking GetManagedObjects %s times without reading, then closed | VmRSS before / peak / 3 s after | %s / %s / %s KiB | after ≤ 2× before |\n",
               g("churn", "rounds"), g("churn", "connections"), g("churn", "calls"),
               g("churn", "rss_before_kib"), g("churn", "rss_peak_kib"), g("churn", "rss_after_kib")
}' "$results")
tables="$tables

$hostile"

block=$(cat <<EOF
$BEGIN_MARK
Last run: $started, HEAD $head (plus any uncommitted changes); it took $(( $(date +%s) - t_start )) s.

Machine: $ncpu CPUs ($cpu), $mem${virt:+, systemd-detect-virt: $virt}, kernel $kernel${os:+, $os}; load average $load when the run started; $vg_version; testbeds in ${TMPDIR:-/tmp} ($(stat -f -c %T "${TMPDIR:-/tmp}" 2>/dev/null || echo '?')).

Command: \`make bench\` (BENCH_EVENTS=$BENCH_EVENTS BENCH_ROUNDS=$BENCH_ROUNDS BENCH_CALLGRIND_EVENTS=$BENCH_CALLGRIND_EVENTS BENCH_RUNS=$BENCH_RUNS BENCH_CALLS=$BENCH_CALLS BENCH_IDLE=$BENCH_IDLE BENCH_CURVE="$BENCH_CURVE"), which runs, under umockdev-wrapper with make check's environment:

\`\`\`
$(printf '%s' "$commands")
\`\`\`

$tables
$END_MARK
EOF
)

echo
printf '%s\n' "$tables"

# Into BENCHMARKS.md: replace what is between the markers, or append.
BLOCK=$block sh "$(dirname "$0")/md-block.sh" bench-results "## Results" "$BENCH_MD"
echo
echo "Written into $BENCH_MD; logs in $BENCH_OUT_DIR/bench-*.log, callgrind files in $cg_dir (see callgrind_annotate)."
