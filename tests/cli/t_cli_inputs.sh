# Issue 11, items 4 and 5.  Inputs accepted alike: check, report and gen
# min give the same answer from a BTF file, the archive holding it and a
# bundle of that archive.  Names: bundle create --symbol, and gen btf's
# <lib>-<version>.btf with the version read from the library (and where),
# never replacing another version's file.
. "$TESTS_DIR/lib.sh"
unset DEBUGINFOD_URLS
U=$UCOREBTF
OBJ=$B/bpf/seed.bpf.o
APP=$B/examples/seed/app_v1
ROOT=$TESTS_DIR/..

# --- inputs alike ---
$U gen btf $APP --version 1 -o l1.btf >/dev/null && $U archive add A l1.btf --object seed &&
	$U bundle create A -o b.ucb -j >/dev/null || { failt "inputs: fixtures"; exit 0; }
for f in l1.btf A b.ucb; do
	$U check $OBJ $f > check-${f%%.*}.txt 2>&1 || failt "inputs: check $f: $(cat check-${f%%.*}.txt)"
	$U -j report $OBJ $f | jq -S 'del(.releases[].path)' > report-${f%%.*}.json || failt "inputs: report $f"
	$U gen min $OBJ $f -o gm-${f%%.*} > /dev/null 2>gm.err || failt "inputs: gen min $f: $(cat gm.err)"
done
cmp -s check-l1.txt check-A.txt && cmp -s check-l1.txt check-b.txt &&
	pass "inputs: check gives the same table from a BTF file, an archive directory and a bundle" ||
	failt "inputs: check differs: $(diff check-l1.txt check-b.txt | head -5)"
cmp -s report-l1.json report-A.json && cmp -s report-l1.json report-b.json &&
	pass "inputs: report gives the same matrix from the three" ||
	failt "inputs: report differs: $(diff report-l1.json report-b.json | head -5)"
cmp -s gm-l1/app_v1-1.min.btf gm-A/app_v1-1.min.btf && cmp -s gm-l1/app_v1-1.min.btf gm-b/app_v1-1.min.btf &&
	pass "inputs: gen min writes the same blob from the three" ||
	failt "inputs: gen min blobs: $(ls gm-l1 gm-A gm-b)"
$U -j report $OBJ b.ucb | jq -e '.releases[0].path | endswith("b.ucb:app_v1/1/x86_64")' >/dev/null &&
	pass "inputs: a bundle entry is named FILE:lib/version/arch" || failt "inputs: bundle entry name: $($U -j report $OBJ b.ucb | head -c 300)"
expect_err "inputs: a bundle without an entry of --arch" "b.ucb: no entry for aarch64 in this bundle" $U check $OBJ b.ucb --arch aarch64
# An entry made only for another object is left out, wherever the object
# stands among the inputs (objects are taken first).
$U gen btf $B/examples/seed/app_v2 --version 2 -o l2.btf >/dev/null && cp -r A AO &&
	$U archive add AO l2.btf --object other >/dev/null || failt "inputs: other-object fixture"
$U -j check $OBJ AO > co-first.json 2>&1; $U -j check AO $OBJ > co-last.json 2>&1
$U -j report AO $OBJ | jq -c '[.releases[].label]' > ro-last.txt 2>&1
cmp -s co-first.json co-last.json && ! grep -q 'app_v1-2' co-last.json && grep -q 'app_v1-1' co-last.json &&
	[ "$(cat ro-last.txt)" = '["app_v1-1"]' ] &&
	pass "inputs: check and report leave out another object's entry whether the archive comes before or after the object" ||
	failt "inputs: object order: $(diff co-first.json co-last.json | head -3) report $(cat ro-last.txt)"
head -c 100 b.ucb > cut.ucb
expect_err "inputs: a damaged bundle is named" "cut.ucb: " $U check $OBJ cut.ucb

# --- bundle create --symbol ---
$U bundle create A -o raw.ucb && $U bundle create A -o probe_ucb.h --emit c --symbol probe_ucb &&
	$U bundle create A -o probe_ucb.o --emit elf --symbol probe_ucb &&
	$U bundle create A -o dflt.h --emit c || failt "symbol: bundle create"
cat > c.c <<'EOF'
#include <stdio.h>
#include "probe_ucb.h"
int main(void) { return fwrite(probe_ucb_data, 1, probe_ucb_size, stdout) != probe_ucb_size; }
EOF
cat > e.c <<'EOF'
#include <stdio.h>
extern const char probe_ucb_start[], probe_ucb_end[];
int main(void) { return fwrite(probe_ucb_start, 1, probe_ucb_end - probe_ucb_start, stdout) == 0; }
EOF
gcc -o c c.c && ./c > c.out && cmp -s c.out raw.ucb && gcc -o e e.c probe_ucb.o && ./e > e.out && cmp -s e.out raw.ucb &&
	pass "symbol: --emit c and --emit elf with --symbol probe_ucb define probe_ucb_data/_size and probe_ucb_start/_end holding the bundle" ||
	failt "symbol: emitted bundle differs or does not build"
