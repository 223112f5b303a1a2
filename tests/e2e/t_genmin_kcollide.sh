# Library types named like kernel types, with other layouts: libkc's
# struct file, task_struct, sock and list_head (tests/fixtures/apps/
# kcollide_lib.h), and a real Debian library's, libpython3.11d's struct tm
# (glibc's tm: int tm_year at 20; the kernel's: long tm_year at 24).
# gen min with default flags verifies them against the BTF libucorebtf
# prepares (the kernel's copies left out), and real uprobes read the right
# values through a bundle.  Still refused: a probe that needs the kernel's
# and the library's struct task_struct at once (--kernel-type task_struct),
# and a relocation that is the library's in one release and the kernel's in
# another (libkc 2.0 has no list_head).
. "$TESTS_DIR/lib.sh"
F=$TESTS_DIR/fixtures/apps
KL=$B/tests/tools/kcollide_loader
OBJ=$B/bpf/kcollide.bpf.o
PY=/usr/lib/x86_64-linux-gnu/libpython3.11d.so.1.0
jf() { sed -n "s/.*\"$2\":\([-0-9]*\).*/\1/p" <<<"$1"; }
# reads NAME=VALUE...: every field of the loader's JSON line $out as expected
reads() { local kv; for kv in "$@"; do [ "$(jf "$out" "${kv%%=*}")" = "${kv#*=}" ] || return 1; done; }

mkdir v1 v2
gcc -g -O0 -shared -fPIC -Wl,-soname,libkc.so.1 -o v1/libkc.so.1 "$F/kcollide_lib.c" &&
gcc -g -O0 -shared -fPIC -DKC_V2 -Wl,-soname,libkc.so.1 -o v2/libkc.so.1 "$F/kcollide_lib.c" &&
gcc -g -O0 -I"$F" -o v1/kc_app "$F/kcollide_app.c" -Lv1 -l:libkc.so.1 -Wl,-rpath,'$ORIGIN' &&
$UCOREBTF gen btf v1/libkc.so.1 --name libkc --version 1.0 -o libkc-1.0.btf >/dev/null &&
$UCOREBTF gen btf v2/libkc.so.1 --name libkc --version 2.0 -o libkc-2.0.btf >/dev/null ||
	{ failt "kcollide: build libkc 1.0/2.0 and their BTF"; exit 0; }

# Expected values: kcollide_app.c; the kernel's pt_regs as pahole reads it.
si=$(pahole -C pt_regs /sys/kernel/btf/vmlinux 2>/dev/null | sed -n 's/.*[[:space:]]si;[[:space:]]*\/\*[[:space:]]*\([0-9]*\).*/\1/p')
size=$(pahole -C pt_regs /sys/kernel/btf/vmlinux 2>/dev/null | sed -n 's/.*size: \([0-9]*\),.*/\1/p')
KC_OK="hits=1 f_pos=305419896 f_flags=32770 pid=4343 tgid=4242 comm=482921767787 sndbuf=16384 rcvbuf=87380 next=8738 prev=4369 regs_si=$si regs_size=$size"

# Without the library's BTF the probe loads against the kernel's types
# and reads the wrong fields: what is at stake.
out=$($KL $OBJ kc_visit_entry kc_visit v1/libkc.so.1 v1/kc_app 2>&1)
if [ "$(jf "$out" hits)" = 1 ] && ! reads $KC_OK; then
	pass "kcollide: against the kernel's own types the probe reads wrong values ($(head -c 120 <<<"$out"))"
else failt "kcollide: kernel-only load: $out"; fi

# Default flags: verified, every collision reported, the kernel's copies left out.
out=$($UCOREBTF gen min $OBJ libkc-1.0.btf -o A --archive -j 2>&1); rc=$?
if [ $rc = 0 ] && jq -e '.versions[0].verified and .versions[0].relocations.app==9 and
	.versions[0].relocations.failed==0 and
	(.versions[0].shadowed|sort)==["struct file","struct list_head","struct sock","struct task_struct"] and
	.versions[0].shadowed_kernel_kept==[]' <<<"$out" >/dev/null &&
   [ "$(cut -d' ' -f2 A/needs/kcollide.txt | sort -u)" = pt_regs ]; then
	pass "kcollide: gen min, default flags: file, task_struct, sock, list_head shadowed and verified; kernel needs pt_regs only"
else failt "kcollide: default gen min: rc=$rc $(head -c 600 <<<"$out")"; fi
text=$($UCOREBTF gen min $OBJ libkc-1.0.btf -o t1 2>&1)
miss=
for n in file task_struct sock list_head; do
	grep -qx "  shadowed: struct $n (the kernel's is left out of the prepared BTF)" <<<"$text" || miss="$miss $n"
done
[ -z "$miss" ] && pass "kcollide: text: 'shadowed: struct NAME (the kernel's is left out of the prepared BTF)' for each" ||
	failt "kcollide: text lacks the shadowed line of struct$miss: $text"

if $UCOREBTF bundle create A -o kc.ucb >/dev/null 2>&1; then
	out=$($KL -B kc.ucb $OBJ kc_visit_entry kc_visit v1/libkc.so.1 v1/kc_app 2>&1)
	reads $KC_OK && pass "kcollide: bundle + libucorebtf + uprobe read libkc's file, task_struct, sock, list_head and the kernel's pt_regs right" ||
		failt "kcollide: uprobe through the bundle: $out (want $KC_OK)"
	$UCOREBTF prepare --bundle kc.ucb --obj $OBJ v1/libkc.so.1 -o p.btf >/dev/null 2>&1
	d=$(bpftool btf dump file p.btf 2>&1)
	ok=1
	for s in "file' size=32" "task_struct' size=32" "sock' size=12" "list_head' size=16" "pt_regs' size=$size"; do
		[ "$(grep -c "STRUCT '${s%%\'*}'" <<<"$d")" = 1 ] && grep -q "STRUCT '$s" <<<"$d" || ok=0
	done
	[ $ok = 1 ] && pass "kcollide: prepared BTF: one of each name, the library's (kernel's pt_regs)" ||
		failt "kcollide: prepared BTF: $d"
