#!/bin/sh
# make fuzz: builds each libFuzzer target with clang (whatever CC is:
# libFuzzer comes with clang) and runs it for FUZZ_SECONDS from a scratch
# copy of its seed corpus, so the repository's corpus is never written to.
# A crash, a sanitizer report, a leak, a hang or a broken invariant fails
# the run; the input that did it is kept in fuzz/out/artifacts.
#
# From fuzz/fuzz.mk: FUZZ_SRCDIR, FUZZ_BUILDDIR (absolute), CLANG,
# FUZZ_SECONDS, FUZZ_TARGETS (empty: all), UDEV_CFLAGS, UDEV_LIBS, LIBMNL_CFLAGS,
# LIBMNL_LIBS, WARN_CFLAGS.
set -u

src=${FUZZ_SRCDIR:?}
out=${FUZZ_BUILDDIR:?}/fuzz/out
clang=${CLANG:-clang}
seconds=${FUZZ_SECONDS:-30}
targets=${FUZZ_TARGETS:-"sysfs-parse pci-address uevent find-device sysfs-read rtnl-parse fleet-format owner-parse port-name devlink-parse"}
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-g -O1 $sanitize ${WARN_CFLAGS:-} -include $FUZZ_BUILDDIR/config.h -I$src/src -I$src/fuzz ${UDEV_CFLAGS:-} ${LIBMNL_CFLAGS:-}"
# The daemon's own sources, instrumented for coverage; each target links
# only what it uses out of the archive.
util="pci-address sysfs-parse uevent-classify device device-table hashmap strv log sysfs-reader rtnl-reader link-facts netlink-msg rtnl-parse
metrics-format features-format hazards journal-fields sysfs-placement owner-parse sysfs-representors port-name devlink-parse devlink representors sysfs-hwdb"

mkdir -p "$out/obj" "$out/bin" "$out/artifacts" || exit 1

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$out/probe.c"
if ! "$clang" $sanitize -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1; then
        echo "make fuzz needs clang with libFuzzer and the ASan/UBSan runtimes:" >&2
        echo "'$clang -fsanitize=fuzzer,address,undefined' failed (see $out/probe.log)." >&2
        echo "On Debian 12: apt-get install clang libclang-rt-14-dev (.ci/install-deps does);" >&2
        echo "another clang: make fuzz CLANG=clang-NN." >&2
        exit 1
fi

echo "Building the fuzz targets with $clang"
rm -f "$out/libfuzz-util.a"
for u in $util; do
        "$clang" $cflags -fsanitize=fuzzer-no-link -c "$src/src/$u.c" -o "$out/obj/$u.o" || exit 1
done
ar rcs "$out/libfuzz-util.a" "$out"/obj/*.o || exit 1
for t in $targets; do
        if [ ! -f "$src/fuzz/fuzz-$t.c" ]; then
                echo "No fuzz target '$t' (fuzz/fuzz-$t.c)." >&2
                exit 1
        fi
        "$clang" $cflags -fsanitize=fuzzer "$src/fuzz/fuzz-$t.c" "$out/libfuzz-util.a" ${UDEV_LIBS:-} ${LIBMNL_LIBS:-} \
                -o "$out/bin/fuzz-$t" || exit 1
done

# Leaks are findings too, whatever the caller's ASan options (CI turns them
# off for the GLib test programs).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS

pass=0
fail=0
for t in $targets; do
        corpus=$out/run/$t
        rm -rf "$corpus"
        mkdir -p "$corpus"
        cp "$src/fuzz/corpus/$t"/* "$corpus"/ && chmod -R u+w "$corpus" || exit 1
        dict=""
        [ -f "$src/fuzz/$t.dict" ] && dict="-dict=$src/fuzz/$t.dict"
        # shellcheck disable=SC2086
        "$out/bin/fuzz-$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
                -artifact_prefix="$out/artifacts/$t-" $dict "$corpus" >"$out/$t.log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n1)
        if [ "$rc" -eq 0 ]; then
                echo "PASS: fuzz-$t: ${execs:-?} executions in ${seconds} s, no crash"
                pass=$((pass + 1))
        else
                tail -n 40 "$out/$t.log" >&2
                echo "FAIL: fuzz-$t (exit $rc): see $out/$t.log and $out/artifacts/" >&2
                fail=$((fail + 1))
        fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
