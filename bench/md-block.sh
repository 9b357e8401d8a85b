#!/bin/sh
# SPDX-License-Identifier: MIT
#
# md-block.sh NAME HEADING FILE: puts $BLOCK (which begins with
# "<!-- NAME:begin ..." and ends with "<!-- NAME:end -->") into FILE in
# place of the block already there, or at its end under HEADING; the rest
# of FILE is kept. Used by run-bench.sh and run-bench-libvirt.sh for
# BENCHMARKS.md.
set -eu
name=$1 heading=$2 file=$3
: "${BLOCK:?}"
end="<!-- $name:end -->"
tmp="$file.tmp.$$"
if [ -f "$file" ] && grep -qF "<!-- $name:begin" "$file" && grep -qF "$end" "$file"; then
        awk -v begin="<!-- $name:begin" -v end="$end" '
                index($0, begin) == 1 { print ENVIRON["BLOCK"]; skip = 1; next }
                skip && index($0, end) == 1 { skip = 0; next }
                !skip' "$file" >"$tmp"
else
        { [ -f "$file" ] && cat "$file" && echo; printf '%s\n' "$heading" "" "$BLOCK"; } >"$tmp"
fi
mv "$tmp" "$file"
