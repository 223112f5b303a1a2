#!/usr/bin/env bash
# bench-runtime.sh [RUNS] — load-time cost of libucorebtf against the seed's
# way, side by side in one process (tests/tools/bench_runtime.c):
#   prepare: pick the bundle entry of the target binary (build-id), add the
#            running kernel's needed types, write a memfd;
#   merge:   parse the full kernel BTF + full app BTF, merge, write a file;
#   and bpf_object__open + load of the object with each as btf_custom_path.
# Objects: the seed probe on the seed app, the corpus probe (every CO-RE
# relocation kind) on corpus release 2.  Not a test.
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
	local out
	out=$("$BENCH" "$2" "$3" "$4" "$5" "$RUNS")
	awk -v name="$1" -v p="$(stat -c %s "$2")" '
		{ med[$1] = $2; min[$1] = $3 }
		END {
			printf "%-8s prepare %7.3f ms (min %.3f)   merge %8.3f ms (min %.3f)   %5.0fx faster\n",
				name, med["prepare"], min["prepare"], med["merge"], min["merge"], med["merge"] / med["prepare"]
			printf "%-8s load with prepared BTF %7.3f ms   with merged BTF %7.3f ms   (%.1fx)   bundle %d bytes\n",
				"", med["load_prepared"], med["load_merged"], med["load_merged"] / med["load_prepared"], p
		}' <<<"$out"
}
echo "median of $RUNS runs, $(uname -r), kernel BTF $(stat -c %s /sys/kernel/btf/vmlinux) bytes"
row seed "$B/examples/seed/seed.ucb" "$B/bpf/seed.bpf.o" "$B/examples/seed/app_v1" "$B/examples/seed/seed-app-1.btf"
row corpus "$T/corpus.ucb" "$B/bpf/corpus.bpf.o" "$T/libcorpus" "$T/libcorpus-2.0.btf"
