# The runtime validates what it loads (issue "Trust as root", part 2): the
# crafted inputs that passed `bundle verify` and then hung, crashed or took
# minutes are refused, quickly, by the runtime and the CLI alike.
#   looped blob (typedef data_t -> data_t)    refused by prepare in < 1 s
#   1M empty structs + 11k kernel needs        refused or prepared in < 1 s
#   --kernel-btf with by-value cycles           an error, no crash, no hang
#   index A, B, A                               refused everywhere
#   bundle / kernel BTF truncated while read    an error, never SIGBUS
#   a FIFO as any input of any command          an error within a second
# Hostile inputs are built by tests/tools/trust_craft.c.
. "$TESTS_DIR/lib.sh"
U=$UCOREBTF
T=$B/tests/tools/trust_craft
A1=$B/examples/seed/app_v1
OBJ=$B/bpf/seed.bpf.o
KBTF=/sys/kernel/btf/vmlinux
BID=$(readelf -n $A1 | awk '/Build ID/ { print $3 }')
ARCH=$(uname -m)
[ -n "$BID" ] || { failt "no build-id in $A1"; exit 0; }

ms_now() { date +%s%N | cut -c1-13; }
# timed NAME MAX_MS PATTERN CMD...: CMD fails within MAX_MS with an
# "Error: " line matching PATTERN (and neither hangs nor dies of a signal).
timed() {
	local n=$1 max=$2 pat=$3 t0 ms rc out
	shift 3
	t0=$(ms_now)
	out=$(timeout 10 "$@" 2>&1 >/dev/null); rc=$?
	ms=$(( $(ms_now) - t0 ))
	if [ $rc = 1 ] && [ $ms -lt $max ] && grep -q "^Error: .*$pat" <<<"$out"; then
		pass "$n (${ms} ms)"
	else
		failt "$n: rc=$rc (124: hung, >128: signal) in ${ms} ms: $(head -c 300 <<<"$out")"
	fi
}
# index_line LIB VERSION BLOB BUILD_IDS
index_line() {
	printf '%s\t%s\t%s\t%s\t%s\t-\t%s\tseed\n' "$1" "$2" "$ARCH" \
		"$(sha256sum "$3" | cut -d' ' -f1)" "$(stat -c %s "$3")" "$4"
}

# A real bundle of the seed app with a kernel need, for the kernel BTF cases.
$U gen btf $A1 --name seed-app --version 1 -o app1.btf >/dev/null &&
	$U archive add A app1.btf --object seed >/dev/null &&
	printf 'struct pt_regs di\n' > n1.txt && $U archive needs A seed n1.txt &&
	$U bundle create A -o seed.ucb >/dev/null || { failt "seed bundle"; exit 0; }

# ---- a blob whose type graph loops ----
$T loop-blob loop.btf && index_line seed-app 1 loop.btf $BID > loop.tsv && : > none.txt &&
	$T bundle loop.ucb loop.tsv none.txt loop.btf >/dev/null || failt "build the looped bundle"
timed "prepare refuses a blob with typedef data_t -> data_t" 1000 "loop.ucb: .*corrupt BTF: type .* contains itself" \
	$U prepare --bundle loop.ucb $A1 -o out.btf
timed "bundle verify refuses it too" 1000 "contains itself" $U bundle verify loop.ucb
[ ! -e out.btf ] && pass "no prepared file left for the looped blob" || failt "out.btf written for the looped blob"

# ---- the slow bundle: 1M empty structs + 11k kernel needs ----
$T empty-blob big.btf 1000000 && $T kneeds needs.txt $KBTF 11192 seed >/dev/null &&
	index_line seed-app 1 big.btf $BID > big.tsv && $T bundle slow.ucb big.tsv needs.txt big.btf >/dev/null ||
	failt "build the slow bundle"
sz=$(stat -c %s slow.ucb)
out=$(timeout 10 $T time-prepare slow.ucb $A1 $KBTF); rc=$?
ms=$(sed -n 's/^[a-z]* \([0-9]*\)\..*/\1/p' <<<"$out")
[ $rc = 0 ] && [ -n "$ms" ] && [ "$ms" -lt 1000 ] &&
	pass "$sz-byte bundle (1M empty structs, $(wc -l < needs.txt) kernel needs): $out" ||
	failt "slow bundle: rc=$rc $out"