else failt "kcollide: bundle create: $(ls -R A)"; fi

# A real Debian library: libpython3.11d's struct tm (libpython3.11-dbg).
if gcc -o pytm_app "$F/pytm_app.c" $PY &&
   $UCOREBTF gen btf $PY --name libpython3.11d --version 3.11 -o libpython3.11d-3.11.btf >/dev/null 2>&1; then
	out=$($UCOREBTF gen min $B/bpf/pytm.bpf.o libpython3.11d-3.11.btf -o P --archive -j 2>&1); rc=$?
	if [ $rc = 0 ] && jq -e '.versions[0].verified and .versions[0].shadowed==["struct tm"] and
		.versions[0].relocations.app==7 and .versions[0].relocations.resolved==7' <<<"$out" >/dev/null; then
		pass "kcollide: libpython3.11d's struct tm (not the kernel's) verifies with default flags, shadowed: struct tm"
	else failt "kcollide: gen min libpython3.11d: rc=$rc $(head -c 600 <<<"$out")"; fi
	$UCOREBTF bundle create P -o py.ucb >/dev/null 2>&1
	out=$($KL -B py.ucb $B/bpf/pytm.bpf.o asctime_entry _asctime $PY ./pytm_app 2>&1)
	reads hits=1 tm_year=124 tm_mon=2 tm_mday=15 tm_hour=10 tm_min=20 tm_sec=30 tm_wday=5 &&
		pass "kcollide: uprobe on libpython3.11d's _asctime reads its struct tm: 2024-03-15 10:20:30, Friday" ||
		failt "kcollide: uprobe on _asctime through the bundle: $out"
	out=$($KL $B/bpf/pytm.bpf.o asctime_entry _asctime $PY ./pytm_app 2>&1)
	[ "$(jf "$out" hits)" = 1 ] && [ "$(jf "$out" tm_year)" != 124 ] &&
		pass "kcollide: with the kernel's struct tm the same probe reads tm_year=$(jf "$out" tm_year), not 124" ||
		failt "kcollide: _asctime against the kernel's struct tm: $out"
else failt "kcollide: libpython3.11d (libpython3.11-dbg): app or gen btf"; fi

# Still refused: the kernel's and the library's struct task_struct both
# needed (they share the member tgid; libbpf finds candidates by name).
BOTH=$B/bpf/kcollide_both.bpf.o
out=$($UCOREBTF gen min $BOTH libkc-1.0.btf --kernel-type task_struct -o r1 2>&1); rc=$?
if [ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] && [ ! -e r1 ] &&
   grep -q "verify: relocation kc_visit_entry:[0-9]* task_struct.tgid (byte_off) of .*kcollide_both.bpf.o resolves differently against the BTF libucorebtf prepares (kernel needs of kcollide_both + minimized BTF; ambiguous: struct task_struct \[[0-9]*\] size [0-9]* from kernel, struct task_struct \[[0-9]*\] size 32 from libkc-1.0.btf) than against the kernel BTF: libbpf finds candidates by name" <<<"$out"; then
	pass "kcollide: refused: the kernel's and the library's task_struct both needed (--kernel-type task_struct)"
else failt "kcollide: both task_structs: rc=$rc $out"; fi
out=$($UCOREBTF gen min $BOTH libkc-1.0.btf -o r2 -j 2>&1) &&
jq -e '.versions[0].shadowed==["struct task_struct"] and .versions[0].relocations.kernel==1' <<<"$out" >/dev/null &&
	pass "kcollide: by default (library first) the same probe verifies, task_struct reported shadowed" ||
	failt "kcollide: both task_structs, default: $out"

# Still refused with default flags: list_head is the library's in 1.0 and
# the kernel's in 2.0, whose need the runtime would put beside 1.0's blob.
out=$($UCOREBTF gen min $OBJ libkc-1.0.btf libkc-2.0.btf -o r3 2>&1); rc=$?
if [ $rc = 1 ] && [ ! -e r3 ] &&
   grep -q "^Error: libkc-1.0.btf: verify: relocation kc_visit_entry:[0-9]* list_head.next (byte_off) .*ambiguous: struct list_head \[[0-9]*\] size 16 from kernel, struct list_head \[[0-9]*\] size 16 from libkc-1.0.btf) than against the library BTF: .*--app-type/--kernel-type$" <<<"$out"; then
	pass "kcollide: refused: list_head the library's in 1.0, the kernel's in 2.0 (one object, one needs list)"
else failt "kcollide: 1.0 + 2.0: rc=$rc $out"; fi
out=$($UCOREBTF gen min $OBJ libkc-1.0.btf libkc-2.0.btf --app-type list_head -o r4 -j 2>&1) &&
jq -e '[.versions[].verified]==[true,true] and
	(.versions[1].failed|map(sub(":[0-9]+ "; " ")))==["kc_visit_entry list_head.next","kc_visit_entry list_head.prev"] and
	(.versions[1].shadowed|index("struct list_head"))==null' <<<"$out" >/dev/null &&
	pass "kcollide: --app-type list_head: both verify, 2.0 reports list_head as failed matches, not shadowed" ||
	failt "kcollide: 1.0 + 2.0 --app-type list_head: $out"
