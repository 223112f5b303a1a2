# Selection never guesses (docs/runtime.md, "How an entry is chosen"):
# build-id, else the caller's version, else a version read by the library's
# recorded rule, and the last two only for a library the target identifies
# as.  Issue 10's cases: a v1-layout build holding an unrelated "HTTP/2.0"
# string is refused, not given the 2.0 entry; no ELF file of this system
# (/usr/bin, /usr/lib) is accepted by the seed or the Lua bundle while the
# real Lua releases are, by build-id and by rule; the system's libssl.so.3
# by a needed:libcrypto.so.3 rule only with --follow-needed.  Also the RULE
# record (written, extracted, refused when malformed) and the CLI warning.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
U=$UCOREBTF
SCAN=$B/tests/tools/select_scan
CACHE=${UCOREBTF_LUA_CACHE:-$B/lua}
SEED=$B/examples/seed
UCOREBTF=$U bash "$ROOT/scripts/lua-build.sh" -o "$CACHE" >/dev/null 2>lua-build.err ||
	failt "select: scripts/lua-build.sh: $(tail -c 300 lua-build.err)"
how() { $U prepare -j "$@" -o how.btf 2>/dev/null | jq -r '.targets[0] | "\(.library) \(.version) \(.how)"' 2>/dev/null; }

# ---- (a) The "HTTP/2.0" case: a library whose releases 1.0 and 2.0 move a
# field; the user's own v1-layout build (not in the bundle) has a function
# returning "HTTP/2.0".
cat > http.c <<'C'
#ifdef V2
struct data { int a, b, c, d; };
#else
struct data { int a, c, d; };
#endif
int add_test(struct data *d) { return d->a + d->c; }
#ifdef PROTO
const char *proto(void) { return PROTO; }
#endif
#ifdef VSTR
const char *libhttp_version(void) { return VSTR; }
#endif
C
so() { local d=$1; shift; mkdir -p "$d" && gcc -g -shared -fPIC -Wl,-soname,libhttp.so.1 "$@" -o "$d/libhttp.so.1" http.c; }
so v1 && so v2 -DV2 && so user -DPROTO='"HTTP/2.0"' &&
	$U gen btf v1/libhttp.so.1 --name libhttp --version 1.0 -o h1.btf >/dev/null &&
	$U gen btf v2/libhttp.so.1 --name libhttp --version 2.0 -o h2.btf >/dev/null &&
	$U archive add H h1.btf && $U archive add H h2.btf && $U bundle create H -o http.ucb ||
	failt "http: build the library and its bundle"
[ "$(how --bundle http.ucb v1/libhttp.so.1)" = "libhttp 1.0 build-id" ] &&
	[ "$(how --bundle http.ucb v2/libhttp.so.1)" = "libhttp 2.0 build-id" ] &&
	pass "http: both releases by build-id" || failt "http: releases by build-id: $(how --bundle http.ucb v1/libhttp.so.1)"
strings -a user/libhttp.so.1 | grep -qx 'HTTP/2.0' || failt "http: the user's build lacks the HTTP/2.0 string"
expect_err "http: a v1 build returning \"HTTP/2.0\" is refused, not given the 2.0 entry" \
	"user/libhttp.so.1: no bundle entry for this binary (build-id [0-9a-f]*): libhttp has no version rule; the bundle holds: libhttp 1.0 x86_64, libhttp 2.0 x86_64" \
	$U prepare --bundle http.ucb user/libhttp.so.1 -o x.btf
[ ! -e x.btf ] && pass "http: refused prepare writes nothing" || failt "http: x.btf written"
# With a rule for libhttp: its own version string decides, HTTP/2.0 does not.
cp -r H HR && $U archive rule HR libhttp 'rodata:libhttp ' && $U bundle create HR -o httpr.ucb || failt "http: rule"
so user10 -DPROTO='"HTTP/2.0"' -DVSTR='"libhttp 1.0 (user build)"' && so user30 -DVSTR='"libhttp 3.0"' || failt "http: builds"
expect_err "http: with a rule, a build without its version string is refused (the rule found nothing)" \
	"no bundle entry for this binary .*libhttp's version rule rodata 'libhttp ': no string in .rodata" \
	$U prepare --bundle httpr.ucb user/libhttp.so.1 -o x.btf
