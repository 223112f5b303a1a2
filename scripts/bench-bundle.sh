#!/usr/bin/env bash
# bench-bundle.sh — bundle size against the naive way, two cases in one run:
#   distinct: 100 versions of a small library whose struct layout differs in
#             each (100 distinct blobs), no build-ids (objects, as in
#             bench-gen.sh: gcc -c, pahole);
#   shared:   50 versions of a program whose struct moves every third
#             version (7 distinct blobs), each with its GNU build-id.
# The naive way, per version: merge kernel + library BTF, then `bpftool gen
# min_core_btf`; compared with `tar cJf` of those files.  tar gets fixed
# names, order, owner and mtime, and gcc -ffile-prefix-map keeps the
# temporary path out of the binaries (and so out of their build-ids): every
# size here is a function of the inputs (tests/cli/t_bundle_size.sh asserts
# on them).  Prints a table per case, then one "result" line per case.
set -eu
cd "$(dirname "$0")/.."
B=${OUTPUT:-$PWD/build}
U=$B/ucorebtf
OBJ=$B/bpf/seed.bpf.o
T=$(mktemp -d /tmp/ucorebtf-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
TAR="tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner"

# naive DIR NAME LIB.btf: the naive per-version output of one version.
naive() {
	"$U" merge "$3" -o "$1/merged.btf"
	bpftool gen min_core_btf "$1/merged.btf" "$1/base/$2.btf" "$OBJ"
}

distinct() {
	local D=$T/distinct i
	mkdir -p "$D/lib" "$D/base"
	for i in $(seq 1 100); do
		cat > "$D/v.c" <<C
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
struct data { int a; char pad[$((4 * i))]; int b[$((i % 5 + 1))]; int c; int d; };
int add_test(struct data *d) { return d->a + d->c; }
C
		gcc -g -O0 -fno-eliminate-unused-debug-types -ffile-prefix-map="$D"=/bench -c "$D/v.c" -o "$D/v.o"
		pahole --btf_encode_detached="$D/lib/libbench-1.$i.btf" "$D/v.o" 2>/dev/null
		naive "$D" "libbench-1.$i" "$D/lib/libbench-1.$i.btf"
	done
	"$U" gen min "$OBJ" "$D"/lib/*.btf -o "$D/A" --archive >/dev/null
}

shared() {
	local D=$T/shared i pad
	mkdir -p "$D/full" "$D/base"
	for i in $(seq 1 50); do
		pad=$(( (i / 3) % 17 ))
		cat > "$D/v.c" <<C
#include <stdio.h>
#include <pthread.h>
#include <sys/socket.h>
struct data {
	int a;
	char pad[$pad + 1];
	int b[$((i % 3 + 1))];
	int c;
	int d;
	FILE *log;
	pthread_mutex_t lock;
};
__attribute__((noinline)) int add_test(struct data *d) { return d->a + d->c; }
int main(void) { struct data d = { .a = 1, .c = 3 }; struct sockaddr sa; (void)sa; return add_test(&d) != 4; }
C
		gcc -g -O0 -ffile-prefix-map="$D"=/bench -o "$D/lib" "$D/v.c"
		"$U" gen btf "$D/lib" --name libdemo --version "1.$i" -o "$D/full/libdemo-1.$i.btf" >/dev/null
		naive "$D" "libdemo-1.$i" "$D/full/libdemo-1.$i.btf"
	done
	(cd "$D" && "$U" gen min "$OBJ" full/*.btf -o A --archive >/dev/null)
}

sz() { stat -c %s "$1"; }
sum() { cat "$@" | wc -c; }

# report CASE: bundles of its archive, the naive files, the table, the result line.
report() {
	local D=$T/$1 c n blobs bids
	for c in xz zlib none; do "$U" bundle create "$D/A" -o "$D/b.$c" --compress $c; done
	$TAR -C "$D" -cJf "$D/base.tar.xz" base
	tar -C "$D" -cJf "$D/base.plain.tar.xz" base
	$TAR -C "$D/A" -cJf "$D/blobs.tar.xz" blobs
	$TAR -C "$D" -cJf "$D/archive.tar.xz" A
	n=$(ls "$D/base" | wc -l)
	blobs=$(ls "$D/A/blobs" | wc -l)
	# build-ids in the index (column 7: "-" or a comma list)
	bids=$(awk -F'\t' '!/^#/ && $7 != "-" { n += split($7, x, ",") } END { print n + 0 }' "$D/A/index.tsv")
	printf '\n%s: %d versions, %d distinct blobs (%d bytes of raw BTF), %d build-ids\n' "$1" "$n" "$blobs" \
		"$(sum "$D"/A/blobs/*)" "$bids"
	printf '  %-52s %7d bytes\n' "bundle, xz (default)" "$(sz "$D/b.xz")" \
		"bundle, zlib" "$(sz "$D/b.zlib")" \
		"bundle, uncompressed" "$(sz "$D/b.none")" \
		"naive: $n bpftool min_core_btf files" "$(sum "$D"/base/*)" \
		"naive files, tar cJf" "$(sz "$D/base.tar.xz")" \
		"naive files, plain tar cJf (real mtimes, owners)" "$(sz "$D/base.plain.tar.xz")" \
		"archive directory, tar cJf" "$(sz "$D/archive.tar.xz")" \
		"distinct blobs alone, tar cJf (no index, no needs)" "$(sz "$D/blobs.tar.xz")"
	printf 'result %s versions=%d blobs=%d build_ids=%d bundle=%d zlib=%d none=%d naive=%d naive_txz=%d archive_txz=%d\n' \
		"$1" "$n" "$blobs" "$bids" "$(sz "$D/b.xz")" "$(sz "$D/b.zlib")" "$(sz "$D/b.none")" \
		"$(sum "$D"/base/*)" "$(sz "$D/base.tar.xz")" "$(sz "$D/archive.tar.xz")"
}

distinct
shared
echo "kernel BTF: $(stat -c %s /sys/kernel/btf/vmlinux) bytes; object: $OBJ"
report distinct
report shared
