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
# KRUNS=0 skips kernel mode.  UCOREBTF_BASE=/path/to/an/older/ucorebtf
# also runs that binary's gen min (-o DIR and --archive) over the N
# versions, interleaved with this one, RUNS (default 3) times each: the
# before/after ratio of a change, medians.  Each run writes into a new
# directory: rm -rf of 1,000 files just before makes ext4 (without a
# journal) slow to allocate the next 1,000 inodes (recently_deleted()).
set -eu
N=${1:-100}
cd "$(dirname "$0")/.."
B=${OUTPUT:-$PWD/build}
U=$B/ucorebtf
OBJ=${OBJ:-$B/bpf/seed.bpf.o}
VML=/sys/kernel/btf/vmlinux
T=$(mktemp -d "${TMPDIR:-/tmp}/ucorebtf-bench.XXXXXX")	# TMPDIR=/dev/shm: without the disk
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
if [ "$KRUNS" -gt 0 ] && kernel_corpus; then
	objs=("$KOBJS"/*.bpf.o)
	echo "kernel mode: ${#objs[@]} libbpf-tools objects, $KRUNS interleaved runs, load $(cut -d' ' -f1 /proc/loadavg)"
	"$B/tests/tools/bench_exec" "$KRUNS" bpftool bpftool gen min_core_btf $VML "$T/kb.btf" "${objs[@]}" \
		-- ucorebtf "$U" gen min_core_btf $VML "$T/ku.btf" "${objs[@]}" |
	awk '{ w[$1] = $2; c[$1] = $3; r[$1] = $4 }
		END { printf "  bpftool  %7.1f ms (cpu %6.1f)  peak %6.1f MB\n  ucorebtf %7.1f ms (cpu %6.1f)  peak %6.1f MB\n", w["bpftool"], c["bpftool"], r["bpftool"] / 1024, w["ucorebtf"], c["ucorebtf"], r["ucorebtf"] / 1024
		      printf "  ratio ucorebtf/bpftool: wall %.2f, cpu %.2f, peak RSS %.2f\n", w["ucorebtf"] / w["bpftool"], c["ucorebtf"] / c["bpftool"], r["ucorebtf"] / r["bpftool"] }'
	echo "  output: $(stat -c %s "$T/kb.btf") bytes (bpftool), $(stat -c %s "$T/ku.btf") (ucorebtf); $(python3 scripts/btf-canon.py "$T/kb.btf" "$T/ku.btf")"
else
	echo "kernel mode: skipped (KRUNS=0, or apt-get download libbpf-tools failed)"
fi
[ "$N" -gt 0 ] || exit 0

# ---- N library versions in one gen min call ----
# Versions share blobs as real releases do: VARIANTS distinct layouts
# (default 37), version i has layout (i - 1) % VARIANTS + 1, compiled once.
# The baseline runs on the first BASE_N (default 50) versions only, its
# cost per version multiplied out: it takes ~0.1-0.4 s a version.
VARIANTS=${VARIANTS:-37}
BASE_N=${BASE_N:-50}
[ "$BASE_N" -le "$N" ] || BASE_N=$N
echo "preparing $N library versions ($VARIANTS distinct layouts) in $T ..."
mkdir -p "$T/lib" "$T/base" "$T/ours" "$T/var"
for v in $(seq 1 "$VARIANTS"); do
	cat > "$T/v.c" <<C
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
struct data { int a; char pad[$((v % 37))]; int b[$((v % 5 + 1))]; int c; int d; };
int add_test(struct data *d) { return d->a + d->c; }
C
	gcc -g -O0 -fno-eliminate-unused-debug-types -c "$T/v.c" -o "$T/v.o"
	pahole --btf_encode_detached="$T/var/$v.btf" "$T/v.o" 2>/dev/null
done
for i in $(seq 1 "$N"); do
	cp "$T/var/$(( (i - 1) % VARIANTS + 1 )).btf" "$T/lib/libbench-1.$i.btf"
done
types=$(bpftool btf dump file "$T/lib/libbench-1.1.btf" | grep -c '^\[')
echo "library BTF: $types types, $(stat -c %s "$T/lib/libbench-1.1.btf") bytes per version; object: $OBJ"

now() { date +%s.%N; }
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
cpu() { awk -F': ' '/User time|System time/ { c += $2 } END { print c }' "$1"; }

# Baseline: per version, merge then bpftool gen min_core_btf.
t0=$(now); bpeak=0
for i in $(seq 1 "$BASE_N"); do
	f=$T/lib/libbench-1.$i.btf n=libbench-1.$i
	"$U" merge "$f" -o "$T/base/merged.btf"
	/usr/bin/time -v -o "$T/time.txt" bpftool gen min_core_btf "$T/base/merged.btf" "$T/base/$n.btf" "$OBJ"
	p=$(peak "$T/time.txt"); [ "$p" -gt "$bpeak" ] && bpeak=$p
done
t1=$(now)
# Ours: one call over N versions, one over N/10, one over one version.
run=0
ours() {	# ours K [BIN [--archive]]: wall s, peak KiB, CPU s of one gen min call over versions 1..K
	local s e o
	run=$((run + 1)); o=$T/ours-$1-$run
	[ "$1" = "$N" ] && [ -z "${2:-}" ] && o=$T/ours	# the blobs measured below
	rm -rf "$o"
	s=$(now)
	/usr/bin/time -v -o "$T/time.txt" "${2:-$U}" gen min "$OBJ" $(seq -f "$T/lib/libbench-1.%g.btf" 1 "$1") \
		-o "$o" ${3:-} >/dev/null
	e=$(now)
	echo "$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }') $(peak "$T/time.txt") $(cpu "$T/time.txt")"
}
tenth=$(( N / 10 > 0 ? N / 10 : 1 ))
read -r one onepeak onecpu < <(ours 1)
read -r mid midpeak midcpu < <(ours "$tenth")
read -r all allpeak allcpu < <(ours "$N")
read -r arc arcpeak arccpu < <(ours "$N" "$U" --archive)
echo "output in $T ($(stat -f -c %T "$T")), load $(cut -d' ' -f1 /proc/loadavg)"
echo "ucorebtf gen min, CPU (user + sys): 1 version $onecpu s, $tenth versions $midcpu s, $N versions $allcpu s"
echo "ucorebtf gen min --archive, $N versions (a new archive): $arc s (CPU $arccpu s), peak $arcpeak KiB"
if [ -n "${UCOREBTF_BASE:-}" ]; then
	median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
	: > "$T/cmp"
	for r in $(seq "${RUNS:-3}"); do
		for m in "" --archive; do
			for who in base this; do
				bin=$U; [ $who = base ] && bin=$UCOREBTF_BASE
				read -r t p c < <(ours "$N" "$bin" "${m:-}")
				echo "$who${m:+-archive} $t $p $c" >> "$T/cmp"
			done
		done
	done
	echo "before/after ($UCOREBTF_BASE vs $U), $N versions, medians of ${RUNS:-3} interleaved runs, load $(cut -d' ' -f1 /proc/loadavg):"
	for k in "" -archive; do
		bt=$(awk -v k="base$k" '$1 == k { print $2 }' "$T/cmp" | median)
		bp=$(awk -v k="base$k" '$1 == k { print $3 }' "$T/cmp" | median)
		tt=$(awk -v k="this$k" '$1 == k { print $2 }' "$T/cmp" | median)
		tp=$(awk -v k="this$k" '$1 == k { print $3 }' "$T/cmp" | median)
		bc=$(awk -v k="base$k" '$1 == k { print $4 }' "$T/cmp" | median)
		tc=$(awk -v k="this$k" '$1 == k { print $4 }' "$T/cmp" | median)
		printf '  gen min%-10s before %7.3f s (CPU %6.3f) %6d KiB   after %7.3f s (CPU %6.3f) %6d KiB   ratio wall %.3f, CPU %.3f, peak %.2f\n' \
			"${k:+ --archive}" "$bt" "$bc" "$bp" "$tt" "$tc" "$tp" "$(awk -v a="$tt" -v b="$bt" 'BEGIN { print a / b }')" \
			"$(awk -v a="$tc" -v b="$bc" 'BEGIN { print a / b }')" "$(awk -v a="$tp" -v b="$bp" 'BEGIN { print a / b }')"
	done
fi

python3 - "$t0" "$t1" "$N" "$BASE_N" "$bpeak" "$T" "$one" "$onepeak" "$tenth" "$mid" "$midpeak" "$all" "$allpeak" <<'PY'
import sys, os, glob
a = sys.argv[1:]
t0, t1, n, bn, bpeak, T = float(a[0]), float(a[1]), int(a[2]), int(a[3]), int(a[4]), a[5]
one, onep, k, mid, midp, all_, allp = float(a[6]), int(a[7]), int(a[8]), float(a[9]), int(a[10]), float(a[11]), int(a[12])
per = (t1 - t0) / max(bn, 1)
bs = [os.path.getsize(f) for f in glob.glob(T + "/base/libbench-*.btf")]
os_ = [os.path.getsize(f) for f in glob.glob(T + "/ours/libbench-*.btf")]
print(f"versions:                 {n} ({len(set(open(f, 'rb').read() for f in glob.glob(T + '/var/*.btf')))} distinct blobs)")
print(f"baseline (merge+bpftool): {per * 1000:.1f} ms/version over {bn} versions -> {per * n:.1f} s for {n}, peak RSS {bpeak} KiB")
print(f"ucorebtf gen min, 1 call: 1 version {one:.3f} s / {onep} KiB; {k} versions {mid:.3f} s / {midp} KiB; {n} versions {all_:.3f} s / {allp} KiB")
print(f"ratio at {n} versions:    {per * n / all_:.0f}x")
print(f"marginal cost/version:    {max(all_ - one, 0) / max(n - 1, 1) * 1000:.2f} ms, {max(allp - onep, 0) / max(n - 1, 1):.1f} KiB")
print(f"bytes per blob:           bpftool (kernel+app types) {sum(bs) / max(len(bs), 1):.0f}, ucorebtf (app types only) {sum(os_) / max(len(os_), 1):.0f}")
PY