[ "$(how --bundle httpr.ucb user10/libhttp.so.1)" = "libhttp 1.0 rule:rodata" ] &&
	pass "http: with a rule, the build saying \"libhttp 1.0\" (and HTTP/2.0) gets 1.0 by rule:rodata" ||
	failt "http: rule pick: $(how --bundle httpr.ucb user10/libhttp.so.1)"
expect_err "http: a version the rule reads that the bundle lacks is refused, naming it" \
	"libhttp 3.0 (read by version rule rodata) is not in the bundle" $U prepare --bundle httpr.ucb user30/libhttp.so.1 -o x.btf

# ---- Identity: a given version, or a rule, only for the library the target is.
expect_err "identity: --version 1 does not make /usr/bin/clang-14 seed-app" \
	"clang-14: no bundle entry .*none of the bundle's libraries (no soname; file name clang-14)" \
	$U prepare --bundle $SEED/seed.ucb --version 1 /usr/bin/clang-14 -o x.btf
$U bundle create "$ROOT/archive" -o lua.ucb || failt "lua bundle from archive/"
expect_err "identity: --version 5.1.5 does not make libcups.so.2 Lua" \
	"libcups.so.2: no bundle entry .*none of the bundle's libraries (soname libcups.so.2)" \
	$U prepare --bundle lua.ucb --version 5.1.5 /usr/lib/x86_64-linux-gnu/libcups.so.2 -o x.btf
expect_err "identity: the old cases (clang-14 by rodata, chcon by needed:libselinux) are refused" \
	"chcon: no bundle entry" $U prepare --bundle $SEED/seed.ucb --follow-needed /usr/bin/chcon -o x.btf
# Without a soname the file name decides: libhttp, libhttp.so[.N] (and for a
# library named without "lib", libNAME.so[.N]); nothing looser.
mkdir -p nos && gcc -g -shared -fPIC -o nos/libhttp.so.1 http.c && cp nos/libhttp.so.1 nos/libhttp &&
	cp nos/libhttp.so.1 nos/libhttpd.so.1 && cp nos/libhttp.so.1 nos/libhttp.so.1x &&
	gcc -g -shared -fPIC -Wl,-soname,libother.so.1 -o nos/other.so http.c && mkdir -p nos2 && cp nos/other.so nos2/libhttp.so.1
ok=1
for f in nos/libhttp.so.1 nos/libhttp; do
	[ "$(how --bundle http.ucb --version 1.0 $f)" = "libhttp 1.0 version" ] || { ok=0; failt "identity: $f --version 1.0 refused"; }
done
for f in nos/libhttpd.so.1 nos/libhttp.so.1x nos2/libhttp.so.1; do
	$U prepare --bundle http.ucb --version 1.0 $f -o x.btf 2>/dev/null && { ok=0; failt "identity: $f accepted as libhttp"; }
done
[ $ok = 1 ] && pass "identity: no soname: libhttp.so.1 and libhttp are libhttp; libhttpd.so.1, libhttp.so.1x and a libhttp.so.1 with soname libother.so.1 are not"

# ---- The CLI says when an entry rests on a version string.
err=$($U prepare --bundle http.ucb --version 1.0 nos/libhttp.so.1 -o w.btf 2>&1 >/dev/null)
[ "$(grep -c '^Warning: ' <<<"$err")" = 1 ] && grep -q "^Warning: not matched by build-id.*nos/libhttp.so.1 (version)" <<<"$err" &&
	pass "warning: one stderr line when a target was chosen by version" || failt "warning: $err"
