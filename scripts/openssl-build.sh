#!/usr/bin/env bash
# Fetch and build OpenSSL releases from Debian source packages, with debug
# info, and cache the results outside the clone.
#
# usage: scripts/openssl-build.sh [-o CACHE] [VERSION...]
#        scripts/openssl-build.sh -l | -d VERSION | -s
#   VERSION   upstream versions from scripts/openssl-versions.txt (default: all)
#   -o CACHE  cache directory (default $UCOREBTF_OPENSSL_CACHE, else
#             $UCOREBTF_CACHE/openssl, i.e. /var/cache/ucorebtf/openssl)
#   -l        list the versions and exit
#   -d V      print the directory of release V (built or not) and exit
#   -s        compare the list with what the Debian source index serves now
#
# For each release CACHE/<version>-<tarball sha256>/ holds:
#   libssl.so.<N>, libcrypto.so.<N>   the shared libraries (-g -O1, upstream
#                                      Configure, soname as upstream's)
#   openssl                            the openssl command, linked to them
#                                      (run it with LD_LIBRARY_PATH=that dir)
#   hdr/                               the build tree's headers
#   ssl-gt                             offsetof/sizeof of every field
#                                      bpf/sslsniff.bpf.c reads, compiled against
#                                      the release's ssl/ssl_local.h and
#                                      crypto/bio/bio_local.h
#                                      (examples/sslsniff/ground_truth.c;
#                                      rebuilt alone when it changes)
#   libssl-<version>.btf, libcrypto-<version>.btf   `ucorebtf gen btf`
#   build.time                         seconds the cold build took
# Builds are reproducible (same bytes, same build-ids, whatever the cache
# path): the compiler maps the source directory away and SOURCE_DATE_EPOCH
# fixes the date OpenSSL compiles in.  A release is rebuilt only when its
# stamp (this recipe) changes; the tarball's sha256 is in
# the directory name.  One build at a time (CACHE/.lock), make -j2.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/apt-src.sh"
list=$root/scripts/openssl-versions.txt
cache=${UCOREBTF_OPENSSL_CACHE:-$(ucb_cache_dir)/openssl}
ucorebtf=${UCOREBTF:-$root/build/ucorebtf}
jobs=${UCOREBTF_OPENSSL_JOBS:-2}
mode=build
dir_of=

while getopts "o:ld:s" opt; do
	case $opt in
	o) cache=$OPTARG ;;
	l) mode=list ;;
	d) mode=dir dir_of=$OPTARG ;;
	s) mode=served ;;
	*) echo "usage: $0 [-o CACHE] [VERSION...] | -l | -d VERSION | -s" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

versions() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"; }