# Under the caps (100k structs): prepared, and still fast (linear work).
$T empty-blob mid.btf 100000 && index_line seed-app 1 mid.btf $BID > mid.tsv &&
	$T bundle mid.ucb mid.tsv needs.txt mid.btf >/dev/null || failt "build the mid bundle"
out=$(timeout 10 $T time-prepare mid.ucb $A1 $KBTF); rc=$?
ms=$(sed -n 's/^ok \([0-9]*\)\..*/\1/p' <<<"$out")
[ $rc = 0 ] && [ -n "$ms" ] && [ "$ms" -lt 1000 ] &&
	pass "100k empty structs + $(wc -l < needs.txt) kernel needs: $out" || failt "mid bundle: rc=$rc $out"
# More needs than one prepare takes.
for i in $(seq 20000); do printf 'seed\tstruct\ttask_struct\tm%d\n' $i; done > many.txt
$T seed-blob sb.btf && index_line seed-app 1 sb.btf $BID > sb.tsv &&
	$T bundle many.ucb sb.tsv many.txt sb.btf >/dev/null || failt "build the many-needs bundle"
timed "20000 needs for one object: refused" 1000 "more than 16384 kernel needs" \
	$U prepare --bundle many.ucb $A1 -o out.btf

# Searches through anonymous members nested in anonymous members (100
# per level, 5 levels: 10^10 steps) hit the work bound.
$T anon-blob anon.btf && index_line seed-app 1 anon.btf $BID > anon.tsv &&
	printf 'seed\tstruct\tpt_regs\tdi\n' > di.txt && $T bundle anon.ucb anon.tsv di.txt anon.btf >/dev/null ||
	failt "build the anonymous-tower bundle"
timed "library pt_regs of 10^10 anonymous paths: collision check bounded" 1000 "name collision check: more than" \
	$U prepare --bundle anon.ucb $A1 -o out.btf
$T kbtf-anon k-anon.btf || failt "build kbtf-anon"
timed "--kernel-btf pt_regs of 10^10 anonymous paths: member search bounded" 1000 "k-anon.btf: more than .* steps" \
	$U prepare --bundle seed.ucb --kernel-btf k-anon.btf $A1 -o out.btf

# ---- kernel BTF with by-value cycles and bad references ----
for k in self:"struct pt_regs { struct pt_regs di; }" array:"an array whose element is itself" \
	 arrself:"struct pt_regs { struct pt_regs di[2]; }" badid:"a member of type 99 of 4" \
	 badstr:"a member name past the strings"; do
	$T kbtf-${k%%:*} k-${k%%:*}.btf || failt "build kbtf-${k%%:*}"
	timed "--kernel-btf with ${k#*:}: an error" 1000 "kernel BTF: k-${k%%:*}.btf: corrupt BTF" \
		$U prepare --bundle seed.ucb --kernel-btf k-${k%%:*}.btf $A1 -o out.btf
done
out=$($U prepare --bundle seed.ucb --kernel-btf $KBTF $A1 -o out.btf 2>&1) &&
	pass "the running kernel's BTF still prepares" || failt "prepare on $KBTF: $out"

# ---- an index with one entry twice, not adjacent ----
# (A format-1 bundle: format 2's writer sorts the index and refuses this;
# its reader refuses entries out of order, t_bundle_damage's crafted2.)
index_line seed-app 1 sb.btf $BID > aba.tsv && index_line other 1 sb.btf - >> aba.tsv &&
	index_line seed-app 1 sb.btf - >> aba.tsv && $T bundle-v1 aba.ucb aba.tsv none.txt sb.btf >/dev/null ||
	failt "build the A,B,A bundle"
expect_err "bundle verify refuses A, B, A" "index line 3: entry seed-app 1 $ARCH listed twice (also line 1)" \
	$U bundle verify aba.ucb
