# libucorebtf at load time, on real uprobes: the seed releases through a
# bundle (file and embedded), reads equal to kernel + full app BTF, target
# selection (build-id, given version, version rules: lua_ident, .rodata,
# DT_NEEDED), a
# target not in the bundle, kernel-type needs (recorded, fallback,
# collision), and the command-line `prepare` for Go/Rust loaders.
. "$TESTS_DIR/lib.sh"
L=$B/examples/seed/loader
APPS=$B/examples/seed
OBJ=$B/bpf/seed.bpf.o
U=$UCOREBTF
jf() { jq -r ".$2" <<<"$1" 2>/dev/null; }

# The archive the way CI builds it: gen btf, gen min (blobs + kernel needs).
mkdir -p min
for v in 1 2; do $U gen btf $APPS/app_v$v --name seed-app --version $v -o seed-app-$v.btf >/dev/null; done
$U gen min $OBJ seed-app-1.btf seed-app-2.btf -o A --archive >/dev/null && $U bundle create A -o seed.ucb &&
	grep -qx "struct pt_regs di" A/needs/seed.txt && pass "gen min -> archive (needs: struct pt_regs di) -> bundle" ||
	failt "gen min to bundle: $(cat A/needs/seed.txt 2>&1)"

for v in 1 2; do
	out=$($L -j -B seed.ucb $OBJ $APPS/app_v$v 2>&1)
	[ "$(jf "$out" a)" = 1 ] && [ "$(jf "$out" c)" = 3 ] && [ "$(jf "$out" sum)" = 4 ] && [ "$(jf "$out" hits)" = 1 ] &&
		pass "uprobe on release $v through the bundle reads 1 + 3 = 4" || failt "bundle e2e v$v: $out"
	$U merge seed-app-$v.btf -o full$v.btf
	ref=$($L -j -b full$v.btf $OBJ $APPS/app_v$v 2>&1)
	[ "$(jq -cS 'del(.binary)' <<<"$out")" = "$(jq -cS 'del(.binary)' <<<"$ref")" ] &&
		pass "release $v: prepared BTF reads what kernel + full app BTF reads" || failt "v$v: $out vs $ref"
done

# No BTF file anywhere: the loader with the bundle compiled in, run on copies.
mkdir -p bare && cp $OBJ $APPS/app_v1 $APPS/app_v2 $APPS/loader_embed bare/
for v in 1 2; do
	out=$(cd bare && ./loader_embed -j seed.bpf.o ./app_v$v 2>&1)
	[ "$(jf "$out" sum)" = 4 ] && [ "$(jf "$out" c)" = 3 ] && pass "embedded bundle, release $v: 1 + 3 = 4 with no BTF file on disk" ||
		failt "embedded v$v: $out"
done
out=$(make -s -C "$TESTS_DIR/.." OUTPUT=$B demo 2>&1)
[ "$(grep -c '^\./app_v[12]: add_test read a=1 c=3: 1 + 3 = 4' <<<"$out")" = 2 ] && pass "make demo: embedded bundle reads 1 + 3 = 4 from both releases" ||
	failt "make demo: $(tail -5 <<<"$out")"

# memfd_create refused (seccomp): libucorebtf falls back to a private temp
# file, which the loader's close removes even though libbpf 1.5 itself
# needs memfd_create (a placeholder fd at open) and fails here.  The load
# through the temp file: t_runtime_libbpf11.sh (libbpf 1.1 has no memfd).
mkdir -p tmpd
out=$(TMPDIR=$PWD/tmpd $B/tests/tools/no_memfd $L -j -B seed.ucb $OBJ $APPS/app_v1 2>&1)
[ -z "$(ls -A tmpd)" ] && pass "without memfd: the temp-file btf_custom_path is removed when the loader gives up" ||
	failt "without memfd: $out; left: $(ls -A tmpd)"

