# gen min --archive adds all its versions in one archive__add_many() (one
# lock, one index walk): the archive is the one that adding the versions
# one call at a time makes, also over an archive holding some of them
# already, and the versions before an unversioned one are added (as one
# archive__add() after the other did), the rest not.
. "$TESTS_DIR/lib.sh"
U=$UCOREBTF
APPS=$B/examples/seed
OBJ=$B/bpf/seed.bpf.o
pahole --btf_encode_detached=a.btf $APPS/app_v1 && pahole --btf_encode_detached=b.btf $APPS/app_v2 ||
	{ failt "genmin archive many: inputs"; exit 0; }
mkdir in && for v in 0 1 2 3 4 5 6 7; do cp $([ $((v % 3)) = 1 ] && echo b || echo a).btf in/libseed-1.$v.btf; done
ok=1
$U gen min $OBJ in/libseed-1.[0-3].btf -o one --archive >/dev/null 2>&1 || ok=0
cp -a one sep
$U gen min $OBJ in/*.btf -o one --archive > one.txt 2>one.err || ok=0
for f in in/*.btf; do $U gen min $OBJ $f -o sep --archive >/dev/null 2>&1 || ok=0; done
[ $ok = 1 ] && diff -r one sep >/dev/null && [ "$(grep -vc '^#' one/index.tsv)" = 8 ] &&
	[ "$(grep -c 'types, ' one.txt)" = 8 ] && $U archive verify one >/dev/null 2>&1 &&
	pass "genmin archive many: 8 versions (4 of them there already) in one call = one call each, verified" ||
	failt "genmin archive many: one call differs: $(cat one.err) $(diff -r one sep | head -5)"
# An unversioned library (raw BTF named without a version) sorting last: the
# versions before it are added, the call fails naming it.
mkdir in2 && cp in/libseed-1.[0-2].btf in2/ && cp a.btf in2/libzz.btf
if $U gen min $OBJ in2/*.btf -o part --archive >part.txt 2>part.err; then
	failt "genmin archive many: unversioned input accepted"
else
	grep -q "^Error: .*libzz.btf: no version" part.err && [ "$(grep -vc '^#' part/index.tsv)" = 3 ] &&
		[ "$(grep -c 'types, ' part.txt)" = 3 ] &&
		pass "genmin archive many: the versions before an unversioned one added, then the error" ||
		failt "genmin archive many: unversioned: $(cat part.err) $(cat part/index.tsv 2>&1 | head -5)"
fi
