# merge: output shape and every kind of bad input.
. "$TESTS_DIR/lib.sh"
APP=$B/examples/seed/app_v1
$UCOREBTF gen btf $APP -o app.btf >/dev/null
pahole --btf_encode_detached=raw.btf $APP

kt=$(bpftool btf dump file /sys/kernel/btf/vmlinux | grep -c '^\[')
out=$($UCOREBTF -j merge app.btf raw.btf -o m.btf)
n=$(sed -n 's/.*"types":\([0-9]*\).*/\1/p' <<<"$out")
at=$(bpftool btf dump file app.btf | grep -c '^\[')
[ "$n" = $((kt + 2 * at)) ] && pass "merge holds kernel + both app BTFs ($n types)" || failt "merge types: $n vs $kt + 2x$at"
bpftool btf dump file m.btf | grep -q "STRUCT 'task_struct'" && bpftool btf dump file m.btf | grep -q "STRUCT 'data'" &&
	pass "merged BTF parses with bpftool and has kernel and app types" || failt "merged BTF content"
check "merge --no-base keeps only app types" bash -c "$UCOREBTF merge --no-base app.btf -o nb.btf && [ \$(bpftool btf dump file nb.btf | grep -c '^\[') = $at ]"

# Bad input: each names the file, exits non-zero, leaves no output.
: > empty.btf
head -c 40 raw.btf > trunc.btf
printf 'XXXXXXXXXXXXXXXXXXXXXXXX' > magic.btf
mkdir -p adir
expect_err "merge: missing file" "missing.btf: No such file" $UCOREBTF merge missing.btf -o out.btf
expect_err "merge: empty file" "empty.btf: empty file" $UCOREBTF merge empty.btf -o out.btf
expect_err "merge: truncated BTF" "trunc.btf: BTF does not parse" $UCOREBTF merge trunc.btf -o out.btf
expect_err "merge: wrong magic" "magic.btf: neither BTF nor ELF" $UCOREBTF merge magic.btf -o out.btf
expect_err "merge: ELF without .BTF" "app_v1: ELF file has no .BTF" $UCOREBTF merge $APP -o out.btf
expect_err "merge: directory" "adir: is a directory" $UCOREBTF merge adir -o out.btf
expect_err "merge: bad base" "empty.btf: empty file" $UCOREBTF merge --base empty.btf app.btf -o out.btf
expect_err "merge: unwritable output" "/proc/x.btf: cannot write" $UCOREBTF merge app.btf -o /proc/x.btf
expect_err "merge: output is a directory" "adir: cannot write output" $UCOREBTF merge app.btf -o adir
[ ! -e out.btf ] && [ -z "$(ls | grep '\.tmp\.')" ] && pass "merge leaves no partial output" || failt "partial output: $(ls)"
# A good file after a bad one: still nothing written.
expect_err "merge: bad second input" "trunc.btf: BTF does not parse" $UCOREBTF merge app.btf trunc.btf -o out2.btf
[ ! -e out2.btf ] && pass "merge writes nothing when a later input is bad" || failt "out2.btf written"
$UCOREBTF merge -o x.btf >/dev/null 2>&1; [ $? -eq 2 ] && pass "merge without inputs: exit 2" || failt "merge usage exit"
$UCOREBTF merge app.btf >/dev/null 2>&1; [ $? -eq 2 ] && pass "merge without -o: exit 2" || failt "merge no -o exit"
$UCOREBTF merge help 2>&1 | grep -q "Usage: .* merge" && pass "merge help" || failt "merge help"
