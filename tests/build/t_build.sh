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
# Under strace: which installed files a whole build opens (checked below).
TRACE=()
command -v strace >/dev/null && TRACE=(strace -f -qq -o "$WORK/build.strace" -e trace=execve,open,openat -e signal=none)
if "${TRACE[@]}" "${M[@]}" -j"$(nproc)" OUTPUT="$O2" LIBBPF_SRC="$OUTPUT/libbpf-src" >b2.log 2>&1; then
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

# The build uses nothing from a test-only package: plain `make` on a fresh
# machine (build packages of scripts/deps.sh only) builds everything.
if [ -s "$WORK/build.strace" ]; then
	testpkgs=$(bash "$ROOT/scripts/deps.sh" --test --dry-run | awk '$1 == "test" { print $2 }')
	used=$(grep -v ' = -1 ' "$WORK/build.strace" | grep -oE '(execve|openat?)\((AT_FDCWD, )?"/[^"]+"' |
		sed -E 's/.*"([^"]+)"/\1/' | grep -vE "^($WORK|$ROOT|$OUTPUT|/tmp|/proc|/sys|/dev)" | sort -u |
		while read -r f; do [ -f "$f" ] && echo "$f" && readlink -f "$f"; done | sort -u |
		xargs -r -d '\n' dpkg -S 2>/dev/null | sed 's/: \/.*//' | tr ',' '\n' | sed 's/ //g; s/:.*//' | sort -u)
	bad=$(comm -12 <(echo "$used") <(echo "$testpkgs" | sort -u))
	[ -n "$used" ] && [ -z "$bad" ] &&
		pass "build: a whole build opens no file of a test-only package ($(wc -l <<<"$used") packages used)" ||
		failt "build: the build uses test-only packages: ${bad:-none found at all}"
else failt "build: no strace log of the second build (strace missing? make test-deps installs it)"; fi

# The pinned tarball: the cached download (scripts/apt-src.sh's cache, keyed
# by sha256, outside the clone), flipped one byte, is refused.
FETCH=$ROOT/scripts/fetch-libbpf.sh
SHA=53492aff6dd47e4da04ef5e672d753b9743848bdb38e9d90eafbe190b7983c44
TB=$(bash "$ROOT/scripts/apt-src.sh" dl-dir)/$SHA/libbpf_1.5.0.orig.tar.gz
if [ -f "$TB" ] && [ "$(sha256sum < "$TB" | cut -d' ' -f1)" = $SHA ]; then
	pass "build: the libbpf tarball is cached outside the clone, under its sha256 ($TB)"
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
	# The cache: a tampered cached tarball is not used; it is fetched again
	# (apt-get source through the private deb-src configuration) and checked.
	# A cache of this test's own, the apt lists shared (no second apt-get update).
	C=(env UCOREBTF_CACHE="$WORK/cache" UCOREBTF_APT_DIR="$(bash "$ROOT/scripts/apt-src.sh" apt-dir)")
	mkdir -p "cache/dl/$SHA" && cp bad.tar.gz "cache/dl/$SHA/libbpf_1.5.0.orig.tar.gz"
	if "${C[@]}" bash "$FETCH" "$WORK/lb-cache" >fetch.log 2>&1; then
		cmp -s "cache/dl/$SHA/libbpf_1.5.0.orig.tar.gz" good.tar.gz && [ -f lb-cache/src/Makefile ] &&
			pass "build: a tampered cached tarball is replaced by a fresh, checked download" ||
			failt "build: cache not replaced"
	else failt "build: re-fetch after a tampered cache: $(tail -2 fetch.log)"; fi
else failt "build: $TB missing or not the pinned tarball (built with LIBBPF_SRC?)"; fi