err=$($U prepare --bundle http.ucb v1/libhttp.so.1 -o w.btf 2>&1 >/dev/null)
! grep -q Warning <<<"$err" && pass "warning: none by build-id" || failt "warning by build-id: $err"
out=$($U prepare -j --bundle httpr.ucb user10/libhttp.so.1 v1/libhttp.so.1 -o w.btf 2>err.txt)
[ ! -s err.txt ] && [ "$(jq -r '[.targets[].exact] | join(",")' <<<"$out")" = "false,true" ] &&
	[ "$(jq -r .warning <<<"$out")" = "user10/libhttp.so.1 (rule:rodata)" ] &&
	pass "warning: -j has \"exact\" per target and a \"warning\" field, nothing on stderr" || failt "warning -j: $out $(cat err.txt)"

# ---- (b) Every ELF of this system against the seed and Lua bundles: none
# accepted, by detection or with a given version; the real releases are.
# archive/ also holds this machine's own glibc, Debian's shipped libc.so.6
# (docs/distributions.md): the files carrying its build-id (libc.so.6 and
# libc6-dbg's file) are the only right hits, as libc by build-id.
hostbid=$(readelf -n /usr/lib/x86_64-linux-gnu/libc.so.6 | awk '/Build ID:/ { print $3 }')
hostver=$(dpkg-query -W -f '${Version}' libc6)
only_host_libc() { # OUT: every hit is the host libc's build-id, taken as libc by build-id
	local tag bundle path lib ver how ok=1 n=0
	while read -r tag bundle path lib ver how; do
		[ "$tag $lib $ver $how" = "ACCEPT libc $hostver build-id" ] &&
			[ "$(readelf -n "$path" 2>/dev/null | awk '/Build ID:/ { print $3 }')" = "$hostbid" ] || ok=0
		n=$((n + 1))
	done < <(grep -E '^(ACCEPT|OTHER)' "$1")
	[ $ok = 1 ] && grep -q " accepted $n other 0$" "$1"
}
find /usr/bin /usr/lib -type f > files.txt
if timeout 600 "$SCAN" $SEED/seed.ucb lua.ucb < files.txt > scan.out 2>&1; then
	sum=$(tail -n1 scan.out); elf=$(awk '{print $2}' <<<"$sum")
	[ "$elf" -ge 1000 ] && only_host_libc scan.out && grep -q "^ACCEPT lua.ucb /usr/lib/x86_64-linux-gnu/libc.so.6 " scan.out &&
		pass "scan: $elf ELF files under /usr/bin and /usr/lib, seed and Lua bundles: none accepted but this machine's libc by its build-id ($sum)" ||
		failt "scan: $sum; $(grep -m5 -E '^(ACCEPT|OTHER)' scan.out)"
else
	failt "scan: select_scan failed or timed out: $(tail -c 300 scan.out)"
fi
timeout 600 "$SCAN" -v 1 $SEED/seed.ucb < files.txt > scan1.out 2>&1
timeout 600 "$SCAN" -v 5.4.4 lua.ucb < files.txt > scan2.out 2>&1
grep -q " accepted 0 other 0$" scan1.out && only_host_libc scan2.out &&
	pass "scan: with --version given (seed 1, Lua 5.4.4) still none accepted but this machine's libc by build-id" ||
	failt "scan with version: $(tail -n1 scan1.out) / $(tail -n1 scan2.out) $(grep -m3 -h ACCEPT scan1.out scan2.out)"
# Sanity: the Lua releases of UCOREBTF_LUA_CACHE, by build-id as built and
# by rule (lua_ident) once their build-id note is removed; the seed apps.
VERS=$(bash "$ROOT/scripts/lua-build.sh" -l)
: > real.txt; : > want.txt
for v in $VERS; do
	lib=$(echo "$CACHE/$v"/liblua5.?.so.$v); base=$(basename "$lib")
	mkdir -p nobid-$v && objcopy --remove-section .note.gnu.build-id "$lib" "nobid-$v/${base%.so.*}.so.0"
	echo "$lib" >> real.txt; echo "$PWD/nobid-$v/${base%.so.*}.so.0" >> real.txt
	echo "ACCEPT lua.ucb $lib lua $v build-id" >> want.txt
	echo "ACCEPT lua.ucb $PWD/nobid-$v/${base%.so.*}.so.0 lua $v rule:symbol:lua_ident" >> want.txt