# prepare on the command line (for cilium/ebpf and aya); memfd-free output.
out=$($U prepare -j --bundle seed.ucb --obj $OBJ $APPS/app_v2 -o p2.btf)
[ "$(jq -r '.targets[0].how + " " + .targets[0].version' <<<"$out")" = "build-id 2" ] &&
	bpftool btf dump file p2.btf | grep -q "STRUCT 'pt_regs' size=168 vlen=1" && [ "$(stat -c %s p2.btf)" -lt 4096 ] &&
	pass "prepare: entry by build-id, pt_regs pruned to one member, $(stat -c %s p2.btf) bytes" || failt "prepare: $out"
kb=$(bpftool btf dump file /sys/kernel/btf/vmlinux | grep -A30 "^\[[0-9]*\] STRUCT 'pt_regs'" | grep -m1 "'di'" | sed 's/.*bits_offset=//')
bpftool btf dump file p2.btf | grep -q "'di' type_id=[0-9]* bits_offset=$kb" && pass "prepare: member offset kept from the running kernel (di at bit $kb)" ||
	failt "prepare: di offset"
out=$($L -j -b p2.btf $OBJ $APPS/app_v2 2>&1)
[ "$(jf "$out" sum)" = 4 ] && pass "prepare output as btf_custom_path: 1 + 3 = 4" || failt "prepare output load: $out"
cp /sys/kernel/btf/vmlinux kernel.btf
$U prepare --bundle seed.ucb --obj $OBJ --kernel-btf kernel.btf $APPS/app_v2 -o p2k.btf 2>/dev/null && cmp -s p2.btf p2k.btf &&
	pass "prepare --kernel-btf FILE: same result as the running kernel's" || failt "prepare --kernel-btf"
head -c 1000 kernel.btf > bad.btf
expect_err "prepare: damaged kernel BTF" "kernel BTF: .*bad.btf" $U prepare --bundle seed.ucb --obj $OBJ --kernel-btf bad.btf $APPS/app_v2 -o x.btf

# A target not in the bundle: error naming what the bundle holds.
expect_err "target not in the bundle: clear error listing the versions" \
	"/bin/true: no bundle entry .*the bundle holds: seed-app 1 x86_64, seed-app 2 x86_64" \
	$U prepare --bundle seed.ucb --obj $OBJ /bin/true -o x.btf
out=$($L -B seed.ucb $OBJ /bin/true 2>&1); rc=$?
[ $rc = 1 ] && grep -q "^Error: .*seed-app 1 x86_64, seed-app 2" <<<"$out" && pass "loader: target not in the bundle fails, no fallback" ||
	failt "loader unknown target: $out"
[ ! -e x.btf ] && pass "failed prepare writes nothing" || failt "partial prepare output"

# Without build-id: the version the caller gives, for a binary that is the
# library (an executable without soname: by its file name); never a guess.
objcopy --remove-section .note.gnu.build-id $APPS/app_v1 nobid_app
mkdir -p nobid && cp nobid_app nobid/seed-app
expect_err "no build-id, no version: refused" "no bundle entry .*build-id none" $U prepare --bundle seed.ucb --obj $OBJ ./nobid_app -o x.btf
expect_err "no build-id: --version 1 for a binary that is not seed-app (file name nobid_app) refused" \
	"no bundle entry .*none of the bundle's libraries (no soname; file name nobid_app)" \
	$U prepare --bundle seed.ucb --obj $OBJ --version 1 ./nobid_app -o x.btf
out=$($U prepare -j --bundle seed.ucb --obj $OBJ --version 1 nobid/seed-app -o v1.btf) &&
	[ "$(jq -r '.targets[0].how' <<<"$out")" = version ] && out=$($L -j -b v1.btf $OBJ nobid/seed-app 2>&1) &&
	[ "$(jf "$out" sum)" = 4 ] && pass "no build-id: --version 1 picks release 1 of seed-app, uprobe reads 1 + 3 = 4" || failt "version pick: $out"
