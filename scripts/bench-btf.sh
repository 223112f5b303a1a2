#!/usr/bin/env bash
# bench-btf.sh [ELF...]: `ucorebtf gen btf` (own encoder) against pahole on
# the same DWARF, side by side in one run: wall time and peak RSS
# (/usr/bin/time -f '%e %M'), median of $RUNS alternating runs each, and the
# ratios ucorebtf/pahole (< 1: ucorebtf is faster / smaller).
#
# Default input: the largest Lua shared library the tests build (when built),
# glibc's debug file (libc6-dbg, when installed: 4 MB of DWARF, 8.5k types),
# and the largest real library with debug info the project uses,
# Debian's libpython3.11d.so.1.0 (package libpython3.11-dbg: a -g build of
# CPython 3.11 by GCC 12, ~10 MB of .debug_info in the .so itself), installed
# by scripts/deps.sh.  Pass any ELF files (e.g. Lua releases) instead.
# pahole runs as `gen btf --via pahole` does: pahole --btf_encode_detached.
set -euo pipefail
OUTPUT=${OUTPUT:-$(cd "$(dirname "$0")/.." && pwd)/build}
UCOREBTF=${UCOREBTF:-$OUTPUT/ucorebtf}
RUNS=${RUNS:-5}
if [ $# -eq 0 ]; then
	# The largest Lua shared library the tests build (scripts/lua-build.sh),
	# glibc's detached debug file when libc6-dbg is installed (found by the
	# build-id of the running libc; apt-get install libc6-dbg), then libpython.
	lua=$(ls -S "$OUTPUT"/lua/*/liblua*.so.5.*.* 2>/dev/null | head -n1 || true)
	bid=$(readelf -n /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null | awk '/Build ID/ { print $3 }')
	libc=/usr/lib/debug/.build-id/${bid:0:2}/${bid:2}.debug
	[ -n "$bid" ] && [ -r "$libc" ] || libc=
	set -- ${lua:+"$lua"} ${libc:+"$libc"} /usr/lib/x86_64-linux-gnu/libpython3.11d.so.1.0
fi
[ -x /usr/bin/time ] || { echo "Error: /usr/bin/time missing (scripts/deps.sh installs 'time')" >&2; exit 1; }
tmp=$(mktemp -d /tmp/bench-btf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
unset DEBUGINFOD_URLS

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "median of $RUNS alternating runs, load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
printf '%-40s %8s %10s %8s %10s %8s %8s\n' ELF "ucb s" "ucb KB" "pah s" "pah KB" "time x" "mem x"
for elf in "$@"; do
	[ -r "$elf" ] || { echo "Error: $elf: not readable (install libpython3.11-dbg?)" >&2; exit 1; }
	: > $tmp/u; : > $tmp/p
	for i in $(seq "$RUNS"); do
		/usr/bin/time -o $tmp/t -f '%e %M' "$UCOREBTF" gen btf "$elf" -o $tmp/u.btf >/dev/null 2>&1
		cat $tmp/t >> $tmp/u
		/usr/bin/time -o $tmp/t -f '%e %M' pahole --btf_encode_detached=$tmp/p.btf "$elf" >/dev/null 2>&1
		cat $tmp/t >> $tmp/p
	done
	ut=$(cut -d' ' -f1 $tmp/u | median) um=$(cut -d' ' -f2 $tmp/u | median)
	pt=$(cut -d' ' -f1 $tmp/p | median) pm=$(cut -d' ' -f2 $tmp/p | median)
	types=$("$UCOREBTF" -j gen btf "$elf" -o $tmp/u.btf 2>/dev/null | sed 's/.*"types":\([0-9]*\).*/\1/')
	printf '%-40s %8s %10s %8s %10s %8.2f %8.2f\n' "$(basename "$elf") ($types types)" $ut $um $pt $pm \
		"$(awk -v a=$ut -v b=$pt 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		"$(awk -v a=$um -v b=$pm 'BEGIN { print a / b }')"
done
