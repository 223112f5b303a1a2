# gen min / check as a user types them: no -o (blobs in the current
# directory), arguments told apart by content whatever their file names,
# metadata before file name, never overwriting an input, --no-verify,
# --app-type, and check comparing several releases side by side.
. "$TESTS_DIR/lib.sh"
U=$UCOREBTF
APPS=$B/examples/seed
mkdir in
cp $B/bpf/seed.bpf.o in/app.bpf.o
$U gen btf $APPS/app_v1 --version 3.0.17 --name libssl -o in/libssl-3.0.17.btf >/dev/null &&
pahole --btf_encode_detached=in/libssl-3.0.18.btf $APPS/app_v2 || { failt "genmin cli: inputs"; exit 0; }

# The user's own words, from another directory: blobs and summary land in '.'.
mkdir run && cd run
if out=$($U gen min ../in/app.bpf.o ../in/libssl-*.btf 2>&1) && [ -s libssl-3.0.17.min.btf ] && [ -s libssl-3.0.18.min.btf ] &&
   jq -e '[.versions[].output]==["./libssl-3.0.17.min.btf","./libssl-3.0.18.min.btf"]' gen-min.json >/dev/null; then
	pass "genmin cli: 'gen min app.bpf.o libssl-*.btf' writes ./libssl-<version>.min.btf and ./gen-min.json"
else failt "genmin cli: no -o: $out $(ls)"; fi
cd ..

# The same words where the inputs live: blobs beside them, inputs untouched.
cd in
before=$(sha256sum app.bpf.o libssl-3.0.17.btf libssl-3.0.18.btf)
if out=$($U gen min app.bpf.o libssl-*.btf 2>&1) && [ -s libssl-3.0.17.min.btf ] && [ -s libssl-3.0.18.min.btf ] &&
   [ "$(sha256sum app.bpf.o libssl-3.0.17.btf libssl-3.0.18.btf)" = "$before" ]; then
	pass "genmin cli: run in the inputs' directory, blobs go beside them and the inputs are untouched"
else failt "genmin cli: in the inputs' directory: $out $(ls -l)"; fi
$U gen min app.bpf.o libssl-3.0.17.btf -o min >/dev/null 2>&1 && [ -s min/libssl-3.0.17.min.btf ] &&
	pass "genmin cli: with -o DIR the same call works" || failt "genmin cli: -o min"
cd ..