expect_err "no build-id: unknown --version refused" "no bundle entry" $U prepare --bundle seed.ucb --obj $OBJ --version 9 nobid/seed-app -o x.btf

# Versions read from the binary by each library's recorded version rule.
# Small real libraries with DWARF:
cat > lib.c <<'C'
struct conn { int fd; long bytes; };
#ifdef LUA
const char lua_ident[] = "$LuaVersion: Lua " LUA "  Copyright (C) 1994-2023 Lua.org, PUC-Rio $";
#endif
#ifdef VSTR
const char *lib_version(void) { return VSTR; }
#endif
#ifdef VSTR2
const char *lib_version2(void) { return VSTR2; }
#endif
int conn_bytes(struct conn *c) { return c->fd + (int)c->bytes; }
C
gcc -g -shared -fPIC -Wl,--build-id=none -DLUA='"5.4.6"' -Wl,-soname,liblua5.4.so.0 -o liblua5.4.so.0 lib.c &&
gcc -g -shared -fPIC -Wl,--build-id=none -DVSTR='"libfoo 1.2.3 (test build)"' -Wl,-soname,libfoo.so.1 -o libfoo.so.1 lib.c &&
gcc -g -shared -fPIC -Wl,--build-id=none -DVSTR='"OpenSSL 3.0.17 1 Jul 2025"' -Wl,-soname,libbarcrypto.so.3 -o libbarcrypto.so.3 lib.c &&
gcc -g -shared -fPIC -Wl,--build-id=none -Wl,-soname,libbarssl.so.3 -o libbarssl.so.3 lib.c -Wl,--no-as-needed -L. -l:libbarcrypto.so.3 ||
	failt "build test libraries"
$U gen btf liblua5.4.so.0 -o conn.btf --name x --version 0 >/dev/null
LUA_RULE='symbol:lua_ident:$LuaVersion: Lua '
for v in 5.4.4 5.4.6; do $U archive add S conn.btf --lib lua5.4 --version $v --soname liblua5.4.so.0 --version-rule "$LUA_RULE"; done
for v in 1.2.3 1.2.30; do $U archive add S conn.btf --lib libfoo --version $v --soname libfoo.so.1 --version-rule 'rodata:libfoo '; done
for v in 3.0.2 3.0.17; do
	$U archive add S conn.btf --lib libbarssl --version $v --soname libbarssl.so.3 --version-rule 'needed:libbarcrypto.so.3:OpenSSL '
done
$U bundle create S -o S.ucb
[ "$(ls S/blobs | wc -l)" = 1 ] && pass "six entries, one identical blob stored once" || failt "dedup: $(ls S/blobs)"
pick() { $U prepare -j --bundle S.ucb --follow-needed "$1" -o pick.btf 2>&1 | jq -r '.targets[0] | "\(.library) \(.version) \(.how)"' 2>&1; }
[ "$(pick ./liblua5.4.so.0)" = "lua5.4 5.4.6 rule:symbol:lua_ident" ] && pass "Lua: version from lua_ident by rule (5.4.6, not 5.4.4)" ||
	failt "lua_ident: $(pick ./liblua5.4.so.0)"
[ "$(pick ./libfoo.so.1)" = "libfoo 1.2.3 rule:rodata" ] && pass "version string in .rodata by rule 'libfoo ': 1.2.3 (not 1.2.30)" ||
	failt "rodata: $(pick ./libfoo.so.1)"
[ "$(pick ./libbarssl.so.3)" = "libbarssl 3.0.17 rule:needed:libbarcrypto.so.3" ] &&
	pass "OpenSSL-style: libssl's version from its DT_NEEDED libcrypto (rule needed:, --follow-needed)" ||
	failt "DT_NEEDED: $(pick ./libbarssl.so.3)"

