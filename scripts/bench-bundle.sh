#!/usr/bin/env bash
# bench-bundle.sh [N] — bundle size for N library versions (default 50) of a
# "library" whose struct moves from version to version (the seed probe's
# struct data plus libc types it drags in), against:
#   - tar cJf of the same deduplicated blobs (archive/blobs);
#   - the baseline: one `bpftool gen min_core_btf` file per version (kernel +
#     library merged, then minimised), as is, and as tar cJf.
# Not a test.
set -eu
N=${1:-50}
cd "$(dirname "$0")/.."
B=${OUTPUT:-$PWD/build}
U=$B/ucorebtf
OBJ=$B/bpf/seed.bpf.o
T=$(mktemp -d /tmp/ucorebtf-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/full" "$T/min" "$T/base"
for i in $(seq 1 "$N"); do
	# Every third version keeps the previous layout (identical blobs).
	pad=$(( (i / 3) % 17 ))
	cat > "$T/v.c" <<C
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
	gcc -g -O0 -o "$T/lib" "$T/v.c"
	$U gen btf "$T/lib" --name libdemo --version "1.$i" -o "$T/full/libdemo-1.$i.btf" >/dev/null
	$U merge "$T/full/libdemo-1.$i.btf" -o "$T/merged.btf"
	bpftool gen min_core_btf "$T/merged.btf" "$T/base/libdemo-1.$i.btf" "$OBJ"
done
(cd "$T" && $U gen min "$OBJ" full/*.btf -o A --archive >/dev/null)
for c in xz zlib none; do $U bundle create "$T/A" -o "$T/b.$c" --compress $c; done
tar -C "$T/A" -cJf "$T/blobs.tar.xz" blobs
tar -C "$T" -cJf "$T/base.tar.xz" base
sz() { stat -c %s "$1"; }
sum() { cat "$@" | wc -c; }
printf '%d versions, %d distinct blobs (%d bytes of raw BTF)\n' "$N" "$(ls "$T/A/blobs" | wc -l)" "$(sum "$T"/A/blobs/*)"
printf '%-46s %8d bytes\n' "bundle, xz (default)" "$(sz "$T/b.xz")"
printf '%-46s %8d bytes\n' "bundle, zlib" "$(sz "$T/b.zlib")"
printf '%-46s %8d bytes\n' "bundle, uncompressed" "$(sz "$T/b.none")"
printf '%-46s %8d bytes\n' "tar cJf of the same blobs (no index, no needs)" "$(sz "$T/blobs.tar.xz")"
printf '%-46s %8d bytes\n' "baseline: $N bpftool min_core_btf files" "$(sum "$T"/base/*)"
printf '%-46s %8d bytes\n' "baseline files, tar cJf" "$(sz "$T/base.tar.xz")"
awk -v b="$(sz "$T/b.xz")" -v t="$(sz "$T/blobs.tar.xz")" -v r="$(sum "$T"/base/*)" -v rt="$(sz "$T/base.tar.xz")" \
	'BEGIN { printf "bundle/tar.xz %.2f, baseline/bundle %.1fx, baseline.tar.xz/bundle %.1fx\n", b / t, r / b, rt / b }'
