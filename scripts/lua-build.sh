#!/usr/bin/env bash
# Fetch and build Lua releases from Debian source packages, with debug info,
# and cache the results.
#
# usage: scripts/lua-build.sh [-o CACHE] [-l] [VERSION...]
#   VERSION   upstream versions from scripts/lua-versions.txt (default: all)
#   -o CACHE  cache directory (default $UCOREBTF_LUA_CACHE, else build/lua)
#   -l        list the versions and exit
#
# For each release CACHE/<version>/ holds:
#   liblua<M.m>.so.<version>  shared library (-g -fPIC, upstream Makefile)
#   lua                       the interpreter, dynamically linked to it
#   lua-gt                    the same lua.c statically linked with
#                             examples/lua/ground_truth.c (--wrap=lua_gc),
#                             compiled against the release's lstate.h
#   lua-<version>.btf         `ucorebtf gen btf` of the shared library
# Downloads are kept outside the clone in the download cache keyed by the
# pinned sha256 (scripts/apt-src.sh: /var/cache/ucorebtf/dl/<sha256>/).
# A release is rebuilt only when its inputs change (CACHE/<version>/.stamp:
# the tarball's sha256, ground_truth.c and the build recipe below).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/apt-src.sh"
list=$root/scripts/lua-versions.txt
cache=${UCOREBTF_LUA_CACHE:-$root/build/lua}
ucorebtf=${UCOREBTF:-$root/build/ucorebtf}
list_only=0

while getopts "o:l" opt; do
	case $opt in
	o) cache=$OPTARG ;;
	l) list_only=1 ;;
	*) echo "usage: $0 [-o CACHE] [-l] [VERSION...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

versions() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"; }

if [ $list_only = 1 ]; then
	versions | awk '{print $2}'
	exit 0
fi

# build PKG VER SHA
build() {
	local pkg=$1 ver=$2 sha=$3 out=$cache/$2 mm=${1#lua} tarball src stamp
	local so=liblua$mm.so.$ver
	stamp="$sha $({ cat "$root/examples/lua/ground_truth.c"; declare -f build; } | sha256sum | cut -d' ' -f1)"
	if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
		gen_btf "$ver" "$out/$so"
		return 0
	fi
	tarball=$(ucb_fetch_orig "$pkg" "$ver" "$sha")
	rm -rf "$out" "$out.tmp"
	src=$out.tmp/src
	mkdir -p "$src"
	tar -xzf "$tarball" -C "$src" --strip-components=1
	# Upstream's own src/Makefile: the library objects and lua.o, position
	# independent and with DWARF.  POSIX + dlopen, no readline.
	make -s -j"$(nproc)" -C "$src/src" liblua.a lua.o \
		MYCFLAGS="-g -fPIC -ffile-prefix-map=$src=lua-$ver -DLUA_USE_POSIX -DLUA_USE_DLOPEN" >/dev/null 2>"$out.tmp/make.log" || {
		cat "$out.tmp/make.log" >&2
		echo "Error: lua $ver: build failed" >&2
		return 1
	}
	gcc -shared -g -o "$out.tmp/$so" -Wl,-soname,liblua$mm.so.0 \
		-Wl,--whole-archive "$src/src/liblua.a" -Wl,--no-whole-archive -lm -ldl
	ln -s "$so" "$out.tmp/liblua$mm.so.0"
	gcc -g -o "$out.tmp/lua" "$src/src/lua.o" "$out.tmp/$so" \
		-Wl,-rpath,'$ORIGIN' -Wl,-E -lm -ldl
	# The ground truth is the tests' concern: a release whose internals it
	# does not know (a new major) still gets its library and BTF, so the
	# archive and the report can say which relocations it breaks.
	if ! gcc -g -O2 -fPIC -I"$src/src" -c "$root/examples/lua/ground_truth.c" \
		-o "$out.tmp/ground_truth.o" 2>"$out.tmp/gt.log" ||
	   ! gcc -g -o "$out.tmp/lua-gt" "$src/src/lua.o" "$out.tmp/ground_truth.o" "$src/src/liblua.a" \
		-Wl,--wrap=lua_gc -Wl,-E -lm -ldl 2>>"$out.tmp/gt.log"; then
		echo "Warning: lua $ver: examples/lua/ground_truth.c does not build against its lstate.h; no lua-gt" >&2
		head -n 5 "$out.tmp/gt.log" >&2
	fi
	mkdir -p "$out.tmp/include"
	cp "$src/src/"{lua.h,luaconf.h,lualib.h,lauxlib.h,lstate.h} "$out.tmp/include/"
	rm -rf "$src" "$out.tmp/ground_truth.o" "$out.tmp/make.log" "$out.tmp/gt.log"
	echo "$stamp" > "$out.tmp/.stamp"
	mv "$out.tmp" "$out"
	echo "  LUA      $ver -> ${out#$root/}" >&2
	gen_btf "$ver" "$out/$so"
}

# gen_btf VER SO: lua-VER.btf next to SO, again whenever ucorebtf changed.
gen_btf() {
	local ver=$1 so=$2 dir stamp
	dir=$(dirname "$so")
	stamp=$(sha256sum < "$ucorebtf" | cut -d' ' -f1)
	if [ -f "$dir/lua-$ver.btf" ] && [ "$(cat "$dir/.btfstamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	"$ucorebtf" gen btf "$so" --name lua --version "$ver" -o "$dir/lua-$ver.btf" >/dev/null
	echo "$stamp" > "$dir/.btfstamp"
}

if [ ! -x "$ucorebtf" ]; then
	echo "Error: $ucorebtf: not built (run make)" >&2
	exit 1
fi
# The physical path: make -C runs the compiler in it, and -ffile-prefix-map
# must see the same spelling or the DWARF (and the build-id) keeps the path.
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)
want=" $* "
found=0
while read -r pkg ver sha; do
	[ $# -gt 0 ] && [[ "$want" != *" $ver "* ]] && continue
	found=$((found + 1))
	build "$pkg" "$ver" "$sha"
done < <(versions)
if [ $# -gt 0 ] && [ $found -ne $# ]; then
	echo "Error: $list: some of '$*' are not listed" >&2
	exit 1
fi
