# Damaged and hostile bundles, read by libucorebtf built with
# -fsanitize=address,undefined: every truncation and every flipped byte is
# rejected cleanly; damage behind a re-computed checksum never crashes the
# parser; decompression bombs are refused by the size and memory limits.
# Both formats: 2 (what bundle create writes) and 1 (tests/fixtures/bundle-v1,
# still read); format-2 records no writer makes are refused by name.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
SRCS=$(echo $ROOT/src/lib/*.c)	# libucorebtf
if ! cc -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
	-D_GNU_SOURCE -I$ROOT/include -I$ROOT/src -I$B/libbpf "$ROOT/tests/tools/bundle_damage.c" $SRCS \
	$B/libbpf/libbpf.a -lelf -lz -llzma -o damage_asan 2>cc.err; then
	failt "build the ASan/UBSan damage tool: $(head -c 400 cc.err)"
	exit 0
fi
pass "damage tool built with -fsanitize=address,undefined"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# Two libraries (seed app, two releases, and a second "library": the seed
# releases again under another name), kernel needs: a realistic bundle.
U=$UCOREBTF
for v in 1 2; do
	$U gen btf $B/examples/seed/app_v$v --name seed-app --version $v -o app$v.btf >/dev/null
	$U archive add A app$v.btf --object seed && $U archive add A app$v.btf --lib other --version 0.$v
done
printf 'struct pt_regs di\nstruct task_struct mm\n' > n.txt && $U archive needs A seed n.txt
for c in xz zlib none; do $U bundle create A -o $c.ucb --compress $c || failt "bundle create $c"; done

for c in xz zlib none; do
	n=$(stat -c %s $c.ucb)
	out=$(./damage_asan truncate $c.ucb 2>&1); rc=$?
	[ $rc = 0 ] && grep -q "truncate: $n damaged bundles, $n rejected, 0 accepted" <<<"$out" &&
		pass "$c bundle truncated at each of its $n lengths: all rejected, no sanitizer report" ||
		failt "$c truncation: rc=$rc $(tail -c 600 <<<"$out")"
	out=$(./damage_asan flip $c.ucb 2>&1); rc=$?
	[ $rc = 0 ] && grep -q "flip: $((n * 3)) damaged bundles, $((n * 3)) rejected, 0 accepted" <<<"$out" &&
		pass "$c bundle with each byte flipped (3 masks, $((n * 3)) cases): all rejected" ||
		failt "$c flip: rc=$rc $(tail -c 600 <<<"$out")"
done
out=$(./damage_asan resign none.ucb $B/examples/seed/app_v1 2>&1); rc=$?
[ $rc = 0 ] && grep -q "opened without crash" <<<"$out" && pass "payload damage behind a valid checksum, then prepare: no crash ($out)" ||
	failt "resign: rc=$rc $(tail -c 800 <<<"$out")"
out=$(./damage_asan resign zlib.ucb 2>&1); rc=$?
[ $rc = 0 ] && pass "compressed-stream damage behind a valid checksum: no crash" || failt "resign zlib: rc=$rc $(tail -c 800 <<<"$out")"

# Format 1, as committed bundles and programs built before format 2 hold it.
V1=$ROOT/tests/fixtures/bundle-v1
for f in v1.ucb v1-zlib.ucb; do
	n=$(stat -c %s $V1/$f)
	out=$(./damage_asan truncate $V1/$f 2>&1) && grep -q "truncate: $n damaged bundles, $n rejected, 0 accepted" <<<"$out" &&
	out=$(./damage_asan flip $V1/$f 2>&1) && grep -q "flip: $((n * 3)) damaged bundles, $((n * 3)) rejected, 0 accepted" <<<"$out" &&
		pass "format-1 $f truncated at each length, each byte flipped: all rejected" ||
		failt "format-1 $f: $(tail -c 600 <<<"$out")"
done
out=$(./damage_asan resign $V1/v1-none.ucb $B/examples/seed/app_v1 2>&1); rc=$?
[ $rc = 0 ] && grep -q "opened without crash" <<<"$out" && pass "format-1 payload damage behind a valid checksum, then prepare: no crash" ||
	failt "resign format 1: rc=$rc $(tail -c 800 <<<"$out")"
head -c 8 none.ucb | cmp -s - <(printf 'UCOREBTF') && [ "$(od -An -tu2 -j8 -N2 none.ucb | tr -d ' ')" = 2 ] &&
	pass "bundle create writes format 2" || failt "bundle create: format $(od -An -tu2 -j8 -N2 none.ucb)"

out=$(./damage_asan crafted2 2>&1); rc=$?
[ $rc = 0 ] && grep -q "crafted2: all as expected" <<<"$out" &&
	pass "format-2 records no writer makes, refused by name: $(grep -c '^ok:' <<<"$out") cases" ||
	failt "crafted2: rc=$rc $(grep -v '^ok:' <<<"$out" | tail -c 800)"

for bomb in bomb-size bomb-lie bomb-dict bomb-size2 bomb-lie2 bomb-mem2; do
	out=$(./damage_asan $bomb 2>&1); rc=$?
	[ $rc = 0 ] && pass "decompression bomb $bomb: $(tail -1 <<<"$out")" || failt "$bomb: rc=$rc $(tail -c 600 <<<"$out")"
done

# The CLI says what is wrong, in one line, and exits 1.
head -c 300 xz.ucb > t.ucb
expect_err "bundle verify: truncated bundle" "truncated" $UCOREBTF bundle verify t.ucb
cp xz.ucb f.ucb && printf 'X' | dd of=f.ucb bs=1 seek=200 conv=notrunc 2>/dev/null
expect_err "bundle verify: flipped byte" "checksum mismatch" $UCOREBTF bundle verify f.ucb
