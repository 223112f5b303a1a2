# Archive and bundle: determinism, dedup, updates, verify, compression
# options, extract round trip, --emit c / --emit elf linked into programs
# that open the bundle through libucorebtf (static, shared, pkg-config).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
APPS=$B/examples/seed
U=$UCOREBTF

for v in 1 2; do
	$U gen btf $APPS/app_v$v --name seed-app --version $v -o app$v.btf >/dev/null || failt "gen btf v$v"
done
printf '# hand-written\nstruct pt_regs di\n' > seed.needs

# --- archive ---
$U archive add A app1.btf --object seed && $U archive add A app2.btf --object seed &&
	$U archive needs A seed seed.needs && pass "archive add (metadata from gen btf) and needs" ||
	failt "archive add"
[ "$(grep -vc '^#' A/index.tsv)" = 2 ] && [ -f A/seed-app/1/x86_64/entry.tsv ] && [ "$(ls A/blobs | wc -l)" = 2 ] &&
	pass "archive layout: index, <lib>/<version>/<arch>/entry.tsv, blobs/<sha256>.btf" ||
	failt "archive layout: $(find A -type f | tr '\n' ' ')"
bid=$(readelf -n $APPS/app_v1 | sed -n 's/.*Build ID: //p')
grep -q "^seed-app	1	x86_64	.*	$bid	seed$" A/index.tsv && pass "index records build-id and object" ||
	failt "index line: $(grep '^seed-app	1' A/index.tsv)"
for f in A/blobs/*.btf; do
	[ "$(sha256sum < $f | cut -d' ' -f1).btf" = "${f##*/}" ] || failt "blob name is not its sha256: $f"
done

# Same inputs in the other order, into another directory: identical tree.
$U archive needs A2 seed seed.needs && $U archive add A2 app2.btf --object seed && $U archive add A2 app1.btf --object seed
diff -r A A2 >/dev/null && pass "archive: same entries in another order give identical files" || failt "archive order dependent: $(diff -r A A2 | head -3)"
before=$(find A -type f | sort | xargs sha256sum)
$U archive add A app1.btf --object seed
[ "$before" = "$(find A -type f | sort | xargs sha256sum)" ] && pass "archive: re-adding an entry changes nothing" ||
	failt "archive: re-adding changed files"

# Identical blobs are stored once; replacing an entry drops its old blob.
$U archive add A app1.btf --version 1.0.1 --object seed
[ "$(ls A/blobs | wc -l)" = 2 ] && [ "$(grep -vc '^#' A/index.tsv)" = 3 ] && pass "archive: identical blob stored once for two versions" ||
	failt "archive dedup: $(ls A/blobs | wc -l) blobs"
$U archive add A app2.btf --version 1.0.1 --build-id 00ff --object seed
grep -q "^seed-app	1.0.1	.*	00ff	seed" A/index.tsv && grep -q "^seed-app	1	" A/index.tsv && grep -q "^seed-app	2	" A/index.tsv &&
	pass "archive: updating one version leaves the others alone" || failt "archive update: $(cat A/index.tsv)"
$U archive add A app1.btf --version 1.0.1 --object seed
[ "$(ls A/blobs | wc -l)" = 2 ] && pass "archive: unreferenced blobs are removed" || failt "archive gc: $(ls A/blobs)"
rm -r A/seed-app/1.0.1 && $U archive add A app1.btf --object seed && diff -r A A2 >/dev/null &&
	pass "archive: back to the original entries, back to identical files" || failt "archive after removal differs"

$U archive list A | grep -q "^seed-app  *2  *x86_64" && pass "archive list" || failt "archive list: $($U archive list A)"
[ "$($U archive list -j A | jq length)" = 2 ] && pass "archive list -j" || failt "archive list -j"
$U archive show A seed-app 2 | grep -q "build-ids" && [ "$($U archive show -j A seed-app | jq '.[1].version')" = '"2"' ] &&
	pass "archive show (text, -j)" || failt "archive show"
