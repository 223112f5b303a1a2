# Damaged inputs never crash the CLI: an ASan+UBSan ucorebtf (built once,
# kept in $OUTPUT/asan/) runs gen btf, merge, gen min, gen min_core_btf and
# check on deterministic damaged variants of real inputs; every run must exit
# 0/1/2 without a sanitizer report, name the file in its Error line and leave
# no output behind (tests/tools/robust_fuzz.py).
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
ASAN_OUT=$OUTPUT/asan
libbpf_src=()
[ -f "$OUTPUT/libbpf-src/src/Makefile" ] && libbpf_src=(LIBBPF_SRC="$OUTPUT/libbpf-src")
if ! make -s -C "$ROOT" OUTPUT="$ASAN_OUT" "${libbpf_src[@]}" EXTRA_CFLAGS="-O1 $SAN" LDFLAGS="$SAN" \
	LIBBPF_CFLAGS="-g -O1 -std=gnu89 $SAN" "$ASAN_OUT/ucorebtf" >asan-build.log 2>&1; then
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

python3 "$TESTS_DIR/tools/robust_fuzz.py" "$ASAN" "$WORK" "$WORK/kmini.btf" \
	$B/bpf/seed.bpf.o $B/bpf/corpus.bpf.o "$WORK/app_v2-2.btf" "$WORK/raw-1.btf" \
	$B/examples/seed/app_v2
