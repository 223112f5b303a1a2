# make install / uninstall as libbpf's: PREFIX, DESTDIR, LIBDIR; the shared
# library as libucorebtf.so -> .so.0 -> .so.0.1.0 (soname libucorebtf.so.0);
# a relocatable libucorebtf.pc (Requires.private: libbpf).  A loader built
# with pkg-config alone against the installed tree and Debian's libbpf 1.1,
# shared and --static, attaches the seed uprobe through a bundle and reads
# 1 + 3 = 4; uninstall removes exactly what install wrote.
. "$TESTS_DIR/lib.sh"
ROOT=$TESTS_DIR/..
M=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory OUTPUT="$OUTPUT")
D=$WORK/dest

# A file of someone else's in the tree: neither install nor uninstall touch it.
mkdir -p "$D/usr/lib" && echo keep > "$D/usr/lib/other.so"
if ! "${M[@]}" install DESTDIR="$D" PREFIX=/usr >inst.log 2>&1; then
	failt "install: make install DESTDIR PREFIX=/usr: $(tail -3 inst.log)"; exit 0
fi
L=$D/usr/lib
want="usr/bin/ucorebtf usr/include/ucorebtf.h usr/lib/libucorebtf.a usr/lib/libucorebtf.so
usr/lib/libucorebtf.so.0 usr/lib/libucorebtf.so.0.1.0 usr/lib/other.so usr/lib/pkgconfig/libucorebtf.pc
usr/share/bash-completion/completions/ucorebtf $(cd "$ROOT/docs/man" && ls *.rst | sed 's,^,usr/share/man/man8/,; s,\.rst$,.8,')"
got=$(cd "$D" && find . ! -type d | sed 's,^\./,,' | sort)
[ "$got" = "$(tr ' ' '\n' <<<"$want" | grep . | sort)" ] && [ "$(ls "$D/usr/share/man/man8" | wc -l)" -ge 8 ] &&
	pass "install: binary, libucorebtf.{a,so,so.0,so.0.1.0}, header, .pc, $(ls "$D/usr/share/man/man8" | wc -l) man pages, bash completion" ||
	failt "install: tree: $(diff <(tr ' ' '\n' <<<"$want" | grep . | sort) <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
[ "$(readlink "$L/libucorebtf.so")" = libucorebtf.so.0 ] && [ "$(readlink "$L/libucorebtf.so.0")" = libucorebtf.so.0.1.0 ] &&
	[ -f "$L/libucorebtf.so.0.1.0" ] && [ ! -L "$L/libucorebtf.so.0.1.0" ] &&
	[ "$(readelf -d "$L/libucorebtf.so.0.1.0" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')" = libucorebtf.so.0 ] &&
	pass "install: libucorebtf.so -> .so.0 -> .so.0.1.0 (the real file, soname libucorebtf.so.0)" ||
	failt "install: shared library links: $(ls -l "$L" | grep ucorebtf | tr '\n' ' ')"
# The build tree's links the same way round.
[ "$(readlink "$OUTPUT/libucorebtf.so")" = libucorebtf.so.0 ] &&
	[ "$(readlink "$OUTPUT/libucorebtf.so.0")" = libucorebtf.so.0.1.0 ] &&
	pass "install: the build tree's libucorebtf.so links are the same" ||
	failt "install: build tree links: $(ls -l "$OUTPUT"/libucorebtf.so* | tr '\n' ' ')"
PC=$L/pkgconfig/libucorebtf.pc
grep -qx 'prefix=/usr' "$PC" && grep -qx 'libdir=${prefix}/lib' "$PC" && grep -qx 'includedir=${prefix}/include' "$PC" &&
	grep -qx 'Requires.private: libbpf' "$PC" && grep -qx 'Libs.private: -lelf -lz -llzma' "$PC" &&
	! grep -qF -e "$OUTPUT" -e "$(cd "$ROOT" && pwd)" -e "$D" "$PC" &&
	pass "install: libucorebtf.pc: prefix-based paths, Requires.private: libbpf, Libs.private, no build path" ||
	failt "install: pc: $(tr '\n' '|' < "$PC")"
[ -x "$D/usr/bin/ucorebtf" ] && "$D/usr/bin/ucorebtf" help >/dev/null 2>&1 &&
	MANWIDTH=80 man -l "$D/usr/share/man/man8/ucorebtf.8" 2>/dev/null | grep -q '^SYNOPSIS' &&
	pass "install: the installed ucorebtf runs and its man page renders" || failt "install: installed binary or man page"

