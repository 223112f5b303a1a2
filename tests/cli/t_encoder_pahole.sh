# ucorebtf's encoder against pahole (scripts/btf-compare.sh): same structs,
# member offsets and sizes on the seed apps, the encoder test library and
# ucorebtf itself; every difference is a known pahole 1.24 bug, and the
# compiler (offsetof/sizeof) agrees with ucorebtf.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
ENC=$TESTS_DIR/fixtures/encoder
CMP=$TESTS_DIR/../scripts/btf-compare.sh
gcc -g -O0 -Wno-overflow -I$ENC $ENC/layout.c -o layout && ./layout > truth.txt &&
	gcc -g -O1 -shared -fPIC -I$ENC $ENC/lib.c $ENC/other.c -o libenc.so || { failt "cannot build the test library"; exit 0; }

out=$(bash $CMP --truth truth.txt $B/examples/seed/app_v1 $B/examples/seed/app_v2 libenc.so $UCOREBTF 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
[ $rc = 0 ] && pass "btf-compare: no unexplained difference from pahole" || failt "btf-compare exit $rc"
for app in app_v1 app_v2; do
	grep -Eq "^$B/examples/seed/$app: 1 structs, ([0-9]+) members: \\1 identical;" <<<"$out" &&
		pass "seed $app: identical to pahole" || failt "seed $app differs from pahole"
done
grep -q '^libenc.so: 12 structs, 71 members: 62 identical; pahole-void 6, pahole-flat 2, pahole-dup 2, ucorebtf-skip 1, type 0; unexplained 0$' <<<"$out" &&
	grep -q 'pahole-dup *enc_atomic defined 2 times (ucorebtf: 1)' <<<"$out" &&
	pass "libenc (2 CUs): 62 members identical; pahole's 6 _Atomic voids, 2 flattened arrays, 2 duplicated structs named" ||
	failt "libenc summary: $(grep '^libenc' <<<"$out")"
# Each pahole-void member: ucorebtf's offset and size are the compiler's.
ok=1 n=0
$UCOREBTF gen btf libenc.so -o enc.btf >/dev/null 2>&1
for k in $(sed -n 's/^  pahole-void *\([^:]*\):.*/\1/p' <<<"$out"); do
	want=$(grep "^$k " truth.txt | cut -d' ' -f2-)
	got=$($B/tests/tools/btf_layout enc.btf | grep "^$k " | cut -d' ' -f2,3)
	[ -n "$want" ] && [ "$want" = "$got" ] && n=$((n + 1)) || { ok=0; echo "    $k: compiler [$want] ucorebtf [$got]"; }
done
[ $ok = 1 ] && [ $n = 6 ] && pass "where pahole says void, ucorebtf's offset and size are offsetof/sizeof ($n members)" ||
	failt "pahole-void members vs compiler"
grep -Eq "^$UCOREBTF: [0-9]{3,} structs, ([0-9]+) members: \\1 identical" <<<"$out" &&
	pass "ucorebtf itself (libbpf inside): every struct member identical to pahole" || failt "ucorebtf binary differs"

# The comparison can fail: hand it an encoder that encodes the wrong binary.
cat > wrong.sh <<SH
#!/bin/bash
args=("\$@"); for i in "\${!args[@]}"; do [ "\${args[\$i]}" = "$B/examples/seed/app_v2" ] && [ "\$5" = ucorebtf ] && args[\$i]=$B/examples/seed/app_v1; done
exec $UCOREBTF "\${args[@]}"
SH
chmod +x wrong.sh
out=$(UCOREBTF=$WORK/wrong.sh bash $CMP $B/examples/seed/app_v2 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'ONLY-pahole *data.b' <<<"$out" && grep -q 'LAYOUT *data.c' <<<"$out" &&
	pass "btf-compare names real differences and fails on them" || failt "btf-compare on a wrong encoder: rc=$rc $out"

# A real library built by Debian with GCC 12: libpython3.11d (libpython3.11-dbg,
# DWARF in the .so).  Its _Py_atomic_int/_Py_atomic_address hold C11 atomics.
PY=/usr/lib/x86_64-linux-gnu/libpython3.11d.so.1.0
if [ -r $PY ]; then
	out=$(bash $CMP $PY 2>&1); rc=$?
	echo "$out" | sed 's/^/    /'
	sum=$(grep "^$PY: " <<<"$out")
	if [ $rc = 0 ] && grep -Eq ': [0-9]{3,} structs, [0-9]{4,} members: [0-9]+ identical; pahole-void 2, pahole-flat 0, pahole-dup 0, ucorebtf-skip 0, type 0; unexplained 0$' <<<"$sum" &&
		grep -q 'pahole-void *_Py_atomic_int._value: pahole atomic_int = void' <<<"$out"; then
		pass "libpython3.11d: identical to pahole except _Py_atomic_int/_address._value, which pahole makes void"
	else failt "libpython3.11d vs pahole: rc=$rc $sum"; fi
	$UCOREBTF gen btf $PY -o py.btf >/dev/null 2>&1 && $B/tests/tools/btf_layout -k py.btf &&
		pass "libpython3.11d: the kernel's BTF verifier accepts the encoder's BTF" || failt "libpython BTF rejected by the kernel"
else failt "$PY missing: scripts/deps.sh installs libpython3.11-dbg"; fi
