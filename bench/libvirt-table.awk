# The side-by-side tables of issue 14 (sriov-monitord next to libvirt's
# node-device driver) from bench/bench-libvirt's BENCH-RESULT lines. A
# figure not measured (libvirt absent, a kind never reported: nan) reads
# "not measured" or "—", never a number.
function num(v) { return v ~ /^-?[0-9]+(\.[0-9]+)?$/ }
function ms(v) { return num(v) ? v : "—" }
{
        delete kv
        for (i = 2; i <= NF; i++) {
                eq = index($i, "=")
                kv[substr($i, 1, eq - 1)] = substr($i, eq + 1)
        }
        run = kv["run"]
        if (!(run in seen)) { seen[run] = 1; runs[++nruns] = run }
        if (kv["kind"] == "libvirt-event") {
                k = run "/" (++nev[run])
                name = kv["name"]; gsub(/\+/, " ", name)
                ev_name[k] = name; ev_n[k] = kv["n"]; ev_span[k] = kv["span_p50"]
                ev_o50[k] = kv["ours_p50"]; ev_o99[k] = kv["ours_p99"]
                ev_p50[k] = kv["peer_p50"]; ev_p99[k] = kv["peer_p99"]
                ev_or[k] = kv["ours_reported"]; ev_pr[k] = kv["peer_reported"]; peer[run] = kv["peer"]
        } else if (kv["kind"] == "libvirt-cost") {
                cost[run] = $0
                c_reps[run] = kv["reps"]; c_vfs[run] = kv["vfs"]; c_probe[run] = kv["probe_ms"]
                c_ocpu[run] = kv["ours_cpu_ms"]; c_pcpu[run] = kv["peer_cpu_ms"]
                c_orss[run] = kv["ours_rss_kib"]; c_prss[run] = kv["peer_rss_kib"]
        } else if (kv["kind"] == "libvirt-startup") {
                s_pfs[run] = kv["pfs"]; s_vfs[run] = kv["vfs"]; s_fn[run] = kv["functions"]
                s_o[run] = kv["ours_ms"]; s_p[run] = kv["peer_ms"]
                s_orss[run] = kv["ours_rss_kib"]; s_prss[run] = kv["peer_rss_kib"]
        }
}
END {
        for (r = 1; r <= nruns; r++) {
                run = runs[r]
                if (nev[run] > 0) {
                        probe = num(c_probe[run]) ? sprintf(", each driver's probe taking %s ms (simulated: `--probe-ms`; 0: the simulator's own pace)", c_probe[run]) : ""
                        printf "Run %s: 2 PFs × %s VFs, %s repetitions of each operation%s; ms from the uevent sent to the client's receipt (GDBus for sriov-monitord, `virsh nodedev-event` for libvirt), p50 / p99. \"uevents\": p50 time from that uevent to the device's last one of the operation (the simulator's pace, which bounds what waiting for a complete sequence can cost). Ratio: sriov-monitord ÷ libvirt (below 1: sriov-monitord sooner).\n\n", run, c_vfs[run], c_reps[run], probe
                        print "| event kind | n | uevents | sriov-monitord | libvirt | ratio p50 / p99 | reported: ours / libvirt |"
                        print "|---|---:|---:|---:|---:|---:|---:|"
                        for (i = 1; i <= nev[run]; i++) {
                                k = run "/" i
                                up = peer[run] == "yes"
                                ratio = "—"
                                if (up && num(ev_o50[k]) && num(ev_p50[k]) && ev_p50[k] > 0 && num(ev_o99[k]) && num(ev_p99[k]) && ev_p99[k] > 0)
                                        ratio = sprintf("%.2f / %.2f", ev_o50[k] / ev_p50[k], ev_o99[k] / ev_p99[k])
                                printf "| %s | %s | %s | %s / %s | %s | %s | %s / %s |\n", ev_name[k], ev_n[k], ms(ev_span[k]),
                                       ms(ev_o50[k]), ms(ev_o99[k]),
                                       up ? ms(ev_p50[k]) " / " ms(ev_p99[k]) : "not measured", ratio,
                                       ev_or[k], up ? ev_pr[k] : "not measured"
                        }
                        print ""
                        if (peer[run] == "yes" && num(c_pcpu[run]) && c_pcpu[run] > 0)
                                printf "Over those operations: CPU (utime+stime) sriov-monitord %s ms, libvirtd %s ms (%.2f×); VmRSS after them %s KiB and %s KiB (%.2f×).\n\n",
                                       c_ocpu[run], c_pcpu[run], c_ocpu[run] / c_pcpu[run], c_orss[run], c_prss[run], c_orss[run] / c_prss[run]
                        else if (c_ocpu[run] != "")
                                printf "Over those operations: CPU (utime+stime) sriov-monitord %s ms, libvirtd not measured; VmRSS %s KiB, libvirtd not measured.\n\n", c_ocpu[run], c_orss[run]
                }
                if (s_fn[run] != "") {
                        if (num(s_p[run]) && s_p[run] > 0)
                                printf "Start-up to a full listing, %s PFs × %s VFs (%s PCI functions): sriov-monitord %s ms (bus name taken once every object is published; VmRSS %s KiB), libvirt %s ms (`virsh nodedev-list --cap pci` polled until it names every function; VmRSS %s KiB): libvirt takes %.1f× as long.\n\n",
                                       s_pfs[run], s_vfs[run], s_fn[run], s_o[run], s_orss[run], s_p[run], s_prss[run], s_p[run] / s_o[run]
                        else
                                printf "Start-up to a full listing, %s PFs × %s VFs (%s PCI functions): sriov-monitord %s ms (VmRSS %s KiB), libvirt not measured.\n\n",
                                       s_pfs[run], s_vfs[run], s_fn[run], s_o[run], s_orss[run]
                }
        }
}