# served: per suite, the upstream version its Sources index lists now next
# to the pinned one (a private apt update: the lists are refreshed).
served() {
	local pkg ver sha suite now d rc=0
	ucb_apt_prepare force
	d=$(ucb_apt_dir)/lists
	while read -r pkg ver sha suite; do
		# apt-helper reads the lists however apt compressed them.
		now=$(/usr/lib/apt/apt-helper cat-file "$d"/*_dists_"${suite}"_main_source_Sources* 2>/dev/null |
			awk -v p="$pkg" '$1 == "Package:" { on = ($2 == p) } on && $1 == "Version:" { print $2 }' |
			sed 's/^[0-9]*://; s/-[^-]*$//' | sort -V | tail -n1)
		printf '%s %-8s pinned %-8s served %s\n' "$pkg" "$suite" "$ver" "${now:-none}"
		[ "$now" = "$ver" ] || rc=1
	done < <(versions)
	return $rc
}

case $mode in
list) versions | awk '{print $2}'; exit 0 ;;
served) served; exit ;;
dir)
	line=$(versions | awk -v v="$dir_of" '$2 == v')
	[ -n "$line" ] || { echo "Error: $list: $dir_of is not listed" >&2; exit 1; }
	echo "$cache/$dir_of-$(awk '{print $3}' <<<"$line")"
	exit 0 ;;
esac

# The sources' date OpenSSL compiles into its version text ("built on"):
# fixed, so that two builds of one tarball are the same bytes.
export SOURCE_DATE_EPOCH=1700000000

# A gcc that maps the build directory away (DWARF, __FILE__) without the
# flag showing up in the compiler line OpenSSL compiles into libcrypto.
wrap_gcc() {
	local bin=$1 src=$2 ver=$3 c
	mkdir -p "$bin"
	for c in gcc cc; do
		printf '#!/bin/sh\nexec /usr/bin/gcc -ffile-prefix-map=%s=openssl-%s "$@"\n' "$src" "$ver" >"$bin/$c"
		chmod +x "$bin/$c"
	done
}

# build PKG VER SHA SUITE
build() {
	local pkg=$1 ver=$2 sha=$3 suite=$4 out=$cache/$2-$3 tarball src stamp t0 err so
	stamp=$(declare -f build wrap_gcc | sha256sum | cut -d' ' -f1)
	if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
		ground_truth "$ver" "$out"
		gen_btf "$ver" "$out"
		return 0
	fi
	if ! tarball=$(ucb_fetch_orig "$pkg" "$ver" "$sha" 2>"$cache/.fetch.err"); then
		echo "Error: openssl $ver ($suite): not served any more ($(grep -m1 . "$cache/.fetch.err" | sed 's/^Error: //')); update $list from: bash scripts/apt-src.sh showsrc $pkg" >&2
		return 1
	fi
	t0=$(date +%s)
	rm -rf "$out" "$out.tmp"
	src=$out.tmp/src
	mkdir -p "$src"
	tar -xzf "$tarball" -C "$src" --strip-components=1
	wrap_gcc "$out.tmp/bin" "$src" "$ver"
	# Upstream's Configure: shared libraries with DWARF; no tests, and only
	# the libraries and the openssl command are built (no docs, engines,
	# modules).  Fixed install paths: they are compiled in too.
	(
		cd "$src"
		export PATH=$out.tmp/bin:$PATH CC=gcc
		./config shared no-tests --prefix=/usr/local/ucorebtf-openssl \
			--openssldir=/usr/local/ucorebtf-openssl/ssl -g -O1 >"$out.tmp/config.log" 2>&1 &&
		make -s -j"$jobs" build_programs >"$out.tmp/make.log" 2>&1
	) || {
		tail -n 20 "$out.tmp/config.log" "$out.tmp/make.log" >&2
		echo "Error: openssl $ver: build failed (log in $out.tmp)" >&2
		return 1
	}
	for so in "$src"/libssl.so.* "$src"/libcrypto.so.*; do
		cp "$so" "$out.tmp/"
	done
	cp "$src/apps/openssl" "$out.tmp/openssl"
	# The headers, generated ones included, for the ground truth.
	(cd "$src" && find . -name '*.h' -print0 | tar --null -T - -cf - | tar -xf - -C "$out.tmp" --transform 's,^\./,hdr/,')
	rm -rf "$src" "$out.tmp/bin" "$out.tmp"/*.log
	echo $(($(date +%s) - t0)) >"$out.tmp/build.time"
	echo "$stamp" >"$out.tmp/.stamp"
	mv "$out.tmp" "$out"
	echo "  OPENSSL  $ver -> $out ($(cat "$out/build.time") s)" >&2
	ground_truth "$ver" "$out"
	gen_btf "$ver" "$out"
}

# ground_truth VER DIR: DIR/ssl-gt from examples/sslsniff/ground_truth.c
# and the release's headers, again whenever ground_truth.c changed.  The
# ground truth is the tests' concern: a release whose internals it does not
# know still gets its libraries and BTF (a warning, no ssl-gt).
ground_truth() {
	local ver=$1 dir=$2 stamp gt=$root/examples/sslsniff/ground_truth.c
	stamp=$(sha256sum <"$gt" | cut -d' ' -f1)
	[ -x "$dir/ssl-gt" ] && [ "$(cat "$dir/.gtstamp" 2>/dev/null)" = "$stamp" ] && return 0
	rm -f "$dir/ssl-gt"
	if ! gcc -g -O0 -I"$dir/hdr" -I"$dir/hdr/include" "$gt" -o "$dir/ssl-gt" 2>"$dir/gt.log"; then
		echo "Warning: openssl $ver: examples/sslsniff/ground_truth.c does not build against its ssl_local.h; no ssl-gt" >&2
		head -n 5 "$dir/gt.log" >&2
		return 0
	fi
	rm -f "$dir/gt.log"
	echo "$stamp" >"$dir/.gtstamp"
}

# gen_btf VER DIR: libssl-VER.btf and libcrypto-VER.btf, again whenever
# ucorebtf changed.
gen_btf() {
	local ver=$1 dir=$2 stamp lib
	stamp=$(sha256sum <"$ucorebtf" | cut -d' ' -f1)
	if [ -f "$dir/libssl-$ver.btf" ] && [ -f "$dir/libcrypto-$ver.btf" ] &&
	   [ "$(cat "$dir/.btfstamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	for lib in libssl libcrypto; do
		# Its warning (DWARF types BTF cannot express) only when it fails.
		"$ucorebtf" gen btf "$dir/$lib".so.* --name $lib --version "$ver" \
			-o "$dir/$lib-$ver.btf" >/dev/null 2>"$dir/gen-btf.log" || {
			cat "$dir/gen-btf.log" >&2
			echo "Error: openssl $ver: gen btf of $lib failed" >&2
			return 1
		}
	done
	echo "$stamp" >"$dir/.btfstamp"
}

if [ ! -x "$ucorebtf" ]; then
	echo "Error: $ucorebtf: not built (run make)" >&2
	exit 1
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)
exec {lockfd}>"$cache/.lock"
flock "$lockfd"
want=" $* "
found=0
while read -r pkg ver sha suite; do
	[ $# -gt 0 ] && [[ "$want" != *" $ver "* ]] && continue
	found=$((found + 1))
	build "$pkg" "$ver" "$sha" "$suite"
done < <(versions)
if [ $# -gt 0 ] && [ $found -ne $# ]; then
	echo "Error: $list: some of '$*' are not listed" >&2
	exit 1
fi