# The real OpenSSL 3 layout of this system (Debian's libssl3): libssl.so.3
# has no version string; its DT_NEEDED libcrypto.so.3 has "OpenSSL 3.0.N
# DATE" in .rodata.  The bundle holds the installed release among others
# (3.0.1 is a prefix of 3.0.1N and must not match); no build-id recorded.
SSL=/usr/lib/x86_64-linux-gnu/libssl.so.3
sslver=$(dpkg-query -W -f='${Version}' libssl3 2>/dev/null); sslver=${sslver%%-*}
if [ -r $SSL ] && [ -n "$sslver" ] && readelf -d $SSL | grep -q 'NEEDED.*\[libcrypto\.so\.3\]'; then
	SSL_RULE='needed:libcrypto.so.3:OpenSSL '
	for v in 3.0.1 3.0.2 "$sslver" 3.1.0; do $U archive add O conn.btf --lib libssl --version $v --soname libssl.so.3 --version-rule "$SSL_RULE"; done
	$U bundle create O -o ossl.ucb
	out=$($U prepare -j --bundle ossl.ucb --follow-needed $SSL -o ossl.btf 2>&1)
	[ "$(jq -r '.targets[0] | "\(.library) \(.version) \(.how)"' <<<"$out" 2>&1)" = "libssl $sslver rule:needed:libcrypto.so.3" ] &&
		[ -s ossl.btf ] && pass "system $SSL: version $sslver read from DT_NEEDED libcrypto.so.3" ||
		failt "system libssl: expected $sslver through libcrypto.so.3: $out"
	# Only other releases in the bundle: refused, listing them.
	for v in 3.0.1 3.0.2 3.1.0; do $U archive add O2 conn.btf --lib libssl --version $v --soname libssl.so.3 --version-rule "$SSL_RULE"; done
	$U bundle create O2 -o ossl2.ucb
	expect_err "system libssl whose release the bundle lacks: refused, listing the bundle" \
		"$SSL: no bundle entry .*libssl $sslver (read by version rule needed:libcrypto.so.3) is not in the bundle; the bundle holds: libssl 3.0.1 x86_64, libssl 3.0.2 x86_64, libssl 3.1.0 x86_64" \
		$U prepare --bundle ossl2.ucb --follow-needed $SSL -o x.btf
	# Its build-id, when recorded, wins over every version.
	$U archive add O3 conn.btf --lib libssl --version 3.0.2 --soname libssl.so.3 \
		--build-id "$(readelf -n $SSL | sed -n 's/.*Build ID: //p')"
	$U archive add O3 conn.btf --lib libssl --version "$sslver" --soname libssl.so.3 && $U bundle create O3 -o ossl3.ucb
	[ "$($U prepare -j --bundle ossl3.ucb --follow-needed $SSL -o x3.btf | jq -r '.targets[0] | .version + " " + .how')" = "3.0.2 build-id" ] &&
		pass "system libssl: a recorded build-id is used before the version" || failt "system libssl build-id"
else
	failt "Debian libssl3 ($SSL with DT_NEEDED libcrypto.so.3) not installed"
fi
mkdir -p amb && gcc -g -shared -fPIC -Wl,--build-id=none -DVSTR='"libfoo 1.2.3"' -DVSTR2='"libfoo 1.2.30"' -Wl,-soname,libfoo.so.1 -o amb/libfoo.so.1 lib.c
expect_err "two versions after the rule's prefix in .rodata: refused, not guessed" \
	"several bundle entries match.*libfoo .* reads both 1.2.3" $U prepare --bundle S.ucb amb/libfoo.so.1 -o x.btf

