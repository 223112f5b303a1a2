# The kernel half of a prepared BTF on real uprobes: bpf/kneeds.bpf.o reads
# the current task through CO-RE (task->mm->arg_start, se.vruntime, comm[0],
# sk_buff.tstamp in an anonymous union, enum bpf_func_id, type size, a
# member no kernel has).  With the BTF libucorebtf prepares (kernel types
# pruned to the needs: from gen min, hand-written, or the fallback) every
# read equals the read with the running kernel's full BTF.
. "$TESTS_DIR/lib.sh"
OBJ=$B/bpf/kneeds.bpf.o
KL=$B/tests/tools/kneeds_loader
APP=$B/examples/seed/app_v1
U=$UCOREBTF

ref=$($KL $OBJ $APP 2>&1) || { failt "kneeds: reference load on the kernel BTF: $ref"; exit 0; }
[ "$(jq '.pid == .child and .tgid == .child and .comm0 == 97 and .arg_start > 0 and .has_nosuch == 0' <<<"$ref")" = true ] &&
	pass "reference reads on the full kernel BTF are right (pid, comm[0] 'a', arg_start, no such member)" ||
	failt "reference reads: $ref"
stable() { jq -cS 'del(.child, .tgid, .pid, .arg_start)' <<<"$1"; }
same() {	# same NAME BTF
	local out
	out=$($KL -b "$2" $OBJ $APP 2>&1)
	if [ "$(jq '.pid == .child and .tgid == .child and .arg_start > 0' <<<"$out" 2>/dev/null)" = true ] &&
		[ "$(stable "$out")" = "$(stable "$ref")" ]; then
		pass "$1: every kernel read equals the full kernel BTF's ($(stat -c %s "$2") bytes)"
	else
		failt "$1: $out vs $ref"
	fi
}

$U gen btf $APP --name seed-app --version 1 -o seed-app-1.btf >/dev/null
mkdir -p min
$U gen min $OBJ seed-app-1.btf -o G --archive >/dev/null &&
	$U bundle create G -o g.ucb && $U prepare --bundle g.ucb --obj $OBJ $APP -o g.btf 2>/dev/null ||
	failt "gen min needs -> bundle -> prepare"
same "needs from gen min" g.btf

# Hand-written needs, paths through a pointer and embedded structs.
cp -r G H && cat > h.txt <<'N'
struct task_struct tgid
struct task_struct pid
struct task_struct comm
struct task_struct mm.arg_start
struct task_struct se.vruntime
struct sk_buff tstamp
enum bpf_func_id BPF_FUNC_loop
N
$U archive needs H kneeds h.txt && $U bundle create H -o h.ucb && $U prepare --bundle h.ucb --obj $OBJ $APP -o h.btf ||
	failt "hand-written needs"
same "hand-written needs (mm.arg_start through a pointer)" h.btf
d=$(bpftool btf dump file h.btf)
grep -q "STRUCT 'mm_struct'" <<<"$d" && grep -q "ENUM 'bpf_func_id' .*vlen=1" <<<"$d" &&
	[ "$(grep -c "^\[" <<<"$d")" -lt 40 ] && pass "pruned: mm_struct kept as a root, one enumerator, $(grep -c "^\[" <<<"$d") types" ||
	failt "hand-written needs BTF: $(head -c 600 <<<"$d")"

# No needs recorded: from the object's own BTF.
mkdir -p F && cp -r G/blobs G/seed-app G/index.tsv F/ && $U bundle create F -o f.ucb &&
	$U prepare --bundle f.ucb --obj $OBJ $APP -o f.btf || failt "fallback prepare"
same "fallback needs (kernel structs named in the object's BTF)" f.btf

# check: the same decision for every relocation (side attribution aside).
norm() { sed -e 's/"side": "[a-z]*", //g'; }
a=$($U check -j --no-kernel $OBJ h.btf | python3 "$TESTS_DIR/tools/corpus_decisions.py" | norm)
b=$($U check -j $OBJ seed-app-1.btf | python3 "$TESTS_DIR/tools/corpus_decisions.py" | norm)
n=$(wc -l <<<"$b")
[ "$n" -ge 10 ] && [ "$a" = "$b" ] && pass "check: $n kernel relocations decide the same on the prepared BTF as on the kernel's" ||
	failt "check decisions differ: $(diff <(echo "$a") <(echo "$b") | head -4)"
