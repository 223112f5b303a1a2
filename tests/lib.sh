# Helpers for test scripts: source it.  $UCOREBTF, $OUTPUT, $WORK are set by run.sh.
pass() { echo "PASS: $*"; }
failt() { echo "FAIL: $*"; }
skip() { echo "SKIP: $*"; }
# check NAME CMD...: PASS if CMD succeeds.
check() { local n=$1; shift; if "$@"; then pass "$n"; else failt "$n"; fi; }
# expect_err NAME PATTERN CMD...: CMD exits non-zero with one "Error: " line matching PATTERN.
expect_err() {
	local n=$1 pat=$2; shift 2
	local out rc
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && grep -q "^Error: .*$pat" <<<"$out"; then pass "$n"
	else failt "$n: rc=$rc stderr=$(head -c 300 <<<"$out")"; fi
}
B=$OUTPUT

# asan_build TARGET...: make TARGET (paths under $ASAN_OUT) with ASan+UBSan,
# kept in $OUTPUT/asan/ and shared by the tests that need it (one cached
# build; flags changed since it was made mean a clean one).  libbpf hashes
# with signed arithmetic that wraps, as the kernel it comes from builds it
# (-fno-strict-overflow): -fwrapv there, so UBSan checks the rest.  Returns
# make's status; its output is in asan-build.log.
SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all'
ASAN_OUT=$OUTPUT/asan
asan_build() {
	local flags="$SAN -fwrapv" libbpf_src=()
	# reuse the main build's libbpf source (no second fetch)
	if [ -n "${LIBBPF_SRC:-}" ]; then libbpf_src=(LIBBPF_SRC="$LIBBPF_SRC")
	elif [ -f "$OUTPUT/libbpf-src/src/Makefile" ]; then libbpf_src=(LIBBPF_SRC="$OUTPUT/libbpf-src"); fi
	[ "$(cat "$ASAN_OUT/.flags" 2>/dev/null)" = "$flags" ] ||
		{ rm -rf "$ASAN_OUT"; mkdir -p "$ASAN_OUT"; echo "$flags" > "$ASAN_OUT/.flags"; }
	make -s -C "$TESTS_DIR/.." OUTPUT="$ASAN_OUT" "${libbpf_src[@]}" EXTRA_CFLAGS="-O1 $SAN" LDFLAGS="$SAN" \
		LIBBPF_CFLAGS="-g -O1 -std=gnu89 -fwrapv $SAN" "$@" >asan-build.log 2>&1
}
