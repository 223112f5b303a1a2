#!/usr/bin/env bash
# bench-gen.sh [N] — first kernel mode: `ucorebtf gen min_core_btf` against
# `bpftool gen min_core_btf` on the same real tools' objects, interleaved
# runs (wall, CPU, peak RSS, content compared); then one `ucorebtf gen min`
# call over N library versions against the bpftool way: per version merge
# kernel + library BTF into a file and run `bpftool gen min_core_btf` on
# it (N=0: kernel mode only).  Not a test.
#
# The N versions are synthesised: a "library" that includes common libc
# headers (all their types kept: -fno-eliminate-unused-debug-types) and a
# struct data whose member offsets shift from version to version.
set -eu
N=${1:-100}
cd "$(dirname "$0")/.."
B=${OUTPUT:-$PWD/build}
U=$B/ucorebtf
OBJ=${OBJ:-$B/bpf/seed.bpf.o}
VML=/sys/kernel/btf/vmlinux
T=$(mktemp -d /tmp/ucorebtf-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -x /usr/bin/time ] || { echo "install 'time' (apt-get install time)"; exit 1; }

# ---- Kernel mode: gen min_core_btf against bpftool's, on real tools ----
# The BPF objects embedded in Debian's libbpf-tools (61 tools' skeletons),
# cached under $UCOREBTF_CACHE/bench/libbpf-tools-<sha256 of the .deb>/.
. scripts/apt-src.sh
kernel_corpus() {
	local c deb sum
	c=$(ucb_cache_dir)/bench
	mkdir -p "$c"
	deb=$(ls "$c"/libbpf-tools_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$c" && apt-get download libbpf-tools >/dev/null 2>&1) || return 1
		deb=$(ls "$c"/libbpf-tools_*.deb | head -1)
	fi
	sum=$(sha256sum "$deb" | cut -c1-16)
	KOBJS=$c/libbpf-tools-$sum
	[ -f "$KOBJS/.done" ] && return 0
	rm -rf "$KOBJS" "$T/x" && mkdir -p "$KOBJS" "$T/x" && dpkg-deb -x "$deb" "$T/x" &&
	python3 - "$KOBJS" "$T"/x/usr/sbin/* <<'PY' && touch "$KOBJS/.done"
import os, struct, sys
# libbpf skeletons embed the BPF ELF object whole: find it by its header.
for path in sys.argv[2:]:
    d = open(path, 'rb').read()
    i = d.find(b'\x7fELF\x02\x01', 1)
    while i > 0:
        if struct.unpack_from('<H', d, i + 18)[0] == 247:		# EM_BPF
            shoff, = struct.unpack_from('<Q', d, i + 40)
            shentsize, shnum = struct.unpack_from('<HH', d, i + 58)
            obj = d[i:i + shoff + shentsize * shnum]
            if b'.BTF.ext' in obj:
                open(os.path.join(sys.argv[1], os.path.basename(path) + '.bpf.o'), 'wb').write(obj)
                break
        i = d.find(b'\x7fELF\x02\x01', i + 1)
PY
}
KRUNS=${KRUNS:-11}
if kernel_corpus; then
	objs=("$KOBJS"/*.bpf.o)
	echo "kernel mode: ${#objs[@]} libbpf-tools objects, $KRUNS interleaved runs, load $(cut -d' ' -f1 /proc/loadavg)"
	"$B/tests/tools/bench_exec" "$KRUNS" bpftool bpftool gen min_core_btf $VML "$T/kb.btf" "${objs[@]}" \
		-- ucorebtf "$U" gen min_core_btf $VML "$T/ku.btf" "${objs[@]}" |
	awk '{ w[$1] = $2; c[$1] = $3; r[$1] = $4 }
		END { printf "  bpftool  %7.1f ms (cpu %6.1f)  peak %6.1f MB\n  ucorebtf %7.1f ms (cpu %6.1f)  peak %6.1f MB\n", w["bpftool"], c["bpftool"], r["bpftool"] / 1024, w["ucorebtf"], c["ucorebtf"], r["ucorebtf"] / 1024
		      printf "  ratio ucorebtf/bpftool: wall %.2f, cpu %.2f, peak RSS %.2f\n", w["ucorebtf"] / w["bpftool"], c["ucorebtf"] / c["bpftool"], r["ucorebtf"] / r["bpftool"] }'
	echo "  output: $(stat -c %s "$T/kb.btf") bytes (bpftool), $(stat -c %s "$T/ku.btf") (ucorebtf); $(python3 scripts/btf-canon.py "$T/kb.btf" "$T/ku.btf")"
else
	echo "kernel mode: skipped (apt-get download libbpf-tools failed)"
fi
[ "$N" -gt 0 ] || exit 0

echo "preparing $N library versions in $T ..."
mkdir -p "$T/lib" "$T/base" "$T/ours"
for i in $(seq 1 "$N"); do
	cat > "$T/v.c" <<C
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
struct data { int a; char pad[$((i % 37))]; int b[$((i % 5 + 1))]; int c; int d; };
int add_test(struct data *d) { return d->a + d->c; }
C
	gcc -g -O0 -fno-eliminate-unused-debug-types -c "$T/v.c" -o "$T/v.o"
	pahole --btf_encode_detached="$T/lib/libbench-1.$i.btf" "$T/v.o" 2>/dev/null
done
types=$(bpftool btf dump file "$T/lib/libbench-1.1.btf" | grep -c '^\[')
echo "library BTF: $types types, $(stat -c %s "$T/lib/libbench-1.1.btf") bytes per version; object: $OBJ"

now() { date +%s.%N; }
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

# Baseline: per version, merge then bpftool gen min_core_btf.
t0=$(now); bpeak=0
for f in "$T"/lib/*.btf; do
	n=$(basename "$f" .btf)
	"$U" merge "$f" -o "$T/base/merged.btf"
	/usr/bin/time -v -o "$T/time.txt" bpftool gen min_core_btf "$T/base/merged.btf" "$T/base/$n.btf" "$OBJ"
	p=$(peak "$T/time.txt"); [ "$p" -gt "$bpeak" ] && bpeak=$p
done
t1=$(now)
# Ours: one call.
/usr/bin/time -v -o "$T/time.txt" "$U" gen min "$OBJ" "$T"/lib/*.btf -o "$T/ours" >/dev/null
t2=$(now)
opeak=$(peak "$T/time.txt")
# Ours, one version: the fixed cost (kernel BTF parse + index).
t3=$(now); "$U" gen min "$OBJ" "$T/lib/libbench-1.1.btf" -o "$T/one" >/dev/null; t4=$(now)

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$N" "$bpeak" "$opeak" "$T" <<'PY'
import sys, os, glob
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6]); n = int(sys.argv[6])
bpeak, opeak, T = sys.argv[7], sys.argv[8], sys.argv[9]
base, ours, one = t1 - t0, t2 - t1, t4 - t3
bs = [os.path.getsize(f) for f in glob.glob(T + "/base/libbench-*.btf")]
os_ = [os.path.getsize(f) for f in glob.glob(T + "/ours/libbench-*.btf")]
print(f"versions:                 {n}")
print(f"baseline (merge+bpftool): {base:.2f} s  ({base / n * 1000:.1f} ms/version), peak RSS {bpeak} KiB")
print(f"ucorebtf gen min:         {ours:.3f} s  one call, peak RSS {opeak} KiB")
print(f"ratio:                    {base / ours:.1f}x")
print(f"marginal cost/version:    {max(ours - one, 0) / max(n - 1, 1) * 1000:.2f} ms (1 version: {one * 1000:.0f} ms)")
print(f"bytes per blob:           bpftool (kernel+app types) {sum(bs) / max(len(bs), 1):.0f}, ucorebtf (app types only) {sum(os_) / max(len(os_), 1):.0f}")
PY
