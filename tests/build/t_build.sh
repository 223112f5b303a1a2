# The build as a packager sees it: a second make does nothing; LIBBPF_SRC
# builds into another OUTPUT without touching the source tree; make clean
# removes everything built; the pinned libbpf tarball's sha256 is enforced.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
# A make of its own, not a sub-make of `make test` (whose -s or -j would leak in).
M=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory)

out=$("${M[@]}" OUTPUT="$OUTPUT" 2>&1); rc=$?
[ $rc = 0 ] && grep -qxE "make(\[[0-9]+\])?: Nothing to be done for 'all'." <<<"$out" &&
	pass "build: a second make does nothing" || failt "build: second make: rc=$rc $(head -c 400 <<<"$out")"
"${M[@]}" -q OUTPUT="$OUTPUT" all && pass "build: make -q says everything is up to date" || failt "build: make -q: out of date"

src_before=$(cd "$ROOT" && git status --porcelain 2>/dev/null; find "$OUTPUT/libbpf-src" -newer "$OUTPUT/libbpf-src/src/Makefile" 2>/dev/null)
O2=$WORK/out2
if "${M[@]}" -j"$(nproc)" OUTPUT="$O2" LIBBPF_SRC="$OUTPUT/libbpf-src" >b2.log 2>&1; then
	[ -x "$O2/ucorebtf" ] && [ -f "$O2/libbpf/libbpf.a" ] && [ ! -e "$O2/libbpf-src" ] &&
		"$O2/ucorebtf" gen btf "$B/examples/seed/app_v2" -o s.btf >/dev/null &&
		pass "build: LIBBPF_SRC=dir builds a working ucorebtf into another OUTPUT, no fetch" ||
		failt "build: LIBBPF_SRC build incomplete: $(ls "$O2")"
	out=$("${M[@]}" OUTPUT="$O2" LIBBPF_SRC="$OUTPUT/libbpf-src" 2>&1)
	grep -qxE "make(\[[0-9]+\])?: Nothing to be done for 'all'." <<<"$out" && pass "build: second make with LIBBPF_SRC does nothing" ||
		failt "build: second LIBBPF_SRC make: $(head -c 400 <<<"$out")"
	"${M[@]}" OUTPUT="$O2" LIBBPF_SRC="$OUTPUT/libbpf-src" clean >/dev/null 2>&1
	[ ! -e "$O2" ] && pass "build: make clean removes the whole OUTPUT" || failt "build: after clean: $(find "$O2" | head)"
	[ -f "$OUTPUT/libbpf-src/src/Makefile" ] && pass "build: make clean leaves LIBBPF_SRC alone" || failt "build: LIBBPF_SRC removed"
else failt "build: LIBBPF_SRC build: $(tail -5 b2.log)"; fi
src_after=$(cd "$ROOT" && git status --porcelain 2>/dev/null; find "$OUTPUT/libbpf-src" -newer "$OUTPUT/libbpf-src/src/Makefile" 2>/dev/null)
[ "$src_before" = "$src_after" ] && pass "build: the source tree and LIBBPF_SRC are not written to" ||
	failt "build: source tree changed: $(diff <(echo "$src_before") <(echo "$src_after") | head -5)"

# The pinned tarball: the cached download, flipped one byte, is refused.
FETCH=$ROOT/scripts/fetch-libbpf.sh
TB=$OUTPUT/libbpf-src.dl/libbpf_1.5.0.orig.tar.gz
if [ -f "$TB" ]; then
	cp "$TB" good.tar.gz && cp "$TB" bad.tar.gz
	printf '\x00' | dd of=bad.tar.gz bs=1 seek=5000 conv=notrunc 2>/dev/null
	out=$(LIBBPF_TARBALL=$WORK/bad.tar.gz bash "$FETCH" "$WORK/lb-bad" 2>&1); rc=$?
	[ $rc = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "^Error: $WORK/bad.tar.gz: sha256 mismatch" <<<"$out" &&
		[ ! -e lb-bad ] && [ ! -e lb-bad.tmp ] &&
		pass "build: a tampered libbpf tarball is refused (one Error line, nothing extracted)" ||
		failt "build: tampered tarball: rc=$rc $out $(ls)"
	LIBBPF_TARBALL=$WORK/good.tar.gz bash "$FETCH" "$WORK/lb-good" && [ -f lb-good/src/Makefile ] &&
		pass "build: the genuine tarball (LIBBPF_TARBALL) is extracted" || failt "build: genuine tarball"
	out=$(LIBBPF_TARBALL=$WORK/nope.tar.gz bash "$FETCH" "$WORK/lb-nope" 2>&1); rc=$?
	[ $rc = 1 ] && grep -q "^Error: $WORK/nope.tar.gz: No such file" <<<"$out" && [ ! -e lb-nope ] &&
		pass "build: a missing LIBBPF_TARBALL is an error" || failt "build: missing tarball: rc=$rc $out"
	# The cache: a tampered cached tarball is not used; it is fetched again and checked.
	mkdir -p lb-cache.dl && cp bad.tar.gz lb-cache.dl/libbpf_1.5.0.orig.tar.gz
	if bash "$FETCH" "$WORK/lb-cache" >fetch.log 2>&1; then
		cmp -s lb-cache.dl/libbpf_1.5.0.orig.tar.gz good.tar.gz && [ -f lb-cache/src/Makefile ] &&
			pass "build: a tampered cached tarball is replaced by a fresh, checked download" ||
			failt "build: cache not replaced"
	else failt "build: re-fetch after a tampered cache: $(tail -2 fetch.log)"; fi
else failt "build: $TB missing (built with LIBBPF_SRC?)"; fi
