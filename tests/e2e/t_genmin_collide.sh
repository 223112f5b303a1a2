# Name collision: a library's struct file next to the kernel's struct file.
# The naive merge (kernel + full library BTF) fails to load ("ambiguity").
# gen min verifies against what the runtime prepares (kernel needs + blob):
# by default both struct file relocations are the library's, the kernel's
# struct file is left out of the prepared BTF, and the probe reads the
# library's values through a bundle.  With --kernel-type file the kernel's
# struct file (f_flags only) sits beside the library's (fd, refs): no
# member name in common, so that verifies and loads too.
. "$TESTS_DIR/lib.sh"
OBJ=$B/bpf/collide.bpf.o
L=$B/examples/seed/loader
jf() { sed -n "s/.*\"$2\":\([-0-9]*\).*/\1/p" <<<"$1"; }

gcc -g -O0 -o collide_app "$TESTS_DIR/fixtures/apps/collide_app.c" || { failt "collide: build app"; exit 0; }
$UCOREBTF gen btf collide_app --name libcollide --version 1.0 -o libcollide-1.0.btf >/dev/null 2>&1 ||
	pahole --btf_encode_detached=libcollide-1.0.btf collide_app

$UCOREBTF merge libcollide-1.0.btf -o naive.btf
out=$($L -j -v -b naive.btf $OBJ ./collide_app 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "ambiguity" <<<"$out"; then
	pass "collide: naive merge kernel + full library fails to load (ambiguity)"
else failt "collide: naive merge: rc=$rc $(grep -i 'error\|ambig' <<<"$out" | head -3)"; fi

# Default flags: verified against the prepared BTF, the shadowed name reported.
mkdir o1 o2
out=$($UCOREBTF gen min $OBJ libcollide-1.0.btf -o o1 2>&1); rc=$?
if [ $rc = 0 ] && grep -q "; verified$" <<<"$out" &&
   grep -qx "  shadowed: struct file (the kernel's is left out of the prepared BTF)" <<<"$out" &&
   jq -e '.versions[0].shadowed==["struct file"] and .versions[0].shadowed_kernel_kept==[] and
	.versions[0].verified and .versions[0].relocations.app==3 and .versions[0].relocations.kernel==1 and
	(.objects[0].kernel_types|map(.name)|index("file"))==null' o1/gen-min.json >/dev/null; then
	pass "collide: default flags verify; shadowed: struct file (the kernel's is left out of the prepared BTF)"
else failt "collide: default gen min: rc=$rc $out"; fi
dump=$(bpftool btf dump file o1/libcollide-1.0.min.btf 2>&1)
if grep -q "STRUCT 'file' size=24 vlen=3" <<<"$dump" && grep -q "'f_flags'" <<<"$dump"; then
	pass "collide: default blob keeps the library's struct file with fd, f_flags and refs"
else failt "collide: default blob: $dump"; fi

# The default run through the archive, a bundle and libucorebtf.
if $UCOREBTF gen min $OBJ libcollide-1.0.btf -o D --archive >/dev/null 2>&1 &&
   ! grep -q "file" D/needs/collide.txt && $UCOREBTF bundle create D -o default.ucb; then
	out=$($L -j -B default.ucb $OBJ ./collide_app 2>&1)
	if [ "$(jf "$out" a)" = 5 ] && [ "$(jf "$out" c)" = 2 ] && [ "$(jf "$out" sum)" = 7 ] &&
	   [ "$(jf "$out" hits)" = 1 ]; then
		pass "collide: default flags, bundle + libucorebtf: the uprobe reads the library's fd=5 refs=2"
	else failt "collide: default bundle: $out"; fi
	$UCOREBTF prepare --bundle default.ucb --obj $OBJ ./collide_app -o pd.btf >/dev/null 2>&1
	d=$(bpftool btf dump file pd.btf 2>&1)
	[ "$(grep -c "STRUCT 'file'" <<<"$d")" = 1 ] && grep -q "STRUCT 'file' size=24 vlen=3" <<<"$d" &&
	grep -q "STRUCT 'pt_regs'" <<<"$d" &&
		pass "collide: default prepared BTF: pt_regs from the kernel, struct file the library's only" ||
		failt "collide: default prepared BTF: $d"
else failt "collide: gen min -o ARCHIVE (default) / bundle create"; fi

# The suggested --app-type NAME (flavour included) works as well.
if $UCOREBTF gen min $OBJ libcollide-1.0.btf --app-type file___lib --app-type file -o o3 -j >o3.json 2>&1 &&
   jq -e '.versions[0].verified and .versions[0].shadowed==["struct file"]' o3.json >/dev/null &&
   cmp -s o1/libcollide-1.0.min.btf o3/libcollide-1.0.min.btf; then
	pass "collide: --app-type file___lib --app-type file verifies, same blob as the default"
else failt "collide: --app-type: $(head -c 400 o3.json)"; fi

if out=$($UCOREBTF gen min $OBJ libcollide-1.0.btf --kernel-type file -o o2 -j 2>&1) &&
   jq -e '.versions[0].shadowed==["struct file"] and .versions[0].shadowed_kernel_kept==["struct file"] and
	.versions[0].relocations.app==2 and .versions[0].relocations.kernel==2 and
	(.objects[0].kernel_types|map(select(.name=="file"))[0].members)==["f_flags"]' <<<"$out" >/dev/null &&
   $UCOREBTF gen min $OBJ libcollide-1.0.btf --kernel-type file -o o4 2>&1 |
	grep -qx "  shadowed: struct file (the kernel's, needed by kernel relocations, is kept beside it, pruned)"; then
	pass "collide: --kernel-type file: shadowed name reported (kernel's kept), kernel needs struct file.f_flags"
else failt "collide: gen min --kernel-type: $out"; fi
dump=$(bpftool btf dump file o2/libcollide-1.0.min.btf 2>&1)
if grep -q "STRUCT 'file' size=24 vlen=2" <<<"$dump" && grep -q "'fd'" <<<"$dump" && grep -q "'refs'" <<<"$dump" &&
   ! grep -q "f_flags" <<<"$dump"; then
	pass "collide: blob keeps the library's struct file with fd and refs only"
else failt "collide: blob: $dump"; fi

$UCOREBTF merge o2/libcollide-1.0.min.btf -o good.btf
out=$($L -j -b good.btf $OBJ ./collide_app 2>&1)
if [ "$(jf "$out" a)" = 5 ] && [ "$(jf "$out" c)" = 2 ] && [ "$(jf "$out" sum)" = 7 ] && [ "$(jf "$out" hits)" = 1 ]; then
	pass "collide: kernel + blob loads; uprobe reads the library's fd=5 refs=2"
else failt "collide: uprobe on kernel + blob: $out"; fi

# The same case through the archive, a bundle and libucorebtf: the prepared
# BTF holds the pruned kernel struct file (f_flags only) next to the
# library's struct file (fd, refs); they share no member name, so each
# relocation has one matching candidate, as gen min verified.
if $UCOREBTF gen min $OBJ libcollide-1.0.btf --kernel-type file -o A --archive >/dev/null 2>&1 &&
   grep -qx "struct file f_flags" A/needs/collide.txt && $UCOREBTF bundle create A -o collide.ucb; then
	out=$($L -j -B collide.ucb $OBJ ./collide_app 2>&1)
	ref=$($L -j -b good.btf $OBJ ./collide_app 2>&1)
	if [ "$(jf "$out" a)" = 5 ] && [ "$(jf "$out" c)" = 2 ] && [ "$(jf "$out" sum)" = 7 ] &&
	   [ "$(head -1 <<<"$out")" = "$(head -1 <<<"$ref")" ]; then
		pass "collide: through the bundle and libucorebtf the uprobe reads fd=5 refs=2, as with kernel + blob"
	else failt "collide: bundle: $out (kernel + blob: $ref)"; fi
	$UCOREBTF prepare --bundle collide.ucb --obj $OBJ ./collide_app -o p.btf >/dev/null 2>&1
	d=$(bpftool btf dump file p.btf 2>&1)
	[ "$(grep -c "STRUCT 'file'" <<<"$d")" = 2 ] && grep -q "'f_flags'" <<<"$d" &&
		pass "collide: prepared BTF holds both struct file (kernel: f_flags; library: fd, refs)" ||
		failt "collide: prepared BTF: $d"
else failt "collide: gen min -o ARCHIVE --kernel-type file / bundle create"; fi