# Two libraries at once: one BTF with both; the seed probe works with it.
$U archive add A conn.btf --lib lua5.4 --version 5.4.6 --soname liblua5.4.so.0 --version-rule "$LUA_RULE"
$U bundle create A -o two.ucb
out=$($U prepare -j --bundle two.ucb $APPS/app_v1 ./liblua5.4.so.0 -o two.btf) &&
	[ "$(jq -r '[.targets[] | .library + " " + .version] | join(",")' <<<"$out")" = "seed-app 1,lua5.4 5.4.6" ] &&
	bpftool btf dump file two.btf | grep -q "STRUCT 'conn'" && bpftool btf dump file two.btf | grep -q "STRUCT 'data'" &&
	bpftool btf dump file two.btf | grep -q "STRUCT 'pt_regs'" &&
	pass "two libraries in one bundle and one prepared BTF (needs of their objects added)" || failt "two libs: $out"
out=$($L -j -b two.btf $OBJ $APPS/app_v1 2>&1)
[ "$(jf "$out" sum)" = 4 ] && pass "two-library BTF: seed uprobe reads 1 + 3 = 4" || failt "two-library load: $out"

# Two libraries that define one type: alike is fine, different is refused.
$U prepare --bundle S.ucb ./liblua5.4.so.0 ./libfoo.so.1 -o alike.btf 2>/dev/null &&
	pass "two libraries defining struct conn alike: accepted" || failt "identical duplicate types refused"
sed 's/long bytes;/long bytes; char more[8];/' lib.c > lib2.c
gcc -g -shared -fPIC -Wl,-soname,libconn2.so.1 -o libconn2.so.1 lib2.c &&
	$U gen btf libconn2.so.1 -o conn2.btf --name x --version 0 >/dev/null &&
	cp -r S S2 && $U archive add S2 conn2.btf --lib libconn2 --version 1 --soname libconn2.so.1 && $U bundle create S2 -o S2.ucb
expect_err "two libraries defining struct conn differently: name collision" "name collision: struct/union conn differs" \
	$U prepare --bundle S2.ucb ./liblua5.4.so.0 ./libconn2.so.1 -o x.btf

# Kernel needs not recorded: the object's own BTF names the kernel structs.
mkdir -p F && cp -r A/blobs A/seed-app A/index.tsv F/
$U bundle create F -o nofb.ucb
out=$($U prepare --bundle nofb.ucb --obj $OBJ $APPS/app_v2 -o fb.btf 2>&1) &&
	bpftool btf dump file fb.btf | grep -q "STRUCT 'pt_regs' size=168" && out=$($L -j -b fb.btf $OBJ $APPS/app_v2 2>&1) &&
	[ "$(jf "$out" sum)" = 4 ] && pass "no recorded needs: kernel structs named in the object's BTF (fallback), 1 + 3 = 4" ||
	failt "fallback: $out"

# A kernel type needed by the object that a library also defines with a
# member of the same name (di): libbpf could match the kernel relocation
# against either; refused.  (Disjoint members are fine: t_genmin_collide.sh.)
cat > clash.c <<'C'
struct pt_regs { int x; long di; };
int f(struct pt_regs *r) { return r->x + (int)r->di; }
C
gcc -g -shared -fPIC -o libclash.so clash.c && $U gen btf libclash.so -o clash.btf --name libclash --version 1 >/dev/null &&
	$U archive add C clash.btf --object seed && $U archive needs C seed A/needs/seed.txt && $U bundle create C -o clash.ucb ||
	failt "clash setup"
expect_err "kernel type also defined by the library: name collision error" "name collision: kernel struct pt_regs" \
	$U prepare --bundle clash.ucb --obj $OBJ ./libclash.so -o x.btf

# libbpf relocates against the prepared BTF: one candidate each, found at
# the small type ids of the prepared file (not the 100k+ ids of vmlinux).
out=$($L -v -B seed.ucb $OBJ $APPS/app_v1 2>&1)
c=$(grep -o 'found target candidate \[[0-9]*\] struct [a-z_]*' <<<"$out" | sort -u)
[ "$(wc -l <<<"$c")" = 2 ] && ! grep -q '\[[0-9]\{3,\}\]' <<<"$c" &&
	pass "libbpf used the prepared BTF: $(echo $c | sed 's/found target candidate //g')" || failt "candidates: $c"