grep -q '^static const unsigned char ucorebtf_bundle_data\[' dflt.h && grep -q '^static const size_t ucorebtf_bundle_size = ' dflt.h &&
	pass "symbol: the default names stay ucorebtf_bundle_data/_size" || failt "symbol: default: $(grep static dflt.h)"
for bad in 1x 'a-b' 'a b' ''; do
	out=$($U bundle create A -o x.h --emit c --symbol "$bad" 2>&1 >/dev/null); rc=$?
	[ $rc = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && [ ! -e x.h ] || failt "symbol: '$bad' accepted: $rc $out"
done
out=$($U bundle create A -o x.ucb --symbol abc 2>&1); rc=$?
[ $rc = 2 ] && grep -q "^Error: bundle create: --symbol names what --emit c or elf defines" <<<"$out" && [ ! -e x.ucb ] &&
	pass "symbol: a name that is not a C identifier, or --symbol without --emit c|elf, is a usage error" ||
	failt "symbol: --symbol with raw: $rc $out"

# --- gen btf: the version from the library, <lib>-<version>.btf ---
mkdir r f n
cat > conn.c <<'EOF'
struct conn { int fd; long bytes; };
const char conn_version[] = "conn 1.2.3 (test build)";
int conn_fd(struct conn *c) { return c->fd; }
EOF
sed '/conn_version/d' conn.c > conn0.c
gcc -g -shared -fPIC -Wl,-soname,libconn.so.1 -o r/libconn.so.1 conn.c &&
	gcc -g -shared -fPIC -Wl,-soname,libconn.so.1 -o f/libconn.so.1.4.0 conn0.c && ln -s libconn.so.1.4.0 f/libconn.so.1 &&
	gcc -g -shared -fPIC -Wl,-soname,libconn.so.1 -o n/libconn.so.1 conn0.c || failt "gen btf names: build"
out=$($U gen btf r/libconn.so.1 2>&1 >/dev/null) && [ -f libconn-1.2.3.btf ] &&
	grep -q "version 1.2.3, from the string 'conn 1.2.3' in .rodata" <<<"$out" &&
	readelf -p .ucorebtf.meta libconn-1.2.3.btf | grep -q "version=1.2.3" &&
	pass "gen btf names: version 1.2.3 read from .rodata, said where, written to libconn-1.2.3.btf" ||
	failt "gen btf names: rodata: $out $(ls)"
out=$($U -j gen btf f/libconn.so.1 2>/dev/null) && [ -f libconn-1.4.0.btf ] &&
	jq -e '.version == "1.4.0" and .version_from == "the file name" and .output == "libconn-1.4.0.btf"' <<<"$out" >/dev/null &&
	pass "gen btf names: version 1.4.0 from the file name beyond the soname (-j: version_from); two versions of libconn.so.1 do not collide" ||
	failt "gen btf names: file name: $out"
out=$($U gen btf n/libconn.so.1 2>&1 >/dev/null) && [ -f libconn.so.1.btf ] &&
	grep -q "^n/libconn.so.1: no version found .*give --version V" <<<"$out" &&
	pass "gen btf names: no version in the library: a note asks for --version" ||
	failt "gen btf names: none: $out"
# Strings that disagree give no version: --version decides, never a guess.
mkdir two && sed 's/"conn 1.2.3 (test build)"/"conn 1.2.3", conn_old[] = "conn 1.1.0"/' conn.c > conn2.c &&
	gcc -g -shared -fPIC -Wl,-soname,libconn.so.1 -o two/libconn.so.1 conn2.c || failt "gen btf names: build two"
out=$($U -j gen btf two/libconn.so.1 -o two.btf 2>/dev/null)
jq -e '.version == "" and .version_from == null' <<<"$out" >/dev/null &&
	pass "gen btf names: two versions in .rodata give none (no guess)" || failt "gen btf names: two: $out"
$U gen btf r/libconn.so.1 --version 9 -o libconn.so.1.btf >/dev/null 2>&1
sum=$(sha256sum < libconn.so.1.btf)
out=$($U gen btf n/libconn.so.1 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && [ "$(grep -c . <<<"$out")" = 1 ] &&
	grep -q "^Error: libconn.so.1.btf: holds libconn 9, not overwritten with libconn (no version)" <<<"$out" &&
	[ "$(sha256sum < libconn.so.1.btf)" = "$sum" ] &&
	pass "gen btf names: the default output holding another version is not overwritten (one Error line, exit 1)" ||
	failt "gen btf names: overwrite: rc=$rc $out"
$U gen btf n/libconn.so.1 --version 9 >/dev/null 2>&1 && [ -f libconn-9.btf ] &&
	$U gen btf n/libconn.so.1 -o libconn.so.1.btf >/dev/null 2>&1 &&
	pass "gen btf names: --version names the output; -o replaces what the user names" ||
	failt "gen btf names: --version/-o"
