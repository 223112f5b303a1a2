# gen min on the seed probe: blobs per version, determinism, identical
# blobs, failed matches, release groups, duplicates/ambiguity, and the blob
# merged with the kernel on a real uprobe.
. "$TESTS_DIR/lib.sh"
OBJ=$B/bpf/seed.bpf.o
APPS=$B/examples/seed
MK=$B/tests/tools/genmin_mkbtf
jf() { sed -n "s/.*\"$2\":\([-0-9]*\).*/\1/p" <<<"$1"; }

pahole --btf_encode_detached=app-1.btf $APPS/app_v1 &&
pahole --btf_encode_detached=app-2.btf $APPS/app_v2 || { failt "genmin seed: pahole"; exit 0; }

mkdir out
if $UCOREBTF gen min $OBJ app-1.btf app-2.btf -o out -j >out.json 2>err.txt; then
	pass "genmin seed: gen min over two versions"
else failt "genmin seed: gen min: $(head -c 300 err.txt)"; fi
for v in 1 2; do
	dump=$(bpftool btf dump file out/app-$v.min.btf 2>&1)
	names=$(grep -o "^\[[0-9]*\] [A-Z]* '[^']*'" <<<"$dump" | awk '{print $2, $3}' | sort | tr '\n' ' ')
	if [ "$names" = "INT 'int' STRUCT 'data' " ] && ! grep -q pt_regs <<<"$dump" &&
	   grep -q "'a' type_id" <<<"$dump" && grep -q "'c' type_id" <<<"$dump" && ! grep -q "'d' type_id" <<<"$dump"; then
		pass "genmin seed v$v: blob is struct data {a, c} + int, no kernel type"
	else failt "genmin seed v$v: blob: $names / $dump"; fi
done
if jq -e '(.versions|length)==2 and all(.versions[]; .relocations.app==2 and .relocations.kernel==1
	and .relocations.resolved==2 and .relocations.failed==0 and .verified==true and (.failed|length)==0)
	and (.objects[0].kernel_types|map(select(.name=="pt_regs"))[0].members)==["di"]' out.json >/dev/null &&
   cmp -s out.json out/gen-min.json; then
	pass "genmin seed: JSON summary (counts, kernel needs pt_regs.di, same as out/gen-min.json)"
else failt "genmin seed: JSON: $(head -c 600 out.json)"; fi
c=$(jq -r '.versions[1].bytes' out.json)
[ "$c" = "$(stat -c %s out/app-2.min.btf)" ] && pass "genmin seed: JSON bytes match the blob ($c)" ||
	failt "genmin seed: JSON bytes $c"

# Deterministic: other input order, same bytes; a copy under another
# version is reported identical.
cp app-1.btf app-1.5.btf
mkdir out2
$UCOREBTF gen min app-2.btf app-1.5.btf app-1.btf $OBJ -o out2 -j >out2.json 2>err2.txt
if cmp -s out/app-1.min.btf out2/app-1.min.btf && cmp -s out/app-2.min.btf out2/app-2.min.btf; then
	pass "genmin seed: same inputs in another order give byte-identical blobs"
else failt "genmin seed: order changes blobs: $(cat err2.txt)"; fi
if jq -e '.versions[]|select(.version=="1.5")|.identical_to==["app-1"]' out2.json >/dev/null &&
   jq -e '.versions[]|select(.version=="2")|.identical_to==[]' out2.json >/dev/null; then
	pass "genmin seed: byte-identical blobs are reported"
else failt "genmin seed: identical_to: $(jq -c '[.versions[]|{version,identical_to}]' out2.json)"; fi

# Real uprobes: kernel + blob.
for v in 1 2; do
	$UCOREBTF merge out/app-$v.min.btf -o merged$v.btf 2>m.err || failt "genmin seed: merge v$v: $(cat m.err)"
	out=$($B/examples/seed/loader -j -b merged$v.btf $OBJ $APPS/app_v$v 2>&1)
	if [ "$(jf "$out" a)" = 1 ] && [ "$(jf "$out" c)" = 3 ] && [ "$(jf "$out" sum)" = 4 ]; then
		pass "genmin seed v$v: uprobe with kernel + blob reads a=1 c=3 sum=4"
	else failt "genmin seed v$v uprobe: $out"; fi
done

# A release without field c: a failed match, reported, not an error.
cat > app3.c <<'C'
struct data { int a; int d; };
__attribute__((noinline, used)) int add_test(struct data *d) { return d->a; }
int main(void) { struct data d = { 1, 4 }; return add_test(&d) - 1; }
C
gcc -g -O0 -o app3 app3.c && pahole --btf_encode_detached=app-3.btf app3
mkdir out3
if out=$($UCOREBTF gen min $OBJ app-3.btf -o out3 -j 2>&1) &&
   jq -e '.versions[0].failed==["add_test_entry:14 data.c"] and .versions[0].relocations.failed==1' <<<"$out" >/dev/null; then
	pass "genmin seed: field absent in a release is a reported failed match"
else failt "genmin seed: failed match: $out"; fi

# Release groups: libfwd only forward-declares struct data, libdef defines it.
$MK fwd libfwd-1.0.btf && cp app-1.btf libdef-1.0.btf
mkdir g1 g2 g3
if out=$($UCOREBTF gen min $OBJ libfwd-1.0.btf libdef-1.0.btf --group-by-version -o g1 -j 2>&1) &&
   jq -e '(.versions|map({(.library):.})|add) as $v | $v.libdef.relocations.resolved==2 and
	$v.libfwd.release=="libdef-1.0+libfwd-1.0" and $v.libfwd.types==0 and $v.libdef.types==2' <<<"$out" >/dev/null; then
	pass "genmin seed: --group-by-version resolves a forward declaration to the other library's definition"
else failt "genmin seed: group by version: $out"; fi
$UCOREBTF gen min $OBJ libfwd-1.0.btf libdef-1.0.btf --release libfwd-1.0.btf,libdef-1.0.btf -o g2 >/dev/null 2>&1
cmp -s g1/libdef-1.0.min.btf g2/libdef-1.0.min.btf && cmp -s g1/libfwd-1.0.min.btf g2/libfwd-1.0.min.btf &&
	pass "genmin seed: --release gives the same blobs" || failt "genmin seed: --release blobs differ"
if out=$($UCOREBTF gen min $OBJ libfwd-1.0.btf -o g3 -j 2>&1) &&
   jq -e '.versions[0].relocations.failed==2' <<<"$out" >/dev/null; then
	pass "genmin seed: alone, the forward-declaring library fails to match (reported)"
else failt "genmin seed: fwd alone: $out"; fi

# Duplicate identical copies are accepted; two different definitions are an error.
$MK dup libdup-1.0.btf && $MK diff libdiff-1.0.btf
mkdir d1 d2
if $UCOREBTF gen min $OBJ libdup-1.0.btf -o d1 >/dev/null 2>err.txt &&
   [ "$(bpftool btf dump file d1/libdup-1.0.min.btf | grep -c "STRUCT 'data'")" = 1 ]; then
	pass "genmin seed: identical duplicate struct copies accepted, one kept"
else failt "genmin seed: duplicates: $(cat err.txt)"; fi
out=$($UCOREBTF gen min $OBJ libdiff-1.0.btf -o d2 2>&1); rc=$?
if [ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] && grep -q "ambiguous.*struct data \[2\] size 12.*struct data \[[0-9]*\] size 16" <<<"$out" &&
   [ -z "$(ls d2)" ]; then
	pass "genmin seed: two different struct data: one error naming both, nothing written"
else failt "genmin seed: ambiguity: rc=$rc $out"; fi
