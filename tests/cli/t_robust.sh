# Damaged inputs never crash the CLI: an ASan+UBSan ucorebtf (built once,
# kept in $OUTPUT/asan/) runs gen btf, merge, gen min, gen min_core_btf and
# check on deterministic damaged variants of real inputs; every run must exit
# 0/1/2 without a sanitizer report, name the file in its Error line and leave
# no output behind (tests/tools/robust_fuzz.py).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
if ! asan_build "$ASAN_OUT/ucorebtf"; then
	failt "robust: sanitized build: $(tail -5 asan-build.log)"
	exit 0
fi
ASAN=$ASAN_OUT/ucorebtf

# Inputs: real objects, gen btf output, pahole raw BTF, a small kernel BTF
# (keeps each run fast; the kernel path is still exercised).
$UCOREBTF gen min_core_btf /sys/kernel/btf/vmlinux kmini.btf $B/bpf/seed.bpf.o $B/bpf/corpus.bpf.o ||
	{ failt "robust: kernel BTF for the runs"; exit 0; }
$UCOREBTF gen btf $B/examples/seed/app_v2 --version 2 -o app_v2-2.btf >/dev/null ||
	{ failt "robust: gen btf input"; exit 0; }
pahole --btf_encode_detached=raw-1.btf $B/examples/seed/app_v1 || { failt "robust: pahole input"; exit 0; }
# a richer library (typedefs, arrays, unions, enums, bitfields) for the corpus object
gcc -g -O0 -o libcorpus "$TESTS_DIR/fixtures/corpus/lib_v2.c" &&
	$UCOREBTF gen btf libcorpus --name libcorpus --version 2.0 -o libcorpus-2.0.btf >/dev/null ||
	{ failt "robust: corpus library input"; exit 0; }

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
FUZZ=$TESTS_DIR/tools/robust_fuzz.py
SEED=$B/bpf/seed.bpf.o
# Regressions, one per bug found: NAME PATTERN CMD...: exit 1, one Error line
# matching, no sanitizer report, nothing written to out/.
reg() {
	local n=$1 pat=$2 out rc; shift 2
	rm -rf out
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc = 1 ] && [ "$(grep -c '^Error: ' <<<"$out")" = 1 ] && grep -q "^Error: .*$pat" <<<"$out" &&
	   ! grep -qE 'Sanitizer|runtime error' <<<"$out" && [ ! -e out ]; then pass "robust regression: $n"
	else failt "robust regression: $n: rc=$rc $(head -c 400 <<<"$out")"; fi
}
emit() { python3 "$FUZZ" emit "$@"; }
K=(-k "$WORK/kmini.btf")
# minimize.c relo_name(): NULL btf_type of an out-of-range type id
emit object $SEED relo0-typeffffffff r-type.bpf.o
reg "CO-RE record with type id beyond the BTF" "r-type.bpf.o: .BTF.ext: CO-RE relocation #0 .*type id 4294967295 out of range" \
	$ASAN gen min r-type.bpf.o app_v2-2.btf "${K[@]}" -o out
emit object $SEED relo0-type23 r-type2.bpf.o
reg "CO-RE record with type id = type count" "r-type2.bpf.o: .*type id 35 out of range" \
	$ASAN check r-type2.bpf.o app_v2-2.btf "${K[@]}"
emit object $SEED relo0-accessffffffff r-acc.bpf.o
reg "CO-RE record with access string offset beyond the strings" "r-acc.bpf.o: .*access string offset 4294967295" \
	$ASAN gen min_core_btf kmini.btf out r-acc.bpf.o
emit object $SEED relo0-kind255 r-kind.bpf.o
reg "CO-RE record of unknown kind" "r-kind.bpf.o: .*unknown kind 255" $ASAN gen min r-kind.bpf.o app_v2-2.btf "${K[@]}" -o out
emit object $SEED relosec-nameffffffff r-sec.bpf.o
reg "CO-RE section name beyond the strings" "r-sec.bpf.o: .*section name offset" $ASAN check r-sec.bpf.o app_v2-2.btf "${K[@]}"
# um_run(): a TYPE_ID_LOCAL record libbpf cannot parse failed silently
emit object $SEED 'relo0-acc[0:99:1]-kind6' r-local.bpf.o
reg "TYPE_ID_LOCAL record with access string 0:99:1" "r-local.bpf.o: relocation .*local_type_id.*cannot parse" \
	$ASAN gen min r-local.bpf.o app_v2-2.btf "${K[@]}" -o out
# typedef loops: endless loop in libbpf's skip_mods_and_typedefs()
emit object $B/bpf/corpus.bpf.o objbtf-ring r-ring.bpf.o
reg "object BTF with a typedef/modifier ring" "r-ring.bpf.o: corrupt BTF: type .* contains itself" \
	timeout 20 $ASAN gen min r-ring.bpf.o app_v2-2.btf "${K[@]}" -o out
emit library raw-1.btf btf-t11-memberloop r-ring-1.btf
reg "library: struct member type is a const naming itself" "r-ring-1.btf: corrupt BTF: type .* contains itself" \
	timeout 20 $ASAN gen min $SEED r-ring-1.btf "${K[@]}" -o out
reg "merge: BTF with a const naming itself" "r-ring-1.btf: corrupt BTF" timeout 20 $ASAN merge --no-base r-ring-1.btf -o out
emit library app_v2-2.btf btf-t11-byvalue-loop r-self-2.btf
reg "struct holding itself by value" "r-self-2.btf: corrupt BTF: type .* contains itself" \
	timeout 20 $ASAN check $SEED r-self-2.btf "${K[@]}"
emit crafted - deep-typedefs r-deep-1.btf
reg "typedef chain 3000 deep" "r-deep-1.btf: corrupt BTF: .*nested more than 1024 levels" \
	$ASAN gen min $SEED r-deep-1.btf "${K[@]}" -o out
# kernel-side failures named the object only, not the (damaged) kernel BTF
emit crafted - two-data r-two.btf
reg "min_core_btf: ambiguous INPUT is named" "seed.bpf.o: .*against kernel BTF r-two.btf: ambiguous" \
	$ASAN gen min_core_btf r-two.btf out $SEED
reg "gen min: ambiguous library is named" "r-two.btf: relocation .* is ambiguous" \
	$ASAN gen min $SEED r-two.btf "${K[@]}" -o out
# cmd_gen_min.c classify(): the output name comes from .ucorebtf.meta; a
# library "../esc" wrote DIR/../esc-2.btf (here: over the input itself)
python3 -c 'import sys; d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(d.replace(b"library=app_v2", b"library=../esc"))' app_v2-2.btf esc-2.btf
cp esc-2.btf esc-2.orig
mkdir -p sub
reg "library name ../esc in .ucorebtf.meta" 'esc-2.btf: library name and version "../esc-2" .*cannot name an output file' \
	$ASAN gen min $SEED esc-2.btf "${K[@]}" -o sub/out
check "robust regression: nothing written outside the output directory" \
	bash -c '[ -z "$(ls sub)" ] && cmp -s esc-2.btf esc-2.orig'

python3 "$FUZZ" "$ASAN" "$WORK" "$WORK/kmini.btf" \
	$B/bpf/seed.bpf.o $B/bpf/corpus.bpf.o "$WORK/app_v2-2.btf" "$WORK/raw-1.btf" \
	$B/examples/seed/app_v2 "$WORK/libcorpus-2.0.btf"
