# libucorebtf uses only libbpf's public API, so it links with the
# application's own libbpf: here Debian 12's shared libbpf 1.1, not the 1.5
# ucorebtf itself is built with.  The seed loader with the embedded bundle,
# built against /usr/include/bpf and -lbpf, reads the right values.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
ver=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null)
case "$ver" in
	*:1.*|1.*) ;;
	*) failt "Debian libbpf-dev not installed (scripts/deps.sh installs it): '$ver'"; exit 0 ;;
esac
if gcc -O2 -DSEED_EMBED_BUNDLE -I"$ROOT/include" -I"$B/examples/seed" "$ROOT/examples/seed/loader.c" \
	"$B/libucorebtf.a" -lbpf $(pkg-config --libs libelf zlib liblzma) -o loader_sys 2>build.err; then
	pass "seed loader + libucorebtf.a link against Debian's libbpf $ver"
else
	failt "link with system libbpf: $(head -c 400 build.err)"; exit 0
fi
lib=$(ldd ./loader_sys | awk '/libbpf\.so/ { print $3 }')
[ -n "$lib" ] && [ "$(readlink -f "$lib")" != "" ] && ! nm "$B/libucorebtf.a" 2>/dev/null | grep -qE ' U (bpf_core_|btf_ext__|libbpf_[a-z_]*internal)' &&
	pass "it uses the shared $lib and no libbpf internals" || failt "ldd: $(ldd ./loader_sys | grep bpf)"
for v in 1 2; do
	out=$(./loader_sys -j "$B/bpf/seed.bpf.o" "$B/examples/seed/app_v$v" 2>&1)
	grep -q '"a":1,"c":3,"sum":4' <<<"$out" &&
		pass "with libbpf $ver, release $v through the embedded bundle reads 1 + 3 = 4" ||
		failt "libbpf $ver, release $v: $out"
done

# Where memfd_create is refused (a seccomp filter), libucorebtf hands libbpf
# a private temp file instead; libbpf 1.1 needs no memfd of its own.
mkdir -p tmpd
out=$(TMPDIR=$PWD/tmpd "$B/tests/tools/no_memfd" ./loader_sys -j "$B/bpf/seed.bpf.o" "$B/examples/seed/app_v2" 2>&1)
grep -q '"a":1,"c":3,"sum":4' <<<"$out" && [ -z "$(ls -A tmpd)" ] &&
	pass "memfd_create refused: libbpf $ver loads through the temp file, reads 1 + 3 = 4, file removed" ||
	failt "no memfd with libbpf $ver: $out; left: $(ls -A tmpd)"
