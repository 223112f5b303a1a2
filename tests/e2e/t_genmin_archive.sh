# gen min -o ARCHIVE: entries and kernel needs go into the archive directly.
. "$TESTS_DIR/lib.sh"
U=$UCOREBTF
APPS=$B/examples/seed
for v in 1 2; do $U gen btf $APPS/app_v$v --name seed-app --version $v -o seed-app-$v.btf >/dev/null; done
cp seed-app-1.btf plain-app.btf

$U gen min $B/bpf/seed.bpf.o seed-app-1.btf seed-app-2.btf -o A --archive >/dev/null &&
	[ "$(grep -vc '^#' A/index.tsv)" = 2 ] && grep -qx "struct pt_regs di" A/needs/seed.txt &&
	[ ! -e A/gen-min.json ] && $U archive verify A >/dev/null &&
	pass "gen min --archive: 2 entries, needs 'struct pt_regs di', verifies" ||
	failt "gen min --archive: $(cat A/index.tsv A/needs/seed.txt 2>&1)"

# Same inputs in the other order, into a fresh archive: byte-identical tree.
$U gen min seed-app-2.btf seed-app-1.btf $B/bpf/seed.bpf.o -o A2 --archive >/dev/null &&
	diff -r A A2 >/dev/null && pass "gen min --archive is deterministic" || failt "archives differ: $(diff -r A A2 | head -5)"

# Regenerating into the existing archive (what CI does) changes no byte.
$U gen min seed-app-2.btf $B/bpf/seed.bpf.o seed-app-1.btf -o A >/dev/null &&
	diff -r A A2 >/dev/null && pass "gen min -o ARCHIVE again over the same archive: no diff" ||
	failt "regenerate: $(diff -r A A2 | head -5)"

# An existing archive is detected by its index; other versions are untouched.
before=$(cat A/seed-app/1/x86_64/entry.tsv)
$U gen btf $APPS/app_v2 --name seed-app --version 3 -o seed-app-3.btf >/dev/null
$U gen min $B/bpf/seed.bpf.o seed-app-3.btf -o A >/dev/null &&
	[ "$(grep -vc '^#' A/index.tsv)" = 3 ] && [ "$(cat A/seed-app/1/x86_64/entry.tsv)" = "$before" ] &&
	[ "$(ls A/blobs | wc -l)" = 2 ] &&
	pass "gen min -o ARCHIVE adds version 3, leaves 1 alone, stores its identical blob once" ||
	failt "archive update: $(cat A/index.tsv; ls A/blobs)"

# No version known: an error in archive mode, and the archive is unchanged.
cp -r A A.before
$U gen btf $APPS/app_v1 --name noversion -o nover.btf >/dev/null
expect_err "gen min -o ARCHIVE without a version" "nover.btf: no version" $U gen min $B/bpf/seed.bpf.o nover.btf -o A
diff -r A A.before >/dev/null && pass "archive untouched after the error" || failt "archive changed"

# Kernel needs through anonymous members are named, not kept whole.
$U gen min $B/bpf/kneeds.bpf.o seed-app-1.btf -o K --archive >/dev/null &&
	grep -qx "struct mm_struct arg_start" K/needs/kneeds.txt && ! grep -qx "struct mm_struct" K/needs/kneeds.txt &&
	pass "kernel needs name members inside anonymous members (struct mm_struct arg_start)" ||
	failt "kneeds needs: $(cat K/needs/kneeds.txt 2>&1)"

# And the runtime, from that archive, reads what the full kernel BTF gives.
$U bundle create A -o seed.ucb >/dev/null &&
	out=$($B/examples/seed/loader -j -B seed.ucb $B/bpf/seed.bpf.o $APPS/app_v2 2>&1) &&
	grep -q '"sum":4' <<<"$out" && pass "archive from gen min -> bundle -> uprobe reads 1 + 3 = 4" ||
	failt "bundle from gen min archive: $out"
