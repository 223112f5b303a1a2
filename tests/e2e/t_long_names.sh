# The longest names an index allows (127 characters each for library,
# version and arch) and long target paths, through archive add, bundle
# create and prepare with an ASan+UBSan ucorebtf (built once, kept in
# $OUTPUT/asan/ as tests/cli/t_robust.sh builds it): no sanitizer report, and
# the prepared BTF is the right one, by build-id and by --version, read
# through real uprobes.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
APPS=$B/examples/seed
OBJ=$B/bpf/seed.bpf.o
if ! asan_build "$ASAN_OUT/ucorebtf"; then
	failt "long names: sanitized build: $(tail -5 asan-build.log)"
	exit 0
fi
U=$ASAN_OUT/ucorebtf
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1

# pad PREFIX CHAR [LEN]: PREFIX filled up to LEN (127) characters with CHAR.
pad() { local s=$1; while [ ${#s} -lt "${3:-127}" ]; do s+=$2; done; printf '%s' "$s"; }
LIB=$(pad liblong- x) V1=$(pad 1.0+ a) V2=$(pad 2.0~ b) ARCH=$(pad x86_64- c)
[ ${#LIB} = 127 ] && [ ${#V1} = 127 ] && [ ${#ARCH} = 127 ] || failt "long names: pad"
# sane CMD...: runs CMD; its output, and rc 99 if a sanitizer spoke.
sane() {
	local out rc
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out"
	grep -qE 'Sanitizer|runtime error' <<<"$out" && return 99
	return $rc
}

# Release 1 under a 127-character arch (chosen by its build-id), release 2
# without build-id under the real arch (chosen by --version).
objcopy --remove-section .note.gnu.build-id $APPS/app_v2 nobid_v2
out=$(sane $U gen btf $APPS/app_v1 -o v1.btf && sane $U gen btf nobid_v2 -o v2.btf &&
	sane $U archive add A v1.btf --lib "$LIB" --version "$V1" --arch "$ARCH" --object seed &&
	sane $U archive add A v2.btf --lib "$LIB" --version "$V2" --object seed &&
	printf 'struct pt_regs di\n' > n.txt && sane $U archive needs A seed n.txt &&
	sane $U bundle create A -o long.ucb && sane $U bundle verify long.ucb)
rc=$?
[ $rc = 0 ] && [ -f "A/$LIB/$V1/$ARCH/entry.tsv" ] && [ "$(grep -c "^$LIB	" A/index.tsv)" = 2 ] &&
	pass "long names: archive add, bundle create and verify with 127-character library, version and arch" ||
	failt "long names: archive/bundle: rc=$rc $(head -c 1500 <<<"$out")"
out=$(sane $U bundle list -j long.ucb) && [ "$(jq -r '.[0].library + " " + .[0].arch' <<<"$out")" = "$LIB $ARCH" ] &&
	out=$(sane $U archive show A "$LIB" "$V1") && grep -q "$ARCH" <<<"$out" &&
	pass "long names: bundle list and archive show print them whole" || failt "long names: list/show: $(head -c 600 <<<"$out")"

# Targets with long paths (three 200-character directories, a 200-character
# file name).  The one chosen by --version must be the library: named
# LIB.so.222... (no soname: the file name says which library it is).
D=$WORK/$(pad d1- d 200)/$(pad d2- e 200)/$(pad d3- f 200)
mkdir -p "$D" && T1=$D/$(pad app_v1- g 200) T1b=$D/$(pad app_v1b- h 200) T2=$D/$(pad "$LIB.so.2" 2 200) T3=$D/$(pad true- j 200) &&
	cp $APPS/app_v1 "$T1" && cp $APPS/app_v1 "$T1b" && cp nobid_v2 "$T2" && cp /bin/true "$T3" || failt "long names: long paths"
TAB=$'\t'
out=$(sane $U prepare -j --bundle long.ucb --obj $OBJ "$T1" -o p1.btf); rc=$?
[ $rc = 0 ] && [ "$(jq -r '.targets[0] | [.target, .library, .version, .arch, .how] | join("\t")' <<<"$out")" = \
	"$T1$TAB$LIB$TAB$V1$TAB$ARCH${TAB}build-id" ] &&
	pass "long names: prepare -j by build-id: target, library, version, arch whole" || failt "long names: prepare by build-id: rc=$rc $(head -c 1500 <<<"$out")"
out=$(sane $U prepare --bundle long.ucb --obj $OBJ --version "$V2" "$T2" -o p2.btf); rc=$?
[ $rc = 0 ] && [ "$(head -n1 <<<"$out")" = "$T2$TAB$LIB$TAB$V2${TAB}x86_64${TAB}version" ] &&
	[ "$(sed -n 2p <<<"$out")" = "Warning: not matched by build-id, chosen by version: $T2 (version)" ] &&
	pass "long names: prepare --version (127 characters), describe line and warning whole" || failt "long names: prepare by version: rc=$rc $(head -c 1500 <<<"$out")"
out=$(sane $U prepare -j --bundle long.ucb --obj $OBJ "$T1" "$T1b" -o p3.btf); rc=$?
[ $rc = 0 ] && [ "$(jq -r '[.targets[] | .how] | join(",")' <<<"$out")" = "build-id,build-id" ] &&
	cmp -s p1.btf p3.btf && pass "long names: two long targets, one entry: the same BTF" || failt "long names: two targets: rc=$rc $(head -c 1500 <<<"$out")"
# No entry: the message lists the bundle's long names, cut to one line, no overflow.
out=$(sane $U prepare --bundle long.ucb --obj $OBJ "$T3" -o x.btf); rc=$?
[ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] && grep -q "^Error: $T3: no bundle entry .*the bundle holds: $LIB $V1 $ARCH, $LIB $V2 x86_64$" <<<"$out" &&
	[ ! -e x.btf ] && pass "long names: a target without entry: one Error line listing the bundle" || failt "long names: no entry: rc=$rc $(head -c 1500 <<<"$out")"

# The prepared BTF is the right release's: the uprobes read 1 + 3 = 4.
L=$B/examples/seed/loader
for t in "1 $T1" "2 $T2"; do
	out=$($L -j -b p${t%% *}.btf $OBJ "${t#* }" 2>&1)
	[ "$(jq -r .sum <<<"$out" 2>/dev/null)" = 4 ] && [ "$(jq -r .c <<<"$out" 2>/dev/null)" = 3 ] &&
		pass "long names: release ${t%% *} at its long path, prepared BTF: uprobe reads 1 + 3 = 4" ||
		failt "long names: load ${t%% *}: $(head -c 600 <<<"$out")"
done