# A blob fed back as a library input would be overwritten by its own output: refused.
mkdir back && cp in/libssl-3.0.17.min.btf back/
before=$(sha256sum back/*)
out=$($U gen min in/app.bpf.o back/libssl-3.0.17.min.btf -o back 2>&1); rc=$?
if [ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] &&
   grep -q "^Error: back/libssl-3.0.17.min.btf: gen min would overwrite this input with back/libssl-3.0.17.min.btf.*-o DIR" <<<"$out" &&
   [ "$(sha256sum back/*)" = "$before" ] && [ ! -e back/gen-min.json ]; then
	pass "genmin cli: refuses to overwrite an input with its own output, nothing written"
else failt "genmin cli: overwrite guard: rc=$rc $out $(ls -l back)"; fi

# By content, not by name or position: an object called .btf, a library called .o.
cp in/app.bpf.o probe.btf
cp in/libssl-3.0.17.btf whatever.o
if out=$($U gen min whatever.o probe.btf -o c -j 2>&1) &&
   jq -e '.objects[0].path=="probe.btf" and .versions[0].input=="whatever.o" and .versions[0].library=="libssl"
	and .versions[0].version=="3.0.17" and .versions[0].relocations.resolved==2' <<<"$out" >/dev/null &&
   [ -s c/libssl-3.0.17.min.btf ]; then
	pass "genmin cli: inputs told apart by content; name and version from .ucorebtf.meta, not the file name"
else failt "genmin cli: by content: $out"; fi

# --no-verify: a collision verify refuses (the kernel's and the library's
# struct task_struct both needed, tests/e2e/t_genmin_kcollide.sh) is
# written, marked unverified.
gcc -g -O0 -o collide_app "$TESTS_DIR/fixtures/apps/collide_app.c" &&
$U gen btf collide_app --name libcollide --version 1.0 -o libcollide-1.0.btf >/dev/null
gcc -g -O0 -shared -fPIC -o libkc.so.1 "$TESTS_DIR/fixtures/apps/kcollide_lib.c" &&
$U gen btf libkc.so.1 --name libkc --version 1.0 -o libkc-1.0.btf >/dev/null
mkdir nv
if out=$($U gen min $B/bpf/kcollide_both.bpf.o libkc-1.0.btf --kernel-type task_struct -o nv --no-verify -j 2>&1) &&
   jq -e '.versions[0].verified==false' <<<"$out" >/dev/null && [ -s nv/libkc-1.0.min.btf ] &&
   ! $U gen min $B/bpf/kcollide_both.bpf.o libkc-1.0.btf --kernel-type task_struct -o nv2 >/dev/null 2>&1; then
	pass "genmin cli: --no-verify skips the check that fails by default, summary says verified:false"
else failt "genmin cli: --no-verify: $out"; fi

# --app-type forces a type to the library side even when the library lacks
# it: with --no-kernel, pt_regs is then an app relocation this release
# lacks (a reported failed match) instead of an unresolved kernel one.
if out=$($U gen min in/app.bpf.o in/libssl-3.0.18.btf --no-kernel --app-type pt_regs -o at -j 2>&1) &&
   jq -e '.versions[0].relocations.app==3 and .versions[0].relocations.kernel==0 and
	.versions[0].failed==["add_test_entry:0 pt_regs.di"] and .objects[0].kernel_types==[]' <<<"$out" >/dev/null &&
   out=$($U gen min in/app.bpf.o in/libssl-3.0.18.btf --no-kernel -o at2 -j 2>&1) &&
   jq -e '.versions[0].relocations.kernel==1 and .versions[0].relocations.kernel_unresolved==1' <<<"$out" >/dev/null; then
	pass "genmin cli: --app-type pt_regs moves the kernel relocation to the library side"
else failt "genmin cli: --app-type: $out"; fi

# check: one column per release, so releases can be diffed.
out=$($U check in/app.bpf.o in/libssl-3.0.17.btf in/libssl-3.0.18.btf 2>&1)
if grep -q "^RELOCATION .*libssl-3.0.17  libssl-3.0.18$" <<<"$out" &&
   grep -q "^add_test_entry:14 data.c  *byte_off  *app  *4  *8$" <<<"$out" &&
   grep -Eq "^add_test_entry:0 pt_regs.di +byte_off +kernel +([0-9]+) +\1$" <<<"$out"; then
	pass "genmin cli: check prints one column per release (data.c at 4 in 3.0.17, 8 in 3.0.18)"
else failt "genmin cli: check columns: $out"; fi
if out=$($U check -j in/app.bpf.o in/libssl-3.0.18.btf in/libssl-3.0.17.btf 2>&1) &&
   jq -e '.targets==["libssl-3.0.17","libssl-3.0.18"] and
	(.relocations[]|select(.name=="add_test_entry:14 data.c")|[.results[].value])==[4,8]' <<<"$out" >/dev/null; then
	pass "genmin cli: check -j: targets in sorted order whatever the input order, values per target"
else failt "genmin cli: check -j: $out"; fi

# A forced name no relocation uses (a typo, or "struct file" for "file") is
# an error, not a silent no-op.
expect_err "genmin cli: --kernel-type naming no local type is an error" \
	"--kernel-type struct file: no relocation of the objects has a local type of that name" \
	$U gen min $B/bpf/collide.bpf.o libcollide-1.0.btf --kernel-type "struct file" -o ft
[ ! -e ft ] && pass "genmin cli: nothing written for an unused forced name" || failt "genmin cli: ft written"
expect_err "genmin cli: check --app-type naming no local type is an error" "--app-type data___x: no relocation" \
	$U check in/app.bpf.o in/libssl-3.0.18.btf --app-type data___x