expect_err "bundle list refuses A, B, A" "listed twice" $U bundle list aba.ucb
expect_err "bundle extract refuses A, B, A" "listed twice" $U bundle extract aba.ucb -o X
[ ! -e X ] && pass "bundle extract left nothing" || failt "bundle extract left X"
expect_err "the runtime refuses A, B, A" "aba.ucb: .*listed twice" $U prepare --bundle aba.ucb $A1 -o out.btf
cp -r A AA && l=$(grep -v '^#' AA/index.tsv) &&
	printf '%s\n%s\n' "$(sed 's/^seed-app\t/other\t/' <<<"$l")" "$l" >> AA/index.tsv
expect_err "archive verify refuses an index.tsv with A, B, A" "listed twice" $U archive verify AA
expect_err "bundle create refuses to read it" "listed twice" $U bundle create AA -o aa.ucb

# ---- truncated while being read ----
out=$($T truncate-race big.ucb bundle 48 8 $U prepare --bundle big.ucb $A1 -o out.btf); rc=$?
[ $rc = 0 ] && pass "prepare: bundle truncated while read: $out" || failt "prepare, truncated bundle: $out"
out=$($T truncate-race big.ucb bundle 48 8 $U bundle verify big.ucb); rc=$?
[ $rc = 0 ] && pass "bundle verify: bundle truncated while read: $out" || failt "verify, truncated bundle: $out"
out=$($T truncate-race big.btf btf 48 8 $U prepare --bundle seed.ucb --kernel-btf big.btf $A1 -o out.btf); rc=$?
[ $rc = 0 ] && pass "prepare: --kernel-btf truncated while read: $out" || failt "truncated kernel BTF: $out"

# ---- a FIFO as any input: an error within a second, never a hang ----
mkfifo ff
timed "FIFO: bundle verify" 1000 "ff" $U bundle verify ff
timed "FIFO: bundle list" 1000 "ff" $U bundle list ff
timed "FIFO: bundle extract" 1000 "ff" $U bundle extract ff -o X2
timed "FIFO: bundle create" 1000 "ff" $U bundle create ff -o x.ucb
timed "FIFO: prepare --bundle" 1000 "ff: not a regular file" $U prepare --bundle ff $A1 -o out.btf
timed "FIFO: prepare --kernel-btf" 1000 "ff: not a regular file" $U prepare --bundle seed.ucb --kernel-btf ff $A1 -o out.btf
timed "FIFO: prepare --obj" 1000 "ff: not a regular file" $U prepare --bundle seed.ucb --obj ff $A1 -o out.btf
timed "FIFO: prepare TARGET" 1000 "ff: not a regular file" $U prepare --bundle seed.ucb $A1 ff -o out.btf
timed "FIFO: gen btf" 1000 "ff" $U gen btf ff -o out.btf
timed "FIFO: merge" 1000 "ff: not a regular file" $U merge --no-base ff -o out.btf
timed "FIFO: merge --base" 1000 "ff: not a regular file" $U merge app1.btf --base ff -o out.btf
timed "FIFO: gen min OBJ" 1000 "ff: not a regular file" $U gen min ff app1.btf -o outd
timed "FIFO: gen min BTF" 1000 "ff: not a regular file" $U gen min $OBJ ff -o outd
timed "FIFO: gen min -k" 1000 "ff: not a regular file" $U gen min $OBJ app1.btf -k ff -o outd
timed "FIFO: gen min_core_btf INPUT" 1000 "ff: not a regular file" $U gen min_core_btf ff out.btf $OBJ
timed "FIFO: gen min_core_btf OBJ" 1000 "ff: not a regular file" $U gen min_core_btf $KBTF out.btf ff
timed "FIFO: check OBJ" 1000 "ff: not a regular file" $U check ff app1.btf
timed "FIFO: check BTF" 1000 "ff: not a regular file" $U check $OBJ ff
timed "FIFO: report" 1000 "ff: not a regular file" $U report $OBJ ff
timed "FIFO: archive add" 1000 "ff: not a regular file" $U archive add A ff
timed "FIFO: archive needs" 1000 "ff" $U archive needs A seed ff
mkdir -p F && mkfifo F/index.tsv
timed "FIFO: an archive's index.tsv (archive list)" 1000 "index.tsv" $U archive list F
