# Bundles of format 1 (written before format 2; tests/fixtures/bundle-v1,
# never regenerated) still list, verify, extract and prepare; and the
# archive -> format-2 bundle -> extract round trip is byte-identical, also
# for what format 2 stores differently (no sha256: recomputed; build-ids
# as bytes, odd-length ones too; sonames, object lists, rules).
. "$TESTS_DIR/lib.sh"
V1=$TESTS_DIR/fixtures/bundle-v1
U=$UCOREBTF
OBJ=$B/bpf/seed.bpf.o

for f in v1.ucb v1-zlib.ucb v1-none.ucb; do
	[ "$($U bundle verify -j $V1/$f | jq -r '"\(.format) \(.entries) \(.blobs) \(.needs)"')" = "1 4 2 4" ] &&
		[ "$($U bundle list -j $V1/$f | jq -r '[.[] | .library + " " + .version] | join(",")')" = \
		  "libother 0.1,libother 0.2,seed-app 1,seed-app 2" ] &&
		pass "format 1 $f: verify, list" || failt "format 1 $f: $($U bundle verify $V1/$f 2>&1)"
	rm -rf X1 && $U bundle extract $V1/$f -o X1 && diff -r $V1/archive X1 >/dev/null &&
		pass "format 1 $f: extract gives back its archive byte for byte" || failt "extract $f: $(diff -r $V1/archive X1 2>&1 | head -3)"
done

# Prepare: the same BTF from the format-1 bundle and from a format-2
# bundle of the same archive.  By --version: a build-id depends on where
# the app was built, and the fixture's came from another checkout.
objcopy --remove-section .note.gnu.build-id $B/examples/seed/app_v2 seed-app &&
	cp seed-app libother.so.0 || failt "target copies"
$U bundle create $V1/archive -o v2.ucb || failt "bundle create from the format-1 archive"
[ "$($U bundle verify -j v2.ucb | jq .format)" = 2 ] && pass "bundle create writes format 2" || failt "format: $($U bundle verify -j v2.ucb)"
for b in $V1/v1.ucb v2.ucb; do
	n=$(basename $b .ucb)
	$U prepare --bundle $b --obj $OBJ --version 2 seed-app -o $n-app.btf >/dev/null 2>$n.err &&
		$U prepare --bundle $b --obj $OBJ --version 0.1 libother.so.0 -o $n-other.btf >/dev/null 2>>$n.err ||
		failt "prepare from $n: $(cat $n.err)"
done
cmp -s v1-app.btf v2-app.btf && cmp -s v1-other.btf v2-other.btf && [ -s v1-app.btf ] &&
	pass "prepare: format 1 and format 2 bundles of one archive give the same BTF" ||
	failt "prepare differs: $(ls -l v1-*.btf v2-*.btf)"

# Round trip through format 2, every compression: the archive again, byte
# for byte (blob names are their recomputed sha256, index.tsv the same text).
for c in xz zlib none; do
	rm -rf X2 && $U bundle create $V1/archive -o r.$c.ucb --compress $c && $U bundle extract r.$c.ucb -o X2 &&
		diff -r $V1/archive X2 >/dev/null && pass "archive -> format-2 bundle ($c) -> extract: identical" ||
		failt "round trip $c: $(diff -r $V1/archive X2 2>&1 | head -3)"
done
cmp -s r.xz.ucb v2.ucb && pass "format 2: same archive, same bytes" || failt "format 2 not deterministic"
rm -rf X2 && $U bundle extract $V1/v1.ucb -o X2 && $U bundle create X2 -o again.ucb && cmp -s again.ucb v2.ucb &&
	pass "format 1 -> extract -> format 2: the same bundle as from the original archive" || failt "v1 -> v2 differs"

# Odd-length and several build-ids, no build-id, entries added in another
# order: the same bundle, and the round trip holds.
blob=$(ls $V1/archive/blobs/*.btf | head -1)
$U archive add O1 $blob --lib zz --version 1 --build-id abc --build-id 0123456789abcdef01234 --soname libzz.so.1 &&
	$U archive add O1 $blob --lib zz --version 10 && $U archive add O1 $blob --lib aa --version 2 --object p1 --object p2 &&
	$U archive add O2 $blob --lib aa --version 2 --object p2 --object p1 && $U archive add O2 $blob --lib zz --version 10 &&
	$U archive add O2 $blob --lib zz --version 1 --build-id abc --build-id 0123456789abcdef01234 --soname libzz.so.1 ||
	failt "archive add (odd build-ids)"
$U bundle create O1 -o o1.ucb && $U bundle create O2 -o o2.ucb && cmp -s o1.ucb o2.ucb &&
	pass "format 2: same entries added in another order, same bytes" || failt "order dependent"
rm -rf X3 && $U bundle extract o1.ucb -o X3 && diff -r O1 X3 >/dev/null &&
	grep -q "	0123456789abcdef01234,abc	" X3/index.tsv && pass "odd-length build-ids round trip" ||
	failt "odd build-ids: $(diff -r O1 X3 2>&1 | head -3)"