done
printf '%s\n' $SEED/app_v1 $SEED/app_v2 >> real.txt
printf 'ACCEPT %s %s seed-app %s build-id\n' $SEED/seed.ucb $SEED/app_v1 1 $SEED/seed.ucb $SEED/app_v2 2 >> want.txt
"$SCAN" lua.ucb $SEED/seed.ucb < real.txt | grep ^ACCEPT | sed "s|^ACCEPT $SEED/seed.ucb|ACCEPT $SEED/seed.ucb|" > got.txt
[ -n "$VERS" ] && diff <(sort want.txt) <(sort got.txt) > real.diff &&
	pass "scan: the $(wc -w <<<"$VERS") real Lua releases accepted by build-id and, without it, by rule:symbol:lua_ident; seed apps by build-id" ||
	failt "scan: real releases: $(head -c 600 real.diff)"

# ---- (c) The system's OpenSSL 3: libssl.so.3 carries no version; its
# DT_NEEDED libcrypto.so.3 says "OpenSSL 3.0.N DATE".
SSL=/usr/lib/x86_64-linux-gnu/libssl.so.3
sslver=$(dpkg-query -W -f='${Version}' libssl3 2>/dev/null); sslver=${sslver%%-*}
if [ -r $SSL ] && [ -n "$sslver" ]; then
	for v in 3.0.1 "$sslver" 3.1.0; do
		$U archive add O h1.btf --lib libssl --version $v --soname libssl.so.3 --build-id 00 \
			--version-rule 'needed:libcrypto.so.3:OpenSSL '
	done
	$U archive add O h1.btf --lib libcrypto --version "$sslver" --soname libcrypto.so.3 --build-id 00 --version-rule 'rodata:OpenSSL '
	$U bundle create O -o ossl.ucb
	[ "$(how --bundle ossl.ucb --follow-needed $SSL)" = "libssl $sslver rule:needed:libcrypto.so.3" ] &&
		pass "libssl: $SSL is libssl $sslver by rule:needed:libcrypto.so.3 with --follow-needed" ||
		failt "libssl with --follow-needed: $(how --bundle ossl.ucb --follow-needed $SSL)"
	expect_err "libssl: without --follow-needed refused, saying the rule needs it" \
		"$SSL: no bundle entry .*libssl's version rule needed:libcrypto.so.3 reads another library: not without follow_needed" \
		$U prepare --bundle ossl.ucb $SSL -o x.btf
	[ "$(how --bundle ossl.ucb /usr/lib/x86_64-linux-gnu/libcrypto.so.3)" = "libcrypto $sslver rule:rodata" ] &&
		pass "libcrypto.so.3: $sslver by rule:rodata (\"OpenSSL \" at the start of a .rodata string)" ||
		failt "libcrypto by rodata: $(how --bundle ossl.ucb /usr/lib/x86_64-linux-gnu/libcrypto.so.3)"
	# A program that needs libssl is not libssl, whatever it links.
	expect_err "libssl: a program needing libssl.so.3 is not libssl" "none of the bundle's libraries" \
		$U prepare --bundle ossl.ucb --follow-needed "$(command -v openssl || echo /usr/bin/openssl)" -o x.btf
else
	failt "Debian libssl3 ($SSL) not installed"
fi

# ---- The RULE record: copied by bundle create, restored by extract, absent
# without rules (bundles without it open as before), refused when malformed.
$U bundle extract httpr.ucb -o X && cmp -s HR/rules.tsv X/rules.tsv && cmp -s HR/index.tsv X/index.tsv &&
	pass "RULE record: bundle extract restores rules.tsv byte for byte" || failt "extract rules: $(cat X/rules.tsv 2>&1)"
$U bundle create H -o norule.ucb --compress none && ! grep -q RULE norule.ucb && $U bundle create HR -o rule.ucb --compress none &&
	grep -q RULE rule.ucb && $U bundle verify norule.ucb >/dev/null &&
	pass "RULE record: written only when there are rules; a bundle without it opens" || failt "RULE record presence"
