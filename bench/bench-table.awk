# The tables of BENCHMARKS.md from bench/run-bench.sh's BENCH-RESULT lines
# ("BENCH-RESULT kind=... vfs=... key=value ..."). A figure a step did not
# report (skipped, failed, nan) is "not measured", never a 0 that "met".
function f(kind, vfs, key) { return val[kind "/" vfs "/" key] + 0 }
function str(kind, vfs, key) { return val[kind "/" vfs "/" key] }
function verdict(ok) { return ok ? "**met**" : "**missed**" }
# has: the step reported the figure as a number (not missing, empty or nan);
# pos: a number above zero, as a time, a rate or a floor must be to count.
function has(kind, vfs, key,   v) {
        if (!((kind "/" vfs "/" key) in val)) return 0
        v = val[kind "/" vfs "/" key]
        return v ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/
}
function pos(kind, vfs, key) { return has(kind, vfs, key) && f(kind, vfs, key) > 0 }
# A row whose figures were not all measured: no number, no verdict.
function not_measured(figure, target) {
        printf "| %s | not measured | not measured | %s | not measured |\n", figure, target
}
{
        kind = ""; vfs = ""
        for (i = 2; i <= NF; i++) {
                split($i, kv, "=")
                if (kv[1] == "kind") kind = kv[2]
                else if (kv[1] == "vfs") vfs = kv[2]
        }
        for (i = 2; i <= NF; i++) {
                eq = index($i, "=")
                val[kind "/" vfs "/" substr($i, 1, eq - 1)] = substr($i, eq + 1)
        }
        if (kind == "startup")
                curve[++ncurve] = vfs
}
END {
        big = 2048; small = 16
        print "| figure (8 PFs × 256 VFs unless said) | measured | floor, same run | target | |"
        print "|---|---:|---:|---|---|"

        d = f("startup", big, "daemon_ms"); fl = f("startup", big, "floor_ms")
        if (!pos("startup", big, "daemon_ms") || !pos("startup", big, "floor_ms"))
                not_measured("start-up: process start → name owned, all objects published", "≤ 2× floor")
        else printf "| start-up: process start → name owned, all objects published (median of %s) | %.1f ms | %.1f ms (sysfs-floor) | ≤ 2× floor | %.2f× %s |\n",
               f("startup", big, "runs"), d, fl, d / fl, verdict(d <= 2 * fl)

        rss = f("startup", big, "rss_kib"); rss0 = f("startup", 0, "rss_kib")
        per = (rss - rss0) / big
        if (!pos("startup", big, "rss_kib") || !pos("startup", 0, "rss_kib"))
                not_measured("memory: VmRSS after start-up", "≤ 1 KiB more per VF")
        else printf "| memory: VmRSS after start-up | %d KiB | %d KiB (empty host) | ≤ 1 KiB more per VF | %.2f KiB/VF %s |\n",
               rss, rss0, per, verdict(per <= 1)

        g = f("calls", big, "get_per_s"); p = f("calls", big, "ping_per_s")
        if (!pos("calls", big, "get_per_s") || !pos("calls", big, "ping_per_s"))
                not_measured("Properties.Get round trip", "≥ 0.9× Ping")
        else printf "| Properties.Get round trip, %s sequential calls | %d /s | %d /s (Peer.Ping) | ≥ 0.9× Ping | %.2f× %s |\n",
               f("calls", big, "calls"), g, p, g / p, verdict(g >= 0.9 * p)

        cb = f("managed_objects", big, "cpu_us_per_object"); cs = f("managed_objects", small, "cpu_us_per_object")
        if (!pos("managed_objects", big, "cpu_us_per_object") || !pos("managed_objects", small, "cpu_us_per_object"))
                not_measured("GetManagedObjects, daemon CPU per object", "≤ 1.2×")
        else printf "| GetManagedObjects, daemon CPU per object (%d objects) | %.2f µs | %.2f µs (%d objects) | ≤ 1.2× | %.2f× %s |\n",
               f("managed_objects", big, "objects"), cb, cs, f("managed_objects", small, "objects"), cb / cs, verdict(cb <= 1.2 * cs)
        wb = f("managed_objects", big, "us_per_object"); ws = f("managed_objects", small, "us_per_object")
        if (!pos("managed_objects", big, "us_per_object") || !pos("managed_objects", small, "us_per_object"))
                not_measured("GetManagedObjects, round trip per object", "(≤ 1.2×)")
        else printf "| GetManagedObjects, round trip per object (client: GDBus; median %.1f ms) | %.2f µs | %.2f µs (16 VFs) | (≤ 1.2×) | %.2f× %s |\n",
               f("managed_objects", big, "ms"), wb, ws, wb / ws, verdict(wb <= 1.2 * ws)

        ob = f("one_device", big, "cpu_us"); os = f("one_device", small, "cpu_us")
        if (!pos("one_device", big, "cpu_us") || !pos("one_device", small, "cpu_us") ||
            !pos("one_device", big, "ms") || !pos("one_device", small, "ms"))
                not_measured("sriov-status DEVICE (FindDevice + GetAll of one VF), daemon CPU per lookup; client wall time", "≤ 1.2×")
        else printf "| sriov-status DEVICE (FindDevice + GetAll of one VF), daemon CPU per lookup; client wall time (median of %s) | %.0f µs; %.1f ms | %.0f µs; %.1f ms (16 VFs) | ≤ 1.2× | %.2f× %s |\n",
               f("one_device", big, "runs"), ob, f("one_device", big, "ms"), os, f("one_device", small, "ms"), ob / os, verdict(ob <= 1.2 * os)

        for (s = 0; s < 2; s++) {
                v = s ? big : small
                o = f("latency", v, "over_p99_us")
                if (!pos("latency", v, "p99_us") || !pos("latency", v, "raw_p99_us") || !has("latency", v, "over_p99_us"))
                        not_measured("uevent → DeviceEvent at " v " VFs, p50 / p99", "p99 overhead < 2 ms")
                else printf "| uevent → DeviceEvent at %d VFs, p50 / p99 (%s events) | %.0f / %.0f µs | %.0f / %.0f µs (raw udev monitor) | p99 overhead < 2 ms | overhead p50 %.0f, p99 %.0f µs %s |\n",
                       v, f("latency", v, "events"), f("latency", v, "p50_us"), f("latency", v, "p99_us"),
                       f("latency", v, "raw_p50_us"), f("latency", v, "raw_p99_us"), f("latency", v, "over_p50_us"), o,
                       verdict(o < 2000)
        }

        ib = f("callgrind", big, "ir_per_event"); is = f("callgrind", small, "ir_per_event")
        if (!pos("callgrind", big, "ir_per_event") || !pos("callgrind", small, "ir_per_event"))
                not_measured("instructions per event (callgrind)", "≤ 1.2×")
        else printf "| instructions per event (callgrind, %s events) | %.1fk | %.1fk (16 VFs) | ≤ 1.2× | %.2f× %s |\n",
               f("callgrind", big, "events"), ib / 1000, is / 1000, ib / is, verdict(ib <= 1.2 * is)

        m = f("burst", big, "per_vf"); t = f("burst", big, "last_added_ms")
        if (!pos("burst", big, "per_vf") || !pos("burst", big, "last_added_ms"))
                not_measured("burst: sriov_numvfs 0 → N on one more PF", "≤ 3 per VF, < 1 s")
        else printf "| burst: sriov_numvfs 0 → %s on one more PF | %s messages (%.2f per VF), last InterfacesAdded at %.0f ms | the simulator sent its %s uevents in %.0f ms | ≤ 3 per VF, < 1 s | %s |\n",
               f("burst", big, "vfs_added"), f("burst", big, "messages"), m, t, f("burst", big, "uevents"),
               f("burst", big, "sent_ms"), verdict(m <= 3 && t < 1000)

        if (!pos("idle", big, "seconds") || !has("idle", big, "context_switches") || !has("idle", big, "syscalls"))
                not_measured("idle: context switches; syscalls under strace -p", "zero")
        else printf "| idle %s s: context switches; syscalls under strace -p | %s; %s | — | zero | %s |\n",
               f("idle", big, "seconds"), f("idle", big, "context_switches"), f("idle", big, "syscalls"),
               verdict(f("idle", big, "context_switches") == 0 && f("idle", big, "syscalls") == 0)

        if (!pos("refresh", big, "ms") || !has("refresh", big, "device_signals"))
                not_measured("Refresh with nothing changed", "no signal; report time")
        else printf "| Refresh with nothing changed (median of %s) | %.0f ms; %d device signals | — | no signal; report time | %s |\n",
               f("refresh", big, "runs"), f("refresh", big, "ms"), f("refresh", big, "device_signals"),
               verdict(f("refresh", big, "device_signals") == 0)

        if (has("refresh_flood", 8, "rescans") && pos("refresh_flood", 8, "calls") && pos("refresh_flood", 8, "ms"))
                printf "| Refresh flood: %s calls from root at once (demo host, daemon stopped while they were sent) | %d rescans; last answer at %.0f ms | — | ≤ 1 rescan per 20 calls | %s |\n",
                       f("refresh_flood", 8, "calls"), f("refresh_flood", 8, "rescans"), f("refresh_flood", 8, "ms"),
                       verdict(f("refresh_flood", 8, "rescans") <= f("refresh_flood", 8, "calls") / 20)
        else
                not_measured("Refresh flood (needs root)", "≤ 1 rescan per 20 calls")
        if (has("out_of_fds", 8, "cpu_percent") && pos("out_of_fds", 8, "seconds"))
                printf "| out of descriptors: %s connections waiting past RLIMIT_NOFILE 64, %s s | %.1f%% of a CPU; %d context switches | — | < 30%% of a CPU | %s |\n",
                       f("out_of_fds", 8, "hogs"), f("out_of_fds", 8, "seconds"), f("out_of_fds", 8, "cpu_percent"),
                       f("out_of_fds", 8, "context_switches"), verdict(f("out_of_fds", 8, "cpu_percent") < 30)
        else
                not_measured("out of descriptors", "< 30% of a CPU")

        print ""
        if (has("burst", big, "messages") && has("refresh", big, "signals"))
                printf "Burst messages by member: %s. Refresh: %s signals in all over %s calls (%s): each Refresh announces `LastRefresh`, which issue 2 made a property that emits its change; nothing about a device.\n",
               str("burst", big, "members"), f("refresh", big, "signals"), f("refresh", big, "runs"), str("refresh", big, "members")
        print ""
        print "Growth (start-up: median of " f("startup", big, "runs") " runs; VmRSS right after start-up):"
        print ""
        print "| VFs | start-up | floor | ratio | VmRSS | over the empty host, per VF |"
        print "|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= ncurve; i++) {
                v = curve[i]
                d = f("startup", v, "daemon_ms"); fl = f("startup", v, "floor_ms"); r = f("startup", v, "rss_kib")
                if (!pos("startup", v, "daemon_ms") || !pos("startup", v, "floor_ms") || !pos("startup", v, "rss_kib"))
                        printf "| %d | not measured | not measured | not measured | not measured | not measured |\n", v
                else printf "| %d | %.1f ms | %.1f ms | %.2f× | %d KiB | %s |\n", v, d, fl, d / fl, r,
                       (v > 0 && pos("startup", 0, "rss_kib") ? sprintf("%.2f KiB", (r - rss0) / v) : (v > 0 ? "not measured" : "—"))
        }
}
