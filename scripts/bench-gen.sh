#!/usr/bin/env bash
# bench-gen.sh [N] — one `ucorebtf gen min` call over N library versions
# against the bpftool way: per version merge kernel + library BTF into a
# file and run `bpftool gen min_core_btf` on it.  Not a test.
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
