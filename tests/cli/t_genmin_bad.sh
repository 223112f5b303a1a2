# gen min / check / gen min_core_btf on bad input: one "Error: FILE: why"
# line, exit 1 (usage errors exit 2), nothing written.
. "$TESTS_DIR/lib.sh"
OBJ=$B/bpf/seed.bpf.o
pahole --btf_encode_detached=app-1.btf $B/examples/seed/app_v1
llvm-objcopy --remove-section=.BTF.ext $OBJ noext.bpf.o 2>/dev/null ||
	objcopy --remove-section=.BTF.ext $OBJ noext.bpf.o
head -c 40 app-1.btf > trunc-1.btf
: > empty-1.btf
mkdir adir out

# bad NAME RC PATTERN ARGS...: exit RC, exactly one Error line matching, out/ empty
bad() {
	local n=$1 want=$2 pat=$3 out rc; shift 3
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc = "$want" ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] && grep -q "^Error: .*$pat" <<<"$out" &&
	   [ -z "$(ls out)" ]; then pass "genmin bad: $n"
	else failt "genmin bad: $n: rc=$rc $(head -c 300 <<<"$out")"; fi
}
bad "object without .BTF.ext" 1 "noext.bpf.o: .*BTF.ext" $UCOREBTF gen min noext.bpf.o app-1.btf -o out
bad "BTF that does not parse" 1 "trunc-1.btf: .*pars" $UCOREBTF gen min $OBJ trunc-1.btf -o out
bad "empty BTF file" 1 "empty-1.btf: empty" $UCOREBTF gen min $OBJ empty-1.btf -o out
bad "empty object list" 1 "no BPF object" $UCOREBTF gen min app-1.btf -o out
bad "no library BTF" 1 "no library BTF" $UCOREBTF gen min $OBJ -o out
bad "missing file" 1 "missing-2.btf: No such file" $UCOREBTF gen min $OBJ app-1.btf missing-2.btf -o out
# A directory is an archive or a tree of *.btf (issue 11): an empty one holds none.
bad "directory as input" 1 "adir: no release BTF in this directory" $UCOREBTF gen min $OBJ adir -o out
bad "output dir's parent missing" 1 "nodir/sub: cannot create output directory" $UCOREBTF gen min $OBJ app-1.btf -o nodir/sub
[ ! -e nodir ] && pass "genmin bad: nothing created for a missing parent" || failt "genmin bad: nodir created"
bad "output dir not created on failure" 1 "trunc-1.btf" $UCOREBTF gen min $OBJ trunc-1.btf -o newdir
[ ! -e newdir ] && pass "genmin bad: output dir not created when inputs are bad" || failt "genmin bad: newdir created"
check "genmin: a missing output dir is created" bash -c "$UCOREBTF gen min $OBJ app-1.btf -o made >/dev/null 2>&1 && [ -s made/app-1.min.btf ]"
bad "bad kernel BTF" 1 "trunc-1.btf: .*pars" $UCOREBTF gen min $OBJ app-1.btf -k trunc-1.btf -o out
bad "no arguments" 2 "no input" $UCOREBTF gen min
bad "unknown option" 2 "unknown option" $UCOREBTF gen min --frobnicate $OBJ app-1.btf -o out
bad "-k with --no-kernel" 2 "exclude" $UCOREBTF gen min $OBJ app-1.btf -k /sys/kernel/btf/vmlinux --no-kernel -o out
bad "--release naming a non-input" 1 "other.btf: --release" $UCOREBTF gen min $OBJ app-1.btf --release other.btf -o out
bad "check: missing file" 1 "nope.o: No such file" $UCOREBTF check $OBJ nope.o
bad "check: object without .BTF.ext" 1 "noext.bpf.o: .*BTF.ext" $UCOREBTF check noext.bpf.o
bad "min_core_btf: too few args" 2 "usage" $UCOREBTF gen min_core_btf /sys/kernel/btf/vmlinux out/x.btf
bad "min_core_btf: not an object" 1 "app-1.btf: not a BPF object" $UCOREBTF gen min_core_btf /sys/kernel/btf/vmlinux out/x.btf app-1.btf
bad "min_core_btf: bad input BTF" 1 "trunc-1.btf: .*pars" $UCOREBTF gen min_core_btf trunc-1.btf out/x.btf $OBJ

# A failing library among good ones: nothing is written at all.
bad "one bad library among good ones" 1 "trunc-1.btf" $UCOREBTF gen min $OBJ app-1.btf trunc-1.btf -o out

# --no-kernel: app relocations resolve; the kernel one is reported unresolved.
if out=$($UCOREBTF gen min $OBJ app-1.btf --no-kernel -o out -j 2>&1) &&
   jq -e '.kernel==null and .versions[0].relocations.resolved==2 and .versions[0].relocations.kernel_unresolved==1' <<<"$out" >/dev/null; then
	pass "genmin: --no-kernel resolves app relocations, reports the kernel one unresolved"
else failt "genmin: --no-kernel: $out"; fi
rm -f out/*
# check: text table names relocations and values per target
out=$($UCOREBTF check $OBJ app-1.btf 2>&1)
if grep -q "^add_test_entry:14 data.c *byte_off *app *4$" <<<"$out" && grep -q "pt_regs.di .*kernel" <<<"$out"; then
	pass "genmin: check prints each relocation's decision"
else failt "genmin: check table: $out"; fi
