# gen min over versions whose library BTF is byte-identical (session.c
# shares one parsed BTF and one result among them): every output, the
# summary and the verify are what separate calls give, also when two
# identical libraries are in one --release (each gets its own BTF again).
. "$TESTS_DIR/lib.sh"
U=$UCOREBTF
APPS=$B/examples/seed
OBJ=$B/bpf/seed.bpf.o
$U gen btf $APPS/app_v1 --name seed-app --version 1 -o seed-app-1.btf >/dev/null &&
	$U gen btf $APPS/app_v2 --name seed-app --version 2 -o seed-app-2.btf >/dev/null &&
	pahole --btf_encode_detached=raw.btf $APPS/app_v1 || { failt "genmin shared: inputs"; exit 0; }
# Raw BTF names its version by file name: 1.0 to 1.5, three of them the same bytes.
mkdir in && for v in 0 2 4; do cp raw.btf in/libseed-1.$v.btf; done
pahole --btf_encode_detached=in/libseed-1.1.btf $APPS/app_v2 && cp in/libseed-1.1.btf in/libseed-1.3.btf
cp raw.btf in/libseed-1.5.btf
ok=1
$U gen min $OBJ in/*.btf -o all -j > all.json 2>all.err || ok=0
for f in in/*.btf; do
	n=$(basename $f .btf)
	$U gen min $OBJ $f -o one-$n -j > one.json 2>/dev/null || ok=0
	cmp -s one-$n/$n.min.btf all/$n.min.btf || ok=0
	[ "$(jq -c '.versions[0] | del(.output, .identical_to)' one.json)" = \
	  "$(jq -c --arg n ${n#libseed-} '.versions[] | select(.version == $n) | del(.output, .identical_to)' all.json)" ] || ok=0
done
[ $ok = 1 ] && [ "$(jq '[.versions[] | select(.verified)] | length' all.json)" = 6 ] &&
	[ "$(jq -c '.versions[] | select(.version == "1.0") | .identical_to' all.json)" = '["libseed-1.2","libseed-1.4","libseed-1.5"]' ] &&
	pass "genmin shared: 6 versions (2 distinct BTFs) in one call = 6 separate calls, verified, identical_to" ||
	failt "genmin shared: one call differs from separate calls: $(cat all.err) $(head -c 400 all.json)"
# Two identical libraries in one release, beside a release of other bytes.
if $U gen min $OBJ in/libseed-1.0.btf in/libseed-1.2.btf in/libseed-1.1.btf --release in/libseed-1.0.btf,in/libseed-1.2.btf \
	-o rel -j > rel.json 2>rel.err; then
	[ "$(jq '.versions | length' rel.json)" = 3 ] && cmp -s rel/libseed-1.1.min.btf all/libseed-1.1.min.btf &&
		pass "genmin shared: identical libraries in one --release" || failt "genmin shared: --release: $(head -c 400 rel.json)"
else
	# the one-release rules may refuse two versions of one library: then as before
	grep -q "^Error: " rel.err && pass "genmin shared: --release of two identical libraries refused as before: $(head -c 120 rel.err)" ||
		failt "genmin shared: --release: $(cat rel.err)"
fi