# resign PAYLOAD OUT: an uncompressed bundle (format 2, as bundle create
# writes) around PAYLOAD with a valid checksum.
resign() { python3 - "$1" "$2" <<'PY'
import hashlib, struct, sys
p = open(sys.argv[1], 'rb').read()
h = b'UCOREBTF' + struct.pack('<HHIQQ', 2, 0, 0, len(p), len(p))
open(sys.argv[2], 'wb').write(h + hashlib.sha256(h + p).digest() + p)
PY
}
# record TAG TEXT: one payload record.
record() { python3 -c 'import struct,sys; d=sys.argv[2].encode(); sys.stdout.buffer.write(sys.argv[1].encode()+struct.pack("<I",len(d))+d+b"\0"*((4-len(d)%4)%4))' "$1" "$2"; }
tail -c +65 rule.ucb > payload
resign payload same.ucb && $U bundle verify same.ucb >/dev/null && pass "RULE record: re-signed copy verifies (the test's signer works)" ||
	failt "resign"
for bad in $'libhttp\trodata\tlib\n' $'libhttp\tfile:/etc/shadow\tlibhttp \n' $'libhttp\trodata\tlibhttp ' $'libhttp\trodata\tlibhttp \nlibhttp\trodata\tlibhttp \n'; do
	{ tail -c +65 norule.ucb; record RULE "$bad"; } > p2 && resign p2 bad.ucb
	out=$($U bundle verify bad.ucb 2>&1); rc=$?
	[ $rc = 1 ] && grep -q "^Error: bad.ucb: .*rule" <<<"$out" || { failt "RULE record: malformed rule accepted: $(printf %q "$bad"): $out"; continue; }
	n=$((${n:-0} + 1))
done
[ "${n:-0}" = 4 ] && pass "RULE record: short prefix, unknown source, no newline, duplicate rule: each refused by the reader"
{ tail -c +65 rule.ucb; record RULE $'libhttp\trodata\tlibhttp \n'; } > p3 && resign p3 two.ucb
expect_err "RULE record: two RULE records refused" "duplicate RULE record" $U bundle verify two.ucb

# ---- Writers refuse a bad rule before writing anything.
cp -r H W && before=$(cd W && find . -type f | sort | xargs sha256sum)
expect_err "archive add --version-rule: a bad rule is refused" "version rule 'rodata:abc': prefix must be 4 to 64 bytes" \
	$U archive add W h1.btf --lib libnew --version 1 --version-rule rodata:abc
expect_err "archive rule: unknown source refused" "version rule 'strings:libhttp ': source must be" \
	$U archive rule W libhttp 'strings:libhttp '
[ "$before" = "$(cd W && find . -type f | sort | xargs sha256sum)" ] && pass "writers: nothing written on a bad rule" ||
	failt "writers: archive changed by a refused rule"
$U archive rule HR libhttp && [ ! -e HR/rules.tsv ] && pass "archive rule LIB with no rule: LIB's rules removed (no rules.tsv left)" ||
	failt "archive rule removal: $(cat HR/rules.tsv 2>&1)"

# ---- rules.tsv is an archive file like any other: never read or written
# through a symlink (a root user's archive must not leak or clobber files).
mkdir -p secret && echo 'libhttp	rodata	TOPSECRET 1' > secret/rules.tsv
cp -r H S && ln -s "$PWD/secret/rules.tsv" S/rules.tsv
expect_err "rules.tsv a symlink: archive rule refuses it" "S/rules.tsv: a symbolic link inside the archive" \
	$U archive rule S libhttp 'rodata:libhttp '
expect_err "rules.tsv a symlink: bundle create refuses it" "S/rules.tsv: a symbolic link inside the archive" \
	$U bundle create S -o s.ucb --compress none
[ "$(cat secret/rules.tsv)" = $'libhttp\trodata\tTOPSECRET 1' ] && [ ! -e s.ucb ] && [ -L S/rules.tsv ] &&
	pass "rules.tsv a symlink: its target neither read into a bundle nor written" || failt "symlinked rules.tsv followed"