# A loader that knows only the installed tree: the seed loader and its own
# helpers, copied out of the source tree (no -I to it), ucorebtf.h and the
# library from $D via pkg-config, libbpf from the system (Debian's 1.1).
# --define-prefix: pkg-config takes the prefix from where the .pc lies.
mkdir -p app/src/seed app/src/common app/bpf
cp "$ROOT/examples/seed/loader.c" app/src/seed/ && cp "$ROOT/examples/common/probe_run.h" app/src/common/ &&
	cp "$ROOT/bpf/seed.h" app/bpf/
PK=(env PKG_CONFIG_PATH="$L/pkgconfig" pkg-config --define-prefix)
shared=$("${PK[@]}" --cflags --libs libucorebtf libbpf) && static=$("${PK[@]}" --static --cflags --libs libucorebtf) ||
	failt "install: pkg-config cannot resolve libucorebtf (libbpf-dev installed?)"
grep -q -- "-L$L -lucorebtf" <<<"$shared" && grep -q -- "-I$D/usr/include" <<<"$shared" && grep -q -- '-lbpf' <<<"$static" &&
	pass "install: pkg-config --define-prefix finds the installed tree where it lies (-I, -L of DESTDIR; -lbpf with --static)" || failt "install: flags: '$shared' / '$static'"
BUNDLE=$OUTPUT/examples/seed/seed.ucb SEEDOBJ=$OUTPUT/bpf/seed.bpf.o
if gcc -O2 app/src/seed/loader.c $shared -o loader_shared 2>cc1.err; then
	lib=$(LD_LIBRARY_PATH=$L ldd ./loader_shared | awk '/libucorebtf/ { print $3 }')
	out=$(LD_LIBRARY_PATH=$L ./loader_shared -j -B "$BUNDLE" "$SEEDOBJ" "$OUTPUT/examples/seed/app_v2" 2>&1)
	[ "$lib" = "$L/libucorebtf.so.0" ] && grep -q '"a":1,"c":3,"sum":4' <<<"$out" &&
		pass "install: shared loader (pkg-config --cflags --libs), LD_LIBRARY_PATH=prefix/lib: release 2 reads 1 + 3 = 4" ||
		failt "install: shared loader: lib=$lib $out"
else failt "install: shared link: $(grep -m3 -E 'error|undefined' cc1.err)"; fi
if gcc -static -O2 app/src/seed/loader.c $static -o loader_static 2>cc2.err; then
	out=$(env -u LD_LIBRARY_PATH ./loader_static -j -B "$BUNDLE" "$SEEDOBJ" "$OUTPUT/examples/seed/app_v1" 2>&1)
	! readelf -l loader_static | grep -q INTERP && grep -q '"a":1,"c":3,"sum":4' <<<"$out" &&
		pass "install: static loader (pkg-config --static, cc -static): release 1 reads 1 + 3 = 4" ||
		failt "install: static loader: $out"
else failt "install: static link: $(grep -m3 -E 'error|undefined' cc2.err)"; fi

# uninstall: exactly what install wrote; the other file stays.
"${M[@]}" uninstall DESTDIR="$D" PREFIX=/usr >uninst.log 2>&1
left=$(cd "$D" && find . ! -type d | sed 's,^\./,,')
[ "$left" = usr/lib/other.so ] && pass "install: make uninstall removes every file install wrote, nothing else" ||
	failt "install: after uninstall: $(tr '\n' ' ' <<<"$left") $(tail -2 uninst.log)"

# Debian's multiarch layout: LIBDIR outside PREFIX/lib, the .pc beside it.
D2=$WORK/dest2 MA=/usr/lib/$(gcc -print-multiarch)
"${M[@]}" install DESTDIR="$D2" PREFIX=/usr LIBDIR="$MA" >inst2.log 2>&1 &&
	[ -L "$D2$MA/libucorebtf.so.0" ] && grep -qx "libdir=\${prefix}${MA#/usr}" "$D2$MA/pkgconfig/libucorebtf.pc" &&
	"${M[@]}" uninstall DESTDIR="$D2" PREFIX=/usr LIBDIR="$MA" >>inst2.log 2>&1 && [ -z "$(find "$D2" ! -type d)" ] &&
	pass "install: LIBDIR=$MA (multiarch): library and .pc there; uninstall leaves no file" ||
	failt "install: multiarch: $(tail -3 inst2.log) $(find "$D2" ! -type d | head -3)"
