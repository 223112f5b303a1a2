# Seed example end to end on real uprobes: values read through a BPF map.
. "$TESTS_DIR/lib.sh"
L=$B/examples/seed/loader
APPS=$B/examples/seed

# json_field JSON KEY -> value
jf() { sed -n "s/.*\"$2\":\([-0-9]*\).*/\1/p" <<<"$1"; }

for v in v1 v2; do
	out=$($L -j $B/bpf/seed_nocore.bpf.o $APPS/app_$v 2>&1)
	want=$([ $v = v1 ] && echo 4 || echo 3)
	if [ "$(jf "$out" sum)" = "$want" ] && [ "$(jf "$out" hits)" = 1 ]; then
		pass "seed no-CO-RE probe on $v reads sum=$want"
	else failt "seed no-CO-RE probe on $v: $out"; fi

	out=$($L -j $B/bpf/seed.bpf.o $APPS/app_$v 2>&1); rc=$?
	if [ $rc -ne 0 ] && grep -q "^Error: .*CO-RE relocation.*struct data" <<<"$out"; then
		pass "seed CO-RE probe on $v without app BTF fails with one clear line"
	else failt "seed CO-RE probe without app BTF on $v: rc=$rc $out"; fi

	$UCOREBTF gen btf $APPS/app_$v -o app_$v.btf --version ${v#v} >/dev/null &&
	$UCOREBTF merge app_$v.btf -o merged_$v.btf || failt "gen btf/merge $v"
	out=$($L -j -b merged_$v.btf $B/bpf/seed.bpf.o $APPS/app_$v 2>&1)
	if [ "$(jf "$out" a)" = 1 ] && [ "$(jf "$out" c)" = 3 ] && [ "$(jf "$out" sum)" = 4 ]; then
		pass "seed CO-RE probe on $v with merged BTF reads 1 + 3 = 4"
	else failt "seed CO-RE probe with merged BTF on $v: $out"; fi
done

# The merged file from the explicit BASE form works the same.
$UCOREBTF merge /sys/kernel/btf/vmlinux app_v2.btf -o explicit.btf &&
cmp -s explicit.btf merged_v2.btf && pass "merge BASE APP equals merge APP with default base" ||
	failt "merge with explicit base differs"

out=$(make -s -C "$TESTS_DIR/.." OUTPUT=$B demo 2>&1)
n_ok=$(grep -c "1 + 3 = 4" <<<"$out"); n_bad=$(grep -c "1 + 2 = 3" <<<"$out")
if [ "$n_ok" -ge 3 ] && [ "$n_bad" -eq 1 ]; then pass "make demo shows the wrong read and both right reads"
else failt "make demo output: $out"; fi
