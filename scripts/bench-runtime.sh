#!/usr/bin/env bash
# bench-runtime.sh [RUNS] — load-time cost of libucorebtf against the seed's
# way, side by side in one process (tests/tools/bench_runtime.c):
#   prepare: pick the bundle entry of the target binary (build-id), add the
#            running kernel's needed types, write a memfd;
#   merge:   parse the full kernel BTF + full app BTF, merge, write a file;
#   and bpf_object__open + load of the object with each as btf_custom_path.
# Objects: the seed probe on the seed app, the corpus probe (every CO-RE
# relocation kind) on corpus release 2.  prepare is timed with the per-boot
# kernel index (the usual case: src/lib/kbtf_cache.c) and without it (the
# first prepare of a boot, or not root: one pass over the kernel BTF).
# Then whole processes, interleaved (tests/tools/bench_exec.c):
# `ucorebtf prepare` against the seed's merge as one process.  Not a test.
set -eu
RUNS=${1:-50}
cd "$(dirname "$0")/.."
B=${OUTPUT:-$PWD/build}
U=$B/ucorebtf
BENCH=$B/tests/tools/bench_runtime
T=$(mktemp -d /tmp/ucorebtf-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
[ -x "$BENCH" ] || { echo "run make first" >&2; exit 1; }

# Corpus release 2 through gen min -> archive -> bundle.
gcc -g -O0 -o "$T/libcorpus" tests/fixtures/corpus/lib_v2.c
$U gen btf "$T/libcorpus" --name libcorpus --version 2.0 -o "$T/libcorpus-2.0.btf" >/dev/null
mkdir -p "$T/min"
(cd "$T" && $U gen min "$B/bpf/corpus.bpf.o" libcorpus-2.0.btf -o A --archive >/dev/null &&
	$U bundle create A -o corpus.ucb)

row() {	# row NAME BUNDLE OBJ TARGET FULL
	local out nc
	out=$("$BENCH" "$2" "$3" "$4" "$5" "$RUNS")
	nc=$(UCOREBTF_KBTF_CACHE_DIR= "$BENCH" "$2" "$3" "$4" "$5" "$RUNS" | awk '$1 == "prepare" { print $2 }')
	awk -v name="$1" -v p="$(stat -c %s "$2")" -v nc="$nc" '
		{ med[$1] = $2; min[$1] = $3 }
		END {
			printf "%-8s prepare %7.3f ms (min %.3f)   merge %8.3f ms (min %.3f)   %5.0fx faster\n",
				name, med["prepare"], min["prepare"], med["merge"], min["merge"], med["merge"] / med["prepare"]
			printf "%-8s prepare without the per-boot index %7.3f ms   %5.0fx faster than merge\n",
				"", nc, med["merge"] / nc
			printf "%-8s load with prepared BTF %7.3f ms   with merged BTF %7.3f ms   (%.1fx)   bundle %d bytes\n",
				"", med["load_prepared"], med["load_merged"], med["load_merged"] / med["load_prepared"], p
		}' <<<"$out"
}
echo "median of $RUNS runs, $(uname -r), kernel BTF $(stat -c %s /sys/kernel/btf/vmlinux) bytes, load $(cut -d' ' -f1 /proc/loadavg)"
row seed "$B/examples/seed/seed.ucb" "$B/bpf/seed.bpf.o" "$B/examples/seed/app_v1" "$B/examples/seed/seed-app-1.btf"
row corpus "$T/corpus.ucb" "$B/bpf/corpus.bpf.o" "$T/libcorpus" "$T/libcorpus-2.0.btf"

# Whole processes, interleaved: ucorebtf prepare against the seed's merge.
proc() {	# proc NAME BUNDLE OBJ TARGET FULL
	"$B/tests/tools/bench_exec" "$RUNS" prepare "$U" prepare --bundle "$2" --obj "$3" "$4" -o "$T/p.btf" \
		-- merge "$B/tests/tools/bench_merge" /sys/kernel/btf/vmlinux "$5" "$T/m.btf" |
	awk -v name="$1" '{ wall[$1] = $2; cpu[$1] = $3; rss[$1] = $4 }
		END { printf "%-8s process: prepare %6.2f ms (cpu %5.2f, %5.1f MB)   merge %7.2f ms (cpu %6.2f, %5.1f MB)   %4.0fx wall, %4.0fx cpu\n",
			name, wall["prepare"], cpu["prepare"], rss["prepare"] / 1024, wall["merge"], cpu["merge"],
			rss["merge"] / 1024, wall["merge"] / wall["prepare"], cpu["merge"] / cpu["prepare"] }'
}
proc seed "$B/examples/seed/seed.ucb" "$B/bpf/seed.bpf.o" "$B/examples/seed/app_v1" "$B/examples/seed/seed-app-1.btf"
proc corpus "$T/corpus.ucb" "$B/bpf/corpus.bpf.o" "$T/libcorpus" "$T/libcorpus-2.0.btf"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
