#!/usr/bin/env bash
# The seed story on real uprobes: a probe compiled against release 1's
# `struct data {a, c, d}` reads release 2's `{a, b, c, d}`.
set -eu
OUTPUT=$(cd "${OUTPUT:-build}" && pwd)
U=$OUTPUT/ucorebtf
L=$OUTPUT/examples/seed/loader
APPS=$OUTPUT/examples/seed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== 1. Hand-made offsets (probe compiled for release 1, no CO-RE)"
for v in v1 v2; do $L $OUTPUT/bpf/seed_nocore.bpf.o $APPS/app_$v; done
echo "   -> release 2 reads a + b: 1 + 2, the wrong field."
echo
echo "== 2. CO-RE probe without application BTF: libbpf cannot relocate"
for v in v1 v2; do $L $OUTPUT/bpf/seed.bpf.o $APPS/app_$v 2>&1 || true; done
echo
echo "== 3. CO-RE probe with kernel + application BTF (ucorebtf gen btf + merge)"
for v in v1 v2; do
	$U gen btf $APPS/app_$v -o $tmp/app_$v.btf --version ${v#v} >/dev/null
	$U merge $tmp/app_$v.btf -o $tmp/merged_$v.btf
	$L -b $tmp/merged_$v.btf $OUTPUT/bpf/seed.bpf.o $APPS/app_$v
done
echo "   -> both releases read a + c: 1 + 3 = 4."
echo
echo "== 4. One bundle for both releases, embedded in the loader (libucorebtf)"
echo "   $(du -b $APPS/seed.ucb | cut -f1)-byte bundle: $($U bundle list $APPS/seed.ucb | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
# Run from an empty directory with copies of the object and the apps: the
# only BTF the loader has is the bundle compiled into it.
cp $OUTPUT/bpf/seed.bpf.o $APPS/app_v1 $APPS/app_v2 $tmp/
cd $tmp
rm -f ./*.btf
for v in v1 v2; do "$APPS/loader_embed" seed.bpf.o ./app_$v; done
echo "   -> both releases read a + c: 1 + 3 = 4, picked by build-id from the embedded bundle."