expect_err "archive show of an unknown library" "no entry nosuch" $U archive show A nosuch
$U archive verify A >/dev/null && pass "archive verify on a good archive" || failt "archive verify"
cp -r A Abad && f=$(ls Abad/blobs/* | head -1) && printf 'Z' | dd of=$f bs=1 seek=30 conv=notrunc 2>/dev/null
expect_err "archive verify finds a damaged blob" "does not match its sha256" $U archive verify Abad
# A blob whose name is its sha256 but whose content is not BTF: the re-parse finds it.
cp -r A Aparse && f=$(ls Aparse/blobs/*.btf | head -1) && old=$(basename $f .btf) &&
	{ head -c 24 $f; printf 'not a BTF type section'; } > g.btf && new=$(sha256sum < g.btf | cut -d' ' -f1) &&
	mv g.btf Aparse/blobs/$new.btf && rm $f && sed -i "s/$old	[0-9]*/$new	$(stat -c %s Aparse/blobs/$new.btf)/" Aparse/index.tsv Aparse/*/*/*/entry.tsv
expect_err "archive verify re-parses blobs (right sha256, not BTF)" "blob is not valid BTF" $U archive verify Aparse
expect_err "archive add: bad version name" "bad library, version or arch" $U archive add A app1.btf --version ../x
expect_err "archive add: blob that is not BTF" "/bin/true: ELF file has no .BTF section" $U archive add A /bin/true --lib x --version 1
printf 'struct\n' > bad.needs
expect_err "archive needs: bad line" "line 1" $U archive needs A seed bad.needs
out=$($U archive add A raw.btf 2>&1); [ $? = 1 ] && pass "archive add: missing blob fails" || failt "archive add missing blob: $out"

# --- bundle ---
for c in xz zlib none; do
	$U bundle create A -o b_$c.ucb --compress $c && $U bundle verify b_$c.ucb >/dev/null &&
		[ "$($U bundle list -j b_$c.ucb | jq length)" = 2 ] && pass "bundle create/verify/list --compress $c" ||
		failt "bundle $c"
done
sx=$(stat -c %s b_xz.ucb) sn=$(stat -c %s b_none.ucb)
[ "$sx" -lt "$sn" ] && pass "xz bundle smaller than uncompressed ($sx < $sn bytes)" || failt "xz $sx vs none $sn"
$U bundle create A2 -o again.ucb && cmp -s b_xz.ucb again.ucb && pass "bundle: deterministic (same archive, same bytes)" ||
	failt "bundle not deterministic"
[ "$($U bundle verify -j b_xz.ucb | jq -r '.compression + " " + (.needs|tostring)')" = "xz 1" ] && pass "bundle verify -j" ||
	failt "bundle verify -j: $($U bundle verify -j b_xz.ucb)"
$U bundle extract b_zlib.ucb -o X && diff -r A X >/dev/null && pass "bundle extract gives back the archive, byte for byte" ||
	failt "bundle extract: $(diff -r A X | head -3)"
expect_err "bundle create: bad --compress" "xz, zlib or none" $U bundle create A -o x.ucb --compress lz4
expect_err "bundle create: missing archive" "index.tsv" $U bundle create nosuch -o x.ucb
expect_err "bundle verify: not a bundle" "bad magic" $U bundle verify app1.btf
head -c 100 b_xz.ucb > trunc.ucb
expect_err "bundle verify: truncated" "truncated" $U bundle verify trunc.ucb
[ ! -e x.ucb ] && pass "failed bundle create writes nothing" || failt "partial output left"

# --- embedding: C header and ELF object, via static lib, shared lib, pkg-config ---
$U bundle create A -o bundle.h --emit c && $U bundle create A -o bundle.o --emit elf ||
	failt "bundle --emit c/elf"
cat > embed.c <<'C'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ucorebtf.h"
#ifdef FROM_ELF
extern const unsigned char ucorebtf_bundle_start[], ucorebtf_bundle_end[];
#define DATA ucorebtf_bundle_start
#define SIZE ((size_t)(ucorebtf_bundle_end - ucorebtf_bundle_start))
#else
#include "bundle.h"
#define DATA ucorebtf_bundle_data
#define SIZE ucorebtf_bundle_size
#endif
int main(int argc, char **argv)
{
	UCOREBTF_OPTS(ucorebtf_prepare_opts, po, .object_path = argv[1], .no_memfd = argc > 3);
	struct ucorebtf_bundle *b = ucorebtf_bundle__open_mem(DATA, SIZE, NULL);
	const char *t[] = { argv[2] };
	struct ucorebtf_btf *p;
	char path[4096];

	if (!b) { fprintf(stderr, "Error: %s\n", ucorebtf_errmsg()); return 1; }
	p = ucorebtf_bundle__prepare(b, t, 1, &po);
	if (!p) { fprintf(stderr, "Error: %s\n", ucorebtf_errmsg()); return 1; }
	snprintf(path, sizeof(path), "%s", ucorebtf_btf__path(p));
	printf("%zu entries; %s", ucorebtf_bundle__entry_cnt(b), ucorebtf_btf__describe(p));
	printf("path %s readable %d\n", path, access(path, R_OK) == 0);
	ucorebtf_btf__close(p);
	printf("after close readable %d\n", access(path, R_OK) == 0);
	ucorebtf_bundle__close(b);
	return 0;
}
C
LIBBPF="-I$B/libbpf $B/libbpf/libbpf.a"
cc -I. -I$ROOT/include embed.c $B/libucorebtf.a $LIBBPF -lelf -lz -llzma -o embed_c 2>cc1.err &&
	out=$(./embed_c $B/bpf/seed.bpf.o $APPS/app_v2) && grep -q "2 entries; .*app_v2	seed-app	2	x86_64	build-id" <<<"$out" &&
	grep -q "path /proc/self/fd/[0-9]* readable 1" <<<"$out" &&
	pass "--emit c header + libucorebtf.a: entry by build-id, memfd path" || failt "emit c: $(cat cc1.err) $out"
cc -DFROM_ELF -I$ROOT/include embed.c bundle.o -L$B -lucorebtf -Wl,-rpath,$B $LIBBPF -lelf -lz -llzma -o embed_elf 2>cc2.err &&
	out=$(./embed_elf $B/bpf/seed.bpf.o $APPS/app_v1 tmpfile) && grep -q "app_v1	seed-app	1" <<<"$out" &&
	grep -q "path /tmp/ucorebtf\.[A-Za-z0-9]*/target.btf readable 1" <<<"$out" && grep -q "after close readable 0" <<<"$out" &&
	pass "--emit elf object + libucorebtf.so: private temp file, removed on close" || failt "emit elf: $(cat cc2.err) $out"
# The fallbacks when a memfd is asked for but cannot serve: memfd_create
# refused (a seccomp filter, as in sandboxes), and no /proc to name it.
mkdir -p tmpd
out=$(TMPDIR=$PWD/tmpd $B/tests/tools/no_memfd ./embed_c $B/bpf/seed.bpf.o $APPS/app_v2 2>&1)
grep -q "path $PWD/tmpd/ucorebtf\.[A-Za-z0-9]\{6\}/target.btf readable 1" <<<"$out" && grep -q "after close readable 0" <<<"$out" &&
	[ -z "$(ls -A tmpd)" ] && pass "memfd_create refused: private temp file under \$TMPDIR, removed on close" ||
	failt "memfd refused: $out; left: $(ls -A tmpd)"
out=$(TMPDIR=$PWD/tmpd unshare -m --propagation private sh -c 'umount -l /proc && exec "$@"' sh \
	./embed_c $B/bpf/seed.bpf.o $APPS/app_v2 2>&1)
grep -q "path $PWD/tmpd/ucorebtf\.[A-Za-z0-9]\{6\}/target.btf readable 1" <<<"$out" && [ -z "$(ls -A tmpd)" ] &&
	pass "no /proc: memfd has no path, private temp file instead" || failt "no /proc: $out"
pc() { PKG_CONFIG_PATH=$B pkg-config "$@" libucorebtf; }
flags="$(pc --cflags) $(pc --libs) $B/libbpf/libbpf.a $(pc --libs --static)"
cc -I. embed.c $flags -o embed_pc 2>cc3.err && LD_LIBRARY_PATH=$B ./embed_pc $B/bpf/seed.bpf.o $APPS/app_v1 >/dev/null &&
	pass "pkg-config libucorebtf builds a working program" || failt "pkg-config: $flags $(cat cc3.err)"
bad=$(nm -D --defined-only $B/libucorebtf.so | awk '$2 == "T" && $3 !~ /^ucorebtf_/' | head -3)
[ -z "$bad" ] && pass "libucorebtf.so exports only ucorebtf_* functions" || failt "libucorebtf.so exports: $bad"
int=$(nm -u $B/libucorebtf.a | grep -E ' (bpf_core_|btf_ext__|libbpf_[a-z_]*internal|btf__add_btf_ext)' | head -3)
[ -z "$int" ] && pass "libucorebtf.a uses no libbpf internals" || failt "libucorebtf.a references: $int"
